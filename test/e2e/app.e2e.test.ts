/**
 * End to end: the REAL app (started as `npm start` does) against the fake GitHub Enterprise Server,
 * with signed webhook deliveries over HTTP, offline enrichment and a small OSV mirror fixture. Every
 * step waits for the app's queue by polling the fake's state with a deadline. The story's actions are
 * steps that run once each and first run the steps they build on, so every `it` can also run alone
 * (`vitest run -t "revert PR"`): it then performs its own prerequisites.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStore } from "../../src/store/index.js";
import { FakeGitHub, type FakeIssue, type FakePull } from "../helpers/fake-github.js";
import { startAppServer, waitFor, type AppServer } from "../helpers/app-server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const OSV_MIRROR = path.resolve(here, "../fixtures/e2e/osv");
const REPO = "acme/platform";
const ref = { owner: "acme", repo: "platform" };

/**
 * A one-minute maintenance window twelve hours from now: closed for the whole run, so only the critical
 * fix (beta-lib, CVSS 9.8) may open its update PR automatically; the medium one (alpha-lib) waits.
 */
function closedWindowConfig(now = new Date()): string {
  const at = new Date(now.getTime() + 12 * 3_600_000);
  const day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][at.getUTCDay()];
  const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const start = at.getUTCHours() * 60 + at.getUTCMinutes();
  return `schedule:\n  timezone: UTC\n  maintenance_windows:\n    - days: [${day}]\n      start: "${hhmm(start)}"\n      end: "${hhmm(start + 1)}"\n`;
}
const CONFIG = closedWindowConfig();

const files = (alpha: string): Record<string, string> => ({
  "api/requirements.txt": `alpha-lib==${alpha}\nbeta-lib==2.0.0\n`,
  "api/main.py": "print('platform api')\n",
  "README.md": "# platform\n\nThe platform monorepo.\n",
  ".github/cowabunga.yml": CONFIG,
});

