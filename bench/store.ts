/**
 * Store write cost per scan: FileStore vs PgStore, for one repository scanned over and over.
 *
 *   npm run bench:store -- [--scans 60] [--deps 300] [--issues 40] [--database-url postgres://…]
 *
 * Each "scan" stores a full assessment (storeAssessment: issues, dependencies + snapshot, system and
 * component health, health history), an hour apart; every 4th scan changes 5% of the versions.
 * Prints the median time per scan and the bytes added per scan (files on disk; PostgreSQL relation
 * sizes), so the issue's "137 KB rewritten per scan, ~300 MB per repository per year" can be compared.
 * Needs PostgreSQL (default the test server) for the second half; creates and drops its own database.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Assessment } from "../src/assess/types.js";
import { FileStore } from "../src/store/file-store.js";
import { storeAssessment } from "../src/store/assessment.js";
import { createPgStore } from "../src/store/pg/index.js";
import type { Store } from "../src/store/types.js";
import { makeComponentHealth, makeDependency, makeIssue, makeSystemHealth } from "../test/helpers/factories.js";
import { POSTGRES_URL, createTestDatabase } from "../test/helpers/services.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const SCANS = Number(arg("scans", "60"));
const DEPS = Number(arg("deps", "300"));
const ISSUES = Number(arg("issues", "40"));
const ref = { owner: "bench", repo: "store" };
const START = Date.parse("2026-06-01T00:00:00Z");

function assessmentAt(scan: number): { a: Assessment; at: string } {
  const at = new Date(START + scan * 3_600_000).toISOString();
  const bump = Math.floor(scan / 4);
  const components = ["api", "ui", "backend", "sdk", "infra"].map((name) => makeComponentHealth({ name, last_health_check: at }));
  const dependencies = Array.from({ length: DEPS }, (_, i) =>
    makeDependency({ name: `pkg-${i}`, component: components[i % 5]!.name, file: `${components[i % 5]!.name}/package.json`, version: i % 20 === 0 ? `1.${bump}.0` : "1.0.0", line: i + 1 }),
  );
  const issues = Array.from({ length: ISSUES }, (_, i) => makeIssue({ id: `issue-${i}`, subject: `npm:pkg-${i}@1.0.0:GHSA-${i}` }));
  const system = makeSystemHealth({ timestamp: at });
  return { a: { system, components, issues, dependencies, alerts: [], warnings: [] } as unknown as Assessment, at };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

/** `written(i)`: bytes the i-th scan wrote (files rewritten; PostgreSQL WAL). */
async function run(label: string, store: Store, size: () => Promise<number>, writtenBy: (scan: () => Promise<void>) => Promise<number>): Promise<void> {
  const times: number[] = [];
  const before = await size();
  let lastWritten = 0;
  for (let s = 0; s < SCANS; s++) {
    const { a, at } = assessmentAt(s);
    const scan = async () => {
      const t0 = performance.now();
      await storeAssessment(store, ref, a, `sha-${s}`, at);
      times.push(performance.now() - t0);
    };
    if (s === SCANS - 1) lastWritten = await writtenBy(scan);
    else await scan();
  }
  const after = await size();
  times.sort((x, y) => x - y);
  const median = times[Math.floor(times.length / 2)]!;
  const p95 = times[Math.floor(times.length * 0.95)]!;
  console.log(
    `${label.padEnd(10)} ${SCANS} scans: median ${median.toFixed(1)} ms/scan, p95 ${p95.toFixed(1)} ms; ` +
      `${((after - before) / SCANS / 1024).toFixed(1)} KB added per scan, ${(after / 1024 / 1024).toFixed(2)} MB total; ` +
      `the last scan wrote ${(lastWritten / 1024).toFixed(1)} KB`,
  );
}

console.log(`one repository, ${DEPS} dependencies, ${ISSUES} issues, 5 components; 5% of versions change every 4th scan`);
const root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-bench-store-"));
try {
  const file = new FileStore({ root, clock: () => new Date(START + SCANS * 3_600_000) });
  // Every file storeAssessment touches is rewritten whole: the last scan wrote what those files hold.
  await run("FileStore", file, async () => dirBytes(root), async (scan) => {
    const t = Date.now();
    await scan();
    const touched = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return n + touched(p);
        const st = statSync(p);
        return st.mtimeMs >= t - 1 ? n + st.size : n;
      }, 0);
    return touched(root);
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}

const given = arg("database-url", "");
const db = given ? { url: given, drop: async () => undefined } : await createTestDatabase("bench_store").catch((err: Error) => {
  console.log(`PgStore    skipped: PostgreSQL at ${POSTGRES_URL} unreachable (${err.message})`);
  return null;
});
if (db) {
  const store = await createPgStore({ connectionString: db.url, now: () => new Date(START + SCANS * 3_600_000) });
  const admin = new pg.Pool({ connectionString: db.url, max: 1 });
  // Relation sizes (heap + TOAST + indexes) of the store's tables.
  const size = async () =>
    Number(
      (
        await admin.query<{ n: string }>(
          `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
           WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT IN ('schema_migrations', 'http_cache', 'http_fetch_claims', 'idempotency_keys')`,
        )
      ).rows[0]!.n,
    );
  try {
    await run("PgStore", store, size, async (scan) => {
      const lsn = async () => (await admin.query<{ l: string }>("SELECT pg_current_wal_lsn()::text AS l")).rows[0]!.l;
      const a = await lsn();
      await scan();
      const b = await lsn();
      return Number((await admin.query<{ n: string }>("SELECT pg_wal_lsn_diff($1, $2)::bigint AS n", [b, a])).rows[0]!.n);
    });
    await admin.query("VACUUM FULL");
    console.log(`PgStore    after VACUUM FULL (what autovacuum converges to): ${((await size()) / 1024 / 1024).toFixed(2)} MB total, ${((await size()) / SCANS / 1024).toFixed(1)} KB per scan`);
  } finally {
    await admin.end();
    await store.close();
    await db.drop();
  }
}
