/**
 * Issue 16, the online refresh (src/advisories/online.ts), against nock (no real network): OSV's
 * modified_id.csv export read down to the cursor, or the querybatch of the indexed packages; new, changed
 * and withdrawn advisories; a failed record resumes at the next run; the records cap converges; hostile
 * answers are bounded and named. Oracles are written by hand from the fixtures below.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { refreshAdvisoriesOnline, type OnlineRefreshOptions } from "../../src/advisories/online.js";
import { refreshAdvisories, type AdvisoryState } from "../../src/advisories/refresh.js";
import type { AdvisoryRef } from "../../src/model/dependency.js";
import { FileStore, type Store } from "../../src/store/index.js";
import { makeDependency } from "../helpers/factories.js";
import { bothStores } from "../helpers/both-stores.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const clock = () => NOW;
const EXPORT = "https://osv-export.test";
const API = "https://osv-api.test";
const shop = { owner: "acme", repo: "shop" };
const other = { owner: "acme", repo: "other" };

const ref = (id: string): AdvisoryRef => ({ id, kind: "vulnerability", aliases: [], summary: "", url: "", score: 7.5, score_estimated: true, cvss_vector: null, fixed_version: null, published: null });
const py = (name: string, version: string, advisories: AdvisoryRef[] = []) =>
  makeDependency({ name, version, datasource: "pypi", package_manager: "pip", current_value: `==${version}`, advisories, cve_ids: [], advisories_checked: true, file: "requirements.txt", component: "." });

function osv(id: string, pkg: string, fixed: string, modified: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    modified,
    published: "2026-11-01T00:00:00Z",
    summary: `${pkg} flaw`,
    affected: [{ package: { ecosystem: "PyPI", name: pkg }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
    ...extra,
  };
}
const csv = (...lines: string[]) => `${lines.join("\n")}\n`;

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
const { stores, tempDir } = await bothStores({ suite: "online advisory refresh on PgStore", database: "online_refresh", clock, cleanup: "each" });

/** shop: requests 2.19.0 (with PYSEC-OLD stored) and flask 2.0.0; other: django 4.2.0. */
async function fleet(store: Store): Promise<void> {
  await store.putDependencies(shop, [py("requests", "2.19.0", [ref("PYSEC-OLD")]), py("flask", "2.0.0")]);
  await store.putDependencies(other, [py("django", "4.2.0")]);
}

function run(store: Store, statePath: string, over: Partial<OnlineRefreshOptions> = {}) {
  const queued: Array<{ repo: string; added: string[]; removed: string[]; withdrawn: string[]; checksum: string }> = [];
  const p = refreshAdvisoriesOnline({
    store,
    statePath,
    clock,
    mode: "modified-since",
    baseUrl: EXPORT,
    enqueue: async (r, ctx) => void queued.push({ repo: `${r.repo.owner}/${r.repo.repo}`, added: r.added, removed: r.removed, withdrawn: ctx.withdrawn, checksum: ctx.checksum }),
    ...over,
  });
  return p.then((result) => ({ result, queued }));
}

