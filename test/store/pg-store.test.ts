/** PostgreSQL-only behaviour of the store: migrations, rows not documents, quarantine, idempotency keys. */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { LockTimeoutError, StoreValidationError, openStore } from "../../src/store/index.js";
import { MIGRATIONS, MigrationError, PgRuntimeMetricsStore, PgStore, createPgStore, migrate, pendingMigrations, runMigrations } from "../../src/store/pg/index.js";
import type { RuntimeSample } from "../../src/act/runtime/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeRecord, makeSystemHealth } from "../helpers/factories.js";
import { createTestDatabase, postgresAvailable, testPool } from "../helpers/services.js";

const ok = await postgresAvailable("PgStore");
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "helpers/pg-child.ts");
const repo = { owner: "acme", repo: "app" };
const NOW = new Date("2026-06-01T00:00:00.000Z");

function memoryIO() {
  const io = { out: "", err: "", stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t), stderrIsTTY: false, cwd: process.cwd() };
  return io;
}

describe.skipIf(!ok)("PgStore on PostgreSQL", () => {
  const dbs: { url: string; drop: () => Promise<void> }[] = [];
  const closers: (() => Promise<void>)[] = [];
  const freshDb = async () => {
    const db = await createTestDatabase("pg_store");
    dbs.push(db);
    return db.url;
  };
  const pool = (url: string) => {
    const p = testPool(url, 3);
    closers.push(() => p.end());
    return p;
  };
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  describe("migrations", () => {
    it("apply once: a fresh database gets every migration, a second run nothing", async () => {
      const url = await freshDb();
      expect(await migrate(url)).toEqual({ applied: MIGRATIONS.map((m) => m.id) });
      expect(await migrate(url)).toEqual({ applied: [] });
      const tables = (await pool(url).query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
      expect(tables).toEqual(expect.arrayContaining(["repos", "issues", "dependencies", "health_history", "dependency_history", "idempotency_keys", "http_cache", "schema_migrations"]));
    });

    it("four processes starting at once: one applies, the others wait and find it done", async () => {
      const url = await freshDb();
      const results = await Promise.all(Array.from({ length: 4 }, () => migrate(url)));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 0, MIGRATIONS.length]);
    });

    it("a failing migration is rolled back whole and not recorded", async () => {
      const url = await freshDb();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      closers.push(() => client.end());
      const broken = [...MIGRATIONS, { id: "9999_broken", sql: "CREATE TABLE half_done (x int); SELECT 1/0;" }];
      await expect(runMigrations(client, { migrations: broken })).rejects.toThrow(/9999_broken failed and was rolled back: division by zero/);
      expect((await client.query("SELECT to_regclass('half_done') AS t")).rows[0].t).toBeNull();
      expect(await pendingMigrations(client, broken)).toEqual(["9999_broken"]);
    });

    it("refuses an applied migration whose SQL changed, and reports ones it does not know", async () => {
      const url = await freshDb();
      await migrate(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      closers.push(() => client.end());
      const edited = MIGRATIONS.map((m) => ({ ...m, sql: `${m.sql}\n-- edited` }));
      await expect(runMigrations(client, { migrations: edited })).rejects.toThrow(MigrationError);
      const warnings: string[] = [];
      await runMigrations(client, { migrations: [], logger: { warn: (_o, m) => warnings.push(m) } });
      expect(warnings.join("\n")).toContain(`does not know (${MIGRATIONS.map((m) => m.id).join(", ")})`);
    });

    it("createPgStore migrates at start; with migrate: false it refuses a database behind the code", async () => {
      const url = await freshDb();
      await expect(createPgStore({ connectionString: url, migrate: false })).rejects.toThrow(/run `cowabunga migrate` first/);
      const store = await createPgStore({ connectionString: url });
      closers.push(() => store.close());
      await store.putScanState(repo, { head_sha: "a" });
      const again = await createPgStore({ connectionString: url, migrate: false });
      closers.push(() => again.close());
      expect(await again.getScanState(repo)).toEqual({ head_sha: "a" });
    });

    it("`cowabunga migrate` applies, then says the database is up to date; without a URL it is a usage error", async () => {
      const url = await freshDb();
      const io = memoryIO();
      expect(await runCli(["node", "cowabunga", "migrate", "--database-url", url], { io })).toBe(0);
      expect(io.out).toContain(`applied ${MIGRATIONS.length} migration(s): ${MIGRATIONS.map((m) => m.id).join(", ")}`);
      const io2 = memoryIO();
      expect(await runCli(["node", "cowabunga", "migrate"], { io: io2, env: { DATABASE_URL: url } })).toBe(0);
      expect(io2.out).toMatch(/up to date/);
      const io3 = memoryIO();
      expect(await runCli(["node", "cowabunga", "migrate"], { io: io3, env: {} })).toBe(2);
      expect(io3.err).toMatch(/DATABASE_URL/);
    });
  });

  describe("storage", () => {
    let url: string;
    beforeAll(async () => {
      url = await freshDb();
      await migrate(url);
    });
    const open = (now?: () => Date) => {
      const store = new PgStore(pool(url), now ? { now } : {});
      return store;
    };
    const admin = () => pool(url);

    it("history appends are inserted rows: earlier rows are never rewritten", async () => {
      const store = open(() => NOW);
      const db = admin();
      await store.appendHealthHistory({ owner: "hist", repo: "a" }, makeSystemHealth({ timestamp: "2026-05-31T00:00:00Z" }));
      await store.putDependencies({ owner: "hist", repo: "a" }, [makeDependency()]);
      const rowsOf = async () =>
        (await db.query("SELECT 'h' || id AS id, xmin::text FROM health_history WHERE repo_id = (SELECT id FROM repos WHERE owner = 'hist') UNION ALL SELECT 'd' || id, xmin::text FROM dependency_history WHERE repo_id = (SELECT id FROM repos WHERE owner = 'hist') ORDER BY 1")).rows;
      const before = await rowsOf();
      // Changed values (an unchanged snapshot is not stored at all).
      await store.appendHealthHistory({ owner: "hist", repo: "a" }, makeSystemHealth({ timestamp: "2026-05-31T01:00:00Z", overall_status: "critical" }));
      await store.putDependencies({ owner: "hist", repo: "a" }, [makeDependency({ version: "9.9.9" })]);
      const after = await rowsOf();
      expect(after).toHaveLength(before.length + 2);
      for (const row of before) expect(after).toContainEqual(row);
    });

    it("an unchanged rescan rewrites no issue or dependency rows", async () => {
      const store = open(() => NOW);
      const db = admin();
      const r = { owner: "same", repo: "a" };
      const issues = [makeIssue({ id: "i1" }), makeIssue({ id: "i2" })];
      const deps = [makeDependency({ name: "a" }), makeDependency({ name: "b" })];
      await store.updateIssues(r, () => issues);
      await store.putDependencies(r, deps);
      const mine = "(SELECT id FROM repos WHERE owner = 'same')";
      const snap = async () => (await db.query(`SELECT 'i' || id AS k, xmin::text FROM issues WHERE repo_id = ${mine} UNION ALL SELECT 'd' || position, xmin::text FROM dependencies WHERE repo_id = ${mine} ORDER BY 1`)).rows;
      const before = await snap();
      await store.updateIssues(r, () => issues);
      await store.putDependencies(r, deps);
      expect(await snap()).toEqual(before);
      await store.updateIssues(r, () => [issues[0]!, { ...issues[1]!, title: "changed" }]);
      const changed = await snap();
      expect(changed.filter((x, i) => x.xmin !== before[i]!.xmin).map((x) => x.k)).toEqual(["ii2"]);
    });

    it("a changed dependency status rewrites only the rows that differ, and reads back as written through growth, reordering and shrinking", async () => {
      const store = open(() => NOW);
      const db = admin();
      const r = { owner: "part", repo: "a" };
      const mine = "(SELECT id FROM repos WHERE owner = 'part')";
      const snap = async () => (await db.query<{ position: number; xmin: string }>(`SELECT position, xmin::text FROM dependencies WHERE repo_id = ${mine} ORDER BY position`)).rows;
      const deps = ["a", "b", "c", "d"].map((name) => makeDependency({ name }));
      await store.putDependencies(r, deps);
      const before = await snap();
      // A re-assessment: one dependency's advisories changed.
      const next = deps.map((d) => (d.name === "c" ? { ...d, cve_ids: ["CVE-2024-0001"] } : d));
      await store.putDependencies(r, next);
      const after = await snap();
      expect(after.filter((x, i) => x.xmin !== before[i]!.xmin).map((x) => x.position)).toEqual([2]);
      expect(await store.getDependencies(r)).toEqual(next);
      for (const list of [
        [...next, makeDependency({ name: "e" }), makeDependency({ name: "f" })],
        [next[3]!, next[0]!, makeDependency({ name: "e" }), next[1]!],
        [next[1]!],
        [],
        [makeDependency({ name: "g" }), makeDependency({ name: "g", component: "other" })],
      ]) {
        await store.putDependencies(r, list);
        expect(await store.getDependencies(r)).toEqual(list);
        expect((await open(() => NOW).getDependencies(r))).toEqual(list);
      }
    });

    it("putAssessment is one transaction: an invalid part (a component) writes none of the others", async () => {
      const store = open(() => NOW);
      const r = { owner: "atomic", repo: "a" };
      await store.updateIssues(r, () => [makeIssue({ id: "i1" })]);
      await store.putDependencies(r, [makeDependency({ name: "a" })]);
      await expect(
        store.putAssessment(r, {
          issues: [makeIssue({ id: "i2" })],
          dependencies: [makeDependency({ name: "b" })],
          scan: {},
          system: makeSystemHealth({ timestamp: NOW.toISOString() }),
          components: [{ ...makeComponentHealth({ name: "bad" }), health_score: 7 }],
        }),
      ).rejects.toThrow(StoreValidationError);
      expect((await store.getIssues(r)).map((i) => i.id)).toEqual(["i1"]);
      expect((await store.getDependencies(r)).map((d) => d.name)).toEqual(["a"]);
      expect(await store.getSystemHealth(r)).toBeNull();
      expect(await store.getHealthHistory(r)).toEqual([]);
    });

    it("one row per dependency, found by (package_manager, name, version) across repositories", async () => {
      const store = open();
      await store.putDependencies({ owner: "rev", repo: "one" }, [makeDependency({ name: "requests", version: "2.19.0", package_manager: "pip" })]);
      await store.putDependencies({ owner: "rev", repo: "two" }, [makeDependency({ name: "requests", version: "2.19.0", package_manager: "pip" }), makeDependency({ name: "flask", package_manager: "pip" })]);
      const { rows } = await admin().query(
        `SELECT r.owner || '/' || r.repo AS repo FROM dependencies d JOIN repos r ON r.id = d.repo_id
         WHERE r.owner = 'rev' AND d.package_manager = 'pip' AND d.name = 'requests' AND d.version = '2.19.0' ORDER BY 1`,
      );
      expect(rows.map((x) => x.repo)).toEqual(["rev/one", "rev/two"]);
    });

    it("a bad row is moved to store_quarantine; its neighbours are still read", async () => {
      const store = open();
      const r = { owner: "quar", repo: "a" };
      await store.updateIssues(r, () => [makeIssue({ id: "ok1" }), makeIssue({ id: "bad" }), makeIssue({ id: "ok2" })]);
      await admin().query(`UPDATE issues SET doc = doc - 'title' WHERE id = 'bad'`);
      expect((await store.getIssues(r)).map((i) => i.id)).toEqual(["ok1", "ok2"]);
      const [w] = store.takeWarnings();
      expect(w).toMatchObject({ repo: "quar/a", file: "issues/bad" });
      expect(w!.message).toMatch(/quar\/a\/issues\/bad: does not match the schema \(title: expected string, but it is missing\); moved aside to store_quarantine\/\d+/);
      const q = (await admin().query("SELECT table_name, row_key, doc->>'id' AS id, problem FROM store_quarantine WHERE row_key = 'bad'")).rows;
      expect(q).toEqual([{ table_name: "issues", row_key: "bad", id: "bad", problem: expect.stringMatching(/title/) }]);
      // The next write does not bring it back nor fail on it.
      await store.updateIssues(r, (cur) => cur);
      expect((await store.getIssues(r)).map((i) => i.id)).toEqual(["ok1", "ok2"]);
      expect(store.takeWarnings()).toEqual([]);
    });

    it("refuses duplicate ids and NUL characters with StoreValidationError", async () => {
      const store = open();
      const r = { owner: "refuse", repo: "a" };
      await expect(store.updateIssues(r, () => [makeIssue({ id: "x" }), makeIssue({ id: "x" })])).rejects.toThrow(/\[1\]\.id: duplicate id "x"/);
      await expect(store.updateIssues(r, () => [makeIssue({ title: "a\u0000b" })])).rejects.toThrow(StoreValidationError);
      await expect(store.putScanState(r, { note: "\u0000" })).rejects.toThrow(/U\+0000/);
    });

    it("retention set by the process that read the config is used by every other process", async () => {
      const r = { owner: "ret", repo: "a" };
      const scanner = open(() => NOW);
      scanner.setRetention(r, { health_days: 2 });
      await scanner.appendHealthHistory(r, makeSystemHealth({ timestamp: "2026-05-31T00:00:00Z" }));
      const other = open(() => NOW); // never saw the repository's config
      const kept = await other.appendHealthHistory(r, makeSystemHealth({ timestamp: "2026-05-20T00:00:00Z" }));
      expect(kept.map((h) => h.timestamp)).toEqual(["2026-05-31T00:00:00Z"]);
    });

    it("a second writer waits on the repository's row lock until the first commits, then sees its change", async () => {
      const r = { owner: "lock", repo: "a" };
      const a = open();
      const b = open();
      await a.updateRecords(r, () => []);
      let release!: () => void;
      const gate = new Promise<void>((res) => (release = res));
      let entered!: () => void;
      const inFirst = new Promise<void>((res) => (entered = res));
      const first = a.updateRecords(r, async (cur) => {
        entered();
        await gate;
        return [...cur, makeRecord({ id: "from-a" })];
      });
      await inFirst;
      let bSaw: string[] | null = null;
      const second = b.updateRecords(r, (cur) => {
        bSaw = cur.map((x) => x.id);
        return [...cur, makeRecord({ id: "from-b" })];
      });
      // Wait until b's backend is blocked on a lock (or, were there no lock, until b ran its updater).
      const db = admin();
      try {
        for (;;) {
          if (bSaw !== null) break;
          const { rows } = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
          if (rows[0].n > 0) break;
          await new Promise((res) => setImmediate(res));
        }
        expect(bSaw).toBeNull();
      } finally {
        release();
      }
      await Promise.all([first, second]);
      expect(bSaw).toEqual(["from-a"]);
      expect((await a.getRecords(r)).map((x) => x.id)).toEqual(["from-a", "from-b"]);
    });

    it("a writer waiting longer than lockTimeoutMs gives up with LockTimeoutError; the holder's write stands", async () => {
      const r = { owner: "lock", repo: "timeout" };
      const holder = open();
      const impatient = new PgStore(pool(url), { lockTimeoutMs: 200 });
      await holder.updateRecords(r, () => []);
      let release!: () => void;
      const gate = new Promise<void>((res) => (release = res));
      let entered!: () => void;
      const inFirst = new Promise<void>((res) => (entered = res));
      const first = holder.updateRecords(r, async (cur) => {
        entered();
        await gate;
        return [...cur, makeRecord({ id: "held" })];
      });
      await inFirst;
      try {
        await expect(impatient.updateRecords(r, (cur) => cur)).rejects.toThrow(LockTimeoutError);
        await expect(impatient.updateRecords(r, (cur) => cur)).rejects.toThrow(/timed out after 200 ms waiting for another process's write to lock\/timeout/);
      } finally {
        release();
      }
      await first;
      expect((await impatient.getRecords(r)).map((x) => x.id)).toEqual(["held"]);
    });

    it("three processes appending to one repository at once lose nothing (row lock)", async () => {
      const run = (tag: string) =>
        new Promise<string>((resolve, reject) => {
          const p = spawn(process.execPath, ["--import", "tsx", child, "append", url, "25", tag], { stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          let err = "";
          p.stdout.on("data", (d) => (out += d));
          p.stderr.on("data", (d) => (err += d));
          p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child ${tag} exited ${code}: ${err}`))));
        });
      expect(await Promise.all([run("a"), run("b"), run("c")])).toEqual(["done\n", "done\n", "done\n"]);
      const ids = (await open().getRecords({ owner: "acme", repo: "multi" })).map((r) => r.id);
      expect(ids).toHaveLength(75);
      expect(new Set(ids).size).toBe(75);
    });

    it("runtime samples are rows shared by every process, kept 30 days", async () => {
      const r = { owner: "runtime", repo: "a" };
      const sample = (at: string, up: boolean): RuntimeSample => ({
        at,
        source: "poll",
        up,
        uptime_percentage: null,
        error_rate: null,
        response_time_ms: 12,
        memory_usage_mb: null,
        cpu_usage_percent: null,
        detail: null,
      });
      const poller = new PgRuntimeMetricsStore(pool(url), () => NOW);
      const server = new PgRuntimeMetricsStore(pool(url), () => NOW);
      await poller.append(r, "api", sample("2026-04-01T00:00:00Z", true)); // 61 days old: pruned
      await poller.append(r, "api", sample("2026-05-30T00:00:00Z", false));
      const kept = await poller.append(r, "api", sample("2026-05-31T00:00:00Z", true));
      await poller.append(r, "ui", sample("2026-05-31T00:00:00Z", true));
      expect(kept.map((x) => x.up)).toEqual([false, true]);
      expect((await server.samples(r, "api")).map((x) => x.at)).toEqual(["2026-05-30T00:00:00Z", "2026-05-31T00:00:00Z"]);
      expect(Object.keys(await server.all(r)).sort()).toEqual(["api", "ui"]);
      expect((await admin().query("SELECT count(*)::int AS n FROM runtime_samples WHERE component = 'api'")).rows[0].n).toBe(2);
      await expect(poller.append(r, "api", { ...sample("2026-05-31T00:00:00Z", true), response_time_ms: -1 })).rejects.toThrow();
    });

    it("keeps ISO timestamps as written, offsets included, and orders by the instant", async () => {
      const store = open(() => NOW);
      const r = { owner: "tz", repo: "a" };
      await store.appendHealthHistory(r, makeSystemHealth({ timestamp: "2026-05-31T10:00:00+02:00" }));
      await store.appendHealthHistory(r, makeSystemHealth({ timestamp: "2026-05-31T09:00:00Z", overall_status: "critical" }));
      expect((await store.getHealthHistory(r)).map((h) => h.timestamp)).toEqual(["2026-05-31T10:00:00+02:00", "2026-05-31T09:00:00Z"]);
    });
  });

  describe("openStore", () => {
    it("opens PostgreSQL with a database URL and the file store without one", async () => {
      const url = await freshDb();
      const pgStore = await openStore({ databaseUrl: url, dataDir: "/nonexistent" });
      closers.push(() => pgStore.close());
      expect(pgStore.kind).toBe("postgres");
      expect(pgStore.httpCache).not.toBeNull();
      await pgStore.putScanState(repo, { head_sha: "x" });
      expect(await pgStore.listRepos()).toEqual([repo]);
      const fileStore = await openStore({ databaseUrl: "  ", dataDir: "/tmp/cowabunga-openstore-unused" });
      expect(fileStore.kind).toBe("file");
      expect(fileStore.httpCache).toBeNull();
      await fileStore.close();
    });

    it("report --database-url renders from PostgreSQL", async () => {
      const url = await freshDb();
      const store = await createPgStore({ connectionString: url });
      closers.push(() => store.close());
      await store.putSystemHealth(repo, makeSystemHealth({ timestamp: NOW.toISOString() }));
      const io = memoryIO();
      expect(await runCli(["node", "cowabunga", "report", "--database-url", url, "--repo", "acme/app", "--format", "json"], { io, clock: () => NOW })).toBe(0);
      expect(JSON.parse(io.out)).toBeTruthy();
      const io2 = memoryIO();
      expect(await runCli(["node", "cowabunga", "report", "--database-url", url, "--repo", "acme/none"], { io: io2 })).toBe(2);
      expect(io2.err).toMatch(/no stored assessment for acme\/none in the database \(stored: acme\/app\)/);
      expect(await runCli(["node", "cowabunga", "report", "--repo", "acme/app"], { io: memoryIO() })).toBe(2);
    });
  });
});
