/**
 * Edges of the bug detector (issue 18: mutation testing of src/assess/detect/bug.ts): boundaries of
 * the listed markers and of the title's check names, comment tokens that must come before the marker,
 * case-insensitive matching of checks to components and workflows, and paths that only look vendored.
 * Expected values are written out by hand from the inputs.
 */
import { describe, expect, it } from "vitest";
import { detectBug, findMarkers, isSourceFile } from "../../../src/assess/detect/bug.js";
import { detectContext, makeComponent, makeInputs, makeScan } from "../helpers.js";

describe("findMarkers: where a marker may stand", () => {
  it("a '*' only opens a comment at the start of a line", () => {
    expect(findMarkers("x = a * b TODO fix")).toEqual([]);
    expect(findMarkers("* TODO: star at the start")).toEqual([{ kind: "TODO", line: 1, text: "star at the start" }]);
    expect(findMarkers("\t\t* FIXME tabs")).toEqual([{ kind: "FIXME", line: 1, text: "tabs" }]);
  });

  it("a marker before the comment token does not count, even right before it", () => {
    expect(findMarkers("TODO<!-- note -->")).toEqual([]);
    expect(findMarkers("FIXME/* note */")).toEqual([]);
    expect(findMarkers("BUG// note")).toEqual([]);
  });

  it("the marker is a whole word", () => {
    expect(findMarkers("# myTODO here")).toEqual([]);
    expect(findMarkers("# TODOS here")).toEqual([]);
    expect(findMarkers("#TODO: tight")).toEqual([{ kind: "TODO", line: 1, text: "tight" }]);
  });

  it("cuts a comment closer with or without a space before it", () => {
    expect(findMarkers("/* TODO: tight*/ int x;")).toEqual([{ kind: "TODO", line: 1, text: "tight" }]);
    expect(findMarkers("<!-- TODO: html-->")).toEqual([{ kind: "TODO", line: 1, text: "html" }]);
    expect(findMarkers("/* TODO: spaced \t */")).toEqual([{ kind: "TODO", line: 1, text: "spaced" }]);
  });

  it("an owner in parentheses with an optional colon; the text keeps inner colons", () => {
    expect(findMarkers("# TODO(bob) later")).toEqual([{ kind: "TODO", line: 1, text: "later" }]);
    expect(findMarkers("# TODO:   see: RFC 1")).toEqual([{ kind: "TODO", line: 1, text: "see: RFC 1" }]);
    expect(findMarkers("# TODO()  empty owner")).toEqual([{ kind: "TODO", line: 1, text: "empty owner" }]);
  });

  it("a Windows file keeps its line numbers; only the listed lines are read", () => {
    expect(findMarkers("# TODO a\r\n\r\n# TODO c\n# TODO d", new Set([3, 4])).map((m) => [m.line, m.text])).toEqual([
      [3, "c"],
      [4, "d"],
    ]);
  });
});

describe("isSourceFile: directories named like output only as whole path segments", () => {
  it("rebuild/, xdist/, my_vendor/, node_modules_old/ are source; nested output folders are not", () => {
    for (const p of ["rebuild/x.py", "xdist/a.js", "my_vendor/a.go", "node_modules_old/a.js", "src/dist.ts", "CHANGELOG.py/x.ts", "mdx.py", "json.ts", "a.md.py"]) {
      expect(isSourceFile(p), p).toBe(true);
    }
    for (const p of ["a/b/node_modules/c/d.js", "pkg/build/x.py", "web/dist/app.js", "third/vendor/v.go", "docs/CHANGELOG.md", "sub/package-lock.json", "sub/go.sum", "sub/pnpm-lock.yaml", "x.MAP", "CHANGES/CHANGELOG"]) {
      expect(isSourceFile(p), p).toBe(false);
    }
  });
});

describe("marker issues at the listing bound", () => {
  it("exactly 50 markers: all listed, no 'more' line", () => {
    const [d] = detectBug(detectContext(makeInputs({ textFiles: new Map([["src/api/a.py", "# BUG x\n".repeat(50)]]) }))).drafts;
    const lines = d.description.split("\n");
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe("- line 50: BUG x");
    expect(d.resolution_steps).toHaveLength(50);
  });
});

