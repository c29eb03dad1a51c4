/**
 * Edges of the dependency detector (issue 18: survivors of the mutation run of
 * src/assess/detect/dependency.ts): each reason's severity on its own, the thresholds at exactly
 * months × 30.44 and years × 365.25 days (docs/assess.md), which reasons mean "replace", transitive
 * packages without informational advisories, and how findings of one package combine. Expected
 * values are written out by hand.
 */
import { describe, expect, it } from "vitest";
import { detectDependency, evaluateDependency } from "../../../src/assess/detect/dependency.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { makeDependency } from "../../helpers/factories.js";
import { config, detectContext, makeAdvisory, makeInputs, NOW } from "../helpers.js";

const DAY = 86_400_000;
const quiet = (over: Partial<Dependency> = {}) => makeDependency({ advisories: [], update_type: "minor", days_behind: 10, latest_release_date: "2026-01-01T00:00:00Z", deprecated: false, ...over });
const evaluate = (dep: Dependency, cfg = config()) => evaluateDependency(dep, detectContext(makeInputs(), cfg));
const run = (deps: Dependency[], cfg = config()) => detectDependency(detectContext(makeInputs({ dependencies: deps }), cfg));
const step = (name: string, local = false) => ({ name, version: "1.0.0", requirement: null, local });

describe("one reason alone sets the severity", () => {
  it("deprecated: medium; unmaintained advisory: medium; unsound: high; notice: low", () => {
    expect(evaluate(quiet({ deprecated: true }))).toMatchObject({ reasons: ["deprecated"], severity: "medium" });
    expect(evaluate(quiet({ advisories: [makeAdvisory({ kind: "unmaintained" })] }))).toMatchObject({ reasons: ["unmaintained"], severity: "medium" });
    expect(evaluate(quiet({ advisories: [makeAdvisory({ kind: "unsound" })] }))).toMatchObject({ reasons: ["unsound"], severity: "high" });
    expect(evaluate(quiet({ advisories: [makeAdvisory({ kind: "notice" })] }))).toMatchObject({ reasons: ["notice"], severity: "low" });
  });

  it("a stored dependency without an advisory list has no informational advisory", () => {
    expect(evaluate(quiet({ advisories: undefined as never }))).toBeNull();
    expect(evaluate(quiet({ advisories: undefined as never, deprecated: true }))?.notes).toEqual(["requests is marked deprecated by its registry"]);
  });

  it("paths are named only for informational advisories", () => {
    const f = evaluate(quiet({ deprecated: true, introduced_through: [[step("flask"), step("requests")]] }));
    expect(f?.notes).toEqual(["requests is marked deprecated by its registry"]);
  });

  it("a config without include_dev_only includes dev-only packages (the default)", () => {
    const cfg = config((c) => {
      (c.issues as { include_dev_only?: boolean }).include_dev_only = undefined;
    });
    expect(evaluate(quiet({ dev_only: true, advisories: [makeAdvisory({ kind: "unsound" })] }), cfg)?.reasons).toEqual(["unsound"]);
  });
});

describe("thresholds exactly at the limit are not past it", () => {
  it("outdated at exactly outdated_months × 30.44 days is not outdated; twice that is not medium", () => {
    const limit = 6 * 30.44;
    expect(evaluate(quiet({ days_behind: limit }))).toBeNull();
    expect(evaluate(quiet({ days_behind: 2 * limit }))?.severity).toBe("low");
    const months = config((c) => (c.thresholds.outdated_months = 25));
    expect(evaluate(quiet({ days_behind: 25 * 30.44 }), months)).toBeNull();
    expect(evaluate(quiet({ days_behind: 25 * 30.44 + 1 }), months)?.reasons).toEqual(["outdated"]);
  });

  it("unmaintained after exactly unmaintained_years × 365.25 days is not unmaintained", () => {
    const years = config((c) => (c.thresholds.unmaintained_years = 4)); // 1461 days
    const released = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
    expect(evaluate(quiet({ latest_release_date: released(1461) }), years)).toBeNull();
    expect(evaluate(quiet({ latest_release_date: released(1462) }), years)?.reasons).toEqual(["unmaintained"]);
  });

  it("unknown release date and days behind are never past a threshold", () => {
    expect(evaluate(quiet({ latest_release_date: null, days_behind: null }), config((c) => ((c.thresholds.outdated_months = 0), (c.thresholds.unmaintained_years = 0))))).toBeNull();
  });
});

