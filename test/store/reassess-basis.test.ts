/**
 * The stored form of the re-assessment basis (src/store/reassess-basis.ts): the lockfile packages as a
 * table of interned strings. A table whose indexes point outside it is refused as corrupt, a basis
 * stored before the table (plain `scan.locked`) is still read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/store/file-store.js";
import { lockedTableProblem, StoredReassessBasisSchema, decodeReassessBasis, type LockedTable, type ReassessBasis } from "../../src/store/reassess-basis.js";

// name, version, datasource, component, file, lockfile, depth, scope
const table = (over: Partial<LockedTable> = {}): LockedTable => ({
  strings: ["qs", "6.7.0", "npm", "web", "web/package.json", "package-lock.json", "prod", "express", "4.17.1"],
  rows: [0, 1, 2, 3, 4, 5, 2, 6],
  steps: [7, 8, -1, 0, 0, 1, -2, 1],
  graph: [[0, [[0, 1]], [0]]],
  ...over,
});

describe("lockedTableProblem", () => {
  it("accepts a table whose every index is in range", () => {
    expect(lockedTableProblem(table())).toBeNull();
  });
  it.each([
    ["a string index past the strings", { rows: [0, 1, 2, 3, 99, 5, 2, 6] }, /rows\[4\]/],
    ["a required string absent", { rows: [-1, 1, 2, 3, 4, 5, 2, 6] }, /rows\[0\]/],
    ["a partial row", { rows: [0, 1, 2, 3, 4, 5, 2] }, /rows/],
    ["a depth below -2", { rows: [0, 1, 2, 3, 4, 5, -3, 6] }, /depth/],
    ["a fractional index", { rows: [0.5, 1, 2, 3, 4, 5, 2, 6] }, /rows\[0\]/],
    ["a local flag other than 0, 1, 2", { steps: [7, 8, -1, 3, 0, 1, -2, 1] }, /local/],
    ["a requirement index below -2", { steps: [7, 8, -3, 0, 0, 1, -2, 1] }, /steps\[0\]/],
    ["a path step past the steps", { graph: [[0, [[0, 2]], null]] as LockedTable["graph"] }, /paths/],
    ["a parent step past the steps", { graph: [[0, null, [5]]] as LockedTable["graph"] }, /parents/],
    ["a graph row past the rows", { graph: [[1, null, null]] as LockedTable["graph"] }, /graph/],
    ["a string that is not one", { strings: ["qs", 1] as unknown as string[] }, /strings/],
  ])("refuses %s", (_, over, problem) => {
    expect(lockedTableProblem(table(over))).toMatch(problem);
  });
});

describe("stored basis", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const basis = (locked: unknown): ReassessBasis =>
    ({
      format: 1,
      head_sha: "a".repeat(40),
      tree_sha: null,
      scanned_at: "2026-06-01T00:00:00.000Z",
      config: {},
      config_errors: [],
      scan: { source: "x", commit_sha: null, components: [], dependencies: [], locked, files_scanned: 0, manifests: [] },
      workflow_files: [],
      text_findings: { drafts: [], examined: [] },
      codeowners: {},
      yanked: [],
    }) as unknown as ReassessBasis;
  const locked = [{ name: "qs", version: "6.7.0", datasource: "npm", component: "web", file: "web/package.json", lockfile: "package-lock.json", depth: 2, scope: "prod" }];

  it("a basis stored with plain lockfile packages (before the table) is read as it was", () => {
    const parsed = StoredReassessBasisSchema.parse(basis(locked));
    expect(decodeReassessBasis(parsed)).toEqual(basis(locked));
  });

  it("the file store writes the table, one line, and quarantines a basis whose table points outside itself", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "basis-"));
    dirs.push(root);
    const store = new FileStore({ root });
    const repo = { owner: "acme", repo: "app" };
    await store.putReassessBasis(repo, basis(locked));
    const file = path.join(root, "acme", "app", "reassess_basis.json");
    const text = readFileSync(file, "utf8");
    expect(text.trimEnd().split("\n")).toHaveLength(1);
    const doc = JSON.parse(text) as { scan: { locked?: unknown; locked_table: LockedTable } };
    expect(doc.scan.locked).toBeUndefined();
    expect(doc.scan.locked_table.rows).toHaveLength(8);
    expect(await store.getReassessBasis(repo)).toEqual(basis(locked));
    doc.scan.locked_table.rows[1] = 1000;
    writeFileSync(file, JSON.stringify(doc));
    expect(await store.getReassessBasis(repo)).toBeNull();
    expect(store.takeWarnings().map((w) => w.message).join("\n")).toMatch(/locked_table/);
  });
});