describe("failing checks: matching and the title", () => {
  const comps = [makeComponent({ name: "API", path: "svc/api" }), makeComponent({ name: "Web", path: "svc/web", type: "ui", manifests: ["svc/web/package.json"] })];
  const run = (names: string[], allFiles?: string[]) =>
    detectBug(detectContext(makeInputs({ scan: makeScan(comps), failingChecks: names.map((name) => ({ name, url: null, conclusion: "failure" })), allFiles }))).drafts[0];

  it("matches checks to components and workflow files whatever their case", () => {
    const d = run(["Test-api / pytest"], [".github/workflows/TEST-API.yml", ".github/workflows/web.yaml"]);
    expect(d.affected_components).toEqual(["API"]);
    expect(d.files_affected).toEqual([".github/workflows/TEST-API.yml"]);
  });

  it("only top-level workflow files of the repository count", () => {
    const d = run(["lint"], ["x/.github/workflows/lint.yml", ".github/workflows/lint.yml.disabled", ".github/workflows/ci.yml", ".github/workflows/lint.json", ".github/workflowsx/lint.yml"]);
    expect(d.files_affected).toEqual([".github/workflows/ci.yml"]);
  });

  it("three checks are all named; a fourth adds an ellipsis", () => {
    expect(run(["c", "a", "b"]).title).toBe("Default branch is failing: 3 checks (a, b, c)");
    expect(run(["c", "a", "b", "d"]).title).toBe("Default branch is failing: 4 checks (a, b, c, ...)");
  });

  it("two checks with the same name keep both lines", () => {
    const d = run(["lint", "lint"]);
    expect(d.description.split("\n").slice(1)).toEqual(["- lint: failure", "- lint: failure"]);
    expect(d.title).toBe("Default branch is failing: 2 checks (lint, lint)");
  });
});

describe("marker issues: order and coverage", () => {
  it("drafts come in path order whatever order the files were read in", () => {
    const textFiles = new Map([
      ["src/b.py", "# TODO b\n"],
      ["src/a.py", "# TODO a\n"],
      ["lib/c.py", "# TODO c\n"],
    ]);
    expect(detectBug(detectContext(makeInputs({ textFiles }))).drafts.map((d) => d.subject)).toEqual(["bug:markers:lib/c.py", "bug:markers:src/a.py", "bug:markers:src/b.py"]);
  });

  it("covers only marker subjects, even when another subject ends in a file it read", () => {
    const r = detectBug(detectContext(makeInputs({ textFiles: new Map([["a.py", "x = 1\n"]]), allFiles: ["a.py"] })));
    expect(r.covers({ subject: "bug:markers:a.py" } as never)).toBe(true);
    // "bug:unknown:" has the length of "bug:markers:"
    expect(r.covers({ subject: "bug:unknown:a.py" } as never)).toBe(false);
    expect(r.covers({ subject: "bug:unknown:gone.py" } as never)).toBe(false);
  });
});

describe("failing checks: workflow names", () => {
  it("strips only the .yml / .yaml extension at the end of a workflow's name", () => {
    const d = detectBug(
      detectContext(
        makeInputs({
          failingChecks: [{ name: "docs.yml-check", url: null, conclusion: "failure" }],
          allFiles: [".github/workflows/docs.yml-check.yaml", ".github/workflows/docs.yml"],
        }),
      ),
    ).drafts[0];
    // "docs.yml-check" names the first workflow (and contains "docs", the second's name).
    expect(d.files_affected).toEqual([".github/workflows/docs.yml", ".github/workflows/docs.yml-check.yaml"]);
    const only = detectBug(
      detectContext(makeInputs({ failingChecks: [{ name: "docs-check", url: null, conclusion: "failure" }], allFiles: [".github/workflows/docs.yml-check.yaml", ".github/workflows/lint.yml"] })),
    ).drafts[0];
    // "docs.yml-check" is not in "docs-check": no workflow named, so every workflow is listed.
    expect(only.files_affected).toEqual([".github/workflows/docs.yml-check.yaml", ".github/workflows/lint.yml"]);
  });
});
