import type { Assessment } from "../../assess/types.js";
import type { ComponentHealth, Dependency, HealthStatus, MaintenanceIssue, MaintenanceRecord, Priority } from "../../model/index.js";
import { escapeMarkdown, escapeMarkdownCell, safeHttpUrl } from "../report/escape.js";
import { PRIORITY_ORDER, fixPlanLine, isOpenIssue, securityFixPlan, sortIssues } from "../report/summary.js";
import { errorText, type AppLogger, type GitHubOctokit } from "./client.js";
import { sameBody, type GitHubIssue } from "./issues.js";
import { BASE_LABEL, DASHBOARD_LABEL, type LabelManager } from "./labels.js";
import { DASHBOARD_MARKER } from "./markers.js";
import { createIssueOnce } from "./idempotent.js";

/** GitHub refuses issue bodies longer than this (characters). */
export const ISSUE_BODY_LIMIT = 65_536;
export const DASHBOARD_TITLE = "Cowabunga dashboard";

const ICON: Record<HealthStatus, string> = { healthy: "🟢", warning: "🟡", critical: "🔴", unknown: "⚪" };

export interface DashboardInput {
  /** With dependencies, the dashboard lists the security fix plan (changes ranked by advisories removed). */
  assessment: Pick<Assessment, "system" | "components" | "issues"> & { dependencies?: readonly Dependency[] };
  /** MaintenanceIssue id → GitHub issue number. */
  numbers: ReadonlyMap<string, number>;
  /** Open issues not yet opened on GitHub (max_new_per_run). */
  notOpened: readonly MaintenanceIssue[];
  records: readonly MaintenanceRecord[];
  headSha: string | null;
  maintenanceMode: boolean;
  /** COWABUNGA_PUBLIC_URL: the HTML report/dashboard, linked when something is left out. */
  publicUrl?: string | null;
  configErrorCount?: number;
  /** Update PRs a person pushed to: the app leaves them alone (not rebased, not rebuilt). */
  humanEdited?: readonly number[];
  /** Writes to GitHub that failed this run and wait for the next one. */
  pendingWrites?: number;
}

interface Level {
  issues: number;
  components: number;
  records: number;
}

const LEVELS: readonly Level[] = [
  { issues: Infinity, components: Infinity, records: 20 },
  { issues: 200, components: 500, records: 20 },
  { issues: 100, components: 200, records: 10 },
  { issues: 50, components: 100, records: 10 },
  { issues: 20, components: 50, records: 5 },
  { issues: 5, components: 20, records: 3 },
  { issues: 0, components: 10, records: 0 },
  { issues: 0, components: 0, records: 0 },
];

function issueRef(issue: MaintenanceIssue, numbers: ReadonlyMap<string, number>): string {
  const n = numbers.get(issue.id) ?? issue.github_issue_number;
  const title = escapeMarkdown(issue.title);
  return n != null ? `#${n} ${title}` : title;
}

function details(summary: string, lines: string[], open: boolean): string[] {
  return [`<details${open ? " open" : ""}><summary>${summary}</summary>`, "", ...lines, "", "</details>", ""];
}

function componentRows(components: readonly ComponentHealth[], max: number): string[] {
  const sorted = [...components].sort((a, b) => a.health_score - b.health_score || a.name.localeCompare(b.name));
  const rows = sorted.slice(0, max).map(
    (c) =>
      `| ${escapeMarkdownCell(c.name)} | ${c.type} | ${ICON[c.status]} ${c.status} | ${Math.round(c.health_score * 100)}% | ${c.open_issues} | ${c.critical_issues} |`,
  );
  return ["| Component | Type | Status | Health | Open issues | Critical |", "| --- | --- | --- | --- | --- | --- |", ...rows];
}

function recordLine(r: MaintenanceRecord): string {
  const pr = r.pull_request != null ? `#${r.pull_request} ` : "";
  return `- ${pr}${escapeMarkdown(r.title)} (${r.type}, ${r.performed_at.slice(0, 10)})`;
}

