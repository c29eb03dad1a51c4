/**
 * The texts and factors of a RiskLevel, branch by branch (issue 18: risk.ts scored 38.8% under mutation).
 * Every expected string is written out here: the oracle is the wording users read, not the code under test.
 */
import { describe, expect, it } from "vitest";
import { assessIssueRisk, assessUpdateRisk, buildRisk, type RiskComponent, type RiskInput } from "../../src/assess/risk.js";
import type { IssueDraft } from "../../src/assess/draft.js";
import { makeDependency } from "../helpers/factories.js";
import { makeAdvisory, makeComponent, NOW } from "./helpers.js";

const comp = (name: string, type: RiskComponent["type"], dependent_components: string[] = []): RiskComponent => ({ name, type, dependent_components });

function input(over: Partial<RiskInput> = {}): RiskInput {
  return {
    change: "The upgrade of lib 1.0.0 → 2.0.0",
    change_kind: "dependency",
    update_type: "patch",
    breaking_changes: 0,
    cvss: null,
    has_advisory: false,
    dependency_types: ["prod"],
    components: [comp("api", "api")],
    coverage: 100,
    release_age_days: 30,
    minimum_release_age_days: 3,
    deprecated_target: false,
    tests: [],
    ...over,
  };
}

const factor = (r: ReturnType<typeof buildRisk>, name: string) => r.factors.find((f) => f.name === name)!;

