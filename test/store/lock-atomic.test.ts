/**
 * lock.ts and atomic.ts one behaviour per test (issue 18: src/store/). Oracles: their doc comments
 * (an O_EXCL lock file broken when its holder is dead on this host or untouched for staleMs, touched
 * every staleMs/3; temp file + rename, never a mix, at worst a stray temp file).
 */
import { spawnSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KeyedMutex, LockTimeoutError, withFileLock } from "../../src/store/lock.js";
import { isTempFile, writeFileAtomic } from "../../src/store/atomic.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "cowabunga-lock-"));
  dirs.push(d);
  return d;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid!;
}

describe("KeyedMutex", () => {
  it("runs work for one key one at a time, in call order, and returns each result", async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string, ms: number) =>
      m.run("k", async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
        return name;
      });
    expect(await Promise.all([job("a", 30), job("b", 1), job("c", 1)])).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("different keys do not wait for each other", async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = m.run("a", async () => {
      log.push("a in");
      await gate;
      log.push("a out");
    });
    await m.run("b", async () => log.push("b ran"));
    expect(log).toEqual(["a in", "b ran"]);
    release();
    await a;
  });

  it("a failing job passes its error on and frees the key for the next", async () => {
    const m = new KeyedMutex();
    await expect(m.run("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await m.run("k", async () => 7)).toBe(7);
    // A job queued behind a failing one still runs.
    const failing = m.run("k", async () => {
      await sleep(10);
      throw new Error("first");
    });
    const next = m.run("k", async () => "second");
    await expect(failing).rejects.toThrow("first");
    expect(await next).toBe("second");
  });
});

describe("withFileLock", () => {
  const opts = { staleMs: 10_000, timeoutMs: 2_000, pollMs: 5 };

  it("holds a lock file naming this process while fn runs, and removes it after", async () => {
    const file = path.join(tmp(), "x.lock");
    const seen = await withFileLock(file, opts, async () => JSON.parse(readFileSync(file, "utf8")));
    expect(seen).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(Date.parse(seen.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(() => statSync(file)).toThrow(/ENOENT/);
  });

  it("removes the lock when fn throws, and passes the error on", async () => {
    const file = path.join(tmp(), "x.lock");
    await expect(withFileLock(file, opts, async () => Promise.reject(new Error("inner")))).rejects.toThrow("inner");
    expect(() => statSync(file)).toThrow(/ENOENT/);
  });

  it("a second holder waits for the first to finish", async () => {
    const file = path.join(tmp(), "x.lock");
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inFirst = new Promise<void>((r) => (entered = r));
    const first = withFileLock(file, opts, async () => {
      log.push("first in");
      entered();
      await gate;
      log.push("first out");
    });
    await inFirst;
    const second = withFileLock(file, opts, async () => void log.push("second in"));
    await sleep(50);
    expect(log).toEqual(["first in"]);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(["first in", "first out", "second in"]);
  });

  it("gives up after timeoutMs with LockTimeoutError naming the file, while a live holder keeps it", async () => {
    const file = path.join(tmp(), "x.lock");
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() }));
    const start = Date.now();
    const err = await withFileLock(file, { staleMs: 60_000, timeoutMs: 150, pollMs: 10 }, async () => "ran").catch((e: Error) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as Error).name).toBe("LockTimeoutError");
    expect((err as Error).message).toBe(`timed out after 150 ms waiting for lock ${file}`);
    expect(Date.now() - start).toBeGreaterThanOrEqual(150);
    // The holder's lock is untouched.
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
  });

  it("breaks a lock untouched for longer than staleMs, and leaves no broken-lock file behind", async () => {
    const dir = tmp();
    const file = path.join(dir, "x.lock");
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), at: "2020-01-01T00:00:00Z" }));
    const old = new Date(Date.now() - 5_000);
    utimesSync(file, old, old);
    expect(await withFileLock(file, { staleMs: 1_000, timeoutMs: 500, pollMs: 5 }, async () => "ran")).toBe("ran");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keeps a lock touched more recently than staleMs", async () => {
    const file = path.join(tmp(), "x.lock");
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), at: "2020-01-01T00:00:00Z" }));
    const recent = new Date(Date.now() - 2_000);
    utimesSync(file, recent, recent);
    await expect(withFileLock(file, { staleMs: 30_000, timeoutMs: 100, pollMs: 5 }, async () => "ran")).rejects.toThrow(LockTimeoutError);
  });

  it("breaks a fresh lock at once when its holder on this host is dead, not when it is on another host", async () => {
    const dir = tmp();
    const file = path.join(dir, "x.lock");
    const pid = deadPid();
    writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), at: new Date().toISOString() }));
    expect(await withFileLock(file, { staleMs: 60_000, timeoutMs: 1_000, pollMs: 5 }, async () => "ran")).toBe("ran");
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(file, JSON.stringify({ pid, host: `${os.hostname()}-elsewhere`, at: new Date().toISOString() }));
    await expect(withFileLock(file, { staleMs: 60_000, timeoutMs: 100, pollMs: 5 }, async () => "ran")).rejects.toThrow(LockTimeoutError);
  });

  it("a half-written lock file is judged by its age alone", async () => {
    const file = path.join(tmp(), "x.lock");
    writeFileSync(file, '{"pid": 12');
    await expect(withFileLock(file, { staleMs: 60_000, timeoutMs: 100, pollMs: 5 }, async () => "ran")).rejects.toThrow(LockTimeoutError);
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    expect(await withFileLock(file, { staleMs: 60_000, timeoutMs: 1_000, pollMs: 5 }, async () => "ran")).toBe("ran");
  });

  it("the holder touches its lock while fn runs, so a waiter with the same staleMs does not break it", async () => {
    const file = path.join(tmp(), "x.lock");
    const log: string[] = [];
    const staleMs = 500;
    let entered!: () => void;
    const inFirst = new Promise<void>((r) => (entered = r));
    const first = withFileLock(file, { staleMs, timeoutMs: 5_000, pollMs: 10 }, async () => {
      log.push("first in");
      entered();
      await sleep(1_600);
      log.push("first out");
    });
    await inFirst;
    const second = withFileLock(file, { staleMs, timeoutMs: 5_000, pollMs: 10 }, async () => void log.push("second in"));
    await Promise.all([first, second]);
    expect(log).toEqual(["first in", "first out", "second in"]);
  });

  it("an error other than 'exists' (no such directory) is thrown at once", async () => {
    const file = path.join(tmp(), "missing-dir", "x.lock");
    await expect(withFileLock(file, opts, async () => "ran")).rejects.toThrow(/ENOENT/);
  });
});

