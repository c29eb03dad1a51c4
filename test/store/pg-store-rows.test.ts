/**
 * PgStore behaviour the shared conformance suite does not pin (issue 18: src/store/pg/pg-store.ts).
 * Oracles: docs/notes/pg-store.md (retention columns on the repos row, NULL = default; quarantine with
 * the problem text; reads never throw), the Store contract and migration 0001's comments.
 * One database for this file (createTestDatabase), so concurrent runs never share rows.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnsafeNameError } from "../../src/store/index.js";
import { PgStore, migrate } from "../../src/store/pg/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeRecord, makeSystemHealth } from "../helpers/factories.js";
import { createTestDatabase, postgresAvailable, testPool } from "../helpers/services.js";
import { migratedTestDatabase } from "../helpers/pg-stores.js";

const ok = await postgresAvailable("PgStore rows");
const DAY = 86_400_000;
const NOW = new Date("2026-06-01T00:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe.skipIf(!ok)("PgStore rows", () => {
  const pgdb = migratedTestDatabase("pg_store_rows", NOW);
  const open = pgdb.open;
  const repoRow = async (owner: string) =>
    (await pgdb.admin.query("SELECT xmin::text AS xmin, health_days, issue_history_days, dependency_history_days, records_days FROM repos WHERE owner = $1", [owner])).rows[0];

  it("a repository row deleted by another process is created again at this process's next write", async () => {
    const store = open();
    const r = { owner: "vanish", repo: "a" };
    await store.putScanState(r, { head_sha: "1" });
    await pgdb.admin.query("DELETE FROM repos WHERE owner = 'vanish'");
    await store.putScanState(r, { head_sha: "2" });
    expect(await store.getScanState(r)).toEqual({ head_sha: "2" });
    await store.updateIssues(r, () => [makeIssue({ id: "i" })]);
    expect((await open().getIssues(r)).map((i) => i.id)).toEqual(["i"]);
  });

  it("setRetention is written to the repository's row, once: an unchanged setting does not rewrite the row", async () => {
    const store = open();
    const r = { owner: "retrow", repo: "a" };
    await store.putScanState(r, { head_sha: "1" });
    expect(await repoRow("retrow")).toMatchObject({ health_days: null, issue_history_days: null, dependency_history_days: null, records_days: null });
    store.setRetention(r, { health_days: 3, records_days: 9, issue_history_days: undefined });
    await store.putScanState(r, { head_sha: "2" });
    const first = await repoRow("retrow");
    expect(first).toMatchObject({ health_days: 3, issue_history_days: 365, dependency_history_days: 182, records_days: 9 });
    await store.putScanState(r, { head_sha: "3" });
    expect((await repoRow("retrow")).xmin).toBe(first.xmin);
    store.setRetention(r, { health_days: 3, records_days: 10 });
    await store.putScanState(r, { head_sha: "4" });
    expect(await repoRow("retrow")).toMatchObject({ health_days: 3, records_days: 10 });
  });

  it("a process without setRetention prunes with the row's values, and its own default where the row has NULL", async () => {
    const r = { owner: "retdefault", repo: "a" };
    await pgdb.admin.query("INSERT INTO repos (owner, repo, health_days) VALUES ('retdefault', 'a', 2)");
    // records_days is NULL on the row: this process's default (5) applies; health_days 2 comes from the row.
    const store = open({ retention: { records_days: 5, health_days: 100 } });
    await store.appendHealthHistory(r, makeSystemHealth({ timestamp: ago(3 * DAY) }));
    const kept = await store.appendHealthHistory(r, makeSystemHealth({ timestamp: ago(DAY), overall_status: "critical" }));
    expect(kept.map((h) => h.timestamp)).toEqual([ago(DAY)]);
    const recs = await store.updateRecords(r, () => [makeRecord({ id: "old", performed_at: ago(6 * DAY) }), makeRecord({ id: "new", performed_at: ago(4 * DAY) })]);
    expect(recs.map((x) => x.id)).toEqual(["new"]);
    // Its default retention is not written to the row.
    expect(await repoRow("retdefault")).toMatchObject({ health_days: 2, records_days: null });
  });

  it("the constructor's retention is the default for repositories without a stored one; the seed's otherwise", async () => {
    const mine = open({ retention: { health_days: 1 } });
    await mine.appendHealthHistory({ owner: "retctor", repo: "a" }, makeSystemHealth({ timestamp: ago(2 * DAY) }));
    expect((await mine.appendHealthHistory({ owner: "retctor", repo: "a" }, makeSystemHealth({ timestamp: ago(0), overall_status: "critical" }))).map((h) => h.timestamp)).toEqual([ago(0)]);
    const seed = open();
    await seed.appendHealthHistory({ owner: "retctor", repo: "b" }, makeSystemHealth({ timestamp: ago(29 * DAY) }));
    expect(await seed.appendHealthHistory({ owner: "retctor", repo: "b" }, makeSystemHealth({ timestamp: ago(0), overall_status: "critical" }))).toHaveLength(2);
  });

  it("a bad row's warning lists five problems and counts the rest, reaches the logger, and names where it went", async () => {
    const warns: { obj: object; msg: string }[] = [];
    const store = open({ logger: { warn: (obj, msg) => warns.push({ obj, msg }) } });
    const r = { owner: "many", repo: "a" };
    await store.updateIssues(r, () => [makeIssue({ id: "bad" }), makeIssue({ id: "good" })]);
    // Keep only the id: every other required field is missing (more than five problems).
    await pgdb.admin.query(`UPDATE issues SET doc = jsonb_build_object('id', 'bad') WHERE id = 'bad'`);
    expect((await store.getIssues(r)).map((i) => i.id)).toEqual(["good"]);
    const [w] = store.takeWarnings();
    const shown = /does not match the schema \((.*)\); moved aside to store_quarantine\/(\d+)$/.exec(w!.message);
    expect(shown).not.toBeNull();
    const parts = shown![1]!.split("; ");
    expect(parts).toHaveLength(6);
    expect(parts[5]).toMatch(/^and \d+ more$/);
    expect(w!.moved_to).toBe(`store_quarantine/${shown![2]}`);
    expect(warns).toEqual([{ obj: { store_warning: w }, msg: w!.message }]);
  });

  it("when the row cannot be moved to store_quarantine it is left in place, skipped, and both are logged", async () => {
    const warns: string[] = [];
    const store = open({ logger: { warn: (_o, msg) => warns.push(msg) } });
    const r = { owner: "stuck", repo: "a" };
    await store.putSystemHealth(r, makeSystemHealth());
    await pgdb.admin.query(`UPDATE system_health SET doc = '{"overall_status": "fine"}' FROM repos WHERE repos.id = system_health.repo_id AND repos.owner = 'stuck'`);
    await pgdb.admin.query("ALTER TABLE store_quarantine RENAME TO store_quarantine_off");
    try {
      expect(await store.getSystemHealth(r)).toBeNull();
    } finally {
      await pgdb.admin.query("ALTER TABLE store_quarantine_off RENAME TO store_quarantine");
    }
    const [w] = store.takeWarnings();
    expect(w).toMatchObject({ repo: "stuck/a", file: "system_health/doc", moved_to: null });
    expect(w!.message).toMatch(/^stuck\/a\/system_health\/doc: does not match the schema \(.*\); left in place and skipped$/);
    expect(warns[0]).toBe("stuck/a/system_health/doc: could not move the invalid row to store_quarantine");
    expect(warns[1]).toBe(w!.message);
    // Still there for an operator.
    expect((await pgdb.admin.query("SELECT count(*)::int AS n FROM system_health s JOIN repos r ON r.id = s.repo_id WHERE r.owner = 'stuck'")).rows[0].n).toBe(1);
  });

  it("invalid scan state and component health rows are quarantined on read, named by their key", async () => {
    const store = open();
    const r = { owner: "quarkeys", repo: "a" };
    await store.putScanState(r, { head_sha: "x" });
    await store.putComponentHealth(r, makeComponentHealth({ name: "api" }));
    await store.putComponentHealth(r, makeComponentHealth({ name: "ui" }));
    await pgdb.admin.query(`UPDATE scan_state SET doc = '{"last_scan_started_at": "yesterday"}'`);
    await pgdb.admin.query(`UPDATE component_health SET doc = doc - 'health_score' WHERE name = 'ui'`);
    expect(await store.getScanState(r)).toBeNull();
    expect((await store.listComponentHealth(r)).map((c) => c.name)).toEqual(["api"]);
    expect(store.takeWarnings().map((w) => w.file)).toEqual(["scan_state/doc", "component_health/ui"]);
    const q = (await pgdb.admin.query("SELECT table_name, row_key FROM store_quarantine q JOIN repos r ON r.id = q.repo_id WHERE r.owner = 'quarkeys' ORDER BY q.id")).rows;
    expect(q).toEqual([
      { table_name: "scan_state", row_key: "doc" },
      { table_name: "component_health", row_key: "ui" },
    ]);
    expect(await store.getComponentHealth(r, "ui")).toBeNull();
  });

  it("history and dependency rows failing their schema are quarantined on read, the others returned", async () => {
    const store = open();
    const r = { owner: "quarhist", repo: "a" };
    await store.appendHealthHistory(r, makeSystemHealth({ timestamp: ago(2 * DAY) }));
    await store.appendHealthHistory(r, makeSystemHealth({ timestamp: ago(DAY), overall_status: "critical" }));
    await store.putDependencies(r, [makeDependency({ name: "a" }), makeDependency({ name: "b" })]);
    await pgdb.admin.query(`UPDATE health_history SET doc = doc - 'overall_status' WHERE ts = $1`, [ago(2 * DAY)]);
    await pgdb.admin.query(`UPDATE dependencies SET doc = doc - 'version' WHERE name = 'a'`);
    expect((await store.getHealthHistory(r)).map((h) => h.timestamp)).toEqual([ago(DAY)]);
    expect((await store.getDependencies(r)).map((d) => d.name)).toEqual(["b"]);
    const ws = store.takeWarnings();
    expect(ws.map((w) => w.file)).toEqual([expect.stringMatching(/^health_history\/\d+$/), "dependencies/0"]);
    // Both moved to the quarantine table.
    expect(ws.map((w) => w.moved_to)).toEqual([expect.stringMatching(/^store_quarantine\/\d+$/), expect.stringMatching(/^store_quarantine\/\d+$/)]);
    const q = (await pgdb.admin.query("SELECT table_name, row_key FROM store_quarantine q JOIN repos r ON r.id = q.repo_id WHERE r.owner = 'quarhist' ORDER BY q.id")).rows;
    expect(q.map((x) => x.table_name)).toEqual(["health_history", "dependencies"]);
  });

  it("listRepos is in byte order (owner, then name), as the file store lists directories", async () => {
    const store = open();
    for (const owner of ["zz-b", "zz_a", "zz-a", "zz0"]) await store.putScanState({ owner, repo: "r" }, {});
    await store.putScanState({ owner: "zz-a", repo: "a.b" }, {});
    await store.putScanState({ owner: "zz-a", repo: "a-b" }, {});
    await store.putScanState({ owner: "zz-a", repo: "a_b" }, {});
    const mine = (await store.listRepos()).filter((x) => x.owner.startsWith("zz"));
    expect(mine.map((x) => `${x.owner}/${x.repo}`)).toEqual(["zz-a/a-b", "zz-a/a.b", "zz-a/a_b", "zz-a/r", "zz-b/r", "zz0/r", "zz_a/r"]);
  });

  it("component names: any non-empty name without NUL", async () => {
    const store = open();
    const r = { owner: "compnames", repo: "a" };
    await store.putComponentHealth(r, makeComponentHealth({ name: "src/api v2" }));
    expect((await store.getComponentHealth(r, "src/api v2"))?.name).toBe("src/api v2");
    await expect(store.getComponentHealth(r, "")).rejects.toThrow(UnsafeNameError);
    await expect(store.deleteComponentHealth(r, "a\0b")).rejects.toThrow('refusing component name "a\\u0000b": empty or contains NUL');
    await expect(store.putComponentHealth(r, makeComponentHealth({ name: "" }))).rejects.toThrow(UnsafeNameError);
    await store.deleteComponentHealth(r, "src/api v2");
    expect(await store.listComponentHealth(r)).toEqual([]);
  });

  it("an older snapshot with the same content is still stored (only an unchanged latest is skipped)", async () => {
    const store = open();
    const r = { owner: "older", repo: "a" };
    await store.putDependencies(r, [makeDependency({ name: "a" })], { scanned_at: ago(DAY), head_sha: "h2" });
    await store.putDependencies(r, [makeDependency({ name: "a" })], { scanned_at: ago(2 * DAY), head_sha: "h1" });
    await store.putDependencies(r, [makeDependency({ name: "a" })], { scanned_at: ago(DAY / 2), head_sha: "h3" });
    expect((await store.getDependencyHistory(r)).map((s) => s.head_sha)).toEqual(["h1", "h2"]);
    await store.appendHealthHistory(r, makeSystemHealth({ timestamp: ago(DAY) }));
    expect(await store.appendHealthHistory(r, makeSystemHealth({ timestamp: ago(2 * DAY) }))).toHaveLength(2);
    expect(await store.appendHealthHistory(r, makeSystemHealth({ timestamp: ago(DAY / 2) }))).toHaveLength(2);
  });

  it("a snapshot without a scan time or commit gets the store's clock and null", async () => {
    const store = open();
    const r = { owner: "snapdefaults", repo: "a" };
    await store.putDependencies(r, [makeDependency()]);
    expect((await store.getDependencyHistory(r)).map((s) => [s.scanned_at, s.head_sha])).toEqual([[NOW.toISOString(), null]]);
  });

  it("index stats count the dependency and lockfile rows, the distinct packages, and the index size in bytes", async () => {
    const store = open();
    const s = await store.dependentsIndexStats();
    expect(typeof s.bytes).toBe("number");
    expect(s.bytes).toBeGreaterThan(0);
    expect(Number.isInteger(s.entries) && Number.isInteger(s.packages)).toBe(true);
  });

  it("close() ends its pool", async () => {
    const store = new PgStore(testPool(pgdb.url, 1));
    await store.close();
    await expect(store.pool.query("SELECT 1")).rejects.toThrow();
  });
});

describe.skipIf(!ok)("PgStore rows: labels, columns and timestamps", () => {
  let db: { url: string; drop: () => Promise<void> };
  let admin: pg.Pool;
  let store: PgStore;
  beforeAll(async () => {
    db = await createTestDatabase("pg_store_rows2");
    await migrate(db.url);
    admin = testPool(db.url, 2);
    store = new PgStore(testPool(db.url, 3), { now: () => NOW });
  });
  afterAll(async () => {
    await store?.close();
    await admin?.end();
    await db?.drop();
  });
  const r = { owner: "labels", repo: "a" };

  it("a refused write names the repository and what was written", async () => {
    await expect(store.updateIssues(r, () => [makeIssue({ id: "x" }), makeIssue({ id: "x" })])).rejects.toThrow('refusing to write labels/a/issues: [1].id: duplicate id "x"');
    await expect(store.updateRecords(r, () => [{ id: "" } as never])).rejects.toThrow(/labels\/a\/maintenance_records/);
    await expect(store.updatePending(r, () => [{ id: "p" } as never])).rejects.toThrow(/labels\/a\/pending_notifications/);
    await expect(store.putScanState(r, { last_scan_started_at: "yesterday" })).rejects.toThrow(/labels\/a\/scan_state/);
    await expect(store.putDependencies(r, [{ name: "x" } as never])).rejects.toThrow(/labels\/a\/dependencies/);
    await expect(store.putDependencies(r, [], { scanned_at: "not a time" })).rejects.toThrow(/labels\/a\/dependency_history/);
    await expect(store.appendHealthHistory(r, { overall_status: "fine" } as never)).rejects.toThrow(/labels\/a\/health_history/);
    await expect(store.putComponentHealth(r, { ...makeComponentHealth({ name: "api" }), health_score: 7 })).rejects.toThrow(/labels\/a\/component_health\/api/);
    await expect(store.putComponentHealth(r, undefined as never)).rejects.toThrow(UnsafeNameError);
  });

  it("pending notifications keep their created_at in its column (docs/notes/pg-store.md)", async () => {
    await store.updatePending(r, () => [{ id: "n1", created_at: "2026-05-31T12:00:00Z" }]);
    const { rows } = await admin.query<{ created_at: Date }>("SELECT p.created_at FROM pending_notifications p JOIN repos x ON x.id = p.repo_id WHERE x.owner = 'labels'");
    expect(rows.map((x) => x.created_at.toISOString())).toEqual(["2026-05-31T12:00:00.000Z"]);
  });

  it("an issue resolved since it was stored is pruned by its new status", async () => {
    const rr = { owner: "labels", repo: "status" };
    await store.updateIssues(rr, () => [makeIssue({ id: "i", status: "open", updated_at: ago(400 * DAY), resolved_at: null })]);
    const out = await store.updateIssues(rr, (cur) => cur.map((i) => ({ ...i, status: "resolved" as const, resolved_at: ago(400 * DAY) })));
    expect(out).toEqual([]);
    expect(await store.getIssues(rr)).toEqual([]);
  });

  it("a snapshot with the same time and content as the latest is not stored twice", async () => {
    const rr = { owner: "labels", repo: "sametime" };
    await store.putDependencies(rr, [makeDependency()], { scanned_at: ago(DAY) });
    await store.putDependencies(rr, [makeDependency()], { scanned_at: ago(DAY) });
    expect(await store.getDependencyHistory(rr)).toHaveLength(1);
    await store.appendHealthHistory(rr, makeSystemHealth({ timestamp: ago(DAY) }));
    expect(await store.appendHealthHistory(rr, makeSystemHealth({ timestamp: ago(DAY) }))).toHaveLength(1);
  });
});
