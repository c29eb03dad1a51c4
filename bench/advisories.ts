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
import { BASE_LABEL, CONFIG_LABEL, DASHBOARD_LABEL } from "../src/act/github/labels.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const REPOS = Number(arg("repos", "2000"));
const DATABASE_URL = arg("database-url", "");
const SHAPE = arg("shape", "");
/** Reassess jobs at a time on the in-process queue (the app's default COWABUNGA_CONCURRENCY is 2). */
const CONCURRENCY = Number(arg("concurrency", "2"));
const CORPUS = process.env.COWABUNGA_CORPUS ?? "/work/shared/corpus/repos";
const ECOSYSTEMS = new Set(["npm", "PyPI", "Go", "crates.io"]);
const PLAIN = /^(v?)(\d+)\.(\d+)\.(\d+)$/;
const KNOWN_LABELS = [BASE_LABEL, DASHBOARD_LABEL, CONFIG_LABEL, ...["security", "dependency", "bug", "documentation", "performance"].map((x) => `type:${x}`), ...["critical", "high", "medium", "low"].flatMap((x) => [`severity:${x}`, `priority:${x}`]), "priority:immediate"];

/** Patch bumps 0..BUMPS-1 per (repository, package): an advisory on "below original + 1" hits 1 in BUMPS. */
const BUMPS = 40;
const bump = (repo: number, name: string) => createHash("sha1").update(`${repo}\u0000${name}`).digest().readUInt32BE(0) % BUMPS;
function bumped(version: string, by: number): string {
  const m = PLAIN.exec(version);
  return m ? `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + by}` : version;
}