describe.each(stores)("online refresh, modified-since (%s)", (_name, available, open) => {
  it.skipIf(!available)("records a baseline, then reports new, changed and withdrawn advisories of indexed packages and queues only the affected repository", async () => {
    const store = await open();
    await fleet(store);
    const statePath = path.join(await tempDir(), "state.json");
    // First run: only the newest line is read (the rest of a large file is never needed).
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, csv("2026-11-10T00:00:00Z,PYSEC-BASE", "2026-11-09T00:00:00Z,PYSEC-OLD"));
    const first = await run(store, statePath);
    expect(first.result.status).toBe("first-run");
    expect(first.result.changes).toEqual([]);
    expect(first.queued).toEqual([]);
    expect(nock.isDone()).toBe(true);

    // Since then: a new advisory on requests 2.19.0 (shop), one on numpy (nobody), PYSEC-OLD withdrawn,
    // one on django fixed below 4.2.0 (other is not affected), and lines older than the cursor.
    nock(EXPORT)
      .get("/PyPI/modified_id.csv")
      .reply(
        200,
        csv(
          "2026-11-15T00:00:00Z,PYSEC-NEW",
          "2026-11-14T00:00:00Z,PYSEC-OLD",
          "2026-11-13T00:00:00Z,PYSEC-NUMPY",
          "2026-11-12T00:00:00Z,PYSEC-DJ",
          "2026-11-10T00:00:00Z,PYSEC-BASE",
          "2026-11-01T00:00:00Z,PYSEC-ANCIENT",
        ),
      )
      .get("/PyPI/PYSEC-NEW.json")
      .reply(200, osv("PYSEC-NEW", "requests", "2.31.0", "2026-11-15T00:00:00Z"))
      .get("/PyPI/PYSEC-OLD.json")
      .reply(200, osv("PYSEC-OLD", "requests", "2.20.0", "2026-11-14T00:00:00Z", { withdrawn: "2026-11-14T00:00:00Z" }))
      .get("/PyPI/PYSEC-NUMPY.json")
      .reply(200, osv("PYSEC-NUMPY", "numpy", "9.0.0", "2026-11-13T00:00:00Z"))
      .get("/PyPI/PYSEC-DJ.json")
      .reply(200, { ...osv("PYSEC-DJ", "Django", "4.1.0", "2026-11-12T00:00:00Z"), affected: [{ package: { ecosystem: "PyPI", name: "Django" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "4.0.0" }, { fixed: "4.1.0" }] }] }] });
    const second = await run(store, statePath);
    expect(nock.isDone()).toBe(true);
    expect(second.result.status).toBe("refreshed");
    expect(second.result.changes.map((c) => [c.id, c.kind, c.packages])).toEqual([
      ["PYSEC-DJ", "new", [{ ecosystem: "PyPI", name: "django" }]],
      ["PYSEC-OLD", "withdrawn", [{ ecosystem: "PyPI", name: "requests" }]],
      ["PYSEC-NEW", "new", [{ ecosystem: "PyPI", name: "requests" }]],
    ]);
    expect(second.result.candidates).toBe(2);
    expect(second.queued.map(({ checksum: _c, ...q }) => q)).toEqual([{ repo: "acme/shop", added: ["PYSEC-NEW"], removed: ["PYSEC-OLD"], withdrawn: ["PYSEC-OLD"] }]);
    expect(second.queued[0]!.checksum).toMatch(/^online:sha256:[0-9a-f]{64}$/);
    expect(second.result.remaining).toBe(0);

    // A record changed again (its range now excludes 2.19.0): "changed", and shop no longer affected.
    nock(EXPORT)
      .get("/PyPI/modified_id.csv")
      .reply(200, csv("2026-11-16T00:00:00Z,PYSEC-NEW", "2026-11-14T12:00:00Z,PYSEC-X"))
      .get("/PyPI/PYSEC-NEW.json")
      .reply(200, { ...osv("PYSEC-NEW", "requests", "2.31.0", "2026-11-16T00:00:00Z"), affected: [{ package: { ecosystem: "PyPI", name: "requests" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "2.25.0" }, { fixed: "2.31.0" }] }] }] });
    const third = await run(store, statePath);
    expect(third.result.changes.map((c) => [c.id, c.kind])).toEqual([["PYSEC-NEW", "changed"]]);
    // The stored dependencies (not re-assessed in this test) still list PYSEC-OLD only: nothing to add or remove.
    expect(third.queued).toEqual([]);

    // Nothing new: unchanged, nothing fetched but the head of the CSV.
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, csv("2026-11-16T00:00:00Z,PYSEC-NEW", "2026-11-14T12:00:00Z,PYSEC-X"));
    const fourth = await run(store, statePath);
    expect(fourth.result.status).toBe("unchanged");
    expect(nock.isDone()).toBe(true);
    const state = JSON.parse(await readFile(statePath, "utf8")) as AdvisoryState;
    expect(state.online?.cursors).toEqual({ PyPI: { modified: "2026-11-16T00:00:00Z", ids: ["PYSEC-NEW"] } });
    expect(Object.keys(state.online?.advisories ?? {}).sort()).toEqual(["PYSEC-DJ", "PYSEC-NEW", "PYSEC-OLD"]);
  });
});

