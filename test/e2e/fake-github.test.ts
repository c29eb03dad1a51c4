import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubSource } from "../../src/source/github.js";
import { scanRepository } from "../../src/scan/index.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { checkRequest } from "../helpers/openapi-validator.js";

describe("the OpenAPI request checker", () => {
  it("accepts valid requests and names the problem in invalid ones", () => {
    expect(checkRequest("POST", "/repos/o/r/issues", { title: "t", body: "b" }).ok).toBe(true);
    const missing = checkRequest("POST", "/repos/o/r/issues", { body: "b" });
    expect(missing.ok).toBe(false);
    expect(missing.error).toMatch(/title/);
    expect(checkRequest("GET", "/repos/o/r/not-an-endpoint", undefined).ok).toBe(false);
    const badMode = checkRequest("POST", "/repos/o/r/git/trees", { tree: [{ path: "a", mode: "100999", type: "blob", content: "x" }] });
    expect(badMode.error).toMatch(/mode/);
  });
});

describe("scanning a GitHub Enterprise Server repository (fake GHES on loopback)", () => {
  const gh = new FakeGitHub();
  beforeAll(async () => {
    await gh.start();
  });
  afterAll(async () => {
    await gh.stop();
  });

  it("reads the tree once and the manifests in one GraphQL batch, with valid requests", async () => {
    const head = gh.addRepo("acme/mono", {
      "package.json": JSON.stringify({ name: "web", dependencies: { lodash: "^4.17.0" } }, null, 2),
      "api/pyproject.toml": '[project]\nname = "api"\nversion = "1.0.0"\ndependencies = ["requests==2.19.0"]\n',
      "api/main.py": "print('hi')\n",
      "README.md": "# mono\n",
    });
    const octokit = new ProbotOctokit({
      auth: { token: "ghs_test" },
      baseUrl: `http://${gh.host}/api/v3`,
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    const source = new GitHubSource({ octokit, owner: "acme", repo: "mono", sha: head });
    const result = await scanRepository(source, { repoName: "mono" });
    const names = result.dependencies.map((d) => `${d.package_manager}:${d.name}@${d.version}`).sort();
    expect(names).toEqual(["npm:lodash@4.17.0", "pip:requests@2.19.0"]);
    expect(gh.count((r) => r.kind === "rest" && /\/git\/trees\//.test(r.path))).toBe(1);
    expect(gh.count((r) => r.kind === "graphql")).toBe(1);
    expect(gh.violations).toEqual([]);
  });
});
