import { createHash } from "node:crypto";
import type pg from "pg";
import { MIGRATIONS, type Migration } from "./migrations/index.js";

/** Key of the session advisory lock that serialises migration runs across processes. */
const MIGRATION_LOCK = "cowabunga.schema_migrations";

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

export interface MigrationLogger {
  info?(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

function checksum(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

/**
 * Apply the pending migrations, in order, each in its own transaction. A session advisory lock makes
 * concurrent starts (every app and worker process runs this) wait for one another instead of racing;
 * the loser then finds everything applied. An applied migration whose SQL changed since is refused:
 * migrations are append-only. Migrations the database has but this code does not know (a newer
 * version ran) are reported and left alone, so a rolling deploy's older processes keep running.
 */
export async function runMigrations(
  client: pg.ClientBase,
  opts: { migrations?: readonly Migration[]; logger?: MigrationLogger } = {},
): Promise<{ applied: string[] }> {
  const migrations = opts.migrations ?? MIGRATIONS;
  const ids = migrations.map((m) => m.id);
  // Strictly ascending, hence unique.
  if (ids.slice(1).some((id, i) => id <= ids[i]!)) {
    throw new MigrationError(`migration ids must be unique and ascending: ${ids.join(", ")}`);
  }
  await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [MIGRATION_LOCK]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id text PRIMARY KEY,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ id: string; checksum: string }>("SELECT id, checksum FROM schema_migrations ORDER BY id");
    const done = new Map(rows.map((r) => [r.id, r.checksum]));
    for (const m of migrations) {
      const sum = done.get(m.id);
      if (sum !== undefined && sum !== checksum(m.sql)) {
        throw new MigrationError(`migration ${m.id} was changed after it was applied (checksum differs); add a new migration instead`);
      }
    }
    const known = new Set(ids);
    const unknown = rows.filter((r) => !known.has(r.id)).map((r) => r.id);
    if (unknown.length > 0) {
      opts.logger?.warn({ unknown_migrations: unknown }, `the database has migrations this version does not know (${unknown.join(", ")}): a newer version ran them`);
    }
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)", [m.id, checksum(m.sql)]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new MigrationError(`migration ${m.id} failed and was rolled back: ${(err as Error).message}`);
      }
      applied.push(m.id);
      opts.logger?.info?.({ migration: m.id }, `applied migration ${m.id}`);
    }
    return { applied };
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [MIGRATION_LOCK]).catch(() => undefined);
  }
}

/** Migrations not yet applied (for a process started with migrate: false). */
export async function pendingMigrations(client: pg.ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  // Stryker disable next-line OptionalChaining: SELECT without FROM always returns its one row
  if (!rows[0]?.exists) return migrations.map((m) => m.id);
  const applied = new Set((await client.query<{ id: string }>("SELECT id FROM schema_migrations")).rows.map((r) => r.id));
  return migrations.filter((m) => !applied.has(m.id)).map((m) => m.id);
}