describe("online refresh, modified-since: failures and bounds", () => {
  async function baselined(): Promise<{ store: Store; statePath: string }> {
    const store = new FileStore({ root: await tempDir(), clock });
    await fleet(store);
    const statePath = path.join(await tempDir(), "state.json");
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, csv("2026-11-10T00:00:00Z,PYSEC-BASE"));
    expect((await run(store, statePath)).result.status).toBe("first-run");
    return { store, statePath };
  }
  const list = csv("2026-11-13T00:00:00Z,PYSEC-C", "2026-11-12T00:00:00Z,PYSEC-B", "2026-11-11T00:00:00Z,PYSEC-A", "2026-11-10T00:00:00Z,PYSEC-BASE");

  it("a record that fails stops its ecosystem there: the cursor stays before it, and the next run resumes from it", async () => {
    const { store, statePath } = await baselined();
    nock(EXPORT)
      .get("/PyPI/modified_id.csv")
      .reply(200, list)
      .get("/PyPI/PYSEC-A.json")
      .reply(200, osv("PYSEC-A", "requests", "2.31.0", "2026-11-11T00:00:00Z"))
      .get("/PyPI/PYSEC-B.json")
      .reply(503, "unavailable")
      .get("/PyPI/PYSEC-C.json")
      .reply(200, osv("PYSEC-C", "flask", "2.2.5", "2026-11-13T00:00:00Z"));
    const r1 = await run(store, statePath);
    expect(r1.result.changes.map((c) => c.id)).toEqual(["PYSEC-A"]);
    expect(r1.result.remaining).toBe(2);
    expect(r1.result.warnings.join("\n")).toContain(`GET ${EXPORT}/PyPI/PYSEC-B.json: HTTP 503`);
    expect(r1.queued.map((q) => [q.repo, q.added])).toEqual([["acme/shop", ["PYSEC-A"]]]);
    const s1 = JSON.parse(await readFile(statePath, "utf8")) as AdvisoryState;
    expect(s1.online?.cursors.PyPI).toEqual({ modified: "2026-11-11T00:00:00Z", ids: ["PYSEC-A"] });

    nock(EXPORT)
      .get("/PyPI/modified_id.csv")
      .reply(200, list)
      .get("/PyPI/PYSEC-B.json")
      .reply(200, osv("PYSEC-B", "requests", "2.31.0", "2026-11-12T00:00:00Z"))
      .get("/PyPI/PYSEC-C.json")
      .reply(200, osv("PYSEC-C", "flask", "2.2.5", "2026-11-13T00:00:00Z"));
    const r2 = await run(store, statePath);
    expect(nock.isDone()).toBe(true); // PYSEC-A was not fetched again
    expect(r2.result.changes.map((c) => c.id)).toEqual(["PYSEC-B", "PYSEC-C"]);
    expect(r2.result.remaining).toBe(0);
    expect(r2.queued.map((q) => [q.repo, q.added])).toEqual([["acme/shop", ["PYSEC-B", "PYSEC-C"]]]);
  });

  it("the records cap takes the oldest first, warns, and the next run finishes (the cursor never passes what was not fetched)", async () => {
    const { store, statePath } = await baselined();
    nock(EXPORT)
      .get("/PyPI/modified_id.csv")
      .reply(200, list)
      .get("/PyPI/PYSEC-A.json")
      .reply(200, osv("PYSEC-A", "requests", "2.31.0", "2026-11-11T00:00:00Z"))
      .get("/PyPI/PYSEC-B.json")
      .reply(200, osv("PYSEC-B", "requests", "2.31.0", "2026-11-12T00:00:00Z"));
    const r1 = await run(store, statePath, { maxRecords: 2 });
    expect(nock.isDone()).toBe(true);
    expect(r1.result.changes.map((c) => c.id)).toEqual(["PYSEC-A", "PYSEC-B"]);
    expect(r1.result.remaining).toBe(1);
    expect(r1.result.warnings).toContain("3 changed advisories, more than the 2 a refresh fetches: 1 are left for the next refresh");
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, list).get("/PyPI/PYSEC-C.json").reply(200, osv("PYSEC-C", "flask", "2.2.5", "2026-11-13T00:00:00Z"));
    const r2 = await run(store, statePath, { maxRecords: 2 });
    expect(nock.isDone()).toBe(true);
    expect(r2.result.changes.map((c) => c.id)).toEqual(["PYSEC-C"]);
    expect(r2.result.remaining).toBe(0);
  });

  it("ties at the cursor's time: ids already applied are skipped, others at that time are not lost", async () => {
    const { store, statePath } = await baselined();
    const same = csv("2026-11-12T00:00:00Z,PYSEC-B", "2026-11-12T00:00:00Z,PYSEC-A", "2026-11-10T00:00:00Z,PYSEC-BASE");
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, same).get("/PyPI/PYSEC-A.json").reply(200, osv("PYSEC-A", "requests", "2.31.0", "2026-11-12T00:00:00Z"));
    // Cap 1: of the two at 11-12, one is applied; the cursor is at 11-12 with just that id.
    const r1 = await run(store, statePath, { maxRecords: 1 });
    expect(r1.result.changes.map((c) => c.id)).toEqual(["PYSEC-A"]);
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, same).get("/PyPI/PYSEC-B.json").reply(200, osv("PYSEC-B", "flask", "2.2.5", "2026-11-12T00:00:00Z"));
    const r2 = await run(store, statePath, { maxRecords: 1 });
    expect(nock.isDone()).toBe(true);
    expect(r2.result.changes.map((c) => c.id)).toEqual(["PYSEC-B"]);
  });

  it("hostile answers: bad CSV lines are named by number and skipped, a bad record is named and passed, an oversized CSV is refused with the cursor kept", async () => {
    const { store, statePath } = await baselined();
    nock(EXPORT)
      .get("/PyPI/modified_id.csv")
      .reply(200, csv("2026-11-13T00:00:00Z,PYSEC-C", "garbage without a comma", "yesterday,PYSEC-Z", "2026-11-12T00:00:00Z,../../etc/passwd", "2026-11-12T00:00:00Z,PYSEC-B", "2026-11-10T00:00:00Z,PYSEC-BASE"))
      .get("/PyPI/PYSEC-B.json")
      .reply(200, "{ not json")
      .get("/PyPI/PYSEC-C.json")
      .reply(200, { id: "PYSEC-C", affected: "not a list" });
    const r1 = await run(store, statePath);
    expect(nock.isDone()).toBe(true);
    const w = r1.result.warnings.join("\n");
    expect(w).toContain(`${EXPORT}/PyPI/modified_id.csv line 2: not \`<modified>,<id>\``);
    expect(w).toContain(`${EXPORT}/PyPI/modified_id.csv line 3: "yesterday" is not an RFC 3339 time`);
    expect(w).toContain(`${EXPORT}/PyPI/modified_id.csv line 4: "../../etc/passwd" is not an advisory id`);
    expect(w).toMatch(/PYSEC-B\.json: invalid OSV record PYSEC-B skipped: not JSON/);
    expect(w).toMatch(/PYSEC-C\.json: invalid OSV record PYSEC-C skipped: affected/);
    expect(r1.result.changes).toEqual([]);
    // Passed, not retried for ever: the cursor moved past both.
    expect((JSON.parse(await readFile(statePath, "utf8")) as AdvisoryState).online?.cursors.PyPI?.modified).toBe("2026-11-13T00:00:00Z");

    // An export that never reaches the cursor within the limits: refused, nothing fetched, cursor kept.
    const huge = Array.from({ length: 5000 }, (_, i) => `2026-11-14T00:00:00Z,PYSEC-H${i}`).join("\n");
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, huge);
    const r2 = await run(store, statePath, { csvLimits: { maxBytes: 10_000 } });
    expect(r2.result.warnings.join("\n")).toMatch(/modified_id\.csv not read: .*over the 10000-byte limit; PyPI keeps its cursor/);
    expect(r2.result.changes).toEqual([]);
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, huge);
    const r3 = await run(store, statePath, { csvLimits: { maxLines: 100 } });
    expect(r3.result.warnings.join("\n")).toContain("more than 100 lines");
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, `2026-11-14T00:00:00Z,${"A".repeat(5000)}\n`);
    const r4 = await run(store, statePath);
    expect(r4.result.warnings.join("\n")).toContain("line 1 is longer than 1024 characters");
    expect((JSON.parse(await readFile(statePath, "utf8")) as AdvisoryState).online?.cursors.PyPI?.modified).toBe("2026-11-13T00:00:00Z");
  });

  it("--since reads from a given time instead of recording a baseline", async () => {
    const store = new FileStore({ root: await tempDir(), clock });
    await fleet(store);
    const statePath = path.join(await tempDir(), "state.json");
    nock(EXPORT)
      .get("/PyPI/modified_id.csv")
      .reply(200, csv("2026-11-12T00:00:00Z,PYSEC-A", "2026-11-01T00:00:00Z,PYSEC-ANCIENT"))
      .get("/PyPI/PYSEC-A.json")
      .reply(200, osv("PYSEC-A", "requests", "2.31.0", "2026-11-12T00:00:00Z"));
    const r = await run(store, statePath, { since: "2026-11-05T00:00:00Z" });
    expect(nock.isDone()).toBe(true);
    expect(r.result.status).toBe("refreshed");
    expect(r.queued.map((q) => [q.repo, q.added])).toEqual([["acme/shop", ["PYSEC-A"]]]);
    await expect(run(store, statePath, { since: "last tuesday" })).rejects.toThrow(/--since last tuesday: not a time/);
  });
});

