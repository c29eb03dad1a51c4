import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileIdempotencyKeys, MemoryIdempotencyKeys, type IdempotencyKeys } from "../../src/store/index.js";
import { PgIdempotencyKeys, migrate } from "../../src/store/pg/index.js";
import { createTestDatabase, postgresAvailable } from "../helpers/services.js";

const pgOk = await postgresAvailable("idempotency keys (PostgreSQL)");
const T = new Date("2026-06-01T00:00:00Z");

interface Impl {
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** Two instances standing for two processes (the memory one shares its instance). */
  pair(now?: () => Date): [IdempotencyKeys, IdempotencyKeys];
}

function contract(name: string, available: boolean, impl: Impl): void {
  describe.skipIf(!available)(`idempotency keys: ${name}`, () => {
    beforeAll(async () => impl.setup?.());
    afterAll(async () => impl.teardown?.());
    let n = 0;
    const key = (what: string) => `${what}:acme/app:${name}:${++n}`;

    it("two racing workers: fn runs once, both get its result", async () => {
      const [a, b] = impl.pair();
      const k = key("issue");
      let calls = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const create = async () => {
        calls++;
        await gate;
        return { issue_number: 42 };
      };
      const first = a.once(k, create);
      const second = b.once(k, create);
      release();
      const results = await Promise.all([first, second]);
      expect(calls).toBe(1);
      expect(results.map((r) => r.result)).toEqual([{ issue_number: 42 }, { issue_number: 42 }]);
      expect(results.map((r) => r.fresh).sort()).toEqual([false, true]);
      expect(await b.get(k)).toEqual({ issue_number: 42 });
    });

    it("a failed fn records nothing: the retry runs it again", async () => {
      const [a, b] = impl.pair();
      const k = key("pr");
      await expect(a.once(k, () => Promise.reject(new Error("GitHub said 502")))).rejects.toThrow("502");
      expect(await a.get(k)).toBeUndefined();
      expect(await b.once(k, async () => 7)).toEqual({ result: 7, fresh: true });
      expect(await a.once(k, async () => 8)).toEqual({ result: 7, fresh: false });
    });

    it("record, get, forget and purge", async () => {
      let now = new Date(T.getTime() - 40 * 86_400_000);
      const [a] = impl.pair(() => now);
      const old = key("comment");
      const fresh = key("comment");
      expect(await a.record(old, "c-1")).toBe(true);
      expect(await a.record(old, "c-2")).toBe(false);
      expect(await a.get(old)).toBe("c-1");
      now = T;
      await a.record(fresh, null);
      expect(await a.get(fresh)).toBeNull();
      expect(await a.purge(new Date(T.getTime() - 30 * 86_400_000))).toBeGreaterThanOrEqual(1);
      expect(await a.get(old)).toBeUndefined();
      expect(await a.get(fresh)).toBeNull();
      await a.forget(fresh);
      expect(await a.get(fresh)).toBeUndefined();
    });

    it("refuses empty and NUL keys", async () => {
      const [a] = impl.pair();
      await expect(a.record("", 1)).rejects.toThrow(/invalid idempotency key/);
      await expect(a.once("a\0b", async () => 1)).rejects.toThrow(/invalid idempotency key/);
    });
  });
}

const memory = new MemoryIdempotencyKeys();
contract("memory", true, {
  pair: (now) => {
    const m = now ? new MemoryIdempotencyKeys(now) : memory;
    return [m, m];
  },
});

let dir = "";
contract("files", true, {
  async setup() {
    dir = mkdtempSync(path.join(os.tmpdir(), "cowabunga-idem-"));
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
  pair: (now) => [new FileIdempotencyKeys(dir, now), new FileIdempotencyKeys(dir, now)],
});

let db: { url: string; drop: () => Promise<void> } | null = null;
const pools: pg.Pool[] = [];
contract("PostgreSQL", pgOk, {
  async setup() {
    db = await createTestDatabase("idempotency");
    await migrate(db.url);
  },
  async teardown() {
    await Promise.all(pools.map((p) => p.end()));
    await db?.drop();
  },
  pair: (now) => {
    const mk = () => {
      const p = new pg.Pool({ connectionString: db!.url, max: 2 });
      // As the store's own pool does: a connection the server ends (the database dropped at teardown)
      // is an event to note, not an uncaught exception.
      p.on("error", () => undefined);
      pools.push(p);
      return new PgIdempotencyKeys(p, now);
    };
    return [mk(), mk()];
  },
});
