import type pg from "pg";
import { afterAll, afterEach, beforeAll } from "vitest";
import { PgStore, migrate } from "../../src/store/pg/index.js";
import { createTestDatabase, testPool } from "./services.js";

/**
 * One migrated test database for the enclosing describe block (its own, so concurrent runs never share
 * rows): `open()` makes a PgStore on it with the given clock (closed after each test), `admin` is a pool
 * for direct SQL, `url` the database's address.
 */
export function migratedTestDatabase(name: string, now: Date) {
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let admin: pg.Pool | undefined;
  const stores: PgStore[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(name);
    await migrate(db.url);
    admin = testPool(db.url, 2);
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });
  return {
    get url(): string {
      return db!.url;
    },
    get admin(): pg.Pool {
      return admin!;
    },
    open(opts: ConstructorParameters<typeof PgStore>[1] = {}): PgStore {
      const s = new PgStore(testPool(db!.url, 3), { now: () => now, ...opts });
      stores.push(s);
      return s;
    },
  };
}