function render(input: DashboardInput, level: Level): string {
  const { system, components, issues } = input.assessment;
  const open = sortIssues(issues.filter(isOpenIssue));
  const link = safeHttpUrl(input.publicUrl ?? null);
  let omitted = false;
  const out: string[] = [DASHBOARD_MARKER, "", `## ${DASHBOARD_TITLE}`, ""];

  const state = input.maintenanceMode ? "🛠️ maintenance" : `${ICON[system.overall_status]} ${system.overall_status}`;
  out.push(
    "### System status",
    "",
    "| Overall | Components | Open issues | Security issues | Scanned commit |",
    "| --- | --- | --- | --- | --- |",
    `| ${state} | ${components.length} | ${open.length} | ${system.metrics.security_issues} | ${input.headSha ? `\`${input.headSha.slice(0, 12)}\`` : "n/a"} |`,
    "",
  );
  if (input.pendingWrites) out.push(`> [!WARNING]`, `> ${input.pendingWrites} change(s) to GitHub failed in the last scan and will be retried by the next one.`, "");
  if (input.configErrorCount) out.push(`> [!WARNING]`, `> \`.github/cowabunga.yml\` has ${input.configErrorCount} problem(s); see the config issue.`, "");

  out.push("### Component health", "");
  if (components.length === 0) out.push("_No components found._", "");
  else if (level.components === 0) {
    omitted = true;
    const counts = (["critical", "warning", "healthy", "unknown"] as const).map((s) => `${components.filter((c) => c.status === s).length} ${s}`).join(", ");
    out.push(`${components.length} components: ${counts}.`, "");
  } else {
    const rows = componentRows(components, level.components);
    const table = components.length > 10 ? details(`${components.length} components`, rows, false) : [...rows, ""];
    out.push(...table);
    if (components.length > level.components) {
      omitted = true;
      out.push(`_…and ${components.length - level.components} more components, healthiest first left out._`, "");
    }
  }

  out.push("### Open issues by priority", "");
  if (open.length === 0) out.push("_No open issues._ 🎉", "");
  for (const p of PRIORITY_ORDER) {
    const group = open.filter((i) => i.priority === (p as Priority));
    if (group.length === 0) continue;
    if (level.issues === 0) {
      omitted = true;
      out.push(`- **${p}**: ${group.length}`);
      continue;
    }
    const shown = group.slice(0, level.issues).map((i) => `- ${issueRef(i, input.numbers)} (${i.type}, ${i.severity})`);
    if (group.length > level.issues) {
      omitted = true;
      shown.push(`- …and ${group.length - level.issues} more`);
    }
    out.push(...details(`${p} (${group.length})`, shown, p === "immediate" || p === "high"));
  }
  if (level.issues === 0 && open.length > 0) out.push("");

  const plan = securityFixPlan(input.assessment.dependencies ?? []);
  if (plan.length > 0) {
    out.push("### Security fix plan", "", `${plan.length} change(s), the one that removes the most advisories first.`, "");
    if (level.issues > 0) {
      const shown = plan.slice(0, level.issues).map((c, i) => `${i + 1}. ${escapeMarkdown(fixPlanLine(c))}`);
      if (plan.length > level.issues) {
        omitted = true;
        shown.push(`- …and ${plan.length - level.issues} more`);
      }
      out.push(...details(`${plan.length} planned`, shown, true));
    } else omitted = true;
  }

  if (input.notOpened.length > 0) {
    out.push("### Not yet opened as issues", "", `${input.notOpened.length} issue(s) wait for the next runs (\`issues.max_new_per_run\`).`, "");
    if (level.issues > 0) {
      const shown = input.notOpened.slice(0, level.issues).map((i) => `- ${escapeMarkdown(i.title)} (${i.priority}, ${i.type})`);
      if (input.notOpened.length > level.issues) {
        omitted = true;
        shown.push(`- …and ${input.notOpened.length - level.issues} more`);
      }
      out.push(...details(`${input.notOpened.length} waiting`, shown, false));
    } else omitted = true;
  }

  // Update attempts carry attempt_status; older records are judged by their test results.
  const pending = input.records.filter((r) =>
    r.attempt_status ? r.attempt_status === "pending" : r.test_results === null && r.success === false && r.pull_request != null,
  );
  const failed = input.records.filter((r) => (r.attempt_status ? r.attempt_status === "failed" : r.test_results !== null && !r.success));
  out.push("### Updates", "");
  out.push(`- Pending: ${pending.length}`, `- Failed: ${failed.length}`, "");
  if (input.humanEdited && input.humanEdited.length > 0) {
    const prs = [...input.humanEdited].sort((a, b) => a - b).map((n) => `#${n}`).join(", ");
    out.push(`- Edited by a person, left alone (not rebased or rebuilt by the app): ${prs}`, "");
  }
  if (level.records > 0) {
    if (pending.length > 0) out.push(...details(`Pending updates (${pending.length})`, pending.slice(0, level.records).map(recordLine), false));
    if (failed.length > 0) out.push(...details(`Failed updates (${failed.length})`, failed.slice(0, level.records).map(recordLine), true));
  }

  const last = system.last_maintenance ?? [...input.records].sort((a, b) => b.performed_at.localeCompare(a.performed_at))[0] ?? null;
  out.push("### Last maintenance", "", last ? recordLine(last) : "_None recorded._", "");

  if (link) out.push(`Full report: [${link}](${link})`, "");
  else if (omitted) out.push("_Some lists were shortened to fit in an issue; run `cowabunga scan` or set COWABUNGA_PUBLIC_URL for the full report._", "");
  out.push("<sub>Rewritten by Cowabunga Maintainer after each scan. Edits to this issue are overwritten.</sub>");
  return out.join("\n");
}

