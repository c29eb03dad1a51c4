/**
 * The performance detector's thresholds, history window and texts (issue 18: mutation testing of
 * src/assess/detect/performance.ts). A regression is latest > 1.2 × median of up to 10 previous runs
 * and more than 5 s slower; a slow test takes more than 10 s. Texts are written out here.
 */
import { describe, expect, it } from "vitest";
import { detectPerformance, median, suitesOf } from "../../../src/assess/detect/performance.js";
import type { MaintenanceIssue, TestResult } from "../../../src/model/index.js";
import { makeTestResult } from "../../helpers/factories.js";
import { detectContext, makeComponent, makeInputs, makeScan } from "../helpers.js";

type Slow = { name: string; suite: string | null; duration_seconds: number };
const run = (seconds: number, slowest: Slow[] = [], suite = "unit"): TestResult => makeTestResult({ test_suite: suite, duration_seconds: seconds, slowest_tests: slowest });
const detect = (testResults: Record<string, TestResult[]>, components = [makeComponent()]) => detectPerformance(detectContext(makeInputs({ scan: makeScan(components), testResults })));
const prev = (subject: string) => ({ subject }) as MaintenanceIssue;

describe("median and suitesOf", () => {
  it("median of one, odd and even counts, unsorted input untouched", () => {
    const input = [9, 1, 5, 3];
    expect(median(input)).toBe(4);
    expect(input).toEqual([9, 1, 5, 3]);
    expect(median([7])).toBe(7);
    expect(median([10, 2, 30])).toBe(10);
  });

  it("groups runs by suite in input order", () => {
    const s = suitesOf([run(1, [], "a"), run(2, [], "b"), run(3, [], "a")]);
    expect([...s.keys()]).toEqual(["a", "b"]);
    expect(s.get("a")!.map((r) => r.duration_seconds)).toEqual([1, 3]);
  });
});

describe("duration regressions", () => {
  const flagged = (durations: number[]) => detect({ api: durations.map((d) => run(d)) }).drafts.filter((d) => d.subject.startsWith("performance:duration:"));

  it("needs more than 20% and more than 5 s", () => {
    expect(flagged([100, 120])).toEqual([]);
    expect(flagged([100, 121])).toHaveLength(1);
    expect(flagged([10, 15])).toEqual([]);
    expect(flagged([10, 15.1])).toHaveLength(1);
  });

  it("is medium above +50%, low at +50% or less", () => {
    expect(flagged([20, 30])[0].severity).toBe("low");
    expect(flagged([20, 31])[0].severity).toBe("medium");
  });

  it("takes the median of the 10 runs before the latest, no more", () => {
    // Oldest first: 30, then five runs of 10 and five of 30, then the latest 35.
    // The 10 previous runs have median (10 + 30) / 2 = 20; with the oldest too it would be 30 (not flagged).
    const [d] = flagged([30, 10, 10, 10, 10, 10, 30, 30, 30, 30, 30, 35]);
    expect(d.title).toBe('Test suite "unit" of api is 75% slower (35.0 s vs median 20.0 s)');
    expect(d.description.split("\n")[0]).toBe('The latest run of "unit" took 35.0 s; the median of the 10 previous runs is 20.0 s (+15.0 s, +75%).');
    // With only the last 8 of them (10, 10, 10, 30 × 5) the median would be 30: not flagged either.
  });

  it("a zero median counts as +100%", () => {
    const [d] = flagged([0, 0, 12]);
    expect(d.title).toBe('Test suite "unit" of api is 100% slower (12.0 s vs median 0.0 s)');
    expect(d.severity).toBe("medium");
  });

  it("every field, with the five slowest tests of the latest run", () => {
    const slow: Slow[] = [
      { name: "t_b", suite: "tests/test_b.py", duration_seconds: 3 },
      { name: "t_a", suite: "tests/test_a.py", duration_seconds: 3 },
      { name: "t_c", suite: null, duration_seconds: 9 },
      { name: "t_d", suite: "unit", duration_seconds: 1 },
      { name: "t_e", suite: "tests/test_a.py", duration_seconds: 2 },
      { name: "t_f", suite: "tests/test_f.py", duration_seconds: 0.5 },
    ];
    const r = detect({ api: [run(20), run(30, slow)] });
    expect(r.drafts).toEqual([
      {
        type: "performance",
        subject: "performance:duration:api:unit",
        title: 'Test suite "unit" of api is 50% slower (30.0 s vs median 20.0 s)',
        description: [
          'The latest run of "unit" took 30.0 s; the median of the 1 previous run is 20.0 s (+10.0 s, +50%).',
          "Threshold: more than 20% and more than 5 s slower.",
          "",
          "Slowest tests in the latest run:",
          "- t_c: 9.0 s",
          "- t_a (tests/test_a.py): 3.0 s",
          "- t_b (tests/test_b.py): 3.0 s",
          "- t_e (tests/test_a.py): 2.0 s",
          "- t_d (unit): 1.0 s",
        ].join("\n"),
        severity: "low",
        affected_components: ["api"],
        files_affected: ["tests/test_a.py", "tests/test_b.py", "tests/test_f.py"],
        estimated_effort: "4 hours",
        resolution_steps: [
          'Compare the slowest tests of "unit" in the latest run with an earlier run to find what got slower',
          "Check recent changes to test fixtures, dependency updates and CI runner size",
          "Fix the slow path, or mark genuinely slow tests and run them separately",
        ],
        testing_requirements: ["CI suite \"unit\" for api", "pytest for api", 'compare the duration of "unit" with its median after the fix'],
        facts: { dependency_types: [], update_type: null, breaking_changes: 0, cvss: null, cvss_estimated: false, fix_available: null, deprecated_target: false, release_age_days: null, change_kind: "tests" },
        packages: [],
      },
    ]);
  });

  it("without slow tests listed, the description ends at the threshold", () => {
    const [d] = flagged([20, 40]);
    expect(d.description).toBe('The latest run of "unit" took 40.0 s; the median of the 1 previous run is 20.0 s (+20.0 s, +100%).\nThreshold: more than 20% and more than 5 s slower.');
    expect(d.files_affected).toEqual([]);
  });
});

