/**
 * In-place go.sum fixes behind a Go module mirror (air-gapped): the checksum database's lines come from
 * the mirror's sumdb proxy (`<GOPROXY>/sumdb/sum.golang.org`) or `registries.go_sumdb`, never from
 * sum.golang.org; a mirror that is down or `go_sumdb: off` leaves go.sum under "Not updated" with the
 * command that relocks it.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import { openUpdatePullRequest, planUpdates } from "../../../src/act/github/pulls.js";
import type { Dependency } from "../../../src/model/index.js";
import { makeDependency } from "../../helpers/factories.js";
import { testClient } from "../../enrich/datasources/helpers.js";
import { createHttpClient } from "../../../src/enrich/http.js";
import { b64, clock, log, makeOctokit, NOW, tempStore, unb64 } from "./pulls-helpers.js";

const API = "https://api.github.com";
const BASE = "a".repeat(40);
const TREE = "b".repeat(40);
const MIRROR = "https://goproxy.mirror.example";
const h = (c: string): string => `h1:${c.repeat(43)}=`;
const GO_MOD = "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.10.0 // indirect\n\tgolang.org/x/text v0.9.0 // indirect\n)\n";
const GO_SUM = `golang.org/x/net v0.10.0 ${h("a")}\ngolang.org/x/net v0.10.0/go.mod ${h("b")}\ngolang.org/x/text v0.9.0 ${h("c")}\ngolang.org/x/text v0.9.0/go.mod ${h("d")}\n`;

/** The body's Markdown escaping undone (backslashes, entities, the zero-width joiner after "@"). */
const plain = (s: string): string => s.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, "$1").replace(/\u200d/g, "").replace(/&amp;/g, "&");

const netDep = (): Dependency =>
  makeDependency({
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
    lookup: { status: "skipped", reason: "transitive" },
    fixed_version: "v0.17.0",
    vulnerability_score: 7.5,
    advisories: [{ id: "GO-2023-2102", kind: "vulnerability", aliases: [], summary: "HTTP/2 rapid reset", url: null, score: 7.5, score_estimated: false, cvss_vector: null, fixed_version: "v0.17.0", published: null }],
    remediation: { kind: "in_place", target_version: "v0.17.0", file: "go.mod", action: "Raise the // indirect requirement", parent: null, risk: null, removes: ["GO-2023-2102"], reasons: [] },
  });

/** A second fix in the same component (requirements.txt), so the PR opens even when the Go one is not written. */
const pipDep = (): Dependency => makeDependency({ component: "app", file: "requirements.txt", line: 1, datasource: "pypi" });

function withRegistries(registries: CowabungaConfig["registries"]): CowabungaConfig {
  const c = defaultConfig();
  return { ...c, registries, updates: { ...c.updates, grouping: "component" } };
}

/** GitHub for one PR over go.mod, go.sum (and requirements.txt): what was written, and the PR body. */
function fakeGitHub(opts: { withPip: boolean; blobsWritten: number }) {
  const written: Array<{ path: string; content: string }> = [];
  const blobs: string[] = [];
  let prBody = "";
  const tree = [
    { path: "go.mod", mode: "100644", type: "blob", sha: "1".repeat(40) },
    { path: "go.sum", mode: "100644", type: "blob", sha: "2".repeat(40) },
    ...(opts.withPip ? [{ path: "requirements.txt", mode: "100644", type: "blob", sha: "3".repeat(40) }] : []),
  ];
  let scope = nock(API)
    .get(`/repos/acme/widgets/git/commits/${BASE}`)
    .reply(200, { sha: BASE, tree: { sha: TREE } })
    .get(`/repos/acme/widgets/git/trees/${TREE}`)
    .query(true)
    .reply(200, { tree })
    .get(`/repos/acme/widgets/git/blobs/${"1".repeat(40)}`)
    .reply(200, { content: b64(GO_MOD), encoding: "base64" })
    .get(`/repos/acme/widgets/git/blobs/${"2".repeat(40)}`)
    .optionally()
    .reply(200, { content: b64(GO_SUM), encoding: "base64" });
  if (opts.withPip) scope = scope.get(`/repos/acme/widgets/git/blobs/${"3".repeat(40)}`).reply(200, { content: b64("requests==2.19.0\n"), encoding: "base64" });
  scope = scope
    .post("/repos/acme/widgets/git/blobs")
    .times(opts.blobsWritten)
    .reply((_uri: string, body: unknown) => {
      blobs.push(unb64((body as { content: string }).content));
      return [201, { sha: String(blobs.length).repeat(40) }];
    })
    .post("/repos/acme/widgets/git/trees")
    .reply((_uri: string, body: unknown) => {
      const entries = (body as { tree: Array<{ path: string; sha: string }> }).tree;
      for (const e of entries) written.push({ path: e.path, content: blobs[Number(e.sha[0]) - 1] });
      return [201, { sha: "e".repeat(40) }];
    })
    .post("/repos/acme/widgets/git/commits")
    .reply(201, { sha: "f".repeat(40) })
    .post("/repos/acme/widgets/git/refs")
    .reply(201, {})
    .post("/repos/acme/widgets/pulls")
    .reply((_uri: string, body: unknown) => {
      prBody = (body as { body: string }).body;
      return [201, { number: 61, html_url: "https://github.com/acme/widgets/pull/61" }];
    })
    .post("/repos/acme/widgets/issues/61/labels")
    .reply(200, []);
  return { scope, written, body: () => prBody };
}

