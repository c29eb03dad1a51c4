import semver from "semver";
import { parseJsonText, rawParse, type ParsedDocuments } from "../documents.js";
import { parsePnpmKey, parsePnpmLockYaml } from "../managers/npm/pnpm.js";
import { readYarnLockDocument } from "../managers/npm/yarn-lock.js";
import { GraphBuilder, GRAPH_LIMITS, isObject, type EdgeScope, type GraphParse } from "./types.js";

const FIELDS: ReadonlyArray<[string, EdgeScope]> = [
  ["dependencies", "prod"],
  ["optionalDependencies", "optional"],
  ["peerDependencies", "peer"],
  ["devDependencies", "dev"],
];

function splitNameAt(spec: string): { name: string; rest: string } | null {
  const idx = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  if (idx <= 0) return null;
  return { name: spec.slice(0, idx), rest: spec.slice(idx + 1) };
}

/** package-lock.json / npm-shrinkwrap.json: v2/v3 `packages` map, v1 `dependencies` tree. */
export function npmLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse {
  const raw = rawParse(docs, "json", file, content, parseJsonText);
  if (!raw.ok) return { ok: false, message: `invalid JSON: ${(raw.error as Error).message}`, line: null };
  const doc = raw.doc;
  if (!isObject(doc)) return { ok: false, message: "not a JSON object", line: 1 };
  const version = typeof doc.lockfileVersion === "number" ? doc.lockfileVersion : 1;
  const base = file.split("/").pop() ?? file;
  if (isObject(doc.packages)) return { ok: true, graph: packagesMap(file, `${base} v${version}`, doc.packages) };
  return { ok: true, graph: dependencyTree(file, `${base} v${version}`, isObject(doc.dependencies) ? doc.dependencies : {}) };
}

function packagesMap(file: string, format: string, packages: Record<string, unknown>) {
  const b = new GraphBuilder(file);
  const nodeOfKey = new Map<string, number>();
  const importerDirs: string[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    if (!isObject(entry)) continue;
    const at = key.lastIndexOf("node_modules/");
    if (at < 0) {
      // The root ("") or a workspace member's own entry.
      const dir = key === "" ? "." : key;
      importerDirs.push(dir);
      const name = typeof entry.name === "string" ? entry.name : dir === "." ? "(root)" : dir;
      const id = b.node(name, typeof entry.version === "string" ? entry.version : "0.0.0-local", true);
      if (id !== null) nodeOfKey.set(key, id);
      continue;
    }
    if (entry.link === true) continue;
    const v = typeof entry.version === "string" ? entry.version : null;
    if (!v) continue;
    const name = typeof entry.name === "string" ? entry.name : key.slice(at + "node_modules/".length);
    const id = b.node(name, v, !semver.valid(v));
    if (id === null) break;
    nodeOfKey.set(key, id);
    if (entry.dev === true) b.nodes[id].scope_hint = "dev";
  }
  const target = (key: string): number | null => {
    const entry = packages[key];
    if (isObject(entry) && entry.link === true && typeof entry.resolved === "string") return nodeOfKey.get(entry.resolved) ?? null;
    return nodeOfKey.get(key) ?? null;
  };
  const resolve = (location: string, name: string): number | null => {
    let base = location;
    for (let i = 0; i <= GRAPH_LIMITS.max_depth; i++) {
      const k = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (packages[k] !== undefined) return target(k);
      if (!base) return null;
      const cut = base.lastIndexOf("/node_modules/");
      base = cut >= 0 ? base.slice(0, cut) : "";
      if (base === "node_modules") base = "";
    }
    return null;
  };
  for (const [key, entry] of Object.entries(packages)) {
    if (!isObject(entry)) continue;
    const from = nodeOfKey.get(key);
    if (from === undefined) continue;
    const isImporter = !key.includes("node_modules/");
    for (const [field, scope] of FIELDS) {
      const deps = entry[field];
      if (!isObject(deps)) continue;
      if (scope === "dev" && !isImporter) continue; // registry packages' dev deps are never installed
      for (const [name, req] of Object.entries(deps)) {
        const to = resolve(key, name);
        if (to === null) continue;
        const requirement = typeof req === "string" ? req : null;
        if (isImporter) b.root(key === "" ? "." : key, to, requirement, scope);
        if (!(isImporter && scope === "dev")) b.edge(from, to, requirement, scope);
      }
    }
  }
  const byName = b.byNameResolver();
  return b.build(format, "npm", (name) => byName(name));
}

