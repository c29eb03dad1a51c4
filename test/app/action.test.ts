import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { actionRepo, createActionApp } from "../../src/action.js";
import type { ScanRunResult } from "../../src/pipeline/github.js";
import { FileStore } from "../../src/store/index.js";

describe("GitHub Action mode", () => {
  let dir = "";
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds the repository from GITHUB_REPOSITORY on schedule events", () => {
    expect(actionRepo({}, { GITHUB_REPOSITORY: "acme/widgets" })).toEqual({ owner: "acme", repo: "widgets" });
    expect(actionRepo({}, {})).toBeNull();
  });

  it("a schedule event scans the workflow's repository (unchanged tree: one read)", async () => {
    nock.disableNetConnect();
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-action-"));
    const store = new FileStore({ root: dir });
    await store.putScanState({ owner: "acme", repo: "widgets" }, { tree_sha: "t1" });
    const scope = nock("https://api.github.com").get("/repos/acme/widgets/commits/HEAD").reply(200, { sha: "s1", commit: { tree: { sha: "t1" } } });
    const results: ScanRunResult[] = [];
    let handler: ((c: never) => Promise<void>) | undefined;
    createActionApp({ store, env: { GITHUB_REPOSITORY: "acme/widgets" }, onScan: (r) => results.push(r) })({ onAny: (fn) => (handler = fn as never) });
    const log = { info() {}, warn() {}, error() {} };
    const octokit = new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } });
    await handler!({ name: "schedule", id: "run-1", octokit, log, payload: {} } as never);
    await handler!({ name: "issues", id: "run-2", octokit, log, payload: {} } as never); // ignored
    scope.done();
    expect(results.map((r) => [r.outcome, r.counts.reads, r.counts.writes])).toEqual([["unchanged", 1, 0]]);
  });
});
