import { describe, expect, it } from "vitest";
import { detectPerformance, median } from "../../../src/assess/detect/performance.js";
import { makeTestResult } from "../../helpers/factories.js";
import { detectContext, makeInputs } from "../helpers.js";

const run = (seconds: number, slow: number[] = []) =>
  makeTestResult({ test_suite: "unit", duration_seconds: seconds, slowest_tests: slow.map((s, i) => ({ name: `t${i}`, suite: "tests/test_x.py", duration_seconds: s })) });

describe("median", () => {
  it("handles odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe("detectPerformance", () => {
  it("flags latest > 120% of the previous median and > 5 s slower", () => {
    const r = detectPerformance(detectContext(makeInputs({ testResults: { api: [run(30), run(32), run(100), run(31), run(45, [4])] } })));
    expect(r.drafts).toHaveLength(1);
    const d = r.drafts[0];
    expect(d.subject).toBe("performance:duration:api:unit");
    expect(d.title).toBe('Test suite "unit" of api is 43% slower (45.0 s vs median 31.5 s)');
    expect(d.severity).toBe("low");
    expect(d.files_affected).toEqual(["tests/test_x.py"]);
    expect(d.description).toContain("- t0 (tests/test_x.py): 4.0 s");
  });

  it("ignores small absolute or relative changes", () => {
    expect(detectPerformance(detectContext(makeInputs({ testResults: { api: [run(10), run(14)] } }))).drafts).toEqual([]); // +40% but only 4 s
    expect(detectPerformance(detectContext(makeInputs({ testResults: { api: [run(100), run(115)] } }))).drafts).toEqual([]); // +15 s but 15%
    expect(detectPerformance(detectContext(makeInputs({ testResults: { api: [run(100)] } }))).drafts).toEqual([]); // no history
  });

  it("rates a > 50% regression medium", () => {
    expect(detectPerformance(detectContext(makeInputs({ testResults: { api: [run(10), run(20)] } }))).drafts[0].severity).toBe("medium");
  });

  it("lists tests slower than 10 s in the latest run", () => {
    const r = detectPerformance(detectContext(makeInputs({ testResults: { api: [run(40, [12, 3, 25])] } })));
    expect(r.drafts).toHaveLength(1);
    expect(r.drafts[0].subject).toBe("performance:slow-tests:api:unit");
    expect(r.drafts[0].title).toBe('2 slow tests in "unit" of api (slowest 25.0 s)');
    expect(r.covers({ subject: "performance:duration:api:unit" } as never)).toBe(true);
    expect(r.covers({ subject: "performance:duration:ui:unit" } as never)).toBe(false);
  });
});
