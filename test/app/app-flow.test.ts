import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { registerHandlers, type AppDeps, type AppServices } from "../../src/app/handlers.js";
import type { ScanRunResult } from "../../src/pipeline/github.js";
import type { AssessInputs } from "../../src/assess/types.js";
import { FileStore } from "../../src/store/index.js";
import { testPrivateKey } from "../helpers/keys.js";
import { makeDependency, makeIssue } from "../helpers/factories.js";
import { fakeStages } from "./helpers/fake-stages.js";
import { serveContents, serveHead, serveIssueListing, type FakeRepo } from "./helpers/github-repo.js";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/github");
const payload = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(fixtures, name), "utf8")) as Record<string, unknown>;
const API = "https://api.github.com";
const NOW = new Date("2026-01-15T12:00:00Z");

const baseRepo = (): FakeRepo => ({
  owner: "acme",
  repo: "widgets",
  sha: "1111111111111111111111111111111111111111",
  treeSha: "tree1111111111111111111111111111111111111",
  files: {
    "api/requirements.txt": "flask==2.0.0\nrequests==2.19.0\n",
    "web/package.json": JSON.stringify({ name: "web", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } }, null, 2),
    ".github/CODEOWNERS": "* @lead\n/api/ @alice @acme/backend\n",
    "src/index.ts": "export const x = 1;\n",
  },
});

interface Harness {
  probot: Probot;
  services: AppServices;
  store: FileStore;
  scans: ScanRunResult[];
  dir: string;
  calls: { assess: AssessInputs[] };
}

async function setup(vulnerable = new Set(["requests@2.19.0"]), extra: AppDeps & { scores?: Record<string, number> } = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), "cowabunga-app-"));
  const store = new FileStore({ root: dir, clock: () => NOW });
  const scans: ScanRunResult[] = [];
  const calls = { assess: [] as AssessInputs[] };
  const probot = new Probot({
    appId: 123,
    privateKey: testPrivateKey(),
    // The function form re-applies on every instance, including the per-installation ones Probot
    // builds from the app's options (the object form leaves their throttling on: 1 s per write).
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
    logLevel: "warn",
  });
  let services: AppServices | undefined;
  await probot.load((app, options) => {
    services = registerHandlers(app, options, {
      store,
      stages: fakeStages({ vulnerable, calls, ...(extra.scores ? { scores: extra.scores } : {}) }),
      clock: () => NOW,
      schedule: false,
      // Jobs whose GitHub requests are not mocked here fail at once instead of waiting for a retry.
      retry: { retries: 0 },
      onScan: (r) => scans.push(r),
      publicUrl: null,
      ...extra,
    });
  });
  return { probot, services: services!, store, scans, dir, calls };
}

function tokenScope(): nock.Scope {
  return nock(API).persist().post("/app/installations/42/access_tokens").reply(200, { token: "ghs_test", permissions: { issues: "write", contents: "read" } });
}

async function receive(h: Harness, name: string, body: Record<string, unknown>, id: string): Promise<void> {
  await h.probot.receive({ id, name, payload: body } as never);
  await h.services.idle();
}

/** Body of the first POST /issues whose body contains `marker`. */
function bodyOf(calls: Array<{ body: Record<string, unknown> }>, marker: string): string {
  const c = calls.find((x) => String(x.body.body ?? "").includes(marker));
  return String(c?.body.body ?? "");
}

