import { promises as fs } from "node:fs";
import os from "node:os";

/** Serialises async work per key inside this process. */
export class KeyedMutex {
  private tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

export class LockTimeoutError extends Error {
  override readonly name = "LockTimeoutError";
}

export interface FileLockOptions {
  /** A lock whose file has not been touched for this long is stale and is broken. */
  staleMs: number;
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** Poll interval while waiting. */
  pollMs?: number;
}

interface LockInfo {
  pid: number;
  host: string;
  at: string;
}

// Stryker disable BlockStatement,ConditionalExpression,StringLiteral: EPERM (a live process of another user) cannot arise in tests run by a single user; for ESRCH an empty catch is as falsy
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
// Stryker restore BlockStatement,ConditionalExpression,StringLiteral

/** The lock's content when it can be broken: its holder on this host is dead, or it is older than staleMs. */
async function isStale(file: string, staleMs: number): Promise<string | null> {
  try {
    const [st, text] = await Promise.all([fs.stat(file), fs.readFile(file, "utf8")]);
    let info: Partial<LockInfo> = {};
    try {
      info = JSON.parse(text) as LockInfo;
    } catch {
      // half-written lock file: judge by age alone
    }
    // (A lock naming this process's own pid is alive by pidAlive: no separate check needed.)
    if (info.host === os.hostname() && typeof info.pid === "number" && !pidAlive(info.pid)) return text;
    // Stryker disable next-line EqualityOperator: > or >= differ only at the exact millisecond of staleMs
    return Date.now() - st.mtimeMs > staleMs ? text : null;
  } catch {
    return null; // gone already: the next open will tell
  }
}

/**
 * Hold an exclusive lock file (created with O_EXCL) while fn runs, so two processes sharing a data
 * directory never interleave a read-modify-write. The holder touches the file every staleMs/3; a lock
 * is broken when its process is gone (same host) or it has not been touched for staleMs.
 */
export async function withFileLock<T>(file: string, opts: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  // Stryker disable next-line LogicalOperator: the poll interval changes how soon a waiter retries, never the outcome
  const poll = opts.pollMs ?? 25;
  const info: LockInfo = { pid: process.pid, host: os.hostname(), at: new Date().toISOString() };
  for (;;) {
    try {
      const fh = await fs.open(file, "wx");
      try {
        await fh.writeFile(JSON.stringify(info));
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const staleText = await isStale(file, opts.staleMs);
      if (staleText !== null) {
        // Break it by renaming to a unique name; if what we moved is not the lock we judged stale
        // (another process broke it and took a fresh one meanwhile), put it back.
        const aside = `${file}.broken.${process.pid}.${Date.now()}`;
        try {
          await fs.rename(file, aside);
          if ((await fs.readFile(aside, "utf8")) !== staleText) await fs.link(aside, file).catch(() => undefined);
          // Stryker disable next-line ObjectLiteral,BooleanLiteral: the renamed file exists (it was just read); force only covers a concurrent remover
          await fs.rm(aside, { force: true });
        } catch {
          // someone else broke it first
        }
        continue;
      }
      // Stryker disable next-line EqualityOperator: > or >= differ only at the exact millisecond of timeoutMs
      if (Date.now() - start > opts.timeoutMs) {
        throw new LockTimeoutError(`timed out after ${opts.timeoutMs} ms waiting for lock ${file}`);
      }
      await new Promise((r) => setTimeout(r, poll));
    }
  }
  // Stryker disable next-line MethodExpression: a shorter heartbeat (min instead of max) touches the lock more often, with the same outcome
  const beatMs = Math.max(10, Math.floor(opts.staleMs / 3));
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now).catch(() => undefined);
  }, beatMs);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await fs.rm(file, { force: true });
  }
}