describe("dependency factors", () => {
  it("update type: scores and descriptions of every kind", () => {
    const cases: Array<[RiskInput["update_type"], number, string]> = [
      ["major", 8, "major update"],
      ["minor", 4, "minor update"],
      ["patch", 2, "patch update"],
      ["digest", 1, "digest update"],
      ["none", 0, "none update"],
      ["unknown", 5, "size of the version change unknown"],
      [null, 7, "no drop-in upgrade: replacement or mitigation needed"],
    ];
    for (const [update_type, score, description] of cases) {
      expect(factor(buildRisk(input({ update_type })), "update_type"), String(update_type)).toEqual({ name: "update_type", weight: 0.25, score, description });
    }
  });

  it("breaking changes: 3 points each, capped at 10", () => {
    expect(factor(buildRisk(input({ breaking_changes: 0 })), "breaking_changes")).toEqual({ name: "breaking_changes", weight: 0.15, score: 0, description: "no breaking changes listed" });
    expect(factor(buildRisk(input({ breaking_changes: 2 })), "breaking_changes")).toEqual({ name: "breaking_changes", weight: 0.15, score: 6, description: "2 breaking change(s) listed" });
    expect(factor(buildRisk(input({ breaking_changes: 5 })), "breaking_changes").score).toBe(10);
  });

  it("CVSS: the score, 5 for an advisory without one, 0 without advisory", () => {
    expect(factor(buildRisk(input({ cvss: 6.5, has_advisory: true })), "cvss_score")).toEqual({ name: "cvss_score", weight: 0.15, score: 6.5, description: "CVSS 6.5: pressure to ship the fix quickly" });
    expect(factor(buildRisk(input({ cvss: null, has_advisory: true })), "cvss_score")).toEqual({ name: "cvss_score", weight: 0.15, score: 5, description: "advisory without a CVSS score" });
    expect(factor(buildRisk(input({ cvss: null, has_advisory: false })), "cvss_score")).toEqual({ name: "cvss_score", weight: 0.15, score: 0, description: "no known advisory" });
  });

  it("dependents: 2.5 per dependent or extra component, capped at 10", () => {
    expect(factor(buildRisk(input()), "dependents")).toEqual({ name: "dependents", weight: 0.1, score: 0, description: "only api is affected; nothing depends on it" });
    expect(factor(buildRisk(input({ components: [] })), "dependents").description).toBe("only no known component is affected; nothing depends on it");
    expect(factor(buildRisk(input({ components: [comp("api", "api", ["ui", "cli"])] })), "dependents")).toEqual({
      name: "dependents",
      weight: 0.1,
      score: 5,
      description: "1 component(s) affected; dependents: cli, ui",
    });
    // Two affected components, one depending on the other: that one is not an outside dependent.
    expect(factor(buildRisk(input({ components: [comp("api", "api", ["ui"]), comp("ui", "ui")] })), "dependents")).toEqual({
      name: "dependents",
      weight: 0.1,
      score: 2.5,
      description: "2 component(s) affected",
    });
    const many = [comp("a", "api", ["b", "c", "d", "e", "f"])];
    expect(factor(buildRisk(input({ components: many })), "dependents").score).toBe(10);
  });

  it("dependency scope: runtime, build, development, unknown", () => {
    const scope = (dependency_types: RiskInput["dependency_types"]) => factor(buildRisk(input({ dependency_types })), "dependency_scope");
    expect(scope(["prod"])).toEqual({ name: "dependency_scope", weight: 0.1, score: 7, description: "runtime dependency" });
    expect(scope(["peer"])).toMatchObject({ score: 7, description: "runtime dependency" });
    expect(scope(["optional"])).toMatchObject({ score: 7, description: "runtime dependency" });
    expect(scope(["dev", "prod"])).toMatchObject({ score: 7, description: "runtime dependency" });
    expect(scope(["build"])).toEqual({ name: "dependency_scope", weight: 0.1, score: 4, description: "build dependency" });
    expect(scope(["dev", "build"])).toMatchObject({ score: 4, description: "build dependency" });
    expect(scope(["dev"])).toEqual({ name: "dependency_scope", weight: 0.1, score: 1, description: "development dependency only" });
    expect(scope([])).toEqual({ name: "dependency_scope", weight: 0.1, score: 5, description: "scope unknown" });
  });

  it("test coverage: (100 − coverage)/10, 6 when unknown, within 0..10", () => {
    expect(factor(buildRisk(input({ coverage: 73.25 })), "test_coverage")).toEqual({ name: "test_coverage", weight: 0.1, score: 2.7, description: "line coverage 73.3%" });
    expect(factor(buildRisk(input({ coverage: null })), "test_coverage")).toEqual({ name: "test_coverage", weight: 0.1, score: 6, description: "test coverage unknown: a regression could go unnoticed" });
    expect(factor(buildRisk(input({ coverage: 0 })), "test_coverage").score).toBe(10);
    expect(factor(buildRisk(input({ coverage: 120 })), "test_coverage").score).toBe(0);
    expect(factor(buildRisk(input({ coverage: -50 })), "test_coverage").score).toBe(10);
  });

  it("release age: 8 when younger than the minimum, 0 when older, 3 when unknown", () => {
    expect(factor(buildRisk(input({ release_age_days: 1, minimum_release_age_days: 3 })), "release_age")).toEqual({ name: "release_age", weight: 0.1, score: 8, description: "target released 1 day(s) ago (minimum 3)" });
    expect(factor(buildRisk(input({ release_age_days: 3, minimum_release_age_days: 3 })), "release_age").score).toBe(0);
    expect(factor(buildRisk(input({ release_age_days: null })), "release_age")).toEqual({ name: "release_age", weight: 0.1, score: 3, description: "release date of the target unknown" });
  });

  it("deprecated target", () => {
    expect(factor(buildRisk(input({ deprecated_target: true })), "deprecated_target")).toEqual({ name: "deprecated_target", weight: 0.05, score: 10, description: "the package or target version is deprecated" });
    expect(factor(buildRisk(input()), "deprecated_target")).toEqual({ name: "deprecated_target", weight: 0.05, score: 0, description: "target not deprecated" });
  });

  it("a quiet patch scores its weighted sum exactly", () => {
    // 0.25×2 + 0.1×7 (prod) + 0 (coverage 100, old release, no advisory) = 1.2
    expect(buildRisk(input())).toMatchObject({ score: 1.2, level: "low" });
  });
});

