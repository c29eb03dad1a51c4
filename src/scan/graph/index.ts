import type { DatasourceName, ExtractedDependency, ManagerResult, PackageManager, ScanResult, ScanWarning } from "../types.js";
import { reachFrom, rootsFor, type PathStep, type Reach } from "./attribute.js";
import { npmLockGraph, pnpmLockGraph, yarnLockGraph } from "./npm.js";
import { cargoLockGraph, goModGraph, pipfileLockGraph, poetryLockGraph, uvLockGraph } from "./other.js";
import type { ParsedDocuments } from "../documents.js";
import type { GraphParse, LockGraph } from "./types.js";

export * from "./types.js";
export { reachFrom, rootsFor, formatPath, type PathStep, type Reach, type RootEdge } from "./attribute.js";
export { npmLockGraph, pnpmLockGraph, yarnLockGraph } from "./npm.js";
export { cargoLockGraph, goModGraph, pipfileLockGraph, poetryLockGraph, uvLockGraph } from "./other.js";

const BUILDERS: Record<string, (file: string, content: string, docs?: ParsedDocuments) => GraphParse> = {
  "package-lock.json": npmLockGraph,
  "npm-shrinkwrap.json": npmLockGraph,
  "yarn.lock": yarnLockGraph,
  "pnpm-lock.yaml": pnpmLockGraph,
  "Cargo.lock": cargoLockGraph,
  "poetry.lock": poetryLockGraph,
  "uv.lock": uvLockGraph,
  "Pipfile.lock": pipfileLockGraph,
  "go.mod": goModGraph,
};

/** The graph of a lockfile by its file name; null when the format is not one we build graphs for. Never throws. */
export function buildLockGraph(file: string, content: string, docs?: ParsedDocuments): GraphParse | null {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const build = BUILDERS[base];
  if (!build) return null;
  try {
    return build(file, content, docs);
  } catch (err) {
    return { ok: false, message: `internal error while building the dependency graph: ${(err as Error).message}`, line: null };
  }
}

export type LockedEntry = ScanResult["locked"][number];

export interface AttributionInput {
  manifests: ReadonlyArray<{ path: string; manager: PackageManager; result: ManagerResult }>;
  /** Direct dependencies with their component filled, as discovery returns them. */
  dependencies: readonly ExtractedDependency[];
  read(file: string): string | undefined;
  componentOf(manifestPath: string): string;
  /** The documents the managers parsed in this scan: the graph reuses them instead of parsing again. */
  documents?: ParsedDocuments;
}

export interface AttributionResult {
  locked: LockedEntry[];
  /** Manifests whose packages were attributed through a graph (their flat `locked` lists are superseded). */
  covered: Set<string>;
  warnings: ScanWarning[];
  graphs: Map<string, LockGraph>;
}

/** A locked entry whose paths and parents are materialised when first read (enumerable: JSON keeps them). */
function lazyEntry(base: Omit<LockedEntry, "paths" | "parents">, r: Reach): LockedEntry {
  const entry = { ...base } as LockedEntry;
  Object.defineProperty(entry, "paths", { enumerable: true, configurable: true, get: (): PathStep[][] => r.paths });
  Object.defineProperty(entry, "parents", { enumerable: true, configurable: true, get: (): PathStep[] => r.parents });
  return entry;
}

/**
 * Attribute every locked package to the components that really reach it: one graph per lockfile,
 * one breadth-first walk per (component, lockfile). Packages a graph cannot place (Pipfile.lock,
 * go.mod `// indirect`, entries nothing requires) go to the lockfile's users with no path.
 */
