import { describe, expect, it } from "vitest";
import { pathKey, scanJson } from "../../../src/scan/managers/npm/json-lines.js";
import { parsePackageLock } from "../../../src/scan/managers/npm/package-lock.js";
import { parsePnpmKey, parsePnpmLock, parsePnpmWorkspace, resolveCatalog } from "../../../src/scan/managers/npm/pnpm.js";
import { classifyNpmValue, isValidNpmName } from "../../../src/scan/managers/npm/values.js";
import { parseYarnLock } from "../../../src/scan/managers/npm/yarn-lock.js";
import { readFixture } from "./npm-helpers.js";

describe("scanJson", () => {
  it("records key lines by path", () => {
    const s = scanJson('{\n "a": {\n  "b": 1,\n  "c": [ {"d": "x\\"y"} ]\n },\n "b": 2\n}');
    expect(s.error).toBeNull();
    expect(s.keyLines.get(pathKey(["a", "b"]))).toBe(3);
    expect(s.keyLines.get(pathKey(["b"]))).toBe(6);
    expect(s.keyLines.get(pathKey(["a", "c", "0", "d"]))).toBe(4);
  });
  it("locates syntax errors", () => {
    expect(scanJson('{\n"a": 1,\n}').error).toMatchObject({ line: 3, message: "trailing comma" });
    expect(scanJson('{\n"a": 1\n"b": 2}').error).toMatchObject({ line: 3 });
    expect(scanJson('{"a": "x').error?.message).toBe("unterminated string");
    expect(scanJson("").error?.message).toBe("empty document");
  });
});

describe("lockfile parsers", () => {
  it("package-lock: invalid JSON gives a line", () => {
    const r = parsePackageLock("p/package-lock.json", readFixture("broken-lock/package-lock.json"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.line).toBeGreaterThan(1);
  });
  it("yarn classic and berry formats are told apart", () => {
    const classic = parseYarnLock("yarn.lock", readFixture("yarn-classic/yarn.lock"));
    const berry = parseYarnLock("yarn.lock", readFixture("yarn-berry/yarn.lock"));
    expect(classic.ok && classic.lock.format).toBe("yarn.lock (classic v1)");
    expect(berry.ok && berry.lock.format).toBe("yarn.lock (berry)");
    if (berry.ok) {
      expect(berry.lock.hasProject("packages/lib")).toBe(true);
      expect(berry.lock.hasProject("packages/other")).toBe(false);
    }
  });
  it("pnpm keys of every lockfile generation", () => {
    expect(parsePnpmKey("/@scope/pkg/1.2.3_react@18.0.0", true)).toEqual({ name: "@scope/pkg", version: "1.2.3" });
    expect(parsePnpmKey("/@scope/pkg@1.2.3(react@18.0.0)(react-dom@18.0.0)", false)).toEqual({ name: "@scope/pkg", version: "1.2.3" });
    expect(parsePnpmKey("pkg@1.2.3-beta.1", false)).toEqual({ name: "pkg", version: "1.2.3-beta.1" });
    expect(parsePnpmKey("github.com/o/r/0123abc", false)).toBeNull();
    expect(parsePnpmKey("pkg@https://codeload.github.com/o/r/tar.gz/abc", false)).toBeNull();
  });
  it("pnpm lock v7 (importers, peer suffix in versions)", () => {
    const text = [
      "lockfileVersion: '7.0'",
      "importers:",
      "  .:",
      "    dependencies:",
      "      next:",
      "        specifier: ^14.0.0",
      "        version: 14.2.5(react@18.3.1)",
      "packages:",
      "  /next@14.2.5(react@18.3.1):",
      "    resolution: {integrity: sha512-x}",
    ].join("\n");
    const r = parsePnpmLock("pnpm-lock.yaml", text);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.lock.lookup(".", "next", "^14.0.0")).toBe("14.2.5");
      expect(r.lock.packages).toEqual([{ name: "next", version: "14.2.5" }]);
    }
  });
  it("pnpm-workspace.yaml catalogs", () => {
    const ws = parsePnpmWorkspace(readFixture("pnpm-v9/pnpm-workspace.yaml"));
    expect(ws.ok).toBe(true);
    if (!ws.ok) return;
    expect(resolveCatalog(ws.workspace, "catalog:", "react")).toBe("^18.3.1");
    expect(resolveCatalog(ws.workspace, "catalog:legacy", "react")).toBe("^17.0.2");
    expect(resolveCatalog(ws.workspace, "catalog:nope", "react")).toBeNull();
    expect(parsePnpmWorkspace("packages: [\n").ok).toBe(false);
  });
});

describe("values", () => {
  it("validates npm names", () => {
    for (const ok of ["lodash", "@types/node", "JSONStream", "fuse.js", "a-b_c"]) expect(isValidNpmName(ok), ok).toBe(true);
    for (const bad of ["", " lodash", ".hidden", "_under", "a b", "<script>", "@scope", "@a/b/c", "x".repeat(215), "café"]) expect(isValidNpmName(bad), bad).toBe(false);
  });
  it("classifies values", () => {
    expect(classifyNpmValue("x", "^1.2.3", ".")).toMatchObject({ kind: "range", version: "1.2.3" });
    expect(classifyNpmValue("x", "1.x || >=2.5.0", ".")).toMatchObject({ kind: "range", version: "1.0.0" });
    expect(classifyNpmValue("x", "npm:@scope/real@~2.0.1", "a")).toMatchObject({ name: "@scope/real", current_value: "~2.0.1", version: "2.0.1" });
    expect(classifyNpmValue("x", "portal:../p", "a/b")).toMatchObject({ local_path: "a/p", skip_reason: "local path (portal:)" });
    expect(classifyNpmValue("x", "github:o/r#semver:^1.2.0", ".")).toMatchObject({ datasource: "github-tags", current_value: "^1.2.0", version: "1.2.0" });
    expect(classifyNpmValue("x", "github:o/r", ".")).toMatchObject({ datasource: "git", skip_reason: expect.stringContaining("without a ref") });
    expect(classifyNpmValue("x", "git@github.com:o/r.git#v3.0.0", ".")).toMatchObject({ datasource: "github-tags", registry_url: "https://github.com/o/r" });
    expect(classifyNpmValue("x", ">=>=1", ".")).toMatchObject({ skip_reason: "unrecognized version constraint" });
  });
});
