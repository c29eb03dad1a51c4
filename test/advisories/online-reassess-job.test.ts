/**
 * Issue 16 end to end, online (no mirror), on the fake GitHub and nock for OSV, both stores: the
 * advisory_refresh tick reads OSV's modified_id.csv export, queues a `reassess` job only for the
 * repository the new advisory affects (no GitHub request to the other); the job, enriching with the OSV
 * API, opens the issue; a withdrawal closes it with "advisory X was withdrawn". Oracles by hand from the
 * fixture (which packages at which versions).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type GitHubOctokit } from "../../src/act/github/client.js";
import { onlineRefreshFromEnv, runAdvisoryRefresh, runReassessJob } from "../../src/app/advisory-jobs.js";
import type { JobRequest } from "../../src/app/dispatch.js";
import { SharedEnrichment } from "../../src/app/enrichment.js";
import { runGitHubScan } from "../../src/pipeline/github.js";
import { advisoryCandidates } from "../../src/server/advisories.js";
import { appOctokitClass } from "../../src/server/octokit.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { bothStores } from "../helpers/both-stores.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const clock = () => NOW;
const EXPORT = "https://osv-export.test";
const API = "https://osv-api.test";
function osv(id: string, pkg: string, fixed: string, modified: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    modified,
    published: "2026-11-01T00:00:00Z",
    summary: `${pkg} flaw`,
    affected: [{ package: { ecosystem: "PyPI", name: pkg }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
    database_specific: { severity: "HIGH" },
    ...extra,
  };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});
const { stores, tempDir } = await bothStores({ suite: "online reassess job on PgStore", database: "online_reassess_job", clock });

/** The OSV API as nock: querybatch answers from `vulns` per package name; records by id. */
function osvApi(vulns: Record<string, Array<{ id: string; modified: string }>>, records: Record<string, unknown>): void {
  nock(API)
    .persist()
    .post("/v1/querybatch")
    .reply(200, (_uri: string, body: { queries: Array<{ package: { name: string } }> }) => ({ results: body.queries.map((q) => ({ vulns: vulns[q.package.name] ?? [] })) }));
  for (const [id, rec] of Object.entries(records)) nock(API).persist().get(`/v1/vulns/${id}`).reply(200, rec as nock.Body);
}

