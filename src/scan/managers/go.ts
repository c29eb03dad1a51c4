import path from "node:path";
import type { ExtractContext, ExtractedDependency, Manager, ManagerResult, ManifestMeta, ScanWarning } from "../types.js";
import type { ValueSpan } from "../../model/index.js";
import { baseDependency } from "./dependency.js";
import { resolveRelative } from "./pip/common.js";
import { truncate } from "./pip/pep508.js";

/**
 * go.mod, line-based (https://go.dev/ref/mod#go-mod-file). There is no maintained JS go.mod
 * parser; the grammar is small: one directive per line or a parenthesised block, `//` comments,
 * tokens that may be "quoted" or `raw`.
 */

interface Token {
  text: string;
  /** 0-based column of the token's text (inside the quotes for a quoted token). */
  col: number;
  quoted: boolean;
}

/** Split a line into tokens and its trailing comment. */
function tokenize(line: string): { tokens: Token[]; comment: string | null; error: string | null } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    // Any whitespace (also \v, \f, NBSP, U+2028): the word loop below stops at \s, so a kind it
    // did not skip here would yield empty tokens forever.
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && line[i + 1] === "/") return { tokens, comment: line.slice(i + 2).trim(), error: null };
    if (c === '"' || c === "`") {
      const end = c === '"' ? findQuoteEnd(line, i + 1) : line.indexOf("`", i + 1);
      if (end < 0) return { tokens, comment: null, error: "unterminated quoted string" };
      const raw = line.slice(i + 1, end);
      tokens.push({ text: c === '"' ? raw.replace(/\\(.)/g, "$1") : raw, col: i + 1, quoted: true });
      i = end + 1;
      continue;
    }
    if (c === "(" || c === ")") {
      tokens.push({ text: c, col: i, quoted: false });
      i++;
      continue;
    }
    let j = i;
    while (j < line.length && !/[\s"`()]/.test(line[j]) && !(line[j] === "/" && line[j + 1] === "/")) j++;
    tokens.push({ text: line.slice(i, j), col: i, quoted: false });
    i = j;
  }
  return { tokens, comment: null, error: null };
}

function findQuoteEnd(line: string, from: number): number {
  for (let k = from; k < line.length; k++) {
    if (line[k] === "\\") k++;
    else if (line[k] === '"') return k;
  }
  return -1;
}

const DIRECTIVES = new Set(["module", "go", "toolchain", "require", "replace", "exclude", "retract", "godebug", "tool", "ignore"]);

interface Require {
  path: string;
  version: string;
  line: number;
  indirect: boolean;
  span: ValueSpan | null;
}

interface Replace {
  oldPath: string;
  oldVersion: string | null;
  newPath: string;
  newVersion: string | null;
  line: number;
  span: ValueSpan | null;
}

/** The span of a bare token, `strip` characters skipped at its start ("go" of "go1.26.6"). */
function tokenSpan(line: number, t: Token | undefined, strip = 0): ValueSpan | null {
  if (!t || t.quoted) return null;
  return { line, start_column: t.col + strip, end_column: t.col + t.text.length, text: t.text.slice(strip) };
}

function isLocalPath(p: string): boolean {
  return p.startsWith("./") || p.startsWith("../") || p === "." || p === ".." || p.startsWith("/");
}

function goDep(file: string, line: number, name: string, current: string, extra: Partial<ExtractedDependency>): ExtractedDependency {
  return baseDependency({ file, line, package_manager: "go", dependency_type: "prod" }, { name, datasource: "go", current_value: current, ...extra });
}

