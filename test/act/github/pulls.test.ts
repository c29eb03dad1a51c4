import { readFileSync } from "node:fs";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import { maintainOpenPullRequests, openUpdatePullRequest, parsePrMarker, planUpdates, updateBranchName } from "../../../src/act/github/pulls.js";
import type { Dependency } from "../../../src/model/index.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";
import { b64, clock, log, makeOctokit, NOW, tempStore, unb64 } from "./pulls-helpers.js";
import { createDockerDatasource } from "../../../src/enrich/datasources/docker.js";
import { createHttpClient } from "../../../src/enrich/http.js";

const API = "https://api.github.com";
const BASE = "a".repeat(40);
const TREE = "b".repeat(40);

function config(over: Partial<CowabungaConfig["updates"]> = {}): CowabungaConfig {
  const c = defaultConfig();
  return { ...c, updates: { ...c.updates, ...over } };
}

const secDep = (over: Partial<Dependency> = {}): Dependency =>
  makeDependency({
    advisories: [
      {
        id: "GHSA-x5c5-g3f3-abcd",
        kind: "vulnerability",
        aliases: ["CVE-2018-18074"],
        summary: "Leak <img src=x onerror=alert(1)> @admin see #12",
        url: "https://github.com/advisories/GHSA-x5c5-g3f3-abcd",
        score: 7.5,
        score_estimated: false,
        cvss_vector: null,
        fixed_version: "2.20.0",
        published: null,
      },
    ],
    breaking_changes: ["Drops Python 2 --> <script>alert(1)</script>"],
    source_url: "https://github.com/psf/requests/releases",
    ...over,
  });

