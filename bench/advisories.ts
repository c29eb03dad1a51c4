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
 * size. GitHub requests: the refresh has no GitHub client at all (0 by construction); issues/PRs from
 * a re-assessment are not implemented yet, so "time to the last GitHub issue" is not measured.
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
  try {
    shapes = [];
    for (const dir of readdirSync(CORPUS).sort()) {
      const r = await runLocalPipeline({ dir: path.join(CORPUS, dir), enrich: false, offline: true });
      shapes.push(r.assessment.dependencies);
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
    for (let i = 0; i < REPOS; i++) {
      const shape = shapes[i % shapes.length]!;
      const deps = shape.map((d) => ({ ...d, version: bumped(d.version, bump(i, d.name)), advisories: [], cve_ids: [], advisories_checked: true }));
      await store.putDependencies({ owner: "fleet", repo: `repo-${i}` }, deps);
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
    t = performance.now();
    const r = await refreshAdvisories({ store, mirror, statePath });
    const ms = Math.round(performance.now() - t);
    const stats = await store.dependentsIndexStats();
    console.log(`advisories added: ${picked.length} (${r.changes.length} detected as new/changed)`);
    console.log(`refresh → every affected repository's stored dependencies updated: ${ms} ms`);
    console.log(`repositories using an affected package: ${r.candidates}; re-assessed (version affected): ${r.reassessed.length} of ${REPOS} (${((100 * r.reassessed.length) / REPOS).toFixed(1)}%)`);
    console.log(`GitHub requests made by the refresh: 0 (no GitHub client; issues/PRs not yet acted on)`);
    console.log(`index: ${stats.entries} entries, ${stats.packages} packages, ${stats.bytes ?? "?"} bytes (${DATABASE_URL ? "PostgreSQL index relation" : "_index/dependents.json"})`);
  } finally {
    await store.close?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
