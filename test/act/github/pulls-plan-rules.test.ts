/**
 * planUpdates, parsePrMarker, issuesFor and subjectNames, rule by rule (issue 18, mutation run of
 * pulls-plan.ts). Expected values come from the configuration and the documented rules (branch names,
 * titles, marker fields), worked out by hand in each test, not from the code under test.
 */
import { describe, expect, it } from "vitest";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import { issuesFor, parsePrMarker, planUpdates, subjectNames, type OpenPullRequest } from "../../../src/act/github/pulls-plan.js";
import type { Dependency, MaintenanceIssue, RemediationPlan } from "../../../src/model/index.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";
import { NOW } from "./pulls-helpers.js";

type Updates = Partial<CowabungaConfig["updates"]>;

function config(over: Updates = {}, schedule: Partial<CowabungaConfig["schedule"]> = {}): CowabungaConfig {
  const c = defaultConfig();
  return { ...c, updates: { ...c.updates, max_open_prs: 50, ...over }, schedule: { ...c.schedule, ...schedule } };
}

const advisory = (id: string, score: number | null, fixed: string | null, kind: "vulnerability" | "unmaintained" | undefined = "vulnerability") => ({
  id,
  ...(kind ? { kind } : {}),
  aliases: [],
  summary: id,
  url: null,
  score,
  score_estimated: false,
  cvss_vector: null,
  fixed_version: fixed,
  published: null,
});

