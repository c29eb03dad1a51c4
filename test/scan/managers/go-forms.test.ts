/**
 * go.mod forms one behaviour per test (issue 18: mutation score of go.ts). Expected values follow
 * the go.mod reference (https://go.dev/ref/mod#go-mod-file), written out by hand.
 */
import { describe, expect, it } from "vitest";
import { goManager } from "../../../src/scan/managers/go.js";

function extract(content: string, file = "go.mod", others: string[] = ["go.sum"]) {
  return goManager.extract(file, content, { readFile: () => undefined, allFiles: [file, ...others] });
}
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);

describe("go.mod directives", () => {
  it("module names the module; a module line without exactly one path is reported", () => {
    expect(extract("module example.com/m\n").meta).toEqual({ primary: true, name: "example.com/m" });
    expect(extract('module "example.com/quoted"\n').meta).toEqual({ primary: true, name: "example.com/quoted" });
    const bad = extract("module\nmodule a b\n");
    expect(bad.meta).toEqual({ primary: false });
    expect(messages(bad)).toEqual([
      [1, "module directive needs exactly one path"],
      [2, "module directive needs exactly one path"],
    ]);
  });

  it("go versions: 1, 1.21, 1.21.3 and 1.21rc1 are valid; others are reported", () => {
    for (const v of ["1", "1.21", "1.21.3", "1.21rc1", "1.22.0beta2"]) {
      const r = extract(`go ${v}\n`);
      expect(r.warnings).toEqual([]);
      expect(r.meta.go_version).toBe(v);
      expect(r.deps).toEqual([
        expect.objectContaining({
          name: "go",
          current_value: v,
          version: v,
          datasource: "golang-version",
          dependency_type: "runtime",
          package_manager: "go",
          group: "go",
          line: 1,
          notes: ["go directive: minimum Go language version"],
          value_span: { line: 1, start_column: 3, end_column: 3 + v.length, text: v },
        }),
      ]);
    }
    for (const v of ["1.2.3.4", "v1.21", "1.21 extra", "1.x", "1.21-rc1", ""]) {
      const r = extract(`go ${v}\n`);
      expect(r.deps).toEqual([]);
      expect(messages(r)).toEqual([[1, `invalid go version "${v}"`]]);
    }
  });

  it("a quoted go version has no span (its text is not the file's)", () => {
    const r = extract('go "1.22"\n');
    expect(r.deps[0]).toMatchObject({ current_value: "1.22", value_span: null });
  });

  it("toolchain: goX.Y is a Go release named go without the prefix, default is no dependency", () => {
    const r = extract("toolchain go1.23.4\n");
    expect(r.deps).toEqual([
      expect.objectContaining({
        name: "go",
        current_value: "1.23.4",
        version: "1.23.4",
        group: "toolchain",
        dependency_type: "runtime",
        datasource: "golang-version",
        notes: ["toolchain directive: preferred Go toolchain (go1.23.4)"],
        value_span: { line: 1, start_column: 12, end_column: 18, text: "1.23.4" },
      }),
    ]);
    expect(extract("toolchain default\n")).toMatchObject({ deps: [], warnings: [] });
    expect(messages(extract("toolchain 1.23\ntoolchain go1 go2\ntoolchain\n"))).toEqual([
      [1, 'invalid toolchain "1.23"'],
      [2, 'invalid toolchain "go1 go2"'],
      [3, 'invalid toolchain ""'],
    ]);
  });

  it("an unknown directive is reported with its line; exclude, retract, godebug, tool and ignore are quiet", () => {
    const r = extract("frobnicate x\nexclude example.com/a v1.0.0\nretract v1.0.1\ngodebug default=go1.21\ntool example.com/t\nignore ./vendor\nretract (\n  v1.0.0\n)\n");
    expect(messages(r)).toEqual([[1, 'unknown directive "frobnicate"']]);
    expect(r.deps).toEqual([]);
  });

  it("an empty block '()' on one line is nothing", () => {
    expect(extract("require ()\n")).toMatchObject({ deps: [], warnings: [] });
  });
});

