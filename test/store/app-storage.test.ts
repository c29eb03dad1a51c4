import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAppStorage } from "../../src/index.js";
import { RedisHttpCache } from "../../src/enrich/redis-cache.js";
import { FileStore } from "../../src/store/index.js";
import { PgHttpCache, PgRuntimeMetricsStore } from "../../src/store/pg/index.js";
import { REDIS_URL, createTestDatabase, postgresAvailable, redisAvailable } from "../helpers/services.js";

const pgOk = await postgresAvailable("openAppStorage (PostgreSQL)");
const redisOk = pgOk && (await redisAvailable("openAppStorage (Redis)"));

describe("openAppStorage: what the app opens from its environment", () => {
  it("without DATABASE_URL: the file store in COWABUNGA_DATA_DIR, no shared cache", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cowabunga-storage-"));
    try {
      const s = await openAppStorage({ COWABUNGA_DATA_DIR: dir });
      expect(s.store).toBeInstanceOf(FileStore);
      expect((s.store as unknown as FileStore).root).toBe(dir);
      expect(s.httpCache).toBeNull();
      expect(s.runtime).toBeNull();
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!pgOk)("with DATABASE_URL", () => {
    let db: { url: string; drop: () => Promise<void> };
    beforeAll(async () => {
      db = await createTestDatabase("app_storage");
    });
    afterAll(async () => db?.drop());

    it("PostgreSQL, migrated at open, with its runtime samples and HTTP cache", async () => {
      const s = await openAppStorage({ DATABASE_URL: db.url, COWABUNGA_DATA_DIR: "/nonexistent" });
      try {
        expect(s.store.kind).toBe("postgres");
        expect(s.runtime).toBeInstanceOf(PgRuntimeMetricsStore);
        expect(s.httpCache).toBeInstanceOf(PgHttpCache);
        await s.store.putScanState({ owner: "a", repo: "b" }, { head_sha: "x" });
        expect(await s.store.listRepos()).toEqual([{ owner: "a", repo: "b" }]);
      } finally {
        await s.close();
      }
    });

    it.skipIf(!redisOk)("and REDIS_URL: the HTTP cache in Redis", async () => {
      const s = await openAppStorage({ DATABASE_URL: db.url, REDIS_URL });
      try {
        expect(s.httpCache).toBeInstanceOf(RedisHttpCache);
      } finally {
        await s.close();
      }
    });
  });
});
