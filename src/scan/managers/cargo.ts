import path from "node:path";
import semver from "semver";
import type { DependencyType } from "../../model/index.js";
import type { ExtractContext, ExtractedDependency, Manager, ManagerResult, ManifestMeta, ScanWarning } from "../types.js";
import { extractRustToolchain } from "./cargo/toolchain.js";
import { parseCargoReq } from "./cargo/version-req.js";
import { baseDependency } from "./dependency.js";
import { resolveRelative, safeRead } from "./pip/common.js";
import { truncate } from "./pip/pep508.js";
import { parsedDocument, type ParsedDocuments } from "../documents.js";
import { asString, asTable, getPath, isTable, parseTomlFile, type TomlTable } from "./pip/toml.js";
import { locateToml, type TomlLocator } from "./pip/toml-lines.js";

const SECTIONS: Array<[string, DependencyType]> = [
  ["dependencies", "prod"],
  ["dev-dependencies", "dev"],
  ["dev_dependencies", "dev"],
  ["build-dependencies", "build"],
  ["build_dependencies", "build"],
];

/**
 * Parses shared by several manifests of one scan (a workspace's Cargo.lock and root Cargo.toml are
 * read by every member crate): keyed by path, valid while the content is the same string.
 */
const parseCache = new Map<string, { content: string; value: unknown }>();
const PARSE_CACHE_SIZE = 16;

function cached<T>(kind: string, file: string, content: string, compute: () => T, docs?: ParsedDocuments): T {
  // In a scan, the scan's document cache (shared with the dependency graph builder).
  // Stryker disable next-line ConditionalExpression,StringLiteral: either cache parses once per content and returns that parse; the kind keeps a Cargo.toml and a Cargo.lock apart, which their paths already do
  if (docs) return docs.get(`cargo-${kind}`, file, content, compute);
  // Stryker disable next-line StringLiteral: a cache; a shared key only costs a reparse (the content is compared)
  const key = `${kind}\0${file}`;
  const hit = parseCache.get(key);
  // Stryker disable next-line ConditionalExpression: a cache miss reparses to the same value
  if (hit && hit.content === content) return hit.value as T;
  const value = compute();
  parseCache.delete(key);
  // Stryker disable next-line ObjectLiteral: an entry without its content is a miss, reparsed to the same value
  parseCache.set(key, { content, value });
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound of a cache; one entry more or fewer changes no result
  while (parseCache.size > PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value as string);
  return value;
}

interface Workspace {
  file: string;
  doc: TomlTable;
}

/** Nearest Cargo.toml with a [workspace] table: this file or an ancestor directory's. */
function findWorkspaceRoot(file: string, doc: TomlTable, ctx: ExtractContext, warnings: ScanWarning[]): Workspace | null {
  if (isTable(doc.workspace)) return { file, doc };
  let dir = path.posix.dirname(file);
  while (dir !== ".") {
    dir = path.posix.dirname(dir);
    const candidate = dir === "." ? "Cargo.toml" : `${dir}/Cargo.toml`;
    if (!ctx.allFiles.includes(candidate)) continue;
    const text = safeRead(ctx, candidate);
    if (text === undefined) continue;
    // Stryker disable next-line StringLiteral: a cache kind; only Cargo.toml paths are cached under it, Cargo.lock paths under "lock"
    const parsed = cached("toml", candidate, text, () => parseTomlFile(candidate, text, "cargo"), ctx.documents);
    if (!parsed.ok) {
      warnings.push({ ...parsed.warning, file, message: `workspace candidate ${candidate}: ${parsed.warning.message}` });
      continue;
    }
    if (isTable(parsed.value.workspace)) return { file: candidate, doc: parsed.value };
  }
  return null;
}

interface CargoLock {
  file: string;
  byName: Map<string, string[]>;
  packages: Array<{ name: string; version: string }>;
}

function nearestCargoLock(file: string, ctx: ExtractContext, warnings: ScanWarning[]): CargoLock | null {
  let dir = path.posix.dirname(file);
  for (;;) {
    const candidate = dir === "." ? "Cargo.lock" : `${dir}/Cargo.lock`;
    if (ctx.allFiles.includes(candidate)) {
      const text = safeRead(ctx, candidate);
      if (text === undefined) return null;
      // Stryker disable next-line StringLiteral: a cache kind; only Cargo.lock paths are cached under it, Cargo.toml paths under "toml"
      const result = cached("lock", candidate, text, (): CargoLock | { warning: ScanWarning } => {
        // Stryker disable next-line StringLiteral: the scan's cache kind; no other reader parses a file under this name, so any name gives the same parse
        const parsed = parsedDocument(ctx.documents, "toml:cargo", candidate, text, () => parseTomlFile(candidate, text, "cargo"));
        if (!parsed.ok) return { warning: parsed.warning };
        const lock: CargoLock = { file: candidate, byName: new Map(), packages: [] };
        // Stryker disable next-line ArrayDeclaration: any placeholder entry is not a table and is skipped below
        const pkgs = Array.isArray(parsed.value.package) ? parsed.value.package : [];
        for (const p of pkgs) {
          if (!isTable(p) || typeof p.name !== "string" || typeof p.version !== "string") continue;
          // Local workspace crates have no source; they are not registry packages.
          if (typeof p.source !== "string") continue;
          lock.packages.push({ name: p.name, version: p.version });
          lock.byName.set(p.name, [...(lock.byName.get(p.name) ?? []), p.version]);
        }
        return lock;
      }, ctx.documents);
      if ("warning" in result) {
        warnings.push({ ...result.warning });
        return null;
      }
      const lock = result;
      return lock;
    }
    if (dir === ".") return null;
    dir = path.posix.dirname(dir);
  }
}

