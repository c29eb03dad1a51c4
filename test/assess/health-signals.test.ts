/**
 * Health signals, component health and system health, signal by signal (issue 18: mutation testing of
 * src/assess/health.ts). Expected values are computed by hand from docs/health.md (weights, penalties,
 * availability rules), not from the code under test.
 */
import { describe, expect, it } from "vitest";
import {
  assessComponentHealth,
  assessSystemHealth,
  componentStatus,
  coverageOf,
  hasHealthEvidence,
  healthScore,
  healthSignals,
  latestRuns,
  nextMaintenanceWindow,
  overallStatus,
  type HealthContext,
} from "../../src/assess/health.js";
import type { AssessInputs } from "../../src/assess/types.js";
import type { Dependency, MaintenanceIssue } from "../../src/model/index.js";
import type { ScanWarning } from "../../src/scan/types.js";
import { makeComponentHealth, makeDependency, makeIssue, makeRecord, makeTestResult } from "../helpers/factories.js";
import { config, makeComponent, makeInputs, makeScan, NOW } from "./helpers.js";

const api = makeComponent({ name: "api", path: "src/api" });

function ctx(over: Partial<AssessInputs> = {}, issues: MaintenanceIssue[] = [], cfg = config()): HealthContext & { warnings: ScanWarning[] } {
  return { inputs: makeInputs(over), config: cfg, now: NOW, issues, warnings: [] };
}

/** A dependency that was looked up and checked, with no advisory: evidence of "up to date, no known vulnerability". */
const clean = (over: Partial<Dependency> = {}) =>
  makeDependency({ advisories: [], cve_ids: [], vulnerability_score: null, advisories_checked: true, lookup: { status: "ok", reason: null }, update_type: "none", skip_reason: null, ...over });
/** A dependency whose registry lookup failed and whose advisories were not checked: no evidence at all. */
const unknownDep = (over: Partial<Dependency> = {}) =>
  makeDependency({ advisories: [], cve_ids: [], advisories_checked: false, lookup: { status: "unknown", reason: "registry down" }, update_type: "unknown", ...over });

const issue = (over: Partial<MaintenanceIssue>) => makeIssue({ affected_components: ["api"], status: "open", ...over });

describe("the security signal", () => {
  it("takes 0.6 / 0.35 / 0.15 / 0.05 off per open security issue by severity", () => {
    const sec = (severity: MaintenanceIssue["severity"]) => healthSignals(api, [clean()], ctx({}, [issue({ type: "security", severity })])).security;
    expect(sec("critical")).toBeCloseTo(0.4, 10);
    expect(sec("high")).toBeCloseTo(0.65, 10);
    expect(sec("medium")).toBeCloseTo(0.85, 10);
    expect(sec("low")).toBeCloseTo(0.95, 10);
  });

  it("adds the penalties of several issues and floors the signal at 0", () => {
    const two = [issue({ id: "a", type: "security", severity: "high" }), issue({ id: "b", type: "security", severity: "medium" })];
    expect(healthSignals(api, [clean()], ctx({}, two)).security).toBeCloseTo(0.5, 10);
    const worst = [issue({ id: "a", type: "security", severity: "critical" }), issue({ id: "b", type: "security", severity: "critical" })];
    expect(healthSignals(api, [clean()], ctx({}, worst)).security).toBe(0);
  });

  it("ignores closed issues, issues of other components and non-security issues", () => {
    const others = [
      issue({ id: "r", type: "security", severity: "critical", status: "resolved" }),
      issue({ id: "d", type: "security", severity: "critical", status: "deferred" }),
      issue({ id: "u", type: "security", severity: "critical", affected_components: ["ui"] }),
      issue({ id: "b", type: "bug", severity: "critical" }),
    ];
    expect(healthSignals(api, [clean()], ctx({}, others)).security).toBe(1);
    // An issue being worked on is still open.
    expect(healthSignals(api, [clean()], ctx({}, [issue({ type: "security", severity: "high", status: "in_progress" })])).security).toBeCloseTo(0.65, 10);
  });

  it("exists only when a dependency was checked, or a security issue is open", () => {
    expect(healthSignals(api, [unknownDep()], ctx()).security).toBeUndefined();
    expect(healthSignals(api, [], ctx()).security).toBeUndefined();
    // A skipped dependency is no evidence, even if it claims to be checked.
    expect(healthSignals(api, [clean({ skip_reason: "local path" })], ctx()).security).toBeUndefined();
    // One checked dependency among unchecked ones is enough.
    expect(healthSignals(api, [unknownDep(), clean({ name: "flask" })], ctx()).security).toBe(1);
    // Nothing checked, but an open security issue: the signal stays, with its penalty.
    expect(healthSignals(api, [unknownDep()], ctx({}, [issue({ type: "security", severity: "high" })])).security).toBeCloseTo(0.65, 10);
  });
});

