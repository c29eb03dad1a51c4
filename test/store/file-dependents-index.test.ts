/**
 * FileDependentsIndex on its own (issue 18: src/store/file-dependents.ts), with the store's reads
 * replaced by a map. Oracles: the class's doc comment (a journal of changed repositories folded in at
 * lookup, a missing or unreadable index rebuilt from the stored dependencies, derived data only) and
 * the reverse-index contract of dependents.ts.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync, mkdirSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { IndexedDependency } from "../../src/store/dependents.js";
import { FileDependentsIndex, INDEX_DIR, rowsOf } from "../../src/store/file-dependents.js";
import type { RepoRef } from "../../src/store/types.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "cowabunga-dependents-"));
  dirs.push(d);
  return d;
}
const dep = (name: string, version: string, over: Partial<IndexedDependency> = {}): IndexedDependency => ({
  datasource: "npm",
  name,
  version,
  component: "app",
  file: "package.json",
  dependency_type: "prod",
  current_value: `^${version}`,
  ...over,
});

/** An index over a map of repository → dependencies, counting the store reads it makes. */
function harness(root = tmp()) {
  const data = new Map<string, IndexedDependency[]>();
  const reads: string[] = [];
  const warnings: string[] = [];
  const make = () =>
    new FileDependentsIndex({
      root,
      readDependencies: async (r: RepoRef) => {
        reads.push(`${r.owner}/${r.repo}`);
        return data.get(`${r.owner}/${r.repo}`) ?? [];
      },
      listRepos: async () => [...data.keys()].sort().map((k) => ({ owner: k.split("/")[0]!, repo: k.split("/")[1]! })),
      lockStaleMs: 30_000,
      lockTimeoutMs: 5_000,
      onWarning: (m) => warnings.push(m),
    });
  return { root, data, reads, warnings, index: make(), make };
}

