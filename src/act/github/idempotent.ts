/**
 * Creates that cannot duplicate (docs/notes/convergence.md). A create whose answer was lost (a 5xx or a
 * dropped connection after GitHub made the object) is looked for by its marker before it is tried
 * again; only when nothing is found is it created again. Rate limits are retried below this layer
 * (src/act/github/retry.ts): GitHub did not act on those.
 */
import { statusOf, type GitHubOctokit } from "./client.js";
import { BASE_LABEL } from "./labels.js";

/** Could the failed create have taken effect? A 5xx, or no HTTP answer at all. */
export function mayHaveTakenEffect(err: unknown): boolean {
  const s = statusOf(err);
  return s === null || s >= 500;
}

/**
 * `create()`; when its outcome is unknown, `find()` the object by its marker: found → it, not found →
 * create again, at most `attempts` creates in all. Other errors are thrown at once.
 */
export async function createOnce<T>(create: () => Promise<T>, find: () => Promise<T | null>, attempts = 2): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await create();
    } catch (err) {
      if (!mayHaveTakenEffect(err)) throw err;
      last = err;
      const found = await find();
      if (found !== null) return found;
    }
  }
  throw last;
}

type Requester = Pick<GitHubOctokit, "request">;

export interface CreatedIssue {
  number: number;
  html_url?: string;
}

/**
 * The newest issues carrying `label` (open and closed), newest first: where a create whose answer was
 * lost would be. One page; the lost create is among the last made.
 */
export async function findIssueByMarker(octokit: Requester, repo: { owner: string; repo: string }, marker: string, label: string = BASE_LABEL): Promise<CreatedIssue | null> {
  const res = await octokit.request("GET /repos/{owner}/{repo}/issues", { ...repo, labels: label, state: "all", sort: "created", direction: "desc", per_page: 50 });
  const hit = (res.data as Array<{ number: number; body?: string | null; html_url?: string; pull_request?: unknown }>).find((i) => !i.pull_request && (i.body ?? "").includes(marker));
  return hit ? { number: hit.number, ...(hit.html_url ? { html_url: hit.html_url } : {}) } : null;
}

/** POST an issue once: a lost answer is found by `marker` (which the body must contain). */
export async function createIssueOnce(
  octokit: Requester,
  repo: { owner: string; repo: string },
  params: { title: string; body: string; labels?: string[]; assignees?: string[] },
  marker: string,
): Promise<CreatedIssue> {
  const label = params.labels?.[0] ?? BASE_LABEL;
  return createOnce(
    async () => {
      const res = await octokit.request("POST /repos/{owner}/{repo}/issues", { ...repo, ...params });
      const d = res.data as { number: number; html_url?: string };
      return { number: d.number, ...(d.html_url ? { html_url: d.html_url } : {}) };
    },
    () => findIssueByMarker(octokit, repo, marker, label),
  );
}

/** `<!-- cowabunga:comment:<key> -->`: the hidden key of one event comment (close, reopen, supersede...). */
export function commentMarker(key: string): string {
  return `<!-- cowabunga:comment:${key.replace(/[^A-Za-z0-9._:@/+-]/g, "_").slice(0, 200)} -->`;
}

async function findComment(octokit: Requester, repo: { owner: string; repo: string }, issueNumber: number, marker: string): Promise<{ id: number } | null> {
  const list = (await (octokit as Pick<GitHubOctokit, "request"> & Partial<Pick<GitHubOctokit, "paginate">>).paginate?.("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issueNumber, per_page: 100 })) as
    | Array<{ id: number; body?: string | null }>
    | undefined;
  const comments = list ?? ((await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issueNumber, per_page: 100 })).data as Array<{ id: number; body?: string | null }>);
  const hit = comments.find((c) => (c.body ?? "").includes(marker));
  return hit ? { id: hit.id } : null;
}

/**
 * Post the comment keyed `key` on an issue or PR exactly once: when a comment with its marker is there
 * already (an earlier run posted it, then failed on the write after it), nothing is posted. One read of
 * the issue's comments; these comments go with rare events (close, reopen, supersede), never every scan.
 */
export async function commentOnce(
  octokit: Requester,
  repo: { owner: string; repo: string },
  issueNumber: number,
  key: string,
  body: string,
): Promise<"created" | "exists"> {
  const marker = commentMarker(key);
  if (await findComment(octokit, repo, issueNumber, marker)) return "exists";
  let made = false;
  await createOnce(
    async () => {
      await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issueNumber, body: `${body}\n\n${marker}` });
      made = true;
      return true;
    },
    async () => ((await findComment(octokit, repo, issueNumber, marker)) ? true : null),
  );
  return made ? "created" : "exists";
}