describe("the freshness signal", () => {
  it("is 1 − Σ w / n over looked-up dependencies: major 1, minor 0.5, patch 0.25, anything else 0", () => {
    const deps = [
      clean({ name: "a", update_type: "minor" }),
      clean({ name: "b", update_type: "patch" }),
      clean({ name: "c", update_type: "none" }),
      clean({ name: "d", update_type: "digest" }),
    ];
    // 1 − (0.5 + 0.25 + 0 + 0) / 4 = 0.8125
    expect(healthSignals(api, deps, ctx()).freshness).toBeCloseTo(0.8125, 10);
    expect(healthSignals(api, [clean({ update_type: "major" })], ctx()).freshness).toBe(0);
    expect(healthSignals(api, [clean({ update_type: "major" }), clean({ name: "b" })], ctx()).freshness).toBeCloseTo(0.5, 10);
  });

  it("leaves out dependencies whose lookup failed or that were skipped; none looked up gives no signal", () => {
    // The failed lookup is a major behind on paper; counted, it would give 1 − (1 + 0.25) / 2.
    const deps = [unknownDep({ name: "x", update_type: "major" }), clean({ name: "y", update_type: "patch" }), clean({ name: "z", update_type: "major", skip_reason: "git source" })];
    expect(healthSignals(api, deps, ctx()).freshness).toBeCloseTo(0.75, 10);
    expect(healthSignals(api, [unknownDep()], ctx()).freshness).toBeUndefined();
  });
});

describe("the tests and coverage signals", () => {
  const history = {
    api: [
      makeTestResult({ test_suite: "unit", tests_passed: 0, tests_failed: 10, line_coverage: 10, errors: [] }),
      makeTestResult({ test_suite: "unit", tests_passed: 8, tests_failed: 1, line_coverage: 70, errors: [{ source: "setup", message: "boom" }] }),
      makeTestResult({ test_suite: "e2e", tests_passed: 10, tests_failed: 0, line_coverage: 90, errors: [] }),
    ],
  };

  it("reads the latest run of each suite: passed / (passed + failed + errors), mean line coverage", () => {
    const s = healthSignals(api, [], ctx({ testResults: history }));
    // unit latest: 8 passed, 1 failed + 1 error; e2e latest: 10 passed → 18 / 20
    expect(s.tests).toBeCloseTo(0.9, 10);
    // (70 + 90) / 2 = 80 %
    expect(s.coverage).toBeCloseTo(0.8, 10);
  });

  it("gives no tests signal when nothing passed or failed, and no coverage signal without a number", () => {
    const s = healthSignals(api, [], ctx({ testResults: { api: [makeTestResult({ tests_passed: 0, tests_failed: 0, errors: [], line_coverage: null })] } }));
    expect(s.tests).toBeUndefined();
    expect(s.coverage).toBeUndefined();
    expect(healthSignals(api, [], ctx({ testResults: { ui: history.api } }))).toEqual({});
  });

  it("a run of only errors scores 0", () => {
    const s = healthSignals(api, [], ctx({ testResults: { api: [makeTestResult({ tests_passed: 0, tests_failed: 0, errors: [{ source: "collect", message: "ImportError" }] })] } }));
    expect(s.tests).toBe(0);
  });

  it("latestRuns and coverageOf", () => {
    expect(latestRuns(undefined)).toEqual([]);
    expect(latestRuns(history.api).map((r) => [r.test_suite, r.tests_passed])).toEqual([
      ["unit", 8],
      ["e2e", 10],
    ]);
    expect(coverageOf(undefined)).toBeNull();
    expect(coverageOf([])).toBeNull();
    expect(coverageOf(history.api)).toBe(80);
    expect(coverageOf([makeTestResult({ test_suite: "a", line_coverage: 50 }), makeTestResult({ test_suite: "b", line_coverage: null })])).toBe(50);
    expect(coverageOf([makeTestResult({ line_coverage: Number.NaN })])).toBeNull();
    expect(coverageOf([makeTestResult({ line_coverage: 0 })])).toBe(0);
  });
});

