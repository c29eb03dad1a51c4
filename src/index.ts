import type { ApplicationFunction } from "probot";
import { registerHandlers, type AppDeps } from "./app/handlers.js";
import { sharedEnrichment } from "./app/enrichment.js";
import { connectRedisHttpCache } from "./enrich/redis-cache.js";
import { dataDirFromEnv, openStore } from "./store/index.js";

/**
 * Build the Probot app with injected dependencies (tests pass a store, stages, clock). Without a store,
 * it opens the one the environment names: PostgreSQL when DATABASE_URL is set (migrated at start),
 * else the file store in COWABUNGA_DATA_DIR.
 */
export function createApp(deps: AppDeps = {}): ApplicationFunction {
  return async (probot, options) => {
    let store = deps.store;
    let runtime = deps.runtime;
    if (!store) {
      const env = deps.env ?? process.env;
      const opened = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: dataDirFromEnv(env), logger: probot.log });
      // Registry and OSV answers shared across processes: in Redis with REDIS_URL, else in PostgreSQL.
      const redisUrl = env.REDIS_URL?.trim();
      const httpCache = redisUrl ? connectRedisHttpCache(redisUrl, probot.log).cache : opened.httpCache;
      if (httpCache && !deps.stages) sharedEnrichment(probot.log).http.useSharedCache(httpCache);
      store = opened;
      runtime ??= opened.runtime ?? undefined;
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