describe("require", () => {
  it("single and block forms, with the line and span of the version", () => {
    const r = extract("module m\n\nrequire example.com/a v1.2.3\nrequire (\n\texample.com/b v0.1.0\n\t\"example.com/c\" v2.0.0+incompatible\n)\n");
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.current_value, d.version, d.line, d.datasource, d.dependency_type, d.skip_reason, d.local_path])).toEqual([
      ["example.com/a", "v1.2.3", "v1.2.3", 3, "go", "prod", null, null],
      ["example.com/b", "v0.1.0", "v0.1.0", 5, "go", "prod", null, null],
      ["example.com/c", "v2.0.0+incompatible", "v2.0.0+incompatible", 6, "go", "prod", null, null],
    ]);
    expect(r.deps[0].value_span).toEqual({ line: 3, start_column: 22, end_column: 28, text: "v1.2.3" });
    expect(r.deps[1].value_span).toEqual({ line: 5, start_column: 15, end_column: 21, text: "v0.1.0" });
    expect(r.deps[0].notes).toBeUndefined();
    expect(r.locked).toEqual([
      { name: "example.com/a", version: "v1.2.3", datasource: "go" },
      { name: "example.com/b", version: "v0.1.0", datasource: "go" },
      { name: "example.com/c", version: "v2.0.0+incompatible", datasource: "go" },
    ]);
    expect(r.lockfile).toEqual({ file: "go.mod", importer: "." });
  });

  it("a quoted version has no span", () => {
    expect(extract('require example.com/a "v1.2.3"\n').deps[0]).toMatchObject({ version: "v1.2.3", value_span: null });
  });

  it("'// indirect' marks indirect requirements, also among other comment words separated by ';'", () => {
    const r = extract(
      "require (\n  a.com/x v1.0.0 // indirect\n  a.com/y v1.0.0 //indirect\n  a.com/z v1.0.0 // indirect; for tests\n  a.com/w v1.0.0 // not indirect\n  a.com/v v1.0.0 // indirectly\n  a.com/u v1.0.0 // note; indirect\n)\n",
    );
    expect(r.deps.map((d) => [d.name, d.notes])).toEqual([
      ["a.com/x", ["indirect"]],
      ["a.com/y", ["indirect"]],
      ["a.com/z", ["indirect"]],
      ["a.com/w", undefined],
      ["a.com/v", undefined],
      ["a.com/u", ["indirect"]],
    ]);
  });

  it("pseudo-versions are noted in both forms (vX.0.0-yyyymmddhhmmss-abcdef123456 and vX.Y.Z-pre.0.yyyymmddhhmmss-…)", () => {
    const r = extract(
      "require (\n  a.com/p v0.0.0-20240101120000-abcdef123456\n  a.com/q v1.2.4-0.20240101120000-abcdef123456\n  a.com/r v2.0.0-20240101120000-abcdef123456+incompatible\n  a.com/s v1.0.0-rc.1\n  a.com/t v0.0.0-2024010112000-abcdef123456\n)\n",
    );
    expect(r.deps.map((d) => [d.name, d.notes])).toEqual([
      ["a.com/p", ["pseudo-version"]],
      ["a.com/q", ["pseudo-version"]],
      ["a.com/r", ["pseudo-version"]],
      ["a.com/s", undefined],
      ["a.com/t", undefined],
    ]);
  });

  it("a require that is not path + semantic version is reported and left out", () => {
    const r = extract("require a.com/x\nrequire a.com/y v1.0\nrequire a.com/z 1.0.0\nrequire a.com/w v1.0.0 extra\n");
    expect(messages(r)).toEqual([
      [1, 'require needs a module path and a version, got "a.com/x"'],
      [2, 'a.com/y: invalid module version "v1.0"'],
      [3, 'a.com/z: invalid module version "1.0.0"'],
      [4, 'require needs a module path and a version, got "a.com/w v1.0.0 extra"'],
    ]);
    expect(r.deps).toEqual([]);
  });

  it("a missing go.sum is warned about when something must be downloaded, beside go.mod", () => {
    const r = goManager.extract("svc/go.mod", "require a.com/x v1.0.0\n", { readFile: () => undefined, allFiles: ["svc/go.mod", "go.sum"] });
    expect(r.warnings).toEqual([{ file: "svc/go.mod", line: null, manager: "go", message: "go.mod has requirements but svc/go.sum is missing" }]);
    const root = goManager.extract("go.mod", "require a.com/x v1.0.0\n", { readFile: () => undefined, allFiles: ["go.mod"] });
    expect(messages(root)).toEqual([[null, "go.mod has requirements but go.sum is missing"]]);
    expect(goManager.extract("svc/go.mod", "require a.com/x v1.0.0\n", { readFile: () => undefined, allFiles: ["svc/go.mod", "svc/go.sum"] }).warnings).toEqual([]);
  });

  it("no go.sum is needed without requirements, or when every requirement is replaced by a local path", () => {
    expect(goManager.extract("go.mod", "module m\ngo 1.22\n", { readFile: () => undefined, allFiles: ["go.mod"] }).warnings).toEqual([]);
    const local = goManager.extract("go.mod", "require a.com/x v1.0.0\nreplace a.com/x => ./x\n", { readFile: () => undefined, allFiles: ["go.mod"] });
    expect(local.warnings).toEqual([]);
  });
});

