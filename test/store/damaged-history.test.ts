import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore, ReadOnlyStoreError, compactByAge } from "../../src/store/index.js";
import { makeDependency, makeSystemHealth } from "../helpers/factories.js";

const repo = { owner: "acme", repo: "app" };
const DAY = 86_400_000;
const NOW = new Date("2026-06-01T12:00:00.000Z");
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

let root: string;
const repoDir = (): string => path.join(root, "acme", "app");
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-history-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("one bad history entry drops only that entry (issue 10, item 6)", () => {
  it("health history: the bad entry is dropped and reported, the others kept, and the damaged file is copied (not lost)", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    mkdirSync(repoDir(), { recursive: true });
    const good1 = makeSystemHealth({ timestamp: ago(3 * DAY) });
    const good2 = makeSystemHealth({ timestamp: ago(DAY), overall_status: "warning" });
    const text = JSON.stringify([good1, { ...good1, overall_status: "on fire" }, good2]);
    writeFileSync(path.join(repoDir(), "health_history.json"), text);
    const history = await store.getHealthHistory(repo);
    expect(history.map((h) => h.timestamp)).toEqual([good1.timestamp, good2.timestamp]);
    const [w] = store.takeWarnings();
    expect(w).toMatchObject({ repo: "acme/app", file: "acme/app/health_history.json", scope: "entries" });
    expect(w.message).toMatch(/dropped 1 bad entry \(\[1\] .*overall_status/);
    expect(w.message).toMatch(/kept 2/);
    // The original is still in place, and a copy holds the dropped entry; a second read makes no second copy.
    expect(readFileSync(path.join(repoDir(), "health_history.json"), "utf8")).toBe(text);
    await store.getHealthHistory(repo);
    const copies = readdirSync(repoDir()).filter((f) => f.startsWith("health_history.json.corrupt-"));
    expect(copies).toHaveLength(1);
    expect(readFileSync(path.join(repoDir(), copies[0]), "utf8")).toBe(text);
  });

  it("dependency history: an append keeps the good snapshots around a bad one", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    mkdirSync(repoDir(), { recursive: true });
    const snap = (v: string, at: string) => ({ scanned_at: at, head_sha: null, dependencies: [{ name: "lodash", package_manager: "npm", component: "ui", file: "package.json", version: v, latest_version: null }] });
    writeFileSync(path.join(repoDir(), "dependency_history.json"), JSON.stringify([snap("1.0.0", ago(2 * DAY)), { scanned_at: "yesterday" }, snap("1.1.0", ago(DAY))]));
    await store.putDependencies(repo, [makeDependency({ name: "lodash", version: "2.0.0" })]);
    const h = await store.getDependencyHistory(repo);
    expect(h.map((s) => s.dependencies[0].version)).toEqual(["1.0.0", "1.1.0", "2.0.0"]);
    expect(store.takeWarnings().map((w) => w.scope)).toEqual(["entries"]);
  });

  it("a history that is not an array at all is moved aside as before", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    mkdirSync(repoDir(), { recursive: true });
    writeFileSync(path.join(repoDir(), "health_history.json"), '{"not": "a list"}');
    expect(await store.getHealthHistory(repo)).toEqual([]);
    expect(store.takeWarnings()).toEqual([expect.objectContaining({ scope: "file", moved_to: expect.stringContaining("corrupt") })]);
  });
});

describe("history stores a snapshot only when it changed, and compacts by age", () => {
  it("ten unchanged scans store one dependency snapshot and one health snapshot; a change adds one", async () => {
    let now = NOW.getTime();
    const store = new FileStore({ root, clock: () => new Date(now) });
    const deps = [makeDependency({ name: "a", version: "1.0.0" }), makeDependency({ name: "b", version: "2.0.0" })];
    for (let i = 0; i < 10; i++) {
      now += 3_600_000;
      const at = new Date(now).toISOString();
      await store.putDependencies(repo, [...deps].reverse(), { scanned_at: at, head_sha: `sha${i}` });
      await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: at }));
    }
    expect(await store.getDependencyHistory(repo)).toHaveLength(1);
    expect(await store.getHealthHistory(repo)).toHaveLength(1);
    const sizeAfterTen = statSync(path.join(repoDir(), "dependency_history.json")).size;
    now += 3_600_000;
    await store.putDependencies(repo, [deps[0], makeDependency({ name: "b", version: "2.1.0" })], { scanned_at: new Date(now).toISOString() });
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: new Date(now).toISOString(), overall_status: "critical" }));
    expect((await store.getDependencyHistory(repo)).map((s) => s.dependencies.find((d) => d.name === "b")?.version)).toEqual(["2.0.0", "2.1.0"]);
    expect((await store.getHealthHistory(repo)).map((h) => h.overall_status)).toEqual([makeSystemHealth().overall_status, "critical"]);
    expect(statSync(path.join(repoDir(), "dependency_history.json")).size).toBeGreaterThan(sizeAfterTen);
  });

  it("snapshots older than 7 days keep one per day; recent ones are all kept", () => {
    const at = (ms: number) => ({ t: ago(ms) });
    const list = [at(20 * DAY + 5_000), at(20 * DAY + 1_000), at(20 * DAY), at(10 * DAY), at(2 * DAY + 10), at(2 * DAY)];
    // NOW is 12:00 UTC: 20 days ago at 12:00:00 and 11:59:5x are the same UTC day.
    expect(compactByAge(list, (x) => x.t, NOW).map((x) => x.t)).toEqual([ago(20 * DAY), ago(10 * DAY), ago(2 * DAY + 10), ago(2 * DAY)]);
  });

  it("a year of hourly changing health snapshots stays within retention × one a day + the last 7 days", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const list = Array.from({ length: 24 * 40 }, (_, i) => makeSystemHealth({ timestamp: ago((24 * 40 - i) * 3_600_000), metrics: { ...makeSystemHealth().metrics, security_issues: i } }));
    mkdirSync(repoDir(), { recursive: true });
    writeFileSync(path.join(repoDir(), "health_history.json"), JSON.stringify(list));
    const kept = await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: NOW.toISOString() }));
    // 30-day retention: 23 thinned days (one each) + 7 days × 24 hourly + the new one, give or take the boundary days.
    expect(kept.length).toBeLessThanOrEqual(23 + 1 + 7 * 24 + 1 + 1);
    expect(kept.length).toBeGreaterThanOrEqual(7 * 24);
  });
});

describe("read-only store", () => {
  it("reports a corrupt file without moving it, and refuses writes", async () => {
    const store = new FileStore({ root, clock: () => NOW, readOnly: true });
    mkdirSync(repoDir(), { recursive: true });
    writeFileSync(path.join(repoDir(), "maintenance_issues.json"), "[{oops");
    expect(await store.getIssues(repo)).toEqual([]);
    expect(store.takeWarnings()).toEqual([expect.objectContaining({ scope: "file", moved_to: null, message: expect.stringMatching(/not valid JSON.*left in place \(read-only\)/) })]);
    expect(readdirSync(repoDir())).toEqual(["maintenance_issues.json"]);
    await expect(store.updateIssues(repo, () => [])).rejects.toThrow(ReadOnlyStoreError);
    await expect(store.putSystemHealth({ owner: "new", repo: "one" }, makeSystemHealth())).rejects.toThrow(ReadOnlyStoreError);
    expect(existsSync(path.join(root, "new"))).toBe(false);
  });
});