describe("what to do", () => {
  it("an unmaintained or unsound package alone is replaced: two days, no 'latest' in the title", () => {
    for (const kind of ["unmaintained", "unsound"] as const) {
      const [d] = run([quiet({ advisories: [makeAdvisory({ id: "R-1", kind, summary: "" })] })]).drafts;
      expect(d.title, kind).toBe(`requests 2.19.0: ${kind === "unsound" ? "unsound (advisory)" : "unmaintained"} in api`);
      expect(d.estimated_effort, kind).toBe("2 days");
      expect(d.resolution_steps[0], kind).toBe("Replace requests in api/requirements.txt (line 3) with a maintained alternative (check its README or registry page for a successor)");
      expect(d.facts, kind).toMatchObject({ update_type: null, fix_available: false });
    }
  });

  it("a notice alone is not a replacement: upgrade to the latest", () => {
    const [d] = run([quiet({ advisories: [makeAdvisory({ id: "N-1", kind: "notice", summary: "" })] })]).drafts;
    expect(d.title).toBe("requests 2.19.0: advisory notice (latest 2.32.3) in api");
    expect(d.resolution_steps[0]).toBe("Upgrade requests from 2.19.0 to 2.32.3 in api/requirements.txt (line 3)");
  });

  it("a transitive package that is only outdated is upgraded, not traced to its parents", () => {
    const [d] = run([quiet({ depth: 2, days_behind: 400, introduced_through: [[step("flask"), step("requests")]] })]).drafts;
    expect(d.resolution_steps[0]).toBe("Upgrade requests from 2.19.0 to 2.32.3 in api/requirements.txt (line 3)");
  });

  it("a transitive package with an unsound or notice advisory is traced to the dependency that brings it in", () => {
    for (const kind of ["unsound", "notice"] as const) {
      const [d] = run([quiet({ depth: 2, lockfile: "api/poetry.lock", advisories: [makeAdvisory({ kind })], introduced_through: [[step("app", true), step("flask"), step("requests")]] })]).drafts;
      expect(d.resolution_steps[0], kind).toBe(
        "requests 2.19.0 is not declared by api; it comes in through flask: upgrade or replace that dependency to one that no longer needs requests (pinned in api/poetry.lock)",
      );
    }
  });

  it("a path of local members only names no parent", () => {
    const [d] = run([quiet({ depth: 2, advisories: [makeAdvisory({ kind: "unmaintained" })], introduced_through: [[step("app", true), step("lib", true)]] })]).drafts;
    expect(d.resolution_steps[0]).toBe("requests 2.19.0 is pinned in api/requirements.txt; find the dependency that brings it in and upgrade or replace it");
  });
});

describe("findings of one package combine", () => {
  const at = (component: string, over: Partial<Dependency>) => quiet({ component, file: `${component}/requirements.txt`, line: null, ...over });

  it("the biggest update wins even when listed last; breaking changes of any one are reviewed; one deprecated copy marks the target", () => {
    const [d] = run([at("a", { update_type: "minor", days_behind: 400 }), at("b", { update_type: "major", breaking_changes: ["drops py2"] })]).drafts;
    expect(d.facts.update_type).toBe("major");
    expect(d.estimated_effort).toBe("1 day");
    expect(d.resolution_steps).toContain("Review the breaking changes: drops py2");
    const [dep] = run([at("a", { days_behind: 400 }), at("b", { deprecated: true })]).drafts;
    expect(dep.facts.deprecated_target).toBe(true);
  });

  it("two findings in the same component and file keep their order", () => {
    const [d] = run([at("a", { version: "2.0", days_behind: 400 }), at("a", { version: "1.0", days_behind: 400 })]).drafts;
    expect(d.description.split("\n").slice(4)).toEqual([
      "- a: requests 2.0 in a/requirements.txt (prod): 13.1 months behind latest 2.32.3 (threshold 6)",
      "- a: requests 1.0 in a/requirements.txt (prod): 13.1 months behind latest 2.32.3 (threshold 6)",
    ]);
  });

  it("the reason an issue is gone keeps a package name with colons whole", () => {
    const r = run([]);
    expect(r.goneReason({ subject: "dependency:go:example.com/a:b" } as MaintenanceIssue)).toBe("example.com/a:b is up to date, no longer deprecated, or no longer used");
  });
});
