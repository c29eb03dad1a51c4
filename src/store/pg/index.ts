import pg from "pg";
import type { StoreLogger } from "../file-store.js";
import type { Retention } from "../types.js";
import { PgHttpCache } from "./http-cache.js";
import { PgIdempotencyKeys } from "./idempotency.js";
import { MigrationError, pendingMigrations, runMigrations } from "./migrate.js";
import { PgStore } from "./pg-store.js";
import { PgRuntimeMetricsStore } from "./runtime.js";

export { PgStore, type PgStoreOptions } from "./pg-store.js";
export { PgIdempotencyKeys } from "./idempotency.js";
export { PgHttpCache, type PgHttpCacheOptions } from "./http-cache.js";
export { PgRuntimeMetricsStore } from "./runtime.js";
export { MigrationError, pendingMigrations, runMigrations } from "./migrate.js";
export { MIGRATIONS, type Migration } from "./migrations/index.js";

export interface PgLogger extends StoreLogger {
  info?(obj: object, msg: string): void;
}

export interface CreatePgStoreOptions {
  connectionString: string;
  /** Apply pending migrations first (default true). With false, a database behind the code is refused. */
  migrate?: boolean;
  now?: () => Date;
  logger?: PgLogger;
  retention?: Partial<Retention>;
  /** Pool size per process (default 10). */
  poolSize?: number;
  /** See PgStoreOptions.lockTimeoutMs. */
  lockTimeoutMs?: number;
}

export type OpenPgStore = PgStore & {
  /** "This GitHub write happened" keys in the same database. */
  readonly idempotency: PgIdempotencyKeys;
  /** Registry and OSV answers shared across the fleet (HttpClient's `sharedCache`). */
  readonly httpCache: PgHttpCache;
  /** Health polls and pushed metrics, shared by every process (registerHandlers' `runtime`). */
  readonly runtime: PgRuntimeMetricsStore;
  close(): Promise<void>;
};

function newPool(connectionString: string, logger?: PgLogger, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, application_name: "cowabunga" });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", (err) => logger?.warn({ err: err.message }, `PostgreSQL: idle connection failed: ${err.message}`));
  return pool;
}

/** A PgStore on its own pool, migrated (unless migrate: false), with its idempotency keys and HTTP cache. */
export async function createPgStore(opts: CreatePgStoreOptions): Promise<OpenPgStore> {
  const pool = newPool(opts.connectionString, opts.logger, opts.poolSize);
  try {
    const client = await pool.connect();
    try {
      if (opts.migrate ?? true) {
        await runMigrations(client, { logger: opts.logger });
      } else {
        const pending = await pendingMigrations(client);
        if (pending.length > 0) throw new MigrationError(`the database lacks migrations ${pending.join(", ")}: run \`cowabunga migrate\` first`);
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const store = new PgStore(pool, { now: opts.now, logger: opts.logger, retention: opts.retention, lockTimeoutMs: opts.lockTimeoutMs });
  const now = opts.now;
  return Object.assign(store, {
    idempotency: new PgIdempotencyKeys(pool, now),
    httpCache: new PgHttpCache(pool, now ? { now: () => now().getTime() } : {}),
    runtime: new PgRuntimeMetricsStore(pool, now, opts.logger),
  });
}

/** Apply pending migrations (`cowabunga migrate`, the Helm migration Job). */
export async function migrate(connectionString: string, logger?: PgLogger): Promise<{ applied: string[] }> {
  const client = new pg.Client({ connectionString, application_name: "cowabunga-migrate" });
  await client.connect();
  try {
    return await runMigrations(client, { logger });
  } finally {
    await client.end().catch(() => undefined);
  }
}
