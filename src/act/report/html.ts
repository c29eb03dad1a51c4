/**
 * The self-contained HTML report: one file, inline CSS, one inline script allowed by its hash in a
 * strict CSP, an inline SVG chart, nothing fetched. Every piece of text is HTML-escaped; only
 * http(s) URLs become links. Works without JavaScript (all rows shown, filters hidden).
 */
import { createHash } from "node:crypto";
import type { Alert, Assessment, Clock } from "../../assess/types.js";
import type { AdvisoryRef, ComponentHealth, Dependency, HealthStatus, MaintenanceIssue, SystemHealth } from "../../model/index.js";
import type { ScanWarning } from "../../scan/types.js";
import { renderHealthChart } from "./chart.js";
import { escapeAttr, escapeHtml, jsonForScript, safeHttpUrl } from "./escape.js";
import { buildReportDocument } from "./json.js";
import {
  PRIORITY_ORDER,
  SEVERITY_ORDER,
  STATUS_ORDER,
  advisoriesForIssue,
  countReport,
  dependencyDepth,
  introducedThrough,
  isOutdated,
  isVulnerable,
  percent,
  remediationSummary,
  securityFixPlan,
  fixPlanLine,
  sortDependencies,
  sortIssues,
  systemHealthScore,
} from "./summary.js";

export interface HtmlReportOptions {
  /** Earlier SystemHealth snapshots for the chart; the current one is added automatically. */
  history?: readonly SystemHealth[];
  /** Page title (escaped). Default "Cowabunga health report". */
  title?: string;
  /** What was assessed, e.g. "owner/repo@sha" (escaped). */
  subject?: string;
  /** Time source for "generated at" (default: the wall clock). */
  clock?: Clock;
  /** Embed the JSON report document in the page (default true), so the file is also machine-readable. */
  embedData?: boolean;
}

const ISSUE_TYPES = ["security", "dependency", "bug", "documentation", "performance"] as const;

/** The page's only script. Constant, so its CSP hash is too. */
const SCRIPT = `(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function rowsOf(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  var issueRows = rowsOf("#issues tbody tr.issue");
  var depRows = rowsOf("#dependencies tbody tr.dep");
  var fSev = $("f-severity"), fType = $("f-type"), fStatus = $("f-status"), fText = $("f-text"), fDep = $("f-dep");
  function applyIssues() {
    var sv = fSev.value, tv = fType.value, st = fStatus.value, q = fText.value.trim().toLowerCase();
    var shown = 0;
    issueRows.forEach(function (r) {
      var ok = (sv === "all" || r.getAttribute("data-severity") === sv) &&
        (tv === "all" || r.getAttribute("data-type") === tv) &&
        (st === "all" || (st === "active" ? r.getAttribute("data-active") === "1" : r.getAttribute("data-status") === st)) &&
        (q === "" || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    });
    $("issue-count").textContent = shown + " of " + issueRows.length + " shown";
  }
  function applyDeps() {
    var v = fDep.value, shown = 0;
    depRows.forEach(function (r) {
      var vul = r.getAttribute("data-vulnerable") === "1", out = r.getAttribute("data-outdated") === "1";
      var ok = v === "all" || (v === "vulnerable" && vul) || (v === "outdated" && out) || (v === "attention" && (vul || out));
      r.hidden = !ok;
      if (ok) shown++;
    });
    $("dep-count").textContent = shown + " of " + depRows.length + " shown";
  }
  [fSev, fType, fStatus].forEach(function (el) { el.addEventListener("change", applyIssues); });
  fText.addEventListener("input", applyIssues);
  fDep.addEventListener("change", applyDeps);
  rowsOf(".filters").forEach(function (el) { el.hidden = false; });
  applyIssues();
  applyDeps();
})();`;

export const HTML_SCRIPT_HASH = `sha256-${createHash("sha256").update(SCRIPT, "utf8").digest("base64")}`;

/** The Content-Security-Policy the page declares in its meta tag. */
export const HTML_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src '${HTML_SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;

