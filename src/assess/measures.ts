/**
 * Remediation measures (issue 15), per repository or over an organisation's issues pooled:
 * mean and p90 time to remediate per severity, open findings by age bucket, the share closed within
 * their deadline, and the oldest open critical finding. Security findings only (those with deadlines).
 *
 * Time to remediate = first detection (created_at) → the fix: the earliest successful MaintenanceRecord
 * that lists the issue in issues_resolved (the update PR merged), else the issue's resolved_at (the
 * lifecycle's resolution, e.g. a manual bump noticed by the next scan).
 */
import type { MaintenanceIssue, MaintenanceRecord, Severity } from "../model/index.js";
import { DAY_MS, deadlineCounts } from "./deadlines.js";

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
export const AGE_BUCKETS = ["0-30", "31-90", "91-180", "181+"] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

export interface RemediationTime {
  resolved: number;
  mean_days: number | null;
  p90_days: number | null;
}

export interface RemediationMeasures {
  time_to_remediate: Record<Severity, RemediationTime>;
  open_by_age: Record<AgeBucket, number>;
  closed: number;
  closed_within_deadline: number;
  /** closed_within_deadline / closed, null when nothing closed yet. */
  closed_within_deadline_share: number | null;
  overdue: number;
  deferred: number;
  oldest_open_critical: { id: string; title: string; detected_at: string; age_days: number; repository?: string } | null;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** When the fix landed: the first successful record naming the issue, else resolved_at. */
export function fixedAt(issue: MaintenanceIssue, records: readonly MaintenanceRecord[]): string | null {
  if (issue.status !== "resolved") return null;
  const start = Date.parse(issue.created_at);
  const fromRecords = records
    .filter((r) => r.success && r.issues_resolved.includes(issue.id) && Date.parse(r.performed_at) >= start)
    .map((r) => r.performed_at)
    .sort()[0];
  return fromRecords ?? issue.resolved_at;
}

export function bucketOf(ageDays: number): AgeBucket {
  return ageDays <= 30 ? "0-30" : ageDays <= 90 ? "31-90" : ageDays <= 180 ? "91-180" : "181+";
}

export interface MeasureInput {
  issues: readonly MaintenanceIssue[];
  records: readonly MaintenanceRecord[];
  /** Repository name, to say where the oldest critical is in an organisation's measures. */
  repository?: string;
}

/** Measures over one or more repositories' issues (pooled: an organisation's p90 is over all its findings). */
export function remediationMeasures(inputs: readonly MeasureInput[], now: Date): RemediationMeasures {
  const durations: Record<Severity, number[]> = { critical: [], high: [], medium: [], low: [] };
  const open_by_age: Record<AgeBucket, number> = { "0-30": 0, "31-90": 0, "91-180": 0, "181+": 0 };
  let closed = 0;
  let onTime = 0;
  let overdue = 0;
  let deferred = 0;
  let oldest: RemediationMeasures["oldest_open_critical"] = null;
  for (const input of inputs) {
    const security = input.issues.filter((i) => i.type === "security");
    const dc = deadlineCounts(security, now);
    overdue += dc.overdue;
    deferred += dc.deferred;
    for (const i of security) {
      const start = Date.parse(i.created_at);
      if (i.status === "resolved") {
        const at = fixedAt(i, input.records);
        if (!at) continue;
        closed += 1;
        durations[i.severity].push((Date.parse(at) - start) / DAY_MS);
        if (i.due_at && Date.parse(at) <= Date.parse(i.due_at)) onTime += 1;
      } else if (i.status === "open" || i.status === "in_progress") {
        const age = Math.max(0, Math.floor((now.getTime() - start) / DAY_MS));
        open_by_age[bucketOf(age)] += 1;
        if (i.severity === "critical" && (!oldest || start < Date.parse(oldest.detected_at))) {
          oldest = { id: i.id, title: i.title, detected_at: i.created_at, age_days: age, ...(input.repository ? { repository: input.repository } : {}) };
        }
      }
    }
  }
  const time_to_remediate = Object.fromEntries(
    SEVERITIES.map((s) => {
      const d = [...durations[s]].sort((a, b) => a - b);
      const mean = d.length > 0 ? d.reduce((x, y) => x + y, 0) / d.length : null;
      const p90 = percentile(d, 90);
      return [s, { resolved: d.length, mean_days: mean === null ? null : round1(mean), p90_days: p90 === null ? null : round1(p90) }];
    }),
  ) as Record<Severity, RemediationTime>;
  return {
    time_to_remediate,
    open_by_age,
    closed,
    closed_within_deadline: onTime,
    closed_within_deadline_share: closed > 0 ? onTime / closed : null,
    overdue,
    deferred,
    oldest_open_critical: oldest,
  };
}
