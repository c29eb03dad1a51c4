import path from "node:path";
import type { DependencyType } from "../../../model/index.js";
import type { ExtractContext, ExtractedDependency, ScanWarning } from "../../types.js";
import { pyDep, resolveRelative, safeRead, type PyDepFields } from "./common.js";
import { normalizePyName, parsePep508, truncate, versionFromSpecifier } from "./pep508.js";

export interface RequirementsResult {
  deps: ExtractedDependency[];
  warnings: ScanWarning[];
  /** Pins from constraint files and from a pip-compile output next to a `.in` file. */
  locked: Array<{ name: string; version: string }>;
}

/** Dev-ish requirement files: requirements-dev.txt, requirements/test.txt, dev-requirements.in. */
export function requirementsDependencyType(file: string): DependencyType {
  const base = path.posix.basename(file).toLowerCase();
  const dir = path.posix.basename(path.posix.dirname(file)).toLowerCase();
  const stem = base.replace(/\.(txt|in)$/, "");
  const words = (dir === "requirements" ? stem : stem.replace(/requirements?/, "")).split(/[-_.]+/).filter(Boolean);
  const devWords = new Set(["dev", "develop", "development", "test", "tests", "testing", "lint", "linting", "docs", "doc", "ci", "typing", "tox", "qa"]);
  return words.some((w) => devWords.has(w)) ? "dev" : "prod";
}

/** A logical line: continuation lines joined, comments removed, with the line it starts on. */
interface LogicalLine {
  text: string;
  line: number;
}

