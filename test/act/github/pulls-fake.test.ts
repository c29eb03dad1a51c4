/**
 * Update PRs against the in-suite fake GitHub (issue 18, mutation run of pulls.ts, whose end-to-end
 * suites the mutation config leaves out): what openUpdatePullRequest writes (one commit, the PR,
 * labels, reviewers, superseded PRs, the pending record, issues in progress), the issue-command path,
 * listing the app's PRs, and the upkeep of open PRs. Expected files, titles and messages are written
 * out by hand from the requirement file and the documented behaviour (README "Update pull requests").
 */
import { describe, expect, it } from "vitest";
import {
  deleteBranch,
  listAppPullRequests,
  maintainOpenPullRequests,
  openUpdatePullRequest,
  parsePrMarker,
  planUpdates,
  type OpenUpdateResult,
} from "../../../src/act/github/pulls.js";
import type { GitHubClient } from "../../../src/act/github/pulls-git.js";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { FileStore } from "../../../src/store/index.js";
import { FakeGitHub } from "../../helpers/fake-github.js";
import { makeIssue } from "../../helpers/factories.js";
import { freshFakeWorldEach, pyDep, pyIssue, type WarnLog } from "./pulls-helpers.js";

const REPO = "acme/widgets";
const ref = { owner: "acme", repo: "widgets" };
const NOW = new Date("2026-01-20T12:00:00.000Z");
const clock = (): Date => NOW;
const REQS = "aaa==1.0.0\nbbb==1.0.0\nccc==1.0.0\n";

function config(updates: Partial<CowabungaConfig["updates"]> = {}, issues: Partial<CowabungaConfig["issues"]> = {}): CowabungaConfig {
  const c = defaultConfig();
  return { ...c, updates: { ...c.updates, max_open_prs: 10, ...updates }, issues: { ...c.issues, ...issues } };
}

const dep = pyDep;
const issueFor = pyIssue;

