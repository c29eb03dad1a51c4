/**
 * reassess-basis.ts one behaviour per test (issue 18: src/store/). Oracles: its doc comments (lockfile
 * packages kept with paths and parents up to MAX_LOCKED_WITH_PATHS, bare beyond; one index row per
 * package version and repository, lockfile-only; the basis shape checked on read and write).
 */
import { describe, expect, it } from "vitest";
import type { LockedPackage } from "../../src/scan/types.js";
import { MAX_LOCKED_WITH_PATHS, REASSESS_BASIS_FORMAT, ReassessBasisSchema, basisLocked, lockedIndexRows, materialiseLocked } from "../../src/store/reassess-basis.js";

const step = (name: string) => ({ name, version: "1.0.0", requirement: "^1.0.0" });
function locked(over: Partial<LockedPackage> = {}): LockedPackage {
  return { name: "minimist", version: "1.2.5", datasource: "npm", component: "app", file: "package.json", ...over };
}

describe("basisLocked and materialiseLocked", () => {
  it("a graph-attributed package becomes a plain value with its paths and parents (read through getters)", () => {
    let reads = 0;
    const lazy = locked({ lockfile: "package-lock.json", depth: 2, scope: "dev" });
    Object.defineProperty(lazy, "paths", { enumerable: false, get: () => (reads++, [[step("mkdirp"), step("minimist")]]) });
    Object.defineProperty(lazy, "parents", { enumerable: false, get: () => (reads++, [step("mkdirp")]) });
    const plain = materialiseLocked(lazy as unknown as LockedPackage);
    expect(reads).toBe(2);
    expect(Object.getOwnPropertyDescriptor(plain, "paths")?.get).toBeUndefined();
    expect(JSON.parse(JSON.stringify(plain))).toEqual({
      name: "minimist",
      version: "1.2.5",
      datasource: "npm",
      component: "app",
      file: "package.json",
      lockfile: "package-lock.json",
      depth: 2,
      scope: "dev",
      paths: [[step("mkdirp"), step("minimist")]],
      parents: [step("mkdirp")],
    });
  });

  it("absent attributes stay absent; a null depth (no recorded path) is kept", () => {
    expect(Object.keys(materialiseLocked(locked()))).toEqual(["name", "version", "datasource", "component", "file"]);
    expect(materialiseLocked(locked({ depth: null }))).toEqual({ ...locked(), depth: null });
    expect(materialiseLocked(locked({ depth: 0 }))).toEqual({ ...locked(), depth: 0 });
  });

  it(`up to ${MAX_LOCKED_WITH_PATHS} packages keep their paths; one more and every package is kept bare`, () => {
    const full = (i: number) => locked({ name: `p${i}`, lockfile: "yarn.lock", depth: 1, scope: "prod", paths: [[step(`p${i}`)]], parents: [] });
    const atLimit = basisLocked(Array.from({ length: MAX_LOCKED_WITH_PATHS }, (_, i) => full(i)));
    expect(atLimit).toHaveLength(MAX_LOCKED_WITH_PATHS);
    expect(atLimit[0]).toEqual(full(0));
    const over = basisLocked(Array.from({ length: MAX_LOCKED_WITH_PATHS + 1 }, (_, i) => full(i)));
    expect(over).toHaveLength(MAX_LOCKED_WITH_PATHS + 1);
    expect(over[0]).toEqual({ name: "p0", version: "1.2.5", datasource: "npm", component: "app", file: "package.json", lockfile: "yarn.lock", depth: 1, scope: "prod" });
    expect(over.every((l) => l.paths === undefined && l.parents === undefined)).toBe(true);
    // Bare, absent attributes stay absent.
    const bare = basisLocked([...Array.from({ length: MAX_LOCKED_WITH_PATHS }, (_, i) => full(i)), locked({ depth: null })]);
    expect(Object.keys(bare.at(-1)!)).toEqual(["name", "version", "datasource", "component", "file", "depth"]);
    expect(MAX_LOCKED_WITH_PATHS).toBe(5_000);
  });
});

describe("lockedIndexRows", () => {
  it("no basis: no rows", () => {
    expect(lockedIndexRows(null)).toEqual([]);
  });

  it("one lockfile-only row per package version, named by its lockfile, scope as the dependency type (prod by default)", () => {
    const scan = {
      locked: [
        locked({ component: "web", file: "web/package.json", lockfile: "web/package-lock.json", scope: "dev" }),
        locked({ component: "api", file: "api/package.json", lockfile: "api/package-lock.json" }),
        locked({ version: "1.2.6", component: "api", file: "api/package.json" }),
        locked({ datasource: "pypi", name: "minimist" }),
      ],
    };
    expect(lockedIndexRows({ scan } as never)).toEqual([
      { datasource: "npm", name: "minimist", version: "1.2.5", component: "web", file: "web/package-lock.json", dependency_type: "dev", current_value: "(transitive)" },
      { datasource: "npm", name: "minimist", version: "1.2.6", component: "api", file: "api/package.json", dependency_type: "prod", current_value: "(transitive)" },
      { datasource: "pypi", name: "minimist", version: "1.2.5", component: "app", file: "package.json", dependency_type: "prod", current_value: "(transitive)" },
    ]);
  });
});

describe("ReassessBasisSchema", () => {
  const basis = () => ({
    format: REASSESS_BASIS_FORMAT,
    head_sha: "abc",
    tree_sha: null,
    scanned_at: "2026-06-01T00:00:00Z",
    config: {},
    config_errors: [],
    scan: { components: [], dependencies: [], locked: [locked()], manifests: ["package.json"], extra: 1 },
    workflow_files: [],
    text_findings: { drafts: [], examined: [] },
    codeowners: { CODEOWNERS: "* @acme/team" },
    yanked: [],
  });

  it("accepts a basis of format 1 and keeps unknown fields", () => {
    const r = ReassessBasisSchema.safeParse({ ...basis(), future: true });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({ future: true, scan: { extra: 1 } });
    expect(REASSESS_BASIS_FORMAT).toBe(1);
  });

  it("refuses another format, an empty head, and a locked package without its fields", () => {
    expect(ReassessBasisSchema.safeParse({ ...basis(), format: 2 }).success).toBe(false);
    expect(ReassessBasisSchema.safeParse({ ...basis(), head_sha: "" }).success).toBe(false);
    const b = basis();
    expect(ReassessBasisSchema.safeParse({ ...b, scan: { ...b.scan, locked: [{ name: "x", version: "1" }] } }).success).toBe(false);
    expect(ReassessBasisSchema.safeParse({ ...b, codeowners: { CODEOWNERS: 5 } }).success).toBe(false);
  });
});
