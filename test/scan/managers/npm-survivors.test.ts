/**
 * Issue 18: mutation survivors of src/scan/managers/npm.ts (package.json extraction, lockfile selection,
 * caches). Oracles: npm's package.json and package-lock.json docs (a workspace's importer is its path
 * below the lockfile's directory; node_modules lookup walks from the package up to the root), pnpm's
 * workspace: protocol docs (a path form or a version range), yarn's workspaces globs, corepack's
 * packageManager field, and values worked out by hand for each small repository below.
 */
import { describe, expect, it } from "vitest";
import { ParsedDocuments } from "../../../src/scan/documents.js";
import { npmManager } from "../../../src/scan/managers/npm.js";
import type { ExtractContext, ExtractedDependency, ManagerResult } from "../../../src/scan/types.js";

/** A repository held in memory: path → text. */
function repo(files: Record<string, string>, documents?: ParsedDocuments): ExtractContext {
  return { allFiles: Object.keys(files), readFile: (p) => files[p], ...(documents ? { documents } : {}) };
}
const extract = (path: string, files: Record<string, string>, ctx: ExtractContext = repo(files)): ManagerResult => npmManager.extract(path, files[path], ctx);
const only = (r: ManagerResult): ExtractedDependency => {
  expect(r.deps).toHaveLength(1);
  return r.deps[0];
};
/** A package-lock.json v3 with the given project directories and `node_modules/...` entries. */
const lockV3 = (projects: string[], entries: Record<string, string>): string =>
  JSON.stringify({
    lockfileVersion: 3,
    packages: {
      "": {},
      ...Object.fromEntries(projects.map((p) => [p, {}])),
      ...Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { version: v }])),
    },
  });
const ms = (range: string): string => JSON.stringify({ dependencies: { ms: range } });

describe("npm.ts: which lockfile, and the project's path below it", () => {
  it("a lockfile two directories up: the importer is the path below it, and it is not this package's own", () => {
    const files = {
      "a/package.json": JSON.stringify({ workspaces: ["b/*"] }),
      "a/package-lock.json": lockV3(["b/c"], { "node_modules/ms": "2.1.3", "b/c/node_modules/ms": "2.0.0" }),
      "a/b/c/package.json": ms("^2.0.0"),
    };
    const r = extract("a/b/c/package.json", files);
    // npm looks in the workspace's own node_modules first.
    expect(only(r)).toMatchObject({ locked_version: "2.0.0", version: "2.0.0" });
    expect(r.lockfile).toEqual({ file: "a/package-lock.json", importer: "b/c" });
    expect(r.locked).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it("a lockfile next to a package.json in a subdirectory belongs to it: importer '.'", () => {
    const files = { "a/b/package.json": ms("^2.0.0"), "a/b/package-lock.json": lockV3([], { "node_modules/ms": "2.1.3" }) };
    const r = extract("a/b/package.json", files);
    expect(only(r).locked_version).toBe("2.1.3");
    expect(r.lockfile).toEqual({ file: "a/b/package-lock.json", importer: "." });
    expect(r.locked).toEqual([{ name: "ms", version: "2.1.3", datasource: "npm" }]);
  });

  it("the nearest lockfile wins over an ancestor's", () => {
    const files = {
      "package.json": JSON.stringify({ workspaces: ["a"] }),
      "package-lock.json": lockV3(["a"], { "node_modules/ms": "1.0.0" }),
      "a/package.json": ms("^2.0.0"),
      "a/package-lock.json": lockV3([], { "node_modules/ms": "2.1.0" }),
    };
    const r = extract("a/package.json", files);
    expect(only(r).locked_version).toBe("2.1.0");
    expect(r.lockfile).toEqual({ file: "a/package-lock.json", importer: "." });
  });

  it("a lockfile whose error has no line is reported without one", () => {
    const files = { "package.json": ms("1.0.0"), "package-lock.json": JSON.stringify({ lockfileVersion: 3, packages: [] }) };
    const r = extract("package.json", files);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "package-lock.json", line: null, manager: "npm" });
    expect(r.warnings[0].message).toMatch(/^package-lock\.json: cannot read lockfile \("packages" is an array, expected an object; the lockfile is ignored\); dependencies of package\.json are listed without locked versions$/);
    expect(only(r).locked_version).toBeNull();
    expect(r.lockfile).toBeUndefined();
  });

  it("a lockfile that changed at the same path is read again", () => {
    const a = { "package.json": ms("^2.0.0"), "package-lock.json": lockV3([], { "node_modules/ms": "2.1.2" }) };
    expect(only(extract("package.json", a)).locked_version).toBe("2.1.2");
    const b = { ...a, "package-lock.json": lockV3([], { "node_modules/ms": "2.1.3" }) };
    expect(only(extract("package.json", b)).locked_version).toBe("2.1.3");
    expect(only(extract("package.json", a)).locked_version).toBe("2.1.2");
  });

  it("a scan's document cache parses a lockfile once for every package.json that reads it", () => {
    const docs = new ParsedDocuments();
    const files = {
      "package.json": JSON.stringify({ workspaces: ["a"], dependencies: { ms: "^2.0.0" } }),
      "package-lock.json": lockV3(["a"], { "node_modules/ms": "2.1.3" }),
      "a/package.json": ms("^2.0.0"),
    };
    expect(only(extract("package.json", files, repo(files, docs))).locked_version).toBe("2.1.3");
    const misses = docs.misses;
    expect(docs.size).toBeGreaterThan(0);
    expect(only(extract("a/package.json", files, repo(files, docs))).locked_version).toBe("2.1.3");
    expect(docs.misses).toBe(misses);
    expect(docs.hits).toBeGreaterThan(0);
  });

  it("yarn classic: exclusions are normalised like inclusions ('./' prefix, trailing slash)", () => {
    const files: Record<string, string> = {
      "package.json": JSON.stringify({ workspaces: ["packages/*", "!./packages/skip/"] }),
      "yarn.lock": '# yarn lockfile v1\n\nms@^2.0.0:\n  version "2.1.2"\n',
      "packages/a/package.json": ms("^2.0.0"),
      "packages/skip/package.json": ms("^2.0.0"),
    };
    expect(only(extract("packages/a/package.json", files)).locked_version).toBe("2.1.2");
    expect(only(extract("packages/skip/package.json", files)).locked_version).toBeNull();
  });

  it("a git dependency with a semver tag takes its locked version; a local one does not", () => {
    const pj = JSON.stringify({ dependencies: { slugify: "github:sindresorhus/slugify#v2.2.0", here: "file:./here" } });
    const files = { "package.json": pj, "package-lock.json": lockV3([], { "node_modules/slugify": "2.2.1", "node_modules/here": "1.0.0" }) };
    const r = extract("package.json", files);
    const by = new Map(r.deps.map((d) => [d.name, d]));
    expect(by.get("slugify")).toMatchObject({ datasource: "github-tags", locked_version: "2.2.1", version: "2.2.1" });
    expect(by.get("here")).toMatchObject({ datasource: "none", locked_version: null, local_path: "here" });
  });
});

