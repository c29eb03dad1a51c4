import { describe, expect, it } from "vitest";
import { assess } from "../../src/assess/index.js";
import { componentStatus, healthScore, nextMaintenanceWindow } from "../../src/assess/health.js";
import { ComponentHealth, SystemHealth } from "../../src/model/index.js";
import { makeDependency, makeIssue, makeRecord, makeTestResult } from "../helpers/factories.js";
import { config, makeAdvisory, makeComponent, makeInputs, makeScan, NOW } from "./helpers.js";

const ok = { lookup: { status: "ok" as const, reason: null }, update_type: "none" as const, days_behind: 0, advisories: [], latest_release_date: "2026-01-01T00:00:00Z" };

describe("component health", () => {
  it("is unknown, never healthy, without any signal", () => {
    const a = assess(makeInputs(), config(), () => NOW);
    const c = a.components[0];
    expect(c.status).toBe("unknown");
    expect(c.health_score).toBe(0);
    expect(c.score_breakdown).toEqual({});
    expect(a.system.overall_status).toBe("warning");
    expect(a.system.metrics.test_coverage).toBeNull();
    expect(a.alerts).toEqual([]); // unknown health raises no alert
  });

  it("excludes missing signals instead of counting them as perfect", () => {
    const deps = [makeDependency({ ...ok, name: "a" }), makeDependency({ ...ok, name: "b", update_type: "major" })];
    const a = assess(makeInputs({ dependencies: deps }), config(), () => NOW);
    const c = a.components[0];
    // security 1 (0.3), issues: one medium dependency issue → 0.9 (0.2), freshness 1 - 1/2 = 0.5 (0.15)
    expect(c.score_breakdown).toEqual({ security: 1, issues: 0.9, freshness: 0.5 });
    expect(c.health_score).toBeCloseTo((0.3 * 1 + 0.2 * 0.9 + 0.15 * 0.5) / 0.65, 3);
    expect(c.status).toBe("healthy");
  });

  it("matches the worked example of docs/health.md", () => {
    const deps = [makeDependency({ ...ok, name: "a" }), makeDependency({ ...ok, name: "b", update_type: "major" })];
    const a = assess(makeInputs({ dependencies: deps, testResults: { api: [makeTestResult()] } }), config(), () => NOW);
    const c = a.components[0];
    expect(c.score_breakdown).toEqual({ security: 1, issues: 0.9, freshness: 0.5, tests: 0.9, coverage: 0.855 });
    expect(c.health_score).toBe(0.862);
    expect(c.status).toBe("healthy");
  });

  it("is critical when everything is wrong, with the score inside [0, 1]", () => {
    const deps = [
      makeDependency({ ...ok, name: "a", update_type: "major", advisories: [makeAdvisory({ id: "A", score: 9.9 }), makeAdvisory({ id: "B", score: 9.5 })] }),
    ];
    const a = assess(
      makeInputs({
        dependencies: deps,
        testResults: { api: [makeTestResult({ tests_passed: 0, tests_failed: 10, line_coverage: 0 })] },
        ciErrorRate: { api: 100 },
        runtime: { api: { uptime_percentage: 0, error_rate: 100 } },
      }),
      config(),
      () => NOW,
    );
    const c = a.components[0];
    expect(c.status).toBe("critical");
    // Every signal at 0 except "issues" and "security": the two advisories of a 9.9 are one critical
    // security issue (one upgrade removes both), which takes 0.6 off security; the medium dependency issue counts in "issues".
    expect(c.score_breakdown).toEqual({ security: 0.4, issues: 0.9, freshness: 0, tests: 0, coverage: 0, ci: 0, runtime: 0 });
    expect(c.health_score).toBe(0.3);
    expect(c.critical_issues).toBe(1);
    expect(c.last_failure).toBe(NOW.toISOString());
    expect(ComponentHealth.safeParse(c).success).toBe(true);
    expect(a.system.overall_status).toBe("critical");
    expect(a.system.metrics.security_issues).toBe(1);
    expect(a.system.metrics.test_coverage).toBe(0);
    expect(SystemHealth.safeParse(a.system).success).toBe(true);
  });

  it("drops out-of-range runtime figures with a warning", () => {
    const a = assess(makeInputs({ dependencies: [makeDependency(ok)], runtime: { api: { uptime_percentage: 150, error_rate: 2 } } }), config(), () => NOW);
    expect(a.components[0].uptime_percentage).toBeNull();
    expect(a.components[0].error_rate).toBe(2);
    expect(a.warnings.some((w) => w.message.includes("uptime_percentage 150 reported for api"))).toBe(true);
  });

  it("score and status functions respect bounds and thresholds", () => {
    expect(healthScore({})).toBeNull();
    expect(healthScore({ security: 1, tests: 1 })).toBe(1);
    expect(healthScore({ security: 0 })).toBe(0);
    expect(componentStatus(null, [], 0.7)).toBe("unknown");
    expect(componentStatus(0.95, [makeIssue({ severity: "critical" })], 0.7)).toBe("critical");
    expect(componentStatus(0.49, [], 0.7)).toBe("critical");
    expect(componentStatus(0.69, [], 0.7)).toBe("warning");
    expect(componentStatus(0.95, [makeIssue({ severity: "high" })], 0.7)).toBe("warning");
    expect(componentStatus(0.7, [], 0.7)).toBe("healthy");
  });
});

