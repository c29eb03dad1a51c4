/**
 * A person asks to rebuild an update PR: `/cowabunga rebase` on the PR, or its body's checkbox ticked.
 * The PR is brought up to date by the same upkeep as after a scan (src/act/github/pulls.ts): closed when
 * the base already has its versions, otherwise rebuilt on the default branch's head from what the base
 * declares now (never a downgrade), the checkbox unticked. Never throws: returns a line for the reply.
 */
import type { AppLogger, GitHubOctokit } from "../act/github/client.js";
import { errorText } from "../act/github/client.js";
import { maintainOpenPullRequests, parsePrMarker } from "../act/github/pulls.js";
import { sharedEnrichment } from "./enrichment.js";
import { readRepoConfig } from "./updates.js";
import type { RepoRef, Store } from "../store/types.js";

export async function rebaseUpdatePullRequest(args: {
  octokit: GitHubOctokit;
  repo: RepoRef;
  number: number;
  store: Store;
  clock: () => Date;
  log: AppLogger;
}): Promise<string> {
  const { octokit, repo, number, log } = args;
  try {
    const pr = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: number });
    if (pr.data.state !== "open" || !parsePrMarker(pr.data.body)) return `#${number} is not an open Cowabunga update pull request.`;
    const config = await readRepoConfig(octokit, repo, log);
    const m = await maintainOpenPullRequests({
      octokit,
      owner: repo.owner,
      repo: repo.repo,
      defaultBranch: pr.data.base.ref,
      config,
      store: args.store,
      clock: args.clock,
      log,
      appLogins: [],
      prs: [{ number, body: pr.data.body, head: { ref: pr.data.head.ref } } as { number: number; body: string | null }],
      dependencies: await args.store.getDependencies(repo),
      rebaseRequested: new Set([number]),
      docker: sharedEnrichment(log).dockerDigests(),
      ...sharedEnrichment(log).lockArtefactAccess(),
    });
    if (m.upToDate.includes(number)) return `Closed: the base branch already has this update.`;
    if (m.recreated.includes(number)) return `Rebuilt on the current ${pr.data.base.ref} head.`;
    if (m.errors.length > 0) return `Could not rebuild: ${m.errors.join("; ")}`;
    return `Already built on the current ${pr.data.base.ref} head; nothing to do.`;
  } catch (err) {
    log.warn({ pr: number, err: errorText(err) }, `rebase of #${number} failed: ${errorText(err)}`);
    return `Could not rebuild #${number}: ${errorText(err)}`;
  }
}
