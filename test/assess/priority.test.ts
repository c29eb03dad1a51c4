import { describe, expect, it } from "vitest";
import { effortForUpdate, exposureOf, fixRiskOf, priorityFor, PRIORITY_TABLE } from "../../src/assess/priority.js";
import type { IssueDraft } from "../../src/assess/draft.js";
import { makeComponent } from "./helpers.js";

function draft(over: Partial<IssueDraft> = {}, facts: Partial<IssueDraft["facts"]> = {}): IssueDraft {
  return {
    type: "dependency",
    subject: "dependency:pypi:x",
    title: "x",
    description: "x",
    severity: "medium",
    affected_components: ["api"],
    files_affected: [],
    estimated_effort: "1 hour",
    resolution_steps: [],
    testing_requirements: [],
    packages: [],
    ...over,
    facts: { dependency_types: ["prod"], update_type: "minor", breaking_changes: 0, cvss: null, cvss_estimated: false, fix_available: true, deprecated_target: false, release_age_days: null, change_kind: "dependency", ...facts },
  };
}

describe("priority table", () => {
  it("is exactly the documented severity × exposure table", () => {
    expect(PRIORITY_TABLE).toEqual({
      critical: { high: "immediate", medium: "immediate", low: "high" },
      high: { high: "immediate", medium: "high", low: "medium" },
      medium: { high: "high", medium: "medium", low: "low" },
      low: { high: "medium", medium: "low", low: "low" },
    });
    for (const sev of ["critical", "high", "medium", "low"] as const)
      for (const exp of ["high", "medium", "low"] as const) expect(priorityFor(sev, exp, "low")).toBe(PRIORITY_TABLE[sev][exp]);
  });
  it("lowers medium and low severities one step when the fix is risky, never critical or high", () => {
    expect(priorityFor("medium", "high", "high")).toBe("medium");
    expect(priorityFor("low", "high", "high")).toBe("low");
    expect(priorityFor("low", "low", "high")).toBe("low");
    expect(priorityFor("critical", "low", "high")).toBe("high");
    expect(priorityFor("high", "high", "high")).toBe("immediate");
  });
});

describe("exposure", () => {
  const comps = [
    makeComponent({ name: "api", type: "api", dependent_components: [] }),
    makeComponent({ name: "sdk", type: "sdk", dependent_components: ["api", "ui", "worker"] }),
    makeComponent({ name: "infra", type: "infrastructure" }),
  ];
  it("scores scope + component + breadth", () => {
    expect(exposureOf(draft(), comps)).toMatchObject({ exposure: "high", points: 4 }); // prod 2 + api 2
    expect(exposureOf(draft({}, { dependency_types: ["dev"] }), comps)).toMatchObject({ exposure: "medium", points: 2 });
    expect(exposureOf(draft({ affected_components: ["infra"] }, { dependency_types: ["dev"] }), comps)).toMatchObject({ exposure: "low", points: 1 });
    expect(exposureOf(draft({ affected_components: ["sdk"] }, { dependency_types: ["build"] }), comps)).toMatchObject({ exposure: "medium", points: 3 }); // 1 + 1 + breadth 1
    expect(exposureOf(draft({ affected_components: ["sdk"] }, { change_kind: "documentation", dependency_types: [] }), comps)).toMatchObject({ points: 2 });
  });
});

describe("fix risk and effort", () => {
  it("classifies fixes", () => {
    expect(fixRiskOf(draft())).toBe("low");
    expect(fixRiskOf(draft({}, { update_type: "major" }))).toBe("medium");
    expect(fixRiskOf(draft({}, { update_type: "major", breaking_changes: 2 }))).toBe("high");
    expect(fixRiskOf(draft({}, { fix_available: false, update_type: null }))).toBe("high");
    expect(fixRiskOf(draft({}, { change_kind: "documentation" }))).toBe("low");
  });
  it("estimates effort from the update size", () => {
    expect(effortForUpdate("patch", 0)).toBe("30 minutes");
    expect(effortForUpdate("minor", 0)).toBe("1 hour");
    expect(effortForUpdate("major", 3)).toBe("1 day");
    expect(effortForUpdate("major", 0)).toBe("4 hours");
    expect(effortForUpdate("unknown", 0)).toBe("2 hours");
  });
});

