import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import yazl from "yazl";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleCiCompleted, TEST_RESULTS_MARKER } from "../../../src/act/github/validation.js";
import { makeIssue, makeRecord } from "../../helpers/factories.js";
import { log, makeOctokit, tempStore } from "./pulls-helpers.js";

const API = "https://api.github.com";
const SHA = "5".repeat(40);
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/github-pr/reports");

function zip(files: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, text] of Object.entries(files)) z.addBuffer(Buffer.from(text), name);
    z.end();
    const chunks: Buffer[] = [];
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    z.outputStream.on("error", reject);
  });
}

const check = (name: string, conclusion: string) => ({ name, status: "completed", conclusion, html_url: `https://github.com/acme/widgets/runs/${name}`, started_at: "2026-01-20T12:00:00Z", completed_at: "2026-01-20T12:01:00Z", output: { title: null } });

describe("handleCiCompleted", () => {
  let cleanup: () => void = () => undefined;
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    cleanup();
  });

  it("builds a TestResult from check runs and artifact reports, comments once, labels and records the failed attempt", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const ref = { owner: "acme", repo: "widgets" };
    await t.store.updateRecords(ref, () => [makeRecord({ id: "pr-42", pull_request: 42, test_results: null, success: false, attempt_status: "pending", tests_run: [] })]);
    const artifact = await zip({
      "reports/junit.xml": readFileSync(path.join(dir, "pytest-junit.xml"), "utf8"),
      "coverage/coverage-summary.json": readFileSync(path.join(dir, "coverage-summary.json"), "utf8"),
      "notes/readme.txt": "ignored",
      "evil.xml": "<html/>",
    });
    let commentBody = "";
    const scope = nock(API)
      .get(`/repos/acme/widgets/commits/${SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 2, check_runs: [check("test", "failure"), check("lint", "success")] })
      .get("/repos/acme/widgets/actions/runs")
      .query({ head_sha: SHA, per_page: "50" })
      .reply(200, { total_count: 1, workflow_runs: [{ id: 77, status: "completed", conclusion: "failure" }] })
      .get("/repos/acme/widgets/actions/runs/77/artifacts")
      .query(true)
      .reply(200, { total_count: 2, artifacts: [{ id: 5, name: "test-reports", size_in_bytes: artifact.length, expired: false }, { id: 6, name: "huge", size_in_bytes: 10 ** 10, expired: false }] })
      .get("/repos/acme/widgets/actions/artifacts/5/zip")
      .reply(200, artifact, { "content-type": "application/zip" })
      .get("/repos/acme/widgets/issues/42/comments")
      .query(true)
      .reply(200, [{ id: 1, body: "LGTM", user: { type: "User" } }])
      .post("/repos/acme/widgets/issues/42/comments", (b: { body: string }) => {
        commentBody = b.body;
        return true;
      })
      .reply(201, {})
      .get("/repos/acme/widgets/issues/42")
      .reply(200, { number: 42, labels: [{ name: "cowabunga" }] })
      .post("/repos/acme/widgets/issues/42/labels", { labels: ["cowabunga:tests-failed"] })
      .reply(200, []);
    const out = await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, prNumber: 42, store: t.store, log });
    scope.done();
    if (out.status !== "reported") throw new Error(out.reason);
    expect(out.failed).toBe(true);
    expect(out.comment).toBe("created");
    expect(out.result).toMatchObject({ tests_run: 5, tests_passed: 2, tests_failed: 2, tests_skipped: 1, line_coverage: 75, branch_coverage: 25, function_coverage: 75 });
    expect(out.result.slowest_tests[0]).toEqual({ name: "test_upload", suite: "tests.test_api", duration_seconds: 2.5 });
    expect(out.result.errors.map((e) => e.source)).toEqual(["check run test", "report"]);
    expect(out.result.errors[1].message).toMatch(/artifact huge: .*over the limit/);
    expect(commentBody.startsWith(TEST_RESULTS_MARKER)).toBe(true);
    expect(commentBody).toContain("| 5 | 2 | 2 | 1 | 75.0% | 25.0% | 75.0% |");
    expect(commentBody).toContain("tests.test\\_auth › test\\_login (tests/test\\_auth.py:42): AssertionError: expected 200, got 500");
    const rec = (await t.store.getRecords(ref))[0];
    expect(rec).toMatchObject({ attempt_status: "failed", success: false });
    expect(rec.test_results?.tests_failed).toBe(2);
  });

  it("keeps the linked maintenance issue open (store and GitHub) when the PR's tests fail", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const ref = { owner: "acme", repo: "widgets" };
    const issue = makeIssue({ id: "sec-requests", status: "in_progress", lifecycle_state: "in_progress", github_issue_number: 7 });
    await t.store.updateIssues(ref, () => [issue]);
    await t.store.updateRecords(ref, () => [makeRecord({ id: "pr-42", pull_request: 42, issues_resolved: ["sec-requests"], test_results: null, success: false, attempt_status: "pending", tests_run: [] })]);
    const unexpected: string[] = [];
    const onNoMatch = (req: { method?: string; path?: string }) => unexpected.push(`${req.method} ${req.path}`);
    nock.emitter.on("no match", onNoMatch);
    const scope = nock(API)
      .get(`/repos/acme/widgets/commits/${SHA}/check-runs`)
      .query(true)
      .reply(200, { check_runs: [check("test", "failure")] })
      .get("/repos/acme/widgets/actions/runs")
      .query(true)
      .reply(200, { workflow_runs: [] })
      .get("/repos/acme/widgets/issues/42/comments")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/widgets/issues/42/comments")
      .reply(201, {})
      .get("/repos/acme/widgets/issues/42")
      .reply(200, { number: 42, labels: [] })
      .post("/repos/acme/widgets/issues/42/labels", { labels: ["cowabunga:tests-failed"] })
      .reply(200, []);
    try {
      const out = await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, prNumber: 42, store: t.store, log });
      expect(out).toMatchObject({ status: "reported", failed: true });
    } finally {
      nock.emitter.removeListener("no match", onNoMatch);
    }
    scope.done();
    // No other GitHub call: in particular, issue #7 was neither closed nor commented on.
    expect(unexpected).toEqual([]);
    const [stored] = await t.store.getIssues(ref);
    expect(stored).toMatchObject({ id: "sec-requests", status: "in_progress", lifecycle_state: "in_progress", resolved_at: null, github_issue_number: 7 });
    expect(stored.history).toEqual(issue.history);
    expect((await t.store.getRecords(ref))[0]).toMatchObject({ attempt_status: "failed", success: false, issues_resolved: ["sec-requests"] });
  });

  it("updates the same comment on a later run; the same runs reported again cost no download and no write", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const runs = (checks: ReturnType<typeof check>[]): nock.Scope =>
      nock(API)
        .get(`/repos/acme/widgets/commits/${SHA}/check-runs`)
        .query(true)
        .reply(200, { check_runs: checks })
        .get("/repos/acme/widgets/actions/runs")
        .query(true)
        .reply(200, { workflow_runs: [] });
    let first = "";
    // Green, and the PR does not carry the tests-failed label: nothing to remove (no DELETE that 404s).
    const s1 = runs([check("test", "success")])
      .get("/repos/acme/widgets/issues/42/comments")
      .query(true)
      .reply(200, [{ id: 99, body: `${TEST_RESULTS_MARKER}\nold`, user: { type: "Bot" } }])
      .patch("/repos/acme/widgets/issues/comments/99", (b: { body: string }) => {
        first = b.body;
        return true;
      })
      .reply(200, {})
      .get("/repos/acme/widgets/issues/42")
      .reply(200, { number: 42, labels: [{ name: "cowabunga" }] });
    const a = await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, prNumber: 42, store: t.store, log });
    s1.done();
    expect(a).toMatchObject({ status: "reported", failed: false, comment: "updated", result: { tests_run: 1, tests_passed: 1, tests_failed: 0 } });
    // check_run, check_suite and workflow_run report the same completion: the second sees the same runs.
    const s2 = runs([check("test", "success")]);
    const b = await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, prNumber: 42, store: t.store, log });
    s2.done();
    expect(b).toMatchObject({ status: "skipped", reason: expect.stringMatching(/already reported/) });
    // A re-run that failed: reported again, the label is added, and taken off once green again.
    const s3 = runs([check("test", "failure")])
      .get("/repos/acme/widgets/issues/42/comments")
      .query(true)
      .reply(200, [{ id: 99, body: first, user: { type: "Bot" } }])
      .patch("/repos/acme/widgets/issues/comments/99")
      .reply(200, {})
      .get("/repos/acme/widgets/issues/42")
      .reply(200, { number: 42, labels: [] })
      .post("/repos/acme/widgets/issues/42/labels", { labels: ["cowabunga:tests-failed"] })
      .reply(200, []);
    expect(await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, prNumber: 42, store: t.store, log })).toMatchObject({ status: "reported", failed: true });
    s3.done();
    const s4 = runs([{ ...check("test", "success"), id: 2 } as ReturnType<typeof check>])
      .get("/repos/acme/widgets/issues/42/comments")
      .query(true)
      .reply(200, [{ id: 99, body: first, user: { type: "Bot" } }])
      .get("/repos/acme/widgets/issues/42")
      .reply(200, { number: 42, labels: [{ name: "cowabunga:tests-failed" }] })
      .delete("/repos/acme/widgets/issues/42/labels/cowabunga%3Atests-failed")
      .reply(200, []);
    const d = await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, prNumber: 42, store: t.store, log });
    s4.done();
    expect(d).toMatchObject({ status: "reported", failed: false, comment: "unchanged" });
  });

  it("waits while checks run, and ignores commits that are not on an app branch", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const scope = nock(API)
      .get(`/repos/acme/widgets/commits/${SHA}/pulls`)
      .reply(200, [{ number: 3, state: "open", head: { ref: "feature/x" } }])
      .get(`/repos/acme/widgets/commits/${SHA}/pulls`)
      .reply(200, [{ number: 4, state: "open", head: { ref: "cowabunga/api/x-1" } }])
      .get(`/repos/acme/widgets/commits/${SHA}/check-runs`)
      .query(true)
      .reply(200, { check_runs: [{ ...check("test", "success"), status: "in_progress", conclusion: null }] });
    expect(await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, store: t.store, log })).toEqual({ status: "skipped", reason: "not an update PR of the app" });
    expect(await handleCiCompleted({ octokit: makeOctokit(), owner: "acme", repo: "widgets", headSha: SHA, store: t.store, log })).toEqual({ status: "skipped", reason: "some check runs are still running" });
    scope.done();
  });
});
