/**
 * The npm manager's files other than package.json (.nvmrc, .node-version, pnpm-workspace.yaml) and the
 * package.json fields the fixture tests leave out (issue 18: mutation survivors of npm.ts and npm/*.ts).
 * Oracles: nvm's README (.nvmrc holds a version or an alias such as lts/iron), nodenv's .node-version,
 * pnpm's docs (https://pnpm.io/catalogs, https://pnpm.io/settings#overrides, https://pnpm.io/package_json),
 * npm's package.json docs (overrides, engines, workspaces, git URLs, local paths), yarn's resolutions
 * docs and corepack's packageManager field.
 */
import { describe, expect, it } from "vitest";
import { npmManager } from "../../../src/scan/managers/npm.js";
import { catalogNameOf, findCatalogEntry, overrideTarget, parsePnpmWorkspaceFile } from "../../../src/scan/managers/npm/pnpm-workspace.js";
import { dedupePackages, splitNameAt } from "../../../src/scan/managers/npm/types.js";
import { classifyNpmValue, isValidNpmName, parseGitSpec, posixJoin, rangeVersion } from "../../../src/scan/managers/npm/values.js";
import { parseYarnLock } from "../../../src/scan/managers/npm/yarn-lock.js";
import type { ExtractContext, ExtractedDependency, ManagerResult } from "../../../src/scan/types.js";

/** A repository held in memory: path → text. */
function repo(files: Record<string, string>): ExtractContext {
  return { allFiles: Object.keys(files), readFile: (p) => files[p] };
}
const none = repo({});
const extract = (path: string, content: string, ctx: ExtractContext = none): ManagerResult => npmManager.extract(path, content, ctx);
const only = (r: ManagerResult): ExtractedDependency => {
  expect(r.deps).toHaveLength(1);
  return r.deps[0];
};
const named = (r: ManagerResult, name: string): ExtractedDependency[] => r.deps.filter((d) => d.name === name);

describe(".nvmrc and .node-version", () => {
  it("matches both files, pnpm-workspace.yaml and package.json, outside node_modules", () => {
    for (const f of [".nvmrc", "web/.nvmrc", ".node-version", "pnpm-workspace.yaml", "a/pnpm-workspace.yaml"]) expect(npmManager.matches(f), f).toBe(true);
    for (const f of ["node_modules/x/.nvmrc", "a/node_modules/pnpm-workspace.yaml", "nvmrc", "x.nvmrc", ".node-version.bak", "pnpm-workspace.yml"]) expect(npmManager.matches(f), f).toBe(false);
    expect(npmManager.companions!(".nvmrc")).toEqual([]);
  });

  it("reads a full version with its v prefix as written; the span covers the whole text", () => {
    const d = only(extract(".nvmrc", "v20.11.1\n"));
    expect(d).toMatchObject({
      name: "node",
      datasource: "node-version",
      dependency_type: "runtime",
      current_value: "v20.11.1",
      version: "20.11.1",
      skip_reason: null,
      file: ".nvmrc",
      line: 1,
      group: "nvm",
      package_manager: "npm",
    });
    expect(d.value_span).toEqual({ line: 1, start_column: 0, end_column: 8, text: "v20.11.1" });
  });

  it("a partial version is the lowest it admits; .node-version is nodenv's", () => {
    const r = extract("svc/.node-version", "20\n");
    expect(r.warnings).toEqual([]);
    expect(only(r)).toMatchObject({ current_value: "20", version: "20.0.0", group: "nodenv", file: "svc/.node-version" });
  });

  it("skips comments and blank lines, and strips a trailing comment", () => {
    const text = "\uFEFF# pinned for CI\r\n\r\n  18.19.0  # LTS hydrogen\r\n19.0.0\r\n";
    const d = only(extract(".nvmrc", text));
    expect(d).toMatchObject({ line: 3, current_value: "18.19.0", version: "18.19.0" });
    expect(d.value_span).toEqual({ line: 3, start_column: 2, end_column: 9, text: "18.19.0" });
  });

  it("aliases (lts/*, lts/iron, node, stable) are kept and skipped, without a span", () => {
    for (const alias of ["lts/*", "lts/iron", "LTS/Hydrogen", "node", "stable", "latest", "lts", "current", "system", "iojs"]) {
      const r = extract(".nvmrc", `${alias}\n`);
      expect(r.warnings, alias).toEqual([]);
      expect(only(r), alias).toMatchObject({ current_value: alias, version: alias, skip_reason: "version alias", value_span: null });
    }
  });

  it("a word that only contains an alias is an invalid version, warned with its line", () => {
    for (const text of ["nodejs\n", "my-lts/iron\n", "\n\nbanana\n"]) {
      const r = extract(".nvmrc", text);
      const d = only(r);
      expect(d.skip_reason, text).toBe("invalid version");
      expect(d.value_span).toBeNull();
      expect(d.version).toBe(d.current_value);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatchObject({ file: ".nvmrc", line: d.line, manager: "npm" });
      expect(r.warnings[0].message).toContain(JSON.stringify(d.current_value));
    }
  });

  it("a v that does not precede a digest is not stripped", () => {
    expect(only(extract(".nvmrc", "vnext\n")).skip_reason).toBe("invalid version");
  });

  it("quotes at most 80 characters of an invalid line", () => {
    const r = extract(".nvmrc", `${"z".repeat(500)}\n`);
    expect(r.warnings[0].message).toContain(`"${"z".repeat(80)}"`);
    expect(r.warnings[0].message).not.toContain("z".repeat(81));
  });

  it("an empty or comment-only file has no version: one warning at line 1", () => {
    for (const text of ["", "\n\n", "# nothing yet\n"]) {
      const r = extract(".node-version", text);
      expect(r.deps).toEqual([]);
      expect(r.warnings).toEqual([{ file: ".node-version", line: 1, manager: "npm", message: ".node-version: no Node.js version in the file" }]);
      expect(r.meta.primary).toBe(false);
    }
  });

  it("reads at most 1000 lines looking for the version", () => {
    const r = extract(".nvmrc", `${"\n".repeat(1000)}20.1.0\n`);
    expect(r.deps).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(only(extract(".nvmrc", `${"\n".repeat(999)}20.1.0\n`))).toMatchObject({ line: 1000, version: "20.1.0" });
  });
});

