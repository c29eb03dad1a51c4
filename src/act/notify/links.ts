/**
 * The one place alert and digest links are built (issue 17). Every channel (email, Slack, GitHub, the
 * dashboard, the digest) renders `alert.links` / `summary.links` and never builds a URL itself, so a
 * GitHub Enterprise Server host, the update PR and the dashboard page come out the same everywhere.
 *
 * Links are attached when an alert is queued and stored with the pending delivery: a delivery retried
 * after a restart carries the links it was queued with.
 */
import type { MaintenanceIssue, MaintenanceRecord } from "../../model/index.js";
import type { RepoRef } from "../../store/types.js";
import { safeHttpUrl } from "../report/escape.js";
import type { Alert } from "./types.js";

export interface AlertLink {
  label: string;
  url: string;
}

export interface LinkContext {
  /** Web origin of the GitHub the app runs against: `https://github.com`, `https://ghe.example.com`, `http://127.0.0.1:3000`. */
  webOrigin: string;
  repo: RepoRef;
  /** MaintenanceIssue id → GitHub issue number (after the issues were synced). */
  issueNumbers: ReadonlyMap<string, number>;
  /** MaintenanceIssue id → number of the app's open update PR that resolves it. */
  openPulls: ReadonlyMap<string, number>;
  /** The repository's page of the web dashboard (from COWABUNGA_PUBLIC_URL), or null when not served publicly. */
  dashboardUrl: string | null;
}

/** Issue links per alert at most (a component alert may name many issues; Slack shows 5 buttons). */
const MAX_ISSUE_LINKS = 3;
const MAX_PULL_LINKS = 1;

function repoPath(repo: RepoRef): string {
  return `${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`;
}

/** `https://host` from a web host as webHostOf returns it (`github.com`, `ghe.example.com`, `http://127.0.0.1:8080`). */
export function originOfHost(host: string): string {
  const withScheme = /^https?:\/\//i.test(host) ? host : `https://${host}`;
  try {
    return new URL(withScheme).origin;
  } catch {
    return "https://github.com";
  }
}

/** `<COWABUNGA_PUBLIC_URL>/dashboard/<owner>/<repo>`, or null when the public URL is unset or not http(s). */
export function dashboardPageUrl(publicUrl: string | null | undefined, repo: RepoRef): string | null {
  const base = safeHttpUrl(publicUrl ?? null);
  if (!base) return null;
  return `${base.replace(/\/+$/, "")}/dashboard/${repoPath(repo)}`;
}

export function issueUrl(ctx: Pick<LinkContext, "webOrigin" | "repo">, number: number): string {
  return `${ctx.webOrigin}/${repoPath(ctx.repo)}/issues/${number}`;
}

export function pullUrl(ctx: Pick<LinkContext, "webOrigin" | "repo">, number: number): string {
  return `${ctx.webOrigin}/${repoPath(ctx.repo)}/pull/${number}`;
}

/** The app's issues on GitHub (its label), for digests. */
export function issuesListUrl(ctx: Pick<LinkContext, "webOrigin" | "repo">, label: string): string {
  return `${ctx.webOrigin}/${repoPath(ctx.repo)}/issues?q=${encodeURIComponent(`is:issue is:open label:"${label}"`)}`;
}

export interface LinkContextInput {
  /** The GitHub web host (webHostOf(baseUrlOf(octokit))): github.com or the GHES host. */
  host: string;
  repo: RepoRef;
  /** Issues as stored after the sync (with github_issue_number). */
  issues: readonly Pick<MaintenanceIssue, "id" | "github_issue_number">[];
  /** Maintenance records: an update PR whose attempt is pending or failed is still open. */
  records: readonly Pick<MaintenanceRecord, "pull_request" | "attempt_status" | "issues_resolved" | "performed_at">[];
  /** Issue id → open update PR as the scan knows it (the PRs' markers); wins over the records. */
  openPulls?: ReadonlyMap<string, number>;
  publicUrl: string | null | undefined;
}

export function linkContext(input: LinkContextInput): LinkContext {
  const issueNumbers = new Map<string, number>();
  for (const i of input.issues) if (i.github_issue_number != null) issueNumbers.set(i.id, i.github_issue_number);
  const openPulls = new Map<string, number>(input.openPulls ?? []);
  // Newest record first, so an issue links to its latest open PR.
  const open = input.records
    .filter((r) => r.pull_request != null && (r.attempt_status === "pending" || r.attempt_status === "failed"))
    .sort((a, b) => Date.parse(b.performed_at) - Date.parse(a.performed_at));
  for (const r of open) for (const id of r.issues_resolved) if (!openPulls.has(id)) openPulls.set(id, r.pull_request!);
  return { webOrigin: originOfHost(input.host), repo: input.repo, issueNumbers, openPulls, dashboardUrl: dashboardPageUrl(input.publicUrl, input.repo) };
}

/** The links of one alert: its GitHub issue(s), the open update PR, the dashboard page. */
export function alertLinks(alert: Pick<Alert, "issue_ids">, ctx: LinkContext): AlertLink[] {
  const links: AlertLink[] = [];
  const issues = [...new Set(alert.issue_ids.map((id) => ctx.issueNumbers.get(id)).filter((n): n is number => n != null))];
  for (const n of issues.slice(0, MAX_ISSUE_LINKS)) links.push({ label: `GitHub issue #${n}`, url: issueUrl(ctx, n) });
  const pulls = [...new Set(alert.issue_ids.map((id) => ctx.openPulls.get(id)).filter((n): n is number => n != null))];
  for (const n of pulls.slice(0, MAX_PULL_LINKS)) links.push({ label: `Update PR #${n}`, url: pullUrl(ctx, n) });
  if (ctx.dashboardUrl) links.push({ label: "Dashboard", url: ctx.dashboardUrl });
  return links;
}

/** Alerts with their links set (replacing whatever links they had). */
export function withLinks(alerts: readonly Alert[], ctx: LinkContext): Alert[] {
  return alerts.map((a) => ({ ...a, links: alertLinks(a, ctx) }));
}

/** A maintenance issue's GitHub URL, for the digest's top issues. */
export function maintenanceIssueUrl(ctx: LinkContext): (issue: Pick<MaintenanceIssue, "id" | "github_issue_number">) => string | null {
  return (issue) => {
    const n = issue.github_issue_number ?? ctx.issueNumbers.get(issue.id);
    return n != null ? issueUrl(ctx, n) : null;
  };
}

/** The digest's footer links: the dashboard page and the app's open issues on GitHub. */
export function digestLinks(ctx: LinkContext, label: string): AlertLink[] {
  return [...(ctx.dashboardUrl ? [{ label: "Dashboard", url: ctx.dashboardUrl }] : []), { label: "Open issues on GitHub", url: issuesListUrl(ctx, label) }];
}