describe("atomic writes", () => {
  it("temp files are dot-files ending in .tmp", () => {
    expect(isTempFile(".issues.json.123.0.tmp")).toBe(true);
    expect(isTempFile("issues.json.tmp")).toBe(false);
    expect(isTempFile(".issues.json")).toBe(false);
    expect(isTempFile(".tmpfile")).toBe(false);
  });

  it("creates missing folders, writes the content, replaces an older one, and leaves no temp file", async () => {
    const dir = tmp();
    const file = path.join(dir, "a", "b", "doc.json");
    await writeFileAtomic(file, "first");
    expect(readFileSync(file, "utf8")).toBe("first");
    await writeFileAtomic(file, "second é");
    expect(readFileSync(file, "utf8")).toBe("second é");
    expect(readdirSync(path.join(dir, "a", "b"))).toEqual(["doc.json"]);
  });

  it("concurrent writers: the file holds one whole version, and no temp file stays", async () => {
    const dir = tmp();
    const file = path.join(dir, "doc.json");
    const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(10_000));
    await Promise.all(versions.map((v) => writeFileAtomic(file, v)));
    expect(versions).toContain(readFileSync(file, "utf8"));
    expect(readdirSync(dir)).toEqual(["doc.json"]);
  });

  it("a write that cannot replace its target fails and leaves the target and no temp file", async () => {
    const dir = tmp();
    const target = path.join(dir, "doc.json");
    mkdirSync(target);
    writeFileSync(path.join(target, "inside"), "x");
    await expect(writeFileAtomic(target, "data")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["doc.json"]);
    expect(readdirSync(target)).toEqual(["inside"]);
  });
});

describe("KeyedMutex and withFileLock: more cases", () => {
  it("work queued while an earlier job of the key runs waits for it, even after the first job finished", async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    let releaseA!: () => void;
    const gateA = new Promise<void>((r) => (releaseA = r));
    let releaseB!: () => void;
    const gateB = new Promise<void>((r) => (releaseB = r));
    let bStarted!: () => void;
    const inB = new Promise<void>((r) => (bStarted = r));
    const a = m.run("k", async () => {
      await gateA;
      log.push("a done");
    });
    const b = m.run("k", async () => {
      log.push("b in");
      bStarted();
      await gateB;
      log.push("b out");
    });
    releaseA();
    await a;
    await inB;
    const c = m.run("k", async () => void log.push("c in"));
    await sleep(20);
    expect(log).toEqual(["a done", "b in"]);
    releaseB();
    await Promise.all([b, c]);
    expect(log).toEqual(["a done", "b in", "b out", "c in"]);
    // An idle key keeps no entry (a long-running process locks many keys).
    expect((Reflect.get(m, "tails") as Map<string, unknown>).size).toBe(0);
  });

  it("a fresh lock of another live process on this host is kept", async () => {
    const file = path.join(tmp(), "x.lock");
    writeFileSync(file, JSON.stringify({ pid: process.ppid, host: os.hostname(), at: new Date().toISOString() }));
    await expect(withFileLock(file, { staleMs: 60_000, timeoutMs: 100, pollMs: 5 }, async () => "ran")).rejects.toThrow(LockTimeoutError);
  });

  it("a fresh lock of this host without a numeric pid is judged by age, not broken", async () => {
    const file = path.join(tmp(), "x.lock");
    for (const pid of [undefined, "123"]) {
      writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), at: new Date().toISOString() }));
      await expect(withFileLock(file, { staleMs: 60_000, timeoutMs: 100, pollMs: 5 }, async () => "ran")).rejects.toThrow(LockTimeoutError);
    }
  });

  it("a holder whose lock was removed meanwhile (broken by another process) still finishes its work", async () => {
    const file = path.join(tmp(), "x.lock");
    expect(
      await withFileLock(file, opts(), async () => {
        rmSync(file);
        return "done";
      }),
    ).toBe("done");
  });

  function opts() {
    return { staleMs: 10_000, timeoutMs: 2_000, pollMs: 5 };
  }
});

