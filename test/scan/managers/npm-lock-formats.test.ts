/**
 * The three lockfile formats the npm manager reads, one behaviour per test (issue 18: mutation
 * survivors of npm/pnpm.ts, npm/package-lock.ts, npm/yarn-lock.ts). Oracles: npm's
 * package-lock.json docs (lockfileVersion 1 `dependencies` tree, 2/3 `packages` map keyed by
 * `node_modules/...` paths, `link: true` + `resolved` for workspaces), pnpm's lockfile formats
 * (v5 `/name/1.0.0_peer`, v6 `/name@1.0.0(peer)`, v9 `name@1.0.0` with `importers` and `snapshots`),
 * and yarn's (classic descriptors `name@range` with `version`, berry `resolution: name@npm:x` and
 * `workspace:` entries). Lockfiles written here.
 */
import { describe, expect, it } from "vitest";
import { parsePackageLock } from "../../../src/scan/managers/npm/package-lock.js";
import { parsePnpmKey, parsePnpmLock, parsePnpmWorkspace, resolveCatalog } from "../../../src/scan/managers/npm/pnpm.js";
import type { NpmLockfile } from "../../../src/scan/managers/npm/types.js";
import { parseYarnLock } from "../../../src/scan/managers/npm/yarn-lock.js";

function ok(r: ReturnType<typeof parsePnpmLock>): NpmLockfile {
  if (!r.ok) throw new Error(`expected a lockfile, got ${r.message}`);
  return r.lock;
}

