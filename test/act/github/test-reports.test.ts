import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mergeCoverage, parseCobertura, parseIstanbulSummary, parseJUnit, parseLcov, parseReport, reportKindOf } from "../../../src/act/github/test-reports/index.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/github-pr/reports");
const read = (f: string): string => readFileSync(path.join(dir, f), "utf8");

describe("JUnit", () => {
  it("reads pytest output: failures with file and line, errors, skips, durations", () => {
    const r = parseJUnit(read("pytest-junit.xml"));
    if ("error" in r) throw new Error(r.error);
    expect({ tests: r.tests, passed: r.passed, failed: r.failed, errors: r.errors, skipped: r.skipped }).toEqual({ tests: 5, passed: 2, failed: 1, errors: 1, skipped: 1 });
    expect(r.duration_seconds).toBeCloseTo(3.21, 2);
    expect(r.failures[0]).toEqual({ name: "test_login", suite: "tests.test_auth", message: "AssertionError: expected 200, got 500", file: "tests/test_auth.py", line: 42 });
    expect(r.failures[1]).toMatchObject({ name: "test_db", message: "fixture 'db' not found" });
    expect([...r.cases].sort((a, b) => b.duration_seconds - a.duration_seconds)[0]).toEqual({ name: "test_upload", suite: "tests.test_api", duration_seconds: 2.5 });
  });
  it("reads vitest and jest output (nested suites, bare testsuite root)", () => {
    const v = parseJUnit(read("vitest-junit.xml"));
    if ("error" in v) throw new Error(v.error);
    expect({ tests: v.tests, passed: v.passed, failed: v.failed, skipped: v.skipped, time: v.duration_seconds }).toEqual({ tests: 4, passed: 2, failed: 1, skipped: 1, time: 1.5 });
    expect(v.failures[0]).toMatchObject({ name: "divides > by zero", suite: "src/math.test.ts", message: "expected 1 to be 2 // Object.is equality" });
    const j = parseJUnit(read("jest-junit.xml"));
    if ("error" in j) throw new Error(j.error);
    expect({ tests: j.tests, passed: j.passed, time: j.duration_seconds }).toEqual({ tests: 2, passed: 2, time: 0.4 });
  });
  it("reports non-JUnit input as an error naming the file", () => {
    expect(parseJUnit("<html></html>", "out.xml")).toEqual({ error: "out.xml: no <testsuite> element" });
    expect(parseJUnit("<testsuite><testcase", "bad.xml")).toMatchObject({ error: expect.stringMatching(/^bad\.xml: /) });
  });
});

describe("coverage", () => {
  it("reads Cobertura, lcov and Istanbul summaries", () => {
    expect(parseCobertura(read("cobertura.xml"))).toMatchObject({ line_coverage: 85, branch_coverage: 75, function_coverage: null });
    expect(parseLcov(read("lcov.info"))).toMatchObject({ line_coverage: 90, branch_coverage: 50, function_coverage: 90 });
    expect(parseIstanbulSummary(read("coverage-summary.json"))).toMatchObject({ line_coverage: 75, branch_coverage: 25, function_coverage: 75 });
  });
  it("merges reports by counts and rejects broken ones", () => {
    const a = parseLcov(read("lcov.info"));
    const b = parseIstanbulSummary(read("coverage-summary.json"));
    if ("error" in a || "error" in b) throw new Error("parse failed");
    expect(mergeCoverage([a, b])?.line_coverage).toBeCloseTo((90 + 90) / (100 + 120) * 100, 2);
    expect(parseLcov("garbage")).toEqual({ error: "lcov.info: no lcov records (end_of_record)" });
    expect(parseIstanbulSummary("{")).toMatchObject({ error: expect.stringMatching(/^coverage-summary\.json: invalid JSON/) });
  });
  it("detects report kinds and skips unknown files", () => {
    expect(reportKindOf("reports/junit.xml", read("pytest-junit.xml"))).toBe("junit");
    expect(reportKindOf("coverage.xml", read("cobertura.xml"))).toBe("cobertura");
    expect(reportKindOf("coverage/lcov.info", read("lcov.info"))).toBe("lcov");
    expect(reportKindOf("coverage/coverage-summary.json", "{}")).toBe("istanbul");
    expect(reportKindOf("pom.xml", "<project/>")).toBeNull();
    expect(parseReport("package.json", "{}")).toBeNull();
  });
});
