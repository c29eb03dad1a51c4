/**
 * Markdown report for PR and issue bodies (GitHub-flavoured) and terminals.
 * Every piece of text from repositories, registries or advisories goes through escapeMarkdown.
 */
import type { Assessment } from "../../assess/types.js";
import type { Dependency, HealthStatus, MaintenanceIssue, Priority } from "../../model/index.js";
import { escapeMarkdown, escapeMarkdownCell, safeHttpUrl } from "./escape.js";
import { PRIORITY_ORDER, countReport, fixPlanLine, securityFixPlan, dependencyDepth, introducedThrough, isOpenIssue, isOutdated, isVulnerable, percent, remediationSummary, sortDependencies, sortIssues, systemHealthScore } from "./summary.js";

export interface MarkdownReportOptions {
  /** Heading text (escaped). Default "Cowabunga health report". */
  title?: string;
  /**
   * Upper bound on the output's length in UTF-16 code units (GitHub bodies: 65,536). When the full
   * report is longer, lists are shortened step by step (with "…and N more" lines), then sections
   * dropped to their counts; tables are only ever cut between rows.
   */
  maxLength?: number;
  /** Wrap long sections in <details> (default true). Terminals may prefer false. */
  collapse?: boolean;
  /** Link to the full report (http/https only), shown when something was left out and in the footer. */
  reportUrl?: string;
  /** Heading level of the title, 1..4 (default 2); sections are one level deeper. */
  headingLevel?: number;
}

export const GITHUB_BODY_LIMIT = 65_536;

const STATUS_ICON: Record<HealthStatus, string> = { healthy: "🟢", warning: "🟡", critical: "🔴", unknown: "⚪" };
const COLLAPSE_OVER = 10;

interface Limits {
  /** Max issues listed per priority, max rows per dependency table. */
  items: number;
  /** Max component table rows. */
  components: number;
}

/** Steps tried in order until the output fits maxLength. */
const LEVELS: readonly Limits[] = [
  { items: Infinity, components: Infinity },
  { items: 100, components: Infinity },
  { items: 50, components: 200 },
  { items: 25, components: 100 },
  { items: 10, components: 50 },
  { items: 5, components: 25 },
  { items: 0, components: 10 },
  { items: 0, components: 0 },
];

