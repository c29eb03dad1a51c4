import { describe, expect, it } from "vitest";
import { npmManager } from "../../../src/scan/managers/npm.js";
import type { ExtractedDependency, ManagerResult } from "../../../src/scan/types.js";
import { NPM_FIXTURES, diskContext, lineInSection, readFixture } from "./npm-helpers.js";

const ctx = diskContext(NPM_FIXTURES);
const run = (file: string): ManagerResult => npmManager.extract(file, readFixture(file), ctx);
const find = (r: ManagerResult, name: string, type?: string): ExtractedDependency => {
  const d = r.deps.find((x) => x.name === name && (type === undefined || x.dependency_type === type));
  if (!d) throw new Error(`no ${name} (${type ?? "any"}) in ${r.deps.map((x) => `${x.name}:${x.dependency_type}`).join(", ")}`);
  return d;
};

describe("npmManager.matches / companions", () => {
  it("matches package.json only, never lockfiles or node_modules", () => {
    expect(npmManager.matches("package.json")).toBe(true);
    expect(npmManager.matches("src/ui/package.json")).toBe(true);
    expect(npmManager.matches("src/ui/package-lock.json")).toBe(false);
    expect(npmManager.matches("yarn.lock")).toBe(false);
    expect(npmManager.matches("src/ui/node_modules/x/package.json")).toBe(false);
    expect(npmManager.matches("src/ui/my-package.json")).toBe(false);
  });
  it("names lockfiles and pnpm-workspace.yaml of the directory and every ancestor", () => {
    const c = npmManager.companions!("a/b/package.json");
    for (const f of ["a/b/package-lock.json", "a/b/yarn.lock", "a/pnpm-lock.yaml", "npm-shrinkwrap.json", "pnpm-workspace.yaml", "package.json", "a/package.json"]) {
      expect(c).toContain(f);
    }
    expect(c).not.toContain("a/b/package.json");
  });
});