describe("exposure and fix risk, branch by branch (mutation survivors, issue 18)", () => {
  const api = makeComponent({ name: "api", type: "api" });
  const lib = makeComponent({ name: "lib", type: "sdk", dependent_components: ["api", "ui", "cli"] });
  it("scope: documentation 0, no dependency types 2 (code of the component), runtime 2, build 1, dev 0", () => {
    expect(exposureOf(draft({}, { change_kind: "documentation", dependency_types: ["prod"] }), [api])).toEqual({ exposure: "medium", points: 2, why: "documentation only (+0), component exposure +2, breadth +0 (1 affected, 0 dependent)" });
    expect(exposureOf(draft({}, { change_kind: "code", dependency_types: [] }), [api]).why).toBe("code of the component (+2), component exposure +2, breadth +0 (1 affected, 0 dependent)");
    expect(exposureOf(draft({}, { dependency_types: ["dev", "optional"] }), [api]).why).toBe("runtime dependency (+2), component exposure +2, breadth +0 (1 affected, 0 dependent)");
    expect(exposureOf(draft({}, { dependency_types: ["peer"] }), [api]).points).toBe(4);
    expect(exposureOf(draft({}, { dependency_types: ["dev", "build"] }), [api]).why).toBe("build dependency (+1), component exposure +2, breadth +0 (1 affected, 0 dependent)");
    expect(exposureOf(draft({}, { dependency_types: ["dev"] }), [api])).toEqual({ exposure: "medium", points: 2, why: "development dependency only (+0), component exposure +2, breadth +0 (1 affected, 0 dependent)" });
  });
  it("component: the most exposed affected one; unknown ones count 1; none at all counts 1", () => {
    const backend = makeComponent({ name: "worker", type: "backend" });
    expect(exposureOf(draft({ affected_components: ["worker", "api"] }), [backend, api]).why).toContain("component exposure +2");
    expect(exposureOf(draft({ affected_components: ["worker"] }), [backend]).why).toContain("component exposure +1");
    expect(exposureOf(draft({ affected_components: ["ghost"] }), []).why).toContain("component exposure +1");
    expect(exposureOf(draft({ affected_components: [] }), [api])).toMatchObject({ points: 3, why: "runtime dependency (+2), component exposure +1, breadth +0 (0 affected, 0 dependent)" });
  });
  it("breadth: 3 affected components, or 2 outside dependents; affected dependents do not count", () => {
    const c = (name: string) => makeComponent({ name, type: "sdk" });
    expect(exposureOf(draft({ affected_components: ["a", "b"] }), [c("a"), c("b")]).why).toContain("breadth +0 (2 affected");
    expect(exposureOf(draft({ affected_components: ["a", "b", "c"] }), [c("a"), c("b"), c("c")]).why).toContain("breadth +1 (3 affected, 0 dependent)");
    expect(exposureOf(draft({ affected_components: ["lib"] }), [lib]).why).toBe("runtime dependency (+2), component exposure +1, breadth +1 (1 affected, 3 dependent)");
    const one = makeComponent({ name: "lib", type: "sdk", dependent_components: ["api"] });
    expect(exposureOf(draft({ affected_components: ["lib"] }), [one]).why).toContain("breadth +0 (1 affected, 1 dependent)");
    // api is itself affected: only ui and cli are outside dependents.
    expect(exposureOf(draft({ affected_components: ["lib", "api"] }), [lib, api]).why).toContain("(2 affected, 2 dependent)");
    const two = makeComponent({ name: "lib", type: "sdk", dependent_components: ["api", "ui"] });
    expect(exposureOf(draft({ affected_components: ["lib", "api"] }), [two, api]).why).toContain("breadth +0 (2 affected, 1 dependent)");
  });
  it("fix risk: docs low even without a fix; patch, minor, digest and none low; unknown medium", () => {
    expect(fixRiskOf(draft({}, { change_kind: "documentation", fix_available: false, update_type: "major", breaking_changes: 3 }))).toBe("low");
    for (const u of ["patch", "minor", "digest", "none"] as const) expect(fixRiskOf(draft({}, { update_type: u })), u).toBe("low");
    expect(fixRiskOf(draft({}, { update_type: "unknown" }))).toBe("medium");
    expect(fixRiskOf(draft({}, { update_type: null }))).toBe("medium");
    expect(fixRiskOf(draft({}, { update_type: "major", breaking_changes: 0 }))).toBe("medium");
    expect(fixRiskOf(draft({}, { update_type: "major", breaking_changes: 1 }))).toBe("high");
    expect(fixRiskOf(draft({}, { update_type: "patch", fix_available: false }))).toBe("high");
  });
  it("effort of digest and none bumps is 30 minutes", () => {
    expect(effortForUpdate("digest", 0)).toBe("30 minutes");
    expect(effortForUpdate("none", 0)).toBe("30 minutes");
  });
});
