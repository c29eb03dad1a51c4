import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import type { CliIO } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createGitHubClient, explainGitHubFailure, parseGitHubTarget } from "../../src/cli/github-target.js";
import { FakeGitHub, type RecordedRequest } from "../helpers/fake-github.js";
import { readTreeFiles } from "../helpers/github-reads.js";

// `cowabunga scan github:OWNER/REPO[@REF]` against the fake GitHub Enterprise Server (REST under
// /api/v3, GraphQL at /api/graphql) and, for github.com's own URL and its error answers, nock.

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, "../fixtures/repos/mini-monorepo");
const EXTRA_PACKAGES = 60;
const NOW = () => new Date("2026-11-25T12:00:00Z");

function memoryIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", stderrIsTTY: false, cwd, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

async function cli(args: string[], env: Record<string, string | undefined>, cwd = os.tmpdir()): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(cwd);
  const code = await runCli(["node", "cowabunga", ...args], { io, env, clock: NOW, advisories: null });
  return { code, out: io.out, err: io.err };
}

/** Paths asked for in one recorded GraphQL blob query (its `eN` variables are "REV:path"). */
function graphqlPaths(r: RecordedRequest): string[] {
  const vars = ((r.body as { variables?: Record<string, unknown> }).variables ?? {}) as Record<string, string>;
  return Object.entries(vars)
    .filter(([k]) => /^e\d+$/.test(k))
    .map(([, v]) => v.slice(v.indexOf(":") + 1));
}

const fake = new FakeGitHub();
let tmp: string;
let dir: string;
let files: Record<string, string>;
let firstSha: string;
let api: string;

