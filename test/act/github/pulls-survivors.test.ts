/**
 * Update PRs on the fake GitHub, the paths pulls-fake.test.ts leaves open (issue 18, mutation testing
 * of pulls.ts): a create whose answer was lost, a PR already open for the branch (GitHub answers
 * `422 A pull request already exists`), a superseded PR whose branch is not the app's, issues already
 * in progress, and the rollback of a rebuilt PR. Expected outcomes are the documented behaviour
 * (README "Update pull requests", the data model's lifecycle and MaintenanceRecord) and GitHub's REST
 * semantics, not the code.
 */
import { describe, expect, it } from "vitest";
import { maintainOpenPullRequests, openUpdatePullRequest, parsePrMarker, planUpdates, type OpenUpdateResult } from "../../../src/act/github/pulls.js";
import type { GitHubClient } from "../../../src/act/github/pulls-git.js";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { FileStore } from "../../../src/store/index.js";
import { FakeGitHub } from "../../helpers/fake-github.js";
import { freshFakeWorldEach, pyDep, pyIssue, type WarnLog } from "./pulls-helpers.js";

const REPO = "acme/widgets";
const ref = { owner: "acme", repo: "widgets" };
const NOW = new Date("2026-01-20T12:00:00.000Z");
const clock = (): Date => NOW;
const REQS = "aaa==1.0.0\nbbb==1.0.0\n";

const config = (updates: Partial<CowabungaConfig["updates"]> = {}): CowabungaConfig => {
  const c = defaultConfig();
  return { ...c, updates: { ...c.updates, max_open_prs: 10, ...updates } };
};
const dep = pyDep;
const issueFor = pyIssue;

const httpError = (status: number, message: string): Error => Object.assign(new Error(message), { status });