describe("the ci and runtime signals", () => {
  it("ci is 1 − rate / 100, accepting 0 and 100", () => {
    expect(healthSignals(api, [], ctx({ ciErrorRate: { api: 20 } })).ci).toBeCloseTo(0.8, 10);
    expect(healthSignals(api, [], ctx({ ciErrorRate: { api: 0 } })).ci).toBe(1);
    expect(healthSignals(api, [], ctx({ ciErrorRate: { api: 100 } })).ci).toBe(0);
    expect(healthSignals(api, [], ctx({ ciErrorRate: { ui: 50 } })).ci).toBeUndefined();
  });

  it("drops an out-of-range or non-numeric CI rate with a warning that names it", () => {
    for (const bad of [-1, 100.5, Number.NaN, "12" as unknown as number]) {
      const c = ctx({ ciErrorRate: { api: bad } });
      expect(healthSignals(api, [], c).ci, String(bad)).toBeUndefined();
      expect(c.warnings).toEqual([
        { file: null, line: null, manager: "components", message: `ignored CI error rate ${String(bad)} reported for api: expected a number from 0 to 100` },
      ]);
    }
  });

  it("runtime is the mean of uptime / 100 and 1 − error rate / 100, over what is given", () => {
    expect(healthSignals(api, [], ctx({ runtime: { api: { uptime_percentage: 99, error_rate: 3 } } })).runtime).toBeCloseTo(0.98, 10);
    expect(healthSignals(api, [], ctx({ runtime: { api: { uptime_percentage: 90 } } })).runtime).toBeCloseTo(0.9, 10);
    expect(healthSignals(api, [], ctx({ runtime: { api: { error_rate: 40 } } })).runtime).toBeCloseTo(0.6, 10);
    expect(healthSignals(api, [], ctx({ runtime: { api: { response_time_ms: 120 } } })).runtime).toBeUndefined();
    const c = ctx({ runtime: { api: { uptime_percentage: 150, error_rate: 2 } } });
    expect(healthSignals(api, [], c).runtime).toBeCloseTo(0.98, 10);
    expect(c.warnings.map((w) => w.message)).toEqual(["ignored uptime_percentage 150 reported for api: expected a number from 0 to 100"]);
    const e = ctx({ runtime: { api: { error_rate: -3 } } });
    expect(healthSignals(api, [], e).runtime).toBeUndefined();
    expect(e.warnings.map((w) => w.message)).toEqual(["ignored error_rate -3 reported for api: expected a number from 0 to 100"]);
  });
});

describe("the issues signal", () => {
  it("takes 0.5 / 0.25 / 0.1 / 0.03 off per open non-security issue by severity, floored at 0", () => {
    const iss = (severity: MaintenanceIssue["severity"]) => healthSignals(api, [], ctx({}, [issue({ type: "bug", severity })])).issues;
    expect(iss("critical")).toBeCloseTo(0.5, 10);
    expect(iss("high")).toBeCloseTo(0.75, 10);
    expect(iss("medium")).toBeCloseTo(0.9, 10);
    expect(iss("low")).toBeCloseTo(0.97, 10);
    const three = ["a", "b", "c"].map((id) => issue({ id, type: "documentation", severity: "critical" }));
    expect(healthSignals(api, [], ctx({}, three)).issues).toBe(0);
    // A security issue weighs on "security", not on "issues".
    expect(healthSignals(api, [], ctx({}, [issue({ type: "security", severity: "critical" })]))).toEqual({ security: expect.closeTo(0.4, 10), issues: 1 });
  });

  it("exists only when something about the component was examined", () => {
    expect(healthSignals(api, [], ctx())).toEqual({});
    // Another signal is enough.
    expect(healthSignals(api, [], ctx({ ciErrorRate: { api: 0 } }))).toEqual({ ci: 1, issues: 1 });
    // A text file under the component's path is enough; one in a sibling folder with the same prefix is not.
    expect(healthSignals(api, [], ctx({ textFiles: new Map([["src/api/README.md", "# api"]]) }))).toEqual({ issues: 1 });
    expect(healthSignals(api, [], ctx({ textFiles: new Map([["src/apiary/README.md", "# bees"]]) }))).toEqual({});
    const slash = makeComponent({ name: "api", path: "src/api//" });
    expect(healthSignals(slash, [], ctx({ textFiles: new Map([["src/api/README.md", "# api"]]) }))).toEqual({ issues: 1 });
    // The root component owns every file.
    const root = makeComponent({ name: "api", path: "." });
    expect(healthSignals(root, [], ctx({ textFiles: new Map([["docs/index.md", "# docs"]]) }))).toEqual({ issues: 1 });
    // An open issue is enough.
    expect(healthSignals(api, [], ctx({}, [issue({ type: "bug", severity: "low" })]))).toEqual({ issues: expect.closeTo(0.97, 10) });
    // A closed one is not.
    expect(healthSignals(api, [], ctx({}, [issue({ type: "bug", severity: "low", status: "resolved" })]))).toEqual({});
  });
});

