/**
 * `npm run bench:fleet` (issue 11, item 9): a fleet of repositories generated from the corpus shapes, on
 * the fake GitHub, scanned by one `cowabunga serve` and two `cowabunga worker` processes over a fresh
 * PostgreSQL database, with registries and OSV simulated at 50 ms latency. See bench/fleet/run.ts.
 *
 *   npm run bench:fleet                          # 2,000 repositories
 *   npm run bench:fleet -- --repos 200           # a quick check
 *   npm run bench:fleet -- --repos 200 --workers 1 --ack-rate 10 --latency 50 --concurrency 4 --timeout 20 --json
 *
 * Needs PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test: the bench creates
 * and drops a database of its own) and ../shared/corpus. Run it under `nice` on a shared machine.
 */
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { postgresAvailable } from "../test/helpers/services.js";
import { CORPUS_DIR, runFleet, type FleetFigures, type PhaseRequests } from "./fleet/run.js";

function num(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`bench:fleet: --${name} needs a number`);
    process.exit(2);
  }
  return v;
}

const repos = Math.floor(num("repos", 2000));
const workers = Math.floor(num("workers", 2));
const ackRate = num("ack-rate", 5);
const latencyMs = num("latency", 50);
const concurrency = Math.floor(num("concurrency", 0));
const timeoutMin = num("timeout", 45);
const asJson = process.argv.includes("--json");

if (repos < 1 || (workers !== 1 && workers !== 2)) {
  console.error("bench:fleet: --repos ≥ 1 and --workers 1 or 2");
  process.exit(2);
}
if (!existsSync(path.join(CORPUS_DIR, "repos"))) {
  console.error(`bench:fleet: the corpus is missing at ${CORPUS_DIR}`);
  process.exit(2);
}
if (!(await postgresAvailable("bench:fleet"))) process.exit(2);

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;
const kb = (b: number): string => `${(b / 1024).toFixed(0)} KB`;
const f1 = (n: number | null | undefined): string => (n === null || n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(1));

function requests(label: string, r: PhaseRequests): string {
  return `${label}: ${f1(r.perRepo)} per repository (${f1(r.readsPerRepo)} reads, ${f1(r.writesPerRepo)} writes; the app's own count per scan: ${f1(r.appReadsPerScan)} reads, ${f1(r.appWritesPerScan)} writes); besides: ${r.app} app/token requests in all, ${f1(r.otherPerRepo)} per repository to other repositories (GitHub-hosted datasources: Actions' tags)`;
}

function print(f: FleetFigures): void {
  const fs = f.firstScan;
  const lines = [
    "",
    `bench:fleet — ${f.shape.repos} repositories (${f.shape.bySize.small} small / ${f.shape.bySize.medium} medium / ${f.shape.bySize.large} large), 1 serve + ${f.workers} worker${f.workers > 1 ? "s" : ""}${f.concurrency ? `, COWABUNGA_CONCURRENCY=${f.concurrency}` : ""}, registries and OSV at ${f.latencyMs} ms`,
    `  first scan of every repository: ${f1(fs.seconds)} s = ${f1(fs.seconds / 60)} min (${fs.scanned}/${fs.repos} scanned${fs.complete ? "" : ", INCOMPLETE"}; ${fs.failedJobs} failed jobs)   goal < 10 min: ${fs.complete && fs.seconds < 600 ? "met" : "NOT met"}`,
    `    installation webhook naming all ${fs.repos} repositories acknowledged in ${fs.installationAckMs.toFixed(0)} ms`,
    `    scan duration p50 ${fs.scanMs.p50} ms, p95 ${fs.scanMs.p95} ms, max ${fs.scanMs.max} ms`,
    `  scans per minute: 1 worker ${f1(fs.soloScansPerMin)}, 2 workers ${f1(fs.duoScansPerMin)} (whole first scan ${f1(fs.overallScansPerMin)})`,
    `  GitHub requests, ${requests("cold", fs.github)}`,
    f.unchanged
      ? `  GitHub requests, ${requests("unchanged", f.unchanged.github)}; ${f.unchanged.scans} scans in ${f1(f.unchanged.seconds)} s = ${f1(f.unchanged.scansPerMin)}/min (${Object.entries(f.unchanged.outcomes).map(([k, v]) => `${k} ${v}`).join(", ")})`
      : "  unchanged pass: skipped",
    `  registry requests against unique packages: ${(["npm", "pypi", "crates", "go", "docker"] as const).map((e) => `${e} ${f.registries.requests[e]}/${f.registries.uniquePackages[e]}`).join(", ")} (requests/packages; repeated URLs ${Object.values(f.registries.repeats).reduce((a, b) => a + b, 0)}); OSV: ${f.registries.osvBatches} querybatch calls for ${f.registries.osvQueries} queries (${f.registries.uniquePackages.osv} distinct package versions), ${f.registries.osvRecordFetches} record fetches; ${f.registries.unknownPaths} requests to unknown paths`,
    `  webhook acknowledgment during the run: ${f.ack.count} signed pushes, p50 ${f1(f.ack.p50)} ms, p95 ${f1(f.ack.p95)} ms, p99 ${f1(f.ack.p99)} ms, max ${f1(f.ack.max)} ms (${Object.entries(f.ack.statuses).map(([s, n]) => `${s}×${n}`).join(", ")}${f.ack.failed ? `, ${f.ack.failed} failed` : ""})   goal p99 < 100 ms: ${f.ack.p99 < 100 ? "met" : "NOT met"}`,
    `    serve's own response times (Probot's request log) of ${f.serveAck.count} webhook requests: p50 ${f1(f.serveAck.p50)} ms, p99 ${f1(f.serveAck.p99)} ms, max ${f1(f.serveAck.max)} ms`,
    `  database size per repository: ${kb(f.database.perRepoAfterFirst)} after the first scan (${mb(f.database.bytesAfterFirst)} in all)${f.database.perRepoAfterUnchanged !== null ? `, ${kb(f.database.perRepoAfterUnchanged)} after the unchanged pass` : ""}`,
    `  peak RSS (VmHWM): ${Object.entries(f.peakRss).map(([k, v]) => `${k} ${mb(v)}`).join(", ")}`,
    `  GitHub requests to other repositories, by endpoint: ${Object.entries(f.otherEndpoints).map(([k, v]) => `${k} ×${v}`).join("; ") || "none"}`,
    `  fake GitHub OpenAPI violations: ${f.violations}; load average at the end ${f.loadAverage.map((x) => x.toFixed(1)).join(" / ")} on ${cpus().length} cores`,
  ];
  console.log(lines.join("\n"));
}

try {
  const figures = await runFleet({ repos, workers, ackRate, latencyMs, ...(concurrency ? { concurrency } : {}), timeoutMs: timeoutMin * 60_000 });
  if (asJson) console.log(JSON.stringify(figures, null, 2));
  print(figures);
  if (!figures.firstScan.complete) process.exitCode = 1;
} catch (err) {
  console.error(`bench:fleet failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
}
