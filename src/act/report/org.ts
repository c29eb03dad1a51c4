/**
 * Organisation overview (issue 15): every repository of an owner that the store holds, worst first,
 * with status, health, open critical/high, overdue and deferred counts, last scan, failed jobs (when a
 * queue is wired in) and remediation measures; plus the organisation's pooled measures.
 * Built from the Store interface only, so the file store and PostgreSQL give the same overview.
 * Callers decide which repositories the reader may see (`include`): the server checks per repository.
 */
import { remediationMeasures, type RemediationMeasures } from "../../assess/measures.js";
import { deadlineCounts } from "../../assess/deadlines.js";
import type { OverallStatus } from "../../model/index.js";
import type { RepoRef, Store } from "../../store/types.js";
import { csvTable } from "./csv.js";
import { escapeAttr, escapeHtml } from "./escape.js";
import { isOpenIssue, percent, systemHealthScore } from "./summary.js";

export interface OrgRepositoryRow {
  repository: string;
  status: OverallStatus | "maintenance" | "no_data";
  /** Mean component health 0..1, null when unknown. */
  health_score: number | null;
  open_critical: number;
  open_high: number;
  open_total: number;
  overdue: number;
  deferred: number;
  last_scan: string | null;
  /** Failed jobs of the repository in the queue; null when no queue is wired in. */
  failed_jobs: number | null;
  measures: RemediationMeasures;
}

export interface OrgOverview {
  owner: string;
  generated_at: string;
  repositories: OrgRepositoryRow[];
  measures: RemediationMeasures;
}

export interface OrgOverviewOptions {
  store: Store;
  owner: string;
  now: Date;
  /** Which repositories the reader may see; the rest are left out entirely (default: all). */
  include?: (repo: RepoRef) => Promise<boolean>;
  /** Failed jobs per repository from the job queue, when there is one. */
  failedJobs?: (repo: RepoRef) => Promise<number>;
}

const STATUS_RANK: Record<OrgRepositoryRow["status"], number> = { critical: 0, warning: 1, maintenance: 2, no_data: 3, healthy: 4 };

/** Worst first: status, then overdue, open critical, open high, lowest health, then name. */
export function compareOrgRows(a: OrgRepositoryRow, b: OrgRepositoryRow): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    b.overdue - a.overdue ||
    b.open_critical - a.open_critical ||
    b.open_high - a.open_high ||
    (a.health_score ?? 2) - (b.health_score ?? 2) ||
    a.repository.localeCompare(b.repository)
  );
}

export async function buildOrgOverview(opts: OrgOverviewOptions): Promise<OrgOverview> {
  const owner = opts.owner.toLowerCase();
  const repos = (await opts.store.listRepos()).filter((r) => r.owner.toLowerCase() === owner);
  const rows: OrgRepositoryRow[] = [];
  const pooled: Parameters<typeof remediationMeasures>[0][number][] = [];
  for (const ref of repos) {
    if (opts.include && !(await opts.include(ref))) continue;
    const [system, issues, records, scan] = await Promise.all([
      opts.store.getSystemHealth(ref),
      opts.store.getIssues(ref),
      opts.store.getRecords(ref),
      opts.store.getScanState(ref),
    ]);
    const name = `${ref.owner}/${ref.repo}`;
    const open = issues.filter(isOpenIssue);
    const dc = deadlineCounts(issues, opts.now);
    const input = { issues, records, repository: name };
    pooled.push(input);
    rows.push({
      repository: name,
      status: !system ? "no_data" : system.maintenance_mode ? "maintenance" : system.overall_status,
      health_score: system ? systemHealthScore(system) : null,
      open_critical: open.filter((i) => i.severity === "critical").length,
      open_high: open.filter((i) => i.severity === "high").length,
      open_total: open.length,
      overdue: dc.overdue,
      deferred: dc.deferred,
      last_scan: scan?.last_scan_finished_at ?? system?.timestamp ?? null,
      failed_jobs: opts.failedJobs ? await opts.failedJobs(ref) : null,
      measures: remediationMeasures([input], opts.now),
    });
  }
  rows.sort(compareOrgRows);
  return { owner, generated_at: opts.now.toISOString(), repositories: rows, measures: remediationMeasures(pooled, opts.now) };
}

export const ORG_COLUMNS = [
  "repository",
  "status",
  "health_score",
  "open_critical",
  "open_high",
  "open_total",
  "overdue",
  "deferred",
  "last_scan",
  "failed_jobs",
  "closed_within_deadline_share",
  "mttr_critical_days",
  "p90_critical_days",
  "mttr_high_days",
  "p90_high_days",
  "oldest_open_critical",
] as const;