/** The dashboard body, shortened step by step until it fits GitHub's limit (tables are never cut mid-row). */
export function renderDashboard(input: DashboardInput, maxLength: number = ISSUE_BODY_LIMIT): string {
  for (const level of LEVELS) {
    const body = render(input, level);
    if (body.length <= maxLength) return body;
  }
  const open = input.assessment.issues.filter(isOpenIssue).length;
  const link = safeHttpUrl(input.publicUrl ?? null);
  return [DASHBOARD_MARKER, "", `## ${DASHBOARD_TITLE}`, "", `${input.assessment.components.length} components, ${open} open issues.`, link ? `Full report: ${link}` : ""].join("\n").slice(0, maxLength);
}

export interface SyncDashboardOptions {
  octokit: Pick<GitHubOctokit, "request">;
  repo: { owner: string; repo: string };
  existing: GitHubIssue | null;
  body: string;
  labels: LabelManager;
  log: AppLogger;
}

/** Create the dashboard issue, or rewrite it only when the body differs (reopening it if closed). */
export async function syncDashboard(opts: SyncDashboardOptions): Promise<{ number: number | null; action: "created" | "updated" | "none"; error?: string }> {
  const { octokit, repo, existing, body } = opts;
  try {
    if (!existing) {
      const labels = [BASE_LABEL, DASHBOARD_LABEL];
      await opts.labels.ensure(labels);
      const made = await createIssueOnce(octokit, repo, { title: DASHBOARD_TITLE, body, labels }, DASHBOARD_MARKER);
      return { number: made.number, action: "created" };
    }
    if (sameBody(existing.body, body) && existing.state === "open") return { number: existing.number, action: "none" };
    await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...repo,
      issue_number: existing.number,
      body,
      ...(existing.state !== "open" ? { state: "open" } : {}),
    });
    return { number: existing.number, action: "updated" };
  } catch (err) {
    const error = `dashboard issue in ${repo.owner}/${repo.repo} could not be written: ${errorText(err)}`;
    opts.log.warn({ err: errorText(err) }, error);
    return { number: existing?.number ?? null, action: "none", error };
  }
}