describe("texts by component type and change kind", () => {
  it("names the impact and the users of every component type", () => {
    const texts = (type: RiskComponent["type"]) => buildRisk(input({ components: [comp("x", type)] }));
    expect(texts("api")).toMatchObject({ potential_impact: "The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: endpoints of x may return errors or changed responses", affected_users: "clients of the x API" });
    expect(texts("ui")).toMatchObject({ potential_impact: "The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: pages of x may fail to build or render", affected_users: "end users of the x UI" });
    expect(texts("backend")).toMatchObject({ potential_impact: "The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: background processing in x may fail", affected_users: "services relying on x" });
    expect(texts("sdk")).toMatchObject({ potential_impact: "The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: code importing x may break at import or call time", affected_users: "developers and components importing x" });
    expect(texts("infrastructure")).toMatchObject({ potential_impact: "The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: image builds or deployments of x may fail", affected_users: "operators deploying x" });
  });

  it("without components: unknown effects, users of the repository", () => {
    const r = buildRisk(input({ components: [] }));
    expect(r.potential_impact).toBe("The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: effects unknown");
    expect(r.affected_users).toBe("users of the repository");
    expect(r.contingency_plan).toBe("If the repository fails after the change: roll back (see rollback procedure), redeploy the previous version, and reopen the issue with the failure log.");
  });

  it("lists dependents among the affected users", () => {
    expect(buildRisk(input({ components: [comp("api", "api", ["ui"])] })).affected_users).toBe("clients of the api API and dependents ui");
  });

  it("ci, tests and code changes", () => {
    const ci = buildRisk(input({ change_kind: "ci", components: [comp("api", "api")] }));
    expect(ci.potential_impact).toBe("While the default branch is red, changes to api cannot be validated and broken code may ship");
    expect(ci.factors.map((f) => [f.name, f.weight, f.score, f.description])).toEqual([
      ["change_kind", 0.45, 4, "CI or build fix on the default branch"],
      ["dependents", 0.3, 0, "only api is affected; nothing depends on it"],
      ["test_coverage", 0.25, 0, "line coverage 100.0%"],
    ]);
    const tests = buildRisk(input({ change_kind: "tests" }));
    expect(tests.potential_impact).toBe("Slow or flaky feedback from CI delays every change to api");
    expect(tests.downtime_estimate).toBe("none (development and CI only)");
    expect(tests.factors[0]).toEqual({ name: "change_kind", weight: 0.45, score: 3, description: "test or test-infrastructure change" });
    const code = buildRisk(input({ change_kind: "code", components: [comp("api", "api"), comp("ui", "ui")] }));
    expect(code.potential_impact).toBe(
      "Unfinished or known-buggy code paths in api, ui may misbehave: endpoints of api may return errors or changed responses; pages of ui may fail to build or render",
    );
    expect(code.factors[0]).toEqual({ name: "change_kind", weight: 0.45, score: 5, description: "source code change" });
  });

  it("documentation: no risk, its own texts", () => {
    const r = buildRisk(input({ change_kind: "documentation", components: [comp("docs", "backend")] }));
    expect(r).toEqual({
      level: "none",
      score: 0,
      factors: [{ name: "change_kind", weight: 1, score: 0, description: "documentation change: no runtime effect" }],
      potential_impact: "Readers of docs documentation hit dead links or missing pages; no runtime effect",
      affected_users: "readers of the documentation of docs",
      downtime_estimate: "none",
      mitigation_steps: ["Preview the rendered Markdown and follow every changed link"],
      contingency_plan: "If a fixed link is still wrong, correct it in a follow-up commit; nothing else is affected.",
      rollback_procedure: "Revert the change with `git revert <update commit>` and push (or, before anyone builds on the branch, `git reset --hard <rollback_before_commit>`).",
    });
  });

  it("dev-only dependency changes: developers affected, no downtime", () => {
    const r = buildRisk(input({ dependency_types: ["dev"] }));
    expect(r.affected_users).toBe("developers of api (development dependency only)");
    expect(r.downtime_estimate).toBe("none (development and CI only)");
    // A dev AND prod dependency is not dev-only.
    expect(buildRisk(input({ dependency_types: ["dev", "prod"] })).affected_users).toBe("clients of the api API");
    // An empty type list is not dev-only either.
    expect(buildRisk(input({ dependency_types: [] })).affected_users).toBe("clients of the api API");
  });

  it("sdk-only changes have no runtime downtime; a mix with an api does", () => {
    expect(buildRisk(input({ components: [comp("sdk", "sdk")] })).downtime_estimate).toBe("none at runtime; dependents' builds may fail until reverted");
    expect(buildRisk(input({ components: [comp("sdk", "sdk"), comp("api", "api")] })).downtime_estimate).toBe("none expected; a rollback takes under 15 minutes");
  });

  it("CVSS of 7 or more is named in the impact; below 7 it is not", () => {
    expect(buildRisk(input({ cvss: 7.0, has_advisory: true })).potential_impact).toBe(
      "The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: endpoints of api may return errors or changed responses. Until fixed, a CVSS 7.0 vulnerability stays exploitable",
    );
    expect(buildRisk(input({ cvss: 6.9, has_advisory: true })).potential_impact).not.toContain("exploitable");
  });
});