function lockedVersionFor(lock: CargoLock, name: string, range: string | null): string | null {
  const versions = lock.byName.get(name);
  if (!versions) return null;
  if (versions.length === 1) return versions[0];
  // Stryker disable next-line ConditionalExpression: parseCargoReq gives a range for every requirement that is not skipped as invalid
  return range ? semver.maxSatisfying(versions, range) : null;
}

interface DepCtx {
  file: string;
  loc: TomlLocator;
  workspace: Workspace | null;
  warnings: ScanWarning[];
}

function warn(dc: DepCtx, line: number | null, message: string): void {
  dc.warnings.push({ file: dc.file, line, manager: "cargo", message });
}

function cargoDep(
  dc: DepCtx,
  key: string,
  value: unknown,
  type: DependencyType,
  table: string[],
  notes: string[],
): ExtractedDependency | null {
  const line = dc.loc.keyLine(table, [key]);
  let spec: TomlTable;
  if (typeof value === "string") spec = { version: value };
  else if (isTable(value)) spec = { ...value };
  else {
    warn(dc, line, `${key}: dependency must be a version string or a table`);
    return null;
  }
  let depType = type;
  let baseDir = dc.file;
  if (spec.workspace === true) {
    const ws = dc.workspace;
    const inherited = ws ? asTable(getPath(ws.doc, ["workspace", "dependencies"]))?.[key] : undefined;
    if (!ws || inherited === undefined) {
      warn(dc, line, `${key}: "workspace = true" but ${ws ? `${ws.file} has no [workspace.dependencies] ${key}` : "no workspace root Cargo.toml was found"}`);
      return base(dc.file, line, key, type, "", "", { skip_reason: ws ? "workspace-dependency-not-found" : "workspace-root-not-found", notes });
    }
    const inh: TomlTable = typeof inherited === "string" ? { version: inherited } : isTable(inherited) ? inherited : {};
    // The member's optional/features add to the inherited entry; the source comes from the root.
    spec = { ...inh, optional: spec.optional ?? inh.optional };
    baseDir = ws.file;
    if (ws.file !== dc.file) notes.push(`inherited from workspace ${ws.file}`);
  }
  if (spec.optional === true) depType = "optional";
  let name = key;
  if (typeof spec.package === "string") {
    name = spec.package;
    notes.push(`renamed as ${key}`);
  }
  if (typeof spec.registry === "string") notes.push(`registry: ${spec.registry}`);
  const version = asString(spec.version);
  if (typeof spec.path === "string") {
    return base(dc.file, line, name, depType, version ?? "", version ?? "", {
      local_path: resolveRelative(baseDir, spec.path),
      skip_reason: "path-dependency",
      notes,
    });
  }
  if (typeof spec.git === "string") {
    const ref = asString(spec.tag) ?? asString(spec.rev) ?? asString(spec.branch) ?? "";
    return {
      ...base(dc.file, line, name, depType, ref, ref, { skip_reason: "git-dependency", notes }),
      datasource: "git",
      registry_url: spec.git,
      digest: asString(spec.rev) ?? null,
    };
  }
  if (version === undefined) {
    warn(dc, line, `${key}: no version, path, git or workspace`);
    return base(dc.file, line, name, depType, "", "", { skip_reason: "no-version", notes });
  }
  const req = parseCargoReq(version);
  if (req.error) warn(dc, line, `${key}: ${truncate(req.error)}`);
  const dep = base(dc.file, line, name, depType, version, req.lower ?? version, {
    skip_reason: req.error ? "invalid-version" : typeof spec.registry === "string" ? "custom-registry" : null,
    notes,
  });
  return dep;
}

function base(
  file: string,
  line: number | null,
  name: string,
  type: DependencyType,
  current: string,
  version: string,
  extra: { skip_reason?: string | null; local_path?: string | null; notes?: string[] },
): ExtractedDependency {
  const dep = baseDependency(
    { file, line, package_manager: "cargo", dependency_type: type },
    { name, datasource: "crates", current_value: current, version, skip_reason: extra.skip_reason ?? null, local_path: extra.local_path ?? null },
  );
  if (extra.notes && extra.notes.length > 0) dep.notes = [...extra.notes];
  return dep;
}

