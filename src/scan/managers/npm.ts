import picomatch from "picomatch";
import type { DependencyType } from "../../model/index.js";
import type {
  DatasourceName,
  ExtractContext,
  ExtractedDependency,
  Manager,
  ManagerResult,
  ManifestMeta,
  ScanWarning,
} from "../types.js";
import type { ParsedDocuments } from "../documents.js";
import { baseDependency } from "./dependency.js";
import { pathKey, scanJson } from "./npm/json-lines.js";
import { parsePackageLock } from "./npm/package-lock.js";
import { parsePnpmLock } from "./npm/pnpm.js";
import { catalogNameOf, findCatalogEntry, parsePnpmWorkspaceFile, type PnpmWorkspaceFile } from "./npm/pnpm-workspace.js";
import { LineIndex, locateValue } from "./span.js";
import { isRecord, splitNameAt, type LockfileParse, type NpmLockfile } from "./npm/types.js";
import { classifyNpmValue, isValidNpmName, posixJoin, rangeVersion, type NpmValue } from "./npm/values.js";
import { extractNodeVersionFile, extractPnpmWorkspace } from "./npm/workspace-manifest.js";
import { parseYarnLock } from "./npm/yarn-lock.js";

/** Lockfiles in order of preference when a directory holds several. */
const LOCKFILES: ReadonlyArray<{ name: string; parse: (file: string, content: string, docs?: ParsedDocuments) => LockfileParse }> = [
  { name: "pnpm-lock.yaml", parse: parsePnpmLock },
  { name: "yarn.lock", parse: parseYarnLock },
  { name: "npm-shrinkwrap.json", parse: parsePackageLock },
  { name: "package-lock.json", parse: parsePackageLock },
];
const PNPM_WORKSPACE = "pnpm-workspace.yaml";

const SECTIONS: ReadonlyArray<[string, DependencyType]> = [
  ["dependencies", "prod"],
  ["devDependencies", "dev"],
  ["optionalDependencies", "optional"],
  ["peerDependencies", "peer"],
];

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  // Stryker disable next-line EqualityOperator: equivalent; repository paths never start with "/", so i is never 0
  return i <= 0 ? "." : p.slice(0, i);
}
function join(dir: string, name: string): string {
  return dir === "." ? name : `${dir}/${name}`;
}
/** `dir` and its ancestors up to the repository root ("."). */
function ancestry(dir: string): string[] {
  const out = [dir];
  let d = dir;
  while (d !== ".") {
    d = dirname(d);
    out.push(d);
  }
  return out;
}
/** Path of `dir` relative to its ancestor `from`, "." when equal. */
function relativeTo(from: string, dir: string): string {
  if (from === dir) return ".";
  return from === "." ? dir : dir.slice(from.length + 1);
}
/** Quote a name for a message, bounded so hostile names cannot flood a log. */
function q(s: string): string {
  const j = JSON.stringify(s);
  return j.length > 80 ? `${j.slice(0, 77)}..."` : j;
}

// Parsed lockfiles are shared by every workspace package.json that reads them.
const lockCache = new Map<string, { content: string; result: LockfileParse; byName: Map<string, Set<string>> }>();
// A monorepo with a lockfile per e2e fixture (jest: 33) must not evict the root lockfile between the
// package.json files that share it: bounded by count and by total text size.
const LOCK_CACHE_SIZE = 64;
const LOCK_CACHE_CHARS = 64 * 1024 * 1024;

function parseLockCached(file: string, content: string, parse: (f: string, c: string, docs?: ParsedDocuments) => LockfileParse, docs?: ParsedDocuments) {
  // In a scan, the scan's document cache holds it (and the raw document the graph builder reuses).
  // Stryker disable next-line StringLiteral: equivalent; no other kind of document is stored under the empty name
  if (docs) return docs.get("npm-lock", file, content, () => lockEntry(file, content, parse(file, content, docs)));
  const hit = lockCache.get(file);
  // Stryker disable next-line ConditionalExpression: equivalent; never using the cache parses the same result again
  if (hit && hit.content === content) return hit;
  const entry = lockEntry(file, content, parse(file, content));
  lockCache.delete(file);
  lockCache.set(file, entry);
  // The eviction below only bounds memory: an evicted lockfile is parsed again, to the same result.
  let chars = 0;
  // Stryker disable next-line AssignmentOperator: equivalent; eviction only bounds memory
  for (const e of lockCache.values()) chars += e.content.length;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement: equivalent; eviction only bounds memory
  while (lockCache.size > 1 && (lockCache.size > LOCK_CACHE_SIZE || chars > LOCK_CACHE_CHARS)) {
    const oldest = lockCache.keys().next().value as string;
    // Stryker disable next-line AssignmentOperator,LogicalOperator,OptionalChaining: equivalent; eviction only bounds memory
    chars -= lockCache.get(oldest)?.content.length ?? 0;
    lockCache.delete(oldest);
  }
  return entry;
}

