import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import type { AdvisoryRef, Dependency } from "../model/dependency.js";
import type { DatasourceName, ExtractedDependency } from "../scan/types.js";
import { concreteVersion } from "../enrich/index.js";
import { versioningFor } from "../enrich/versioning/index.js";
import { findVulnerabilities, normalisePackageName, OsvOfflineIndex, type AdvisorySource } from "../enrich/advisories/index.js";
import type { RepoRef, Store } from "../store/types.js";
import { writeFileAtomic } from "../store/atomic.js";
import { datasourceForEcosystem, dependentKey } from "../store/dependents.js";
import { readAhead } from "../store/read-ahead.js";
import type { OnlineAdvisoryState } from "./online.js";

/** Files walked when fingerprinting a mirror directory; a larger tree is refused, not half-read. */
export const MAX_MIRROR_FILES = 2_000_000;

/** What the last refresh saw, per advisory: a fingerprint of its content per package, and whether withdrawn. */
export interface AdvisoryStateEntry {
  /** `${ecosystem}\u0000${normalised name}` → sha256 of the record as it applies to that package. */
  packages: Record<string, string>;
  withdrawn: boolean;
}

export interface AdvisoryState {
  format: 1;
  /** Offline source: the mirror path, its checksum and advisories (empty strings: no offline refresh yet). */
  mirror: string;
  checksum: string;
  refreshed_at: string;
  advisories: Record<string, AdvisoryStateEntry>;
  /** Online source (src/advisories/online.ts): its cursors and advisories, kept beside the offline ones. */
  online?: OnlineAdvisoryState;
}

export interface AdvisoryChange {
  id: string;
  kind: "new" | "changed" | "withdrawn";
  /** The packages to look up in the reverse index: the record's now and before. */
  packages: Array<{ ecosystem: string; name: string }>;
}

export interface RepoReassessment {
  repo: RepoRef;
  /** Advisory ids that now affect the repository and did not at the last scan. */
  added: string[];
  /** Advisory ids no longer affecting it (withdrawn, or the record no longer covers the version). */
  removed: string[];
}

export interface RefreshResult {
  status: "unchanged" | "first-run" | "refreshed";
  checksum: string;
  changes: AdvisoryChange[];
  /** Repositories the reverse index named for the changed packages (before checking versions). */
  candidates: number;
  reassessed: RepoReassessment[];
  warnings: string[];
}

/**
 * A checksum of the mirror: a file's content (all.zip, one JSON), or for a directory the sorted list of
 * (path, size, modification time) — cheap on 200k files, and a changed record changes its size or time.
 */
export async function mirrorChecksum(root: string): Promise<string> {
  const st = await fs.stat(root);
  const hash = createHash("sha256");
  if (!st.isDirectory()) {
    await new Promise<void>((resolve, reject) => {
      createReadStream(root)
        .on("data", (c) => hash.update(c))
        .on("end", () => resolve())
        .on("error", reject);
    });
    return `sha256:${hash.digest("hex")}`;
  }
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && (e.name.endsWith(".json") || e.name.endsWith(".zip"))) {
        if (lines.length >= MAX_MIRROR_FILES) throw new Error(`OSV mirror ${root} has more than ${MAX_MIRROR_FILES} files: refusing to fingerprint it`);
        const s = await fs.stat(full);
        lines.push(`${path.relative(root, full)}\t${s.size}\t${Math.trunc(s.mtimeMs)}`);
      }
    }
  };
  await walk(root);
  lines.sort();
  for (const l of lines) hash.update(`${l}\n`);
  return `sha256:${hash.digest("hex")}`;
}

/** Fingerprint every advisory in a loaded mirror, per package. */
export function snapshotAdvisories(index: OsvOfflineIndex): Record<string, AdvisoryStateEntry> {
  const out: Record<string, AdvisoryStateEntry> = {};
  for (const p of index.packages()) {
    const key = `${p.ecosystem}\u0000${normalisePackageName(p.ecosystem, p.name)}`;
    for (const rec of index.lookup(p.ecosystem, p.name)) {
      const entry = (out[rec.id] ??= { packages: {}, withdrawn: false });
      entry.packages[key] = createHash("sha256").update(JSON.stringify(rec)).digest("hex");
      if (rec.withdrawn) entry.withdrawn = true;
    }
  }
  return out;
}