describe("pnpm-workspace.yaml", () => {
  const WS = [
    "packages:", //                    1
    "  - apps/*", //                   2
    "  - packages/*", //               3
    "catalog:", //                     4
    "  react: ^18.3.1", //             5
    "  zod: 3.23.8", //                6
    "catalogs:", //                    7
    "  legacy:", //                    8
    "    react: ^17.0.2", //           9
    "    jquery: ~3.7.0", //           10
    "overrides:", //                   11
    '  "lodash@<4.17.21": ^4.17.21', // 12
    '  "enzyme>cheerio": 1.0.0-rc.12', // 13
    '  "foo": "-"', //                 14
    '  "bar": "$bar"', //              15
    "  qs: 6.13.0", //                 16
    "",
  ].join("\n");
  const files: Record<string, string> = {
    "pnpm-workspace.yaml": WS,
    "package.json": JSON.stringify({ name: "root", private: true }),
    "apps/web/package.json": JSON.stringify({ name: "web", dependencies: { react: "catalog:", jquery: "catalog:legacy" } }),
    "apps/old/package.json": JSON.stringify({ name: "old", dependencies: { react: "catalog:legacy" } }),
    // Governed by its own workspace file: its references do not count for the root one.
    "nested/pnpm-workspace.yaml": "catalog:\n  other: 1.0.0\n",
    "nested/app/package.json": JSON.stringify({ dependencies: { zod: "catalog:" } }),
    // node_modules and unreadable or broken manifests are ignored.
    "node_modules/x/package.json": JSON.stringify({ dependencies: { zod: "catalog:" } }),
    "apps/broken/package.json": "{ not json",
    "apps/list/package.json": "[1]",
  };

  it("lists the catalog entries no package.json refers to, at their lines, as dev dependencies", () => {
    const r = extract("pnpm-workspace.yaml", WS, repo(files));
    expect(r.warnings).toEqual([]);
    const catalogDeps = r.deps.filter((d) => d.group?.startsWith("catalog:"));
    // react (default) and react + jquery (legacy) are referenced; zod is not (only by a package of the nested workspace).
    expect(catalogDeps.map((d) => [d.name, d.group, d.line])).toEqual([["zod", "catalog:default", 6]]);
    expect(catalogDeps[0]).toMatchObject({
      file: "pnpm-workspace.yaml",
      dependency_type: "dev",
      datasource: "npm",
      current_value: "3.23.8",
      version: "3.23.8",
      package_manager: "npm",
      notes: ["catalog:default entry that no package.json of this workspace refers to"],
      value_span: { line: 6, start_column: 7, end_column: 13, text: "3.23.8" },
    });
    expect(r.meta).toEqual({ primary: false, workspaces: ["apps/*", "packages/*"] });
  });

  it("lists every catalog entry when no package.json refers to it", () => {
    const r = extract("pnpm-workspace.yaml", WS, repo({ "pnpm-workspace.yaml": WS }));
    expect(r.deps.filter((d) => d.group?.startsWith("catalog:")).map((d) => `${d.group} ${d.name} ${d.line}`)).toEqual([
      "catalog:default react 5",
      "catalog:default zod 6",
      "catalog:legacy react 9",
      "catalog:legacy jquery 10",
    ]);
    expect(named(r, "react")[0]).toMatchObject({ current_value: "^18.3.1", version: "18.3.1" });
    expect(named(r, "jquery")[0]).toMatchObject({ current_value: "~3.7.0", version: "3.7.0" });
  });

  it("overrides: the forced package, its selector, no entry for '-' (removal) or '$name' (set in package.json)", () => {
    const r = extract("pnpm-workspace.yaml", WS, repo(files));
    const overrides = r.deps.filter((d) => d.dependency_type === "override");
    expect(overrides.map((d) => [d.name, d.line, d.current_value])).toEqual([
      ["lodash", 12, "^4.17.21"],
      ["cheerio", 13, "1.0.0-rc.12"],
      ["qs", 16, "6.13.0"],
    ]);
    for (const d of overrides) expect(d).toMatchObject({ group: "pnpm-workspace overrides", file: "pnpm-workspace.yaml", datasource: "npm" });
    expect(overrides[0]).toMatchObject({ notes: ["overrides selector lodash@<4.17.21"], version: "4.17.21" });
    expect(overrides[1].notes).toEqual(["overrides selector enzyme>cheerio"]);
    expect(overrides[2].notes).toBeUndefined();
    expect(overrides[2].value_span).toEqual({ line: 16, start_column: 6, end_column: 12, text: "6.13.0" });
    expect(overrides[0].value_span).toMatchObject({ line: 12, text: "^4.17.21" });
  });

  it("a nested workspace file governs only the packages under it", () => {
    const nested = extract("nested/pnpm-workspace.yaml", files["nested/pnpm-workspace.yaml"], repo(files));
    // nested/app refers to catalog:zod, which this file does not define: "other" is unused.
    expect(nested.deps.map((d) => [d.name, d.file, d.line])).toEqual([["other", "nested/pnpm-workspace.yaml", 2]]);
    expect(nested.meta).toEqual({ primary: false });
  });

  it("a local file: catalog entry resolves against the workspace file's directory", () => {
    const r = extract("tools/pnpm-workspace.yaml", "catalog:\n  shared: file:../libs/shared\n", none);
    expect(only(r)).toMatchObject({ datasource: "none", local_path: "libs/shared", skip_reason: "local path (file:)" });
  });

  it("warns shape problems with their lines and keeps the valid entries", () => {
    const text = ["catalog:", "  ok: 1.0.0", "  bad:", "    nested: 1", "catalogs:", "  broken: [1, 2]", "overrides:", "  x: [1]", "  y: 2.0.0", ""].join("\n");
    const r = extract("pnpm-workspace.yaml", text, none);
    expect(r.deps.map((d) => [d.name, d.dependency_type])).toEqual([
      ["ok", "dev"],
      ["y", "override"],
    ]);
    expect(r.warnings.map((w) => w.line)).toEqual([3, 6, 8]);
    expect(r.warnings[0].message).toMatch(/^pnpm-workspace\.yaml:3: catalog: "bad" should be a version string/);
    expect(r.warnings[1].message).toMatch(/^pnpm-workspace\.yaml:6: catalogs\.broken should be a map of package: version/);
    expect(r.warnings[2].message).toMatch(/^pnpm-workspace\.yaml:8: overrides: "x" should be a version string/);
  });

  it("catalogs, overrides and the document itself in the wrong shape", () => {
    const r = parsePnpmWorkspaceFile("w.yaml", "catalogs: [a]\noverrides: 3\ncatalog: x\n");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.workspace.problems.map((p) => p.line)).toEqual([3, 1, 2]);
    expect(r.workspace.problems[1].message).toMatch(/^catalogs should be a map of catalog name: entries/);
    expect(r.workspace.problems[2].message).toMatch(/^overrides should be a map of selector: version/);
    // Empty values are not problems.
    const empty = parsePnpmWorkspaceFile("w.yaml", "catalog:\ncatalogs:\noverrides:\npackages:\n");
    expect(empty).toEqual({ ok: true, workspace: { packages: [], entries: [], overrides: [], problems: [] } });
    expect(parsePnpmWorkspaceFile("w.yaml", "")).toEqual({ ok: true, workspace: { packages: [], entries: [], overrides: [], problems: [] } });
    const list = parsePnpmWorkspaceFile("w.yaml", "- a\n");
    expect(list).toMatchObject({ ok: false, line: 1 });
    if (!list.ok) expect(list.message).toMatch(/^expected a map at the top level/);
  });

  it("a file that is not YAML is one warning, no dependencies", () => {
    const r = extract("pnpm-workspace.yaml", "packages: [\n", none);
    expect(r.deps).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].file).toBe("pnpm-workspace.yaml");
    expect(r.warnings[0].message.startsWith("pnpm-workspace.yaml")).toBe(true);
    expect(r.meta).toEqual({ primary: false });
  });

  it("bounds the entries read from a hostile file", () => {
    const many = ["catalog:", ...Array.from({ length: 20_005 }, (_, i) => `  p${i}: 1.0.0`), "overrides:", ...Array.from({ length: 20_005 }, (_, i) => `  o${i}: 1.0.0`), ""].join("\n");
    const r = parsePnpmWorkspaceFile("w.yaml", many);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.workspace.entries).toHaveLength(20_000);
    expect(r.workspace.overrides).toHaveLength(20_000);
  });

  it("catalog names and override targets", () => {
    expect(catalogNameOf("catalog:")).toBe("default");
    expect(catalogNameOf(" catalog: legacy ")).toBe("legacy");
    expect(catalogNameOf("catalog:default")).toBe("default");
    expect(overrideTarget("lodash")).toEqual({ name: "lodash", selector: null });
    expect(overrideTarget("lodash@<4")).toEqual({ name: "lodash", selector: "lodash@<4" });
    expect(overrideTarget("@babel/core@7")).toEqual({ name: "@babel/core", selector: "@babel/core@7" });
    expect(overrideTarget("@babel/core")).toEqual({ name: "@babel/core", selector: null });
    expect(overrideTarget("parent@1>@s/child@2")).toEqual({ name: "@s/child", selector: "parent@1>@s/child@2" });
    expect(overrideTarget("a > b")).toEqual({ name: "b", selector: "a > b" });
    const ws = parsePnpmWorkspaceFile("w.yaml", "catalog:\n  a: 1.0.0\ncatalogs:\n  x:\n    a: 2.0.0\n");
    if (!ws.ok) throw new Error("expected a workspace");
    expect(findCatalogEntry(ws.workspace, "catalog:x", "a")).toMatchObject({ value: "2.0.0", line: 5 });
    expect(findCatalogEntry(ws.workspace, "catalog:", "a")).toMatchObject({ value: "1.0.0", line: 2 });
    expect(findCatalogEntry(ws.workspace, "catalog:", "b")).toBeNull();
  });
});

