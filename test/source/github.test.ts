import { afterEach, beforeAll, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { GitHubSource } from "../../src/source/github.js";

const API = "https://api.github.com";
const SHA = "a".repeat(40);

function octokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
}

interface GqlBody {
  query: string;
  variables: Record<string, string>;
}

/** Content GitHub would return for a path, so each answer can be checked against its request. */
const contentOf = (p: string): string => `content of ${p}\n`;

/** A GraphQL responder that answers each `fN: object(expression: $eN)` from the variables. */
function answerBlobs(body: GqlBody, seen: string[][]): { data: { repository: Record<string, unknown> } } {
  const repository: Record<string, unknown> = {};
  const paths: string[] = [];
  for (const [k, v] of Object.entries(body.variables)) {
    const m = /^e(\d+)$/.exec(k);
    if (!m) continue;
    expect(v.startsWith(`${SHA}:`)).toBe(true);
    const p = v.slice(SHA.length + 1);
    paths.push(p);
    repository[`f${m[1]}`] = { text: contentOf(p), byteSize: contentOf(p).length, isBinary: false, isTruncated: false };
  }
  seen.push(paths);
  return { data: { repository } };
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe("GitHubSource", () => {
  it("is intercepted by nock 14 through Probot's Octokit (fetch)", async () => {
    const scope = nock(API).get(`/repos/o/r/git/trees/${SHA}`).query({ recursive: "1" }).reply(200, { sha: "t0", truncated: false, tree: [] });
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    expect(await src.listFiles()).toEqual([]);
    expect(src.treeSha).toBe("t0");
    scope.done();
  });

  for (const n of [3, 50, 51, 120]) {
    it(`reads ${n} files with exactly 1 tree request and ${Math.ceil(n / 50)} GraphQL requests`, async () => {
      const paths = Array.from({ length: n }, (_, i) => `pkgs/p${String(i).padStart(3, "0")}/package.json`);
      const seen: string[][] = [];
      const scope = nock(API)
        .get(`/repos/o/r/git/trees/${SHA}`)
        .query({ recursive: "1" })
        .once()
        .reply(200, {
          sha: "tree0",
          truncated: false,
          tree: [
            ...paths.map((p, i) => ({ path: p, mode: "100644", type: "blob", sha: `b${i}`, size: 100 })),
            { path: "pkgs", mode: "040000", type: "tree", sha: "t1" },
          ],
        })
        .post("/graphql")
        .times(Math.ceil(n / 50))
        .reply(200, (_uri, body) => answerBlobs(body as GqlBody, seen));
      const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
      const listed = await src.listFiles();
      expect(listed.map((f) => f.path)).toEqual(paths);
      const read = await src.readFiles(paths);
      expect(read.size).toBe(n);
      for (const p of paths) expect(read.get(p)).toBe(contentOf(p));
      expect(seen.map((b) => b.length)).toEqual(Array.from({ length: Math.ceil(n / 50) }, (_, i) => Math.min(50, n - i * 50)));
      expect(src.stats).toEqual({ treeRequests: 1, graphqlRequests: Math.ceil(n / 50), blobRequests: 0 });
      expect(src.warnings).toEqual([]);
      scope.done();
    });
  }

  it("passes paths as GraphQL variables, never inside the query text", async () => {
    const hostile = 'we"ird } ) { viewer { login } }\\$e0.txt';
    let body: GqlBody | null = null;
    const scope = nock(API)
      .get(`/repos/o/r/git/trees/${SHA}`)
      .query({ recursive: "1" })
      .reply(200, { sha: "t", truncated: false, tree: [{ path: hostile, type: "blob", sha: "b", size: 5 }] })
      .post("/graphql")
      .reply(200, (_u, b) => {
        body = b as GqlBody;
        return answerBlobs(body, []);
      });
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    const read = await src.readFiles([hostile]);
    expect(read.get(hostile)).toBe(contentOf(hostile));
    expect(body!.query).not.toContain('we"ird');
    expect(body!.query).toContain("f0: object(expression: $e0)");
    expect(body!.variables.e0).toBe(`${SHA}:${hostile}`);
    scope.done();
  });

  it("skips vendored folders, submodules and symlinks from the tree", async () => {
    const scope = nock(API)
      .get(`/repos/o/r/git/trees/${SHA}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t",
        truncated: false,
        tree: [
          { path: "package.json", type: "blob", sha: "1", size: 2 },
          { path: "node_modules/x/package.json", type: "blob", sha: "2", size: 2 },
          { path: "go/vendor/github.com/a/go.mod", type: "blob", sha: "3", size: 2 },
          { path: "libs/sub", type: "commit", sha: "4" },
          { path: "link.json", type: "blob", mode: "120000", sha: "5", size: 12 },
        ],
      });
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    expect((await src.listFiles()).map((f) => f.path)).toEqual(["package.json"]);
    scope.done();
  });

  it("walks subtrees when the recursive listing is truncated, skipping node_modules", async () => {
    const scope = nock(API)
      .get(`/repos/o/r/git/trees/${SHA}`)
      .query({ recursive: "1" })
      .reply(200, { sha: "root", truncated: true, tree: [{ path: "package.json", type: "blob", sha: "x", size: 1 }] })
      .get("/repos/o/r/git/trees/root")
      .reply(200, {
        sha: "root",
        truncated: false,
        tree: [
          { path: "package.json", type: "blob", sha: "b0", size: 2 },
          { path: "apps", type: "tree", sha: "t-apps" },
          { path: "node_modules", type: "tree", sha: "t-nm" },
          { path: "big", type: "tree", sha: "t-big" },
        ],
      })
      .get("/repos/o/r/git/trees/t-apps")
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t-apps",
        truncated: false,
        tree: [
          { path: "web", type: "tree", sha: "t-web" },
          { path: "web/package.json", type: "blob", sha: "b1", size: 2 },
        ],
      })
      .get("/repos/o/r/git/trees/t-big")
      .query({ recursive: "1" })
      .reply(200, { sha: "t-big", truncated: true, tree: [] })
      .get("/repos/o/r/git/trees/t-big")
      .reply(200, {
        sha: "t-big",
        truncated: false,
        tree: [
          { path: "x.txt", type: "blob", sha: "b2", size: 2 },
          { path: "deep", type: "tree", sha: "t-deep" },
        ],
      })
      .get("/repos/o/r/git/trees/t-deep")
      .query({ recursive: "1" })
      .reply(200, { sha: "t-deep", truncated: false, tree: [{ path: "Cargo.toml", type: "blob", sha: "b3", size: 2 }] });
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    const files = (await src.listFiles()).map((f) => f.path);
    expect(files).toEqual(["apps/web/package.json", "big/deep/Cargo.toml", "big/x.txt", "package.json"]);
    expect(src.treeSha).toBe("root");
    expect(src.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/truncated/)]);
    expect(src.stats.treeRequests).toBe(6);
    scope.done();
  });

  it("skips files over 5 MB with a warning, without asking for them", async () => {
    let asked: string[] = [];
    const scope = nock(API)
      .get(`/repos/o/r/git/trees/${SHA}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t",
        truncated: false,
        tree: [
          { path: "package.json", type: "blob", sha: "1", size: 10 },
          { path: "package-lock.json", type: "blob", sha: "2", size: 6 * 1024 * 1024 },
        ],
      })
      .post("/graphql")
      .reply(200, (_u, b) => {
        const seen: string[][] = [];
        const res = answerBlobs(b as GqlBody, seen);
        asked = seen[0];
        return res;
      });
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    const read = await src.readFiles(["package.json", "package-lock.json"]);
    expect([...read.keys()]).toEqual(["package.json"]);
    expect(asked).toEqual(["package.json"]);
    expect(src.warnings).toEqual([{ file: "package-lock.json", message: expect.stringMatching(/6291456 bytes is over/) }]);
    scope.done();
  });

  it("reports GraphQL errors per file and keeps the files that did come back", async () => {
    const scope = nock(API)
      .get(`/repos/o/r/git/trees/${SHA}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t",
        truncated: false,
        tree: [
          { path: "a/package.json", type: "blob", sha: "1", size: 10 },
          { path: "b/package.json", type: "blob", sha: "2", size: 10 },
          { path: "c/package-lock.json", type: "blob", sha: "3", size: 10 },
          { path: "d/logo.json", type: "blob", sha: "4", size: 10 },
        ],
      })
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            f0: { text: '{"name":"a"}', byteSize: 12, isBinary: false, isTruncated: false },
            f1: null,
            f2: { text: null, byteSize: 3_000_000, isBinary: false, isTruncated: true },
            f3: { text: null, byteSize: 10, isBinary: true, isTruncated: false },
          },
        },
        errors: [{ type: "INTERNAL", path: ["repository", "f1"], message: "Something went wrong while executing your query." }],
      })
      .get("/repos/o/r/git/blobs/3")
      .reply(200, { sha: "3", encoding: "base64", content: Buffer.from('{"lockfileVersion":3}').toString("base64") });
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    const read = await src.readFiles(["a/package.json", "b/package.json", "c/package-lock.json", "d/logo.json"]);
    expect(Object.fromEntries(read)).toEqual({ "a/package.json": '{"name":"a"}', "c/package-lock.json": '{"lockfileVersion":3}' });
    expect(src.warnings).toEqual([
      { file: "b/package.json", message: expect.stringMatching(/Something went wrong/) },
      { file: "d/logo.json", message: "not read: binary file" },
    ]);
    expect(src.stats).toEqual({ treeRequests: 1, graphqlRequests: 1, blobRequests: 1 });
    scope.done();
  });

  it("turns a failed GraphQL request into one warning per file of the batch and goes on", async () => {
    const tree = Array.from({ length: 60 }, (_, i) => ({ path: `f${i}.txt`, type: "blob", sha: `s${i}`, size: 1 }));
    let call = 0;
    const scope = nock(API)
      .get(`/repos/o/r/git/trees/${SHA}`)
      .query({ recursive: "1" })
      .reply(200, { sha: "t", truncated: false, tree })
      .post("/graphql")
      .times(2)
      .reply((_u, b) => (++call === 1 ? [502, { message: "Bad Gateway" }] : [200, answerBlobs(b as GqlBody, [])]));
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    const read = await src.readFiles(tree.map((t) => t.path));
    expect(read.size).toBe(10);
    expect(src.warnings).toHaveLength(50);
    expect(src.warnings[0].message).toMatch(/GraphQL request failed/);
    scope.done();
  });

  it("explains a failed tree request, naming it", async () => {
    const scope = nock(API).get(`/repos/o/r/git/trees/${SHA}`).query({ recursive: "1" }).reply(404, { message: "Not Found" });
    const src = new GitHubSource({ octokit: octokit(), owner: "o", repo: "r", sha: SHA });
    await expect(src.listFiles()).rejects.toThrow(new RegExp(`GET /repos/o/r/git/trees/${SHA}\\?recursive=1 failed: Not Found`));
    scope.done();
  });
});
