import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { HttpClient } from "../../src/enrich/http.js";
import { MemorySharedHttpCache, type SharedHttpCache } from "../../src/enrich/shared-cache.js";
import { PgHttpCache, migrate } from "../../src/store/pg/index.js";
import { Redis } from "ioredis";
import { RedisHttpCache } from "../../src/enrich/redis-cache.js";
import { REDIS_URL, createTestDatabase, postgresAvailable, redisAvailable, testPool } from "../helpers/services.js";

const REGISTRY = "https://registry.shared-cache.test";
const ok = await postgresAvailable("shared HTTP cache (PostgreSQL)");

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

/** Two clients standing for two worker processes: separate LRUs, one shared cache, one clock. */
function fleet(cache: SharedHttpCache, now: () => number = Date.now): [HttpClient, HttpClient] {
  const make = () => new HttpClient({ urlGuard: null, retries: 0, sharedCache: cache, now, cacheTtlMs: 60_000 });
  return [make(), make()];
}

describe("shared HTTP cache (memory implementation)", () => {
  it("a second client is answered from the shared cache without a request", async () => {
    const scope = nock(REGISTRY).get("/left-pad").once().reply(200, { name: "left-pad" });
    const [a, b] = fleet(new MemorySharedHttpCache());
    expect(await a.getJson(`${REGISTRY}/left-pad`)).toEqual({ name: "left-pad" });
    expect(await b.getJson(`${REGISTRY}/left-pad`)).toEqual({ name: "left-pad" });
    scope.done();
    expect(a.requestCount() + b.requestCount()).toBe(1);
    expect(b.stats()).toMatchObject({ cacheHits: 1, sharedCacheHits: 1 });
  });

  it("two clients missing at the same moment make one request: the other waits for the claim holder's answer", async () => {
    const scope = nock(REGISTRY).get("/lodash").once().delay(150).reply(200, { name: "lodash" });
    const [a, b] = fleet(new MemorySharedHttpCache());
    const [x, y] = await Promise.all([a.getJson(`${REGISTRY}/lodash`), b.getJson(`${REGISTRY}/lodash`)]);
    expect(x).toEqual({ name: "lodash" });
    expect(y).toEqual({ name: "lodash" });
    scope.done();
    expect(a.requestCount() + b.requestCount()).toBe(1);
  });

  it("a failed fetch releases its claim: the waiting client asks upstream itself at once", async () => {
    const scope = nock(REGISTRY).get("/flaky").once().delay(100).reply(503, "down").get("/flaky").once().reply(200, { ok: 1 });
    const cache = new MemorySharedHttpCache();
    const [a, b] = fleet(cache);
    const results = await Promise.allSettled([a.getJson(`${REGISTRY}/flaky`), b.getJson(`${REGISTRY}/flaky`)]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    scope.done();
  });

  it("a failing shared cache is a miss, not an error", async () => {
    const broken: SharedHttpCache = {
      get: () => Promise.reject(new Error("connection refused")),
      set: () => Promise.reject(new Error("connection refused")),
    };
    const logs: string[] = [];
    const http = new HttpClient({ urlGuard: null, retries: 0, sharedCache: broken, log: (m) => logs.push(m) });
    nock(REGISTRY).get("/x").once().reply(200, { ok: true });
    expect(await http.getJson(`${REGISTRY}/x`)).toEqual({ ok: true });
    expect(logs.join("\n")).toMatch(/shared cache read failed.*\n.*shared cache write failed/);
  });
});

describe.skipIf(!ok)("shared HTTP cache on PostgreSQL (http_cache)", () => {
  let db: { url: string; drop: () => Promise<void> };
  let pools: pg.Pool[] = [];
  const cacheOn = (now?: () => number) => {
    const pool = testPool(db.url, 2);
    pools.push(pool);
    return new PgHttpCache(pool, now ? { now } : {});
  };

  beforeAll(async () => {
    db = await createTestDatabase("http_cache");
    await migrate(db.url);
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
    pools = [];
  });

  it("two HttpClients with their own connections to one database make one upstream request", async () => {
    const scope = nock(REGISTRY).get("/react").once().reply(200, { name: "react", "dist-tags": { latest: "19.0.0" } }, { etag: '"v1"' });
    const a = new HttpClient({ urlGuard: null, retries: 0, sharedCache: cacheOn() });
    const b = new HttpClient({ urlGuard: null, retries: 0, sharedCache: cacheOn() });
    const first = await a.getJson(`${REGISTRY}/react`);
    const second = await b.getJson(`${REGISTRY}/react`);
    expect(second).toEqual(first);
    scope.done();
    expect(a.requestCount()).toBe(1);
    expect(b.requestCount()).toBe(0);
    expect(b.stats().sharedCacheHits).toBe(1);
  });

  it("two workers missing at the same moment make one upstream request (claims in http_fetch_claims)", async () => {
    const scope = nock(REGISTRY).get("/express").once().delay(150).reply(200, { name: "express" });
    const clients = [0, 1, 2].map(() => new HttpClient({ urlGuard: null, retries: 0, sharedCache: cacheOn() }));
    const answers = await Promise.all(clients.map((c) => c.getJson(`${REGISTRY}/express`)));
    expect(answers).toEqual([{ name: "express" }, { name: "express" }, { name: "express" }]);
    scope.done();
    expect(clients.reduce((n, c) => n + c.requestCount(), 0)).toBe(1);
    expect((await pools[0]!.query("SELECT count(*)::int AS n FROM http_fetch_claims")).rows[0].n).toBe(0);
  });

  it("after the TTL the next client revalidates with the stored ETag, and a 304 refreshes the entry for everyone", async () => {
    let t = Date.parse("2026-03-01T00:00:00Z");
    const now = () => t;
    const scope = nock(REGISTRY)
      .get("/vue")
      .once()
      .reply(200, { name: "vue" }, { etag: '"e1"' })
      .get("/vue")
      .matchHeader("if-none-match", '"e1"')
      .once()
      .reply(304, "", { etag: '"e1"' });
    const [a, b] = fleet(cacheOn(now), now);
    const c = new HttpClient({ urlGuard: null, retries: 0, sharedCache: cacheOn(now), now, cacheTtlMs: 60_000 });
    await a.getJson(`${REGISTRY}/vue`);
    t += 61_000; // past the 60 s TTL
    expect(await b.getJson(`${REGISTRY}/vue`)).toEqual({ name: "vue" });
    expect(b.stats().notModified).toBe(1);
    // The 304 extended the shared entry: a third process needs no request.
    expect(await c.getJson(`${REGISTRY}/vue`)).toEqual({ name: "vue" });
    expect(c.requestCount()).toBe(0);
    scope.done();
  });

  it("failures and no-store answers are not shared", async () => {
    const scope = nock(REGISTRY).get("/gone").twice().reply(404, "no").get("/private").twice().reply(200, { p: 1 }, { "cache-control": "no-store" });
    const [a, b] = fleet(cacheOn());
    for (const http of [a, b]) {
      await expect(http.getJson(`${REGISTRY}/gone`)).rejects.toThrow(/404/);
      expect(await http.getJson(`${REGISTRY}/private`)).toEqual({ p: 1 });
    }
    scope.done();
  });

  it("purge deletes entries expired for longer than the grace period", async () => {
    let t = Date.parse("2026-03-01T00:00:00Z");
    const cache = cacheOn(() => t);
    await cache.set("k", { status: 200, url: "https://x.test/k", headers: {}, body: "{}", etag: null, lastModified: null, expiresAt: t + 1000 });
    expect(await cache.purge()).toBe(0);
    expect((await cache.get("k"))?.body).toBe("{}");
    t += 1000 + 86_400_000 + 1;
    expect(await cache.purge()).toBe(1);
    expect(await cache.get("k")).toBeNull();
  });
});

const redisOk = await redisAvailable("shared HTTP cache (Redis)");

describe.skipIf(!redisOk)("shared HTTP cache on Redis", () => {
  let redis: Redis;
  const prefix = `cowabunga-test:${process.pid}:${Date.now()}:`;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("two HttpClients sharing Redis make one upstream request, also when they miss at the same moment", async () => {
    const scope = nock(REGISTRY).get("/chalk").once().delay(150).reply(200, { name: "chalk" }).get("/debug").once().reply(200, { name: "debug" });
    const [a, b] = fleet(new RedisHttpCache(redis, { prefix }));
    const both = await Promise.all([a.getJson(`${REGISTRY}/chalk`), b.getJson(`${REGISTRY}/chalk`)]);
    expect(both).toEqual([{ name: "chalk" }, { name: "chalk" }]);
    await a.getJson(`${REGISTRY}/debug`);
    expect(await b.getJson(`${REGISTRY}/debug`)).toEqual({ name: "debug" });
    scope.done();
    expect(a.requestCount() + b.requestCount()).toBe(2);
    // Entries expire in Redis by themselves: TTL = the answer's TTL plus the revalidation grace.
    const ttl = await redis.pttl((await redis.keys(`${prefix}entry:*`))[0]!);
    expect(ttl).toBeGreaterThan(86_400_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000 + 60_000);
    expect(await redis.keys(`${prefix}claim:*`)).toEqual([]);
  });

  it("a value that is not ours reads as a miss", async () => {
    const own = `${prefix}garbage:`;
    const cache = new RedisHttpCache(redis, { prefix: own });
    await cache.set("k1", { status: 200, url: "u", headers: {}, body: "b", etag: null, lastModified: null, expiresAt: Date.now() + 1000 });
    expect((await cache.get("k1"))?.body).toBe("b");
    const keys = await redis.keys(`${own}entry:*`);
    expect(keys).toHaveLength(1);
    await redis.set(keys[0]!, "not json");
    expect(await cache.get("k1")).toBeNull();
  });
});
