/**
 * planUpdates: one test per rule that the mutation run showed unguarded (issue 18). Each expectation
 * is derived from the configuration in the test, not from the code under test.
 */
import { describe, expect, it } from "vitest";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import { planUpdates } from "../../../src/act/github/pulls-plan.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";
import { NOW } from "./pulls-helpers.js";

function config(over: Partial<CowabungaConfig["updates"]> = {}): CowabungaConfig {
  const c = defaultConfig();
  return { ...c, updates: { ...c.updates, ...over } };
}

const advisory = (id: string, score: number, fixed: string) => ({
  id,
  kind: "vulnerability" as const,
  aliases: [],
  summary: id,
  url: null,
  score,
  score_estimated: false,
  cvss_vector: null,
  fixed_version: fixed,
  published: null,
});

const minor = (name: string, over: Partial<Dependency> = {}): Dependency =>
  makeDependency({ name, version: "1.0.0", latest_version: "1.1.0", latest_release_date: "2025-12-01T00:00:00Z", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", current_value: "==1.0.0", line: 5, ...over });

const vulnerable = (name: string, score: number, over: Partial<Dependency> = {}): Dependency =>
  minor(name, { advisories: [advisory(`GHSA-${name}`, score, "1.0.1")], cve_ids: [`CVE-2025-${name.length}`], vulnerability_score: score, fixed_version: "1.0.1", ...over });

const names = (plan: ReturnType<typeof planUpdates>): string[] => plan.groups.map((g) => g.updates.map((u) => u.dep.name).join("+"));

describe("planUpdates rules", () => {
  it("updates.enabled: false plans nothing, not even a critical security fix", () => {
    const deps = [minor("aaa"), vulnerable("bbb", 9.9)];
    expect(names(planUpdates({ dependencies: deps, issues: [] }, config(), [], { now: NOW, inWindow: true }))).toEqual(["bbb", "aaa"]);
    const off = planUpdates({ dependencies: deps, issues: [] }, config({ enabled: false }), [], { now: NOW, inWindow: true });
    expect(off.groups).toEqual([]);
    expect(off.unchanged).toEqual([]);
  });

  it("minimum_release_age_days holds back a fresh latest version, but never a security fix to its fixed version", () => {
    const fresh = "2026-01-19T12:00:00Z"; // one day before NOW
    const deps = [
      minor("fresh-minor", { latest_release_date: fresh }),
      // The fix is the latest version, released yesterday: a security fix goes ahead anyway.
      vulnerable("fresh-fix", 5.0, { latest_version: "1.0.1", latest_release_date: fresh }),
    ];
    const plan = planUpdates({ dependencies: deps, issues: [] }, config({ minimum_release_age_days: 3 }), [], { now: NOW, inWindow: true });
    expect(names(plan)).toEqual(["fresh-fix"]);
    expect(plan.groups[0].updates[0].newVersion).toBe("1.0.1");
    expect(plan.skipped).toEqual([{ name: "fresh-minor", file: "api/requirements.txt", reason: "1.1.0 was released 1 day(s) ago; minimum_release_age_days is 3" }]);
    // With no minimum age, both go.
    expect(names(planUpdates({ dependencies: deps, issues: [] }, config({ minimum_release_age_days: 0 }), [], { now: NOW, inWindow: true })).sort()).toEqual(["fresh-fix", "fresh-minor"]);
  });

  it("outside maintenance windows only critical vulnerabilities go: by CVSS above the threshold or by a critical issue", () => {
    const cfg = config();
    const threshold = cfg.thresholds.critical_cvss;
    const medium = vulnerable("medium-cve", threshold - 2);
    const byScore = vulnerable("score-cve", threshold + 0.1);
    const byIssue = vulnerable("issue-cve", threshold - 2, { file: "api/other.txt" });
    const critical: MaintenanceIssue = makeIssue({ id: "sec-critical", severity: "critical", subject: `security:PyPI:issue-cve:GHSA-issue-cve`, files_affected: ["api/other.txt"], affected_components: ["api"] });
    const plan = planUpdates({ dependencies: [minor("plain"), medium, byScore, byIssue], issues: [critical] }, cfg, [], { now: NOW, inWindow: false });
    expect(names(plan).sort()).toEqual(["issue-cve", "score-cve"]);
    expect(plan.groups.every((g) => g.critical)).toBe(true);
    expect(plan.skipped.map((s) => s.name).sort()).toEqual(["medium-cve", "plain"]);
    for (const s of plan.skipped) expect(s.reason).toBe("outside the maintenance windows (only critical vulnerabilities bypass them)");
  });

  it("orders PRs: security first, then the best issue priority, then CVSS, then name", () => {
    const deps = [
      minor("zeta"),
      minor("alpha"),
      vulnerable("a-low-cvss", 4.0),
      vulnerable("z-high-cvss", 8.0),
      minor("prio-high", { update_type: "minor" }),
    ];
    const issue = makeIssue({ id: "dep-1", priority: "high", type: "dependency", subject: "dependency:PyPI:prio-high", files_affected: ["api/requirements.txt"], affected_components: ["api"] });
    const plan = planUpdates({ dependencies: deps, issues: [issue] }, config({ max_open_prs: 10 }), [], { now: NOW, inWindow: true });
    expect(names(plan)).toEqual(["z-high-cvss", "a-low-cvss", "prio-high", "alpha", "zeta"]);
  });

  it("max_open_prs gives the free slots to security fixes first", () => {
    const deps = [minor("aaa"), vulnerable("zzz-sec", 6.0)];
    const plan = planUpdates({ dependencies: deps, issues: [] }, config({ max_open_prs: 1 }), [], { now: NOW, inWindow: true });
    expect(names(plan)).toEqual(["zzz-sec"]);
    expect(plan.skipped).toEqual([{ name: "aaa", file: "api/requirements.txt", reason: "updates.max_open_prs (1) reached" }]);
  });

  it("one update per declaration: the same file, line and package listed twice is planned once", () => {
    const dep = minor("dup");
    const plan = planUpdates({ dependencies: [dep, { ...dep }], issues: [] }, config({ grouping: "component" }), [], { now: NOW, inWindow: true });
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0].updates).toHaveLength(1);
    // Another line of the same file is another declaration.
    const other = planUpdates({ dependencies: [dep, { ...dep, line: 9 }], issues: [] }, config({ grouping: "component" }), [], { now: NOW, inWindow: true });
    expect(other.groups[0].updates).toHaveLength(2);
  });

  it("update_types filters ordinary updates but never security fixes", () => {
    const deps = [minor("major-pkg", { update_type: "major", latest_version: "2.0.0" }), vulnerable("major-fix", 5.0, { update_type: "major" })];
    const plan = planUpdates({ dependencies: deps, issues: [] }, config({ update_types: ["patch", "minor"] }), [], { now: NOW, inWindow: true });
    expect(names(plan)).toEqual(["major-fix"]);
    expect(plan.skipped).toEqual([{ name: "major-pkg", file: "api/requirements.txt", reason: "update type major is not in updates.update_types" }]);
  });
});

