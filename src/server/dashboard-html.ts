import { summariseRuntime, type RuntimeSample } from "../act/runtime/metrics-store.js";
import { escapeAttr, escapeHtml } from "../act/report/escape.js";
import { HTML_CSP, renderHtml } from "../act/report/html.js";
import type { Assessment } from "../assess/types.js";
import type { MaintenanceRecord, SystemHealth } from "../model/index.js";
import type { RepoRef } from "../store/types.js";
import type { JobView } from "../jobs/types.js";

/** The dashboard's CSP: the report's (one hashed script, nothing fetched) plus no framing; forms only to us. */
export const DASHBOARD_PAGE_CSP = `${HTML_CSP.replace("form-action 'none'", "form-action 'self'")}; frame-ancestors 'none'`;

export interface DashboardView {
  repo: RepoRef;
  assessment: Assessment;
  history: readonly SystemHealth[];
  records: readonly MaintenanceRecord[];
  /** Runtime samples per component (push and poll), for the uptime strips. */
  runtime?: Record<string, RuntimeSample[]>;
  login?: string | null;
  now: Date;
  /** This repository's queued, running, retrying and failed jobs (absent: the process has no queue). */
  jobs?: readonly JobView[];
}

const JOB_STATE_ORDER = { running: 0, retry: 1, queued: 2, failed: 3 } as const;

/** The repository's jobs: what runs, what waits, what failed and why. */
export function jobsHtml(jobs: readonly JobView[]): string {
  const sorted = [...jobs].sort((a, b) => JOB_STATE_ORDER[a.state] - JOB_STATE_ORDER[b.state] || Date.parse(b.created_at) - Date.parse(a.created_at));
  const count = (s: JobView["state"]): number => jobs.filter((j) => j.state === s).length;
  const summary = `${count("running")} running, ${count("queued")} queued, ${count("retry")} waiting to retry, ${count("failed")} failed`;
  const rows = sorted
    .map(
      (j) =>
        `<tr class="job" data-state="${escapeAttr(j.state)}" data-kind="${escapeAttr(j.kind)}">` +
        `<td>${escapeHtml(j.kind)}</td><td>${escapeHtml(j.state)}</td><td>${j.attempts} of ${j.max_attempts}</td>` +
        `<td>${escapeHtml(j.created_at)}</td><td>${escapeHtml(j.started_at ?? "")}</td><td>${escapeHtml(j.finished_at ?? "")}</td>` +
        `<td>${escapeHtml(j.error ?? "")}</td><td class="muted">${escapeHtml(j.source ?? "")}</td></tr>`,
    )
    .join("\n");
  return (
    `<section id="jobs"><h2>Jobs</h2><p class="muted" id="jobs-summary">${escapeHtml(summary)}</p>` +
    (jobs.length === 0
      ? `<p class="muted">No job is queued, running or failed for this repository.</p>`
      : `<table><thead><tr><th>Kind</th><th>State</th><th>Attempts</th><th>Queued</th><th>Started</th><th>Failed</th><th>Error</th><th>Source</th></tr></thead><tbody>\n${rows}\n</tbody></table>`) +
    `</section>`
  );
}

const COMMIT = /^[0-9a-f]{7,40}$/i;

function recordsHtml(records: readonly MaintenanceRecord[]): string {
  const sorted = [...records].sort((a, b) => Date.parse(b.performed_at) - Date.parse(a.performed_at));
  const rows = sorted
    .map((r) => {
      const commit = COMMIT.test(r.rollback_before_commit) ? `<code>${escapeHtml(r.rollback_before_commit.slice(0, 12))}</code>` : escapeHtml(r.rollback_before_commit || "n/a");
      const refs = [
        r.pull_request !== null ? `PR #${r.pull_request}` : null,
        r.revert_pull_request !== null ? `revert PR #${r.revert_pull_request}` : null,
      ].filter(Boolean);
      return (
        `<tr class="record" data-type="${escapeAttr(r.type)}" data-success="${r.success ? "1" : "0"}">` +
        `<td>${escapeHtml(r.performed_at)}</td><td>${escapeHtml(r.title)}<div class="muted">${escapeHtml(r.description)}</div></td>` +
        `<td>${escapeHtml(r.type)}</td><td>${r.success ? "succeeded" : "failed"}</td>` +
        `<td>${escapeHtml(r.dependencies_updated.join(", "))}</td>` +
        `<td>${r.rollback_available ? "available" : "not available"}<div class="muted">${escapeHtml(r.rollback_strategy)}</div></td>` +
        `<td>${commit}</td><td>${escapeHtml(refs.join(", ") || "none")}</td></tr>`
      );
    })
    .join("\n");
  return (
    `<section id="records"><h2>Maintenance records (${records.length})</h2>` +
    (records.length === 0
      ? `<p class="muted">No maintenance recorded yet.</p>`
      : `<table><thead><tr><th>Performed</th><th>Title</th><th>Type</th><th>Result</th><th>Dependencies</th><th>Rollback</th><th>Before commit</th><th>Pull requests</th></tr></thead><tbody>\n${rows}\n</tbody></table>`) +
    `</section>`
  );
}