export function renderOrgCsv(o: OrgOverview): string {
  return csvTable(
    ORG_COLUMNS,
    o.repositories.map((r) => [
      r.repository,
      r.status,
      r.health_score === null ? null : Math.round(r.health_score * 1000) / 1000,
      r.open_critical,
      r.open_high,
      r.open_total,
      r.overdue,
      r.deferred,
      r.last_scan,
      r.failed_jobs,
      r.measures.closed_within_deadline_share === null ? null : Math.round(r.measures.closed_within_deadline_share * 1000) / 1000,
      r.measures.time_to_remediate.critical.mean_days,
      r.measures.time_to_remediate.critical.p90_days,
      r.measures.time_to_remediate.high.mean_days,
      r.measures.time_to_remediate.high.p90_days,
      r.measures.oldest_open_critical ? `${r.measures.oldest_open_critical.title} (${r.measures.oldest_open_critical.age_days} days)` : null,
    ]),
  );
}

export function renderOrgJson(o: OrgOverview): string {
  return `${JSON.stringify(o, null, 2)}\n`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2937;background:#f8fafc}header{padding:16px 24px;background:#0f172a;color:#fff}header h1{margin:0;font-size:20px}
main{padding:16px 24px}table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}th{background:#f1f5f9;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;color:#fff;background:#6b7280}.s-critical{background:#dc2626}.s-warning{background:#d97706}.s-healthy{background:#16a34a}.s-maintenance{background:#2563eb}
.num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#dc2626;font-weight:600}.muted{color:#6b7280}.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:150px}.card b{display:block;font-size:20px}`;

const days = (n: number | null): string => (n === null ? "n/a" : `${n} d`);

/** Self-contained page (no script); `repoHref` gives the link of a row (the repository's dashboard). */
export function renderOrgHtml(o: OrgOverview, opts: { repoHref?: (repository: string) => string | null; login?: string | null } = {}): string {
  const m = o.measures;
  const cards = [
    ["Repositories", String(o.repositories.length)],
    ["Overdue", String(m.overdue)],
    ["Deferred (risk accepted)", String(m.deferred)],
    ["Closed within deadline", percent(m.closed_within_deadline_share)],
    ["Critical: mean / p90 to fix", `${days(m.time_to_remediate.critical.mean_days)} / ${days(m.time_to_remediate.critical.p90_days)}`],
    ["High: mean / p90 to fix", `${days(m.time_to_remediate.high.mean_days)} / ${days(m.time_to_remediate.high.p90_days)}`],
    ["Open by age (days)", Object.entries(m.open_by_age).map(([k, v]) => `${k}: ${v}`).join(" · ")],
    ["Oldest open critical", m.oldest_open_critical ? `${m.oldest_open_critical.repository ?? ""} · ${m.oldest_open_critical.age_days} d` : "none"],
  ]
    .map(([k, v]) => `<div class="card"><span class="muted">${escapeHtml(k)}</span><b>${escapeHtml(v)}</b></div>`)
    .join("");
  const rows = o.repositories
    .map((r) => {
      const href = opts.repoHref?.(r.repository) ?? null;
      const name = href ? `<a href="${escapeAttr(href)}">${escapeHtml(r.repository)}</a>` : escapeHtml(r.repository);
      return (
        `<tr class="repo" data-repository="${escapeAttr(r.repository)}"><td>${name}</td><td><span class="badge s-${escapeAttr(r.status)}">${escapeHtml(r.status.replace("_", " "))}</span></td>` +
        `<td class="num">${escapeHtml(percent(r.health_score))}</td><td class="num${r.open_critical > 0 ? " bad" : ""}">${r.open_critical}</td><td class="num">${r.open_high}</td>` +
        `<td class="num${r.overdue > 0 ? " bad" : ""}">${r.overdue}</td><td class="num">${r.deferred}</td><td>${escapeHtml(r.last_scan ?? "never")}</td>` +
        `<td class="num">${r.failed_jobs === null ? `<span class="muted">n/a</span>` : r.failed_jobs}</td>` +
        `<td class="num">${escapeHtml(percent(r.measures.closed_within_deadline_share))}</td><td class="num">${escapeHtml(days(r.measures.time_to_remediate.critical.p90_days))}</td></tr>`
      );
    })
    .join("\n");
  const title = `Cowabunga: ${o.owner}`;
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">`,
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${escapeHtml(o.owner)}: organisation overview</h1><div class="muted">${o.repositories.length} repositories you can read · worst first · generated ${escapeHtml(o.generated_at)}${opts.login ? ` · signed in as ${escapeHtml(opts.login)}` : ""}</div></header>`,
    `<main><section id="measures"><div class="cards">${cards}</div></section>`,
    `<section id="repositories"><table><thead><tr><th>Repository</th><th>Status</th><th>Health</th><th>Open critical</th><th>Open high</th><th>Overdue</th><th>Deferred</th><th>Last scan</th><th>Failed jobs</th><th>Closed on time</th><th>p90 critical</th></tr></thead><tbody>`,
    rows || `<tr><td colspan="11" class="muted">No repositories of ${escapeHtml(o.owner)} that you can read have been assessed yet.</td></tr>`,
    `</tbody></table></section></main></body></html>`,
  ].join("\n");
}
