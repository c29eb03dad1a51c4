import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { SharedCacheEntry, SharedHttpCache } from "./shared-cache.js";

export interface RedisHttpCacheOptions {
  /** Key prefix, so several deployments can share one Redis. Default "cowabunga:http:". */
  prefix?: string;
  /** Expired entries are kept this long for conditional revalidation (Redis then evicts them). Default 1 day. */
  keepExpiredMs?: number;
  now?: () => number;
}

/** The few Redis commands used, so tests and callers can pass any client (ioredis Redis or Cluster). */
export type RedisLike = Pick<Redis, "get" | "set" | "del">;

/**
 * Registry and OSV answers in Redis, shared by every process (REDIS_URL). Entries expire by themselves
 * (PX), claims are `SET NX PX`. Keys are a SHA-256 of the cache key: URLs can be long.
 */
export class RedisHttpCache implements SharedHttpCache {
  private readonly prefix: string;
  private readonly keepExpiredMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisLike,
    opts: RedisHttpCacheOptions = {},
  ) {
    this.prefix = opts.prefix ?? "cowabunga:http:";
    this.keepExpiredMs = opts.keepExpiredMs ?? 86_400_000;
    this.now = opts.now ?? Date.now;
  }

  private k(kind: "entry" | "claim", key: string): string {
    return `${this.prefix}${kind}:${createHash("sha256").update(key).digest("hex")}`;
  }

  async get(key: string): Promise<SharedCacheEntry | null> {
    const text = await this.redis.get(this.k("entry", key));
    if (!text) return null;
    try {
      const e = JSON.parse(text) as SharedCacheEntry & { key?: string };
      if (e.key !== key || typeof e.body !== "string" || typeof e.status !== "number" || typeof e.expiresAt !== "number") return null;
      return { status: e.status, url: e.url, headers: e.headers ?? {}, body: e.body, etag: e.etag ?? null, lastModified: e.lastModified ?? null, expiresAt: e.expiresAt };
    } catch {
      return null; // not ours, or truncated: a miss
    }
  }

  async set(key: string, entry: SharedCacheEntry): Promise<void> {
    const ttl = Math.max(1, entry.expiresAt + this.keepExpiredMs - this.now());
    await this.redis.set(this.k("entry", key), JSON.stringify({ ...entry, key }), "PX", ttl);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.k("claim", key), "1", "PX", Math.max(1, ttlMs), "NX")) === "OK";
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.k("claim", key));
  }
}

/**
 * A client for the cache: commands fail fast while Redis is unreachable (the HttpClient then treats the
 * cache as a miss) instead of queueing; connection errors are logged, not thrown.
 */
export function connectRedisHttpCache(url: string, log?: { warn(obj: object, msg: string): void }, opts: RedisHttpCacheOptions = {}): { cache: RedisHttpCache; close(): Promise<void> } {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: "cowabunga-http-cache" });
  let reported = false;
  redis.on("error", (err: Error) => {
    if (!reported) log?.warn({ err: err.message }, `Redis HTTP cache: ${err.message} (answers are fetched without it until it is back)`);
    reported = true;
  });
  redis.on("ready", () => (reported = false));
  return {
    cache: new RedisHttpCache(redis, opts),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