describe("replace", () => {
  it("a local replace: the require is skipped with its path resolved beside go.mod, and the replace is an override", () => {
    const r = extract("require a.com/x v1.0.0\nreplace a.com/x => ../x\n", "svc/go.mod", ["svc/go.sum"]);
    expect(r.warnings).toEqual([]);
    expect(r.deps).toEqual([
      expect.objectContaining({ name: "a.com/x", version: "v1.0.0", local_path: "x", skip_reason: "local-replace", notes: ["replaced by local path ../x"], line: 1 }),
      expect.objectContaining({
        name: "../x",
        current_value: "",
        dependency_type: "override",
        group: "replace",
        local_path: "x",
        skip_reason: "local-replace",
        notes: ["replaces a.com/x with the local directory ../x"],
        line: 2,
      }),
    ]);
    expect(r.deps[0].value_span ?? null).toBeNull();
    expect(r.locked).toEqual([]);
  });

  it("local paths are ./, ../, ., .. and absolute ones", () => {
    for (const [p, local] of [
      ["./x", "x"],
      [".", "."],
      ["..", ".."],
      ["/abs/x", "abs/x"],
    ]) {
      const r = extract(`require a.com/x v1.0.0\nreplace a.com/x => ${p}\n`);
      expect(r.deps[0]).toMatchObject({ skip_reason: "local-replace", local_path: local });
    }
    // "x/y" is a module path, not a directory: without a version it is a warning.
    const mod = extract("require a.com/x v1.0.0\nreplace a.com/x => x/y\n");
    expect(mod.deps[0]).toMatchObject({ skip_reason: "replaced", local_path: null });
  });

  it("a versioned replace only applies to that version of the module", () => {
    const r = extract("require a.com/x v1.0.0\nreplace a.com/x v0.9.0 => b.com/x v2.0.0\n");
    expect(r.deps[0]).toMatchObject({ name: "a.com/x", skip_reason: null, value_span: { line: 1, start_column: 16, end_column: 22, text: "v1.0.0" } });
    expect(r.deps[1]).toMatchObject({ name: "b.com/x", current_value: "v2.0.0", notes: ["replaces a.com/x v0.9.0"], value_span: { line: 2, start_column: 34, end_column: 40, text: "v2.0.0" } });
    const hit = extract("require a.com/x v1.0.0\nreplace a.com/x v1.0.0 => b.com/x v2.0.0\n");
    expect(hit.deps[0]).toMatchObject({ skip_reason: "replaced", version: "v1.0.0", notes: ["replaced by b.com/x v2.0.0 (line 2): that is the version built"] });
  });

  it("a replace to another module without a version is warned about; the require is still replaced", () => {
    const r = extract("require a.com/x v1.0.0\nreplace a.com/x => b.com/x\n");
    expect(r.deps.map((d) => [d.name, d.skip_reason, d.notes])).toEqual([["a.com/x", "replaced", ["replaced by b.com/x (line 2): that is the version built"]]]);
    expect(messages(r)).toEqual([[2, "replace of a.com/x names b.com/x without a version"]]);
    expect(r.locked).toEqual([]);
  });

  it("malformed replaces are reported", () => {
    const r = extract("replace a.com/x\nreplace => b v1\nreplace a v1 v2 => b v1\nreplace a => \nreplace a => b v1 extra\n");
    expect(messages(r)).toEqual([
      [1, 'replace needs "old [version] => new [version]", got "a.com/x"'],
      [2, 'replace needs "old [version] => new [version]", got "=> b v1"'],
      [3, 'replace needs "old [version] => new [version]", got "a v1 v2 => b v1"'],
      [4, 'replace needs "old [version] => new [version]", got "a =>"'],
      [5, 'replace needs "old [version] => new [version]", got "a => b v1 extra"'],
    ]);
    expect(r.deps).toEqual([]);
  });

  it("a replace in a block, and a pseudo-version replacement is noted", () => {
    const r = extract("replace (\n  a.com/x => b.com/x v0.0.0-20240101120000-abcdef123456\n)\n");
    expect(r.deps).toEqual([
      expect.objectContaining({ name: "b.com/x", line: 2, notes: ["replaces a.com/x", "pseudo-version"], dependency_type: "override", group: "replace", datasource: "go" }),
    ]);
    expect(r.locked).toEqual([{ name: "b.com/x", version: "v0.0.0-20240101120000-abcdef123456", datasource: "go" }]);
  });
});

