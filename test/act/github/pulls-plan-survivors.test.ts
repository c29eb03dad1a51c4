/**
 * planUpdates: the rules the second mutation run of pulls-plan.ts still found unguarded (issue 18).
 * Each case is worked out by hand from the configuration (critical_cvss 8.0, max_open_prs) and the
 * documented rules; none takes its expectation from the code under test.
 */
import { describe, expect, it } from "vitest";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import { issuesFor, planUpdates, subjectNames, type OpenPullRequest } from "../../../src/act/github/pulls-plan.js";
import type { Dependency, MaintenanceIssue, RemediationPlan } from "../../../src/model/index.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";
import { NOW } from "./pulls-helpers.js";

function config(over: Partial<CowabungaConfig["updates"]> = {}): CowabungaConfig {
  const c = defaultConfig();
  return { ...c, updates: { ...c.updates, max_open_prs: 50, ...over } };
}

type Advisory = Dependency["advisories"][number];
const advisory = (id: string, score: number, fixed: string): Advisory => ({ id, kind: "vulnerability", aliases: [], summary: id, url: null, score, score_estimated: false, cvss_vector: null, fixed_version: fixed, published: null });

const minor = (name: string, over: Partial<Dependency> = {}): Dependency =>
  makeDependency({ name, version: "1.0.0", latest_version: "1.1.0", latest_release_date: "2025-12-01T00:00:00Z", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", current_value: "==1.0.0", line: 5, ...over });
const vulnerable = (name: string, score: number, over: Partial<Dependency> = {}): Dependency =>
  minor(name, { advisories: [advisory(`GHSA-${name}`, score, "1.0.1")], vulnerability_score: score, fixed_version: "1.0.1", ...over });

const plan = (deps: Dependency[], cfg = config(), open: OpenPullRequest[] = [], issues: MaintenanceIssue[] = [], inWindow = true) => planUpdates({ dependencies: deps, issues }, cfg, open, { now: NOW, inWindow });
const names = (p: ReturnType<typeof planUpdates>) => p.groups.map((g) => g.updates.map((u) => `${u.dep.name}@${u.newVersion}`).join("+"));
const marker = (group: string, deps: Array<{ name: string; to: string }>) =>
  `<!-- cowabunga:pr:${JSON.stringify({ v: 1, group, issues: [], deps: deps.map((d) => ({ package_manager: "pip", file: "api/requirements.txt", ...d })), base_sha: "b" })} -->`;

const inPlace = (target: string): RemediationPlan => ({ kind: "in_place", target_version: target, file: "package-lock.json", action: "move it", parent: null, risk: null, removes: [], reasons: [] }) as unknown as RemediationPlan;
const lockEntry = (name: string, version: string, target: string, over: Partial<Dependency> = {}): Dependency =>
  vulnerable(name, 5, { package_manager: "npm", datasource: "npm", file: "package.json", line: null, version, current_value: "(transitive)", depth: 2, lockfile: "package-lock.json", fixed_version: target, remediation: inPlace(target), ...over });

describe("planUpdates: what the second mutation run found", () => {
  it("updates.enabled: false returns an empty plan, nothing skipped", () => {
    expect(plan([minor("a"), vulnerable("b", 9.9)], config({ enabled: false }))).toEqual({ groups: [], unchanged: [], skipped: [] });
  });

  it("an advisory recorded without a kind counts as a vulnerability", () => {
    const { kind: _kind, ...noKind } = advisory("GHSA-old", 5, "1.0.1");
    void _kind;
    const d = minor("old-record", { update_type: "major", latest_version: "2.0.0", fixed_version: "1.0.1", advisories: [noKind as Advisory] });
    expect(names(plan([d], config({ update_types: ["patch"] })))).toEqual(["old-record@1.0.1"]);
  });

  it("a dependency without any depth field is transitive when its value says so", () => {
    const legacy = lockEntry("legacy", "1.0.0", "1.0.1");
    delete (legacy as Partial<Dependency>).depth;
    const p = plan([legacy]);
    expect(p.groups[0].updates[0].dep.file).toBe("package-lock.json");
  });

  it("only a parent_bump plan bumps a parent, even when another plan names one", () => {
    const parent = minor("parent", { package_manager: "npm", datasource: "npm", file: "package.json", line: 7, version: "2.0.0", latest_version: "2.0.0" });
    const child = lockEntry("child", "1.0.0", "1.0.1", { remediation: { ...inPlace("1.0.1"), kind: "override", action: "add an override", parent: { name: "parent", from: "2.0.0", to: "2.3.0", requirement: null } } as RemediationPlan });
    const p = plan([parent, child]);
    expect(p.groups).toEqual([]);
    expect(p.skipped).toEqual([{ name: "child", file: "package.json", reason: "override: add an override" }]);
  });

  it("the parent to bump is found by its name, not as any direct dependency of the component", () => {
    const npm = { package_manager: "npm", datasource: "npm" as const, file: "package.json", version: "2.0.0", latest_version: "2.0.0" };
    const bump = { ...inPlace("1.0.1"), kind: "parent_bump", parent: { name: "parent", from: "2.0.0", to: "2.3.0", requirement: null } } as RemediationPlan;
    const p = plan([minor("alpha", { ...npm, line: 3 }), minor("parent", { ...npm, line: 7 }), lockEntry("child", "1.0.0", "1.0.1", { remediation: bump })]);
    expect(names(p)).toEqual(["parent@2.3.0"]);
  });

  it("two lockfile copies of one package are one declaration per group: the first planned wins", () => {
    const p = plan([lockEntry("deep", "1.0.0", "1.0.1"), lockEntry("deep", "2.0.0", "2.0.1")]);
    expect(names(p)).toEqual(["deep@1.0.1"]);
  });

  it("a subject that starts with package@version links the issue", () => {
    const d = minor("requests", { version: "2.19.0" });
    expect(issuesFor(d, [makeIssue({ id: "x", subject: "requests@2.19.0:PYSEC-1" })]).map((i) => i.id)).toEqual(["x"]);
  });

  it("a security subject needs one of the package's advisories, not all of them", () => {
    const d = minor("requests", { advisories: [advisory("GHSA-1", 5, "1"), advisory("GHSA-2", 5, "1")] });
    expect(subjectNames({ subject: "security:PyPI:requests:GHSA-2", files_affected: ["api/requirements.txt"], affected_components: [] }, d)).toBe(true);
  });

  it("outside the windows, an issue that is only high does not make a fix critical (direct or transitive)", () => {
    const high = (id: string, name: string, file: string) => makeIssue({ id, severity: "high", subject: `security:PyPI:${name}:GHSA-${name}`, files_affected: [file], affected_components: [] });
    const p = plan(
      [vulnerable("direct", 5), lockEntry("transitive", "1.0.0", "1.0.1")],
      config(),
      [],
      [high("h1", "direct", "api/requirements.txt"), high("h2", "transitive", "package-lock.json")],
      false,
    );
    expect(p.groups).toEqual([]);
    expect(p.skipped.map((s) => s.name).sort()).toEqual(["direct", "transitive"]);
  });

  it("a group is critical only with a CVSS above the threshold or a critical issue", () => {
    const cfg = config({ grouping: "component" });
    const atThreshold = plan([vulnerable("s1", 8.0, { line: 1 }), vulnerable("s2", 7.9, { line: 2 })], cfg, [], [makeIssue({ id: "h", severity: "high", subject: "security:PyPI:s2:GHSA-s2", files_affected: ["api/requirements.txt"] })]);
    expect(atThreshold.groups.map((g) => [g.key, g.security, g.critical])).toEqual([["api/security", true, false]]);
    const above = plan([vulnerable("s1", 8.1, { line: 1 }), vulnerable("s2", 7.9, { line: 2 })], cfg);
    expect(above.groups.map((g) => g.critical)).toEqual([true]);
  });

  it("an identical open PR wins over another of the same group that goes further", () => {
    const cfg = config({ grouping: "component" });
    const deps = [minor("a", { line: 1 }), minor("b", { line: 2 })];
    const open = [
      { number: 3, head_ref: "cowabunga/api/minor-updates-old", body: marker("api/minor", [{ name: "a", to: "1.2.0" }, { name: "b", to: "1.2.0" }]) },
      { number: 4, head_ref: "cowabunga/api/minor-updates", body: marker("api/minor", [{ name: "b", to: "1.1.0" }, { name: "a", to: "1.1.0" }]) },
    ];
    expect(plan(deps, cfg, open).unchanged).toEqual([{ key: "api/minor", number: 4 }]);
  });

  it("going further is judged package by package, never against another package of the PR", () => {
    const cfg = config({ grouping: "component" });
    // Ours: a → 1.1.0, b → 1.0.1. Theirs: a → 1.0.5 (behind), b → 1.2.0 (ahead): not further, superseded.
    const deps = [minor("a", { line: 1 }), minor("b", { line: 2, latest_version: "1.0.1" })];
    const open = [{ number: 5, head_ref: "cowabunga/api/minor-updates", body: marker("api/minor", [{ name: "a", to: "1.0.5" }, { name: "b", to: "1.2.0" }]) }];
    const p = plan(deps, cfg, open);
    expect(p.unchanged).toEqual([]);
    expect(p.groups.map((g) => g.supersedes)).toEqual([[5]]);
  });

  it("a superseding PR frees exactly the slots of the PRs it replaces", () => {
    // Two slots; #20 is open and is replaced by a's PR: a takes #20's slot, b the second, c has none.
    const open = [{ number: 20, head_ref: "cowabunga/api/a-1.0.5", body: marker("api/a", [{ name: "a", to: "1.0.5" }]) }];
    const p = plan([minor("a"), minor("b"), minor("c")], config({ max_open_prs: 2 }), open);
    expect(names(p)).toEqual(["a@1.1.0", "b@1.1.0"]);
    expect(p.skipped.map((s) => s.name)).toEqual(["c"]);
  });

  it("titles of several updates are cut at 200 characters too", () => {
    const component = "c".repeat(300);
    const p = plan([minor("a", { component, line: 1 }), minor("b", { component, line: 2 })], config({ grouping: "component" }));
    expect(p.groups[0].title).toBe(`chore(deps, ${component}): 2 minor updates`.slice(0, 200));
  });
});