describe("FileDependentsIndex", () => {
  it("with no index yet, the first lookup builds it from every repository; the answer is sorted", async () => {
    const h = harness();
    h.data.set("acme/b", [dep("lodash", "4.17.21")]);
    h.data.set("acme/a", [dep("lodash", "4.17.20"), dep("react", "18.0.0")]);
    const hits = await h.index.find({ ecosystem: "npm", name: "lodash" });
    expect(hits).toEqual([
      { repo: { owner: "acme", repo: "a" }, ecosystem: "npm", name: "lodash", version: "4.17.20", component: "app", file: "package.json", dependency_type: "prod", direct: true },
      { repo: { owner: "acme", repo: "b" }, ecosystem: "npm", name: "lodash", version: "4.17.21", component: "app", file: "package.json", dependency_type: "prod", direct: true },
    ]);
    expect(h.reads.sort()).toEqual(["acme/a", "acme/b"]);
    expect(await h.index.find({ ecosystem: "npm", name: "left-pad" })).toEqual([]);
    // Same name in another ecosystem is another package.
    expect(await h.index.find({ ecosystem: "PyPI", name: "lodash" })).toEqual([]);
  });

  it("later lookups read only the repositories the journal names, and drop a repository whose dependencies are gone", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "4.17.20")]);
    h.data.set("acme/b", [dep("lodash", "4.17.21")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    h.reads.length = 0;
    expect(await h.index.find({ ecosystem: "npm", name: "lodash" })).toHaveLength(2);
    expect(h.reads).toEqual([]);
    h.data.set("acme/a", [dep("lodash", "4.17.21")]);
    h.data.set("acme/b", []);
    await h.index.markChanged("acme/a");
    await h.index.markChanged("acme/b");
    await h.index.markChanged("acme/a");
    expect((await h.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => `${d.repo.repo}@${d.version}`)).toEqual(["a@4.17.21"]);
    expect(h.reads.sort()).toEqual(["acme/a", "acme/b"]);
    const doc = JSON.parse(readFileSync(path.join(h.root, INDEX_DIR, "dependents.json"), "utf8"));
    expect(Object.keys(doc.repos)).toEqual(["acme/a"]);
    // The journal was folded in and removed.
    expect(readdirSync(path.join(h.root, INDEX_DIR)).filter((f) => f.startsWith("dependents.journal"))).toEqual([]);
  });

  it("a journal line that is not owner/repo is ignored; a fold left over by a killed process is still folded in", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    h.reads.length = 0;
    h.data.set("acme/a", [dep("lodash", "2.0.0")]);
    h.data.set("acme/c", [dep("lodash", "3.0.0")]);
    const dir = path.join(h.root, INDEX_DIR);
    writeFileSync(path.join(dir, "dependents.journal.999.1.folding"), "acme/c\n");
    appendFileSync(path.join(dir, "dependents.journal"), "not a repo\n../x/y\nacme/a\n\nx/y/z\n");
    expect((await h.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => `${d.repo.repo}@${d.version}`)).toEqual(["a@2.0.0", "c@3.0.0"]);
    expect(h.reads.sort()).toEqual(["acme/a", "acme/c"]);
    expect(readdirSync(dir).filter((f) => f.includes("journal"))).toEqual([]);
  });

  it("an unreadable index is rebuilt with a warning; so is one of an unknown format", async () => {
    for (const bad of ["{ not json", JSON.stringify({ format: 2, repos: {} }), JSON.stringify({ format: 1, repos: null }), JSON.stringify({ format: 1 }), "null"]) {
      const h = harness();
      h.data.set("acme/a", [dep("lodash", "1.0.0")]);
      await h.index.find({ ecosystem: "npm", name: "lodash" });
      writeFileSync(path.join(h.root, INDEX_DIR, "dependents.json"), bad);
      await h.index.markChanged("acme/a");
      const fresh = h.make();
      expect(await fresh.find({ ecosystem: "npm", name: "lodash" })).toHaveLength(1);
      expect(h.warnings).toHaveLength(1);
      expect(h.warnings[0]).toMatch(/^_index\/dependents\.json unreadable \(.+\): rebuilding it from the stored dependencies$/);
      expect(JSON.parse(readFileSync(path.join(h.root, INDEX_DIR, "dependents.json"), "utf8")).format).toBe(1);
    }
  });

  it("an unreadable index with an empty journal is rebuilt too", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    writeFileSync(path.join(h.root, INDEX_DIR, "dependents.json"), JSON.stringify({ format: 7, repos: {} }));
    expect(await h.make().find({ ecosystem: "npm", name: "lodash" })).toHaveLength(1);
    expect(h.warnings[0]).toContain("unknown format 7");
  });

  it("the index is re-read when another process rewrote it", async () => {
    const root = tmp();
    const a = harness(root);
    const b = harness(root);
    a.data.set("acme/a", [dep("lodash", "1.0.0")]);
    b.data.set("acme/a", [dep("lodash", "1.0.0")]);
    expect(await a.index.find({ ecosystem: "npm", name: "lodash" })).toHaveLength(1);
    b.data.set("acme/z", [dep("lodash", "9.0.0")]);
    await b.index.markChanged("acme/z");
    expect(await b.index.find({ ecosystem: "npm", name: "lodash" })).toHaveLength(2);
    // a folds nothing itself (the journal is empty) but sees b's rewrite.
    expect((await a.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => d.repo.repo)).toEqual(["a", "z"]);
  });

  it("rebuild() starts over from every repository", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    h.data.set("acme/a", [dep("lodash", "2.0.0")]);
    h.data.set("acme/new", [dep("lodash", "3.0.0")]);
    await h.index.rebuild();
    expect((await h.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => d.version)).toEqual(["2.0.0", "3.0.0"]);
  });

  it("stats: rows, distinct packages and the index file's size", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0"), dep("react", "18.0.0")]);
    h.data.set("acme/b", [dep("lodash", "1.0.0"), dep("Django", "4.2.0", { datasource: "pypi" }), dep("django", "4.2.0", { datasource: "pypi", file: "b/requirements.txt" })]);
    const s = await h.index.stats();
    expect(s).toEqual({ entries: 5, packages: 3, bytes: statSync(path.join(h.root, INDEX_DIR, "dependents.json")).size });
    expect(s.bytes).toBeGreaterThan(0);
  });

  it("PyPI lookups compare PEP 503 names; the stored name is the manifest's", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("Zope.Interface", "5.0", { datasource: "pypi", file: "requirements.txt" })]);
    expect((await h.index.find({ ecosystem: "PyPI", name: "zope_interface" })).map((d) => [d.name, d.ecosystem])).toEqual([["Zope.Interface", "PyPI"]]);
  });

  it("its folder is created when missing, even for markChanged", async () => {
    const h = harness();
    await h.index.markChanged("acme/a");
    expect(readFileSync(path.join(h.root, INDEX_DIR, "dependents.journal"), "utf8")).toBe("acme/a\n");
  });

  it("an index that cannot be read for another reason than absence is an error, not a rebuild", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    const file = path.join(h.root, INDEX_DIR, "dependents.json");
    rmSync(file);
    mkdirSync(file); // a directory where the file should be: EISDIR
    await expect(h.make().find({ ecosystem: "npm", name: "lodash" })).rejects.toThrow(/EISDIR/);
  });
});

describe("rowsOf", () => {
  it("one row per distinct package entry, a lockfile-only one marked not direct", () => {
    const r = { owner: "acme", repo: "a" };
    const rows = rowsOf(
      [
        dep("lodash", "1.0.0"),
        dep("lodash", "1.0.0"),
        dep("lodash", "1.0.0", { current_value: "(transitive)" }),
        dep("Django", "4.2.0", { datasource: "pypi", dependency_type: "dev" }),
      ],
      r,
    );
    expect(rows).toEqual([
      ["npm", "lodash", "lodash", "1.0.0", "app", "package.json", "prod", true],
      ["npm", "lodash", "lodash", "1.0.0", "app", "package.json", "prod", false],
      ["PyPI", "django", "Django", "4.2.0", "app", "package.json", "dev", true],
    ]);
  });
});

