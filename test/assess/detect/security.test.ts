import { describe, expect, it } from "vitest";
import { detectSecurity, severityFromCvss, updateTypeBetween } from "../../../src/assess/detect/security.js";
import { makeDependency } from "../../helpers/factories.js";
import { detectContext, makeAdvisory, makeComponent, makeInputs, makeScan } from "../helpers.js";

describe("severityFromCvss", () => {
  it("maps CVSS bands and treats a missing score as medium", () => {
    expect(severityFromCvss(9.8)).toBe("critical");
    expect(severityFromCvss(9.0)).toBe("critical");
    expect(severityFromCvss(8.9)).toBe("high");
    expect(severityFromCvss(7.0)).toBe("high");
    expect(severityFromCvss(6.9)).toBe("medium");
    expect(severityFromCvss(4.0)).toBe("medium");
    expect(severityFromCvss(3.9)).toBe("low");
    expect(severityFromCvss(0)).toBe("low");
    expect(severityFromCvss(null)).toBe("medium");
  });
});

describe("updateTypeBetween", () => {
  it("uses the ecosystem's version parts", () => {
    expect(updateTypeBetween("pip", "2.19.0", "2.20.0")).toBe("minor");
    expect(updateTypeBetween("npm", "1.2.3", "2.0.0")).toBe("major");
    expect(updateTypeBetween("cargo", "0.4.1", "0.4.2")).toBe("patch");
    expect(updateTypeBetween("pip", "not a version", "2.0")).toBe("unknown");
  });
});

describe("detectSecurity", () => {
  const comps = [
    makeComponent({ name: "leapfrogai_api", path: "src/leapfrogai_api", type: "api", manifests: ["src/leapfrogai_api/pyproject.toml"] }),
    makeComponent({ name: "leapfrogai_ui", path: "src/leapfrogai_ui", type: "ui", manifests: ["src/leapfrogai_ui/package.json"] }),
    makeComponent({ name: "worker", path: "packages/worker", type: "backend", manifests: ["packages/worker/requirements.txt"] }),
  ];

  it("opens one issue per advisory and package across components, with every field filled", () => {
    const adv = makeAdvisory();
    const inputs = makeInputs({
      scan: makeScan(comps, {
        locked: [{ name: "requests", version: "2.19.0", datasource: "pypi", component: "leapfrogai_api", file: "src/leapfrogai_api/uv.lock" }],
      }),
      dependencies: [
        makeDependency({ name: "requests", version: "2.19.0", locked_version: "2.19.0", component: "leapfrogai_api", file: "src/leapfrogai_api/pyproject.toml", line: 12, advisories: [adv] }),
        makeDependency({ name: "requests", version: "2.19.1", component: "worker", file: "packages/worker/requirements.txt", line: 3, advisories: [adv] }),
        makeDependency({ name: "flask", version: "3.0.0", component: "worker", file: "packages/worker/requirements.txt", advisories: [] }),
      ],
    });
    const { drafts } = detectSecurity(detectContext(inputs));
    expect(drafts).toHaveLength(1);
    const d = drafts[0];
    expect(d.subject).toBe("security:pypi:requests:PYSEC-2018-28");
    expect(d.title).toBe("PYSEC-2018-28: requests 2.19.0, 2.19.1 in leapfrogai_api, worker");
    expect(d.severity).toBe("high");
    expect(d.affected_components).toEqual(["leapfrogai_api", "worker"]);
    expect(d.files_affected).toEqual(["packages/worker/requirements.txt", "src/leapfrogai_api/pyproject.toml", "src/leapfrogai_api/uv.lock"]);
    expect(d.description).toContain("Requests sends Authorization headers");
    expect(d.description).toContain("CVE-2018-18074");
    expect(d.description).toContain("CVSS score: 7.5 (CVSS:3.1/");
    expect(d.description).toContain("Fixed in: 2.20.0");
    expect(d.resolution_steps).toContain("Upgrade requests from 2.19.0 to 2.20.0 in src/leapfrogai_api/pyproject.toml (line 12)");
    expect(d.resolution_steps).toContain("Upgrade requests from 2.19.1 to 2.20.0 in packages/worker/requirements.txt (line 3)");
    expect(d.resolution_steps).toContain("Regenerate src/leapfrogai_api/uv.lock so it pins requests 2.20.0 or later");
    expect(d.testing_requirements).toEqual(["pytest for leapfrogai_api", "pytest for worker"]);
    expect(d.estimated_effort).toBe("1 hour");
    expect(d.facts.fix_available).toBe(true);
    expect(d.facts.update_type).toBe("minor");
    expect(d.packages).toHaveLength(2);
  });

  it("gives mitigations and 2 days of effort when no fix exists", () => {
    const inputs = makeInputs({
      scan: makeScan(comps),
      dependencies: [
        makeDependency({ name: "left-pad", package_manager: "npm", version: "1.0.0", component: "leapfrogai_ui", file: "src/leapfrogai_ui/package.json", fixed_version: null, advisories: [makeAdvisory({ id: "GHSA-aaaa-bbbb-cccc", aliases: [], fixed_version: null, score: 9.8 })] }),
      ],
    });
    const d = detectSecurity(detectContext(inputs)).drafts[0];
    expect(d.severity).toBe("critical");
    expect(d.description).toContain("Fixed in: no fixed version published");
    expect(d.estimated_effort).toBe("2 days");
    const steps = d.resolution_steps.join("\n");
    expect(steps).toMatch(/pin left-pad .* outside the affected range/);
    expect(steps).toMatch(/Remove left-pad/);
    expect(steps).toMatch(/Vendor left-pad/);
    expect(steps).toMatch(/Monitor GHSA-aaaa-bbbb-cccc/);
    expect(d.testing_requirements).toEqual(["npm test for leapfrogai_ui"]);
    expect(d.facts.fix_available).toBe(false);
  });

  it("treats an advisory without a score as medium and says so", () => {
    const inputs = makeInputs({
      scan: makeScan(comps),
      dependencies: [makeDependency({ component: "worker", advisories: [makeAdvisory({ score: null, cvss_vector: null })] })],
    });
    const d = detectSecurity(detectContext(inputs)).drafts[0];
    expect(d.severity).toBe("medium");
    expect(d.description).toContain("CVSS score: unknown (no score published; severity treated as medium)");
  });

  it("marks estimated scores", () => {
    const inputs = makeInputs({
      scan: makeScan(comps),
      dependencies: [makeDependency({ component: "worker", advisories: [makeAdvisory({ score: 7, score_estimated: true, cvss_vector: null })] })],
    });
    expect(detectSecurity(detectContext(inputs)).drafts[0].description).toContain("estimated from the advisory's severity rating");
  });

  it("finds nothing without advisories", () => {
    expect(detectSecurity(detectContext(makeInputs({ dependencies: [makeDependency()] }))).drafts).toEqual([]);
  });
});