describe("score, status and evidence", () => {
  it("health score is the weighted mean over the available signals, rounded to 3 decimals", () => {
    // (0.3·0.4 + 0.05·1) / 0.35 = 0.17 / 0.35 = 0.48571… → 0.486
    expect(healthScore({ security: 0.4, ci: 1 })).toBe(0.486);
    // (0.2·1 + 0.15·0.5 + 0.15·0.9 + 0.1·0.7 + 0.05·0.2) / 0.65 = 0.49 / 0.65 = 0.75384… → 0.754
    expect(healthScore({ issues: 1, freshness: 0.5, tests: 0.9, coverage: 0.7, runtime: 0.2 })).toBe(0.754);
    expect(healthScore({ coverage: 0.25 })).toBe(0.25);
  });

  it("status boundaries: 0.5 is not critical, the threshold itself is healthy", () => {
    expect(componentStatus(0.5, [], 0.7)).toBe("warning");
    expect(componentStatus(0.499, [], 0.7)).toBe("critical");
    expect(componentStatus(0.8, [], 0.85)).toBe("warning");
    expect(componentStatus(0.85, [makeIssue({ severity: "medium" }), makeIssue({ severity: "low" })], 0.85)).toBe("healthy");
    expect(componentStatus(0, [], 0, true)).toBe("critical");
  });

  it("evidence is any signal other than issues", () => {
    expect(hasHealthEvidence({})).toBe(false);
    expect(hasHealthEvidence({ issues: 1 })).toBe(false);
    expect(hasHealthEvidence({ issues: 1, runtime: 0.5 })).toBe(true);
    expect(hasHealthEvidence({ security: 0 })).toBe(true);
  });
});