describe("package.json: catalog: references", () => {
  const WS = "catalog:\n  react: ^18.3.1\ncatalogs:\n  legacy:\n    react: ^17.0.2\n";

  it("a used entry is reported at the catalog line, declared by the package.json", () => {
    const pj = '{\n  "dependencies": {\n    "react": "catalog:legacy"\n  },\n  "devDependencies": {\n    "react": "catalog:"\n  }\n}';
    const r = extract("apps/a/package.json", pj, repo({ "pnpm-workspace.yaml": WS, "apps/a/package.json": pj }));
    expect(r.warnings).toEqual([]);
    const [legacy, dflt] = r.deps;
    expect(legacy).toMatchObject({
      file: "pnpm-workspace.yaml",
      line: 5,
      dependency_type: "prod",
      current_value: "^17.0.2",
      version: "17.0.2",
      group: "catalog:legacy",
      declared_by: { file: "apps/a/package.json", line: 3, value: "catalog:legacy" },
      notes: ["catalog:legacy entry, referenced by apps/a/package.json:3"],
      value_span: { line: 5, start_column: 11, end_column: 18, text: "^17.0.2" },
    });
    expect(dflt).toMatchObject({ file: "pnpm-workspace.yaml", line: 2, dependency_type: "dev", group: "catalog:default", current_value: "^18.3.1" });
    // The root package.json of the workspace reads its packages list only when it has none itself.
    expect(r.meta.workspaces).toBeUndefined();
  });

  it("a catalog override names its section", () => {
    const pj = JSON.stringify({ pnpm: { overrides: { react: "catalog:" } } });
    const r = extract("package.json", pj, repo({ "pnpm-workspace.yaml": WS, "package.json": pj }));
    expect(only(r)).toMatchObject({ dependency_type: "override", file: "pnpm-workspace.yaml", line: 2 });
    expect(r.deps[0].notes).toEqual(["catalog:default entry, referenced by package.json:1 (pnpm.overrides)"]);
  });

  it("no workspace file, a missing entry or an unreadable workspace file: warned, the value skipped", () => {
    const pj = '{\n  "dependencies": { "react": "catalog:" }\n}';
    const noWs = extract("package.json", pj, repo({ "package.json": pj }));
    expect(noWs.warnings).toHaveLength(1);
    expect(noWs.warnings[0].message).toBe('package.json:2: dependencies: "react" uses "catalog:" but no pnpm-workspace.yaml found in this directory or above');
    expect(only(noWs)).toMatchObject({ skip_reason: "catalog entry not found", datasource: "none", file: "package.json", line: 2 });

    const other = extract("package.json", pj, repo({ "package.json": pj, "pnpm-workspace.yaml": "catalog:\n  vue: 3.0.0\n" }));
    expect(other.warnings[0].message).toBe('package.json:2: dependencies: "react" uses "catalog:" but no entry for "react" in "catalog:" of pnpm-workspace.yaml');

    const broken = extract("package.json", pj, repo({ "package.json": pj, "pnpm-workspace.yaml": "- a\n" }));
    expect(broken.warnings[0].message).toBe('package.json:2: dependencies: "react" uses "catalog:" but cannot read pnpm-workspace.yaml:1: expected a map at the top level, found a list');
  });

  it("the root package.json takes its workspaces from pnpm-workspace.yaml's packages", () => {
    const pj = JSON.stringify({ name: "root" });
    const r = extract("package.json", pj, repo({ "package.json": pj, "pnpm-workspace.yaml": "packages:\n  - libs/*\n" }));
    expect(r.meta.workspaces).toEqual(["libs/*"]);
    const sub = extract("libs/a/package.json", pj, repo({ "libs/a/package.json": pj, "pnpm-workspace.yaml": "packages:\n  - libs/*\n" }));
    expect(sub.meta.workspaces).toBeUndefined();
    const own = extract("package.json", JSON.stringify({ workspaces: ["x/*"] }), repo({ "pnpm-workspace.yaml": "packages:\n  - libs/*\n" }));
    expect(own.meta.workspaces).toEqual(["x/*"]);
    const emptyList = extract("package.json", pj, repo({ "pnpm-workspace.yaml": "packages: []\n" }));
    expect(emptyList.meta.workspaces).toBeUndefined();
  });
});

