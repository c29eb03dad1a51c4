import { describe, expect, it } from "vitest";
import { buildAlerts } from "../../src/assess/alerts.js";
import { detectDependency } from "../../src/assess/detect/dependency.js";
import { detectSecurity, updateTypeBetween } from "../../src/assess/detect/security.js";
import { datasourceOf, ecosystemOf } from "../../src/assess/draft.js";
import { ruleMatches } from "../../src/assess/ignore.js";
import { Dependency } from "../../src/model/dependency.js";
import { makeDependency } from "../helpers/factories.js";
import { config, detectContext, makeAdvisory, makeComponent, makeInputs, makeScan, NOW } from "./helpers.js";

const comps = [makeComponent({ name: "api" })];
const outdated = { update_type: "major" as const, days_behind: 30, advisories: [], latest_release_date: "2026-01-01T00:00:00Z", cve_ids: [] };

function subjects(deps: Parameters<typeof makeDependency>[0][]): string[] {
  const r = detectDependency(detectContext(makeInputs({ scan: makeScan(comps), dependencies: deps.map((d) => makeDependency({ ...outdated, ...d })) })));
  return r.drafts.map((d) => d.subject).sort();
}

describe("datasourceOf", () => {
  it("uses the recorded datasource, else the package manager's ecosystem", () => {
    expect(datasourceOf({ package_manager: "github-actions", datasource: "node-version" })).toBe("node-version");
    expect(datasourceOf({ package_manager: "zarf", datasource: "docker" })).toBe("docker");
    expect(datasourceOf({ package_manager: "pip", datasource: "none" })).toBe("pypi");
    expect(datasourceOf({ package_manager: "pip" })).toBe("pypi");
    expect(datasourceOf({ package_manager: "npm", datasource: "made-up" })).toBe("npm");
    expect(ecosystemOf("zarf")).toBe("none");
  });

  it("old stored dependencies without the field parse with datasource none", () => {
    const { datasource: _drop, ...old } = makeDependency();
    void _drop;
    expect(Dependency.parse(old).datasource).toBe("none");
  });
});

describe("issue subjects follow the datasource", () => {
  it("keeps the subjects of the package-manager ecosystems stable", () => {
    expect(
      subjects([
        { name: "fastapi", package_manager: "pip", datasource: "pypi" },
        { name: "left-pad", package_manager: "npm", datasource: "npm" },
        { name: "serde", package_manager: "cargo", datasource: "crates" },
        { name: "golang.org/x/net", package_manager: "go", datasource: "go" },
        { name: "python", package_manager: "docker", datasource: "docker" },
        { name: "postgresql", package_manager: "helm", datasource: "helm" },
        { name: "actions/checkout", package_manager: "github-actions", datasource: "github-tags" },
        // Stored before the field existed.
        { name: "requests", package_manager: "pip", datasource: "none" },
      ]),
    ).toEqual([
      "dependency:crates:serde",
      "dependency:docker:python",
      "dependency:github-tags:actions/checkout",
      "dependency:go:golang.org/x/net",
      "dependency:helm:postgresql",
      "dependency:npm:left-pad",
      "dependency:pypi:fastapi",
      "dependency:pypi:requests",
    ]);
  });

  it("names workflow inputs and zarf/uds images by their real ecosystem", () => {
    expect(
      subjects([
        { name: "node", package_manager: "github-actions", datasource: "node-version" },
        { name: "ruff", package_manager: "github-actions", datasource: "pypi" },
        { name: "postgres", package_manager: "github-actions", datasource: "docker" },
        { name: "ghcr.io/stefanprodan/podinfo", package_manager: "zarf", datasource: "docker" },
        { name: "ghcr.io/acme/pkg", package_manager: "uds", datasource: "docker" },
      ]),
    ).toEqual([
      "dependency:docker:ghcr.io/acme/pkg",
      "dependency:docker:ghcr.io/stefanprodan/podinfo",
      "dependency:docker:postgres",
      "dependency:node-version:node",
      "dependency:pypi:ruff",
    ]);
  });

  it("security subjects, ignore rules and update sizes use the datasource's versioning", () => {
    const d = makeDependency({ name: "ruff", package_manager: "github-actions", datasource: "pypi", version: "0.1.0", advisories: [makeAdvisory({ id: "PYSEC-1", fixed_version: "0.2.0" })] });
    const r = detectSecurity(detectContext(makeInputs({ scan: makeScan(comps), dependencies: [d] })));
    expect(r.drafts.map((x) => x.subject)).toEqual(["security:pypi:ruff@0.1.0"]);
    expect(r.drafts[0].packages[0].datasource).toBe("pypi");
    // PEP 440 ranges only make sense with the pypi versioning, not github-tags (the action guess).
    const rule = { package: "ruff", versions: "!=0.0.5,>=0.1", reason: "x" };
    expect(ruleMatches(rule, r.drafts[0].packages[0])).toBe(true);
    const { datasource: _ds, ...guessed } = r.drafts[0].packages[0];
    void _ds;
    expect(ruleMatches(rule, guessed)).toBe(false); // github-tags versioning cannot read the PEP 440 range
    expect(updateTypeBetween("github-actions", "0.1.0", "0.2.0", "pypi")).toBe("minor");
  });

  it("outdated alerts key on the datasource", () => {
    const alerts = buildAlerts({
      issues: [],
      cvssByIssue: {},
      components: [],
      dependencies: [makeDependency({ name: "ghcr.io/acme/app", package_manager: "zarf", datasource: "docker", days_behind: 400 })],
      coverage: {},
      config: config(),
      now: NOW,
    });
    expect(alerts.map((a) => a.key)).toEqual(["outdated_dependency:docker:ghcr.io/acme/app"]);
  });
});
