/**
 * The README promises Node.js ≥ 20.18.1. Production dependencies that declare a higher minimum are
 * either refused here or listed as known exceptions that were tested on Node 20 (issue 10, item 9).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { Octokit } from "@octokit/rest";
import semver from "semver";
import { afterEach, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MINIMUM = "20.18.1";

/** content-type 3.x (through @octokit/request) declares node >=22, but is plain ES2020 and runs on Node 20: see the test below and README "Requirements". */
const KNOWN_EXCEPTIONS = new Set(["node_modules/content-type"]);

afterEach(() => {
  nock.cleanAll();
});

describe("Node.js version support", () => {
  it(`no production dependency needs more than Node ${MINIMUM}, except the documented, tested ones`, () => {
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { engines?: { node?: string }; dev?: boolean; version?: string }> };
    const refusing = Object.entries(lock.packages)
      .filter(([key, p]) => key !== "" && !p.dev && typeof p.engines?.node === "string" && !semver.satisfies(MINIMUM, p.engines.node))
      .map(([key]) => key);
    expect(refusing.filter((k) => !KNOWN_EXCEPTIONS.has(k))).toEqual([]);
  });

  it("@octokit/request parses GitHub's content types with content-type 3 on this Node version", async () => {
    nock("https://api.github.com")
      .get("/repos/octo/app")
      .reply(200, { full_name: "octo/app" }, { "content-type": "application/json; charset=utf-8" })
      .get("/repos/octo/app/readme")
      .reply(200, "# hi", { "content-type": "application/vnd.github.raw+json; charset=UTF-8" })
      .get("/repos/octo/app/contents/x")
      .reply(200, "text body", { "content-type": "text/plain; charset=utf-8" });
    const octokit = new Octokit({ request: { fetch } });
    expect((await octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "app" })).data).toEqual({ full_name: "octo/app" });
    expect((await octokit.request("GET /repos/{owner}/{repo}/readme", { owner: "octo", repo: "app" })).data).toBe("# hi");
    expect((await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "octo", repo: "app", path: "x" })).data).toBe("text body");
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(20);
  });
});