describe("assessComponentHealth", () => {
  it("fills every field from its inputs", () => {
    const comp = makeComponent({ name: "api", path: "src/api", version: "", type: "api", dependencies: ["sdk", "core"], dependent_components: ["web", "cli"] });
    const issues = [
      issue({ id: "s", type: "security", severity: "critical" }),
      issue({ id: "b", type: "bug", severity: "low" }),
      issue({ id: "gone", type: "bug", severity: "critical", status: "resolved" }),
      issue({ id: "ui", type: "bug", severity: "critical", affected_components: ["ui"] }),
    ];
    const c = ctx(
      {
        dependencies: [clean({ component: "api", update_type: "minor" }), clean({ component: "ui", name: "other", update_type: "major" })],
        testResults: { api: [makeTestResult({ test_suite: "unit", tests_passed: 3, tests_failed: 0, errors: [], line_coverage: 66.6666 })] },
        runtime: { api: { uptime_percentage: 150, error_rate: 2.5, response_time_ms: 123.6, memory_usage_mb: 511.4, cpu_usage_percent: 250 } },
      },
      issues,
    );
    const h = assessComponentHealth(comp, c);
    // security 0.4 (one critical), issues 0.97, freshness 0.5 (the ui dependency is not counted), tests 1,
    // coverage 0.666666, runtime 0.975 (uptime 150 dropped).
    expect(h.score_breakdown).toEqual({ security: 0.4, issues: 0.97, freshness: 0.5, tests: 1, coverage: 0.667, runtime: 0.975 });
    // (0.12 + 0.194 + 0.075 + 0.15 + 0.0666666 + 0.04875) / 0.95 = 0.6544166 / 0.95 = 0.68886… → 0.689
    expect(h.health_score).toBe(0.689);
    expect(h).toMatchObject({
      name: "api",
      version: "unknown",
      type: "api",
      status: "critical",
      last_health_check: NOW.toISOString(),
      uptime_percentage: null,
      error_rate: 2.5,
      response_time_ms: 124,
      memory_usage_mb: 511,
      cpu_usage_percent: 250,
      dependencies: ["core", "sdk"],
      dependent_components: ["cli", "web"],
      open_issues: 2,
      critical_issues: 1,
      last_failure: null,
      path: "src/api",
    });
    // The dropped uptime is reported once, not once per use.
    expect(c.warnings.map((w) => w.message)).toEqual(["ignored uptime_percentage 150 reported for api: expected a number from 0 to 100"]);
  });

  it("with no signal: score 0, unknown, nulls, and the component's own version", () => {
    const h = assessComponentHealth(makeComponent({ version: "2.0.0" }), ctx());
    expect(h).toMatchObject({ version: "2.0.0", status: "unknown", health_score: 0, score_breakdown: {}, open_issues: 0, critical_issues: 0, last_failure: null, uptime_percentage: null, response_time_ms: null, memory_usage_mb: null, cpu_usage_percent: null });
  });

  it("marks the last failure when the latest run of a suite failed or errored, not an older one", () => {
    const failedBefore = [makeTestResult({ tests_failed: 2, errors: [] }), makeTestResult({ tests_failed: 0, errors: [] })];
    expect(assessComponentHealth(api, ctx({ testResults: { api: failedBefore } })).last_failure).toBeNull();
    const erroredNow = [makeTestResult({ tests_failed: 0, errors: [{ source: "x", message: "m" }] })];
    expect(assessComponentHealth(api, ctx({ testResults: { api: erroredNow } })).last_failure).toBe(NOW.toISOString());
    const failedNow = [makeTestResult({ tests_failed: 1, errors: [] })];
    expect(assessComponentHealth(api, ctx({ testResults: { api: failedNow } })).last_failure).toBe(NOW.toISOString());
  });

  it("drops runtime figures out of their ranges with a warning each", () => {
    const c = ctx({ runtime: { api: { response_time_ms: -5, memory_usage_mb: Number.POSITIVE_INFINITY, cpu_usage_percent: 100_001 } } });
    const h = assessComponentHealth(api, c);
    expect([h.response_time_ms, h.memory_usage_mb, h.cpu_usage_percent]).toEqual([null, null, null]);
    expect(c.warnings.map((w) => w.message)).toEqual([
      `ignored response_time_ms -5 reported for api: expected a number from 0 to ${Number.MAX_SAFE_INTEGER}`,
      `ignored memory_usage_mb Infinity reported for api: expected a number from 0 to ${Number.MAX_SAFE_INTEGER}`,
      "ignored cpu_usage_percent 100001 reported for api: expected a number from 0 to 100000",
    ]);
    const edge = assessComponentHealth(api, ctx({ runtime: { api: { cpu_usage_percent: 100_000, response_time_ms: 0 } } }));
    expect([edge.cpu_usage_percent, edge.response_time_ms]).toEqual([100_000, 0]);
  });

  it("is warning between 0.5 and the threshold, healthy at or above it", () => {
    // security 1 (0.3), freshness 1 (0.15), issues 1 (0.2), ci 0 (0.05) → 0.65 / 0.7 = 0.929 healthy
    expect(assessComponentHealth(api, ctx({ dependencies: [clean()], ciErrorRate: { api: 100 } })).status).toBe("healthy");
    // coverage 0.6 alone with issues 1: (0.2 + 0.06) / 0.3 = 0.867 healthy; with threshold 0.9 → warning
    const cov = { testResults: { api: [makeTestResult({ tests_passed: 0, tests_failed: 0, errors: [], line_coverage: 60 })] } };
    expect(assessComponentHealth(api, ctx(cov)).status).toBe("healthy");
    expect(assessComponentHealth(api, ctx(cov, [], config((c) => (c.thresholds.component_health = 0.9)))).status).toBe("warning");
  });
});

