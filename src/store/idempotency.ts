import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { KeyedMutex, withFileLock } from "./lock.js";

/** A JSON value recorded for a key (what was created: an issue number, a PR number, a comment id). */
export type IdempotentResult = string | number | boolean | null | IdempotentResult[] | { [key: string]: IdempotentResult };

/**
 * "This GitHub write happened", remembered across retries, redeliveries and processes.
 *
 * Keys name the write, not the attempt: e.g. `issue:acme/app:<fingerprint>`, `pr:acme/app:<branch>`,
 * `comment:acme/app#12:<delivery id>`. `once` runs `fn` for a key at most once to completion: concurrent
 * callers for the same key (in this process or another) wait for the first, then get its recorded result.
 *
 * A process killed inside `fn` records nothing: the next attempt runs `fn` again. So `fn` must itself be
 * find-or-create (look for the app's marker on GitHub first); the key makes the common paths (redelivery,
 * retry after a completed write, two workers racing) free of that lookup.
 */
export interface IdempotencyKeys {
  /** The recorded result, or undefined when the key was never recorded. */
  get(key: string): Promise<IdempotentResult | undefined>;
  /** Record a result unless one is recorded; returns true when this call recorded it. */
  record(key: string, result: IdempotentResult): Promise<boolean>;
  /** Run fn unless the key has a result; returns the result and whether fn ran now. */
  once<T extends IdempotentResult>(key: string, fn: () => Promise<T>): Promise<{ result: T; fresh: boolean }>;
  /** Forget a key (the write was undone, e.g. the issue was deleted). */
  forget(key: string): Promise<void>;
  /** Delete keys recorded before `before`; returns how many. */
  purge(before: Date): Promise<number>;
}

export function checkIdempotencyKey(key: string): void {
  if (typeof key !== "string" || key.length === 0 || key.length > 1000 || key.includes("\0")) {
    throw new Error(`invalid idempotency key ${JSON.stringify(String(key).slice(0, 80))}: 1-1000 characters, no NUL`);
  }
}

/** In one process only (tests, and a single embedded process without a data directory). */
export class MemoryIdempotencyKeys implements IdempotencyKeys {
  private readonly results = new Map<string, { result: IdempotentResult; at: number }>();
  private readonly mutex = new KeyedMutex();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async get(key: string): Promise<IdempotentResult | undefined> {
    checkIdempotencyKey(key);
    return this.results.get(key)?.result;
  }

  async record(key: string, result: IdempotentResult): Promise<boolean> {
    checkIdempotencyKey(key);
    if (this.results.has(key)) return false;
    this.results.set(key, { result, at: this.now().getTime() });
    return true;
  }

  async once<T extends IdempotentResult>(key: string, fn: () => Promise<T>): Promise<{ result: T; fresh: boolean }> {
    checkIdempotencyKey(key);
    return this.mutex.run(key, async () => {
      const seen = this.results.get(key);
      if (seen) return { result: seen.result as T, fresh: false };
      const result = await fn();
      this.results.set(key, { result, at: this.now().getTime() });
      return { result, fresh: true };
    });
  }

  async forget(key: string): Promise<void> {
    this.results.delete(key);
  }

  async purge(before: Date): Promise<number> {
    let n = 0;
    for (const [k, v] of this.results) if (v.at < before.getTime() && this.results.delete(k)) n++;
    return n;
  }
}

/**
 * Beside the FileStore: `<root>/.idempotency/<sha256 of key>.json`, guarded by a lock file per key, so
 * processes sharing a data directory agree. (".idempotency" is no GitHub owner name: listRepos skips it.)
 */
export class FileIdempotencyKeys implements IdempotencyKeys {
  private readonly dir: string;
  private readonly mutex = new KeyedMutex();

  constructor(
    root: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dir = path.join(path.resolve(root), ".idempotency");
  }

  private file(key: string): string {
    checkIdempotencyKey(key);
    return path.join(this.dir, `${createHash("sha256").update(key).digest("hex")}.json`);
  }

  async get(key: string): Promise<IdempotentResult | undefined> {
    // Unreadable: absent, or half-written by a killed process (writes are atomic, so only absent).
    return this.read(key).catch(() => undefined);
  }

  private async read(key: string): Promise<IdempotentResult | undefined> {
    const doc = JSON.parse(await fs.readFile(this.file(key), "utf8")) as { key: string; result: IdempotentResult };
    return doc.key === key ? doc.result : undefined;
  }

  private async write(key: string, result: IdempotentResult): Promise<void> {
    await writeFileAtomic(this.file(key), `${JSON.stringify({ key, result, created_at: this.now().toISOString() })}\n`);
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const file = this.file(key);
    return this.mutex.run(key, async () => {
      await fs.mkdir(this.dir, { recursive: true });
      return withFileLock(`${file}.lock`, { staleMs: 30_000, timeoutMs: 120_000 }, fn);
    });
  }

  async record(key: string, result: IdempotentResult): Promise<boolean> {
    return this.locked(key, async () => {
      if ((await this.get(key)) !== undefined) return false;
      await this.write(key, result);
      return true;
    });
  }

  async once<T extends IdempotentResult>(key: string, fn: () => Promise<T>): Promise<{ result: T; fresh: boolean }> {
    return this.locked(key, async () => {
      const seen = await this.get(key);
      if (seen !== undefined) return { result: seen as T, fresh: false };
      const result = await fn();
      await this.write(key, result);
      return { result, fresh: true };
    });
  }

  async forget(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  async purge(before: Date): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    let n = 0;
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      const file = path.join(this.dir, name);
      try {
        const doc = JSON.parse(await fs.readFile(file, "utf8")) as { created_at?: string };
        if (doc.created_at && Date.parse(doc.created_at) < before.getTime()) {
          // Stryker disable next-line ObjectLiteral,BooleanLiteral: the file was just read; force only covers a concurrent purge
          await fs.rm(file, { force: true });
          n++;
        }
      } catch {
        // unreadable: leave it
      }
    }
    return n;
  }
}