/** Markdown link whose text is escaped and whose URL is kept only when http(s); safe inside table cells. */
export function markdownLink(text: string, url: string | null | undefined): string {
  const label = escapeMarkdownCell(text);
  const href = safeHttpUrl(url);
  if (href === null) return label;
  const dest = href.replace(/[|<>()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  return `[${label}](${dest})`;
}

function list(values: readonly string[], max = 5): string {
  const shown = values.slice(0, max).map(escapeMarkdownCell).join(", ");
  return values.length > max ? `${shown} (+${values.length - max})` : shown;
}

function table(header: readonly string[], rows: readonly string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`, ...rows.map((r) => `| ${r.map((c) => (c === "" ? " " : c)).join(" | ")} |`)];
}

function wrap(lines: string[], summary: string, count: number, collapse: boolean): string[] {
  if (!collapse || count <= COLLAPSE_OVER) return lines;
  return [`<details><summary>${summary}</summary>`, "", ...lines, "", "</details>"];
}

function more(omitted: number, noun: string, reportUrl: string | null): string[] {
  if (omitted <= 0) return [];
  const where = reportUrl ? ` (see the ${markdownLink("full report", reportUrl)})` : " (see the full report)";
  return ["", `_…and ${omitted} more ${noun}${where}._`];
}

function issueLine(i: MaintenanceIssue): string {
  const parts = [`**${i.severity}** ${i.type}: ${escapeMarkdown(i.title)}`];
  if (i.affected_components.length > 0) parts.push(`components: ${list(i.affected_components)}`);
  if (i.files_affected.length > 0) parts.push(`files: ${list(i.files_affected, 3)}`);
  if (i.status !== "open") parts.push(`status: ${i.status}`);
  if (i.github_issue_number != null) parts.push(`#${i.github_issue_number}`);
  const step = i.resolution_steps[0];
  if (step) parts.push(`fix: ${escapeMarkdown(step)}`);
  return `- ${parts.join(" · ")}`;
}

function vulnerableRow(d: Dependency): string[] {
  const advisories = d.advisories.slice(0, 4).map((a) => markdownLink(a.id, a.url));
  const ids = d.advisories.length === 0 ? d.cve_ids.slice(0, 4).map(escapeMarkdownCell) : advisories;
  const extra = Math.max(d.advisories.length, d.cve_ids.length) - ids.length;
  return [
    escapeMarkdownCell(d.name),
    escapeMarkdownCell(d.package_manager),
    escapeMarkdownCell(d.component),
    escapeMarkdownCell(d.version),
    d.vulnerability_score == null ? "n/a" : `${d.vulnerability_score.toFixed(1)}${d.vulnerability_score_estimated ? " (est.)" : ""}`,
    escapeMarkdownCell(d.fixed_version ?? "none"),
    ids.join(", ") + (extra > 0 ? ` (+${extra})` : ""),
    escapeMarkdownCell(introducedThrough(d)[0] ?? dependencyDepth(d)) + (d.introduced_through.length > 1 ? ` (+${d.introduced_through.length - 1})` : ""),
    escapeMarkdownCell(remediationSummary(d)),
  ];
}

function outdatedRow(d: Dependency): string[] {
  return [
    escapeMarkdownCell(d.name),
    escapeMarkdownCell(d.package_manager),
    escapeMarkdownCell(d.component),
    escapeMarkdownCell(d.version),
    escapeMarkdownCell(d.latest_version ?? "?"),
    d.update_type,
    d.days_behind == null ? "" : String(d.days_behind),
    d.deprecated ? "deprecated" : "",
  ];
}

function build(a: Assessment, opts: MarkdownReportOptions, lim: Limits): string {
  const h = Math.min(Math.max(opts.headingLevel ?? 2, 1), 4);
  const H = "#".repeat(h);
  const HH = "#".repeat(h + 1);
  const collapse = opts.collapse ?? true;
  const reportUrl = safeHttpUrl(opts.reportUrl);
  const counts = countReport(a);
  const s = a.system;
  const out: string[] = [];

  out.push(`${H} ${escapeMarkdown(opts.title ?? "Cowabunga health report")}`, "");
  const sev = counts.open_by_severity;
  out.push(
    `**Status:** ${STATUS_ICON[s.overall_status]} ${s.overall_status}` +
      ` · health ${percent(systemHealthScore(s))}` +
      ` · ${counts.components} component${counts.components === 1 ? "" : "s"}` +
      ` · ${counts.issues_open} open issue${counts.issues_open === 1 ? "" : "s"}` +
      ` (${sev.critical} critical, ${sev.high} high, ${sev.medium} medium, ${sev.low} low)` +
      ` · ${counts.vulnerable} vulnerable, ${counts.outdated} outdated of ${counts.dependencies} dependencies` +
      (counts.not_checked > 0 ? `, ${counts.not_checked} not checked for advisories` : ""),
  );
  out.push("", `_Assessed ${escapeMarkdown(s.timestamp)}${s.version ? `, version ${escapeMarkdown(s.version)}` : ""}${s.maintenance_mode ? " · maintenance mode" : ""}._`);

  const alerts = a.alerts.filter((x) => x.level === "critical" || x.level === "high");
  if (alerts.length > 0 && lim.items > 0) {
    out.push("", `${HH} Alerts`, "");
    for (const al of alerts.slice(0, lim.items)) out.push(`- **${al.level}**: ${escapeMarkdown(al.title)}`);
    out.push(...more(alerts.length - Math.min(alerts.length, lim.items), "alerts", reportUrl));
  }

  if (a.components.length > 0 && lim.components > 0) {
    const comps = [...a.components].sort((x, y) => x.health_score - y.health_score || x.name.localeCompare(y.name));
    const rows = comps.slice(0, lim.components).map((c) => [
      escapeMarkdownCell(c.name),
      escapeMarkdownCell(c.type),
      `${STATUS_ICON[c.status]} ${c.status}`,
      percent(c.health_score),
      String(c.open_issues),
      String(c.critical_issues),
    ]);
    out.push("", `${HH} Components`, "");
    out.push(...wrap(table(["Component", "Type", "Status", "Health", "Open issues", "Critical"], rows), `${a.components.length} components`, rows.length, collapse));
    out.push(...more(comps.length - rows.length, "components", reportUrl));
  }

  const open = sortIssues(a.issues.filter(isOpenIssue));
  if (open.length > 0) {
    out.push("", `${HH} Issues by priority`);
    if (lim.items === 0) out.push("", `${open.length} open issues.`);
    else {
      for (const p of PRIORITY_ORDER) {
        const group = open.filter((i) => i.priority === (p as Priority));
        if (group.length === 0) continue;
        const shown = group.slice(0, lim.items);
        const lines = shown.map(issueLine);
        out.push("", `**${p}** (${group.length})`, "");
        out.push(...wrap(lines, `${group.length} ${p}-priority issues`, shown.length, collapse && p !== "immediate"));
        out.push(...more(group.length - shown.length, `${p}-priority issues`, reportUrl));
      }
    }
  }
  const closed = a.issues.length - open.length;
  if (closed > 0) out.push("", `_${closed} issue${closed === 1 ? "" : "s"} resolved or deferred._`);

  const deps = sortDependencies(a.dependencies);
  const plan = securityFixPlan(a.dependencies);
  if (plan.length > 0 && lim.items > 0) {
    out.push("", `${HH} Security fix plan (${plan.length})`, "");
    plan.slice(0, lim.items).forEach((c, i) => out.push(`${i + 1}. ${escapeMarkdown(fixPlanLine(c))}`));
    out.push(...more(plan.length - Math.min(plan.length, lim.items), "planned changes", reportUrl));
  }
  const vulnerable = deps.filter(isVulnerable);
  if (vulnerable.length > 0) {
    out.push("", `${HH} Vulnerable dependencies (${vulnerable.length})`);
    if (lim.items > 0) {
      const shown = vulnerable.slice(0, lim.items);
      out.push("");
      out.push(...wrap(table(["Package", "Manager", "Component", "Version", "CVSS", "Fixed in", "Advisories", "Introduced through", "Fix"], shown.map(vulnerableRow)), `${vulnerable.length} vulnerable dependencies`, shown.length, collapse));
      out.push(...more(vulnerable.length - shown.length, "vulnerable dependencies", reportUrl));
    }
  }
  const outdated = deps.filter((d) => !isVulnerable(d) && isOutdated(d));
  if (outdated.length > 0) {
    out.push("", `${HH} Outdated dependencies (${outdated.length})`);
    if (lim.items > 0) {
      const shown = outdated.slice(0, lim.items);
      out.push("");
      out.push(...wrap(table(["Package", "Manager", "Component", "Current", "Latest", "Update", "Days behind", ""], shown.map(outdatedRow)), `${outdated.length} outdated dependencies`, shown.length, collapse));
      out.push(...more(outdated.length - shown.length, "outdated dependencies", reportUrl));
    }
  }
  if (reportUrl) out.push("", markdownLink("Full report", reportUrl));
  return `${out.join("\n")}\n`;
}

/** Cut at the last line break that fits, never inside a surrogate pair; used only when even the summary is too long. */
function hardCut(text: string, max: number): string {
  if (max <= 1) return "…".slice(0, Math.max(max, 0));
  let cut = text.lastIndexOf("\n", max - 2);
  if (cut <= 0) cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/** Render the report; with maxLength, the most complete version that fits (see MarkdownReportOptions). */
export function renderMarkdown(assessment: Assessment, opts: MarkdownReportOptions = {}): string {
  const max = opts.maxLength;
  if (max === undefined) return build(assessment, opts, LEVELS[0]);
  let last = "";
  for (const lim of LEVELS) {
    last = build(assessment, opts, lim);
    if (last.length <= max) return last;
  }
  return hardCut(last, max);
}
