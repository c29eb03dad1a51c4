/**
 * The PostgreSQL store's parts beside PgStore, one behaviour per test (issue 18: src/store/pg/):
 * the shared HTTP cache, runtime samples, idempotency keys, the migration runner and createPgStore.
 * Oracles: docs/notes/pg-store.md, src/enrich/shared-cache.ts and the doc comments of each class.
 * One database per file (createTestDatabase), so concurrent runs never share rows.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeSample } from "../../src/act/runtime/index.js";
import type { SharedCacheEntry } from "../../src/enrich/shared-cache.js";
import { UnsafeNameError, openStore } from "../../src/store/index.js";
import {
  MIGRATIONS,
  MigrationError,
  PgHttpCache,
  PgIdempotencyKeys,
  PgRuntimeMetricsStore,
  createPgStore,
  migrate,
  pendingMigrations,
  runMigrations,
} from "../../src/store/pg/index.js";
import { makeSystemHealth } from "../helpers/factories.js";
import { createTestDatabase, postgresAvailable, testPool } from "../helpers/services.js";

const ok = await postgresAvailable("PostgreSQL store parts");
const DAY = 86_400_000;
const T0 = Date.parse("2026-06-01T00:00:00.000Z");

describe.skipIf(!ok)("PostgreSQL store parts", () => {
  let db: { url: string; drop: () => Promise<void> };
  const extraDbs: { url: string; drop: () => Promise<void> }[] = [];
  let admin: pg.Pool;
  const closers: (() => Promise<unknown>)[] = [];
  const pool = (max = 2) => {
    const p = testPool(db.url, max);
    closers.push(() => p.end());
    return p;
  };
  beforeAll(async () => {
    db = await createTestDatabase("pg_parts");
    await migrate(db.url);
    admin = testPool(db.url, 2);
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
    for (const d of extraDbs) await d.drop();
  });
  const freshDb = async () => {
    const d = await createTestDatabase("pg_parts_x");
    extraDbs.push(d);
    return d.url;
  };

  describe("PgHttpCache (http_cache, http_fetch_claims)", () => {
    const entry = (over: Partial<SharedCacheEntry> = {}): SharedCacheEntry => ({
      status: 200,
      url: "https://registry.example/react",
      headers: { "content-type": "application/json", etag: '"v1"' },
      body: '{"name":"react"}',
      etag: '"v1"',
      lastModified: "Mon, 01 Jun 2026 00:00:00 GMT",
      expiresAt: T0 + 60_000,
      ...over,
    });
    let n = 0;
    const key = (what: string) => `${what}-${++n}`;

    it("a miss is null; a stored entry reads back whole, its expiry to the millisecond", async () => {
      const cache = new PgHttpCache(pool(), { now: () => T0 });
      const k = key("round");
      expect(await cache.get(k)).toBeNull();
      await cache.set(k, entry({ expiresAt: T0 + 60_123 }));
      expect(await cache.get(k)).toEqual(entry({ expiresAt: T0 + 60_123 }));
      // Another process (its own pool) reads the same entry.
      expect(await new PgHttpCache(pool()).get(k)).toEqual(entry({ expiresAt: T0 + 60_123 }));
    });

    it("a second set replaces the entry and its expiry", async () => {
      const cache = new PgHttpCache(pool(), { now: () => T0 });
      const k = key("replace");
      await cache.set(k, entry());
      await cache.set(k, entry({ body: '{"name":"react","v":2}', etag: '"v2"', expiresAt: T0 + 120_000 }));
      expect(await cache.get(k)).toEqual(entry({ body: '{"name":"react","v":2}', etag: '"v2"', expiresAt: T0 + 120_000 }));
      expect((await admin.query("SELECT count(*)::int AS n FROM http_cache WHERE key = $1", [k])).rows[0].n).toBe(1);
    });

    it("a body with U+0000 is not shared (jsonb cannot hold it) and nothing throws", async () => {
      const cache = new PgHttpCache(pool(), { now: () => T0 });
      const k = key("nul");
      await expect(cache.set(k, entry({ body: "a\u0000b" }))).resolves.toBeUndefined();
      expect(await cache.get(k)).toBeNull();
    });

    it("a row without headers reads with empty headers; a row without a string body or numeric status is a miss", async () => {
      const cache = new PgHttpCache(pool(), { now: () => T0 });
      const put = (k: string, e: object) => admin.query("INSERT INTO http_cache (key, entry, expires_at) VALUES ($1, $2::jsonb, $3)", [k, JSON.stringify(e), new Date(T0).toISOString()]);
      const noHeaders = key("noheaders");
      await put(noHeaders, { status: 200, url: "u", body: "b", etag: null, lastModified: null });
      expect(await cache.get(noHeaders)).toEqual({ status: 200, url: "u", body: "b", etag: null, lastModified: null, headers: {}, expiresAt: T0 });
      const noBody = key("nobody");
      await put(noBody, { status: 200, url: "u", headers: {}, body: 5 });
      expect(await cache.get(noBody)).toBeNull();
      const noStatus = key("nostatus");
      await put(noStatus, { status: "200", url: "u", headers: {}, body: "b" });
      expect(await cache.get(noStatus)).toBeNull();
    });

    it("claim: one holder until its ttl ends, then anyone; release frees it at once", async () => {
      let t = T0;
      const a = new PgHttpCache(pool(), { now: () => t });
      const b = new PgHttpCache(pool(), { now: () => t });
      const k = key("claim");
      expect(await a.claim(k, 10_000)).toBe(true);
      expect(await b.claim(k, 10_000)).toBe(false);
      expect(await a.claim(k, 10_000)).toBe(false);
      t = T0 + 9_999;
      expect(await b.claim(k, 10_000)).toBe(false);
      t = T0 + 10_001;
      expect(await b.claim(k, 10_000)).toBe(true);
      // b's claim now lasts until T0 + 20_001.
      const until = (await admin.query<{ until: Date }>("SELECT until FROM http_fetch_claims WHERE key = $1", [k])).rows[0]!.until;
      expect(until.getTime()).toBe(T0 + 20_001);
      await b.release(k);
      expect(await a.claim(k, 10_000)).toBe(true);
    });

    it("purge: entries expired more than keepExpiredMs ago and ended claims go, the rest stays; returns the entries deleted", async () => {
      const now = T0 + 10 * DAY;
      const cache = new PgHttpCache(pool(), { now: () => now, keepExpiredMs: 1000 });
      await admin.query("DELETE FROM http_cache");
      await admin.query("DELETE FROM http_fetch_claims");
      await cache.set("gone-1", entry({ expiresAt: now - 1001 }));
      await cache.set("gone-2", entry({ expiresAt: now - 5000 }));
      await cache.set("kept-recently-expired", entry({ expiresAt: now - 999 }));
      await cache.set("kept-fresh", entry({ expiresAt: now + 1000 }));
      await admin.query("INSERT INTO http_fetch_claims (key, until) VALUES ('ended', $1), ('live', $2)", [new Date(now - 1).toISOString(), new Date(now + 1000).toISOString()]);
      expect(await cache.purge()).toBe(2);
      expect((await admin.query<{ key: string }>("SELECT key FROM http_cache ORDER BY key")).rows.map((r) => r.key)).toEqual(["kept-fresh", "kept-recently-expired"]);
      expect((await admin.query<{ key: string }>("SELECT key FROM http_fetch_claims")).rows.map((r) => r.key)).toEqual(["live"]);
      expect(await cache.purge()).toBe(0);
    });

    it("expired rows stay a day by default (for revalidation), then purge deletes them", async () => {
      const now = T0 + 10 * DAY;
      const cache = new PgHttpCache(pool(), { now: () => now });
      await admin.query("DELETE FROM http_cache");
      await cache.set("a-day-less", entry({ expiresAt: now - DAY + 1000 }));
      await cache.set("a-day-more", entry({ expiresAt: now - DAY - 1000 }));
      expect(await cache.purge()).toBe(1);
      expect(await cache.get("a-day-less")).not.toBeNull();
      expect(await cache.get("a-day-more")).toBeNull();
    });

    it("every purgeEvery-th write purges (default: every 500 writes)", async () => {
      const now = T0 + 10 * DAY;
      await admin.query("DELETE FROM http_cache");
      await admin.query("INSERT INTO http_cache (key, entry, expires_at) VALUES ('stale', $1::jsonb, $2)", [JSON.stringify(entry()), new Date(now - 3 * DAY).toISOString()]);
      const every3 = new PgHttpCache(pool(), { now: () => now, purgeEvery: 3 });
      await every3.set("w1", entry({ expiresAt: now + DAY }));
      await every3.set("w2", entry({ expiresAt: now + DAY }));
      expect(await every3.get("stale")).not.toBeNull();
      await every3.set("w3", entry({ expiresAt: now + DAY }));
      expect(await every3.get("stale")).toBeNull();

      await admin.query("INSERT INTO http_cache (key, entry, expires_at) VALUES ('stale', $1::jsonb, $2)", [JSON.stringify(entry()), new Date(now - 3 * DAY).toISOString()]);
      const byDefault = new PgHttpCache(pool(), { now: () => now });
      for (let i = 1; i < 500; i++) await byDefault.set("same", entry({ expiresAt: now + DAY }));
      expect(await byDefault.get("stale")).not.toBeNull();
      await byDefault.set("same", entry({ expiresAt: now + DAY }));
      expect(await byDefault.get("stale")).toBeNull();
    }, 60_000);

    it("without an injected clock it uses the real time", async () => {
      const cache = new PgHttpCache(pool());
      const k = key("realtime");
      expect(await cache.claim(k, 60_000)).toBe(true);
      const until = (await admin.query<{ until: Date }>("SELECT until FROM http_fetch_claims WHERE key = $1", [k])).rows[0]!.until.getTime();
      expect(Math.abs(until - (Date.now() + 60_000))).toBeLessThan(30_000);
      await admin.query("INSERT INTO http_cache (key, entry, expires_at) VALUES ('old-real', $1::jsonb, $2)", [JSON.stringify(entry()), new Date(Date.now() - 3 * DAY).toISOString()]);
      await cache.set("new-real", entry({ expiresAt: Date.now() + DAY }));
      await cache.purge();
      expect(await cache.get("old-real")).toBeNull();
      expect(await cache.get("new-real")).not.toBeNull();
    });
  });

  describe("PgRuntimeMetricsStore (runtime_samples): 30 days per component", () => {
    const NOW = new Date(T0);
    const sample = (at: string, over: Partial<RuntimeSample> = {}): RuntimeSample => ({
      at,
      source: "poll",
      up: true,
      uptime_percentage: null,
      error_rate: null,
      response_time_ms: 10,
      memory_usage_mb: null,
      cpu_usage_percent: null,
      detail: null,
      ...over,
    });
    const iso = (ms: number) => new Date(ms).toISOString();

    it("a sample exactly 30 days old is kept, one a millisecond older is not", async () => {
      const store = new PgRuntimeMetricsStore(pool(), () => NOW);
      const r = { owner: "rt", repo: "edge" };
      expect(await store.append(r, "api", sample(iso(T0 - 30 * DAY - 1)))).toEqual([]);
      await store.append(r, "api", sample(iso(T0 - 30 * DAY)));
      expect((await store.samples(r, "api")).map((s) => s.at)).toEqual([iso(T0 - 30 * DAY)]);
    });

    it("reads filter out what the window left behind even before the next append prunes it", async () => {
      let now = NOW;
      const store = new PgRuntimeMetricsStore(pool(), () => now);
      const r = { owner: "rt", repo: "read-window" };
      await store.append(r, "api", sample(iso(T0 - 20 * DAY)));
      await store.append(r, "api", sample(iso(T0 - DAY)));
      now = new Date(T0 + 15 * DAY);
      expect((await store.samples(r, "api")).map((s) => s.at)).toEqual([iso(T0 - DAY)]);
      expect((await store.all(r)).api!.map((s) => s.at)).toEqual([iso(T0 - DAY)]);
    });

    it("samples are per component and in time order; all() groups them by component; names are GitHub's, case-folded", async () => {
      const store = new PgRuntimeMetricsStore(pool(), () => NOW);
      const r = { owner: "RT", repo: "Order" };
      await store.append(r, "api", sample(iso(T0 - 2000), { response_time_ms: 2 }));
      await store.append(r, "api", sample(iso(T0 - 3000), { response_time_ms: 3 }));
      const api = await store.append(r, "api", sample(iso(T0 - 1000), { response_time_ms: 1 }));
      expect(api.map((s) => s.response_time_ms)).toEqual([3, 2, 1]);
      const ui = await store.append(r, "ui", sample(iso(T0 - 500), { source: "push" }));
      expect(ui.map((s) => s.source)).toEqual(["push"]);
      const lower = { owner: "rt", repo: "order" };
      expect((await store.samples(lower, "ui")).map((s) => s.at)).toEqual([iso(T0 - 500)]);
      expect(await store.all(lower)).toEqual({
        api: [sample(iso(T0 - 3000), { response_time_ms: 3 }), sample(iso(T0 - 2000), { response_time_ms: 2 }), sample(iso(T0 - 1000), { response_time_ms: 1 })],
        ui: [sample(iso(T0 - 500), { source: "push" })],
      });
      expect(await store.samples(lower, "none")).toEqual([]);
      expect(await store.all({ owner: "rt", repo: "never" })).toEqual({});
      await expect(store.append({ owner: "../x", repo: "a" }, "api", sample(iso(T0)))).rejects.toThrow(UnsafeNameError);
      await expect(store.samples({ owner: "a", repo: ".." }, "api")).rejects.toThrow(UnsafeNameError);
    });

    it("a stored sample failing its schema is skipped with a warning naming it; the others are read", async () => {
      const warnings: { obj: object; msg: string }[] = [];
      const store = new PgRuntimeMetricsStore(pool(), () => NOW, { warn: (obj, msg) => warnings.push({ obj, msg }) });
      const r = { owner: "rt", repo: "bad" };
      await store.append(r, "api", sample(iso(T0 - 2000)));
      const bad = await admin.query<{ id: string }>(
        "INSERT INTO runtime_samples (repo_id, component, at, doc) SELECT id, 'api', $1, '{\"at\": 5}'::jsonb FROM repos WHERE owner = 'rt' AND repo = 'bad' RETURNING id",
        [iso(T0 - 1000)],
      );
      const id = bad.rows[0]!.id;
      expect((await store.samples(r, "api")).map((s) => s.at)).toEqual([iso(T0 - 2000)]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.obj).toEqual({ runtime_sample: id });
      expect(warnings[0]!.msg).toContain(`rt/bad/runtime_samples/${id}`);
      expect(warnings[0]!.msg).toMatch(/; skipped$/);
      // Without a logger: still skipped, nothing throws.
      expect((await new PgRuntimeMetricsStore(pool(), () => NOW).all(r)).api).toHaveLength(1);
    });

    it("the per-component cap (50,000) is enforced every 100th append of a process, on the appended component only", async () => {
      const store = new PgRuntimeMetricsStore(pool(), () => NOW);
      const r = { owner: "rt", repo: "cap" };
      await store.append(r, "small", sample(iso(T0 - 10_000)));
      // 50,003 samples of "big" after NOW (within the window, never pruned by age).
      await admin.query(
        `INSERT INTO runtime_samples (repo_id, component, at, doc)
         SELECT r.id, 'big', $1::timestamptz + g * interval '1 millisecond', $2::jsonb FROM repos r, generate_series(1, 50003) g WHERE r.owner = 'rt' AND r.repo = 'cap'`,
        [iso(T0), JSON.stringify(sample(iso(T0)))],
      );
      const count = async (c: string) => (await admin.query("SELECT count(*)::int AS n FROM runtime_samples s JOIN repos r ON r.id = s.repo_id WHERE r.repo = 'cap' AND s.component = $1", [c])).rows[0].n;
      for (let i = 2; i <= 99; i++) await store.append(r, "small", sample(iso(T0 - 10_000 + i)));
      expect(await count("small")).toBe(99);
      expect(await count("big")).toBe(50_003);
      // Reads return at most 50,000 per component, the newest.
      const read = await store.samples(r, "big");
      expect(read).toHaveLength(50_000);
      const big = await store.append(r, "big", sample(iso(T0 + 100_000)));
      expect(await count("big")).toBe(50_000);
      expect(big).toHaveLength(50_000);
      // The oldest went, the newest stayed.
      expect(big.at(-1)!.at).toBe(iso(T0 + 100_000));
      const oldest = (await admin.query<{ at: Date }>("SELECT min(at) AS at FROM runtime_samples s JOIN repos r ON r.id = s.repo_id WHERE r.repo = 'cap' AND s.component = 'big'")).rows[0]!.at;
      expect(oldest.getTime()).toBe(T0 + 5);
      expect(await count("small")).toBe(99);
    }, 120_000);

    it("appends prune what is older than 30 days from the table (not only from reads)", async () => {
      const store = new PgRuntimeMetricsStore(pool(), () => NOW);
      const r = { owner: "rt", repo: "prune" };
      await store.append(r, "api", sample(iso(T0 - 40 * DAY)));
      await store.append(r, "api", sample(iso(T0 - 30 * DAY)));
      await store.append(r, "api", sample(iso(T0 - DAY)));
      const { rows } = await admin.query<{ at: Date }>("SELECT at FROM runtime_samples s JOIN repos r ON r.id = s.repo_id WHERE r.repo = 'prune' ORDER BY at");
      expect(rows.map((x) => x.at.getTime())).toEqual([T0 - 30 * DAY, T0 - DAY]);
    });

    it("without a clock it uses the real time", async () => {
      const store = new PgRuntimeMetricsStore(pool());
      const r = { owner: "rt", repo: "realclock" };
      const recent = new Date(Date.now() - DAY).toISOString();
      await store.append(r, "api", sample(iso(T0 - 400 * DAY)));
      expect(await store.append(r, "api", sample(recent))).toEqual([sample(recent)]);
    });
  });

  describe("PgIdempotencyKeys (idempotency_keys)", () => {
    it("records the injected time; purge deletes keys recorded strictly before the cut and counts them", async () => {
      let now = new Date(T0);
      const keys = new PgIdempotencyKeys(pool(), () => now);
      await keys.record("purge:a", 1);
      now = new Date(T0 + 1000);
      await keys.once("purge:b", async () => 2);
      now = new Date(T0 + 2000);
      await keys.record("purge:c", 3);
      const at = (await admin.query<{ key: string; created_at: Date }>("SELECT key, created_at FROM idempotency_keys WHERE key LIKE 'purge:%' ORDER BY key")).rows;
      expect(at.map((x) => [x.key, x.created_at.getTime()])).toEqual([
        ["purge:a", T0],
        ["purge:b", T0 + 1000],
        ["purge:c", T0 + 2000],
      ]);
      expect(await keys.purge(new Date(T0 + 1000))).toBe(1);
      expect(await keys.get("purge:a")).toBeUndefined();
      expect(await keys.get("purge:b")).toBe(2);
      expect(await keys.purge(new Date(T0 + 2001))).toBe(2);
      expect(await keys.purge(new Date(T0 + 5000))).toBe(0);
    });

    it("JSON results round-trip, a recorded false or 0 is a result (not 'never recorded'), and get refuses bad keys", async () => {
      const keys = new PgIdempotencyKeys(pool());
      expect(await keys.get("never:recorded")).toBeUndefined();
      await keys.record("rt:obj", { n: 1, list: [true, null, "x"] });
      expect(await keys.get("rt:obj")).toEqual({ n: 1, list: [true, null, "x"] });
      await keys.record("rt:false", false);
      expect(await keys.get("rt:false")).toBe(false);
      let ran = 0;
      expect(await keys.once("rt:false", async () => (ran++, true))).toEqual({ result: false, fresh: false });
      await keys.record("rt:zero", 0);
      expect(await keys.once("rt:zero", async () => (ran++, 5))).toEqual({ result: 0, fresh: false });
      expect(ran).toBe(0);
      await expect(keys.get("")).rejects.toThrow(/invalid idempotency key/);
      await expect(keys.record("x".repeat(1001), 1)).rejects.toThrow(/invalid idempotency key/);
      expect(await keys.record("x".repeat(1000), 1)).toBe(true);
    });

    it("once releases its advisory lock whether fn succeeds or fails, and keeps no connection", async () => {
      const p = pool(1);
      const keys = new PgIdempotencyKeys(p);
      expect(await keys.once("lock:ok", async () => "done")).toEqual({ result: "done", fresh: true });
      await expect(keys.once("lock:fail", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
      // Another session can take both keys' locks at once: they were released.
      const { rows } = await admin.query<{ a: boolean; b: boolean }>(
        "SELECT pg_try_advisory_lock(hashtextextended('idempotency:lock:ok', 0)) AS a, pg_try_advisory_lock(hashtextextended('idempotency:lock:fail', 0)) AS b",
      );
      expect(rows[0]).toEqual({ a: true, b: true });
      await admin.query("SELECT pg_advisory_unlock_all()");
      // The one connection of the pool was given back each time (a third call would hang otherwise).
      expect(p.idleCount).toBe(1);
      expect(await keys.once("lock:fail", async () => "second")).toEqual({ result: "second", fresh: true });
    });

    it("while one worker runs fn under the key's lock, another waits and then gets its result", async () => {
      const a = new PgIdempotencyKeys(pool());
      const b = new PgIdempotencyKeys(pool());
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const first = a.once("wait:1", async () => {
        entered();
        await gate;
        return 41;
      });
      await inside;
      let bDone = false;
      const second = b.once("wait:1", async () => 99).then((x) => ((bDone = true), x));
      // b is blocked on the advisory lock: wait until PostgreSQL shows a session waiting for one.
      for (;;) {
        const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        if (rows[0].n > 0 || bDone) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(bDone).toBe(false);
      release();
      expect(await first).toEqual({ result: 41, fresh: true });
      expect(await second).toEqual({ result: 41, fresh: false });
    });
  });

  describe("migrations (runMigrations, pendingMigrations)", () => {
    const client = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      closers.push(() => c.end());
      return c;
    };

    it("each migration runs in its own transaction, committed: a failure undoes the whole migration, success is visible to others", async () => {
      const url = await freshDb();
      const c = await client(url);
      // The migration's SQL succeeds, but recording it fails (its id is taken): its table must not stay.
      const clash = [{ id: "0001_a", sql: "CREATE TABLE made_by_a (x int); INSERT INTO schema_migrations (id, checksum) VALUES ('0001_a', 'x')" }];
      const err = await runMigrations(c, { migrations: clash }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).name).toBe("MigrationError");
      expect((err as Error).message).toMatch(/^migration 0001_a failed and was rolled back: duplicate key value/);
      expect((await c.query("SELECT to_regclass('made_by_a') AS t")).rows[0].t).toBeNull();
      await runMigrations(c, { migrations: [{ id: "0001_b", sql: "CREATE TABLE made_by_b (x int)" }] });
      const other = await client(url);
      expect((await other.query("SELECT to_regclass('made_by_b')::text AS t")).rows[0].t).toBe("made_by_b");
      expect((await other.query("SELECT id FROM schema_migrations")).rows.map((r) => r.id)).toEqual(["0001_b"]);
      // Unknown migrations without a logger: nothing to report to, no error.
      await expect(runMigrations(c, { migrations: [] })).resolves.toEqual({ applied: [] });
    });

    it("refuses migration ids that are not unique and ascending, before touching the database", async () => {
      const url = await freshDb();
      const c = await client(url);
      const m = (id: string) => ({ id, sql: "SELECT 1" });
      await expect(runMigrations(c, { migrations: [m("0002_b"), m("0001_a")] })).rejects.toThrow("migration ids must be unique and ascending: 0002_b, 0001_a");
      await expect(runMigrations(c, { migrations: [m("0001_a"), m("0001_a")] })).rejects.toThrow(MigrationError);
      await expect(runMigrations(c, { migrations: [m("0001_a"), m("0002_b"), m("0002_b")] })).rejects.toThrow("unique and ascending: 0001_a, 0002_b, 0002_b");
      expect((await c.query("SELECT to_regclass('schema_migrations') AS t")).rows[0].t).toBeNull();
      expect(await runMigrations(c, { migrations: [m("0001_a"), m("0002_b")] })).toEqual({ applied: ["0001_a", "0002_b"] });
    });

    it("pending: every migration on an empty database, then only the ones not applied", async () => {
      const url = await freshDb();
      const c = await client(url);
      expect(await pendingMigrations(c)).toEqual(MIGRATIONS.map((m) => m.id));
      await runMigrations(c, { migrations: MIGRATIONS.slice(0, 2) });
      expect(await pendingMigrations(c)).toEqual(MIGRATIONS.slice(2).map((m) => m.id));
      await runMigrations(c);
      expect(await pendingMigrations(c)).toEqual([]);
    });

    it("logs each migration applied, warns only about unknown ones, records a sha-256 checksum, and releases its lock", async () => {
      const url = await freshDb();
      const c = await client(url);
      const infos: [object, string][] = [];
      const warns: [object, string][] = [];
      const logger = { info: (o: object, m: string) => infos.push([o, m]), warn: (o: object, m: string) => warns.push([o, m]) };
      const mine = [
        { id: "0001_a", sql: "CREATE TABLE a (x int)" },
        { id: "0002_b", sql: "CREATE TABLE b (x int)" },
      ];
      await runMigrations(c, { migrations: mine, logger });
      expect(infos).toEqual([
        [{ migration: "0001_a" }, "applied migration 0001_a"],
        [{ migration: "0002_b" }, "applied migration 0002_b"],
      ]);
      expect(warns).toEqual([]);
      const sums = (await c.query<{ id: string; checksum: string }>("SELECT id, checksum FROM schema_migrations ORDER BY id")).rows;
      // sha256("CREATE TABLE a (x int)"), computed independently.
      const { createHash } = await import("node:crypto");
      expect(sums).toEqual(mine.map((m) => ({ id: m.id, checksum: createHash("sha256").update(m.sql).digest("hex") })));
      // A logger without info is fine.
      await runMigrations(c, { migrations: [...mine, { id: "0003_c", sql: "SELECT 1" }], logger: { warn: (o, m) => warns.push([o, m]) } });
      await runMigrations(c, { migrations: mine.slice(0, 1), logger });
      expect(warns).toEqual([[{ unknown_migrations: ["0002_b", "0003_c"] }, "the database has migrations this version does not know (0002_b, 0003_c): a newer version ran them"]]);
      // The advisory lock is free for another session.
      const other = await client(url);
      expect((await other.query("SELECT pg_try_advisory_lock(hashtextextended('cowabunga.schema_migrations', 0)) AS got")).rows[0].got).toBe(true);
      await other.query("SELECT pg_advisory_unlock_all()");
    });

    it("a changed migration is refused by id, nothing after it applied; the lock is released after a failure", async () => {
      const url = await freshDb();
      const c = await client(url);
      await runMigrations(c, { migrations: [{ id: "0001_a", sql: "CREATE TABLE a (x int)" }] });
      await expect(
        runMigrations(c, { migrations: [{ id: "0001_a", sql: "CREATE TABLE a (y int)" }, { id: "0002_b", sql: "CREATE TABLE b (x int)" }] }),
      ).rejects.toThrow("migration 0001_a was changed after it was applied (checksum differs); add a new migration instead");
      expect((await c.query("SELECT to_regclass('b') AS t")).rows[0].t).toBeNull();
      await expect(runMigrations(c, { migrations: [{ id: "0001_a", sql: "CREATE TABLE a (x int)" }, { id: "0002_b", sql: "SELECT 1/0" }] })).rejects.toThrow(MigrationError);
      const other = await client(url);
      expect((await other.query("SELECT pg_try_advisory_lock(hashtextextended('cowabunga.schema_migrations', 0)) AS got")).rows[0].got).toBe(true);
      await other.query("SELECT pg_advisory_unlock_all()");
    });

    it("migrate() logs through the given logger and connects as cowabunga-migrate", async () => {
      const url = await freshDb();
      const infos: string[] = [];
      const seen: string[] = [];
      // Watch the migrating session from outside while it holds the migration lock.
      const watcher = await client(url);
      await watcher.query("SELECT pg_advisory_lock(hashtextextended('cowabunga.schema_migrations', 0))");
      const running = migrate(url, { info: (_o, m) => infos.push(m), warn: () => undefined });
      for (let i = 0; i < 500 && seen.length === 0; i++) {
        const { rows } = await watcher.query<{ app: string }>("SELECT application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'");
        seen.push(...rows.map((r) => r.app));
        if (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
      }
      await watcher.query("SELECT pg_advisory_unlock_all()");
      expect(await running).toEqual({ applied: MIGRATIONS.map((m) => m.id) });
      expect(seen).toEqual(["cowabunga-migrate"]);
      expect(infos).toEqual(MIGRATIONS.map((m) => `applied migration ${m.id}`));
    });
  });

  describe("openStore with a database URL", () => {
    it("opens PostgreSQL (the URL trimmed), with the given clock, and passes migrate: false on", async () => {
      const url = await freshDb();
      await expect(openStore({ databaseUrl: url, dataDir: "/nonexistent", migrate: false })).rejects.toThrow(/run `cowabunga migrate` first/);
      const store = await openStore({ databaseUrl: `  ${url}\n`, dataDir: "/nonexistent", clock: () => new Date(T0) });
      closers.push(() => store.close());
      expect(store.kind).toBe("postgres");
      expect(store.runtime).toBeInstanceOf(PgRuntimeMetricsStore);
      expect(store.idempotency).toBeInstanceOf(PgIdempotencyKeys);
      const r = { owner: "factory", repo: "a" };
      await store.putDependencies(r, []);
      expect((await store.getDependencyHistory(r)).map((s) => s.scanned_at)).toEqual([new Date(T0).toISOString()]);
    });
  });

  describe("createPgStore", () => {
    it("migrates a fresh database by default, logging each migration; then migrate: false opens it", async () => {
      const url = await freshDb();
      const infos: string[] = [];
      const store = await createPgStore({ connectionString: url, logger: { info: (_o, m) => infos.push(m), warn: () => undefined } });
      closers.push(() => store.close());
      expect(infos).toEqual(MIGRATIONS.map((m) => `applied migration ${m.id}`));
      const again = await createPgStore({ connectionString: url, migrate: false });
      closers.push(() => again.close());
      expect(await again.listRepos()).toEqual([]);
    });

    it("with migrate: false names the missing migrations; a database that cannot be reached is an error, not a hang", async () => {
      const url = await freshDb();
      await expect(createPgStore({ connectionString: url, migrate: false })).rejects.toThrow(`the database lacks migrations ${MIGRATIONS.map((m) => m.id).join(", ")}: run \`cowabunga migrate\` first`);
      const missing = new URL(url);
      missing.pathname = "/cowabunga_no_such_database";
      await expect(createPgStore({ connectionString: missing.toString() })).rejects.toThrow(/does not exist/);
    });

    it("its pool: 10 connections by default or poolSize, named cowabunga; an idle connection failing is logged, not thrown", async () => {
      const warns: [object, string][] = [];
      const logger = { warn: (o: object, m: string) => warns.push([o, m]) };
      const store = await createPgStore({ connectionString: db.url, logger });
      closers.push(() => store.close());
      const small = await createPgStore({ connectionString: db.url, poolSize: 3 });
      closers.push(() => small.close());
      expect((store.pool as unknown as { options: { max: number } }).options.max).toBe(10);
      expect((small.pool as unknown as { options: { max: number } }).options.max).toBe(3);
      const c = await store.pool.connect();
      const name = (await c.query("SELECT current_setting('application_name') AS n")).rows[0].n;
      c.release();
      expect(name).toBe("cowabunga");
      store.pool.emit("error", new Error("terminating connection due to administrator command"));
      expect(warns).toEqual([[{ err: "terminating connection due to administrator command" }, "PostgreSQL: idle connection failed: terminating connection due to administrator command"]]);
      // Without a logger the event is still handled (no uncaught 'error').
      small.pool.emit("error", new Error("gone"));
    });

    it("its clock, retention and logger reach the store, the HTTP cache and the runtime samples", async () => {
      const now = () => new Date(T0);
      const store = await createPgStore({ connectionString: db.url, now, retention: { health_days: 2 } });
      closers.push(() => store.close());
      const r = { owner: "created", repo: "clock" };
      await store.appendHealthHistory(r, makeSystemHealth({ timestamp: new Date(T0 - 3 * DAY).toISOString() }));
      await store.appendHealthHistory(r, makeSystemHealth({ timestamp: new Date(T0 - 1.5 * DAY).toISOString(), overall_status: "critical" }));
      const kept = await store.appendHealthHistory(r, makeSystemHealth({ timestamp: new Date(T0 - 0.5 * DAY).toISOString() }));
      // health_days 2 at the injected now: the 3-day-old one goes, the 1.5-day-old one stays.
      expect(kept.map((h) => h.timestamp)).toEqual([new Date(T0 - 1.5 * DAY).toISOString(), new Date(T0 - 0.5 * DAY).toISOString()]);
      expect(await store.httpCache.claim("created:clock", 5000)).toBe(true);
      const until = (await admin.query<{ until: Date }>("SELECT until FROM http_fetch_claims WHERE key = 'created:clock'")).rows[0]!.until;
      expect(until.getTime()).toBe(T0 + 5000);
      // 29 days before the injected now: inside the window only with that clock.
      const at = new Date(T0 - 29 * DAY).toISOString();
      expect((await store.runtime.append(r, "api", { at, source: "push", up: true, uptime_percentage: null, error_rate: null, response_time_ms: 1, memory_usage_mb: null, cpu_usage_percent: null, detail: null })).map((s) => s.at)).toEqual([at]);
      await store.idempotency.record("created:clock", 1);
      const created = (await admin.query<{ created_at: Date }>("SELECT created_at FROM idempotency_keys WHERE key = 'created:clock'")).rows[0]!.created_at;
      expect(created.getTime()).toBe(T0);
    });
  });
});