describe("mitigation, contingency and rollback", () => {
  it("a risky update lists every mitigation its factors call for, in factor order", () => {
    const r = buildRisk(
      input({
        update_type: "major",
        breaking_changes: 1,
        cvss: 9.1,
        has_advisory: true,
        components: [comp("api", "api", ["ui"])],
        coverage: 30,
        release_age_days: 0,
        deprecated_target: true,
        tests: ["pytest api", "vitest ui"],
      }),
    );
    expect(r.mitigation_steps).toEqual([
      "Make the change in a pull request and let CI run: pytest api; vitest ui",
      "Read the changelog and migration guide before merging; deploy to a staging environment first",
      "Check every listed breaking change against the code that uses the package",
      "Ship the fix promptly, as an emergency change if no maintenance window is near",
      "Also run the test suites of dependents: ui",
      "Add or run smoke tests for api: coverage is low",
      "Wait until the release is 3 days old, unless it fixes an exploitable vulnerability",
      "Prefer a non-deprecated version or a maintained replacement",
    ]);
    expect(r.contingency_plan).toBe(
      "If api fails after the change: roll back (see rollback procedure), redeploy the previous version, and reopen the issue with the failure log; keep the advisory's mitigations in place until a working fix ships.",
    );
    expect(r.rollback_procedure).toBe(
      "Revert the change with `git revert <update commit>` and push (or, before anyone builds on the branch, `git reset --hard <rollback_before_commit>`); then redeploy api and re-run pytest api; vitest ui.",
    );
  });

  it("a quiet update needs only the pull request; unknown coverage asks for smoke tests", () => {
    expect(buildRisk(input()).mitigation_steps).toEqual(["Make the change in a pull request and let CI run: the affected test suites"]);
    expect(buildRisk(input({ coverage: null })).mitigation_steps).toEqual([
      "Make the change in a pull request and let CI run: the affected test suites",
      "Add or run smoke tests for api: coverage is unknown",
    ]);
    // 55% coverage scores 4.5: below the smoke-test bar of 5.
    expect(buildRisk(input({ coverage: 55 })).mitigation_steps).toHaveLength(1);
    // A no-drop-in (null) update also asks for the changelog; a minor one does not.
    expect(buildRisk(input({ update_type: null })).mitigation_steps[1]).toBe("Read the changelog and migration guide before merging; deploy to a staging environment first");
    expect(buildRisk(input({ update_type: "minor" })).mitigation_steps).toHaveLength(1);
    // A medium CVSS does not make it an emergency.
    expect(buildRisk(input({ cvss: 5, has_advisory: true })).mitigation_steps).toHaveLength(1);
  });
});

