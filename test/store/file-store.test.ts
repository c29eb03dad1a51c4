import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore, STORE_FILES, StoreValidationError, UnsafeNameError, dataDirFromEnv } from "../../src/store/index.js";
import type { SystemHealth } from "../../src/model/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeRecord, makeSystemHealth } from "../helpers/factories.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, "helpers/store-child.ts");
const repo = { owner: "acme", repo: "app" };
const DAY = 86_400_000;
const NOW = new Date("2026-06-01T00:00:00.000Z");

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-store-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const repoDir = () => path.join(root, "acme", "app");

describe("layout and round trips", () => {
  it("writes the seed's files under <root>/<owner>/<repo>/ and reads them back", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const health = makeSystemHealth({ timestamp: NOW.toISOString() });
    await store.putSystemHealth(repo, health);
    await store.updateIssues(repo, () => [makeIssue()]);
    await store.putDependencies(repo, [makeDependency()], { head_sha: "abc" });
    await store.updateRecords(repo, (r) => [...r, makeRecord()]);
    await store.putComponentHealth(repo, makeComponentHealth({ name: "leapfrogai_api" }));
    await store.putScanState(repo, { tree_sha: "t1", head_sha: "h1", custom: { a: 1 } });
    await store.updatePending(repo, (p) => [...p, { id: "n1", created_at: NOW.toISOString(), channel: "slack" }]);
    await store.appendHealthHistory(repo, health);

    const files = readdirSync(repoDir()).sort();
    expect(files).toEqual(
      [
        "component_health",
        "dependency_history.json",
        "dependency_status.json",
        "health_history.json",
        "maintenance_issues.json",
        "maintenance_records.json",
        "pending_notifications.json",
        "scan_state.json",
        "system_health.json",
      ].sort(),
    );
    expect(readdirSync(path.join(repoDir(), "component_health"))).toEqual(["leapfrogai_api.json"]);

    expect(await store.getSystemHealth(repo)).toEqual(health);
    expect(await store.getIssues(repo)).toEqual([makeIssue()]);
    expect(await store.getDependencies(repo)).toEqual([makeDependency()]);
    expect((await store.getDependencyHistory(repo))[0]).toMatchObject({ head_sha: "abc", scanned_at: NOW.toISOString() });
    expect(await store.getRecords(repo)).toEqual([makeRecord()]);
    expect(await store.getComponentHealth(repo, "leapfrogai_api")).toEqual(makeComponentHealth({ name: "leapfrogai_api" }));
    expect(await store.listComponentHealth(repo)).toHaveLength(1);
    expect(await store.getScanState(repo)).toEqual({ tree_sha: "t1", head_sha: "h1", custom: { a: 1 } });
    expect((await store.getPending(repo))[0]).toMatchObject({ id: "n1", channel: "slack" });
    expect(await store.getHealthHistory(repo)).toEqual([health]);
    expect(await store.listRepos()).toEqual([{ owner: "acme", repo: "app" }]);
    expect(store.takeWarnings()).toEqual([]);
    // deterministic, human-readable JSON
    expect(readFileSync(path.join(repoDir(), STORE_FILES.systemHealth), "utf8")).toBe(`${JSON.stringify(health, null, 2)}\n`);
  });

  it("returns empty values for a repository never written", async () => {
    const store = new FileStore({ root });
    expect(await store.getSystemHealth(repo)).toBeNull();
    expect(await store.getIssues(repo)).toEqual([]);
    expect(await store.listComponentHealth(repo)).toEqual([]);
    expect(await store.getScanState(repo)).toBeNull();
    expect(await store.listRepos()).toEqual([]);
  });

  it("uses COWABUNGA_DATA_DIR, else ./data", () => {
    expect(dataDirFromEnv({ COWABUNGA_DATA_DIR: "/tmp/x" })).toBe("/tmp/x");
    expect(dataDirFromEnv({})).toBe(path.resolve("./data"));
    expect(new FileStore({ root: "/tmp/y" }).root).toBe("/tmp/y");
  });

  it("refuses to write an invalid entity, naming the field, and leaves the old file", async () => {
    const store = new FileStore({ root });
    await store.putSystemHealth(repo, makeSystemHealth());
    const bad = { ...makeSystemHealth(), overall_status: "fine" } as unknown as SystemHealth;
    await expect(store.putSystemHealth(repo, bad)).rejects.toThrow(StoreValidationError);
    await expect(store.putSystemHealth(repo, bad)).rejects.toThrow(/acme\/app\/system_health\.json.*overall_status/);
    expect(await store.getSystemHealth(repo)).toEqual(makeSystemHealth());
  });

  it("keeps component names apart and inside component_health/", async () => {
    const store = new FileStore({ root });
    for (const name of ["src/api", "src_api", "../escape", "..", "ä"]) await store.putComponentHealth(repo, makeComponentHealth({ name }));
    const files = readdirSync(path.join(repoDir(), "component_health"));
    expect(files).toHaveLength(5);
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*\.json$/);
    expect(existsSync(path.join(root, "acme", "escape.json"))).toBe(false);
    expect((await store.getComponentHealth(repo, "../escape"))?.name).toBe("../escape");
    expect((await store.listComponentHealth(repo)).map((c) => c.name).sort()).toEqual(["..", "../escape", "src/api", "src_api", "ä"].sort());
    await store.deleteComponentHealth(repo, "src/api");
    expect(await store.getComponentHealth(repo, "src/api")).toBeNull();
  });
});

