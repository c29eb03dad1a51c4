/**
 * Issue 16 end to end on the fake GitHub, both stores: the advisory_refresh tick queues a `reassess` job
 * only for the repository a new advisory affects (none for the others, and no GitHub request to them); the
 * job opens the issue; a withdrawal closes it with "advisory X was withdrawn"; the exposure listing shows
 * the states. The oracle is written by hand from the fixture (which packages, which versions).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger, type GitHubOctokit } from "../../src/act/github/client.js";
import { runAdvisoryRefresh, runReassessJob } from "../../src/app/advisory-jobs.js";
import type { JobRequest } from "../../src/app/dispatch.js";
import { SharedEnrichment } from "../../src/app/enrichment.js";
import { runGitHubScan } from "../../src/pipeline/github.js";
import { advisoryExposure, renderAdvisoryPage } from "../../src/server/advisories.js";
import { appOctokitClass } from "../../src/server/octokit.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { bothStores } from "../helpers/both-stores.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const clock = () => NOW;
function osv(id: string, pkg: string, fixed: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    modified: "2026-11-01T00:00:00Z",
    published: "2026-11-01T00:00:00Z",
    summary: `${pkg} flaw`,
    affected: [{ package: { ecosystem: "PyPI", name: pkg }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
    database_specific: { severity: "HIGH" },
    ...extra,
  };
}
async function put(dir: string, rec: { id: string }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${rec.id}.json`), JSON.stringify(rec));
}

const { stores, tempDir } = await bothStores({ suite: "reassess job on PgStore", database: "reassess_job", clock });

describe.each(stores)("advisory refresh → reassess job (%s)", (_name, available, open) => {
  it.skipIf(!available)("queues only the affected repository, opens its issue with 0 content reads, and a withdrawal closes it with the reason", async () => {
    const store = await open();
    const mirror = path.join(await tempDir(), "osv");
    await put(path.join(mirror, "PyPI"), osv("PYSEC-2026-101", "flask", "2.2.5"));
    const gh = new FakeGitHub();
    await gh.start();
    try {
      // Update PRs off: a PR reads the files it edits (acting); this test isolates assessing.
      gh.addRepo("acme/shop", { "requirements.txt": "flask==2.0.0\nrequests==2.19.0\n", ".github/cowabunga.yml": "updates:\n  enabled: false\n" });
      gh.addRepo("acme/other", { "requirements.txt": "django==4.2.0\n" });
      const AppOctokit = appOctokitClass({ throttle: false, retry: { sleep: async () => undefined } });
      const octokit = new AppOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3` } as never) as unknown as GitHubOctokit;
      const enrichment = new SharedEnrichment({ offline: true, osvDbPath: mirror, registries: {}, warnings: [] });
      const stages = enrichment.stages();
      for (const repo of ["shop", "other"]) {
        const r = await runGitHubScan({ octokit, owner: "acme", repo, store, log: silentLogger, clock, trigger: { event: "schedule" }, stages, publicUrl: null, npmAvailable: false });
        expect(r.outcome, r.error).toBe("scanned");
      }
      const statePath = path.join(await tempDir(), "state.json");
      const queued: JobRequest[] = [];
      const refresh = () => runAdvisoryRefresh({ store, enrichment, statePath, enqueue: async (req) => (queued.push(req), { status: "queued", id: String(queued.length) }), clock, log: silentLogger });
      expect((await refresh())?.status).toBe("first-run");

      // A new advisory on requests 2.19.0 (shop) and one on a package nobody uses.
      await put(path.join(mirror, "PyPI"), osv("PYSEC-2026-202", "requests", "2.31.0"));
      await put(path.join(mirror, "PyPI"), osv("PYSEC-2026-303", "numpy", "9.0.0"));
      const before = gh.requests.length;
      const r1 = await refresh();
      expect(r1?.status).toBe("refreshed");
      expect(queued.map((q) => [q.job.kind, q.job.repo, q.job.payload.withdrawn])).toEqual([["reassess", "acme/shop", []]]);
      const job = queued.shift()!.job;
      const out = await runReassessJob(job, octokit, silentLogger, { store, enrichment, stages, clock, publicUrl: null });
      expect(out.outcome, out.error).toBe("scanned");
      expect(out.added).toEqual(["PYSEC-2026-202"]);
      const since = gh.requests.slice(before);
      expect(since.filter((q) => q.path.includes("/acme/other"))).toEqual([]);
      expect(since.filter((q) => q.kind === "graphql" || /\/commits\/HEAD|\/git\/trees\//.test(q.path))).toEqual([]);
      const opened = gh.repo("acme/shop").issues.filter((i) => i.title.includes("PYSEC-2026-202"));
      expect(opened.map((i) => i.state)).toEqual(["open"]);

      const exposure = await advisoryExposure(store, "PYSEC-2026-202", await store.listRepos());
      expect(exposure.map((e) => [e.repository, e.state, e.packages.map((p) => `${p.name}@${p.version}`)])).toEqual([["acme/shop", "issue_open", ["requests@2.19.0"]]]);

      // Withdrawn: the issue closes, with that reason in the store and on GitHub.
      await put(path.join(mirror, "PyPI"), osv("PYSEC-2026-202", "requests", "2.31.0", { withdrawn: "2026-11-19T00:00:00Z", modified: "2026-11-19T00:00:00Z" }));
      const r2 = await refresh();
      expect(r2?.changes.map((c) => [c.id, c.kind])).toEqual([["PYSEC-2026-202", "withdrawn"]]);
      expect(queued.map((q) => [q.job.repo, q.job.payload.withdrawn])).toEqual([["acme/shop", ["PYSEC-2026-202"]]]);
      const out2 = await runReassessJob(queued.shift()!.job, octokit, silentLogger, { store, enrichment, stages, clock, publicUrl: null });
      expect(out2.removed).toEqual(["PYSEC-2026-202"]);
      const issue = (await store.getIssues({ owner: "acme", repo: "shop" })).find((i) => i.title.includes("PYSEC-2026-202"))!;
      expect(issue.status).toBe("resolved");
      expect(issue.history.at(-1)!.reason).toBe("no longer detected: advisory PYSEC-2026-202 was withdrawn");
      const gi = gh.repo("acme/shop").issues.find((i) => i.number === opened[0]!.number)!;
      expect(gi.state).toBe("closed");
      expect(gh.repo("acme/shop").comments.filter((c) => c.issue_number === gi.number).map((c) => c.body).join("\n")).toContain("advisory PYSEC-2026-202 was withdrawn");
      expect(gh.violations).toEqual([]);
    } finally {
      await gh.stop();
    }
  });
});

describe("advisory exposure page", () => {
  it("escapes every value", () => {
    const html = renderAdvisoryPage("GHSA-x", [{ repository: "acme/w<b>", state: "issue_open", packages: [{ name: "<script>alert(1)</script>", version: "1\"", component: "a&b", file: "f", direct: false }], issue: null, pull_request: null }], "<i>me</i>");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<i>me</i>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("a&amp;b");
  });
});
