import type { PathStep } from "../types.js";
import { GRAPH_LIMITS, type EdgeScope, type GraphEdge, type LockGraph } from "./types.js";

export type { PathStep };

/** A package as one component reaches it. */
export interface Reach {
  node: number;
  /** 1 for a direct dependency; null when the lockfile records no path (Pipfile.lock, go.mod // indirect). */
  depth: number | null;
  /** Best scope over every path: prod beats peer beats optional beats dev. */
  scope: EdgeScope;
  /** Up to GRAPH_LIMITS.max_paths shortest paths, each from a direct dependency to this package. */
  paths: PathStep[][];
  /** Packages this component reaches that depend on it directly, with their requirement. */
  parents: PathStep[];
}

export interface RootEdge {
  to: number;
  requirement: string | null;
  scope: EdgeScope;
}

const RANK: Record<EdgeScope, number> = { prod: 0, peer: 1, optional: 2, dev: 3 };
const BY_RANK: EdgeScope[] = ["prod", "peer", "optional", "dev"];
const MAX_PARENTS = 20;

interface PathEntry {
  node: number;
  requirement: string | null;
  prev: PathEntry | null;
  len: number;
}

function onPath(e: PathEntry | null, node: number): boolean {
  for (let p = e; p; p = p.prev) if (p.node === node) return true;
  return false;
}

function stepOf(graph: LockGraph, node: number, requirement: string | null): PathStep {
  const n = graph.nodes[node];
  return n.local ? { name: n.name, version: n.version, requirement, local: true } : { name: n.name, version: n.version, requirement };
}

/**
 * One reached package. Paths and parents are materialised on first read: a walk reaches every
 * package, but only the few with findings are ever asked for their paths.
 */
class LazyReach implements Reach {
  private _paths: PathStep[][] | null = null;
  private _parents: PathStep[] | null = null;
  constructor(
    private readonly graph: LockGraph,
    readonly node: number,
    readonly depth: number,
    readonly scope: EdgeScope,
    private readonly entries: PathEntry[],
    private readonly reached: Uint8Array,
    private readonly parentsIndex: () => ReverseEdges,
  ) {}

  get paths(): PathStep[][] {
    this._paths ??= this.entries.map((e) => {
      const steps: PathStep[] = [];
      for (let p: PathEntry | null = e; p; p = p.prev) steps.push(stepOf(this.graph, p.node, p.requirement));
      return steps.reverse();
    });
    return this._paths;
  }

  get parents(): PathStep[] {
    if (this._parents) return this._parents;
    const out: PathStep[] = [];
    const into = this.parentsIndex()[this.node];
    if (into) {
      for (let i = 0; i < into.from.length && out.length < MAX_PARENTS; i++) {
        const from = into.from[i];
        if (this.reached[from]) out.push(stepOf(this.graph, from, into.requirement[i]));
      }
    }
    this._parents = out;
    return out;
  }
}

/**
 * Reverse adjacency of a graph, per node: the edges into it (parent, requirement), parents in node
 * order and each parent's edges in their order. Built once and shared by every walk over it.
 */
type ReverseEdges = Array<{ from: number[]; requirement: Array<string | null> } | undefined>;
const reverseIndex = new WeakMap<LockGraph, ReverseEdges>();
function parentsIndexOf(graph: LockGraph): ReverseEdges {
  let idx = reverseIndex.get(graph);
  if (!idx) {
    const built: ReverseEdges = new Array(graph.nodes.length);
    graph.out.forEach((edges, from) => {
      for (const e of edges) {
        const into = (built[e.to] ??= { from: [], requirement: [] });
        into.from.push(from);
        into.requirement.push(e.requirement);
      }
    });
    idx = built;
    reverseIndex.set(graph, idx);
  }
  return idx;
}

/**
 * Everything a component reaches from its roots: breadth-first, each package admitted at most
 * max_paths times (its shortest simple paths), depth bounded; no recursion.
 */
