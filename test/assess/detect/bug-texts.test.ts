/**
 * The bug detector's bounds, texts and coverage rules (issue 18: mutation testing of
 * src/assess/detect/bug.ts). Expected texts are written out here from the inputs.
 */
import { describe, expect, it } from "vitest";
import { detectBug, findMarkers, FAILING_CHECKS_SUBJECT, isSourceFile } from "../../../src/assess/detect/bug.js";
import type { MaintenanceIssue } from "../../../src/model/index.js";
import { config, detectContext, makeComponent, makeInputs, makeScan } from "../helpers.js";

const comps = [makeComponent({ name: "api", path: "src/api" }), makeComponent({ name: "ui", path: "src/ui", type: "ui", manifests: ["src/ui/package.json"] })];
const prev = (subject: string) => ({ subject }) as MaintenanceIssue;

describe("isSourceFile", () => {
  it("skips prose, data, lockfiles, minified and vendored output", () => {
    for (const p of [
      "README.md",
      "docs/a.MDX",
      "notes.rst",
      "a.txt",
      "x.adoc",
      "package.json",
      "Cargo.lock",
      "logo.svg",
      "data.csv",
      "data.tsv",
      "app.js.map",
      "app.min.js",
      "site.min.css",
      "__snapshots__/a.snap",
      "yarn.lock",
      "web/pnpm-lock.yaml",
      "go.sum",
      "CHANGELOG",
      "pkg/CHANGELOG-1.x",
      "node_modules/x/index.js",
      "src/vendor/lib.go",
      "dist/app.js",
      "build/out.py",
      "a.markdown",
    ]) {
      expect(isSourceFile(p), p).toBe(false);
    }
    for (const p of ["src/app.ts", "main.py", "lib.rs", "Dockerfile", "scripts/build.sh", "pnpm-lock.yaml.py", "src/builder/x.ts", "distance.py", "x.jsonc"]) {
      expect(isSourceFile(p), p).toBe(true);
    }
  });
});

describe("findMarkers bounds", () => {
  it("reads every comment syntax it knows", () => {
    expect(findMarkers("-- TODO: sql\n; FIXME lisp\n% BUG tex\nint x; // HACK c")).toEqual([
      { kind: "TODO", line: 1, text: "sql" },
      { kind: "FIXME", line: 2, text: "lisp" },
      { kind: "BUG", line: 3, text: "tex" },
      { kind: "HACK", line: 4, text: "c" },
    ]);
  });

  it("handles CRLF, empty marker texts, and a long owner in parentheses", () => {
    expect(findMarkers("a\r\n# TODO\r\n# FIXME:\r\n")).toEqual([
      { kind: "TODO", line: 2, text: "" },
      { kind: "FIXME", line: 3, text: "" },
    ]);
    const owner = "x".repeat(81);
    expect(findMarkers(`# TODO(${owner}): later`)).toEqual([{ kind: "TODO", line: 1, text: `(${owner}): later` }]);
    expect(findMarkers(`# TODO(${"y".repeat(80)}): later`)).toEqual([{ kind: "TODO", line: 1, text: "later" }]);
  });

  it("skips lines over 2,000 characters and cuts texts at 200", () => {
    const at = (len: number) => `# TODO ${"a".repeat(len - 7)}`;
    expect(at(2000)).toHaveLength(2000);
    expect(findMarkers(at(2001))).toEqual([]);
    const [m] = findMarkers(at(2000));
    expect(m.text).toBe("a".repeat(200));
  });

  it("cuts the comment closer and what follows it", () => {
    expect(findMarkers("/* TODO: close me */ int y = 1;")).toEqual([{ kind: "TODO", line: 1, text: "close me" }]);
    expect(findMarkers("<!-- FIXME: html --> <p>x</p>")).toEqual([{ kind: "FIXME", line: 1, text: "html" }]);
  });
});

