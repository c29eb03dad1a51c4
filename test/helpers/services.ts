import net from "node:net";
import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Real PostgreSQL and Redis for the tests that need them (issue 11, item 8).
 * Absent service: the suite is skipped with a visible message, except under CI=true, where
 * `requireService` throws so the run fails.
 */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function reachable(url: string, timeoutMs = 1_000): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith("redis") ? 6379 : 5432));
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function requireService(name: string, url: string, suite: string): Promise<boolean> {
  if (await reachable(url)) return true;
  const message = `${suite}: ${name} at ${url} is not reachable`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: a missing service fails the run)`);
  console.warn(`${message}: skipped`);
  return false;
}

/** Top-level-await this in a test file, then `describe.skipIf(!ok)`. */
export function postgresAvailable(suite: string): Promise<boolean> {
  return requireService("PostgreSQL", POSTGRES_URL, suite);
}

export function redisAvailable(suite: string): Promise<boolean> {
  return requireService("Redis", REDIS_URL, suite);
}

/**
 * A fresh database of its own for one test file, so that files run in parallel.
 * Returns its URL and a drop() for afterAll.
 */
export async function createTestDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A pool for a test database. Like the store's own pools, it listens for errors: the server ending an idle
 * connection (the database dropped WITH (FORCE) at teardown) is no uncaught exception.
 */
export function testPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on("error", () => undefined);
  return pool;
}