describe("package.json: overrides, resolutions, pnpm.overrides", () => {
  it("npm overrides: nested selectors, '.' for the parent, $references to direct dependencies", () => {
    const pj = JSON.stringify(
      {
        dependencies: { foo: "^1.0.0", "@s/x": "2.0.0" },
        overrides: {
          bar: "1.0.0",
          foo: { ".": "1.1.0", baz: "2.0.0" },
          "@s/x": "$@s/x",
          qux: "$nope",
          "quux@2": "3.0.0",
        },
      },
      null,
      2,
    );
    const r = extract("package.json", pj);
    const o = r.deps.filter((d) => d.dependency_type === "override");
    expect(o.map((d) => [d.name, d.current_value, d.notes ?? null])).toEqual([
      ["bar", "1.0.0", null],
      ["foo", "1.1.0", null],
      ["baz", "2.0.0", ["overrides selector foo>baz"]],
      ["@s/x", "2.0.0", null],
      ["quux", "3.0.0", ["overrides selector quux@2"]],
    ]);
    for (const d of o) expect(d.group).toBe("overrides");
    expect(o[0].line).toBe(pj.split("\n").findIndex((l) => l.includes('"bar"')) + 1);
    expect(o[0].value_span).toMatchObject({ text: "1.0.0", line: o[0].line });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].message).toContain('overrides: "qux" references "$nope", which is not a direct dependency');
  });

  it("npm overrides nest at most 16 objects deep", () => {
    let nested: Record<string, unknown> = { deep: "9.9.9" };
    for (let i = 0; i < 20; i++) nested = { [`p${i}`]: nested };
    const shallow: Record<string, unknown> = { p0: { p1: { leaf: "1.0.0" } } };
    const r = extract("package.json", JSON.stringify({ overrides: { ...nested, ...shallow } }));
    expect(r.deps.map((d) => d.name)).toEqual(["leaf"]);
  });

  it("yarn resolutions: the last package of the path, scoped or not, without its range", () => {
    const pj = JSON.stringify({
      resolutions: { "**/left-pad": "1.3.0", "a/b": "2.0.0", "@s/a/**/@s/b": "3.0.0", "c@^1": "1.2.0", d: "4.0.0", "e/@s/f": "5.0.0" },
    });
    const r = extract("package.json", pj);
    expect(r.deps.map((d) => [d.name, d.current_value, d.group, d.dependency_type])).toEqual([
      ["left-pad", "1.3.0", "resolutions", "override"],
      ["b", "2.0.0", "resolutions", "override"],
      ["@s/b", "3.0.0", "resolutions", "override"],
      ["c", "1.2.0", "resolutions", "override"],
      ["d", "4.0.0", "resolutions", "override"],
      ["@s/f", "5.0.0", "resolutions", "override"],
    ]);
    expect(r.deps[0].notes).toEqual(["resolutions selector **/left-pad"]);
    expect(r.deps[4].notes).toBeUndefined();
  });

  it("pnpm.overrides: parent>child, name@range, '-' removes, $references", () => {
    const pj = JSON.stringify({
      devDependencies: { typescript: "5.4.5" },
      pnpm: { overrides: { "a>b": "1.0.0", "c@<2": "2.0.0", removed: "-", typescript: "$typescript", ghost: "$ghost", "@s/d": "4.0.0" } },
    });
    const r = extract("package.json", pj);
    const o = r.deps.filter((d) => d.dependency_type === "override");
    expect(o.map((d) => [d.name, d.current_value, d.notes ?? null])).toEqual([
      ["b", "1.0.0", ["pnpm.overrides selector a>b"]],
      ["c", "2.0.0", ["pnpm.overrides selector c@<2"]],
      ["typescript", "5.4.5", null],
      ["@s/d", "4.0.0", null],
    ]);
    for (const d of o) expect(d.group).toBe("pnpm.overrides");
    expect(r.warnings.map((w) => w.message)).toEqual(['package.json:1: pnpm.overrides: "ghost" references "$ghost", which is not a direct dependency']);
  });

  it("wrong shapes of overrides, resolutions, pnpm.overrides, engines and workspaces are warned at their lines", () => {
    const pj = ["{", '  "overrides": [],', '  "resolutions": "x",', '  "pnpm": { "overrides": 1 },', '  "engines": "node 20",', '  "workspaces": { "nohoist": [] },', '  "optionalDependencies": null', "}"].join("\n");
    const r = extract("package.json", pj);
    expect(r.deps).toEqual([]);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [6, 'package.json:6: "workspaces" should be an array of globs or { "packages": [...] }'],
      [7, 'package.json:7: "optionalDependencies" should be an object of name: version'],
      [2, 'package.json:2: "overrides" should be an object'],
      [3, 'package.json:3: "resolutions" should be an object'],
      [4, 'package.json:4: "pnpm.overrides" should be an object'],
      [5, 'package.json:5: "engines" should be an object'],
    ]);
  });

  it("yarn's workspaces.packages form and non-string globs", () => {
    expect(extract("package.json", JSON.stringify({ workspaces: { packages: ["a/*", 3, "b"] } })).meta.workspaces).toEqual(["a/*", "b"]);
  });
});

