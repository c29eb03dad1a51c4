import type pg from "pg";
import type { SharedCacheEntry, SharedHttpCache } from "../../enrich/shared-cache.js";

export interface PgHttpCacheOptions {
  /** Expired rows are kept this long for conditional revalidation, then purged. Default 1 day. */
  keepExpiredMs?: number;
  /** Purge expired rows every this many writes (from whichever process writes). Default 500. */
  purgeEvery?: number;
  now?: () => number;
}

/** Registry and OSV answers in the `http_cache` table, shared by every process on one DATABASE_URL. */
export class PgHttpCache implements SharedHttpCache {
  private readonly keepExpiredMs: number;
  private readonly purgeEvery: number;
  private readonly now: () => number;
  private writes = 0;

  constructor(
    private readonly pool: pg.Pool,
    opts: PgHttpCacheOptions = {},
  ) {
    this.keepExpiredMs = opts.keepExpiredMs ?? 86_400_000;
    this.purgeEvery = opts.purgeEvery ?? 500;
    this.now = opts.now ?? Date.now;
  }

  async get(key: string): Promise<SharedCacheEntry | null> {
    const { rows } = await this.pool.query<{ entry: Omit<SharedCacheEntry, "expiresAt">; expires_at: Date }>("SELECT entry, expires_at FROM http_cache WHERE key = $1", [key]);
    const row = rows[0];
    // Stryker disable next-line OptionalChaining: http_cache.entry is NOT NULL
    if (!row || typeof row.entry?.body !== "string" || typeof row.entry.status !== "number") return null;
    return { ...row.entry, headers: row.entry.headers ?? {}, expiresAt: row.expires_at.getTime() };
  }

  async set(key: string, entry: SharedCacheEntry): Promise<void> {
    const { expiresAt, ...rest } = entry;
    // PostgreSQL's jsonb cannot hold U+0000; such a body stays in the process's own cache.
    const json = JSON.stringify(rest);
    if (json.includes("\\u0000")) return;
    await this.pool.query(
      `INSERT INTO http_cache (key, entry, expires_at, updated_at) VALUES ($1, $2::jsonb, $3, now())
       ON CONFLICT (key) DO UPDATE SET entry = EXCLUDED.entry, expires_at = EXCLUDED.expires_at, updated_at = now()`,
      [key, json, new Date(expiresAt).toISOString()],
    );
    // Stryker disable next-line UpdateOperator: counting down reaches every purgeEvery-th write too (-n % n is -0)
    if (++this.writes % this.purgeEvery === 0) await this.purge();
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const res = await this.pool.query(
      `INSERT INTO http_fetch_claims (key, until) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET until = EXCLUDED.until
       WHERE http_fetch_claims.until < $3 RETURNING key`,
      [key, new Date(now + ttlMs).toISOString(), new Date(now).toISOString()],
    );
    return res.rowCount === 1;
  }

  async release(key: string): Promise<void> {
    await this.pool.query("DELETE FROM http_fetch_claims WHERE key = $1", [key]);
  }

  /** Delete entries expired for longer than keepExpiredMs; returns how many. */
  async purge(): Promise<number> {
    const res = await this.pool.query("DELETE FROM http_cache WHERE expires_at < $1", [new Date(this.now() - this.keepExpiredMs).toISOString()]);
    await this.pool.query("DELETE FROM http_fetch_claims WHERE until < $1", [new Date(this.now()).toISOString()]);
    return res.rowCount ?? 0;
  }
}