/** One strip per component: a cell per day of the last 30, coloured by that day's share of up samples. */
function runtimeHtml(runtime: Record<string, RuntimeSample[]>, now: Date): string {
  const names = Object.keys(runtime)
    .filter((n) => runtime[n].length > 0)
    .sort();
  if (names.length === 0) return `<section id="runtime"><h2>Runtime health</h2><p class="muted">No runtime metrics reported or polled yet.</p></section>`;
  const dayMs = 86_400_000;
  const today = Math.floor(now.getTime() / dayMs);
  const rows = names.map((name) => {
    const samples = runtime[name];
    const m = summariseRuntime(samples, now);
    const cells: string[] = [];
    for (let d = today - 29; d <= today; d++) {
      const day = samples.filter((s) => Math.floor(Date.parse(s.at) / dayMs) === d && s.up !== null);
      const up = day.filter((s) => s.up).length;
      const share = day.length === 0 ? null : up / day.length;
      const colour = share === null ? "#e5e7eb" : share >= 0.99 ? "#16a34a" : share >= 0.9 ? "#d97706" : "#dc2626";
      const label = `${new Date(d * dayMs).toISOString().slice(0, 10)}: ${share === null ? "no data" : `${Math.round(share * 1000) / 10}% up (${day.length} checks)`}`;
      cells.push(`<rect x="${(d - today + 29) * 9}" y="0" width="8" height="18" fill="${colour}"><title>${escapeHtml(label)}</title></rect>`);
    }
    const fmt = (v: number | null | undefined, unit: string): string => (v == null ? "n/a" : `${v}${unit}`);
    return (
      `<tr class="runtime"><td>${escapeHtml(name)}</td>` +
      `<td><svg class="uptime" viewBox="0 0 270 18" width="270" height="18" role="img" aria-label="${escapeAttr(`uptime of ${name}, last 30 days`)}">${cells.join("")}</svg></td>` +
      `<td>${fmt(m.uptime_percentage, "%")}</td><td>${fmt(m.error_rate, "%")}</td><td>${fmt(m.response_time_ms, " ms")}</td>` +
      `<td>${fmt(m.memory_usage_mb, " MB")}</td><td>${fmt(m.cpu_usage_percent, "%")}</td><td>${escapeHtml(samples.at(-1)?.at ?? "")}</td></tr>`
    );
  });
  return (
    `<section id="runtime"><h2>Runtime health (30 days)</h2>` +
    `<table><thead><tr><th>Component</th><th>Uptime by day</th><th>Uptime</th><th>Error rate</th><th>Response time</th><th>Memory</th><th>CPU</th><th>Last sample</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></section>`
  );
}

/**
 * The dashboard page: the HTML report (renderHtml: status, components, history chart, filterable
 * issues and dependencies) plus runtime uptime strips, maintenance records with their rollback
 * references, and a sign-in bar.
 */
export function renderDashboardHtml(view: DashboardView): string {
  const slug = `${view.repo.owner}/${view.repo.repo}`;
  const page = renderHtml(view.assessment, {
    history: view.history,
    title: `Cowabunga dashboard: ${slug}`,
    subject: slug,
    clock: () => view.now,
  });
  const bar =
    `<nav class="signin muted" style="max-width:1400px;margin:0 auto;padding:4px 24px">` +
    (view.login ? `Signed in as <strong id="login">${escapeHtml(view.login)}</strong> · ` : "") +
    `<a href="/dashboard/logout">Sign out</a></nav>`;
  const extra = `${view.runtime ? runtimeHtml(view.runtime, view.now) : ""}\n${recordsHtml(view.records)}\n${view.jobs ? `${jobsHtml(view.jobs)}\n` : ""}`;
  const headerEnd = page.indexOf("</header>");
  const mainEnd = page.indexOf("</main>");
  if (headerEnd < 0 || mainEnd < 0) return page;
  return page.slice(0, headerEnd + 9) + bar + page.slice(headerEnd + 9, mainEnd) + extra + page.slice(mainEnd);
}

/** A small page for sign-in problems and 404s, styled like the dashboard, no script. */
export function renderMessagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">`,
    `<title>${escapeHtml(title)}</title><style>body{font:14px/1.45 system-ui,sans-serif;margin:40px auto;max-width:640px;color:#111827}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>`,
    link ? `<p><a href="${escapeAttr(link.href)}">${escapeHtml(link.text)}</a></p>` : "",
    `</body></html>`,
    "",
  ].join("\n");
}