describe("transitive in-place fixes", () => {
  const adv = { id: "GHSA-x", kind: "vulnerability" as const, aliases: [], summary: "", url: null, score: 7.5, score_estimated: false, cvss_vector: null, fixed_version: "6.5.3", published: null };
  const qs = (reasons: string[]): Dependency =>
    makeDependency({
      name: "qs",
      version: "6.5.2",
      locked_version: "6.5.2",
      package_manager: "npm",
      datasource: "npm",
      current_value: "(transitive)",
      file: "pnpm-lock.yaml",
      line: null,
      lockfile: "pnpm-lock.yaml",
      depth: 2,
      fixed_version: "6.5.3",
      vulnerability_score: 7.5,
      advisories: [adv],
      remediation: { kind: "in_place", target_version: "6.5.3", file: "pnpm-lock.yaml", action: "Update qs from 6.5.2 to 6.5.3 in pnpm-lock.yaml only", parent: null, risk: null, removes: ["GHSA-x"], reasons },
    });

  it("edits the lockfile when the plan checked every parent's requirement", () => {
    const plan = planUpdates({ dependencies: [qs([])], issues: [] }, config(), [], { now: NOW, inWindow: true });
    expect(plan.groups.flatMap((g) => g.updates.map((u) => [u.dep.file, u.newVersion]))).toEqual([["pnpm-lock.yaml", "6.5.3"]]);
  });

  it("does not edit it when a parent's requirement was unknown (an offline plan): the lockfile records none, the resolver must decide", () => {
    const plan = planUpdates({ dependencies: [qs(["the requirement of request 2.88.0 on qs is unknown"])], issues: [] }, config(), [], { now: NOW, inWindow: true });
    expect(plan.groups).toEqual([]);
    expect(plan.skipped).toEqual([
      { name: "qs", file: "pnpm-lock.yaml", reason: "in place not verified (the requirement of request 2.88.0 on qs is unknown): relock instead, Update qs from 6.5.2 to 6.5.3 in pnpm-lock.yaml only" },
    ]);
  });
});