const CSS = `
:root { --ok:#16a34a; --warn:#d97706; --crit:#dc2626; --unk:#6b7280; --line:#e5e7eb; --muted:#6b7280; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header, main > section { max-width: 1400px; margin: 0 auto; padding: 12px 24px; }
header { background: #fff; border-bottom: 1px solid var(--line); max-width: none; }
h1 { font-size: 22px; margin: 4px 0; } h2 { font-size: 18px; margin: 18px 0 8px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.card .v { font-size: 22px; font-weight: 600; } .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; color: #fff; background: var(--unk); white-space: nowrap; }
.s-healthy, .sev-low { background: var(--ok); } .s-warning, .sev-medium { background: var(--warn); }
.s-critical, .sev-critical { background: var(--crit); } .sev-high { background: #ea580c; } .s-unknown { background: var(--unk); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
th { white-space: nowrap; } td code { word-break: break-all; } td.title { min-width: 240px; } td.files { min-width: 170px; }
.scroll { overflow-x: auto; }
th { background: #f3f4f6; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; position: sticky; top: 0; }
td ol, td ul { margin: 0; padding-left: 18px; }
.bar { width: 140px; height: 10px; background: #e5e7eb; border-radius: 5px; overflow: hidden; display: inline-block; vertical-align: middle; margin-right: 6px; }
.bar > span { display: block; height: 100%; }
.b-healthy { background: var(--ok); } .b-warning { background: var(--warn); } .b-critical { background: var(--crit); } .b-unknown { background: var(--unk); }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
.filters label { font-size: 13px; } .filters select, .filters input { font: inherit; padding: 2px 4px; }
[hidden] { display: none !important; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; max-width: 960px; }
.chart .grid { stroke: #e5e7eb; } .chart .threshold { stroke: var(--crit); stroke-dasharray: 4 4; }
.chart .axis, .chart .legend, .chart .empty { font-size: 11px; fill: #374151; } .chart .legend { font-weight: 600; }
tr.vuln td:first-child { border-left: 4px solid var(--crit); } tr.outdated td:first-child { border-left: 4px solid var(--warn); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
details summary { cursor: pointer; } summary h2 { display: inline; }
.alerts li { margin: 2px 0; }
`;

const ICON: Record<HealthStatus, string> = { healthy: "healthy", warning: "warning", critical: "critical", unknown: "unknown" };

function badge(cls: string, text: string): string {
  return `<span class="badge ${escapeAttr(cls)}">${escapeHtml(text)}</span>`;
}

/** An <a> for http(s) URLs, plain escaped text otherwise. */
export function htmlLink(text: string, url: string | null | undefined): string {
  const href = safeHttpUrl(url);
  if (href === null) return escapeHtml(text);
  return `<a href="${escapeAttr(href)}" rel="noopener noreferrer nofollow" target="_blank">${escapeHtml(text)}</a>`;
}

function list(items: readonly string[], tag: "ul" | "ol" = "ul"): string {
  if (items.length === 0) return `<span class="muted">none</span>`;
  return `<${tag}>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</${tag}>`;
}

function codeList(items: readonly string[]): string {
  if (items.length === 0) return `<span class="muted">none</span>`;
  return `<ul>${items.map((i) => `<li><code>${escapeHtml(i)}</code></li>`).join("")}</ul>`;
}

function healthBar(score: number, status: HealthStatus): string {
  const pct = Math.round(Math.min(Math.max(score, 0), 1) * 100);
  return `<span class="bar" role="img" aria-label="health ${pct}%"><span class="b-${ICON[status]}" style="width:${pct}%"></span></span>${pct}%`;
}

function card(key: string, value: string, extra = ""): string {
  return `<div class="card"><div class="k">${escapeHtml(key)}</div><div class="v">${value}</div>${extra}</div>`;
}

function overview(a: Assessment): string {
  const s = a.system;
  const c = countReport(a);
  const sev = c.open_by_severity;
  const cards = [
    card("Overall status", badge(`s-${s.overall_status}`, s.overall_status), s.maintenance_mode ? `<div class="muted">maintenance mode</div>` : ""),
    card("Health", escapeHtml(percent(systemHealthScore(s)))),
    card("Components", String(c.components)),
    card(
      "Open issues",
      String(c.issues_open),
      `<div class="muted">${sev.critical} critical · ${sev.high} high · ${sev.medium} medium · ${sev.low} low</div>`,
    ),
    card(
      "Vulnerable deps",
      String(c.vulnerable),
      `<div class="muted">${s.metrics.security_issues} security issues${c.not_checked > 0 ? `; ${c.not_checked} not checked for advisories` : ""}</div>`,
    ),
    card("Outdated deps", String(c.outdated), `<div class="muted">of ${c.dependencies}; ${c.deprecated} deprecated</div>`),
    card("Test coverage", s.metrics.test_coverage == null ? "n/a" : `${escapeHtml(s.metrics.test_coverage.toFixed(1))}%`),
  ];
  const lm = s.last_maintenance;
  const maint =
    `<p class="muted">Last maintenance: ${lm ? `${escapeHtml(lm.title)} (${escapeHtml(lm.performed_at)}, ${lm.success ? "succeeded" : "failed"})` : "none recorded"}` +
    ` · Next window: ${s.next_maintenance_window ? escapeHtml(s.next_maintenance_window) : "not scheduled"}</p>`;
  return `<section id="overview"><h2>Status overview</h2><div class="cards">${cards.join("")}</div>${maint}${alertsHtml(a.alerts)}</section>`;
}