/** `version.workspace = true` style fields of [package], inherited from [workspace.package]. */
function packageField(pkg: TomlTable, field: string, ws: Workspace | null): string | undefined {
  const v = pkg[field];
  if (typeof v === "string") return v;
  if (isTable(v) && v.workspace === true && ws) return asString(getPath(ws.doc, ["workspace", "package", field]));
  return undefined;
}

function extract(file: string, content: string, ctx: ExtractContext): ManagerResult {
  const warnings: ScanWarning[] = [];
  const parsed = parseTomlFile(file, content, "cargo");
  if (!parsed.ok) return { deps: [], warnings: [parsed.warning], meta: { primary: false }, locked: [] };
  const doc = parsed.value;
  const loc = locateToml(content);
  const pkg = asTable(doc.package);
  const wsTable = asTable(doc.workspace);
  const workspace = findWorkspaceRoot(file, doc, ctx, warnings);

  const meta: ManifestMeta = { primary: pkg !== undefined || wsTable !== undefined };
  if (pkg) {
    const name = asString(pkg.name);
    if (name) meta.name = name;
    const version = packageField(pkg, "version", workspace);
    if (version) meta.version = version;
    const rust = packageField(pkg, "rust-version", workspace);
    if (rust) meta.rust_version = rust;
    const desc = packageField(pkg, "description", workspace);
    if (desc) meta.description = desc;
  }
  if (wsTable) {
    if (Array.isArray(wsTable.members)) meta.workspaces = wsTable.members.filter((m): m is string => typeof m === "string");
    if (!meta.rust_version) {
      const rust = asString(getPath(wsTable, ["package", "rust-version"]));
      if (rust) meta.rust_version = rust;
    }
  }

  const dc: DepCtx = { file, loc, workspace, warnings };
  const deps: ExtractedDependency[] = [];
  const walk = (root: TomlTable | undefined, prefix: string[], notes: string[]): void => {
    if (!root) return;
    for (const [section, type] of SECTIONS) {
      const table = root[section];
      if (table === undefined) continue;
      if (!isTable(table)) {
        warn(dc, loc.keyLine(prefix, [section]), `[${[...prefix, section].join(".")}] must be a table`);
        continue;
      }
      for (const [key, value] of Object.entries(table)) {
        const dep = cargoDep(dc, key, value, type, [...prefix, section], [...notes]);
        if (dep) deps.push(dep);
      }
    }
  };
  walk(doc, [], []);
  const targets = asTable(doc.target);
  if (targets) {
    for (const [cfg, t] of Object.entries(targets)) walk(asTable(t), ["target", cfg], [`target: ${cfg}`]);
  }
  const wsDeps = asTable(wsTable?.dependencies);
  if (wsDeps) {
    for (const [key, value] of Object.entries(wsDeps)) {
      const dep = cargoDep(dc, key, value, "prod", ["workspace", "dependencies"], ["workspace.dependencies"]);
      if (dep) deps.push(dep);
    }
  }

  const lock = nearestCargoLock(file, ctx, warnings);
  const locked: NonNullable<ManagerResult["locked"]> = [];
  if (lock) {
    for (const d of deps) {
      // Path, git, registry and invalid entries carry a skip reason: only plain crates.io requirements are looked up.
      if (d.skip_reason) continue;
      const v = lockedVersionFor(lock, d.name, parseCargoReq(d.current_value).range);
      if (v) {
        d.locked_version = v;
        d.version = v;
      }
    }
    for (const p of lock.packages) locked.push({ name: p.name, version: p.version, datasource: "crates" });
  }
  return { deps, warnings, meta, locked, ...(lock ? { lockfile: { file: lock.file, importer: meta.name ?? null } } : {}) };
}

export const cargoManager: Manager = {
  name: "cargo",
  matches(file: string): boolean {
    const base = path.posix.basename(file);
    return base === "Cargo.toml" || base === "rust-toolchain.toml" || base === "rust-toolchain";
  },
  companions(file: string): string[] {
    if (path.posix.basename(file) !== "Cargo.toml") return [];
    // Cargo.lock and the workspace root Cargo.toml live in this or an ancestor directory.
    const out: string[] = [];
    let dir = path.posix.dirname(file);
    for (;;) {
      out.push(dir === "." ? "Cargo.lock" : `${dir}/Cargo.lock`);
      if (dir === ".") break;
      dir = path.posix.dirname(dir);
      out.push(dir === "." ? "Cargo.toml" : `${dir}/Cargo.toml`);
    }
    return out;
  },
  extract(file: string, content: string, ctx: ExtractContext): ManagerResult {
    try {
      if (path.posix.basename(file) !== "Cargo.toml") return extractRustToolchain(file, content);
      return extract(file, content, ctx);
    } catch (err) {
      return { deps: [], warnings: [{ file, line: null, manager: "cargo", message: `internal error while reading ${file}: ${String(err)}` }], meta: { primary: false }, locked: [] };
    }
  },
};
