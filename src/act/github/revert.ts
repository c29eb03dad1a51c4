import type { MaintenanceRecord } from "../../model/index.js";
import type { Store } from "../../store/types.js";
import { escapeMarkdown, safeHttpUrl } from "../report/escape.js";
import { BRANCH_PREFIX, describeError, refSegment, upsertBranch, type GitHubClient, type Logger } from "./pulls-git.js";

export interface DefaultBranchFailureArgs {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Branch and commit of the failed check_suite / workflow_run. */
  headBranch: string | null;
  headSha: string;
  conclusion: string | null;
  store: Store;
  clock: () => Date;
  log: Logger;
}

export type DefaultBranchFailureResult =
  | { status: "skipped"; reason: string }
  | { status: "exists"; revert_pull_request: number }
  | { status: "opened"; revert_pull_request: number; record: MaintenanceRecord };

const FAILING = new Set(["failure", "timed_out", "startup_failure"]);

export function revertBranchName(recordId: string): string {
  return `${BRANCH_PREFIX}revert/${refSegment(recordId, 80)}`;
}

/**
 * The default branch's CI failed on a commit that is the merge of an update the app made (matched by the
 * record's merge_commit_sha): open a revert PR whose one commit has the merge's first parent's tree, on
 * `cowabunga/revert/<record id>`; link it to the record (revert_pull_request), set issues_introduced to the
 * failing checks and success to false. Idempotent: a record that already has a revert PR, or an existing PR
 * from the revert branch, is not reverted twice.
 */
export async function handleDefaultBranchFailure(args: DefaultBranchFailureArgs): Promise<DefaultBranchFailureResult> {
  const { octokit, owner, repo, store, log } = args;
  if (args.headBranch !== args.defaultBranch) return { status: "skipped", reason: "not the default branch" };
  if (!args.conclusion || !FAILING.has(args.conclusion)) return { status: "skipped", reason: `conclusion ${args.conclusion ?? "none"} is not a failure` };
  const ref = { owner, repo };
  const record = (await store.getRecords(ref)).find((r) => r.merge_commit_sha === args.headSha);
  if (!record) return { status: "skipped", reason: "the commit is not the merge of an app update" };
  if (record.revert_pull_request != null) return { status: "exists", revert_pull_request: record.revert_pull_request };
  const branch = revertBranchName(record.id);

  const existing = await octokit.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "all", head: `${owner}:${branch}`, per_page: 1 });
  if (existing.data[0]) {
    const n = existing.data[0].number;
    await store.updateRecords(ref, (records) => records.map((r) => (r.id === record.id ? { ...r, revert_pull_request: n } : r)));
    return { status: "exists", revert_pull_request: n };
  }

  const runs = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: args.headSha, per_page: 100 });
  const failing = runs.data.check_runs.filter((c) => c.conclusion != null && FAILING.has(c.conclusion));
  const merge = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { owner, repo, commit_sha: args.headSha });
  const parentSha = merge.data.parents[0]?.sha;
  if (!parentSha) return { status: "skipped", reason: "the merge commit has no parent" };
  const parent = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { owner, repo, commit_sha: parentSha });
  const commit = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
    owner,
    repo,
    message: `Revert "${record.title.replace(/[\r\n]+/g, " ").slice(0, 150)}"\n\nThis reverts merge commit ${args.headSha}: the ${args.defaultBranch} CI failed on it.`,
    tree: parent.data.tree.sha,
    parents: [args.headSha],
  });
  await upsertBranch(octokit, owner, repo, branch, commit.data.sha);
  const md = (v: unknown): string => escapeMarkdown(v);
  const checkLines = failing.map((c) => {
    const url = safeHttpUrl(c.html_url);
    return `- ${url ? `[${md(c.name)}](${url})` : md(c.name)}: ${md(c.conclusion)}`;
  });
  const body = [
    `The ${md(args.defaultBranch)} CI failed on \`${args.headSha.replace(/[^0-9a-f]/gi, "")}\`, the merge of update PR #${record.pull_request ?? "?"} (maintenance record \`${md(record.id)}\`).`,
    "",
    "This PR restores the tree of the commit before the merge.",
    "",
    "### Failing checks",
    "",
    ...(checkLines.length > 0 ? checkLines : ["- (no failing check run found; the failing workflow reported the failure)"]),
    "",
    `Updates reverted: ${record.dependencies_updated.map(md).join(", ") || "(none recorded)"}`,
    "",
    `<!-- cowabunga:revert:${JSON.stringify({ record: record.id, merge: args.headSha }).replace(/-/g, "\\u002d").replace(/</g, "\\u003c").replace(/>/g, "\\u003e")} -->`,
  ].join("\n");
  const pr = await octokit.request("POST /repos/{owner}/{repo}/pulls", { owner, repo, title: `Revert: ${record.title}`.slice(0, 250), head: branch, base: args.defaultBranch, body });
  const number = pr.data.number;
  const names = failing.map((c) => c.name);
  let updated: MaintenanceRecord = record;
  await store.updateRecords(ref, (records) =>
    records.map((r) => {
      if (r.id !== record.id) return r;
      updated = { ...r, revert_pull_request: number, issues_introduced: names.length > 0 ? names : [`${args.defaultBranch} CI failed on ${args.headSha}`], success: false, attempt_status: "reverted" };
      return updated;
    }),
  );
  log.info({ record: record.id, revert: number }, "revert pull request opened");
  await octokit
    .request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: record.pull_request ?? number, body: `The ${md(args.defaultBranch)} CI failed after this merge; revert PR #${number} is open.` })
    .catch((e: unknown) => log.warn({ err: describeError(e) }, "could not comment on the original PR"));
  return { status: "opened", revert_pull_request: number, record: updated };
}
