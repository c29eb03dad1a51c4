/**
 * Webhook acknowledgment latency of the real app server (started as `npm start` does) against the fake
 * GitHub Enterprise Server on loopback.
 *
 *   npm run bench:ack
 *   npm run bench:ack -- --rate 50 --duration 30 --strict     # exit 1 when p99 ≥ 100 ms
 *   npm run bench:ack -- --serve                              # `cowabunga serve`: each delivery becomes a job in PostgreSQL
 *
 * Signed `push` deliveries (distinct X-GitHub-Delivery ids) are sent open-loop at a fixed rate: each one
 * leaves at its scheduled time whether or not earlier ones were answered, so a slow server cannot hide
 * its latency by slowing the sender (no coordinated omission). Every push touches a manifest, so the app
 * really queues scans (coalesced per repository) and runs them against the fake while acknowledging.
 * Reported: p50/p95/p99/max of the time from sending to the HTTP response, and the status codes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { startAppServer } from "../test/helpers/app-server.js";
import { createTestDatabase, postgresAvailable } from "../test/helpers/services.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

const rate = arg("rate", 50);
const duration = arg("duration", 30);
const strict = process.argv.includes("--strict");
const serveMode = process.argv.includes("--serve");
if (serveMode && !(await postgresAvailable("bench:ack --serve"))) process.exit(1);
const db = serveMode ? await createTestDatabase("bench_ack") : null;

const gh = new FakeGitHub();
await gh.start();
const REPO = "acme/platform";
const first = gh.addRepo(REPO, {
  "api/requirements.txt": "flask==2.0.0\nrequests==2.19.0\n",
  "web/package.json": JSON.stringify({ name: "web", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } }, null, 2),
  "README.md": "# platform\n",
});
const second = gh.commitFiles(
  REPO,
  { "api/requirements.txt": "flask==2.0.1\nrequests==2.19.0\n", "web/package.json": JSON.stringify({ name: "web", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } }, null, 2), "README.md": "# platform\n" },
  "bump flask",
);
const payload = gh.pushPayload(REPO, first, second);
const dataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-bench-ack-"));
const app = await startAppServer({
  gheHost: gh.host,
  dataDir,
  env: { COWABUNGA_OFFLINE: "true", COWABUNGA_GITHUB_THROTTLE: "false", ...(db ? { DATABASE_URL: db.url } : {}) },
  // --serve: webhooks only; the jobs wait in PostgreSQL (no worker runs here).
  ...(db ? { args: ["src/cli/main.ts", "serve"] } : {}),
});

try {
  // Warm up (module loading, first JIT, keep-alive connection).
  for (let i = 0; i < 20; i++) await app.deliver("push", payload, `warmup-${i}`);

  const total = Math.round(rate * duration);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  const t0 = performance.now() + 50;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      app
        .deliver("push", payload, `bench-${process.pid}-${i}`)
        .then((r) => {
          latencies.push(r.ms);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const fmt = (n: number): string => `${n.toFixed(1)} ms`;
  const p99 = percentile(latencies, 99);
  console.log(`Mode: ${serveMode ? "cowabunga serve (verify, enqueue into PostgreSQL, acknowledge)" : "embedded npm start (in-process queue, scans run alongside)"}`);
  console.log(`Webhook acknowledgment latency: ${latencies.length} signed push deliveries at ${rate}/s for ${duration} s (sent over ${elapsed.toFixed(1)} s)`);
  console.log(`  p50 ${fmt(percentile(latencies, 50))}   p95 ${fmt(percentile(latencies, 95))}   p99 ${fmt(p99)}   max ${fmt(latencies.at(-1) ?? NaN)}`);
  console.log(`  statuses: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ")}${errors ? `; ${errors} failed requests` : ""}`);
  const scans = (app.output().match(/"outcome":"(scanned|unchanged|duplicate)"/g) ?? []).length;
  console.log(`  scans run meanwhile by the app: ${scans}; GitHub requests it made: ${gh.requests.length}; OpenAPI violations: ${gh.violations.length}`);
  console.log(`  goal p99 < 100 ms: ${p99 < 100 ? "met" : "NOT met"}`);
  if (strict && !(p99 < 100)) process.exitCode = 1;
} finally {
  await app.stop();
  await gh.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await db?.drop();
}