describe("repository names", () => {
  const bad = [
    { owner: "..", repo: "x" },
    { owner: "acme", repo: ".." },
    { owner: "acme", repo: "." },
    { owner: "../x", repo: "app" },
    { owner: "acme", repo: "../x" },
    { owner: "a/b", repo: "app" },
    { owner: "acme", repo: "a/b" },
    { owner: "acme", repo: "%2e%2e" },
    { owner: "%2e%2e", repo: "app" },
    { owner: "acme", repo: "a\\b" },
    { owner: "acme", repo: "" },
    { owner: "-acme", repo: "app" },
    { owner: "acme", repo: "x\0y" },
  ];
  it.each(bad)("refuses $owner / $repo for reads and writes", async (ref) => {
    const store = new FileStore({ root });
    await expect(store.getIssues(ref)).rejects.toThrow(UnsafeNameError);
    await expect(store.updateIssues(ref, () => [])).rejects.toThrow(/refusing repository/);
    expect(readdirSync(root)).toEqual([]);
  });

  it("accepts real GitHub names and folds case", async () => {
    const store = new FileStore({ root });
    await store.putScanState({ owner: "Defense-Unicorns", repo: "leapfrogai.v2_x" }, { head_sha: "a" });
    expect(await store.getScanState({ owner: "defense-unicorns", repo: "LeapfrogAI.v2_X" })).toEqual({ head_sha: "a" });
    expect(await store.listRepos()).toEqual([{ owner: "defense-unicorns", repo: "leapfrogai.v2_x" }]);
  });
});

