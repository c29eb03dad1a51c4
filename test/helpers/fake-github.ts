import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkRequest } from "./openapi-validator.js";

/**
 * A small GitHub-compatible HTTP server for end-to-end tests, served as a GitHub Enterprise Server
 * (REST under /api/v3, GraphQL at /api/graphql). It keeps repositories in memory (git objects,
 * refs, issues, labels, comments, pulls, check runs) and checks EVERY REST request against GitHub's
 * OpenAPI description; violations are collected in `violations` for the test to assert on.
 */

export interface TreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree";
  sha: string;
  size?: number;
}
interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: { name: string; email: string; date: string };
  /** Who made it: the app's bot for commits made through the API, a person for commitFiles/commitOnBranch. */
  login?: string;
}
export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: Array<{ name: string }>;
  assignees: Array<{ login: string }>;
  user: { login: string; type: string };
  pull_request?: { url: string; html_url?: string; diff_url?: string; patch_url?: string; merged_at?: string | null };
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}
export interface FakeComment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}
export interface FakePull {
  id: number;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  merged: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  mergeable: boolean | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  user: { login: string; type: string };
  labels: Array<{ name: string }>;
  requested_reviewers: Array<{ login: string }>;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  draft: boolean;
}
export interface FakeRepo {
  owner: string;
  name: string;
  id: number;
  default_branch: string;
  blobs: Map<string, Buffer>;
  trees: Map<string, TreeEntry[]>;
  commits: Map<string, Commit>;
  refs: Map<string, string>;
  issues: FakeIssue[];
  comments: FakeComment[];
  labels: Array<{ id: number; name: string; color: string; description: string | null }>;
  checkRuns: Map<string, Array<{ id: number; name: string; status: string; conclusion: string | null; html_url: string; started_at: string; completed_at: string | null; output?: { title: string | null; summary: string | null } }>>;
  permissions: Map<string, "admin" | "maintain" | "write" | "triage" | "read" | "none">;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  kind: "rest" | "graphql";
  /** When the request arrived (ms since the epoch). */
  at?: number;
}

const BOT = { login: "cowabunga-maintainer[bot]", type: "Bot" };

/**
 * A fault the fake injects on matching requests, `times` times (then it is spent):
 * - `rate-limit`: 403 "secondary rate limit" with `retry-after` (GitHub did nothing);
 * - `502-before`: 502, and GitHub did nothing;
 * - `502-after`: GitHub did the work, then the answer was lost (502).
 */
export interface Fault {
  method: string;
  /** Matched against the REST path without /api/v3 (e.g. /repos/acme/w/issues). */
  path: RegExp;
  kind: "rate-limit" | "502-before" | "502-after";
  times: number;
  retryAfter?: number;
  /** Only requests whose JSON body satisfies this (e.g. one issue title). */
  when?: (body: Record<string, unknown> | undefined) => boolean;
}

function sha1(data: string | Buffer): string {
  return createHash("sha1").update(data).digest("hex");
}

