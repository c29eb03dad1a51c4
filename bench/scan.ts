/**
 * Scan benchmark: our extraction over the whole corpus against Renovate's extraction of the same files.
 *
 *   npm run bench:scan
 *   npm run bench:scan -- --iterations 7 --renovate-iterations 3
 *   npm run bench:scan -- --skip-renovate      # reuse bench/.out/renovate-* timings of an earlier run
 *   npm run bench:scan -- --bundle             # ours as one esbuild bundle, as a compiled build runs
 *   npm run bench:scan -- --strict             # exit 1 when a goal (≥ 20× faster, < 200 MB) is not met
 *   npm run bench:scan -- --graph-only         # only the dependency graph figures (bench/graph.ts)
 *
 * Ours: each iteration is a fresh Node process (`node --import tsx bench/renovate/worker.ts`) that scans
 * every corpus repository once (cold), then again --warm times; it reports its scan times and its peak
 * RSS (process.resourceUsage().maxRSS). Renovate: bench/renovate/run-renovate.sh runs it per
 * repository, timed by wall clock and `/usr/bin/time -v` (peak RSS); its own debug log gives the
 * extract phase alone ("Repository timing splits"), i.e. without process start and config.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  CORPUS_DIR,
  OUT_DIR,
  PROJECT_DIR,
  RUN_RENOVATE,
  corpusRepos,
  loadOurScanner,
  renovateTimingFromLog,
} from "./renovate/paths.js";
import type { WorkerReport } from "./renovate/worker.js";
import { printGraphBench, runGraphBench } from "./graph.js";

const SELF = fileURLToPath(import.meta.url);
const WORKER = path.join(path.dirname(SELF), "renovate", "worker.ts");
export const GOAL_SPEEDUP = 20;
export const GOAL_RSS_MB = 150;

export interface OurRun extends WorkerReport {
  process_wall_ms: number;
}

export interface RenovateRepoTiming {
  repo: string;
  wall_ms: number[];
  max_rss_kb: number[];
  extract_ms: number[];
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** "Maximum resident set size (kbytes): 438996" from `/usr/bin/time -v` output. */
export function maxRssFromTimeV(text: string): number | null {
  const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

function parseArgs(argv: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith("--")) {
      out[a.slice(2)] = next;
      i++;
    } else out[a.slice(2)] = true;
  }
  return out;
}

function intArg(args: Record<string, string | boolean>, name: string, dflt: number): number {
  const v = args[name];
  if (typeof v !== "string") return dflt;
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n < 1) throw new Error(`--${name} wants a positive integer, got "${v}"`);
  return n;
}

/** Our worker as a command: under tsx, or a bundle made by bundleWorker(). */
function workerCommand(bundle: string | null, warm: number, repos: readonly string[] = []): string[] {
  const extra = repos.length ? ["--repos", repos.join(",")] : [];
  return bundle ? [bundle, "--warm", String(warm), ...extra] : ["--import", "tsx", WORKER, "--warm", String(warm), ...extra];
}

/**
 * Bundle the worker and our scan into one ES module with esbuild (tsx's own dependency), as a
 * compiled build would run, written to a temporary folder (removed at exit).
 */
async function bundleWorker(): Promise<string> {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new Error("--bundle needs esbuild (installed with tsx); it could not be loaded");
  }
  // Outside the project, so that neither tsc nor eslint picks the generated files up.
  const dir = mkdtempSync(path.join(tmpdir(), "cowabunga-bench-bundle-"));
  const entry = path.join(dir, "entry.ts");
  const out = path.join(dir, "worker.mjs");
  const abs = (p: string): string => JSON.stringify(path.join(PROJECT_DIR, p));
  writeFileSync(
    entry,
    [
      "const t0 = performance.now();",
      `import { scanRepository } from ${abs("src/scan/index.ts")};`,
      `import { LocalSource } from ${abs("src/source/local.ts")};`,
      `import { reposArg, runScanWorker, warmArg } from ${abs("bench/renovate/worker.ts")};`,
      "const report = await runScanWorker((dir) => scanRepository(new LocalSource(dir)), warmArg(process.argv), t0, reposArg(process.argv));",
      "process.stdout.write(JSON.stringify(report) + \"\\n\");",
      "",
    ].join("\n"),
  );
  await esbuild.build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Everything bundled: the output lives outside the project's node_modules reach.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: "warning",
  });
  return out;
}

function runWorker(warm: number, bundle: string | null, repos: readonly string[] = []): Promise<OurRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, workerCommand(bundle, warm, repos), {
      cwd: PROJECT_DIR,
      env: { ...process.env, CORPUS_DIR },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wall = performance.now() - t0;
      if (code !== 0) return reject(new Error(`our scan worker failed (exit ${code}): ${err.trim() || out.trim()}`));
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve({ ...(JSON.parse(line) as WorkerReport), process_wall_ms: wall });
      } catch {
        reject(new Error(`our scan worker printed no report: ${out.slice(0, 500)} ${err.slice(0, 500)}`));
      }
    });
  });
}