export function reachFrom(graph: LockGraph, roots: readonly RootEdge[]): Map<number, Reach> {
  const n = graph.nodes.length;
  const counts = new Uint8Array(n);
  const queue: PathEntry[] = [];
  for (const r of roots) {
    if (r.to < 0 || r.to >= n || counts[r.to] >= GRAPH_LIMITS.max_paths) continue;
    counts[r.to]++;
    queue.push({ node: r.to, requirement: r.requirement, prev: null, len: 1 });
  }
  // Per node, its admitted entries (shortest first); `order`: nodes by first admission (breadth-first).
  const paths: Array<PathEntry[] | undefined> = new Array(n);
  const order: number[] = [];
  for (let head = 0; head < queue.length; head++) {
    const e = queue[head];
    const list = paths[e.node];
    if (list) list.push(e);
    else {
      paths[e.node] = [e];
      order.push(e.node);
    }
    if (e.len >= GRAPH_LIMITS.max_depth) continue;
    for (const edge of graph.out[e.node]) {
      // A package never admitted yet cannot be on this path: the chain walk only for the others.
      const c = counts[edge.to];
      if (c >= GRAPH_LIMITS.max_paths || (c > 0 && onPath(e, edge.to))) continue;
      counts[edge.to]++;
      queue.push({ node: edge.to, requirement: edge.requirement, prev: e, len: e.len + 1 });
    }
  }

  // Scope: the best over all paths, not only the kept ones. Each node improves at most 3 times.
  const best = new Uint8Array(n).fill(9);
  const work: number[] = [];
  for (const r of roots) {
    if (r.to < 0 || r.to >= n) continue;
    const rank = RANK[r.scope];
    if (best[r.to] > rank) {
      best[r.to] = rank;
      work.push(r.to);
    }
  }
  while (work.length > 0) {
    const node = work.pop() as number;
    const rank = best[node];
    for (const edge of graph.out[node]) {
      const r = Math.max(rank, RANK[edge.scope]);
      if (best[edge.to] > r) {
        best[edge.to] = r;
        work.push(edge.to);
      }
    }
  }

  const reached = new Uint8Array(n);
  for (const node of order) reached[node] = 1;
  const index = (): ReverseEdges => parentsIndexOf(graph);
  const out = new Map<number, Reach>();
  for (const node of order) {
    const entries = paths[node] as PathEntry[];
    out.set(node, new LazyReach(graph, node, entries[0].len, BY_RANK[best[node] > 3 ? 0 : best[node]], entries, reached, index));
  }
  return out;
}

/** Merge the lockfile's importer edges with what the manifest declares (scope, requirement). */
export function rootsFor(
  graph: LockGraph,
  importer: string | null,
  declared: ReadonlyArray<{ name: string; current_value: string; dependency_type: string }>,
): RootEdge[] {
  const scopeOf = (t: string): EdgeScope => (t === "dev" ? "dev" : t === "optional" ? "optional" : t === "peer" ? "peer" : "prod");
  const norm = (n: string): string => (graph.datasource === "pypi" ? n.toLowerCase().replace(/[-_.]+/g, "-") : n);
  if ((importer !== null && graph.importers.has(importer)) || (graph.importers.size > 0 && graph.has_edges)) {
    // The lockfile lists its projects: a manifest it does not list (a virtual Cargo workspace root) has no roots.
    const fromLock: GraphEdge[] = importer === null ? [] : (graph.importers.get(importer) ?? []);
    const byName = new Map<string, { current_value: string; dependency_type: string }[]>();
    for (const d of declared) byName.set(norm(d.name), [...(byName.get(norm(d.name)) ?? []), d]);
    return fromLock.map((e) => {
      const decl = byName.get(norm(graph.nodes[e.to].name));
      if (!decl) return e;
      // Declared as prod anywhere (a crate in [dependencies] and [dev-dependencies]) wins.
      const scope = decl.map((d) => scopeOf(d.dependency_type)).sort((a, b) => RANK[a] - RANK[b])[0];
      return { to: e.to, requirement: e.requirement ?? decl[0].current_value, scope };
    });
  }
  const roots: RootEdge[] = [];
  for (const d of declared) {
    const to = graph.resolveDeclared(d.name, d.current_value);
    if (to !== null) roots.push({ to, requirement: d.current_value, scope: scopeOf(d.dependency_type) });
  }
  return roots;
}

/** "api → axum 0.7.5 → hyper 1.4.1 → h2 0.4.15". */
export function formatPath(component: string, steps: readonly PathStep[]): string {
  return [component, ...steps.map((s) => `${s.name} ${s.version}`)].join(" → ");
}