describe("package.json with package-lock.json v3", () => {
  // Extracted inside each test: Stryker credits a test only with what runs inside it (issue 18).
  const basic = (): ManagerResult => run("basic/package.json");
  const text = readFixture("basic/package.json");

  it("reads meta", () => {
    const r = basic();
    expect(r.meta).toMatchObject({ primary: true, name: "basic-app", version: "2.3.0", node_engines: ">=18.17.0", description: "Every kind of npm declaration" });
    expect(r.warnings).toEqual([]);
  });

  it("extracts each dependency type with its locked version and line", () => {
    const r = basic();
    const express = find(r, "express", "prod");
    expect(express).toMatchObject({ current_value: "^4.19.2", locked_version: "4.21.0", version: "4.21.0", datasource: "npm", package_manager: "npm", file: "basic/package.json", component: "" });
    expect(express.line).toBe(lineInSection(text, "dependencies", "express"));
    expect(find(r, "typescript", "dev")).toMatchObject({ current_value: "~5.4.5", locked_version: "5.4.5" });
    expect(find(r, "vitest", "dev")).toMatchObject({ current_value: ">=1.6.0 <2.0.0", locked_version: "1.6.0" });
    expect(find(r, "fsevents", "optional")).toMatchObject({ locked_version: "2.3.3" });
    expect(find(r, "react", "peer")).toMatchObject({ current_value: "^18.0.0 || ^19.0.0", locked_version: "18.3.1" });
  });

  it("gives a name declared in two sections the line of each section", () => {
    const r = basic();
    const prod = find(r, "lodash", "prod");
    const dev = find(r, "lodash", "dev");
    expect(prod.line).toBe(lineInSection(text, "dependencies", "lodash"));
    expect(dev.line).toBe(lineInSection(text, "devDependencies", "lodash"));
    expect(prod.line).not.toBe(dev.line);
    expect(dev).toMatchObject({ current_value: "^4.17.0", locked_version: "4.17.21" });
  });

  it("resolves npm: aliases to the real package", () => {
    const r = basic();
    const sw = find(r, "string-width");
    expect(sw).toMatchObject({ current_value: "^4.2.0", locked_version: "4.2.3", version: "4.2.3", skip_reason: null });
    expect(sw.line).toBe(lineInSection(text, "dependencies", "string-width-cjs"));
  });

  it("marks local paths with their repo-relative target", () => {
    const r = basic();
    expect(find(r, "local-lib")).toMatchObject({ local_path: "shared/local-lib", datasource: "none", skip_reason: "local path (file:)", locked_version: null });
    expect(find(r, "linked")).toMatchObject({ local_path: "basic/vendor/linked", skip_reason: "local path (link:)" });
  });

  it("classifies git dependencies", () => {
    const r = basic();
    expect(find(r, "from-github")).toMatchObject({ datasource: "github-tags", current_value: "v2.2.1", registry_url: "https://github.com/sindresorhus/slugify", skip_reason: null });
    expect(find(r, "shorthand")).toMatchObject({ datasource: "github-tags", current_value: "1.20.2", registry_url: "https://github.com/expressjs/body-parser" });
    expect(find(r, "git-commit")).toMatchObject({ datasource: "git", digest: "0123456789abcdef0123456789abcdef01234567", skip_reason: "pinned to a git commit" });
    expect(find(r, "git-branch")).toMatchObject({ datasource: "git", current_value: "main", skip_reason: "git branch reference", registry_url: "https://github.com/octo/thing" });
    expect(find(r, "gitlab-dep")).toMatchObject({ datasource: "git", current_value: "v1.0.0", registry_url: "https://gitlab.com/group/proj", skip_reason: null });
    expect(find(r, "tarball")).toMatchObject({ datasource: "none", skip_reason: "tarball URL" });
  });

  it("keeps wildcards and dist-tags as declared", () => {
    const r = basic();
    expect(find(r, "anything")).toMatchObject({ current_value: "*", version: "*", skip_reason: null });
    expect(find(r, "newest")).toMatchObject({ current_value: "latest", version: "latest" });
    expect(find(r, "empty")).toMatchObject({ current_value: "", version: "" });
    expect(find(r, "nexttag")).toMatchObject({ current_value: "next", version: "next", skip_reason: null });
  });

  it("extracts engines and packageManager", () => {
    const r = basic();
    const node = find(r, "node");
    expect(node).toMatchObject({ datasource: "node-version", dependency_type: "runtime", current_value: ">=18.17.0", version: "18.17.0" });
    expect(node.value_span).toMatchObject({ line: node.line, text: ">=18.17.0" });
    expect(node.line).toBe(lineInSection(text, "engines", "node"));
    expect(r.deps.filter((d) => d.name === "npm")).toHaveLength(2);
    const pm = r.deps.find((d) => d.name === "npm" && d.line === lineInSection(text, "name", "packageManager"))!;
    expect(pm).toMatchObject({ datasource: "npm", current_value: "10.8.2", version: "10.8.2", dependency_type: "runtime" });
    // The corepack hash pins the old tarball: no plain span edit for it.
    expect(pm.value_span).toBeNull();
    expect(pm.digest).toMatch(/^sha512\./);
  });

  it("extracts overrides, resolving $references and nested keys", () => {
    const r = basic();
    const overrideLines = (name: string) => r.deps.filter((d) => d.name === name && d.line !== null && d.line > lineInSection(text, "name", "overrides"));
    expect(overrideLines("semver")[0]).toMatchObject({ current_value: "7.6.3", locked_version: "7.6.3" });
    expect(overrideLines("express")[0]).toMatchObject({ current_value: "^4.19.2", locked_version: "4.21.0" });
    // cookie is locked at two versions: no single answer.
    expect(overrideLines("cookie")[0]).toMatchObject({ current_value: "0.7.1", locked_version: null, version: "0.7.1" });
    expect(overrideLines("glob")[0]).toMatchObject({ current_value: "9.3.5" });
  });

  it("emits every locked package once, real names for aliases, no links", () => {
    const r = basic();
    const locked = r.locked!;
    const keys = locked.map((p) => `${p.name}@${p.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain("string-width@4.2.3");
    expect(keys).toContain("cookie@0.6.0");
    expect(keys).toContain("cookie@0.7.1");
    expect(keys.some((k) => k.startsWith("linked@"))).toBe(false);
    expect(keys.some((k) => k.startsWith("string-width-cjs@"))).toBe(false);
    expect(locked.every((p) => p.datasource === "npm")).toBe(true);
  });
});

describe("package-lock.json v1 and npm-shrinkwrap.json", () => {
  it("reads the v1 dependencies tree, aliases included", () => {
    const r = run("lock-v1/package.json");
    expect(r.warnings).toEqual([]);
    expect(find(r, "request")).toMatchObject({ locked_version: "2.88.2" });
    expect(find(r, "chalk")).toMatchObject({ current_value: "^2.4.2", locked_version: "2.4.2" });
    expect(find(r, "mocha", "dev")).toMatchObject({ locked_version: "6.2.3" });
    const keys = r.locked!.map((p) => `${p.name}@${p.version}`);
    expect(keys).toEqual(expect.arrayContaining(["qs@6.5.3", "qs@6.7.0", "chalk@2.4.2", "request@2.88.2"]));
    expect(keys.some((k) => k.startsWith("local-thing"))).toBe(false);
  });
  it("prefers npm-shrinkwrap.json", () => {
    const r = run("shrinkwrap/package.json");
    expect(find(r, "commander")).toMatchObject({ locked_version: "12.1.0", version: "12.1.0" });
    expect(r.locked).toEqual([{ name: "commander", version: "12.1.0", datasource: "npm" }]);
  });
});

describe("npm workspaces sharing a root package-lock.json v2", () => {
  const ws = (dir: string): ManagerResult => run(`npm-workspaces/${dir}package.json`);

  it("lists workspaces in meta and emits locked only from the root", () => {
    const root = ws("");
    const api = ws("packages/api/");
    const web = ws("packages/web/");
    expect(root.meta.workspaces).toEqual(["packages/*"]);
    expect(root.locked!.length).toBeGreaterThan(0);
    expect(api.locked).toBeUndefined();
    expect(web.locked).toBeUndefined();
  });
  it("uses the workspace's nested node_modules before the hoisted one", () => {
    const api = ws("packages/api/");
    const web = ws("packages/web/");
    expect(find(api, "zod")).toMatchObject({ locked_version: "3.23.8" });
    expect(find(web, "zod")).toMatchObject({ locked_version: "3.22.4" });
    expect(find(api, "fastify")).toMatchObject({ locked_version: "4.28.1" });
  });
  it("follows workspace links and marks workspace: protocol deps local", () => {
    const api = ws("packages/api/");
    const web = ws("packages/web/");
    expect(find(api, "@acme/web")).toMatchObject({ locked_version: "1.2.0" });
    expect(find(web, "@acme/api")).toMatchObject({ skip_reason: "workspace dependency", local_path: "npm-workspaces/packages/api", version: "0.4.0", datasource: "none" });
  });
});

describe("yarn.lock", () => {
  it("classic: resolves direct deps of a workspace through descriptors, aliases too", () => {
    const app = run("yarn-classic/packages/app/package.json");
    expect(app.warnings).toEqual([]);
    expect(find(app, "react")).toMatchObject({ locked_version: "18.3.1" });
    expect(find(app, "strip-ansi")).toMatchObject({ current_value: "^6.0.1", locked_version: "6.0.1" });
    expect(app.locked).toBeUndefined();
  });
  it("classic: root gets locked packages and resolutions", () => {
    const root = run("yarn-classic/package.json");
    expect(root.meta.workspaces).toEqual(["packages/*"]);
    expect(find(root, "prettier", "dev")).toMatchObject({ locked_version: "3.3.3" });
    expect(find(root, "minimist")).toMatchObject({ current_value: "1.2.8", locked_version: "1.2.8" });
    expect(find(root, "@babel/core")).toMatchObject({ current_value: "7.24.0", locked_version: "7.24.0" });
    const keys = root.locked!.map((p) => `${p.name}@${p.version}`);
    expect(keys).toEqual(expect.arrayContaining(["strip-ansi@6.0.1", "js-tokens@4.0.0", "loose-envify@1.4.0", "minimist@1.2.8"]));
    expect(keys.filter((k) => k.startsWith("@babel/core@"))).toEqual(["@babel/core@7.24.0"]);
  });
  it("berry: uses the workspace entry of each package.json", () => {
    const root = run("yarn-berry/package.json");
    const lib = run("yarn-berry/packages/lib/package.json");
    expect(find(root, "chalk")).toMatchObject({ locked_version: "5.3.0" });
    expect(find(lib, "chalk")).toMatchObject({ locked_version: "4.1.2" });
    expect(find(lib, "typescript", "dev")).toMatchObject({ locked_version: "5.5.4" });
    expect(find(lib, "berry-root")).toMatchObject({ skip_reason: "workspace dependency", local_path: "yarn-berry" });
    const keys = root.locked!.map((p) => `${p.name}@${p.version}`);
    expect(keys.sort()).toEqual(["chalk@4.1.2", "chalk@5.3.0", "ms@2.1.3", "typescript@5.5.4"]);
    // yarn 2+ is looked up as @yarnpkg/cli-dist
    expect(find(root, "@yarnpkg/cli-dist")).toMatchObject({ current_value: "4.4.1", dependency_type: "runtime" });
  });
});

describe("pnpm-lock.yaml", () => {
  it("v6: strips peer suffixes, resolves aliases, pnpm.overrides", () => {
    const r = run("pnpm-v6/package.json");
    expect(r.warnings).toEqual([]);
    expect(find(r, "react-dom")).toMatchObject({ locked_version: "18.3.1" });
    expect(find(r, "ms")).toMatchObject({ current_value: "^2.1.0", locked_version: "2.1.3" });
    expect(find(r, "@types/node", "dev")).toMatchObject({ locked_version: "20.14.10" });
    expect(find(r, "semver")).toMatchObject({ current_value: "7.5.4" });
    expect(find(r, "scheduler")).toMatchObject({ current_value: "0.23.2", locked_version: "0.23.2" });
    expect(r.deps.some((d) => d.name === "bar")).toBe(false);
    const keys = r.locked!.map((p) => `${p.name}@${p.version}`);
    expect(keys.sort()).toEqual(["@types/node@20.14.10", "js-tokens@4.0.0", "ms@2.1.3", "react-dom@18.3.1", "react@18.3.1", "scheduler@0.23.2", "undici-types@5.26.5"]);
  });
  it("v5: reads /name/version_peer keys", () => {
    const r = run("pnpm-v5/package.json");
    expect(find(r, "@emotion/react")).toMatchObject({ locked_version: "11.10.5" });
    expect(find(r, "debug")).toMatchObject({ locked_version: "4.3.4" });
    expect(r.locked!.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["@emotion/react@11.10.5", "debug@4.3.4", "ms@2.1.2"]);
  });
  it("v9 with pnpm-workspace.yaml: importers, catalogs, workspace:", () => {
    const root = run("pnpm-v9/package.json");
    const web = run("pnpm-v9/apps/web/package.json");
    const ui = run("pnpm-v9/packages/ui/package.json");
    expect(root.meta.workspaces).toEqual(["apps/*", "packages/*"]);
    expect(find(root, "turbo", "dev")).toMatchObject({ locked_version: "2.0.14" });
    expect(find(root, "pnpm")).toMatchObject({ current_value: "9.1.0", datasource: "npm" });
    expect(root.locked!.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["clsx@2.1.1", "react@17.0.2", "react@18.3.1", "turbo@2.0.14", "zod@3.23.8"]);

    expect(find(web, "react")).toMatchObject({ current_value: "^18.3.1", locked_version: "18.3.1", skip_reason: null, datasource: "npm" });
    expect(find(web, "zod")).toMatchObject({ current_value: "3.23.8", locked_version: "3.23.8" });
    expect(find(web, "@nine/ui")).toMatchObject({ local_path: "pnpm-v9/packages/ui", skip_reason: "workspace dependency" });
    const missing = find(web, "missing-from-catalog");
    expect(missing.skip_reason).toBe("catalog entry not found");
    expect(web.warnings).toHaveLength(1);
    expect(web.warnings[0]).toMatchObject({ file: "pnpm-v9/apps/web/package.json", line: missing.line, manager: "npm" });
    expect(web.warnings[0].message).toContain("missing-from-catalog");
    expect(web.locked).toBeUndefined();

    expect(find(ui, "react")).toMatchObject({ current_value: "^17.0.2", locked_version: "17.0.2" });
    expect(find(ui, "clsx")).toMatchObject({ locked_version: "2.1.1" });
  });
});

describe("bad input", () => {
  it("malformed package.json: one warning with file and line, no deps", () => {
    const r = run("malformed/package.json");
    expect(r.deps).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    // The trailing comma sits before the "}" on line 6.
    expect(r.warnings[0]).toMatchObject({ file: "malformed/package.json", line: 6, manager: "npm" });
    expect(r.warnings[0].message).toMatch(/malformed\/package\.json:6: invalid JSON/);
  });
  it("malformed lockfile: warning naming the lockfile, deps still extracted", () => {
    const r = run("broken-lock/package.json");
    expect(r.deps.map((d) => d.name)).toEqual(["left-pad"]);
    expect(r.deps[0]).toMatchObject({ locked_version: null, version: "1.3.0" });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].file).toBe("broken-lock/package-lock.json");
    expect(r.warnings[0].message).toContain("broken-lock/package-lock.json");
    expect(r.locked).toBeUndefined();
  });
  it("malformed yarn.lock and pnpm-lock.yaml are reported the same way", () => {
    const files: Record<string, string> = {
      "package.json": '{"dependencies": {"a": "^1.0.0"}}',
      "yarn.lock": "# yarn lockfile v1\n\na@^1.0.0:\n  version \"1.0.0\n  x",
    };
    const c = { allFiles: Object.keys(files), readFile: (p: string) => files[p] };
    const r = npmManager.extract("package.json", files["package.json"], c);
    expect(r.deps).toHaveLength(1);
    expect(r.warnings[0].file).toBe("yarn.lock");
    const files2: Record<string, string> = { "package.json": files["package.json"], "pnpm-lock.yaml": "lockfileVersion: '9.0'\nimporters: [\n" };
    const r2 = npmManager.extract("package.json", files2["package.json"], { allFiles: Object.keys(files2), readFile: (p) => files2[p] });
    expect(r2.deps).toHaveLength(1);
    expect(r2.warnings[0]).toMatchObject({ file: "pnpm-lock.yaml" });
  });
  it("wrong shapes give warnings with lines, not exceptions", () => {
    const text = '{\n  "dependencies": ["a"],\n  "devDependencies": {\n    "b": 12\n  },\n  "packageManager": 3\n}';
    const r = npmManager.extract("x/package.json", text, { allFiles: [], readFile: () => undefined });
    expect(r.warnings.map((w) => w.line)).toEqual([2, 4, 6]);
    expect(r.deps).toHaveLength(1);
    expect(r.deps[0]).toMatchObject({ name: "b", skip_reason: "invalid version value", current_value: "12" });
    const arr = npmManager.extract("package.json", "[1, 2]", { allFiles: [], readFile: () => undefined });
    expect(arr.deps).toEqual([]);
    expect(arr.warnings).toHaveLength(1);
  });
  it("hostile names are kept as data and marked invalid", () => {
    const long = "a".repeat(5000);
    const doc = {
      dependencies: {
        "<script>alert(1)</script>": "^1.0.0",
        "evil\nname": "1.0.0",
        [long]: "1.0.0",
        ok: "npm:<img src=x>@1.0.0",
        "@scope/fine": "^2.0.0",
      },
    };
    const text = JSON.stringify(doc, null, 2);
    const r = npmManager.extract("package.json", text, { allFiles: [], readFile: () => undefined });
    expect(r.deps).toHaveLength(5);
    const byName = new Map(r.deps.map((d) => [d.name, d]));
    expect(byName.get("<script>alert(1)</script>")).toMatchObject({ skip_reason: "invalid package name", line: 3 });
    expect(byName.get("evil\nname")).toMatchObject({ skip_reason: "invalid package name", line: 4 });
    expect(byName.get(long)).toMatchObject({ skip_reason: "invalid package name", line: 5 });
    expect(byName.get("<img src=x>")).toMatchObject({ skip_reason: "invalid package name" });
    expect(byName.get("@scope/fine")).toMatchObject({ skip_reason: null, line: 7 });
    expect(r.warnings).toHaveLength(4);
    // Messages quote and bound the name.
    for (const w of r.warnings) expect(w.message.length).toBeLessThan(300);
    expect(r.warnings.every((w) => !w.message.includes("\n"))).toBe(true);
  });
  it("deeply nested or huge input does not throw", () => {
    const deep = `{"dependencies": {"a": "1.0.0"}, "x": ${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const r = npmManager.extract("package.json", deep, { allFiles: [], readFile: () => undefined });
    expect(r.deps.map((d) => d.name)).toEqual(["a"]);
    expect(r.deps[0].line).toBe(1);
  });
  it("a BOM is tolerated", () => {
    const r = npmManager.extract("package.json", '\ufeff{\n"dependencies": {"a": "1.0.0"}}', { allFiles: [], readFile: () => undefined });
    expect(r.warnings).toEqual([]);
    expect(r.deps[0].line).toBe(2);
  });
});