describe("pnpm-lock.yaml", () => {
  it("v9: importers by directory, peers stripped, aliases, links and snapshots", () => {
    const text = [
      "lockfileVersion: '9.0'",
      "importers:",
      "  .:",
      "    dependencies:",
      "      react:",
      "        specifier: ^18.2.0",
      "        version: 18.3.1",
      "  ./packages/ui/:",
      "    devDependencies:",
      "      react-dom:",
      "        specifier: ^18.2.0",
      "        version: 18.3.1(react@18.3.1)",
      "    optionalDependencies:",
      "      fsevents:",
      "        specifier: ^2.3.0",
      "        version: 2.3.3",
      "    dependencies:",
      "      shared:",
      "        specifier: workspace:*",
      "        version: link:../shared",
      "      str:",
      "        specifier: npm:string-width@^4",
      "        version: string-width@4.2.3",
      "      weird:",
      "        specifier: ^1",
      "        version: 3",
      "packages:",
      "  react@18.3.1:",
      "    resolution: {integrity: sha512-x}",
      "  '@scope/pkg@1.0.0':",
      "    resolution: {integrity: sha512-y}",
      "  git-thing@https://codeload.github.com/o/r/tar.gz/abc:",
      "    resolution: {tarball: x}",
      "snapshots:",
      "  react-dom@18.3.1(react@18.3.1):",
      "    dependencies: {}",
      "  react@18.3.1: {}",
      "",
    ].join("\n");
    const lock = ok(parsePnpmLock("pnpm-lock.yaml", text));
    expect(lock.format).toBe("pnpm-lock.yaml v9.0");
    expect(lock.file).toBe("pnpm-lock.yaml");
    expect(lock.hasProject(".")).toBe(true);
    expect(lock.hasProject("packages/ui")).toBe(true);
    expect(lock.hasProject("packages")).toBe(false);
    expect(lock.lookup(".", "react", "^18.2.0")).toBe("18.3.1");
    expect(lock.lookup("packages/ui", "react-dom", "^18.2.0")).toBe("18.3.1");
    expect(lock.lookup("packages/ui", "fsevents", "^2.3.0")).toBe("2.3.3");
    expect(lock.lookup("packages/ui", "shared", "workspace:*")).toBeNull();
    expect(lock.lookup("packages/ui", "str", "npm:string-width@^4")).toBe("4.2.3");
    expect(lock.lookup("packages/ui", "weird", "^1")).toBeNull();
    expect(lock.lookup("packages/ui", "react", "^18")).toBeNull();
    expect(lock.lookup("nowhere", "react", "^18")).toBeNull();
    expect(lock.packages).toEqual([
      { name: "react", version: "18.3.1" },
      { name: "@scope/pkg", version: "1.0.0" },
      { name: "react-dom", version: "18.3.1" },
    ]);
  });

  it("v5 and v6 without importers: the document's own dependencies are the root project", () => {
    const v5 = ["lockfileVersion: 5.4", "specifiers:", "  debug: ^4.3.0", "dependencies:", "  debug: 4.3.4_supports-color@8.1.1", "  plain: 1.0.0", "packages:", "  /debug/4.3.4_supports-color@8.1.1:", "    dev: false", "  /@s/n/2.0.0:", "    dev: false", "  /nover/:", "    dev: false", ""].join("\n");
    const l5 = ok(parsePnpmLock("pnpm-lock.yaml", v5));
    expect(l5.format).toBe("pnpm-lock.yaml v5.4");
    expect(l5.hasProject(".")).toBe(true);
    expect(l5.lookup(".", "debug", "^4.3.0")).toBe("4.3.4");
    expect(l5.lookup(".", "plain", "1")).toBe("1.0.0");
    expect(l5.packages).toEqual([
      { name: "debug", version: "4.3.4" },
      { name: "@s/n", version: "2.0.0" },
    ]);
    const v6 = ["lockfileVersion: '6.0'", "devDependencies:", "  ms:", "    specifier: ^2.1.0", "    version: 2.1.3", "  linked:", "    specifier: file:../x", "    version: file:../x", ""].join("\n");
    const l6 = ok(parsePnpmLock("pnpm-lock.yaml", v6));
    expect(l6.lookup(".", "ms", "^2.1.0")).toBe("2.1.3");
    expect(l6.lookup(".", "linked", "file:../x")).toBeNull();
  });

  it("keys of each generation", () => {
    expect(parsePnpmKey("/@s/n/1.0.0(react@18.0.0)", true)).toEqual({ name: "@s/n", version: "1.0.0" });
    expect(parsePnpmKey("/n/1.0.0", true)).toEqual({ name: "n", version: "1.0.0" });
    expect(parsePnpmKey("/1.0.0", true)).toBeNull();
    expect(parsePnpmKey("/n/latest", true)).toBeNull();
    // From v6 on, "_" is no peer separator.
    expect(parsePnpmKey("/n@1.0.0_x", false)).toBeNull();
    expect(parsePnpmKey("@1.0.0", false)).toBeNull();
    expect(parsePnpmKey("n", false)).toBeNull();
  });

  it("what is not a pnpm lockfile", () => {
    const bad = parsePnpmLock("pnpm-lock.yaml", "lockfileVersion: '9.0'\nimporters: [\n");
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.message.startsWith("invalid YAML: ")).toBe(true);
      expect(bad.line).toBe(3);
    }
    expect(parsePnpmLock("pnpm-lock.yaml", "- a\n")).toEqual({ ok: false, message: "not a YAML mapping", line: null });
    expect(parsePnpmLock("pnpm-lock.yaml", "importers: {}\n")).toEqual({ ok: false, message: "missing lockfileVersion", line: null });
    expect(parsePnpmLock("pnpm-lock.yaml", "lockfileVersion: abc\n")).toEqual({ ok: false, message: "missing lockfileVersion", line: null });
  });

  it("pnpm-workspace.yaml for the graph builder: packages, catalog, named catalogs", () => {
    const ws = parsePnpmWorkspace("packages:\n  - apps/*\n  - 3\ncatalog:\n  react: ^18\n  n: 5\n  bad: [1]\ncatalogs:\n  default:\n    vue: ^3\n  old:\n    react: ^17\n");
    if (!ws.ok) throw new Error("expected a workspace");
    expect(ws.workspace).toEqual({ packages: ["apps/*"], catalog: { react: "^18", n: "5" }, catalogs: { default: { vue: "^3" }, old: { react: "^17" } } });
    expect(resolveCatalog(ws.workspace, "catalog:default", "react")).toBe("^18");
    expect(resolveCatalog(ws.workspace, "catalog: ", "vue")).toBe("^3");
    expect(resolveCatalog(ws.workspace, "catalog:old", "vue")).toBeNull();
    expect(resolveCatalog(ws.workspace, "catalog:", "none")).toBeNull();
    expect(parsePnpmWorkspace("")).toEqual({ ok: true, workspace: { packages: [], catalog: {}, catalogs: {} } });
    expect(parsePnpmWorkspace("- a\n")).toEqual({ ok: false, message: "not a YAML mapping", line: null });
    const broken = parsePnpmWorkspace("a: [\n");
    expect(broken).toMatchObject({ ok: false, line: 2 });
  });
});