describe("online refresh, querybatch", () => {
  it("compares every indexed package's advisory ids and times with the last refresh; fetches only what differs", async () => {
    const store = new FileStore({ root: await tempDir(), clock });
    await fleet(store);
    const statePath = path.join(await tempDir(), "state.json");
    // The three indexed packages, in the store's order, asked without a version.
    const expected = { queries: ["django", "flask", "requests"].map((name) => ({ package: { ecosystem: "PyPI", name } })) };
    const answer = (byName: Record<string, Array<{ id: string; modified: string }>>) => (_uri: string, body: { queries: Array<{ package: { name: string } }> }) => ({
      results: body.queries.map((q) => ({ vulns: byName[q.package.name] ?? [] })),
    });
    nock(API).post("/v1/querybatch", expected).reply(200, answer({ requests: [{ id: "PYSEC-OLD", modified: "2026-11-01T00:00:00Z" }], flask: [{ id: "PYSEC-F", modified: "2026-11-01T00:00:00Z" }] }));
    const first = await run(store, statePath, { mode: "querybatch", baseUrl: API });
    expect(first.result.status).toBe("first-run");
    expect(nock.isDone()).toBe(true); // no record fetched for a baseline

    // requests: PYSEC-OLD gone from the answer (withdrawn), PYSEC-NEW appears; flask: PYSEC-F unchanged.
    nock(API)
      .post("/v1/querybatch", expected)
      .reply(200, answer({ requests: [{ id: "PYSEC-NEW", modified: "2026-11-15T00:00:00Z" }], flask: [{ id: "PYSEC-F", modified: "2026-11-01T00:00:00Z" }] }))
      .get("/v1/vulns/PYSEC-NEW")
      .reply(200, osv("PYSEC-NEW", "requests", "2.31.0", "2026-11-15T00:00:00Z"))
      .get("/v1/vulns/PYSEC-OLD")
      .reply(200, osv("PYSEC-OLD", "requests", "2.20.0", "2026-11-14T00:00:00Z", { withdrawn: "2026-11-14T00:00:00Z" }));
    const second = await run(store, statePath, { mode: "querybatch", baseUrl: API });
    expect(nock.isDone()).toBe(true);
    expect(second.result.changes.map((c) => [c.id, c.kind])).toEqual([
      ["PYSEC-NEW", "new"],
      ["PYSEC-OLD", "withdrawn"],
    ]);
    expect(second.queued.map(({ checksum: _c, ...q }) => q)).toEqual([{ repo: "acme/shop", added: ["PYSEC-NEW"], removed: ["PYSEC-OLD"], withdrawn: ["PYSEC-OLD"] }]);

    // A failed batch changes nothing and is compared again next time.
    nock(API).post("/v1/querybatch").reply(500, "boom");
    const third = await run(store, statePath, { mode: "querybatch", baseUrl: API });
    expect(third.result.status).toBe("unchanged");
    expect(third.result.warnings.join("\n")).toContain("failed: HTTP 500; those packages are compared at the next refresh");
  });
});