describe("package.json: engines, packageManager, value shapes", () => {
  it("engines: node is the runtime, npm/pnpm/yarn are build tools, others unsupported", () => {
    const pj = JSON.stringify({ engines: { node: "^20.9.0 || >=22", npm: ">=10", yarn: "1.x", vscode: "^1.80.0", pnpm: 9 } }, null, 2);
    const r = extract("package.json", pj);
    expect(r.deps.map((d) => [d.name, d.dependency_type, d.datasource, d.version, d.skip_reason])).toEqual([
      ["node", "runtime", "node-version", "20.9.0", null],
      ["npm", "build", "npm", "10.0.0", null],
      ["yarn", "build", "npm", "1.0.0", null],
      ["vscode", "build", "none", "1.80.0", "unsupported engine"],
    ]);
    expect(r.deps.every((d) => d.group === "engines")).toBe(true);
    expect(r.deps[3].value_span).toBeNull();
    expect(r.deps[1].value_span).toEqual({ line: 4, start_column: 12, end_column: 16, text: ">=10" });
    expect(r.warnings.map((w) => w.message)).toEqual(['package.json:7: engines: "pnpm" should be a version string']);
    expect(r.meta.node_engines).toBe("^20.9.0 || >=22");
  });

  it("an engine that is not a range keeps its text as the version", () => {
    const r = extract("package.json", JSON.stringify({ engines: { node: "lts" } }));
    expect(only(r)).toMatchObject({ current_value: "lts", version: "lts" });
  });

  it("packageManager: yarn 1 is 'yarn', yarn 2+ '@yarnpkg/cli-dist'; the span only without a hash", () => {
    const y1 = only(extract("package.json", '{\n  "packageManager": "yarn@1.22.22"\n}'));
    expect(y1).toMatchObject({ name: "yarn", current_value: "1.22.22", datasource: "npm", digest: null, group: "packageManager", skip_reason: null, line: 2 });
    expect(y1.value_span).toEqual({ line: 2, start_column: 26, end_column: 33, text: "1.22.22" });
    expect(only(extract("package.json", '{"packageManager": "yarn@2.0.0"}')).name).toBe("@yarnpkg/cli-dist");
    const pnpm = only(extract("package.json", '{"packageManager": "pnpm@9.1.0+sha256.abc"}'));
    expect(pnpm).toMatchObject({ name: "pnpm", version: "9.1.0", digest: "sha256.abc", value_span: null });
    const bun = only(extract("package.json", '{"packageManager": "bun@1.1.0"}'));
    expect(bun).toMatchObject({ name: "bun", datasource: "npm", skip_reason: null });
    const deno = only(extract("package.json", '{"packageManager": "deno@2.0.0"}'));
    expect(deno).toMatchObject({ name: "deno", datasource: "none", skip_reason: "unknown package manager", value_span: null });
    const bad = extract("package.json", '{"packageManager": "pnpm"}');
    expect(bad.deps).toEqual([]);
    expect(bad.warnings.map((w) => w.message)).toEqual(['package.json:1: "packageManager" should look like name@version, e.g. pnpm@9.1.0']);
  });

  it("a non-string value is named by its kind and kept with its JSON text", () => {
    const pj = JSON.stringify({ dependencies: { a: null, b: ["1"], c: { v: 1 }, d: true } }, null, 2);
    const r = extract("package.json", pj);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'package.json:3: dependencies: "a" should be a version string, found null',
      'package.json:4: dependencies: "b" should be a version string, found an array',
      'package.json:7: dependencies: "c" should be a version string, found object',
      'package.json:10: dependencies: "d" should be a version string, found boolean',
    ]);
    expect(r.deps.map((d) => d.current_value)).toEqual(["null", '["1"]', '{"v":1}', "true"]);
    expect(r.deps.every((d) => d.skip_reason === "invalid version value" && d.datasource === "none" && d.version === d.current_value)).toBe(true);
  });

  it("quotes a long invalid name in 80 characters", () => {
    const r = extract("package.json", JSON.stringify({ dependencies: { [`_${"n".repeat(200)}`]: "1.0.0" } }));
    const msg = r.warnings[0].message;
    expect(msg).toContain(`"_${"n".repeat(75)}..."`);
    expect(msg).not.toContain("n".repeat(76));
  });

  it("an npm: alias to an invalid name is warned with the target's name", () => {
    const r = extract("package.json", JSON.stringify({ dependencies: { ok: "npm:Bad Name@1.0.0" } }));
    expect(r.warnings[0].message).toContain('"Bad Name" is not a valid npm package name');
    expect(only(r)).toMatchObject({ skip_reason: "invalid package name", locked_version: null });
  });

  it("workspace: targets: a package of the repository, a relative path, or left unresolved", () => {
    const files: Record<string, string> = {
      "package.json": JSON.stringify({ name: "root", workspaces: ["libs/*"] }),
      "libs/core/package.json": JSON.stringify({ name: "@acme/core", version: "1.4.0" }),
      "libs/noversion/package.json": JSON.stringify({ name: "nover" }),
      "libs/broken/package.json": "{",
      "node_modules/@acme/ghost/package.json": JSON.stringify({ name: "@acme/ghost", version: "9.0.0" }),
      "libs/app/package.json": JSON.stringify({
        dependencies: { "@acme/core": "workspace:^", nover: "workspace:*", rel: "workspace:../core", "@acme/ghost": "workspace:*", scoped: "workspace:libs/x", caret: "workspace:^1.0.0" },
      }),
    };
    const r = extract("libs/app/package.json", files["libs/app/package.json"], repo(files));
    const by = new Map(r.deps.map((d) => [d.name, d]));
    expect(by.get("@acme/core")).toMatchObject({ local_path: "libs/core", version: "1.4.0", skip_reason: "workspace dependency", datasource: "none" });
    expect(by.get("nover")).toMatchObject({ local_path: "libs/noversion", version: "workspace:*" });
    expect(by.get("rel")).toMatchObject({ local_path: "libs/core" });
    expect(by.get("@acme/ghost")).toMatchObject({ local_path: null });
    expect(by.get("scoped")).toMatchObject({ local_path: "libs/app/libs/x" });
    expect(by.get("caret")).toMatchObject({ local_path: null });
  });

  it("does not keep a partial workspace index while a package.json is still unread", () => {
    const files: Record<string, string> = {
      "a/package.json": JSON.stringify({ dependencies: { b: "workspace:*" } }),
      "b/package.json": JSON.stringify({ name: "b", version: "2.0.0" }),
    };
    const allFiles = Object.keys(files);
    let fetched = false;
    const ctx: ExtractContext = { allFiles, readFile: (p) => (p === "b/package.json" && !fetched ? undefined : files[p]) };
    expect(only(extract("a/package.json", files["a/package.json"], ctx)).local_path).toBeNull();
    fetched = true;
    expect(only(extract("a/package.json", files["a/package.json"], ctx))).toMatchObject({ local_path: "b", version: "2.0.0" });
  });
});