describe("package-lock.json", () => {
  it("v3: nested node_modules first, then hoisted; links followed to the workspace's version", () => {
    const text = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        "": { name: "root" },
        "packages/a": { name: "a", version: "1.0.0" },
        "node_modules/a": { resolved: "packages/a", link: true },
        "node_modules/loop": { resolved: "node_modules/loop", link: true },
        "node_modules/zod": { version: "3.23.8" },
        "packages/a/node_modules/zod": { version: "3.22.4" },
        "node_modules/alias": { name: "real", version: "2.0.0" },
        "node_modules/gitdep": { version: "git+https://github.com/o/r.git#abc" },
        "node_modules/bad": "x",
      },
    });
    const r = parsePackageLock("package-lock.json", text);
    if (!r.ok) throw new Error(r.message);
    const lock = r.lock;
    expect(lock.format).toBe("package-lock.json v3");
    expect(lock.lookup("packages/a", "zod", "^3")).toBe("3.22.4");
    expect(lock.lookup(".", "zod", "^3")).toBe("3.23.8");
    expect(lock.lookup("packages/b", "zod", "^3")).toBe("3.23.8");
    expect(lock.lookup(".", "a", "*")).toBe("1.0.0");
    expect(lock.lookup(".", "loop", "*")).toBeNull();
    expect(lock.lookup(".", "gitdep", "*")).toBeNull();
    expect(lock.lookup(".", "bad", "*")).toBeNull();
    expect(lock.lookup(".", "missing", "*")).toBeNull();
    expect(lock.hasProject(".")).toBe(true);
    expect(lock.hasProject("packages/a")).toBe(true);
    expect(lock.hasProject("packages/b")).toBe(false);
    expect(lock.packages).toEqual([
      { name: "zod", version: "3.23.8" },
      { name: "zod", version: "3.22.4" },
      { name: "real", version: "2.0.0" },
    ]);
  });

  it("v1: the dependencies tree, nested levels, npm: aliases; only the root project", () => {
    const text = JSON.stringify({
      lockfileVersion: 1,
      dependencies: {
        chalk: { version: "2.4.2", dependencies: { "supports-color": { version: "5.5.0" } } },
        sw: { version: "npm:string-width@4.2.3" },
        local: { version: "file:../local" },
        odd: { version: "npm:bad" },
        nov: {},
      },
    });
    const r = parsePackageLock("sub/npm-shrinkwrap.json", text);
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.format).toBe("npm-shrinkwrap.json v1");
    expect(r.lock.lookup(".", "chalk", "^2")).toBe("2.4.2");
    expect(r.lock.lookup(".", "sw", "npm:string-width@^4")).toBe("4.2.3");
    expect(r.lock.lookup(".", "local", "file:../local")).toBeNull();
    expect(r.lock.lookup(".", "nov", "*")).toBeNull();
    expect(r.lock.lookup(".", "supports-color", "*")).toBeNull();
    expect(r.lock.lookup("x", "chalk", "^2")).toBeNull();
    expect(r.lock.hasProject(".")).toBe(true);
    expect(r.lock.hasProject("x")).toBe(false);
    expect(r.lock.packages).toEqual(
      expect.arrayContaining([
        { name: "chalk", version: "2.4.2" },
        { name: "supports-color", version: "5.5.0" },
        { name: "string-width", version: "4.2.3" },
      ]),
    );
    expect(r.lock.packages).toHaveLength(3);
  });

  it("no lockfileVersion and no dependencies: an empty v1 lock", () => {
    const r = parsePackageLock("package-lock.json", "{}");
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.format).toBe("package-lock.json v1");
    expect(r.lock.packages).toEqual([]);
  });

  it("wrong types are refused, not read as empty", () => {
    expect(parsePackageLock("package-lock.json", "[]")).toEqual({ ok: false, message: "not a JSON object", line: 1 });
    expect(parsePackageLock("package-lock.json", '{"packages": []}')).toEqual({ ok: false, message: '"packages" is an array, expected an object; the lockfile is ignored', line: null });
    expect(parsePackageLock("package-lock.json", '{"packages": null}')).toMatchObject({ message: '"packages" is null, expected an object; the lockfile is ignored' });
    expect(parsePackageLock("package-lock.json", '{"dependencies": 3}')).toMatchObject({ message: '"dependencies" is a number, expected an object; the lockfile is ignored' });
    expect(parsePackageLock("package-lock.json", '{"lockfileVersion": "3"}')).toMatchObject({ ok: false, message: '"lockfileVersion" is "3", expected 1, 2 or 3; the lockfile is ignored' });
    expect(parsePackageLock("package-lock.json", '{"lockfileVersion": 2.5}')).toMatchObject({ ok: false });
    const bad = parsePackageLock("package-lock.json", '{\n  "a": 1,\n}');
    expect(bad).toMatchObject({ ok: false, line: 3 });
    if (!bad.ok) expect(bad.message).toBe("invalid JSON: trailing comma");
  });
});

