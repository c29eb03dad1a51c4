/**
 * Manifests of the npm manager that are not package.json:
 * - pnpm-workspace.yaml: catalog entries that no package.json of the workspace refers to (the used
 *   ones are reported by each package.json that refers to them, at the catalog entry's line) and
 *   `overrides`, a dependency type of their own;
 * - .nvmrc / .node-version: the Node.js version, a runtime dependency.
 */
import type { ExtractContext, ExtractedDependency, ManagerResult, ScanWarning } from "../../types.js";
import { baseDependency } from "../dependency.js";
import { LineIndex, locateValue } from "../span.js";
import { catalogNameOf, overrideTarget, parsePnpmWorkspaceFile } from "./pnpm-workspace.js";
import { isRecord } from "./types.js";
import { classifyNpmValue, rangeVersion } from "./values.js";

const SECTIONS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"];

function dirOf(p: string): string {
  const i = p.lastIndexOf("/");
  // Stryker disable next-line EqualityOperator: i is 0 only for a path that starts with "/", and repository paths are relative
  return i <= 0 ? "." : p.slice(0, i);
}

/** The pnpm-workspace.yaml that governs a directory: the nearest one at or above it. */
function governingWorkspace(dir: string, workspaceFiles: ReadonlySet<string>): string | null {
  let d = dir;
  for (;;) {
    const f = d === "." ? "pnpm-workspace.yaml" : `${d}/pnpm-workspace.yaml`;
    if (workspaceFiles.has(f)) return f;
    if (d === ".") return null;
    d = dirOf(d);
  }
}

/** "catalog\0package" of every `catalog:` reference in the package.json files this workspace file governs. */
function catalogReferences(wsFile: string, ctx: ExtractContext): Set<string> {
  // Stryker disable next-line MethodExpression,ConditionalExpression,StringLiteral: only pnpm-workspace.yaml paths are looked up in this set; other entries are never asked for
  const workspaceFiles = new Set(ctx.allFiles.filter((f) => f === "pnpm-workspace.yaml" || f.endsWith("/pnpm-workspace.yaml")));
  const wsDir = dirOf(wsFile);
  const used = new Set<string>();
  for (const f of ctx.allFiles) {
    if (!(f === "package.json" || f.endsWith("/package.json")) || f.split("/").includes("node_modules")) continue;
    // Stryker disable next-line ConditionalExpression,BooleanLiteral,MethodExpression,StringLiteral: a pre-filter; governingWorkspace below makes the same decision
    if (wsDir !== "." && !f.startsWith(`${wsDir}/`)) continue;
    if (governingWorkspace(dirOf(f), workspaceFiles) !== wsFile) continue;
    const text = ctx.readFile(f);
    // Stryker disable next-line ConditionalExpression: an undefined text also ends in the catch below
    if (text === undefined) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      // Not JSON: reported by that package.json's own extraction; doc stays undefined and is skipped below.
    }
    if (!isRecord(doc)) continue;
    for (const section of SECTIONS) {
      const block = doc[section];
      if (!isRecord(block)) continue;
      for (const [name, value] of Object.entries(block)) {
        if (typeof value === "string" && value.trim().startsWith("catalog:")) used.add(`${catalogNameOf(value)}\0${name}`);
      }
    }
  }
  return used;
}

