/**
 * The security detector's full texts and its reconciliation hooks (covers, goneReason, supersededBy)
 * (issue 18: mutation testing of src/assess/detect/security.ts). Every expected text is written out
 * here from the inputs, by hand.
 */
import { describe, expect, it } from "vitest";
import { detectSecurity, securityIssueId, securitySubject, updateTypeBetween } from "../../../src/assess/detect/security.js";
import { issueId } from "../../../src/assess/draft.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { makeDependency } from "../../helpers/factories.js";
import { detectContext, makeAdvisory, makeInputs } from "../helpers.js";

const A = makeAdvisory(); // PYSEC-2018-28, CVSS 7.5 with a vector, fixed in 2.20.0
const B = makeAdvisory({ id: "PYSEC-2023-74", aliases: ["CVE-2023-32681"], summary: "Proxy-Authorization header leak", score: null, cvss_vector: null, fixed_version: "2.31.0", url: "https://osv.dev/vulnerability/PYSEC-2023-74" });
const prev = (subject: string) => ({ subject }) as MaintenanceIssue;
const run = (dependencies: Dependency[]) => detectSecurity(detectContext(makeInputs({ dependencies })));

describe("one package version in two components, one of them without a fixed version", () => {
  const worker = makeDependency({
    name: "requests",
    version: "2.19.0",
    component: "worker",
    file: "worker/requirements.txt",
    line: 3,
    current_value: "==2.19.0",
    dependency_type: "prod",
    fixed_version: "2.31.0",
    advisories: [A, B],
    introduced_through: [
      [
        { name: "myapp", version: "1.0.0", requirement: null, local: true },
        { name: "requests", version: "2.19.0", requirement: "==2.19.0" },
      ],
    ],
  });
  const api = makeDependency({ name: "requests", version: "2.19.0", component: "api", file: "api/pyproject.toml", line: null, lockfile: "api/uv.lock", depth: 1, dependency_type: "dev", dev_only: true, fixed_version: null, advisories: [A] });

  it("is one issue with every advisory, sorted by CVSS then id", () => {
    // Built inside the test, so that a mutant active only during tests reaches it (issue 18).
    const r = run([worker, api]);
    const d = r.drafts[0];
    expect(r.drafts).toHaveLength(1);
    expect(d.subject).toBe("security:pypi:requests@2.19.0");
    expect(d.title).toBe("requests 2.19.0: 2 advisories (PYSEC-2018-28, PYSEC-2023-74) in api, worker");
    expect(d.severity).toBe("high");
    expect(d.affected_components).toEqual(["api", "worker"]);
    expect(d.files_affected).toEqual(["api/pyproject.toml", "api/uv.lock", "worker/requirements.txt"]);
    expect(d.estimated_effort).toBe("2 days");
    expect(d.testing_requirements).toEqual(["pytest for api", "the test suite of worker (no runner detected: run its build and smoke tests)"]);
  });

  it("has the full description", () => {
    // Built inside the test, so that a mutant active only during tests reaches it (issue 18).
    const r = run([worker, api]);
    const d = r.drafts[0];
    expect(d.description).toBe(
      [
        "2 advisories affect requests 2.19.0; one upgrade removes them all. Worst: Requests sends Authorization headers to HTTP redirects",
        "",
        "Advisories: PYSEC-2018-28 (CVSS 7.5), PYSEC-2023-74 (aliases: CVE-2018-18074, CVE-2023-32681, GHSA-x84v-xcm2-53pg)",
        "CVSS score: 7.5 (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N)",
        "Fixed in: 2.31.0",
        "Reference: https://osv.dev/vulnerability/PYSEC-2018-28",
        "",
        "Affected:",
        "- requests 2.19.0 in api (api/pyproject.toml, dev dependency, direct, dev-only)",
        "- requests 2.19.0 in worker (worker/requirements.txt line 3, prod dependency, direct)",
        "  - introduced through worker → myapp 1.0.0 → requests 2.19.0",
      ].join("\n"),
    );
  });

  it("has upgrade steps per declaration, then mitigations for the unfixed one", () => {
    // Built inside the test, so that a mutant active only during tests reaches it (issue 18).
    const r = run([worker, api]);
    const d = r.drafts[0];
    expect(d.resolution_steps).toEqual([
      "Upgrade requests from 2.19.0 to 2.20.0 in api/pyproject.toml",
      "Regenerate api/uv.lock so it pins requests 2.20.0 or later",
      "Upgrade requests from 2.19.0 to 2.31.0 in worker/requirements.txt (line 3)",
      "No fixed version of requests is published for PYSEC-2018-28, PYSEC-2023-74: pin requests in api/uv.lock to a version outside the affected range, if one exists",
      "Remove requests (or the dependency that brings it in) or replace it with a maintained alternative, if the component can do without it",
      "Vendor requests and patch the vulnerable code locally (details: https://osv.dev/vulnerability/PYSEC-2018-28)",
      "Monitor PYSEC-2018-28, PYSEC-2023-74 (CVE-2018-18074, CVE-2023-32681, GHSA-x84v-xcm2-53pg) for a fixed release and upgrade when it ships",
      "Run the tests listed under testing requirements and confirm PYSEC-2018-28, PYSEC-2023-74 no longer match",
    ]);
  });

  it("has the facts risk and priority need", () => {
    // Built inside the test, so that a mutant active only during tests reaches it (issue 18).
    const r = run([worker, api]);
    const d = r.drafts[0];
    expect(d.facts).toEqual({
      dependency_types: ["dev", "prod"],
      update_type: null,
      breaking_changes: 0,
      cvss: 7.5,
      cvss_estimated: false,
      fix_available: false,
      deprecated_target: false,
      release_age_days: null,
      change_kind: "dependency",
    });
    expect(d.packages).toEqual([
      { package_manager: "pip", name: "requests", version: "2.19.0", datasource: "none" },
      { package_manager: "pip", name: "requests", version: "2.19.0", datasource: "none" },
    ]);
  });

  it("covers stored issues of packages it checked, or gone packages of an ecosystem it checked", () => {
    // Built inside the test, so that a mutant active only during tests reaches it (issue 18).
    const r = run([worker, api]);
    expect(r.covers(prev("security:pypi:requests@2.18.0"))).toBe(true);
    expect(r.covers(prev("security:pypi:requests:PYSEC-2018-28"))).toBe(true);
    expect(r.covers(prev("security:pypi:flask@1.0"))).toBe(true);
    expect(r.covers(prev("security:npm:lodash@4.17.0"))).toBe(false);
    // Malformed subjects are never covered.
    expect(r.covers(prev("security:pypi:requests"))).toBe(false);
    expect(r.covers(prev("security:pypi:@2.19.0"))).toBe(false);
    expect(r.covers(prev("security:pypi"))).toBe(false);
    expect(r.covers(prev("dependency:pypi:requests@2.19.0"))).toBe(false);
  });

  it("maps the former per-advisory subjects to this issue", () => {
    // Built inside the test, so that a mutant active only during tests reaches it (issue 18).
    const r = run([worker, api]);
    const id = issueId("security", "security:pypi:requests@2.19.0");
    expect(r.supersededBy?.(prev("security:pypi:requests:PYSEC-2018-28"))).toBe(id);
    expect(r.supersededBy?.(prev("security:pypi:requests:PYSEC-2023-74"))).toBe(id);
    expect(r.supersededBy?.(prev("security:pypi:requests:PYSEC-2099-1"))).toBeNull();
    expect(securityIssueId("pypi", "requests", "2.19.0")).toBe(id);
    expect(securitySubject("npm", "@scope/x", "1.0.0")).toBe("security:npm:@scope/x@1.0.0");
  });
});