describe("marker issues", () => {
  const run = (textFiles: Map<string, string>, over: Parameters<typeof makeInputs>[0] = {}, cfg = config()) =>
    detectBug(detectContext(makeInputs({ scan: makeScan(comps), textFiles, ...over }), cfg));

  it("one marker: singular texts, every field", () => {
    const [d] = run(new Map([["src/ui/app.ts", "// HACK: until v2\n"]])).drafts;
    expect(d).toEqual({
      type: "bug",
      subject: "bug:markers:src/ui/app.ts",
      title: "1 HACK marker in src/ui/app.ts",
      description: "src/ui/app.ts has 1 unresolved code marker:\n- line 1: HACK until v2",
      severity: "low",
      affected_components: ["ui"],
      files_affected: ["src/ui/app.ts"],
      estimated_effort: "1 hour",
      resolution_steps: ["Resolve the HACK at src/ui/app.ts:1 (until v2), or move it to a tracked issue and delete the marker"],
      testing_requirements: ["npm test for ui"],
      facts: { dependency_types: [], update_type: null, breaking_changes: 0, cvss: null, cvss_estimated: false, fix_available: null, deprecated_target: false, release_age_days: null, change_kind: "code" },
      packages: [],
    });
  });

  it("counts kinds in FIXME, BUG, HACK, TODO order; a BUG is medium; a file outside components names the repository's tests", () => {
    const text = ["# TODO a", "# BUG", "# TODO b", "# HACK c", "# BUG d"].join("\n");
    const [d] = run(new Map([["tools/x.py", text]])).drafts;
    expect(d.title).toBe("2 BUG, 1 HACK, 2 TODO markers in tools/x.py");
    expect(d.severity).toBe("medium");
    expect(d.affected_components).toEqual([]);
    expect(d.testing_requirements).toEqual(["the repository's test suite"]);
    expect(d.estimated_effort).toBe("4 hours");
    expect(d.description).toBe("tools/x.py has 5 unresolved code markers:\n- line 1: TODO a\n- line 2: BUG\n- line 3: TODO b\n- line 4: HACK c\n- line 5: BUG d");
    expect(d.resolution_steps[1]).toBe("Resolve the BUG at tools/x.py:2, or move it to a tracked issue and delete the marker");
  });

  it("effort grows with the count: 2 → 1 hour, 3 → 4 hours, 5 → 4 hours, 6 → 1 day", () => {
    const effort = (n: number) => run(new Map([["src/api/a.py", "# TODO x\n".repeat(n)]])).drafts[0].estimated_effort;
    expect([effort(2), effort(3), effort(5), effort(6)]).toEqual(["1 hour", "4 hours", "4 hours", "1 day"]);
  });

  it("lists 50 markers and counts the rest", () => {
    const [d] = run(new Map([["src/api/a.py", "# TODO x\n".repeat(53)]])).drafts;
    const lines = d.description.split("\n");
    expect(lines).toHaveLength(1 + 50 + 1);
    expect(lines[50]).toBe("- line 50: TODO x");
    expect(lines[51]).toBe("- ... and 3 more");
    expect(d.resolution_steps).toHaveLength(50);
    expect(d.title).toBe("53 TODO markers in src/api/a.py");
    expect(d.estimated_effort).toBe("1 day");
  });

  it("says the markers are on added lines for a push; files not in the push are not read", () => {
    const files = new Map([
      ["src/api/a.py", "# TODO one\n# TODO two\n"],
      ["src/api/b.py", "# TODO three\n"],
    ]);
    const r = run(files, { addedLines: new Map([["src/api/a.py", new Set([2])]]) });
    expect(r.drafts.map((d) => d.description)).toEqual(["src/api/a.py has 1 unresolved code marker on lines added by this push:\n- line 2: TODO two"]);
  });

  it("finds nothing, and covers nothing, when bug_markers is off", () => {
    const r = run(new Map([["src/api/a.py", "# TODO x\n"]]), {}, config((c) => (c.issues.bug_markers = false)));
    expect(r.drafts).toEqual([]);
    expect(r.covers(prev("bug:markers:src/api/a.py"))).toBe(false);
  });

  it("covers only marker subjects of a full read", () => {
    const r = run(new Map([["src/api/a.py", "x = 1\n"]]));
    expect(r.covers(prev("bug:markers:src/api/a.py"))).toBe(true);
    // Without allFiles, a file not read may still exist.
    expect(r.covers(prev("bug:markers:src/api/gone.py"))).toBe(false);
    expect(r.covers(prev("bug:other:src/api/a.py"))).toBe(false);
    expect(r.goneReason(prev("bug:markers:src/api/a.py"))).toBe("no TODO/FIXME/BUG/HACK markers left in src/api/a.py");
    const noFiles = detectBug(detectContext(makeInputs({ scan: makeScan(comps) })));
    expect(noFiles.covers(prev("bug:markers:src/api/a.py"))).toBe(false);
  });
});