function extract(file: string, content: string, ctx: ExtractContext): ManagerResult {
  const warnings: ScanWarning[] = [];
  const warn = (line: number, message: string): void => {
    warnings.push({ file, line, manager: "go", message });
  };
  const meta: ManifestMeta = { primary: false };
  const deps: ExtractedDependency[] = [];
  const requires: Require[] = [];
  const replaces: Replace[] = [];
  let block: { verb: string; line: number } | null = null;

  const handle = (verb: string, args: Token[], comment: string | null, line: number): void => {
    const a = args.map((t) => t.text);
    switch (verb) {
      case "module":
        if (a.length !== 1) warn(line, "module directive needs exactly one path");
        else {
          meta.name = a[0];
          meta.primary = true;
        }
        break;
      case "go":
        if (a.length !== 1 || !/^\d+(\.\d+){0,2}([a-z]+\d*)?$/.test(a[0])) warn(line, `invalid go version "${truncate(a.join(" "))}"`);
        else {
          meta.go_version = a[0];
          deps.push(
            goDep(file, line, "go", a[0], {
              datasource: "golang-version",
              dependency_type: "runtime",
              group: "go",
              notes: ["go directive: minimum Go language version"],
              value_span: tokenSpan(line, args[0]),
            }),
          );
        }
        break;
      case "toolchain":
        if (a.length !== 1 || !/^go\d/.test(a[0]) && a[0] !== "default") warn(line, `invalid toolchain "${truncate(a.join(" "))}"`);
        else if (a[0] !== "default") {
          // Named "go" (the toolchain is a Go release), the version without its "go" prefix, as Renovate does.
          const version = a[0].replace(/^go/, "");
          deps.push(
            goDep(file, line, "go", version, {
              datasource: "golang-version",
              dependency_type: "runtime",
              group: "toolchain",
              notes: [`toolchain directive: preferred Go toolchain (${a[0]})`],
              value_span: tokenSpan(line, args[0], 2),
            }),
          );
        }
        break;
      case "require":
        if (a.length !== 2) warn(line, `require needs a module path and a version, got "${truncate(a.join(" "))}"`);
        else if (!/^v\d+\.\d+\.\d+/.test(a[1])) warn(line, `${a[0]}: invalid module version "${truncate(a[1])}"`);
        else requires.push({ path: a[0], version: a[1], line, indirect: comment !== null && /(^|;)\s*indirect\s*(;|$)/.test(comment), span: tokenSpan(line, args[1]) });
        break;
      case "replace": {
        const arrow = a.indexOf("=>");
        if (arrow < 1 || arrow > 2 || a.length - arrow - 1 < 1 || a.length - arrow - 1 > 2) {
          warn(line, `replace needs "old [version] => new [version]", got "${truncate(a.join(" "))}"`);
          break;
        }
        replaces.push({
          oldPath: a[0],
          oldVersion: arrow === 2 ? a[1] : null,
          newPath: a[arrow + 1],
          newVersion: a[arrow + 2] ?? null,
          line,
          span: tokenSpan(line, args[arrow + 2]),
        });
        break;
      }
      // exclude and retract affect version selection / this module's own releases, not what it uses.
      case "exclude":
      case "retract":
      case "godebug":
      case "tool":
      case "ignore":
        break;
    }
  };

  const lines = content.replace(/^\uFEFF/, "").split("\n");
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const { tokens, comment, error } = tokenize(raw);
    if (error) {
      warn(lineNo, error);
      return;
    }
    if (tokens.length === 0) return;
    if (block) {
      if (tokens.length === 1 && tokens[0].text === ")") {
        block = null;
        return;
      }
      handle(block.verb, tokens, comment, lineNo);
      return;
    }
    const verb = tokens[0].text;
    if (!DIRECTIVES.has(verb)) {
      warn(lineNo, `unknown directive "${truncate(verb)}"`);
      return;
    }
    if (tokens.length === 2 && tokens[1].text === "(") {
      block = { verb, line: lineNo };
      return;
    }
    if (tokens.length === 3 && tokens[1].text === "(" && tokens[2].text === ")") return;
    handle(verb, tokens.slice(1), comment, lineNo);
  });
  if (block !== null) {
    const open: { verb: string; line: number } = block;
    warn(open.line, `${open.verb} block opened here is never closed`);
  }

  for (const r of requires) {
    const notes: string[] = [];
    if (r.indirect) notes.push("indirect");
    const dep = goDep(file, r.line, r.path, r.version, {});
    if (/[-.]\d{14}-[0-9a-f]{12}(\+incompatible)?$/.test(r.version)) {
      notes.push("pseudo-version");
    }
    const rep = replaces.find((p) => p.oldPath === r.path && (p.oldVersion === null || p.oldVersion === r.version));
    if (rep) {
      if (isLocalPath(rep.newPath)) {
        dep.local_path = resolveRelative(file, rep.newPath);
        dep.skip_reason = "local-replace";
        notes.push(`replaced by local path ${rep.newPath}`);
      } else {
        // What is built is the replacement; the require line is not where an update goes.
        notes.push(`replaced by ${rep.newPath}${rep.newVersion ? ` ${rep.newVersion}` : ""} (line ${rep.line}): that is the version built`);
        if (rep.newVersion && rep.newPath === r.path) dep.version = rep.newVersion;
        dep.skip_reason = "replaced";
      }
    } else {
      dep.value_span = r.span;
    }
    if (notes.length) dep.notes = notes;
    deps.push(dep);
  }

  // Each replace is a dependency of its own: a versioned one is the version actually built.
  for (const p of replaces) {
    const replaced = `${p.oldPath}${p.oldVersion ? ` ${p.oldVersion}` : ""}`;
    if (isLocalPath(p.newPath)) {
      deps.push(
        goDep(file, p.line, p.newPath, "", {
          dependency_type: "override",
          group: "replace",
          local_path: resolveRelative(file, p.newPath),
          skip_reason: "local-replace",
          notes: [`replaces ${replaced} with the local directory ${p.newPath}`],
        }),
      );
      continue;
    }
    if (p.newVersion === null) {
      // `replace a => b` without a version needs b required elsewhere; nothing to update here.
      warn(p.line, `replace of ${truncate(p.oldPath)} names ${truncate(p.newPath)} without a version`);
      continue;
    }
    const notesR = [`replaces ${replaced}`];
    if (/[-.]\d{14}-[0-9a-f]{12}(\+incompatible)?$/.test(p.newVersion)) notesR.push("pseudo-version");
    deps.push(goDep(file, p.line, p.newPath, p.newVersion, { dependency_type: "override", group: "replace", notes: notesR, value_span: p.span }));
  }
  const sum = path.posix.dirname(file) === "." ? "go.sum" : `${path.posix.dirname(file)}/go.sum`;
  const needsSum = requires.some((r) => !deps.find((d) => d.name === r.path)?.local_path);
  const built = (d: ExtractedDependency): boolean => d.datasource === "go" && d.local_path === null && d.skip_reason !== "replaced";
  if (needsSum && !ctx.allFiles.includes(sum)) {
    warnings.push({ file, line: null, manager: "go", message: `go.mod has requirements but ${sum} is missing` });
  }
  // go.mod pins the minimal version of every module in the build (MVS): they are the lock.
  const locked = deps
    .filter(built)
    .map((d) => ({ name: d.name, version: d.version, datasource: "go" as const }));
  return { deps, warnings, meta, locked, lockfile: { file, importer: "." } };
}

export const goManager: Manager = {
  name: "go",
  matches(file: string): boolean {
    return path.posix.basename(file) === "go.mod";
  },
  companions(file: string): string[] {
    const dir = path.posix.dirname(file);
    return [dir === "." ? "go.sum" : `${dir}/go.sum`];
  },
  extract(file: string, content: string, ctx: ExtractContext): ManagerResult {
    try {
      return extract(file, content, ctx);
    } catch (err) {
      return { deps: [], warnings: [{ file, line: null, manager: "go", message: `internal error while reading ${file}: ${String(err)}` }], meta: { primary: false }, locked: [] };
    }
  },
};