async function main(): Promise<void> {
  let shapes: Dependency[][];
  const shapeNames: string[] = [];
  const scans: ScanResult[] = [];
  try {
    shapes = [];
    shapeNames.length = 0;
    for (const dir of readdirSync(CORPUS).sort()) {
      const r = await runLocalPipeline({ dir: path.join(CORPUS, dir), enrich: false, offline: true });
      shapes.push(r.assessment.dependencies);
      shapeNames.push(dir);
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
    const seed = async (i: number): Promise<void> => {
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
      await store.putScanState({ owner: "fleet", repo: `repo-${i}` }, { head_sha: basis.head_sha, known_labels: KNOWN_LABELS });
    };
    // 4 repositories at a time: the writes wait on fsync more than on the CPU.
    let nextRepo = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = nextRepo++; i < REPOS; i = nextRepo++) await seed(i);
    }));
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

    // 20 advisories on lockfile-only packages of ONE shape (--shape, default the first): each package
    // unique to that shape in the whole corpus, pinned at a single plain version there, and each advisory
    // affecting the versions below "original + 1", i.e. the repositories of the shape whose bump for that
    // package is 0 (1 in BUMPS). The bench knows every repository's versions, so it computes the affected
    // set itself (the oracle) and refuses to time a fleet outside the issue's 1–10 %.
    const shapeIndex = SHAPE ? shapeNames.indexOf(SHAPE) : 0;
    if (shapeIndex < 0) throw new Error(`--shape ${SHAPE}: not one of ${shapeNames.join(", ")}`);
    const keyOf = (datasource: string, name: string) => {
      const k = dependentKey({ datasource, name });
      return `${k.ecosystem}\u0000${k.norm_name}`;
    };
    const shapesOfKey = new Map<string, Set<number>>();
    const versionsInShape = new Map<string, Set<string>>();
    scans.forEach((sc, si) => {
      for (const d of [...sc.dependencies, ...sc.locked]) {
        const k = keyOf(d.datasource, d.name);
        (shapesOfKey.get(k) ?? shapesOfKey.set(k, new Set()).get(k)!).add(si);
        if (si === shapeIndex) (versionsInShape.get(k) ?? versionsInShape.set(k, new Set()).get(k)!).add(d.version);
      }
    });
    const declared = new Set(scans[shapeIndex]!.dependencies.map((d) => keyOf(d.datasource, d.name)));
    const picked: Array<{ ecosystem: string; name: string; fixed: string }> = [];
    const used = new Set<string>();
    const candidatesOfShape = [...scans[shapeIndex]!.locked].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let k = 0; picked.length < 20 && k < candidatesOfShape.length; k++) {
      const l = candidatesOfShape[(k * 7919) % candidatesOfShape.length]!;
      const key = keyOf(l.datasource, l.name);
      const { ecosystem } = dependentKey(l);
      if (!ECOSYSTEMS.has(ecosystem) || used.has(key) || declared.has(key) || !PLAIN.test(l.version)) continue;
      if (shapesOfKey.get(key)?.size !== 1 || versionsInShape.get(key)?.size !== 1) continue;
      used.add(key);
      const ver = ecosystem === "Go" ? l.version.replace(/^v/, "") : l.version;
      picked.push({ ecosystem, name: l.name, fixed: bumped(ver, 1) });
    }
    if (picked.length < 20) throw new Error(`shape ${shapeNames[shapeIndex]}: only ${picked.length} packages fit (unique to the shape, one plain version, lockfile-only)`);
    const expected = new Set<string>();
    for (let i = shapeIndex; i < REPOS; i += shapes.length) if (picked.some((p) => bump(i, p.name) === 0)) expected.add(`fleet/repo-${i}`);
    const expectedPct = (100 * expected.size) / REPOS;
    console.log(`advisories on 20 lockfile-only packages of shape ${shapeNames[shapeIndex]}: expected affected ${expected.size} of ${REPOS} repositories (${expectedPct.toFixed(1)}%)`);
    if (expectedPct < 1 || expectedPct > 10) throw new Error(`the bench's advisories affect ${expectedPct.toFixed(1)}% of the fleet, outside the issue's 1–10 %: use another --repos or --shape`);
    picked.forEach((p, i) => {
      const id = `BENCH-${String(i).padStart(4, "0")}`;
      writeFileSync(path.join(mirror, `${id}.json`), JSON.stringify(record(id, p.ecosystem, p.name, p.fixed)));
    });
    // The fake GitHub: one repository per fleet member (only the affected ones should ever be asked anything).
    const gh = new FakeGitHub();
    await gh.start();
    // As a scanned fleet has them: the app's labels exist on GitHub and the scan state knows them (else
    // every first issue of a repository would also create its labels).
    const labels = KNOWN_LABELS;
    for (let i = 0; i < REPOS; i++) {
      gh.addRepo(`fleet/repo-${i}`, { "README.md": `# repo ${i}\n` });
      gh.repo(`fleet/repo-${i}`).labels.push(...labels.map((name, k) => ({ id: 900_000 + k, name, color: "ededed", description: null })));
    }
    const AppOctokit = appOctokitClass({ throttle: false, retry: { sleep: async () => undefined } });
    const octokit = new AppOctokit({ auth: { token: "ghs_bench" }, baseUrl: `http://${gh.host}/api/v3` } as never) as unknown as GitHubOctokit;
    const enrichment = new SharedEnrichment({ offline: true, osvDbPath: mirror, registries: {}, warnings: [] });
    const stages = enrichment.stages();
    const queue = new MemoryJobQueue({ retry: { retries: 0 } });
    const timing = new Map<string, { n: number; ms: number }>();
    const timed = <T extends object>(obj: T, prefix: string): T =>
      new Proxy(obj, {
        get(target, prop, recv) {
          const v = Reflect.get(target, prop, recv) as unknown;
          if (typeof v !== "function") return v;
          return (...a: unknown[]) => {
            const t1 = performance.now();
            const out = (v as (...x: unknown[]) => unknown).apply(target, a);
            const done = () => {
              const e = timing.get(`${prefix}${String(prop)}`) ?? { n: 0, ms: 0 };
              e.n++;
              e.ms += performance.now() - t1;
              timing.set(`${prefix}${String(prop)}`, e);
            };
            if (out instanceof Promise) return out.finally(done);
            done();
            return out;
          };
        },
      });
    const jobStore = timed(store, "jobs: store.");
    const failures: string[] = [];
    await queue.work(
      async (job) => {
        const out = await runReassessJob(job, octokit, silentLogger, { store: jobStore, enrichment, stages, clock: () => new Date(), publicUrl: null });
        if (out.outcome === "failed") failures.push(`${job.repo}: ${out.error}`);
      },
      { concurrency: CONCURRENCY },
    );
    const requestsBefore = gh.requests.length;
    const loadAt = () => os.loadavg().map((x) => x.toFixed(2)).join(", ");
    console.log(`load average at the refresh: ${loadAt()} (${os.cpus().length} cores)`);
    const t0 = Date.now();
    t = performance.now();
    const r = await runAdvisoryRefresh({ store: timed(store, "refresh: store."), enrichment, statePath, enqueue: (req) => queue.enqueue(req.job, req.opts), clock: () => new Date(), log: silentLogger });
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
    console.log(`load average after the last job: ${loadAt()}`);
    console.log(`advisories added: ${picked.length} (${r.changes.length} detected as new/changed)`);
    console.log(`refresh (fingerprint, diff, index lookup, per-candidate advisory check, queue): ${refreshMs} ms`);
    console.log(`repositories using an affected package: ${r.candidates}; affected (version in range): ${r.reassessed.length} of ${REPOS} (${((100 * r.reassessed.length) / REPOS).toFixed(1)}%)`);
    const missed = [...expected].filter((x) => !affected.has(x));
    const extra = [...affected].filter((x) => !expected.has(x));
    if (missed.length + extra.length > 0) throw new Error(`the refresh's affected set differs from the bench's: missed ${missed.slice(0, 5).join(", ")} (${missed.length}); extra ${extra.slice(0, 5).join(", ")} (${extra.length})`);
    console.log(`re-assessment jobs done: ${allMs} ms after the refresh started; failures: ${failures.length}${failures.length ? ` (${failures.slice(0, 3).join("; ")})` : ""}`);
    console.log(`GitHub issues created: ${issueCreates.length}; refresh start → last issue created: ${issueCreates.length ? `${lastIssueAt - t0} ms` : "n/a"} (goal < 60000)`);
    console.log(`GitHub requests: ${during.length} in all; to unaffected repositories: ${toUnaffected} (goal 0); reads of repository content: ${contentReads} (goal 0)`);
    console.log(`index: ${stats.entries} entries, ${stats.packages} packages, ${stats.bytes ?? "?"} bytes (${DATABASE_URL ? "PostgreSQL index relations" : "_index/dependents.json"}; lockfile packages included)`);
    console.log("where the time goes (summed over concurrent calls):");
    for (const [k, v] of [...timing].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${k}: ${v.n} calls, ${Math.round(v.ms)} ms`);
    const kinds = new Map<string, number>();
    for (const q of during) {
      const k = `${q.method} ${q.path.replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/R").replace(/\/\d+/g, "/N").replace(/\?.*/, "")}`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${n} × ${k}`);
    await gh.stop();
  } finally {
    await store.close?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
