/**
 * More edges of pulls.ts on the fake GitHub (issue 18, mutation testing): several updates of one file
 * (a failed one does not block the next, Go modules of one go.mod share go.sum), lockfile editors that
 * refuse or add a note, the default registry metadata source named in the body, a PR partly done on
 * the base, a superseded PR on the new PR's own branch, and the marker's fields. Expected outcomes are
 * the documented behaviour (README "Update pull requests"), hand-written files, GitHub's REST semantics.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { maintainOpenPullRequests, openUpdatePullRequest, parsePrMarker, planUpdates, type OpenUpdateArgs, type OpenUpdateResult } from "../../../src/act/github/pulls.js";
import type { GitHubClient } from "../../../src/act/github/pulls-git.js";
import type { CowabungaConfig } from "../../../src/config/schema.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { FileStore } from "../../../src/store/index.js";
import { FakeGitHub } from "../../helpers/fake-github.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";
import { testClient } from "../../enrich/datasources/helpers.js";
import { NOW, REPO, REPO_REF as ref, clock, freshFakeWorldEach, goIndirect, goSumHash as h, pyDep, pyIssue, unescapeMarkdown as plainText, updatesConfig as config, type WarnLog } from "./pulls-helpers.js";

const REQS = "aaa==1.0.0\nbbb==1.0.0\n";

const GO_MOD = "module example.com/svc\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.10.0 // indirect\n\tgolang.org/x/text v0.9.0 // indirect\n)\n";
const GO_SUM = `golang.org/x/net v0.10.0 ${h("a")}\ngolang.org/x/net v0.10.0/go.mod ${h("b")}\ngolang.org/x/text v0.9.0 ${h("c")}\ngolang.org/x/text v0.9.0/go.mod ${h("d")}\n`;
const goFacts = (name: string, version: string, c: string) => ({ version, resolved: null, integrity: null, go_sum: [`${name} ${version} ${h(c)}`, `${name} ${version}/go.mod ${h(c.toUpperCase())}`], dependencies: new Map<string, string>(), go_sum_requirements: [] });

const npmTransitive = (name: string, file: string): Dependency =>
  pyDep(name, 1, {
    package_manager: "npm",
    datasource: "npm",
    component: "web",
    file,
    line: null,
    current_value: "(transitive)",
    depth: 2,
    lockfile: file,
    cve_ids: ["CVE-2025-9"],
    fixed_version: "6.5.3",
    version: "6.5.2",
    latest_version: "6.5.3",
    remediation: { kind: "in_place", target_version: "6.5.3", file, action: `move ${name} in ${file}`, parent: null, risk: null, removes: [], reasons: [] } as unknown as Dependency["remediation"],
  });
const YARN_BERRY = `__metadata:
  version: 8
  cacheKey: 10

"qs@npm:~6.5.2":
  version: 6.5.2
  resolution: "qs@npm:6.5.2"
  checksum: 10/24e3
  languageName: node
  linkType: hard
`;
const npmFacts = (version: string) => ({ version, resolved: `https://r.test/qs-${version}.tgz`, integrity: "sha512-NEW", shasum: null, dependencies: new Map<string, string>() });

describe("update PRs: more edges", () => {
  let gh: FakeGitHub, store: FileStore, octokit: GitHubClient, log: WarnLog;
  freshFakeWorldEach("pulls-more", (w) => ({ gh, store, octokit, log } = w));

  const pulls = () => gh.pulls(gh.repo(REPO));
  const blobReads = () => gh.requests.filter((r) => r.method === "GET" && /\/git\/blobs\//.test(r.path)).length;
  const groupOf = (deps: Dependency[], cfg: CowabungaConfig, issues: MaintenanceIssue[] = []) => {
    const plan = planUpdates({ dependencies: deps, issues }, cfg, [], { now: NOW, inWindow: true });
    expect(plan.groups).toHaveLength(1);
    return plan.groups[0];
  };
  const open = (deps: Dependency[], cfg: CowabungaConfig, head: string, over: Partial<OpenUpdateArgs> = {}, issues: MaintenanceIssue[] = []) =>
    openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group: groupOf(deps, cfg, issues), config: cfg, store, clock, log, npmAvailable: false, ...over });
  const maintain = (cfg: CowabungaConfig, over: Partial<Parameters<typeof maintainOpenPullRequests>[0]> = {}) =>
    maintainOpenPullRequests({ octokit, ...ref, defaultBranch: "main", config: cfg, store, clock, log, appLogins: ["cowabunga-maintainer[bot]", "someone"], npmAvailable: false, ...over });

  it("an update of a file that fails does not block the next update of that file, which is read once", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const reads = blobReads();
    // zzz is not declared on line 1: its update fails; bbb (line 2) still applies.
    const out = (await open([pyDep("zzz", 1), pyDep("bbb", 2)], config({ grouping: "component" }), head)) as OpenUpdateResult;
    expect(out.failures).toHaveLength(1);
    expect(out.failures[0]).toContain("api/requirements.txt:1");
    expect(gh.filesAt(REPO, pulls()[0].head.sha)["api/requirements.txt"]).toBe("aaa==1.0.0\nbbb==1.1.0\n");
    expect(blobReads() - reads).toBe(1);
  });

  it("two Go modules of one go.mod move in one commit: go.mod and go.sum carry both, each read once, each named once", async () => {
    const head = gh.addRepo(REPO, { "svc/go.mod": GO_MOD, "svc/go.sum": GO_SUM });
    const facts: Record<string, ReturnType<typeof goFacts>> = { "golang.org/x/net": goFacts("golang.org/x/net", "v0.17.0", "e"), "golang.org/x/text": goFacts("golang.org/x/text", "v0.14.0", "f") };
    const reads = blobReads();
    const out = (await open([goIndirect("golang.org/x/net", "v0.10.0", "v0.17.0"), goIndirect("golang.org/x/text", "v0.9.0", "v0.14.0")], config({ grouping: "component" }), head, {
      artefacts: { artefact: async (_ds, name) => facts[name] },
    })) as OpenUpdateResult;
    expect(out.failures).toEqual([]);
    expect(blobReads() - reads).toBe(2);
    const files = gh.filesAt(REPO, pulls()[0].head.sha);
    expect(files["svc/go.mod"]).toBe(GO_MOD.replace("golang.org/x/net v0.10.0", "golang.org/x/net v0.17.0").replace("golang.org/x/text v0.9.0", "golang.org/x/text v0.14.0"));
    expect(files["svc/go.sum"]).toBe(
      `golang.org/x/net v0.10.0/go.mod ${h("b")}\ngolang.org/x/net v0.17.0 ${h("e")}\ngolang.org/x/net v0.17.0/go.mod ${h("E")}\ngolang.org/x/text v0.9.0/go.mod ${h("d")}\ngolang.org/x/text v0.14.0 ${h("f")}\ngolang.org/x/text v0.14.0/go.mod ${h("F")}\n`,
    );
    const body = plainText(pulls()[0].body);
    expect(body).toContain("- svc/go.mod edited in place (no package manager run): golang.org/x/net v0.10.0 → v0.17.0, golang.org/x/text v0.9.0 → v0.14.0, with");
    expect(body).toContain("- svc/go.sum edited in place (no package manager run): golang.org/x/net v0.10.0 → v0.17.0, golang.org/x/text v0.9.0 → v0.14.0, with");
    expect(body.match(/svc\/go\.mod edited in place/g)).toHaveLength(1);
    expect(body.match(/svc\/go\.sum edited in place/g)).toHaveLength(1);
  });

  it("a lockfile editor that refuses names the lockfile; yarn berry's dropped checksum is a note under the lockfile", async () => {
    const head = gh.addRepo(REPO, { "web/package.json": "{}\n", "web/yarn.lock": YARN_BERRY, "web/package-lock.json": '{"lockfileVersion":3,"packages":{"":{}}}\n' });
    const artefacts = { artefact: async (_ds: string, _name: string, v: string) => npmFacts(v) };
    const cfg = config({ grouping: "component" });
    const out = (await open([npmTransitive("qs", "web/yarn.lock"), { ...npmTransitive("qs", "web/package-lock.json"), component: "web" }], cfg, head, { artefacts })) as OpenUpdateResult;
    expect(out.failures).toHaveLength(1);
    expect(out.failures[0]).toMatch(/^web\/package-lock\.json: /);
    const pr = pulls()[0];
    expect(gh.filesAt(REPO, pr.head.sha)["web/yarn.lock"]).toBe(YARN_BERRY.replace("version: 6.5.2", "version: 6.5.3").replace('resolution: "qs@npm:6.5.2"', 'resolution: "qs@npm:6.5.3"').replace("  checksum: 10/24e3\n", ""));
    expect(gh.filesAt(REPO, pr.head.sha)["web/package-lock.json"]).toBe('{"lockfileVersion":3,"packages":{"":{}}}\n');
    const lockfiles = plainText(pr.body.split("### Lockfiles")[1]!.split("###")[0]);
    expect(lockfiles).toContain("- web/yarn.lock edited in place (no package manager run): qs 6.5.2 → 6.5.3, with version, tarball/checksum and integrity from the registry.\n  - **Note:** yarn berry's checksum is a hash of its own cache archive");
    expect(lockfiles.match(/Note:/g)).toHaveLength(1);
  });

  it("a lockfile edit without a note has no note", async () => {
    const lock = `${JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app" }, "node_modules/qs": { version: "6.5.2", resolved: "https://r.test/qs-6.5.2.tgz", integrity: "sha512-old" } } }, null, 2)}\n`;
    const head = gh.addRepo(REPO, { "web/package.json": "{}\n", "web/package-lock.json": lock });
    await open([npmTransitive("qs", "web/package-lock.json")], config(), head, { artefacts: { artefact: async (_ds, _n, v) => npmFacts(v) } });
    const lockfiles = plainText(pulls()[0].body.split("### Lockfiles")[1]!.split("###")[0]);
    expect(lockfiles).toContain("- web/package-lock.json edited in place (no package manager run): qs 6.5.2 → 6.5.3, with version, tarball/checksum and integrity from the registry.");
    expect(lockfiles).not.toContain("Note:");
    // The marker of a lockfile move holds no digests.
    expect(Object.keys(parsePrMarker(pulls()[0].body)!.deps[0])).not.toContain("to_digest");
  });

  describe("the default registry metadata", () => {
    let server: Server;
    let base: string;
    let asked: string[];
    beforeEach(async () => {
      asked = [];
      server = createServer((req, res) => {
        asked.push(req.url ?? "");
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const lock = `${JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app" }, "node_modules/qs": { version: "6.5.2" } } }, null, 2)}\n`;

    it("asks the configured npm registry and names every default in the message", async () => {
      const head = gh.addRepo(REPO, { "web/package.json": "{}\n", "web/package-lock.json": lock });
      const cfg = { ...config(), registries: { npm: `${base}/npm` } };
      const out = await open([npmTransitive("qs", "web/package-lock.json")], cfg, head, { http: testClient().http });
      expect(asked).toEqual(["/npm/qs"]);
      expect(out).toEqual({
        message: `No update could be applied: web/package-lock.json: qs 6.5.3 is not in the registry (${base}/npm (npm), the crates.io sparse index, https://pypi.org (PyPI JSON API), https://proxy.golang.org and https://sum.golang.org (Go)); lockfile not edited`,
      });
    });

    it("an operator mirror overrides the repository's registry; the Go mirror's checksum database and go_sumdb off are named", async () => {
      const head = gh.addRepo(REPO, { "web/package.json": "{}\n", "web/package-lock.json": lock });
      const cfg = { ...config(), registries: { npm: "https://npm.repo.example", pypi: `${base}/pypi`, go: `${base}/go` } };
      const out = await open([npmTransitive("qs", "web/package-lock.json")], cfg, head, { http: testClient().http, registryMirrors: { npm: `${base}/mirror` } });
      expect(asked).toEqual(["/mirror/qs"]);
      expect(out).toEqual({
        message: `No update could be applied: web/package-lock.json: qs 6.5.3 is not in the registry (${base}/mirror (npm), the crates.io sparse index, ${base}/pypi (PyPI JSON API), ${base}/go and ${base}/go/sumdb/sum.golang.org (Go)); lockfile not edited`,
      });
      const off = await open([npmTransitive("qs", "web/package-lock.json")], { ...cfg, registries: { ...cfg.registries, go_sumdb: "off" } }, head, { http: testClient().http, registryMirrors: { npm: `${base}/mirror` } });
      expect((off as { message: string }).message).toContain(`${base}/go and no checksum database (Go)`);
    });
  });

  it("a PR partly done on the base is rebuilt with what is still behind, not closed", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = (await open([pyDep("aaa", 1), pyDep("bbb", 2)], config({ grouping: "component" }), head)) as OpenUpdateResult;
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": "aaa==1.1.0\nbbb==1.0.0\n" }, "aaa by hand");
    const out = await maintain(config({ rebase: "behind" }), { dependencies: [pyDep("aaa", 1, { version: "1.1.0", current_value: "==1.1.0" }), pyDep("bbb", 2)] });
    expect(out).toEqual({ recreated: [a.number], humanEdited: [], closed: [], upToDate: [], errors: [] });
    expect(pulls()[0].state).toBe("open");
    expect(gh.filesAt(REPO, pulls()[0].head.sha)["api/requirements.txt"]).toBe("aaa==1.1.0\nbbb==1.1.0\n");
    expect(parsePrMarker(pulls()[0].body)).toMatchObject({ base_sha: head2, deps: [{ name: "bbb" }] });
    expect(parsePrMarker(pulls()[0].body)!.deps).toHaveLength(1);
  });

  it("an up-to-date PR of several packages names each, in order", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = (await open([pyDep("aaa", 1), pyDep("bbb", 2)], config({ grouping: "component" }), head)) as OpenUpdateResult;
    gh.commitFiles(REPO, { "api/requirements.txt": "aaa==1.1.0\nbbb==1.3.0\n" }, "by hand");
    const out = await maintain(config(), { dependencies: [pyDep("aaa", 1, { version: "1.1.0", current_value: "==1.1.0" }), pyDep("bbb", 2, { version: "1.3.0", current_value: "==1.3.0" })] });
    expect(out.upToDate).toEqual([a.number]);
    const comment = gh.repo(REPO).comments.find((x) => x.issue_number === a.number)!;
    expect(comment.body.split("\n")[0]).toBe(
      "Closing: the base branch already has this update or a newer one (aaa is at 1.1.0 (this PR's target: 1.1.0); bbb is at 1.3.0 (this PR's target: 1.1.0)). Nothing is left for this PR to change, so its branch is deleted.",
    );
  });

  it("a lockfile PR is rebuilt with the registry metadata given to the upkeep", async () => {
    const lock = (extra: string) => `${JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app", extra }, "node_modules/qs": { version: "6.5.2", resolved: "https://r.test/qs-6.5.2.tgz", integrity: "sha512-old" } } }, null, 2)}\n`;
    const head = gh.addRepo(REPO, { "web/package.json": "{}\n", "web/package-lock.json": lock("a") });
    const artefacts = { artefact: async (_ds: string, _n: string, v: string) => npmFacts(v) };
    const a = (await open([npmTransitive("qs", "web/package-lock.json")], config(), head, { artefacts })) as OpenUpdateResult;
    gh.commitFiles(REPO, { "web/package.json": "{}\n", "web/package-lock.json": lock("b") }, "moved");
    const out = await maintain(config({ rebase: "behind" }), { artefacts });
    expect(out.recreated).toEqual([a.number]);
    const rebuilt = JSON.parse(gh.filesAt(REPO, pulls()[0].head.sha)["web/package-lock.json"]);
    expect(rebuilt.packages[""].extra).toBe("b");
    expect(rebuilt.packages["node_modules/qs"]).toEqual({ version: "6.5.3", resolved: "https://r.test/qs-6.5.3.tgz", integrity: "sha512-NEW" });
  });

  it("a superseded PR on the new PR's own branch is closed, but the branch is the new PR's and stays", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const first = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...ref, pull_number: first.number, state: "closed" });
    const group = { ...groupOf([pyDep("aaa", 1)], config()), supersedes: [first.number] };
    const second = (await openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group, config: config(), store, clock, log, npmAvailable: false })) as OpenUpdateResult;
    expect(second.number).not.toBe(first.number);
    expect(second.branch).toBe(first.branch);
    expect(second.superseded).toEqual([first.number]);
    expect(gh.repo(REPO).refs.get(`heads/${second.branch}`)).toBe(second.commit_sha);
    expect(pulls().find((p) => p.number === second.number)!.state).toBe("open");
  });

  it("a PR refreshed in place (already open for its branch) keeps one record, of the new base", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const first = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    const failing = {
      request: (route: string, params: unknown) =>
        route === "POST /repos/{owner}/{repo}/pulls"
          ? Promise.reject(Object.assign(new Error("A pull request already exists"), { status: 422 }))
          : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params),
    } as unknown as GitHubClient;
    const again = (await open([pyDep("aaa", 1)], config(), head2, { octokit: failing })) as OpenUpdateResult;
    expect(again.number).toBe(first.number);
    const records = await store.getRecords(ref);
    expect(records.map((r) => [r.id, r.rollback_before_commit])).toEqual([[`pr-${first.number}`, head2]]);
  });

  it("the marker names each linked issue once and keeps a declaration's value span", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const both = makeIssue({ id: "dep-both", type: "dependency", subject: "", title: "aaa and bbb are outdated", files_affected: ["api/requirements.txt"], affected_components: ["api"] });
    const cfg = config({ grouping: "component" });
    await store.updateIssues(ref, () => [both]);
    await open([pyDep("aaa", 1), pyDep("bbb", 2)], cfg, head, {}, [both, pyIssue("dep-aaa", "aaa")]);
    const marker = parsePrMarker(pulls()[0].body)!;
    expect([...marker.issues].sort()).toEqual(["dep-aaa", "dep-both"]);
    expect(marker.deps.map((d) => "value_span" in d)).toEqual([false, false]);
  });

  it("a create refused before it took effect (502) is looked for, not found, and made again: one PR", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    gh.faults.push({ method: "POST", path: /\/pulls$/, kind: "502-before", times: 1 });
    const out = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    expect(pulls()).toHaveLength(1);
    expect(out.number).toBe(pulls()[0].number);
    expect(gh.requests.filter((r) => r.method === "POST" && /\/pulls$/.test(r.path))).toHaveLength(2);
  });

  it("surplus PRs are the newest by number, whatever order they are listed in", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": "aaa==1.0.0\nbbb==1.0.0\nccc==1.0.0\n" });
    const a = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    const b = (await open([pyDep("bbb", 2)], config(), head)) as OpenUpdateResult;
    const c = (await open([pyDep("ccc", 3)], config(), head)) as OpenUpdateResult;
    const body = (n: number) => pulls().find((p) => p.number === n)!.body;
    // GitHub lists the newest first.
    const out = await maintain(config({ max_open_prs: 1, rebase: "never" }), { headSha: head, prs: [c, a, b].map((x) => ({ number: x.number, body: body(x.number) })) });
    expect(out.closed).toEqual([c.number, b.number]);
    expect(pulls().map((p) => [p.number, p.state])).toEqual([[a.number, "open"], [b.number, "closed"], [c.number, "closed"]]);
  });

  it("a PR on the current head asked to rebuild, whose checkbox is not ticked, is not written", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    const before = gh.writes();
    const out = await maintain(config({ rebase: "behind" }), { rebaseRequested: new Set([a.number]) });
    expect(out.recreated).toEqual([]);
    expect(gh.writes()).toBe(before);
  });

  it("a ticked checkbox on the current head that nobody asked about is left as it is", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await open([pyDep("aaa", 1)], config(), head);
    pulls()[0].body = pulls()[0].body.replace("- [ ] <!-- cowabunga:rebase -->", "- [x] <!-- cowabunga:rebase -->");
    const before = gh.writes();
    await maintain(config({ rebase: "behind" }));
    expect(gh.writes()).toBe(before);
    expect(pulls()[0].body).toContain("- [x] <!-- cowabunga:rebase -->");
  });

  it("a rebuilt body keeps one blank line before its marker", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await open([pyDep("aaa", 1)], config(), head);
    gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    expect((await maintain(config({ rebase: "behind" }))).recreated).toHaveLength(1);
    const body = pulls()[0].body;
    expect(body).toMatch(/\S\n\n<!-- cowabunga:pr:[^\n]* -->$/);
  });

  it("the issue command opens a patch update too", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await store.putDependencies(ref, [pyDep("aaa", 1, { latest_version: "1.0.1", update_type: "patch" })]);
    const out = (await openUpdatePullRequest({ octokit, repo: ref, owner: "acme", store, issue: pyIssue("dep-aaa", "aaa"), requestedBy: "alice", clock, log, config: config({ update_types: ["major"] }) })) as OpenUpdateResult;
    expect(out.branch).toBe("cowabunga/api/aaa-1.0.1");
  });

  describe("digest-pinned images", () => {
    const OLD = `sha256:${"1".repeat(64)}`;
    const OTHER = `sha256:${"2".repeat(64)}`;
    const NEW = `sha256:${"ab".repeat(32)}`;
    const NEWER = `sha256:${"cd".repeat(32)}`;
    const image = (): Dependency =>
      makeDependency({ name: "registry.example.test/acme/app", package_manager: "docker", datasource: "docker", component: "svc", file: "svc/Dockerfile", line: 1, version: "1.2.0", current_value: "1.2.0", latest_version: "1.3.0", latest_release_date: "2025-12-01T00:00:00Z", update_type: "minor", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null });

    it("a rebuild on a base that re-pinned the image looks the digest up again; one on the same pin reuses the marker's", async () => {
      const head = gh.addRepo(REPO, { "svc/Dockerfile": `FROM registry.example.test/acme/app:1.2.0@${OLD}\nRUN true\n` });
      const answers = [NEW, NEWER];
      const asked: string[] = [];
      const docker = { digestOf: async (_ref: unknown, tag: string) => (asked.push(tag), answers[asked.length - 1]) };
      const a = (await open([image()], config(), head, { docker })) as OpenUpdateResult;
      expect(gh.filesAt(REPO, a.commit_sha)["svc/Dockerfile"]).toBe(`FROM registry.example.test/acme/app:1.3.0@${NEW}\nRUN true\n`);
      // Same pin on the new base: the marker's digest, no lookup.
      gh.commitFiles(REPO, { "svc/Dockerfile": `FROM registry.example.test/acme/app:1.2.0@${OLD}\nRUN true\n`, "x.txt": "x" }, "moved");
      expect((await maintain(config({ rebase: "behind" }), { docker })).recreated).toEqual([a.number]);
      expect(asked).toEqual(["1.3.0"]);
      expect(gh.filesAt(REPO, pulls()[0].head.sha)["svc/Dockerfile"]).toBe(`FROM registry.example.test/acme/app:1.3.0@${NEW}\nRUN true\n`);
      // Re-pinned on the base: the marker's digest belongs to another pin; asked again.
      gh.commitFiles(REPO, { "svc/Dockerfile": `FROM registry.example.test/acme/app:1.2.0@${OTHER}\nRUN true\n`, "x.txt": "y" }, "re-pinned");
      expect((await maintain(config({ rebase: "behind" }), { docker })).recreated).toEqual([a.number]);
      expect(asked).toEqual(["1.3.0", "1.3.0"]);
      expect(gh.filesAt(REPO, pulls()[0].head.sha)["svc/Dockerfile"]).toBe(`FROM registry.example.test/acme/app:1.3.0@${NEWER}\nRUN true\n`);
      expect(parsePrMarker(pulls()[0].body)!.deps[0]).toMatchObject({ from_digest: OTHER, to_digest: NEWER });
    });
  });

  it("a declaration located by its value span (a file no updater knows) is edited there, and rebuilt from the marker's span", async () => {
    const TOOLCHAIN = '[toolchain]\nchannel = "1.75.0"\n';
    const head = gh.addRepo(REPO, { "rust-toolchain.toml": TOOLCHAIN });
    const span = { line: 2, start_column: 11, end_column: 17, text: "1.75.0" };
    const rust = makeDependency({ name: "rust", package_manager: "cargo", datasource: "rust-version", component: "core", file: "rust-toolchain.toml", line: 2, version: "1.75.0", current_value: "1.75.0", latest_version: "1.80.0", latest_release_date: "2025-12-01T00:00:00Z", update_type: "minor", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, value_span: span });
    const a = (await open([rust], config(), head)) as OpenUpdateResult;
    expect(a.failures).toEqual([]);
    expect(gh.filesAt(REPO, a.commit_sha)["rust-toolchain.toml"]).toBe('[toolchain]\nchannel = "1.80.0"\n');
    expect(parsePrMarker(pulls()[0].body)!.deps[0].value_span).toEqual(span);
    gh.commitFiles(REPO, { "rust-toolchain.toml": TOOLCHAIN, "x.txt": "x" }, "moved");
    expect((await maintain(config({ rebase: "behind" }))).recreated).toEqual([a.number]);
    expect(gh.filesAt(REPO, pulls()[0].head.sha)).toEqual({ "rust-toolchain.toml": '[toolchain]\nchannel = "1.80.0"\n', "x.txt": "x" });
  });

  it("a PR listed without its head, whose marker names no branch, is rebuilt on the head branch GitHub gives", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS });
    const a = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS, "x.txt": "x" }, "moved");
    const marker = parsePrMarker(pulls()[0].body)!;
    const body = pulls()[0].body.replace(/<!-- cowabunga:pr:.*? -->/, `<!-- cowabunga:pr:${JSON.stringify({ ...marker, branch: "" })} -->`);
    const out = await maintain(config({ rebase: "behind" }), { prs: [{ number: a.number, body }] });
    expect(out.recreated).toEqual([a.number]);
    expect(gh.repo(REPO).commits.get(gh.repo(REPO).refs.get(`heads/${a.branch}`)!)!.parents).toEqual([head2]);
    expect(parsePrMarker(pulls()[0].body)!.branch).toBe(a.branch);
  });

  it("a rebuild on a base that dropped the image's digest pin drops the digests from the marker", async () => {
    const OLD = `sha256:${"1".repeat(64)}`;
    const NEW = `sha256:${"ab".repeat(32)}`;
    const head = gh.addRepo(REPO, { "svc/Dockerfile": `FROM registry.example.test/acme/app:1.2.0@${OLD}\nRUN true\n` });
    const docker = { digestOf: async () => NEW };
    const image = makeDependency({ name: "registry.example.test/acme/app", package_manager: "docker", datasource: "docker", component: "svc", file: "svc/Dockerfile", line: 1, version: "1.2.0", current_value: "1.2.0", latest_version: "1.3.0", latest_release_date: "2025-12-01T00:00:00Z", update_type: "minor", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null });
    const a = (await open([image], config(), head, { docker })) as OpenUpdateResult;
    expect(parsePrMarker(pulls()[0].body)!.deps[0]).toMatchObject({ from_digest: OLD, to_digest: NEW });
    gh.commitFiles(REPO, { "svc/Dockerfile": "FROM registry.example.test/acme/app:1.2.0\nRUN true\n" }, "unpinned");
    expect((await maintain(config({ rebase: "behind" }), { docker })).recreated).toEqual([a.number]);
    expect(gh.filesAt(REPO, pulls()[0].head.sha)["svc/Dockerfile"]).toBe("FROM registry.example.test/acme/app:1.3.0\nRUN true\n");
    const dep = parsePrMarker(pulls()[0].body)!.deps[0];
    expect([dep.from_digest, dep.to_digest]).toEqual([undefined, undefined]);
  });

  it("the issue command says why each package was skipped", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS });
    await store.putDependencies(ref, [pyDep("aaa", 1), pyDep("bbb", 2)]);
    const issue = makeIssue({ id: "x", subject: "", title: "aaa and bbb are outdated", files_affected: ["api/requirements.txt"] });
    const out = await openUpdatePullRequest({ octokit, repo: ref, owner: "acme", store, issue, requestedBy: "alice", clock, log, config: config({ max_open_prs: 0 }) });
    expect(out).toEqual({ message: "Nothing to update: aaa: updates.max_open_prs (0) reached; bbb: updates.max_open_prs (0) reached" });
  });
});

describe("update PRs: the survivors of the measured run", () => {
  let gh: FakeGitHub, store: FileStore, octokit: GitHubClient, warned: string[], log: WarnLog;
  freshFakeWorldEach("pulls-surv2", (w) => ({ gh, store, octokit, warned, log } = w));

  const pulls = () => gh.pulls(gh.repo(REPO));
  const groupOf = (deps: Dependency[], cfg: CowabungaConfig) => {
    const plan = planUpdates({ dependencies: deps, issues: [] }, cfg, [], { now: NOW, inWindow: true });
    expect(plan.groups).toHaveLength(1);
    return plan.groups[0];
  };
  const open = (deps: Dependency[], cfg: CowabungaConfig, head: string, over: Partial<OpenUpdateArgs> = {}) =>
    openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group: groupOf(deps, cfg), config: cfg, store, clock, log, npmAvailable: false, ...over });
  const maintain = (cfg: CowabungaConfig, over: Partial<Parameters<typeof maintainOpenPullRequests>[0]> = {}) =>
    maintainOpenPullRequests({ octokit, ...ref, defaultBranch: "main", config: cfg, store, clock, log, appLogins: ["cowabunga-maintainer[bot]", "someone"], npmAvailable: false, ...over });
  const REQS3 = "aaa==1.0.0\nbbb==1.0.0\nccc==1.0.0\n";

  it("superseding closes only the superseded PR's pending record", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    const first = (await open([pyDep("aaa", 1, { latest_version: "1.0.5" })], config(), head)) as OpenUpdateResult;
    const other = (await open([pyDep("bbb", 2)], config(), head)) as OpenUpdateResult;
    await store.updateRecords(ref, (records) => [...records, { ...records[0], id: "older-attempt", attempt_status: "failed" }]);
    const group = { ...groupOf([pyDep("aaa", 1)], config()), supersedes: [first.number] };
    const second = (await openUpdatePullRequest({ octokit, ...ref, defaultBranch: "main", baseSha: head, group, config: config(), store, clock, log, npmAvailable: false })) as OpenUpdateResult;
    expect(second.superseded).toEqual([first.number]);
    const byId = Object.fromEntries((await store.getRecords(ref)).map((r) => [r.id, r.attempt_status]));
    expect(byId).toEqual({ [`pr-${first.number}`]: "closed", [`pr-${other.number}`]: "pending", "older-attempt": "failed", [`pr-${second.number}`]: "pending" });
  });

  it("a superseded PR whose close answer names no branch is still reported closed; no branch is deleted", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    const first = (await open([pyDep("aaa", 1, { latest_version: "1.0.5" })], config(), head)) as OpenUpdateResult;
    const noHead = {
      request: (route: string, params: Record<string, unknown>) =>
        route === "PATCH /repos/{owner}/{repo}/pulls/{pull_number}"
          ? (octokit.request as (r: string, p: unknown) => Promise<{ data: Record<string, unknown> }>)(route, params).then((r) => ({ data: { ...r.data, head: undefined } }))
          : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params),
    } as unknown as GitHubClient;
    const group = { ...groupOf([pyDep("aaa", 1)], config()), supersedes: [first.number] };
    const second = (await openUpdatePullRequest({ octokit: noHead, ...ref, defaultBranch: "main", baseSha: head, group, config: config(), store, clock, log, npmAvailable: false })) as OpenUpdateResult;
    expect(second.superseded).toEqual([first.number]);
    expect(warned).toEqual([]);
    expect(gh.repo(REPO).refs.has(`heads/${first.branch}`)).toBe(true);
  });

  it("an up-to-date PR's close answer without a branch: the marker's branch is deleted; a record of it that is not pending is kept", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    const a = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    await store.updateRecords(ref, (records) => [...records, { ...records[0], id: "older-attempt", attempt_status: "failed" }]);
    gh.commitFiles(REPO, { "api/requirements.txt": "aaa==1.1.0\nbbb==1.0.0\nccc==1.0.0\n" }, "by hand");
    const noHead = {
      request: (route: string, params: Record<string, unknown>) =>
        route === "PATCH /repos/{owner}/{repo}/pulls/{pull_number}"
          ? (octokit.request as (r: string, p: unknown) => Promise<{ data: Record<string, unknown> }>)(route, params).then((r) => ({ data: { ...r.data, head: undefined } }))
          : (octokit.request as (r: string, p: unknown) => Promise<unknown>)(route, params),
    } as unknown as GitHubClient;
    const out = await maintain(config(), { octokit: noHead, dependencies: [pyDep("aaa", 1, { version: "1.1.0", current_value: "==1.1.0" })] });
    expect(out.upToDate).toEqual([a.number]);
    expect(gh.repo(REPO).refs.has(`heads/${a.branch}`)).toBe(false);
    const byId = Object.fromEntries((await store.getRecords(ref)).map((r) => [r.id, r.attempt_status]));
    expect(byId).toEqual({ [`pr-${a.number}`]: "closed", "older-attempt": "failed" });
    const comment = gh.repo(REPO).comments.find((x) => x.issue_number === a.number)!;
    expect(comment.body).toContain("<!-- cowabunga:comment:up-to-date -->");
  });

  it("nothing applies: every failure is named, separated by semicolons", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    const out = await open([pyDep("zzz", 1), pyDep("yyy", 2)], config({ grouping: "component" }), head);
    expect(out).toEqual({
      message: 'No update could be applied: api/requirements.txt:2: declaration of "yyy" not found (line 2 does not declare it); api/requirements.txt:1: declaration of "zzz" not found (line 1 does not declare it)',
    });
  });

  it("surplus: a PR with any security update is kept, one without a marker can be closed; the comment carries its key", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    const mixed = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    const plain = (await open([pyDep("ccc", 3)], config(), head)) as OpenUpdateResult;
    // A PR of two updates, the second of them a security fix.
    const marker = parsePrMarker(pulls()[0].body)!;
    const mixedMarker = { ...marker, deps: [{ ...marker.deps[0], security: false }, { ...marker.deps[0], name: "bbb", line: 2, security: true }] };
    const mixedBody = `body\n\n<!-- cowabunga:pr:${JSON.stringify(mixedMarker)} -->`;
    const out = await maintain(config({ max_open_prs: 0, rebase: "never" }), { headSha: head, prs: [{ number: mixed.number, body: mixedBody }, { number: plain.number, body: "no marker" }] });
    expect(out.closed).toEqual([plain.number]);
    expect(pulls().find((p) => p.number === mixed.number)!.state).toBe("open");
    const comment = gh.repo(REPO).comments.find((x) => x.issue_number === plain.number)!;
    expect(comment.body).toContain("<!-- cowabunga:comment:surplus -->");
  });

  it("a PR closed as surplus is not read again nor rebuilt in the same run", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    const a = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    const sha = pulls()[0].head.sha;
    gh.commitFiles(REPO, { "api/requirements.txt": REQS3, "x.txt": "x" }, "moved");
    const before = gh.requests.length;
    const out = await maintain(config({ max_open_prs: 0, rebase: "behind" }));
    expect(out).toMatchObject({ closed: [a.number], recreated: [] });
    expect(gh.repo(REPO).refs.get(`heads/${a.branch}`)).toBe(sha);
    // Closed here: not even read again.
    expect(gh.requests.slice(before).filter((r) => r.method === "GET" && /\/pulls\/\d+$/.test(r.path))).toEqual([]);
  });

  it("a closed PR is not rebuilt even when its update would apply", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    const a = (await open([pyDep("aaa", 1)], config(), head)) as OpenUpdateResult;
    const sha = pulls()[0].head.sha;
    const body = pulls()[0].body;
    await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...ref, pull_number: a.number, state: "closed" });
    gh.commitFiles(REPO, { "api/requirements.txt": REQS3, "x.txt": "x" }, "moved");
    const out = await maintain(config({ rebase: "behind" }), { prs: [{ number: a.number, body }] });
    expect(out.recreated).toEqual([]);
    expect(gh.repo(REPO).refs.get(`heads/${a.branch}`)).toBe(sha);
  });

  it("a PR whose packages are gone from the base costs no read of the PR", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    await open([pyDep("aaa", 1)], config(), head);
    gh.commitFiles(REPO, { "api/requirements.txt": "bbb==1.0.0\n" }, "aaa removed");
    const before = gh.requests.length;
    expect(await maintain(config({ rebase: "behind" }), { dependencies: [pyDep("bbb", 1)] })).toMatchObject({ recreated: [], closed: [] });
    expect(gh.requests.slice(before).filter((r) => /\/pulls\/\d+/.test(r.path))).toEqual([]);
  });

  it("the rebuilt body is the old one with the new base, and only the marker replaced", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    await open([pyDep("aaa", 1)], config(), head);
    const old = pulls()[0].body;
    const head2 = gh.commitFiles(REPO, { "api/requirements.txt": REQS3, "x.txt": "x" }, "moved");
    expect((await maintain(config({ rebase: "behind" }))).recreated).toHaveLength(1);
    const strip = (b: string) => b.replace(/<!-- cowabunga:pr:[^\n]*? -->/, "").trimEnd();
    expect(strip(pulls()[0].body)).toBe(strip(old).split(head).join(head2));
  });

  it("the issue command links its issue and finds a dependency by a subject that starts with name@version", async () => {
    gh.addRepo(REPO, { "api/requirements.txt": REQS3 });
    await store.putDependencies(ref, [pyDep("aaa", 1), pyDep("bbb", 2)]);
    const issue = makeIssue({ id: "i-aaa", subject: "aaa@1.0.0 has a known issue", title: "t", files_affected: [] });
    const out = (await openUpdatePullRequest({ octokit, repo: ref, owner: "acme", store, issue, requestedBy: "alice", clock, log, config: config() })) as OpenUpdateResult;
    expect(out.branch).toBe("cowabunga/api/aaa-1.1.0");
    expect(parsePrMarker(pulls()[0].body)!.issues).toEqual(["i-aaa"]);
  });

  it("each manifest's lockfile command names only that manifest's packages", async () => {
    const head = gh.addRepo(REPO, { "api/requirements.txt": REQS3, "api/tools/requirements.txt": "ccc==1.0.0\n", "api/uv.lock": "version = 1\n" });
    await open([pyDep("aaa", 1), pyDep("ccc", 1, { file: "api/tools/requirements.txt" })], config({ grouping: "component" }), head);
    const lockfiles = plainText(pulls()[0].body.split("### Lockfiles")[1]!.split("###")[0]);
    expect(lockfiles).toContain("for api/requirements.txt (this host does not run this package manager). Run `cd api && uv lock --upgrade-package aaa` and");
    expect(lockfiles).toContain("for api/tools/requirements.txt (this host does not run this package manager). Run `cd api && uv lock --upgrade-package ccc` and");
  });
});
