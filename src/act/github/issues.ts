import type { Dependency, MaintenanceIssue } from "../../model/index.js";
import { escapeMarkdown, escapeMarkdownCell, safeHttpUrl } from "../report/escape.js";
import { markdownLink } from "../report/markdown.js";
import { advisoriesForIssue } from "../report/summary.js";
import { errorText, statusOf, webOrigin, type AppLogger, type GitHubOctokit } from "./client.js";
import type { AssigneeChecker } from "./assignees.js";
import { commentOnce, createIssueOnce } from "./idempotent.js";
import { ownersOfFiles, type Codeowners } from "./codeowners.js";
import { BASE_LABEL, labelsForIssue, type LabelManager } from "./labels.js";
import { CONFIG_ERRORS_MARKER, DASHBOARD_MARKER, issueIdFromBody, issueMarker, normaliseBody } from "./markers.js";

/** An issue as the REST API lists it (only the fields used here). */
export interface GitHubIssue {
  number: number;
  title: string;
  body?: string | null;
  state: "open" | "closed" | string;
  labels: Array<string | { name?: string | null }>;
  assignees?: Array<{ login: string }> | null;
  pull_request?: unknown;
  html_url?: string;
  /** Who opened it (for the app's PRs: the app's bot login). */
  user?: { login?: string } | null;
}

export interface AppIssueIndex {
  /** Maintenance issues by MaintenanceIssue id (from the hidden marker). */
  byId: Map<string, GitHubIssue>;
  dashboard: GitHubIssue | null;
  configErrors: GitHubIssue | null;
  /** Every label name seen on the listed issues (they exist in the repository). */
  labelsSeen: Set<string>;
  /**
   * The app's OPEN update pull requests: GitHub's issue listing returns pull requests too (items with a
   * `pull_request` key), and the app's PRs carry the base label, so the same listing replaces a
   * `GET /pulls` (items whose body has the `<!-- cowabunga:pr:... -->` marker).
   */
  pulls?: GitHubIssue[];
  /**
   * Open issues that carry the same marker as an earlier one (a create whose answer was lost, then
   * repeated): each with the number of the first, which is kept. Closed as duplicates by syncIssues.
   */
  twins?: Array<{ issue: GitHubIssue; of: number }>;
}

export function labelNames(issue: Pick<GitHubIssue, "labels">): string[] {
  return issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((n) => n !== "");
}

/**
 * ONE paginated listing of the app's issues (label `cowabunga`, open and closed), indexed by marker.
 * When two issues carry the same marker, the open one (then the first made) wins; the other open ones
 * are twins, to be closed as duplicates of it.
 */
export async function listAppIssues(
  octokit: Pick<GitHubOctokit, "paginate">,
  repo: { owner: string; repo: string },
  label: string = BASE_LABEL,
): Promise<AppIssueIndex> {
  const all = (await octokit.paginate("GET /repos/{owner}/{repo}/issues", {
    ...repo,
    labels: label,
    state: "all",
    per_page: 100,
  })) as unknown as GitHubIssue[];
  return indexAppIssues(all);
}

export function indexAppIssues(all: readonly GitHubIssue[]): AppIssueIndex {
  const index: AppIssueIndex = { byId: new Map(), dashboard: null, configErrors: null, labelsSeen: new Set(), pulls: [], twins: [] };
  // Open beats closed; among open ones the first made (lowest number) is kept; among closed ones the newest.
  const better = (a: GitHubIssue | null | undefined, b: GitHubIssue): boolean =>
    !a || (a.state !== "open" && b.state === "open") || (a.state === b.state && (b.state === "open" ? b.number < a.number : b.number > a.number));
  const openByKey = new Map<string, GitHubIssue[]>();
  const noteOpen = (key: string, issue: GitHubIssue): void => {
    if (issue.state !== "open") return;
    const list = openByKey.get(key) ?? [];
    list.push(issue);
    openByKey.set(key, list);
  };
  for (const issue of all) {
    if (issue.pull_request) {
      if (issue.state === "open" && (issue.body ?? "").includes("<!-- cowabunga:pr:")) index.pulls!.push(issue);
      continue;
    }
    for (const l of labelNames(issue)) index.labelsSeen.add(l);
    const body = issue.body ?? "";
    if (body.includes(DASHBOARD_MARKER)) {
      noteOpen("dashboard", issue);
      if (better(index.dashboard, issue)) index.dashboard = issue;
      continue;
    }
    if (body.includes(CONFIG_ERRORS_MARKER)) {
      noteOpen("config", issue);
      if (better(index.configErrors, issue)) index.configErrors = issue;
      continue;
    }
    const id = issueIdFromBody(body);
    if (id !== null) {
      noteOpen(`issue:${id}`, issue);
      if (better(index.byId.get(id), issue)) index.byId.set(id, issue);
    }
  }
  for (const list of openByKey.values()) {
    if (list.length < 2) continue;
    const first = Math.min(...list.map((i) => i.number));
    for (const i of list) if (i.number !== first) index.twins!.push({ issue: i, of: first });
  }
  index.twins!.sort((a, b) => a.issue.number - b.issue.number);
  return index;
}

