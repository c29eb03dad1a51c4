import type { ProbotOctokit } from "probot";
import pLimit from "p-limit";
import { errorMessage, maxFileBytesFromEnv, isInSkippedDir, isSkippedDir } from "./local.js";
import type { RepoFile, RepoSource, SourceWarning } from "./types.js";

/** The two Octokit methods the source uses; a Probot `context.octokit` fits. */
export type GitHubClient = Pick<InstanceType<typeof ProbotOctokit>, "request" | "graphql">;

export interface GitHubSourceOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** Commit SHA to scan. Preferred: the scan is then pinned to one snapshot and commitSha is known. */
  sha?: string;
  /** Branch or tag, used when no sha is given (commitSha then stays null). */
  ref?: string;
  /** Files per GraphQL query (default 50). */
  batchSize?: number;
  /** Files larger than this are listed but not read (default 5 MB). */
  maxFileBytes?: number;
  /** Parallel subtree requests when walking a truncated tree (default 4). */
  concurrency?: number;
}

interface TreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
  size?: number;
}

interface TreeResponse {
  sha: string;
  truncated: boolean;
  tree: TreeEntry[];
}

interface BlobFields {
  text: string | null;
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
}

type BlobQueryResult = { repository: Record<string, BlobFields | null> | null };

interface GraphqlErrorLike {
  message?: string;
  path?: ReadonlyArray<string | number>;
}

/**
 * A GitHub repository at one commit. API cost for a scan of N manifest and companion files:
 * one `GET /git/trees/{sha}?recursive=1`, then ceil(N / batchSize) GraphQL queries, each fetching
 * up to batchSize blobs by `object(expression: "<sha>:<path>")`, with the expressions passed as
 * GraphQL variables (never interpolated into the query text).
 */
export class GitHubSource implements RepoSource {
  readonly description: string;
  readonly warnings: SourceWarning[] = [];
  readonly commitSha: string | null;
  /** Counters, for tests and logs. */
  readonly stats = { treeRequests: 0, graphqlRequests: 0, blobRequests: 0 };
  private readonly octokit: GitHubClient;
  private readonly owner: string;
  private readonly repo: string;
  private readonly rev: string;
  private readonly batchSize: number;
  private readonly maxFileBytes: number;
  private readonly concurrency: number;
  private listing: Promise<RepoFile[]> | null = null;
  private entries = new Map<string, { sha: string; size: number | null }>();
  private _treeSha: string | null = null;

  constructor(opts: GitHubSourceOptions) {
    const rev = opts.sha ?? opts.ref;
    if (!rev) throw new Error("GitHubSource needs a sha or a ref");
    this.octokit = opts.octokit;
    this.owner = opts.owner;
    this.repo = opts.repo;
    this.rev = rev;
    this.commitSha = opts.sha ?? null;
    this.batchSize = Math.max(1, opts.batchSize ?? 50);
    this.maxFileBytes = opts.maxFileBytes ?? maxFileBytesFromEnv();
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.description = `github:${opts.owner}/${opts.repo}@${rev}`;
  }

  /** SHA of the root tree, known after listFiles: equal SHAs mean identical content. */
  get treeSha(): string | null {
    return this._treeSha;
  }

  listFiles(): Promise<RepoFile[]> {
    this.listing ??= this.loadTree();
    return this.listing;
  }

  async readFiles(paths: string[]): Promise<Map<string, string>> {
    await this.listFiles();
    const out = new Map<string, string>();
    const wanted: string[] = [];
    for (const p of [...new Set(paths)].sort()) {
      const entry = this.entries.get(p);
      if (!entry) continue; // not in the tree: absent, as RepoSource promises
      if (entry.size !== null && entry.size > this.maxFileBytes) {
        this.warn(p, `not read: ${entry.size} bytes is over the ${this.maxFileBytes}-byte limit`);
        continue;
      }
      wanted.push(p);
    }
    const truncated: string[] = [];
    for (let i = 0; i < wanted.length; i += this.batchSize) {
      await this.fetchBatch(wanted.slice(i, i + this.batchSize), out, truncated);
    }
    // GraphQL gives up on large text blobs (isTruncated); the REST blob endpoint serves them whole.
    for (const p of truncated) await this.fetchBlobRest(p, out);
    return out;
  }

  private warn(file: string | null, message: string): void {
    this.warnings.push({ file, message });
  }

