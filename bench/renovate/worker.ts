/**
 * The measured side of bench/scan.ts: runs in a fresh process, scans every corpus repository once
 * (cold) and then `warm` more times, and prints one JSON line (WorkerReport).
 *
 *   node --import tsx bench/renovate/worker.ts --warm 5
 *
 * bench/scan.ts --bundle also bundles runScanWorker with esbuild, to measure a compiled build.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CORPUS_DIR, corpusRepos, loadOurScanner, type ScanDirectory } from "./paths.js";

export interface WorkerReport {
  repos: Array<{ repo: string; cold_ms: number; dependencies: number; files_scanned: number; warnings: number }>;
  /** Loading our modules (transpiled, under tsx) and a scan of an empty folder: excluded from cold_total_ms. */
  load_ms: number;
  /** First scan of each repository, modules loaded but code not yet optimized by the JIT. */
  cold_total_ms: number;
  /** performance.now() when the cold pass ended: time since this process started, start-up included. */
  process_to_cold_end_ms: number;
  warm_total_ms: number[];
  max_rss_kb: number;
}

/** `loadStart`: performance.now() before the scanner was loaded, so load_ms covers it. */
export async function runScanWorker(scan: ScanDirectory, warm: number, loadStart: number, only: readonly string[] = []): Promise<WorkerReport> {
  // Pull in every manager module before timing (Renovate's extract split excludes its start-up too):
  // a scan of an empty folder does.
  const empty = mkdtempSync(path.join(tmpdir(), "cowabunga-bench-"));
  try {
    await scan(empty);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const all = corpusRepos();
  const repos = only.length ? all.filter((r) => only.includes(r)) : all;
  const report: WorkerReport = {
    repos: [],
    load_ms: performance.now() - loadStart,
    cold_total_ms: 0,
    process_to_cold_end_ms: 0,
    warm_total_ms: [],
    max_rss_kb: 0,
  };
  for (const repo of repos) {
    const t0 = performance.now();
    const r = await scan(path.join(CORPUS_DIR, "repos", repo));
    const ms = performance.now() - t0;
    report.repos.push({
      repo,
      cold_ms: ms,
      dependencies: r.dependencies.length,
      files_scanned: r.files_scanned,
      warnings: r.warnings.length,
    });
    report.cold_total_ms += ms;
  }
  report.process_to_cold_end_ms = performance.now();
  for (let i = 0; i < warm; i++) {
    const t0 = performance.now();
    for (const repo of repos) await scan(path.join(CORPUS_DIR, "repos", repo));
    report.warm_total_ms.push(performance.now() - t0);
  }
  report.max_rss_kb = process.resourceUsage().maxRSS;
  return report;
}

/** `--repos a,b`: scan only these corpus repositories (one repository per process, as `cowabunga scan` runs). */
export function reposArg(argv: readonly string[]): string[] {
  const i = argv.indexOf("--repos");
  return i >= 0 ? (argv[i + 1] ?? "").split(",").filter(Boolean) : [];
}

export function warmArg(argv: readonly string[]): number {
  const i = argv.indexOf("--warm");
  const n = i >= 0 ? Number.parseInt(argv[i + 1] ?? "", 10) : 5;
  return Number.isFinite(n) && n >= 0 ? n : 5;
}

// Run directly (not when bundled: the bundle's own entry calls runScanWorker).
const self = fileURLToPath(import.meta.url);
if (self.endsWith(`${path.sep}worker.ts`) && process.argv[1] && path.resolve(process.argv[1]) === self) {
  const t0 = performance.now();
  loadOurScanner()
    .then((scan) => runScanWorker(scan, warmArg(process.argv), t0, reposArg(process.argv)))
    .then(
      (report) => process.stdout.write(JSON.stringify(report) + "\n"),
      (err: unknown) => {
        console.error(`bench worker: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(2);
      },
    );
}
