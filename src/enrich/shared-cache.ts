/**
 * The second level of HttpClient's cache: registry and OSV answers shared by every process of a
 * deployment (PostgreSQL: src/store/pg/http-cache.ts; Redis: src/enrich/redis-cache.ts), so a package is
 * looked up once per TTL across the fleet rather than once per process.
 *
 * Entries carry their own expiry (set by the process that fetched them). `get` may return an expired
 * entry: its validators (ETag, Last-Modified) still save a download through a conditional request.
 * Implementations never throw for a miss; HttpClient treats a throwing cache as a miss and logs it.
 */
export interface SharedCacheEntry {
  status: number;
  /** Final URL after redirects. */
  url: string;
  headers: Record<string, string>;
  body: string;
  etag: string | null;
  lastModified: string | null;
  /** Epoch milliseconds after which the entry must be revalidated. */
  expiresAt: number;
}

export interface SharedHttpCache {
  get(key: string): Promise<SharedCacheEntry | null>;
  set(key: string, entry: SharedCacheEntry): Promise<void>;
  /**
   * Optional: claim the right to fetch `key` for `ttlMs` (true when this caller got it). A process that
   * does not get it waits for the holder's answer instead of asking upstream too.
   */
  claim?(key: string, ttlMs: number): Promise<boolean>;
  release?(key: string): Promise<void>;
}

/** Entries larger than this stay in the process's own LRU only (multi-megabyte Helm indexes). */
export const SHARED_CACHE_MAX_BODY = 4 * 1024 * 1024;

/** A SharedHttpCache in one process's memory: for tests, and to share one cache between clients. */
export class MemorySharedHttpCache implements SharedHttpCache {
  readonly entries = new Map<string, SharedCacheEntry>();
  private readonly claims = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}
  async claim(key: string, ttlMs: number): Promise<boolean> {
    if ((this.claims.get(key) ?? 0) > this.now()) return false;
    this.claims.set(key, this.now() + ttlMs);
    return true;
  }
  async release(key: string): Promise<void> {
    this.claims.delete(key);
  }
  async get(key: string): Promise<SharedCacheEntry | null> {
    const e = this.entries.get(key);
    return e ? { ...e, headers: { ...e.headers } } : null;
  }
  async set(key: string, entry: SharedCacheEntry): Promise<void> {
    this.entries.set(key, { ...entry, headers: { ...entry.headers } });
  }
}
