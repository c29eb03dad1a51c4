/**
 * PgStore corners left by the mutation run of src/store/pg/pg-store.ts on 6 December 2026 (issue 18).
 * Each store is made inside its test: the list tables' specs (labels, columns) are built with the store.
 * Oracles: docs/notes/pg-store.md (reads never throw: a bad row is moved to store_quarantine, reported
 * with its problems, and left out; refused writes name the repository and what was written), the Store
 * contract (getDependenciesOfPackages lists repositories that have stored dependencies of the packages),
 * and counts made by hand from the rows written here.
 */
import { describe, expect, it } from "vitest";
import { StoreValidationError, UnsafeNameError } from "../../src/store/index.js";
import type { ComponentHealth } from "../../src/model/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeSystemHealth } from "../helpers/factories.js";
import { postgresAvailable } from "../helpers/services.js";
import { migratedTestDatabase } from "../helpers/pg-stores.js";

const ok = await postgresAvailable("PgStore survivors");
const NOW = new Date("2026-06-01T00:00:00.000Z");

describe.skipIf(!ok)("PgStore survivors", () => {
  const pgdb = migratedTestDatabase("pg_store_surv", NOW);
  const open = pgdb.open;

  it("refused list writes name the repository and the list", async () => {
    const store = open();
    const r = { owner: "refuse", repo: "a" };
    await expect(store.updateIssues(r, () => [makeIssue({ id: "x" }), makeIssue({ id: "x" })])).rejects.toThrow('refusing to write refuse/a/issues: [1].id: duplicate id "x"');
    await expect(store.updateRecords(r, () => [{ id: "" } as never])).rejects.toThrow(/^refusing to write refuse\/a\/maintenance_records/);
    await expect(store.updatePending(r, () => [{ id: "p" } as never])).rejects.toThrow(/^refusing to write refuse\/a\/pending_notifications/);
  });

  it("a pending notification's created_at is written to its column", async () => {
    const store = open();
    await store.updatePending({ owner: "pendcol", repo: "a" }, () => [{ id: "n1", created_at: "2026-05-31T12:00:00Z" }]);
    const { rows } = await pgdb.admin.query<{ created_at: Date }>("SELECT p.created_at FROM pending_notifications p JOIN repos x ON x.id = p.repo_id WHERE x.owner = 'pendcol'");
    expect(rows.map((x) => x.created_at.toISOString())).toEqual(["2026-05-31T12:00:00.000Z"]);
  });

  it("a refused assessment or component list names the part that failed", async () => {
    const store = open();
    const r = { owner: "assess", repo: "a" };
    const good = { issues: [], dependencies: [makeDependency()], scan: {}, system: makeSystemHealth(), components: [makeComponentHealth({ name: "api" })] };
    await expect(store.putAssessment(r, { ...good, dependencies: [{ name: "x" } as never] })).rejects.toThrow(/^refusing to write assess\/a\/dependencies/);
    await expect(store.putAssessment(r, { ...good, system: { overall_status: "fine" } as never })).rejects.toThrow(/^refusing to write assess\/a\/system_health/);
    const badComponent = { ...makeComponentHealth({ name: "api" }), health_score: 7 } as ComponentHealth;
    await expect(store.replaceComponentHealth(r, [badComponent])).rejects.toThrow(/^refusing to write assess\/a\/component_health\/api/);
    await expect(store.replaceComponentHealth(r, [undefined as never])).rejects.toThrow(UnsafeNameError);
    // Nothing of the refused writes is stored.
    expect(await store.getDependencies(r)).toEqual([]);
  });

  it("a repository whose only matching dependency row fails its schema is not listed; the row is moved aside", async () => {
    const store = open();
    const r = { owner: "bydeps", repo: "a" };
    await store.putDependencies(r, [makeDependency({ name: "requests", datasource: "pypi" })]);
    expect((await store.getDependenciesOfPackages([{ ecosystem: "PyPI", name: "requests" }])).map((x) => x.repo)).toEqual([r]);
    await pgdb.admin.query(`UPDATE dependencies d SET doc = d.doc || '{"version": 5}'::jsonb FROM repos x WHERE x.id = d.repo_id AND x.owner = 'bydeps'`);
    expect(await store.getDependenciesOfPackages([{ ecosystem: "PyPI", name: "requests" }])).toEqual([]);
    const [w] = store.takeWarnings();
    expect(w).toMatchObject({ repo: "bydeps/a", file: "dependencies/0", moved_to: expect.stringMatching(/^store_quarantine\/\d+$/) });
    const q = await pgdb.admin.query("SELECT table_name, row_key FROM store_quarantine q JOIN repos x ON x.id = q.repo_id WHERE x.owner = 'bydeps'");
    expect(q.rows).toEqual([{ table_name: "dependencies", row_key: "0" }]);
  });

  it("one component's health read back failing its schema is moved aside, named by the component", async () => {
    const store = open();
    const r = { owner: "onecomp", repo: "a" };
    await store.putComponentHealth(r, makeComponentHealth({ name: "api" }));
    await pgdb.admin.query(`UPDATE component_health c SET doc = '{"name": "api"}'::jsonb FROM repos x WHERE x.id = c.repo_id AND x.owner = 'onecomp'`);
    expect(await store.getComponentHealth(r, "api")).toBeNull();
    const [w] = store.takeWarnings();
    expect(w).toMatchObject({ repo: "onecomp/a", file: "component_health/api", moved_to: expect.stringMatching(/^store_quarantine\/\d+$/) });
    const q = await pgdb.admin.query("SELECT table_name, row_key FROM store_quarantine q JOIN repos x ON x.id = q.repo_id WHERE x.owner = 'onecomp'");
    expect(q.rows).toEqual([{ table_name: "component_health", row_key: "api" }]);
  });

  it("the warning shows five problems and counts the others exactly", async () => {
    const store = open();
    const r = { owner: "count", repo: "a" };
    await store.putDependencies(r, [makeDependency({ name: "five" }), makeDependency({ name: "seven" })]);
    // Five fields of the wrong type: five problems, none left to count. Seven: five shown, "and 2 more".
    await pgdb.admin.query(`UPDATE dependencies d SET doc = d.doc || '{"version": 1, "package_manager": 2, "component": 3, "file": 4, "current_value": 5}'::jsonb FROM repos x WHERE x.id = d.repo_id AND x.owner = 'count' AND d.position = 0`);
    await pgdb.admin.query(`UPDATE dependencies d SET doc = d.doc || '{"version": 1, "package_manager": 2, "component": 3, "file": 4, "current_value": 5, "dependency_type": 6, "latest_version": 7}'::jsonb FROM repos x WHERE x.id = d.repo_id AND x.owner = 'count' AND d.position = 1`);
    expect(await store.getDependencies(r)).toEqual([]);
    const [five, seven] = store.takeWarnings();
    const problems = (w: { message: string } | undefined) => /does not match the schema \((.*)\); moved aside/.exec(w!.message)![1]!.split("; ");
    expect(problems(five)).toHaveLength(5);
    expect(problems(seven)).toHaveLength(6);
    expect(problems(seven)[5]).toBe("and 2 more");
  });

  it("when the row cannot be moved aside, a store without a logger still reads; with one, the error is logged", async () => {
    const r = { owner: "nolog", repo: "a" };
    await open().putSystemHealth(r, makeSystemHealth());
    await pgdb.admin.query(`UPDATE system_health SET doc = '{"overall_status": "fine"}' FROM repos WHERE repos.id = system_health.repo_id AND repos.owner = 'nolog'`);
    const logged: object[] = [];
    await pgdb.admin.query("ALTER TABLE store_quarantine RENAME TO store_quarantine_off");
    try {
      const quiet = open();
      expect(await quiet.getSystemHealth(r)).toBeNull();
      expect(quiet.takeWarnings()).toMatchObject([{ moved_to: null }]);
      const logging = open({ logger: { warn: (obj) => logged.push(obj) } });
      expect(await logging.getSystemHealth(r)).toBeNull();
    } finally {
      await pgdb.admin.query("ALTER TABLE store_quarantine_off RENAME TO store_quarantine");
    }
    expect(logged[0]).toEqual({ err: expect.stringContaining("store_quarantine") });
  });

  it("reverse-index reads come in code-unit and stored order, whatever order the database returns", async () => {
    const store = open();
    // Written in reverse order, and the first dependency of each repository rewritten afterwards (its row moves).
    const names = ["ord-j", "ord-i", "ord-h", "ord-g", "ord-f", "ord-e", "ord-d", "ord-c", "ord-b", "ord-a"];
    for (const n of names) {
      await store.putDependencies({ owner: "ord", repo: n }, [makeDependency({ name: "ord-shared", datasource: "pypi", version: "1.0.0" }), makeDependency({ name: n, datasource: "pypi", version: "2.0.0" })]);
    }
    await pgdb.admin.query(`UPDATE dependencies d SET doc = d.doc || '{"line": 9}'::jsonb FROM repos x WHERE x.id = d.repo_id AND x.owner = 'ord' AND d.position = 0`);
    const sorted = [...names].sort();
    const found = await store.getDependenciesOfPackages([{ ecosystem: "PyPI", name: "ord-shared" }, ...names.map((n) => ({ ecosystem: "PyPI", name: n }))]);
    expect(found.map((x) => x.repo.repo)).toEqual(sorted);
    expect(found.map((x) => x.dependencies.map((d) => d.name))).toEqual(sorted.map((n) => ["ord-shared", n]));
    expect(store.takeWarnings()).toEqual([]);
    expect((await store.findDependents({ ecosystem: "PyPI", name: "ord-shared" })).map((d) => d.repo.repo)).toEqual(sorted);
    const listed = (await store.listDependentPackages()).filter((p) => p.name.startsWith("ord-")).map((p) => p.name);
    expect(listed).toEqual(["ord-a", "ord-b", "ord-c", "ord-d", "ord-e", "ord-f", "ord-g", "ord-h", "ord-i", "ord-j", "ord-shared"]);
  });

  it("code-unit order, not the database's: a character above U+FFFF sorts before U+FF41", async () => {
    // UTF-16 code units: U+1D41A is D835 DC1A, before FF41; by code point (a C collation) it comes after.
    const store = open();
    const r = { owner: "units", repo: "a" };
    const wide = "\uFF41";
    const astral = "\u{1D41A}";
    await store.putDependencies(r, [
      makeDependency({ name: `units-${wide}`, datasource: "pypi", component: wide, file: "a/requirements.txt" }),
      makeDependency({ name: `units-${astral}`, datasource: "pypi", component: astral, file: "a/requirements.txt" }),
      makeDependency({ name: "units-shared", datasource: "pypi", component: wide, file: "a/requirements.txt" }),
      makeDependency({ name: "units-shared", datasource: "pypi", component: astral, file: "a/requirements.txt" }),
    ]);
    const listed = (await store.listDependentPackages()).filter((p) => p.name.startsWith("units-")).map((p) => p.name);
    // "s" (0073) first, then D835 (U+1D41A), then FF41.
    expect(listed).toEqual(["units-shared", `units-${astral}`, `units-${wide}`]);
    expect((await store.findDependents({ ecosystem: "PyPI", name: "units-shared" })).map((d) => d.component)).toEqual([astral, wide]);
  });

  it("a reassess basis holding U+0000 is refused, named as the repository's reassess_basis", async () => {
    const store = open();
    const r = { owner: "basisnul", repo: "a" };
    const basis = {
      format: 1,
      head_sha: "a".repeat(40),
      tree_sha: null,
      scanned_at: NOW.toISOString(),
      config: {},
      config_errors: [],
      scan: { components: [], dependencies: [], locked: [{ name: "q\u0000s", version: "1", datasource: "npm", component: "web", file: "package.json" }], manifests: [] },
      workflow_files: [],
      text_findings: { drafts: [], examined: [] },
      codeowners: {},
      yanked: [],
    } as never;
    await expect(store.putReassessBasis(r, basis)).rejects.toThrow(StoreValidationError);
    await expect(store.putReassessBasis(r, basis)).rejects.toThrow("refusing to write basisnul/a/reassess_basis: a string contains U+0000 (NUL), which PostgreSQL cannot store");
    expect(await store.getReassessBasis(r)).toBeNull();
  });
});