function alertsHtml(alerts: readonly Alert[]): string {
  if (alerts.length === 0) return "";
  const sorted = [...alerts].sort((x, y) => SEVERITY_ORDER.indexOf(x.level) - SEVERITY_ORDER.indexOf(y.level));
  const items = sorted.map(
    (al) =>
      `<li>${badge(`sev-${al.level}`, al.level)} <strong>${escapeHtml(al.title)}</strong> <span class="muted">${escapeHtml(al.message)}</span>` +
      `${al.links.length > 0 ? ` · ${al.links.map((l) => htmlLink(l.label, l.url)).join(" · ")}` : ""}</li>`,
  );
  return `<h3>Alerts (${alerts.length})</h3><ul class="alerts">${items.join("")}</ul>`;
}

function componentsHtml(components: readonly ComponentHealth[]): string {
  if (components.length === 0) return `<section id="components"><h2>Components</h2><p class="muted">No components found.</p></section>`;
  const rows = [...components]
    .sort((x, y) => x.health_score - y.health_score || x.name.localeCompare(y.name))
    .map((c) => {
      const breakdown = Object.entries(c.score_breakdown)
        .map(([k, v]) => `${k}: ${Number.isFinite(v) ? v.toFixed(2) : "n/a"}`)
        .join(", ");
      return (
        `<tr class="component" data-status="${escapeAttr(c.status)}"><td><strong>${escapeHtml(c.name)}</strong><div class="muted"><code>${escapeHtml(c.path)}</code></div></td>` +
        `<td>${escapeHtml(c.type)}</td><td>${escapeHtml(c.version)}</td><td>${badge(`s-${c.status}`, c.status)}</td>` +
        `<td>${healthBar(c.health_score, c.status)}${breakdown ? `<div class="muted">${escapeHtml(breakdown)}</div>` : ""}</td>` +
        `<td>${c.open_issues}</td><td>${c.critical_issues}</td><td>${escapeHtml(c.dependencies.join(", "))}</td><td>${escapeHtml(c.dependent_components.join(", "))}</td></tr>`
      );
    });
  return (
    `<section id="components"><h2>Components (${components.length})</h2><table><thead><tr><th>Component</th><th>Type</th><th>Version</th><th>Status</th><th>Health</th>` +
    `<th>Open issues</th><th>Critical</th><th>Depends on</th><th>Used by</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`
  );
}

function advisoryItem(adv: AdvisoryRef): string {
  const score = adv.score == null ? "" : ` <span class="muted">CVSS ${adv.score.toFixed(1)}${adv.score_estimated ? " (est.)" : ""}</span>`;
  const aliases = adv.aliases.length > 0 ? ` <span class="muted">(${escapeHtml(adv.aliases.join(", "))})</span>` : "";
  const fix = adv.fixed_version ? ` · fixed in <code>${escapeHtml(adv.fixed_version)}</code>` : " · no fix yet";
  return `<li>${htmlLink(adv.id, adv.url)}${aliases}${score}${fix}<div>${escapeHtml(adv.summary)}</div></li>`;
}

