/**
 * idempotency.ts, dependents.ts, assessment.ts and factory.ts one behaviour per test (issue 18: src/store/).
 * Oracles: the doc comments of IdempotencyKeys (keys of 1-1000 characters, no NUL; files at
 * `<root>/.idempotency/<sha256 of key>.json`), OSV's ecosystem names and PEP 503, the Store contract
 * and docs/notes/pg-store.md ("Choosing the store").
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Assessment } from "../../src/assess/types.js";
import { FileIdempotencyKeys, FileStore, MemoryIdempotencyKeys, ReadOnlyStoreError, openStore } from "../../src/store/index.js";
import { checkIdempotencyKey } from "../../src/store/idempotency.js";
import {
  compareDependents,
  datasourceForEcosystem,
  dependentKey,
  dependentRef,
  indexEcosystem,
  isDirectDependency,
  type DependentRef,
} from "../../src/store/dependents.js";
import { storeAssessment } from "../../src/store/assessment.js";
import { makeComponentHealth, makeDependency, makeIssue, makeSystemHealth } from "../helpers/factories.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "cowabunga-units-"));
  dirs.push(d);
  return d;
}
const T0 = Date.parse("2026-06-01T00:00:00.000Z");

describe("idempotency keys", () => {
  it("a key is 1-1000 characters without NUL; the refusal quotes at most 80 characters of it", () => {
    expect(() => checkIdempotencyKey("k")).not.toThrow();
    expect(() => checkIdempotencyKey("k".repeat(1000))).not.toThrow();
    expect(() => checkIdempotencyKey("k".repeat(1001))).toThrow(`invalid idempotency key ${JSON.stringify("k".repeat(80))}: 1-1000 characters, no NUL`);
    expect(() => checkIdempotencyKey("")).toThrow('invalid idempotency key "": 1-1000 characters, no NUL');
    expect(() => checkIdempotencyKey("a\0b")).toThrow(/invalid idempotency key/);
    expect(() => checkIdempotencyKey(5 as unknown as string)).toThrow('invalid idempotency key "5"');
  });

  it("memory: purge deletes what was recorded strictly before the cut, counts it, and forget drops one key", async () => {
    let now = new Date(T0);
    const keys = new MemoryIdempotencyKeys(() => now);
    await keys.record("a", 1);
    now = new Date(T0 + 1000);
    await keys.once("b", async () => 2);
    now = new Date(T0 + 2000);
    await keys.record("c", 3);
    expect(await keys.purge(new Date(T0 + 1000))).toBe(1);
    expect(await keys.get("a")).toBeUndefined();
    expect(await keys.get("b")).toBe(2);
    expect(await keys.purge(new Date(T0 + 2001))).toBe(2);
    expect(await keys.get("c")).toBeUndefined();
    await keys.record("d", 4);
    await keys.forget("d");
    expect(await keys.get("d")).toBeUndefined();
    await expect(keys.get("")).rejects.toThrow(/invalid idempotency key/);
    // Without a clock: the real time.
    const real = new MemoryIdempotencyKeys();
    await real.record("r", true);
    expect(await real.purge(new Date(Date.now() - 60_000))).toBe(0);
    expect(await real.purge(new Date(Date.now() + 60_000))).toBe(1);
  });

  it("files: one file per key at .idempotency/<sha256 of key>.json holding the key, result and time", async () => {
    const root = tmp();
    const keys = new FileIdempotencyKeys(root, () => new Date(T0));
    await keys.record("issue:acme/app:abc", { issue_number: 12 });
    const name = `${createHash("sha256").update("issue:acme/app:abc").digest("hex")}.json`;
    expect(readdirSync(path.join(root, ".idempotency"))).toEqual([name]);
    expect(JSON.parse(readFileSync(path.join(root, ".idempotency", name), "utf8"))).toEqual({
      key: "issue:acme/app:abc",
      result: { issue_number: 12 },
      created_at: new Date(T0).toISOString(),
    });
    // The same key from another process's instance: found; a file under that name for another key: not.
    expect(await new FileIdempotencyKeys(root).get("issue:acme/app:abc")).toEqual({ issue_number: 12 });
    writeFileSync(path.join(root, ".idempotency", name), JSON.stringify({ key: "other", result: 1, created_at: new Date(T0).toISOString() }));
    expect(await keys.get("issue:acme/app:abc")).toBeUndefined();
    expect(await keys.record("issue:acme/app:abc", 13)).toBe(true);
    expect(await keys.get("issue:acme/app:abc")).toBe(13);
  });

  it("files: a recorded false, 0 or null is a result; once does not run fn again", async () => {
    const keys = new FileIdempotencyKeys(tmp());
    let ran = 0;
    for (const [k, v] of [["f", false], ["z", 0], ["n", null]] as const) {
      expect(await keys.record(k, v)).toBe(true);
      expect(await keys.record(k, "again")).toBe(false);
      expect(await keys.once(k, async () => (ran++, "x"))).toEqual({ result: v, fresh: false });
    }
    expect(ran).toBe(0);
  });

  it("files: purge counts what it deleted, keeps newer keys, unreadable files and other files", async () => {
    const root = tmp();
    const keys = new FileIdempotencyKeys(root, () => new Date(T0));
    expect(await keys.purge(new Date(T0 + 1))).toBe(0); // no folder yet
    await keys.record("old-1", 1);
    await keys.record("old-2", 2);
    const later = new FileIdempotencyKeys(root, () => new Date(T0 + 5000));
    await later.record("new", 3);
    const dir = path.join(root, ".idempotency");
    writeFileSync(path.join(dir, "garbage.json"), "{ not json");
    writeFileSync(path.join(dir, "no-time.json"), JSON.stringify({ key: "x", result: 1 }));
    writeFileSync(path.join(dir, "notes.txt"), JSON.stringify({ created_at: new Date(T0 - 1000).toISOString() }));
    expect(await keys.purge(new Date(T0))).toBe(0); // strictly before
    expect(await keys.purge(new Date(T0 + 1000))).toBe(2);
    expect(await later.get("new")).toBe(3);
    expect(readdirSync(dir).sort()).toEqual([`${createHash("sha256").update("new").digest("hex")}.json`, "garbage.json", "no-time.json", "notes.txt"].sort());
    await keys.forget("new");
    await keys.forget("never-there");
    expect(await keys.get("new")).toBeUndefined();
  });

  it("files: a half-written result file reads as never recorded", async () => {
    const root = tmp();
    const keys = new FileIdempotencyKeys(root);
    mkdirSync(path.join(root, ".idempotency"));
    writeFileSync(path.join(root, ".idempotency", `${createHash("sha256").update("k").digest("hex")}.json`), '{"key": "k", "res');
    expect(await keys.get("k")).toBeUndefined();
    expect(await keys.once("k", async () => "made")).toEqual({ result: "made", fresh: true });
  });
});

describe("the reverse-index keys (dependents.ts)", () => {
  it("OSV ecosystems for the datasources OSV covers; the datasource itself otherwise", () => {
    expect(["npm", "pypi", "crates", "go", "docker", "helm"].map(indexEcosystem)).toEqual(["npm", "PyPI", "crates.io", "Go", "docker", "helm"]);
    expect(["npm", "PyPI", "crates.io", "Go", "docker"].map(datasourceForEcosystem)).toEqual(["npm", "pypi", "crates", "go", "docker"]);
  });

  it("names are normalised per PEP 503 for PyPI only", () => {
    expect(dependentKey({ datasource: "pypi", name: "Zope.Interface__Extra" })).toEqual({ ecosystem: "PyPI", norm_name: "zope-interface-extra" });
    expect(dependentKey({ datasource: "npm", name: "@Babel/Core" })).toEqual({ ecosystem: "npm", norm_name: "@Babel/Core" });
  });

  it("a dependency is direct unless marked transitive or recorded with the lockfile-only value", () => {
    expect(isDirectDependency({ current_value: "^1.2.0" })).toBe(true);
    expect(isDirectDependency({ current_value: "^1.2.0", transitive: false })).toBe(true);
    expect(isDirectDependency({ current_value: "^1.2.0", transitive: "yes" })).toBe(true);
    expect(isDirectDependency({ current_value: "^1.2.0", transitive: true })).toBe(false);
    expect(isDirectDependency({ current_value: "(transitive)" })).toBe(false);
  });

  it("a ref: the repository lower-cased, the manifest's own name, the OSV ecosystem", () => {
    const d = { datasource: "pypi", name: "Django", version: "4.2.0", component: "api", file: "api/requirements.txt", dependency_type: "prod", current_value: "==4.2.0" };
    expect(dependentRef({ owner: "Acme", repo: "App" }, d)).toEqual({
      repo: { owner: "acme", repo: "app" },
      ecosystem: "PyPI",
      name: "Django",
      version: "4.2.0",
      component: "api",
      file: "api/requirements.txt",
      dependency_type: "prod",
      direct: true,
    });
  });

  it("lookups are ordered by repository, then component, file, name and version", () => {
    const ref = (owner: string, repo: string, component: string, file: string, name: string, version: string): DependentRef => ({
      repo: { owner, repo },
      ecosystem: "npm",
      name,
      version,
      component,
      file,
      dependency_type: "prod",
      direct: true,
    });
    const list = [
      ref("b", "a", "a", "a", "a", "1"),
      ref("a", "b", "a", "a", "a", "1"),
      ref("a", "a", "b", "a", "a", "1"),
      ref("a", "a", "a", "b", "a", "1"),
      ref("a", "a", "a", "a", "b", "1"),
      ref("a", "a", "a", "a", "a", "2"),
      ref("a", "a", "a", "a", "a", "1"),
    ];
    const key = (d: DependentRef) => [d.repo.owner, d.repo.repo, d.component, d.file, d.name, d.version].join("");
    expect([...list].sort(compareDependents).map(key)).toEqual(["aaaaa1", "aaaaa2", "aaaab1", "aaaba1", "aabaa1", "abaaa1", "baaaa1"]);
    expect(compareDependents(list[0]!, list[0]!)).toBe(0);
    expect(compareDependents(list[6]!, list[5]!)).toBe(-1);
    expect(compareDependents(list[5]!, list[6]!)).toBe(1);
  });
});

describe("storeAssessment", () => {
  it("stores issues, dependencies with their snapshot, health and its history, and drops gone components", async () => {
    const store = new FileStore({ root: tmp(), clock: () => new Date(T0) });
    const r = { owner: "acme", repo: "app" };
    await store.putComponentHealth(r, makeComponentHealth({ name: "old" }));
    await store.putComponentHealth(r, makeComponentHealth({ name: "api" }));
    const system = makeSystemHealth({ timestamp: new Date(T0).toISOString() });
    const a: Assessment = {
      system,
      components: [makeComponentHealth({ name: "api", health_score: 0.91 }), makeComponentHealth({ name: "ui" })],
      issues: [makeIssue({ id: "i1" })],
      dependencies: [makeDependency({ name: "zod" })],
      alerts: [],
      warnings: [],
    };
    await storeAssessment(store, r, a, "sha-1", "2026-05-31T12:00:00.000Z");
    expect((await store.getIssues(r)).map((i) => i.id)).toEqual(["i1"]);
    expect((await store.getDependencies(r)).map((d) => d.name)).toEqual(["zod"]);
    expect((await store.getDependencyHistory(r)).map((s) => [s.scanned_at, s.head_sha])).toEqual([["2026-05-31T12:00:00.000Z", "sha-1"]]);
    expect(await store.getSystemHealth(r)).toEqual(system);
    expect((await store.getHealthHistory(r)).map((h) => h.timestamp)).toEqual([system.timestamp]);
    expect((await store.listComponentHealth(r)).map((c) => [c.name, c.health_score])).toEqual([
      ["api", 0.91],
      ["ui", makeComponentHealth().health_score],
    ]);
  });
});

describe("openStore (factory)", () => {
  it("without a database URL: the FileStore itself in dataDir, with file idempotency keys on its clock and no shared parts", async () => {
    const dir = tmp();
    const store = await openStore({ dataDir: dir, clock: () => new Date(T0), retention: { health_days: 1 } });
    expect(store).toBeInstanceOf(FileStore);
    expect(store.kind).toBe("file");
    expect(store.httpCache).toBeNull();
    expect(store.runtime).toBeNull();
    expect(store.idempotency).toBeInstanceOf(FileIdempotencyKeys);
    await store.idempotency.record("k", 1);
    const [file] = readdirSync(path.join(dir, ".idempotency"));
    expect(JSON.parse(readFileSync(path.join(dir, ".idempotency", file!), "utf8")).created_at).toBe(new Date(T0).toISOString());
    // Retention from the options: a 2-day-old snapshot is pruned on the next append with health_days 1.
    const r = { owner: "acme", repo: "app" };
    await store.appendHealthHistory(r, makeSystemHealth({ timestamp: new Date(T0 - 2 * 86_400_000).toISOString() }));
    const kept = await store.appendHealthHistory(r, makeSystemHealth({ timestamp: new Date(T0).toISOString(), overall_status: "critical" }));
    expect(kept.map((h) => h.timestamp)).toEqual([new Date(T0).toISOString()]);
    await expect(store.close()).resolves.toBeUndefined();
  });

  it("a blank database URL is the file store; readOnly opens it read-only", async () => {
    const dir = tmp();
    const blank = await openStore({ databaseUrl: "   ", dataDir: dir });
    expect(blank.kind).toBe("file");
    const ro = await openStore({ databaseUrl: null, dataDir: dir, readOnly: true });
    await expect(ro.putScanState({ owner: "a", repo: "b" }, { head_sha: "x" })).rejects.toThrow(ReadOnlyStoreError);
    const rw = await openStore({ dataDir: dir });
    await expect(rw.putScanState({ owner: "a", repo: "b" }, { head_sha: "x" })).resolves.toBeUndefined();
  });
});

describe("file idempotency keys: the per-key lock", () => {
  it("a lock file left by a process on another host is broken once it is older than 30 s", async () => {
    const root = tmp();
    const keys = new FileIdempotencyKeys(root);
    const dir = path.join(root, ".idempotency");
    mkdirSync(dir);
    const lock = path.join(dir, `${createHash("sha256").update("k").digest("hex")}.json.lock`);
    writeFileSync(lock, JSON.stringify({ pid: 1, host: "another-host", at: "2026-01-01T00:00:00Z" }));
    const old = new Date(Date.now() - 31_000);
    utimesSync(lock, old, old);
    expect(await keys.record("k", 1)).toBe(true);
    expect(await keys.get("k")).toBe(1);
  }, 20_000);
});
