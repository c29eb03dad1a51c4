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
import type { LockedPackage, ScanResult } from "../scan/types.js";

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
