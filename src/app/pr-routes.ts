/**
 * Routing of pull_request / check_suite / check_run / workflow_run / status events to the update-PR
 * module: `handlePullRequestClosed` (src/act/github/records.ts) and `handleCiCompleted`
 * (src/act/github/validation.ts). Only the routing and the payload-to-arguments mapping live here.
 */
import type { GitHubOctokit, AppLogger } from "../act/github/client.js";
import { handlePullRequestClosed, type PullRequestClosedArgs } from "../act/github/records.js";
import { handleCiCompleted } from "../act/github/validation.js";
import { handleDefaultBranchFailure } from "../act/github/revert.js";
import { rebaseRequested } from "../act/github/pulls-body.js";
import { BRANCH_PREFIX } from "../act/github/pulls-git.js";
import { rebaseUpdatePullRequest } from "./rebase.js";
import type { Store } from "../store/types.js";

export type PrRoute =
  | { handler: "records"; fn: "handlePullRequestClosed" }
  | { handler: "validation"; fn: "handleCiCompleted" }
  | { handler: "revert"; fn: "handleDefaultBranchFailure" }
  | { handler: "rebase"; fn: "rebaseUpdatePullRequest" };

/** Conclusions that count as a failed default-branch build (as in src/act/github/revert.ts). */
const FAILING = new Set(["failure", "timed_out", "startup_failure"]);

/** Which handler an event goes to, or null. Pure, for tests. */
export function routeOfPrEvent(name: string, action: string | undefined): PrRoute | null {
  if (name === "pull_request" && action === "closed") return { handler: "records", fn: "handlePullRequestClosed" };
  // A person ticked the update PR's rebase checkbox (checked on the payload in routePrEvent).
  if (name === "pull_request" && action === "edited") return { handler: "rebase", fn: "rebaseUpdatePullRequest" };
  if ((name === "check_suite" || name === "workflow_run" || name === "check_run") && action === "completed") return { handler: "validation", fn: "handleCiCompleted" };
  if (name === "status") return { handler: "validation", fn: "handleCiCompleted" };
  return null;
}

interface CiSubject {
  head_sha: string;
  head_branch?: string | null;
  conclusion?: string | null;
  pull_requests?: Array<{ number: number }>;
  /** check_run / workflow_run: the check's or workflow's name. */
  name?: string | null;
  html_url?: string | null;
  /** check_suite: the app that ran it. */
  app?: { slug?: string | null; name?: string | null } | null;
}

interface CiPayload {
  sha?: string;
  state?: string;
  check_suite?: CiSubject;
  check_run?: CiSubject & { check_suite?: { head_branch?: string | null } };
  workflow_run?: CiSubject;
  repository?: { default_branch?: string };
}

/** Branch of a CI event's commit: check_run carries it on its check_suite. */
function headBranchOf(name: string, payload: CiPayload): string | null {
  if (name === "check_suite") return payload.check_suite?.head_branch ?? null;
  if (name === "workflow_run") return payload.workflow_run?.head_branch ?? null;
  if (name === "check_run") return payload.check_run?.check_suite?.head_branch ?? payload.check_run?.head_branch ?? null;
  return null;
}

function ciSubject(name: string, payload: CiPayload): CiSubject | null {
  return name === "check_suite" ? (payload.check_suite ?? null) : name === "workflow_run" ? (payload.workflow_run ?? null) : name === "check_run" ? (payload.check_run ?? null) : null;
}

/**
 * A failed check_suite / workflow_run / check_run on the default branch itself (not on a PR): the revert
 * handler looks for an app update merged as that commit. Returns the arguments, or null. check_run and
 * check_suite for the same failure both route here; the revert handler is idempotent (a record with a
 * revert PR makes no request), and both run on the repository's serial queue.
 */
export function defaultBranchFailure(name: string, payload: CiPayload): { headSha: string; headBranch: string; conclusion: string; defaultBranch: string } | null {
  const src = ciSubject(name, payload);
  const defaultBranch = payload.repository?.default_branch;
  const branch = headBranchOf(name, payload);
  if (!src || !defaultBranch || !branch || branch !== defaultBranch) return null;
  if (!src.conclusion || !FAILING.has(src.conclusion)) return null;
  return { headSha: src.head_sha, headBranch: branch, conclusion: src.conclusion, defaultBranch };
}

/** One completed CI run on the default branch, as remembered in scan_state.default_branch_ci. */
export interface DefaultBranchCiRun {
  sha: string;
  /** `check_run:<name>`, `workflow_run:<name>` or `check_suite:<app>`. */
  name: string;
  conclusion: string;
  url: string | null;
  at: string;
}

/** Runs kept (newest last) and their age limit: the CI error rate is over this window. */
export const CI_RUNS_KEPT = 200;
export const CI_WINDOW_DAYS = 30;