function splitKey(key: string): { ecosystem: string; name: string } {
  const i = key.indexOf("\u0000");
  return { ecosystem: key.slice(0, i), name: key.slice(i + 1) };
}

/** New, changed and withdrawn advisories between two snapshots. A record gone from the mirror counts as withdrawn. */
export function diffAdvisories(before: Record<string, AdvisoryStateEntry>, after: Record<string, AdvisoryStateEntry>): AdvisoryChange[] {
  const changes: AdvisoryChange[] = [];
  const pkgs = (...entries: Array<AdvisoryStateEntry | undefined>) => {
    const keys = new Set<string>();
    for (const e of entries) for (const k of Object.keys(e?.packages ?? {})) keys.add(k);
    return [...keys].sort().map(splitKey);
  };
  for (const id of Object.keys(after).sort()) {
    const a = after[id]!;
    const b = before[id];
    if (a.withdrawn) {
      if (b && !b.withdrawn) changes.push({ id, kind: "withdrawn", packages: pkgs(a, b) });
      continue;
    }
    if (!b) changes.push({ id, kind: "new", packages: pkgs(a) });
    else if (b.withdrawn || JSON.stringify(Object.entries(a.packages).sort()) !== JSON.stringify(Object.entries(b.packages).sort())) {
      changes.push({ id, kind: "changed", packages: pkgs(a, b) });
    }
  }
  for (const id of Object.keys(before).sort()) {
    if (!(id in after) && !before[id]!.withdrawn) changes.push({ id, kind: "withdrawn", packages: pkgs(before[id]) });
  }
  return changes;
}

function idsOf(advisories: readonly AdvisoryRef[]): Set<string> {
  return new Set(advisories.map((a) => a.id));
}

/**
 * Re-run the advisory half of enrichment on a repository's stored dependencies (0 GitHub reads): every
 * advisory field is recomputed from the source; the rest of each dependency is kept as the last scan
 * stored it. Returns the advisory ids that appeared and disappeared, and the new dependency list.
 */
export async function reassessAdvisories(
  deps: readonly Dependency[],
  source: AdvisorySource,
  /** Only these packages (`dependentKey` as "ecosystem\u0000norm_name") can have changed; null: all. */
  only: ReadonlySet<string> | null = null,
): Promise<{ dependencies: Dependency[]; added: string[]; removed: string[] }> {
  const selected = deps.map((d) => {
    if (!only) return true;
    const k = dependentKey(d);
    return only.has(`${k.ecosystem}\u0000${k.norm_name}`);
  });
  const queried = deps.filter((_, i) => selected[i]);
  const partial = await findVulnerabilities(
    queried.map((d) => ({ datasource: d.datasource as DatasourceName, name: d.name, version: d.version })),
    source,
  );
  let j = 0;
  const report = { results: deps.map((_, i) => (selected[i] ? partial.results[j++] : undefined)) };
  const added = new Set<string>();
  const removed = new Set<string>();
  const next = deps.map((d, i): Dependency => {
    const v = report.results[i];
    // Not checkable now (no ecosystem in the mirror, not a version): keep what the scan stored.
    if (!v || !v.checked) return d;
    const before = idsOf(d.advisories);
    const after = idsOf(v.advisories);
    for (const id of after) if (!before.has(id)) added.add(id);
    for (const id of before) if (!after.has(id)) removed.add(id);
    return {
      ...d,
      cve_ids: v.cve_ids,
      vulnerability_score: v.vulnerability_score,
      vulnerability_score_estimated: v.vulnerability_score_estimated,
      patch_available: v.patch_available,
      fixed_version: v.fixed_version,
      advisories: v.advisories,
      advisories_checked: true,
    };
  });
  return { dependencies: next, added: [...added].sort(), removed: [...removed].sort() };
}