export function extractPnpmWorkspace(file: string, content: string, ctx: ExtractContext): ManagerResult {
  const warnings: ScanWarning[] = [];
  const warn = (line: number | null, message: string): void => {
    warnings.push({ file, line, manager: "npm", message: `${file}${line ? `:${line}` : ""}: ${message}` });
  };
  const parsed = parsePnpmWorkspaceFile(file, content);
  if (!parsed.ok) {
    warn(parsed.line, parsed.message);
    return { deps: [], warnings, meta: { primary: false } };
  }
  const ws = parsed.workspace;
  for (const p of ws.problems) warn(p.line, p.message);
  const lines = new LineIndex(content);
  const deps: ExtractedDependency[] = [];
  // Stryker disable next-line ConditionalExpression,EqualityOperator: without entries the references are never consulted; this only saves the reads
  const used = ws.entries.length > 0 ? catalogReferences(file, ctx) : new Set<string>();
  const dirOfFile = dirOf(file);

  for (const e of ws.entries) {
    if (used.has(`${e.catalog}\0${e.name}`)) continue;
    const v = classifyNpmValue(e.name, e.value, dirOfFile);
    deps.push(
      baseDependency(
        { file, line: e.line, package_manager: "npm", dependency_type: "dev" },
        {
          name: v.name,
          datasource: v.datasource,
          current_value: v.current_value,
          version: v.version ?? v.current_value,
          registry_url: v.registry_url,
          digest: v.digest,
          skip_reason: v.skip_reason,
          local_path: v.local_path,
          group: `catalog:${e.catalog}`,
          notes: [`catalog:${e.catalog} entry that no package.json of this workspace refers to`],
          value_span: locateValue(lines, e.line, e.value, e.name),
        },
      ),
    );
  }

  for (const o of ws.overrides) {
    if (o.value === "-") continue; // removes the dependency
    const { name, selector } = overrideTarget(o.key);
    if (o.value.startsWith("$")) {
      // "$foo": the version of a direct dependency of the root package.json; it is updated there.
      continue;
    }
    const v = classifyNpmValue(name, o.value, dirOfFile);
    deps.push(
      baseDependency(
        { file, line: o.line, package_manager: "npm", dependency_type: "override" },
        {
          name: v.name,
          datasource: v.datasource,
          current_value: v.current_value,
          version: v.version ?? v.current_value,
          registry_url: v.registry_url,
          digest: v.digest,
          skip_reason: v.skip_reason,
          local_path: v.local_path,
          group: "pnpm-workspace overrides",
          notes: selector ? [`overrides selector ${selector}`] : undefined,
          value_span: locateValue(lines, o.line, o.value, o.key),
        },
      ),
    );
  }
  return { deps, warnings, meta: { primary: false, ...(ws.packages.length ? { workspaces: ws.packages } : {}) } };
}

const NODE_ALIASES = /^(?:lts\/.*|lts|node|stable|latest|current|system|iojs)$/i;

/** `.nvmrc` / `.node-version`: the first line that is not a comment, e.g. "24.14.0", "v20", "lts/iron". */
export function extractNodeVersionFile(file: string, content: string): ManagerResult {
  const warnings: ScanWarning[] = [];
  const lines = new LineIndex(content);
  const all = content.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  for (let i = 0; i < all.length && i < 1000; i++) {
    // Stryker disable next-line Regex: lines are already split, so `$` adds nothing
    const raw = all[i].replace(/#.*$/, "").trim();
    if (raw === "") continue;
    const line = i + 1;
    const alias = NODE_ALIASES.test(raw);
    // Stryker disable next-line Regex: semver's loose parsing accepts the leading v too; this keeps the intent explicit
    const plain = raw.replace(/^v(?=\d)/, "");
    const valid = alias || rangeVersion(plain) !== null;
    if (!valid) warnings.push({ file, line, manager: "npm", message: `${file}:${line}: ${JSON.stringify(raw.slice(0, 80))} is not a Node.js version` });
    const dep = baseDependency(
      { file, line, package_manager: "npm", dependency_type: "runtime" },
      {
        name: "node",
        datasource: "node-version",
        current_value: raw,
        version: valid && !alias ? (rangeVersion(plain) ?? plain) : raw,
        skip_reason: alias ? "version alias" : valid ? null : "invalid version",
        value_span: alias || !valid ? null : locateValue(lines, line, raw),
        group: file.endsWith(".nvmrc") ? "nvm" : "nodenv",
      },
    );
    return { deps: [dep], warnings, meta: { primary: false } };
  }
  warnings.push({ file, line: 1, manager: "npm", message: `${file}: no Node.js version in the file` });
  return { deps: [], warnings, meta: { primary: false } };
}