describe("overallStatus", () => {
  const h = (name: string, status: "healthy" | "warning" | "critical" | "unknown") => makeComponentHealth({ name, status });
  it("critical beats warning beats unknown majority", () => {
    expect(overallStatus([h("a", "healthy"), h("b", "critical"), h("c", "warning")], [])).toBe("critical");
    expect(overallStatus([h("a", "healthy"), h("b", "healthy")], [makeIssue({ severity: "critical" })])).toBe("critical");
    expect(overallStatus([h("a", "healthy"), h("b", "warning")], [])).toBe("warning");
    expect(overallStatus([h("a", "healthy"), h("b", "healthy")], [makeIssue({ severity: "high" })])).toBe("warning");
    expect(overallStatus([h("a", "healthy"), h("b", "healthy")], [makeIssue({ severity: "medium" }), makeIssue({ severity: "low" })])).toBe("healthy");
    expect(overallStatus([h("a", "unknown")], [])).toBe("warning");
    expect(overallStatus([h("a", "healthy")], [])).toBe("healthy");
    expect(overallStatus([h("a", "healthy"), h("b", "healthy"), h("c", "healthy"), h("d", "unknown")], [])).toBe("healthy");
    expect(overallStatus([h("a", "healthy"), h("b", "unknown"), h("c", "healthy"), h("d", "unknown")], [])).toBe("warning");
  });
});

describe("nextMaintenanceWindow", () => {
  it("picks the earliest of several windows, in the schedule's timezone", () => {
    // NOW is Sunday 2026-03-01 12:00Z. Tuesday 03:30 UTC is 2026-03-03T03:30Z; Monday 22:00 UTC is 2026-03-02T22:00Z.
    const cfg = config((c) => {
      c.schedule.maintenance_windows = [
        { days: ["tue"], start: "03:30", end: "05:00" },
        { days: ["mon", "fri"], start: "22:00", end: "23:00" },
      ];
      c.schedule.timezone = "UTC";
    });
    expect(nextMaintenanceWindow(cfg, NOW)).toBe("2026-03-02T22:00:00.000Z");
    // Listed the other way round, the same answer.
    cfg.schedule.maintenance_windows.reverse();
    expect(nextMaintenanceWindow(cfg, NOW)).toBe("2026-03-02T22:00:00.000Z");
    // A window later today counts: Sunday 13:15 UTC.
    const today = config((c) => (c.schedule.maintenance_windows = [{ days: ["sun"], start: "13:15", end: "14:00" }]));
    expect(nextMaintenanceWindow(today, NOW)).toBe("2026-03-01T13:15:00.000Z");
  });

  it("warns about a window cron cannot parse and keeps the others", () => {
    const cfg = config((c) => {
      c.schedule.maintenance_windows = [
        { days: ["sat"], start: "99:00", end: "23:00" },
        { days: ["wed"], start: "01:00", end: "02:00" },
      ];
    });
    const warnings: ScanWarning[] = [];
    expect(nextMaintenanceWindow(cfg, NOW, warnings)).toBe("2026-03-04T01:00:00.000Z");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: ".github/cowabunga.yml", line: null, manager: "components" });
    expect(warnings[0].message.startsWith("maintenance window sat 99:00: ")).toBe(true);
    cfg.schedule.maintenance_windows = [cfg.schedule.maintenance_windows[0]];
    expect(nextMaintenanceWindow(cfg, NOW, [])).toBeNull();
  });
});