/** What the queue-mode check looks at: stored dependencies and lockfile-only packages of the changed packages. */
function checkList(deps: readonly Dependency[], locked: ReadonlyArray<{ datasource: string; name: string; version: string; component: string; file: string }>, only: ReadonlySet<string>): Dependency[] {
  const keyOf = (d: { datasource: string; name: string }) => {
    const k = dependentKey(d);
    return `${k.ecosystem}\u0000${k.norm_name}`;
  };
  const out: Dependency[] = [];
  for (const d of deps) {
    if (!only.has(keyOf(d))) continue;
    // The version enrichment matches (locked, or an exact pin); a range is not matched by a scan either.
    const version = d.current_value === "(transitive)" ? d.version : concreteVersion(d as unknown as ExtractedDependency, versioningFor(d.datasource as DatasourceName));
    if (version) out.push({ ...d, version });
  }
  const have = new Set(out.map((d) => `${keyOf(d)}\u0000${d.version}`));
  for (const l of locked) {
    const k = `${keyOf(l)}\u0000${l.version}`;
    if (!only.has(keyOf(l)) || have.has(k)) continue;
    have.add(k);
    out.push({ datasource: l.datasource, name: l.name, version: l.version, advisories: [] } as unknown as Dependency);
  }
  return out;
}

export interface RefreshOptions {
  store: Store;
  /** The OSV mirror: a directory, an all.zip, or one JSON file. */
  mirror: string;
  /** Where the last refresh's fingerprints are kept. */
  statePath: string;
  clock?: () => Date;
  /** Called per affected repository once its stored dependencies were re-assessed (stand-alone mode only). */
  onReassessed?(r: RepoReassessment, dependencies: Dependency[]): Promise<void>;
  /**
   * The app's mode: queue a `reassess` job per affected repository (which re-enriches, assesses and acts
   * from the store) instead of writing its dependencies here. Called before the new state is written.
   */
  enqueue?(r: RepoReassessment, context: { checksum: string; withdrawn: string[] }): Promise<void>;
  /** The mirror as loaded by this refresh (so the caller's scans can use it without loading it again). */
  onIndex?(index: OsvOfflineIndex): void;
}

export async function readAdvisoryState(file: string): Promise<AdvisoryState | null> {
  try {
    const s = JSON.parse(await fs.readFile(file, "utf8")) as AdvisoryState;
    return s && s.format === 1 && typeof s.advisories === "object" ? s : null;
  } catch {
    return null;
  }
}

/**
 * `cowabunga advisories refresh`, offline: fingerprint the mirror; if it changed since the last refresh,
 * load it, diff the advisories, look the changed packages up in the reverse index, and re-assess only
 * the repositories using them. The first run records the baseline and re-assesses nothing (the scans
 * that stored the dependencies used some mirror already; the next scan of each repository catches up).
 */
export async function refreshAdvisories(opts: RefreshOptions): Promise<RefreshResult> {
  const clock = opts.clock ?? (() => new Date());
  const warnings: string[] = [];
  const checksum = await mirrorChecksum(opts.mirror);
  const previous = await readAdvisoryState(opts.statePath);
  // A document that only the online refresh wrote has no offline baseline yet.
  const baseline = previous && previous.mirror ? previous : null;
  if (baseline && baseline.checksum === checksum && baseline.mirror === path.resolve(opts.mirror)) {
    return { status: "unchanged", checksum, changes: [], candidates: 0, reassessed: [], warnings };
  }
  const index = await OsvOfflineIndex.load(opts.mirror);
  opts.onIndex?.(index);
  for (const w of index.warnings) warnings.push(`${w.file ?? opts.mirror}: ${w.message}`);
  const after = snapshotAdvisories(index);
  const changes = baseline ? diffAdvisories(baseline.advisories, after) : [];

  const fanned = await reassessCandidates({ ...opts, changes, source: index, checksum });
  const state: AdvisoryState = {
    format: 1,
    mirror: path.resolve(opts.mirror),
    checksum,
    refreshed_at: clock().toISOString(),
    advisories: after,
    ...(previous?.online ? { online: previous.online } : {}),
  };
  await writeAdvisoryState(opts.statePath, state);
  return { status: baseline ? "refreshed" : "first-run", checksum, changes, candidates: fanned.candidates, reassessed: fanned.reassessed, warnings };
}

