import { describe, expect, it } from "vitest";
import { MAX_TEXT_FILES, MAX_TEXT_FILE_BYTES, componentOfPath, pickTextFiles, storedAssessInputs } from "../../src/app/assess-inputs.js";
import { defaultBranchCiRun, type DefaultBranchCiRun } from "../../src/app/pr-routes.js";
import { defaultConfig } from "../../src/config/schema.js";
import { makeRecord, makeTestResult } from "../helpers/factories.js";

const NOW = new Date("2026-01-15T12:00:00Z");
const HEAD = "a".repeat(40);
const components = [
  { name: "root", path: "." },
  { name: "api", path: "api" },
  { name: "web", path: "web" },
];
const run = (over: Partial<DefaultBranchCiRun>): DefaultBranchCiRun => ({ sha: HEAD, name: "check_run:tests", conclusion: "success", url: null, at: "2026-01-15T11:00:00.000Z", ...over });

describe("text files a full scan reads", () => {
  it("READMEs first, then Markdown, then source; vendored, oversized and non-source files left out; capped", () => {
    const files = [
      { path: "src/a.ts", size: 10 },
      { path: "docs/guide.md", size: 10 },
      { path: "api/README.md", size: 10 },
      { path: "README.md", size: 10 },
      { path: "node_modules/x/index.js", size: 10 },
      { path: "big.py", size: MAX_TEXT_FILE_BYTES + 1 },
      { path: "logo.png", size: 10 },
      { path: "package.json", size: 10 },
    ];
    expect(pickTextFiles(files, defaultConfig()).paths).toEqual(["README.md", "api/README.md", "docs/guide.md", "src/a.ts"]);
    const noMarkers = { issues: { ...defaultConfig().issues, bug_markers: false } };
    expect(pickTextFiles(files, noMarkers).paths).toEqual(["README.md", "api/README.md", "docs/guide.md"]);
    const many = Array.from({ length: MAX_TEXT_FILES + 7 }, (_, i) => ({ path: `src/f${i}.ts`, size: 1 }));
    const picked = pickTextFiles(many, defaultConfig());
    expect(picked.paths).toHaveLength(MAX_TEXT_FILES);
    expect(picked.skipped).toBe(7);
  });

  it("maps a path to the deepest component", () => {
    expect(componentOfPath("api/requirements.txt", components)).toBe("api");
    expect(componentOfPath("apix/file", components)).toBe("root");
    expect(componentOfPath("web", components)).toBe("web");
  });
});

describe("assess inputs from the store", () => {
  it("failing checks only for the scanned head; no runs for it → unknown (omitted)", () => {
    const state = { default_branch_ci: [run({ conclusion: "failure", name: "check_run:api-tests", url: "u" }), run({ sha: "b".repeat(40), conclusion: "failure" })] };
    expect(storedAssessInputs({ state, records: [], headSha: HEAD, components, now: NOW }).failingChecks).toEqual([{ name: "api-tests", url: "u", conclusion: "failure" }]);
    expect(storedAssessInputs({ state, records: [], headSha: "c".repeat(40), components, now: NOW }).failingChecks).toBeUndefined();
    expect(storedAssessInputs({ state: { default_branch_ci: [run({})] }, records: [], headSha: HEAD, components, now: NOW }).failingChecks).toEqual([]);
  });

  it("CI error rate per component over the window: own runs when named, else all; cancelled runs and old runs not counted", () => {
    const state = {
      default_branch_ci: [
        run({ name: "workflow_run:api ci", conclusion: "failure" }),
        run({ name: "workflow_run:api ci", sha: "b".repeat(40), conclusion: "success" }),
        run({ name: "workflow_run:lint", conclusion: "success" }),
        run({ name: "workflow_run:lint", sha: "c".repeat(40), conclusion: "cancelled" }),
        run({ name: "workflow_run:web", sha: "d".repeat(40), conclusion: "failure", at: "2025-11-01T00:00:00.000Z" }),
        { nonsense: true },
      ],
    };
    const rates = storedAssessInputs({ state, records: [], headSha: HEAD, components, now: NOW }).ciErrorRate;
    expect(rates).toEqual({ root: 33.33, api: 50, web: 33.33 });
    expect(storedAssessInputs({ state: null, records: [], headSha: HEAD, components, now: NOW }).ciErrorRate).toBeUndefined();
  });

  it("test results by the components a record's files touch; last maintenance = newest performed record", () => {
    const t1 = makeTestResult({ test_suite: "first" });
    const t2 = makeTestResult({ test_suite: "second" });
    const records = [
      makeRecord({ id: "pr-2", attempt_status: "merged", performed_at: "2026-01-12T00:00:00.000Z", files_modified: ["api/requirements.txt", "web/package.json"], test_results: t2 }),
      makeRecord({ id: "pr-1", attempt_status: "merged", performed_at: "2026-01-10T00:00:00.000Z", files_modified: ["api/requirements.txt"], test_results: t1 }),
      makeRecord({ id: "pr-3", attempt_status: "failed", performed_at: "2026-01-14T00:00:00.000Z", files_modified: ["web/package.json"], test_results: null }),
    ];
    const out = storedAssessInputs({ state: null, records, headSha: HEAD, components, now: NOW });
    expect(out.testResults?.api?.map((t) => t.test_suite)).toEqual(["first", "second"]);
    expect(out.testResults?.web?.map((t) => t.test_suite)).toEqual(["second"]);
    expect(out.lastMaintenance?.id).toBe("pr-2");
  });
});

describe("default-branch CI events", () => {
  const repository = { default_branch: "main" };
  it("check_run, check_suite and workflow_run completions on the default branch become runs; others do not", () => {
    expect(defaultBranchCiRun("check_run", { action: "completed", check_run: { head_sha: HEAD, name: "tests", conclusion: "failure", html_url: "u", check_suite: { head_branch: "main" } }, repository }, NOW)).toEqual({
      sha: HEAD,
      name: "check_run:tests",
      conclusion: "failure",
      url: "u",
      at: NOW.toISOString(),
    });
    expect(defaultBranchCiRun("check_suite", { action: "completed", check_suite: { head_sha: HEAD, head_branch: "main", conclusion: "success", app: { slug: "github-actions" } }, repository }, NOW)?.name).toBe("check_suite:github-actions");
    expect(defaultBranchCiRun("workflow_run", { action: "completed", workflow_run: { head_sha: HEAD, head_branch: "feature", conclusion: "failure" }, repository }, NOW)).toBeNull();
    expect(defaultBranchCiRun("check_run", { action: "created", check_run: { head_sha: HEAD, conclusion: null, check_suite: { head_branch: "main" } }, repository }, NOW)).toBeNull();
  });
});