describe("corrupt files", () => {
  it("moves a non-JSON file aside, reports it and starts empty", async () => {
    const warnings: string[] = [];
    const store = new FileStore({ root, clock: () => NOW, logger: { warn: (_o, m) => warnings.push(m) } });
    mkdirSync(repoDir(), { recursive: true });
    writeFileSync(path.join(repoDir(), "maintenance_issues.json"), '[{"id": "x", ');
    expect(await store.getIssues(repo)).toEqual([]);
    const aside = "maintenance_issues.json.corrupt-2026-06-01T00-00-00-000Z";
    expect(readdirSync(repoDir())).toContain(aside);
    expect(readFileSync(path.join(repoDir(), aside), "utf8")).toBe('[{"id": "x", ');
    const w = store.takeWarnings();
    expect(w).toEqual([
      expect.objectContaining({ repo: "acme/app", file: "acme/app/maintenance_issues.json", moved_to: `acme/app/${aside}` }),
    ]);
    expect(w[0].message).toMatch(/not valid JSON/);
    expect(warnings).toHaveLength(1);
    expect(store.takeWarnings()).toEqual([]);
  });

  it("moves a schema-invalid file aside, naming the field, and an update then starts fresh", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    mkdirSync(repoDir(), { recursive: true });
    const bad = [{ ...makeRecord(), duration_minutes: -1 }];
    writeFileSync(path.join(repoDir(), "maintenance_records.json"), JSON.stringify(bad));
    const after = await store.updateRecords(repo, (rs) => [...rs, makeRecord({ id: "new" })]);
    expect(after.map((r) => r.id)).toEqual(["new"]);
    const [w] = store.takeWarnings();
    expect(w.message).toContain("[0].duration_minutes");
    const corrupt = readdirSync(repoDir()).filter((f) => f.startsWith("maintenance_records.json.corrupt-"));
    expect(corrupt).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(repoDir(), corrupt[0]), "utf8"))).toEqual(bad);
  });

  it("two corrupt files in the same instant get distinct names", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    mkdirSync(repoDir(), { recursive: true });
    const file = path.join(repoDir(), "scan_state.json");
    writeFileSync(file, "nope");
    await store.getScanState(repo);
    writeFileSync(file, "nope again");
    await store.getScanState(repo);
    expect(readdirSync(repoDir()).filter((f) => f.includes(".corrupt-"))).toHaveLength(2);
  });
});

describe("retention", () => {
  const healthAt = (ms: number) => makeSystemHealth({ timestamp: ago(ms) });

  it("health history: 30 days rolling, boundary exact", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    // Each snapshot differs (unchanged ones are not stored), one per day (older days are thinned to one).
    let n = 0;
    for (const age of [30 * DAY + 1, 30 * DAY, 29 * DAY, 0]) {
      await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: ago(age), metrics: { ...makeSystemHealth().metrics, security_issues: n++ } }));
    }
    const kept = (await store.getHealthHistory(repo)).map((h) => NOW.getTime() - Date.parse(h.timestamp));
    expect(kept).toEqual([30 * DAY, 29 * DAY, 0]);
  });

  it("health history uses the repository's configured retention", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    store.setRetention(repo, { health_days: 7 });
    await store.appendHealthHistory(repo, healthAt(7 * DAY + 1));
    await store.appendHealthHistory(repo, healthAt(7 * DAY));
    expect(await store.getHealthHistory(repo)).toHaveLength(1);
  });

  it("issues: resolved/deferred dropped after 365 days, open ones never", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const Y = 365 * DAY;
    const issues = [
      makeIssue({ id: "open-old", status: "open", updated_at: ago(5 * Y) }),
      makeIssue({ id: "progress-old", status: "in_progress", lifecycle_state: "in_progress", updated_at: ago(5 * Y) }),
      makeIssue({ id: "resolved-edge", status: "resolved", lifecycle_state: "resolved", updated_at: ago(Y), resolved_at: ago(Y) }),
      makeIssue({ id: "resolved-old", status: "resolved", lifecycle_state: "resolved", updated_at: ago(Y + 1), resolved_at: ago(Y + 1) }),
      makeIssue({ id: "deferred-old", status: "deferred", lifecycle_state: "deferred", updated_at: ago(Y + 1) }),
      makeIssue({ id: "deferred-touched", status: "deferred", lifecycle_state: "deferred", updated_at: ago(Y - 1) }),
    ];
    const kept = await store.updateIssues(repo, () => issues);
    expect(kept.map((i) => i.id)).toEqual(["open-old", "progress-old", "resolved-edge", "deferred-touched"]);
    expect((await store.getIssues(repo)).map((i) => i.id)).toEqual(kept.map((i) => i.id));
  });

  it("maintenance records are permanent by default, pruned only when records_days is set", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const old = makeRecord({ id: "ancient", performed_at: ago(20 * 365 * DAY) });
    expect(await store.updateRecords(repo, () => [old])).toHaveLength(1);
    store.setRetention(repo, { records_days: 10 });
    const kept = await store.updateRecords(repo, (r) => [...r, makeRecord({ id: "edge", performed_at: ago(10 * DAY) })]);
    expect(kept.map((r) => r.id)).toEqual(["edge"]);
  });

  it("dependency history: 182 days, one snapshot per putDependencies", async () => {
    let now = new Date(NOW.getTime() - 182 * DAY - 1);
    const store = new FileStore({ root, clock: () => now });
    await store.putDependencies(repo, [makeDependency({ version: "1.0.0" })]);
    now = new Date(NOW.getTime() - 182 * DAY);
    await store.putDependencies(repo, [makeDependency({ version: "1.1.0" })]);
    now = NOW;
    await store.putDependencies(repo, [makeDependency({ version: "2.0.0" })], { head_sha: "cafe" });
    const h = await store.getDependencyHistory(repo);
    expect(h.map((s) => s.dependencies[0].version)).toEqual(["1.1.0", "2.0.0"]);
    expect(h[1]).toMatchObject({ head_sha: "cafe", scanned_at: NOW.toISOString() });
    expect((await store.getDependencies(repo))[0].version).toBe("2.0.0");
  });
});

