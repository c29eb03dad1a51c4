/**
 * Update PRs opened by the scan itself (per the `updates` config), against the in-suite fake GitHub
 * (every REST request checked against GitHub's OpenAPI description): the open PRs come from the scan's one
 * issue listing (PRs carry the base label), never from `GET /pulls`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, type GitHubOctokit } from "../../src/act/github/client.js";
import { runGitHubScan, type ScanRunResult } from "../../src/pipeline/github.js";
import { FileStore } from "../../src/store/index.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { fakeStages, type FakeStagesOptions } from "./helpers/fake-stages.js";

const REPO = "acme/widgets";
const ref = { owner: "acme", repo: "widgets" };
// A Thursday, 12:00 UTC.
const NOW = new Date("2026-01-15T12:00:00Z");

const REQS = "flask==2.0.0\nrequests==2.19.0\nurllib3==1.24.0\njinja2==2.10.0\n";

describe("update PRs after a scan (fake GitHub)", () => {
  let gh: FakeGitHub;
  let dir: string;
  let store: FileStore;
  let octokit: GitHubOctokit;

  beforeEach(async () => {
    gh = new FakeGitHub();
    await gh.start();
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-scan-updates-"));
    store = new FileStore({ root: dir, clock: () => NOW });
    octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3`, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubOctokit;
  });
  afterEach(async () => {
    await gh.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = (stages: FakeStagesOptions, event = "schedule", force = false): Promise<ScanRunResult> =>
    runGitHubScan({ octokit, ...ref, store, log: silentLogger, clock: () => NOW, trigger: { event, force }, stages: fakeStages(stages), publicUrl: null, npmAvailable: false });
  const pulls = () => gh.pulls(gh.repo(REPO));
  const listedPulls = () => gh.requests.filter((r) => r.method === "GET" && /\/pulls$/.test(r.path)).length;

  it("a fixable security issue opens exactly one PR; an unchanged tree, and a rescan that finds the PR in the issue listing, open none", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
    const first = await scan(stages, "installation");
    expect(first.outcome).toBe("scanned");
    expect(first.pulls?.opened).toHaveLength(1);
    expect(pulls()).toHaveLength(1);
    const pr = pulls()[0]!;
    expect(pr.head.ref).toMatch(/^cowabunga\/.+\/requests-2\.20\.0$/);
    expect(pr.body).toContain(head); // rollback point
    expect(pr.labels.map((l) => l.name)).toEqual(expect.arrayContaining(["cowabunga", "dependencies"]));
    expect(gh.filesAt(REPO, pr.head.sha)["api/requirements.txt"]).toBe(REQS.replace("requests==2.19.0", "requests==2.20.0"));
    // The issue it resolves is linked and now in progress.
    const issue = (await store.getIssues(ref)).find((i) => i.id === "sec-pip-requests")!;
    expect(pr.body).toContain(`Resolves #${issue.github_issue_number}`);
    expect(issue.lifecycle_state).toBe("in_progress");
    expect((await store.getRecords(ref)).map((r) => r.pull_request)).toEqual([pr.number]);
    // The dashboard is written after the PR was opened, so it lists it as pending.
    const dashboard = gh.repo(REPO).issues.find((i) => i.body.includes("<!-- cowabunga:dashboard -->"))!;
    expect(dashboard.body).toContain("- Pending: 1");
    // The default branch's name came from one GET /repos (no payload named it) and is remembered.
    expect((await store.getScanState(ref))?.default_branch).toBe("main");

    // Same tree: the scan stops after the head read.
    const before = gh.requests.length;
    const second = await scan(stages);
    expect(second.outcome).toBe("unchanged");
    expect(second.counts).toMatchObject({ reads: 1, writes: 0 });
    expect(pulls()).toHaveLength(1);

    // Forced: the whole pipeline runs, finds the open PR in its issue listing and plans nothing new; the PR
    // was built on this head, so not even its mergeability is read.
    const third = await scan(stages, "command", true);
    expect(third.outcome).toBe("scanned");
    expect(third.pulls?.opened ?? []).toEqual([]);
    expect(pulls()).toHaveLength(1);
    const reqs = gh.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(reqs.filter((r) => r.includes("/pulls"))).toEqual([]);
    expect(reqs).not.toContain("GET /repos/acme/widgets");
    expect(listedPulls()).toBe(0);
    expect(gh.violations).toEqual([]);
  });

  it("an unchanged tree asks for the digest (the only notification work left on that path); a scanned tree does not", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const asked: string[] = [];
    const digest = async (input: { ref: { owner: string; repo: string } }) => {
      asked.push(`${input.ref.owner}/${input.ref.repo}`);
      throw new Error("SMTP down"); // never fails the scan
    };
    const run = (event: string) =>
      runGitHubScan({ octokit, ...ref, store, log: silentLogger, clock: () => NOW, trigger: { event }, stages: fakeStages({ vulnerable: new Set() }), publicUrl: null, npmAvailable: false, updates: false, digest });
    const first = await run("installation");
    expect(first.error ?? null).toBeNull();
    expect(first.outcome).toBe("scanned");
    expect(asked).toEqual([]);
    const second = await run("schedule");
    expect(second.outcome).toBe("unchanged");
    expect(asked).toEqual([REPO]);
  });

  it("respects updates.max_open_prs, counting the app's PRs already open", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS, ".github/cowabunga.yml": "updates:\n  max_open_prs: 2\n" });
    const stages = {
      vulnerable: new Set(["requests@2.19.0", "urllib3@1.24.0", "jinja2@2.10.0"]),
      fixes: { "requests@2.19.0": "2.20.0", "urllib3@1.24.0": "1.24.2", "jinja2@2.10.0": "2.10.1" },
      scores: { "requests@2.19.0": 5.0, "urllib3@1.24.0": 7.0, "jinja2@2.10.0": 6.0 },
    };
    const first = await scan(stages, "installation");
    expect(first.pulls?.opened).toHaveLength(2);
    // Same priority: the higher CVSS first.
    expect(pulls().map((p) => p.head.ref.replace(/^.*\//, ""))).toEqual(["urllib3-1.24.2", "jinja2-2.10.1"]);

    // A later scan (the tree changed) sees both PRs in its listing: no slot is free.
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, ".github/cowabunga.yml": "updates:\n  max_open_prs: 2\n", "README.md": "# widgets\n" }, "docs");
    const second = await scan(stages);
    expect(second.outcome).toBe("scanned");
    expect(second.pulls?.opened).toEqual([]);
    expect(pulls()).toHaveLength(2);
    // The base moved under both PRs: one mergeability read each (they are mergeable: left alone).
    expect(gh.requests.filter((r) => r.method === "GET" && /\/pulls\/\d+$/.test(r.path))).toHaveLength(2);
    expect(listedPulls()).toBe(0);

    // One is merged: its slot frees up for the third fix.
    gh.mergePull(REPO, pulls()[0]!.number);
    const third = await scan(stages, "schedule", true);
    expect(third.pulls?.opened).toHaveLength(1);
    expect(pulls().filter((p) => p.state === "open").map((p) => p.head.ref.replace(/^.*\//, ""))).toEqual(["jinja2-2.10.1", "requests-2.20.0"]);
    expect(gh.violations).toEqual([]);
  });

  it("outside the maintenance windows only critical fixes open; inside, the others follow", async () => {
    // Windows on Saturdays only; NOW is a Thursday.
    const closed = "schedule:\n  maintenance_windows:\n    - days: [sat]\n      start: \"01:00\"\n      end: \"05:00\"\n";
    gh.addRepo(REPO, { "api/requirements.txt": REQS, ".github/cowabunga.yml": closed });
    const stages = {
      vulnerable: new Set(["requests@2.19.0", "urllib3@1.24.0"]),
      fixes: { "requests@2.19.0": "2.20.0", "urllib3@1.24.0": "1.24.2" },
      scores: { "requests@2.19.0": 9.8, "urllib3@1.24.0": 6.5 },
    };
    const first = await scan(stages, "installation");
    expect(first.pulls?.opened).toHaveLength(1);
    expect(pulls().map((p) => p.head.ref.replace(/^.*\//, ""))).toEqual(["requests-2.20.0"]);

    const open = "schedule:\n  maintenance_windows:\n    - days: [thu]\n      start: \"11:00\"\n      end: \"13:00\"\n";
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, ".github/cowabunga.yml": open }, "open a window");
    const second = await scan(stages);
    expect(second.pulls?.opened).toHaveLength(1);
    expect(pulls().map((p) => p.head.ref.replace(/^.*\//, "")).sort()).toEqual(["requests-2.20.0", "urllib3-1.24.2"]);
  });

  it("updates.enabled false and maintenance_mode open nothing", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS, ".github/cowabunga.yml": "updates:\n  enabled: false\n" });
    const stages = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
    expect((await scan(stages, "installation")).pulls).toBeUndefined();
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, ".github/cowabunga.yml": "maintenance_mode: true\n" }, "mm");
    const mm = await scan(stages);
    expect(mm.counts.writes).toBe(0);
    expect(pulls()).toHaveLength(0);
  });

  it("a PR in conflict after the base moved is recreated on the new head when only the app pushed to it", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
    await scan(stages, "installation");
    const pr = pulls()[0]!;
    const oldHead = pr.head.sha;
    const newMain = gh.commitFiles(REPO, { "api/requirements.txt": `${REQS}idna==2.8\n` }, "add idna");
    pr.mergeable = false;
    const out = await runGitHubScan({
      octokit,
      ...ref,
      store,
      log: silentLogger,
      clock: () => NOW,
      trigger: { event: "push" },
      stages: fakeStages(stages),
      publicUrl: null,
      npmAvailable: false,
    });
    expect(out.pulls?.recreated).toEqual([pr.number]);
    const repo = gh.repo(REPO);
    const branchHead = repo.refs.get(`heads/${pr.head.ref}`)!;
    expect(branchHead).not.toBe(oldHead);
    expect(repo.commits.get(branchHead)!.parents).toEqual([newMain]);
    expect(gh.filesAt(REPO, branchHead)["api/requirements.txt"]).toBe(`${REQS.replace("requests==2.19.0", "requests==2.20.0")}idna==2.8\n`);
    expect(pr.body).toContain(newMain);
    expect((await store.getRecords(ref)).find((r) => r.pull_request === pr.number)?.rollback_before_commit).toBe(newMain);
    expect(gh.violations).toEqual([]);
  });
});