describe("coverage of a package present but not checked", () => {
  it("leaves its issue open, and a gone package of an unchecked ecosystem too", () => {
    const r = run([makeDependency({ name: "requests", advisories_checked: false, advisories: [] }), makeDependency({ name: "lodash", package_manager: "npm", advisories_checked: true, advisories: [] })]);
    expect(r.drafts).toEqual([]);
    expect(r.covers(prev("security:pypi:requests@2.19.0"))).toBe(false);
    expect(r.covers(prev("security:pypi:flask@1.0"))).toBe(false);
    expect(r.covers(prev("security:npm:lodash@3.0.0"))).toBe(true);
    expect(r.covers(prev("security:npm:left-pad@1.0.0"))).toBe(true);
  });
});

describe("goneReason", () => {
  it("names the package version, or the advisory of a former subject", () => {
    const r = run([]);
    expect(r.goneReason(prev("security:pypi:requests@2.19.0"))).toBe("no advisory matches requests 2.19.0 any more (upgraded, removed, or the advisories were withdrawn)");
    expect(r.goneReason(prev("security:npm:@scope/pkg@1.0.0"))).toBe("no advisory matches @scope/pkg 1.0.0 any more (upgraded, removed, or the advisories were withdrawn)");
    expect(r.goneReason(prev("security:pypi:requests:PYSEC-2018-28"))).toBe("PYSEC-2018-28 no longer matches requests (upgraded, removed, or the advisory was withdrawn)");
    expect(r.goneReason(prev("security:go:golang.org/x/net:GO-2024:1"))).toBe("GO-2024:1 no longer matches golang.org/x/net (upgraded, removed, or the advisory was withdrawn)");
    expect(r.goneReason(prev("security:broken"))).toBe("no advisory matches the package any more (upgraded, removed, or the advisories were withdrawn)");
  });
});

