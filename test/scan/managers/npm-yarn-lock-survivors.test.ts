/**
 * yarn.lock corners left by the mutation run of src/scan/managers/npm/yarn-lock.ts (issue 18).
 * Oracles: yarn's lockfile formats (classic v1: `"name@range, name@range":` keys with `version "x"`;
 * berry: `"name@npm:range":` keys with `resolution: "name@npm:x.y.z"`, workspaces resolved as
 * `name@workspace:<path>`), the parse errors of @yarnpkg/parsers (js-yaml's "(line:column)", the v1
 * grammar's located SyntaxError), and hand-written lockfiles.
 */
import { describe, expect, it } from "vitest";
import { parseYarnLock } from "../../../src/scan/managers/npm/yarn-lock.js";
import type { NpmLockfile } from "../../../src/scan/managers/npm/types.js";

function lock(lines: string[]): NpmLockfile {
  const r = parseYarnLock("yarn.lock", lines.join("\n"));
  if (!r.ok) throw new Error(r.message);
  return r.lock;
}

describe("yarn.lock parse errors name their line", () => {
  it("classic v1: the grammar's error line", () => {
    const text = ["# yarn lockfile v1", "", "", "a@^1.0.0:", '  version "1.0.0"', "", "b@^1:", '  version 1.0.0 "x', ""].join("\n");
    const r = parseYarnLock("yarn.lock", text);
    expect(r).toEqual({ ok: false, message: 'cannot parse: Expected ":" but "\\"" found.', line: 8 });
  });

  it("berry: a two-digit column in js-yaml's (line:column)", () => {
    // Line 3 is indented deeper than its sibling key: js-yaml stops at column 11.
    const text = ["__metadata:", "  version: 8", "          bad: x", ""].join("\n");
    const r = parseYarnLock("yarn.lock", text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/\(3:\d\d\)$/);
    expect(r.line).toBe(3);
  });

  it("a document that is a list, not a map: the parser's message, no line", () => {
    const r = parseYarnLock("yarn.lock", "- a\n- b\n");
    expect(r).toEqual({ ok: false, message: "cannot parse: Expected an indexed object, got an array instead. Does your file follow Yaml's rules?", line: null });
  });
});

describe("yarn.lock entries", () => {
  it("berry: a workspace resolved with an empty path is the root project", () => {
    const l = lock(["__metadata:", "  version: 8", "", '"root@workspace:":', '  resolution: "root@workspace:"', "  dependencies:", '    ms: "npm:^2"', "", '"ms@npm:^2":', '  resolution: "ms@npm:2.1.3"', ""]);
    expect(l.hasProject(".")).toBe(true);
    expect(l.hasProject("")).toBe(false);
  });

  it("berry: a workspace whose dependencies field is not a map gives no ranges", () => {
    // With "x" spread as {0: "x"}, the range "x" would pick 1.0.0 for a dependency named 0.
    const l = lock([
      "__metadata:",
      "  version: 8",
      "",
      '"lib@workspace:packages/lib":',
      '  resolution: "lib@workspace:packages/lib"',
      "  dependencies: x",
      "",
      '"0@x":',
      '  resolution: "0@npm:1.0.0"',
      "",
      '"0@npm:^2":',
      '  resolution: "0@npm:2.0.0"',
      "",
    ]);
    expect(l.lookup("packages/lib", "0", "^2")).toBe("2.0.0");
  });

  it("berry: a resolution under another protocol is not an npm package, even when it ends in a version", () => {
    const l = lock(["__metadata:", "  version: 8", "", '"tool@jsr:1.2.3":', '  resolution: "tool@jsr:1.2.3"', "", '"ms@npm:^2":', '  resolution: "ms@npm:2.1.3"', ""]);
    expect(l.packages).toEqual([{ name: "ms", version: "2.1.3" }]);
    expect(l.lookup(".", "tool", "jsr:1.2.3")).toBeNull();
  });

  it("classic: a git dependency keyed by an ssh URL keeps its package name", () => {
    const l = lock(["# yarn lockfile v1", "", '"pkg@git+ssh://git@github.com/o/r.git#abc":', '  version "1.0.0"', '  resolved "git+ssh://git@github.com/o/r.git#abc"', ""]);
    expect(l.packages).toEqual([{ name: "pkg", version: "1.0.0" }]);
  });

  it("a descriptor without name@range beside a valid one is skipped, the valid one kept", () => {
    const classic = lock(["# yarn lockfile v1", "", '"b@^2, weird":', '  version "2.0.0"', ""]);
    expect(classic.packages).toEqual([{ name: "b", version: "2.0.0" }]);
    expect(classic.lookup(".", "b", "^2")).toBe("2.0.0");
    const berry = lock(["__metadata:", "  version: 8", "", '"weird, c@npm:^1":', '  resolution: "c@npm:1.2.0"', ""]);
    expect(berry.packages).toEqual([{ name: "c", version: "1.2.0" }]);
    expect(berry.lookup(".", "c", "^1")).toBe("1.2.0");
  });
});