describe.each(stores)("online advisory refresh → reassess job (%s)", (_name, available, open) => {
  it.skipIf(!available)("queues only the affected repository, the job opens its issue from the OSV API, a withdrawal closes it with the reason", async () => {
    const store = await open();
    // The scans run with an (empty) offline mirror so they need no registry; the refresh and the job are online.
    const mirror = path.join(await tempDir(), "osv", "PyPI");
    await mkdir(mirror, { recursive: true });
    await writeFile(path.join(mirror, "PYSEC-2026-000.json"), JSON.stringify(osv("PYSEC-2026-000", "numpy", "1.0.0", "2026-10-01T00:00:00Z")));
    const gh = new FakeGitHub();
    await gh.start();
    try {
      gh.addRepo("acme/shop", { "requirements.txt": "requests==2.19.0\n", ".github/cowabunga.yml": "updates:\n  enabled: false\n" });
      gh.addRepo("acme/other", { "requirements.txt": "django==4.2.0\n" });
      const AppOctokit = appOctokitClass({ throttle: false, retry: { sleep: async () => undefined } });
      const octokit = new AppOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3` } as never) as unknown as GitHubOctokit;
      const scanning = new SharedEnrichment({ offline: true, osvDbPath: path.dirname(mirror), registries: {}, warnings: [] });
      for (const repo of ["shop", "other"]) {
        const r = await runGitHubScan({ octokit, owner: "acme", repo, store, log: silentLogger, clock, trigger: { event: "schedule" }, stages: scanning.stages(), publicUrl: null, npmAvailable: false });
        expect(r.outcome, r.error).toBe("scanned");
      }
      const enrichment = new SharedEnrichment({ offline: false, osvDbPath: null, registries: { osv: API }, warnings: [] });
      const stages = enrichment.stages();
      const online = onlineRefreshFromEnv({ COWABUNGA_ADVISORY_ONLINE: "modified-since", COWABUNGA_OSV_EXPORT_URL: EXPORT });
      expect(online).toMatchObject({ mode: "modified-since", baseUrl: EXPORT, maxRecords: 2000, warnings: [] });
      const statePath = path.join(await tempDir(), "state.json");
      const queued: JobRequest[] = [];
      const refresh = () => runAdvisoryRefresh({ store, enrichment, statePath, online, enqueue: async (req) => (queued.push(req), { status: "queued", id: String(queued.length) }), clock, log: silentLogger });

      nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, "2026-11-10T00:00:00Z,PYSEC-2026-100\n");
      expect((await refresh())?.status).toBe("first-run");

      // New at OSV: an advisory on requests < 2.31.0 (shop uses 2.19.0), one on numpy (nobody).
      const added = osv("PYSEC-2026-202", "requests", "2.31.0", "2026-11-18T00:00:00Z");
      nock(EXPORT)
        .get("/PyPI/modified_id.csv")
        .reply(200, "2026-11-18T00:00:00Z,PYSEC-2026-202\n2026-11-17T00:00:00Z,PYSEC-2026-303\n2026-11-10T00:00:00Z,PYSEC-2026-100\n")
        .get("/PyPI/PYSEC-2026-202.json")
        .reply(200, added)
        .get("/PyPI/PYSEC-2026-303.json")
        .reply(200, osv("PYSEC-2026-303", "numpy", "9.0.0", "2026-11-17T00:00:00Z"));
      const before = gh.requests.length;
      const r1 = await refresh();
      expect(r1?.status).toBe("refreshed");
      expect(queued.map((q) => [q.job.kind, q.job.repo, q.job.payload.withdrawn])).toEqual([["reassess", "acme/shop", []]]);
      // The exposure page finds its candidates from the online state too (not every repository).
      expect((await advisoryCandidates(store, "PYSEC-2026-202", statePath)).map((r) => `${r.owner}/${r.repo}`)).toEqual(["acme/shop"]);
      osvApi({ requests: [{ id: "PYSEC-2026-202", modified: "2026-11-18T00:00:00Z" }] }, { "PYSEC-2026-202": added });
      const out = await runReassessJob(queued.shift()!.job, octokit, silentLogger, { store, enrichment, stages, clock, publicUrl: null });
      expect(out.outcome, out.error).toBe("scanned");
      expect(out.added).toEqual(["PYSEC-2026-202"]);
      const since = gh.requests.slice(before);
      expect(since.filter((q) => q.path.includes("/acme/other"))).toEqual([]);
      expect(since.filter((q) => q.kind === "graphql" || /\/commits\/HEAD|\/git\/trees\//.test(q.path))).toEqual([]);
      const issues = gh.repo("acme/shop").issues.filter((i) => i.title.includes("PYSEC-2026-202"));
      expect(issues.map((i) => i.state)).toEqual(["open"]);

      // Withdrawn at OSV: the next tick queues shop with the id; the job closes the issue with that reason.
      nock.cleanAll();
      const gone = osv("PYSEC-2026-202", "requests", "2.31.0", "2026-11-19T00:00:00Z", { withdrawn: "2026-11-19T00:00:00Z" });
      nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, "2026-11-19T00:00:00Z,PYSEC-2026-202\n2026-11-17T00:00:00Z,PYSEC-2026-303\n").get("/PyPI/PYSEC-2026-202.json").reply(200, gone);
      const r2 = await refresh();
      expect(r2?.changes.map((c) => [c.id, c.kind])).toEqual([["PYSEC-2026-202", "withdrawn"]]);
      expect(queued.map((q) => [q.job.repo, q.job.payload.withdrawn])).toEqual([["acme/shop", ["PYSEC-2026-202"]]]);
      osvApi({ requests: [{ id: "PYSEC-2026-202", modified: "2026-11-19T00:00:00Z" }] }, { "PYSEC-2026-202": gone });
      const out2 = await runReassessJob(queued.shift()!.job, octokit, silentLogger, { store, enrichment, stages, clock, publicUrl: null });
      expect(out2.removed).toEqual(["PYSEC-2026-202"]);
      const issue = (await store.getIssues({ owner: "acme", repo: "shop" })).find((i) => i.title.includes("PYSEC-2026-202"))!;
      expect(issue.status).toBe("resolved");
      expect(issue.history.at(-1)!.reason).toBe("no longer detected: advisory PYSEC-2026-202 was withdrawn");
      expect(gh.repo("acme/shop").issues.find((i) => i.number === issues[0]!.number)!.state).toBe("closed");
      expect(gh.violations).toEqual([]);
    } finally {
      nock.cleanAll();
      await gh.stop();
    }
  });
});