describe("package.json: which lockfile applies", () => {
  const lockV3 = (deps: Record<string, string>) =>
    JSON.stringify({
      lockfileVersion: 3,
      packages: { "": {}, ...Object.fromEntries(Object.entries(deps).map(([n, v]) => [`node_modules/${n}`, { version: v }])) },
    });

  it("a lockfile in an ancestor applies only to its workspace members", () => {
    const files: Record<string, string> = {
      "package.json": JSON.stringify({ workspaces: ["packages/*"] }),
      "package-lock.json": JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "packages/a": {}, "node_modules/ms": { version: "2.1.3" } } }),
      "packages/a/package.json": JSON.stringify({ dependencies: { ms: "^2.1.0" } }),
      "other/package.json": JSON.stringify({ dependencies: { ms: "^2.1.0" } }),
    };
    const a = extract("packages/a/package.json", files["packages/a/package.json"], repo(files));
    expect(only(a)).toMatchObject({ locked_version: "2.1.3", version: "2.1.3" });
    expect(a.lockfile).toEqual({ file: "package-lock.json", importer: "packages/a" });
    expect(a.locked).toBeUndefined();
    const other = extract("other/package.json", files["other/package.json"], repo(files));
    expect(only(other)).toMatchObject({ locked_version: null, version: "2.1.0" });
    expect(other.lockfile).toBeUndefined();
  });

  it("prefers pnpm-lock.yaml, then yarn.lock, then npm-shrinkwrap.json, then package-lock.json", () => {
    const pj = JSON.stringify({ dependencies: { ms: "^2.0.0" } });
    const yarn = '# yarn lockfile v1\n\nms@^2.0.0:\n  version "2.1.2"\n';
    const files: Record<string, string> = { "package.json": pj, "package-lock.json": lockV3({ ms: "2.0.0" }), "npm-shrinkwrap.json": lockV3({ ms: "2.1.0" }), "yarn.lock": yarn };
    expect(only(extract("package.json", pj, repo(files))).locked_version).toBe("2.1.2");
    delete files["yarn.lock"];
    expect(only(extract("package.json", pj, repo(files))).locked_version).toBe("2.1.0");
    delete files["npm-shrinkwrap.json"];
    const r = extract("package.json", pj, repo(files));
    expect(only(r).locked_version).toBe("2.0.0");
    expect(r.locked).toEqual([{ name: "ms", version: "2.0.0", datasource: "npm" }]);
  });

  it("yarn classic in an ancestor: membership from the root's workspaces globs, exclusions included", () => {
    const yarn = '# yarn lockfile v1\n\nms@^2.0.0:\n  version "2.1.2"\n';
    const files: Record<string, string> = {
      "package.json": JSON.stringify({ workspaces: { packages: ["./packages/*/", "!packages/skip"] } }),
      "yarn.lock": yarn,
      "packages/a/package.json": JSON.stringify({ dependencies: { ms: "^2.0.0" } }),
      "packages/skip/package.json": JSON.stringify({ dependencies: { ms: "^2.0.0" } }),
      "packages/.hidden/package.json": JSON.stringify({ dependencies: { ms: "^2.0.0" } }),
    };
    const lockedOf = (f: string) => only(extract(f, files[f], repo(files))).locked_version;
    expect(lockedOf("packages/a/package.json")).toBe("2.1.2");
    expect(lockedOf("packages/skip/package.json")).toBeNull();
    expect(lockedOf("packages/.hidden/package.json")).toBe("2.1.2");
    // No root package.json, or one that is not JSON, or without workspaces: not a member.
    for (const root of [undefined, "{", JSON.stringify({ name: "r" }), JSON.stringify({ workspaces: ["!packages/a"] })]) {
      const f = { ...files };
      if (root === undefined) delete f["package.json"];
      else f["package.json"] = root;
      expect(only(extract("packages/a/package.json", f["packages/a/package.json"], repo(f))).locked_version, String(root)).toBeNull();
    }
  });

  it("a broken lockfile in an ancestor is reported by the package.json next to it, not by each member", () => {
    const files: Record<string, string> = {
      "package.json": JSON.stringify({ workspaces: ["a"] }),
      "package-lock.json": "{ nope",
      "a/package.json": JSON.stringify({ dependencies: { ms: "1.0.0" } }),
    };
    const member = extract("a/package.json", files["a/package.json"], repo(files));
    expect(member.warnings).toEqual([]);
    expect(only(member).locked_version).toBeNull();
    const root = extract("package.json", files["package.json"], repo(files));
    expect(root.warnings).toHaveLength(1);
    expect(root.warnings[0]).toMatchObject({ file: "package-lock.json", line: 1 });
    expect(root.warnings[0].message).toMatch(/^package-lock\.json:1: cannot read lockfile \(.*\); dependencies of package\.json are listed without locked versions$/);
    // Without a package.json next to it, the member reports it.
    const orphan = { ...files };
    delete orphan["package.json"];
    expect(extract("a/package.json", files["a/package.json"], repo(orphan)).warnings).toHaveLength(1);
  });

  it("a package locked at one version anywhere gives that version to an override or an indirect reference", () => {
    const pj = JSON.stringify({ overrides: { ms: "^2.0.0" } });
    const r = extract("package.json", pj, repo({ "package.json": pj, "package-lock.json": lockV3({ ms: "2.1.3" }) }));
    expect(only(r)).toMatchObject({ locked_version: "2.1.3", dependency_type: "override" });
    const two = JSON.stringify({ lockfileVersion: 3, packages: { "node_modules/ms": { version: "2.1.3" }, "node_modules/x/node_modules/ms": { version: "2.0.0" } } });
    const r2 = extract("package.json", pj, repo({ "package.json": pj, "package-lock.json": two }));
    expect(only(r2).locked_version).toBeNull();
  });

  it("skipped values (git, local) get no locked version", () => {
    const pj = JSON.stringify({ dependencies: { ms: "file:../ms" } });
    const r = extract("package.json", pj, repo({ "package.json": pj, "package-lock.json": lockV3({ ms: "2.1.3" }) }));
    expect(only(r).locked_version).toBeNull();
  });

  it("companions list each ancestor's lockfiles, workspace file and (above its own) package.json, nearest first", () => {
    expect(npmManager.companions!("a/package.json")).toEqual([
      "a/pnpm-lock.yaml",
      "a/yarn.lock",
      "a/npm-shrinkwrap.json",
      "a/package-lock.json",
      "a/pnpm-workspace.yaml",
      "pnpm-lock.yaml",
      "yarn.lock",
      "npm-shrinkwrap.json",
      "package-lock.json",
      "pnpm-workspace.yaml",
      "package.json",
    ]);
  });
});