describe("cowabunga advisories refresh --online", () => {
  it("stand-alone: records the baseline, then re-assesses the affected repository's stored dependencies with the OSV API; flags are checked", async () => {
    const { runCli } = await import("../../src/cli/program.js");
    const dataDir = await tempDir();
    const store = new FileStore({ root: dataDir, clock });
    await fleet(store);
    const out: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s), stderrIsTTY: false, cwd: dataDir };
    const env = { COWABUNGA_OSV_EXPORT_URL: EXPORT, COWABUNGA_REGISTRY_OSV: API };
    const cli = (...args: string[]) => runCli(["node", "cowabunga", "advisories", "refresh", "--data-dir", dataDir, ...args], { io, env, clock });

    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, csv("2026-11-10T00:00:00Z,PYSEC-BASE"));
    expect(await cli("--online")).toBe(0);
    expect(out.join("")).toContain("recorded the online baseline (modified-since)");

    const rec = osv("PYSEC-NEW", "requests", "2.31.0", "2026-11-15T00:00:00Z");
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, csv("2026-11-15T00:00:00Z,PYSEC-NEW", "2026-11-10T00:00:00Z,PYSEC-BASE")).get("/PyPI/PYSEC-NEW.json").reply(200, rec);
    // The API answers for shop's packages at their versions (requests 2.19.0: PYSEC-NEW; PYSEC-OLD no longer).
    nock(API)
      .post("/v1/querybatch")
      .reply(200, (_uri: string, body: { queries: Array<{ package: { name: string } }> }) => ({ results: body.queries.map((q) => ({ vulns: q.package.name === "requests" ? [{ id: "PYSEC-NEW", modified: "2026-11-15T00:00:00Z" }] : [] })) }))
      .get("/v1/vulns/PYSEC-NEW")
      .reply(200, rec);
    out.length = 0;
    expect(await cli("--online", "modified-since")).toBe(0);
    expect(nock.isDone()).toBe(true);
    expect(out.join("")).toContain("advisories: 1 new, 0 changed, 0 withdrawn; 1 repositories use an affected package, 1 re-assessed");
    expect(out.join("")).toContain("acme/shop: now affected by PYSEC-NEW; no longer by PYSEC-OLD");
    const stored = await new FileStore({ root: dataDir, clock }).getDependencies(shop);
    expect(stored.find((d) => d.name === "requests")?.advisories.map((a) => a.id)).toEqual(["PYSEC-NEW"]);

    out.length = 0;
    expect(await cli("--online", "sideways")).toBe(2);
    expect(out.join("")).toContain('--online: "sideways" is not modified-since or querybatch');
    expect(await cli("--osv-db", dataDir, "--online")).toBe(2);
    expect(await cli("--online", "--max-records", "0")).toBe(2);
    expect(out.join("")).toContain('--max-records: "0" is not a whole number');
  });
});