describe("the GitHub App at work", () => {
  let h: Harness;
  beforeEach(() => {
    nock.disableNetConnect();
    tokenScope();
  });
  afterEach(() => {
    h.services.stop();
    nock.cleanAll();
    nock.enableNetConnect();
    rmSync(h.dir, { recursive: true, force: true });
  });

  it("installation → cold scan → labelled issue with CODEOWNERS assignee + dashboard, in exactly 5 reads", async () => {
    h = await setup();
    const r = baseRepo();
    const created: Array<{ body: Record<string, unknown> }> = [];
    const labels: string[] = [];
    const scope = nock(API);
    serveHead(scope, r);
    serveContents(scope, r, 1);
    serveIssueListing(scope, r, []);
    scope
      // The owner is checked once (then cached in scan_state for a day) before being assigned.
      .get("/repos/acme/widgets/assignees/alice")
      .reply(204)
      .post("/repos/acme/widgets/labels", (b: { name: string }) => (labels.push(b.name), true))
      .times(5)
      .reply(201, {})
      .post("/repos/acme/widgets/issues", (b: Record<string, unknown>) => (created.push({ body: b }), true))
      .times(2)
      .reply(201, (_u, b) => ({ number: created.length, ...(b as object) }));

    await receive(h, "installation", payload("installation.created.json"), "d-install");

    scope.done();
    expect(h.scans).toHaveLength(1);
    const scan = h.scans[0];
    expect(scan.outcome).toBe("scanned");
    // head + tree + ceil(files/50) GraphQL + one issue listing + one assignability check; no GET /repos/{o}/{r}.
    expect(scan.counts.reads).toBe(5);
    const reads = scan.counts.requests.filter((q) => q.startsWith("GET") || q.includes("graphql"));
    expect(reads).toHaveLength(5);
    expect(reads[4]).toBe("GET /repos/{owner}/{repo}/assignees/{assignee}");
    expect(reads[0]).toBe("GET /repos/{owner}/{repo}/commits/{ref}");
    expect(reads[1]).toBe("GET /repos/{owner}/{repo}/git/trees/{tree_sha}");
    expect(reads[2]).toBe("POST /graphql");
    expect(reads[3]).toMatch(/^GET \S*\/repos\/acme\/widgets\/issues\?labels=cowabunga&state=all&per_page=100$/);
    expect(new Set(labels)).toEqual(new Set(["cowabunga", "type:security", "severity:high", "priority:high", "cowabunga:dashboard"]));

    const issue = created.find((c) => String(c.body.body).includes("<!-- cowabunga:issue:sec-pip-requests -->"))!;
    expect(issue.body.title).toBe("requests 2.19.0 has a known vulnerability");
    expect(issue.body.labels).toEqual(["cowabunga", "type:security", "severity:high", "priority:high"]);
    expect(issue.body.assignees).toEqual(["alice"]); // /api/ rule wins over *, team skipped
    const body = String(issue.body.body);
    expect(body).toContain(`https://github.com/acme/widgets/blob/${r.sha}/api/requirements.txt#L2`);
    expect(body).toContain("[GHSA-requests](https://osv.dev/vulnerability/GHSA-requests)");
    expect(body).toContain("CVSS 7.5");
    expect(body).not.toContain("<script>");
    expect(body).toContain("&lt;script&gt;");
    expect(body).toMatch(/### Resolution steps\n\n- \[ \] bump requests/);
    expect(bodyOf(created, "<!-- cowabunga:dashboard -->")).toContain("| Component | Type | Status |");

    const stored = await h.store.getIssues({ owner: "acme", repo: "widgets" });
    expect(stored.find((i) => i.id === "sec-pip-requests")?.github_issue_number).toBe(1);
    const state = await h.store.getScanState({ owner: "acme", repo: "widgets" });
    expect(state?.tree_sha).toBe(r.treeSha);
  });

  it("a write GitHub refuses: the scan job fails visibly, the write stays pending, and the same tree is scanned again", async () => {
    h = await setup();
    const r = baseRepo();
    const s1 = serveHead(nock(API), r, "main");
    serveContents(s1, r, 1);
    serveIssueListing(s1, r, []);
    s1.get("/repos/acme/widgets/assignees/alice").reply(204);
    s1.post("/repos/acme/widgets/labels").times(5).reply(201, {});
    // The finding's issue is refused (no retry can help); the dashboard goes through.
    s1.post("/repos/acme/widgets/issues", (b: { body: string }) => b.body.includes("cowabunga:issue:")).reply(403, { message: "Resource not accessible by integration" });
    s1.post("/repos/acme/widgets/issues", (b: { body: string }) => b.body.includes("cowabunga:dashboard")).reply(201, { number: 2 });
    await receive(h, "repository_dispatch", payload("repository_dispatch.json"), "d-refused");
    s1.done();
    expect(h.scans[0].pendingWrites).toHaveLength(1);
    // The scan job failed visibly: listed as failed (retries are off in this harness), with its error.
    const failed = (await h.services.queue.list()).filter((j) => j.state === "failed");
    expect(failed.map((j) => [j.kind, j.repo])).toEqual([["scan", "acme/widgets"]]);
    expect(failed[0].error).toMatch(/acme\/widgets: 1 write\(s\) to GitHub still pending: POST \/repos\/acme\/widgets\/issues/);
    const state = await h.store.getScanState({ owner: "acme", repo: "widgets" });
    expect(state?.tree_sha).toBe(r.treeSha);
    expect(state?.pending_writes).toHaveLength(1);

    // Same tree, not forced: no "unchanged" shortcut; the issue is opened, nothing is pending any more.
    const s2 = serveHead(nock(API), r, "main");
    serveContents(s2, r, 1);
    serveIssueListing(s2, r, [{ number: 2, title: "Cowabunga dashboard", state: "open", body: "<!-- cowabunga:dashboard -->\nold", labels: [{ name: "cowabunga" }, { name: "cowabunga:dashboard" }] }]);
    s2.post("/repos/acme/widgets/issues", (b: { body: string }) => b.body.includes("cowabunga:issue:")).reply(201, { number: 3 });
    s2.patch("/repos/acme/widgets/issues/2").reply(200, {});
    await receive(h, "repository_dispatch", payload("repository_dispatch.json"), "d-again");
    s2.done();
    expect(h.scans[1].outcome).toBe("scanned");
    expect(h.scans[1].pendingWrites).toEqual([]);
    expect((await h.store.getScanState({ owner: "acme", repo: "widgets" }))?.pending_writes).toEqual([]);
  });

  it("an unchanged repository costs exactly one read (the head) and no writes", async () => {
    h = await setup();
    const r = baseRepo();
    await h.store.putScanState({ owner: "acme", repo: "widgets" }, { tree_sha: r.treeSha, head_sha: r.sha });
    const scope = serveHead(nock(API), r, "main");
    await receive(h, "repository_dispatch", payload("repository_dispatch.json"), "d-dispatch");
    scope.done();
    expect(h.scans[0].outcome).toBe("unchanged");
    expect(h.scans[0].counts).toMatchObject({ reads: 1, writes: 0 });
  });

  it("a redelivered event is processed once", async () => {
    h = await setup();
    const r = baseRepo();
    await h.store.putScanState({ owner: "acme", repo: "widgets" }, { tree_sha: r.treeSha });
    const scope = serveHead(nock(API), r, "main");
    await receive(h, "repository_dispatch", payload("repository_dispatch.json"), "same-id");
    await receive(h, "repository_dispatch", payload("repository_dispatch.json"), "same-id");
    scope.done();
    expect(h.scans).toHaveLength(1);
  });

  it("a push touching only .ts sources is skipped without any request", async () => {
    h = await setup();
    const p = payload("push.json");
    (p.commits as Array<Record<string, unknown>>)[0].modified = ["src/index.ts", "src/app.ts"];
    await receive(h, "push", p, "d-push-ts"); // disableNetConnect: any request would fail the scan
    expect(h.scans).toHaveLength(0);
  });

  it("a push that fixes the dependency closes its issue with a comment and rewrites the dashboard", async () => {
    h = await setup();
    const ref = { owner: "acme", repo: "widgets" };
    const r = baseRepo();
    // First: the cold scan state, with issue #7 open on GitHub.
    const cold = nock(API);
    serveHead(cold, r);
    serveContents(cold, r, 1);
    serveIssueListing(cold, r, []);
    cold.post("/repos/acme/widgets/labels").times(5).reply(201, {});
    cold.post("/repos/acme/widgets/issues").reply(201, { number: 7 }).post("/repos/acme/widgets/issues").reply(201, { number: 8 });
    await receive(h, "installation", payload("installation.created.json"), "d-1");
    cold.done();
    const issueBody = (await h.store.getIssues(ref)).find((i) => i.id === "sec-pip-requests");
    expect(issueBody?.github_issue_number).toBe(7);

    const fixed: FakeRepo = { ...r, sha: "2222222222222222222222222222222222222222", treeSha: "tree2222222222222222222222222222222222222", files: { ...r.files, "api/requirements.txt": "flask==2.0.0\nrequests==2.32.3\n# TODO: pin flask\n" } };
    const comments: string[] = [];
    const patches: Array<Record<string, unknown>> = [];
    const scope = nock(API);
    serveContents(scope, fixed, 1);
    scope
      .get(`/repos/acme/widgets/compare/${"1".repeat(40)}...${"2".repeat(40)}`)
      .reply(200, { files: [{ filename: "api/requirements.txt", status: "modified", patch: "@@ -1,2 +1,3 @@\n flask==2.0.0\n-requests==2.19.0\n+requests==2.32.3\n+# TODO: pin flask" }] });
    serveIssueListing(scope, r, [
      { number: 7, title: "requests 2.19.0 has a known vulnerability", state: "open", body: "<!-- cowabunga:issue:sec-pip-requests -->\nold", labels: [{ name: "cowabunga" }, { name: "type:security" }] },
      { number: 8, title: "Cowabunga dashboard", state: "open", body: "<!-- cowabunga:dashboard -->\nold", labels: [{ name: "cowabunga" }, { name: "cowabunga:dashboard" }] },
    ]);
    scope
      // The closing comment is keyed: the issue's comments are read first, so it is never posted twice.
      .get("/repos/acme/widgets/issues/7/comments")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/widgets/issues/7/comments", (b: { body: string }) => (comments.push(b.body), true))
      .reply(201, {})
      .patch("/repos/acme/widgets/issues/7", (b: Record<string, unknown>) => (patches.push(b), true))
      .reply(200, {})
      .patch("/repos/acme/widgets/issues/8", (b: Record<string, unknown>) => (patches.push(b), true))
      .reply(200, {});
    await receive(h, "push", payload("push.json"), "d-push");
    scope.done();

    expect(h.scans[1].outcome).toBe("scanned");
    expect(comments[0]).toMatch(/^Resolved: the vulnerable version is no longer used/);
    expect(patches[0]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(String(patches[1].body)).toContain("No open issues");
    const stored = (await h.store.getIssues(ref)).find((i) => i.id === "sec-pip-requests");
    expect(stored?.lifecycle_state).toBe("resolved");
    // Bug markers come from the diff: only added lines, as a sparse text.
    const inputs = h.calls.assess[1];
    expect([...(inputs.addedLines?.get("api/requirements.txt") ?? [])]).toEqual([2, 3]);
    expect(inputs.textFiles?.get("api/requirements.txt")).toBe("\nrequests==2.32.3\n# TODO: pin flask");
    expect(h.calls.assess[0].addedLines).toBeUndefined();
  });

  it("maintenance_mode: the scan is recorded, nothing is written to GitHub", async () => {
    h = await setup();
    const r = baseRepo();
    r.files[".github/cowabunga.yml"] = "maintenance_mode: true\n";
    const scope = nock(API);
    serveHead(scope, r);
    serveContents(scope, r, 1);
    await receive(h, "installation", payload("installation.created.json"), "d-mm");
    scope.done();
    expect(h.scans[0].outcome).toBe("scanned");
    expect(h.scans[0].counts.writes).toBe(0);
    const state = await h.store.getScanState({ owner: "acme", repo: "widgets" });
    expect(state?.tree_sha).toBe(r.treeSha);
    expect((await h.store.getIssues({ owner: "acme", repo: "widgets" })).length).toBe(1);
  });

  it("an invalid config opens one issue naming each error and its line, closed once the config is fixed", async () => {
    h = await setup(new Set());
    const r = baseRepo();
    r.files[".github/cowabunga.yml"] = "issues:\n  max_new_per_run: lots\nschedul:\n  cron: x\n";
    const created: Array<Record<string, unknown>> = [];
    const scope = nock(API);
    serveHead(scope, r);
    serveContents(scope, r, 1);
    serveIssueListing(scope, r, []);
    scope.post("/repos/acme/widgets/labels").times(3).reply(201, {});
    scope
      .post("/repos/acme/widgets/issues", (b: Record<string, unknown>) => (created.push(b), true))
      .times(2)
      .reply(201, () => ({ number: 20 + created.length }));
    await receive(h, "installation", payload("installation.created.json"), "d-cfg1");
    scope.done();
    const cfg = String(created.find((c) => String(c.body).includes("<!-- cowabunga:config-errors -->"))?.body);
    expect(cfg).toContain("`issues.max_new_per_run`");
    expect(cfg).toContain(`[2](https://github.com/acme/widgets/blob/${r.sha}/.github/cowabunga.yml#L2)`);
    expect(cfg).toContain("`schedul`");
    expect(cfg).toContain(`#L3)`);

    const fixed: FakeRepo = { ...r, sha: "2".repeat(40), treeSha: "tree2222222222222222222222222222222222222", files: { ...r.files, ".github/cowabunga.yml": "issues:\n  max_new_per_run: 3\n" } };
    const s2 = nock(API);
    const closing: Array<Record<string, unknown>> = [];
    serveContents(s2, fixed, 1);
    s2.get(/\/compare\//).reply(200, { files: [] });
    serveIssueListing(s2, r, [
      { number: 21, title: "Cowabunga: invalid .github/cowabunga.yml", state: "open", body: cfg, labels: ["cowabunga", "cowabunga:config"] },
      { number: 22, title: "Cowabunga dashboard", state: "open", body: String(created.find((c) => String(c.body).includes("cowabunga:dashboard"))?.body), labels: ["cowabunga", "cowabunga:dashboard"] },
    ]);
    s2.get("/repos/acme/widgets/issues/21/comments").query(true).reply(200, []);
    s2.post("/repos/acme/widgets/issues/21/comments").reply(201, {});
    s2.patch("/repos/acme/widgets/issues/21", (b: Record<string, unknown>) => (closing.push(b), true)).reply(200, {});
    s2.patch("/repos/acme/widgets/issues/22").reply(200, {}); // the dashboard drops its config warning
    const push = payload("push.json");
    (push.commits as Array<Record<string, unknown>>)[0].modified = [".github/cowabunga.yml"];
    await receive(h, "push", push, "d-cfg2");
    s2.done();
    expect(closing[0]).toMatchObject({ state: "closed" });
  });

  describe("commands and lifecycle", () => {
    const ref = { owner: "acme", repo: "widgets" };
    async function seed(): Promise<void> {
      await h.store.updateIssues(ref, () => [makeIssue({ id: "sec-pip-requests", github_issue_number: 7 })]);
    }

    it("/cowabunga defer by a user with write access defers the issue and closes it", async () => {
      h = await setup();
      await seed();
      const comments: string[] = [];
      const scope = nock(API)
        .get("/repos/acme/widgets/collaborators/alice/permission")
        .reply(200, { permission: "write", role_name: "maintain" })
        .post("/repos/acme/widgets/issues/7/comments", (b: { body: string }) => (comments.push(b.body), true))
        .reply(201, {})
        .patch("/repos/acme/widgets/issues/7", { state: "closed", state_reason: "not_planned" })
        .reply(200, {});
      await receive(h, "issue_comment", payload("issue_comment.created.json"), "d-cmd");
      scope.done();
      const issue = (await h.store.getIssues(ref))[0];
      expect(issue.lifecycle_state).toBe("deferred");
      expect(issue.defer_reason).toBe("deferred until 2026-03-01 by @alice");
      expect(comments[0]).toContain("Deferred");
    });

    it("a user without write access gets a polite reply and nothing changes", async () => {
      h = await setup();
      await seed();
      const p = payload("issue_comment.created.json");
      (p.comment as { user: { login: string } }).user.login = "mallory";
      (p.sender as { login: string }).login = "mallory";
      const comments: string[] = [];
      const scope = nock(API)
        .get("/repos/acme/widgets/collaborators/mallory/permission")
        .reply(200, { permission: "read", role_name: "triage" })
        .post("/repos/acme/widgets/issues/7/comments", (b: { body: string }) => (comments.push(b.body), true))
        .reply(201, {});
      await receive(h, "issue_comment", p, "d-cmd-read");
      scope.done();
      expect(comments[0]).toMatch(/need write access/);
      expect((await h.store.getIssues(ref))[0].lifecycle_state).toBe("detected");
    });

    it("/cowabunga rescan queues a forced scan even when the tree is unchanged", async () => {
      h = await setup();
      const r = baseRepo();
      await h.store.putScanState(ref, { tree_sha: r.treeSha });
      const p = payload("issue_comment.created.json");
      (p.comment as { body: string }).body = "please\n/cowabunga rescan";
      const scope = nock(API)
        .get("/repos/acme/widgets/collaborators/alice/permission")
        .reply(200, { permission: "admin", role_name: "admin" })
        .post("/repos/acme/widgets/issues/7/comments")
        .reply(201, {});
      serveHead(scope, r);
      serveContents(scope, r, 1);
      serveIssueListing(scope, r, []);
      scope.post("/repos/acme/widgets/labels").times(5).reply(201, {});
      scope.post("/repos/acme/widgets/issues").times(2).reply(201, { number: 9 });
      await receive(h, "issue_comment", p, "d-rescan");
      await h.services.idle();
      scope.done();
      expect(h.scans.map((s) => s.outcome)).toEqual(["scanned"]);
    });

    it("a person closing an issue defers it; reopening reopens it; the app's own closes are ignored", async () => {
      h = await setup();
      await seed();
      const issueEvent = (action: string, login: string, type = "User"): Record<string, unknown> => ({
        action,
        issue: { number: 7, state: action === "closed" ? "closed" : "open", body: "<!-- cowabunga:issue:sec-pip-requests -->" },
        repository: { name: "widgets", owner: { login: "acme" } },
        installation: { id: 42 },
        sender: { login, type },
      });
      await receive(h, "issues", issueEvent("closed", "cowabunga-maintainer[bot]", "Bot"), "d-c0");
      expect((await h.store.getIssues(ref))[0].lifecycle_state).toBe("detected");
      await receive(h, "issues", issueEvent("closed", "bob"), "d-c1");
      let issue = (await h.store.getIssues(ref))[0];
      expect(issue.lifecycle_state).toBe("deferred");
      expect(issue.defer_reason).toBe("closed by @bob");
      await receive(h, "issues", issueEvent("reopened", "bob"), "d-c2");
      issue = (await h.store.getIssues(ref))[0];
      expect(issue.lifecycle_state).toBe("reopened");
      expect(issue.status).toBe("open");
    });

    it("/cowabunga ignore defers the stored issue (reason names the user) and closes the GitHub issue as not planned", async () => {
      h = await setup();
      await seed();
      const p = payload("issue_comment.created.json");
      (p.comment as { body: string }).body = "/cowabunga ignore";
      const comments: string[] = [];
      const scope = nock(API)
        .get("/repos/acme/widgets/collaborators/alice/permission")
        .reply(200, { permission: "write", role_name: "write" })
        .post("/repos/acme/widgets/issues/7/comments", (b: { body: string }) => (comments.push(b.body), true))
        .reply(201, {})
        .patch("/repos/acme/widgets/issues/7", { state: "closed", state_reason: "not_planned" })
        .reply(200, {});
      await receive(h, "issue_comment", p, "d-ignore");
      scope.done();
      const issue = (await h.store.getIssues(ref))[0];
      expect(issue.lifecycle_state).toBe("deferred");
      expect(issue.defer_reason).toBe("ignored by @alice");
      expect(issue.history.at(-1)).toMatchObject({ to: "deferred", actor: "alice" });
      // The mention in the reply is neutralised (no notification ping from the bot's own text).
      expect(comments[0]).toMatch(/^Ignored: ignored by @\u200dalice\. Closing/);
    });

    it("/cowabunga update asks the update-PR module and replies with the PR number", async () => {
      h = await setup();
      await seed();
      await h.store.putDependencies(ref, [makeDependency()], { scanned_at: NOW.toISOString(), head_sha: "1".repeat(40) });
      const p = payload("issue_comment.created.json");
      (p.comment as { body: string }).body = "/cowabunga update";
      // The update for this issue (requests 2.19.0 → 2.20.0) is already open as #12: the module finds it
      // with the same group and targets and says so.
      const marker = { v: 1, group: "api/requests", issues: ["sec-pip-requests"], deps: [{ name: "requests", component: "api", package_manager: "pip", file: "api/requirements.txt", line: 3, current_value: "==2.19.0", from: "2.19.0", to: "2.20.0", security: true }], base_sha: "1".repeat(40) };
      const comments: string[] = [];
      const scope = nock(API)
        .get("/repos/acme/widgets/collaborators/alice/permission")
        .reply(200, { permission: "admin", role_name: "admin" })
        .get("/repos/acme/widgets/contents/.github%2Fcowabunga.yml")
        .reply(404, { message: "Not Found" })
        .get("/repos/acme/widgets")
        .reply(200, { default_branch: "main" })
        .get("/repos/acme/widgets/git/ref/heads%2Fmain")
        .reply(200, { object: { sha: "1".repeat(40) } })
        .get("/repos/acme/widgets/pulls")
        .query(true)
        .reply(200, [{ number: 12, body: `<!-- cowabunga:pr:${JSON.stringify(marker)} -->`, head: { ref: "cowabunga/api/requests-2.20.0", sha: "2".repeat(40) }, base: { ref: "main", sha: "1".repeat(40) }, html_url: "https://github.com/acme/widgets/pull/12" }])
        .post("/repos/acme/widgets/issues/7/comments", (b: { body: string }) => (comments.push(b.body), true))
        .reply(201, {});
      await receive(h, "issue_comment", p, "d-update");
      scope.done();
      expect(comments).toEqual(["Update pull request #12 is already open."]);
    });
  });

  describe("repository_dispatch", () => {
    it("`cowabunga-scan` with client_payload.force scans an unchanged tree; other event types are ignored", async () => {
      h = await setup();
      const r = baseRepo();
      await h.store.putScanState({ owner: "acme", repo: "widgets" }, { tree_sha: r.treeSha, head_sha: r.sha });
      const other = payload("repository_dispatch.json");
      other.action = "deploy";
      await receive(h, "repository_dispatch", other, "d-other"); // disableNetConnect: a request would fail
      expect(h.scans).toHaveLength(0);

      const forced = payload("repository_dispatch.json");
      forced.client_payload = { force: true };
      const scope = serveHead(nock(API), r, "main");
      serveContents(scope, r, 1);
      serveIssueListing(scope, r, []);
      scope.post("/repos/acme/widgets/labels").times(5).reply(201, {});
      scope.post("/repos/acme/widgets/issues").times(2).reply(201, { number: 9 });
      scope.get("/repos/acme/widgets/assignees/alice").reply(204);
      await receive(h, "repository_dispatch", forced, "d-forced");
      scope.done();
      expect(h.scans.map((x) => [x.outcome, x.counts.reads])).toEqual([["scanned", 5]]);
    });
  });

  describe("one config loader for every entry point (_extends included)", () => {
    // The organisation's .github repository turns maintenance mode on; the repository extends it.
    const withExtends = (): FakeRepo => ({ ...baseRepo(), files: { ...baseRepo().files, ".github/cowabunga.yml": "_extends: .github\nissues:\n  max_new_per_run: 5\n" } });
    const serveBase = (scope: nock.Scope): nock.Scope =>
      scope
        .get("/repos/acme/widgets/contents/.github%2Fcowabunga.yml")
        .reply(200, "_extends: .github\nissues:\n  max_new_per_run: 5\n")
        .get("/repos/acme/.github/contents/.github%2Fcowabunga.yml")
        .reply(200, "maintenance_mode: true\n");

    it("a scheduled scan and a REST API audit read the org's base config (no webhook context)", async () => {
      h = await setup();
      const r = withExtends();
      for (const event of ["schedule", "api"]) {
        const scope = serveHead(nock(API), r);
        serveContents(scope, r, 1);
        serveBase(scope);
        // Maintenance mode from the base: no issue listing and no write at all (disableNetConnect fails any other request).
        // A job: the worker authenticates as the installation itself (no webhook context).
        await h.services.enqueueScan({ owner: "acme", repo: "widgets" }, { event, force: true }, 42);
        await h.services.idle();
        scope.done();
      }
      expect(h.scans.map((x) => [x.outcome, x.counts.writes])).toEqual([
        ["scanned", 0],
        ["scanned", 0],
      ]);
    });
  });

  describe("after the scan: notifications, health polling, stored CI facts", () => {
    let server: Server | undefined;
    const received: Array<{ url: string; body: string }> = [];
    const savedAllow = process.env.COWABUNGA_ALLOW_PRIVATE_URLS;
    async function listen(handler: (req: IncomingMessage, body: string) => [number, string]): Promise<string> {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          received.push({ url: req.url ?? "", body });
          const [status, text] = handler(req, body);
          res.writeHead(status, { "content-type": "application/json" }).end(text);
        });
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    }
    beforeEach(() => {
      received.length = 0;
      process.env.COWABUNGA_ALLOW_PRIVATE_URLS = "true";
      nock.enableNetConnect("127.0.0.1");
    });
    afterEach(async () => {
      if (savedAllow === undefined) delete process.env.COWABUNGA_ALLOW_PRIVATE_URLS;
      else process.env.COWABUNGA_ALLOW_PRIVATE_URLS = savedAllow;
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    });

    function coldScan(r: FakeRepo, issues: number): nock.Scope {
      const scope = nock(API);
      serveHead(scope, r);
      serveContents(scope, r, 1);
      serveIssueListing(scope, r, []);
      scope.post("/repos/acme/widgets/labels").times(5).optionally().reply(201, {});
      scope.post("/repos/acme/widgets/issues").times(issues).reply(201, () => ({ number: 30 }));
      return scope;
    }

    it("a critical alert after a scan reaches the Slack webhook (a local peer)", async () => {
      const base = await listen(() => [200, "ok"]);
      h = await setup(new Set(["requests@2.19.0"]), {
        scores: { "requests@2.19.0": 9.8 },
        env: { COWABUNGA_SLACK_WEBHOOK_URL: `${base}/hooks/T000/B000/XXX`, COWABUNGA_ALLOW_PRIVATE_URLS: "true" },
      });
      const r = baseRepo();
      r.files[".github/cowabunga.yml"] = "notifications:\n  slack:\n    enabled: true\n  github:\n    enabled: false\n";
      const scope = coldScan(r, 2);
      await receive(h, "installation", payload("installation.created.json"), "d-slack");
      scope.done();
      expect(h.scans[0].outcome).toBe("scanned");
      expect(received.map((x) => x.url)).toEqual(["/hooks/T000/B000/XXX"]);
      const msg = JSON.parse(received[0].body) as { text?: string; blocks?: unknown[] };
      expect(JSON.stringify(msg)).toContain("Critical vulnerability in requests 2.19.0");
      // Remembered for the quiet period.
      const state = await h.store.getScanState({ owner: "acme", repo: "widgets" });
      expect(Object.keys((state?.alerts_sent as Record<string, string>) ?? {}).some((k) => k.includes("critical_cvss:requests"))).toBe(true);
    });

    it("the app's health poller hits each configured health_url on its timer and stores the sample", async () => {
      const base = await listen(() => [200, JSON.stringify({ status: "ok", response_time_ms: 12 })]);
      h = await setup(new Set(), { healthPoller: true, healthIntervalMs: 40 });
      const r = baseRepo();
      r.files[".github/cowabunga.yml"] = `components:\n  - name: api\n    paths: ["api/**"]\n    health_url: ${base}/healthz\n`;
      const scope = coldScan(r, 1);
      await receive(h, "installation", payload("installation.created.json"), "d-poll");
      scope.done();
      const ref = { owner: "acme", repo: "widgets" };
      const deadline = Date.now() + 5000;
      let samples = await h.services.runtime.samples(ref, "api");
      while (samples.length === 0 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 20));
        samples = await h.services.runtime.samples(ref, "api");
      }
      expect(received.some((x) => x.url === "/healthz")).toBe(true);
      expect(samples[0]).toMatchObject({ source: "poll", up: true });
    });

    it("default-branch CI events are remembered and the next full scan gets failing checks, CI error rate, test results, last maintenance and Markdown/source texts", async () => {
      h = await setup(new Set());
      const ref = { owner: "acme", repo: "widgets" };
      const r = baseRepo();
      r.files["README.md"] = "# widgets\n\nSee [the guide](docs/guide.md).\n";
      r.files["src/index.ts"] = "// TODO: remove the shim\nexport const x = 1;\n";
      const repository = { name: "widgets", full_name: "acme/widgets", owner: { login: "acme" }, default_branch: "main" };
      const checkRun = (id: number, name: string, conclusion: string, sha: string) => ({
        action: "completed",
        check_run: { id, name, head_sha: sha, conclusion, status: "completed", html_url: `https://github.com/acme/widgets/runs/${id}`, check_suite: { head_branch: "main" }, pull_requests: [] },
        repository,
        installation: { id: 42 },
        sender: { login: "github-actions[bot]", type: "Bot" },
      });
      // A failure on the head being scanned, a success on it, and an older failure: 2 of 3 failed.
      await receive(h, "check_run", checkRun(1, "api-tests", "failure", r.sha), "d-cr1");
      await receive(h, "check_run", checkRun(2, "lint", "success", r.sha), "d-cr2");
      await receive(h, "check_run", checkRun(3, "api-tests", "failure", "9".repeat(40)), "d-cr3");
      const stored = await h.store.getScanState(ref);
      expect((stored?.default_branch_ci as unknown[]).length).toBe(3);
      // A merged update PR with test results (as validation + records leave it), and a pending one.
      const { makeRecord, makeTestResult } = await import("../helpers/factories.js");
      const merged = makeRecord({ id: "pr-5", pull_request: 5, attempt_status: "merged", performed_at: "2026-01-10T00:00:00.000Z", files_modified: ["api/requirements.txt"], test_results: makeTestResult() });
      const pending = makeRecord({ id: "pr-6", pull_request: 6, attempt_status: "pending", performed_at: "2026-01-14T00:00:00.000Z", files_modified: [] });
      await h.store.updateRecords(ref, () => [merged, pending]);

      const scope = nock(API);
      serveHead(scope, r);
      serveContents(scope, r, 1);
      serveIssueListing(scope, r, []);
      scope.post("/repos/acme/widgets/labels").times(5).optionally().reply(201, {});
      scope.post("/repos/acme/widgets/issues").reply(201, { number: 40 });
      await receive(h, "installation", payload("installation.created.json"), "d-ci-scan");
      scope.done();
      expect(h.scans[0].counts.reads).toBe(4); // still head + tree + 1 batch + listing
      const inputs = h.calls.assess[0];
      expect(inputs.failingChecks).toEqual([{ name: "api-tests", url: "https://github.com/acme/widgets/runs/1", conclusion: "failure" }]);
      expect(Object.values(inputs.ciErrorRate ?? {}).length).toBeGreaterThan(0);
      for (const rate of Object.values(inputs.ciErrorRate ?? {})) expect([66.67, 100]).toContain(rate);
      expect(inputs.lastMaintenance?.id).toBe("pr-5");
      expect(Object.values(inputs.testResults ?? {}).flat()).toHaveLength(1);
      expect(inputs.textFiles?.get("README.md")).toContain("the guide");
      expect(inputs.textFiles?.get("src/index.ts")).toContain("TODO");
      expect(h.scans[0].textFiles).toBe(2);
    });
  });
});