const minorDep = (name: string, over: Partial<Dependency> = {}): Dependency =>
  makeDependency({ name, version: "1.0.0", latest_version: "1.1.0", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", current_value: "==1.0.0", line: 5, ...over });

describe("planUpdates", () => {
  it("puts security fixes first, filters update types, release age and windows", () => {
    const deps = [
      minorDep("aaa"),
      minorDep("majorpkg", { update_type: "major", latest_version: "2.0.0" }),
      minorDep("fresh", { latest_release_date: "2026-01-19T00:00:00Z" }),
      secDep(),
      minorDep("skipme", { skip_reason: "local-path" }),
    ];
    const plan = planUpdates({ dependencies: deps, issues: [makeIssue()] }, config(), [], { now: NOW, inWindow: true });
    expect(plan.groups.map((g) => g.updates[0].dep.name)).toEqual(["requests", "aaa"]);
    expect(plan.groups[0].updates[0].newVersion).toBe("2.20.0");
    expect(plan.groups[0].updates[0].issues.map((i) => i.id)).toEqual(["issue-1"]);
    expect(plan.groups[0].branch).toBe("cowabunga/api/requests-2.20.0");
    expect(plan.skipped.map((s) => s.name).sort()).toEqual(["fresh", "majorpkg", "skipme"]);

    const outside = planUpdates({ dependencies: [minorDep("aaa"), secDep({ vulnerability_score: 9.8 })], issues: [] }, config(), [], { now: NOW, inWindow: false });
    expect(outside.groups.map((g) => g.updates[0].dep.name)).toEqual(["requests"]);
    expect(outside.groups[0].critical).toBe(true);
    expect(outside.skipped[0].reason).toMatch(/maintenance windows/);
  });

  it("groups per component or all", () => {
    const deps = [minorDep("a1", { component: "api" }), minorDep("a2", { component: "api", line: 6 }), minorDep("u1", { component: "ui", file: "ui/requirements.txt" })];
    const none = planUpdates({ dependencies: deps, issues: [] }, config(), [], { now: NOW, inWindow: true });
    expect(none.groups).toHaveLength(3);
    const comp = planUpdates({ dependencies: deps, issues: [] }, config({ grouping: "component" }), [], { now: NOW, inWindow: true });
    expect(comp.groups.map((g) => [g.key, g.branch, g.updates.length])).toEqual([
      ["api/minor", "cowabunga/api/minor-updates", 2],
      ["ui/minor", "cowabunga/ui/minor-updates", 1],
    ]);
    const all = planUpdates({ dependencies: deps, issues: [] }, config({ grouping: "all" }), [], { now: NOW, inWindow: true });
    expect(all.groups.map((g) => [g.key, g.updates.length, g.title])).toEqual([["all/minor", 3, "chore(deps): 3 minor updates"]]);
  });

  it("respects max_open_prs, skips identical open PRs and supersedes older targets", () => {
    const marker = (to: string): string => `<!-- cowabunga:pr:${JSON.stringify({ v: 1, group: "api/aaa", issues: [], deps: [{ name: "aaa", file: "api/requirements.txt", to }], base_sha: BASE })} -->`;
    const open = [
      { number: 7, head_ref: "cowabunga/api/aaa-1.0.5", body: marker("1.0.5") },
      { number: 8, head_ref: "cowabunga/api/zzz-9", body: null },
    ];
    const plan = planUpdates({ dependencies: [minorDep("aaa"), minorDep("bbb")], issues: [] }, config({ max_open_prs: 2 }), open, { now: NOW, inWindow: true });
    expect(plan.groups.map((g) => [g.updates[0].dep.name, g.supersedes])).toEqual([["aaa", [7]]]);
    expect(plan.skipped).toEqual([{ name: "bbb", file: "api/requirements.txt", reason: "updates.max_open_prs (2) reached" }]);
    const same = planUpdates({ dependencies: [minorDep("aaa", { latest_version: "1.0.5" })], issues: [] }, config(), open, { now: NOW, inWindow: true });
    expect(same.groups).toEqual([]);
    expect(same.unchanged).toEqual([{ key: "api/aaa", number: 7 }]);
  });

  it("sanitises branch names to git ref rules", () => {
    expect(updateBranchName("My Comp", "@scope/pkg..name", "1.0.0.lock")).toBe("cowabunga/my-comp/scope-pkg.name-1.0.0-lock");
    expect(updateBranchName("", "a b~^:?*[\\", "v1")).toBe("cowabunga/root/a-b-v1");
  });
});

describe("openUpdatePullRequest", () => {
  let cleanup: () => void = () => undefined;
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    cleanup();
  });

  it("makes one commit with the Git Data API, opens the PR, labels, reviewers, closes the superseded PR, records a pending attempt", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const repoRef = { owner: "acme", repo: "widgets" };
    await t.store.updateIssues(repoRef, () => [makeIssue({ github_issue_number: 31 })]);
    const requirements = "flask==2.0\n# pinned\nrequests==2.19.0\n";
    const order: string[] = [];
    const seen: Record<string, unknown> = {};
    const rec = (name: string, reply: unknown) => (_uri: string, body: unknown) => {
      order.push(name);
      seen[name] = body;
      return [name.startsWith("POST") ? 201 : 200, reply] as [number, unknown];
    };
    const scope = nock(API)
      .get(`/repos/acme/widgets/git/commits/${BASE}`)
      .reply(200, { sha: BASE, tree: { sha: TREE }, parents: [] })
      .get(`/repos/acme/widgets/git/trees/${TREE}`)
      .query({ recursive: "1" })
      .reply(200, { sha: TREE, truncated: false, tree: [{ path: "api/requirements.txt", mode: "100755", type: "blob", sha: "c".repeat(40) }] })
      .get(`/repos/acme/widgets/git/blobs/${"c".repeat(40)}`)
      .reply(200, { content: b64(requirements), encoding: "base64", sha: "c".repeat(40) })
      .post("/repos/acme/widgets/git/blobs")
      .reply(rec("POST blobs", { sha: "d".repeat(40) }))
      .post("/repos/acme/widgets/git/trees")
      .reply(rec("POST trees", { sha: "e".repeat(40) }))
      .post("/repos/acme/widgets/git/commits")
      .reply(rec("POST commits", { sha: "f".repeat(40) }))
      .post("/repos/acme/widgets/git/refs")
      .reply(rec("POST refs", { ref: "refs/heads/x" }))
      .post("/repos/acme/widgets/pulls")
      .reply(rec("POST pulls", { number: 42, html_url: "https://github.com/acme/widgets/pull/42" }))
      .post("/repos/acme/widgets/issues/42/labels")
      .reply(rec("POST labels", []))
      .post("/repos/acme/widgets/pulls/42/requested_reviewers")
      .reply(rec("POST reviewers", {}))
      .get("/repos/acme/widgets/issues/7/comments")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/widgets/issues/7/comments")
      .reply(rec("POST comment 7", {}))
      .patch("/repos/acme/widgets/pulls/7")
      .reply(rec("PATCH pulls 7", { number: 7, head: { ref: "cowabunga/api/requests-2.19.1" } }))
      .delete("/repos/acme/widgets/git/refs/heads%2Fcowabunga%2Fapi%2Frequests-2.19.1")
      .reply(rec("DELETE ref 7", {}));

    const cfg = config({ reviewers: ["alice", "acme/platform"] });
    const plan = planUpdates({ dependencies: [secDep()], issues: await t.store.getIssues(repoRef) }, cfg, [], { now: NOW, inWindow: true });
    const group = { ...plan.groups[0], supersedes: [7] };
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group, config: cfg, store: t.store, clock, log });
    scope.done();

    // The superseded PR: one comment (keyed, so never twice), closed, its branch deleted.
    expect(order).toEqual(["POST blobs", "POST trees", "POST commits", "POST refs", "POST pulls", "POST labels", "POST reviewers", "POST comment 7", "PATCH pulls 7", "DELETE ref 7"]);
    expect((seen["POST comment 7"] as { body: string }).body).toContain("<!-- cowabunga:comment:superseded-by:42 -->");
    expect(unb64((seen["POST blobs"] as { content: string }).content)).toBe("flask==2.0\n# pinned\nrequests==2.20.0\n");
    expect(seen["POST trees"]).toEqual({ base_tree: TREE, tree: [{ path: "api/requirements.txt", mode: "100755", type: "blob", sha: "d".repeat(40) }] });
    expect(seen["POST commits"]).toMatchObject({ tree: "e".repeat(40), parents: [BASE] });
    expect(seen["POST refs"]).toEqual({ ref: "refs/heads/cowabunga/api/requests-2.20.0", sha: "f".repeat(40) });
    expect(seen["POST reviewers"]).toEqual({ reviewers: ["alice"], team_reviewers: ["platform"] });
    expect(seen["POST labels"]).toEqual({ labels: ["dependencies", "cowabunga"] });
    expect(seen["PATCH pulls 7"]).toEqual({ state: "closed" });

    const body = (seen["POST pulls"] as { body: string; head: string; base: string }).body;
    expect((seen["POST pulls"] as { head: string }).head).toBe("cowabunga/api/requests-2.20.0");
    expect(body).toContain(`rollback_before_commit: \`${BASE}\``);
    expect(body).toContain("git revert -m 1 <merge commit>");
    expect(body).toContain(`git checkout -b rollback ${BASE}`);
    expect(body).toContain("[GHSA-x5c5-g3f3-abcd](https://github.com/advisories/GHSA-x5c5-g3f3-abcd)");
    expect(body).toContain("CVSS 7.5");
    expect(body).toContain("Resolves #31");
    expect(body).toContain("- [ ] run api tests");
    expect(body).toMatch(/### Risk: (none|low|medium|high|critical)/);
    // Hostile text is escaped: no raw HTML, no live mention, no early end of the marker comment.
    expect(body).not.toContain("<img");
    expect(body).not.toContain("<script>");
    expect(body).toContain("&lt;img src=x onerror=alert\\(1\\)&gt;");
    expect(body).not.toMatch(/@admin/);
    // Two HTML comments only, both the app's: the rebase checkbox and the marker (nothing else breaks out).
    expect(body.match(/-->/g)).toHaveLength(2);
    expect(body.match(/<!-- cowabunga:(rebase|pr:)/g)).toHaveLength(2);
    const marker = parsePrMarker(body);
    expect(marker).toMatchObject({ group: "api/requests", issues: ["issue-1"], base_sha: BASE, deps: [{ name: "requests", from: "2.19.0", to: "2.20.0", file: "api/requirements.txt", line: 3 }] });

    expect(out).toMatchObject({ number: 42, branch: "cowabunga/api/requests-2.20.0", commit_sha: "f".repeat(40), superseded: [7] });
    const records = await t.store.getRecords(repoRef);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: "pr-42", attempt_status: "pending", pull_request: 42, rollback_before_commit: BASE, dependencies_updated: ["requests@2.19.0→2.20.0"], type: "security_patch" });
    const issues = await t.store.getIssues(repoRef);
    expect(issues[0].lifecycle_state).toBe("in_progress");
    expect(issues[0].status).toBe("in_progress");
  });

  it("force-moves an existing branch and refreshes the open PR when recreating", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const scope = nock(API)
      .get(`/repos/acme/widgets/git/commits/${BASE}`)
      .reply(200, { sha: BASE, tree: { sha: TREE } })
      .get(`/repos/acme/widgets/git/trees/${TREE}`)
      .query(true)
      .reply(200, { tree: [{ path: "api/requirements.txt", mode: "100644", type: "blob", sha: "c".repeat(40) }] })
      .get(`/repos/acme/widgets/git/blobs/${"c".repeat(40)}`)
      .reply(200, { content: b64("requests==2.19.0\n"), encoding: "base64" })
      .post("/repos/acme/widgets/git/blobs")
      .reply(201, { sha: "d".repeat(40) })
      .post("/repos/acme/widgets/git/trees", (b: { tree: Array<{ mode: string }> }) => b.tree[0].mode === "100644")
      .reply(201, { sha: "e".repeat(40) })
      .post("/repos/acme/widgets/git/commits")
      .reply(201, { sha: "f".repeat(40) })
      .post("/repos/acme/widgets/git/refs")
      .reply(422, { message: "Reference already exists" })
      .patch("/repos/acme/widgets/git/refs/heads%2Fcowabunga%2Fapi%2Frequests-2.20.0", { sha: "f".repeat(40), force: true })
      .reply(200, {})
      .post("/repos/acme/widgets/pulls")
      .reply(422, { message: "A pull request already exists" })
      .get("/repos/acme/widgets/pulls")
      .query({ state: "open", head: "acme:cowabunga/api/requests-2.20.0", per_page: "1" })
      .reply(200, [{ number: 9, html_url: "https://github.com/acme/widgets/pull/9" }])
      .patch("/repos/acme/widgets/pulls/9")
      .reply(200, {})
      .post("/repos/acme/widgets/issues/9/labels")
      .reply(200, []);
    const cfg = config();
    const plan = planUpdates({ dependencies: [secDep({ line: 1 })], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log });
    scope.done();
    expect(out).toMatchObject({ number: 9 });
  });

  it("fixes a transitive crate in place: Cargo.lock's entry moves to the fixed version with the index checksum; the body shows the path before and after", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const lock = readFileSync(new URL("../../fixtures/graph/cargo/Cargo.lock", import.meta.url), "utf8");
    const cksum = "ab".repeat(32);
    const seen: Record<string, unknown> = {};
    const rec = (name: string, reply: unknown) => (_uri: string, body: unknown) => {
      seen[name] = body;
      return [name.startsWith("POST") ? 201 : 200, reply] as [number, unknown];
    };
    const scope = nock(API)
      .get(`/repos/acme/widgets/git/commits/${BASE}`)
      .reply(200, { sha: BASE, tree: { sha: TREE } })
      .get(`/repos/acme/widgets/git/trees/${TREE}`)
      .query(true)
      .reply(200, { tree: [{ path: "Cargo.lock", mode: "100644", type: "blob", sha: "c".repeat(40) }] })
      .get(`/repos/acme/widgets/git/blobs/${"c".repeat(40)}`)
      .reply(200, { content: b64(lock), encoding: "base64" })
      .post("/repos/acme/widgets/git/blobs")
      .reply(rec("POST blobs", { sha: "d".repeat(40) }))
      .post("/repos/acme/widgets/git/trees")
      .reply(201, { sha: "e".repeat(40) })
      .post("/repos/acme/widgets/git/commits")
      .reply(201, { sha: "f".repeat(40) })
      .post("/repos/acme/widgets/git/refs")
      .reply(201, {})
      .post("/repos/acme/widgets/pulls")
      .reply(rec("POST pulls", { number: 51, html_url: "https://github.com/acme/widgets/pull/51" }))
      .post("/repos/acme/widgets/issues/51/labels")
      .reply(200, []);
    const h2 = makeDependency({
      name: "h2",
      version: "0.3.20",
      locked_version: "0.3.20",
      package_manager: "cargo",
      datasource: "crates",
      component: "web",
      current_value: "(transitive)",
      file: "Cargo.lock",
      line: null,
      lockfile: "Cargo.lock",
      depth: 2,
      lookup: { status: "skipped", reason: "transitive" },
      introduced_through: [[{ name: "hyper", version: "0.14.27", requirement: "0.14" }, { name: "h2", version: "0.3.20", requirement: "^0.3.17" }]],
      fixed_version: "0.3.26",
      vulnerability_score: 7.5,
      advisories: [{ id: "RUSTSEC-2024-0332", kind: "vulnerability", aliases: [], summary: "h2 CONTINUATION flood", url: null, score: 7.5, score_estimated: false, cvss_vector: null, fixed_version: "0.3.26", published: null }],
      remediation: { kind: "in_place", target_version: "0.3.26", file: "Cargo.lock", action: "Update h2 in Cargo.lock only", parent: null, risk: null, removes: ["RUSTSEC-2024-0332"], reasons: [] },
    });
    const cfg = config();
    const plan = planUpdates({ dependencies: [h2, { ...h2, component: "cli", depth: 3 }], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    // One edit of the shared lockfile entry, not one per component.
    expect(plan.groups.flatMap((g) => g.updates)).toHaveLength(1);
    const asked: string[] = [];
    const artefacts = {
      artefact: async (ds: string, name: string, version: string) => {
        asked.push(`${ds}:${name}@${version}`);
        return { version, resolved: null, integrity: cksum };
      },
    };
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, artefacts });
    scope.done();
    expect(out).toMatchObject({ number: 51 });
    expect(asked).toEqual(["crates:h2@0.3.26"]);
    const blob = unb64((seen["POST blobs"] as { content: string }).content);
    expect(blob).toContain(`name = "h2"\nversion = "0.3.26"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${cksum}"`);
    const body = (seen["POST pulls"] as { body: string }).body;
    expect(body).toContain("- before: web → hyper 0.14.27 → h2 0.3.20");
    expect(body).toContain("  after: web → hyper 0.14.27 → h2 0.3.26");
    expect(body).toContain("Cargo.lock edited in place (no package manager run): h2 0.3.20 → 0.3.26");
    expect(body).toContain("RUSTSEC-2024-0332");
  });

  it("fixes a transitive Go module in place: go.mod's // indirect line and go.sum's lines from the checksum database, in one commit", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const h = (c: string): string => `h1:${c.repeat(43)}=`;
    const goMod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.10.0 // indirect\n\tgolang.org/x/text v0.9.0 // indirect\n)\n";
    const goSum = `golang.org/x/net v0.10.0 ${h("a")}\ngolang.org/x/net v0.10.0/go.mod ${h("b")}\ngolang.org/x/text v0.9.0 ${h("c")}\ngolang.org/x/text v0.9.0/go.mod ${h("d")}\n`;
    const blobs: string[] = [];
    let tree: unknown = null;
    let prBody = "";
    const scope = nock(API)
      .get(`/repos/acme/widgets/git/commits/${BASE}`)
      .reply(200, { sha: BASE, tree: { sha: TREE } })
      .get(`/repos/acme/widgets/git/trees/${TREE}`)
      .query(true)
      .reply(200, {
        tree: [
          { path: "go.mod", mode: "100644", type: "blob", sha: "1".repeat(40) },
          { path: "go.sum", mode: "100644", type: "blob", sha: "2".repeat(40) },
        ],
      })
      .get(`/repos/acme/widgets/git/blobs/${"1".repeat(40)}`)
      .reply(200, { content: b64(goMod), encoding: "base64" })
      .get(`/repos/acme/widgets/git/blobs/${"2".repeat(40)}`)
      .reply(200, { content: b64(goSum), encoding: "base64" })
      .post("/repos/acme/widgets/git/blobs")
      .times(2)
      .reply((_uri: string, body: unknown) => {
        blobs.push(unb64((body as { content: string }).content));
        return [201, { sha: String(blobs.length).repeat(40) }];
      })
      .post("/repos/acme/widgets/git/trees")
      .reply((_uri: string, body: unknown) => {
        tree = body;
        return [201, { sha: "e".repeat(40) }];
      })
      .post("/repos/acme/widgets/git/commits")
      .reply(201, { sha: "f".repeat(40) })
      .post("/repos/acme/widgets/git/refs")
      .reply(201, {})
      .post("/repos/acme/widgets/pulls")
      .reply((_uri: string, body: unknown) => {
        prBody = (body as { body: string }).body;
        return [201, { number: 52, html_url: "https://github.com/acme/widgets/pull/52" }];
      })
      .post("/repos/acme/widgets/issues/52/labels")
      .reply(200, []);
    const net = makeDependency({
      name: "golang.org/x/net",
      version: "v0.10.0",
      locked_version: "v0.10.0",
      package_manager: "go",
      datasource: "go",
      component: "app",
      current_value: "(transitive)",
      file: "go.mod",
      line: null,
      lockfile: "go.mod",
      depth: null,
      lookup: { status: "skipped", reason: "transitive" },
      fixed_version: "v0.17.0",
      vulnerability_score: 7.5,
      advisories: [{ id: "GO-2023-2102", kind: "vulnerability", aliases: [], summary: "HTTP/2 rapid reset", url: null, score: 7.5, score_estimated: false, cvss_vector: null, fixed_version: "v0.17.0", published: null }],
      remediation: { kind: "in_place", target_version: "v0.17.0", file: "go.mod", action: "Raise the // indirect requirement", parent: null, risk: null, removes: ["GO-2023-2102"], reasons: [] },
    });
    const cfg = config();
    const plan = planUpdates({ dependencies: [net], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const artefacts = {
      artefact: async (_ds: string, _name: string, version: string) => ({
        version,
        resolved: null,
        integrity: null,
        go_sum: [`golang.org/x/net v0.17.0 ${h("e")}`, `golang.org/x/net v0.17.0/go.mod ${h("f")}`],
        dependencies: new Map([["golang.org/x/text", "v0.9.0"]]),
        go_sum_requirements: [`golang.org/x/text v0.9.0/go.mod ${h("d")}`],
      }),
    };
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, artefacts });
    scope.done();
    expect(out).toMatchObject({ number: 52 });
    expect(blobs).toContain(goMod.replace("golang.org/x/net v0.10.0", "golang.org/x/net v0.17.0"));
    expect(blobs).toContain(`golang.org/x/net v0.10.0/go.mod ${h("b")}\ngolang.org/x/net v0.17.0 ${h("e")}\ngolang.org/x/net v0.17.0/go.mod ${h("f")}\ngolang.org/x/text v0.9.0 ${h("c")}\ngolang.org/x/text v0.9.0/go.mod ${h("d")}\n`);
    expect(((tree as { tree: Array<{ path: string }> }).tree.map((e) => e.path)).sort()).toEqual(["go.mod", "go.sum"]);
    expect(prBody).toContain("go.mod edited in place (no package manager run): golang.org/x/net v0.10.0 → v0.17.0");
    expect(prBody).toContain("go.sum edited in place (no package manager run): golang.org/x/net v0.10.0 → v0.17.0");
  });

  it("returns a message naming the file and line when no update applies, without writing", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const scope = nock(API)
      .get(`/repos/acme/widgets/git/commits/${BASE}`)
      .reply(200, { sha: BASE, tree: { sha: TREE } })
      .get(`/repos/acme/widgets/git/trees/${TREE}`)
      .query(true)
      .reply(200, { tree: [{ path: "api/requirements.txt", mode: "100644", type: "blob", sha: "c".repeat(40) }] })
      .get(`/repos/acme/widgets/git/blobs/${"c".repeat(40)}`)
      .reply(200, { content: b64("flask==1.0\n"), encoding: "base64" });
    const cfg = config();
    const plan = planUpdates({ dependencies: [secDep({ line: 1 })], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log });
    scope.done();
    expect(out).toEqual({ message: expect.stringContaining("api/requirements.txt:1: declaration of \"requests\" not found") });
    expect(await t.store.getRecords({ owner: "acme", repo: "widgets" })).toEqual([]);
  });
});