describe("concurrency", () => {
  it("100 concurrent updateRecords appends keep all 100", async () => {
    const store = new FileStore({ root });
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.updateRecords(repo, (r) => [...r, makeRecord({ id: `r${i}` })])));
    const ids = (await store.getRecords(repo)).map((r) => r.id);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    expect(existsSync(path.join(repoDir(), ".lock"))).toBe(false);
  });

  it("an updater that throws releases the lock and writes nothing", async () => {
    const store = new FileStore({ root });
    await store.updateRecords(repo, () => [makeRecord()]);
    await expect(store.updateRecords(repo, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await store.updateRecords(repo, (r) => [...r, makeRecord({ id: "b" })])).toHaveLength(2);
  });

  it("two processes appending at once lose nothing (lock file)", async () => {
    const run = (tag: string) =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ["--import", "tsx", child, "append", root, "40", tag], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (err += d));
        p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child ${tag} exited ${code}: ${err}`))));
      });
    const store = new FileStore({ root });
    const inProcess = Promise.all(Array.from({ length: 20 }, (_, i) => store.updateRecords(repo, (r) => [...r, makeRecord({ id: `main-${i}` })])));
    await Promise.all([run("a"), run("b"), inProcess]);
    const ids = (await store.getRecords(repo)).map((r) => r.id);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
  });
});

describe("atomic writes", () => {
  it("a process killed mid-write leaves the previous complete document", async () => {
    const store = new FileStore({ root, lockTimeoutMs: 5_000 });
    await store.putScanState(repo, { head_sha: "gen-0", generation: 0, blob: "" });
    const p = spawn(process.execPath, ["--import", "tsx", child, "big-writes", root, "24"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    p.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => p.on("exit", (_c, sig) => resolve(sig)));
    const deadline = Date.now() + 25_000;
    let sawTemp = false;
    while (Date.now() < deadline && p.exitCode === null) {
      if (readdirSync(repoDir()).some((f) => f.startsWith(".scan_state.json.") && f.endsWith(".tmp"))) {
        p.kill("SIGKILL");
        sawTemp = true;
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
    if (!sawTemp) p.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(sawTemp, `child never started a write: ${stderr}`).toBe(true);

    const doc = JSON.parse(readFileSync(path.join(repoDir(), "scan_state.json"), "utf8")) as { head_sha: string; generation: number; blob: string };
    expect(doc.head_sha).toBe(`gen-${doc.generation}`);
    expect(doc.blob).toBe(doc.generation === 0 ? "" : String(doc.generation % 10).repeat(24 * 1024 * 1024));
    // The child died holding the repository lock; its pid is gone, so the lock is broken at once.
    expect(existsSync(path.join(repoDir(), ".lock"))).toBe(true);
    // The store reads it without complaint, ignores the stray temp file, and the dead child's lock does not block us.
    expect((await store.getScanState(repo))?.generation).toBe(doc.generation);
    await store.putScanState(repo, { head_sha: "after" });
    expect(await store.getScanState(repo)).toEqual({ head_sha: "after" });
    expect(store.takeWarnings()).toEqual([]);
  });
});
