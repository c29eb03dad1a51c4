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