function readRenovateTimings(repos: string[], iterations: number): RenovateRepoTiming[] {
  return repos.map((repo) => {
    const t: RenovateRepoTiming = { repo, wall_ms: [], max_rss_kb: [], extract_ms: [] };
    for (let i = 1; i <= iterations; i++) {
      const wall = path.join(OUT_DIR, `renovate-${repo}.wall.${i}`);
      if (!existsSync(wall)) break;
      t.wall_ms.push(Number(readFileSync(wall, "utf8").trim()));
      const tv = path.join(OUT_DIR, `renovate-${repo}.time.${i}`);
      if (existsSync(tv)) {
        const rss = maxRssFromTimeV(readFileSync(tv, "utf8"));
        if (rss !== null) t.max_rss_kb.push(rss);
      }
      const log = path.join(OUT_DIR, `renovate-${repo}.log.${i}.jsonl`);
      if (existsSync(log)) {
        const split = renovateTimingFromLog(readFileSync(log, "utf8"));
        if (split) t.extract_ms.push(split.extract_ms);
      }
    }
    if (!t.wall_ms.length)
      throw new Error(`no Renovate timing for ${repo} in ${OUT_DIR}: run without --skip-renovate`);
    return t;
  });
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const iterations = intArg(args, "iterations", 5);
  const renovateIterations = intArg(args, "renovate-iterations", 3);
  const warm = intArg(args, "warm", 5);
  const repos = corpusRepos();

  // Fail clearly, and early, when our scan is not there yet.
  await loadOurScanner();

  // Dependency graph build + remediation plan, in process (goal < 50 ms for the largest lockfile).
  const graphOk = printGraphBench(await runGraphBench(intArg(args, "graph-iterations", 15)));
  if (args["graph-only"]) return args.strict && !graphOk ? 1 : 0;

  const loadBefore = loadavg()[0];
  console.log(`corpus: ${repos.join(", ")} (${CORPUS_DIR}); load average ${loadBefore.toFixed(2)}`);
  const bundle = args.bundle ? await bundleWorker() : null;
  if (bundle) process.on("exit", () => rmSync(path.dirname(bundle), { recursive: true, force: true }));
  console.log(
    `ours: ${iterations} fresh processes (${bundle ? "esbuild bundle" : "tsx"}), each 1 cold + ${warm} warm passes over the corpus`,
  );
  const ours: OurRun[] = [];
  for (let i = 0; i < iterations; i++) ours.push(await runWorker(warm, bundle));
  // The whole process per repository, as `cowabunga scan <dir>` runs and as Renovate runs: one fresh
  // process per repository, wall clock from spawn to exit.
  console.log(`ours: ${iterations} fresh processes per repository, one repository each (whole process)`);
  const perRepoProcess = new Map<string, number[]>();
  let perRepoRss = 0;
  for (let i = 0; i < iterations; i++) {
    for (const repo of repos) {
      const run = await runWorker(0, bundle, [repo]);
      perRepoProcess.set(repo, [...(perRepoProcess.get(repo) ?? []), run.process_wall_ms]);
      perRepoRss = Math.max(perRepoRss, run.max_rss_kb);
    }
  }

  if (!args["skip-renovate"]) {
    console.log(`renovate: ${renovateIterations} runs per repository (bench/renovate/run-renovate.sh)`);
    const r = spawnSync("bash", [RUN_RENOVATE, ...repos], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, ITERATIONS: String(renovateIterations) },
    });
    if (r.status !== 0) throw new Error(`run-renovate.sh failed (exit ${r.status ?? r.signal})`);
  }
  const renovate = readRenovateTimings(repos, renovateIterations);

  // Per repository: our cold scan (median over processes) vs Renovate's process and extract phase.
  console.log("\nper repository (medians)");
  const rows = repos.map((repo) => {
    const ourCold = median(ours.map((o) => o.repos.find((r) => r.repo === repo)?.cold_ms ?? NaN));
    const rt = renovate.find((t) => t.repo === repo);
    const renWall = median(rt?.wall_ms ?? []);
    const renExtract = median(rt?.extract_ms ?? []);
    const deps = ours[0].repos.find((r) => r.repo === repo)?.dependencies ?? 0;
    const ourProcess = median(perRepoProcess.get(repo) ?? []);
    return { repo, deps, ourCold, ourProcess, renWall, renExtract, processRatio: renWall / ourProcess };
  });
  const w = Math.max(...repos.map((r) => r.length), 10);
  console.log(
    `${"repository".padEnd(w)}  ${"deps".padStart(5)}  ${"ours cold".padStart(10)}  ${"ours proc".padStart(10)}  ${"renovate proc".padStart(13)}  ${"proc ratio".padStart(10)}  ${"renovate extract".padStart(16)}`,
  );
  for (const r of rows)
    console.log(
      `${r.repo.padEnd(w)}  ${String(r.deps).padStart(5)}  ${fmt(r.ourCold).padStart(10)}  ${fmt(r.ourProcess).padStart(10)}  ${fmt(r.renWall).padStart(13)}  ${`${r.processRatio.toFixed(1)}x`.padStart(10)}  ${fmt(r.renExtract).padStart(16)}`,
    );
  const worstRatio = Math.min(...rows.map((r) => r.processRatio));

  const ourCold = median(ours.map((o) => o.cold_total_ms));
  const ourWarm = median(ours.flatMap((o) => o.warm_total_ms));
  // Process start to the end of the cold pass (the warm passes come after and are left out).
  const ourProc = median(ours.map((o) => o.process_to_cold_end_ms));
  const ourLoad = median(ours.map((o) => o.load_ms));
  const ourRss = Math.max(...ours.map((o) => o.max_rss_kb));
  const renProc = rows.reduce((a, r) => a + r.renWall, 0);
  const renExtract = rows.reduce((a, r) => a + r.renExtract, 0);
  const renRssList = renovate.flatMap((t) => t.max_rss_kb);
  const renRss = renRssList.length ? Math.max(...renRssList) : NaN;

  const total = renProc / ourProc;
  const startupExcluded = renExtract / ourCold;
  console.log("\nwhole corpus (medians)");
  console.log(`  total, process start included: ours ${fmt(ourProc)} (one process) vs Renovate ${fmt(renProc)} (one process per repository): ${total.toFixed(1)}x`);
  console.log(`  extraction only:               ours ${fmt(ourCold)} cold, ${fmt(ourWarm)} warm vs Renovate extract phase ${fmt(renExtract)}: ${startupExcluded.toFixed(1)}x (cold), ${(renExtract / ourWarm).toFixed(1)}x (warm)`);
  console.log(`  our module load${bundle ? "" : " (tsx transpile included)"}, excluded above: ${fmt(ourLoad)}`);
  console.log(`  peak RSS:                      ours ${mb(ourRss)} (whole corpus in one process), ${mb(perRepoRss)} (one repository per process) vs Renovate ${Number.isFinite(renRss) ? mb(renRss) : "n/a (no /usr/bin/time)"}`);

  // The goal is the whole job on the same files (process start to extracted result), as a user runs
  // either tool; the extraction-only ratio (each tool's own in-process extract phase) is printed beside it.
  const speedOk = total >= GOAL_SPEEDUP && worstRatio >= GOAL_SPEEDUP;
  // As a user runs it: one repository per process (the corpus-in-one-process figure is printed too).
  const rssOk = perRepoRss / 1024 < GOAL_RSS_MB;
  console.log(
    `\ngoal ≥ ${GOAL_SPEEDUP}x faster, whole process: ${speedOk ? "met" : "NOT met"} (corpus total ${total.toFixed(1)}x; per repository ${worstRatio.toFixed(1)}x at worst; for information, in-process extraction only ${startupExcluded.toFixed(1)}x)`,
  );
  console.log(`goal peak RSS < ${GOAL_RSS_MB} MB, one repository per process: ${rssOk ? "met" : "NOT met"} (${mb(perRepoRss)}; whole corpus in one process ${mb(ourRss)})`);

  mkdirSync(OUT_DIR, { recursive: true });
  const result = {
    generated_at: new Date().toISOString(),
    node: process.version,
    load_average: { before: loadBefore, after: loadavg()[0] },
    runner: bundle ? "esbuild bundle" : "tsx",
    iterations,
    renovate_iterations: renovateIterations,
    warm,
    per_repo: rows,
    ours: {
      load_ms: ourLoad,
      cold_total_ms: ourCold,
      warm_total_ms: ourWarm,
      process_wall_ms: ourProc,
      max_rss_kb: ourRss,
      per_repo_process_max_rss_kb: perRepoRss,
      runs: ours,
    },
    renovate: { process_wall_ms: renProc, extract_ms: renExtract, max_rss_kb: Number.isFinite(renRss) ? renRss : null, runs: renovate },
    ratio: { total, per_repo_process_worst: worstRatio, extraction_only_cold: startupExcluded, extraction_only_warm: renExtract / ourWarm },
    goals: { speedup: GOAL_SPEEDUP, rss_mb: GOAL_RSS_MB, speed_met: speedOk, rss_met: rssOk },
  };
  const target = path.join(OUT_DIR, bundle ? "scan-bench-bundle.json" : "scan-bench.json");
  writeFileSync(target, JSON.stringify(result, null, 2));
  console.log(`\nwrote ${path.relative(PROJECT_DIR, target)} (bench:compare puts it in docs/peer-comparison.md)`);
  return args.strict && !(speedOk && rssOk) ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench:scan: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
