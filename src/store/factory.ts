import type { RuntimeMetricsStore } from "../act/runtime/metrics-store.js";
import type { SharedHttpCache } from "../enrich/shared-cache.js";
import { FileStore, type StoreLogger } from "./file-store.js";
import { FileIdempotencyKeys, type IdempotencyKeys } from "./idempotency.js";
import type { Retention, Store } from "./types.js";

export interface OpenStoreOptions {
  /** DATABASE_URL: PostgreSQL when set (and not blank), else the file store in dataDir. */
  databaseUrl?: string | null;
  dataDir: string;
  clock?: () => Date;
  logger?: StoreLogger & { info?(obj: object, msg: string): void };
  retention?: Partial<Retention>;
  /** PostgreSQL only: apply pending migrations at start (default true). */
  migrate?: boolean;
  /** File store only: report damaged files without moving them, refuse writes (`cowabunga report`). */
  readOnly?: boolean;
}

/** The store a process runs on, with what lives beside it. */
export type OpenedStore = Store & {
  readonly kind: "file" | "postgres";
  /** Idempotency keys in the same place as the data (database table, or files under dataDir). */
  readonly idempotency: IdempotencyKeys;
  /** Cross-process registry/OSV cache; null for the file store (one process: its LRU is enough). */
  readonly httpCache: SharedHttpCache | null;
  /** Runtime samples shared by every process (PostgreSQL); null: the app keeps its file/memory default. */
  readonly runtime: RuntimeMetricsStore | null;
  close(): Promise<void>;
};

/**
 * Open the store named by the environment: `openStore({ databaseUrl: env.DATABASE_URL, dataDir })`.
 * PostgreSQL is loaded only when asked for, so the embedded set-up never loads `pg`.
 */
export async function openStore(opts: OpenStoreOptions): Promise<OpenedStore> {
  const url = opts.databaseUrl?.trim();
  if (url) {
    const { createPgStore } = await import("./pg/index.js");
    return createPgStore({ connectionString: url, migrate: opts.migrate, now: opts.clock, logger: opts.logger, retention: opts.retention });
  }
  const store = new FileStore({ root: opts.dataDir, clock: opts.clock, logger: opts.logger, retention: opts.retention, readOnly: opts.readOnly });
  // The FileStore instance itself (handlers check `instanceof FileStore` for the runtime-metrics files).
  return Object.assign(store, {
    kind: "file" as const,
    idempotency: new FileIdempotencyKeys(store.root, opts.clock),
    httpCache: null,
    runtime: null,
    close: async () => undefined,
  });
}