// ---------------------------------------------------------------------------------------------
// Rendering

export interface IssueRenderContext {
  owner: string;
  repo: string;
  /** Web host for links: github.com or the GHES host. */
  host: string;
  /** Commit the scan read; file links point at it. */
  sha: string | null;
  dependencies: readonly Dependency[];
  baseLabels?: readonly string[];
}

export interface RenderedIssue {
  title: string;
  body: string;
  labels: string[];
}

const CONTROL = /[\u0000-\u001F\u007F]/g;

/** Plain-text title: control characters removed, whitespace collapsed, at most 256 characters. */
export function issueTitle(issue: Pick<MaintenanceIssue, "title" | "id">): string {
  const t = issue.title.replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  const title = t === "" ? `Maintenance issue ${issue.id}` : t;
  return title.length > 256 ? `${title.slice(0, 255)}…` : title;
}

/** `path`, `path:12` or `path#L12` → path and line. */
function splitFileRef(ref: string): { path: string; line: number | null } {
  const m = /^(.*?)(?::(\d+)|#L(\d+))$/.exec(ref);
  if (m && m[1] !== "") return { path: m[1], line: Number(m[2] ?? m[3]) };
  return { path: ref, line: null };
}

function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

export function fileUrl(ctx: Pick<IssueRenderContext, "host" | "owner" | "repo" | "sha">, path: string, line: number | null): string | null {
  if (!ctx.sha) return null;
  const url = `${webOrigin(ctx.host)}/${encodeURIComponent(ctx.owner)}/${encodeURIComponent(ctx.repo)}/blob/${encodeURIComponent(ctx.sha)}/${encodePath(path)}${line ? `#L${line}` : ""}`;
  return safeHttpUrl(url);
}

function fileLine(issue: MaintenanceIssue, ref: string, deps: readonly Dependency[]): { path: string; line: number | null } {
  const parsed = splitFileRef(ref);
  if (parsed.line !== null) return parsed;
  // The dependency the issue is about, declared in that file, gives the line.
  const dep = deps.find(
    (d) => d.file === parsed.path && d.line !== null && (issue.subject.includes(`:${d.name}@`) || issue.subject.startsWith(`${d.name}@`) || issue.title.includes(d.name)),
  );
  return { path: parsed.path, line: dep?.line ?? null };
}

function checklist(items: readonly string[]): string[] {
  return items.length === 0 ? ["_None listed._"] : items.map((s) => `- [ ] ${escapeMarkdown(s)}`);
}

function bullets(items: readonly string[]): string[] {
  return items.map((s) => `- ${escapeMarkdown(s)}`);
}

export function renderIssue(issue: MaintenanceIssue, ctx: IssueRenderContext): RenderedIssue {
  const lines: string[] = [issueMarker(issue.id), ""];
  lines.push("### Summary", "", escapeMarkdown(issue.description, { inline: false }) || "_No description._", "");
  lines.push(
    "| Type | Severity | Priority | Estimated effort |",
    "| --- | --- | --- | --- |",
    `| ${issue.type} | ${issue.severity} | ${issue.priority} | ${escapeMarkdownCell(issue.estimated_effort) || " "} |`,
    "",
  );

  lines.push("### Affected", "");
  lines.push(`- Components: ${issue.affected_components.length > 0 ? issue.affected_components.map((c) => `\`${c.replace(/`/g, "'")}\``).join(", ") : "_none_"}`);
  if (issue.files_affected.length > 0) {
    lines.push("- Files:");
    for (const ref of issue.files_affected.slice(0, 50)) {
      const { path, line } = fileLine(issue, ref, ctx.dependencies);
      const url = fileUrl(ctx, path, line);
      // markdownLink percent-encodes ")" and spaces in the URL, so a path cannot break out of the link.
      lines.push(url ? `  - ${markdownLink(line ? `${path}:${line}` : path, url)}` : `  - ${escapeMarkdown(line ? `${path}:${line}` : path)}`);
    }
    if (issue.files_affected.length > 50) lines.push(`  - …and ${issue.files_affected.length - 50} more`);
  }
  lines.push("");

  const advisories = advisoriesForIssue(issue, ctx.dependencies);
  if (advisories.length > 0) {
    lines.push("### Advisories", "");
    for (const a of advisories.slice(0, 30)) {
      const href = safeHttpUrl(a.url);
      const id = escapeMarkdown(a.id);
      const score = a.score === null ? "CVSS n/a" : `CVSS ${a.score.toFixed(1)}${a.score_estimated ? " (estimated)" : ""}`;
      const fix = a.fixed_version ? `, fixed in ${escapeMarkdown(a.fixed_version)}` : ", no fix released";
      const aliases = a.aliases.length > 0 ? ` (${a.aliases.slice(0, 5).map((x) => escapeMarkdown(x)).join(", ")})` : "";
      lines.push(`- ${href ? markdownLink(a.id, href) : id}${aliases}: ${score}${fix}. ${escapeMarkdown(a.summary)}`);
    }
    if (advisories.length > 30) lines.push(`- …and ${advisories.length - 30} more`);
    lines.push("");
  }

  const r = issue.risk_assessment;
  lines.push("### Risk assessment", "", `**${r.level}** (score ${r.score.toFixed(1)} / 10)`, "");
  if (r.factors.length > 0) {
    lines.push("| Factor | Score | Weight | Why |", "| --- | --- | --- | --- |");
    for (const f of r.factors) lines.push(`| ${escapeMarkdownCell(f.name)} | ${f.score.toFixed(1)} | ${f.weight.toFixed(2)} | ${escapeMarkdownCell(f.description) || " "} |`);
    lines.push("");
  }
  lines.push(`- Potential impact: ${escapeMarkdown(r.potential_impact)}`);
  lines.push(`- Affected users: ${escapeMarkdown(r.affected_users)}`);
  lines.push(`- Downtime estimate: ${escapeMarkdown(r.downtime_estimate)}`);
  if (r.mitigation_steps.length > 0) lines.push("- Mitigation:", ...bullets(r.mitigation_steps).map((l) => `  ${l}`));
  lines.push(`- Contingency plan: ${escapeMarkdown(r.contingency_plan)}`);
  lines.push(`- Rollback procedure: ${escapeMarkdown(r.rollback_procedure)}`, "");

  lines.push("### Resolution steps", "", ...checklist(issue.resolution_steps), "");
  lines.push("### Testing requirements", "", ...checklist(issue.testing_requirements), "");
  lines.push(
    "---",
    "<sub>Opened by Cowabunga Maintainer. Comment `/cowabunga defer <date or reason>`, `/cowabunga ignore`, `/cowabunga rescan` or `/cowabunga update` (write access needed).</sub>",
  );
  return { title: issueTitle(issue), body: lines.join("\n"), labels: labelsForIssue(issue, ctx.baseLabels) };
}

/** Keep the boxes a person ticked: `- [x] step` in the current body stays ticked in the new one. */
export function keepTickedBoxes(newBody: string, currentBody: string | null | undefined): string {
  if (!currentBody) return newBody;
  const ticked = new Set<string>();
  for (const m of currentBody.matchAll(/^- \[[xX]\] (.*)$/gm)) ticked.add(m[1].trimEnd());
  if (ticked.size === 0) return newBody;
  return newBody.replace(/^- \[ \] (.*)$/gm, (line, text: string) => (ticked.has(text.trimEnd()) ? `- [x] ${text}` : line));
}

/** Bodies compare equal when they differ only by line endings, trailing blanks, or the commit in file links. */
export function sameBody(a: string | null | undefined, b: string | null | undefined): boolean {
  const strip = (s: string | null | undefined): string => normaliseBody(s).replace(/\/blob\/[0-9a-f]{7,64}\//g, "/blob/SHA/");
  return strip(a) === strip(b);
}

const MANAGED_LABEL = /^(type|severity|priority):/;

/** The labels an issue should carry: ours, plus any a person added that are not ours to manage. */
export function mergeLabels(current: readonly string[], desired: readonly string[], baseLabels: readonly string[]): string[] {
  const managed = (l: string): boolean => MANAGED_LABEL.test(l) || baseLabels.includes(l);
  return [...new Set([...current.filter((l) => !managed(l)), ...desired])];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map((s) => s.toLowerCase()));
  const y = new Set(b.map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((v) => y.has(v));
}

// ---------------------------------------------------------------------------------------------
// Sync

export interface SyncIssuesOptions {
  octokit: Pick<GitHubOctokit, "request">;
  repo: { owner: string; repo: string };
  issues: readonly MaintenanceIssue[];
  index: AppIssueIndex;
  render: IssueRenderContext;
  labels: LabelManager;
  codeowners: Codeowners | null;
  /** New issues opened in this run at most; the rest are returned as `overflow`. */
  maxNew: number;
  baseLabels: readonly string[];
  log: AppLogger;
  /** Filters CODEOWNERS to users GitHub accepts as assignees (default: every owner is tried). */
  assignees?: AssigneeChecker;
  /** CODEOWNERS changed since the last scan: open issues without assignees get their owners. */
  assignExisting?: boolean;
}

export interface SyncIssuesResult {
  /** MaintenanceIssue id → GitHub issue number, for every issue tracked on GitHub. */
  numbers: Map<string, number>;
  created: number[];
  updated: number[];
  closed: number[];
  reopened: number[];
  /** Open issues not opened on GitHub because of max_new_per_run. */
  overflow: MaintenanceIssue[];
  /** Writes that failed (request and error): they stay pending, the next run completes them. */
  errors: string[];
}

function resolutionReason(issue: MaintenanceIssue): string {
  const last = [...issue.history].reverse().find((h) => h.to === "resolved");
  return last?.reason ?? "its cause is no longer found by the scan";
}

/** The owners line added to an issue body when some CODEOWNERS cannot be assigned (no @: no ping). */
export function unassignableNote(logins: readonly string[], why: string): string {
  const names = logins.map((l) => `\`${l.replace(/`/g, "'")}\``).join(", ");
  return `> [!NOTE]\n> Not assigned to ${names} (CODEOWNERS): ${why}. Assign someone by hand.`;
}