describe("npm values (npm's package.json docs, validate-npm-package-name)", () => {
  it("package names", () => {
    for (const ok of ["a", "x".repeat(214), "@s/a", "@s/a.b", "a.b", "a-b", "JSONStream", "@S/b_c"]) expect(isValidNpmName(ok), ok).toBe(true);
    for (const bad of ["node_modules", "favicon.ico", "a~b", "a'b", "a!b", "a(b", "a)b", "a*b", "a\u007f", "a\tb", "@s/.a", "@s/_a", "@/a", "@s/", "a/b", "a%b", "lodash "]) {
      expect(isValidNpmName(bad), bad).toBe(false);
    }
  });

  it("git URLs and GitHub shorthands", () => {
    expect(parseGitSpec("git+ssh://git@github.com:npm/cli.git#v1.0.27")).toMatchObject({ datasource: "github-tags", current_value: "v1.0.27", registry_url: "https://github.com/npm/cli" });
    expect(parseGitSpec("git+ssh://git@gitlab.com/g/p.git#v2.0.0")).toMatchObject({ datasource: "git", registry_url: "https://gitlab.com/g/p" });
    expect(parseGitSpec("ssh://git@bitbucket.org/o/r.git#1.0.0")).toMatchObject({ datasource: "git", registry_url: "https://bitbucket.org/o/r" });
    expect(parseGitSpec("git+https://isaacs@github.com/npm/cli.git")).toMatchObject({ datasource: "git", registry_url: "https://github.com/npm/cli", skip_reason: expect.stringContaining("without a ref") });
    expect(parseGitSpec("git://github.com/npm/cli.git#v1.0.27")).toMatchObject({ datasource: "github-tags", registry_url: "https://github.com/npm/cli" });
    expect(parseGitSpec("https://github.com/o/r#2.0.0")).toMatchObject({ datasource: "github-tags", registry_url: "https://github.com/o/r", current_value: "2.0.0" });
    expect(parseGitSpec("https://github.com/o/r/")).toMatchObject({ registry_url: "https://github.com/o/r" });
    expect(parseGitSpec("https://example.com/o/r.git#1.0.0")).toMatchObject({ datasource: "git", registry_url: "https://example.com/o/r" });
    // A tarball on github.com (deeper path, no .git) and a plain host URL are not git.
    expect(parseGitSpec("https://github.com/o/r/archive/v1.tar.gz")).toBeNull();
    expect(parseGitSpec("https://example.com/pkg.tgz")).toBeNull();
    expect(parseGitSpec("mochajs/mocha#4727d357ea0cd7bdb4e65e36d7f8fa0e8a29e8b0")).toMatchObject({ datasource: "git", digest: "4727d357ea0cd7bdb4e65e36d7f8fa0e8a29e8b0", skip_reason: "pinned to a git commit" });
    expect(parseGitSpec("user/repo#feature/branch")).toMatchObject({ datasource: "git", current_value: "feature/branch", skip_reason: "git branch reference" });
    expect(parseGitSpec("gitlab:g/p#semver:^2.1.0")).toMatchObject({ datasource: "git", current_value: "^2.1.0", version: "2.1.0", skip_reason: null });
    expect(parseGitSpec("bitbucket:o/r#v1")).toMatchObject({ registry_url: "https://bitbucket.org/o/r", current_value: "v1" });
    expect(parseGitSpec("gist:11081aaa281#1.0.0")).toMatchObject({ registry_url: "https://gist.github.com/11081aaa281" });
    expect(parseGitSpec("./o/r")).toBeNull();
    expect(parseGitSpec("a/b/c")).toBeNull();
    expect(parseGitSpec("1.0.0")).toBeNull();
    // A tag with a prerelease or build part is still a tag; anything else a branch.
    expect(parseGitSpec("o/r#v1.2.3-rc.1")).toMatchObject({ datasource: "github-tags", skip_reason: null });
    expect(parseGitSpec("o/r#release-1")).toMatchObject({ skip_reason: "git branch reference" });
    expect(parseGitSpec("o/r#1.2_3")).toMatchObject({ skip_reason: "git branch reference" });
  });

  it("local paths, protocols and tarballs", () => {
    expect(classifyNpmValue("x", "file:/abs/lib", "a")).toMatchObject({ local_path: "/abs/lib" });
    expect(classifyNpmValue("x", "file://../lib", "a/b")).toMatchObject({ local_path: "a/lib" });
    expect(classifyNpmValue("x", "link:./vendor\\x", "a")).toMatchObject({ local_path: "a/vendor/x", skip_reason: "local path (link:)" });
    expect(classifyNpmValue("x", "patch:x@1.0.0#./p.patch", ".")).toMatchObject({ datasource: "none", skip_reason: "yarn patch: protocol" });
    expect(classifyNpmValue("x", "HTTP://host/x.tgz", ".")).toMatchObject({ kind: "tarball", registry_url: "HTTP://host/x.tgz" });
    expect(classifyNpmValue("x", "  ^1.0.0  ", ".")).toMatchObject({ current_value: "  ^1.0.0  ", version: "1.0.0", kind: "range" });
    expect(classifyNpmValue("x", "X", ".")).toMatchObject({ kind: "tag", version: null, skip_reason: null });
    expect(classifyNpmValue("x", "beta-2", ".")).toMatchObject({ kind: "tag" });
    expect(classifyNpmValue("x", "npm:real", ".")).toMatchObject({ name: "real", kind: "alias" });
    expect(classifyNpmValue("x", "npm:real@>=>=1", ".")).toMatchObject({ name: "real", kind: "unknown" });
    expect(posixJoin(".", "../../x")).toBe("../../x");
    expect(posixJoin("a", "..")).toBe(".");
    expect(posixJoin("a/b", "./c/../d")).toBe("a/b/d");
  });

  it("range lower bounds", () => {
    expect(rangeVersion("v1.2.3")).toBe("1.2.3");
    expect(rangeVersion(">=2 <3")).toBe("2.0.0");
    expect(rangeVersion("not a range")).toBeNull();
    expect(rangeVersion(">99999999999999999999")).toBeNull();
  });

  it("name@range splitting and deduplication", () => {
    expect(splitNameAt("@s/a@1")).toEqual({ name: "@s/a", rest: "1" });
    expect(splitNameAt("a@")).toEqual({ name: "a", rest: "" });
    expect(splitNameAt("@s/a")).toBeNull();
    expect(splitNameAt("@a")).toBeNull();
    expect(dedupePackages([{ name: "a", version: "1" }, { name: "a", version: "2" }, { name: "a", version: "1" }])).toEqual([
      { name: "a", version: "1" },
      { name: "a", version: "2" },
    ]);
  });
});

