import type { MaintenanceRecord } from "../../model/index.js";
import { isTerminalState, tryTransitionIssue } from "../../model/lifecycle.js";
import type { Store } from "../../store/types.js";
import { BRANCH_PREFIX, describeError, type GitHubClient, type Logger } from "./pulls-git.js";
import { rollbackStrategy } from "./pulls-body.js";
import { parsePrMarker } from "./pulls-plan.js";
import { APP_ACTOR, recordIdForPr } from "./pulls.js";
import { testsFailed } from "./validation.js";

/** The parts of a `pull_request.closed` payload's pull_request we read. */
export interface ClosedPullRequest {
  number: number;
  merged: boolean;
  merged_at: string | null;
  created_at: string;
  merge_commit_sha: string | null;
  body: string | null;
  title: string;
  head: { ref: string };
  base: { ref: string };
  merged_by?: { login: string } | null;
}

export interface PullRequestClosedArgs {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  payload: { pull_request: ClosedPullRequest };
  store: Store;
  clock: () => Date;
  log: Logger;
}

export type PullRequestClosedResult =
  | { status: "skipped"; reason: string }
  | { status: "closed"; record_id: string }
  | { status: "recorded"; record: MaintenanceRecord; issues_resolved: string[] };

/**
 * When one of the app's update PRs closes: merged → the MaintenanceRecord is completed with every seed field
 * and the linked maintenance issues are resolved; closed unmerged → the attempt is marked closed.
 * `success` is true when the latest test result passed OR no CI reported at all (a person merged it, and
 * a later failure on the default branch flips it to false through the revert handler).
 */
export async function handlePullRequestClosed(args: PullRequestClosedArgs): Promise<PullRequestClosedResult> {
  if (!args || typeof args.owner !== "string" || !args.store || !args.payload?.pull_request) {
    // Called with a Probot context instead of the options object: see docs/notes/update-prs.md.
    return { status: "skipped", reason: "handlePullRequestClosed needs { octokit, owner, repo, payload, store, clock, log }" };
  }
  const { octokit, owner, repo, store, clock, log } = args;
  const pr = args.payload.pull_request;
  if (!pr.head.ref.startsWith(BRANCH_PREFIX) || pr.head.ref.startsWith(`${BRANCH_PREFIX}revert/`)) return { status: "skipped", reason: "not an update PR of the app" };
  const marker = parsePrMarker(pr.body);
  if (!marker) return { status: "skipped", reason: `PR #${pr.number} has no cowabunga marker` };
  const id = recordIdForPr(pr.number);
  const ref = { owner, repo };
  if (!pr.merged) {
    await store.updateRecords(ref, (records) => records.map((r) => (r.id === id && r.attempt_status !== "merged" ? { ...r, attempt_status: "closed" as const, success: false } : r)));
    return { status: "closed", record_id: id };
  }
  const existing = (await store.getRecords(ref)).find((r) => r.id === id) ?? null;
  let files: string[] = existing?.files_modified ?? [];
  try {
    const res = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner, repo, pull_number: pr.number, per_page: 100 });
    files = res.data.map((f) => f.filename);
  } catch (e) {
    log.warn({ pr: pr.number, err: describeError(e) }, "could not list the PR's files; using the recorded ones");
  }
  const mergedAt = pr.merged_at ?? clock().toISOString();
  const duration = Math.max(0, Math.round((Date.parse(mergedAt) - Date.parse(pr.created_at)) / 60_000));
  const testResults = existing?.test_results ?? null;
  const security = marker.deps.some((d) => d.security);
  const record: MaintenanceRecord = {
    id,
    title: pr.title,
    type: security ? "security_patch" : "update",
    description: `Merged update PR #${pr.number}: ${marker.deps.map((d) => `${d.name} ${d.from} → ${d.to}`).join(", ")}`,
    performed_by: pr.merged_by?.login ? `${APP_ACTOR} (merged by ${pr.merged_by.login})` : APP_ACTOR,
    performed_at: new Date(mergedAt).toISOString(),
    duration_minutes: duration,
    rollback_available: true,
    files_modified: files,
    dependencies_updated: marker.deps.map((d) => `${d.name}@${d.from}→${d.to}`),
    tests_run: existing?.tests_run ?? [],
    success: testResults == null ? true : !testsFailed(testResults),
    issues_resolved: marker.issues,
    issues_introduced: [],
    test_results: testResults,
    rollback_strategy: rollbackStrategy(marker.base_sha, pr.base.ref),
    rollback_before_commit: marker.base_sha,
    pull_request: pr.number,
    revert_pull_request: existing?.revert_pull_request ?? null,
    attempt_status: "merged",
    merge_commit_sha: pr.merge_commit_sha,
  };
  await store.updateRecords(ref, (records) => [...records.filter((r) => r.id !== id), record]);
  const ids = new Set(marker.issues);
  const resolved: string[] = [];
  if (ids.size > 0) {
    await store.updateIssues(ref, (issues) =>
      issues.map((i) => {
        if (!ids.has(i.id) || isTerminalState(i.lifecycle_state)) return i;
        const t = tryTransitionIssue(i, "resolved", { at: mergedAt, reason: `update PR #${pr.number} merged`, actor: APP_ACTOR });
        if (!t.ok) return i;
        resolved.push(i.id);
        return t.issue;
      }),
    );
  }
  log.info({ pr: pr.number, record: id }, "maintenance record written");
  return { status: "recorded", record, issues_resolved: resolved };
}