function issueRow(i: MaintenanceIssue, deps: readonly Dependency[]): string {
  const advisories = advisoriesForIssue(i, deps);
  const active = i.status === "open" || i.status === "in_progress";
  const risk = i.risk_assessment;
  const detail =
    `<details><summary>Details</summary><p>${escapeHtml(i.description)}</p>` +
    `<p><strong>Risk:</strong> ${escapeHtml(risk.level)} (${risk.score.toFixed(1)}/10) · ${escapeHtml(risk.potential_impact)}</p>` +
    `<p><strong>Effort:</strong> ${escapeHtml(i.estimated_effort)}${i.assignee ? ` · <strong>Assignee:</strong> ${escapeHtml(i.assignee)}` : ""}</p>` +
    `<p><strong>Testing:</strong></p>${list(i.testing_requirements)}` +
    (i.defer_reason ? `<p><strong>Deferred:</strong> ${escapeHtml(i.defer_reason)}</p>` : "") +
    `<p class="muted">id <code>${escapeHtml(i.id)}</code> · ${escapeHtml(i.lifecycle_state)} · found ${escapeHtml(i.created_at)}${i.github_issue_number != null ? ` · GitHub #${i.github_issue_number}` : ""}</p></details>`;
  return (
    `<tr class="issue" data-severity="${escapeAttr(i.severity)}" data-type="${escapeAttr(i.type)}" data-status="${escapeAttr(i.status)}" data-active="${active ? "1" : "0"}">` +
    `<td>${badge(`sev-${i.severity}`, i.severity)}</td><td>${escapeHtml(i.priority)}</td><td>${escapeHtml(i.type)}</td><td>${escapeHtml(i.status.replace("_", " "))}</td>` +
    `<td class="title"><strong>${escapeHtml(i.title)}</strong>${detail}</td>` +
    `<td>${list(i.affected_components)}</td><td class="files">${codeList(i.files_affected)}</td><td>${list(i.resolution_steps, "ol")}</td>` +
    `<td>${advisories.length > 0 ? `<ul>${advisories.map(advisoryItem).join("")}</ul>` : `<span class="muted">none</span>`}</td></tr>`
  );
}

function options(values: readonly string[], labels: Record<string, string> = {}): string {
  return [`<option value="all">all</option>`, ...values.map((v) => `<option value="${escapeAttr(v)}">${escapeHtml(labels[v] ?? v.replace("_", " "))}</option>`)].join("");
}

function issuesHtml(a: Assessment): string {
  const rows = sortIssues(a.issues).map((i) => issueRow(i, a.dependencies));
  const filters =
    `<div class="filters" hidden><label>Severity <select id="f-severity">${options(SEVERITY_ORDER)}</select></label>` +
    `<label>Type <select id="f-type">${options(ISSUE_TYPES)}</select></label>` +
    `<label>Status <select id="f-status">${options(["active", ...STATUS_ORDER], { active: "open or in progress" })}</select></label>` +
    `<label>Text <input id="f-text" type="search" placeholder="title, file, component"></label><span id="issue-count" class="muted"></span></div>`;
  const body =
    rows.length === 0
      ? `<tr><td colspan="9" class="muted">No issues.</td></tr>`
      : rows.join("");
  return (
    `<section id="issues"><h2>Issues (${a.issues.length})</h2><p class="muted">Ordered by status, then priority (${PRIORITY_ORDER.join(" → ")}), then severity.</p>${filters}` +
    `<div class="scroll"><table><thead><tr><th>Severity</th><th>Priority</th><th>Type</th><th>Status</th><th>Issue</th><th>Components</th><th>Files</th><th>Resolution steps</th><th>Advisories</th></tr></thead>` +
    `<tbody>${body}</tbody></table></div></section>`
  );
}

function depRow(d: Dependency): string {
  const vul = isVulnerable(d);
  const out = isOutdated(d);
  const advisories =
    d.advisories.length > 0
      ? `<ul>${d.advisories.map((adv) => `<li>${htmlLink(adv.id, adv.url)}${adv.score == null ? "" : ` <span class="muted">${adv.score.toFixed(1)}</span>`}</li>`).join("")}</ul>`
      : d.cve_ids.length > 0
        ? list(d.cve_ids)
        : "";
  const paths = introducedThrough(d);
  const graph =
    (d.depth !== null || d.current_value === "(transitive)" ? `<div class="muted">${escapeHtml(dependencyDepth(d))}</div>` : "") +
    (paths.length > 0 ? `<ul class="paths">${paths.map((p) => `<li>${escapeHtml(p)}</li>`).join("")}</ul>` : "") +
    (d.remediation ? `<div class="muted">fix: ${escapeHtml(remediationSummary(d))}</div>` : "");
  const flags = [d.deprecated ? "deprecated" : "", d.lookup.status !== "ok" ? `lookup ${d.lookup.status}${d.lookup.reason ? `: ${d.lookup.reason}` : ""}` : "", d.skip_reason ?? ""].filter((f) => f !== "");
  const name = d.source_url ? htmlLink(d.name, d.source_url) : escapeHtml(d.name);
  return (
    `<tr class="dep${vul ? " vuln" : out ? " outdated" : ""}" data-vulnerable="${vul ? "1" : "0"}" data-outdated="${out ? "1" : "0"}">` +
    `<td><strong>${name}</strong><div class="muted">${escapeHtml(d.dependency_type)}</div>${graph}</td><td>${escapeHtml(d.package_manager)}</td><td>${escapeHtml(d.component)}</td>` +
    `<td class="files"><code>${escapeHtml(d.file)}${d.line != null ? `:${d.line}` : ""}</code></td><td><code>${escapeHtml(d.version || d.current_value)}</code></td>` +
    `<td>${d.latest_version ? `<code>${escapeHtml(d.latest_version)}</code>` : `<span class="muted">?</span>`}</td><td>${escapeHtml(d.update_type)}</td>` +
    `<td>${d.days_behind ?? ""}</td><td>${d.vulnerability_score == null ? "" : `${d.vulnerability_score.toFixed(1)}${d.vulnerability_score_estimated ? " (est.)" : ""}`}</td>` +
    `<td>${advisories}</td><td>${d.fixed_version ? `<code>${escapeHtml(d.fixed_version)}</code>` : ""}</td><td>${escapeHtml(flags.join("; "))}</td></tr>`
  );
}

