import type { DatasourceName } from "../types.js";

/** How a dependency edge is used. Dev wins over everything along a path; see `combineScope`. */
export type EdgeScope = "prod" | "dev" | "optional" | "peer";

export interface GraphEdge {
  to: number;
  /** The requirement the parent declares ("^1.2.0", ">=2,<3"); null when the lockfile does not record it. */
  requirement: string | null;
  scope: EdgeScope;
}

export interface GraphNode {
  name: string;
  version: string;
  /** A workspace member or local path package, not a registry package. */
  local: boolean;
  /** The lockfile's own hint when edges are not recorded (Pipfile.lock sections, go.mod // indirect). */
  scope_hint: EdgeScope | null;
}

/**
 * The dependency graph of one lockfile. Nodes are package@version (one node per pair, whatever the
 * number of copies installed); `importers` are the projects the lockfile resolves, keyed by their
 * directory relative to the lockfile's ("." for its own) or, for Cargo, by crate name.
 */
export interface LockGraph {
  file: string;
  format: string;
  datasource: DatasourceName;
  nodes: GraphNode[];
  /** Outgoing edges, by node index. */
  out: GraphEdge[][];
  importers: Map<string, GraphEdge[]>;
  /** False when the format records no package-to-package edges (Pipfile.lock, go.mod without `go mod graph`). */
  has_edges: boolean;
  /** The node a manifest's declaration resolves to, for formats whose importers are not in the lockfile. */
  resolveDeclared(name: string, declared: string): number | null;
  /** Problems (truncation, unreadable entries), each naming the file. */
  warnings: string[];
}

/** Bounds: a hostile lockfile cannot make the walkers blow up. */
export const GRAPH_LIMITS = {
  max_nodes: 100_000,
  max_edges: 1_000_000,
  /** Paths deeper than this are not followed (no real tree is this deep). */
  max_depth: 64,
  /** Shortest "introduced through" paths kept per package. */
  max_paths: 3,
};

export type GraphParse = { ok: true; graph: LockGraph } | { ok: false; message: string; line: number | null };

const SCOPE_RANK: Record<EdgeScope, number> = { prod: 0, peer: 1, optional: 2, dev: 3 };

/** Builds a LockGraph: interns name@version, bounds the sizes. */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly out: GraphEdge[][] = [];
  readonly importers = new Map<string, GraphEdge[]>();
  readonly warnings: string[] = [];
  private readonly index = new Map<string, number>();
  /** Per node, its edges' (target, scope) pairs as numbers: to * 4 + scope rank. */
  private readonly edgeKeys: Array<Set<number>> = [];
  private edges = 0;
  private truncated = false;

  constructor(
    readonly file: string,
    readonly normalise: (name: string) => string = (n) => n,
  ) {}

  key(name: string, version: string): string {
    return `${this.normalise(name)}@${version}`;
  }

  find(name: string, version: string): number | null {
    return this.index.get(this.key(name, version)) ?? null;
  }

  /** The node for name@version, created when new; null once the node bound is reached. */
  node(name: string, version: string, local = false): number | null {
    const k = this.key(name, version);
    const hit = this.index.get(k);
    if (hit !== undefined) {
      if (local) this.nodes[hit].local = true;
      return hit;
    }
    if (this.nodes.length >= GRAPH_LIMITS.max_nodes) {
      this.truncate(`more than ${GRAPH_LIMITS.max_nodes} packages`);
      return null;
    }
    const id = this.nodes.length;
    this.nodes.push({ name, version, local, scope_hint: null });
    this.out.push([]);
    this.edgeKeys.push(new Set());
    this.index.set(k, id);
    return id;
  }

  edge(from: number, to: number, requirement: string | null, scope: EdgeScope): void {
    if (from === to) return;
    const k = to * 4 + SCOPE_RANK[scope];
    if (this.edgeKeys[from].has(k)) return;
    if (this.edges >= GRAPH_LIMITS.max_edges) {
      this.truncate(`more than ${GRAPH_LIMITS.max_edges} dependency edges`);
      return;
    }
    this.edgeKeys[from].add(k);
    this.edges++;
    this.out[from].push({ to, requirement, scope });
  }

  root(importer: string, to: number, requirement: string | null, scope: EdgeScope): void {
    const list = this.importers.get(importer) ?? [];
    if (!list.some((e) => e.to === to && e.scope === scope)) list.push({ to, requirement, scope });
    this.importers.set(importer, list);
  }

  private truncate(why: string): void {
    if (this.truncated) return;
    this.truncated = true;
    this.warnings.push(`${this.file}: dependency graph truncated at ${why}; attribution of the rest is incomplete`);
  }

  build(format: string, datasource: DatasourceName, resolveDeclared: LockGraph["resolveDeclared"], has_edges = true): LockGraph {
    return {
      file: this.file,
      format,
      datasource,
      nodes: this.nodes,
      out: this.out,
      importers: this.importers,
      has_edges,
      resolveDeclared,
      warnings: this.warnings,
    };
  }

  /** Resolve by name alone when exactly one version is locked. */
  byNameResolver(): (name: string) => number | null {
    const byName = new Map<string, number[]>();
    this.nodes.forEach((n, i) => {
      const k = this.normalise(n.name);
      const list = byName.get(k);
      if (list) list.push(i);
      else byName.set(k, [i]);
    });
    return (name) => {
      const list = byName.get(this.normalise(name));
      return list && list.length === 1 ? list[0] : null;
    };
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