/** A completed CI event on the default branch, or null (other branches, not completed, no conclusion). */
export function defaultBranchCiRun(name: string, payload: CiPayload & { action?: string }, at: Date): DefaultBranchCiRun | null {
  if (payload.action !== "completed") return null;
  const src = ciSubject(name, payload);
  const defaultBranch = payload.repository?.default_branch;
  const branch = headBranchOf(name, payload);
  if (!src || !defaultBranch || branch !== defaultBranch || !src.conclusion || !src.head_sha) return null;
  const label = name === "check_suite" ? (src.app?.slug ?? src.app?.name ?? "checks") : (src.name ?? name);
  return { sha: src.head_sha, name: `${name}:${String(label).slice(0, 200)}`, conclusion: src.conclusion, url: typeof src.html_url === "string" ? src.html_url : null, at: at.toISOString() };
}

/** Read scan_state.default_branch_ci, tolerating anything malformed. */
export function storedCiRuns(state: Record<string, unknown> | null | undefined): DefaultBranchCiRun[] {
  const raw = state?.default_branch_ci;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (r): r is DefaultBranchCiRun =>
      !!r && typeof r === "object" && typeof (r as DefaultBranchCiRun).sha === "string" && typeof (r as DefaultBranchCiRun).name === "string" && typeof (r as DefaultBranchCiRun).conclusion === "string" && typeof (r as DefaultBranchCiRun).at === "string",
  );
}

/**
 * Remember a default-branch CI completion in scan_state (a re-run of the same check on the same commit
 * replaces the earlier one; at most CI_RUNS_KEPT, none older than CI_WINDOW_DAYS). The scan reads it
 * back for failing checks and the CI error rate: no GitHub request.
 */
export async function recordDefaultBranchCi(store: Store, ref: { owner: string; repo: string }, run: DefaultBranchCiRun, now: Date): Promise<void> {
  const state = await store.getScanState(ref);
  const cutoff = now.getTime() - CI_WINDOW_DAYS * 86_400_000;
  const runs = storedCiRuns(state)
    .filter((r) => !(r.sha === run.sha && r.name === run.name))
    .filter((r) => Date.parse(r.at) >= cutoff);
  runs.push(run);
  await store.putScanState(ref, { ...(state ?? {}), default_branch_ci: runs.slice(-CI_RUNS_KEPT) });
}

/** Head commit and PR number of a CI event. */
export function ciTarget(name: string, payload: CiPayload): { headSha: string; prNumber: number | null } | null {
  const src = name === "check_suite" ? payload.check_suite : name === "check_run" ? payload.check_run : name === "workflow_run" ? payload.workflow_run : null;
  if (src) return { headSha: src.head_sha, prNumber: src.pull_requests?.[0]?.number ?? null };
  if (name === "status" && payload.sha) return payload.state === "pending" ? null : { headSha: payload.sha, prNumber: null };
  return null;
}

export interface PrRouteDeps {
  octokit: GitHubOctokit;
  owner: string;
  repo: string;
  store: Store;
  clock: () => Date;
  log: AppLogger;
}

/** Call the routed handler; returns its result, or null when the event is not routed. */
export async function routePrEvent(name: string, payload: Record<string, unknown>, deps: PrRouteDeps): Promise<unknown> {
  const route = routeOfPrEvent(name, payload.action as string | undefined);
  if (!route) return null;
  const { octokit, owner, repo, store, clock, log } = deps;
  if (route.handler === "records") {
    return handlePullRequestClosed({ octokit, owner, repo, payload: payload as unknown as PullRequestClosedArgs["payload"], store, clock, log });
  }
  if (route.handler === "rebase") {
    const p = payload as { pull_request?: { number?: number; body?: string | null; head?: { ref?: string } }; sender?: { login?: string; type?: string } };
    const bot = p.sender?.type === "Bot" || (p.sender?.login ?? "").endsWith("[bot]");
    if (bot || !p.pull_request?.number || !rebaseRequested(p.pull_request.body) || !(p.pull_request.head?.ref ?? "").startsWith(BRANCH_PREFIX)) return null;
    // Ticking a box needs write access to the PR already: no separate permission check.
    return { status: "rebase", reply: await rebaseUpdatePullRequest({ octokit, repo: { owner, repo }, number: p.pull_request.number, store, clock, log }) };
  }
  const ci = defaultBranchCiRun(name, payload as CiPayload & { action?: string }, clock());
  if (ci) {
    try {
      await recordDefaultBranchCi(store, { owner, repo }, ci, clock());
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, `could not record the default branch's CI result of ${owner}/${repo}`);
    }
  }
  const failure = defaultBranchFailure(name, payload as CiPayload);
  if (failure) {
    return handleDefaultBranchFailure({ octokit, owner, repo, defaultBranch: failure.defaultBranch, headBranch: failure.headBranch, headSha: failure.headSha, conclusion: failure.conclusion, store, clock, log });
  }
  const target = ciTarget(name, payload as CiPayload);
  if (!target) return null;
  return handleCiCompleted({ octokit, owner, repo, headSha: target.headSha, prNumber: target.prNumber, store, log });
}
