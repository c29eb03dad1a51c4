/**
 * Routing of pull_request / check_suite / check_run / workflow_run / status events to the update-PR
 * module: `handlePullRequestClosed` (src/act/github/records.ts) and `handleCiCompleted`
 * (src/act/github/validation.ts). Only the routing and the payload-to-arguments mapping live here.
 */
import type { GitHubOctokit, AppLogger } from "../act/github/client.js";
import { handlePullRequestClosed, type PullRequestClosedArgs } from "../act/github/records.js";
import { handleCiCompleted } from "../act/github/validation.js";
import { handleDefaultBranchFailure } from "../act/github/revert.js";
import type { Store } from "../store/types.js";

export type PrRoute =
  | { handler: "records"; fn: "handlePullRequestClosed" }
  | { handler: "validation"; fn: "handleCiCompleted" }
  | { handler: "revert"; fn: "handleDefaultBranchFailure" };

/** Conclusions that count as a failed default-branch build (as in src/act/github/revert.ts). */
const FAILING = new Set(["failure", "timed_out", "startup_failure"]);

/** Which handler an event goes to, or null. Pure, for tests. */
export function routeOfPrEvent(name: string, action: string | undefined): PrRoute | null {
  if (name === "pull_request" && action === "closed") return { handler: "records", fn: "handlePullRequestClosed" };
  if ((name === "check_suite" || name === "workflow_run" || name === "check_run") && action === "completed") return { handler: "validation", fn: "handleCiCompleted" };
  if (name === "status") return { handler: "validation", fn: "handleCiCompleted" };
  return null;
}

interface CiSubject {
  head_sha: string;
  head_branch?: string | null;
  conclusion?: string | null;
  pull_requests?: Array<{ number: number }>;
}

interface CiPayload {
  sha?: string;
  state?: string;
  check_suite?: CiSubject;
  check_run?: CiSubject & { check_suite?: { head_branch?: string | null } };
  workflow_run?: CiSubject;
  repository?: { default_branch?: string };
}

/**
 * A failed check_suite / workflow_run on the default branch itself (not on a PR): the revert handler
 * looks for an app update merged as that commit. Returns the arguments, or null.
 */
export function defaultBranchFailure(name: string, payload: CiPayload): { headSha: string; headBranch: string; conclusion: string; defaultBranch: string } | null {
  const src = name === "check_suite" ? payload.check_suite : name === "workflow_run" ? payload.workflow_run : null;
  const defaultBranch = payload.repository?.default_branch;
  if (!src || !defaultBranch || !src.head_branch || src.head_branch !== defaultBranch) return null;
  if (!src.conclusion || !FAILING.has(src.conclusion)) return null;
  return { headSha: src.head_sha, headBranch: src.head_branch, conclusion: src.conclusion, defaultBranch };
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
  const failure = defaultBranchFailure(name, payload as CiPayload);
  if (failure) {
    return handleDefaultBranchFailure({ octokit, owner, repo, defaultBranch: failure.defaultBranch, headBranch: failure.headBranch, headSha: failure.headSha, conclusion: failure.conclusion, store, clock, log });
  }
  const target = ciTarget(name, payload as CiPayload);
  if (!target) return null;
  return handleCiCompleted({ octokit, owner, repo, headSha: target.headSha, prNumber: target.prNumber, store, log });
}