describe("component health when advisories were not checked", () => {
  // Offline without a mirror: the registry was not asked and OSV was not asked either.
  const unchecked = { ...ok, lookup: { status: "unknown" as const, reason: "offline mode: the registry was not asked" }, update_type: "unknown" as const, cve_ids: [], advisories_checked: false };
  const readme = new Map([["src/api/README.md", "# api\n\nThe API service.\n"]]);

  it("gives no security signal when no dependency was checked, so the component is not healthy", () => {
    const deps = [makeDependency({ ...unchecked, name: "a" }), makeDependency({ ...unchecked, name: "b" })];
    const a = assess(makeInputs({ dependencies: deps }), config(), () => NOW);
    const c = a.components[0];
    expect(c.score_breakdown.security).toBeUndefined();
    expect(c.status).toBe("unknown");
    expect(c.health_score).toBe(0);
    expect(a.system.overall_status).toBe("warning"); // no component with known health
  });

  it("keeps 'no open issue' alone from making a component healthy", () => {
    const deps = [makeDependency({ ...unchecked, name: "a" })];
    const a = assess(makeInputs({ dependencies: deps, textFiles: readme, allFiles: ["src/api/README.md", "src/api/pyproject.toml"] }), config(), () => NOW);
    const c = a.components[0];
    // The README was read, so the issues signal exists (nothing wrong found), but it is the only one.
    expect(c.score_breakdown).toEqual({ issues: 1 });
    expect(c.health_score).toBe(1);
    expect(c.status).toBe("unknown");
  });

  it("still reports problems found when the only signal is the issue count", () => {
    expect(componentStatus(0.6, [], 0.7, false)).toBe("warning");
    expect(componentStatus(0.95, [makeIssue({ severity: "high" })], 0.7, false)).toBe("warning");
    expect(componentStatus(0.95, [makeIssue({ severity: "critical" })], 0.7, false)).toBe("critical");
    expect(componentStatus(0.95, [], 0.7, false)).toBe("unknown");
  });

  it("counts only the checked dependencies when some were checked (mixed)", () => {
    const deps = [
      makeDependency({ ...ok, name: "checked", cve_ids: [], advisories_checked: true }),
      makeDependency({ ...ok, name: "range-without-lockfile", cve_ids: [], advisories_checked: false }),
    ];
    const a = assess(makeInputs({ dependencies: deps }), config(), () => NOW);
    const c = a.components[0];
    expect(c.score_breakdown).toEqual({ security: 1, issues: 1, freshness: 1 });
    expect(c.status).toBe("healthy");
  });

  it("uses freshness, not security, when lookups worked but advisories were not checked", () => {
    const deps = [makeDependency({ ...ok, name: "a", cve_ids: [], advisories_checked: false, update_type: "major" })];
    const a = assess(makeInputs({ dependencies: deps }), config(), () => NOW);
    const c = a.components[0];
    expect(c.score_breakdown.security).toBeUndefined();
    expect(c.score_breakdown.freshness).toBe(0);
    expect(c.status).not.toBe("healthy");
  });

  it("keeps the security signal while a security issue is open, even when nothing was checked this run", () => {
    const previous = assess(
      makeInputs({ dependencies: [makeDependency({ ...ok, name: "requests", advisories: [makeAdvisory({ score: 7.5 })] })] }),
      config(),
      () => NOW,
    );
    const open = previous.issues.filter((i) => i.type === "security");
    expect(open).toHaveLength(1);
    // Offline run later: the dependency is there but unchecked; the open issue carries over.
    const later = assess(
      makeInputs({ dependencies: [makeDependency({ ...unchecked, name: "requests" })], previousIssues: previous.issues }),
      config(),
      () => NOW,
    );
    const c = later.components[0];
    expect(later.issues.filter((i) => i.type === "security" && i.status === "open")).toHaveLength(1);
    expect(c.score_breakdown.security).toBe(1 - 0.35);
    expect(c.status).toBe("warning");
    // A later run that did check (upgraded, no advisory) resolves it.
    const fixed = assess(
      makeInputs({ dependencies: [makeDependency({ ...ok, name: "requests", version: "2.32.3", cve_ids: [], advisories_checked: true })], previousIssues: later.issues }),
      config(),
      () => NOW,
    );
    expect(fixed.issues.find((i) => i.type === "security")?.status).toBe("resolved");
  });
});