describe("assessSystemHealth", () => {
  it("means of the runtime figures and coverage, open security issues, per-component open issues", () => {
    const scanned = [makeComponent({ name: "root", path: "", version: "3.1.0" }), makeComponent({ name: "api" }), makeComponent({ name: "ui", path: "src/ui" })];
    const components = [
      makeComponentHealth({ name: "root", status: "healthy", uptime_percentage: 99.123, error_rate: 1, response_time_ms: 100 }),
      makeComponentHealth({ name: "api", status: "healthy", uptime_percentage: null, error_rate: null, response_time_ms: 201 }),
      makeComponentHealth({ name: "ui", status: "healthy", uptime_percentage: 98.456, error_rate: 2.345, response_time_ms: null }),
    ];
    const issues = [
      issue({ id: "s1", type: "security", severity: "medium", affected_components: ["api"] }),
      issue({ id: "s2", type: "security", severity: "low", affected_components: ["api", "ui"], status: "resolved" }),
      issue({ id: "b1", type: "bug", severity: "low", affected_components: ["ui"] }),
    ];
    const c = ctx({ testResults: { api: [makeTestResult({ line_coverage: 70 })], ui: [makeTestResult({ line_coverage: 75.555 })] } }, issues);
    const record = makeRecord();
    const s = assessSystemHealth(scanned, components, c, record);
    expect(s.timestamp).toBe(NOW.toISOString());
    expect(s.version).toBe("3.1.0");
    expect(s.overall_status).toBe("healthy");
    expect(s.metrics).toEqual({
      uptime_percentage: 98.79, // (99.123 + 98.456) / 2 = 98.7895
      response_time_ms: 151, // (100 + 201) / 2 = 150.5
      error_rate: 1.67, // (1 + 2.345) / 2 = 1.6725
      test_coverage: 72.78, // (70 + 75.555) / 2 = 72.7775
      security_issues: 1,
    });
    expect(s.components.map((x) => [x.name, x.issues.map((i) => i.id)])).toEqual([
      ["root", []],
      ["api", ["s1"]],
      ["ui", ["b1"]],
    ]);
    expect(s.components[1]).toMatchObject({ status: "healthy", health_score: 0.92, last_check: components[1].last_health_check, dependencies: ["sdk"] });
    expect(s.last_maintenance).toEqual(record);
    expect(s.maintenance_mode).toBe(false);
    expect(s.next_maintenance_window).toBeNull();
  });

  it("nulls without figures, 'unknown' without a root version", () => {
    const s = assessSystemHealth([makeComponent({ name: "root", path: ".", version: "" })], [makeComponentHealth({ name: "root", status: "unknown" })], ctx(), null);
    expect(s.version).toBe("unknown");
    expect(s.metrics).toEqual({ uptime_percentage: null, response_time_ms: null, error_rate: null, test_coverage: null, security_issues: 0 });
    expect(s.overall_status).toBe("warning");
    expect(s.last_maintenance).toBeNull();
    expect(assessSystemHealth([makeComponent()], [], ctx({ scan: makeScan([makeComponent()]) }), null).version).toBe("unknown");
  });

  it("reports a broken maintenance window in the run's warnings", () => {
    const c = ctx({}, [], config((x) => (x.schedule.maintenance_windows = [{ days: ["sat"], start: "24:00", end: "01:00" }])));
    expect(assessSystemHealth([], [], c, null).next_maintenance_window).toBeNull();
    expect(c.warnings.map((w) => w.message.slice(0, 30))).toEqual(["maintenance window sat 24:00: "]);
  });
});

describe("survivors of the mutation run (issue 18)", () => {
  it("a figure reported as null is missing data, not an error: no warning", () => {
    const c = ctx({ ciErrorRate: { api: null as unknown as number }, runtime: { api: { uptime_percentage: null, error_rate: 2 } } });
    expect(healthSignals(api, [], c)).toEqual({ runtime: 0.98, issues: 1 });
    expect(c.warnings).toEqual([]);
    const h = assessComponentHealth(api, ctx({ runtime: { api: { uptime_percentage: null, response_time_ms: null } } }));
    expect([h.uptime_percentage, h.response_time_ms]).toEqual([null, null]);
  });

  it("the root component without any file read or signal has no issues signal", () => {
    expect(healthSignals(makeComponent({ name: "root", path: "." }), [], ctx())).toEqual({});
  });

  it("counts the open critical issues", () => {
    const issues = [issue({ id: "a", type: "bug", severity: "critical" }), issue({ id: "b", type: "bug", severity: "critical" }), issue({ id: "c", type: "bug", severity: "low" })];
    expect(assessComponentHealth(api, ctx({}, issues))).toMatchObject({ open_issues: 3, critical_issues: 2 });
  });

  it("a broken window of several days is named with its days; without a warnings list nothing throws", () => {
    const cfg = config((c) => (c.schedule.maintenance_windows = [{ days: ["sat", "sun"], start: "99:00", end: "23:00" }]));
    const warnings: ScanWarning[] = [];
    expect(nextMaintenanceWindow(cfg, NOW, warnings)).toBeNull();
    expect(warnings[0].message.startsWith("maintenance window sat,sun 99:00: ")).toBe(true);
    expect(nextMaintenanceWindow(cfg, NOW)).toBeNull();
  });
});
