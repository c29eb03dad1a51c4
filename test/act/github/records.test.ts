import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handlePullRequestClosed } from "../../../src/act/github/records.js";
import { MaintenanceRecord } from "../../../src/model/index.js";
import { makeIssue, makeRecord, makeTestResult } from "../../helpers/factories.js";
import { clock, log, makeOctokit, tempStore } from "./pulls-helpers.js";

const API = "https://api.github.com";
const BASE = "a".repeat(40);
const MERGE = "4".repeat(40);
const marker = `<!-- cowabunga:pr:${JSON.stringify({ v: 1, group: "api/requests", issues: ["issue-1"], deps: [{ name: "requests", component: "api", package_manager: "pip", file: "api/requirements.txt", line: 3, current_value: "==2.19.0", from: "2.19.0", to: "2.20.0", security: true }], base_sha: BASE })} -->`;
const pr = (over: Record<string, unknown> = {}) => ({
  number: 42,
  merged: true,
  merged_at: "2026-01-20T14:30:00Z",
  created_at: "2026-01-20T12:00:00Z",
  merge_commit_sha: MERGE,
  body: `text\n${marker}`,
  title: "fix(deps, api): security: update requests to 2.20.0",
  head: { ref: "cowabunga/api/requests-2.20.0" },
  base: { ref: "main" },
  merged_by: { login: "alice" },
  ...over,
});

describe("handlePullRequestClosed", () => {
  let cleanup: () => void = () => undefined;
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    cleanup();
  });

  it("writes a MaintenanceRecord with every seed field and resolves the linked issues", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const ref = { owner: "acme", repo: "widgets" };
    const passed = makeTestResult({ tests_failed: 0, tests_passed: 10, failures: [] });
    await t.store.updateRecords(ref, () => [makeRecord({ id: "pr-42", pull_request: 42, test_results: passed, tests_run: ["test", "lint"], attempt_status: "pending", success: false })]);
    await t.store.updateIssues(ref, () => [makeIssue({ lifecycle_state: "in_progress", status: "in_progress" }), makeIssue({ id: "issue-2" })]);
    const scope = nock(API).get("/repos/acme/widgets/pulls/42/files").query(true).reply(200, [{ filename: "api/requirements.txt" }, { filename: "api/poetry.lock" }]);
    const out = await handlePullRequestClosed({ octokit: makeOctokit(), owner: "acme", repo: "widgets", payload: { pull_request: pr() }, store: t.store, clock, log });
    scope.done();
    if (out.status !== "recorded") throw new Error(out.status);
    const r = out.record;
    expect(MaintenanceRecord.safeParse(r).success).toBe(true);
    expect(r).toEqual({
      id: "pr-42",
      title: "fix(deps, api): security: update requests to 2.20.0",
      type: "security_patch",
      description: "Merged update PR #42: requests 2.19.0 → 2.20.0",
      performed_by: "cowabunga (merged by alice)",
      performed_at: "2026-01-20T14:30:00.000Z",
      duration_minutes: 150,
      rollback_available: true,
      files_modified: ["api/requirements.txt", "api/poetry.lock"],
      dependencies_updated: ["requests@2.19.0→2.20.0"],
      tests_run: ["test", "lint"],
      success: true,
      issues_resolved: ["issue-1"],
      issues_introduced: [],
      test_results: passed,
      rollback_strategy: expect.stringContaining(BASE),
      rollback_before_commit: BASE,
      pull_request: 42,
      revert_pull_request: null,
      attempt_status: "merged",
      merge_commit_sha: MERGE,
    });
    expect(await t.store.getRecords(ref)).toHaveLength(1);
    const issues = await t.store.getIssues(ref);
    expect(issues.find((i) => i.id === "issue-1")).toMatchObject({ lifecycle_state: "resolved", status: "resolved", resolved_at: "2026-01-20T14:30:00.000Z" });
    expect(issues.find((i) => i.id === "issue-2")?.lifecycle_state).toBe("detected");
  });

  it("success follows the last test result: failed tests → false; no CI → true", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const ref = { owner: "acme", repo: "widgets" };
    await t.store.updateRecords(ref, () => [makeRecord({ id: "pr-42", pull_request: 42, test_results: makeTestResult({ tests_failed: 1 }) })]);
    nock(API).get("/repos/acme/widgets/pulls/42/files").query(true).reply(500, {});
    const failed = await handlePullRequestClosed({ octokit: makeOctokit(), owner: "acme", repo: "widgets", payload: { pull_request: pr() }, store: t.store, clock, log });
    expect(failed).toMatchObject({ status: "recorded", record: { success: false, files_modified: ["api/requirements.txt"] } });
    nock(API).get("/repos/acme/widgets/pulls/43/files").query(true).reply(200, []);
    const none = await handlePullRequestClosed({ octokit: makeOctokit(), owner: "acme", repo: "widgets", payload: { pull_request: pr({ number: 43 }) }, store: t.store, clock, log });
    expect(none).toMatchObject({ status: "recorded", record: { success: true, test_results: null, tests_run: [] } });
  });

  it("marks an unmerged close as closed and ignores other PRs", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const ref = { owner: "acme", repo: "widgets" };
    await t.store.updateRecords(ref, () => [makeRecord({ id: "pr-42", pull_request: 42, attempt_status: "pending" })]);
    expect(await handlePullRequestClosed({ octokit: makeOctokit(), owner: "acme", repo: "widgets", payload: { pull_request: pr({ merged: false, merged_at: null }) }, store: t.store, clock, log })).toEqual({ status: "closed", record_id: "pr-42" });
    expect((await t.store.getRecords(ref))[0].attempt_status).toBe("closed");
    expect(await handlePullRequestClosed({ octokit: makeOctokit(), owner: "acme", repo: "widgets", payload: { pull_request: pr({ head: { ref: "feature/x" } }) }, store: t.store, clock, log })).toMatchObject({ status: "skipped" });
    expect(await handlePullRequestClosed({ octokit: makeOctokit(), owner: "acme", repo: "widgets", payload: { pull_request: pr({ body: "no marker" }) }, store: t.store, clock, log })).toMatchObject({ status: "skipped" });
  });
});