describe("system health", () => {
  it("takes the root component's version, config maintenance facts and the last record", () => {
    const scan = makeScan([makeComponent({ name: "root", path: ".", version: "0.14.0", type: "infrastructure", manifests: ["zarf.yaml"] }), makeComponent()]);
    const cfg = config((c) => {
      c.maintenance_mode = true;
      c.schedule.maintenance_windows = [{ days: ["sat"], start: "02:00", end: "04:00" }];
      c.schedule.timezone = "America/New_York";
    });
    const record = makeRecord();
    const a = assess(makeInputs({ scan, lastMaintenance: record }), cfg, () => NOW);
    expect(a.system.version).toBe("0.14.0");
    expect(a.system.maintenance_mode).toBe(true);
    expect(a.system.last_maintenance).toEqual(record);
    // 2026-03-01 is a Sunday; next Saturday 02:00 in New York (EST, UTC-5) is 2026-03-07T07:00Z.
    expect(a.system.next_maintenance_window).toBe("2026-03-07T07:00:00.000Z");
    expect(assess(makeInputs(), config(), () => NOW).system.version).toBe("unknown");
  });

  it("returns null for no windows", () => {
    expect(nextMaintenanceWindow(config(), NOW)).toBeNull();
  });
});

describe("overall status with components of unknown health", () => {
  it("is warning when at least half of the components are unknown, healthy when few are", async () => {
    const { overallStatus } = await import("../../src/assess/health.js");
    const { makeComponentHealth } = await import("../helpers/factories.js");
    const c = (status: "healthy" | "unknown", name: string) => makeComponentHealth({ name, status });
    expect(overallStatus([c("healthy", "a"), c("unknown", "b")], [])).toBe("warning");
    expect(overallStatus([c("healthy", "a"), c("healthy", "b"), c("unknown", "c")], [])).toBe("healthy");
    expect(overallStatus([], [])).toBe("warning");
  });
});