describe("npm.ts: pnpm-workspace.yaml and workspace: targets", () => {
  it("a changed pnpm-workspace.yaml at the same path is read again", () => {
    const pj = JSON.stringify({ dependencies: { react: "catalog:" } });
    const v18 = extract("package.json", { "package.json": pj, "pnpm-workspace.yaml": "catalog:\n  react: ^18.3.1\n" });
    expect(only(v18)).toMatchObject({ current_value: "^18.3.1", file: "pnpm-workspace.yaml", line: 2 });
    const v19 = extract("package.json", { "package.json": pj, "pnpm-workspace.yaml": "catalog:\n  react: ^19.0.0\n" });
    expect(only(v19)).toMatchObject({ current_value: "^19.0.0", version: "19.0.0" });
  });

  it("the workspace index reads only files named package.json, keeps the first of a name, a version only as a string", () => {
    const files: Record<string, string> = {
      "libs/first/package.json": JSON.stringify({ name: "dup", version: "1.0.0" }),
      "libs/second/package.json": JSON.stringify({ name: "dup", version: "2.0.0" }),
      "libs/my-package.json": JSON.stringify({ name: "notpkg", version: "3.0.0" }),
      "libs/numver/package.json": JSON.stringify({ name: "numver", version: 4 }),
      "app/package.json": JSON.stringify({ dependencies: { dup: "workspace:*", notpkg: "workspace:*", numver: "workspace:^" } }),
    };
    const r = extract("app/package.json", files);
    const by = new Map(r.deps.map((d) => [d.name, d]));
    expect(by.get("dup")).toMatchObject({ local_path: "libs/first", version: "1.0.0" });
    expect(by.get("notpkg")).toMatchObject({ local_path: null, version: "workspace:*" });
    expect(by.get("numver")).toMatchObject({ local_path: "libs/numver", version: "workspace:^" });
  });

  it("the root package.json is indexed too", () => {
    const files: Record<string, string> = {
      "package.json": JSON.stringify({ name: "the-root", version: "0.1.0" }),
      "tools/package.json": JSON.stringify({ dependencies: { "the-root": "workspace:*" } }),
    };
    expect(only(extract("tools/package.json", files))).toMatchObject({ local_path: ".", version: "0.1.0" });
  });

  it("workspace: path forms './x' and 'a/b' resolve from the package; '~' or '^' ranges with a slash do not", () => {
    const pj = JSON.stringify({ dependencies: { dot: "workspace:./sub", up: "workspace:../lib", slash: "workspace:x/y", tilde: "workspace:~/x", caret: "workspace:^1/x" } });
    const r = extract("apps/web/package.json", { "apps/web/package.json": pj });
    expect(r.deps.map((d) => [d.name, d.local_path])).toEqual([
      ["dot", "apps/web/sub"],
      ["up", "apps/lib"],
      ["slash", "apps/web/x/y"],
      ["tilde", null],
      ["caret", null],
    ]);
  });
});