function withNote(body: string, note: string | null): string {
  return note ? `${body}\n\n${note}` : body;
}

function isAssigneeRefusal(err: unknown): boolean {
  if (statusOf(err) !== 422) return false;
  const data = JSON.stringify((err as { response?: { data?: unknown } }).response?.data ?? "");
  return /assignee/i.test(data) || /assignee/i.test(errorText(err));
}

/**
 * Bring the repository's GitHub issues in line with the maintenance issues: open new ones (up to
 * maxNew), edit only where title, body, labels or (after a CODEOWNERS change) assignees differ, close
 * resolved ones with a comment saying why, reopen ones that came back with a comment. Deferred issues
 * are left as they are on GitHub. Creates and event comments cannot duplicate (src/act/github/idempotent.ts).
 * A failed request is logged with the request, listed in `errors`, and the run goes on.
 */
export async function syncIssues(opts: SyncIssuesOptions): Promise<SyncIssuesResult> {
  const { octokit, repo, log } = opts;
  const result: SyncIssuesResult = { numbers: new Map(), created: [], updated: [], closed: [], reopened: [], overflow: [], errors: [] };
  const fail = (request: string, err: unknown): void => {
    const message = `${request} failed: ${errorText(err)}`;
    result.errors.push(message);
    log.warn({ request, err: errorText(err) }, message);
  };
  let newCount = 0;
  // Merged issues (duplicate_of): the surviving issue without a GitHub issue of its own adopts the
  // oldest open one of those merged into it (its body is rewritten with the survivor's marker, so the
  // next run finds it by that); the other merged ones are closed as duplicates after the loop, once
  // the survivor's number is known.
  const byId = new Map(opts.index.byId);
  const adopted = new Set<string>();
  const duplicates: MaintenanceIssue[] = [];
  for (const issue of opts.issues) {
    if (byId.has(issue.id) || !(issue.status === "open" || issue.status === "in_progress")) continue;
    const keep = opts.issues
      .filter((d) => d.duplicate_of === issue.id && !adopted.has(d.id))
      .map((d) => ({ d, gh: byId.get(d.id) }))
      .filter((x): x is { d: MaintenanceIssue; gh: GitHubIssue } => x.gh !== undefined && x.gh.state === "open")
      .sort((a, b) => a.gh.number - b.gh.number)[0];
    if (keep) {
      byId.set(issue.id, keep.gh);
      adopted.add(keep.d.id);
    }
  }
  for (const issue of opts.issues) {
    if (adopted.has(issue.id)) continue; // its GitHub issue now tracks the issue it was merged into
    const gh = byId.get(issue.id);
    if (gh) result.numbers.set(issue.id, gh.number);
    const open = issue.status === "open" || issue.status === "in_progress";

    if (issue.status === "resolved" && issue.duplicate_of) {
      if (gh && gh.state === "open") duplicates.push(issue);
      continue;
    }
    if (issue.status === "resolved") {
      if (gh && gh.state === "open") {
        const n = gh.number;
        try {
          // Keyed by how many times the issue was resolved: a retry after a failed close finds its comment.
          const times = issue.history.filter((h) => h.to === "resolved").length;
          await commentOnce(octokit, repo, n, `resolved:${times}`, `Resolved: ${escapeMarkdown(resolutionReason(issue))}${opts.render.sha ? ` (scan of ${opts.render.sha.slice(0, 12)})` : ""}. Closing.`);
          await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: n, state: "closed", state_reason: "completed" });
          result.closed.push(n);
        } catch (err) {
          fail(`PATCH /repos/${repo.owner}/${repo.repo}/issues/${n} (close)`, err);
        }
      }
      continue;
    }
    if (!open) continue; // deferred: a person decided; leave GitHub alone

    const rendered = renderIssue(issue, opts.render);
    const owners = ownersOfFiles(opts.codeowners, issue.files_affected.map((f) => splitFileRef(f).path));
    const split = opts.assignees ? await opts.assignees.split(owners) : { assignable: owners, unassignable: [] as string[] };
    const note = split.unassignable.length > 0 ? unassignableNote(split.unassignable, "they cannot be assigned issues in this repository") : null;
    if (!gh) {
      if (newCount >= opts.maxNew) {
        result.overflow.push(issue);
        continue;
      }
      newCount++;
      await opts.labels.ensure(rendered.labels);
      const marker = issueMarker(issue.id);
      const create = (assignees: string[], body: string) =>
        createIssueOnce(octokit, repo, { title: rendered.title, body, labels: rendered.labels, ...(assignees.length > 0 ? { assignees } : {}) }, marker);
      try {
        let made: { number: number };
        try {
          made = await create(split.assignable, withNote(rendered.body, note));
        } catch (err) {
          if (split.assignable.length === 0 || !isAssigneeRefusal(err)) throw err;
          // GitHub refused an assignee after all: open the issue without assignees, and say so.
          opts.assignees?.refuse(split.assignable);
          log.warn({ request: `POST /repos/${repo.owner}/${repo.repo}/issues`, assignees: split.assignable }, `assignees refused (422); opening "${rendered.title}" without them`);
          made = await create([], withNote(rendered.body, unassignableNote([...split.unassignable, ...split.assignable], "GitHub refused to assign them (422)")));
        }
        result.numbers.set(issue.id, made.number);
        result.created.push(made.number);
      } catch (err) {
        fail(`POST /repos/${repo.owner}/${repo.repo}/issues ("${rendered.title}")`, err);
      }
      continue;
    }

    const currentLabels = labelNames(gh);
    const labels = mergeLabels(currentLabels, rendered.labels, opts.baseLabels);
    const body = keepTickedBoxes(withNote(rendered.body, note), gh.body);
    const patch: Record<string, unknown> = {};
    if (gh.title !== rendered.title) patch.title = rendered.title;
    if (!sameBody(gh.body, body)) patch.body = body;
    if (!sameSet(currentLabels, labels)) patch.labels = labels;
    // Owners named after the issue was opened: assign them once (a person's later choice is kept).
    if (opts.assignExisting && gh.state === "open" && (gh.assignees ?? []).length === 0 && split.assignable.length > 0) patch.assignees = split.assignable;
    const reopen = gh.state !== "open";
    if (reopen) patch.state = "open";
    if (Object.keys(patch).length === 0) continue;
    try {
      if (patch.labels) await opts.labels.ensure(rendered.labels);
      if (reopen) {
        // Keyed by the closing it answers: a retry after a failed reopen does not comment twice.
        const closedAt = (gh as GitHubIssue & { closed_at?: string | null }).closed_at ?? "unknown";
        await commentOnce(octokit, repo, gh.number, `reopened:${closedAt}`, `Detected again${opts.render.sha ? ` in the scan of ${opts.render.sha.slice(0, 12)}` : ""}: the cause is back. Reopening.`);
      }
      try {
        await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: gh.number, ...patch });
      } catch (err) {
        if (!patch.assignees || !isAssigneeRefusal(err)) throw err;
        // GitHub refused an owner after all: the rest of the edit goes through, and the owners are not retried.
        opts.assignees?.refuse(patch.assignees as string[]);
        delete patch.assignees;
        if (Object.keys(patch).length > 0) await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: gh.number, ...patch });
      }
      if (reopen) result.reopened.push(gh.number);
      else result.updated.push(gh.number);
    } catch (err) {
      fail(`PATCH /repos/${repo.owner}/${repo.repo}/issues/${gh.number}`, err);
    }
  }
  for (const dup of duplicates) {
    const n = byId.get(dup.id)?.number as number;
    const survivor = result.numbers.get(dup.duplicate_of as string);
    // The survivor is not on GitHub yet (max_new_per_run): keep this one open until it is.
    if (survivor === undefined || survivor === n) continue;
    try {
      await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...repo,
        issue_number: n,
        body: `Duplicate of #${survivor}: Cowabunga now files one issue per vulnerable package version, listing every advisory that the same upgrade removes. Closing.`,
      });
      await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: n, state: "closed", state_reason: "not_planned" });
      result.closed.push(n);
    } catch (err) {
      fail(`PATCH /repos/${repo.owner}/${repo.repo}/issues/${n} (close as duplicate of #${survivor})`, err);
    }
  }
  return result;
}

/**
 * Close the twins the listing found (an issue made twice when a create's answer was lost): each gets a
 * comment naming the first and is closed as a duplicate of it. Returns the writes that failed.
 */
export async function closeTwins(octokit: Pick<GitHubOctokit, "request">, repo: { owner: string; repo: string }, index: AppIssueIndex, log: AppLogger): Promise<{ closed: number[]; errors: string[] }> {
  const out = { closed: [] as number[], errors: [] as string[] };
  for (const { issue, of } of index.twins ?? []) {
    try {
      await commentOnce(octokit, repo, issue.number, `duplicate-of:${of}`, `Duplicate of #${of}, which tracks the same finding. Closing this one.`);
      await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: issue.number, state: "closed", state_reason: "duplicate" });
      out.closed.push(issue.number);
    } catch (err) {
      const message = `PATCH /repos/${repo.owner}/${repo.repo}/issues/${issue.number} (close duplicate of #${of}) failed: ${errorText(err)}`;
      out.errors.push(message);
      log.warn({ issue: issue.number, of }, message);
    }
  }
  return out;
}
