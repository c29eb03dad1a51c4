/**
 * `/cowabunga update` → the update-PR module's `openUpdatePullRequest` (src/act/github/pulls.ts),
 * turned into one reply line.
 */
import type { CowabungaConfig } from "../../config/schema.js";
import type { MaintenanceIssue } from "../../model/index.js";
import type { RepoRef, Store } from "../../store/types.js";
import { errorText, type AppLogger, type GitHubOctokit } from "./client.js";
import { openUpdatePullRequest } from "./pulls.js";

export interface OpenUpdateRequest {
  octokit: GitHubOctokit;
  repo: RepoRef;
  owner: string;
  store: Store;
  issue: MaintenanceIssue;
  requestedBy: string;
  config?: CowabungaConfig;
  clock: () => Date;
  log: AppLogger;
}

/** Ask the update-PR module for a PR; returns the line to reply with. Never throws. */
export async function openUpdatePullRequestAdapter(req: OpenUpdateRequest): Promise<string> {
  try {
    const out = (await openUpdatePullRequest(req)) as { number?: number; html_url?: string; message?: string } | null | undefined;
    if (out && typeof out.number === "number") return `Opened update pull request #${out.number}.`;
    if (out && typeof out.message === "string") return out.message;
    return "Update requested.";
  } catch (err) {
    req.log.warn({ err: errorText(err) }, `openUpdatePullRequest failed: ${errorText(err)}`);
    return `The update pull request could not be opened: ${errorText(err)}`;
  }
}