describe("the GitHub App at work, end to end (real server, fake GHES, offline OSV mirror)", () => {
  const gh = new FakeGitHub();
  let app: AppServer;
  let dataDir: string;
  let initialHead: string;
  let updatePr: FakePull;
  let baseSha: string;
  let mergeSha: string;
  let commentDelivery: { id: string; payload: Record<string, unknown> };
  let installDelivery: { id: string; payload: Record<string, unknown> };

  const issues = (): FakeIssue[] => gh.repo(REPO).issues.filter((i) => !i.pull_request);
  const issueFor = (pkg: string): FakeIssue | undefined => issues().find((i) => i.body.includes("cowabunga:issue:") && i.title.includes(pkg));
  const comments = (n: number) => gh.repo(REPO).comments.filter((c) => c.issue_number === n);
  const pulls = (): FakePull[] => gh.pulls(gh.repo(REPO));

  beforeAll(async () => {
    await gh.start();
    initialHead = gh.addRepo(REPO, files("1.4.0"));
    gh.repo(REPO).permissions.set("alice", "write");
    dataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-e2e-app-"));
    app = await startAppServer({
      gheHost: gh.host,
      dataDir,
      env: { COWABUNGA_OFFLINE: "true", COWABUNGA_OSV_DB: OSV_MIRROR, COWABUNGA_GITHUB_THROTTLE: "false" },
    });
  }, 60_000);

  afterAll(async () => {
    if (process.env.E2E_DUMP) (await import("node:fs")).writeFileSync(process.env.E2E_DUMP, app?.output() ?? "");
    await app?.stop();
    await gh.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const context = (): string => `\n--- app output (tail) ---\n${app.output().slice(-4000)}`;

  /** A step of the story: runs once, after the steps it awaits; later callers get the same promise. */
  const step = <T>(run: () => Promise<T>): (() => Promise<T>) => {
    let done: Promise<T> | undefined;
    return () => (done ??= run());
  };

  const installed = step(async () => {
    installDelivery = {
      id: "delivery-install-1",
      payload: {
        action: "created",
        installation: { id: gh.installationId, account: { login: "acme" } },
        repositories: [{ id: gh.repo(REPO).id, name: "platform", full_name: REPO, private: true }],
        sender: { login: "alice", type: "User" },
      },
    };
    const res = await app.deliver("installation", installDelivery.payload, installDelivery.id);
    await waitFor(() => issueFor("alpha-lib") && issueFor("beta-lib") && issues().some((i) => i.body.includes("<!-- cowabunga:dashboard -->")), "issues and dashboard", context);
    await waitFor(() => pulls().length === 1, "automatic update PR", context);
    updatePr = pulls()[0]!;
    baseSha = initialHead;
    return res;
  });

  const pushedFix = step(async () => {
    await installed();
    const before = gh.repo(REPO).refs.get("heads/main")!;
    const after = gh.commitFiles(REPO, files("1.4.2"), "Bump alpha-lib to 1.4.2");
    const res = await app.deliver("push", gh.pushPayload(REPO, before, after));
    await waitFor(() => issueFor("alpha-lib")?.state === "closed", "alpha-lib issue closed", context);
    return res;
  });

  const updateCommanded = step(async () => {
    await installed();
    const beta = issueFor("beta-lib")!;
    commentDelivery = {
      id: "delivery-comment-update-1",
      payload: {
        action: "created",
        issue: { number: beta.number, title: beta.title, body: beta.body, state: "open", user: { login: "cowabunga-maintainer[bot]", type: "Bot" } },
        comment: { id: 77001, body: "/cowabunga update", user: { login: "alice", type: "User" } },
        repository: gh.webhookRepository(REPO),
        installation: { id: gh.installationId },
        sender: { login: "alice", type: "User" },
      },
    };
    const res = await app.deliver("issue_comment", commentDelivery.payload, commentDelivery.id);
    await waitFor(() => comments(beta.number).some((c) => c.body.includes(`#${updatePr.number}`) && /already open/.test(c.body)), "reply naming the open PR", context);
    return res;
  });

  const ciReported = step(async () => {
    await installed();
    gh.addCheckRun(REPO, updatePr.head.sha, "unit-tests", "success");
    const res = await app.deliver("check_suite", {
      action: "completed",
      check_suite: { id: 9001, head_sha: updatePr.head.sha, head_branch: updatePr.head.ref, status: "completed", conclusion: "success", pull_requests: [{ number: updatePr.number }] },
      repository: gh.webhookRepository(REPO),
      installation: { id: gh.installationId },
      sender: { login: "github-actions[bot]", type: "Bot" },
    });
    await waitFor(() => comments(updatePr.number).some((c) => c.body.includes("<!-- cowabunga:test-results -->")), "test-result comment", context);
    return res;
  });

  const merged = step(async () => {
    await ciReported();
    mergeSha = gh.mergePull(REPO, updatePr.number);
    const pr = gh.pullJson(gh.repo(REPO), pulls().find((p) => p.number === updatePr.number)!);
    const res = await app.deliver("pull_request", {
      action: "closed",
      number: updatePr.number,
      pull_request: { ...pr, merged_by: { login: "alice" } },
      repository: gh.webhookRepository(REPO),
      installation: { id: gh.installationId },
      sender: { login: "alice", type: "User" },
    });
    const store = new FileStore({ root: dataDir });
    await waitFor(async () => (await store.getRecords(ref)).some((r) => r.attempt_status === "merged"), "merged record", context);
    return res;
  });

  const reverted = step(async () => {
    await merged();
    gh.addCheckRun(REPO, mergeSha, "unit-tests", "failure");
    const res = await app.deliver("check_suite", {
      action: "completed",
      check_suite: { id: 9002, head_sha: mergeSha, head_branch: "main", status: "completed", conclusion: "failure", pull_requests: [] },
      repository: gh.webhookRepository(REPO),
      installation: { id: gh.installationId },
      sender: { login: "github-actions[bot]", type: "Bot" },
    });
    await waitFor(() => pulls().some((p) => p.head.ref.startsWith("cowabunga/revert/")), "revert PR", context);
    return res;
  });

  it("installation.created → scan → maintenance issues and the dashboard issue", async () => {
    const res = await installed();
    expect(res.status).toBe(200);

    const alpha = issueFor("alpha-lib")!;
    expect(alpha.state).toBe("open");
    expect(alpha.labels.map((l) => l.name)).toEqual(expect.arrayContaining(["cowabunga", "type:security"]));
    expect(alpha.body).toContain("E2E-ALPHA-1");
    expect(alpha.body).toContain(`/acme/platform/blob/${initialHead}/api/requirements.txt#L1`);
    const beta = issueFor("beta-lib")!;
    expect(beta.body).toContain("E2E-BETA-1");
    const dashboard = issues().find((i) => i.body.includes("<!-- cowabunga:dashboard -->"))!;
    expect(dashboard.body).toContain(`#${alpha.number}`);
    expect(dashboard.body).toContain(`#${beta.number}`);
    // The critical advisory (CVSS 9.8) raised an alert that the GitHub channel posted on its issue.
    await waitFor(() => comments(beta.number).some((c) => c.body.includes("cowabunga-alert: critical_cvss:")), "critical alert comment", context);
    // Stored too.
    const store = new FileStore({ root: dataDir });
    const stored = await store.getIssues(ref);
    expect(stored.filter((i) => i.type === "security").map((i) => i.github_issue_number).sort()).toEqual([alpha.number, beta.number].sort());

    // The scan opened ONE update PR by itself: the critical beta-lib fix (critical fixes bypass the closed
    // maintenance window); alpha-lib's medium fix waits for a window. One branch, one commit through the
    // Git Data API on the scanned head, the rollback SHA in the body, the base label (found again in the
    // issue listing, no GET /pulls).
    expect(pulls()).toHaveLength(1);
    expect(updatePr.head.ref).toMatch(/^cowabunga\/[a-z0-9._-]+\/beta-lib-2\.0\.1$/);
    expect(updatePr.base.ref).toBe("main");
    expect(updatePr.body).toContain(initialHead);
    expect(updatePr.body).toContain(`#${beta.number}`);
    const repo = gh.repo(REPO);
    const head = repo.commits.get(repo.refs.get(`heads/${updatePr.head.ref}`)!)!;
    expect(head.parents).toEqual([initialHead]);
    expect(gh.filesAt(REPO, head.sha)["api/requirements.txt"]).toBe("alpha-lib==1.4.0\nbeta-lib==2.0.1\n");
    const gitWrites = gh.requests.filter((r) => r.method === "POST" && /\/git\/(blobs|trees|commits|refs)$/.test(r.path)).map((r) => r.path.replace(/^.*\/git\//, ""));
    expect(gitWrites).toEqual(["blobs", "trees", "commits", "refs"]);
    await waitFor(() => updatePr.labels.some((l) => l.name === "cowabunga"), "PR labelled", context);
    expect(gh.requests.some((r) => r.method === "GET" && /\/pulls$/.test(r.path))).toBe(false);
    const records = await store.getRecords(ref);
    expect(records.find((r) => r.pull_request === updatePr.number)?.attempt_status).toBe("pending");
  }, 60_000);

  it("a push that fixes a dependency closes its issue with a comment", async () => {
    await installed();
    const alpha = issueFor("alpha-lib")!;
    const res = await pushedFix();
    expect(res.status).toBe(200);
    expect(issueFor("alpha-lib")!.state_reason).toBe("completed");
    expect(comments(alpha.number).some((c) => /resolved|no longer/i.test(c.body))).toBe(true);
    expect(issueFor("beta-lib")!.state).toBe("open");
    // Nothing else was opened by the push (its scan sees the whole tree, not only the changed files).
    expect(issues().filter((i) => i.state === "open").map((i) => i.number).sort()).toEqual([issueFor("beta-lib")!.number, issues().find((i) => i.body.includes("<!-- cowabunga:dashboard -->"))!.number].sort());
    // The open update PR was seen in the issue listing (same plan → no new PR); the base moved, so its
    // mergeability was read once (GET pulls/{n}); it is mergeable, so it was left alone.
    expect(pulls()).toHaveLength(1);
    await waitFor(() => gh.requests.some((r) => r.method === "GET" && r.path === `/repos/acme/platform/pulls/${updatePr.number}`), "mergeability read", context);
    expect(gh.requests.some((r) => r.method === "GET" && /\/pulls$/.test(r.path))).toBe(false);
  }, 60_000);

  it("`/cowabunga update` on an issue whose PR is already open replies with that PR", async () => {
    const res = await updateCommanded();
    expect(res.status).toBe(200);
    const beta = issueFor("beta-lib")!;
    expect(comments(beta.number).filter((c) => c.body.includes(`#${updatePr.number}`) && /already open/.test(c.body))).toHaveLength(1);
    expect(pulls()).toHaveLength(1);
  }, 60_000);

  it("CI completing on the app's PR → the test-result comment", async () => {
    const res = await ciReported();
    expect(res.status).toBe(200);
    expect(comments(updatePr.number).filter((c) => c.body.includes("<!-- cowabunga:test-results -->"))).toHaveLength(1);
    const body = comments(updatePr.number).find((c) => c.body.includes("<!-- cowabunga:test-results -->"))!.body;
    expect(body).toContain("unit-tests");
  }, 60_000);

  it("the PR merged → a MaintenanceRecord with rollback_before_commit in the store", async () => {
    const res = await merged();
    expect(res.status).toBe(200);
    const store = new FileStore({ root: dataDir });
    const record = (await store.getRecords(ref)).find((r) => r.pull_request === updatePr.number)!;
    expect(record.rollback_before_commit).toBe(baseSha);
    expect(record.merge_commit_sha).toBe(mergeSha);
    expect(record.files_modified).toEqual(["api/requirements.txt"]);
    expect(record.dependencies_updated).toEqual(["beta-lib@2.0.0→2.0.1"]);
    // The CI result reported on the PR is kept with the record.
    expect(record.tests_run).toContain("unit-tests");
    expect(record.test_results?.tests_failed).toBe(0);
    expect(record.success).toBe(true);
  }, 60_000);

  it("CI failing on the default branch after the merge → a revert PR whose commit tree equals the parent's", async () => {
    const res = await reverted();
    expect(res.status).toBe(200);
    const revert = pulls().find((p) => p.head.ref.startsWith("cowabunga/revert/"))!;
    const repo = gh.repo(REPO);
    const revertCommit = repo.commits.get(revert.head.sha)!;
    const parent = repo.commits.get(repo.commits.get(mergeSha)!.parents[0]!)!;
    expect(revertCommit.parents).toEqual([mergeSha]);
    expect(revertCommit.tree).toBe(parent.tree);
    expect(revert.body).toContain("unit-tests");
    const store = new FileStore({ root: dataDir });
    await waitFor(async () => (await store.getRecords(ref)).some((r) => r.revert_pull_request === revert.number), "record linked to the revert PR", context);
    await waitFor(() => comments(updatePr.number).some((c) => c.body.includes(`revert PR #${revert.number}`)), "comment on the original PR", context);
  }, 60_000);

  it("the same delivery id sent twice → no duplicate issue, PR or comment", async () => {
    await updateCommanded();
    const issueCount = issues().length;
    const pullCount = pulls().length;
    const commentCount = gh.repo(REPO).comments.length;
    const beta = issueFor("beta-lib")!;
    expect((await app.deliver("issue_comment", commentDelivery.payload, commentDelivery.id)).status).toBe(200);
    expect((await app.deliver("installation", installDelivery.payload, installDelivery.id)).status).toBe(200);
    // A fresh command after the duplicates: once its reply is there, the duplicates were handled before it
    // (one queue per repository, in delivery order).
    const help = { ...commentDelivery.payload, comment: { id: 77002, body: "/cowabunga help", user: { login: "alice", type: "User" } } };
    expect((await app.deliver("issue_comment", help, "delivery-comment-help-1")).status).toBe(200);
    await waitFor(() => gh.repo(REPO).comments.length === commentCount + 1, "help reply", context);
    expect(comments(beta.number).at(-1)!.body).toMatch(/cowabunga/i);
    expect(issues().length).toBe(issueCount);
    expect(pulls().length).toBe(pullCount);
    expect(app.output()).toMatch(/redelivered event ignored/);
  }, 60_000);

  it("the REST API on the app's server: reads the store, and an audit queues a scan through the repository's installation", async () => {
    await merged();
    const api = `http://127.0.0.1:${app.port}/api/v1/repos/acme/platform`;
    const auth = { authorization: "Bearer ghu_e2e_user_token" };
    const health = await fetch(`${api}/health`, { headers: auth });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { overall_status?: string }).overall_status).toBeTruthy();
    const before = (app.output().match(/"trigger":"api"/g) ?? []).length;
    const res = await fetch(`${api}/dependencies/audit`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { job_id: string };
    // The queue's job id (listed by GET /api/v1/jobs), or scan-coalesced-… when a forced scan was already waiting.
    expect(job.job_id).toMatch(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|scan-coalesced-.+)$/);
    await waitFor(() => (app.output().match(/"trigger":"api"/g) ?? []).length > before, "API-triggered scan", context);
    // The repository's webhooks already named its installation: no GET /repos/{o}/{r}/installation lookup.
    expect(gh.requests.some((r) => r.method === "GET" && r.path === "/repos/acme/platform/installation")).toBe(false);
    // The forced scan saw the merged fix: the beta-lib issue is resolved and closed.
    await waitFor(() => issueFor("beta-lib")?.state === "closed", "beta-lib issue closed after the audit scan", context);
  }, 60_000);

  it("every REST request the app made was valid against GitHub's OpenAPI description", async () => {
    await installed();
    expect(gh.requests.filter((r) => r.kind === "rest").length).toBeGreaterThan(5);
    expect(gh.violations).toEqual([]);
  });
});