describe("update PRs on the fake GitHub", () => {
  let gh: FakeGitHub, store: FileStore, octokit: GitHubClient, warned: string[], log: WarnLog;
  freshFakeWorldEach("pulls-fake", (w) => ({ gh, store, octokit, warned, log } = w));

  const pulls = () => gh.pulls(gh.repo(REPO));
  const requests = (method: string, pathRe: RegExp) => gh.requests.filter((r) => r.method === method && pathRe.test(r.path));

  async function open(deps: Dependency[], cfg: CowabungaConfig, head: string, over: { issues?: MaintenanceIssue[]; openPrs?: Awaited<ReturnType<typeof listAppPullRequests>> } = {}) {
    const plan = planUpdates({ dependencies: deps, issues: over.issues ?? [] }, cfg, (over.openPrs ?? []).map((p) => ({ number: p.number, head_ref: p.head.ref, body: p.body })), { now: NOW, inWindow: true });
    expect(plan.groups).toHaveLength(1);
    return openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group: plan.groups[0], config: cfg, store, clock, log, npmAvailable: false });
  }

  describe("openUpdatePullRequest", () => {
    it("one commit on the base, the PR, labels from the config, a pending record, the linked issues in progress", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS, "README.md": "readme\n" });
      const issues = [issueFor("dep-aaa", "aaa"), issueFor("dep-ccc", "ccc"), issueFor("dep-bbb", "bbb", { lifecycle_state: "scheduled" })];
      await store.updateIssues(ref, () => issues);
      const cfg = config({ grouping: "component", labels: ["deps"] }, { labels: ["maint", "other"] });
      const out = (await open([dep("aaa", 1), dep("bbb", 2)], cfg, head, { issues })) as OpenUpdateResult;

      expect(pulls()).toHaveLength(1);
      const pr = pulls()[0];
      expect([pr.title, pr.head.ref, pr.base.ref, pr.state]).toEqual(["chore(deps, api): 2 minor updates", "cowabunga/api/minor-updates", "main", "open"]);
      expect(pr.labels.map((l) => l.name)).toEqual(["deps", "maint"]);
      expect(gh.filesAt(REPO, pr.head.sha)).toEqual({ "api/requirements.txt": "aaa==1.1.0\nbbb==1.1.0\nccc==1.0.0\n", "README.md": "readme\n" });
      const commit = gh.repo(REPO).commits.get(pr.head.sha)!;
      expect([commit.parents, commit.message]).toEqual([[head], "chore(deps, api): 2 minor updates"]);
      expect(requests("POST", /requested_reviewers$/)).toHaveLength(0);
      expect(out).toEqual({ number: pr.number, html_url: expect.stringContaining(`/pull/${pr.number}`), branch: "cowabunga/api/minor-updates", commit_sha: pr.head.sha, record_id: `pr-${pr.number}`, failures: [], superseded: [] });

      const marker = parsePrMarker(pr.body)!;
      expect(marker).toMatchObject({ group: "api/minor", base_sha: head, branch: "cowabunga/api/minor-updates", issues: ["dep-aaa", "dep-bbb"] });
      expect(marker.deps.map((d) => [d.name, d.from, d.to, d.line, d.security])).toEqual([["aaa", "1.0.0", "1.1.0", 1, false], ["bbb", "1.0.0", "1.1.0", 2, false]]);

      const [record] = await store.getRecords(ref);
      expect(record).toMatchObject({
        id: `pr-${pr.number}`,
        title: "chore(deps, api): 2 minor updates",
        type: "update",
        description: `Update PR #${pr.number}: aaa 1.0.0 → 1.1.0, bbb 1.0.0 → 1.1.0`,
        performed_by: "cowabunga",
        performed_at: NOW.toISOString(),
        duration_minutes: 0,
        rollback_available: true,
        files_modified: ["api/requirements.txt"],
        dependencies_updated: ["aaa@1.0.0→1.1.0", "bbb@1.0.0→1.1.0"],
        tests_run: [],
        success: false,
        issues_resolved: [],
        issues_introduced: [],
        test_results: null,
        rollback_before_commit: head,
        pull_request: pr.number,
        revert_pull_request: null,
        attempt_status: "pending",
        merge_commit_sha: null,
      });
      expect(record.rollback_strategy).toContain(head);

      const after = Object.fromEntries((await store.getIssues(ref)).map((i) => [i.id, i]));
      expect([after["dep-aaa"].lifecycle_state, after["dep-bbb"].lifecycle_state, after["dep-ccc"].lifecycle_state]).toEqual(["in_progress", "in_progress", "detected"]);
      // detected → assessed → prioritized → scheduled → in_progress, each step by the app, naming the PR.
      const steps = after["dep-aaa"].history.slice(-4);
      expect(steps.map((h) => (h as { to?: string }).to)).toEqual(["assessed", "prioritized", "scheduled", "in_progress"]);
      expect(JSON.stringify(steps)).toContain(`update PR #${pr.number} opened`);
      expect(JSON.stringify(steps)).toContain('"cowabunga"');
      expect(after["dep-bbb"].history.slice(-1).map((h) => (h as { to?: string }).to)).toEqual(["in_progress"]);
    });

    it("a security group is a security_patch; labels default to the base label; reviewers are split into people and teams", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const cfg = config({ labels: [], reviewers: ["alice", "acme/platform", "bob"] }, { labels: [] });
      const sec = dep("aaa", 1, { cve_ids: ["CVE-2025-1"], fixed_version: "1.0.1" });
      await open([sec], cfg, head);
      const pr = pulls()[0];
      expect(pr.labels.map((l) => l.name)).toEqual(["cowabunga"]);
      expect(requests("POST", /requested_reviewers$/).map((r) => r.body)).toEqual([{ reviewers: ["alice", "bob"], team_reviewers: ["platform"] }]);
      expect((await store.getRecords(ref))[0].type).toBe("security_patch");
      expect(gh.filesAt(REPO, pr.head.sha)["api/requirements.txt"]).toBe("aaa==1.0.1\nbbb==1.0.0\nccc==1.0.0\n");
      // Labels the base label already names are not repeated.
      const again = config({ labels: ["cowabunga", "deps"] }, { labels: ["cowabunga"] });
      await open([dep("bbb", 2)], again, head);
      expect(pulls()[1].labels.map((l) => l.name)).toEqual(["cowabunga", "deps"]);
      // Teams only: still a request.
      await open([dep("ccc", 3)], config({ reviewers: ["acme/sec"] }), head);
      expect(requests("POST", /requested_reviewers$/).map((r) => r.body)).toEqual([
        { reviewers: ["alice", "bob"], team_reviewers: ["platform"] },
        { reviewers: [], team_reviewers: ["sec"] },
      ]);
    });

    it("labels and reviewers that GitHub refuses are logged; the PR is still opened", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      gh.faults.push({ method: "POST", path: /\/issues\/\d+\/labels$/, kind: "502-before", times: 1 }, { method: "POST", path: /requested_reviewers$/, kind: "502-before", times: 1 });
      const out = (await open([dep("aaa", 1)], config({ reviewers: ["alice"] }), head)) as OpenUpdateResult;
      expect(out.number).toBe(pulls()[0].number);
      expect(warned).toEqual(["could not add labels", "could not request reviewers"]);
      expect((await store.getRecords(ref)).map((r) => r.pull_request)).toEqual([out.number]);
    });

    it("an update that cannot apply is named with its file; the others go; nothing applies: a message and no write", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const missing = dep("zzz", 1, { file: "api/missing.txt" });
      const out = (await open([dep("aaa", 1), missing], config({ grouping: "component" }), head)) as OpenUpdateResult;
      const failure = `api/missing.txt: not in the tree of ${head.slice(0, 12)}; zzz not updated`;
      expect(out.failures).toEqual([failure]);
      const pr = pulls()[0];
      expect(parsePrMarker(pr.body)!.deps.map((d) => d.name)).toEqual(["aaa"]);
      expect(pr.body).toContain("zzz not updated");
      expect((await store.getRecords(ref))[0].dependencies_updated).toEqual(["aaa@1.0.0→1.1.0"]);

      const writes = gh.writes();
      const none = await open([missing], config(), head);
      expect(none).toEqual({ message: `No update could be applied: ${failure}` });
      expect(gh.writes()).toBe(writes);
      expect(warned).toEqual(["no update could be applied"]);
    });

    it("an executable file keeps its mode", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const repo = gh.repo(REPO);
      const tree = repo.trees.get(repo.commits.get(head)!.tree)!;
      tree[0].mode = "100755";
      await open([dep("aaa", 1)], config(), head);
      const newTree = repo.trees.get(repo.commits.get(pulls()[0].head.sha)!.tree)!;
      expect(newTree.map((e) => [e.path, e.mode])).toEqual([["api/requirements.txt", "100755"]]);
    });

    it("supersedes an older PR of the same package: comment, closed, branch deleted, its record closed", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const first = (await open([dep("aaa", 1, { latest_version: "1.0.5" })], config(), head)) as OpenUpdateResult;
      expect(first.branch).toBe("cowabunga/api/aaa-1.0.5");
      const listed = await listAppPullRequests(octokit, "acme", "widgets");
      const second = (await open([dep("aaa", 1)], config(), head, { openPrs: listed })) as OpenUpdateResult;
      expect(second.superseded).toEqual([first.number]);
      const old = pulls().find((p) => p.number === first.number)!;
      expect(old.state).toBe("closed");
      expect(gh.repo(REPO).refs.has("heads/cowabunga/api/aaa-1.0.5")).toBe(false);
      expect(gh.repo(REPO).refs.has("heads/cowabunga/api/aaa-1.1.0")).toBe(true);
      const comments = gh.repo(REPO).comments.filter((c) => c.issue_number === first.number);
      expect(comments.map((c) => c.body.split("\n")[0])).toEqual([`Superseded by #${second.number}, which updates to a newer version.`]);
      const records = await store.getRecords(ref);
      expect(records.map((r) => [r.pull_request, r.attempt_status])).toEqual([[first.number, "closed"], [second.number, "pending"]]);
    });

    it("a superseded PR that cannot be closed is logged and not reported; the new PR itself is never closed", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const cfg = config();
      const plan = planUpdates({ dependencies: [dep("aaa", 1)], issues: [] }, cfg, [], { now: NOW, inWindow: true });
      const group = { ...plan.groups[0], supersedes: [404, 1] };
      const out = (await openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group, config: cfg, store, clock, log, npmAvailable: false })) as OpenUpdateResult;
      expect(out.number).toBe(1);
      expect(out.superseded).toEqual([]);
      expect(pulls()[0].state).toBe("open");
      expect(warned).toEqual(["could not close the superseded PR"]);
    });
  });

  describe("lockfile-only fixes of transitive packages", () => {
    const LOCK = `${JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app" }, "node_modules/deep": { version: "1.0.0", resolved: "https://r.test/deep-1.0.0.tgz", integrity: "sha512-old" } } }, null, 2)}\n`;
    const transitive = (): Dependency =>
      dep("deep", 1, {
        package_manager: "npm",
        datasource: "npm",
        file: "package.json",
        line: null,
        current_value: "(transitive)",
        depth: 2,
        lockfile: "package-lock.json",
        cve_ids: ["CVE-2025-9"],
        fixed_version: "1.0.1",
        remediation: { kind: "in_place", target_version: "1.0.1", file: "package-lock.json", action: "move deep in package-lock.json", parent: null, risk: null, removes: [], reasons: [] } as unknown as Dependency["remediation"],
      });
    const openWith = async (head: string, artefacts: { artefact: (ds: string, name: string, version: string) => Promise<unknown> }) => {
      const cfg = config();
      const plan = planUpdates({ dependencies: [transitive()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
      expect(plan.groups).toHaveLength(1);
      return openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group: plan.groups[0], config: cfg, store, clock, log, npmAvailable: false, artefacts: artefacts as never });
    };

    it("moves the lockfile entry with the registry's tarball and integrity; the body lists the move", async () => {
      const head = gh.addRepo(REPO, { "package.json": '{"name":"app"}\n', "package-lock.json": LOCK });
      const asked: string[] = [];
      const out = (await openWith(head, { artefact: async (ds, name, version) => (asked.push(`${ds}:${name}@${version}`), { version, resolved: "https://r.test/deep-1.0.1.tgz", integrity: "sha512-new" }) })) as OpenUpdateResult;
      expect(asked).toEqual(["npm:deep@1.0.1"]);
      expect(out.failures).toEqual([]);
      const lock = JSON.parse(gh.filesAt(REPO, pulls()[0].head.sha)["package-lock.json"]);
      expect(lock.packages["node_modules/deep"]).toEqual({ version: "1.0.1", resolved: "https://r.test/deep-1.0.1.tgz", integrity: "sha512-new" });
      expect(pulls()[0].body).toContain("deep 1.0.0 → 1.0.1");
      expect((await store.getRecords(ref))[0].files_modified).toEqual(["package-lock.json"]);
    });

    it("registry failures are named and nothing is written", async () => {
      const head = gh.addRepo(REPO, { "package.json": '{"name":"app"}\n', "package-lock.json": LOCK });
      expect(await openWith(head, { artefact: async () => { throw new Error("503 from mirror"); } })).toEqual({
        message: "No update could be applied: package-lock.json: deep 1.0.1: registry metadata could not be read (503 from mirror); lockfile not edited",
      });
      expect(await openWith(head, { artefact: async () => { throw "down"; } })).toEqual({
        message: "No update could be applied: package-lock.json: deep 1.0.1: registry metadata could not be read (down); lockfile not edited",
      });
      expect(await openWith(head, { artefact: async () => null })).toEqual({
        message: "No update could be applied: package-lock.json: deep 1.0.1 is not in the registry (the registry); lockfile not edited",
      });
      expect(pulls()).toEqual([]);
    });
  });

  describe("openUpdatePullRequest from an issue command", () => {
    const request = (issue: MaintenanceIssue, cfg?: CowabungaConfig) =>
      openUpdatePullRequest({ octokit, repo: ref, owner: "acme", store, issue, requestedBy: "alice", clock, log, ...(cfg ? { config: cfg } : {}) });

    it("opens the issue's update now, whatever the windows, update types and release age say", async () => {
      gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const fresh = dep("aaa", 1, { update_type: "major", latest_version: "2.0.0", latest_release_date: "2026-01-19T12:00:00Z" });
      await store.putDependencies(ref, [fresh, dep("bbb", 2)]);
      const cfg = { ...config({ update_types: ["patch"], minimum_release_age_days: 30 }), schedule: { ...defaultConfig().schedule, maintenance_windows: [{ days: ["sun" as const], start: "00:00", end: "01:00" }] } };
      const out = (await request(issueFor("dep-aaa", "aaa"), cfg)) as OpenUpdateResult;
      expect(out.branch).toBe("cowabunga/api/aaa-2.0.0");
      expect(pulls().map((p) => p.head.ref)).toEqual(["cowabunga/api/aaa-2.0.0"]);
      expect(gh.filesAt(REPO, pulls()[0].head.sha)["api/requirements.txt"]).toBe("aaa==2.0.0\nbbb==1.0.0\nccc==1.0.0\n");
      // Asked again: the same PR is already open.
      expect(await request(issueFor("dep-aaa", "aaa"), cfg)).toEqual({ message: `Update pull request #${out.number} is already open.` });
    });

    it("links the issue by subject, by package@version, or by file and title; otherwise says to scan first", async () => {
      gh.addRepo(REPO, { "api/requirements.txt": REQS });
      await store.putDependencies(ref, [dep("aaa", 1), dep("bbb", 2), dep("ccc", 3)]);
      const none = makeIssue({ id: "x", subject: "dependency:PyPI:zzz", title: "zzz is outdated" });
      expect(await request(none)).toEqual({ message: "No dependency in the last scan is linked to issue x; run a scan first." });
      const byInfix = (await request(makeIssue({ id: "i1", subject: "pypi:aaa@1.0.0:PYSEC-1", title: "t", files_affected: [] }))) as OpenUpdateResult;
      expect(byInfix.branch).toBe("cowabunga/api/aaa-1.1.0");
      const byPrefix = (await request(makeIssue({ id: "i2", subject: "bbb@1.0.0", title: "t", files_affected: [] }))) as OpenUpdateResult;
      expect(byPrefix.branch).toBe("cowabunga/api/bbb-1.1.0");
      const byTitle = (await request(makeIssue({ id: "i3", subject: "", title: "ccc needs care", files_affected: ["api/requirements.txt"] }))) as OpenUpdateResult;
      expect(byTitle.branch).toBe("cowabunga/api/ccc-1.1.0");
      // The title alone, in another file, is no link.
      expect(await request(makeIssue({ id: "i4", subject: "", title: "ccc needs care", files_affected: ["web/package.json"] }))).toEqual({ message: "No dependency in the last scan is linked to issue i4; run a scan first." });
    });

    it("says why nothing can be updated", async () => {
      gh.addRepo(REPO, { "api/requirements.txt": REQS });
      await store.putDependencies(ref, [dep("aaa", 1, { latest_version: "1.0.0" })]);
      expect(await request(issueFor("a", "aaa"))).toEqual({ message: "Nothing to update: no newer version known" });
      await store.putDependencies(ref, [dep("aaa", 1)]);
      expect(await request(issueFor("a", "aaa"), config({ max_open_prs: 0 }))).toEqual({ message: "Nothing to update: aaa: updates.max_open_prs (0) reached" });
      // The default config applies when the command passes none.
      expect(((await request(issueFor("a", "aaa"))) as OpenUpdateResult).branch).toBe("cowabunga/api/aaa-1.1.0");
    });
  });

  describe("maintainOpenPullRequests", () => {
    const maintain = (cfg: CowabungaConfig, over: Partial<Parameters<typeof maintainOpenPullRequests>[0]> = {}) =>
      maintainOpenPullRequests({ octokit, ...ref, defaultBranch: "main", config: cfg, store, clock, log, appLogins: ["cowabunga-maintainer[bot]", "someone"], npmAvailable: false, ...over });

    it("nothing open: no request at all", async () => {
      gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const before = gh.requests.length;
      expect(await maintain(config(), { prs: [] })).toEqual({ recreated: [], humanEdited: [], closed: [], upToDate: [], errors: [] });
      expect(gh.requests.length).toBe(before);
    });

    it("closes the newest non-security PRs over max_open_prs, with a comment", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const a = (await open([dep("aaa", 1)], config(), head)) as OpenUpdateResult;
      const b = (await open([dep("bbb", 2)], config(), head)) as OpenUpdateResult;
      const c = (await open([dep("ccc", 3, { cve_ids: ["CVE-2025-3"], fixed_version: "1.0.1" })], config(), head)) as OpenUpdateResult;
      const out = await maintain(config({ max_open_prs: 1, rebase: "never" }), { headSha: head });
      expect(out.closed).toEqual([b.number, a.number]);
      expect(pulls().map((p) => [p.number, p.state])).toEqual([[a.number, "closed"], [b.number, "closed"], [c.number, "open"]]);
      const comment = gh.repo(REPO).comments.find((x) => x.issue_number === b.number)!;
      expect(comment.body.split("\n")[0]).toBe("Closed: more than updates.max_open_prs (1) update PRs are open. It will be reopened when a slot frees up.");
      // No head read: the caller gave it.
      expect(requests("GET", /\/git\/ref\//)).toHaveLength(0);
    });

    it("a PR that cannot be closed is an error for the next run", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      await open([dep("aaa", 1)], config(), head);
      gh.faults.push({ method: "PATCH", path: /\/pulls\/\d+$/, kind: "502-before", times: 1 });
      const out = await maintain(config({ max_open_prs: 0, rebase: "never" }), { headSha: head });
      expect(out.closed).toEqual([]);
      expect(out.errors).toHaveLength(1);
      expect(out.errors[0]).toMatch(/^close surplus PR #1: /);
    });

    it("closes a PR whose update the base already has, unless a person pushed to it", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const a = (await open([dep("aaa", 1)], config(), head)) as OpenUpdateResult;
      const b = (await open([dep("bbb", 2)], config(), head)) as OpenUpdateResult;
      gh.commitOnBranch(REPO, b.branch, { "notes.txt": "mine" }, "a person's commit", "alice");
      const head2 = gh.commitFiles(REPO, { "api/requirements.txt": "aaa==1.2.0\nbbb==1.1.0\nccc==1.0.0\n" }, "by hand");
      const deps = [dep("aaa", 1, { version: "1.2.0", current_value: "==1.2.0" }), dep("bbb", 2, { version: "1.1.0", current_value: "==1.1.0" })];
      const out = await maintain(config(), { dependencies: deps });
      expect(out).toEqual({ recreated: [], humanEdited: [b.number], closed: [a.number], upToDate: [a.number], errors: [] });
      expect(pulls().map((p) => p.state)).toEqual(["closed", "open"]);
      expect(gh.repo(REPO).refs.has(`heads/${a.branch}`)).toBe(false);
      const comment = gh.repo(REPO).comments.find((x) => x.issue_number === a.number)!;
      expect(comment.body.split("\n")[0]).toBe("Closing: the base branch already has this update or a newer one (aaa is at 1.2.0 (this PR's target: 1.1.0)). Nothing is left for this PR to change, so its branch is deleted.");
      expect((await store.getRecords(ref)).map((r) => [r.pull_request, r.attempt_status])).toEqual([[a.number, "closed"], [b.number, "pending"]]);
      expect(head2).not.toBe(head);
    });

    it("rebase: behind rebuilds a PR whose base moved, from where the base now stands; conflicts and never do not", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const a = (await open([dep("aaa", 1)], config(), head)) as OpenUpdateResult;
      const head2 = gh.commitFiles(REPO, { "api/requirements.txt": "# comment\naaa==1.0.0\nbbb==1.0.0\nccc==1.0.0\n" }, "moved");
      const moved = [dep("aaa", 2)];
      expect(await maintain(config({ rebase: "never" }), { dependencies: moved })).toEqual({ recreated: [], humanEdited: [], closed: [], upToDate: [], errors: [] });
      expect(await maintain(config({ rebase: "conflicts" }), { dependencies: moved })).toMatchObject({ recreated: [] });
      const out = await maintain(config({ rebase: "behind" }), { dependencies: moved });
      expect(out).toEqual({ recreated: [a.number], humanEdited: [], closed: [], upToDate: [], errors: [] });
      const pr = pulls()[0];
      expect(gh.filesAt(REPO, pr.head.sha)["api/requirements.txt"]).toBe("# comment\naaa==1.1.0\nbbb==1.0.0\nccc==1.0.0\n");
      expect(gh.repo(REPO).commits.get(pr.head.sha)!.parents).toEqual([head2]);
      const marker = parsePrMarker(pr.body)!;
      expect([marker.base_sha, marker.branch, marker.deps[0].line]).toEqual([head2, a.branch, 2]);
      expect(pr.body).not.toContain(head);
      expect(pr.body.match(/cowabunga:pr:/g)).toHaveLength(1);
      expect((await store.getRecords(ref))[0].rollback_before_commit).toBe(head2);
    });

    it("a rebuild asked for by a person wins over their commits and over rebase: never; the checkbox is unticked", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const a = (await open([dep("aaa", 1)], config(), head)) as OpenUpdateResult;
      gh.commitOnBranch(REPO, a.branch, { "notes.txt": "mine" }, "a person's commit", "alice");
      gh.commitFiles(REPO, { "api/requirements.txt": REQS, "other.txt": "x" }, "moved");
      const pr = pulls()[0];
      pr.body = pr.body.replace("- [ ] <!-- cowabunga:rebase -->", "- [x] <!-- cowabunga:rebase -->");
      const notAsked = await maintain(config({ rebase: "behind" }));
      expect(notAsked).toMatchObject({ recreated: [], humanEdited: [a.number] });
      const out = await maintain(config({ rebase: "never" }), { rebaseRequested: new Set([a.number]) });
      expect(out).toMatchObject({ recreated: [a.number], humanEdited: [] });
      expect(pulls()[0].body).toContain("- [ ] <!-- cowabunga:rebase -->");
      expect(gh.filesAt(REPO, pulls()[0].head.sha)).toEqual({ "api/requirements.txt": "aaa==1.1.0\nbbb==1.0.0\nccc==1.0.0\n", "other.txt": "x" });
    });

    it("a PR already on the current head is left alone; a ticked checkbox there is only unticked", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const a = (await open([dep("aaa", 1)], config(), head)) as OpenUpdateResult;
      const sha = pulls()[0].head.sha;
      pulls()[0].body = pulls()[0].body.replace("- [ ] <!-- cowabunga:rebase -->", "- [x] <!-- cowabunga:rebase -->");
      const out = await maintain(config({ rebase: "behind" }), { rebaseRequested: new Set([a.number]) });
      expect(out.recreated).toEqual([]);
      expect(pulls()[0].head.sha).toBe(sha);
      expect(pulls()[0].body).toContain("- [ ] <!-- cowabunga:rebase -->");
      expect(requests("GET", /\/pulls\/\d+$/)).toHaveLength(0);
    });

    it("PRs without a marker, closed ones and ones whose packages are gone are skipped", async () => {
      const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
      const a = (await open([dep("aaa", 1)], config(), head)) as OpenUpdateResult;
      gh.commitFiles(REPO, { "api/requirements.txt": "bbb==1.0.0\n" }, "aaa removed");
      // aaa no longer declared: nothing behind, nothing done.
      expect(await maintain(config({ rebase: "behind" }), { dependencies: [dep("bbb", 1)] })).toMatchObject({ recreated: [], closed: [] });
      expect(await maintain(config({ rebase: "behind" }), { prs: [{ number: a.number, body: "no marker" }] })).toMatchObject({ recreated: [] });
      pulls()[0].state = "closed";
      expect(await maintain(config({ rebase: "behind" }), { prs: [{ number: a.number, body: pulls()[0].body }] })).toMatchObject({ recreated: [] });
    });
  });
});

