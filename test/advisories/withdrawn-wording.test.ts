/**
 * Issue 16: an issue whose advisory was withdrawn closes with the same reason whether a full scan or an
 * advisory re-assessment notices it ("no longer detected: advisory X was withdrawn"). Two repositories
 * with the same vulnerable pin; the advisory is withdrawn in the mirror; one is rescanned in full, the
 * other re-assessed by the refresh's job. The expected text is written by hand.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { silentLogger, type GitHubOctokit } from "../../src/act/github/client.js";
import { runAdvisoryRefresh, runReassessJob } from "../../src/app/advisory-jobs.js";
import type { JobRequest } from "../../src/app/dispatch.js";
import { SharedEnrichment } from "../../src/app/enrichment.js";
import { runGitHubScan } from "../../src/pipeline/github.js";
import { appOctokitClass } from "../../src/server/octokit.js";
import { FileStore } from "../../src/store/index.js";
import { FakeGitHub } from "../helpers/fake-github.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const clock = () => NOW;
const tmp: string[] = [];
afterAll(async () => {
  await Promise.all(tmp.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "cowabunga-withdrawn-"));
  tmp.push(d);
  return d;
}
const record = (extra: Record<string, unknown> = {}) => ({
  id: "PYSEC-2026-202",
  modified: "2026-11-01T00:00:00Z",
  published: "2026-11-01T00:00:00Z",
  summary: "requests flaw",
  affected: [{ package: { ecosystem: "PyPI", name: "requests" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.31.0" }] }] }],
  database_specific: { severity: "HIGH" },
  ...extra,
});

it("a full scan and a re-assessment close a withdrawn advisory's issue with the same words", async () => {
  const store = new FileStore({ root: await tempDir(), clock });
  const mirror = path.join(await tempDir(), "osv");
  await mkdir(path.join(mirror, "PyPI"), { recursive: true });
  const put = (rec: object) => writeFile(path.join(mirror, "PyPI", "PYSEC-2026-202.json"), JSON.stringify(rec));
  await put(record());
  const gh = new FakeGitHub();
  await gh.start();
  try {
    for (const name of ["acme/scanned", "acme/reassessed"]) gh.addRepo(name, { "requirements.txt": "requests==2.19.0\n", ".github/cowabunga.yml": "updates:\n  enabled: false\n" });
    const AppOctokit = appOctokitClass({ throttle: false, retry: { sleep: async () => undefined } });
    const octokit = new AppOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3` } as never) as unknown as GitHubOctokit;
    const enrichment = new SharedEnrichment({ offline: true, osvDbPath: mirror, registries: {}, warnings: [] });
    const stages = enrichment.stages();
    const scan = async (repo: string, force = false) => {
      const r = await runGitHubScan({ octokit, owner: "acme", repo, store, log: silentLogger, clock, trigger: { event: "schedule", force }, stages, publicUrl: null, npmAvailable: false });
      expect(r.outcome, r.error).toBe("scanned");
    };
    await scan("scanned");
    await scan("reassessed");
    const statePath = path.join(await tempDir(), "state.json");
    const queued: JobRequest[] = [];
    const refresh = () => runAdvisoryRefresh({ store, enrichment, statePath, enqueue: async (req) => (queued.push(req), { status: "queued", id: String(queued.length) }), clock, log: silentLogger });
    await refresh();

    await put(record({ withdrawn: "2026-11-19T00:00:00Z", modified: "2026-11-19T00:00:00Z" }));
    await refresh(); // loads the new mirror into the process's enrichment, queues both repositories
    expect(queued.map((q) => q.job.repo).sort()).toEqual(["acme/reassessed", "acme/scanned"]);
    const job = queued.find((q) => q.job.repo === "acme/reassessed")!.job;
    expect((await runReassessJob(job, octokit, silentLogger, { store, enrichment, stages, clock, publicUrl: null })).outcome).toBe("scanned");
    await scan("scanned", true); // a full scan (`/cowabunga rescan`), not the job

    const reasonOf = async (repo: string) => {
      const issue = (await store.getIssues({ owner: "acme", repo })).find((i) => i.title.includes("PYSEC-2026-202"))!;
      expect(issue.status).toBe("resolved");
      return issue.history.at(-1)!.reason;
    };
    const expected = "no longer detected: advisory PYSEC-2026-202 was withdrawn";
    expect(await reasonOf("reassessed")).toBe(expected);
    expect(await reasonOf("scanned")).toBe(expected);
    for (const name of ["acme/scanned", "acme/reassessed"]) {
      const r = gh.repo(name);
      const issue = r.issues.find((i) => i.title.includes("PYSEC-2026-202"))!;
      expect(issue.state).toBe("closed");
      expect(r.comments.filter((c) => c.issue_number === issue.number).map((c) => c.body).join("\n")).toContain("advisory PYSEC-2026-202 was withdrawn");
    }
  } finally {
    await gh.stop();
  }
});
