/**
 * Edges of the security detector left by its mutation run of 6 December 2026 (issue 18): stored data
 * without `kind` or `advisories`, the order of advisories and declarations, the first record of an
 * advisory shared by declarations, mixed fixable / unfixable declarations, repeated steps, the
 * lockfile of a transitive declaration, the covers() rule for a package that was not checked, and
 * the withdrawn advisories read back from a stored description. Expected texts are written by hand
 * from the doc comments of src/assess/detect/security.ts.
 */
import { describe, expect, it } from "vitest";
import { detectSecurity, isVulnerability, updateTypeBetween } from "../../../src/assess/detect/security.js";
import { issueId } from "../../../src/assess/draft.js";
import type { AdvisoryRef, Dependency, MaintenanceIssue, RemediationPlan } from "../../../src/model/index.js";
import { makeDependency } from "../../helpers/factories.js";
import { detectContext, makeAdvisory, makeInputs } from "../helpers.js";

const run = (dependencies: Dependency[], withdrawnAdvisories?: string[]) =>
  detectSecurity(detectContext(makeInputs({ dependencies, ...(withdrawnAdvisories ? { withdrawnAdvisories } : {}) })));
const adv = (id: string, over: Partial<AdvisoryRef> = {}) => makeAdvisory({ id, aliases: [], url: null, cvss_vector: null, ...over });
const RUN_ONE = (ids: string) => `Run the tests listed under testing requirements and confirm ${ids} no longer matches`;
const plan = (over: Partial<RemediationPlan>): RemediationPlan => ({
  kind: "in_place",
  target_version: "2.20.0",
  file: "uv.lock",
  action: "Update requests to 2.20.0 in uv.lock",
  parent: null,
  risk: null,
  removes: [],
  reasons: [],
  ...over,
});

describe("stored data from before `kind` and `advisories`", () => {
  it("an advisory without a kind is a vulnerability", () => {
    const old = { ...makeAdvisory() } as Partial<AdvisoryRef>;
    delete old.kind;
    expect(isVulnerability(old as AdvisoryRef)).toBe(true);
    const r = run([makeDependency({ advisories: [old as AdvisoryRef] })]);
    expect(r.drafts.map((d) => d.subject)).toEqual(["security:pypi:requests@2.19.0"]);
  });

  it("a dependency without an advisories list makes no issue", () => {
    const old = { ...makeDependency() } as Partial<Dependency>;
    delete old.advisories;
    expect(run([old as Dependency]).drafts).toEqual([]);
  });
});

describe("order of the advisories", () => {
  it("equal scores by id; an unscored advisory after a score below 1", () => {
    const r = run([makeDependency({ advisories: [adv("GHSA-c", { score: 5 }), adv("GHSA-z", { score: null }), adv("GHSA-a", { score: 5 }), adv("GHSA-y", { score: 0.5 }), adv("GHSA-b", { score: 5 })] })]);
    const line = r.drafts[0].description.split("\n").find((l) => l.startsWith("Advisories: "));
    expect(line).toBe("Advisories: GHSA-a (CVSS 5.0), GHSA-b (CVSS 5.0), GHSA-c (CVSS 5.0), GHSA-y (CVSS 0.5), GHSA-z");
    expect(r.drafts[0].title).toBe("requests 2.19.0: 5 advisories (GHSA-a, GHSA-b, GHSA-c, …) in api");
  });

  it("an unscored advisory comes after a scored one, whatever the input order", () => {
    for (const list of [
      [adv("GHSA-y", { score: 0.5 }), adv("GHSA-z", { score: null })],
      [adv("GHSA-z", { score: null }), adv("GHSA-y", { score: 0.5 })],
    ]) {
      const line = run([makeDependency({ advisories: list })]).drafts[0].description.split("\n").find((l) => l.startsWith("Advisories: "));
      expect(line).toBe("Advisories: GHSA-y (CVSS 0.5), GHSA-z");
    }
  });

  it("a score without a vector is printed alone", () => {
    const r = run([makeDependency({ advisories: [adv("GHSA-a", { score: 7.5 })] })]);
    expect(r.drafts[0].description.split("\n")).toContain("CVSS score: 7.5");
  });

  it("the worst advisory's summary is trimmed when several are listed", () => {
    const r = run([makeDependency({ advisories: [adv("GHSA-a", { score: 9, summary: "  Padded summary  " }), adv("GHSA-b", { score: 2 })] })]);
    expect(r.drafts[0].description.split("\n")[0]).toBe("2 advisories affect requests 2.19.0; one upgrade removes them all. Worst: Padded summary");
  });
});