export function logicalLines(content: string): LogicalLine[] {
  const raw = content.replace(/^\uFEFF/, "").split(/\r?\n/);
  const out: LogicalLine[] = [];
  let buf = "";
  let start = 0;
  for (let k = 0; k < raw.length; k++) {
    let l = raw[k];
    if (buf === "") start = k + 1;
    // pip strips comments before joining: a '#' at the start or after whitespace.
    l = l.replace(/(^|\s)#.*$/, "$1");
    if (buf !== "") l = l.trimStart();
    if (/\\\s*$/.test(l)) {
      const part = l.replace(/\s*\\\s*$/, "");
      buf += part === "" ? "" : `${part} `;
      continue;
    }
    buf += l;
    if (buf.trim()) out.push({ text: buf.trim(), line: start });
    buf = "";
  }
  if (buf.trim()) out.push({ text: buf.trim(), line: start });
  return out;
}

/** Options the scan ignores that take a value (so the value is not mistaken for a requirement). */
const IGNORED_OPTIONS_WITH_VALUE = [
  "--only-binary",
  "--no-binary",
  "--find-links",
  "-f",
  "--trusted-host",
  "--use-feature",
  "--config-settings",
  "--global-option",
  "--install-option",
];

const IGNORED_OPTIONS = new Set(["--pre", "--prefer-binary", "--require-hashes", "--no-index", ...IGNORED_OPTIONS_WITH_VALUE]);

const OPTIONS_WITH_VALUE = new Set([
  "-r",
  "--requirement",
  "-c",
  "--constraint",
  "-e",
  "--editable",
  "-i",
  "--index-url",
  "--extra-index-url",
  ...IGNORED_OPTIONS_WITH_VALUE,
]);

/** Split "-r file", "-rfile", "--requirement=file", "--requirement file" into [option, value]. */
function splitOption(text: string): [string, string] {
  const m = /^(--[A-Za-z-]+)(?:=|\s+)?(.*)$/.exec(text);
  if (m) return [m[1], m[2].trim()];
  const s = /^(-[A-Za-z])\s*(.*)$/.exec(text);
  if (s) return [s[1], s[2].trim()];
  return [text, ""];
}

const VCS_RE = /^(git|hg|svn|bzr)\+/i;

interface VcsRef {
  vcs: string;
  url: string;
  ref: string | null;
  egg: string | null;
}

export function parseVcsUrl(raw: string): VcsRef | null {
  const m = VCS_RE.exec(raw);
  if (!m) return null;
  const vcs = m[1].toLowerCase();
  let rest = raw.slice(m[0].length);
  let egg: string | null = null;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    const frag = new URLSearchParams(rest.slice(hash + 1));
    egg = frag.get("egg");
    rest = rest.slice(0, hash);
  }
  // The ref follows the last '@' of the path, never the one in user@host.
  const schemeEnd = rest.indexOf("://");
  const pathStart = schemeEnd >= 0 ? rest.indexOf("/", schemeEnd + 3) : rest.indexOf(":");
  let ref: string | null = null;
  const at = rest.lastIndexOf("@");
  if (pathStart >= 0 && at > pathStart) {
    ref = rest.slice(at + 1) || null;
    rest = rest.slice(0, at);
  }
  return { vcs, url: rest, ref, egg: egg ? egg.split(/[[=<>]/)[0] : null };
}

function nameFromRepoUrl(url: string): string | null {
  const last = url.replace(/\/+$/, "").split(/[/:]/).pop() ?? "";
  const name = last.replace(/\.git$/, "");
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? name : null;
}

/** Wheel or sdist file name → name and version: foo_bar-1.2.3-py3-none-any.whl, foo-1.2.tar.gz. */
export function nameFromArchive(url: string): { name: string; version: string } | null {
  const file = decodeURIComponent(url.split(/[?#]/)[0].split("/").pop() ?? "");
  const whl = /^([A-Za-z0-9][A-Za-z0-9._]*?)-([0-9][^-]*)-.*\.whl$/.exec(file);
  if (whl) return { name: whl[1], version: whl[2] };
  const sdist = /^([A-Za-z0-9][A-Za-z0-9._-]*?)-([0-9][A-Za-z0-9.+!_]*)\.(tar\.gz|tar\.bz2|zip|tgz)$/.exec(file);
  if (sdist) return { name: sdist[1], version: sdist[2] };
  return null;
}

function looksLikePath(s: string): boolean {
  return s.startsWith(".") || s.startsWith("/") || s.startsWith("file:") || /^[A-Za-z]:[\\/]/.test(s) || (s.includes("/") && !s.includes("://") && !/[<>=~;@[]/.test(s));
}

/** Nested `-r` / `-c` includes followed; deeper chains are warned, not followed (each level is a stack frame). */
export const MAX_REQUIREMENTS_INCLUDE_DEPTH = 32;

interface State {
  /** Current include nesting. */
  depth: number;
  ctx: ExtractContext;
  warnings: ScanWarning[];
  deps: ExtractedDependency[];
  visited: Set<string>;
  constraintFiles: string[];
  constraintSeen: Set<string>;
}

/** Extract a requirements / pip-tools file and everything it includes with -r. */
export function extractRequirements(file: string, content: string, ctx: ExtractContext): RequirementsResult {
  const st: State = { depth: 0, ctx, warnings: [], deps: [], visited: new Set(), constraintFiles: [], constraintSeen: new Set() };
  walkRequirements(file, content, st);

  const pins = new Map<string, string>();
  const locked: Array<{ name: string; version: string }> = [];
  for (const cf of st.constraintFiles) collectPins(cf, ctx, pins, locked, st.warnings, new Set());
  // pip-compile: requirements.in is compiled to requirements.txt next to it.
  if (file.endsWith(".in")) {
    const compiled = file.replace(/\.in$/, ".txt");
    if (ctx.allFiles.includes(compiled)) collectPins(compiled, ctx, pins, locked, st.warnings, new Set());
  }
  for (const d of st.deps) {
    const pin = pins.get(normalizePyName(d.name));
    if (pin && d.datasource === "pypi" && !d.skip_reason) {
      d.locked_version = pin;
      d.version = pin;
    }
  }
  return { deps: st.deps, warnings: st.warnings, locked };
}

function walkRequirements(file: string, content: string, st: State): void {
  if (st.visited.has(file)) return;
  st.visited.add(file);
  const depType = requirementsDependencyType(file);
  let registryUrl: string | null = null;
  const warn = (line: number, message: string): void => {
    st.warnings.push({ file, line, manager: "pip", message });
  };

  for (const { text, line } of logicalLines(content)) {
    if (text.startsWith("-")) {
      const [opt, value] = splitOption(text);
      switch (opt) {
        case "-r":
        case "--requirement":
        case "-c":
        case "--constraint": {
          if (!value) {
            warn(line, `${opt} needs a file name`);
            break;
          }
          if (/\$\{?[A-Za-z_]/.test(value) || /^[a-z]+:\/\//i.test(value)) {
            warn(line, `${opt} ${truncate(value)}: remote or variable include not followed`);
            break;
          }
          const target = resolveRelative(file, value.split(/\s+/)[0]);
          if (opt === "-c" || opt === "--constraint") {
            if (!st.constraintSeen.has(target)) {
              st.constraintSeen.add(target);
              if (!st.ctx.allFiles.includes(target)) warn(line, `constraint file ${target} not found`);
              else st.constraintFiles.push(target);
            }
            break;
          }
          if (st.visited.has(target)) break;
          const included = st.ctx.allFiles.includes(target) ? safeRead(st.ctx, target) : undefined;
          if (included === undefined) warn(line, `included requirements file ${target} not found`);
          else if (st.depth >= MAX_REQUIREMENTS_INCLUDE_DEPTH) warn(line, `${opt} ${target}: includes nested over ${MAX_REQUIREMENTS_INCLUDE_DEPTH} levels deep; not followed`);
          else {
            st.depth++;
            walkRequirements(target, included, st);
            st.depth--;
          }
          break;
        }
        case "-i":
        case "--index-url":
        case "--extra-index-url":
          if (value) registryUrl = value.split(/\s+/)[0];
          else warn(line, `${opt} needs a URL`);
          break;
        case "-e":
        case "--editable": {
          if (!value) {
            warn(line, `${opt} needs a path or URL`);
            break;
          }
          const dep = directReference(file, line, value.split(/\s+/)[0], depType, warn, true);
          if (dep) st.deps.push(dep);
          break;
        }
        default:
          if (!IGNORED_OPTIONS.has(opt)) {
            warn(line, `unsupported option "${truncate(opt)}" ignored`);
          } else if (OPTIONS_WITH_VALUE.has(opt) && !value) {
            warn(line, `${opt} needs a value`);
          }
      }
      continue;
    }

    // Per-requirement options (--hash, --config-settings) follow the requirement.
    const optAt = text.search(/\s(?:--[a-z]|-[a-zA-Z])/); // -C is --config-settings
    const reqText = (optAt >= 0 ? text.slice(0, optAt) : text).trim();
    const notes: string[] = [];
    if (optAt >= 0 && /--hash[=\s]/.test(text.slice(optAt))) notes.push("hash-pinned");

    if (VCS_RE.test(reqText) || /^[a-z][a-z0-9+.-]*:\/\//i.test(reqText) || looksLikePath(reqText)) {
      const dep = directReference(file, line, reqText.split(/\s+/)[0], depType, warn, false);
      if (dep) st.deps.push(dep);
      continue;
    }
    const req = parsePep508(reqText);
    if ("error" in req) {
      warn(line, req.error);
      continue;
    }
    if (req.marker) notes.push(`marker: ${req.marker}`);
    if (req.extras.length) notes.push(`extras: ${req.extras.join(",")}`);
    st.deps.push(requirementToDep(req, file, line, depType, notes, registryUrl, warn));
  }
}

/** Turn a parsed PEP 508 requirement into a dependency; shared by requirements files and pyproject. */
export function requirementToDep(
  req: { name: string; specifier: string; url: string | null },
  file: string,
  line: number | null,
  depType: DependencyType,
  notes: string[],
  registryUrl: string | null,
  warn: (line: number, message: string) => void,
): ExtractedDependency {
  if (req.url) {
    const vcs = parseVcsUrl(req.url);
    if (vcs) {
      return pyDep({
        name: req.name,
        file,
        line,
        dependency_type: depType,
        current_value: vcs.ref ?? "",
        version: vcs.ref ?? "",
        datasource: vcs.vcs === "git" ? "git" : "none",
        registry_url: vcs.url,
        skip_reason: `${vcs.vcs}-dependency`,
        notes,
      });
    }
    if (req.url.startsWith("file:")) {
      return pyDep({
        name: req.name,
        file,
        line,
        dependency_type: depType,
        current_value: req.url,
        version: "",
        local_path: req.url.replace(/^file:(\/\/)?/, ""),
        skip_reason: "local-path",
        notes,
      });
    }
    const archive = nameFromArchive(req.url);
    return pyDep({
      name: req.name,
      file,
      line,
      dependency_type: depType,
      current_value: req.url,
      version: archive?.version ?? "",
      registry_url: null,
      skip_reason: "direct-url",
      notes,
    });
  }
  const sv = versionFromSpecifier(req.specifier);
  if (sv.error && line !== null) warn(line, `${req.name}: ${sv.error}`);
  if (sv.unsupported && line !== null) warn(line, `${req.name}: ${sv.unsupported}`);
  return pyDep({
    name: req.name,
    file,
    line,
    dependency_type: depType,
    current_value: req.specifier,
    version: sv.version ?? req.specifier,
    registry_url: registryUrl,
    skip_reason: sv.error ? "invalid-version" : sv.unsupported ? "unsupported-version" : null,
    notes,
  });
}

/** -e targets, bare URLs and local paths. */
function directReference(
  file: string,
  line: number,
  target: string,
  depType: DependencyType,
  warn: (line: number, message: string) => void,
  editable: boolean,
): ExtractedDependency | null {
  const notes = editable ? ["editable"] : [];
  const dep = (name: string, fields: PyDepFields): ExtractedDependency => pyDep({ name, file, line, dependency_type: depType, notes, ...fields });
  const vcs = parseVcsUrl(target);
  if (vcs) {
    const name = vcs.egg ?? nameFromRepoUrl(vcs.url);
    if (!name) {
      warn(line, `cannot tell the package name of "${truncate(target)}" (add #egg=name)`);
      return null;
    }
    return dep(name, {
      current_value: vcs.ref ?? "",
      version: vcs.ref ?? "",
      datasource: vcs.vcs === "git" ? "git" : "none",
      registry_url: vcs.url,
      skip_reason: `${vcs.vcs}-dependency`,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !target.startsWith("file:")) {
    const archive = nameFromArchive(target);
    const egg = /#.*egg=([^&]+)/.exec(target)?.[1] ?? null;
    const name = egg ?? archive?.name ?? null;
    if (!name) {
      warn(line, `cannot tell the package name of URL "${truncate(target)}"`);
      return null;
    }
    return dep(name, {
      current_value: target,
      version: archive?.version ?? "",
      skip_reason: "direct-url",
    });
  }
  // Local path (relative paths resolved against the requirements file's directory).
  const [p, frag] = target.replace(/^file:(\/\/)?/, "").split("#");
  const egg = frag ? new URLSearchParams(frag).get("egg") : null;
  const local = p.startsWith("/") ? p : resolveRelative(file, p);
  const archive = nameFromArchive(p);
  const name = egg ?? archive?.name ?? path.posix.basename(local.replace(/\[.*\]$/, ""));
  if (!name || name === "." || name === "..") {
    warn(line, `cannot tell the package name of path "${truncate(target)}"`);
    return null;
  }
  return dep(name, {
    current_value: target,
    version: archive?.version ?? "",
    local_path: local.replace(/\[.*\]$/, ""),
    skip_reason: "local-path",
  });
}

/** Exact pins (==x) of a constraints or compiled requirements file, following its own -r/-c. */
function collectPins(
  file: string,
  ctx: ExtractContext,
  pins: Map<string, string>,
  locked: Array<{ name: string; version: string }>,
  warnings: ScanWarning[],
  seen: Set<string>,
  depth = 0,
): void {
  if (seen.has(file)) return;
  if (depth > MAX_REQUIREMENTS_INCLUDE_DEPTH) {
    warnings.push({ file, line: null, manager: "pip", message: `constraint includes nested over ${MAX_REQUIREMENTS_INCLUDE_DEPTH} levels deep; not followed` });
    return;
  }
  seen.add(file);
  const content = safeRead(ctx, file);
  if (content === undefined) {
    warnings.push({ file, line: null, manager: "pip", message: `cannot read ${file}` });
    return;
  }
  for (const { text, line } of logicalLines(content)) {
    if (text.startsWith("-")) {
      const [opt, value] = splitOption(text);
      if (["-r", "--requirement", "-c", "--constraint"].includes(opt) && value) {
        collectPins(resolveRelative(file, value.split(/\s+/)[0]), ctx, pins, locked, warnings, seen, depth + 1);
      }
      continue;
    }
    const optAt = text.search(/\s(?:--[a-z]|-[a-zA-Z])/); // -C is --config-settings
    const req = parsePep508((optAt >= 0 ? text.slice(0, optAt) : text).trim());
    if ("error" in req) {
      if (!VCS_RE.test(text) && !/:\/\//.test(text) && !looksLikePath(text)) {
        warnings.push({ file, line, manager: "pip", message: req.error });
      }
      continue;
    }
    const m = /^===?\s*([^,;\s*]+)$/.exec(req.specifier);
    if (m) {
      const key = normalizePyName(req.name);
      if (!pins.has(key)) {
        pins.set(key, m[1]);
        locked.push({ name: req.name, version: m[1] });
      }
    }
  }
}
