import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleDefaultBranchFailure } from "../../../src/act/github/revert.js";
import { makeRecord } from "../../helpers/factories.js";
import { clock, log, makeOctokit, tempStore } from "./pulls-helpers.js";

const API = "https://api.github.com";
const MERGE = "4".repeat(40);
const PARENT = "3".repeat(40);
const PARENT_TREE = "2".repeat(40);

describe("handleDefaultBranchFailure", () => {
  let cleanup: () => void = () => undefined;
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    cleanup();
  });

  it("opens a revert PR whose tree is the merge's first parent's tree, links it to the record, and is idempotent", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const ref = { owner: "acme", repo: "widgets" };
    await t.store.updateRecords(ref, () => [makeRecord({ id: "pr-42", pull_request: 42, merge_commit_sha: MERGE, attempt_status: "merged", title: "Bump <b>requests</b>" })]);
    let prBody = "";
    const scope = nock(API)
      .get("/repos/acme/widgets/pulls")
      .query({ state: "all", head: "acme:cowabunga/revert/pr-42", per_page: "1" })
      .reply(200, [])
      .get(`/repos/acme/widgets/commits/${MERGE}/check-runs`)
      .query(true)
      .reply(200, { check_runs: [{ name: "e2e", conclusion: "failure", html_url: "https://github.com/acme/widgets/runs/1" }, { name: "lint", conclusion: "success", html_url: null }] })
      .get(`/repos/acme/widgets/git/commits/${MERGE}`)
      .reply(200, { sha: MERGE, tree: { sha: "9".repeat(40) }, parents: [{ sha: PARENT }, { sha: "8".repeat(40) }] })
      .get(`/repos/acme/widgets/git/commits/${PARENT}`)
      .reply(200, { sha: PARENT, tree: { sha: PARENT_TREE }, parents: [] })
      .post("/repos/acme/widgets/git/commits", (b: { tree: string; parents: string[]; message: string }) => b.tree === PARENT_TREE && b.parents[0] === MERGE && b.parents.length === 1 && b.message.includes(MERGE))
      .reply(201, { sha: "7".repeat(40) })
      .post("/repos/acme/widgets/git/refs", { ref: "refs/heads/cowabunga/revert/pr-42", sha: "7".repeat(40) })
      .reply(201, {})
      .post("/repos/acme/widgets/pulls", (b: { head: string; base: string; body: string }) => {
        prBody = b.body;
        return b.head === "cowabunga/revert/pr-42" && b.base === "main";
      })
      .reply(201, { number: 50 })
      .post("/repos/acme/widgets/issues/42/comments")
      .reply(201, {});
    const args = { octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", headBranch: "main", headSha: MERGE, conclusion: "failure", store: t.store, clock, log };
    const out = await handleDefaultBranchFailure(args);
    scope.done();
    expect(out).toMatchObject({ status: "opened", revert_pull_request: 50 });
    expect(prBody).toContain("[e2e](https://github.com/acme/widgets/runs/1): failure");
    expect(prBody).toContain("`pr-42`");
    expect(prBody).not.toContain("lint");
    const rec = (await t.store.getRecords(ref))[0];
    expect(rec).toMatchObject({ revert_pull_request: 50, issues_introduced: ["e2e"], success: false, attempt_status: "reverted" });

    // Second failure event for the same commit: no request at all (nock would throw on any).
    expect(await handleDefaultBranchFailure(args)).toEqual({ status: "exists", revert_pull_request: 50 });
  });

  it("finds an existing revert PR after a restart with an empty link, and skips unrelated events", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const ref = { owner: "acme", repo: "widgets" };
    await t.store.updateRecords(ref, () => [makeRecord({ id: "pr-42", merge_commit_sha: MERGE, attempt_status: "merged" })]);
    const scope = nock(API).get("/repos/acme/widgets/pulls").query(true).reply(200, [{ number: 61 }]);
    const base = { octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", headBranch: "main", headSha: MERGE, conclusion: "failure", store: t.store, clock, log };
    expect(await handleDefaultBranchFailure(base)).toEqual({ status: "exists", revert_pull_request: 61 });
    scope.done();
    expect((await t.store.getRecords(ref))[0].revert_pull_request).toBe(61);
    expect(await handleDefaultBranchFailure({ ...base, headBranch: "dev" })).toMatchObject({ status: "skipped" });
    expect(await handleDefaultBranchFailure({ ...base, conclusion: "success" })).toMatchObject({ status: "skipped" });
    expect(await handleDefaultBranchFailure({ ...base, headSha: "1".repeat(40) })).toMatchObject({ status: "skipped", reason: "the commit is not the merge of an app update" });
  });
});
