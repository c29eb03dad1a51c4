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

  it("opens one issue per vulnerable package version across components, with every field filled", () => {
    const adv = makeAdvisory();
    const inputs = makeInputs({
      scan: makeScan(comps),
      dependencies: [
        makeDependency({ name: "requests", version: "2.19.0", locked_version: "2.19.0", component: "leapfrogai_api", file: "src/leapfrogai_api/pyproject.toml", line: 12, lockfile: "src/leapfrogai_api/uv.lock", depth: 1, advisories: [adv] }),
        makeDependency({ name: "requests", version: "2.19.0", component: "worker", file: "packages/worker/requirements.txt", line: 3, advisories: [adv] }),
        makeDependency({ name: "requests", version: "2.19.1", component: "worker", file: "packages/worker/requirements-old.txt", line: 1, advisories: [adv] }),
        makeDependency({ name: "flask", version: "3.0.0", component: "worker", file: "packages/worker/requirements.txt", advisories: [] }),
      ],
    });
    const { drafts } = detectSecurity(detectContext(inputs));
    expect(drafts.map((d) => d.subject)).toEqual(["security:pypi:requests@2.19.0", "security:pypi:requests@2.19.1"]);
    const d = drafts[0];
    expect(d.title).toBe("PYSEC-2018-28: requests 2.19.0 in leapfrogai_api, worker");
    expect(d.severity).toBe("high");
    expect(d.affected_components).toEqual(["leapfrogai_api", "worker"]);
    expect(d.files_affected).toEqual(["packages/worker/requirements.txt", "src/leapfrogai_api/pyproject.toml", "src/leapfrogai_api/uv.lock"]);
    expect(d.description).toContain("Requests sends Authorization headers");
    expect(d.description).toContain("CVE-2018-18074");
    expect(d.description).toContain("CVSS score: 7.5 (CVSS:3.1/");
    expect(d.description).toContain("Fixed in: 2.20.0");
    expect(d.resolution_steps).toContain("Upgrade requests from 2.19.0 to 2.20.0 in src/leapfrogai_api/pyproject.toml (line 12)");
    expect(d.resolution_steps).toContain("Upgrade requests from 2.19.0 to 2.20.0 in packages/worker/requirements.txt (line 3)");
    expect(d.resolution_steps).toContain("Regenerate src/leapfrogai_api/uv.lock so it pins requests 2.20.0 or later");
    expect(d.testing_requirements).toEqual(["pytest for leapfrogai_api", "pytest for worker"]);
    expect(d.estimated_effort).toBe("1 hour");
    expect(d.facts.fix_available).toBe(true);
    expect(d.facts.update_type).toBe("minor");
    expect(d.packages).toHaveLength(2);
  });

  it("lists every advisory one upgrade removes in one issue; the highest CVSS sets the severity", () => {
    const advs = [
      makeAdvisory({ id: "PYSEC-2018-28", score: 5.3, fixed_version: "2.20.0" }),
      makeAdvisory({ id: "PYSEC-2023-74", aliases: ["CVE-2023-32681"], score: 9.1, fixed_version: "2.31.0" }),
    ];
    const inputs = makeInputs({
      scan: makeScan(comps),
      dependencies: [makeDependency({ name: "requests", version: "2.19.1", component: "worker", file: "packages/worker/requirements.txt", line: 3, fixed_version: "2.31.0", advisories: advs })],
    });
    const { drafts } = detectSecurity(detectContext(inputs));
    expect(drafts).toHaveLength(1);
    expect(drafts[0].title).toBe("requests 2.19.1: 2 advisories (PYSEC-2023-74, PYSEC-2018-28) in worker");
    expect(drafts[0].severity).toBe("critical");
    expect(drafts[0].facts.cvss).toBe(9.1);
    expect(drafts[0].description).toContain("Advisories: PYSEC-2023-74 (CVSS 9.1), PYSEC-2018-28 (CVSS 5.3)");
    expect(drafts[0].resolution_steps[0]).toBe("Upgrade requests from 2.19.1 to 2.31.0 in packages/worker/requirements.txt (line 3)");
  });

  it("leaves informational advisories (unmaintained, unsound) to the dependency detector", () => {
    const inputs = makeInputs({
      scan: makeScan(comps),
      dependencies: [makeDependency({ name: "bincode", package_manager: "cargo", datasource: "crates", version: "1.3.3", advisories: [makeAdvisory({ id: "RUSTSEC-2025-0141", kind: "unmaintained", score: null })] })],
    });
    expect(detectSecurity(detectContext(inputs)).drafts).toEqual([]);
  });

  it("names the lockfile and the introducing paths of a transitive package, and follows its remediation plan", () => {
    const path = [
      { name: "axum", version: "0.7.5", requirement: "0.7" },
      { name: "hyper", version: "1.4.1", requirement: "^1.4" },
      { name: "h2", version: "0.4.15", requirement: "^0.4.2" },
    ];
    const dep = makeDependency({
      name: "h2",
      package_manager: "cargo",
      datasource: "crates",
      version: "0.4.15",
      locked_version: "0.4.15",
      current_value: "(transitive)",
      component: "worker",
      file: "Cargo.lock",
      line: null,
      lockfile: "Cargo.lock",
      depth: 3,
      introduced_through: [path],
      fixed_version: "0.4.16",
      advisories: [makeAdvisory({ id: "RUSTSEC-2099-0001", fixed_version: "0.4.16" })],
      remediation: {
        kind: "in_place",
        target_version: "0.4.16",
        file: "Cargo.lock",
        action: "Update h2 from 0.4.15 to 0.4.16 in Cargo.lock only (cargo update -p h2@0.4.15 --precise 0.4.16): hyper 1.4.1 requires ^0.4.2, which admits it",
        parent: null,
        risk: null,
        removes: ["RUSTSEC-2099-0001"],
        reasons: [],
      },
    });
    const d = detectSecurity(detectContext(makeInputs({ scan: makeScan(comps), dependencies: [dep] }))).drafts[0];
    expect(d.description).toContain("introduced through worker → axum 0.7.5 → hyper 1.4.1 → h2 0.4.15");
    expect(d.description).toContain("transitive, depth 3");
    expect(d.files_affected).toEqual(["Cargo.lock"]);
    expect(d.resolution_steps[0]).toMatch(/^Update h2 from 0.4.15 to 0.4.16 in Cargo.lock only/);
    // No step names a manifest: none of them declares h2.
    expect(d.resolution_steps.join("\n")).not.toMatch(/Cargo\.toml/);
  });

  it("leaves out packages reached only through dev dependencies when the config says so", () => {
    const dev = makeDependency({ component: "worker", dev_only: true, dependency_type: "dev", advisories: [makeAdvisory()] });
    const ctx = detectContext(makeInputs({ scan: makeScan(comps), dependencies: [dev] }));
    expect(detectSecurity(ctx).drafts).toHaveLength(1);
    ctx.config.issues.include_dev_only = false;
    expect(detectSecurity(ctx).drafts).toHaveLength(0);
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