describe("one state file, two sources", () => {
  it("an offline refresh keeps the online part (and takes an online-only file as its first run); the online refresh keeps the offline part", async () => {
    const store = new FileStore({ root: await tempDir(), clock });
    await fleet(store);
    const statePath = path.join(await tempDir(), "state.json");
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, csv("2026-11-10T00:00:00Z,PYSEC-BASE"));
    await run(store, statePath);
    const mirror = path.join(await tempDir(), "osv", "PyPI");
    await mkdir(mirror, { recursive: true });
    await writeFile(path.join(mirror, "PYSEC-M.json"), JSON.stringify(osv("PYSEC-M", "requests", "2.31.0", "2026-11-01T00:00:00Z")));
    const offline = await refreshAdvisories({ store, mirror: path.dirname(mirror), statePath, clock, enqueue: async () => undefined });
    // Not "refreshed" with every mirror record as new: an online-only document has no offline baseline.
    expect(offline.status).toBe("first-run");
    const both = JSON.parse(await readFile(statePath, "utf8")) as AdvisoryState;
    expect(both.online?.cursors.PyPI?.modified).toBe("2026-11-10T00:00:00Z");
    expect(Object.keys(both.advisories)).toEqual(["PYSEC-M"]);
    nock(EXPORT).get("/PyPI/modified_id.csv").reply(200, csv("2026-11-10T00:00:00Z,PYSEC-BASE"));
    expect((await run(store, statePath)).result.status).toBe("unchanged");
    const after = JSON.parse(await readFile(statePath, "utf8")) as AdvisoryState;
    expect([after.mirror, after.checksum, Object.keys(after.advisories)]).toEqual([both.mirror, both.checksum, ["PYSEC-M"]]);
  });
});
