/**
 * Update PRs on the fake GitHub: the edges of pulls.ts the other suites leave open (issue 18, mutation
 * testing): lockfiles regenerated here or named for a person to regenerate, direct and transitive Go
 * requirements in a subdirectory, the recreate paths of maintainOpenPullRequests (the head branch,
 * a rebuild that cannot apply, an up-to-date PR that cannot be closed, rollback of the records).
 * Expected files, messages and outcomes are written out by hand from the documented behaviour
 * (README "Update pull requests", lockfile.ts's contract) and GitHub's REST semantics, not the code.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { maintainOpenPullRequests, openUpdatePullRequest, parsePrMarker, planUpdates, type OpenUpdateArgs, type OpenUpdateResult } from "../../../src/act/github/pulls.js";
import type { GitHubClient } from "../../../src/act/github/pulls-git.js";
import type { CommandRunner } from "../../../src/act/github/lockfile.js";
import type { CowabungaConfig } from "../../../src/config/schema.js";
import { GoSumdbOffError } from "../../../src/enrich/datasources/requirements.js";
import type { Dependency, MaintenanceIssue, RiskLevel } from "../../../src/model/index.js";
import { FileStore } from "../../../src/store/index.js";
import { FakeGitHub } from "../../helpers/fake-github.js";
import { makeDependency } from "../../helpers/factories.js";
import { NOW, REPO, REPO_REF as ref, clock, freshFakeWorldEach, goIndirect, goSumHash as h, pyDep, pyIssue, unescapeMarkdown as plain, updatesConfig as config, type WarnLog } from "./pulls-helpers.js";

const REQS = "aaa==1.0.0\nbbb==1.0.0\n";

const PKG = '{\n  "name": "web",\n  "dependencies": {\n    "left-pad": "^1.0.0",\n    "right-pad": "^1.0.0"\n  }\n}\n';
const npmDep = (name: string, line: number): Dependency =>
  makeDependency({ name, version: "1.0.0", latest_version: "1.1.0", latest_release_date: "2025-12-01T00:00:00Z", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", package_manager: "npm", datasource: "npm", component: "web", file: "web/package.json", line, current_value: "^1.0.0" });

const GO_MOD = "module example.com/svc\n\ngo 1.21\n\nrequire (\n\texample.com/direct v1.0.0\n\tgolang.org/x/net v0.10.0 // indirect\n)\n";
const GO_SUM = `example.com/direct v1.0.0 ${h("1")}\nexample.com/direct v1.0.0/go.mod ${h("2")}\ngolang.org/x/net v0.10.0 ${h("a")}\ngolang.org/x/net v0.10.0/go.mod ${h("b")}\n`;
const goDirect = (): Dependency =>
  makeDependency({ name: "example.com/direct", version: "v1.0.0", latest_version: "v1.1.0", latest_release_date: "2025-12-01T00:00:00Z", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", package_manager: "go", datasource: "go", component: "svc", file: "svc/go.mod", line: 6, current_value: "v1.0.0" });
const goTransitive = (): Dependency =>
  goIndirect("golang.org/x/net", "v0.10.0", "v0.17.0", {
    cve_ids: ["CVE-2023-44487"],
    advisories: [{ id: "GO-2023-2102", kind: "vulnerability", aliases: [], summary: "HTTP/2 rapid reset", url: null, score: 7.5, score_estimated: false, cvss_vector: null, fixed_version: "v0.17.0", published: null }],
    remediation: { kind: "in_place", target_version: "v0.17.0", file: "svc/go.mod", action: "Raise the // indirect requirement", parent: null, risk: null, removes: ["GO-2023-2102"], reasons: [] },
  });
const netFacts = (version: string) => ({ version, resolved: null, integrity: null, go_sum: [`golang.org/x/net ${version} ${h("e")}`, `golang.org/x/net ${version}/go.mod ${h("f")}`], dependencies: new Map<string, string>(), go_sum_requirements: [] });

describe("update PRs: lockfiles and Go modules", () => {
  let gh: FakeGitHub, store: FileStore, octokit: GitHubClient, log: WarnLog;
  freshFakeWorldEach("pulls-edges", (w) => ({ gh, store, octokit, log } = w));

  const pulls = () => gh.pulls(gh.repo(REPO));
  const treeOf = (sha: string) => {
    const repo = gh.repo(REPO);
    return repo.trees.get(repo.commits.get(sha)!.tree)!;
  };
  const open = (deps: Dependency[], cfg: CowabungaConfig, head: string, over: Partial<OpenUpdateArgs> = {}) => {
    const plan = planUpdates({ dependencies: deps, issues: [] }, cfg, [], { now: NOW, inWindow: true });
    expect(plan.groups).toHaveLength(1);
    return openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group: plan.groups[0], config: cfg, store, clock, log, npmAvailable: false, ...over });
  };

  it("npm regenerates package-lock.json once per manifest, from the new package.json; the lock keeps its mode and is committed and recorded", async () => {
    const head = gh.addRepo(REPO, { "web/package.json": PKG, "web/package-lock.json": '{"lockfileVersion":3,"old":true}\n' });
    for (const e of treeOf(head)) if (e.path === "web/package-lock.json") e.mode = "100755";
    const runs: Array<{ command: string; args: readonly string[]; pkg: string; lock: string }> = [];
    const runner: CommandRunner = async (command, args, opts) => {
      const pkg = await readFile(path.join(opts.cwd, "package.json"), "utf8");
      const lock = await readFile(path.join(opts.cwd, "package-lock.json"), "utf8");
      runs.push({ command, args, pkg, lock });
      await writeFile(path.join(opts.cwd, "package-lock.json"), '{"lockfileVersion":3,"new":true}\n');
      return { code: 0, stdout: "", stderr: "" };
    };
    const out = (await open([npmDep("left-pad", 4), npmDep("right-pad", 5)], config({ grouping: "component" }), head, { runner, npmAvailable: true })) as OpenUpdateResult;
    const newPkg = PKG.replace('"left-pad": "^1.0.0"', '"left-pad": "^1.1.0"').replace('"right-pad": "^1.0.0"', '"right-pad": "^1.1.0"');
    // One run for the one manifest, with both updates in it and the base's lockfile next to it.
    expect(runs).toEqual([{ command: "npm", args: ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], pkg: newPkg, lock: '{"lockfileVersion":3,"old":true}\n' }]);
    const pr = pulls()[0];
    expect(gh.filesAt(REPO, pr.head.sha)).toEqual({ "web/package.json": newPkg, "web/package-lock.json": '{"lockfileVersion":3,"new":true}\n' });
    expect(treeOf(pr.head.sha).map((e) => [e.path, e.mode]).sort()).toEqual([["web/package-lock.json", "100755"], ["web/package.json", "100644"]]);
    expect(plain(pr.body)).toContain("- web/package-lock.json regenerated here with `npm install --package-lock-only --ignore-scripts --no-audit --no-fund`.");
    expect((await store.getRecords(ref))[0].files_modified).toEqual(["web/package.json", "web/package-lock.json"]);
    expect(out.failures).toEqual([]);
  });

  it("a regenerated lockfile of mode 100644 stays 100644", async () => {
    const head = gh.addRepo(REPO, { "web/package.json": PKG, "web/package-lock.json": "{}\n" });
    const runner: CommandRunner = async (_c, _a, opts) => {
      await writeFile(path.join(opts.cwd, "package-lock.json"), '{"new":true}\n');
      return { code: 0, stdout: "", stderr: "" };
    };
    await open([npmDep("left-pad", 4)], config(), head, { runner, npmAvailable: true });
    expect(treeOf(pulls()[0].head.sha).map((e) => [e.path, e.mode]).sort()).toEqual([["web/package-lock.json", "100644"], ["web/package.json", "100644"]]);
  });

  it("a lockfile this host cannot regenerate is named with its command, for every package of the manifest; it is not committed", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS, "api/uv.lock": "version = 1\n" });
    await open([pyDep("aaa", 1), pyDep("bbb", 2)], config({ grouping: "component" }), head);
    const pr = pulls()[0];
    const lockfiles = plain(pr.body.split("### Lockfiles")[1] ?? "");
    expect(lockfiles).toContain("- **api/uv.lock must be regenerated** for api/requirements.txt (this host does not run this package manager). Run `cd api && uv lock --upgrade-package aaa bbb` and push the result to this branch.");
    expect(gh.filesAt(REPO, pr.head.sha)["api/uv.lock"]).toBe("version = 1\n");
    expect((await store.getRecords(ref))[0].files_modified).toEqual(["api/requirements.txt"]);
  });

  it("a manifest without a lockfile gets no Lockfiles section", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await open([pyDep("aaa", 1)], config(), head);
    expect(pulls()[0].body).not.toContain("### Lockfiles");
  });

  it("a direct Go requirement is edited in go.mod, asks no registry, and go.sum is left to `go mod tidy` in its directory", async () => {
    const head = gh.addRepo(REPO, { "svc/go.mod": GO_MOD, "svc/go.sum": GO_SUM });
    const asked: string[] = [];
    const artefacts = { artefact: async (ds: string, name: string, v: string) => (asked.push(`${ds}:${name}@${v}`), null) };
    const out = (await open([goDirect()], config(), head, { artefacts })) as OpenUpdateResult;
    expect(asked).toEqual([]);
    expect(out.failures).toEqual([]);
    const pr = pulls()[0];
    const files = gh.filesAt(REPO, pr.head.sha);
    expect(files["svc/go.mod"]).toBe(GO_MOD.replace("example.com/direct v1.0.0", "example.com/direct v1.1.0"));
    expect(files["svc/go.sum"]).toBe(GO_SUM);
    expect(plain(pr.body)).toContain("- **svc/go.sum must be regenerated** for svc/go.mod (this host does not run this package manager). Run `cd svc && go mod tidy` and push the result to this branch.");
  });

  it("a transitive Go module in a subdirectory: go.mod and its go.sum move together; a second one of the same file is one entry each", async () => {
    const head = gh.addRepo(REPO, { "svc/go.mod": GO_MOD, "svc/go.sum": GO_SUM, "go.sum": "root\n" });
    const artefacts = { artefact: async (_ds: string, _name: string, v: string) => netFacts(v) };
    const out = (await open([goTransitive()], config(), head, { artefacts })) as OpenUpdateResult;
    expect(out.failures).toEqual([]);
    const pr = pulls()[0];
    const files = gh.filesAt(REPO, pr.head.sha);
    expect(files["svc/go.mod"]).toBe(GO_MOD.replace("golang.org/x/net v0.10.0", "golang.org/x/net v0.17.0"));
    expect(files["svc/go.sum"]).toBe(`example.com/direct v1.0.0 ${h("1")}\nexample.com/direct v1.0.0/go.mod ${h("2")}\ngolang.org/x/net v0.10.0/go.mod ${h("b")}\ngolang.org/x/net v0.17.0 ${h("e")}\ngolang.org/x/net v0.17.0/go.mod ${h("f")}\n`);
    expect(files["go.sum"]).toBe("root\n");
    const body = plain(pr.body);
    expect(body).toContain("- svc/go.mod edited in place (no package manager run): golang.org/x/net v0.10.0 → v0.17.0, with version, tarball/checksum and integrity from the registry.");
    expect(body).toContain("- svc/go.sum edited in place (no package manager run): golang.org/x/net v0.10.0 → v0.17.0, with version, tarball/checksum and integrity from the registry.");
    expect(body).not.toContain("must be regenerated");
    expect(parsePrMarker(pr.body)!.deps.map((d) => [d.name, d.from, d.to, d.file])).toEqual([["golang.org/x/net", "v0.10.0", "v0.17.0", "svc/go.mod"]]);
    expect((await store.getRecords(ref))[0].files_modified.sort()).toEqual(["svc/go.mod", "svc/go.sum"]);
  });

  it("a transitive Go module without a go.sum: go.mod alone is edited", async () => {
    const head = gh.addRepo(REPO, { "svc/go.mod": GO_MOD });
    const artefacts = { artefact: async (_ds: string, _name: string, v: string) => netFacts(v) };
    const out = (await open([goTransitive()], config(), head, { artefacts })) as OpenUpdateResult;
    expect(out.failures).toEqual([]);
    expect(Object.keys(gh.filesAt(REPO, pulls()[0].head.sha))).toEqual(["svc/go.mod"]);
  });

  it("a transitive Go module that cannot be looked up is named with go.sum of its directory and the command that relocks it", async () => {
    const head = gh.addRepo(REPO, { "svc/go.mod": GO_MOD, "svc/go.sum": GO_SUM });
    const fix = (why: string) =>
      `No update could be applied: svc/go.sum (and svc/go.mod): golang.org/x/net v0.17.0 not edited in place: ${why}. Run: cd svc && go get golang.org/x/net@v0.17.0 && go mod tidy; and push the result`;
    const writes = gh.writes();
    expect(await open([goTransitive()], config(), head, { artefacts: { artefact: async () => { throw new Error("proxy 502"); } } })).toEqual({
      message: fix("the Go checksum database or module proxy could not be read (proxy 502)"),
    });
    expect(await open([goTransitive()], config(), head, { artefacts: { artefact: async () => { throw "gone"; } } })).toEqual({
      message: fix("the Go checksum database or module proxy could not be read (gone)"),
    });
    expect(await open([goTransitive()], config(), head, { artefacts: { artefact: async () => { throw new GoSumdbOffError(); } } })).toEqual({
      message: fix("the Go checksum database is off (registries.go_sumdb: off), so go.sum lines are not looked up"),
    });
    expect(await open([goTransitive()], config(), head, { artefacts: { artefact: async () => null } })).toEqual({
      message: fix("the checksum database has no go.sum lines for it (the registry)"),
    });
    expect(gh.writes()).toBe(writes);
  });

  it("a root go.mod that cannot be looked up: go.sum at the root, no cd", async () => {
    const head = gh.addRepo(REPO, { "go.mod": GO_MOD, "go.sum": GO_SUM });
    const d = { ...goTransitive(), file: "go.mod", lockfile: "go.mod" };
    expect(await open([d], config(), head, { artefacts: { artefact: async () => null } })).toEqual({
      message: "No update could be applied: go.sum (and go.mod): golang.org/x/net v0.17.0 not edited in place: the checksum database has no go.sum lines for it (the registry). Run: go get golang.org/x/net@v0.17.0 && go mod tidy; and push the result",
    });
  });
});

describe("update PRs: recreating and closing open ones", () => {
  let gh: FakeGitHub, store: FileStore, octokit: GitHubClient, warned: string[], log: WarnLog;
  freshFakeWorldEach("pulls-edges-m", (w) => ({ gh, store, octokit, warned, log } = w));

  const pulls = () => gh.pulls(gh.repo(REPO));
  const open = async (deps: Dependency[], head: string, issues: MaintenanceIssue[] = []) => {
    const cfg = config();
    const plan = planUpdates({ dependencies: deps, issues }, cfg, [], { now: NOW, inWindow: true });
    return (await openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group: plan.groups[0], config: cfg, store, clock, log, npmAvailable: false })) as OpenUpdateResult;
  };
  const maintain = (cfg: CowabungaConfig, over: Partial<Parameters<typeof maintainOpenPullRequests>[0]> = {}) =>
    maintainOpenPullRequests({ octokit, ...ref, defaultBranch: "main", config: cfg, store, clock, log, appLogins: ["cowabunga-maintainer[bot]", "someone"], npmAvailable: false, ...over });

  it("a rebuild that no longer applies on the new base is logged and the PR left as it is", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    const before = { sha: pulls()[0].head.sha, body: pulls()[0].body };
    // The base dropped the file: nothing of the PR can be rebuilt there.
    gh.commitFiles(REPO, { "other.txt": "x" }, "requirements moved away");
    const repo = gh.repo(REPO);
    const newHead = repo.refs.get("heads/main")!;
    const tree = repo.trees.get(repo.commits.get(newHead)!.tree)!;
    repo.trees.set(repo.commits.get(newHead)!.tree, tree.filter((e) => e.path !== "api/requirements.txt"));
    const out = await maintain(config({ rebase: "behind" }));
    expect(out).toEqual({ recreated: [], humanEdited: [], closed: [], upToDate: [], errors: [] });
    expect(warned).toEqual(["could not recreate the update on the new base"]);
    expect([pulls()[0].head.sha, pulls()[0].body]).toEqual([before.sha, before.body]);
    expect((await store.getRecords(ref))[0]).toMatchObject({ pull_request: a.number, rollback_before_commit: head });
  });

  it("a PR given without its head branch is rebuilt on the branch GitHub names; its record rolls back to the base branch GitHub names when none is given", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    const out = await maintain(config({ rebase: "behind" }), { prs: [{ number: a.number, body: pulls()[0].body }], defaultBranch: "", headSha: head2 });
    expect(out.recreated).toEqual([a.number]);
    expect(gh.repo(REPO).refs.get(`heads/${a.branch}`)).toBe(pulls()[0].head.sha);
    expect(gh.repo(REPO).commits.get(pulls()[0].head.sha)!.parents).toEqual([head2]);
    const [record] = await store.getRecords(ref);
    expect(record.rollback_before_commit).toBe(head2);
    expect(record.rollback_strategy).toContain(head2);
    expect(record.rollback_strategy).toContain("main");
  });

  it("rebuilds only the pending record of the rebuilt PR", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    const b = await open([pyDep("bbb", 2)], head);
    await store.updateRecords(ref, (records) => records.map((r) => (r.pull_request === b.number ? { ...r, attempt_status: "closed" as const } : r)));
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    // b's record is no longer pending: a rebuild of b does not touch it; a is rebuilt but b's PR is given only.
    const out = await maintain(config({ rebase: "behind" }), { prs: [{ number: b.number, body: pulls()[1].body }] });
    expect(out.recreated).toEqual([b.number]);
    const byPr = Object.fromEntries((await store.getRecords(ref)).map((r) => [r.pull_request, r.rollback_before_commit]));
    expect(byPr).toEqual({ [a.number]: head, [b.number]: head });
    expect(head2).not.toBe(head);
  });

  it("the rebuilt body names the new base everywhere and keeps one marker, of the rebuilt deps", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": `# c\n${REQS}` }, "moved");
    await maintain(config({ rebase: "behind" }), { dependencies: [pyDep("aaa", 2)] });
    const body = pulls()[0].body;
    expect(body).not.toContain(head);
    expect(body.split(head2).length).toBeGreaterThan(2);
    expect(body.match(/<!-- cowabunga:pr:/g)).toHaveLength(1);
    expect(body.endsWith(" -->")).toBe(true);
    expect(parsePrMarker(body)).toMatchObject({ base_sha: head2, branch: a.branch, deps: [{ name: "aaa", line: 2, from: "1.0.0", to: "1.1.0" }] });
  });

  it("rebase: conflicts rebuilds a PR GitHub reports unmergeable; a PR only behind is not rebuilt, one asked for is", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    expect((await maintain(config({ rebase: "conflicts" }))).recreated).toEqual([]);
    pulls()[0].mergeable = false;
    expect((await maintain(config({ rebase: "conflicts" }))).recreated).toEqual([a.number]);
  });

  it("rebase: behind does not rebuild a PR whose base GitHub already shows at the head", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await open([pyDep("aaa", 1)], head);
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    // GitHub's base SHA moved with the branch (the marker still names the old base).
    pulls()[0].base.sha = head2;
    expect((await maintain(config({ rebase: "behind" }))).recreated).toEqual([]);
  });

  it("a commit authored by the app but committed by a person counts as a person's", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    const commits = (route: string, params: Record<string, unknown>) =>
      route === "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits"
        ? Promise.resolve({ data: [{ author: { login: "someone" }, committer: { login: "mallory" } }] })
        : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params);
    const out = await maintain(config({ rebase: "behind" }), { octokit: { request: commits } as unknown as GitHubClient });
    expect(out).toMatchObject({ recreated: [], humanEdited: [a.number] });
    // Author only, no committer login: the author's login decides.
    const authorOnly = (route: string, params: Record<string, unknown>) =>
      route === "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits"
        ? Promise.resolve({ data: [{ author: { login: "someone" }, committer: null }] })
        : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params);
    expect(await maintain(config({ rebase: "behind" }), { octokit: { request: authorOnly } as unknown as GitHubClient })).toMatchObject({ recreated: [a.number], humanEdited: [] });
  });

  it("a commit without any login is a person's", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    const anon = (route: string, params: Record<string, unknown>) =>
      route === "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits"
        ? Promise.resolve({ data: [{ author: null, committer: null }] })
        : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params);
    expect(await maintain(config({ rebase: "behind" }), { octokit: { request: anon } as unknown as GitHubClient })).toMatchObject({ recreated: [], humanEdited: [a.number] });
    // Only an app whose logins include the empty one would take it for its own.
    expect(await maintain(config({ rebase: "behind" }), { octokit: { request: anon } as unknown as GitHubClient, appLogins: ["someone", ""] })).toMatchObject({ recreated: [a.number], humanEdited: [] });
  });

  it("a PR whose head branch nobody names is not rebuilt", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    const marker = parsePrMarker(pulls()[0].body)!;
    const body = pulls()[0].body.replace(/<!-- cowabunga:pr:.*? -->/, `<!-- cowabunga:pr:${JSON.stringify({ ...marker, branch: "" })} -->`);
    const noHead = (route: string, params: Record<string, unknown>) =>
      route === "GET /repos/{owner}/{repo}/pulls/{pull_number}"
        ? (octokit.request as (r: string, p: unknown) => Promise<{ data: Record<string, unknown> }>)(route, params).then((r) => ({ data: { ...r.data, head: undefined } }))
        : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params);
    const sha = pulls()[0].head.sha;
    const out = await maintain(config({ rebase: "behind" }), { octokit: { request: noHead } as unknown as GitHubClient, prs: [{ number: a.number, body }] });
    expect(out.recreated).toEqual([]);
    expect(warned).toEqual(["not recreating: the PR's head branch is unknown"]);
    expect(pulls()[0].head.sha).toBe(sha);
    // The marker's branch is the last resort.
    const out2 = await maintain(config({ rebase: "behind" }), { octokit: { request: noHead } as unknown as GitHubClient, prs: [{ number: a.number, body: pulls()[0].body }] });
    expect(out2.recreated).toEqual([a.number]);
    expect(gh.repo(REPO).refs.get(`heads/${a.branch}`)).not.toBe(sha);
  });

  it("an up-to-date PR that cannot be closed is an error for the next run", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    gh.commitFiles(REPO, { "api/requirements.txt": "aaa==1.1.0\nbbb==1.0.0\n" }, "by hand");
    gh.faults.push({ method: "PATCH", path: /\/pulls\/\d+$/, kind: "502-before", times: 1 });
    const out = await maintain(config(), { dependencies: [pyDep("aaa", 1, { version: "1.1.0", current_value: "==1.1.0" })] });
    expect(out.closed).toEqual([]);
    expect(out.upToDate).toEqual([]);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatch(new RegExp(`^close up-to-date PR #${a.number}: `));
    expect(warned).toEqual(["could not close an update PR whose dependency is already up to date"]);
    expect((await store.getRecords(ref))[0].attempt_status).toBe("pending");
  });

  it("an up-to-date PR names the locked version the base has; only its own pending record is closed", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = await open([pyDep("aaa", 1)], head);
    const b = await open([pyDep("bbb", 2)], head);
    gh.commitFiles(REPO, { "api/requirements.txt": "aaa>=1.0.0\nbbb==1.0.0\n" }, "by hand");
    const deps = [pyDep("aaa", 1, { version: "1.0.0", current_value: ">=1.0.0", locked_version: "1.2.0" }), pyDep("bbb", 2)];
    const out = await maintain(config(), { dependencies: deps, prs: [{ number: a.number, body: pulls()[0].body }] });
    expect(out).toMatchObject({ closed: [a.number], upToDate: [a.number] });
    const comment = gh.repo(REPO).comments.find((x) => x.issue_number === a.number)!;
    expect(comment.body.split("\n")[0]).toBe("Closing: the base branch already has this update or a newer one (aaa is at 1.2.0 (this PR's target: 1.1.0)). Nothing is left for this PR to change, so its branch is deleted.");
    expect((await store.getRecords(ref)).map((r) => [r.pull_request, r.attempt_status])).toEqual([[a.number, "closed"], [b.number, "pending"]]);
    expect(gh.repo(REPO).refs.has(`heads/${b.branch}`)).toBe(true);
  });

  it("an up-to-date PR on a branch that is not the app's is closed but its branch kept", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...ref, ref: "refs/heads/feature/aaa", sha: head });
    const a = await open([pyDep("aaa", 1)], head);
    const marker = parsePrMarker(pulls()[0].body)!;
    const theirs = await octokit.request("POST /repos/{owner}/{repo}/pulls", { ...ref, title: "bump aaa", head: "feature/aaa", base: "main", body: `<!-- cowabunga:pr:${JSON.stringify(marker)} -->` });
    gh.commitFiles(REPO, { "api/requirements.txt": "aaa==1.1.0\nbbb==1.0.0\n" }, "by hand");
    const out = await maintain(config(), { dependencies: [pyDep("aaa", 1, { version: "1.1.0", current_value: "==1.1.0" })], prs: [{ number: theirs.data.number, body: theirs.data.body }] });
    expect(out.closed).toEqual([theirs.data.number]);
    expect(gh.repo(REPO).refs.has("heads/feature/aaa")).toBe(true);
    expect(gh.repo(REPO).refs.has(`heads/${a.branch}`)).toBe(true);
  });

  it("an explicit risk overrides the assessed one in the body", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const cfg = config();
    const plan = planUpdates({ dependencies: [pyDep("aaa", 1)], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const risk: RiskLevel = {
      level: "critical",
      score: 9.5,
      factors: [{ name: "stated", description: "by the caller", weight: 1, score: 9.5 }],
      potential_impact: "",
      affected_users: "",
      downtime_estimate: "",
      mitigation_steps: [],
      contingency_plan: "",
      rollback_procedure: "",
    };
    await openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group: plan.groups[0], config: cfg, store, clock, log, npmAvailable: false, risk });
    expect(plain(pulls()[0].body)).toContain("### Risk: critical (9.5/10)\n\n- stated: by the caller\n");
  });

  it("the body shows the highest risk of the group's updates", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const cfg = config({ grouping: "component", update_types: ["major", "minor", "patch", "digest"] });
    // Both minor (one group); bbb's release notes list breaking changes, a higher risk.
    const patch = pyDep("aaa", 1);
    const major = pyDep("bbb", 2, { breaking_changes: ["drops the old API", "renames the client", "needs Python 3.12"] });
    const riskOf = async (deps: Dependency[]) => {
      const group = planUpdates({ dependencies: deps, issues: [] }, cfg, [], { now: NOW, inWindow: true }).groups[0];
      const out = (await openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group, config: cfg, store, clock, log, npmAvailable: false })) as OpenUpdateResult;
      return /### Risk: (.*)/.exec(pulls().find((p) => p.number === out.number)!.body)![1];
    };
    const both = await riskOf([patch, major]);
    expect(pulls()[0].head.ref).toBe("cowabunga/api/minor-updates");
    const onlyMajor = await riskOf([major]);
    const onlyPatch = await riskOf([patch]);
    expect(onlyMajor).not.toBe(onlyPatch);
    expect(both).toBe(onlyMajor);
  });

  it("issues already assessed walk on to in progress from where they are", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const assessed = pyIssue("dep-aaa", "aaa", { lifecycle_state: "prioritized" });
    await store.updateIssues(ref, () => [assessed]);
    const a = await open([pyDep("aaa", 1)], head, [assessed]);
    const [after] = await store.getIssues(ref);
    expect(after.lifecycle_state).toBe("in_progress");
    expect(after.history.slice(assessed.history.length).map((x) => (x as { to?: string }).to)).toEqual(["scheduled", "in_progress"]);
    expect(JSON.stringify(after.history.at(-1))).toContain(`update PR #${a.number} opened`);
  });
});