export interface FanOutOptions {
  store: Store;
  changes: readonly AdvisoryChange[];
  /** Answers for the changed packages, now. */
  source: AdvisorySource;
  /**
   * Only these advisories can have changed (the online refresh, whose source knows the changed records
   * only): added / removed ids outside it are ignored. Undefined: the source knows every record.
   */
  changedIds?: ReadonlySet<string>;
  checksum: string;
  clock?: () => Date;
  onReassessed?: RefreshOptions["onReassessed"];
  enqueue?: RefreshOptions["enqueue"];
}

/**
 * The shared half of a refresh: the repositories the reverse index names for the changed packages, each
 * checked at the versions it uses; those an advisory now affects or no longer affects are queued
 * (`enqueue`) or re-assessed here.
 */
export async function reassessCandidates(opts: FanOutOptions): Promise<{ candidates: number; reassessed: RepoReassessment[] }> {
  const clock = opts.clock ?? (() => new Date());
  const { changes, checksum } = opts;
  const index = opts.source;
  const keep = (ids: string[]) => (opts.changedIds ? ids.filter((id) => opts.changedIds!.has(id)) : ids);
  // Candidates: repositories using any changed package, from the reverse index.
  const candidates = new Map<string, RepoRef>();
  const lockedRows = new Map<string, Array<{ datasource: string; name: string; version: string; component: string; file: string }>>();
  const seen = new Set<string>();
  for (const c of changes) {
    for (const p of c.packages) {
      const k = `${p.ecosystem}\u0000${normalisePackageName(p.ecosystem, p.name)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      for (const d of await opts.store.findDependents(p)) {
        const key = `${d.repo.owner}/${d.repo.repo}`;
        candidates.set(key, d.repo);
        // The index's lockfile-only rows are the basis's lockfile packages of this package, at their versions.
        if (!d.direct) (lockedRows.get(key) ?? lockedRows.set(key, []).get(key)!).push({ datasource: datasourceForEcosystem(d.ecosystem), name: d.name, version: d.version, component: d.component, file: d.file });
      }
    }
  }
  const reassessed: RepoReassessment[] = [];
  // Each candidate's stored dependencies are read ahead, 8 repositories at a time.
  for (const [repo, read] of readAhead([...candidates.values()], 8, (repo) => opts.store.getDependencies(repo))) {
    const deps = await read;
    // Queue mode: the changed packages only, at the version the scan matched (locked, else declared), plus
    // the lockfile-only packages the index has from the basis; the job re-checks everything.
    // (A candidate without such rows: its basis, if any, says what the scan matched.)
    const locked = lockedRows.get(`${repo.owner}/${repo.repo}`) ?? (opts.enqueue ? (await opts.store.getReassessBasis(repo))?.scan.locked : undefined);
    const raw = opts.enqueue && locked ? await reassessAdvisories(checkList(deps, locked, seen), index, seen) : await reassessAdvisories(deps, index, seen);
    const r = { ...raw, added: keep(raw.added), removed: keep(raw.removed) };
    if (r.added.length === 0 && r.removed.length === 0) continue; // the version is outside every changed range
    if (opts.enqueue) {
      const entry = { repo, added: r.added, removed: r.removed };
      reassessed.push(entry);
      await opts.enqueue(entry, { checksum, withdrawn: changes.filter((c) => c.kind === "withdrawn").map((c) => c.id) });
      continue;
    }
    if (opts.changedIds) throw new Error("a refresh whose source knows only the changed records cannot write dependencies: pass enqueue");
    const state = await opts.store.getScanState(repo);
    await opts.store.putDependencies(repo, r.dependencies, { scanned_at: clock().toISOString(), head_sha: state?.head_sha ?? null });
    const entry = { repo, added: r.added, removed: r.removed };
    reassessed.push(entry);
    await opts.onReassessed?.(entry, r.dependencies);
  }
  return { candidates: candidates.size, reassessed };
}

/** Write the state document (both sources' parts) atomically. */
export async function writeAdvisoryState(file: string, state: AdvisoryState): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(state));
}