describe("a transitive package with a remediation plan and no published fix", () => {
  it("follows the plan, says 'matches' for one advisory, and names the lockfile", () => {
    const adv = makeAdvisory({ id: "RUSTSEC-2099-0003", aliases: [], summary: "   ", score: 6.2, score_estimated: true, cvss_vector: null, url: null, fixed_version: null });
    const dep = makeDependency({
      name: "ring",
      package_manager: "cargo",
      datasource: "crates",
      version: "0.16.20",
      locked_version: "0.16.20",
      current_value: "(transitive)",
      component: "worker",
      file: "Cargo.lock",
      line: null,
      lockfile: "Cargo.lock",
      depth: 2,
      dependency_type: "prod",
      fixed_version: null,
      advisories: [adv],
      remediation: { kind: "no_fix", target_version: null, file: "Cargo.toml", action: "No release of ring fixes RUSTSEC-2099-0003", parent: null, risk: "the parent may need a major upgrade", removes: [], reasons: [] },
    });
    const d = run([dep]).drafts[0];
    expect(d.title).toBe("RUSTSEC-2099-0003: ring 0.16.20 in worker");
    expect(d.severity).toBe("medium");
    expect(d.files_affected).toEqual(["Cargo.lock", "Cargo.toml"]);
    expect(d.description).toBe(
      [
        "RUSTSEC-2099-0003 affects ring.",
        "",
        "Advisories: RUSTSEC-2099-0003 (CVSS 6.2)",
        "CVSS score: 6.2 (estimated from the advisory's severity rating)",
        "Fixed in: no fixed version published",
        "",
        "Affected:",
        "- ring 0.16.20 in worker (Cargo.lock, prod dependency, transitive, depth 2)",
        "  - fix: no fix",
      ].join("\n"),
    );
    expect(d.resolution_steps).toEqual([
      "No release of ring fixes RUSTSEC-2099-0003",
      "Risk: the parent may need a major upgrade",
      "No fixed version of ring is published for RUSTSEC-2099-0003: pin ring in Cargo.lock to a version outside the affected range, if one exists",
      "Remove ring (or the dependency that brings it in) or replace it with a maintained alternative, if the component can do without it",
      "Vendor ring and patch the vulnerable code locally",
      "Monitor RUSTSEC-2099-0003 for a fixed release and upgrade when it ships",
      "Run the tests listed under testing requirements and confirm RUSTSEC-2099-0003 no longer matches",
    ]);
    expect(d.facts).toMatchObject({ cvss: 6.2, cvss_estimated: true, fix_available: false, update_type: null });
  });

  it("a plan with a target version is a fix; the lockfile-only step for a transitive package without a plan", () => {
    const planned = makeDependency({
      name: "h2",
      package_manager: "cargo",
      datasource: "crates",
      version: "0.4.15",
      current_value: "(transitive)",
      file: "Cargo.lock",
      line: null,
      lockfile: "Cargo.lock",
      depth: 3,
      fixed_version: null,
      advisories: [makeAdvisory({ id: "RUSTSEC-1", fixed_version: "0.4.16", score: 9.0 })],
      remediation: { kind: "parent_bump", target_version: "0.4.16", file: "Cargo.toml", action: "Upgrade hyper to 1.5.0", parent: null, risk: null, removes: [], reasons: [] },
    });
    const d = run([planned]).drafts[0];
    expect(d.severity).toBe("critical");
    expect(d.resolution_steps).toEqual(["Upgrade hyper to 1.5.0", "Run the tests listed under testing requirements and confirm RUSTSEC-1 no longer matches"]);
    expect(d.description).toContain("  - fix: upgrade the direct dependency that brings it in → 0.4.16");
    expect(d.facts).toMatchObject({ fix_available: true, update_type: "patch" });
    expect(d.estimated_effort).toBe("30 minutes");
    const lockOnly = makeDependency({ ...planned, remediation: null, fixed_version: "0.4.16" });
    expect(run([lockOnly]).drafts[0].resolution_steps[0]).toBe("Update h2 from 0.4.15 to 0.4.16 in Cargo.lock (it is not declared in a manifest; the lockfile pins it)");
    // A transitive marker without a depth also counts as transitive.
    const noDepth = makeDependency({ ...lockOnly, depth: null });
    expect(run([noDepth]).drafts[0].resolution_steps[0]).toBe("Update h2 from 0.4.15 to 0.4.16 in Cargo.lock (it is not declared in a manifest; the lockfile pins it)");
    expect(run([noDepth]).drafts[0].description).toContain("(Cargo.lock, prod dependency, transitive)");
  });
});

