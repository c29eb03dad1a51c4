/**
 * `/cowabunga update` → the update-PR module's `openUpdatePullRequest` (src/act/github/pulls.ts),
 * turned into one reply line.
 */
import { errorText } from "./client.js";
import { openUpdatePullRequest, type IssueUpdateRequest } from "./pulls.js";

/** The request of `/cowabunga update`: the update-PR module's own IssueUpdateRequest. */
export type OpenUpdateRequest = IssueUpdateRequest;

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