describe("npm.ts: package.json shapes and messages", () => {
  it("a JSON document that is not an object: one warning at line 1, no dependencies", () => {
    const r = extract("x/package.json", { "x/package.json": '"just a string"' });
    expect(r).toEqual({
      deps: [],
      warnings: [{ file: "x/package.json", line: 1, manager: "npm", message: "x/package.json:1: package.json is not a JSON object" }],
      meta: { primary: true },
    });
  });

  it("invalid JSON names the line and column of the error", () => {
    const r = extract("package.json", { "package.json": '{\n  "name": "x",\n  "version" "1.0.0"\n}' });
    expect(r.deps).toEqual([]);
    expect(r.meta).toEqual({ primary: true });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "package.json", line: 3 });
    expect(r.warnings[0].message).toMatch(/^package\.json:3: invalid JSON at line 3, column \d+: ./);
  });

  it("meta: description and node engines only when strings", () => {
    const r = extract("package.json", { "package.json": JSON.stringify({ name: 1, version: [], description: 2, engines: { node: 20 } }) });
    expect(r.meta).toEqual({ primary: true });
    const ok = extract("package.json", { "package.json": JSON.stringify({ name: "n", version: "1.0.0", description: "d", engines: { node: ">=20" } }) });
    expect(ok.meta).toMatchObject({ name: "n", version: "1.0.0", description: "d", node_engines: ">=20" });
  });

  it("quotes names of up to 78 characters whole, longer ones in 80 characters", () => {
    const name78 = `_${"a".repeat(77)}`;
    const name79 = `_${"b".repeat(78)}`;
    const r = extract("package.json", { "package.json": JSON.stringify({ dependencies: { [name78]: "1.0.0", [name79]: "1.0.0" } }) });
    expect(r.warnings[0].message).toBe(`package.json:1: dependencies: "${name78}" is not a valid npm package name`);
    expect(r.warnings[1].message).toBe(`package.json:1: dependencies: "_${"b".repeat(75)}..." is not a valid npm package name`);
  });

  it("a top-level '.' in overrides has no enclosing package: skipped", () => {
    const r = extract("package.json", { "package.json": JSON.stringify({ overrides: { ".": "1.0.0", ms: "2.0.0" } }) });
    expect(r.deps.map((d) => [d.name, d.current_value, d.dependency_type])).toEqual([["ms", "2.0.0", "override"]]);
    expect(r.warnings).toEqual([]);
  });

  it("an engine range with surrounding spaces has the lowest version it admits", () => {
    const r = extract("package.json", { "package.json": JSON.stringify({ engines: { node: "  >=18.17.0  " } }) });
    expect(only(r)).toMatchObject({ name: "node", current_value: "  >=18.17.0  ", version: "18.17.0", datasource: "node-version" });
  });

  it("packageManager: a version without a hash has no digest and a span; yarn 1.x stays 'yarn'", () => {
    const pj = '{\n  "packageManager": "yarn@1.22.19"\n}';
    const d = only(extract("package.json", { "package.json": pj }));
    expect(d).toMatchObject({ name: "yarn", version: "1.22.19", current_value: "1.22.19", digest: null, datasource: "npm", dependency_type: "runtime" });
    expect(d.value_span).toEqual({ line: 2, start_column: 26, end_column: 33, text: "1.22.19" });
    const y3 = only(extract("package.json", { "package.json": '{"packageManager": "yarn@3.6.4+sha224.deadbeef"}' }));
    expect(y3).toMatchObject({ name: "@yarnpkg/cli-dist", version: "3.6.4", digest: "sha224.deadbeef", value_span: null });
  });
});

