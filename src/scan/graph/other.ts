import semver from "semver";
import { parsedDocument, parseJsonText, rawParse, type ParsedDocuments } from "../documents.js";
import { parseTomlFile } from "../managers/pip/toml.js";
import { GraphBuilder, isObject, type EdgeScope, type GraphParse } from "./types.js";

function pyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

function tomlDoc(file: string, content: string, manager: "cargo" | "pip", docs?: ParsedDocuments): { ok: true; doc: Record<string, unknown> } | { ok: false; message: string; line: number | null } {
  // The same cache key and parse as the manager's (src/scan/managers/cargo.ts, pip/lockfiles.ts).
  const parsed = parsedDocument(docs, `toml:${manager}`, file, content, () => parseTomlFile(file, content, manager));
  if (!parsed.ok) return { ok: false, message: parsed.warning.message, line: parsed.warning.line };
  return { ok: true, doc: parsed.value };
}

/** Highest version among `ids` that satisfies a Cargo/npm-style requirement, else the only one. */
function pickVersion(b: GraphBuilder, ids: number[], requirement: string | null): number | null {
  if (ids.length === 1) return ids[0];
  if (!requirement) return null;
  const range = semver.validRange(requirement.split(",").map((s) => s.trim()).join(" "));
  if (!range) return null;
  let best: number | null = null;
  for (const id of ids) {
    const v = b.nodes[id].version;
    if (semver.valid(v) && semver.satisfies(v, range) && (best === null || semver.gt(v, b.nodes[best].version))) best = id;
  }
  return best;
}

function nameIndex(b: GraphBuilder): Map<string, number[]> {
  const m = new Map<string, number[]>();
  b.nodes.forEach((n, i) => {
    const k = b.normalise(n.name);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  });
  return m;
}

/** Cargo.lock: `[[package]]` with `dependencies = ["name", "name version", "name version (source)"]`. */
export function cargoLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse {
  const parsed = tomlDoc(file, content, "cargo", docs);
  if (!parsed.ok) return parsed;
  const pkgs = Array.isArray(parsed.doc.package) ? parsed.doc.package : [];
  const b = new GraphBuilder(file);
  const entries: Array<{ id: number; deps: unknown[]; member: boolean }> = [];
  for (const p of pkgs) {
    if (!isObject(p) || typeof p.name !== "string" || typeof p.version !== "string") continue;
    // Workspace members and path crates have no `source`.
    const member = typeof p.source !== "string";
    const id = b.node(p.name, p.version, member);
    if (id === null) break;
    entries.push({ id, deps: Array.isArray(p.dependencies) ? p.dependencies : [], member });
  }
  const byName = nameIndex(b);
  for (const { id, deps, member } of entries) {
    for (const d of deps) {
      if (typeof d !== "string") continue;
      const [name, version] = d.trim().split(/\s+/);
      const to = version ? b.find(name, version) : (byName.get(name)?.length === 1 ? byName.get(name)?.[0] ?? null : null);
      if (to === null || to === undefined) continue;
      b.edge(id, to, null, "prod");
      // Cargo.lock merges normal, dev and build dependencies; the member's Cargo.toml tells them apart.
      if (member) b.root(b.nodes[id].name, to, null, "prod");
    }
  }
  return {
    ok: true,
    graph: b.build(`Cargo.lock v${String(parsed.doc.version ?? 1)}`, "crates", (name, declared) => pickVersion(b, byName.get(name) ?? [], declared)),
  };
}

