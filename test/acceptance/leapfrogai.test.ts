/**
 * Acceptance over the shared corpus (skipped, with a warning, when <project>/../shared/corpus is absent):
 * 1. `cowabunga scan <leapfrogai> --offline --osv-db <corpus osv> --format json` completes, every component
 *    has a health score, and for every exactly pinned PyPI dependency the advisory ids reported equal the
 *    ids an independent evaluator (below: raw OSV JSON + @renovatebot/pep440 comparisons, not our matcher)
 *    finds affecting that version.
 * 2. A repository pinning the OSV engineer's affected/fixed pairs (test/fixtures/enrich/osv/pinned-requirements.txt)
 *    as its requirements.txt: every affected (package, version) is a security issue, no fixed one is.
 */
import { execFile } from "node:child_process";
import { existsSync, promises as fs, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as pep440 from "@renovatebot/pep440";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusPathAvailable } from "../helpers/corpus.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.resolve(here, "../..");
const CORPUS = path.resolve(project, "..", "shared/corpus");
const LEAPFROG = path.join(CORPUS, "repos/defenseunicorns__leapfrogai");
const OSV = path.join(CORPUS, "osv");
const PINS = path.join(project, "test/fixtures/enrich/osv/pinned-requirements.txt");
const exists = corpusPathAvailable("[acceptance]", LEAPFROG) && corpusPathAvailable("[acceptance]", OSV);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(project, "bin/cowabunga.js"), ...args], { cwd: project, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface RawRecord {
  id: string;
  withdrawn?: string;
  affected?: Array<{ package?: { ecosystem: string; name: string }; versions?: string[]; ranges?: Array<{ type: string; events: Array<Record<string, string>> }> }>;
}

const norm = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, "-");

/** Independent OSV evaluation (the schema's algorithm), for the PyPI records of the given package names. */
function expectedIds(records: RawRecord[], name: string, version: string): string[] {
  const ids = new Set<string>();
  for (const rec of records) {
    if (rec.withdrawn) continue;
    for (const a of rec.affected ?? []) {
      if (a.package?.ecosystem !== "PyPI" || norm(a.package.name) !== norm(name)) continue;
      let hit = (a.versions ?? []).some((v) => pep440.valid(v) && pep440.eq(v, version));
      for (const r of a.ranges ?? []) {
        if (r.type !== "ECOSYSTEM") continue;
        const cmp = (x: string): number => (x === "0" ? 1 : pep440.compare(version, x));
        let affected = false;
        const sorted = [...r.events].sort((x, y) => {
          const vx = Object.values(x)[0];
          const vy = Object.values(y)[0];
          if (vx === "0") return -1;
          if (vy === "0") return 1;
          return pep440.compare(vx, vy);
        });
        for (const e of sorted) {
          if (e.introduced !== undefined && cmp(e.introduced) >= 0) affected = true;
          if (e.fixed !== undefined && cmp(e.fixed) >= 0) affected = false;
          if (e.last_affected !== undefined && cmp(e.last_affected) > 0) affected = false;
        }
        hit ||= affected;
      }
      if (hit) ids.add(rec.id);
    }
  }
  return [...ids].sort();
}

function loadRecords(): RawRecord[] {
  const dir = path.join(OSV, "PyPI");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as RawRecord);
}

interface JsonDep {
  name: string;
  version: string;
  current_value: string;
  locked_version: string | null;
  package_manager: string;
  advisories: Array<{ id: string }>;
}