describe("npm.ts: matches, companions, internal errors", () => {
  it("node_modules is excluded only as a whole path segment", () => {
    expect(npmManager.matches("node_modules/package.json")).toBe(false);
    expect(npmManager.matches("node_modules_cache/package.json")).toBe(true);
    expect(npmManager.matches("a/node_modules/.nvmrc")).toBe(false);
    expect(npmManager.matches("a/.node-version")).toBe(true);
    expect(npmManager.matches("a/pnpm-workspace.yaml")).toBe(true);
    expect(npmManager.matches("a/pnpm-workspace.yml")).toBe(false);
  });

  it("companions: none for the other files the manager reads", () => {
    expect(npmManager.companions!("pnpm-workspace.yaml")).toEqual([]);
    expect(npmManager.companions!("a/.nvmrc")).toEqual([]);
    expect(npmManager.companions!("package.json")).toEqual(["pnpm-lock.yaml", "yarn.lock", "npm-shrinkwrap.json", "package-lock.json", "pnpm-workspace.yaml"]);
  });

  it("a failure while reading the repository is one warning, not an exception", () => {
    const ctx: ExtractContext = {
      allFiles: ["package.json"],
      readFile: () => {
        throw new Error("boom");
      },
    };
    const r = npmManager.extract("package.json", ms("1.0.0"), ctx);
    expect(r).toEqual({
      deps: [],
      warnings: [{ file: "package.json", line: null, manager: "npm", message: "package.json: internal error while extracting: boom" }],
      meta: { primary: true },
    });
  });
});

describe("npm.ts: yarn classic workspace membership", () => {
  const yarnLock = '# yarn lockfile v1\n\nms@^2.0.0:\n  version "2.1.2"\n';
  /** The locked version of ms for `dir`/package.json under a root whose workspaces are `globs`: set when `dir` is a member. */
  const lockedIn = (globs: string[], dir: string): string | null => {
    const files: Record<string, string> = { "package.json": JSON.stringify({ workspaces: globs }), "yarn.lock": yarnLock, [`${dir}/package.json`]: ms("^2.0.0") };
    return only(extract(`${dir}/package.json`, files)).locked_version;
  };

  it("an exclusion is no inclusion: a directory no positive glob names is not a member", () => {
    expect(lockedIn(["packages/*", "!packages/skip"], "tools/x")).toBeNull();
    expect(lockedIn(["packages/*", "!packages/skip"], "packages/a")).toBe("2.1.2");
  });

  it("an inclusion is no exclusion", () => {
    expect(lockedIn(["**/lib"], "x/lib")).toBe("2.1.2");
  });

  it("only a leading './' is dropped, and every trailing slash", () => {
    expect(lockedIn(["pkg./*"], "pkg./x")).toBe("2.1.2");
    expect(lockedIn(["*/*", "!pkg./x"], "pkg./x")).toBeNull();
    expect(lockedIn(["packages/*//"], "packages/a")).toBe("2.1.2");
    expect(lockedIn(["packages/*", "!packages/skip//"], "packages/skip")).toBeNull();
  });

  it("exclusion globs match dot directories too", () => {
    expect(lockedIn(["libs/*", "tools/*", "!tools/*"], "tools/.cache")).toBeNull();
    expect(lockedIn(["libs/*", "tools/*", "!tools/*"], "libs/.cache")).toBe("2.1.2");
  });
});