/** poetry.lock: `[[package]]` with `[package.dependencies]` name → constraint. */
export function poetryLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse {
  const parsed = tomlDoc(file, content, "pip", docs);
  if (!parsed.ok) return parsed;
  const pkgs = Array.isArray(parsed.doc.package) ? parsed.doc.package : [];
  const b = new GraphBuilder(file, pyName);
  const entries: Array<{ id: number; entry: Record<string, unknown> }> = [];
  for (const p of pkgs) {
    if (!isObject(p) || typeof p.name !== "string" || typeof p.version !== "string") continue;
    const id = b.node(p.name, p.version);
    if (id === null) break;
    if (p.category === "dev") b.nodes[id].scope_hint = "dev";
    else if (p.optional === true) b.nodes[id].scope_hint = "optional";
    entries.push({ id, entry: p });
  }
  const byName = nameIndex(b);
  for (const { id, entry } of entries) {
    const deps = entry.dependencies;
    if (!isObject(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      const specs = Array.isArray(spec) ? spec : [spec];
      for (const s of specs) {
        const requirement = typeof s === "string" ? s : isObject(s) && typeof s.version === "string" ? s.version : null;
        const scope: EdgeScope = isObject(s) && s.optional === true ? "optional" : "prod";
        for (const to of byName.get(pyName(name)) ?? []) b.edge(id, to, requirement, scope);
      }
    }
  }
  return { ok: true, graph: b.build("poetry.lock", "pypi", (name) => byName.get(pyName(name))?.[0] ?? null) };
}

/** uv.lock: packages with `dependencies`, `optional-dependencies`, `dev-dependencies`; members have a local source. */
export function uvLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse {
  const parsed = tomlDoc(file, content, "pip", docs);
  if (!parsed.ok) return parsed;
  const pkgs = Array.isArray(parsed.doc.package) ? parsed.doc.package : [];
  const b = new GraphBuilder(file, pyName);
  const entries: Array<{ id: number; entry: Record<string, unknown>; member: string | null }> = [];
  for (const p of pkgs) {
    if (!isObject(p) || typeof p.name !== "string") continue;
    const src = isObject(p.source) ? p.source : {};
    const localPath = [src.editable, src.virtual, src.workspace, src.directory].find((x) => typeof x === "string") as string | undefined;
    const member = localPath !== undefined ? localPath.replace(/^\.\//, "").replace(/\/+$/, "") || "." : null;
    const id = b.node(p.name, typeof p.version === "string" ? p.version : "0.0.0-local", member !== null);
    if (id === null) break;
    entries.push({ id, entry: p, member });
  }
  const byName = nameIndex(b);
  const target = (d: unknown): number | null => {
    if (!isObject(d) || typeof d.name !== "string") return null;
    const ids = byName.get(pyName(d.name)) ?? [];
    if (typeof d.version === "string") return ids.find((i) => b.nodes[i].version === d.version) ?? null;
    return ids[0] ?? null;
  };
  for (const { id, entry, member } of entries) {
    const meta = isObject(entry.metadata) ? entry.metadata : {};
    const specs = new Map<string, string>();
    for (const r of [...(Array.isArray(meta["requires-dist"]) ? meta["requires-dist"] : [])]) {
      if (isObject(r) && typeof r.name === "string" && typeof r.specifier === "string") specs.set(pyName(r.name), r.specifier);
    }
    const add = (list: unknown, scope: EdgeScope): void => {
      if (!Array.isArray(list)) return;
      for (const d of list) {
        const to = target(d);
        if (to === null) continue;
        const requirement = isObject(d) && typeof d.name === "string" ? (specs.get(pyName(d.name)) ?? null) : null;
        if (scope !== "dev") b.edge(id, to, requirement, scope);
        if (member !== null) {
          b.root(member, to, requirement, scope);
          b.root(`name:${pyName(b.nodes[id].name)}`, to, requirement, scope);
        }
      }
    };
    add(entry.dependencies, "prod");
    for (const group of [entry["optional-dependencies"]]) if (isObject(group)) for (const l of Object.values(group)) add(l, "optional");
    for (const group of [entry["dev-dependencies"]]) if (isObject(group)) for (const l of Object.values(group)) add(l, "dev");
  }
  return { ok: true, graph: b.build(`uv.lock v${String(parsed.doc.version ?? 1)}`, "pypi", (name) => byName.get(pyName(name))?.[0] ?? null) };
}

/** Pipfile.lock: flat `default` / `develop` maps; it records no edges between packages. */
export function pipfileLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse {
  const raw = rawParse(docs, "json", file, content, parseJsonText);
  if (!raw.ok) return { ok: false, message: `invalid JSON: ${(raw.error as Error).message}`, line: null };
  const doc = raw.doc;
  if (!isObject(doc)) return { ok: false, message: "not a JSON object", line: 1 };
  const b = new GraphBuilder(file, pyName);
  for (const [section, scope] of [["default", "prod"], ["develop", "dev"]] as const) {
    const s = doc[section];
    if (!isObject(s)) continue;
    for (const [name, entry] of Object.entries(s)) {
      const v = isObject(entry) && typeof entry.version === "string" ? entry.version.replace(/^===?/, "").trim() : null;
      if (!v) continue;
      const id = b.node(name, v);
      if (id === null) break;
      if (b.nodes[id].scope_hint !== "prod") b.nodes[id].scope_hint = scope;
    }
  }
  const byName = nameIndex(b);
  return { ok: true, graph: b.build("Pipfile.lock", "pypi", (name) => byName.get(pyName(name))?.[0] ?? null, false) };
}

/**
 * go.mod: direct requirements are roots; `// indirect` ones are in the build list but go.mod and
 * go.sum do not record which module needs them (that takes `go mod graph`).
 */
export function goModGraph(file: string, content: string): GraphParse {
  const b = new GraphBuilder(file);
  let inBlock = false;
  const lines = content.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const comment = raw.indexOf("//");
    const code = (comment >= 0 ? raw.slice(0, comment) : raw).trim();
    const indirect = comment >= 0 && /(^|;)\s*indirect\s*(;|$)/.test(raw.slice(comment + 2));
    let spec: string | null = null;
    if (inBlock) {
      if (code === ")") {
        inBlock = false;
        continue;
      }
      spec = code;
    } else if (/^require\s*\($/.test(code)) {
      inBlock = true;
      continue;
    } else if (code.startsWith("require ")) {
      spec = code.slice("require ".length).trim();
    }
    if (!spec) continue;
    const [mod, version] = spec.split(/\s+/);
    if (!mod || !version) continue;
    const id = b.node(mod.replace(/^"|"$/g, ""), version);
    if (id === null) break;
    b.nodes[id].scope_hint = "prod";
    if (!indirect) b.root(".", id, version, "prod");
  }
  const byName = nameIndex(b);
  return { ok: true, graph: b.build("go.mod", "go", (name) => byName.get(name)?.[0] ?? null, false) };
}
