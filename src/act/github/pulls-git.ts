import type { ProbotOctokit } from "probot";

/** The one Octokit method these modules use; a Probot `context.octokit` fits. */
export type GitHubClient = Pick<InstanceType<typeof ProbotOctokit>, "request">;

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error?(obj: unknown, msg?: string): void;
}

export const BRANCH_PREFIX = "cowabunga/";

/** Status code of an Octokit RequestError, or null. */
export function statusOf(e: unknown): number | null {
  return typeof e === "object" && e !== null && typeof (e as { status?: unknown }).status === "number" ? (e as { status: number }).status : null;
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.slice(0, 300);
  return String(e).slice(0, 300);
}

/**
 * One segment of a git branch name: lower case, `[a-z0-9._-]` only, no `..`, no leading `.`/`-`, no `.lock`
 * suffix, at most `max` characters (git check-ref-format rules).
 */
export function refSegment(value: string, max = 60): string {
  let s = value
    .toLowerCase()
    .replace(/^@/, "")
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/-{2,}/g, "-")
    .replace(/^[.-]+|[.-]+$/g, "");
  if (s.length > max) s = s.slice(0, max).replace(/[.-]+$/, "");
  s = s.replace(/\.lock$/, "-lock");
  return s === "" ? "x" : s;
}

/** `cowabunga/<component>/<package>-<version>`, sanitised for git. */
export function updateBranchName(component: string, pkg: string, version: string): string {
  return `${BRANCH_PREFIX}${refSegment(component || "root", 40)}/${refSegment(`${pkg}-${version}`, 80)}`;
}

export interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  sha: string;
}

/** The commit's tree (recursive): path → entry. A truncated tree is still returned (we edit known paths). */
export async function readTree(octokit: GitHubClient, owner: string, repo: string, commitSha: string): Promise<{ treeSha: string; entries: Map<string, TreeEntry> }> {
  const commit = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { owner, repo, commit_sha: commitSha });
  const treeSha = commit.data.tree.sha;
  const tree = await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { owner, repo, tree_sha: treeSha, recursive: "1" });
  const entries = new Map<string, TreeEntry>();
  for (const e of tree.data.tree) {
    if (e.path && e.type === "blob" && e.sha && e.mode) entries.set(e.path, { path: e.path, mode: e.mode, type: e.type, sha: e.sha });
  }
  return { treeSha, entries };
}

export async function readBlobText(octokit: GitHubClient, owner: string, repo: string, sha: string): Promise<string> {
  const blob = await octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { owner, repo, file_sha: sha });
  const data = blob.data;
  return data.encoding === "base64" ? Buffer.from(data.content, "base64").toString("utf8") : data.content;
}

export interface FileChange {
  path: string;
  content: string;
  /** 100644 or 100755: the mode the file had in the base tree (100644 for new files). */
  mode: "100644" | "100755";
}

/**
 * ONE commit through the Git Data API: a blob per changed file, a tree on `base_tree`, a commit whose parent
 * is `parentSha`. Returns the new commit's SHA.
 */
export async function createCommit(
  octokit: GitHubClient,
  args: { owner: string; repo: string; parentSha: string; baseTreeSha: string; files: readonly FileChange[]; message: string },
): Promise<string> {
  const { owner, repo } = args;
  const tree: Array<{ path: string; mode: "100644" | "100755"; type: "blob"; sha: string }> = [];
  for (const f of args.files) {
    const blob = await octokit.request("POST /repos/{owner}/{repo}/git/blobs", { owner, repo, content: Buffer.from(f.content, "utf8").toString("base64"), encoding: "base64" });
    tree.push({ path: f.path, mode: f.mode, type: "blob", sha: blob.data.sha });
  }
  const newTree = await octokit.request("POST /repos/{owner}/{repo}/git/trees", { owner, repo, base_tree: args.baseTreeSha, tree });
  const commit = await octokit.request("POST /repos/{owner}/{repo}/git/commits", { owner, repo, message: args.message, tree: newTree.data.sha, parents: [args.parentSha] });
  return commit.data.sha;
}

/** Point `refs/heads/<branch>` at `sha`: create it, or force-move it when it already exists. */
export async function upsertBranch(octokit: GitHubClient, owner: string, repo: string, branch: string, sha: string): Promise<"created" | "updated"> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", { owner, repo, ref: `refs/heads/${branch}`, sha });
    return "created";
  } catch (e) {
    if (statusOf(e) !== 422) throw e;
    await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${branch}`, sha, force: true });
    return "updated";
  }
}

/** Embed JSON in an HTML comment so it can never close the comment or open a tag. */
export function markerJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/-/g, "\\u002d");
}

/** Read `<!-- cowabunga:<name>:{json} -->` from a body; null when absent or not JSON. */
export function readMarker(body: string | null | undefined, name: string): unknown {
  if (!body) return null;
  const start = body.indexOf(`<!-- cowabunga:${name}:`);
  if (start < 0) return null;
  const from = start + `<!-- cowabunga:${name}:`.length;
  const end = body.indexOf(" -->", from);
  if (end < 0) return null;
  try {
    return JSON.parse(body.slice(from, end)) as unknown;
  } catch {
    return null;
  }
}