describe("failing checks", () => {
  const run = (failingChecks: Array<{ name: string; url: string | null; conclusion: string }>, allFiles?: string[], sha = "0123456789abcdef0123456789abcdef01234567") =>
    detectBug(detectContext(makeInputs({ scan: makeScan(comps, { commit_sha: sha }), failingChecks, allFiles }))).drafts[0];

  it("every field, sorted by check name, with the matching workflow and components", () => {
    const d = run(
      [
        { name: "UI tests", url: null, conclusion: "timed_out" },
        { name: "build-api", url: "https://ci/2", conclusion: "failure" },
      ],
      [".github/workflows/build-api.yml", ".github/workflows/lint.yaml", ".github/workflows/nested/x.yml", "src/api/main.py"],
    );
    expect(d).toEqual({
      type: "bug",
      subject: FAILING_CHECKS_SUBJECT,
      title: "Default branch is failing: 2 checks (UI tests, build-api)",
      description: "The head of the default branch (0123456789ab) has failing checks:\n- UI tests: timed_out\n- build-api: failure (https://ci/2)",
      severity: "high",
      affected_components: ["api", "ui"],
      files_affected: [".github/workflows/build-api.yml"],
      estimated_effort: "2 hours",
      resolution_steps: [
        'Open the logs of "UI tests" and find the first failing step',
        'Open the logs of "build-api" at https://ci/2 and find the first failing step',
        "Fix the cause on a branch, or revert the commit that turned the branch red",
        "Re-run the checks and confirm the default branch is green",
      ],
      testing_requirements: ["npm test for ui", "pytest for api", 're-run check "UI tests"', 're-run check "build-api"'],
      facts: { dependency_types: [], update_type: null, breaking_changes: 0, cvss: null, cvss_estimated: false, fix_available: null, deprecated_target: false, release_age_days: null, change_kind: "ci" },
      packages: [],
    });
  });

  it("one check: singular; no component named: all of them; no workflow named: every workflow; no sha: no sha", () => {
    const d = run([{ name: "lint", url: null, conclusion: "failure" }], [".github/workflows/ci.yml", ".github/workflows/release.yaml"], "");
    expect(d.title).toBe("Default branch is failing: 1 check (lint)");
    expect(d.description).toBe("The head of the default branch has failing checks:\n- lint: failure");
    expect(d.affected_components).toEqual(["api", "ui"]);
    expect(d.files_affected).toEqual([".github/workflows/ci.yml", ".github/workflows/release.yaml"]);
  });

  it("more than three checks: the first three and an ellipsis; no files without allFiles", () => {
    const d = run(["d", "c", "b", "a"].map((name) => ({ name, url: null, conclusion: "failure" })));
    expect(d.title).toBe("Default branch is failing: 4 checks (a, b, c, ...)");
    expect(d.files_affected).toEqual([]);
  });

  it("no failing check: no issue, but the red-branch issue is covered (resolved)", () => {
    const r = detectBug(detectContext(makeInputs({ scan: makeScan(comps), failingChecks: [] })));
    expect(r.drafts).toEqual([]);
    expect(r.covers(prev(FAILING_CHECKS_SUBJECT))).toBe(true);
    expect(r.goneReason(prev(FAILING_CHECKS_SUBJECT))).toBe("the default branch checks pass");
  });
});
