/**
 * Fault injection on the fake GitHub (every REST request checked against GitHub's OpenAPI description):
 * rate limits with `retry-after` on each kind of write, answers lost after the effect and before it,
 * twins, a truncated tree, an unassignable owner, a dependency fixed by hand under an open PR, a newer
 * fix while a PR is open, a PR a person edited. After each, one more scan leaves GitHub in exactly the
 * desired state: no missing and no duplicate issue, PR, comment or label, nothing pending, and a forced
 * scan after that writes nothing. Retries wait through an injected sleep: no real waits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, type GitHubOctokit } from "../../src/act/github/client.js";
import { pendingWritesOf, runGitHubScan, type ScanRunResult } from "../../src/pipeline/github.js";
import { appOctokitClass } from "../../src/server/octokit.js";
import { routePrEvent } from "../../src/app/pr-routes.js";
import { FileStore } from "../../src/store/index.js";
import { FakeGitHub, type Fault, type FakeIssue } from "../helpers/fake-github.js";
import { fakeStages, type FakeStagesOptions } from "../app/helpers/fake-stages.js";

const REPO = "acme/widgets";
const ref = { owner: "acme", repo: "widgets" };
const NOW = new Date("2026-01-15T12:00:00Z");
const REQS = "flask==2.0.0\nrequests==2.19.0\nurllib3==1.24.0\njinja2==2.10.0\n";

describe("convergence under injected faults (fake GitHub)", () => {
  let gh: FakeGitHub;
  let dir: string;
  let store: FileStore;
  let octokit: GitHubOctokit;
  let sleeps: number[];

  beforeEach(async () => {
    gh = new FakeGitHub();
    await gh.start();
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-convergence-"));
    store = new FileStore({ root: dir, clock: () => NOW });
    sleeps = [];
    // The app's own Octokit class (src/server/octokit.ts), with the retry waits injected. Octokit's
    // retry plugin stays on (zero delay unit): it must never re-POST a create.
    const AppOctokit = appOctokitClass({ throttle: false, retry: { sleep: async (ms) => void sleeps.push(ms) } });
    octokit = new AppOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3`, retry: { retryAfterBaseValue: 0 } } as never) as unknown as GitHubOctokit;
  });
  afterEach(async () => {
    await gh.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = (stages: FakeStagesOptions, opts: { event?: string; force?: boolean } = {}): Promise<ScanRunResult> =>
    runGitHubScan({ octokit, ...ref, store, log: silentLogger, clock: () => NOW, trigger: { event: opts.event ?? "schedule", force: opts.force ?? false }, stages: fakeStages(stages), publicUrl: null, npmAvailable: false });
  const fault = (f: Omit<Fault, "path"> & { path: RegExp }): void => void gh.faults.push(f);
  const issues = (): FakeIssue[] => gh.repo(REPO).issues.filter((i) => !i.pull_request);
  const openIssues = (): FakeIssue[] => issues().filter((i) => i.state === "open");
  const pulls = () => gh.pulls(gh.repo(REPO));
  const openPulls = () => pulls().filter((p) => p.state === "open");

  /**
   * GitHub holds exactly what the store says: one open issue per open finding and none for the others,
   * one dashboard, no open twin, no comment made twice, no label twice, one open PR per branch with its
   * branch present; nothing pending. ...and a further forced scan writes nothing at all.
   */
  async function expectConverged(stages: FakeStagesOptions): Promise<void> {
    // One more scan (forced: the whole pipeline, even on the same tree) brings everything in line...
    const after = await scan(stages, { event: "command", force: true });
    expect(after.pendingWrites ?? []).toEqual([]);
    const stored = await store.getIssues(ref);
    const markerOf = (b: string): string | null => /<!-- cowabunga:(issue:[^ ]+|dashboard|config-errors) -->/.exec(b)?.[1] ?? null;
    const open = openIssues();
    const byMarker = new Map<string, number>();
    for (const i of open) {
      const m = markerOf(i.body);
      expect(m, `open issue #${i.number} without a marker`).not.toBeNull();
      expect(byMarker.has(m!), `two open issues for ${m}`).toBe(false);
      byMarker.set(m!, i.number);
    }
    for (const s of stored) {
      const want = s.status === "open" || s.status === "in_progress";
      expect(byMarker.has(`issue:${s.id}`), `${s.id} (${s.status}) open on GitHub`).toBe(want);
    }
    expect(open.filter((i) => i.body.includes("<!-- cowabunga:dashboard -->"))).toHaveLength(1);
    const repo = gh.repo(REPO);
    for (const i of repo.issues) {
      const keys = repo.comments.filter((c) => c.issue_number === i.number).map((c) => /<!-- cowabunga:comment:([^ ]+) -->/.exec(c.body)?.[1] ?? c.body);
      expect(keys, `comments of #${i.number}`).toEqual([...new Set(keys)]);
      const names = i.labels.map((l) => l.name.toLowerCase());
      expect(names).toEqual([...new Set(names)]);
    }
    const repoLabels = repo.labels.map((l) => l.name.toLowerCase());
    expect(repoLabels).toEqual([...new Set(repoLabels)]);
    const branches = openPulls().map((p) => p.head.ref);
    expect(branches).toEqual([...new Set(branches)]);
    for (const b of branches) expect(repo.refs.has(`heads/${b}`)).toBe(true);
    expect(pendingWritesOf(await store.getScanState(ref))).toEqual([]);
    const forced = await scan(stages, { event: "command", force: true });
    expect(forced.outcome).toBe("scanned");
    expect(forced.counts.writes, forced.counts.requests.filter((r) => !r.startsWith("GET")).join(", ")).toBe(0);
    expect(gh.violations).toEqual([]);
  }

  describe("403 secondary rate limit with retry-after, once on each kind of write: retried after the wait, nothing lost", () => {
    const kinds: Array<[string, string, RegExp]> = [
      ["create issue", "POST", /\/issues$/],
      ["edit or close issue", "PATCH", /\/issues\/\d+$/],
      ["comment", "POST", /\/issues\/\d+\/comments$/],
      ["create label", "POST", /\/labels$/],
      ["label a PR", "POST", /\/issues\/\d+\/labels$/],
      ["git blob", "POST", /\/git\/blobs$/],
      ["git tree", "POST", /\/git\/trees$/],
      ["git commit", "POST", /\/git\/commits$/],
      ["create branch", "POST", /\/git\/refs$/],
      ["open PR", "POST", /\/pulls$/],
      ["close PR", "PATCH", /\/pulls\/\d+$/],
      ["delete branch", "DELETE", /\/git\/refs\/.+$/],
    ];
    for (const [name, method, pattern] of kinds) {
      it(name, async () => {
        gh.addRepo(REPO, { "api/requirements.txt": REQS });
        const stages = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
        fault({ method, path: pattern, kind: "rate-limit", times: 1, retryAfter: 7 });
        // Scan 1 opens the issue, the dashboard and the PR; a hand fix then makes scan 2 close both.
        const first = await scan(stages, { event: "installation" });
        gh.commitFiles(REPO, { "api/requirements.txt": REQS.replace("requests==2.19.0", "requests==2.20.0") }, "bump requests by hand");
        const second = await scan(stages, { event: "push" });
        expect(gh.faultLog, "the fault fired").toHaveLength(1);
        expect(sleeps).toEqual([7000]);
        expect([...(first.pendingWrites ?? []), ...(second.pendingWrites ?? [])]).toEqual([]);
        expect(openPulls()).toEqual([]);
        expect(issues().filter((i) => i.title.startsWith("requests"))).toHaveLength(1);
        expect(issues().find((i) => i.title.startsWith("requests"))?.state).toBe("closed");
        await expectConverged(stages);
      });
    }
  });

  it("GitHub keeps refusing the critical finding's issue: the scan says so, the next delivery on the same tree completes it", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["urllib3@1.24.0"]), scores: { "urllib3@1.24.0": 9.8 } };
    fault({ method: "POST", path: /\/issues$/, kind: "rate-limit", times: 4, retryAfter: 30, when: (b) => String(b?.title).startsWith("urllib3") });
    const first = await scan(stages, { event: "installation" });
    expect(first.outcome).toBe("scanned");
    expect(first.pendingWrites).toHaveLength(1);
    expect(first.pendingWrites![0]).toMatch(/POST \/repos\/acme\/widgets\/issues \("urllib3.*still rate limited after 3 retries/);
    expect(sleeps).toEqual([30_000, 30_000, 30_000]);
    expect(issues().filter((i) => i.title.startsWith("urllib3"))).toHaveLength(0);
    // The dashboard says a write is pending; the store keeps it.
    expect(openIssues().find((i) => i.body.includes("<!-- cowabunga:dashboard -->"))?.body).toContain("1 change(s) to GitHub failed");
    expect(pendingWritesOf(await store.getScanState(ref))).toHaveLength(1);

    // Same tree, a plain delivery: no "unchanged" shortcut while something is pending.
    gh.faults.length = 0;
    const second = await scan(stages, { event: "push" });
    expect(second.outcome).toBe("scanned");
    expect(second.pendingWrites).toEqual([]);
    expect(issues().filter((i) => i.title.startsWith("urllib3"))).toHaveLength(1);
    expect((await scan(stages)).outcome).toBe("unchanged");
    await expectConverged(stages);
  });

  it("a Retry-After beyond the cap is not waited: the write stays pending for the next run", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["urllib3@1.24.0"]) };
    fault({ method: "POST", path: /\/issues$/, kind: "rate-limit", times: 1, retryAfter: 3600, when: (b) => String(b?.title).startsWith("urllib3") });
    const first = await scan(stages, { event: "installation" });
    expect(sleeps).toEqual([]);
    expect(first.pendingWrites?.[0]).toMatch(/asks to wait 3600 s/);
    await expectConverged(stages);
    expect(issues().filter((i) => i.title.startsWith("urllib3"))).toHaveLength(1);
  });

  describe("502: the answer lost after the effect is found by its marker, never made twice; a 502 before it is created again", () => {
    const cases: Array<[string, string, RegExp]> = [
      ["issue", "POST", /\/issues$/],
      ["comment", "POST", /\/issues\/\d+\/comments$/],
      ["branch", "POST", /\/git\/refs$/],
      ["pull request", "POST", /\/pulls$/],
    ];
    for (const kind of ["502-after", "502-before"] as const) {
      for (const [name, method, pattern] of cases) {
        it(`${kind}: ${name}`, async () => {
          gh.addRepo(REPO, { "api/requirements.txt": REQS });
          const stages = { vulnerable: new Set(["flask@2.0.0", "requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
          fault({ method, path: pattern, kind, times: 1 });
          await scan(stages, { event: "installation" });
          gh.commitFiles(REPO, { "api/requirements.txt": REQS.replace("requests==2.19.0", "requests==2.20.0") }, "bump requests by hand");
          await scan(stages, { event: "push" });
          expect(gh.faultLog).toHaveLength(1);
          expect(issues().filter((i) => i.title.startsWith("flask"))).toHaveLength(1);
          expect(issues().filter((i) => i.title.startsWith("requests"))).toHaveLength(1);
          expect(pulls()).toHaveLength(1);
          await expectConverged(stages);
        });
      }
    }
  });

  it("a twin made earlier (same marker) is closed as a duplicate of the first, with one comment", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["flask@2.0.0"]) };
    await scan(stages, { event: "installation" });
    const first = issues().find((i) => i.title.startsWith("flask"))!;
    // What an older version left behind: the same issue posted twice.
    const repo = gh.repo(REPO);
    repo.issues.push({ ...first, id: 99_001, number: 50, labels: [...first.labels], assignees: [] });
    await scan(stages, { event: "command", force: true });
    const twin = repo.issues.find((i) => i.number === 50)!;
    expect(twin.state).toBe("closed");
    expect(twin.state_reason).toBe("duplicate");
    expect(repo.comments.filter((c) => c.issue_number === 50).map((c) => c.body.split("\n")[0])).toEqual([`Duplicate of #${first.number}, which tracks the same finding. Closing this one.`]);
    expect(first.state).toBe("open");
    await expectConverged(stages);
  });

  it("a truncated tree is read by subtrees, by the scan and by the update PR alike", async () => {
    const files: Record<string, string> = { "api/requirements.txt": REQS };
    for (let i = 0; i < 8; i++) files[`aaa/file${i}.txt`] = `${i}\n`;
    gh.addRepo(REPO, files);
    gh.truncateTreesOver = 4;
    const stages = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
    const out = await scan(stages, { event: "installation" });
    expect(out.pulls?.messages ?? []).toEqual([]);
    expect(openPulls()).toHaveLength(1);
    expect(gh.filesAt(REPO, openPulls()[0]!.head.sha)["api/requirements.txt"]).toBe(REQS.replace("requests==2.19.0", "requests==2.20.0"));
    // The tree the PR commits keeps every file.
    expect(Object.keys(gh.filesAt(REPO, openPulls()[0]!.head.sha))).toHaveLength(9);
    await expectConverged(stages);
  });

  it("an unassignable CODEOWNERS owner: the others are assigned, the body says who could not be; GitHub's 422 opens it without assignees", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS, ".github/CODEOWNERS": "* @alice @ghost\n/api/ @bob\n" });
    gh.unassignable.add("ghost");
    const stages = { vulnerable: new Set(["flask@2.0.0"]) };
    await scan(stages, { event: "installation" });
    const flask = issues().find((i) => i.title.startsWith("flask"))!;
    expect(flask.assignees).toEqual([{ login: "bob" }]);
    // The last matching rule (/api/ @bob) wins; ghost is not named for this file.
    await expectConverged(stages);

    // An owner the check could not settle (GitHub errors on the check), then refused on create (422).
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, ".github/CODEOWNERS": "* @alice\n/api/ @ghost2 @carol\n" }, "owners");
    gh.unassignable.add("ghost2");
    fault({ method: "GET", path: /\/assignees\/ghost2$/, kind: "502-before", times: 8 });
    const stages2 = { vulnerable: new Set(["flask@2.0.0", "urllib3@1.24.0"]) };
    await scan(stages2, { event: "push" });
    const urllib3 = issues().find((i) => i.title.startsWith("urllib3"))!;
    expect(urllib3.assignees).toEqual([]);
    expect(urllib3.body).toMatch(/Not assigned to `carol`, `ghost2` \(CODEOWNERS\): GitHub refused to assign them \(422\)|Not assigned to `ghost2`, `carol`/);
    gh.faults.length = 0;
    await expectConverged(stages2);
  });

  it("issues opened before CODEOWNERS existed are assigned when it appears (once: a person's later choice is kept)", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["flask@2.0.0"]) };
    await scan(stages, { event: "installation" });
    const flask = issues().find((i) => i.title.startsWith("flask"))!;
    expect(flask.assignees).toEqual([]);
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, ".github/CODEOWNERS": "/api/ @alice\n" }, "owners");
    await scan(stages, { event: "push" });
    expect(flask.assignees).toEqual([{ login: "alice" }]);
    // A person unassigns: later scans of the same CODEOWNERS leave it so.
    flask.assignees = [];
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, ".github/CODEOWNERS": "/api/ @alice\n", "README.md": "# w\n" }, "docs");
    await scan(stages, { event: "push" });
    expect(flask.assignees).toEqual([]);
    await expectConverged(stages);
  });

  it("an owner GitHub refuses when assigning an existing issue: the edit goes through without them, nothing stays pending", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["flask@2.0.0"]) };
    await scan(stages, { event: "installation" });
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, ".github/CODEOWNERS": "/api/ @ghost3\n" }, "owners");
    gh.unassignable.add("ghost3");
    // The assignability check cannot tell (GitHub errors); the PATCH with the assignee is then refused (422).
    fault({ method: "GET", path: /\/assignees\/ghost3$/, kind: "502-before", times: 8 });
    const out = await scan(stages, { event: "push" });
    expect(out.pendingWrites).toEqual([]);
    expect(issues().find((i) => i.title.startsWith("flask"))?.assignees).toEqual([]);
    gh.faults.length = 0;
    await expectConverged(stages);
    expect(issues().find((i) => i.title.startsWith("flask"))?.body).toContain("Not assigned to `ghost3` (CODEOWNERS)");
  });

  it("a dependency fixed by hand past the PR's target: the PR is closed with a comment and its branch deleted, never rebuilt into a downgrade", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["jinja2@2.10.0"]), fixes: { "jinja2@2.10.0": "2.11.3" } };
    await scan(stages, { event: "installation" });
    const pr = openPulls()[0]!;
    const branch = pr.head.ref;
    const prHead = pr.head.sha;
    // By hand on main: jinja2 3.1.6 (the PR now conflicts).
    gh.commitFiles(REPO, { "api/requirements.txt": REQS.replace("jinja2==2.10.0", "jinja2==3.1.6") }, "jinja2 3.1.6");
    const out = await scan(stages, { event: "push" });
    expect(out.pulls?.closed).toEqual([pr.number]);
    expect(out.pulls?.recreated).toEqual([]);
    expect(pr.state).toBe("closed");
    expect(pr.head.sha).toBe(prHead); // never rebuilt
    expect(gh.repo(REPO).refs.has(`heads/${branch}`)).toBe(false);
    const comments = gh.repo(REPO).comments.filter((c) => c.issue_number === pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("jinja2 is at 3.1.6 (this PR's target: 2.11.3)");
    expect(issues().find((i) => i.title.startsWith("jinja2"))?.state).toBe("closed");
    await expectConverged(stages);
  });

  it("a newer fix while a PR is open supersedes it (one comment, old branch deleted); an older one never does", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await scan({ vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } }, { event: "installation" });
    const old = openPulls()[0]!;
    const newer = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.31.0" } };
    const out = await scan(newer, { event: "command", force: true });
    expect(out.pulls?.opened).toHaveLength(1);
    const now = openPulls();
    expect(now).toHaveLength(1);
    expect(now[0]!.head.ref).toMatch(/requests-2\.31\.0$/);
    expect(gh.filesAt(REPO, now[0]!.head.sha)["api/requirements.txt"]).toContain("requests==2.31.0");
    expect(old.state).toBe("closed");
    expect(gh.repo(REPO).refs.has(`heads/${old.head.ref}`)).toBe(false);
    expect(gh.repo(REPO).comments.filter((c) => c.issue_number === old.number).map((c) => c.body.split("\n")[0])).toEqual([`Superseded by #${now[0]!.number}, which updates to a newer version.`]);
    await expectConverged(newer);
    // An advisory database that now names an older fix: the open PR (further) stays as it is.
    const older = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.1" } };
    const back = await scan(older, { event: "command", force: true });
    expect(back.pulls?.opened).toEqual([]);
    expect(openPulls().map((p) => p.number)).toEqual([now[0]!.number]);
  });

  it("a PR a person pushed to is left alone when it conflicts or is overtaken, and the dashboard says so", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
    await scan(stages, { event: "installation" });
    const pr = openPulls()[0]!;
    // A person pushes to the PR's branch; then main changes the PR's line too (a conflict).
    const theirs = gh.commitOnBranch(REPO, pr.head.ref, { "NOTES.md": "tested by hand\n" }, "notes");
    const pinned = REQS.replace("requests==2.19.0", "requests==2.19.0  # pinned");
    gh.commitFiles(REPO, { "api/requirements.txt": pinned }, "comment the pin");
    const out = await scan(stages, { event: "push" });
    expect(out.pulls?.humanEdited).toEqual([pr.number]);
    expect(out.pulls?.recreated).toEqual([]);
    expect(pr.head.sha).toBe(theirs);
    const dashboard = () => openIssues().find((i) => i.body.includes("<!-- cowabunga:dashboard -->"))!.body;
    expect(dashboard()).toContain(`Edited by a person, left alone (not rebased or rebuilt by the app): #${pr.number}`);
    // main then gets the update by hand: the PR is still theirs (not closed, branch kept); the dashboard keeps saying so.
    gh.commitFiles(REPO, { "api/requirements.txt": REQS.replace("requests==2.19.0", "requests==2.20.0") }, "requests by hand");
    await scan(stages, { event: "push" });
    expect(pr.state).toBe("open");
    expect(gh.repo(REPO).refs.get(`heads/${pr.head.ref}`)).toBe(theirs);
    expect(dashboard()).toContain(`#${pr.number}`);
    await expectConverged(stages);
  });

  it("rebase only on conflict or when asked: a PR behind a moved base stays; ticking its checkbox rebuilds it once", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const stages = { vulnerable: new Set(["requests@2.19.0"]), fixes: { "requests@2.19.0": "2.20.0" } };
    await scan(stages, { event: "installation" });
    const pr = openPulls()[0]!;
    const first = pr.head.sha;
    expect(pr.body).toContain("- [ ] <!-- cowabunga:rebase -->");
    const main2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS, "README.md": "# w\n" }, "docs");
    await scan(stages, { event: "push" });
    expect(pr.head.sha).toBe(first); // merely behind: left as it is
    // A person ticks the box (GitHub sends pull_request.edited).
    pr.body = pr.body.replace("- [ ] <!-- cowabunga:rebase -->", "- [x] <!-- cowabunga:rebase -->");
    const out = await routePrEvent(
      "pull_request",
      { action: "edited", pull_request: { number: pr.number, body: pr.body, head: { ref: pr.head.ref } }, sender: { login: "alice", type: "User" } },
      { octokit, ...ref, store, clock: () => NOW, log: silentLogger },
    );
    expect(out).toMatchObject({ status: "rebase", reply: "Rebuilt on the current main head." });
    expect(gh.repo(REPO).commits.get(pr.head.sha)!.parents).toEqual([main2]);
    expect(pr.body).toContain("- [ ] <!-- cowabunga:rebase -->");
    expect(pr.body).not.toContain("- [x] <!-- cowabunga:rebase -->");
    await expectConverged(stages);
  });
});