describe("yarn.lock", () => {
  it("classic: descriptors sharing an entry, aliases, one version by name; a project below the root cannot be told", () => {
    const text = [
      "# yarn lockfile v1",
      "",
      '"ms@^2.0.0", ms@^2.1.0:',
      '  version "2.1.3"',
      "",
      "ms@^1.0.0:",
      '  version "1.0.0"',
      "",
      '"sw@npm:string-width@^4":',
      '  version "4.2.3"',
      "",
      "once@^1.4.0:",
      '  version "1.4.0"',
      "",
      '"gitdep@github:o/r":',
      '  version "0.0.0-abc"',
      '  resolved "x"',
      "",
      "nover@^1:",
      '  resolved "x"',
      "",
    ].join("\n");
    const r = parseYarnLock("yarn.lock", text);
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.format).toBe("yarn.lock (classic v1)");
    expect(r.lock.lookup(".", "ms", "^2.1.0")).toBe("2.1.3");
    expect(r.lock.lookup(".", "ms", "^1.0.0")).toBe("1.0.0");
    // Two versions of ms and a range that no descriptor names: no answer.
    expect(r.lock.lookup(".", "ms", "^2.5.0")).toBeNull();
    // Only one version of once in the lock: it is the one.
    expect(r.lock.lookup(".", "once", "^1.0.0")).toBe("1.4.0");
    expect(r.lock.lookup(".", "sw", "npm:string-width@^4")).toBe("4.2.3");
    expect(r.lock.hasProject(".")).toBe(true);
    expect(r.lock.hasProject("packages/a")).toBeNull();
    expect(r.lock.packages).toEqual([
      { name: "ms", version: "2.1.3" },
      { name: "ms", version: "1.0.0" },
      { name: "string-width", version: "4.2.3" },
      { name: "once", version: "1.4.0" },
      { name: "gitdep", version: "0.0.0-abc" },
    ]);
  });

  it("berry: npm: resolutions, workspace entries with their dependency ranges", () => {
    const text = [
      "__metadata:",
      "  version: 8",
      "",
      '"chalk@npm:^4.1.0, chalk@npm:^4.1.2":',
      "  version: 4.1.2",
      '  resolution: "chalk@npm:4.1.2"',
      "",
      '"chalk@npm:^5.0.0":',
      "  version: 5.3.0",
      '  resolution: "chalk@npm:5.3.0"',
      "",
      '"lib@workspace:packages/lib":',
      "  version: 0.0.0-use.local",
      '  resolution: "lib@workspace:packages/lib"',
      "  dependencies:",
      '    chalk: "npm:^4.1.0"',
      "  peerDependencies:",
      '    react: "npm:^18"',
      "",
      '"root@workspace:.":',
      "  version: 0.0.0-use.local",
      '  resolution: "root@workspace:."',
      "",
      '"patched@patch:x":',
      '  resolution: "patched@patch:x#./p.patch"',
      "",
      '"gitdep@https://github.com/o/r.git":',
      '  resolution: "gitdep@https://github.com/o/r.git#commit=abc"',
      "",
    ].join("\n");
    const r = parseYarnLock("yarn.lock", text);
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.format).toBe("yarn.lock (berry)");
    expect(r.lock.hasProject("packages/lib")).toBe(true);
    expect(r.lock.hasProject(".")).toBe(true);
    expect(r.lock.hasProject("packages/other")).toBe(false);
    // The workspace's own range wins over what the caller passes.
    expect(r.lock.lookup("packages/lib", "chalk", "^5.0.0")).toBe("4.1.2");
    expect(r.lock.lookup(".", "chalk", "^5.0.0")).toBe("5.3.0");
    expect(r.lock.lookup(".", "chalk", "^4.1.2")).toBe("4.1.2");
    expect(r.lock.packages).toEqual([
      { name: "chalk", version: "4.1.2" },
      { name: "chalk", version: "5.3.0" },
    ]);
  });

  it("berry without workspace entries: the root is the project", () => {
    const r = parseYarnLock("yarn.lock", '__metadata:\n  version: 6\n\n"ms@npm:^2":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n');
    if (!r.ok) throw new Error(r.message);
    expect(r.lock.hasProject(".")).toBe(true);
    expect(r.lock.hasProject("a")).toBe(false);
  });

  it("what is not a yarn lockfile", () => {
    const bad = parseYarnLock("yarn.lock", '# yarn lockfile v1\n\na@^1.0.0:\n  version "1.0.0\n  x');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message.startsWith("cannot parse: ")).toBe(true);
  });
});