describe("assessIssueRisk and assessUpdateRisk inputs", () => {
  const draft = (over: Partial<IssueDraft> = {}): IssueDraft =>
    ({
      title: "Fix the flaky thing",
      type: "bug",
      packages: [],
      affected_components: ["api", "ghost"],
      testing_requirements: ["pytest api"],
      facts: { change_kind: "code", update_type: null, breaking_changes: 0, cvss: null, dependency_types: [], release_age_days: null, deprecated_target: false },
      ...over,
    }) as unknown as IssueDraft;

  it("issue risk: mean of the known coverages, unknown components as backends, the title as the change", () => {
    const r = assessIssueRisk(draft(), {
      components: [makeComponent({ name: "api", type: "api" })],
      coverageByComponent: { api: 80, ghost: null },
      minimumReleaseAgeDays: 3,
    });
    expect(factor(r, "test_coverage").description).toBe("line coverage 80.0%");
    expect(r.potential_impact).toBe(
      "Unfinished or known-buggy code paths in api, ghost may misbehave: endpoints of api may return errors or changed responses; background processing in ghost may fail",
    );
    expect(r.rollback_procedure).toContain("re-run pytest api.");
    const none = assessIssueRisk(draft(), { components: [], coverageByComponent: {}, minimumReleaseAgeDays: 3 });
    expect(factor(none, "test_coverage").score).toBe(6);
    const two = assessIssueRisk(draft({ affected_components: ["api", "ui"] }), { components: [], coverageByComponent: { api: 60, ui: 90 }, minimumReleaseAgeDays: 3 });
    expect(factor(two, "test_coverage").description).toBe("line coverage 75.0%");
  });

  it("issue risk of a package: the change names the package; only dependency changes carry an update type", () => {
    const dep = assessIssueRisk(
      draft({ type: "dependency", packages: [{ name: "flask" }] as IssueDraft["packages"], facts: { change_kind: "dependency", update_type: "minor", breaking_changes: 0, cvss: null, dependency_types: ["prod"], release_age_days: 10, deprecated_target: false } as IssueDraft["facts"] }),
      { components: [makeComponent({ name: "api", type: "api" })], coverageByComponent: {}, minimumReleaseAgeDays: 14 },
    );
    expect(dep.potential_impact.startsWith("Changing flask could change behaviour")).toBe(true);
    expect(factor(dep, "update_type").description).toBe("minor update");
    expect(factor(dep, "release_age").description).toBe("target released 10 day(s) ago (minimum 14)");
    const sec = assessIssueRisk(draft({ type: "security", facts: { change_kind: "dependency", update_type: "patch", breaking_changes: 0, cvss: null, dependency_types: ["prod"], release_age_days: null, deprecated_target: false } as IssueDraft["facts"] }), {
      components: [],
      coverageByComponent: {},
      minimumReleaseAgeDays: 3,
    });
    expect(factor(sec, "cvss_score").description).toBe("advisory without a CVSS score");
  });

  it("update risk: target, release date, deprecation and tests from the options", () => {
    const dep = makeDependency({ name: "lib", version: "1.0.0", latest_version: "3.0.0", latest_release_date: "2026-02-27T00:00:00Z", update_type: "minor", advisories: [], cve_ids: [], vulnerability_score: null, deprecated: true, dependency_type: "build" });
    const latest = assessUpdateRisk(dep, null, { now: NOW });
    expect(latest.potential_impact.startsWith("The upgrade of lib 1.0.0 → 3.0.0 could change behaviour: background processing in")).toBe(true);
    expect(factor(latest, "deprecated_target").score).toBe(10);
    expect(factor(latest, "dependency_scope").description).toBe("build dependency");
    expect(factor(latest, "release_age").description).toMatch(/^target released \d+ day\(s\) ago \(minimum 3\)$/);
    // Another target than latest: its release date is unknown unless given.
    const other = assessUpdateRisk(dep, makeComponent(), { now: NOW, targetVersion: "2.0.0", targetDeprecated: false, minimumReleaseAgeDays: 7, tests: ["make test"] });
    expect(other.potential_impact.startsWith("The upgrade of lib 1.0.0 → 2.0.0")).toBe(true);
    expect(factor(other, "release_age").description).toBe("release date of the target unknown");
    expect(factor(other, "deprecated_target").score).toBe(0);
    expect(other.mitigation_steps[0]).toBe("Make the change in a pull request and let CI run: make test");
    const dated = assessUpdateRisk(dep, makeComponent(), { now: NOW, targetVersion: "2.0.0", targetReleaseDate: new Date(NOW.getTime() - 2 * 86_400_000).toISOString(), minimumReleaseAgeDays: 7 });
    expect(factor(dated, "release_age").description).toBe("target released 2 day(s) ago (minimum 7)");
    // Without a clock the age is unknown; without a target the text says so.
    expect(factor(assessUpdateRisk(dep, makeComponent()), "release_age").score).toBe(3);
    expect(assessUpdateRisk({ ...dep, latest_version: null }, makeComponent()).potential_impact.startsWith("The upgrade of lib 1.0.0 → a newer version")).toBe(true);
    // A CVE id without an advisory record still counts as an advisory.
    expect(factor(assessUpdateRisk({ ...dep, cve_ids: ["CVE-2026-1"] }, makeComponent()), "cvss_score").description).toBe("advisory without a CVSS score");
    expect(factor(assessUpdateRisk({ ...dep, advisories: [makeAdvisory({ score: 8.2 })] }, makeComponent()), "cvss_score").score).toBe(8.2);
  });
});