function aliasTarget(version: string): { name: string; version: string } | null {
  if (!version.startsWith("npm:")) return null;
  const s = splitNameAt(version.slice(4));
  return s ? { name: s.name, version: s.rest } : null;
}

/** v1: nested `dependencies`, `requires` maps name → range; resolution walks up the nesting. */
function dependencyTree(file: string, format: string, top: Record<string, unknown>) {
  const b = new GraphBuilder(file);
  interface Frame {
    level: Record<string, unknown>;
    parent: Frame | null;
    depth: number;
  }
  const nodeOf = new Map<Record<string, unknown>, number>();
  const frames: Array<{ entry: Record<string, unknown>; frame: Frame }> = [];
  const stack: Frame[] = [{ level: top, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    for (const [name, entry] of Object.entries(frame.level)) {
      if (!isObject(entry) || typeof entry.version !== "string") continue;
      const alias = aliasTarget(entry.version);
      const id = b.node(alias?.name ?? name, alias?.version ?? entry.version, !alias && !semver.valid(entry.version));
      if (id === null) break;
      if (entry.dev === true) b.nodes[id].scope_hint = "dev";
      nodeOf.set(entry, id);
      frames.push({ entry, frame });
      if (isObject(entry.dependencies) && frame.depth < GRAPH_LIMITS.max_depth) {
        stack.push({ level: entry.dependencies, parent: frame, depth: frame.depth + 1 });
      }
    }
  }
  const resolve = (from: Record<string, unknown>, frame: Frame, name: string): number | null => {
    // Own nested dependencies first, then each enclosing level.
    const own = isObject(from.dependencies) ? from.dependencies[name] : undefined;
    if (isObject(own)) return nodeOf.get(own) ?? null;
    for (let f: Frame | null = frame; f; f = f.parent) {
      const e = f.level[name];
      if (isObject(e)) return nodeOf.get(e) ?? null;
    }
    return null;
  };
  for (const { entry, frame } of frames) {
    const from = nodeOf.get(entry) as number;
    if (!isObject(entry.requires)) continue;
    for (const [name, req] of Object.entries(entry.requires)) {
      const to = resolve(entry, frame, name);
      if (to !== null) b.edge(from, to, typeof req === "string" ? req : null, "prod");
    }
  }
  return b.build(format, "npm", (name) => {
    const e = top[name];
    return isObject(e) ? (nodeOf.get(e) ?? null) : null;
  });
}

/** yarn.lock, classic and berry: entries keyed by descriptors; workspaces (berry) are importers. */
export function yarnLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse {
  const read = readYarnLockDocument(content, docs, file);
  if (!read.ok) return read;
  const doc = read.doc;
  const berry = isObject(doc.__metadata);
  const b = new GraphBuilder(file);
  const byDescriptor = new Map<string, number>();
  const entries: Array<{ id: number; entry: Record<string, unknown>; workspace: string | null }> = [];
  for (const [key, entry] of Object.entries(doc)) {
    if (key === "__metadata" || !isObject(entry)) continue;
    const descriptors = key.split(",").map((d) => d.trim()).filter(Boolean);
    let name: string | null = null;
    let version: string | null = null;
    let workspace: string | null = null;
    if (berry) {
      const res = typeof entry.resolution === "string" ? splitNameAt(entry.resolution) : null;
      if (!res) continue;
      name = res.name;
      if (res.rest.startsWith("workspace:")) {
        workspace = res.rest.slice("workspace:".length) || ".";
        version = typeof entry.version === "string" ? entry.version : "0.0.0-local";
      } else {
        version = typeof entry.version === "string" ? entry.version : res.rest.replace(/^npm:/, "");
      }
    } else {
      const first = descriptors[0] ? splitNameAt(descriptors[0]) : null;
      if (!first || typeof entry.version !== "string") continue;
      const alias = first.rest.startsWith("npm:") ? splitNameAt(first.rest.slice(4)) : null;
      name = alias?.name ?? first.name;
      version = entry.version;
    }
    const id = b.node(name, version, workspace !== null || !semver.valid(version));
    if (id === null) break;
    for (const d of descriptors) byDescriptor.set(d, id);
    entries.push({ id, entry, workspace });
  }
  const lookup = (name: string, range: string): number | null =>
    byDescriptor.get(`${name}@${range}`) ?? byDescriptor.get(`${name}@npm:${range}`) ?? null;
  for (const { id, entry, workspace } of entries) {
    for (const [field, scope] of FIELDS) {
      const deps = entry[field];
      if (!isObject(deps)) continue;
      for (const [name, range] of Object.entries(deps)) {
        if (typeof range !== "string") continue;
        const to = lookup(name, range);
        if (to === null) continue;
        // Berry writes "npm:^1.0.0"; the requirement is the range.
        const requirement = range.startsWith("npm:") && !range.slice(4).includes("@") ? range.slice(4) : range;
        // Berry lists a workspace's dev dependencies under `dependencies`; the manifest knows better.
        if (workspace !== null) b.root(workspace, to, requirement, scope);
        if (scope !== "dev") b.edge(id, to, requirement, scope);
      }
    }
  }
  const byName = b.byNameResolver();
  return {
    ok: true,
    graph: b.build(berry ? "yarn.lock (berry)" : "yarn.lock (classic v1)", "npm", (name, declared) => lookup(name, declared) ?? byName(name)),
  };
}

/** pnpm-lock.yaml v5 to v9: importers, packages (v5–v6) or snapshots (v9). */
export function pnpmLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse {
  const raw = rawParse(docs, "yaml", file, content, parsePnpmLockYaml);
  if (!raw.ok) return { ok: false, message: `invalid YAML: ${(raw.error as Error).message.split("\n")[0]}`, line: null };
  const doc = raw.doc;
  if (!isObject(doc)) return { ok: false, message: "not a YAML mapping", line: null };
  const lockfileVersion = String(doc.lockfileVersion ?? "");
  const major = Number.parseInt(lockfileVersion, 10);
  if (!Number.isFinite(major)) return { ok: false, message: "missing lockfileVersion", line: null };
  const v5 = major < 6;
  const b = new GraphBuilder(file);
  const section = isObject(doc.snapshots) ? doc.snapshots : isObject(doc.packages) ? doc.packages : {};
  const nodeOfKey = new Map<string, number>();
  for (const key of Object.keys(section)) {
    const p = parsePnpmKey(key, v5);
    if (!p) continue;
    const id = b.node(p.name, p.version);
    if (id === null) break;
    nodeOfKey.set(key, id);
    const entry = section[key];
    if (isObject(entry) && entry.dev === true) b.nodes[id].scope_hint = "dev";
  }
  // A dependency value is a version with peer suffix ("1.0.0(react@18.0.0)"), an alias key, or link:.
  const LOCAL = /^(link|file|workspace):/;
  const resolve = (name: string, value: string): number | null => {
    if (LOCAL.test(value)) return null;
    // The keys a value may name, most likely first (no array per dependency: this runs for every edge).
    const hit = v5
      ? (nodeOfKey.get(`/${name}/${value}`) ?? nodeOfKey.get(value))
      : (nodeOfKey.get(`${name}@${value}`) ?? nodeOfKey.get(`/${name}@${value}`) ?? nodeOfKey.get(value) ?? nodeOfKey.get(`/${value}`));
    if (hit !== undefined) return hit;
    const p = parsePnpmKey(value, v5) ?? parsePnpmKey(`${name}@${value.replace(/\(.*$/, "")}`, false);
    return p ? b.find(p.name, p.version) : null;
  };
  for (const [key, id] of nodeOfKey) {
    const entry = section[key];
    if (!isObject(entry)) continue;
    for (const [field, scope] of FIELDS) {
      if (scope === "dev") continue;
      const deps = entry[field];
      if (!isObject(deps)) continue;
      for (const [name, value] of Object.entries(deps)) {
        if (typeof value !== "string") continue;
        const to = resolve(name, value);
        if (to !== null) b.edge(id, to, null, scope);
      }
    }
  }
  const importers = isObject(doc.importers) ? doc.importers : { ".": doc };
  for (const [rawDir, imp] of Object.entries(importers)) {
    if (!isObject(imp)) continue;
    const dir = rawDir.replace(/^\.\//, "").replace(/\/+$/, "") || ".";
    const specifiers = isObject(imp.specifiers) ? imp.specifiers : {};
    for (const [field, scope] of FIELDS) {
      const deps = imp[field];
      if (!isObject(deps)) continue;
      for (const [name, raw] of Object.entries(deps)) {
        const value = isObject(raw) ? raw.version : raw;
        const spec = isObject(raw) ? raw.specifier : specifiers[name];
        if (typeof value !== "string") continue;
        const to = resolve(name, value);
        if (to !== null) b.root(dir, to, typeof spec === "string" ? spec : null, scope);
      }
    }
  }
  const byName = b.byNameResolver();
  return { ok: true, graph: b.build(`pnpm-lock.yaml v${lockfileVersion}`, "npm", (name) => byName(name)) };
}