beforeAll(async () => {
  await fake.start();
  api = `http://${fake.host}/api/v3`;
  // The mini monorepo plus 60 npm packages: well over one 50-file batch of manifests.
  tmp = mkdtempSync(path.join(os.tmpdir(), "cowabunga-scan-github-"));
  dir = path.join(tmp, "mini"); // named as the repository, so the root components are named alike
  files = readTreeFiles(fixture);
  for (let i = 0; i < EXTRA_PACKAGES; i++) {
    files[`packages/p${i}/package.json`] = JSON.stringify({ name: `p${i}`, version: "1.0.0", dependencies: { "left-pad": `^1.${i % 4}.0` } }, null, 2);
  }
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), text);
  }
  firstSha = fake.addRepo("acme/mini", files);
});
afterAll(async () => {
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  fake.requests.length = 0;
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("scan github:OWNER/REPO through the app's GitHub source", () => {
  it("reads 1 tree and ⌈files/50⌉ GraphQL batches, and extracts what the local scan extracts", async () => {
    const remote = await cli(["scan", "github:acme/mini", "--no-enrich", "--format", "json", "--github-api-url", api], { GITHUB_TOKEN: "ghp_test" });
    expect(remote.err).toBe("");
    expect(remote.code).toBe(0);

    const trees = fake.requests.filter((r) => r.kind === "rest");
    expect(trees.map((r) => `${r.method} ${r.path}?${r.query.toString()}`)).toEqual(["GET /repos/acme/mini/git/trees/HEAD?recursive=1"]);
    const batches = fake.requests.filter((r) => r.kind === "graphql");
    const read = batches.flatMap(graphqlPaths);
    expect(new Set(read).size).toBe(read.length); // no file read twice
    expect(read.length).toBeGreaterThan(EXTRA_PACKAGES);
    expect(batches.every((b) => graphqlPaths(b).length <= 50)).toBe(true);
    expect(batches.length).toBe(Math.ceil(read.length / 50));
    expect(fake.violations).toEqual([]);

    const local = await cli(["scan", dir, "--no-enrich", "--format", "json"], {});
    expect(local.code).toBe(0);
    const a = JSON.parse(remote.out) as { source: string; components: Array<{ name: string }> };
    const b = JSON.parse(local.out) as { source: string; components: Array<{ name: string }> };
    expect(a.source).toBe("github:acme/mini@HEAD");
    for (let i = 0; i < Math.max(a.components.length, b.components.length); i++) expect(a.components[i]).toEqual(b.components[i]);
    expect(a.components.length).toBe(EXTRA_PACKAGES + 4);
  });

  it("enriches and assesses like the local scan, reading the README in the same batches", async () => {
    const r = await cli(["scan", "github:acme/mini", "--offline", "--format", "json", "--github-api-url", api], { GITHUB_TOKEN: "ghp_test" });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { dependencies: Array<{ name: string }>; system_health: unknown };
    expect(report.dependencies.some((d) => d.name === "left-pad")).toBe(true);
    expect(report.system_health).toBeTruthy();
    const batches = fake.requests.filter((q) => q.kind === "graphql");
    const read = batches.flatMap(graphqlPaths);
    expect(read).toContain("README.md");
    expect(fake.requests.filter((q) => q.kind === "rest")).toHaveLength(1);
    expect(batches.length).toBe(Math.ceil(read.length / 50));
  });

  it("@REF: a commit SHA pins the scan and is reported; a branch is read at its head", async () => {
    fake.commitFiles("acme/mini", { ...files, "web/package.json": JSON.stringify({ name: "web", dependencies: { hono: "^4.0.0" } }) }, "second");
    fake.repo("acme/mini").refs.set("heads/release-1", firstSha);
    const pinned = await cli(["scan", `github:acme/mini@${firstSha}`, "--no-enrich", "--format", "json", "--github-api-url", api], { GITHUB_TOKEN: "t" });
    expect(pinned.code).toBe(0);
    const rep = JSON.parse(pinned.out) as { commit_sha: string; source: string };
    expect(rep.commit_sha).toBe(firstSha);
    expect(fake.requests[0]!.path).toBe(`/repos/acme/mini/git/trees/${firstSha}`);
    const head = await cli(["scan", "github:acme/mini", "--no-enrich", "--format", "json", "--github-api-url", api], { GITHUB_TOKEN: "t" });
    const branch = await cli(["scan", "github:acme/mini@release-1", "--no-enrich", "--format", "json", "--github-api-url", api], { GITHUB_TOKEN: "t" });
    expect(head.out).toContain('"hono"');
    expect(branch.out).not.toContain('"hono"');
    expect(branch.out).toContain('"svelte"');
    expect(pinned.out).not.toContain('"hono"');
  });

  it("takes the GHES URL from GITHUB_API_URL when --github-api-url is not given", async () => {
    const r = await cli(["scan", "github:acme/mini", "--no-enrich", "--format", "json"], { GITHUB_TOKEN: "t", GITHUB_API_URL: api });
    expect(r.code).toBe(0);
    expect(fake.requests.some((q) => q.kind === "graphql")).toBe(true);
  });

  it("talks to api.github.com by default, with the token, GraphQL at /graphql", async () => {
    nock.disableNetConnect();
    const gh = nock("https://api.github.com", { reqheaders: { authorization: /^(token|bearer) ghp_secret$/i } })
      .get("/repos/octo/tiny/git/trees/main")
      .query({ recursive: "1" })
      .reply(200, { sha: "t1", truncated: false, tree: [{ path: "package.json", mode: "100644", type: "blob", sha: "b1", size: 40 }] })
      .post("/graphql")
      .reply(200, { data: { repository: { f0: { text: '{"dependencies":{"left-pad":"1.3.0"}}', byteSize: 40, isBinary: false, isTruncated: false } } } });
    const r = await cli(["scan", "github:octo/tiny@main", "--no-enrich", "--format", "json"], { GITHUB_TOKEN: "ghp_secret" });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("left-pad");
    expect(gh.isDone()).toBe(true);
  });
});

describe("scan github: errors an operator can act on", () => {
  it("without GITHUB_TOKEN: exit 2, names the variable, makes no request", async () => {
    const r = await cli(["scan", "github:acme/mini", "--github-api-url", api], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/GITHUB_TOKEN is not set/);
    expect(fake.requests).toHaveLength(0);
  });

  it("a missing repository, and a missing ref of an existing one, are told apart", async () => {
    const missing = await cli(["scan", "github:acme/nope", "--github-api-url", api], { GITHUB_TOKEN: "t" });
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/repository acme\/nope not found on http:\/\/127\.0\.0\.1:\d+\/api\/v3, or GITHUB_TOKEN cannot read it/);
    const badRef = await cli(["scan", "github:acme/mini@no-such-branch", "--github-api-url", api], { GITHUB_TOKEN: "t" });
    expect(badRef.code).toBe(2);
    expect(badRef.err).toMatch(/acme\/mini has no branch, tag or commit "no-such-branch"/);
  });

  it.each([
    ["github:acme", /expected github:OWNER\/REPO/],
    ["github:/mini", /expected github:OWNER\/REPO/],
    ["github:acme/", /expected github:OWNER\/REPO/],
    ["github:-acme/mini", /not a GitHub user or organisation name/],
    ["github:acme/mi ni", /not a repository name/],
    ["github:acme/mini@", /the ref after @ is empty/],
    ["github:acme/mini@a..b", /cannot contain "\.\."/],
    ["github:acme/mini@main:README.md", /cannot contain spaces, control characters/],
    ["github:acme/mini@v1.lock", /\.lock/],
  ])("bad spec %s: exit 2 with the expected shape", async (spec, message) => {
    const r = await cli(["scan", spec, "--github-api-url", api], { GITHUB_TOKEN: "t" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(fake.requests).toHaveLength(0);
  });

  it("a bad --github-api-url, or one given for a local directory, is a usage error", async () => {
    const creds = await cli(["scan", "github:acme/mini", "--github-api-url", "https://user:pw@ghe.example/api/v3"], { GITHUB_TOKEN: "t" });
    expect(creds.code).toBe(2);
    expect(creds.err).toMatch(/credentials in the URL are not allowed/);
    const scheme = await cli(["scan", "github:acme/mini", "--github-api-url", "ftp://ghe.example/api/v3"], { GITHUB_TOKEN: "t" });
    expect(scheme.code).toBe(2);
    const local = await cli(["scan", dir, "--github-api-url", api], {});
    expect(local.code).toBe(2);
    expect(local.err).toMatch(/--github-api-url applies to github:OWNER\/REPO targets only/);
  });

  it("a refused token (401) and a spent rate limit say so", async () => {
    nock.disableNetConnect();
    nock("https://ghe.example").get("/api/v3/repos/acme/mini/git/trees/HEAD").query(true).reply(401, { message: "Bad credentials" });
    const refused = await cli(["scan", "github:acme/mini", "--github-api-url", "https://ghe.example/api/v3"], { GITHUB_TOKEN: "t" });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/GITHUB_TOKEN was refused by https:\/\/ghe\.example\/api\/v3 \(401 Bad credentials\)/);
    nock("https://ghe.example")
      .get("/api/v3/repos/acme/mini/git/trees/HEAD")
      .query(true)
      .reply(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1795608000" });
    const limited = await cli(["scan", "github:acme/mini", "--github-api-url", "https://ghe.example/api/v3"], { GITHUB_TOKEN: "t" });
    expect(limited.code).toBe(1);
    expect(limited.err).toContain(`rate limit of this token is used up until ${new Date(1795608000 * 1000).toISOString()}`);
  });

  it("an unreachable API: exit 1, names the URL", async () => {
    const closed = new FakeGitHub();
    await closed.start();
    const port = closed.port;
    await closed.stop();
    const r = await cli(["scan", "github:acme/mini", "--github-api-url", `http://127.0.0.1:${port}/api/v3`], { GITHUB_TOKEN: "t" });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`cannot reach the GitHub API at http://127\\.0\\.0\\.1:${port}/api/v3`));
  });
});

describe("parseGitHubTarget", () => {
  it("reads owner, repo, ref and whether the ref is a commit", () => {
    expect(parseGitHubTarget("github:Acme/Mini.git")).toEqual({ owner: "Acme", repo: "Mini", ref: null, isCommit: false });
    expect(parseGitHubTarget("github:acme/mini@refs/tags/v1.2.3")).toMatchObject({ ref: "refs/tags/v1.2.3", isCommit: false });
    expect(parseGitHubTarget(`github:acme/mini@${"a".repeat(40)}`)).toMatchObject({ isCommit: true });
  });
});

describe("createGitHubClient", () => {
  it("abandons a request the API never answers, after the timeout, as an unreachable API", async () => {
    const hung = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/api/v3`;
    try {
      const client = createGitHubClient({ token: "t", baseUrl: base, userAgent: "test", timeoutMs: 300 });
      const err = await client.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { owner: "acme", repo: "mini", tree_sha: "HEAD" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).not.toBeNull();
      const explained = await explainGitHubFailure(err, { owner: "acme", repo: "mini", ref: null, isCommit: false }, client, base);
      expect(explained.message).toMatch(/cannot reach the GitHub API at http:\/\/127\.0\.0\.1:\d+\/api\/v3/);
    } finally {
      hung.closeAllConnections();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });
});
