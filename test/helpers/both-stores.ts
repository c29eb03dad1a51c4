/**
 * The file store and the PostgreSQL store side by side, for suites that run the same behaviour on both
 * (`describe.each(stores)`). Registers its own hooks: a throwaway database created and migrated before the
 * suite, dropped after; stores closed and temporary directories removed after each test (`cleanup: "each"`)
 * or after the suite. The PostgreSQL case is skipped visibly when PostgreSQL is absent (and fails under CI=true).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { FileStore, type Store } from "../../src/store/index.js";
import { PgStore, migrate } from "../../src/store/pg/index.js";
import { createTestDatabase, postgresAvailable, testPool } from "./services.js";

export type StoreCase = [name: string, available: boolean, open: () => Promise<Store>];

export interface BothStores {
  stores: StoreCase[];
  /** A temporary directory, removed with the stores. */
  tempDir(): Promise<string>;
}

export async function bothStores(opts: { suite: string; database: string; clock: () => Date; cleanup?: "each" | "all" }): Promise<BothStores> {
  const pgOk = await postgresAvailable(opts.suite);
  let db: { url: string; drop: () => Promise<void> } | null = null;
  const opened: Array<{ close(): Promise<void> }> = [];
  const tmp: string[] = [];
  const release = async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await Promise.all(tmp.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  };
  beforeAll(async () => {
    if (pgOk) {
      db = await createTestDatabase(opts.database);
      await migrate(db.url);
    }
  });
  if (opts.cleanup === "each") afterEach(release);
  afterAll(async () => {
    await release();
    await db?.drop();
  });
  const tempDir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), `cowabunga-${opts.database}-`));
    tmp.push(d);
    return d;
  };
  const stores: StoreCase[] = [
    ["FileStore", true, async () => new FileStore({ root: await tempDir(), clock: opts.clock })],
    [
      "PgStore",
      pgOk,
      async () => {
        const pool = testPool(db!.url, 4);
        await pool.query("TRUNCATE repos RESTART IDENTITY CASCADE");
        const s = new PgStore(pool, { now: opts.clock });
        opened.push(s);
        return s;
      },
    ],
  ];
  return { stores, tempDir };
}