describe("FileDependentsIndex: more cases", () => {
  it("a repository folded in later still comes out in repository order", async () => {
    const h = harness();
    h.data.set("acme/b", [dep("lodash", "1.0.0")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    h.data.set("acme/0", [dep("lodash", "2.0.0")]);
    await h.index.markChanged("acme/0");
    expect((await h.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => d.repo.repo)).toEqual(["0", "b"]);
  });

  it("a lookup with nothing to fold does not rewrite the index", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    const file = path.join(h.root, INDEX_DIR, "dependents.json");
    const before = statSync(file).ino;
    await h.make().find({ ecosystem: "npm", name: "lodash" });
    expect(statSync(file).ino).toBe(before);
  });

  it("the in-memory index is re-read when the file's size or its time changed", async () => {
    const root = tmp();
    const a = harness(root);
    const b = harness(root);
    for (const h of [a, b]) h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    await a.index.find({ ecosystem: "npm", name: "lodash" });
    const file = path.join(root, INDEX_DIR, "dependents.json");
    const t0 = statSync(file).mtime;
    // Same size, another time: 1.0.0 -> 2.0.0.
    b.data.set("acme/a", [dep("lodash", "2.0.0")]);
    await b.index.markChanged("acme/a");
    await b.index.find({ ecosystem: "npm", name: "lodash" });
    const later = new Date(t0.getTime() + 5_000);
    utimesSync(file, later, later);
    expect((await a.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => d.version)).toEqual(["2.0.0"]);
    // Another size, the same time as a last saw.
    b.data.set("acme/a", [dep("lodash", "10.0.0")]);
    await b.index.markChanged("acme/a");
    await b.index.find({ ecosystem: "npm", name: "lodash" });
    utimesSync(file, later, later);
    expect((await a.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => d.version)).toEqual(["10.0.0"]);
  });

  it("a stale index lock (another host, older than lockStaleMs) is broken", async () => {
    const root = tmp();
    const index = new FileDependentsIndex({ root, readDependencies: async () => [dep("lodash", "1.0.0")], listRepos: async () => [{ owner: "acme", repo: "a" }], lockStaleMs: 1_000, lockTimeoutMs: 5_000 });
    mkdirSync(path.join(root, INDEX_DIR));
    const lock = path.join(root, INDEX_DIR, ".lock");
    writeFileSync(lock, JSON.stringify({ pid: 1, host: "another-host", at: "2020-01-01T00:00:00Z" }));
    const old = new Date(Date.now() - 10_000);
    utimesSync(lock, old, old);
    expect(await index.find({ ecosystem: "npm", name: "lodash" })).toHaveLength(1);
  }, 20_000);

  it("an unreadable index without an onWarning listener is rebuilt quietly; a 'null' index is of unknown format", async () => {
    const root = tmp();
    const warnings: string[] = [];
    const opts = { root, readDependencies: async () => [dep("lodash", "1.0.0")], listRepos: async () => [{ owner: "acme", repo: "a" }], lockStaleMs: 30_000, lockTimeoutMs: 5_000 };
    await new FileDependentsIndex(opts).find({ ecosystem: "npm", name: "lodash" });
    writeFileSync(path.join(root, INDEX_DIR, "dependents.json"), "null");
    expect(await new FileDependentsIndex({ ...opts, onWarning: (m) => warnings.push(m) }).find({ ecosystem: "npm", name: "lodash" })).toHaveLength(1);
    expect(warnings).toEqual(["_index/dependents.json unreadable (unknown format undefined): rebuilding it from the stored dependencies"]);
    writeFileSync(path.join(root, INDEX_DIR, "dependents.json"), "{ not json");
    expect(await new FileDependentsIndex(opts).find({ ecosystem: "npm", name: "lodash" })).toHaveLength(1);
  });

  it("an index that cannot be read (not absent) fails the read itself, with no rebuild attempted", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    await h.index.find({ ecosystem: "npm", name: "lodash" });
    const file = path.join(h.root, INDEX_DIR, "dependents.json");
    rmSync(file);
    mkdirSync(file);
    await expect(h.make().find({ ecosystem: "npm", name: "lodash" })).rejects.toMatchObject({ code: "EISDIR", syscall: "read" });
    expect(h.warnings).toEqual([]);
  });

  it("only dependents.journal.*.folding files are folded in and removed; other files stay", async () => {
    const h = harness();
    h.data.set("acme/a", [dep("lodash", "1.0.0")]);
    h.data.set("acme/x", [dep("lodash", "9.0.0")]);
    await h.index.rebuild();
    h.data.set("acme/a", [dep("lodash", "2.0.0")]);
    h.data.set("acme/x", [dep("lodash", "9.9.9")]);
    const dir = path.join(h.root, INDEX_DIR);
    writeFileSync(path.join(dir, "dependents.journal.backup"), "acme/x\n");
    writeFileSync(path.join(dir, "other.folding"), "acme/x\n");
    await h.index.markChanged("acme/a");
    h.reads.length = 0;
    expect((await h.index.find({ ecosystem: "npm", name: "lodash" })).map((d) => d.version)).toEqual(["2.0.0", "9.0.0"]);
    expect(h.reads).toEqual(["acme/a"]);
    expect(readdirSync(dir).sort()).toEqual([".lock", "dependents.journal.backup", "dependents.json", "other.folding"].filter((f) => f !== ".lock").sort());
  });
});