describe("maintainOpenPullRequests", () => {
  let cleanup: () => void = () => undefined;
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    cleanup();
  });

  const HEAD = "9".repeat(40);
  const prBody = (name: string, line: number): string =>
    `old body ${BASE}\n<!-- cowabunga:pr:${JSON.stringify({ v: 1, group: `api/${name}`, issues: [], deps: [{ name, component: "api", package_manager: "pip", file: "api/requirements.txt", line, current_value: "==1.0.0", from: "1.0.0", to: "1.1.0", security: false }], base_sha: BASE })} -->`;
  const pr = (number: number, name: string, line: number) => ({ number, body: prBody(name, line), head: { ref: `cowabunga/api/${name}-1.1.0`, sha: "1".repeat(40) }, base: { ref: "main", sha: BASE }, html_url: "u" });

  it("recreates a conflicting PR with only app commits, leaves human-edited and merely-behind PRs alone", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const newTree = "7".repeat(40);
    let patchedBody = "";
    const scope = nock(API)
      .get("/repos/acme/widgets/pulls")
      .query(true)
      .reply(200, [pr(1, "aaa", 1), pr(2, "bbb", 2), pr(3, "ccc", 3), { ...pr(4, "x", 1), head: { ref: "feature/human", sha: "2".repeat(40) } }])
      .get("/repos/acme/widgets/git/ref/heads%2Fmain")
      .reply(200, { object: { sha: HEAD } })
      .get("/repos/acme/widgets/pulls/1")
      .reply(200, { number: 1, mergeable: false, title: "chore(deps): update aaa to 1.1.0", base: { sha: BASE } })
      .get("/repos/acme/widgets/pulls/1/commits")
      .query(true)
      .reply(200, [{ author: { login: "cowabunga[bot]" }, committer: { login: "cowabunga[bot]" } }])
      .get(`/repos/acme/widgets/git/commits/${HEAD}`)
      .reply(200, { tree: { sha: newTree } })
      .get(`/repos/acme/widgets/git/trees/${newTree}`)
      .query(true)
      .reply(200, { tree: [{ path: "api/requirements.txt", mode: "100644", type: "blob", sha: "c".repeat(40) }] })
      .get(`/repos/acme/widgets/git/blobs/${"c".repeat(40)}`)
      .reply(200, { content: b64("aaa==1.0.0\nbbb==1.0.0\nccc==1.0.0\nnew==1\n"), encoding: "base64" })
      .post("/repos/acme/widgets/git/blobs", (b: { content: string }) => unb64(b.content) === "aaa==1.1.0\nbbb==1.0.0\nccc==1.0.0\nnew==1\n")
      .reply(201, { sha: "d".repeat(40) })
      .post("/repos/acme/widgets/git/trees", { base_tree: newTree, tree: [{ path: "api/requirements.txt", mode: "100644", type: "blob", sha: "d".repeat(40) }] })
      .reply(201, { sha: "e".repeat(40) })
      .post("/repos/acme/widgets/git/commits", { message: "chore(deps): update aaa to 1.1.0", tree: "e".repeat(40), parents: [HEAD] })
      .reply(201, { sha: "f".repeat(40) })
      .patch("/repos/acme/widgets/git/refs/heads%2Fcowabunga%2Fapi%2Faaa-1.1.0", { sha: "f".repeat(40), force: true })
      .reply(200, {})
      .patch("/repos/acme/widgets/pulls/1", (b: { body: string }) => {
        patchedBody = b.body;
        return true;
      })
      .reply(200, {})
      .get("/repos/acme/widgets/pulls/2")
      .reply(200, { number: 2, mergeable: false, title: "t", base: { sha: BASE } })
      .get("/repos/acme/widgets/pulls/2/commits")
      .query(true)
      .reply(200, [{ author: { login: "cowabunga[bot]" }, committer: { login: "cowabunga[bot]" } }, { author: { login: "alice" }, committer: { login: "alice" } }])
      .get("/repos/acme/widgets/pulls/3")
      .reply(200, { number: 3, mergeable: true, title: "t", base: { sha: BASE } });

    const out = await maintainOpenPullRequests({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", config: config(), store: t.store, clock, log, appLogins: ["cowabunga[bot]"] });
    scope.done();
    expect(out).toEqual({ recreated: [1], humanEdited: [2], closed: [], upToDate: [], errors: [] });
    expect(parsePrMarker(patchedBody)?.base_sha).toBe(HEAD);
    expect(patchedBody).toContain(`old body ${HEAD}`);
    expect(patchedBody.match(/cowabunga:pr:/g)).toHaveLength(1);
  });

  it("closes the newest non-security PRs over max_open_prs", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const scope = nock(API)
      .get("/repos/acme/widgets/pulls")
      .query(true)
      .reply(200, [pr(1, "aaa", 1), pr(2, "bbb", 2), pr(3, "ccc", 3)])
      .get("/repos/acme/widgets/git/ref/heads%2Fmain")
      .reply(200, { object: { sha: HEAD } })
      .get("/repos/acme/widgets/issues/3/comments")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/widgets/issues/3/comments")
      .reply(201, {})
      .patch("/repos/acme/widgets/pulls/3", { state: "closed" })
      .reply(200, {});
    const out = await maintainOpenPullRequests({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", config: config({ max_open_prs: 2, rebase: "never" }), store: t.store, clock, log, appLogins: ["cowabunga[bot]"] });
    scope.done();
    expect(out.closed).toEqual([3]);
  });
});