describe("update PRs: the paths around creating one", () => {
  let gh: FakeGitHub, store: FileStore, octokit: GitHubClient, log: WarnLog;
  freshFakeWorldEach("pulls-surv", (w) => ({ gh, store, octokit, log } = w));

  const pulls = () => gh.pulls(gh.repo(REPO));
  const groupOf = (deps: Dependency[], cfg: CowabungaConfig, issues: MaintenanceIssue[] = []) => {
    const plan = planUpdates({ dependencies: deps, issues }, cfg, [], { now: NOW, inWindow: true });
    expect(plan.groups).toHaveLength(1);
    return plan.groups[0];
  };
  const openWith = (client: GitHubClient, head: string, group: ReturnType<typeof groupOf>, cfg = config()) =>
    openUpdatePullRequest({ octokit: client, ...ref, defaultBranch: "main", baseSha: head, group, config: cfg, store, clock, log, npmAvailable: false });

  /** The client, with `POST /pulls` answered by `fail` instead of GitHub. */
  const failingCreate = (fail: () => Error): GitHubClient =>
    ({
      request: (route: string, params: unknown) => (route === "POST /repos/{owner}/{repo}/pulls" ? Promise.reject(fail()) : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params)),
    }) as unknown as GitHubClient;

  it("a create whose answer was lost (502 after the write) is found by its branch, not made twice", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    gh.faults.push({ method: "POST", path: /\/pulls$/, kind: "502-after", times: 1 });
    const out = (await openWith(octokit, head, groupOf([dep("aaa", 1)], config()))) as OpenUpdateResult;
    expect(pulls()).toHaveLength(1);
    expect(out.number).toBe(pulls()[0].number);
    expect(out.html_url).toMatch(new RegExp(`/pull/${pulls()[0].number}$`));
    expect((await store.getRecords(ref)).map((r) => r.pull_request)).toEqual([pulls()[0].number]);
  });

  it("a PR already open for the branch (422) gets the new title and body; its number and URL are returned", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const first = (await openWith(octokit, head, groupOf([dep("aaa", 1, { latest_version: "1.0.5" })], config()))) as OpenUpdateResult;
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    // Same branch name (same package and target), new base: GitHub refuses a second PR for the branch.
    const group = { ...groupOf([dep("aaa", 1, { latest_version: "1.0.5" })], config()), title: "refreshed title" };
    const out = (await openWith(failingCreate(() => httpError(422, "A pull request already exists for acme:cowabunga/api/aaa-1.0.5.")), head2, group)) as OpenUpdateResult;
    expect(pulls()).toHaveLength(1);
    expect(out).toMatchObject({ number: first.number, html_url: first.html_url, branch: first.branch });
    expect(pulls()[0].title).toBe("refreshed title");
    expect(parsePrMarker(pulls()[0].body)!.base_sha).toBe(head2);
  });

  it("a 422 without an open PR for the branch, or another refusal, is thrown", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await expect(openWith(failingCreate(() => httpError(422, "Validation Failed")), head, groupOf([dep("bbb", 2)], config()))).rejects.toThrow("Validation Failed");
    // A PR is open for the branch, but the create was refused for another reason: nothing is refreshed.
    const group = groupOf([dep("aaa", 1)], config());
    await openWith(octokit, head, group);
    const body = pulls()[0].body;
    const records = await store.getRecords(ref);
    await expect(openWith(failingCreate(() => httpError(403, "Resource not accessible by integration")), head, { ...group, title: "other" })).rejects.toThrow("Resource not accessible by integration");
    expect(pulls().map((p) => [p.title, p.body])).toEqual([[group.title, body]]);
    expect(await store.getRecords(ref)).toEqual(records);
  });

  it("a superseded PR is closed, but a branch that is not the app's is never deleted", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...ref, ref: "refs/heads/feature/aaa", sha: head });
    const theirs = await octokit.request("POST /repos/{owner}/{repo}/pulls", { ...ref, title: "bump aaa", head: "feature/aaa", base: "main", body: "" });
    const group = { ...groupOf([dep("aaa", 1)], config()), supersedes: [theirs.data.number] };
    const out = (await openWith(octokit, head, group)) as OpenUpdateResult;
    expect(out.superseded).toEqual([theirs.data.number]);
    expect(pulls().find((p) => p.number === theirs.data.number)!.state).toBe("closed");
    expect(gh.repo(REPO).refs.has("heads/feature/aaa")).toBe(true);
  });

  it("an issue already in progress keeps its history; one that is resolved is not reopened", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const working = issueFor("dep-aaa", "aaa", { lifecycle_state: "in_progress", status: "in_progress" });
    const done = issueFor("dep-bbb", "bbb", { lifecycle_state: "resolved", status: "resolved" });
    await store.updateIssues(ref, () => [working, done]);
    const cfg = config({ grouping: "component" });
    await openWith(octokit, head, groupOf([dep("aaa", 1), dep("bbb", 2)], cfg, [working, done]), cfg);
    const after = Object.fromEntries((await store.getIssues(ref)).map((i) => [i.id, i]));
    expect(after["dep-aaa"].lifecycle_state).toBe("in_progress");
    expect(after["dep-aaa"].history).toEqual(working.history);
    expect(after["dep-bbb"].lifecycle_state).toBe("resolved");
    expect(after["dep-bbb"].history).toEqual(done.history);
  });

  it("a rebuilt PR's pending record rolls back to the new base", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = (await openWith(octokit, head, groupOf([dep("aaa", 1)], config()))) as OpenUpdateResult;
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": `# moved\n${REQS}` }, "moved");
    const out = await maintainOpenPullRequests({ octokit, ...ref, defaultBranch: "main", config: config({ rebase: "behind" }), store, clock, log, appLogins: ["cowabunga-maintainer[bot]"], npmAvailable: false, dependencies: [dep("aaa", 2)] });
    expect(out.recreated).toEqual([a.number]);
    const [record] = await store.getRecords(ref);
    expect(record.rollback_before_commit).toBe(head2);
    expect(record.rollback_strategy).toContain(head2);
    expect(record.rollback_strategy).not.toContain(head);
  });
});
