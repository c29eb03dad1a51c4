import type { TestInfo, TestResult } from "../../model/index.js";
import { nonDependencyFacts, testSuitesFor, type IssueDraft } from "../draft.js";
import type { DetectContext, DetectorResult } from "./context.js";

/** A regression is latest > median of previous × (1 + REGRESSION_RATIO) and more than REGRESSION_SECONDS slower. */
export const REGRESSION_RATIO = 0.2;
export const REGRESSION_SECONDS = 5;
/** How many previous runs the median is taken over. */
export const HISTORY_WINDOW = 10;
/** A single test slower than this is reported as a slow test. */
export const SLOW_TEST_SECONDS = 10;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs of each suite, oldest first (the order of the input array). */
export function suitesOf(results: readonly TestResult[]): Map<string, TestResult[]> {
  const out = new Map<string, TestResult[]>();
  for (const r of results) {
    const list = out.get(r.test_suite) ?? [];
    list.push(r);
    out.set(r.test_suite, list);
  }
  return out;
}

/** Test files named by the runner (a suite like "tests/test_api.py"), when they look like paths. */
function testFilesOf(tests: readonly TestInfo[]): string[] {
  return [...new Set(tests.map((t) => t.suite).filter((s): s is string => !!s && /\/|\.[a-z]{1,4}$/i.test(s)))].sort();
}

/**
 * Subjects: `performance:duration:<component>:<suite>` (latest run of a suite regressed against the
 * median of up to 10 previous runs) and `performance:slow-tests:<component>:<suite>` (tests in the
 * latest run slower than 10 s). testResults[component] is read as history, oldest first.
 */
export function detectPerformance(ctx: DetectContext): DetectorResult {
  const drafts: IssueDraft[] = [];
  const results = ctx.inputs.testResults ?? {};
  for (const component of Object.keys(results).sort()) {
    const bySuite = suitesOf(results[component] ?? []);
    for (const suite of [...bySuite.keys()].sort()) {
      const runs = bySuite.get(suite) ?? [];
      const latest = runs[runs.length - 1];
      if (!latest) continue;
      const slowest = [...latest.slowest_tests].sort((a, b) => b.duration_seconds - a.duration_seconds || (a.name < b.name ? -1 : 1));
      const testing = [...testSuitesFor(component, ctx.components, [suite]), `compare the duration of "${suite}" with its median after the fix`];
      const previous = runs.slice(Math.max(0, runs.length - 1 - HISTORY_WINDOW), runs.length - 1).map((r) => r.duration_seconds);
      if (previous.length > 0) {
        const med = median(previous);
        const delta = latest.duration_seconds - med;
        if (latest.duration_seconds > med * (1 + REGRESSION_RATIO) && delta > REGRESSION_SECONDS) {
          const pct = med > 0 ? Math.round((delta / med) * 100) : 100;
          drafts.push({
            type: "performance",
            subject: `performance:duration:${component}:${suite}`,
            title: `Test suite "${suite}" of ${component} is ${pct}% slower (${latest.duration_seconds.toFixed(1)} s vs median ${med.toFixed(1)} s)`,
            description: [
              `The latest run of "${suite}" took ${latest.duration_seconds.toFixed(1)} s; the median of the ${previous.length} previous run${previous.length === 1 ? "" : "s"} is ${med.toFixed(1)} s (+${delta.toFixed(1)} s, +${pct}%).`,
              `Threshold: more than ${Math.round(REGRESSION_RATIO * 100)}% and more than ${REGRESSION_SECONDS} s slower.`,
              ...(slowest.length > 0 ? ["", "Slowest tests in the latest run:", ...slowest.slice(0, 5).map((t) => `- ${t.name}${t.suite ? ` (${t.suite})` : ""}: ${t.duration_seconds.toFixed(1)} s`)] : []),
            ].join("\n"),
            severity: pct > 50 ? "medium" : "low",
            affected_components: [component],
            files_affected: testFilesOf(slowest),
            estimated_effort: "4 hours",
            resolution_steps: [
              `Compare the slowest tests of "${suite}" in the latest run with an earlier run to find what got slower`,
              "Check recent changes to test fixtures, dependency updates and CI runner size",
              "Fix the slow path, or mark genuinely slow tests and run them separately",
            ],
            testing_requirements: testing,
            facts: nonDependencyFacts("tests"),
            packages: [],
          });
        }
      }
      const slow = slowest.filter((t) => t.duration_seconds > SLOW_TEST_SECONDS);
      if (slow.length > 0) {
        drafts.push({
          type: "performance",
          subject: `performance:slow-tests:${component}:${suite}`,
          title: `${slow.length} slow test${slow.length === 1 ? "" : "s"} in "${suite}" of ${component} (slowest ${slow[0].duration_seconds.toFixed(1)} s)`,
          description: [
            `Tests slower than ${SLOW_TEST_SECONDS} s in the latest run of "${suite}" (suite total ${latest.duration_seconds.toFixed(1)} s):`,
            ...slow.slice(0, 10).map((t) => `- ${t.name}${t.suite ? ` (${t.suite})` : ""}: ${t.duration_seconds.toFixed(1)} s`),
          ].join("\n"),
          severity: "low",
          affected_components: [component],
          files_affected: testFilesOf(slow),
          estimated_effort: "2 hours",
          resolution_steps: slow.slice(0, 10).map((t) => `Profile ${t.name} (${t.duration_seconds.toFixed(1)} s): replace sleeps and network calls with fakes, share expensive fixtures`),
          testing_requirements: testing,
          facts: nonDependencyFacts("tests"),
          packages: [],
        });
      }
    }
  }
  return {
    drafts,
    covers: (prev) => {
      const [, , component] = prev.subject.split(":");
      return component !== undefined && results[component] !== undefined;
    },
    goneReason: (prev) =>
      prev.subject.startsWith("performance:duration:")
        ? `the latest run of ${prev.subject.split(":").slice(3).join(":")} is back within ${Math.round(REGRESSION_RATIO * 100)}% of its median`
        : `no test in ${prev.subject.split(":").slice(3).join(":")} is slower than ${SLOW_TEST_SECONDS} s`,
  };
}
