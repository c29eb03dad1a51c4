import type { ApplicationFunction } from "probot";
import { registerHandlers, type AppDeps } from "./app/handlers.js";
import { sharedEnrichment } from "./app/enrichment.js";
import type { RuntimeMetricsStore } from "./act/runtime/metrics-store.js";
import type { SharedHttpCache } from "./enrich/shared-cache.js";
import { DEFAULT_WEBHOOK_PATH, installWebhookBodyLimit, webhookMaxBytesFromEnv, type WebhookMiddlewareHost } from "./server/webhook-limit.js";
import { dataDirFromEnv, openStore, type OpenedStore, type StoreLogger } from "./store/index.js";

/** What a process opens from its environment: the store and what lives beside it. */
export interface AppStorage {
  store: OpenedStore;
  /** Runtime samples shared across processes (PostgreSQL), else null (the app's file/memory default). */
  runtime: RuntimeMetricsStore | null;
  /** Registry/OSV answers shared across processes: Redis with REDIS_URL, else PostgreSQL, else null. */
  httpCache: SharedHttpCache | null;
  close(): Promise<void>;
}

/**
 * Open the storage the environment names: PostgreSQL when DATABASE_URL is set (migrated here), else the
 * file store in COWABUNGA_DATA_DIR; the shared HTTP cache in Redis when REDIS_URL is set.
 */
export async function openAppStorage(env: Record<string, string | undefined>, log?: StoreLogger): Promise<AppStorage> {
  const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: dataDirFromEnv(env), logger: log });
  const redisUrl = env.REDIS_URL?.trim();
  // Loaded only when asked for, like pg: the embedded set-up needs neither.
  const redis = redisUrl ? (await import("./enrich/redis-cache.js")).connectRedisHttpCache(redisUrl, log) : null;
  return {
    store,
    runtime: store.runtime,
    httpCache: redis?.cache ?? store.httpCache,
    close: async () => {
      await redis?.close();
      await store.close();
    },
  };
}

/**
 * Build the Probot app with injected dependencies (tests pass a store, stages, clock). Without a store,
 * it opens the one the environment names (openAppStorage).
 */
export function createApp(deps: AppDeps = {}): ApplicationFunction {
  return async (probot, options) => {
    // Before anything else (and before any await): the webhook middleware Probot's server builds on start
    // reads bodies only up to the cap.
    const env = deps.env ?? process.env;
    installWebhookBodyLimit(probot as unknown as WebhookMiddlewareHost, {
      maxBytes: webhookMaxBytesFromEnv(env),
      path: env.WEBHOOK_PATH?.trim() || DEFAULT_WEBHOOK_PATH,
    });
    let store = deps.store;
    let runtime = deps.runtime;
    if (!store) {
      const storage = await openAppStorage(env, probot.log);
      if (storage.httpCache && !deps.stages) sharedEnrichment(probot.log).http.useSharedCache(storage.httpCache);
      store = storage.store;
      runtime ??= storage.runtime ?? undefined;
    }
    registerHandlers(probot, options, { ...deps, store, ...(runtime ? { runtime } : {}) });
  };
}

/**
 * The Probot app: wires GitHub events and HTTP routes to the pipeline, nothing else.
 * Logic lives in plain modules under src/{source,scan,enrich,assess,act,store,pipeline}.
 */
const app: ApplicationFunction = createApp();

export default app;
