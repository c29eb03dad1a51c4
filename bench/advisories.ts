/**
 * Advisory fan-out (issue 16): a fleet of repositories stored from corpus shapes, 20 advisories added to
 * the OSV mirror, `refreshAdvisories` timed.
 *
 *   npm run bench:advisories -- [--repos 2000] [--database-url postgres://…]
 *
 * The fleet: each corpus repository (/work/shared/corpus/repos) is scanned once without enrichment; repo
 * i of the fleet takes shape i % N with every plain x.y.z patch version bumped by a per-(repo, package)
 * amount 0–19, written straight into the store with putDependencies (no GitHub scans). The 20 advisories
 * target packages of one shape each and are fixed at "original patch + k" (k 1..10), so each affects
 * the repositories of shape 0 whose bump is 0. Prints the refresh time, the repositories re-assessed, and the index
 * size.
 *
 * Then the whole loop, as the app runs it: each repository also gets the re-assessment basis a scan stores
 * (the shape's extraction, versions bumped alike) and a repository on the project's fake GitHub (test/helpers);
 * `runAdvisoryRefresh` queues a `reassess` job per affected repository on the in-process queue (2 at a time),
 * each runs `runReassessJob` (advisories from the store, assess, GitHub issues and dashboard). Printed: time
 * from the start of the refresh to the last issue created on the fake GitHub, GitHub requests to repositories
 * the advisories do not affect (goal 0), content reads (goal 0). Update PRs are off in the fleet's config
 * (a PR reads and writes the files it edits; not part of "time to the issue").
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { refreshAdvisories } from "../src/advisories/refresh.js";
import type { Dependency } from "../src/model/dependency.js";
import { runLocalPipeline } from "../src/pipeline/local.js";
import { FileStore } from "../src/store/file-store.js";
import { dependentKey } from "../src/store/dependents.js";
import type { Store } from "../src/store/types.js";
import type { ScanResult } from "../src/scan/types.js";
import { defaultConfig } from "../src/config/schema.js";
import { basisLocked, type ReassessBasis } from "../src/store/reassess-basis.js";
import { runAdvisoryRefresh, runReassessJob } from "../src/app/advisory-jobs.js";
import { SharedEnrichment } from "../src/app/enrichment.js";
import { MemoryJobQueue } from "../src/jobs/memory.js";
import { silentLogger, type GitHubOctokit } from "../src/act/github/client.js";
import { appOctokitClass } from "../src/server/octokit.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const REPOS = Number(arg("repos", "2000"));
const DATABASE_URL = arg("database-url", "");
const CORPUS = process.env.COWABUNGA_CORPUS ?? "/work/shared/corpus/repos";
const ECOSYSTEMS = new Set(["npm", "PyPI", "Go", "crates.io"]);
const PLAIN = /^(v?)(\d+)\.(\d+)\.(\d+)$/;

const bump = (repo: number, name: string) => createHash("sha1").update(`${repo}\u0000${name}`).digest()[0]! % 20;
function bumped(version: string, by: number): string {
  const m = PLAIN.exec(version);
  return m ? `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + by}` : version;
}

async function main(): Promise<void> {
  let shapes: Dependency[][];
  const scans: ScanResult[] = [];
  try {
    shapes = [];
    for (const dir of readdirSync(CORPUS).sort()) {
      const r = await runLocalPipeline({ dir: path.join(CORPUS, dir), enrich: false, offline: true });
      shapes.push(r.assessment.dependencies);
      scans.push(r.scan);
      console.log(`shape ${dir}: ${r.assessment.dependencies.length} dependencies`);
    }
  } catch (e) {
    console.log(`corpus not readable (${(e as Error).message}): skipped`);
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), "bench-advisories-"));
  let store: Store & { close?(): Promise<void> };
  if (DATABASE_URL) {
    const { createPgStore } = await import("../src/store/pg/index.js");
    store = await createPgStore({ connectionString: DATABASE_URL });
  } else store = new FileStore({ root: path.join(tmp, "data") });
  try {
    let t = performance.now();
    const lockedOf = scans.map((sc) => basisLocked(sc.locked));
    const config = defaultConfig();
    config.updates.enabled = false;
    for (let i = 0; i < REPOS; i++) {
      const shape = shapes[i % shapes.length]!;
      const b = (v: string | null, name: string) => (v === null ? null : bumped(v, bump(i, name)));
      const deps = shape.map((d) => ({ ...d, version: bumped(d.version, bump(i, d.name)), locked_version: b(d.locked_version, d.name), advisories: [], cve_ids: [], advisories_checked: true }));
      await store.putDependencies({ owner: "fleet", repo: `repo-${i}` }, deps);
      const scan = scans[i % scans.length]!;
      const basis: ReassessBasis = {
        format: 1,
        head_sha: createHash("sha1").update(`head ${i}`).digest("hex"),
        tree_sha: null,
        scanned_at: new Date().toISOString(),
        config,
        config_errors: [],
        scan: {
          source: scan.source,
          commit_sha: null,
          components: scan.components,
          dependencies: scan.dependencies.map((d) => ({ ...d, version: bumped(d.version, bump(i, d.name)), locked_version: b(d.locked_version, d.name) })),
          locked: lockedOf[i % scans.length]!.map((l) => ({ ...l, version: bumped(l.version, bump(i, l.name)) })),
          files_scanned: scan.files_scanned,
          manifests: scan.manifests,
        },
        workflow_files: [],
        text_findings: { drafts: [], examined: [] },
        codeowners: {},
        yanked: [],
      };
      await store.putReassessBasis({ owner: "fleet", repo: `repo-${i}` }, basis);
    }
    console.log(`stored ${REPOS} repositories in ${Math.round(performance.now() - t)} ms`);

    // Baseline mirror: one unrelated record.
    const mirror = path.join(tmp, "osv");
    mkdirSync(mirror, { recursive: true });
    const record = (id: string, ecosystem: string, name: string, fixed: string) => ({
      id,
      modified: "2026-12-01T00:00:00Z",
      published: "2026-12-01T00:00:00Z",
      aliases: [],
      summary: `${name} advisory`,
      affected: [{ package: { ecosystem, name }, ranges: [{ type: ecosystem === "PyPI" ? "ECOSYSTEM" : "SEMVER", events: [{ introduced: "0" }, { fixed }] }] }],
      database_specific: { severity: "HIGH" },
    });
    writeFileSync(path.join(mirror, "BASE-0001.json"), JSON.stringify(record("BASE-0001", "npm", "cowabunga-nonexistent", "1.0.0")));
    const statePath = path.join(tmp, "state.json");
    t = performance.now();
    await refreshAdvisories({ store, mirror, statePath });
    await store.dependentsIndexStats(); // fold the scans into the index before timing, as a running fleet has
    console.log(`baseline refresh (mirror fingerprint) + index fold in ${Math.round(performance.now() - t)} ms`);

    // 20 advisories on packages with a plain version, spread over the shapes.
    const picked: Array<{ ecosystem: string; name: string; fixed: string }> = [];
    const used = new Set<string>();
    // All from one shape (1/N of the fleet), each affecting the repositories whose bump is 0 (1 in 20):
    // together about 1/N · (1 − (19/20)^20) ≈ 9% of the fleet for N = 7.
    const shape = shapes[0]!;
    for (let k = 0; picked.length < 20 && k < 10_000; k++) {
      const d = shape[(k * 7919) % Math.max(1, shape.length)];
      if (!d || !PLAIN.test(d.version)) continue;
      const { ecosystem } = dependentKey(d);
      if (!ECOSYSTEMS.has(ecosystem) || used.has(`${ecosystem}/${d.name}`)) continue;
      used.add(`${ecosystem}/${d.name}`);
      const ver = ecosystem === "Go" ? d.version.replace(/^v/, "") : d.version;
      picked.push({ ecosystem, name: d.name, fixed: bumped(ver, 1) });
    }
    picked.forEach((p, i) => {
      const id = `BENCH-${String(i).padStart(4, "0")}`;
      writeFileSync(path.join(mirror, `${id}.json`), JSON.stringify(record(id, p.ecosystem, p.name, p.fixed)));
    });
    // The fake GitHub: one repository per fleet member (only the affected ones should ever be asked anything).
    const gh = new FakeGitHub();
    await gh.start();
    for (let i = 0; i < REPOS; i++) gh.addRepo(`fleet/repo-${i}`, { "README.md": `# repo ${i}\n` });
    const AppOctokit = appOctokitClass({ throttle: false, retry: { sleep: async () => undefined } });
    const octokit = new AppOctokit({ auth: { token: "ghs_bench" }, baseUrl: `http://${gh.host}/api/v3` } as never) as unknown as GitHubOctokit;
    const enrichment = new SharedEnrichment({ offline: true, osvDbPath: mirror, registries: {}, warnings: [] });
    const stages = enrichment.stages();
    const queue = new MemoryJobQueue({ retry: { retries: 0 } });
    const failures: string[] = [];
    await queue.work(
      async (job) => {
        const out = await runReassessJob(job, octokit, silentLogger, { store, enrichment, stages, clock: () => new Date(), publicUrl: null });
        if (out.outcome === "failed") failures.push(`${job.repo}: ${out.error}`);
      },
      { concurrency: 2 },
    );
    const requestsBefore = gh.requests.length;
    const t0 = Date.now();
    t = performance.now();
    const r = await runAdvisoryRefresh({ store, enrichment, statePath, enqueue: (req) => queue.enqueue(req.job, req.opts), clock: () => new Date(), log: silentLogger });
    const refreshMs = Math.round(performance.now() - t);
    if (!r) throw new Error("no mirror");
    for (;;) {
      const d = await queue.depth();
      if (d.queued + d.running + d.retry === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const allMs = Math.round(performance.now() - t);
    await queue.stop();
    const during = gh.requests.slice(requestsBefore);
    const affected = new Set(r.reassessed.map((x) => `${x.repo.owner}/${x.repo.repo}`.toLowerCase()));
    const repoOf = (p: string) => /^\/repos\/([^/]+\/[^/]+)/.exec(p)?.[1]?.toLowerCase() ?? null;
    const toUnaffected = during.filter((q) => {
      const repo = repoOf(q.path);
      return repo !== null && !affected.has(repo);
    }).length;
    const contentReads = during.filter((q) => q.kind === "graphql" || /\/commits\/|\/git\/trees\/|\/contents\//.test(q.path)).length;
    const issueCreates = during.filter((q) => q.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/issues$/.test(q.path));
    const lastIssueAt = Math.max(...issueCreates.map((q) => q.at ?? 0));
    const stats = await store.dependentsIndexStats();
    console.log(`advisories added: ${picked.length} (${r.changes.length} detected as new/changed)`);
    console.log(`refresh (fingerprint, diff, index lookup, per-candidate advisory check, queue): ${refreshMs} ms`);
    console.log(`repositories using an affected package: ${r.candidates}; affected (version in range): ${r.reassessed.length} of ${REPOS} (${((100 * r.reassessed.length) / REPOS).toFixed(1)}%)`);
    console.log(`re-assessment jobs done: ${allMs} ms after the refresh started; failures: ${failures.length}${failures.length ? ` (${failures.slice(0, 3).join("; ")})` : ""}`);
    console.log(`GitHub issues created: ${issueCreates.length}; refresh start → last issue created: ${issueCreates.length ? `${lastIssueAt - t0} ms` : "n/a"} (goal < 60000)`);
    console.log(`GitHub requests: ${during.length} in all; to unaffected repositories: ${toUnaffected} (goal 0); reads of repository content: ${contentReads} (goal 0)`);
    console.log(`index: ${stats.entries} entries, ${stats.packages} packages, ${stats.bytes ?? "?"} bytes (${DATABASE_URL ? "PostgreSQL index relations" : "_index/dependents.json"}; lockfile packages included)`);
    await gh.stop();
  } finally {
    await store.close?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
