import { describe, expect, it } from "vitest";
import { detectBug, findMarkers, FAILING_CHECKS_SUBJECT } from "../../../src/assess/detect/bug.js";
import { detectContext, makeComponent, makeInputs, makeScan } from "../helpers.js";

const comps = [makeComponent({ name: "api", path: "src/api" }), makeComponent({ name: "ui", path: "src/ui", type: "ui", manifests: ["src/ui/package.json"] })];

const PY = ["import os", "# TODO: handle retries", "x = 'TODO not a comment'", "def f():", "    return 1  # FIXME(alice): off by one", "# HACKY is not a marker"].join("\n");

describe("findMarkers", () => {
  it("finds markers in comments only, with 1-based lines", () => {
    expect(findMarkers(PY)).toEqual([
      { kind: "TODO", line: 2, text: "handle retries" },
      { kind: "FIXME", line: 5, text: "off by one" },
    ]);
    expect(findMarkers("const a = 1; // BUG: overflow\n/* HACK workaround */\n * TODO in jsdoc")).toEqual([
      { kind: "BUG", line: 1, text: "overflow" },
      { kind: "HACK", line: 2, text: "workaround" },
      { kind: "TODO", line: 3, text: "in jsdoc" },
    ]);
  });
  it("restricts to given lines", () => {
    expect(findMarkers(PY, new Set([5])).map((m) => m.line)).toEqual([5]);
  });
});

describe("detectBug", () => {
  it("groups markers per file, skips Markdown, names the component", () => {
    const textFiles = new Map([
      ["src/api/main.py", PY],
      ["src/ui/app.ts", "// TODO: i18n\n"],
      ["README.md", "# TODO list\n- TODO: write docs"],
    ]);
    const { drafts } = detectBug(detectContext(makeInputs({ scan: makeScan(comps), textFiles })));
    expect(drafts.map((d) => d.subject)).toEqual(["bug:markers:src/api/main.py", "bug:markers:src/ui/app.ts"]);
    const api = drafts[0];
    expect(api.title).toBe("1 FIXME, 1 TODO markers in src/api/main.py");
    expect(api.severity).toBe("medium");
    expect(api.affected_components).toEqual(["api"]);
    expect(api.files_affected).toEqual(["src/api/main.py"]);
    expect(api.description).toContain("- line 5: FIXME off by one");
    expect(api.resolution_steps[0]).toBe("Resolve the TODO at src/api/main.py:2 (handle retries), or move it to a tracked issue and delete the marker");
    expect(api.testing_requirements).toEqual(["pytest for api"]);
    expect(drafts[1].severity).toBe("low");
    expect(drafts[1].testing_requirements).toEqual(["npm test for ui"]);
  });

  it("with addedLines only counts markers on added lines and never resolves old ones", () => {
    const textFiles = new Map([["src/api/main.py", PY], ["src/ui/app.ts", "// TODO: i18n\n"]]);
    const addedLines = new Map([["src/api/main.py", new Set([2])]]);
    const r = detectBug(detectContext(makeInputs({ scan: makeScan(comps), textFiles, addedLines })));
    expect(r.drafts).toHaveLength(1);
    expect(r.drafts[0].title).toBe("1 TODO marker in src/api/main.py");
    expect(r.covers({ subject: "bug:markers:src/ui/app.ts" } as never)).toBe(false);
  });

  it("covers a file only when it was read again or is gone", () => {
    const r = detectBug(detectContext(makeInputs({ scan: makeScan(comps), textFiles: new Map([["a.py", ""]]), allFiles: ["a.py", "b.py"] })));
    expect(r.covers({ subject: "bug:markers:a.py" } as never)).toBe(true);
    expect(r.covers({ subject: "bug:markers:b.py" } as never)).toBe(false);
    expect(r.covers({ subject: "bug:markers:deleted.py" } as never)).toBe(true);
  });

  it("reports a red default branch as high, matched to components by check name", () => {
    const r = detectBug(
      detectContext(
        makeInputs({
          scan: makeScan(comps),
          failingChecks: [{ name: "test-ui", url: "https://github.com/o/r/actions/runs/1", conclusion: "failure" }],
          allFiles: [".github/workflows/test-ui.yaml", ".github/workflows/lint.yaml"],
        }),
      ),
    );
    const d = r.drafts[0];
    expect(d.subject).toBe(FAILING_CHECKS_SUBJECT);
    expect(d.severity).toBe("high");
    expect(d.affected_components).toEqual(["ui"]);
    expect(d.files_affected).toEqual([".github/workflows/test-ui.yaml"]);
    expect(d.description).toContain("- test-ui: failure (https://github.com/o/r/actions/runs/1)");
    expect(r.covers({ subject: FAILING_CHECKS_SUBJECT } as never)).toBe(true);
  });

  it("does not resolve a red-branch issue when checks were not reported", () => {
    const r = detectBug(detectContext(makeInputs({ scan: makeScan(comps) })));
    expect(r.covers({ subject: FAILING_CHECKS_SUBJECT } as never)).toBe(false);
  });
});

describe("findMarkers on hostile lines (review fix)", () => {
  it("scans a file of comment-token-only lines in linear time (the old regex was quadratic)", () => {
    // 2,500 lines of 1,999 '#': about 7 s with the old lazy-gap regex.
    const text = `${"#".repeat(1999)}\n`.repeat(2500);
    expect(findMarkers(text)).toEqual([]);
  });

  it("keeps the comment rule: the marker must come after a comment token", () => {
    expect(findMarkers("x = 'TODO' # FIXME(bob): later")).toEqual([{ kind: "FIXME", line: 1, text: "later" }]);
    expect(findMarkers("TODO = 1 // nothing here")).toEqual([]);
    expect(findMarkers("  * BUG: in a block comment */")).toEqual([{ kind: "BUG", line: 1, text: "in a block comment" }]);
    expect(findMarkers("<!-- HACK fix the layout -->")).toEqual([{ kind: "HACK", line: 1, text: "fix the layout" }]);
    expect(findMarkers("{/* TODO: jsx comment */}")).toEqual([{ kind: "TODO", line: 1, text: "jsx comment" }]);
  });
});