describe("openUpdatePullRequest: SHA- and digest-pinned declarations", () => {
  let cleanup: () => void = () => undefined;
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    cleanup();
  });

  const OLD_SHA = "d632683dd7b4114ad314bca15554477dd762a938";
  const NEW_SHA = "11bd71901bbe5b1630ceea73d27597364c9af683";
  const TAG_OBJ = "5".repeat(40);
  const OLD_DIGEST = `sha256:${"1".repeat(64)}`;
  const NEW_DIGEST = `sha256:${"ab".repeat(32)}`;
  const WF = ".github/workflows/ci.yml";
  const workflow = `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@${OLD_SHA} # v4.1.6\n      - run: make\n`;
  const actionDep = (over: Partial<Dependency> = {}): Dependency =>
    makeDependency({
      name: "actions/checkout",
      package_manager: "github-actions",
      datasource: "github-tags",
      component: "ci",
      file: WF,
      line: 6,
      version: "v4.1.6",
      current_value: "v4.1.6",
      latest_version: "v4.2.2",
      update_type: "minor",
      dependency_type: "build",
      cve_ids: [],
      advisories: [],
      vulnerability_score: null,
      fixed_version: null,
      ...over,
    });
  const gitRead = (path: string, content: string) =>
    nock(API)
      .get(`/repos/acme/widgets/git/commits/${BASE}`)
      .reply(200, { sha: BASE, tree: { sha: TREE } })
      .get(`/repos/acme/widgets/git/trees/${TREE}`)
      .query(true)
      .reply(200, { tree: [{ path, mode: "100644", type: "blob", sha: "c".repeat(40) }] })
      .get(`/repos/acme/widgets/git/blobs/${"c".repeat(40)}`)
      .reply(200, { content: b64(content), encoding: "base64" });
  const gitWrite = (scope: nock.Scope, seen: Record<string, unknown>, pr = 50) =>
    scope
      .post("/repos/acme/widgets/git/blobs", (b: { content: string }) => {
        seen.blob = unb64(b.content);
        return true;
      })
      .reply(201, { sha: "d".repeat(40) })
      .post("/repos/acme/widgets/git/trees")
      .reply(201, { sha: "e".repeat(40) })
      .post("/repos/acme/widgets/git/commits")
      .reply(201, { sha: "f".repeat(40) })
      .post("/repos/acme/widgets/git/refs")
      .reply(201, {})
      .post("/repos/acme/widgets/pulls", (b: { body: string }) => {
        seen.body = b.body;
        return true;
      })
      .reply(201, { number: pr, html_url: `https://github.com/acme/widgets/pull/${pr}` })
      .post(`/repos/acme/widgets/issues/${pr}/labels`)
      .reply(200, []);

  it("moves a SHA-pinned action to the new tag's commit (annotated tag dereferenced) and rewrites its version comment", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const seen: Record<string, unknown> = {};
    const scope = gitWrite(
      gitRead(WF, workflow)
        .get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2")
        .reply(200, { ref: "refs/tags/v4.2.2", object: { type: "tag", sha: TAG_OBJ } })
        .get(`/repos/actions/checkout/git/tags/${TAG_OBJ}`)
        .reply(200, { sha: TAG_OBJ, object: { type: "commit", sha: NEW_SHA } }),
      seen,
    );
    const cfg = config();
    const plan = planUpdates({ dependencies: [actionDep()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log });
    scope.done();
    expect(out).toMatchObject({ number: 50, failures: [] });
    expect(seen.blob).toBe(workflow.replace(`@${OLD_SHA} # v4.1.6`, `@${NEW_SHA} # v4.2.2`));
    const body = seen.body as string;
    expect(body).toContain("| v4.1.6 \\(d632683\\) | v4.2.2 \\(11bd719\\) |");
    expect(parsePrMarker(body)?.deps[0]).toMatchObject({ name: "actions/checkout", from: "v4.1.6", to: "v4.2.2", from_digest: OLD_SHA, to_digest: NEW_SHA });
  });

  it("moves a digest-pinned image to the new tag's manifest digest through the registry token flow", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const REG = "https://registry.example.test";
    const dockerfile = `FROM registry.example.test/acme/app:1.2.0@${OLD_DIGEST} AS base\nRUN true\n`;
    const seen: Record<string, unknown> = {};
    const scope = gitWrite(gitRead("svc/Dockerfile", dockerfile), seen, 51);
    const reg = nock(REG)
      .head("/v2/acme/app/manifests/1.3.0")
      .reply(401, "", { "www-authenticate": 'Bearer realm="https://auth.example.test/token",service="registry.example.test",scope="repository:acme/app:pull"' })
      .head("/v2/acme/app/manifests/1.3.0")
      .matchHeader("authorization", "Bearer tok")
      .matchHeader("accept", /application\/vnd\.oci\.image\.index\.v1\+json/)
      .reply(200, "", { "docker-content-digest": NEW_DIGEST });
    const auth = nock("https://auth.example.test").get("/token").query(true).reply(200, { token: "tok" });
    const dep = actionDep({ name: "registry.example.test/acme/app", package_manager: "docker", datasource: "docker", component: "svc", file: "svc/Dockerfile", line: 1, version: "1.2.0", current_value: "1.2.0", latest_version: "1.3.0" });
    const cfg = config();
    const plan = planUpdates({ dependencies: [dep], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const docker = createDockerDatasource({ http: createHttpClient({ urlGuard: null, retries: 0 }) });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, docker });
    scope.done();
    reg.done();
    auth.done();
    expect(out).toMatchObject({ number: 51 });
    expect(seen.blob).toBe(`FROM registry.example.test/acme/app:1.3.0@${NEW_DIGEST} AS base\nRUN true\n`);
    // (escapeMarkdown guards a leading "1." as an ordered-list marker.)
    expect(seen.body).toContain("| 1\\.2.0 \\(sha256:111111111111\\) | 1\\.3.0 \\(sha256:abababababab\\) |");
  });

  it("lists a pinned update whose lookup fails under Not updated, naming the request, and still opens the others", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const wf = `${workflow}      - uses: actions/setup-node@v4.0.0\n`;
    const seen: Record<string, unknown> = {};
    const scope = gitWrite(gitRead(WF, wf).get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2").reply(404, { message: "Not Found" }), seen, 52);
    const cfg = config({ grouping: "component" });
    const deps = [actionDep(), actionDep({ name: "actions/setup-node", line: 8, version: "v4.0.0", current_value: "v4.0.0", latest_version: "v4.1.0" })];
    const plan = planUpdates({ dependencies: deps, issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log });
    scope.done();
    expect(seen.blob).toBe(wf.replace("setup-node@v4.0.0", "setup-node@v4.1.0"));
    expect((out as { failures: string[] }).failures).toEqual([expect.stringContaining(".github/workflows/ci.yml:6: actions/checkout: could not resolve the commit SHA of v4.2.2: GET /repos/actions/checkout/git/ref/tags/v4.2.2: tag not found")]);
    const body = seen.body as string;
    expect(body).toContain("### Not updated");
    expect(body).toContain("git/ref/tags/v4.2.2: tag not found");
    expect(parsePrMarker(body)?.deps.map((d) => d.name)).toEqual(["actions/setup-node"]);
  });

  it("writes nothing when the only pinned update cannot be resolved", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const scope = gitRead(WF, workflow).get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2").reply(500, { message: "Server Error" });
    const cfg = config();
    const plan = planUpdates({ dependencies: [actionDep()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log });
    scope.done();
    expect(out).toEqual({ message: expect.stringMatching(/GET \/repos\/actions\/checkout\/git\/ref\/tags\/v4\.2\.2: .*\(HTTP 500\); not updated/) });
    expect(await t.store.getRecords({ owner: "acme", repo: "widgets" })).toEqual([]);
  });

  it("recreates a pinned update on a new base with the SHA its marker recorded, without a new lookup", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const HEAD = "9".repeat(40);
    const newTree = "7".repeat(40);
    const marker = { v: 1, group: "ci/actions/checkout", issues: [], base_sha: BASE, deps: [{ name: "actions/checkout", component: "ci", package_manager: "github-actions", file: WF, line: 6, current_value: "v4.1.6", from: "v4.1.6", to: "v4.2.2", security: false, from_digest: OLD_SHA, to_digest: NEW_SHA }] };
    const moved = `# moved
${workflow}`.replace("\n      - run: make", "\n      - run: make test");
    const scope = nock(API)
      .get("/repos/acme/widgets/pulls/60")
      .reply(200, { number: 60, mergeable: false, title: "chore(deps): update actions/checkout to v4.2.2", head: { ref: "cowabunga/ci/actions-checkout-v4.2.2" }, base: { sha: BASE } })
      .get("/repos/acme/widgets/pulls/60/commits")
      .query(true)
      .reply(200, [{ author: { login: "cowabunga[bot]" }, committer: { login: "cowabunga[bot]" } }])
      .get(`/repos/acme/widgets/git/commits/${HEAD}`)
      .reply(200, { tree: { sha: newTree } })
      .get(`/repos/acme/widgets/git/trees/${newTree}`)
      .query(true)
      .reply(200, { tree: [{ path: WF, mode: "100644", type: "blob", sha: "c".repeat(40) }] })
      .get(`/repos/acme/widgets/git/blobs/${"c".repeat(40)}`)
      .reply(200, { content: b64(moved), encoding: "base64" })
      .post("/repos/acme/widgets/git/blobs", (b: { content: string }) => unb64(b.content) === moved.replace(`@${OLD_SHA} # v4.1.6`, `@${NEW_SHA} # v4.2.2`))
      .reply(201, { sha: "d".repeat(40) })
      .post("/repos/acme/widgets/git/trees")
      .reply(201, { sha: "e".repeat(40) })
      .post("/repos/acme/widgets/git/commits")
      .reply(201, { sha: "f".repeat(40) })
      .patch("/repos/acme/widgets/git/refs/heads%2Fcowabunga%2Fci%2Factions-checkout-v4.2.2")
      .reply(200, {})
      .patch("/repos/acme/widgets/pulls/60")
      .reply(200, {});
    // The scan's line (6) is stale on the new base (a line was added above): the updater finds the only match.
    marker.deps[0].line = null as unknown as number;
    const out = await maintainOpenPullRequests({
      octokit: makeOctokit(),
      owner: "acme",
      repo: "widgets",
      defaultBranch: "main",
      config: config(),
      store: t.store,
      clock,
      log,
      appLogins: ["cowabunga[bot]"],
      headSha: HEAD,
      prs: [{ number: 60, body: `body\n<!-- cowabunga:pr:${JSON.stringify(marker)} -->` }],
    });
    scope.done();
    expect(out.recreated).toEqual([60]);
  });

  it("shows a SHA pinned without a version comment as the short SHA, inventing no version", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const bare = workflow.replace(" # v4.1.6", "");
    const seen: Record<string, unknown> = {};
    const scope = gitWrite(gitRead(WF, bare).get("/repos/actions/checkout/git/ref/tags%2Fv4.2.2").reply(200, { object: { type: "commit", sha: NEW_SHA } }), seen, 53);
    const cfg = config();
    const plan = planUpdates({ dependencies: [actionDep({ version: OLD_SHA, current_value: OLD_SHA })], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log });
    scope.done();
    expect(seen.blob).toBe(bare.replace(OLD_SHA, NEW_SHA));
    expect(seen.body).toContain("| d632683 | v4.2.2 \\(11bd719\\) |");
  });
});
