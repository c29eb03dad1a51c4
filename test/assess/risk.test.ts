import { describe, expect, it } from "vitest";
import { assessUpdateRisk, buildRisk, CHANGE_WEIGHTS, DEPENDENCY_WEIGHTS, riskLevelOf } from "../../src/assess/risk.js";
import { RiskLevel } from "../../src/model/index.js";
import { makeDependency } from "../helpers/factories.js";
import { makeAdvisory, makeComponent, NOW } from "./helpers.js";

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

describe("risk", () => {
  it("weights sum to 1 and levels follow the thresholds", () => {
    expect(sum(DEPENDENCY_WEIGHTS)).toBeCloseTo(1, 10);
    expect(sum(CHANGE_WEIGHTS)).toBeCloseTo(1, 10);
    expect([0, 0.4, 0.5, 2.9, 3, 4.9, 5, 6.9, 7, 10].map(riskLevelOf)).toEqual(["none", "none", "low", "low", "medium", "medium", "high", "high", "critical", "critical"]);
  });

  it("scores a patch update of a prod dependency as low, with factual factors", () => {
    const dep = makeDependency({ update_type: "patch", latest_version: "2.19.1", latest_release_date: "2026-01-01T00:00:00Z", advisories: [], vulnerability_score: null, cve_ids: [] });
    const r = assessUpdateRisk(dep, makeComponent(), { coverage: 90, now: NOW });
    expect(RiskLevel.safeParse(r).success).toBe(true);
    // 0.25×2 + 0.1×7 (prod) + 0.1×1 (coverage 90%) = 1.3
    expect(r.score).toBe(1.3);
    expect(r.level).toBe("low");
    expect(r.factors.map((f) => f.name)).toEqual(["update_type", "breaking_changes", "cvss_score", "dependents", "dependency_scope", "test_coverage", "release_age", "deprecated_target"]);
    expect(r.factors.find((f) => f.name === "release_age")?.description).toBe("target released 59 day(s) ago (minimum 3)");
    expect(r.rollback_procedure).toContain("git revert <update commit>");
    expect(r.rollback_procedure).toContain("git reset --hard <rollback_before_commit>");
    expect(r.affected_users).toBe("clients of the api API");
  });

  it("scores a major update with breaking changes, a fresh release, a CVE and dependents much higher", () => {
    const dep = makeDependency({ update_type: "major", breaking_changes: ["drops py3.8", "renames Session"], latest_release_date: "2026-02-28T00:00:00Z", advisories: [makeAdvisory({ score: 9.8 })] });
    const comp = makeComponent({ name: "sdk", type: "sdk", dependent_components: ["api", "ui"] });
    const r = assessUpdateRisk(dep, comp, { now: NOW });
    // 0.25×8 + 0.15×6 + 0.15×9.8 + 0.1×5 + 0.1×7 + 0.1×6 + 0.1×8 = 6.97
    expect(r.score).toBe(7);
    expect(r.level).toBe("critical");
    expect(r.downtime_estimate).toBe("none at runtime; dependents' builds may fail until reverted");
    expect(r.mitigation_steps.join("\n")).toMatch(/dependents: api, ui/);
    expect(r.mitigation_steps.join("\n")).toMatch(/Wait until the release is 3 days old/);
    expect(r.potential_impact).toMatch(/CVSS 9\.8 vulnerability stays exploitable/);
  });

  it("treats documentation as no risk and dev-only updates as no downtime", () => {
    const docs = buildRisk({ change: "docs", change_kind: "documentation", update_type: null, breaking_changes: 0, cvss: null, has_advisory: false, dependency_types: [], components: [makeComponent()], coverage: null, release_age_days: null, minimum_release_age_days: 3, deprecated_target: false, tests: [] });
    expect(docs).toMatchObject({ level: "none", score: 0, downtime_estimate: "none" });
    const dev = assessUpdateRisk(makeDependency({ dependency_type: "dev", update_type: "major" }), makeComponent());
    expect(dev.downtime_estimate).toBe("none (development and CI only)");
    expect(dev.affected_users).toMatch(/development dependency only/);
  });

  it("takes the highest CVSS of several advisories, whatever their order", () => {
    for (const advisories of [
      [makeAdvisory({ id: "A-1", score: 4.0 }), makeAdvisory({ id: "A-2", score: 9.8 }), makeAdvisory({ id: "A-3", score: 5.5 })],
      [makeAdvisory({ id: "A-2", score: 9.8 }), makeAdvisory({ id: "A-1", score: 4.0 })],
    ]) {
      const r = assessUpdateRisk(makeDependency({ update_type: "patch", advisories, vulnerability_score: null }), makeComponent(), { coverage: 100, now: NOW });
      expect(r.factors.find((f) => f.name === "cvss_score")?.score).toBe(9.8);
      expect(r.potential_impact).toMatch(/CVSS 9\.8 vulnerability stays exploitable/);
    }
    // Advisories without a score fall back to the dependency's own score.
    const unscored = assessUpdateRisk(makeDependency({ advisories: [makeAdvisory({ score: null })], vulnerability_score: 6.1 }), makeComponent(), { now: NOW });
    expect(unscored.factors.find((f) => f.name === "cvss_score")?.score).toBe(6.1);
  });

  // Scores below are computed by hand from CHANGE_WEIGHTS (change_kind 0.45, dependents 0.3, coverage 0.25):
  // ci scores 4, code 5; dependents 2.5 each up to 10; coverage (100 − c)/10, unknown 6.
  const change = (kind: "ci" | "code", dependents: string[], coverage: number | null) =>
    buildRisk({
      change: "fix",
      change_kind: kind,
      update_type: null,
      breaking_changes: 0,
      cvss: null,
      has_advisory: false,
      dependency_types: [],
      components: [makeComponent({ name: "api", type: "api", dependent_components: dependents })],
      coverage,
      release_age_days: null,
      minimum_release_age_days: 3,
      deprecated_target: false,
      tests: [],
    });

  it("estimates downtime from the risk level: low, medium, high and critical", () => {
    // 0.45×4 = 1.8 → low
    expect(change("ci", [], 100)).toMatchObject({ score: 1.8, level: "low", downtime_estimate: "none expected; a rollback takes under 15 minutes" });
    // 1.8 + 0.3×5 = 3.3 → medium
    expect(change("ci", ["ui", "sdk"], 100)).toMatchObject({ score: 3.3, level: "medium", downtime_estimate: "up to 15 minutes (rollback and redeploy of api)" });
    // 1.8 + 0.3×10 + 0.25×6 = 6.3 → high
    expect(change("ci", ["a", "b", "c", "d"], null)).toMatchObject({
      score: 6.3,
      level: "high",
      downtime_estimate: "up to 1 hour (rollback, redeploy and verification of api)",
    });
    // 0.45×5 + 0.3×10 + 0.25×10 = 7.75 → critical
    expect(change("code", ["a", "b", "c", "d"], 0).level).toBe("critical");
    expect(change("code", ["a", "b", "c", "d"], 0).downtime_estimate).toBe("up to 1 hour (rollback, redeploy and verification of api)");
  });
});
