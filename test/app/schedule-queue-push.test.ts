import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decidePush, type PushPayloadLike } from "../../src/app/push.js";
import { DeliveryDeduper, RepoQueue } from "../../src/app/queue.js";
import { isInMaintenanceWindow, nextCronSlot, Scheduler } from "../../src/app/schedule.js";
import { CowabungaConfig } from "../../src/config/schema.js";
import { ALL_MANAGERS } from "../../src/scan/managers/index.js";
import { FileStore } from "../../src/store/index.js";

const push = (over: Partial<PushPayloadLike> = {}, files: string[] = []): PushPayloadLike => ({
  ref: "refs/heads/main",
  before: "a",
  after: "b",
  commits: [{ added: [], modified: files, removed: [] }],
  repository: { name: "w", owner: { login: "o" }, default_branch: "main" },
  ...over,
});

describe("push decisions", () => {
  it("scans on manifest, lockfile, workflow, Dockerfile, Markdown or config changes only", () => {
    for (const f of ["api/requirements.txt", "web/package.json", "yarn.lock", ".github/workflows/ci.yml", "svc/Dockerfile", "docs/guide.md", ".github/cowabunga.yml", "go.mod"]) {
      expect(decidePush(push({}, [f]), ALL_MANAGERS).scan, f).toBe(true);
    }
    const skip = decidePush(push({}, ["src/index.ts", "src/app.ts"]), ALL_MANAGERS);
    expect(skip.scan).toBe(false);
    expect(skip.reason).toMatch(/no manifest/);
  });
  it("ignores other branches and deletions; scans force pushes and truncated commit lists", () => {
    expect(decidePush(push({ ref: "refs/heads/feature" }, ["package.json"]), ALL_MANAGERS).scan).toBe(false);
    expect(decidePush(push({ deleted: true }, ["package.json"]), ALL_MANAGERS).scan).toBe(false);
    expect(decidePush(push({ forced: true }, ["src/a.ts"]), ALL_MANAGERS).scan).toBe(true);
    expect(decidePush(push({ commits: Array.from({ length: 20 }, () => ({ modified: ["src/a.ts"] })) }), ALL_MANAGERS).scan).toBe(true);
  });
});

describe("maintenance windows", () => {
  const config = (windows: unknown[], timezone = "UTC") => CowabungaConfig.parse({ schedule: { timezone, maintenance_windows: windows } });
  it("no windows means any time", () => {
    expect(isInMaintenanceWindow(config([]), new Date("2026-01-15T12:00:00Z"))).toBe(true);
  });
  it("respects days, hours and the schedule's timezone", () => {
    const c = config([{ days: ["sat", "sun"], start: "02:00", end: "06:00" }], "Europe/Paris");
    expect(isInMaintenanceWindow(c, new Date("2026-01-17T01:30:00Z"))).toBe(true); // Sat 02:30 Paris
    expect(isInMaintenanceWindow(c, new Date("2026-01-17T00:30:00Z"))).toBe(false); // Sat 01:30 Paris
    expect(isInMaintenanceWindow(c, new Date("2026-01-15T03:00:00Z"))).toBe(false); // Thursday
  });
  it("windows past midnight belong to the day they start", () => {
    const c = config([{ days: ["fri"], start: "22:00", end: "02:00" }]);
    expect(isInMaintenanceWindow(c, new Date("2026-01-16T23:00:00Z"))).toBe(true); // Fri 23:00
    expect(isInMaintenanceWindow(c, new Date("2026-01-17T01:00:00Z"))).toBe(true); // Sat 01:00
    expect(isInMaintenanceWindow(c, new Date("2026-01-17T03:00:00Z"))).toBe(false);
  });
});

describe("scheduler", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("queues a repository once its cron slot plus jitter has passed", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-sched-"));
    const store = new FileStore({ root: dir });
    const repo = { installationId: 1, owner: "acme", repo: "widgets" };
    await store.putScanState(repo, { last_scan_finished_at: "2026-01-15T05:00:00.000Z", schedule: { cron: "0 6 * * *", timezone: "UTC", jitter_minutes: 10 } });
    let now = new Date("2026-01-15T06:04:00Z");
    const queued: string[] = [];
    const s = new Scheduler({ store, listRepos: async () => [repo], enqueueScan: (r) => queued.push(r.repo), clock: () => now, random: () => 0.5 });
    expect(await s.tick()).toEqual([]); // 06:00 + 5 min jitter not reached
    now = new Date("2026-01-15T06:05:00Z");
    expect((await s.tick()).map((r) => r.repo)).toEqual(["widgets"]);
    expect(nextCronSlot({ cron: "not a cron", timezone: "UTC" }, now)).toBeNull();
  });

  it("never-scanned repositories are due at once", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-sched-"));
    const store = new FileStore({ root: dir });
    const s = new Scheduler({ store, listRepos: async () => [{ installationId: 1, owner: "a", repo: "b" }], enqueueScan: () => {}, random: () => 0 });
    expect(await s.tick()).toHaveLength(1);
  });
});

describe("queue", () => {
  it("runs one repository's jobs in order, others in parallel up to the limit, and coalesces waiting scans", async () => {
    const q = new RepoQueue(2);
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${name}`);
      running--;
    };
    q.enqueue("a/x", job("a1"), "scan");
    q.enqueue("a/x", job("a2"), "scan-2");
    expect(q.enqueue("a/x", job("a3"), "scan-2")).toBe(false);
    q.enqueue("b/y", job("b1"));
    q.enqueue("c/z", job("c1"));
    await q.idle();
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log).not.toContain("start a3");
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(log.filter((l) => l.startsWith("end"))).toHaveLength(4);
  });

  it("deduplicates delivery ids", () => {
    const d = new DeliveryDeduper();
    expect(d.firstTime("x")).toBe(true);
    expect(d.firstTime("x")).toBe(false);
    expect(d.firstTime(undefined)).toBe(true);
  });
});