describe("atomic writes: the handles", () => {
  afterEach(() => vi.restoreAllMocks());

  it("fsyncs the file, then the directory after the rename, and closes both", async () => {
    const dir = tmp();
    const file = path.join(dir, "doc.json");
    const opened: { target: string; flags: string; synced: boolean; closed: boolean }[] = [];
    const real = fsp.open.bind(fsp);
    vi.spyOn(fsp, "open").mockImplementation(async (target, flags, mode) => {
      const fh = await real(target, flags, mode);
      const rec = { target: String(target), flags: String(flags), synced: false, closed: false };
      opened.push(rec);
      const sync = fh.sync.bind(fh);
      const close = fh.close.bind(fh);
      fh.sync = async () => {
        rec.synced = true;
        return sync();
      };
      fh.close = async () => {
        rec.closed = true;
        return close();
      };
      return fh;
    });
    await writeFileAtomic(file, "content");
    expect(opened).toHaveLength(2);
    expect(opened[0]).toMatchObject({ flags: "wx", synced: true, closed: true });
    expect(isTempFile(path.basename(opened[0]!.target))).toBe(true);
    expect(opened[1]).toEqual({ target: dir, flags: "r", synced: true, closed: true });
    expect(readFileSync(file, "utf8")).toBe("content");
  });

  it("a failed write closes and removes its temp file, leaves the target as it was, and passes the error on", async () => {
    const dir = tmp();
    const file = path.join(dir, "doc.json");
    writeFileSync(file, "old");
    const real = fsp.open.bind(fsp);
    let closed = false;
    vi.spyOn(fsp, "open").mockImplementation(async (target, flags, mode) => {
      const fh = await real(target, flags, mode);
      const close = fh.close.bind(fh);
      fh.writeFile = async () => {
        throw new Error("ENOSPC: no space left on device");
      };
      fh.close = async () => {
        closed = true;
        return close();
      };
      return fh;
    });
    await expect(writeFileAtomic(file, "new")).rejects.toThrow("ENOSPC");
    expect(closed).toBe(true);
    expect(readdirSync(dir)).toEqual(["doc.json"]);
    expect(readFileSync(file, "utf8")).toBe("old");
  });
});

describe("withFileLock: the handles and a lost race", () => {
  afterEach(() => vi.restoreAllMocks());

  it("closes the lock file's handle after writing it", async () => {
    const file = path.join(tmp(), "x.lock");
    const real = fsp.open.bind(fsp);
    const closed: boolean[] = [];
    vi.spyOn(fsp, "open").mockImplementation(async (target, flags, mode) => {
      const fh = await real(target, flags, mode);
      const i = closed.push(false) - 1;
      const close = fh.close.bind(fh);
      fh.close = async () => {
        closed[i] = true;
        return close();
      };
      return fh;
    });
    await withFileLock(file, { staleMs: 10_000, timeoutMs: 1_000 }, async () => undefined);
    expect(closed).toEqual([true]);
  });

  it("a stale lock replaced by a fresh one before it could be moved aside is put back, not taken", async () => {
    const file = path.join(tmp(), "x.lock");
    writeFileSync(file, JSON.stringify({ pid: process.ppid, host: `${os.hostname()}-elsewhere`, at: "2020-01-01T00:00:00Z" }));
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const fresh = JSON.stringify({ pid: process.ppid, host: os.hostname(), at: new Date().toISOString() });
    const realRename = fsp.rename.bind(fsp);
    let raced = false;
    vi.spyOn(fsp, "rename").mockImplementation(async (from, to) => {
      if (!raced && String(from) === file) {
        raced = true;
        // Another process broke the stale lock and took a fresh one first.
        writeFileSync(file, fresh);
      }
      return realRename(from, to);
    });
    await expect(withFileLock(file, { staleMs: 60_000, timeoutMs: 200, pollMs: 5 }, async () => "ran")).rejects.toThrow(LockTimeoutError);
    expect(raced).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(fresh);
    expect(readdirSync(path.dirname(file))).toEqual(["x.lock"]);
  });
});