describe("tokens and comments", () => {
  it("a comment-only or blank line is nothing, and a BOM is dropped", () => {
    const r = extract("\uFEFFmodule m // the module\n// comment\n   \n\t\n");
    expect(r).toMatchObject({ deps: [], warnings: [], meta: { primary: true, name: "m" } });
  });

  it("a // glued to a token ends it", () => {
    const r = extract("require a.com/x v1.0.0//indirect\n");
    expect(r.deps[0]).toMatchObject({ version: "v1.0.0", notes: ["indirect"] });
  });

  it("quoted strings keep escapes' characters; raw strings keep backslashes", () => {
    const r = extract('require "a.com/\\"q\\"" v1.0.0\nrequire `a.com/r\\x` v1.0.0\n');
    expect(r.deps.map((d) => d.name)).toEqual(['a.com/"q"', "a.com/r\\x"]);
  });

  it("unterminated quotes are reported per line", () => {
    const r = extract('require "a.com/x v1.0.0\nrequire `a.com/y v1.0.0\nrequire a.com/z v1.0.0\n');
    expect(messages(r)).toEqual([
      [1, "unterminated quoted string"],
      [2, "unterminated quoted string"],
    ]);
    expect(r.deps.map((d) => d.name)).toEqual(["a.com/z"]);
  });

  it("a quote ending in an escaped quote is unterminated", () => {
    expect(messages(extract('module "m\\"\n'))).toEqual([[1, "unterminated quoted string"]]);
  });

  it("parentheses split tokens: 'require(' opens a block", () => {
    const r = extract("require(\na.com/x v1.0.0\n)\n");
    expect(r.deps.map((d) => d.name)).toEqual(["a.com/x"]);
    expect(r.warnings).toEqual([]);
  });

  it("an unclosed block is reported at its opening line, after the lines it took", () => {
    const r = extract("module m\nrequire (\n  a.com/x v1.0.0\n");
    expect(r.deps.map((d) => d.name)).toEqual(["a.com/x"]);
    expect(messages(r)).toEqual([[2, "require block opened here is never closed"]]);
  });

  it("a ')' line with more on it is no block end", () => {
    const r = extract("require (\n  a.com/x v1.0.0\n) x\n)\n");
    expect(messages(r)).toEqual([[3, '): invalid module version "x"']]);
  });

  it("unusual whitespace separates tokens like spaces", () => {
    const r = extract("require\u00a0a.com/x\u000bv1.0.0\n");
    expect(r.deps.map((d) => [d.name, d.version])).toEqual([["a.com/x", "v1.0.0"]]);
  });

  it("a long bad token is cut in the warning", () => {
    const r = extract(`go ${"9".repeat(200)}!\n`);
    expect(r.warnings[0].message).toBe(`invalid go version "${"9".repeat(120)}…"`);
  });
});

describe("goManager", () => {
  it("matches go.mod in any folder, and names go.sum beside it", () => {
    expect(goManager.matches("go.mod")).toBe(true);
    expect(goManager.matches("a/b/go.mod")).toBe(true);
    expect(goManager.matches("a/go.mod.bak")).toBe(false);
    expect(goManager.matches("a/xgo.mod")).toBe(false);
    expect(goManager.companions?.("go.mod")).toEqual(["go.sum"]);
  });
});