function fixPlanHtml(deps: readonly Dependency[]): string {
  const plan = securityFixPlan(deps);
  if (plan.length === 0) return "";
  return (
    `<section id="fix-plan"><h2>Security fix plan (${plan.length})</h2><p class="muted">One change per line, the one that removes the most advisories first.</p>` +
    `<ol>${plan.map((c) => `<li>${escapeHtml(fixPlanLine(c))}</li>`).join("")}</ol></section>`
  );
}

function dependenciesHtml(deps: readonly Dependency[]): string {
  const rows = sortDependencies(deps).map(depRow);
  const filters =
    `<div class="filters" hidden><label>Show <select id="f-dep"><option value="all">all</option><option value="attention">vulnerable or outdated</option>` +
    `<option value="vulnerable">vulnerable</option><option value="outdated">outdated</option></select></label><span id="dep-count" class="muted"></span></div>`;
  return (
    `<section id="dependencies"><h2>Dependencies (${deps.length})</h2><p class="muted">Vulnerable first (highest CVSS first), then outdated (largest update first).</p>${filters}` +
    `<div class="scroll"><table><thead><tr><th>Package</th><th>Manager</th><th>Component</th><th>File</th><th>Version</th><th>Latest</th><th>Update</th><th>Days behind</th><th>CVSS</th><th>Advisories</th><th>Fixed in</th><th>Notes</th></tr></thead>` +
    `<tbody>${rows.length > 0 ? rows.join("") : `<tr><td colspan="12" class="muted">No dependencies.</td></tr>`}</tbody></table></div></section>`
  );
}

function warningsHtml(warnings: readonly ScanWarning[]): string {
  if (warnings.length === 0) return "";
  const items = warnings.map((w) => `<li><code>${escapeHtml(w.file ?? "(scan)")}${w.line != null ? `:${w.line}` : ""}</code> ${escapeHtml(w.manager)}: ${escapeHtml(w.message)}</li>`);
  return `<section id="warnings"><details><summary><h2>Scan warnings (${warnings.length})</h2></summary><ul>${items.join("")}</ul></details></section>`;
}

/** The whole report as one HTML document. Throws ReportValidationError if the assessment does not match the model. */
export function renderHtml(assessment: Assessment, opts: HtmlReportOptions = {}): string {
  const doc = buildReportDocument(assessment, { clock: opts.clock });
  const title = opts.title ?? "Cowabunga health report";
  const history = [...(opts.history ?? []), assessment.system];
  const subject = opts.subject ? ` · ${escapeHtml(opts.subject)}` : "";
  const data = opts.embedData === false ? "" : `<script type="application/json" id="report-data">${jsonForScript(doc)}</script>`;
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(HTML_CSP)}">`,
    `<meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<link rel="icon" href="data:,">`,
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${escapeHtml(title)}</h1><div class="muted">Assessed ${escapeHtml(assessment.system.timestamp)}${assessment.system.version ? ` · version ${escapeHtml(assessment.system.version)}` : ""}${subject} · generated ${escapeHtml(doc.generated_at)}</div></header>`,
    `<main>`,
    overview(assessment),
    `<section id="history"><h2>Health over time</h2>${renderHealthChart(history)}</section>`,
    componentsHtml(assessment.components),
    issuesHtml(assessment),
    fixPlanHtml(assessment.dependencies),
    dependenciesHtml(assessment.dependencies),
    warningsHtml(assessment.warnings),
    `</main>`,
    data,
    `<script>${SCRIPT}</script>`,
    `</body></html>`,
    "",
  ].join("\n");
}