describe("issue 18 survivors of npm/workspace-manifest.ts", () => {
  it("a workspace file that is not a map: one warning, nothing else", () => {
    expect(extract("pnpm-workspace.yaml", "- apps/*\n", none)).toEqual({
      deps: [],
      warnings: [{ file: "pnpm-workspace.yaml", line: 1, manager: "npm", message: "pnpm-workspace.yaml:1: expected a map at the top level, found a list" }],
      meta: { primary: false },
    });
  });

  it("only package.json files count as references: the root one, with a BOM, leading spaces, not other JSON files or plain ranges", () => {
    const ws = "catalog:\n  a: 1.0.0\n  b: 1.0.0\n  c: 1.0.0\n  d: 1.0.0\n  e: 1.0.0\n";
    const files: Record<string, string> = {
      "pnpm-workspace.yaml": ws,
      "package.json": JSON.stringify({ dependencies: { a: "catalog:" } }),
      "apps/x/package.json": `\uFEFF${JSON.stringify({ devDependencies: { b: " catalog:default" } })}`,
      "apps/x/fixture.json": JSON.stringify({ dependencies: { c: "catalog:" } }),
      "apps/y/package.json": JSON.stringify({ dependencies: { d: "^1.0.0", e: 3 } }),
      "apps/z/package.json": "null",
    };
    const r = extract("pnpm-workspace.yaml", ws, repo(files));
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => d.name)).toEqual(["c", "d", "e"]);
    expect(r.deps.every((d) => d.package_manager === "npm")).toBe(true);
  });

  it("overrides of the workspace file are npm dependencies", () => {
    const r = extract("pnpm-workspace.yaml", "overrides:\n  qs: 6.13.0\n", none);
    expect(r.deps[0]).toMatchObject({ package_manager: "npm", dependency_type: "override", name: "qs" });
  });

  it(".nvmrc in a subdirectory is nvm's; a successful read is not primary", () => {
    const r = extract("web/.nvmrc", "20.11.1\n");
    expect(r.deps[0].group).toBe("nvm");
    expect(r.meta).toEqual({ primary: false });
  });

  it("an invalid version keeps its text as written, v included; a v inside the text is not a prefix", () => {
    expect(only(extract(".nvmrc", "v1.2.3.4\n"))).toMatchObject({ skip_reason: "invalid version", version: "v1.2.3.4", current_value: "v1.2.3.4" });
    expect(only(extract(".nvmrc", "20v1\n"))).toMatchObject({ skip_reason: "invalid version", version: "20v1" });
  });
});

describe("issue 18 survivors of npm/yarn-lock.ts", () => {
  it("a syntax error gives the parser's first line and the line it names", () => {
    const r = parseYarnLock("yarn.lock", `${"# c\n".repeat(10)}a:\n  b: [\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.line).toBe(13);
    expect(r.message).toBe("cannot parse: unexpected end of the stream within a flow collection (13:1)");
  });

  it("berry: entries without a resolution, or with one that is not a string, are skipped", () => {
    const text = ['__metadata:', "  version: 8", "", '"a@npm:^1":', "  version: 1.0.0", "", '"b@npm:^1":', "  resolution: 5", "", '"c@npm:^1":', '  resolution: "c@npm:1.2.0"', ""].join("\n");
    const r = parseYarnLock("yarn.lock", text);
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.packages).toEqual([{ name: "c", version: "1.2.0" }]);
  });

  it("berry: a workspace's peer ranges select among several locked versions; a root that is no workspace entry is not a project", () => {
    const text = [
      "__metadata:",
      "  version: 8",
      "",
      '"react@npm:^17":',
      '  resolution: "react@npm:17.0.2"',
      "",
      '"react@npm:^18":',
      '  resolution: "react@npm:18.3.1"',
      "",
      '"lib@workspace:packages/lib":',
      '  resolution: "lib@workspace:packages/lib"',
      "  peerDependencies:",
      '    react: "npm:^17"',
      "",
    ].join("\n");
    const r = parseYarnLock("yarn.lock", text);
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.lookup("packages/lib", "react", "^18")).toBe("17.0.2");
    expect(r.lock.hasProject(".")).toBe(false);
  });

  it("classic: entries whose version is not semver, or whose key has no name@range, are skipped", () => {
    const text = ["# yarn lockfile v1", "", "a@^1:", '  version "not-a-version"', "", "weird:", '  version "1.0.0"', "", "b@^2:", '  version "2.0.0"', ""].join("\n");
    const r = parseYarnLock("yarn.lock", text);
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.packages).toEqual([{ name: "b", version: "2.0.0" }]);
    expect(r.lock.lookup(".", "a", "^1")).toBeNull();
  });
});