describe("survivors of the mutation run (issue 18)", () => {
  it("override and runtime dependencies are runtime scope", () => {
    expect(factor(buildRisk(input({ dependency_types: ["override"] })), "dependency_scope")).toMatchObject({ score: 7, description: "runtime dependency" });
    expect(factor(buildRisk(input({ dependency_types: ["runtime"] })), "dependency_scope")).toMatchObject({ score: 7, description: "runtime dependency" });
  });

  it("only a dependency change can be dev-only", () => {
    const code = buildRisk(input({ change_kind: "code", dependency_types: ["dev"] }));
    expect(code.affected_users).toBe("clients of the api API");
    expect(code.downtime_estimate).not.toBe("none (development and CI only)");
  });

  it("a dependency change in two components names the impact and the users of both", () => {
    const r = buildRisk(input({ components: [comp("api", "api"), comp("ui", "ui")] }));
    expect(r.potential_impact).toBe("The upgrade of lib 1.0.0 → 2.0.0 could change behaviour: endpoints of api may return errors or changed responses; pages of ui may fail to build or render");
    expect(r.affected_users).toBe("clients of the api API, end users of the ui UI");
    // Two components and no outside dependent: the dependents factor counts, but there is no dependent to test.
    expect(factor(r, "dependents")).toMatchObject({ score: 2.5, description: "2 component(s) affected" });
    expect(r.mitigation_steps).toEqual(["Make the change in a pull request and let CI run: the affected test suites"]);
  });

  it("a change of no risk expects no downtime", () => {
    // update none 0, build scope 0.1 × 4 = 0.4 → level none.
    const r = buildRisk(input({ update_type: "none", dependency_types: ["build"] }));
    expect(r).toMatchObject({ score: 0.4, level: "none", downtime_estimate: "none expected; a rollback takes under 15 minutes" });
  });

  it("coverage of exactly 50% scores 5 and asks for smoke tests", () => {
    const r = buildRisk(input({ coverage: 50 }));
    expect(factor(r, "test_coverage").score).toBe(5);
    expect(r.mitigation_steps).toEqual(["Make the change in a pull request and let CI run: the affected test suites", "Add or run smoke tests for api: coverage is low"]);
  });

  it("a major update of an old release: changelog, but no waiting", () => {
    expect(buildRisk(input({ update_type: "major", release_age_days: 30 })).mitigation_steps).toEqual([
      "Make the change in a pull request and let CI run: the affected test suites",
      "Read the changelog and migration guide before merging; deploy to a staging environment first",
    ]);
  });

  it("a CVSS of exactly 7 is an emergency, once", () => {
    const r = buildRisk(input({ cvss: 7, has_advisory: true, update_type: "major", release_age_days: 0 }));
    expect(r.mitigation_steps.filter((m) => m.startsWith("Ship the fix promptly"))).toHaveLength(1);
    expect(r.mitigation_steps).toContain("Ship the fix promptly, as an emergency change if no maintenance window is near");
    expect(buildRisk(input({ cvss: 6.9, has_advisory: true })).mitigation_steps).not.toContain("Ship the fix promptly, as an emergency change if no maintenance window is near");
  });

  it("issue risk: an unknown component has no dependents; only a security draft has an advisory", () => {
    const draft = {
      title: "flask is outdated",
      type: "dependency",
      packages: [{ name: "flask" }],
      affected_components: ["ghost"],
      testing_requirements: [],
      facts: { change_kind: "dependency", update_type: "minor", breaking_changes: 0, cvss: null, dependency_types: ["prod"], release_age_days: 30, deprecated_target: false },
    } as unknown as IssueDraft;
    const r = assessIssueRisk(draft, { components: [], coverageByComponent: {}, minimumReleaseAgeDays: 3 });
    expect(r.affected_users).toBe("services relying on ghost");
    expect(factor(r, "dependents")).toMatchObject({ score: 0, description: "only ghost is affected; nothing depends on it" });
    expect(factor(r, "cvss_score").description).toBe("no known advisory");
    expect(r.contingency_plan).toBe("If ghost fails after the change: roll back (see rollback procedure), redeploy the previous version, and reopen the issue with the failure log.");
  });

  it("update risk: an advisory record alone is an advisory; no component: the dependency's, without dependents; no tests: the affected suites", () => {
    const dep = makeDependency({ name: "lib", component: "worker", advisories: [makeAdvisory({ score: null })], cve_ids: [], vulnerability_score: null });
    const r = assessUpdateRisk(dep, null);
    expect(factor(r, "cvss_score").description).toBe("advisory without a CVSS score");
    expect(r.contingency_plan).toBe(
      "If worker fails after the change: roll back (see rollback procedure), redeploy the previous version, and reopen the issue with the failure log; keep the advisory's mitigations in place until a working fix ships.",
    );
    expect(r.affected_users).toBe("services relying on worker");
    expect(factor(r, "dependents").score).toBe(0);
    expect(r.mitigation_steps[0]).toBe("Make the change in a pull request and let CI run: the affected test suites");
  });
});