export class FakeGitHub {
  readonly repos = new Map<string, FakeRepo>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private server: Server | undefined;
  private nextId = 1000;
  /** Faults to inject (see Fault); spent ones stay with times 0. */
  readonly faults: Fault[] = [];
  /** Faults that fired, as "METHOD path kind". */
  readonly faultLog: string[] = [];
  /** Logins GitHub refuses as assignees (GET assignees/{u} 404; POST issues with them 422). */
  readonly unassignable = new Set<string>();
  /** A recursive tree listing with more entries than this is truncated, as GitHub does past its limit. */
  truncateTreesOver = Infinity;
  private clock = Date.parse("2026-11-25T12:00:00Z");
  port = 0;

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  /** Create a repository whose default branch holds `files` in one commit; returns the commit SHA. */
  addRepo(fullName: string, files: Record<string, string>, opts: { defaultBranch?: string } = {}): string {
    const [owner, name] = fullName.split("/") as [string, string];
    const repo: FakeRepo = {
      owner,
      name,
      id: this.nextId++,
      default_branch: opts.defaultBranch ?? "main",
      blobs: new Map(),
      trees: new Map(),
      commits: new Map(),
      refs: new Map(),
      issues: [],
      comments: [],
      labels: [],
      checkRuns: new Map(),
      permissions: new Map(),
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return this.commitFiles(fullName, files, "initial commit");
  }

  /** Commit a full snapshot of files onto the default branch; returns the new commit SHA. */
  commitFiles(fullName: string, files: Record<string, string>, message: string): string {
    const repo = this.repo(fullName);
    const entries: TreeEntry[] = Object.entries(files)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, content]) => {
        const buf = this.blob(content);
        const sha = sha1(`blob ${buf.length}\0${content}`);
        repo.blobs.set(sha, buf);
        return { path, mode: "100644", type: "blob" as const, sha, size: buf.length };
      });
    const tree = this.storeTree(repo, entries);
    const parent = repo.refs.get(`heads/${repo.default_branch}`);
    const commit = this.storeCommit(repo, tree, parent ? [parent] : [], message);
    repo.refs.set(`heads/${repo.default_branch}`, commit);
    return commit;
  }

  /** One buffer per distinct content across repositories (a fleet of thousands shares its files). */
  private readonly blobPool = new Map<string, Buffer>();
  private blob(content: string): Buffer {
    let b = this.blobPool.get(content);
    if (!b) this.blobPool.set(content, (b = Buffer.from(content)));
    return b;
  }

  repo(fullName: string): FakeRepo {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`no fake repo ${fullName}`);
    return r;
  }

  /** Flat file list (path → content) of a commit. */
  filesAt(fullName: string, commitSha: string): Record<string, string> {
    const repo = this.repo(fullName);
    const commit = repo.commits.get(commitSha);
    if (!commit) throw new Error(`no commit ${commitSha}`);
    const out: Record<string, string> = {};
    for (const e of this.flatTree(repo, commit.tree)) if (e.type === "blob") out[e.path] = repo.blobs.get(e.sha)?.toString("utf8") ?? "";
    return out;
  }

  addCheckRun(fullName: string, sha: string, name: string, conclusion: "success" | "failure"): void {
    const repo = this.repo(fullName);
    const runs = repo.checkRuns.get(sha) ?? [];
    runs.push({
      id: this.nextId++,
      name,
      status: "completed",
      conclusion,
      html_url: `http://${this.host}/${fullName}/runs/${runs.length + 1}`,
      started_at: this.now(),
      completed_at: this.now(),
      output: { title: name, summary: conclusion },
    });
    repo.checkRuns.set(sha, runs);
  }

  /** Count of REST/GraphQL requests, optionally only those matching a method. */
  count(filter: (r: RecordedRequest) => boolean = () => true): number {
    return this.requests.filter(filter).length;
  }

  reads(): number {
    return this.count((r) => r.kind === "graphql" || (r.method === "GET" && !r.path.startsWith("/app/")));
  }

  writes(): number {
    return this.count((r) => r.kind === "rest" && r.method !== "GET" && !r.path.startsWith("/app/"));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.violations.push(`server error: ${String(err)}`);
        send(res, 500, { message: String(err) });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- internals ----

  private storeTree(repo: FakeRepo, entries: TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => a.path.localeCompare(b.path));
    const sha = sha1(JSON.stringify(sorted.map((e) => [e.path, e.mode, e.sha])));
    repo.trees.set(sha, sorted);
    return sha;
  }

  private storeCommit(repo: FakeRepo, tree: string, parents: string[], message: string, login = "someone"): string {
    const date = this.now();
    const sha = sha1(`${tree}|${parents.join(",")}|${message}|${date}`);
    repo.commits.set(sha, { sha, tree, parents, message, author: { name: "t", email: "t@example.com", date }, login });
    return sha;
  }

  /** A person pushes a commit onto `branch` (e.g. an update PR's branch), changing `files`; returns its SHA. */
  commitOnBranch(fullName: string, branch: string, files: Record<string, string>, message: string, login = "alice"): string {
    const repo = this.repo(fullName);
    const parent = repo.refs.get(`heads/${branch}`);
    if (!parent) throw new Error(`no branch ${branch}`);
    const byPath = new Map(this.flatTree(repo, repo.commits.get(parent)!.tree).map((e) => [e.path, e] as const));
    for (const [path, content] of Object.entries(files)) {
      const buf = Buffer.from(content);
      const sha = sha1(`blob ${buf.length}\0${content}`);
      repo.blobs.set(sha, buf);
      byPath.set(path, { path, mode: "100644", type: "blob", sha, size: buf.length });
    }
    const commit = this.storeCommit(repo, this.storeTree(repo, [...byPath.values()]), [parent], message, login);
    repo.refs.set(`heads/${branch}`, commit);
    for (const p of this.pulls(repo)) if (p.state === "open" && p.head.ref === branch) p.head.sha = commit;
    return commit;
  }

  /** The stored tree of directory `dir` of a flat tree (its entries with paths relative to it). */
  private subtree(repo: FakeRepo, entries: readonly TreeEntry[], dir: string): string {
    const below = entries.filter((e) => e.path.startsWith(`${dir}/`)).map((e) => ({ ...e, path: e.path.slice(dir.length + 1) }));
    return this.storeTree(repo, below);
  }

  /** Trees are stored flat (recursive listing); a tree SHA lists every blob below it. */
  private flatTree(repo: FakeRepo, treeSha: string): TreeEntry[] {
    return repo.trees.get(treeSha) ?? [];
  }

  private issueJson(repo: FakeRepo, i: FakeIssue): object {
    return {
      ...i,
      url: `http://${this.host}/api/v3/repos/${repo.owner}/${repo.name}/issues/${i.number}`,
      html_url: `http://${this.host}/${repo.owner}/${repo.name}/issues/${i.number}`,
      node_id: `I_${i.id}`,
      comments: repo.comments.filter((c) => c.issue_number === i.number).length,
      locked: false,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${this.host}`);
    const method = (req.method ?? "GET").toUpperCase();
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        this.violations.push(`${method} ${url.pathname}: body is not JSON`);
        return send(res, 400, { message: "Problems parsing JSON" });
      }
    }
    if (url.pathname === "/api/graphql") {
      this.requests.push({ method, path: url.pathname, query: url.searchParams, body, kind: "graphql" });
      return this.graphql(body, res);
    }
    if (!url.pathname.startsWith("/api/v3/")) return send(res, 404, { message: "Not Found" });
    const path = decodeURIComponent(url.pathname.slice("/api/v3".length));
    this.requests.push({ method, path, query: url.searchParams, body, kind: "rest", at: Date.now() });
    const check = checkRequest(method, url.pathname.slice("/api/v3".length), body);
    if (!check.ok) this.violations.push(check.error ?? `${method} ${path}: invalid`);
    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(path) && (!f.when || f.when(body as Record<string, unknown> | undefined)));
    if (fault) {
      fault.times--;
      this.faultLog.push(`${method} ${path} ${fault.kind}`);
      if (fault.kind === "rate-limit") {
        res
          .writeHead(403, { "content-type": "application/json; charset=utf-8", "retry-after": String(fault.retryAfter ?? 60), "x-ratelimit-remaining": "4000" })
          .end(JSON.stringify({ message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" }));
        return;
      }
      if (fault.kind === "502-after") {
        // The work is done; the answer never reaches the client.
        const sink = { writeHead: () => sink, end: () => sink } as unknown as ServerResponse;
        this.rest(method, path, url.searchParams, body as Record<string, unknown> | undefined, sink);
      }
      return send(res, 502, { message: "Server Error" });
    }
    return this.rest(method, path, url.searchParams, body as Record<string, unknown> | undefined, res);
  }

  private graphql(body: unknown, res: ServerResponse): void {
    const { query, variables } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    if (typeof query !== "string") return send(res, 400, { message: "query required" });
    const owner = String(variables?.owner ?? /owner:\s*"([^"]+)"/.exec(query)?.[1] ?? "");
    const name = String(variables?.name ?? variables?.repo ?? /name:\s*"([^"]+)"/.exec(query)?.[1] ?? "");
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) return send(res, 200, { data: { repository: null }, errors: [{ message: "Could not resolve to a Repository" }] });
    const out: Record<string, unknown> = {};
    const aliasRe = /(\w+)\s*:\s*object\s*\(\s*expression\s*:\s*\$(\w+)\s*\)/g;
    for (const m of query.matchAll(aliasRe)) {
      const expr = String(variables?.[m[2]!] ?? "");
      const idx = expr.indexOf(":");
      const commitSha = expr.slice(0, idx);
      const path = expr.slice(idx + 1);
      // Like git rev-parse: a commit SHA, HEAD, a branch or a tag before the colon.
      const commit = repo.commits.get(this.resolveRef(repo, commitSha) ?? "");
      const entry = commit ? this.flatTree(repo, commit.tree).find((e) => e.path === path) : undefined;
      const blob = entry ? repo.blobs.get(entry.sha) : undefined;
      out[m[1]!] = blob
        ? { __typename: "Blob", text: blob.toString("utf8"), byteSize: blob.length, isBinary: false, isTruncated: false, oid: entry!.sha }
        : null;
    }
    send(res, 200, { data: { repository: out } });
  }

  private rest(method: string, path: string, q: URLSearchParams, body: Record<string, unknown> | undefined, res: ServerResponse): void {
    let m: RegExpExecArray | null;
    if ((m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path)) && method === "POST") {
      return send(res, 201, { token: `ghs_fake_${m[1]}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: "all" });
    }
    if (path === "/app" && method === "GET") return send(res, 200, { id: 1, slug: "cowabunga-maintainer", name: "Cowabunga Maintainer", owner: { login: "acme" } });
    if (path === "/app/installations" && method === "GET") {
      return send(res, 200, paginate([this.installationJson()], q));
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path)) && method === "GET") {
      if (!this.repos.has(`${m[1]}/${m[2]}`.toLowerCase())) return send(res, 404, { message: "Not Found" });
      return send(res, 200, this.installationJson());
    }
    if (path === "/installation/repositories" && method === "GET") {
      const repositories = [...this.repos.values()].map((r) => this.repoJson(r));
      return send(res, 200, { total_count: repositories.length, repositories });
    }
    m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return send(res, 404, { message: "Not Found" });
    const repo = this.repos.get(`${m[1]}/${m[2]}`.toLowerCase());
    if (!repo) return send(res, 404, { message: "Not Found" });
    const rest = m[3] ?? "";
    const route = `${method} ${rest}`;

    if (route === "GET ") return send(res, 200, this.repoJson(repo));
    if ((m = /^GET \/commits\/([^/]+)$/.exec(route))) {
      const sha = this.resolveRef(repo, m[1]!);
      const c = sha ? repo.commits.get(sha) : undefined;
      if (!c) return send(res, 404, { message: "No commit found" });
      return send(res, 200, this.commitJson(repo, c));
    }
    if ((m = /^GET \/commits\/([^/]+)\/check-runs$/.exec(route))) {
      const sha = this.resolveRef(repo, m[1]!) ?? m[1]!;
      const runs = repo.checkRuns.get(sha) ?? [];
      return send(res, 200, { total_count: runs.length, check_runs: runs.map((r) => ({ ...r, head_sha: sha })) });
    }
    if ((m = /^GET \/commits\/([^/]+)\/pulls$/.exec(route))) {
      const sha = this.resolveRef(repo, m[1]!) ?? m[1]!;
      const list = this.pulls(repo).filter((p) => p.head.sha === sha || p.merge_commit_sha === sha);
      return send(res, 200, list.map((p) => this.pullJson(repo, p)));
    }
    if ((m = /^GET \/commits\/([^/]+)\/check-suites$/.exec(route))) return send(res, 200, { total_count: 0, check_suites: [] });
    if ((m = /^GET \/commits\/([^/]+)\/status$/.exec(route))) return send(res, 200, { state: "success", statuses: [], total_count: 0, sha: m[1] });
    if ((m = /^GET \/git\/(?:ref|matching-refs)\/(.+)$/.exec(route))) {
      const sha = repo.refs.get(m[1]!);
      if (!sha) return send(res, 404, { message: "Not Found" });
      return send(res, 200, { ref: `refs/${m[1]}`, object: { sha, type: "commit" } });
    }
    if ((m = /^GET \/git\/commits\/([0-9a-f]+)$/.exec(route))) {
      const c = repo.commits.get(m[1]!);
      if (!c) return send(res, 404, { message: "Not Found" });
      return send(res, 200, { sha: c.sha, tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })), message: c.message, author: c.author, committer: c.author });
    }
    if ((m = /^GET \/git\/trees\/([^/]+)$/.exec(route))) {
      const sha = this.resolveRef(repo, m[1]!);
      const treeSha = sha && repo.commits.get(sha) ? repo.commits.get(sha)!.tree : m[1]!;
      const entries = repo.trees.get(treeSha);
      if (!entries) return send(res, 404, { message: "Not Found" });
      // Listings include the implied directories, each with the SHA of its own (stored) subtree.
      const dirs = new Set<string>();
      for (const e of entries) {
        const parts = e.path.split("/");
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
      }
      const recursive = q.get("recursive") !== null && q.get("recursive") !== "0" && q.get("recursive") !== "false";
      const dirEntries = [...dirs].filter((d) => recursive || !d.includes("/")).map((d) => ({ path: d, mode: "040000", type: "tree", sha: this.subtree(repo, entries, d) }));
      let tree = [...dirEntries, ...entries.filter((e) => recursive || !e.path.includes("/")).map((e) => ({ ...e }))].sort((a, b) => a.path.localeCompare(b.path));
      const truncated = recursive && tree.length > this.truncateTreesOver;
      if (truncated) tree = tree.slice(0, this.truncateTreesOver);
      return send(res, 200, { sha: treeSha, tree, truncated });
    }
    if ((m = /^GET \/git\/blobs\/([0-9a-f]+)$/.exec(route))) {
      const b = repo.blobs.get(m[1]!);
      if (!b) return send(res, 404, { message: "Not Found" });
      return send(res, 200, { sha: m[1], size: b.length, encoding: "base64", content: b.toString("base64") });
    }
    if (route === "POST /git/blobs") {
      const content = String(body?.content ?? "");
      const buf = body?.encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content);
      const sha = sha1(`blob ${buf.length}\0${buf.toString("utf8")}`);
      repo.blobs.set(sha, buf);
      return send(res, 201, { sha, url: `http://${this.host}/api/v3/repos/${repo.owner}/${repo.name}/git/blobs/${sha}` });
    }
    if (route === "POST /git/trees") {
      const base = typeof body?.base_tree === "string" ? this.flatTree(repo, body.base_tree) : [];
      const byPath = new Map(base.map((e) => [e.path, e]));
      for (const item of (body?.tree as Array<Record<string, unknown>>) ?? []) {
        const p = String(item.path);
        if (item.sha === null) {
          byPath.delete(p);
          continue;
        }
        let sha = typeof item.sha === "string" ? item.sha : "";
        if (typeof item.content === "string") {
          const buf = Buffer.from(item.content);
          sha = sha1(`blob ${buf.length}\0${item.content}`);
          repo.blobs.set(sha, buf);
        }
        byPath.set(p, { path: p, mode: String(item.mode), type: "blob", sha, size: repo.blobs.get(sha)?.length });
      }
      const sha = this.storeTree(repo, [...byPath.values()]);
      return send(res, 201, { sha, tree: [...byPath.values()], truncated: false });
    }
    if (route === "POST /git/commits") {
      const tree = String(body?.tree);
      if (!repo.trees.has(tree)) return send(res, 422, { message: "Tree SHA does not exist" });
      const sha = this.storeCommit(repo, tree, (body?.parents as string[]) ?? [], String(body?.message ?? ""), BOT.login);
      const c = repo.commits.get(sha)!;
      return send(res, 201, { sha, tree: { sha: tree }, parents: c.parents.map((p) => ({ sha: p })), message: c.message });
    }
    if (route === "POST /git/refs") {
      const ref = String(body?.ref ?? "").replace(/^refs\//, "");
      if (repo.refs.has(ref)) return send(res, 422, { message: "Reference already exists" });
      repo.refs.set(ref, String(body?.sha));
      return send(res, 201, { ref: `refs/${ref}`, object: { sha: body?.sha, type: "commit" } });
    }
    if ((m = /^PATCH \/git\/refs\/(.+)$/.exec(route))) {
      if (!repo.refs.has(m[1]!)) return send(res, 422, { message: "Reference does not exist" });
      repo.refs.set(m[1]!, String(body?.sha));
      // An open PR on this branch now shows the new head; its merge base is the new commit's parent.
      for (const p of this.pulls(repo)) {
        if (p.state !== "open" || `heads/${p.head.ref}` !== m[1]) continue;
        p.head.sha = String(body?.sha);
        const parent = repo.commits.get(p.head.sha)?.parents[0];
        if (parent) p.base.sha = parent;
        p.mergeable = true;
      }
      return send(res, 200, { ref: `refs/${m[1]}`, object: { sha: body?.sha, type: "commit" } });
    }
    if ((m = /^DELETE \/git\/refs\/(.+)$/.exec(route))) {
      repo.refs.delete(m[1]!);
      return send(res, 204, null);
    }
    if ((m = /^GET \/compare\/([^.]+)\.\.\.(.+)$/.exec(route))) return this.compare(repo, m[1]!, m[2]!, res);
    if ((m = /^GET \/contents\/(.+)$/.exec(route))) {
      const sha = this.resolveRef(repo, q.get("ref") ?? repo.default_branch);
      const c = sha ? repo.commits.get(sha) : undefined;
      const e = c ? this.flatTree(repo, c.tree).find((x) => x.path === m![1]) : undefined;
      if (!e) return send(res, 404, { message: "Not Found" });
      const b = repo.blobs.get(e.sha)!;
      return send(res, 200, { type: "file", path: e.path, name: e.path.split("/").pop(), sha: e.sha, size: b.length, encoding: "base64", content: b.toString("base64") });
    }
    if ((m = /^GET \/collaborators\/([^/]+)\/permission$/.exec(route))) {
      const permission = repo.permissions.get(m[1]!) ?? "read";
      return send(res, 200, { permission, role_name: permission, user: { login: m[1] } });
    }
    // Labels
    if (route === "GET /labels") return send(res, 200, paginate(repo.labels, q));
    if (route === "POST /labels") {
      const name = String(body?.name);
      if (repo.labels.some((l) => l.name.toLowerCase() === name.toLowerCase()))
        return send(res, 422, { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] });
      const label = { id: this.nextId++, name, color: String(body?.color ?? "ededed"), description: (body?.description as string) ?? null };
      repo.labels.push(label);
      return send(res, 201, label);
    }
    // Issues
    if (route === "GET /issues") {
      const state = q.get("state") ?? "open";
      const labels = q.get("labels")?.split(",").filter(Boolean) ?? [];
      const list = repo.issues.filter(
        (i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.some((x) => x.name === l)),
      );
      // GitHub's default order: newest first by creation; `direction=asc` reverses it.
      const ordered = [...list].sort((a, b) => (q.get("direction") === "asc" ? a.number - b.number : b.number - a.number));
      return send(res, 200, paginate((q.get("sort") || q.get("direction") ? ordered : list).map((i) => this.issueJson(repo, i)), q));
    }
    if ((m = /^GET \/assignees\/([^/]+)$/.exec(route))) {
      return this.unassignable.has(m[1]!.toLowerCase()) ? send(res, 404, { message: "Not Found" }) : send(res, 204, null);
    }
    if (route === "POST /issues") {
      const refused = ((body?.assignees as string[]) ?? []).filter((a) => this.unassignable.has(a.toLowerCase()));
      if (refused.length > 0) return send(res, 422, { message: "Validation Failed", errors: [{ value: refused, resource: "Issue", field: "assignees", code: "invalid" }] });
      const issue: FakeIssue = {
        id: this.nextId++,
        number: this.nextNumber(repo),
        title: String(body?.title),
        body: String(body?.body ?? ""),
        state: "open",
        state_reason: null,
        labels: ((body?.labels as string[]) ?? []).map((name) => ({ name })),
        assignees: ((body?.assignees as string[]) ?? []).map((login) => ({ login })),
        user: BOT,
        created_at: this.now(),
        updated_at: this.now(),
        closed_at: null,
      };
      for (const l of issue.labels) if (!repo.labels.some((x) => x.name === l.name)) repo.labels.push({ id: this.nextId++, name: l.name, color: "ededed", description: null });
      repo.issues.push(issue);
      return send(res, 201, this.issueJson(repo, issue));
    }
    if ((m = /^(GET|PATCH) \/issues\/(\d+)$/.exec(route))) {
      const issue = repo.issues.find((i) => i.number === Number(m![2]));
      if (!issue) return send(res, 404, { message: "Not Found" });
      if (m[1] === "PATCH") {
        if (typeof body?.title === "string") issue.title = body.title;
        if (typeof body?.body === "string") issue.body = body.body;
        if (body?.state === "open" || body?.state === "closed") {
          issue.state = body.state;
          issue.closed_at = body.state === "closed" ? this.now() : null;
          issue.state_reason = (body.state_reason as string) ?? null;
        }
        if (Array.isArray(body?.labels)) issue.labels = (body.labels as Array<string | { name: string }>).map((l) => ({ name: typeof l === "string" ? l : l.name }));
        if (Array.isArray(body?.assignees)) {
          const refused = (body.assignees as string[]).filter((a) => this.unassignable.has(a.toLowerCase()));
          if (refused.length > 0) return send(res, 422, { message: "Validation Failed", errors: [{ value: refused, resource: "Issue", field: "assignees", code: "invalid" }] });
          issue.assignees = (body.assignees as string[]).map((login) => ({ login }));
        }
        issue.updated_at = this.now();
        const pull = repo.issues === undefined ? undefined : this.pulls(repo).find((p) => p.number === issue.number);
        if (pull && (body?.state === "open" || body?.state === "closed")) pull.state = body.state;
      }
      return send(res, 200, this.issueJson(repo, issue));
    }
    if ((m = /^POST \/issues\/(\d+)\/labels$/.exec(route))) {
      const issue = repo.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return send(res, 404, { message: "Not Found" });
      const names = Array.isArray(body) ? (body as string[]) : ((body?.labels as string[]) ?? []);
      for (const name of names) if (!issue.labels.some((l) => l.name === name)) issue.labels.push({ name });
      const pull = this.pulls(repo).find((p) => p.number === issue.number);
      if (pull) pull.labels = issue.labels;
      return send(res, 200, issue.labels.map((l) => ({ id: 1, name: l.name, color: "ededed" })));
    }
    if ((m = /^DELETE \/issues\/(\d+)\/labels\/(.+)$/.exec(route))) {
      const issue = repo.issues.find((i) => i.number === Number(m![1]));
      if (!issue || !issue.labels.some((l) => l.name === m![2])) return send(res, 404, { message: "Label does not exist" });
      issue.labels = issue.labels.filter((l) => l.name !== m![2]);
      const pull = this.pulls(repo).find((p) => p.number === issue.number);
      if (pull) pull.labels = issue.labels;
      return send(res, 200, issue.labels.map((l) => ({ id: 1, name: l.name, color: "ededed" })));
    }
    if ((m = /^GET \/issues\/(\d+)\/comments$/.exec(route))) {
      return send(res, 200, paginate(repo.comments.filter((c) => c.issue_number === Number(m![1])), q));
    }
    if ((m = /^POST \/issues\/(\d+)\/comments$/.exec(route))) {
      const comment: FakeComment = { id: this.nextId++, issue_number: Number(m[1]), body: String(body?.body), user: BOT, created_at: this.now(), updated_at: this.now() };
      repo.comments.push(comment);
      return send(res, 201, comment);
    }
    if ((m = /^PATCH \/issues\/comments\/(\d+)$/.exec(route))) {
      const c = repo.comments.find((x) => x.id === Number(m![1]));
      if (!c) return send(res, 404, { message: "Not Found" });
      c.body = String(body?.body);
      c.updated_at = this.now();
      return send(res, 200, c);
    }
    // Pulls
    if (route === "GET /pulls") {
      const state = q.get("state") ?? "open";
      const head = q.get("head");
      const list = this.pulls(repo).filter((p) => (state === "all" || p.state === state) && (!head || `${repo.owner}:${p.head.ref}` === head));
      return send(res, 200, paginate(list.map((p) => this.pullJson(repo, p)), q));
    }
    if (route === "POST /pulls") {
      const headRef = String(body?.head).replace(/^[^:]+:/, "");
      const headSha = repo.refs.get(`heads/${headRef}`);
      if (!headSha) return send(res, 422, { message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] });
      const baseRef = String(body?.base);
      const number = this.nextNumber(repo);
      const pull: FakePull = {
        id: this.nextId++,
        number,
        title: String(body?.title),
        body: String(body?.body ?? ""),
        state: "open",
        merged: false,
        merged_at: null,
        merge_commit_sha: null,
        mergeable: true,
        head: { ref: headRef, sha: headSha },
        base: { ref: baseRef, sha: repo.refs.get(`heads/${baseRef}`) ?? "" },
        user: BOT,
        labels: [],
        requested_reviewers: [],
        created_at: this.now(),
        updated_at: this.now(),
        closed_at: null,
        draft: Boolean(body?.draft),
      };
      repo.issues.push({
        id: pull.id, number, title: pull.title, body: pull.body, state: "open", state_reason: null, labels: pull.labels, assignees: [], user: BOT,
        pull_request: {
          url: `http://${this.host}/api/v3/repos/${repo.owner}/${repo.name}/pulls/${number}`,
          html_url: `http://${this.host}/${repo.owner}/${repo.name}/pull/${number}`,
          diff_url: `http://${this.host}/${repo.owner}/${repo.name}/pull/${number}.diff`,
          patch_url: `http://${this.host}/${repo.owner}/${repo.name}/pull/${number}.patch`,
          merged_at: null,
        },
        created_at: pull.created_at, updated_at: pull.updated_at, closed_at: null,
      });
      (repo as FakeRepo & { pullList?: FakePull[] }).pullList = [...this.pulls(repo), pull];
      return send(res, 201, this.pullJson(repo, pull));
    }
    if ((m = /^(GET|PATCH) \/pulls\/(\d+)$/.exec(route))) {
      const pull = this.pulls(repo).find((p) => p.number === Number(m![2]));
      if (!pull) return send(res, 404, { message: "Not Found" });
      if (pull.state === "open" && pull.mergeable !== false && this.conflicts(repo, pull)) pull.mergeable = false;
      if (m[1] === "PATCH") {
        if (typeof body?.title === "string") pull.title = body.title;
        if (typeof body?.body === "string") pull.body = body.body;
        if (body?.state === "open" || body?.state === "closed") {
          pull.state = body.state;
          pull.closed_at = body.state === "closed" ? this.now() : null;
        }
        // As on GitHub, a pull request is also an issue: the issue listing shows the same title, body and state.
        const issue = repo.issues.find((i) => i.number === pull.number);
        if (issue) {
          issue.title = pull.title;
          issue.body = pull.body;
          issue.state = pull.state;
          issue.closed_at = pull.closed_at;
          issue.updated_at = this.now();
        }
      }
      return send(res, 200, this.pullJson(repo, pull));
    }
    if ((m = /^GET \/pulls\/(\d+)\/(commits|files)$/.exec(route))) {
      const pull = this.pulls(repo).find((p) => p.number === Number(m![1]));
      if (!pull) return send(res, 404, { message: "Not Found" });
      if (m[2] === "files") return send(res, 200, paginate(this.changedFiles(repo, pull.base.sha, pull.head.sha), q));
      // The PR's commits: from its head back to its merge base.
      const list: Commit[] = [];
      for (let c = repo.commits.get(pull.head.sha); c && c.sha !== pull.base.sha && list.length < 250; c = repo.commits.get(c.parents[0] ?? "")) list.push(c);
      return send(res, 200, list.reverse().map((c) => this.commitJson(repo, c)));
    }
    if ((m = /^POST \/pulls\/(\d+)\/requested_reviewers$/.exec(route))) {
      const pull = this.pulls(repo).find((p) => p.number === Number(m![1]));
      if (!pull) return send(res, 404, { message: "Not Found" });
      pull.requested_reviewers = ((body?.reviewers as string[]) ?? []).map((login) => ({ login }));
      return send(res, 201, this.pullJson(repo, pull));
    }
    if ((m = /^GET \/actions\/runs\/(\d+)\/artifacts$/.exec(route))) return send(res, 200, { total_count: 0, artifacts: [] });
    if (route === "GET /actions/runs") return send(res, 200, { total_count: 0, workflow_runs: [] });
    this.violations.push(`fake GitHub has no handler for ${method} /repos/${repo.owner}/${repo.name}${rest}`);
    return send(res, 404, { message: "Not Found (fake GitHub has no handler)" });
  }

  /** Merge an open PR into the default branch as a merge commit; returns the merge commit SHA. */
  mergePull(fullName: string, number: number): string {
    const repo = this.repo(fullName);
    const pull = this.pulls(repo).find((p) => p.number === number);
    if (!pull) throw new Error(`no PR #${number}`);
    const head = repo.commits.get(pull.head.sha)!;
    const baseSha = repo.refs.get(`heads/${pull.base.ref}`)!;
    // The PR's own changes (its base → head) applied onto the branch as it is now, as a clean merge does.
    const current = new Map(this.flatTree(repo, repo.commits.get(baseSha)!.tree).map((e) => [e.path, e] as const));
    const before = new Map(this.flatTree(repo, repo.commits.get(pull.base.sha)?.tree ?? "").map((e) => [e.path, e] as const));
    const after = this.flatTree(repo, head.tree);
    for (const e of after) if (before.get(e.path)?.sha !== e.sha) current.set(e.path, e);
    for (const path of before.keys()) if (!after.some((e) => e.path === path)) current.delete(path);
    const tree = this.storeTree(repo, [...current.values()]);
    const merge = this.storeCommit(repo, tree, [baseSha, head.sha], `Merge pull request #${number}`);
    repo.refs.set(`heads/${pull.base.ref}`, merge);
    pull.state = "closed";
    pull.merged = true;
    pull.merged_at = this.now();
    pull.closed_at = pull.merged_at;
    pull.merge_commit_sha = merge;
    const issue = repo.issues.find((i) => i.number === number);
    if (issue) {
      issue.state = "closed";
      issue.closed_at = pull.closed_at;
      if (issue.pull_request) issue.pull_request.merged_at = pull.merged_at;
    }
    return merge;
  }

  /**
   * Would merging the PR conflict? A three-way check per file changed on both sides since the PR's base:
   * the base lines each side replaced (an LCS diff) must not overlap, unless both made the same change.
   */
  private conflicts(repo: FakeRepo, pull: FakePull): boolean {
    const baseNow = repo.refs.get(`heads/${pull.base.ref}`);
    const base = repo.commits.get(pull.base.sha);
    const head = repo.commits.get(pull.head.sha);
    const now = baseNow ? repo.commits.get(baseNow) : undefined;
    if (!base || !head || !now) return false;
    const at = (c: Commit): Map<string, string> => new Map(this.flatTree(repo, c.tree).map((e) => [e.path, e.sha] as const));
    const b = at(base);
    const h = at(head);
    const n = at(now);
    const text = (sha: string | undefined): string[] | null => (sha === undefined ? null : (repo.blobs.get(sha)?.toString("utf8") ?? "").split("\n"));
    for (const [path, sha] of h) {
      const theirs = n.get(path);
      if (b.get(path) === sha || theirs === b.get(path) || theirs === sha) continue; // one side only, or the same change
      const [o, x, y] = [text(b.get(path)), text(sha), text(theirs)];
      if (!o || !x || !y) return true; // added or deleted on both sides differently
      const ours = changedRanges(o, x);
      const other = changedRanges(o, y);
      if (ours.some((r) => other.some((q) => r.start < q.end && q.start < r.end) || (r.start === r.end && other.some((q) => q.start === r.start && q.end === r.end)))) return true;
    }
    return false;
  }

  /** Files that differ between two commits (GitHub's pull-request files shape, without patches). */
  private changedFiles(repo: FakeRepo, base: string, head: string): Array<Record<string, unknown>> {
    const b = repo.commits.get(base);
    const h = repo.commits.get(head);
    if (!b || !h) return [];
    const before = new Map(this.flatTree(repo, b.tree).map((e) => [e.path, e.sha]));
    const after = new Map(this.flatTree(repo, h.tree).map((e) => [e.path, e.sha]));
    const out: Array<Record<string, unknown>> = [];
    for (const [path, sha] of after) {
      if (before.get(path) === sha) continue;
      out.push({ sha, filename: path, status: before.has(path) ? "modified" : "added", additions: 1, deletions: before.has(path) ? 1 : 0, changes: before.has(path) ? 2 : 1 });
    }
    for (const [path, sha] of before) if (!after.has(path)) out.push({ sha, filename: path, status: "removed", additions: 0, deletions: 1, changes: 1 });
    return out;
  }

  /** The one installation of the app (id `installationId`), covering every fake repository. */
  readonly installationId = 42;

  installationJson(): Record<string, unknown> {
    return {
      id: this.installationId,
      account: { login: [...this.repos.values()][0]?.owner ?? "acme", id: 1, type: "Organization" },
      app_id: 1,
      app_slug: "cowabunga-maintainer",
      target_type: "Organization",
      repository_selection: "all",
      permissions: { contents: "write", issues: "write", pull_requests: "write", checks: "read", actions: "read" },
      events: [],
      suspended_at: null,
      access_tokens_url: `http://${this.host}/api/v3/app/installations/${this.installationId}/access_tokens`,
      repositories_url: `http://${this.host}/api/v3/installation/repositories`,
      html_url: `http://${this.host}/settings/installations/${this.installationId}`,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    };
  }

  /** The `repository` object of a webhook payload. */
  webhookRepository(fullName: string): Record<string, unknown> {
    const repo = this.repo(fullName);
    return { ...this.repoJson(repo), owner: { login: repo.owner, name: repo.owner, id: 1, type: "Organization" } };
  }

  /** The `head_commit` / commits part of a push payload between two commits of the default branch. */
  pushPayload(fullName: string, before: string, after: string): Record<string, unknown> {
    const repo = this.repo(fullName);
    const b = repo.commits.get(before);
    const a = repo.commits.get(after);
    if (!a) throw new Error(`no commit ${after}`);
    const changes = b ? this.changedFiles(repo, before, after) : [];
    const pick = (status: string): string[] => changes.filter((c) => c.status === status).map((c) => String(c.filename));
    const commit = { id: a.sha, tree_id: a.tree, message: a.message, timestamp: a.author.date, added: pick("added"), modified: pick("modified"), removed: pick("removed"), author: { name: "t", email: "t@example.com" } };
    return {
      ref: `refs/heads/${repo.default_branch}`,
      before,
      after,
      created: false,
      deleted: false,
      forced: false,
      commits: [commit],
      head_commit: commit,
      repository: this.webhookRepository(fullName),
      installation: { id: this.installationId },
      sender: { login: "alice", type: "User" },
    };
  }

  pulls(repo: FakeRepo): FakePull[] {
    return (repo as FakeRepo & { pullList?: FakePull[] }).pullList ?? [];
  }

  pullJson(repo: FakeRepo, p: FakePull): Record<string, unknown> {
    const repoJson = this.repoJson(repo);
    return {
      ...p,
      url: `http://${this.host}/api/v3/repos/${repo.owner}/${repo.name}/pulls/${p.number}`,
      html_url: `http://${this.host}/${repo.owner}/${repo.name}/pull/${p.number}`,
      node_id: `PR_${p.id}`,
      head: { ...p.head, label: `${repo.owner}:${p.head.ref}`, repo: repoJson, user: { login: repo.owner } },
      base: { ...p.base, label: `${repo.owner}:${p.base.ref}`, repo: repoJson, user: { login: repo.owner } },
      mergeable_state: p.mergeable === false ? "dirty" : "clean",
    };
  }

  private nextNumber(repo: FakeRepo): number {
    return repo.issues.reduce((n, i) => Math.max(n, i.number), 0) + 1;
  }

  private resolveRef(repo: FakeRepo, ref: string): string | undefined {
    if (repo.commits.has(ref)) return ref;
    // As on GitHub, HEAD names the default branch's head.
    if (ref === "HEAD") return repo.refs.get(`heads/${repo.default_branch}`);
    return repo.refs.get(`heads/${ref}`) ?? repo.refs.get(ref.replace(/^refs\//, "")) ?? repo.refs.get(`tags/${ref}`);
  }

  repoJson(repo: FakeRepo): Record<string, unknown> {
    return {
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      private: true,
      owner: { login: repo.owner, id: 1, type: "Organization" },
      html_url: `http://${this.host}/${repo.owner}/${repo.name}`,
      default_branch: repo.default_branch,
      archived: false,
      fork: false,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    };
  }

  private commitJson(repo: FakeRepo, c: Commit): Record<string, unknown> {
    return {
      sha: c.sha,
      node_id: `C_${c.sha}`,
      commit: { tree: { sha: c.tree }, message: c.message, author: c.author, committer: c.author },
      parents: c.parents.map((sha) => ({ sha })),
      author: { login: c.login ?? "someone" },
      committer: { login: c.login ?? "someone" },
      html_url: `http://${this.host}/${repo.owner}/${repo.name}/commit/${c.sha}`,
    };
  }

  private compare(repo: FakeRepo, base: string, head: string, res: ServerResponse): void {
    const b = this.resolveRef(repo, base);
    const h = this.resolveRef(repo, head);
    if (!b || !h) return send(res, 404, { message: "Not Found" });
    const before = new Map(this.flatTree(repo, repo.commits.get(b)!.tree).map((e) => [e.path, e]));
    const after = new Map(this.flatTree(repo, repo.commits.get(h)!.tree).map((e) => [e.path, e]));
    const files: Array<Record<string, unknown>> = [];
    for (const [path, e] of after) {
      const old = before.get(path);
      if (old?.sha === e.sha) continue;
      const newLines = repo.blobs.get(e.sha)!.toString("utf8").split("\n");
      const oldLines = old ? repo.blobs.get(old.sha)!.toString("utf8").split("\n") : [];
      const patch = `@@ -1,${oldLines.length} +1,${newLines.length} @@\n${oldLines.map((l) => `-${l}`).join("\n")}${oldLines.length ? "\n" : ""}${newLines.map((l) => `+${l}`).join("\n")}`;
      files.push({ filename: path, status: old ? "modified" : "added", sha: e.sha, additions: newLines.length, deletions: oldLines.length, changes: newLines.length + oldLines.length, patch });
    }
    for (const path of before.keys()) if (!after.has(path)) files.push({ filename: path, status: "removed", additions: 0, deletions: 1, changes: 1 });
    send(res, 200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files, base_commit: { sha: b }, merge_base_commit: { sha: b } });
  }
}

/** The base line ranges [start, end) that `to` replaced in `from` (insertions are empty ranges), by an LCS diff. */
function changedRanges(from: readonly string[], to: readonly string[]): Array<{ start: number; end: number }> {
  const n = from.length;
  const m = to.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = from[i] === to[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Array<{ start: number; end: number }> = [];
  let i = 0;
  let j = 0;
  let open: { start: number; end: number } | null = null;
  while (i < n || j < m) {
    if (i < n && j < m && from[i] === to[j]) {
      if (open) out.push(open);
      open = null;
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      open ??= { start: i, end: i };
      j++;
    } else {
      open ??= { start: i, end: i };
      i++;
      open.end = i;
    }
  }
  if (open) out.push(open);
  return out;
}

function paginate<T>(list: T[], q: URLSearchParams): T[] {
  const perPage = Math.min(Number(q.get("per_page") ?? 30) || 30, 100);
  const page = Math.max(Number(q.get("page") ?? 1) || 1, 1);
  return list.slice((page - 1) * perPage, page * perPage);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === null) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) }).end(text);
}