describe("in-place go.sum fixes through a Go mirror's checksum database", () => {
  let cleanup: () => void = () => undefined;
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    cleanup();
  });

  it("takes go.sum lines from <GOPROXY>/sumdb/sum.golang.org when only registries.go is a mirror; sum.golang.org is never asked", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const gh = fakeGitHub({ withPip: false, blobsWritten: 2 });
    // Lines a real sumdb /lookup answers: record number, the two go.sum lines, blank, the signed tree note.
    const mirror = nock(MIRROR)
      .get("/sumdb/sum.golang.org/lookup/golang.org/x/net@v0.17.0")
      .reply(200, `12345\ngolang.org/x/net v0.17.0 ${h("e")}\ngolang.org/x/net v0.17.0/go.mod ${h("f")}\n\ngo.sum database tree\n3\nhash\n`)
      .get("/golang.org/x/net/@v/v0.17.0.mod")
      .reply(200, "module golang.org/x/net\n\ngo 1.17\n\nrequire golang.org/x/text v0.9.0\n")
      .get("/sumdb/sum.golang.org/lookup/golang.org/x/text@v0.9.0")
      .reply(200, `2\ngolang.org/x/text v0.9.0 ${h("c")}\ngolang.org/x/text v0.9.0/go.mod ${h("d")}\n`);
    const cfg = withRegistries({ go: MIRROR });
    const plan = planUpdates({ dependencies: [netDep()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, http: testClient().http });
    gh.scope.done();
    mirror.done();
    expect(out).toMatchObject({ number: 61 });
    const sum = gh.written.find((w) => w.path === "go.sum")?.content;
    expect(sum).toBe(`golang.org/x/net v0.10.0/go.mod ${h("b")}\ngolang.org/x/net v0.17.0 ${h("e")}\ngolang.org/x/net v0.17.0/go.mod ${h("f")}\ngolang.org/x/text v0.9.0 ${h("c")}\ngolang.org/x/text v0.9.0/go.mod ${h("d")}\n`);
    expect(gh.written.find((w) => w.path === "go.mod")?.content).toContain("golang.org/x/net v0.17.0 // indirect");
    const body = plain(gh.body());
    expect(body).toContain("go.sum edited in place (no package manager run): golang.org/x/net v0.10.0 → v0.17.0");
    expect(body).toContain(`and ${MIRROR}/sumdb/sum.golang.org (Go)`);
  });

  it("an explicit registries.go_sumdb wins over the proxy's sumdb path", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const gh = fakeGitHub({ withPip: false, blobsWritten: 2 });
    const sumdb = nock("https://sumdb.internal.example")
      .get("/lookup/golang.org/x/net@v0.17.0")
      .reply(200, `1\ngolang.org/x/net v0.17.0 ${h("e")}\ngolang.org/x/net v0.17.0/go.mod ${h("f")}\n`);
    const proxy = nock(MIRROR).get("/golang.org/x/net/@v/v0.17.0.mod").reply(200, "module golang.org/x/net\n\ngo 1.17\n");
    const cfg = withRegistries({ go: MIRROR, go_sumdb: "https://sumdb.internal.example/" });
    const plan = planUpdates({ dependencies: [netDep()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, http: testClient().http });
    gh.scope.done();
    sumdb.done();
    proxy.done();
    expect(out).toMatchObject({ number: 61 });
    expect(gh.written.find((w) => w.path === "go.sum")?.content).toContain(`golang.org/x/net v0.17.0 ${h("e")}\n`);
  });

  it("the mirror's checksum database is down: go.mod and go.sum stay, and the PR lists go.sum under Not updated with go mod tidy", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const gh = fakeGitHub({ withPip: true, blobsWritten: 1 });
    let asked = 0;
    nock(MIRROR)
      .get("/sumdb/sum.golang.org/lookup/golang.org/x/net@v0.17.0")
      .times(10)
      .reply(() => {
        asked++;
        return [503, "upstream down"];
      });
    const cfg = withRegistries({ go: MIRROR });
    const plan = planUpdates({ dependencies: [netDep(), pipDep()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    expect(plan.groups).toHaveLength(1);
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, http: testClient().http });
    gh.scope.done();
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(out).toMatchObject({ number: 61 });
    expect(gh.written.map((w) => w.path)).toEqual(["requirements.txt"]);
    const notUpdated = plain(gh.body().split("### Not updated")[1] ?? "");
    expect(notUpdated).toContain("go.sum (and go.mod): golang.org/x/net v0.17.0 not edited in place");
    expect(notUpdated).toContain("the Go checksum database or module proxy could not be read");
    expect(notUpdated).toContain("503");
    expect(notUpdated).toContain("Run: go get golang.org/x/net@v0.17.0 && go mod tidy;");
  });

  it("go_sumdb: off asks no checksum database at all: go.sum is Not updated, with go mod tidy", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const gh = fakeGitHub({ withPip: true, blobsWritten: 1 });
    // No nock for the mirror: any request to it fails the test (disableNetConnect), and the reason would differ.
    const cfg = withRegistries({ go: MIRROR, go_sumdb: "off" });
    const plan = planUpdates({ dependencies: [netDep(), pipDep()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, http: testClient().http });
    gh.scope.done();
    expect(out).toMatchObject({ number: 61 });
    expect(gh.written.map((w) => w.path)).toEqual(["requirements.txt"]);
    const notUpdated = plain(gh.body().split("### Not updated")[1] ?? "");
    expect(notUpdated).toContain("go.sum (and go.mod): golang.org/x/net v0.17.0 not edited in place: the Go checksum database is off (registries.go_sumdb: off)");
    expect(notUpdated).toContain("Run: go get golang.org/x/net@v0.17.0 && go mod tidy;");
  });

  it("a repository's go_sumdb goes through the outbound URL guard: a metadata address is refused, not fetched", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const gh = fakeGitHub({ withPip: true, blobsWritten: 1 });
    const cfg = withRegistries({ go_sumdb: "http://169.254.169.254/latest" });
    const plan = planUpdates({ dependencies: [netDep(), pipDep()], issues: [] }, cfg, [], { now: NOW, inWindow: true });
    // The default guard (no urlGuard option): the same the shared client uses.
    const http = createHttpClient({ sleep: async () => undefined });
    const out = await openUpdatePullRequest({ octokit: makeOctokit(), owner: "acme", repo: "widgets", defaultBranch: "main", baseSha: BASE, group: plan.groups[0], config: cfg, store: t.store, clock, log, http });
    gh.scope.done();
    expect(out).toMatchObject({ number: 61 });
    const notUpdated = plain(gh.body().split("### Not updated")[1] ?? "");
    expect(notUpdated).toContain("go.sum (and go.mod): golang.org/x/net v0.17.0 not edited in place");
    expect(notUpdated).toMatch(/169\.254\.169\.254.*(refus|not allowed|private|link-local)/i);
  });
});