describe("slow tests", () => {
  it("more than 10 s, at most ten listed, every field", () => {
    const slow: Slow[] = Array.from({ length: 12 }, (_, i) => ({ name: `t${String(i).padStart(2, "0")}`, suite: i % 2 === 0 ? `tests/t${i}.py` : null, duration_seconds: 11 + i }));
    slow.push({ name: "edge", suite: "tests/edge.py", duration_seconds: 10 });
    const r = detect({ api: [run(200, slow)] });
    expect(r.drafts).toHaveLength(1);
    const d = r.drafts[0];
    expect(d.subject).toBe("performance:slow-tests:api:unit");
    expect(d.title).toBe('12 slow tests in "unit" of api (slowest 22.0 s)');
    expect(d.description.split("\n")).toEqual([
      'Tests slower than 10 s in the latest run of "unit" (suite total 200.0 s):',
      "- t11: 22.0 s",
      "- t10 (tests/t10.py): 21.0 s",
      "- t09: 20.0 s",
      "- t08 (tests/t8.py): 19.0 s",
      "- t07: 18.0 s",
      "- t06 (tests/t6.py): 17.0 s",
      "- t05: 16.0 s",
      "- t04 (tests/t4.py): 15.0 s",
      "- t03: 14.0 s",
      "- t02 (tests/t2.py): 13.0 s",
    ]);
    expect(d.severity).toBe("low");
    expect(d.estimated_effort).toBe("2 hours");
    // Only the slow tests' files, not the 10 s one.
    expect(d.files_affected).toEqual(["tests/t0.py", "tests/t10.py", "tests/t2.py", "tests/t4.py", "tests/t6.py", "tests/t8.py"]);
    expect(d.resolution_steps).toHaveLength(10);
    expect(d.resolution_steps[0]).toBe("Profile t11 (22.0 s): replace sleeps and network calls with fakes, share expensive fixtures");
    expect(d.testing_requirements).toEqual(['CI suite "unit" for api', "pytest for api", 'compare the duration of "unit" with its median after the fix']);
    expect(d.facts.change_kind).toBe("tests");
  });

  it("one slow test: singular title; a test of exactly 10 s is not slow", () => {
    expect(detect({ api: [run(30, [{ name: "t", suite: null, duration_seconds: 10.5 }])] }).drafts[0].title).toBe('1 slow test in "unit" of api (slowest 10.5 s)');
    expect(detect({ api: [run(30, [{ name: "t", suite: null, duration_seconds: 10 }])] }).drafts).toEqual([]);
  });

  it("only the latest run's tests count", () => {
    expect(detect({ api: [run(30, [{ name: "old", suite: null, duration_seconds: 50 }]), run(30, [])] }).drafts).toEqual([]);
  });
});

describe("order, files and coverage", () => {
  it("components and suites in name order; suite names that look like paths are files", () => {
    const slow = (suite: string | null) => [{ name: "t", suite, duration_seconds: 11 }];
    const r = detect({ web: [run(1, slow("src/App.test.tsx"), "b")], api: [run(1, slow("not a path"), "z"), run(1, slow("tests.py"), "a")] }, [makeComponent(), makeComponent({ name: "web", path: "web" })]);
    expect(r.drafts.map((d) => d.subject)).toEqual(["performance:slow-tests:api:a", "performance:slow-tests:api:z", "performance:slow-tests:web:b"]);
    expect(r.drafts.map((d) => d.files_affected)).toEqual([["tests.py"], [], ["src/App.test.tsx"]]);
    expect(r.drafts[2].testing_requirements).toEqual(['CI suite "b" for web', "pytest for web", 'compare the duration of "b" with its median after the fix']);
  });

  it("covers components with results this run; says why an issue is gone", () => {
    const r = detect({ api: [] });
    expect(r.drafts).toEqual([]);
    expect(r.covers(prev("performance:duration:api:unit"))).toBe(true);
    expect(r.covers(prev("performance:slow-tests:web:unit"))).toBe(false);
    expect(r.covers(prev("performance"))).toBe(false);
    expect(r.goneReason(prev("performance:duration:api:tests:unit"))).toBe("the latest run of tests:unit is back within 20% of its median");
    expect(r.goneReason(prev("performance:slow-tests:api:tests:unit"))).toBe("no test in tests:unit is slower than 10 s");
    expect(detectPerformance(detectContext(makeInputs())).covers(prev("performance:duration:api:unit"))).toBe(false);
  });
});
