/**
 * Offline OSV index benchmark: builds a synthetic mirror of 200,000 OSV records (per-ecosystem
 * all.zip exports like osv-vulnerabilities.storage.googleapis.com, or a JSON tree with --format dir),
 * loads it with OsvOfflineIndex, times 10,000 package lookups (and lookup + match), and samples RSS.
 *
 *   npm run bench:osv -- [--records 200000] [--queries 10000] [--format zip|dir] [--keep] [--mirror DIR]
 *
 * --mirror reuses a mirror kept by an earlier --keep run (generation takes minutes).
 *
 * Goals: build < 10 s, query < 1 ms, RSS < 500 MB.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yazl from "yazl";
import { isAffected } from "../src/enrich/advisories/match.js";
import { OsvOfflineIndex } from "../src/enrich/advisories/osv-offline.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const RECORDS = Number(arg("records", "200000"));
const QUERIES = Number(arg("queries", "10000"));
const FORMAT = arg("format", "zip");
const KEEP = process.argv.includes("--keep");

// Deterministic PRNG (mulberry32) so runs are comparable.
let seed = 0x5eed;
function rand(): number {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (n: number): number => Math.floor(rand() * n);

const ECOSYSTEMS = [
  { name: "npm", share: 0.5, packages: 30_000 },
  { name: "PyPI", share: 0.25, packages: 12_000 },
  { name: "Go", share: 0.15, packages: 8_000 },
  { name: "crates.io", share: 0.1, packages: 4_000 },
] as const;

function pkgName(eco: string, i: number): string {
  if (eco === "Go") return `github.com/org${i % 997}/module-${i}`;
  if (eco === "npm" && i % 5 === 0) return `@scope${i % 113}/pkg-${i}`;
  return eco === "PyPI" ? `Py_Package.${i}` : `pkg-${i}`;
}

// Package popularity is skewed: a few packages carry many advisories.
function packageIndex(count: number): number {
  // pow 1.6: the top npm package gets ~150 of 100k npm records, the top PyPI one ~100 (tensorflow-like).
  return Math.floor(count * Math.pow(rand(), 1.6));
}

function version(eco: string, major: number, minor: number, patch: number): string {
  return eco === "PyPI" && patch === 0 ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
}

const LOREM =
  "An attacker who can supply crafted input can cause excessive resource consumption or bypass validation, leading to denial of service or information disclosure in applications that process untrusted data. ";

function makeRecord(n: number): { eco: string; rec: Record<string, unknown> } {
  let r = rand();
  let eco: (typeof ECOSYSTEMS)[number] = ECOSYSTEMS[0];
  for (const e of ECOSYSTEMS) {
    if (r < e.share) {
      eco = e;
      break;
    }
    r -= e.share;
  }
  const name = pkgName(eco.name, packageIndex(eco.packages));
  const events: Array<Record<string, string>> = [];
  const intervals = 1 + (rand() < 0.25 ? 1 + int(2) : 0);
  let major = int(3);
  for (let k = 0; k < intervals; k++) {
    const minor = int(10);
    events.push(k === 0 && rand() < 0.4 ? { introduced: "0" } : { introduced: version(eco.name, major, minor, 0) });
    if (rand() < 0.08) events.push({ last_affected: version(eco.name, major, minor, 3 + int(5)) });
    else if (rand() > 0.03 || k < intervals - 1) events.push({ fixed: version(eco.name, major, minor, 1 + int(9)) });
    major += 1 + int(2);
  }
  const id = eco.name === "PyPI" ? `PYSEC-2024-${n}` : eco.name === "Go" ? `GO-2024-${n}` : eco.name === "crates.io" ? `RUSTSEC-2024-${n}` : `GHSA-${n.toString(36).padStart(4, "0")}-bench-${n % 9973}`;
  const affected: Record<string, unknown> = {
    package: { ecosystem: eco.name, name, purl: `pkg:${eco.name.toLowerCase()}/${name}` },
    ranges: [{ type: eco.name === "PyPI" ? "ECOSYSTEM" : "SEMVER", events }],
  };
  if (eco.name === "PyPI") {
    affected.versions = Array.from({ length: 5 + int(35) }, (_, i) => version("PyPI", Math.floor(i / 10), i % 10, 0));
  }
  const rec: Record<string, unknown> = {
    schema_version: "1.6.0",
    id,
    modified: "2024-06-01T00:00:00Z",
    published: "2024-05-01T00:00:00Z",
    aliases: [`CVE-2024-${10000 + n}`],
    summary: `Synthetic advisory ${n} in ${name}`,
    details: LOREM.repeat(2 + int(4)),
    affected: [affected],
    references: [
      { type: "ADVISORY", url: `https://nvd.nist.gov/vuln/detail/CVE-2024-${10000 + n}` },
      { type: "WEB", url: `https://example.test/${id}` },
      { type: "PACKAGE", url: `https://example.test/pkg/${name}` },
    ],
  };
  if (rand() < 0.5) rec.severity = [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N" }];
  else rec.database_specific = { severity: pick(["LOW", "MODERATE", "HIGH", "CRITICAL"]) };
  if (rand() < 0.002) rec.withdrawn = "2024-07-01T00:00:00Z";
  return { eco: eco.name, rec };
}

async function writeMirror(root: string): Promise<void> {
  if (FORMAT === "dir") {
    for (let n = 0; n < RECORDS; n++) {
      const { eco, rec } = makeRecord(n);
      const dir = path.join(root, eco);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${rec.id as string}.json`), JSON.stringify(rec));
    }
    return;
  }
  const zips = new Map<string, yazl.ZipFile>();
  const done: Array<Promise<void>> = [];
  for (const e of ECOSYSTEMS) {
    const z = new yazl.ZipFile();
    const dir = path.join(root, e.name);
    mkdirSync(dir, { recursive: true });
    const out = createWriteStream(path.join(dir, "all.zip"));
    done.push(new Promise((res, rej) => out.on("close", () => res()).on("error", rej)));
    z.outputStream.pipe(out);
    zips.set(e.name, z);
  }
  for (let n = 0; n < RECORDS; n++) {
    const { eco, rec } = makeRecord(n);
    zips.get(eco)!.addBuffer(Buffer.from(JSON.stringify(rec)), `${rec.id as string}.json`);
    // Let the compressed output drain instead of queueing every entry in memory.
    if (n % 2000 === 1999) await new Promise<void>((r) => setTimeout(r, 5));
  }
  for (const z of zips.values()) z.end();
  await Promise.all(done);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function generate(root: string): Promise<void> {
  console.log(`generating ${RECORDS} synthetic OSV records (${FORMAT}) in ${root} ...`);
  const g0 = performance.now();
  // Generate in a child process so its garbage does not count against the index's RSS.
  const gen = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), "--generate-into", root], {
    stdio: "inherit",
  });
  if (gen.status !== 0) throw new Error(`generator failed with status ${gen.status}`);
  console.log(`  generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const genOnly = arg("generate-into", "");
  if (genOnly) {
    await writeMirror(genOnly);
    return;
  }
  const reuse = arg("mirror", "");
  const root = reuse || mkdtempSync(path.join(tmpdir(), "osv-bench-"));
  if (reuse) console.log(`reusing mirror ${root}`);
  else await generate(root);


  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 20);

  const t0 = performance.now();
  const index = await OsvOfflineIndex.load(root);
  const buildMs = performance.now() - t0;
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

  // Query a mix: 80% packages that have records, 20% that do not.
  const queries: Array<{ eco: string; name: string; version: string }> = [];
  for (let i = 0; i < QUERIES; i++) {
    const e = pick(ECOSYSTEMS);
    const idx = rand() < 0.8 ? packageIndex(e.packages) : e.packages + int(100_000);
    queries.push({ eco: e.name, name: pkgName(e.name, idx), version: version(e.name, int(6), int(10), int(5)) });
  }
  const lookupTimes: number[] = [];
  const matchTimes: number[] = [];
  let hits = 0;
  let affected = 0;
  for (const q of queries) {
    const a = performance.now();
    const recs = index.lookup(q.eco, q.name);
    const b = performance.now();
    for (const r of recs) if (isAffected(r, q.eco, q.name, q.version)) affected++;
    const c = performance.now();
    lookupTimes.push(b - a);
    matchTimes.push(c - a);
    if (recs.length) hits++;
  }
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;

  lookupTimes.sort((x, y) => x - y);
  matchTimes.sort((x, y) => x - y);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
  const goal = (ok: boolean): string => (ok ? "ok" : "MISSED");

  console.log("\nOSV offline index benchmark");
  console.log(`  records loaded     ${index.stats.records} (files ${index.stats.files}, skipped ${index.stats.skipped}, packages ${index.size}, warnings ${index.warnings.length})`);
  console.log(`  build              ${(buildMs / 1000).toFixed(2)} s   [goal < 10 s: ${goal(buildMs < 10_000)}]`);
  console.log(`  lookup x${QUERIES}     mean ${mean(lookupTimes).toFixed(4)} ms, p99 ${percentile(lookupTimes, 99).toFixed(4)} ms   [goal < 1 ms: ${goal(percentile(lookupTimes, 99) < 1)}]`);
  console.log(`  lookup+match       mean ${mean(matchTimes).toFixed(4)} ms, p99 ${percentile(matchTimes, 99).toFixed(4)} ms  (${hits} packages with records, ${affected} affected matches)`);
  console.log(`  RSS                before ${mb(rssBefore)}, peak ${mb(rssPeak)}, after ${mb(rssAfter)}   [goal < 500 MB: ${goal(rssPeak < 500 * 1024 * 1024)}]`);

  if (KEEP || reuse) console.log(`  mirror kept at ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
