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

/**
 * Everything a component reaches from its roots: breadth-first, each package admitted at most
 * max_paths times (its shortest simple paths), depth bounded; no recursion.
 */
export function reachFrom(graph: LockGraph, roots: readonly RootEdge[]): Map<number, Reach> {
  const out = new Map<number, Reach>();
  const counts = new Map<number, number>();
  const queue: PathEntry[] = [];
  for (const r of roots) {
    if ((counts.get(r.to) ?? 0) >= GRAPH_LIMITS.max_paths) continue;
    counts.set(r.to, (counts.get(r.to) ?? 0) + 1);
    queue.push({ node: r.to, requirement: r.requirement, prev: null, len: 1 });
  }
  const paths = new Map<number, PathEntry[]>();
  for (let head = 0; head < queue.length; head++) {
    const e = queue[head];
    const list = paths.get(e.node) ?? [];
    list.push(e);
    paths.set(e.node, list);
    if (e.len >= GRAPH_LIMITS.max_depth) continue;
    for (const edge of graph.out[e.node] ?? []) {
      const c = counts.get(edge.to) ?? 0;
      if (c >= GRAPH_LIMITS.max_paths || onPath(e, edge.to)) continue;
      counts.set(edge.to, c + 1);
      queue.push({ node: edge.to, requirement: edge.requirement, prev: e, len: e.len + 1 });
    }
  }

  // Scope: the best over all paths, not only the kept ones. Each node improves at most 3 times.
  const best = new Map<number, number>();
  const work: number[] = [];
  for (const r of roots) {
    const rank = RANK[r.scope];
    if ((best.get(r.to) ?? 99) > rank) {
      best.set(r.to, rank);
      work.push(r.to);
    }
  }
  let steps = 0;
  while (work.length > 0 && steps++ < 4 * (graph.nodes.length + 1) * 4) {
    const n = work.pop() as number;
    const rank = best.get(n) as number;
    for (const edge of graph.out[n] ?? []) {
      const r = Math.max(rank, RANK[edge.scope]);
      if ((best.get(edge.to) ?? 99) > r) {
        best.set(edge.to, r);
        work.push(edge.to);
      }
    }
  }

  const parentsOf = new Map<number, PathStep[]>();
  for (const from of paths.keys()) {
    for (const edge of graph.out[from] ?? []) {
      if (!paths.has(edge.to)) continue;
      const list = parentsOf.get(edge.to) ?? [];
      if (list.length < MAX_PARENTS) {
        const n = graph.nodes[from];
        list.push({ name: n.name, version: n.version, requirement: edge.requirement, ...(n.local ? { local: true } : {}) });
      }
      parentsOf.set(edge.to, list);
    }
  }
  for (const [node, entries] of paths) {
    out.set(node, {
      node,
      depth: entries[0].len,
      scope: BY_RANK[best.get(node) ?? 0],
      paths: entries.map((e) => {
        const steps: PathStep[] = [];
        for (let p: PathEntry | null = e; p; p = p.prev) {
          const n = graph.nodes[p.node];
          steps.push({ name: n.name, version: n.version, requirement: p.requirement, ...(n.local ? { local: true } : {}) });
        }
        return steps.reverse();
      }),
      parents: parentsOf.get(node) ?? [],
    });
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