describe("several declarations of one package version", () => {
  const A = adv("PYSEC-2018-28", { score: 7.5 });
  const at = (component: string, file: string, over: Partial<Dependency> = {}) => makeDependency({ component, file, line: null, advisories: [A], ...over });

  it.each([
    ["reversed", ["web", "api/z", "api/a"]],
    ["sorted", ["api/a", "api/z", "web"]],
    ["mixed", ["api/z", "web", "api/a"]],
  ])("are listed by component, then file (%s input)", (_label, order) => {
    const decl: Record<string, Dependency> = { web: at("web", "web/b.txt"), "api/z": at("api", "api/z.txt"), "api/a": at("api", "api/a.txt") };
    const r = run(order.map((k) => decl[k]));
    const affected = r.drafts[0].description.split("\n").filter((l) => l.startsWith("- "));
    expect(affected).toEqual([
      "- requests 2.19.0 in api (api/a.txt, prod dependency, direct)",
      "- requests 2.19.0 in api (api/z.txt, prod dependency, direct)",
      "- requests 2.19.0 in web (web/b.txt, prod dependency, direct)",
    ]);
  });

  it("an advisory reported by several keeps the record of the first (by component, then file)", () => {
    const r = run([at("web", "web/b.txt", { advisories: [adv("PYSEC-2018-28", { score: 9.8 })] }), at("api", "api/a.txt")]);
    expect(r.drafts[0].severity).toBe("high");
    expect(r.drafts[0].facts.cvss).toBe(7.5);
  });

  it("fixed versions are listed together", () => {
    const r = run([at("api", "api/a.txt", { fixed_version: "2.31.0" }), at("web", "web/b.txt", { fixed_version: "2.20.0" })]);
    expect(r.drafts[0].description.split("\n")).toContain("Fixed in: 2.20.0, 2.31.0");
  });

  it("one action shared by two declarations is one step", () => {
    const same = plan({});
    const r = run([at("api", "api/a.txt", { remediation: same }), at("web", "web/b.txt", { remediation: same })]);
    expect(r.drafts[0].resolution_steps).toEqual(["Update requests to 2.20.0 in uv.lock", RUN_ONE("PYSEC-2018-28")]);
  });

  it("a no_fix plan means no fix even when the declaration names a fixed version", () => {
    const r = run([at("api", "api/a.txt", { fixed_version: "2.20.0", remediation: plan({ kind: "no_fix", target_version: null, action: "No release fixes it" }) })]);
    const d = r.drafts[0];
    expect(d.facts.fix_available).toBe(false);
    expect(d.estimated_effort).toBe("2 days");
    expect(d.resolution_steps[1]).toBe("No fixed version of requests is published for PYSEC-2018-28: pin requests in api/a.txt to a version outside the affected range, if one exists");
  });

  it("one unfixable declaration among fixable ones: no fix for the issue", () => {
    const r = run([at("api", "api/a.txt"), at("web", "web/b.txt", { fixed_version: "2.20.0", remediation: plan({ kind: "no_fix", target_version: null, action: "No release fixes it" }) })]);
    expect(r.drafts[0].facts.fix_available).toBe(false);
    expect(r.drafts[0].facts.update_type).toBeNull();
  });

  it("the pin step names every file without a fix, and only those", () => {
    const r = run([
      at("api", "api/a.txt", { fixed_version: null }),
      at("web", "web/b.txt", { fixed_version: "2.20.0", remediation: plan({ kind: "no_fix", target_version: null, action: "No release fixes it" }) }),
      at("worker", "worker/c.txt", { fixed_version: "2.20.0" }),
    ]);
    expect(r.drafts[0].resolution_steps).toContain(
      "No fixed version of requests is published for PYSEC-2018-28: pin requests in api/a.txt, web/b.txt to a version outside the affected range, if one exists",
    );
  });

  it("a transitive declaration at depth 2 names its lockfile", () => {
    const r = run([at("api", "api/pyproject.toml", { lockfile: "api/uv.lock", depth: 2, current_value: "(transitive)" })]);
    expect(r.drafts[0].description.split("\n")).toContain("- requests 2.19.0 in api (api/uv.lock, prod dependency, transitive, depth 2)");
  });

  it("a former per-advisory issue merges into the first declared version's issue", () => {
    const r = run([at("api", "api/a.txt"), at("web", "web/b.txt", { version: "2.18.0", current_value: "==2.18.0" })]);
    expect(r.drafts.map((d) => d.subject)).toEqual(["security:pypi:requests@2.18.0", "security:pypi:requests@2.19.0"]);
    expect(r.supersededBy!({ subject: "security:pypi:requests:PYSEC-2018-28" } as MaintenanceIssue)).toBe(issueId("security", "security:pypi:requests@2.19.0"));
  });
});

describe("versions compared in the package's ecosystem", () => {
  it("a PyPI post-release is a patch (PEP 440), not an unknown change", () => {
    expect(updateTypeBetween("pip", "2.19.0", "2.19.1.post1")).toBe("patch");
    expect(updateTypeBetween("pip", "2.19.0", "2.19.0.post1")).toBe("none");
  });
});

describe("what this run checked", () => {
  it("a package present but not checked is not covered, even when others of its ecosystem were", () => {
    const r = run([makeDependency({ advisories_checked: false }), makeDependency({ name: "flask", version: "1.0", advisories_checked: true })]);
    expect(r.covers({ subject: "security:pypi:requests@2.19.0" } as MaintenanceIssue)).toBe(false);
    expect(r.covers({ subject: "security:pypi:flask@1.0" } as MaintenanceIssue)).toBe(true);
    expect(r.covers({ subject: "security:pypi:django@3.0" } as MaintenanceIssue)).toBe(true);
  });
});

describe("withdrawn advisories read back from a stored issue", () => {
  const stored = (description: string) => ({ subject: "security:pypi:requests@2.19.0", description }) as MaintenanceIssue;

  it("lists them sorted by id", () => {
    const r = run([], ["PYSEC-1", "PYSEC-2"]);
    expect(r.goneReason(stored("x\n\nAdvisories: PYSEC-2 (CVSS 9.0), PYSEC-1\nmore"))).toBe("advisory PYSEC-1, PYSEC-2 was withdrawn");
  });

  it("an alias that was withdrawn is not the advisory's own id", () => {
    const r = run([], ["CVE-2018-1"]);
    expect(r.goneReason(stored("Advisories: GHSA-1 (CVSS 7.5) (aliases: CVE-2018-1, CVE-2018-2)"))).toBe(
      "no advisory matches requests 2.19.0 any more (upgraded, removed, or the advisories were withdrawn)",
    );
  });
});