/** A direct dependency at 1.0.0 with 1.1.0 released 2025-12-01 (50 days before NOW): an ordinary minor update. */
const minor = (name: string, over: Partial<Dependency> = {}): Dependency =>
  makeDependency({ name, version: "1.0.0", latest_version: "1.1.0", latest_release_date: "2025-12-01T00:00:00Z", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", current_value: "==1.0.0", line: 5, ...over });

/** A direct dependency with one vulnerability fixed in 1.0.1. */
const vulnerable = (name: string, score: number, over: Partial<Dependency> = {}): Dependency =>
  minor(name, { advisories: [advisory(`GHSA-${name}`, score, "1.0.1") as Dependency["advisories"][number]], cve_ids: [], vulnerability_score: score, fixed_version: "1.0.1", ...over });

/** `inWindow` "config": leave it to the configured maintenance windows. */
const plan = (deps: Dependency[], cfg: CowabungaConfig = config(), open: OpenPullRequest[] = [], issues: MaintenanceIssue[] = [], inWindow: boolean | "config" = true) =>
  planUpdates({ dependencies: deps, issues }, cfg, open, { now: NOW, ...(inWindow === "config" ? {} : { inWindow }) });

const names = (p: ReturnType<typeof planUpdates>): string[] => p.groups.map((g) => g.updates.map((u) => u.dep.name).join("+"));

const markerBody = (m: unknown): string => `Some text\n\n<!-- cowabunga:pr:${JSON.stringify(m)} -->`;

describe("parsePrMarker", () => {
  it("reads a well-formed marker, keeping only string issue ids and the branch when it is a string", () => {
    const deps = [{ name: "a", file: "f", to: "2" }];
    expect(parsePrMarker(markerBody({ v: 1, group: "api/a", issues: ["i-1", 7, null, "i-2"], deps, base_sha: "abc", branch: "cowabunga/api/a-2" }))).toEqual({
      v: 1,
      group: "api/a",
      issues: ["i-1", "i-2"],
      deps,
      base_sha: "abc",
      branch: "cowabunga/api/a-2",
    });
    // No issues list, a branch that is not a string: issues empty, no branch key at all.
    const m = parsePrMarker(markerBody({ group: "g", deps: [], base_sha: "s", issues: "i-1", branch: 42 }));
    expect(m).toEqual({ v: 1, group: "g", issues: [], deps: [], base_sha: "s" });
    expect(m !== null && "branch" in m).toBe(false);
  });

  it("refuses bodies without a usable marker", () => {
    expect(parsePrMarker(null)).toBeNull();
    expect(parsePrMarker(undefined)).toBeNull();
    expect(parsePrMarker("")).toBeNull();
    expect(parsePrMarker("no marker here")).toBeNull();
    expect(parsePrMarker("<!-- cowabunga:pr:42 -->")).toBeNull();
    expect(parsePrMarker('<!-- cowabunga:pr:"text" -->')).toBeNull();
    expect(parsePrMarker("<!-- cowabunga:pr:null -->")).toBeNull();
    expect(parsePrMarker(markerBody({ deps: [], base_sha: "s" }))).toBeNull();
    expect(parsePrMarker(markerBody({ group: 5, deps: [], base_sha: "s" }))).toBeNull();
    expect(parsePrMarker(markerBody({ group: "g", deps: {}, base_sha: "s" }))).toBeNull();
    expect(parsePrMarker(markerBody({ group: "g", deps: [], base_sha: 1 }))).toBeNull();
    expect(parsePrMarker(markerBody({ group: "g", deps: [] }))).toBeNull();
  });
});

describe("issuesFor and subjectNames", () => {
  const dep = minor("requests", { version: "2.19.0", file: "api/requirements.txt", component: "api", advisories: [advisory("GHSA-1", 5, "2.20.0") as Dependency["advisories"][number]] });

  it("matches subjects naming the package at its version, and skips handled issues", () => {
    const byInfix = makeIssue({ id: "a", subject: "pypi:requests@2.19.0:PYSEC-1" });
    const byPrefix = makeIssue({ id: "b", subject: "requests@2.19.0" });
    const otherVersion = makeIssue({ id: "c", subject: "pypi:requests@2.18.0:PYSEC-1" });
    const resolved = makeIssue({ id: "d", subject: "pypi:requests@2.19.0:PYSEC-1", lifecycle_state: "resolved" });
    const deferred = makeIssue({ id: "e", subject: "requests@2.19.0", lifecycle_state: "deferred" });
    expect(issuesFor(dep, [byInfix, byPrefix, otherVersion, resolved, deferred]).map((i) => i.id)).toEqual(["a", "b"]);
  });

  it("an issue without a subject matches by file, component and title, all three", () => {
    const base = { subject: "", files_affected: ["api/requirements.txt"], affected_components: ["api"], title: "requests is outdated" };
    const all = makeIssue({ id: "all", ...base });
    const noFile = makeIssue({ id: "no-file", ...base, files_affected: ["web/package.json"] });
    const noComponent = makeIssue({ id: "no-comp", ...base, affected_components: ["web"] });
    const noTitle = makeIssue({ id: "no-title", ...base, title: "flask is outdated" });
    // A subject that names something else is not matched by the title.
    const otherSubject = makeIssue({ id: "other", ...base, subject: "pypi:flask@1.0:X" });
    expect(issuesFor(dep, [all, noFile, noComponent, noTitle, otherSubject]).map((i) => i.id)).toEqual(["all"]);
  });

  it("security subjects need the advisory id and a covered file or component", () => {
    const sec = (over: Partial<MaintenanceIssue>) => ({ subject: "security:PyPI:requests:GHSA-1", files_affected: ["api/requirements.txt"], affected_components: ["api"], ...over });
    expect(subjectNames(sec({}), dep)).toBe(true);
    expect(subjectNames(sec({ files_affected: [] }), dep)).toBe(true); // covered by the component
    expect(subjectNames(sec({ affected_components: [] }), dep)).toBe(true); // covered by the file
    expect(subjectNames(sec({ files_affected: ["other"], affected_components: ["web"] }), dep)).toBe(false);
    expect(subjectNames(sec({ subject: "security:PyPI:requests:GHSA-2" }), dep)).toBe(false);
    expect(subjectNames(sec({ subject: "security:PyPI:urllib3:GHSA-1" }), dep)).toBe(false);
  });

  it("dependency subjects name the package; other subjects never match here", () => {
    const d = (subject: string, over: Partial<MaintenanceIssue> = {}) => ({ subject, files_affected: ["api/requirements.txt"], affected_components: ["api"], ...over });
    expect(subjectNames(d("dependency:PyPI:requests"), dep)).toBe(true);
    expect(subjectNames(d("dependency:PyPI:requests", { files_affected: [], affected_components: [] }), dep)).toBe(false);
    expect(subjectNames(d("dependency:PyPI:flask"), dep)).toBe(false);
    expect(subjectNames(d("health:PyPI:requests"), dep)).toBe(false);
    expect(subjectNames(d("requests:GHSA-1"), dep)).toBe(false);
    // Through issuesFor: a dependency subject links the issue whatever the version.
    expect(issuesFor(dep, [makeIssue({ id: "x", subject: "dependency:PyPI:requests" })]).map((i) => i.id)).toEqual(["x"]);
  });
});

describe("planUpdates: which updates qualify", () => {
  it("informational advisories alone are no security fix; an advisory without kind, or a CVE id, is", () => {
    const unmaintained = minor("old-pkg", { update_type: "major", latest_version: "2.0.0", fixed_version: "1.0.1", advisories: [advisory("RUSTSEC-1", null, null, "unmaintained") as Dependency["advisories"][number]] });
    const kindless = minor("kindless", { update_type: "major", latest_version: "2.0.0", fixed_version: "1.0.1", advisories: [advisory("GHSA-k", 5, "1.0.1", undefined) as Dependency["advisories"][number]] });
    const cveOnly = minor("cve-only", { update_type: "major", latest_version: "2.0.0", fixed_version: "1.0.1", cve_ids: ["CVE-2025-1"] });
    const p = plan([unmaintained, kindless, cveOnly]);
    // Majors are not in the default update_types: only the two security fixes go, to their fixed version.
    expect(names(p)).toEqual(["cve-only", "kindless"]);
    expect(p.groups.map((g) => [g.updates[0].newVersion, g.security])).toEqual([["1.0.1", true], ["1.0.1", true]]);
    expect(p.skipped).toEqual([{ name: "old-pkg", file: "api/requirements.txt", reason: "update type major is not in updates.update_types" }]);
  });

  it("skips undeclared-version dependencies with their reason, and those with nothing newer silently", () => {
    const p = plan([
      minor("skipped", { skip_reason: "unpinned" } as Partial<Dependency>),
      minor("current", { latest_version: "1.0.0" }),
      minor("unknown", { latest_version: null }),
    ]);
    expect(p.groups).toEqual([]);
    expect(p.skipped).toEqual([{ name: "skipped", file: "api/requirements.txt", reason: "not updatable: unpinned" }]);
  });

  it("a security fix without a fixed version goes to the latest version, and is then held back while it is fresh", () => {
    const fresh = "2026-01-18T00:00:00Z"; // 2.5 days before NOW
    const noFix = vulnerable("no-fix", 5, { fixed_version: null, latest_release_date: fresh });
    const p = plan([noFix], config({ minimum_release_age_days: 3 }));
    expect(p.groups).toEqual([]);
    expect(p.skipped).toEqual([{ name: "no-fix", file: "api/requirements.txt", reason: "1.1.0 was released 2 day(s) ago; minimum_release_age_days is 3" }]);
    const older = plan([{ ...noFix, latest_release_date: "2026-01-10T00:00:00Z" }], config({ minimum_release_age_days: 3 }));
    expect(older.groups[0].updates[0].newVersion).toBe("1.1.0");
  });

  it("the release age counts exactly: a release exactly minimum_release_age_days old goes; a fix below the latest is never held", () => {
    const exactly = minor("exact", { latest_release_date: "2026-01-17T12:00:00Z" }); // 3 days before NOW
    const justUnder = minor("under", { latest_release_date: "2026-01-17T12:00:01Z" });
    // A fix (1.0.1) that is not the latest version (1.1.0, released an hour ago) is not held back.
    const fixBelowLatest = vulnerable("fix-below", 5, { latest_release_date: "2026-01-20T11:00:00Z" });
    const undated = minor("undated", { latest_release_date: null });
    const p = plan([exactly, justUnder, fixBelowLatest, undated], config({ minimum_release_age_days: 3 }));
    expect(names(p)).toEqual(["fix-below", "exact", "undated"]);
    expect(p.skipped).toEqual([{ name: "under", file: "api/requirements.txt", reason: "1.1.0 was released 2 day(s) ago; minimum_release_age_days is 3" }]);
  });

  it("maintenance windows: the default follows schedule.maintenance_windows at `now`; a high CVSS without an advisory is no critical fix", () => {
    // NOW is Tuesday 12:00 UTC.
    const outside = config({}, { maintenance_windows: [{ days: ["sat"], start: "00:00", end: "06:00" }] });
    const inside = config({}, { maintenance_windows: [{ days: ["tue"], start: "11:00", end: "13:00" }] });
    const deps = [minor("plain"), minor("scored", { vulnerability_score: 9.9 }), vulnerable("crit", 9.1), vulnerable("at-threshold", 8.0)];
    const out = plan(deps, outside, [], [], "config");
    expect(names(out)).toEqual(["crit"]);
    expect(out.skipped.map((s) => s.name)).toEqual(["plain", "scored", "at-threshold"]);
    expect(names(plan(deps, inside, [], [], "config"))).toEqual(["crit", "at-threshold", "scored", "plain"]);
    // An explicit inWindow wins over the configured windows.
    expect(names(plan(deps, outside, [], [], true))).toHaveLength(4);
  });
});

describe("planUpdates: transitive packages", () => {
  const remediation = (over: Partial<RemediationPlan>): RemediationPlan => ({
    kind: "in_place",
    target_version: "1.0.1",
    file: "package-lock.json",
    action: "move it in package-lock.json",
    parent: null,
    risk: null,
    removes: [],
    reasons: [],
    ...over,
  } as RemediationPlan);

  const transitive = (name: string, over: Partial<Dependency> = {}): Dependency =>
    vulnerable(name, 5, { package_manager: "npm", datasource: "npm", file: "package.json", line: null, current_value: "(transitive)", depth: 2, lockfile: "package-lock.json", ...over });

  it("a vulnerable lockfile entry moves in place; a non-vulnerable transitive package is left alone without a note", () => {
    const p = plan([transitive("deep", { remediation: remediation({}) }), transitive("quiet", { advisories: [], remediation: remediation({}) })]);
    expect(p.groups).toHaveLength(1);
    const u = p.groups[0].updates[0];
    expect([u.dep.name, u.dep.file, u.dep.line, u.newVersion, u.security]).toEqual(["deep", "package-lock.json", null, "1.0.1", true]);
    expect(p.skipped).toEqual([]);
  });

  it("depth decides; without a depth, the `(transitive)` value does", () => {
    // depth 1 is a direct dependency: its own manifest line moves, not the lockfile.
    const direct = transitive("direct", { depth: 1, remediation: remediation({}), file: "package.json", line: 4 });
    const byValue = transitive("by-value", { depth: null, remediation: remediation({}) });
    const p = plan([direct, byValue]);
    const files = Object.fromEntries(p.groups.map((g) => [g.updates[0].dep.name, g.updates[0].dep.file]));
    expect(files).toEqual({ direct: "package.json", "by-value": "package-lock.json" });
  });

  it("explains why no PR can fix it", () => {
    const p = plan([
      transitive("no-plan", { remediation: null }),
      transitive("unverified", { remediation: remediation({ reasons: ["the requirement of parent on unverified is unknown", "other note"], action: "move it" }) }),
      transitive("no-editor", { lockfile: "Pipfile.lock", remediation: remediation({ action: "regenerate Pipfile.lock" }) }),
      transitive("no-target", { remediation: remediation({ target_version: null, action: "nothing to move to" }) }),
      transitive("no-lock", { lockfile: null, remediation: remediation({ action: "no lockfile" }) }),
      transitive("nofix", { remediation: remediation({ kind: "no_fix", target_version: null, action: "wait for a fix" }) }),
      transitive("override", { remediation: remediation({ kind: "override", action: "add an override in package.json" }) }),
      transitive("bump-no-parent", { remediation: remediation({ kind: "parent_bump", parent: null, action: "bump its parent" }) }),
    ]);
    expect(p.groups).toEqual([]);
    expect(p.skipped.map((s) => [s.name, s.reason])).toEqual([
      ["no-plan", "transitive dependency without a remediation plan"],
      ["unverified", "in place not verified (the requirement of parent on unverified is unknown): relock instead, move it"],
      ["no-editor", "in place: regenerate Pipfile.lock"],
      ["no-target", "in place: nothing to move to"],
      ["no-lock", "in place: no lockfile"],
      ["nofix", "no fix: wait for a fix"],
      ["override", "override: add an override in package.json"],
      ["bump-no-parent", "parent bump: bump its parent"],
    ]);
  });

  it("a parent bump moves the declared parent, carrying the child's advisories and score", () => {
    const parent = minor("parent", { package_manager: "npm", datasource: "npm", file: "package.json", line: 7, version: "2.0.0", latest_version: "2.0.0", current_value: "^2.0.0" });
    const child = transitive("child", {
      vulnerability_score: 9.5,
      remediation: remediation({ kind: "parent_bump", target_version: "1.0.1", file: "package.json", parent: { name: "parent", from: "2.0.0", to: "2.3.0", requirement: "^1.0.1" } }),
    });
    // Outside the windows: the child's score (9.5 > 8.0) makes the parent bump critical.
    const p = plan([parent, child], config(), [], [], false);
    expect(p.groups).toHaveLength(1);
    const g = p.groups[0];
    const u = g.updates[0];
    expect([u.dep.name, u.dep.file, u.dep.line, u.newVersion, u.dep.fixed_version, u.dep.vulnerability_score, u.security]).toEqual(["parent", "package.json", 7, "2.3.0", "2.3.0", 9.5, true]);
    expect(u.dep.advisories.map((a) => a.id)).toEqual(["GHSA-child"]);
    expect(g.critical).toBe(true);
    expect(g.title).toBe("fix(deps, api): security: update parent to 2.3.0");
  });

  it("the parent must be declared, direct and updatable in the same component and datasource", () => {
    const bump = remediation({ kind: "parent_bump", parent: { name: "parent", from: "2.0.0", to: "2.3.0", requirement: null } });
    const parent = (over: Partial<Dependency>) => minor("parent", { package_manager: "npm", datasource: "npm", file: "package.json", version: "2.0.0", latest_version: "2.0.0", ...over });
    const reason = "the direct dependency parent to bump is not declared in api";
    for (const p of [
      parent({ component: "web" }),
      parent({ datasource: "pypi" }),
      parent({ depth: 2 }),
      parent({ skip_reason: "git-source" } as Partial<Dependency>),
    ]) {
      const result = plan([p, transitive("child", { remediation: bump })]);
      expect(result.groups).toEqual([]);
      expect(result.skipped.filter((s) => s.name === "child")).toEqual([{ name: "child", file: "package.json", reason }]);
    }
  });

  it("nothing to do when the target is the version already there", () => {
    const parent = minor("parent", { package_manager: "npm", datasource: "npm", file: "package.json", version: "2.3.0", latest_version: "2.3.0" });
    const bump = remediation({ kind: "parent_bump", parent: { name: "parent", from: "2.3.0", to: "2.3.0", requirement: null } });
    const inPlace = transitive("same", { version: "1.0.1", remediation: remediation({ target_version: "1.0.1" }) });
    const p = plan([parent, transitive("child", { remediation: bump }), inPlace]);
    expect(p).toEqual({ groups: [], unchanged: [], skipped: [] });
  });

  it("outside the windows only a critical transitive fix goes: by score above the threshold or by a critical issue", () => {
    const low = transitive("low", { remediation: remediation({}), vulnerability_score: 8.0 });
    const high = transitive("high", { remediation: remediation({}), vulnerability_score: 8.1 });
    const unscored = transitive("unscored", { remediation: remediation({}), vulnerability_score: null });
    const byIssue = transitive("by-issue", { remediation: remediation({}), vulnerability_score: 3 });
    const issue = makeIssue({ id: "crit", severity: "critical", subject: "security:npm:by-issue:GHSA-by-issue", files_affected: ["package-lock.json"], affected_components: [] });
    const p = plan([low, high, unscored, byIssue], config(), [], [issue], false);
    expect(names(p)).toEqual(["by-issue", "high"]);
    expect(p.groups[0].updates[0].issues.map((i) => i.id)).toEqual(["crit"]);
    expect(p.skipped.map((s) => [s.name, s.reason])).toEqual([
      ["low", "outside the maintenance windows (only critical vulnerabilities bypass them)"],
      ["unscored", "outside the maintenance windows (only critical vulnerabilities bypass them)"],
    ]);
  });

  it("one edit per declaration: a lockfile entry shared by three components is moved once; a parent bumped for a fix is not bumped again", () => {
    const shared = (component: string) => transitive("shared", { component, remediation: remediation({}) });
    const p = plan([shared("a"), shared("b"), shared("c")]);
    expect(p.groups.map((g) => g.key)).toEqual(["a/shared"]);

    const parent = minor("parent", { package_manager: "npm", datasource: "npm", file: "package.json", line: 7, version: "2.0.0", latest_version: "2.5.0" });
    const child = transitive("child", { remediation: remediation({ kind: "parent_bump", parent: { name: "parent", from: "2.0.0", to: "2.3.0", requirement: null } }) });
    const both = plan([parent, child], config({ grouping: "all" }));
    // The security bump (first, as security fixes sort first) wins over the parent's own minor update.
    expect(both.groups.map((g) => [g.key, g.updates.map((u) => `${u.dep.name}@${u.newVersion}`)])).toEqual([["all/security", ["parent@2.3.0"]]]);
  });
});

describe("planUpdates: order, groups, titles and branches", () => {
  it("an issue of any priority ranks before none; equal ranks fall back to CVSS, then to the name", () => {
    const low = makeIssue({ id: "low", priority: "low", subject: "dependency:PyPI:zzz-low", files_affected: ["api/requirements.txt"] });
    const p = plan([minor("bbb"), minor("zzz-low"), minor("aaa"), vulnerable("sec-b", 5), vulnerable("sec-a", 5), vulnerable("sec-unscored", 5, { vulnerability_score: null })], config(), [], [low]);
    expect(names(p)).toEqual(["sec-a", "sec-b", "sec-unscored", "zzz-low", "aaa", "bbb"]);
  });

  it("grouping none: one PR per package on cowabunga/<component>/<package>-<version>", () => {
    const p = plan([minor("Flask"), vulnerable("jinja2", 5)]);
    expect(p.groups.map((g) => ({ key: g.key, branch: g.branch, title: g.title, component: g.component, security: g.security, critical: g.critical }))).toEqual([
      { key: "api/jinja2", branch: "cowabunga/api/jinja2-1.0.1", title: "fix(deps, api): security: update jinja2 to 1.0.1", component: "api", security: true, critical: false },
      { key: "api/Flask", branch: "cowabunga/api/flask-1.1.0", title: "chore(deps, api): update Flask to 1.1.0", component: "api", security: false, critical: false },
    ]);
  });

  it("grouping component: one PR per component and kind; security and criticality are the group's", () => {
    const deps = [
      minor("a1", { line: 1 }),
      minor("a2", { line: 2 }),
      minor("p1", { line: 3, update_type: "patch", latest_version: "1.0.1" }),
      vulnerable("s1", 5, { line: 4 }),
      vulnerable("s2", 9, { line: 6 }),
      minor("w1", { component: "", file: "requirements.txt" }),
    ];
    const p = plan(deps, config({ grouping: "component" }));
    expect(p.groups.map((g) => ({ key: g.key, branch: g.branch, title: g.title, component: g.component, security: g.security, critical: g.critical, n: g.updates.length }))).toEqual([
      { key: "api/security", branch: "cowabunga/api/security-updates", title: "fix(deps, api): 2 security updates", component: "api", security: true, critical: true, n: 2 },
      { key: "api/minor", branch: "cowabunga/api/minor-updates", title: "chore(deps, api): 2 minor updates", component: "api", security: false, critical: false, n: 2 },
      { key: "api/patch", branch: "cowabunga/api/patch-updates", title: "chore(deps, api): update p1 to 1.0.1", component: "api", security: false, critical: false, n: 1 },
      { key: "/minor", branch: "cowabunga/root/minor-updates", title: "chore(deps): update w1 to 1.1.0", component: "", security: false, critical: false, n: 1 },
    ]);
  });

  it("grouping all: one PR per kind across components, titled without a component", () => {
    const p = plan([minor("a", { component: "api" }), minor("b", { component: "web", file: "web/requirements.txt" }), vulnerable("c", 5)], config({ grouping: "all" }));
    expect(p.groups.map((g) => [g.key, g.branch, g.title, g.component])).toEqual([
      ["all/security", "cowabunga/all/security-updates", "fix(deps): security: update c to 1.0.1", "all"],
      ["all/minor", "cowabunga/all/minor-updates", "chore(deps): 2 minor updates", "all"],
    ]);
  });

  it("a group keeps one update per declaration: same file, line and name", () => {
    const d = minor("x", { line: 5 });
    const p = plan([d, { ...d, name: "y" }, { ...d, file: "api/other.txt" }, { ...d, line: 6 }, { ...d }], config({ grouping: "component" }));
    expect(p.groups[0].updates.map((u) => `${u.dep.file}:${u.dep.line}:${u.dep.name}`)).toEqual(["api/requirements.txt:5:x", "api/other.txt:5:x", "api/requirements.txt:6:x", "api/requirements.txt:5:y"]);
  });

  it("titles are cut at 200 characters", () => {
    const long = "p".repeat(300);
    const p = plan([minor(long)]);
    expect(p.groups[0].title).toBe(`chore(deps, api): update ${long}`.slice(0, 200));
    expect(p.groups[0].title).toHaveLength(200);
  });
});

describe("planUpdates: open pull requests", () => {
  const marker = (group: string, deps: Array<{ name: string; file?: string; to: string }>, extra: object = {}) =>
    markerBody({ v: 1, group, issues: [], deps: deps.map((d) => ({ package_manager: "pip", file: "api/requirements.txt", ...d })), base_sha: "base", ...extra });

  it("an open PR with the same group and updates is unchanged, whatever the order of its dependencies", () => {
    const p = plan([minor("a", { line: 1 }), minor("b", { line: 2 })], config({ grouping: "component" }), [
      { number: 7, head_ref: "cowabunga/api/minor-updates", body: marker("api/minor", [{ name: "b", to: "1.1.0" }, { name: "a", to: "1.1.0" }]) },
    ]);
    expect(p.groups).toEqual([]);
    expect(p.unchanged).toEqual([{ key: "api/minor", number: 7 }]);
  });

  it("only the app's update branches count: not other heads, not revert branches", () => {
    const body = marker("api/a", [{ name: "a", to: "1.1.0" }]);
    const p = plan([minor("a")], config({ max_open_prs: 1 }), [
      { number: 1, head_ref: "feature/a", body },
      { number: 2, head_ref: "cowabunga/revert/pr-5", body },
    ]);
    expect(names(p)).toEqual(["a"]);
    expect(p.groups[0].supersedes).toEqual([]);
    expect(p.unchanged).toEqual([]);
  });

  it("a PR that goes as far or further stays; one that goes less far, or lacks a package, is superseded", () => {
    const deps = [minor("a", { line: 1 }), minor("b", { line: 2 })];
    const cfg = config({ grouping: "component" });
    const further = plan(deps, cfg, [{ number: 3, head_ref: "cowabunga/api/minor-updates", body: marker("api/minor", [{ name: "a", to: "1.2.0" }, { name: "b", to: "1.1.0" }]) }]);
    expect(further.groups).toEqual([]);
    expect(further.unchanged).toEqual([{ key: "api/minor", number: 3 }]);

    const behind = plan(deps, cfg, [{ number: 4, head_ref: "cowabunga/api/minor-updates", body: marker("api/minor", [{ name: "a", to: "1.0.5" }, { name: "b", to: "1.2.0" }]) }]);
    expect(behind.groups.map((g) => g.supersedes)).toEqual([[4]]);

    const partial = plan(deps, cfg, [{ number: 5, head_ref: "cowabunga/api/minor-updates", body: marker("api/minor", [{ name: "a", to: "1.2.0" }]) }]);
    expect(partial.groups.map((g) => g.supersedes)).toEqual([[5]]);

    // Another file of the same name is another package.
    const otherFile = plan(deps, cfg, [{ number: 6, head_ref: "cowabunga/api/minor-updates", body: marker("api/minor", [{ name: "a", file: "x.txt", to: "1.2.0" }, { name: "b", to: "1.2.0" }]) }]);
    expect(otherFile.groups.map((g) => g.supersedes)).toEqual([[6]]);
  });

  it("supersedes PRs of the same group and any PR on the same branch; other groups are left alone", () => {
    const p = plan([minor("a")], config(), [
      { number: 10, head_ref: "cowabunga/api/a-1.0.5", body: marker("api/a", [{ name: "a", to: "1.0.5" }]) },
      { number: 11, head_ref: "cowabunga/api/a-1.1.0", body: null },
      { number: 12, head_ref: "cowabunga/api/b-2.0.0", body: marker("api/b", [{ name: "b", to: "2.0.0" }]) },
    ]);
    expect(p.groups.map((g) => [g.branch, g.supersedes])).toEqual([["cowabunga/api/a-1.1.0", [10, 11]]]);
  });

  it("max_open_prs counts the app's open PRs; a superseding PR takes the slot of those it replaces", () => {
    const open = [{ number: 20, head_ref: "cowabunga/api/a-1.0.5", body: marker("api/a", [{ name: "a", to: "1.0.5" }]) }];
    // One slot, taken by #20: a's update replaces #20, b's has no slot.
    const p = plan([minor("a"), minor("b")], config({ max_open_prs: 1 }), open);
    expect(p.groups.map((g) => [g.key, g.supersedes])).toEqual([["api/a", [20]]]);
    expect(p.skipped).toEqual([{ name: "b", file: "api/requirements.txt", reason: "updates.max_open_prs (1) reached" }]);
    // Two slots, none open: the first two go.
    const two = plan([minor("a"), minor("b"), minor("c")], config({ max_open_prs: 2 }));
    expect(names(two)).toEqual(["a", "b"]);
    expect(two.skipped.map((s) => s.name)).toEqual(["c"]);
    // Zero slots: nothing opens.
    expect(plan([minor("a")], config({ max_open_prs: 0 })).groups).toEqual([]);
  });

  it("every update of a group without a slot is reported", () => {
    const open = [{ number: 30, head_ref: "cowabunga/web/minor-updates", body: marker("web/minor", [{ name: "w", to: "2" }]) }];
    const p = plan([minor("a", { line: 1 }), minor("b", { line: 2 })], config({ grouping: "component", max_open_prs: 1 }), open);
    expect(p.groups).toEqual([]);
    expect(p.skipped.map((s) => s.name)).toEqual(["a", "b"]);
  });
});
