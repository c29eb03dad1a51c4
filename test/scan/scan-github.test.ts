import { afterEach, beforeAll, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { scanRepository } from "../../src/scan/index.js";
import { GitHubSource } from "../../src/source/github.js";
import type { Manager } from "../../src/scan/types.js";

const API = "https://api.github.com";
const SHA = "b".repeat(40);

/** A stand-in npm manager: one dependency per manifest, lockfile companion read through ctx. */
const fakeNpm: Manager = {
  name: "npm",
  matches: (p) => p.endsWith("package.json"),
  companions: (p) => [p.replace(/package\.json$/, "package-lock.json")],
  extract(path, content, ctx) {
    const name = (JSON.parse(content) as { name: string }).name;
    const lock = ctx.readFile(path.replace(/package\.json$/, "package-lock.json"));
    return {
      deps: [
        {
          name: "left-pad",
          package_manager: "npm",
          datasource: "npm",
          file: path,
          line: 1,
          dependency_type: "prod",
          current_value: "^1.0.0",
          version: lock ? "1.3.0" : "1.0.0",
          locked_version: lock ? "1.3.0" : null,
          registry_url: null,
          digest: null,
          skip_reason: null,
          local_path: null,
          component: "",
        },
      ],
      warnings: [],
      meta: { primary: true, name },
    };
  },
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("scanRepository over GitHubSource: API frugality", () => {
  for (const [manifests, withLocks] of [
    [3, 0],
    [50, 0],
    [51, 0],
    [120, 0],
    [40, 40],
  ] as const) {
    const n = manifests + withLocks;
    it(`${manifests} manifests + ${withLocks} lockfiles cost 1 tree request and ${Math.ceil(n / 50)} GraphQL requests`, async () => {
      const tree: Array<{ path: string; type: string; sha: string; size: number }> = [];
      for (let i = 0; i < manifests; i++) {
        tree.push({ path: `packages/p${i}/package.json`, type: "blob", sha: `m${i}`, size: 40 });
        tree.push({ path: `packages/p${i}/src/index.ts`, type: "blob", sha: `s${i}`, size: 4000 });
        if (i < withLocks) tree.push({ path: `packages/p${i}/package-lock.json`, type: "blob", sha: `l${i}`, size: 900 });
      }
      let graphqlCalls = 0;
      const scope = nock(API)
        .get(`/repos/acme/mono/git/trees/${SHA}`)
        .query({ recursive: "1" })
        .once()
        .reply(200, { sha: "tree-sha", truncated: false, tree })
        .post("/graphql")
        .times(Math.ceil(n / 50))
        .reply(200, (_uri, body) => {
          graphqlCalls++;
          const { variables } = body as { variables: Record<string, string> };
          const repository: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(variables)) {
            if (!/^e\d+$/.test(k)) continue;
            const p = v.slice(SHA.length + 1);
            expect(p.endsWith("index.ts")).toBe(false); // only manifests and companions are fetched
            const pkg = /packages\/(p\d+)\//.exec(p)?.[1];
            const text = p.endsWith("package.json") ? JSON.stringify({ name: pkg }) : "{}";
            repository[`f${k.slice(1)}`] = { text, byteSize: text.length, isBinary: false, isTruncated: false };
          }
          return { data: { repository } };
        });
      const octokit = new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
      const source = new GitHubSource({ octokit, owner: "acme", repo: "mono", sha: SHA });
      const result = await scanRepository(source, { managers: [fakeNpm], repoName: "mono" });
      expect(graphqlCalls).toBe(Math.ceil(n / 50));
      expect(source.stats).toEqual({ treeRequests: 1, graphqlRequests: Math.ceil(n / 50), blobRequests: 0 });
      expect(result.components).toHaveLength(manifests);
      expect(result.dependencies).toHaveLength(manifests);
      expect(result.dependencies.filter((d) => d.locked_version === "1.3.0")).toHaveLength(withLocks);
      expect(result.commit_sha).toBe(SHA);
      expect(result.warnings).toEqual([]);
      expect(source.treeSha).toBe("tree-sha");
      scope.done();
    });
  }
});