function lockEntry(file: string, content: string, result: LockfileParse) {
  const byName = new Map<string, Set<string>>();
  if (result.ok) {
    for (const p of result.lock.packages) {
      const s = byName.get(p.name) ?? new Set<string>();
      s.add(p.version);
      byName.set(p.name, s);
    }
  }
  return { content, result, byName };
}

// name -> directory of every package.json readable through ctx, for workspace: targets. Keyed by the
// scan's file list, which every manifest of one scan shares (each gets its own ctx object): one index
// per scan, not one per package.json (379 package.json files would otherwise parse 379² times).
const workspaceIndex = new WeakMap<readonly string[], Map<string, { dir: string; version: string | null }>>();
function workspacePackages(ctx: ExtractContext): Map<string, { dir: string; version: string | null }> {
  let idx = workspaceIndex.get(ctx.allFiles);
  // Stryker disable next-line ConditionalExpression: equivalent; the index is only kept when complete, so building it again gives the same map
  if (idx) return idx;
  idx = new Map();
  // Stryker disable next-line BooleanLiteral: equivalent; an index never kept is built again, to the same map
  let complete = true;
  for (const f of ctx.allFiles) {
    if ((f !== "package.json" && !f.endsWith("/package.json")) || f.includes("node_modules/")) continue;
    const text = ctx.readFile(f);
    if (text === undefined) {
      complete = false; // not fetched yet: the scan reruns this manifest with it; do not keep a partial index
      continue;
    }
    try {
      const doc: unknown = JSON.parse(text);
      // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent; an entry under a name that is no string is never looked up, and null.name throws into the catch
      if (!isRecord(doc) || typeof doc.name !== "string") continue;
      if (!idx.has(doc.name)) idx.set(doc.name, { dir: dirname(f), version: typeof doc.version === "string" ? doc.version : null });
    } catch {
      // Reported when that file itself is extracted.
    }
  }
  // Stryker disable next-line ConditionalExpression: equivalent; an index never kept is built again, to the same map
  if (complete) workspaceIndex.set(ctx.allFiles, idx);
  return idx;
}

interface LockSelection {
  lock: NpmLockfile;
  /** This project's directory relative to the lockfile's. */
  projectDir: string;
  byName: Map<string, Set<string>>;
  ownsLock: boolean;
}

function workspaceGlobs(doc: Record<string, unknown>): string[] | undefined {
  const ws = doc.workspaces;
  const list = Array.isArray(ws) ? ws : isRecord(ws) && Array.isArray(ws.packages) ? ws.packages : undefined;
  return list?.filter((x): x is string => typeof x === "string");
}