describe.skipIf(!exists)("acceptance: LeapfrogAI corpus, offline", () => {
  let records: RawRecord[];
  let doc: { component_health: Array<{ name: string; health_score: number }>; dependencies: JsonDep[]; maintenance_issues: Array<{ type: string; title: string; description: string; status: string }> };
  beforeAll(async () => {
    records = loadRecords();
    const r = await cli(["scan", LEAPFROG, "--offline", "--osv-db", OSV, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    doc = JSON.parse(r.stdout);
  }, 120_000);

  it("completes, and every component has a health score", () => {
    expect(doc.component_health.length).toBeGreaterThan(5);
    for (const c of doc.component_health) {
      expect(typeof c.health_score).toBe("number");
      expect(c.health_score).toBeGreaterThanOrEqual(0);
      expect(c.health_score).toBeLessThanOrEqual(1);
    }
  });

  it("the independent evaluator itself finds known advisories (hand-checked in the records)", () => {
    expect(expectedIds(records, "Jinja2", "2.7.1")).toContain("PYSEC-2014-8");
    expect(expectedIds(records, "jinja2", "2.7.2")).not.toContain("PYSEC-2014-8");
    expect(expectedIds(records, "aiohttp", "3.7.3")).toContain("PYSEC-2021-76");
  });

  it("for every pinned PyPI version, reported advisory ids equal the independently evaluated ones", () => {
    const pinned = doc.dependencies.filter((d) => d.package_manager === "pip" && (d.locked_version !== null || /^===?\s*[^\s,;*]+$/.test(d.current_value.trim())));
    expect(pinned.length).toBeGreaterThan(30);
    let withAdvisories = 0;
    for (const d of pinned) {
      const version = d.locked_version ?? d.version;
      const expected = expectedIds(records, d.name, version);
      if (expected.length) withAdvisories++;
      expect(d.advisories.map((a) => a.id).sort(), `${d.name}==${version}`).toEqual(expected);
    }
    // Unpinned ranges are never matched.
    for (const d of doc.dependencies.filter((x) => x.package_manager === "pip" && !pinned.includes(x) && x.current_value !== "(transitive)")) {
      expect(d.advisories, d.name).toEqual([]);
    }
    console.info(`[acceptance] ${pinned.length} pinned PyPI dependencies checked, ${withAdvisories} with advisories`);
  });
});

describe.skipIf(!existsSync(OSV))("acceptance: a repository pinning affected and fixed versions", () => {
  let tmp: string;
  let doc: { dependencies: JsonDep[]; maintenance_issues: Array<{ type: string; title: string; description: string; status: string; affected_components: string[] }> };
  const pins: Array<{ name: string; version: string; kind: string; ids: string[] }> = [];
  beforeAll(async () => {
    for (const raw of readFileSync(PINS, "utf8").split("\n")) {
      const m = /^([A-Za-z0-9._-]+)==(\S+)\s+#\s+(affected|fixed|clean)\b\s*([A-Z0-9,-]*)/.exec(raw.trim());
      if (m) pins.push({ name: m[1], version: m[2], kind: m[3], ids: m[4] ? m[4].split(",") : [] });
    }
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-pins-"));
    // One directory per pin: a package pinned twice in one requirements.txt is one dependency to pip.
    for (const [i, p] of pins.entries()) {
      const dir = path.join(tmp, `svc-${String(i).padStart(3, "0")}`);
      await fs.mkdir(dir);
      await fs.writeFile(path.join(dir, "requirements.txt"), `${p.name}==${p.version}\n`);
    }
    const r = await cli(["scan", tmp, "--offline", "--osv-db", OSV, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    doc = JSON.parse(r.stdout);
  }, 120_000);
  afterAll(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it("reports every affected (package, version) as a security issue and no fixed one", () => {
    expect(pins.filter((p) => p.kind === "affected").length).toBeGreaterThanOrEqual(20);
    const security = doc.maintenance_issues.filter((i) => i.type === "security" && i.status === "open");
    for (const p of pins) {
      const d = doc.dependencies.find((x) => norm(x.name) === norm(p.name) && x.version === p.version);
      expect(d, `${p.name}==${p.version} scanned`).toBeDefined();
      const reported = new Set(d!.advisories.map((a) => a.id));
      const issueText = security.map((i) => `${i.title}\n${i.description}`).join("\n");
      for (const id of p.ids) {
        if (p.kind === "affected") {
          expect(reported.has(id), `${p.name}==${p.version} must report ${id}`).toBe(true);
          expect(issueText, `a security issue names ${id} for ${p.name}`).toContain(id);
        } else {
          expect(reported.has(id), `${p.name}==${p.version} must not report ${id}`).toBe(false);
        }
      }
      if (p.kind === "clean") expect([...reported], `${p.name}==${p.version}`).toEqual([]);
    }
  });
});
