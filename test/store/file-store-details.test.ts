/**
 * FileStore details the round-trip tests do not pin down (issue 18: mutation score of file-store.ts):
 * the exact warnings about damaged files, what is (not) written, listings, defaults.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore, ReadOnlyStoreError, StoreValidationError, dataDirFromEnv } from "../../src/store/index.js";
import type { StoreWarning } from "../../src/store/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeSystemHealth } from "../helpers/factories.js";

const repo = { owner: "acme", repo: "app" };
const DAY = 86_400_000;
const NOW = new Date("2026-06-01T12:00:00.000Z");
const STAMP = "2026-06-01T12-00-00-000Z";

let root: string;
const repoDir = (): string => path.join(root, "acme", "app");
const put = (name: string, text: string): string => {
  mkdirSync(path.dirname(path.join(repoDir(), name)), { recursive: true });
  writeFileSync(path.join(repoDir(), name), text);
  return path.join(repoDir(), name);
};
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-details-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("data directory", () => {
  it("an empty or blank COWABUNGA_DATA_DIR means ./data; a relative one is resolved", () => {
    expect(dataDirFromEnv({ COWABUNGA_DATA_DIR: "" })).toBe(path.resolve("data"));
    expect(dataDirFromEnv({ COWABUNGA_DATA_DIR: "   " })).toBe(path.resolve("data"));
    expect(dataDirFromEnv({ COWABUNGA_DATA_DIR: "rel/dir" })).toBe(path.join(process.cwd(), "rel", "dir"));
  });

  it("a relative root option is resolved against the working directory", () => {
    expect(new FileStore({ root: "some/where" }).root).toBe(path.join(process.cwd(), "some", "where"));
    expect(new FileStore({ root: "" }).root).toBe(dataDirFromEnv());
  });
});

describe("whole-file damage", () => {
  it("a non-JSON document: the exact warning, logged with the warning object", async () => {
    const logged: Array<[object, string]> = [];
    const store = new FileStore({ root, clock: () => NOW, logger: { warn: (o, m) => logged.push([o, m]) } });
    put("scan_state.json", "{oops");
    expect(await store.getScanState(repo)).toBeNull();
    const w = store.takeWarnings();
    expect(w).toHaveLength(1);
    expect(w[0]).toEqual({
      repo: "acme/app",
      file: "acme/app/scan_state.json",
      message: expect.stringMatching(
        new RegExp(`^acme/app/scan_state\\.json: not valid JSON \\(.+\\); moved aside to acme/app/scan_state\\.json\\.corrupt-${STAMP}, using an empty value$`),
      ),
      moved_to: `acme/app/scan_state.json.corrupt-${STAMP}`,
      scope: "file",
    });
    expect(logged).toEqual([[{ store_warning: w[0] }, w[0].message]]);
    expect(existsSync(path.join(repoDir(), "scan_state.json"))).toBe(false);
  });

  it("a list file that is not an array names what it found", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("health_history.json", "null");
    expect(await store.getHealthHistory(repo)).toEqual([]);
    put("dependency_history.json", '"text"');
    expect(await store.getDependencyHistory(repo)).toEqual([]);
    put("health_history.json", "{}");
    expect(await store.getHealthHistory(repo)).toEqual([]);
    const messages = store.takeWarnings().map((w) => w.message.replace(/; moved aside.*$/, ""));
    expect(messages).toEqual([
      "acme/app/health_history.json: expected a JSON array, found null",
      "acme/app/dependency_history.json: expected a JSON array, found string",
      "acme/app/health_history.json: expected a JSON array, found object",
    ]);
  });

  it("a list file that is not JSON is moved aside and reads empty", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("health_history.json", "[{");
    expect(await store.getHealthHistory(repo)).toEqual([]);
    const [w] = store.takeWarnings();
    expect(w.message).toMatch(/^acme\/app\/health_history\.json: not valid JSON \(/);
    expect(w.moved_to).toBe(`acme/app/health_history.json.corrupt-${STAMP}`);
    expect(readdirSync(repoDir())).toEqual([`health_history.json.corrupt-${STAMP}`]);
  });

  it("a document failing its schema lists at most five problems and counts the rest", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    // Seven issues each missing a required field: seven errors.
    put("maintenance_issues.json", JSON.stringify(Array.from({ length: 7 }, (_, i) => ({ ...makeIssue({ id: `i${i}` }), title: 5 }))));
    expect(await store.getIssues(repo)).toEqual([]);
    const [w] = store.takeWarnings();
    const shown = /does not match the schema \((.*)\); moved aside/.exec(w.message)?.[1] ?? "";
    expect(shown.split("; ").slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((i) => expect.stringContaining(`[${i}].title`)));
    expect(shown.endsWith("; and 2 more")).toBe(true);
    expect(w.message).not.toContain("[5].title");
  });

  it("exactly five schema problems are all shown, with no 'more'", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("maintenance_issues.json", JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ ...makeIssue({ id: `i${i}` }), title: 5 }))));
    await store.getIssues(repo);
    const [w] = store.takeWarnings();
    expect(w.message).toContain("[4].title");
    expect(w.message).not.toContain("more");
  });

  it("a third damaged file in the same instant gets the next free suffix", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    for (const text of ["a", "b", "c"]) {
      put("scan_state.json", text);
      await store.getScanState(repo);
    }
    const names = readdirSync(repoDir()).sort();
    expect(names).toEqual([`scan_state.json.corrupt-${STAMP}`, `scan_state.json.corrupt-${STAMP}-1`, `scan_state.json.corrupt-${STAMP}-2`]);
    expect(readFileSync(path.join(repoDir(), `scan_state.json.corrupt-${STAMP}-2`), "utf8")).toBe("c");
    expect(store.takeWarnings().map((w) => w.moved_to)).toEqual(names.map((n) => `acme/app/${n}`));
  });

  it("read-only: the warning says the file is left in place, and nothing moves", async () => {
    const store = new FileStore({ root, clock: () => NOW, readOnly: true });
    put("system_health.json", "[]");
    expect(await store.getSystemHealth(repo)).toBeNull();
    const [w] = store.takeWarnings();
    expect(w).toEqual({
      repo: "acme/app",
      file: "acme/app/system_health.json",
      message: expect.stringMatching(/^acme\/app\/system_health\.json: does not match the schema \(.*\); left in place \(read-only\)$/),
      moved_to: null,
      scope: "file",
    });
    expect(readdirSync(repoDir())).toEqual(["system_health.json"]);
  });

  it("a file that cannot be read for another reason than absence is an error, not an empty value", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    mkdirSync(path.join(repoDir(), "scan_state.json"), { recursive: true });
    await expect(store.getScanState(repo)).rejects.toMatchObject({ code: "EISDIR" });
    mkdirSync(path.join(repoDir(), "health_history.json"), { recursive: true });
    await expect(store.getHealthHistory(repo)).rejects.toMatchObject({ code: "EISDIR" });
    expect(store.takeWarnings()).toEqual([]);
  });
});

describe("bad entries of a list file", () => {
  const good = (d: number) => makeSystemHealth({ timestamp: new Date(NOW.getTime() - d * DAY).toISOString() });

  it("names up to five bad entries, counts the rest, and copies the file by content once", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const entries = [good(3), ...Array.from({ length: 7 }, () => ({ nope: true })), good(1)];
    const text = JSON.stringify(entries);
    put("health_history.json", text);
    expect((await store.getHealthHistory(repo)).map((h) => h.timestamp)).toEqual([good(3).timestamp, good(1).timestamp]);
    const [w] = store.takeWarnings();
    const copies = readdirSync(repoDir()).filter((f) => f.includes(".corrupt-"));
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/^health_history\.json\.corrupt-[0-9a-f]{12}$/);
    expect(w).toMatchObject({ repo: "acme/app", file: "acme/app/health_history.json", moved_to: `acme/app/${copies[0]}`, scope: "entries" });
    expect(w.message).toMatch(
      new RegExp(`^acme/app/health_history\\.json: dropped 7 bad entries \\(\\[1\\] [^;]+; \\[2\\] [^;]+; \\[3\\] [^;]+; \\[4\\] [^;]+; \\[5\\] [^;]+; and 2 more\\), kept 2; the whole file was copied to acme/app/${copies[0]}$`),
    );
    expect(w.message).not.toContain("[6]");

    // A second read of the same damage names the same copy and writes no other.
    await store.getHealthHistory(repo);
    const [again] = store.takeWarnings();
    expect(again.moved_to).toBe(`acme/app/${copies[0]}`);
    expect(readdirSync(repoDir()).filter((f) => f.includes(".corrupt-"))).toEqual(copies);
    expect(readFileSync(path.join(repoDir(), copies[0]), "utf8")).toBe(text);
  });

  it("an entry's problem shows at most two of its errors", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("health_history.json", JSON.stringify([{ ...good(1), timestamp: 1, overall_status: 2, components: 3 }]));
    await store.getHealthHistory(repo);
    const [w] = store.takeWarnings();
    // Errors are "<path>: <message>": the first two paths are named, the third is not.
    expect(w.message).toMatch(/\(\[0\] timestamp: .*, overall_status: .*\), kept 0/);
    expect(w.message).not.toContain("components");
  });

  it("read-only: the entries are dropped from the result, the file is neither copied nor changed", async () => {
    const store = new FileStore({ root, clock: () => NOW, readOnly: true });
    put("health_history.json", JSON.stringify([good(1), 42]));
    expect(await store.getHealthHistory(repo)).toHaveLength(1);
    const [w] = store.takeWarnings();
    expect(w.moved_to).toBeNull();
    expect(w.message).toMatch(/: dropped 1 bad entry \(\[1\] .*\), kept 1; file left as it is \(read-only\)$/);
    expect(readdirSync(repoDir())).toEqual(["health_history.json"]);
  });
});

describe("writes", () => {
  it("refusing an invalid document names the repository, the file and the field", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    await expect(store.putComponentHealth(repo, { ...makeComponentHealth({ name: "api" }), status: "??" } as never)).rejects.toThrow(
      /^refusing to write acme\/app\/component_health\/api\.json: .*status/,
    );
    await expect(store.putComponentHealth(repo, { ...makeComponentHealth({ name: "api" }), status: "??" } as never)).rejects.toBeInstanceOf(StoreValidationError);
  });

  it("read-only: every write is refused before touching the disk, naming what and where", async () => {
    const store = new FileStore({ root, clock: () => NOW, readOnly: true });
    await expect(store.putScanState(repo, { tree_sha: "t", head_sha: "h" })).rejects.toThrow(`refusing to change acme/app: the store at ${root} was opened read-only`);
    await expect(store.transaction(repo, async () => 1)).rejects.toBeInstanceOf(ReadOnlyStoreError);
    expect(readdirSync(root)).toEqual([]);
  });

  it("a document is written as two-space JSON with a final newline, with zod defaults filled", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const written = await store.updatePending(repo, () => [{ id: "n1", created_at: NOW.toISOString(), channel: "slack" }]);
    const text = readFileSync(path.join(repoDir(), "pending_notifications.json"), "utf8");
    expect(text).toBe(`${JSON.stringify(written, null, 2)}\n`);
    expect(JSON.parse(text)).toEqual(written);
    expect(text.startsWith('[\n  {\n    "id": "n1"')).toBe(true);
  });

  it("deleting a component removes only its file", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    await store.putComponentHealth(repo, makeComponentHealth({ name: "a" }));
    await store.putComponentHealth(repo, makeComponentHealth({ name: "b" }));
    await store.deleteComponentHealth(repo, "a");
    await store.deleteComponentHealth(repo, "never-there");
    expect(readdirSync(path.join(repoDir(), "component_health"))).toEqual(["b.json"]);
  });
});

describe("dependency snapshots", () => {
  it("a snapshot keeps the identifying fields of each dependency, the given scan time and commit", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const d = makeDependency({ name: "lodash", version: "4.17.21", latest_version: "4.17.21", component: "ui", file: "ui/package.json" });
    await store.putDependencies(repo, [d], { scanned_at: "2026-05-31T00:00:00.000Z", head_sha: "cafe" });
    expect(await store.getDependencyHistory(repo)).toEqual([
      {
        scanned_at: "2026-05-31T00:00:00.000Z",
        head_sha: "cafe",
        dependencies: [{ name: "lodash", package_manager: d.package_manager, component: "ui", file: "ui/package.json", version: "4.17.21", latest_version: "4.17.21" }],
      },
    ]);
  });

  it("without scan facts the snapshot takes the clock's time and no commit", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    await store.putDependencies(repo, [makeDependency()]);
    expect(await store.getDependencyHistory(repo)).toEqual([expect.objectContaining({ scanned_at: NOW.toISOString(), head_sha: null })]);
  });

  it("an unchanged scan does not rewrite the history file; a changed one does", async () => {
    let now = NOW;
    const store = new FileStore({ root, clock: () => now });
    await store.putDependencies(repo, [makeDependency({ version: "1.0.0" })]);
    const file = path.join(repoDir(), "dependency_history.json");
    const before = readFileSync(file, "utf8");
    const mtime = statSync(file).mtimeMs;
    writeFileSync(file, before.replace(/\n$/, "")); // a marker: a rewrite would restore the final newline
    now = new Date(NOW.getTime() + 3_600_000);
    await store.putDependencies(repo, [makeDependency({ version: "1.0.0" })]);
    expect(readFileSync(file, "utf8")).toBe(before.replace(/\n$/, ""));
    expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(mtime);
    await store.putDependencies(repo, [makeDependency({ version: "1.0.1" })]);
    expect((await store.getDependencyHistory(repo)).map((s) => s.dependencies[0].version)).toEqual(["1.0.0", "1.0.1"]);
  });

  it("a pruned history is rewritten even when the new scan is unchanged", async () => {
    let now = NOW;
    const store = new FileStore({ root, clock: () => now, retention: { dependency_history_days: 10 } });
    await store.putDependencies(repo, [makeDependency({ version: "1.0.0" })]);
    now = new Date(NOW.getTime() + DAY);
    await store.putDependencies(repo, [makeDependency({ version: "2.0.0" })]);
    // 20 days later the first snapshot is out of retention; the same versions again: one snapshot left.
    now = new Date(NOW.getTime() + 20 * DAY);
    await store.putDependencies(repo, [makeDependency({ version: "2.0.0" })]);
    expect((await store.getDependencyHistory(repo)).map((s) => s.dependencies[0].version)).toEqual(["2.0.0"]);
  });

  it("the same number of snapshots but a different one is rewritten", async () => {
    let now = NOW;
    const store = new FileStore({ root, clock: () => now, retention: { dependency_history_days: 10 } });
    await store.putDependencies(repo, [makeDependency({ version: "1.0.0" })]);
    // 20 days later the old snapshot is pruned and the new one added: one before, one after, but not the same one.
    now = new Date(NOW.getTime() + 20 * DAY);
    await store.putDependencies(repo, [makeDependency({ version: "3.0.0" })]);
    expect((await store.getDependencyHistory(repo)).map((s) => s.dependencies[0].version)).toEqual(["3.0.0"]);
  });
});

describe("retention options", () => {
  it("undefined fields of a retention option keep the defaults", async () => {
    let now = NOW;
    const store = new FileStore({ root, clock: () => now, retention: { health_days: undefined, records_days: undefined } });
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: new Date(NOW.getTime() - 29 * DAY).toISOString(), overall_status: "warning" }));
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: NOW.toISOString() }));
    // The default is 30 days: 29 days old is kept. With health_days undefined taken as 0 or NaN it would go.
    expect(await store.getHealthHistory(repo)).toHaveLength(2);
    now = new Date(NOW.getTime() + 2 * DAY);
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: now.toISOString(), overall_status: "critical" }));
    expect((await store.getHealthHistory(repo)).map((h) => h.overall_status)).toEqual(["healthy", "critical"]);
  });

  it("setRetention with an undefined field keeps the store's default for it", async () => {
    const store = new FileStore({ root, clock: () => NOW, retention: { health_days: 5 } });
    store.setRetention(repo, { health_days: undefined, issue_history_days: 1 });
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: new Date(NOW.getTime() - 6 * DAY).toISOString(), overall_status: "warning" }));
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: NOW.toISOString() }));
    expect((await store.getHealthHistory(repo)).map((h) => h.overall_status)).toEqual(["healthy"]);
    // Another repository keeps the store-wide retention, not this one's.
    const other = { owner: "acme", repo: "other" };
    await store.updateIssues(other, () => [makeIssue({ id: "old", status: "resolved", updated_at: new Date(NOW.getTime() - 3 * DAY).toISOString(), resolved_at: null })]);
    expect((await store.getIssues(other)).map((i) => i.id)).toEqual(["old"]);
    await store.updateIssues(repo, () => [makeIssue({ id: "old", status: "resolved", updated_at: new Date(NOW.getTime() - 3 * DAY).toISOString(), resolved_at: null })]);
    expect(await store.getIssues(repo)).toEqual([]);
  });

  it("retention is set per repository whatever the spelling of its name", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    store.setRetention({ owner: "ACME", repo: "App" }, { health_days: 1 });
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: new Date(NOW.getTime() - 2 * DAY).toISOString(), overall_status: "warning" }));
    await store.appendHealthHistory(repo, makeSystemHealth({ timestamp: NOW.toISOString() }));
    expect(await store.getHealthHistory(repo)).toHaveLength(1);
  });
});

describe("listings", () => {
  it("component listing skips files that are not .json and sorts by component name", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    await store.putComponentHealth(repo, makeComponentHealth({ name: "zeta" }));
    await store.putComponentHealth(repo, makeComponentHealth({ name: "Alpha" }));
    await store.putComponentHealth(repo, makeComponentHealth({ name: "a/b" }));
    put("component_health/README.md", "not a component");
    put("component_health/notes.json.bak", "{}");
    const names = (await store.listComponentHealth(repo)).map((c) => c.name);
    expect(names).toEqual(["a/b", "Alpha", "zeta"]);
    expect(store.takeWarnings()).toEqual([]);
  });

  it("a component file that is null or damaged is left out of the listing", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    await store.putComponentHealth(repo, makeComponentHealth({ name: "ok" }));
    put("component_health/empty.json", "null");
    put("component_health/broken.json", "{");
    expect((await store.listComponentHealth(repo)).map((c) => c.name)).toEqual(["ok"]);
    expect(store.takeWarnings().map((w) => w.file)).toEqual(["acme/app/component_health/broken.json"]);
  });

  it("a component folder that is a file is an error", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("component_health", "x");
    await expect(store.listComponentHealth(repo)).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it("repositories: sorted, the index folder, stray files and names GitHub cannot give are skipped", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    for (const r of [
      { owner: "zed", repo: "b" },
      { owner: "zed", repo: "a" },
      { owner: "acme", repo: "app" },
    ])
      await store.putScanState(r, { tree_sha: "t", head_sha: "h" });
    writeFileSync(path.join(root, "stray.txt"), "x");
    writeFileSync(path.join(root, "acme", "notes.txt"), "x");
    mkdirSync(path.join(root, "acme", "bad name"));
    mkdirSync(path.join(root, "-owner", "r"), { recursive: true });
    mkdirSync(path.join(root, "_index"), { recursive: true });
    mkdirSync(path.join(root, "_index", "x"), { recursive: true });
    expect(await store.listRepos()).toEqual([
      { owner: "acme", repo: "app" },
      { owner: "zed", repo: "a" },
      { owner: "zed", repo: "b" },
    ]);
  });

  it("a data directory that is a file is an error, a missing one lists nothing", async () => {
    expect(await new FileStore({ root: path.join(root, "missing") }).listRepos()).toEqual([]);
    writeFileSync(path.join(root, "file"), "x");
    await expect(new FileStore({ root: path.join(root, "file") }).listRepos()).rejects.toMatchObject({ code: "ENOTDIR" });
  });
});

describe("warnings", () => {
  it("takeWarnings hands each warning over once, in order", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("scan_state.json", "x");
    put("system_health.json", "y");
    await store.getScanState(repo);
    await store.getSystemHealth(repo);
    const w: StoreWarning[] = store.takeWarnings();
    expect(w.map((x) => x.file)).toEqual(["acme/app/scan_state.json", "acme/app/system_health.json"]);
    expect(store.takeWarnings()).toEqual([]);
  });
});

describe("more damage and edge cases", () => {
  const good = (d: number) => makeSystemHealth({ timestamp: new Date(NOW.getTime() - d * DAY).toISOString() });

  it("exactly five bad entries are all named and nothing is counted as more; two are 'entries'", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("health_history.json", JSON.stringify([good(1), 1, 2, 3, 4, 5]));
    await store.getHealthHistory(repo);
    const [five] = store.takeWarnings();
    expect(five.message).toMatch(/: dropped 5 bad entries \(\[1\] [^;]+; \[2\] [^;]+; \[3\] [^;]+; \[4\] [^;]+; \[5\] \(root\): expected object, got number 5\), kept 1; the whole file/);
    put("health_history.json", JSON.stringify([good(1), 1, 2]));
    await store.getHealthHistory(repo);
    const [two] = store.takeWarnings();
    expect(two.message).toMatch(/: dropped 2 bad entries \(\[1\] [^;]+; \[2\] \(root\): expected object, got number 2\), kept 1;/);
  });

  it("exactly five schema problems end the list without a count", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    put("maintenance_issues.json", JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ ...makeIssue({ id: `i${i}` }), title: 5 }))));
    await store.getIssues(repo);
    const [w] = store.takeWarnings();
    expect(w.message).toMatch(/\[4\]\.title: [^;()]+\); moved aside/);
  });

  it("an existing copy of a damaged list is never overwritten", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const text = JSON.stringify([good(1), 42]);
    put("health_history.json", text);
    const { createHash } = await import("node:crypto");
    const copy = `health_history.json.corrupt-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
    put(copy, "kept as it was");
    await store.getHealthHistory(repo);
    expect(readFileSync(path.join(repoDir(), copy), "utf8")).toBe("kept as it was");
    expect(store.takeWarnings()[0].moved_to).toBe(`acme/app/${copy}`);
  });

  it("after 100 taken names the damaged file cannot be moved aside; the warning says so and the read is empty", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    // The store tries <name>.corrupt-<stamp>, then -1 … -99: all taken here by non-empty folders.
    for (const suffix of ["", ...Array.from({ length: 99 }, (_, i) => `-${i + 1}`)]) put(`scan_state.json.corrupt-${STAMP}${suffix}/x`, "x");
    put("scan_state.json", "{bad");
    expect(await store.getScanState(repo)).toBeNull();
    const [w] = store.takeWarnings();
    expect(w.moved_to).toBeNull();
    expect(w.message).toMatch(/^acme\/app\/scan_state\.json: not valid JSON \(.*\); could not move it aside, using an empty value$/);
    expect(readFileSync(path.join(repoDir(), "scan_state.json"), "utf8")).toBe("{bad");
  });

  it("a lock left by another host and untouched for over 30 s is broken by default", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const lock = put(".lock", JSON.stringify({ pid: 1, host: "another-host", at: "2026-01-01T00:00:00.000Z" }));
    const { utimesSync } = await import("node:fs");
    const old = new Date(Date.now() - 40_000);
    utimesSync(lock, old, old);
    await store.putScanState(repo, { tree_sha: "t", head_sha: "h" });
    expect(await store.getScanState(repo)).toMatchObject({ tree_sha: "t" });
    expect(existsSync(lock)).toBe(false);
  });

  it("a damaged reverse index is reported through the logger, naming its file", async () => {
    await new FileStore({ root, clock: () => NOW }).putDependencies(repo, [makeDependency({ name: "lodash", datasource: "npm", package_manager: "npm" })]);
    writeFileSync(path.join(root, "_index", "dependents.json"), "{not json");
    const logged: Array<[object, string]> = [];
    const store = new FileStore({ root, clock: () => NOW, logger: { warn: (o, m) => logged.push([o, m]) } });
    const found = await store.findDependents({ ecosystem: "npm", name: "lodash" });
    expect(found.map((f) => `${f.repo.owner}/${f.repo.repo}`)).toEqual(["acme/app"]);
    expect(logged).toEqual([[{ file: "_index/dependents.json" }, expect.stringMatching(/^_index\/dependents\.json unreadable \(.*\): rebuilding it/)]]);
  });

  it("rebuildDependentsIndex rebuilds the index from the stored dependencies", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    await store.putDependencies(repo, [makeDependency({ name: "lodash" })]);
    rmSync(path.join(root, "_index"), { recursive: true, force: true });
    await store.rebuildDependentsIndex();
    expect(existsSync(path.join(root, "_index", "dependents.json"))).toBe(true);
    expect((await store.dependentsIndexStats()).entries).toBeGreaterThan(0);
  });

  it("older snapshots are compacted to the last of their UTC day", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const at = (iso: string, v: string) => store.putDependencies(repo, [makeDependency({ version: v })], { scanned_at: iso });
    await at("2026-05-01T08:00:00.000Z", "1.0.0");
    await at("2026-05-01T20:00:00.000Z", "1.0.1");
    await at("2026-05-31T08:00:00.000Z", "1.0.2");
    expect((await store.getDependencyHistory(repo)).map((s) => s.dependencies[0].version)).toEqual(["1.0.1", "1.0.2"]);
  });

  it("a back-filled snapshot that replaces its day's earlier one is written, though the count is unchanged", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const at = (iso: string, v: string) => store.putDependencies(repo, [makeDependency({ version: v })], { scanned_at: iso });
    await at("2026-05-01T08:00:00.000Z", "1.0.0");
    await at("2026-05-10T08:00:00.000Z", "1.0.1");
    // Same UTC day as the second, later, changed: the second gives way to it.
    await at("2026-05-10T20:00:00.000Z", "1.0.2");
    expect((await store.getDependencyHistory(repo)).map((s) => [s.scanned_at, s.dependencies[0].version])).toEqual([
      ["2026-05-01T08:00:00.000Z", "1.0.0"],
      ["2026-05-10T20:00:00.000Z", "1.0.2"],
    ]);
  });

  it("errors carry their own names", () => {
    expect(new StoreValidationError("x").name).toBe("StoreValidationError");
    expect(new ReadOnlyStoreError("x").name).toBe("ReadOnlyStoreError");
  });
});