function memberOf(globs: readonly string[], rel: string): boolean {
  const include = globs.filter((g) => !g.startsWith("!")).map((g) => g.replace(/^\.\//, "").replace(/\/+$/, ""));
  const exclude = globs.filter((g) => g.startsWith("!")).map((g) => g.slice(1).replace(/^\.\//, "").replace(/\/+$/, ""));
  // picomatch matches nothing against an empty list: without an inclusion there is no member, without an exclusion nothing is excluded.
  return picomatch.isMatch(rel, include, { dot: true }) && !picomatch.isMatch(rel, exclude, { dot: true });
}

function findLock(path: string, manifestDir: string, ctx: ExtractContext, warnings: ScanWarning[]): LockSelection | null {
  for (const dir of ancestry(manifestDir)) {
    for (const { name, parse } of LOCKFILES) {
      const file = join(dir, name);
      const content = ctx.readFile(file);
      if (content === undefined) continue;
      const ownsLock = dir === manifestDir;
      const { result, byName } = parseLockCached(file, content, parse, ctx.documents);
      if (!result.ok) {
        // Reported once, by the package.json next to the lockfile (or by this one if there is none).
        if (ownsLock || ctx.readFile(join(dir, "package.json")) === undefined) {
          warnings.push({
            file,
            line: result.line,
            manager: "npm",
            message: `${file}${result.line ? `:${result.line}` : ""}: cannot read lockfile (${result.message}); dependencies of ${path} are listed without locked versions`,
          });
        }
        return null;
      }
      const projectDir = relativeTo(dir, manifestDir);
      let member = result.lock.hasProject(projectDir);
      if (member === null) {
        // The format cannot tell (yarn classic): ask the root package.json's workspaces.
        const rootText = ctx.readFile(join(dir, "package.json"));
        let globs: string[] | undefined;
        try {
          // Stryker disable next-line ConditionalExpression: equivalent; JSON.parse(undefined) throws, and the catch gives the same undefined
          const rootDoc: unknown = rootText === undefined ? undefined : JSON.parse(rootText);
          globs = isRecord(rootDoc) ? workspaceGlobs(rootDoc) : undefined;
        } catch {
          // Not JSON: globs stays undefined, not a member.
        }
        member = globs ? memberOf(globs, projectDir) : false;
      }
      if (!member) return null;
      return { lock: result.lock, projectDir, byName, ownsLock };
    }
  }
  return null;
}

function findPnpmWorkspace(manifestDir: string, ctx: ExtractContext): { file: string; dir: string; content: string } | null {
  for (const dir of ancestry(manifestDir)) {
    const file = join(dir, PNPM_WORKSPACE);
    const content = ctx.readFile(file);
    if (content !== undefined) return { file, dir, content };
  }
  return null;
}

// Parsed workspace files are shared by every package.json of the workspace.
const wsCache = new Map<string, { content: string; parsed: ReturnType<typeof parsePnpmWorkspaceFile>; lines: LineIndex }>();
function parseWorkspaceCached(file: string, content: string): { parsed: ReturnType<typeof parsePnpmWorkspaceFile>; lines: LineIndex } {
  const hit = wsCache.get(file);
  // Stryker disable next-line ConditionalExpression: equivalent; never using the cache parses the same result again
  if (hit && hit.content === content) return hit;
  const entry = { content, parsed: parsePnpmWorkspaceFile(file, content), lines: new LineIndex(content) };
  wsCache.delete(file);
  wsCache.set(file, entry);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; eviction only bounds memory
  while (wsCache.size > LOCK_CACHE_SIZE) wsCache.delete(wsCache.keys().next().value as string);
  return entry;
}

function extractPackageJson(path: string, content: string, ctx: ExtractContext): ManagerResult {
  const warnings: ScanWarning[] = [];
  const warn = (line: number | null, message: string, file: string = path): void => {
    warnings.push({ file, line, manager: "npm", message: `${file}${line ? `:${line}` : ""}: ${message}` });
  };
  const meta: ManifestMeta = { primary: true };
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;

  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const err = scanJson(text).error;
    warn(err?.line ?? null, `invalid JSON${err ? ` at line ${err.line}, column ${err.column}: ${err.message}` : `: ${(e as Error).message}`}`);
    return { deps: [], warnings, meta };
  }
  if (!isRecord(doc)) {
    warn(1, "package.json is not a JSON object");
    return { deps: [], warnings, meta };
  }
  const keyLines = scanJson(text).keyLines;
  const lineOf = (...p: string[]): number | null => keyLines.get(pathKey(p)) ?? null;

  const manifestDir = dirname(path);
  if (typeof doc.name === "string") meta.name = doc.name;
  if (typeof doc.version === "string") meta.version = doc.version;
  if (typeof doc.description === "string") meta.description = doc.description;
  if (isRecord(doc.engines) && typeof doc.engines.node === "string") meta.node_engines = doc.engines.node;
  const globs = workspaceGlobs(doc);
  if (globs) meta.workspaces = globs;
  else if (doc.workspaces !== undefined) warn(lineOf("workspaces"), "\"workspaces\" should be an array of globs or { \"packages\": [...] }");

  const lockSel = findLock(path, manifestDir, ctx, warnings);

  let pnpmWs: PnpmWorkspaceFile | null = null;
  let pnpmWsLines: LineIndex | null = null;
  let pnpmWsError: string | null = null;
  const wsFile = findPnpmWorkspace(manifestDir, ctx);
  if (wsFile) {
    const { parsed, lines } = parseWorkspaceCached(wsFile.file, wsFile.content);
    if (parsed.ok) {
      pnpmWs = parsed.workspace;
      pnpmWsLines = lines;
      if (wsFile.dir === manifestDir && !meta.workspaces && parsed.workspace.packages.length > 0) meta.workspaces = parsed.workspace.packages;
    } else {
      // Reported by the workspace file's own extraction.
      pnpmWsError = `${wsFile.file}${parsed.line ? `:${parsed.line}` : ""}: ${parsed.message}`;
    }
  }
  const pjLines = new LineIndex(text);
  /** Where a "key": "value" string is written in this package.json. */
  const spanOf = (key: string, value: string, line: number | null) =>
    locateValue(pjLines, line, JSON.stringify(value).slice(1, -1), JSON.stringify(key));

  const uniqueLocked = (name: string): string | null => {
    // Stryker disable next-line OptionalChaining: equivalent; only called when a lockfile was selected
    const set = lockSel?.byName.get(name);
    return set && set.size === 1 ? [...set][0] : null;
  };

  const deps: ExtractedDependency[] = [];
  const push = (
    keyName: string,
    raw: unknown,
    type: DependencyType,
    keyPath: string[],
    opts: { direct: boolean; section: string; override?: boolean; selector?: string },
  ): void => {
    const line = lineOf(...keyPath);
    if (typeof raw !== "string") {
      warn(line, `${opts.section}: ${q(keyName)} should be a version string, found ${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw}`);
      deps.push(makeDep(path, line, type, { ...classifyNpmValue(keyName, "", manifestDir), current_value: JSON.stringify(raw) ?? "", skip_reason: "invalid version value", datasource: "none", version: null }, null));
      return;
    }
    let value = raw;
    let v: NpmValue;
    let catalog: { file: string; line: number; name: string; value: string } | null = null;
    if (value.trim().startsWith("catalog:")) {
      const entry = pnpmWs ? findCatalogEntry(pnpmWs, value, keyName) : null;
      if (entry === null || !wsFile) {
        // Stryker disable next-line OptionalChaining: equivalent; pnpmWs is only set from a workspace file
        const why = pnpmWsError ? `cannot read ${pnpmWsError}` : pnpmWs ? `no entry for ${q(keyName)} in ${q(value.trim())} of ${wsFile?.file}` : `no ${PNPM_WORKSPACE} found in this directory or above`;
        warn(line, `${opts.section}: ${q(keyName)} uses ${q(value.trim())} but ${why}`);
        v = classifyNpmValue(keyName, value, manifestDir);
      } else {
        value = entry.value;
        v = classifyNpmValue(keyName, entry.value, manifestDir);
        catalog = { file: wsFile.file, line: entry.line, name: catalogNameOf(raw), value: entry.value };
      }
    } else {
      v = classifyNpmValue(keyName, value, manifestDir);
    }
    if (v.kind === "workspace") {
      const target = workspacePackages(ctx).get(v.name);
      const pathForm = value.slice("workspace:".length);
      if (target) {
        v = { ...v, local_path: target.dir, version: target.version };
      } else if (pathForm.includes("/") && !/^[~^*]/.test(pathForm)) {
        v = { ...v, local_path: posixJoin(manifestDir, pathForm) };
      }
    }
    let locked: string | null = null;
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent; every "none" value has a skip_reason (values.ts)
    const lockable = v.datasource !== "none";
    if (lockSel && lockable && v.skip_reason === null) {
      locked = opts.direct ? lockSel.lock.lookup(lockSel.projectDir, keyName, raw) : null;
      locked ??= uniqueLocked(v.name);
    }
    if (!isValidNpmName(keyName) || !isValidNpmName(v.name)) {
      const bad = isValidNpmName(keyName) ? v.name : keyName;
      warn(line, `${opts.section}: ${q(bad)} is not a valid npm package name`);
      v = { ...v, skip_reason: "invalid package name" };
      locked = null;
    }
    if (catalog) {
      // The version is written in the catalog entry: that is the dependency's file and line.
      const dep = makeDep(catalog.file, catalog.line, type, v, locked);
      dep.value_span = pnpmWsLines ? locateValue(pnpmWsLines, catalog.line, catalog.value, keyName) : null;
      dep.declared_by = { file: path, line, value: raw.trim() };
      dep.group = `catalog:${catalog.name}`;
      dep.notes = [`catalog:${catalog.name} entry, referenced by ${path}${line ? `:${line}` : ""}${opts.override ? ` (${opts.section})` : ""}`];
      deps.push(dep);
      return;
    }
    const dep = makeDep(path, line, type, v, locked);
    if (opts.override) {
      dep.value_span = spanOf(keyPath[keyPath.length - 1], value, line);
      dep.group = opts.section;
      if ((opts.selector ?? v.name) !== v.name) dep.notes = [`${opts.section} selector ${opts.selector}`];
    }
    deps.push(dep);
  };

  for (const [section, type] of SECTIONS) {
    const block = doc[section];
    if (block === undefined) continue;
    if (!isRecord(block)) {
      warn(lineOf(section), `"${section}" should be an object of name: version`);
      continue;
    }
    for (const [name, value] of Object.entries(block)) push(name, value, type, [section, name], { direct: true, section });
  }

  // Direct declarations, for "$name" references in overrides.
  const directValue = (name: string): string | null => {
    for (const [section] of SECTIONS) {
      const block = doc[section];
      if (isRecord(block) && typeof block[name] === "string") return block[name];
    }
    return null;
  };
  const overrideValue = (name: string, value: unknown, line: number | null, section: string): unknown => {
    if (typeof value !== "string" || !value.startsWith("$")) return value;
    const ref = directValue(value.slice(1));
    if (ref === null) warn(line, `${section}: ${q(name)} references ${q(value)}, which is not a direct dependency`);
    return ref ?? value;
  };

  // npm overrides: nested objects; "." is the version of the enclosing package.
  if (doc.overrides !== undefined) {
    if (!isRecord(doc.overrides)) warn(lineOf("overrides"), "\"overrides\" should be an object");
    else {
      const walk = (obj: Record<string, unknown>, keyPath: string[], parentName: string | null, depth: number): void => {
        for (const [key, value] of Object.entries(obj)) {
          const name = key === "." ? parentName : (splitNameAt(key)?.name ?? key);
          if (name === null) continue;
          if (isRecord(value)) {
            if (depth < 16) walk(value, [...keyPath, key], name, depth + 1);
            continue;
          }
          const p = [...keyPath, key];
          const line = lineOf(...p);
          const resolved = overrideValue(name, value, line, "overrides");
          if (typeof resolved === "string" && resolved.startsWith("$")) continue;
          push(name, resolved, "override", p, { direct: false, section: "overrides", override: true, selector: keyPath.slice(1).concat(key === "." ? [] : [key]).join(">") });
        }
      };
      walk(doc.overrides, ["overrides"], null, 0);
    }
  }

  // yarn resolutions: "**/a", "a/b", "@s/a/**/@s/b", "a@^1".
  if (doc.resolutions !== undefined) {
    if (!isRecord(doc.resolutions)) warn(lineOf("resolutions"), "\"resolutions\" should be an object");
    else {
      for (const [key, value] of Object.entries(doc.resolutions)) {
        const segs = key.split("/").filter((s) => s !== "" && s !== "**");
        let last = segs.length >= 2 && segs[segs.length - 2].startsWith("@") ? `${segs[segs.length - 2]}/${segs[segs.length - 1]}` : (segs[segs.length - 1] ?? key);
        last = splitNameAt(last)?.name ?? last;
        push(last, value, "override", ["resolutions", key], { direct: false, section: "resolutions", override: true, selector: key });
      }
    }
  }

  // pnpm.overrides: "a", "a@<2", "parent>a", "parent@1>a@2".
  const pnpmField = doc.pnpm;
  if (isRecord(pnpmField) && pnpmField.overrides !== undefined) {
    if (!isRecord(pnpmField.overrides)) warn(lineOf("pnpm", "overrides"), "\"pnpm.overrides\" should be an object");
    else {
      for (const [key, value] of Object.entries(pnpmField.overrides)) {
        if (value === "-") continue; // removes the dependency
        const target = key.slice(key.lastIndexOf(">") + 1);
        const name = splitNameAt(target)?.name ?? target;
        const line = lineOf("pnpm", "overrides", key);
        const resolved = overrideValue(name, value, line, "pnpm.overrides");
        if (typeof resolved === "string" && resolved.startsWith("$")) continue;
        push(name, resolved, "override", ["pnpm", "overrides", key], { direct: false, section: "pnpm.overrides", override: true, selector: key });
      }
    }
  }

  // engines: the runtime and tools this package needs.
  if (doc.engines !== undefined) {
    if (!isRecord(doc.engines)) warn(lineOf("engines"), "\"engines\" should be an object");
    else {
      for (const [engine, value] of Object.entries(doc.engines)) {
        if (typeof value !== "string") {
          warn(lineOf("engines", engine), `engines: ${q(engine)} should be a version string`);
          continue;
        }
        const datasource: DatasourceName = engine === "node" ? "node-version" : ["npm", "pnpm", "yarn"].includes(engine) ? "npm" : "none";
        const line = lineOf("engines", engine);
        deps.push({
          ...emptyDep(path, line, engine === "node" ? "runtime" : "build"),
          name: engine,
          datasource,
          current_value: value,
          // Stryker disable next-line MethodExpression: equivalent; semver trims the range itself
          version: rangeVersion(value.trim()) ?? value,
          skip_reason: datasource === "none" ? "unsupported engine" : null,
          value_span: datasource === "none" ? null : spanOf(engine, value, line),
          group: "engines",
        });
      }
    }
  }

  // packageManager: "pnpm@9.1.0+sha512.abc" (corepack).
  if (doc.packageManager !== undefined) {
    const line = lineOf("packageManager");
    const pm = typeof doc.packageManager === "string" ? splitNameAt(doc.packageManager) : null;
    if (!pm) warn(line, "\"packageManager\" should look like name@version, e.g. pnpm@9.1.0");
    else {
      const plus = pm.rest.indexOf("+");
      const version = plus >= 0 ? pm.rest.slice(0, plus) : pm.rest;
      const digest = plus >= 0 ? pm.rest.slice(plus + 1) : null;
      const major = Number.parseInt(version, 10);
      // Yarn 2+ is published as @yarnpkg/cli-dist; the "yarn" package stops at 1.x.
      const lookupName = pm.name === "yarn" && major >= 2 ? "@yarnpkg/cli-dist" : pm.name;
      const known = ["npm", "pnpm", "yarn", "bun"].includes(pm.name);
      const span = known ? locateValue(pjLines, line, version, `"${pm.name}@`) : null;
      deps.push({
        ...emptyDep(path, line, "runtime"),
        name: lookupName,
        datasource: known ? "npm" : "none",
        current_value: version,
        version,
        digest,
        skip_reason: known ? null : "unknown package manager",
        // A corepack hash pins the old version's tarball: an edit of the version alone would break it.
        // Stryker disable next-line ConditionalExpression: equivalent today; a version followed by "+" is not found as a whole value anyway
        value_span: digest === null ? span : null,
        group: "packageManager",
      });
    }
  }

  const result: ManagerResult = { deps, warnings, meta };
  if (lockSel) result.lockfile = { file: lockSel.lock.file, importer: lockSel.projectDir };
  if (lockSel?.ownsLock) {
    result.locked = lockSel.lock.packages.map((p) => ({ name: p.name, version: p.version, datasource: "npm" as const }));
  }
  return result;
}

function emptyDep(file: string, line: number | null, type: DependencyType): ExtractedDependency {
  // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent; every caller sets name, datasource and current_value
  return baseDependency({ file, line, package_manager: "npm", dependency_type: type }, { name: "", datasource: "npm", current_value: "" });
}

function makeDep(file: string, line: number | null, type: DependencyType, v: NpmValue, locked: string | null): ExtractedDependency {
  return {
    ...emptyDep(file, line, type),
    name: v.name,
    datasource: v.datasource,
    current_value: v.current_value,
    version: locked ?? v.version ?? v.current_value,
    locked_version: locked,
    registry_url: v.registry_url,
    digest: v.digest,
    skip_reason: v.skip_reason,
    local_path: v.local_path,
  };
}

export const npmManager: Manager = {
  name: "npm",
  matches(path: string): boolean {
    const base = path.slice(path.lastIndexOf("/") + 1);
    return (base === "package.json" || base === PNPM_WORKSPACE || base === ".nvmrc" || base === ".node-version") && !path.split("/").includes("node_modules");
  },
  companions(path: string): string[] {
    if (!path.endsWith("package.json")) return [];
    const out: string[] = [];
    const own = dirname(path);
    for (const dir of ancestry(own)) {
      for (const { name } of LOCKFILES) out.push(join(dir, name));
      out.push(join(dir, PNPM_WORKSPACE));
      if (dir !== own) out.push(join(dir, "package.json"));
    }
    return out;
  },
  extract(path: string, content: string, ctx: ExtractContext): ManagerResult {
    try {
      const base = path.slice(path.lastIndexOf("/") + 1);
      if (base === PNPM_WORKSPACE) return extractPnpmWorkspace(path, content, ctx);
      if (base === ".nvmrc" || base === ".node-version") return extractNodeVersionFile(path, content);
      return extractPackageJson(path, content, ctx);
    } catch (e) {
      // A bug, not bad input; still, a scan must go on.
      return {
        deps: [],
        warnings: [{ file: path, line: null, manager: "npm", message: `${path}: internal error while extracting: ${(e as Error).message}` }],
        meta: { primary: true },
      };
    }
  },
};
