/**
 * What a scan keeps so that an advisory re-assessment (issue 16) can assess and act exactly as that scan
 * would, without reading anything from GitHub: the scan's extraction (components, declarations, every
 * lockfile package with its paths), the config it ran with, the findings that came from file contents,
 * and the CODEOWNERS text. Written by every full pipeline scan, read by the `reassess` job.
 *
 * `scan.locked` also feeds the reverse index: a lockfile-only package is indexed whether or not an
 * advisory hit it at scan time, so a new advisory on a transitive package finds its repositories.
 */
import { z } from "zod";
import type { TextFindings } from "../assess/types.js";
import type { ConfigError } from "../config/load.js";
import type { CowabungaConfig } from "../config/schema.js";
import type { DatasourceName, LockedPackage, PathStep, ScanResult } from "../scan/types.js";

export const REASSESS_BASIS_FORMAT = 1;

export interface ReassessBasis {
  format: 1;
  /** The commit the scan read. */
  head_sha: string;
  tree_sha: string | null;
  scanned_at: string;
  config: CowabungaConfig;
  config_errors: ConfigError[];
  /** The scan's result without its warnings (assess does not read them); locked packages materialised. */
  scan: Omit<ScanResult, "warnings">;
  /** `.github/workflows/*.yml` paths: the part of the tree listing assess reads without file contents. */
  workflow_files: string[];
  text_findings: TextFindings;
  /** CODEOWNERS path → text, for assignees. */
  codeowners: Record<string, string>;
  /** Current versions the registry marked as yanked at the scan. */
  yanked: Array<{ package_manager: string; name: string; version: string; reason: string | null }>;
}

/**
 * How the store keeps `scan.locked` (encodeReassessBasis): a table of interned strings and 8 numbers per
 * package, so a basis of 25,000 lockfile entries is read without parsing 25,000 objects of repeated
 * names, components and paths (a tenth of the bytes). Nothing is lost: decodeReassessBasis gives back
 * the same packages, field for field (the fields LockedPackage declares).
 */
export interface LockedTable {
  strings: string[];
  /**
   * Per package: name, version, datasource, component, file, lockfile, depth, scope. Strings are indexes
   * into `strings` (-1: absent); depth is the number, -1 for null, -2 absent.
   */
  rows: number[];
  /** Path steps, 4 numbers each: name, version, requirement (-1 null, -2 absent), local (0 absent, 1 true, 2 false). */
  steps: number[];
  /** [row, paths as step indexes or null when absent, parents as step indexes or null when absent]. */
  graph: Array<[number, number[][] | null, number[] | null]>;
}

const ROW = 8;
const STEP = 4;
/** Bounds of a stored table (far above a 25,000-entry monorepo lockfile graph); a larger one is refused as corrupt. */
export const MAX_LOCKED_TABLE_ROWS = 1_000_000;
const MAX_TABLE_NUMBERS = 50_000_000;

/** Why a stored table cannot be decoded, or null when every index is in range. */
export function lockedTableProblem(t: unknown): string | null {
  if (typeof t !== "object" || t === null) return "not an object";
  const { strings, rows, steps, graph } = t as Record<string, unknown>;
  if (!Array.isArray(strings) || !strings.every((x) => typeof x === "string")) return "strings: not an array of strings";
  if (!Array.isArray(rows) || rows.length % ROW !== 0 || rows.length / ROW > MAX_LOCKED_TABLE_ROWS) return "rows: not a whole number of rows within bounds";
  if (!Array.isArray(steps) || steps.length % STEP !== 0 || steps.length > MAX_TABLE_NUMBERS) return "steps: not a whole number of steps within bounds";
  if (!Array.isArray(graph) || graph.length > rows.length / ROW) return "graph: not an array within bounds";
  const n = strings.length;
  const str = (x: unknown, absent: number) => Number.isInteger(x) && (x as number) >= absent && (x as number) < n;
  for (let i = 0; i < rows.length; i += ROW) {
    for (let j = 0; j < 5; j++) if (!str(rows[i + j], 0)) return `rows[${i + j}]: not a string index`;
    if (!str(rows[i + 5], -1) || !str(rows[i + 7], -1)) return `rows[${i}]: lockfile or scope not a string index`;
    if (!Number.isInteger(rows[i + 6]) || (rows[i + 6] as number) < -2) return `rows[${i + 6}]: not a depth`;
  }
  for (let i = 0; i < steps.length; i += STEP) {
    if (!str(steps[i], 0) || !str(steps[i + 1], 0) || !str(steps[i + 2], -2)) return `steps[${i}]: not a string index`;
    if (steps[i + 3] !== 0 && steps[i + 3] !== 1 && steps[i + 3] !== 2) return `steps[${i + 3}]: not a local flag`;
  }
  const nSteps = steps.length / STEP;
  const stepList = (x: unknown) => Array.isArray(x) && x.every((k) => Number.isInteger(k) && k >= 0 && k < nSteps);
  let total = rows.length + steps.length;
  for (const g of graph) {
    if (!Array.isArray(g) || g.length !== 3 || !Number.isInteger(g[0]) || g[0] < 0 || g[0] >= rows.length / ROW) return "graph: not [row, paths, parents]";
    if (g[1] !== null && !(Array.isArray(g[1]) && g[1].every(stepList))) return `graph of row ${g[0]}: paths not step indexes`;
    if (g[2] !== null && !stepList(g[2])) return `graph of row ${g[0]}: parents not step indexes`;
    total += (g[1]?.reduce((a: number, p: unknown[]) => a + p.length, 0) ?? 0) + (g[2]?.length ?? 0);
    if (total > MAX_TABLE_NUMBERS) return "graph: too large";
  }
  return null;
}

