import type pg from "pg";
import { checkIdempotencyKey, type IdempotencyKeys, type IdempotentResult } from "../idempotency.js";

/**
 * Idempotency keys in the `idempotency_keys` table. `once` holds a session advisory lock on the key's
 * hash while fn runs, so two workers racing for one write queue up; a worker killed mid-fn drops its
 * connection, which releases the lock, and records nothing (see IdempotencyKeys).
 */
export class PgIdempotencyKeys implements IdempotencyKeys {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(key: string): Promise<IdempotentResult | undefined> {
    checkIdempotencyKey(key);
    const { rows } = await this.pool.query<{ result: IdempotentResult }>("SELECT result FROM idempotency_keys WHERE key = $1", [key]);
    return rows[0] ? rows[0].result : undefined;
  }

  async record(key: string, result: IdempotentResult): Promise<boolean> {
    checkIdempotencyKey(key);
    const res = await this.pool.query("INSERT INTO idempotency_keys (key, result, created_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (key) DO NOTHING", [
      key,
      JSON.stringify(result),
      this.now().toISOString(),
    ]);
    return res.rowCount === 1;
  }

  async once<T extends IdempotentResult>(key: string, fn: () => Promise<T>): Promise<{ result: T; fresh: boolean }> {
    checkIdempotencyKey(key);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`idempotency:${key}`]);
      try {
        const { rows } = await client.query<{ result: IdempotentResult }>("SELECT result FROM idempotency_keys WHERE key = $1", [key]);
        if (rows[0]) return { result: rows[0].result as T, fresh: false };
        const result = await fn();
        await client.query("INSERT INTO idempotency_keys (key, result, created_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (key) DO NOTHING", [
          key,
          JSON.stringify(result),
          this.now().toISOString(),
        ]);
        return { result, fresh: true };
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`idempotency:${key}`]).catch((e: Error) => (broken = e));
      }
    } finally {
      client.release(broken);
    }
  }

  async forget(key: string): Promise<void> {
    await this.pool.query("DELETE FROM idempotency_keys WHERE key = $1", [key]);
  }

  async purge(before: Date): Promise<number> {
    const res = await this.pool.query("DELETE FROM idempotency_keys WHERE created_at < $1", [before.toISOString()]);
    return res.rowCount ?? 0;
  }
}
