import type { SystemHealth } from "../model/health.js";
import type { MaintenanceIssue } from "../model/issue.js";
import type { MaintenanceRecord } from "../model/record.js";
import type { DependencySnapshot, Retention } from "./types.js";

const DAY_MS = 86_400_000;

/** The seed's retention policies (data-model.md, "Retention Policies"). */
export const DEFAULT_RETENTION: Retention = {
  health_days: 30,
  issue_history_days: 365,
  dependency_history_days: 182,
  records_days: 0,
};

/** Kept when its age is at most `days` days (age exactly `days` is kept; one millisecond more is not). */
function within(iso: string | null | undefined, days: number, now: Date): boolean {
  // Stryker disable next-line ConditionalExpression: a missing time also fails to parse below, which keeps it too
  if (!iso) return true;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return true;
  return now.getTime() - t <= days * DAY_MS;
}

/**
 * Health snapshots: a rolling window of `health_days`, oldest first. The latest snapshot is always
 * kept: snapshots are stored only when something changed, so it still describes the present.
 */
export function pruneHealthHistory(history: SystemHealth[], r: Retention, now: Date): SystemHealth[] {
  return history.filter((h, i) => i === history.length - 1 || within(h.timestamp, r.health_days, now));
}

/** Resolved and deferred issues go once their last activity is older than `issue_history_days`; open ones never. */
export function pruneIssues(issues: MaintenanceIssue[], r: Retention, now: Date): MaintenanceIssue[] {
  return issues.filter((i) => {
    if (i.status !== "resolved" && i.status !== "deferred") return true;
    // Stryker disable next-line MethodExpression: the filter drops a null resolved_at; updated_at is a required DateTime, so the first of the sorted times is the same without it
    const last = [i.updated_at, i.resolved_at].filter((x): x is string => !!x).sort((a, b) => Date.parse(b) - Date.parse(a))[0];
    return within(last, r.issue_history_days, now);
  });
}

/** Maintenance records are a permanent archive unless `records_days` > 0. */
export function pruneRecords(records: MaintenanceRecord[], r: Retention, now: Date): MaintenanceRecord[] {
  if (!r.records_days) return records;
  return records.filter((x) => within(x.performed_at, r.records_days, now));
}

/** Dependency snapshots: `dependency_history_days`, oldest first; the latest is always kept (see pruneHealthHistory). */
export function pruneDependencyHistory(history: DependencySnapshot[], r: Retention, now: Date): DependencySnapshot[] {
  return history.filter((s, i) => i === history.length - 1 || within(s.scanned_at, r.dependency_history_days, now));
}

/** Snapshots older than this many days are thinned to the last one of each UTC day. */
export const HISTORY_COMPACT_AFTER_DAYS = 7;

/**
 * History append that stores a snapshot only when it differs from the latest one (by `same`), so
 * a repository scanned every hour without changes does not grow its history. Kept sorted by time.
 */
export function appendIfChanged<T>(history: readonly T[], next: T, same: (a: T, b: T) => boolean, timeOf: (x: T) => string): T[] {
  const sorted = [...history].sort((a, b) => Date.parse(timeOf(a)) - Date.parse(timeOf(b)));
  const last = sorted.at(-1);
  if (last !== undefined && Date.parse(timeOf(last)) <= Date.parse(timeOf(next)) && same(last, next)) return sorted;
  sorted.push(next);
  return sorted.sort((a, b) => Date.parse(timeOf(a)) - Date.parse(timeOf(b)));
}

/**
 * Compaction by age: the last `afterDays` days keep every snapshot; older ones keep only the
 * latest snapshot of each UTC day. Input and output are sorted oldest first.
 */
export function compactByAge<T>(history: readonly T[], timeOf: (x: T) => string, now: Date, afterDays = HISTORY_COMPACT_AFTER_DAYS): T[] {
  const cutoff = now.getTime() - afterDays * DAY_MS;
  const out: T[] = [];
  for (let i = 0; i < history.length; i++) {
    const t = Date.parse(timeOf(history[i]));
    if (Number.isNaN(t) || t >= cutoff) {
      out.push(history[i]);
      continue;
    }
    const next = history[i + 1];
    const nextT = next === undefined ? NaN : Date.parse(timeOf(next));
    // Keep the day's last one: no later snapshot on the same UTC day.
    if (Number.isNaN(nextT) || Math.floor(nextT / DAY_MS) !== Math.floor(t / DAY_MS)) out.push(history[i]);
  }
  return out;
}

/** Same dependency versions (scan time and commit aside). */
export function sameDependencySnapshot(a: DependencySnapshot, b: DependencySnapshot): boolean {
  // The same multiset of versions: each entry as JSON, sorted.
  const key = (s: DependencySnapshot): string => JSON.stringify(s.dependencies.map((d) => JSON.stringify([d.component, d.package_manager, d.name, d.file, d.version, d.latest_version])).sort());
  return key(a) === key(b);
}

/** Same health (the snapshot time and per-component check times aside). */
export function sameSystemHealth(a: SystemHealth, b: SystemHealth): boolean {
  const strip = (h: SystemHealth): string => JSON.stringify({ ...h, timestamp: null, components: h.components.map((c) => ({ ...c, last_check: null })) });
  return strip(a) === strip(b);
}