describe("npm.ts: overrides, resolutions, pnpm.overrides, engines", () => {
  it("non-string override values are warned by kind and kept, not thrown on", () => {
    const pj = JSON.stringify({ overrides: { a: 1 }, resolutions: { c: null }, pnpm: { overrides: { b: true } } });
    const r = extract("package.json", { "package.json": pj });
    expect(r.warnings.map((w) => w.message)).toEqual([
      'package.json:1: overrides: "a" should be a version string, found number',
      'package.json:1: resolutions: "c" should be a version string, found null',
      'package.json:1: pnpm.overrides: "b" should be a version string, found boolean',
    ]);
    // Still overrides, like their string-valued neighbours (they were listed as "prod" before issue 18's review).
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason, d.dependency_type])).toEqual([
      ["a", "1", "invalid version value", "override"],
      ["c", "null", "invalid version value", "override"],
      ["b", "true", "invalid version value", "override"],
    ]);
  });

  it("npm overrides: a value inside 16 nested objects is read, one inside 17 is not", () => {
    const nest = (depth: number, leaf: string): Record<string, unknown> => {
      let o: Record<string, unknown> = { [leaf]: "1.0.0" };
      for (let i = depth; i >= 1; i--) o = { [`p${leaf}${i}`]: o }; // `depth` objects below "overrides"
      return o;
    };
    const r = extract("package.json", { "package.json": JSON.stringify({ overrides: { ...nest(16, "sixteen"), ...nest(17, "seventeen") } }) });
    expect(r.deps.map((d) => d.name)).toEqual(["sixteen"]);
  });

  it("an override's span is its own value, not an equal value earlier on the line", () => {
    const pj = '{"dependencies":{"x":"1.0.0"},"overrides":{"y":"1.0.0"}}';
    const y = extract("package.json", { "package.json": pj }).deps.find((d) => d.name === "y")!;
    expect(y.value_span).toEqual({ line: 1, start_column: 48, end_column: 53, text: "1.0.0" });
  });

  it("packageManager's span is the version after 'name@', not an equal version earlier on the line", () => {
    const pj = '{"version":"9.1.0","packageManager":"pnpm@9.1.0"}';
    const d = only(extract("package.json", { "package.json": pj }));
    expect(d.value_span).toEqual({ line: 1, start_column: 42, end_column: 47, text: "9.1.0" });
  });

  it("yarn resolutions: a scoped package alone, a trailing slash, each at its line", () => {
    const pj = JSON.stringify({ resolutions: { "@s/b": "1.0.0", "**/left-pad/": "1.3.0" } }, null, 2);
    const r = extract("package.json", { "package.json": pj });
    expect(r.deps.map((d) => [d.name, d.current_value, d.line])).toEqual([
      ["@s/b", "1.0.0", 3],
      ["left-pad", "1.3.0", 4],
    ]);
  });

  it("resolutions and pnpm.overrides take a locked version only when the package is locked at one version", () => {
    const pj = JSON.stringify({ resolutions: { ms: "^2.0.0" }, pnpm: { overrides: { ms: "^2.0.0" } } });
    const two = lockV3([], { "node_modules/ms": "2.1.3", "node_modules/x/node_modules/ms": "2.0.0" });
    const r = extract("package.json", { "package.json": pj, "package-lock.json": two });
    expect(r.deps.map((d) => [d.group, d.locked_version])).toEqual([
      ["resolutions", null],
      ["pnpm.overrides", null],
    ]);
    const one = extract("package.json", { "package.json": pj, "package-lock.json": lockV3([], { "node_modules/ms": "2.1.3" }) });
    expect(one.deps.map((d) => d.locked_version)).toEqual(["2.1.3", "2.1.3"]);
  });

  it("a pnpm field without overrides is no warning", () => {
    const r = extract("package.json", { "package.json": JSON.stringify({ pnpm: { neverBuiltDependencies: ["x"] } }) });
    expect(r).toMatchObject({ deps: [], warnings: [] });
  });

  it("engines.pnpm is looked up on npm", () => {
    const r = extract("package.json", { "package.json": JSON.stringify({ engines: { pnpm: ">=9" } }) });
    expect(only(r)).toMatchObject({ name: "pnpm", datasource: "npm", version: "9.0.0", dependency_type: "build", skip_reason: null });
  });
});

describe("npm.ts: values of package.json dependencies", () => {
  it("a catalog: reference with surrounding blanks is a catalog reference, quoted without them", () => {
    const pj = JSON.stringify({ dependencies: { react: " catalog: ", vue: " catalog:" } });
    const r = extract("package.json", { "package.json": pj, "pnpm-workspace.yaml": "catalog:\n  react: ^18.3.1\n" });
    const react = r.deps.find((d) => d.name === "react")!;
    expect(react).toMatchObject({ file: "pnpm-workspace.yaml", line: 2, current_value: "^18.3.1", declared_by: { file: "package.json", line: 1, value: "catalog:" } });
    expect(r.warnings.map((w) => w.message)).toEqual(['package.json:1: dependencies: "vue" uses "catalog:" but no entry for "vue" in "catalog:" of pnpm-workspace.yaml']);
  });

  it("workspace: a version is no path; a path may contain '~' after its first character", () => {
    const pj = JSON.stringify({ dependencies: { exact: "workspace:1.0.0", tilde: "workspace:libs/core~2" } });
    const r = extract("apps/web/package.json", { "apps/web/package.json": pj });
    expect(r.deps.map((d) => [d.name, d.local_path])).toEqual([
      ["exact", null],
      ["tilde", "apps/web/libs/core~2"],
    ]);
  });

  it("a git branch reference gets no locked version", () => {
    const pj = JSON.stringify({ dependencies: { thing: "git+https://github.com/octo/thing.git#main" } });
    const d = only(extract("package.json", { "package.json": pj, "package-lock.json": lockV3([], { "node_modules/thing": "1.0.0" }) }));
    expect(d).toMatchObject({ skip_reason: "git branch reference", locked_version: null, version: "main" });
  });
});