describe("listing and branches without a server", () => {
  const page = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => ({ number: i + 1, body: null, head: { ref: `${prefix}${i}`, sha: "h" }, base: { ref: "main", sha: "b" }, html_url: "u" }));

  it("lists the app's open PRs page by page until a short page, at most 10 pages", async () => {
    const asked: number[] = [];
    const pages = [page(100, "cowabunga/api/p-"), page(100, "feature/x-"), [...page(2, "cowabunga/revert/r-"), ...page(1, "cowabunga/web/w-")]];
    const client = { request: async (_route: string, params: { page: number; per_page: number; state: string }) => {
      asked.push(params.page);
      expect([params.per_page, params.state]).toEqual([100, "open"]);
      return { data: pages[params.page - 1] ?? [] };
    } } as unknown as GitHubClient;
    const list = await listAppPullRequests(client, "o", "r");
    expect(asked).toEqual([1, 2, 3]);
    expect(list).toHaveLength(101);
    expect(list.at(-1)).toEqual({ number: 1, body: null, head: { ref: "cowabunga/web/w-0", sha: "h" }, base: { ref: "main", sha: "b" }, html_url: "u" });

    const endless: number[] = [];
    const full = { request: async (_r: string, params: { page: number }) => {
      endless.push(params.page);
      return { data: page(100, "cowabunga/api/p-") };
    } } as unknown as GitHubClient;
    expect(await listAppPullRequests(full, "o", "r")).toHaveLength(1000);
    expect(endless).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("deleteBranch: a branch already gone is fine; another failure is logged and thrown", async () => {
    const warned: string[] = [];
    const log = { info: () => undefined, warn: (_o: unknown, m?: string) => void warned.push(String(m)) };
    const failing = (status: number) => ({ request: async (route: string, params: { ref: string }) => {
      expect([route, params.ref]).toEqual(["DELETE /repos/{owner}/{repo}/git/refs/{ref}", "heads/cowabunga/x"]);
      throw Object.assign(new Error(`HTTP ${status}`), { status });
    } }) as unknown as GitHubClient;
    await deleteBranch(failing(404), "o", "r", "cowabunga/x", log);
    await deleteBranch(failing(422), "o", "r", "cowabunga/x", log);
    expect(warned).toEqual([]);
    await expect(deleteBranch(failing(500), "o", "r", "cowabunga/x", log)).rejects.toThrow("HTTP 500");
    expect(warned).toEqual(["could not delete the update branch"]);
  });
});