describe("many advisories and the size of the fix", () => {
  it("lists three ids and an ellipsis in the title", () => {
    const advs = [
      makeAdvisory({ id: "D", score: 5, aliases: [] }),
      makeAdvisory({ id: "C", score: null, aliases: [] }),
      makeAdvisory({ id: "B", score: 9.8, aliases: [], summary: "" }),
      makeAdvisory({ id: "A", score: 5, aliases: [] }),
    ];
    const d = run([makeDependency({ advisories: advs })]).drafts[0];
    expect(d.title).toBe("requests 2.19.0: 4 advisories (B, A, D, …) in api");
    expect(d.description.split("\n")[0]).toBe("4 advisories affect requests 2.19.0; one upgrade removes them all. Worst: B");
    expect(d.description.split("\n")[2]).toBe("Advisories: B (CVSS 9.8), A (CVSS 5.0), D (CVSS 5.0), C");
  });

  it("the biggest update of the group sets the effort: major > unknown > minor > patch > none", () => {
    const dep = (component: string, fixed_version: string) => makeDependency({ component, file: `${component}/requirements.txt`, version: "1.2.3", fixed_version, advisories: [A] });
    const effort = (...fixed: string[]) => run(fixed.map((f, i) => dep(`c${i}`, f))).drafts[0];
    expect(effort("1.2.3").facts.update_type).toBe("none");
    expect(effort("1.2.4", "1.2.3").facts.update_type).toBe("patch");
    expect(effort("1.2.4", "1.3.0").facts.update_type).toBe("minor");
    expect(effort("1.3.0", "2.0.0").facts.update_type).toBe("major");
    expect(effort("1.3.0", "2.0.0").estimated_effort).toBe("4 hours");
    expect(effort("1.3.0", "not a version").facts.update_type).toBe("unknown");
    expect(effort("2.0.0", "not a version").facts.update_type).toBe("major");
    expect(updateTypeBetween("npm", "1.2.3", "1.2.4")).toBe("patch");
    expect(updateTypeBetween("npm", "1.2.3", "1.2.3")).toBe("none");
    expect(updateTypeBetween("npm", "1.2.3", "1.3.0")).toBe("minor");
  });

  it("breaking changes of a major fix make it a day", () => {
    const d = run([makeDependency({ version: "1.0.0", fixed_version: "2.0.0", breaking_changes: ["drops Python 3.7"], advisories: [A] })]).drafts[0];
    expect(d.estimated_effort).toBe("1 day");
    expect(d.facts.breaking_changes).toBe(1);
  });
});