  private async getTree(sha: string, recursive: boolean): Promise<TreeResponse> {
    this.stats.treeRequests++;
    const res = await this.octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      owner: this.owner,
      repo: this.repo,
      tree_sha: sha,
      ...(recursive ? { recursive: "1" } : {}),
    });
    return res.data as TreeResponse;
  }

  private async loadTree(): Promise<RepoFile[]> {
    let root: TreeResponse;
    try {
      root = await this.getTree(this.rev, true);
    } catch (err) {
      throw new Error(`GET /repos/${this.owner}/${this.repo}/git/trees/${this.rev}?recursive=1 failed: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    this._treeSha = root.sha;
    const files: Array<{ path: string; sha: string; size: number | null }> = [];
    if (!root.truncated) {
      collectBlobs(root.tree, "", files);
    } else {
      this.warn(null, "the recursive tree listing was truncated by GitHub; walking subtrees one by one");
      await this.walkTruncated(root.sha, "", files);
    }
    const all = new Set(files.map((f) => f.path));
    const kept = files.filter((f) => !isInSkippedDir(f.path, all));
    kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of kept) this.entries.set(f.path, { sha: f.sha, size: f.size });
    return kept.map((f) => ({ path: f.path, size: f.size }));
  }

  /**
   * Walk of a tree too big for one recursive listing: list `treeSha` non-recursively, then try each
   * subdirectory (except skipped ones such as node_modules or vendor) recursively, descending level
   * by level only where that listing is itself truncated.
   */
  private async walkTruncated(
    treeSha: string,
    prefix: string,
    out: Array<{ path: string; sha: string; size: number | null }>,
  ): Promise<void> {
    const limit = pLimit(this.concurrency);
    const walkDir = async (sha: string, dir: string): Promise<void> => {
      let level: TreeResponse;
      try {
        level = await this.getTree(sha, false);
      } catch (err) {
        this.warn(dir || ".", `subtree could not be listed: ${errorMessage(err)}`);
        return;
      }
      collectBlobs(level.tree, dir, out);
      const names = new Set(level.tree.filter((e) => e.type === "blob").map((e) => e.path ?? ""));
      const subdirs = level.tree.filter((e) => e.type === "tree" && e.path && e.sha);
      await Promise.all(
        subdirs.map((e) =>
          limit(async () => {
            const sub = dir ? `${dir}/${e.path}` : (e.path as string);
            if (isSkippedDir(sub, names)) return;
            let rec: TreeResponse;
            try {
              rec = await this.getTree(e.sha as string, true);
            } catch (err) {
              this.warn(sub, `subtree could not be listed: ${errorMessage(err)}`);
              return;
            }
            if (!rec.truncated) collectBlobs(rec.tree, sub, out);
            else await walkDir(e.sha as string, sub);
          }),
        ),
      );
    };
    await walkDir(treeSha, prefix);
  }

  private async fetchBatch(batch: string[], out: Map<string, string>, truncated: string[]): Promise<void> {
    const vars: Record<string, string> = { owner: this.owner, name: this.repo };
    const decls = ["$owner: String!", "$name: String!"];
    const fields: string[] = [];
    batch.forEach((p, i) => {
      vars[`e${i}`] = `${this.rev}:${p}`;
      decls.push(`$e${i}: String!`);
      fields.push(`f${i}: object(expression: $e${i}) { ... on Blob { text byteSize isBinary isTruncated } }`);
    });
    const query = `query (${decls.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`;
    let data: BlobQueryResult | null = null;
    const failed = new Map<string, string>();
    this.stats.graphqlRequests++;
    try {
      data = await this.octokit.graphql<BlobQueryResult>(query, vars);
    } catch (err) {
      const partial = err as { data?: BlobQueryResult; errors?: GraphqlErrorLike[] };
      if (partial && partial.data && Array.isArray(partial.errors)) {
        data = partial.data;
        for (const e of partial.errors) {
          const alias = e.path?.find((s) => typeof s === "string" && /^f\d+$/.test(s));
          if (typeof alias === "string") failed.set(alias, e.message ?? "GraphQL error");
          else this.warn(null, `GraphQL error while reading files: ${e.message ?? "unknown"}`);
        }
      } else {
        for (const p of batch) this.warn(p, `could not be read: GraphQL request failed: ${errorMessage(err)}`);
        return;
      }
    }
    batch.forEach((p, i) => {
      const alias = `f${i}`;
      const blob = data?.repository?.[alias];
      if (failed.has(alias)) {
        this.warn(p, `could not be read: ${failed.get(alias)}`);
      } else if (!blob) {
        this.warn(p, "could not be read: GitHub returned no blob for it");
      } else if (blob.isBinary) {
        this.warn(p, "not read: binary file");
      } else if (blob.isTruncated || blob.text === null) {
        truncated.push(p);
      } else {
        out.set(p, blob.text);
      }
    });
  }

  private async fetchBlobRest(p: string, out: Map<string, string>): Promise<void> {
    const entry = this.entries.get(p);
    if (!entry) return;
    this.stats.blobRequests++;
    try {
      const res = await this.octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
        owner: this.owner,
        repo: this.repo,
        file_sha: entry.sha,
      });
      const { content, encoding } = res.data as { content: string; encoding: string };
      out.set(p, encoding === "base64" ? Buffer.from(content, "base64").toString("utf8") : content);
    } catch (err) {
      this.warn(p, `could not be read (GET /repos/${this.owner}/${this.repo}/git/blobs/${entry.sha}): ${errorMessage(err)}`);
    }
  }
}

function collectBlobs(
  tree: TreeEntry[],
  prefix: string,
  out: Array<{ path: string; sha: string; size: number | null }>,
): void {
  for (const e of tree) {
    // Submodules (type "commit") live in another repository; symlinks (mode 120000) would read as
    // their target's path, not its content. Both are left out.
    if (e.type !== "blob" || !e.path || !e.sha || e.mode === "120000") continue;
    out.push({ path: prefix ? `${prefix}/${e.path}` : e.path, sha: e.sha, size: typeof e.size === "number" ? e.size : null });
  }
}
