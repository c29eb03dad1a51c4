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

/** Subtree listings at most, when a truncated tree is walked level by level. */
export const MAX_SUBTREE_REQUESTS = 2000;

/**
 * The commit's tree (recursive): path → entry. When GitHub truncates the recursive listing, the tree is
 * walked as the scan's source does (src/source/github.ts): each subdirectory listed recursively, and
 * level by level only where that listing is itself truncated, so every file is found. `wanted` (the
 * paths the caller will edit) limits the walk to the directories on their way.
 */
export async function readTree(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  commitSha: string,
  wanted?: readonly string[],
): Promise<{ treeSha: string; entries: Map<string, TreeEntry>; truncated: boolean }> {
  const commit = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { owner, repo, commit_sha: commitSha });
  const treeSha = commit.data.tree.sha;
  const entries = new Map<string, TreeEntry>();
  type Listing = { tree: Array<{ path?: string; type?: string; sha?: string; mode?: string }>; truncated?: boolean };
  const list = async (sha: string, recursive: boolean): Promise<Listing> =>
    (await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { owner, repo, tree_sha: sha, ...(recursive ? { recursive: "1" } : {}) })).data as Listing;
  const collect = (l: Listing, prefix: string): void => {
    for (const e of l.tree) {
      if (e.path && e.type === "blob" && e.sha && e.mode) {
        const path = prefix ? `${prefix}/${e.path}` : e.path;
        entries.set(path, { path, mode: e.mode, type: e.type, sha: e.sha });
      }
    }
  };
  const root = await list(treeSha, true);
  if (!root.truncated) {
    collect(root, "");
    return { treeSha, entries, truncated: false };
  }
  const dirsOf = wanted ? new Set(wanted.flatMap((p) => p.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/")))) : null;
  let requests = 0;
  const walk = async (sha: string, dir: string): Promise<void> => {
    if (++requests > MAX_SUBTREE_REQUESTS) throw new Error(`tree ${treeSha}: more than ${MAX_SUBTREE_REQUESTS} subtrees to list`);
    const level = await list(sha, false);
    collect({ tree: level.tree.filter((e) => e.type === "blob") }, dir);
    for (const e of level.tree) {
      if (e.type !== "tree" || !e.path || !e.sha) continue;
      const sub = dir ? `${dir}/${e.path}` : e.path;
      if (dirsOf && !dirsOf.has(sub)) continue;
      if (++requests > MAX_SUBTREE_REQUESTS) throw new Error(`tree ${treeSha}: more than ${MAX_SUBTREE_REQUESTS} subtrees to list`);
      const rec = await list(e.sha, true);
      if (!rec.truncated) collect(rec, sub);
      else await walk(e.sha, sub);
    }
  };
  await walk(treeSha, "");
  return { treeSha, entries, truncated: true };
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

/**
 * Point `refs/heads/<branch>` at `sha`: create it, or force-move it when it already exists. A create
 * whose answer was lost (5xx) is not repeated blindly: the ref is moved if it is there, created again
 * only if it is not.
 */
export async function upsertBranch(octokit: GitHubClient, owner: string, repo: string, branch: string, sha: string): Promise<"created" | "updated"> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", { owner, repo, ref: `refs/heads/${branch}`, sha });
    return "created";
  } catch (e) {
    const s = statusOf(e);
    if (s !== 422 && s !== null && s < 500) throw e;
    try {
      await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${branch}`, sha, force: true });
      return "updated";
    } catch (e2) {
      // Not there after all (the lost create did not happen): create it now.
      if (s === 422 || statusOf(e2) !== 422) throw e2;
      await octokit.request("POST /repos/{owner}/{repo}/git/refs", { owner, repo, ref: `refs/heads/${branch}`, sha });
      return "created";
    }
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