/** The table of a basis's lockfile packages. */
export function encodeLocked(locked: readonly LockedPackage[]): LockedTable {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const id = (s: string): number => {
    let i = ids.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      ids.set(s, i);
    }
    return i;
  };
  const opt = (s: string | undefined): number => (s === undefined ? -1 : id(s));
  const steps: number[] = [];
  const stepIds = new Map<string, number>();
  const step = (p: PathStep): number => {
    const enc = [id(p.name), id(p.version), p.requirement === null ? -1 : p.requirement === undefined ? -2 : id(p.requirement), p.local === undefined ? 0 : p.local ? 1 : 2];
    const k = enc.join(",");
    let i = stepIds.get(k);
    if (i === undefined) {
      i = steps.length / STEP;
      steps.push(...enc);
      stepIds.set(k, i);
    }
    return i;
  };
  const rows: number[] = [];
  const graph: LockedTable["graph"] = [];
  locked.forEach((l, row) => {
    rows.push(id(l.name), id(l.version), id(l.datasource), id(l.component), id(l.file), opt(l.lockfile), l.depth === undefined ? -2 : l.depth === null ? -1 : l.depth, opt(l.scope));
    const paths = l.paths;
    const parents = l.parents;
    if (paths !== undefined || parents !== undefined) graph.push([row, paths === undefined ? null : paths.map((p) => p.map(step)), parents === undefined ? null : parents.map(step)]);
  });
  return { strings, rows, steps, graph };
}

/** The lockfile packages of a table checked by lockedTableProblem. */
export function decodeLocked(t: LockedTable): LockedPackage[] {
  const { strings, rows, steps } = t;
  const stepOf: PathStep[] = [];
  for (let i = 0; i < steps.length; i += STEP) {
    const r = steps[i + 2]!;
    const p: PathStep = { name: strings[steps[i]!]!, version: strings[steps[i + 1]!]!, requirement: r === -1 ? null : strings[r]! };
    if (r === -2) delete (p as Partial<PathStep>).requirement;
    if (steps[i + 3] !== 0) p.local = steps[i + 3] === 1;
    stepOf.push(p);
  }
  const out: LockedPackage[] = [];
  for (let i = 0; i < rows.length; i += ROW) {
    const l: LockedPackage = { name: strings[rows[i]!]!, version: strings[rows[i + 1]!]!, datasource: strings[rows[i + 2]!]! as DatasourceName, component: strings[rows[i + 3]!]!, file: strings[rows[i + 4]!]! };
    if (rows[i + 5]! >= 0) l.lockfile = strings[rows[i + 5]!]!;
    const depth = rows[i + 6]!;
    if (depth !== -2) l.depth = depth === -1 ? null : depth;
    if (rows[i + 7]! >= 0) l.scope = strings[rows[i + 7]!]! as LockedPackage["scope"];
    out.push(l);
  }
  for (const [row, paths, parents] of t.graph) {
    const l = out[row]!;
    if (paths) l.paths = paths.map((p) => p.map((k) => ({ ...stepOf[k]! })));
    if (parents) l.parents = parents.map((k) => ({ ...stepOf[k]! }));
  }
  return out;
}

/** Shape check on read and write; the parts are the scan's own values, checked where they are made. */
export const ReassessBasisSchema = z.looseObject({
  format: z.literal(REASSESS_BASIS_FORMAT),
  head_sha: z.string().min(1),
  tree_sha: z.string().nullable(),
  scanned_at: z.string(),
  config: z.record(z.string(), z.unknown()),
  config_errors: z.array(z.unknown()),
  scan: z.looseObject({
    components: z.array(z.unknown()),
    dependencies: z.array(z.unknown()),
    locked: z.array(z.looseObject({ name: z.string(), version: z.string(), datasource: z.string(), component: z.string(), file: z.string() })),
    manifests: z.array(z.string()),
  }),
  workflow_files: z.array(z.string()),
  text_findings: z.looseObject({ drafts: z.array(z.unknown()), examined: z.array(z.string()) }),
  codeowners: z.record(z.string(), z.string()),
  yanked: z.array(z.unknown()),
});