export function attributeLockfiles(input: AttributionInput): AttributionResult {
  const warnings: ScanWarning[] = [];
  const graphs = new Map<string, LockGraph>();
  const failed = new Set<string>();
  const covered = new Set<string>();
  // (lockfile, component) → reaches, merged over the component's manifests that use the lockfile.
  const byUse = new Map<string, { lockfile: string; component: string; manifest: string; reach: Map<number, Reach> }>();
  const usersOf = new Map<string, Array<{ component: string; manifest: string }>>();

  const pending: Array<{ m: (typeof input.manifests)[number]; ref: { file: string; importer: string | null }; graph: LockGraph }> = [];
  for (const m of input.manifests) {
    const ref = m.result.lockfile;
    if (!ref) continue;
    let graph = graphs.get(ref.file);
    if (!graph) {
      if (failed.has(ref.file)) continue;
      const text = input.read(ref.file);
      const parsed = text === undefined ? null : buildLockGraph(ref.file, text, input.documents);
      if (!parsed || !parsed.ok) {
        failed.add(ref.file);
        if (parsed && !parsed.ok) {
          warnings.push({ file: ref.file, line: parsed.line, manager: m.manager, message: `${ref.file}${parsed.line ? `:${parsed.line}` : ""}: dependency graph not built (${parsed.message}); its packages are attributed to every project that uses it` });
        }
        continue;
      }
      graph = parsed.graph;
      graphs.set(ref.file, graph);
      for (const w of graph.warnings) warnings.push({ file: ref.file, line: null, manager: m.manager, message: w });
    }
    covered.add(m.path);
    pending.push({ m, ref, graph });
  }
  // A member crate's edges carry no requirement in Cargo.lock, and mix in its dev-dependencies; its
  // Cargo.toml tells both. Another member that depends on it never builds its dev-dependencies.
  for (const { m, ref, graph } of pending) {
    if (ref.importer === null) continue;
    const declared = input.dependencies.filter((d) => d.file === m.path && d.datasource === graph.datasource);
    graph.nodes.forEach((n, i) => {
      if (!n.local || n.name !== ref.importer) return;
      graph.out[i] = graph.out[i].filter((e) => {
        const decl = declared.filter((x) => x.name === graph.nodes[e.to].name);
        if (decl.length === 0) return true;
        if (e.requirement === null) e.requirement = decl[0].current_value;
        return decl.some((x) => x.dependency_type !== "dev");
      });
    });
  }
  for (const { m, ref, graph } of pending) {
    const component = input.componentOf(m.path);
    const declared = input.dependencies.filter((d) => d.file === m.path && d.datasource === graph.datasource && !d.skip_reason);
    const reach = reachFrom(graph, rootsFor(graph, ref.importer, declared));
    const key = `${ref.file}\u0000${component}`;
    const use = byUse.get(key);
    if (!use) byUse.set(key, { lockfile: ref.file, component, manifest: m.path, reach });
    else {
      for (const [node, r] of reach) {
        const had = use.reach.get(node);
        if (!had || (r.depth ?? Infinity) < (had.depth ?? Infinity)) use.reach.set(node, r);
      }
    }
    const users = usersOf.get(ref.file) ?? [];
    if (!users.some((u) => u.component === component)) users.push({ component, manifest: m.path });
    usersOf.set(ref.file, users);
  }

  // A package the manifest declares as not a registry package (a local or git replace) is not one here either.
  const notRegistry = new Set(input.dependencies.filter((d) => d.skip_reason).map((d) => `${d.file}\u0000${d.name}`));
  const locked: LockedEntry[] = [];
  for (const use of byUse.values()) {
    const graph = graphs.get(use.lockfile) as LockGraph;
    for (const r of use.reach.values()) {
      const n = graph.nodes[r.node];
      if (n.local || notRegistry.has(`${use.manifest}\u0000${n.name}`)) continue;
      locked.push(
        lazyEntry(
          {
            name: n.name,
            version: n.version,
            datasource: graph.datasource as DatasourceName,
            component: use.component,
            file: use.manifest,
            lockfile: use.lockfile,
            depth: r.depth,
            scope: r.scope,
          },
          r,
        ),
      );
    }
  }
  // Packages no walk reached: without edges (Pipfile.lock, go.mod) every user has them; with edges,
  // the user whose manifest sits next to the lockfile (else the first) keeps them, marked pathless.
  for (const [file, graph] of graphs) {
    const reached = new Set<number>();
    for (const use of byUse.values()) if (use.lockfile === file) for (const n of use.reach.keys()) reached.add(n);
    const users = usersOf.get(file) ?? [];
    if (users.length === 0) continue;
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
    const owner = users.find((u) => (u.manifest.includes("/") ? u.manifest.slice(0, u.manifest.lastIndexOf("/")) : ".") === dir) ?? users[0];
    graph.nodes.forEach((n, i) => {
      if (n.local || reached.has(i)) return;
      for (const u of graph.has_edges ? [owner] : users) {
        locked.push({
          name: n.name,
          version: n.version,
          datasource: graph.datasource as DatasourceName,
          component: u.component,
          file: u.manifest,
          lockfile: file,
          depth: null,
          scope: n.scope_hint ?? "prod",
          paths: [],
          parents: [],
        });
      }
    });
  }
  return { locked, covered, warnings, graphs };
}