/** The stored form: `scan.locked` as a LockedTable (`scan.locked_table`); a basis stored before keeps `scan.locked`. */
export const StoredReassessBasisSchema = ReassessBasisSchema.extend({
  scan: ReassessBasisSchema.shape.scan
    .extend({
      locked: ReassessBasisSchema.shape.scan.shape.locked.optional(),
      locked_table: z.custom<LockedTable>((t) => lockedTableProblem(t) === null, { message: "not a valid table of lockfile packages" }).optional(),
    })
    .refine((s) => (s.locked === undefined) !== (s.locked_table === undefined), { message: "needs either locked or locked_table" }),
});
export type StoredReassessBasis = z.infer<typeof StoredReassessBasisSchema>;

/** The basis as the store writes it. */
export function encodeReassessBasis(basis: ReassessBasis): StoredReassessBasis {
  const { locked, ...scan } = basis.scan;
  // Not a list of packages: stored as given, for the schema to refuse.
  if (!Array.isArray(locked)) return basis as unknown as StoredReassessBasis;
  return { ...basis, scan: { ...scan, locked_table: encodeLocked(locked) } } as unknown as StoredReassessBasis;
}

/** The basis a stored document (checked by StoredReassessBasisSchema) stands for. */
export function decodeReassessBasis(stored: StoredReassessBasis): ReassessBasis {
  const scan = stored.scan as Record<string, unknown>;
  if (!("locked_table" in scan)) return stored as unknown as ReassessBasis;
  const { locked_table, ...rest } = scan;
  return { ...stored, scan: { ...rest, locked: decodeLocked(locked_table as LockedTable) } } as unknown as ReassessBasis;
}

/**
 * Lockfile packages kept with their paths and parents (so a re-assessment's new transitive finding reads
 * exactly as a scan's) up to this many; a larger graph (a big monorepo's yarn.lock reaches 25,000 entries
 * across its components, 37 MB with paths) is kept without them: still indexed and matched, but a new
 * finding on it lacks "introduced through" and a parent-bump plan until the next scan.
 */
export const MAX_LOCKED_WITH_PATHS = 5_000;

/** The scan's lockfile packages as the basis keeps them (see MAX_LOCKED_WITH_PATHS). */
export function basisLocked(locked: readonly LockedPackage[]): LockedPackage[] {
  if (locked.length <= MAX_LOCKED_WITH_PATHS) return locked.map(materialiseLocked);
  return locked.map((l) => {
    const out: LockedPackage = { name: l.name, version: l.version, datasource: l.datasource, component: l.component, file: l.file };
    if (l.lockfile !== undefined) out.lockfile = l.lockfile;
    if (l.depth !== undefined) out.depth = l.depth;
    if (l.scope !== undefined) out.scope = l.scope;
    return out;
  });
}

/** A locked package as a plain value (the graph attributes paths and parents lazily, through getters). */
export function materialiseLocked(l: LockedPackage): LockedPackage {
  const out: LockedPackage = { name: l.name, version: l.version, datasource: l.datasource, component: l.component, file: l.file };
  if (l.lockfile !== undefined) out.lockfile = l.lockfile;
  if (l.depth !== undefined) out.depth = l.depth;
  if (l.scope !== undefined) out.scope = l.scope;
  const paths = l.paths;
  if (paths !== undefined) out.paths = paths;
  const parents = l.parents;
  if (parents !== undefined) out.parents = parents;
  return out;
}

/** The lockfile packages of a basis as index rows (dependency-shaped, lockfile-only). */
export function lockedIndexRows(basis: Pick<ReassessBasis, "scan"> | null): Array<{ datasource: string; name: string; version: string; component: string; file: string; dependency_type: string; current_value: string }> {
  if (!basis) return [];
  // One row per package version and repository: the index answers "which repositories", and a package
  // every component of a monorepo reaches must not cost one row per component.
  const seen = new Set<string>();
  return basis.scan.locked.filter((l) => {
    const k = `${l.datasource}\u0000${l.name}\u0000${l.version}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).map((l) => ({
    datasource: l.datasource,
    name: l.name,
    version: l.version,
    component: l.component,
    file: l.lockfile ?? l.file,
    dependency_type: l.scope ?? "prod",
    current_value: "(transitive)",
  }));
}
