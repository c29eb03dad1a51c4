/**
 * The shared helpers of the detectors (issue 18: mutation testing of src/assess/draft.ts): issue ids,
 * ecosystems, component lookup by path, test suites per manifest, version labels.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  compareStrings,
  componentForPath,
  componentTypeOf,
  datasourceOf,
  ecosystemOf,
  isOpenIssue,
  issueId,
  maxSeverity,
  nonDependencyFacts,
  testSuitesFor,
  uniqSorted,
  versionLabel,
} from "../../src/assess/draft.js";
import { makeIssue } from "../helpers/factories.js";
import { makeComponent } from "./helpers.js";

describe("issueId", () => {
  it("is the type prefix and the first 12 hex digits of sha256(type, newline, subject)", () => {
    const hex = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);
    expect(issueId("security", "security:pypi:requests@2.19.0")).toBe(`sec-${hex("security\nsecurity:pypi:requests@2.19.0")}`);
    expect(issueId("dependency", "d")).toBe(`dep-${hex("dependency\nd")}`);
    expect(issueId("bug", "b")).toBe(`bug-${hex("bug\nb")}`);
    expect(issueId("documentation", "x")).toBe(`doc-${hex("documentation\nx")}`);
    expect(issueId("performance", "p")).toBe(`perf-${hex("performance\np")}`);
  });
});

describe("ecosystems", () => {
  it("maps package managers to datasources", () => {
    const map = Object.fromEntries(["npm", "pip", "poetry", "uv", "cargo", "go", "docker", "github-actions", "helm", "maven"].map((m) => [m, ecosystemOf(m)]));
    expect(map).toEqual({ npm: "npm", pip: "pypi", poetry: "pypi", uv: "pypi", cargo: "crates", go: "go", docker: "docker", "github-actions": "github-tags", helm: "helm", maven: "none" });
  });

  it("prefers a known recorded datasource, else the manager's", () => {
    expect(datasourceOf({ package_manager: "github-actions", datasource: "docker" })).toBe("docker");
    expect(datasourceOf({ package_manager: "npm", datasource: "node-version" })).toBe("node-version");
    for (const ds of ["npm", "pypi", "crates", "go", "docker", "github-tags", "helm", "git", "node-version", "python-version"]) {
      expect(datasourceOf({ package_manager: "maven", datasource: ds }), ds).toBe(ds);
    }
    expect(datasourceOf({ package_manager: "pip", datasource: "none" })).toBe("pypi");
    expect(datasourceOf({ package_manager: "pip", datasource: "made-up" })).toBe("pypi");
    expect(datasourceOf({ package_manager: "cargo", datasource: null })).toBe("crates");
    expect(datasourceOf({ package_manager: "cargo" })).toBe("crates");
  });
});

describe("small helpers", () => {
  it("uniqSorted, compareStrings, maxSeverity, isOpenIssue, versionLabel, nonDependencyFacts", () => {
    expect(uniqSorted(["b", "a", "b", "C"])).toEqual(["C", "a", "b"]);
    expect([compareStrings("a", "b"), compareStrings("b", "a"), compareStrings("a", "a")]).toEqual([-1, 1, 0]);
    expect(maxSeverity([])).toBe("low");
    expect(maxSeverity(["medium", "critical", "high"])).toBe("critical");
    expect(maxSeverity(["medium", "low"])).toBe("medium");
    expect([isOpenIssue(makeIssue({ status: "open" })), isOpenIssue(makeIssue({ status: "in_progress" })), isOpenIssue(makeIssue({ status: "deferred" })), isOpenIssue(makeIssue({ status: "resolved" }))]).toEqual([true, true, false, false]);
    expect(versionLabel({ version: " 1.2.3 ", current_value: "^1" })).toBe("1.2.3");
    expect(versionLabel({ version: "", current_value: " ^1.2 " })).toBe("^1.2");
    expect(versionLabel({ version: " ", current_value: "" })).toBe("(unpinned)");
    expect(nonDependencyFacts("ci")).toEqual({ dependency_types: [], update_type: null, breaking_changes: 0, cvss: null, cvss_estimated: false, fix_available: null, deprecated_target: false, release_age_days: null, change_kind: "ci" });
  });
});

describe("componentForPath", () => {
  const root = makeComponent({ name: "root", path: "." });
  const api = makeComponent({ name: "api", path: "src/api" });
  const apiV2 = makeComponent({ name: "api-v2", path: "src/api/v2/" });
  const empty = makeComponent({ name: "empty", path: "" });

  it("the component with the longest matching directory", () => {
    expect(componentForPath("src/api/v2/main.py", [root, api, apiV2])?.name).toBe("api-v2");
    expect(componentForPath("src/api/v2/main.py", [apiV2, api, root])?.name).toBe("api-v2");
    expect(componentForPath("src/api/main.py", [root, apiV2, api])?.name).toBe("api");
    expect(componentForPath("src/api", [root, api])?.name).toBe("api");
    expect(componentForPath("src/apiary/x.py", [root, api])?.name).toBe("root");
    expect(componentForPath("docs/x.md", [api])).toBeNull();
    expect(componentForPath("docs/x.md", [empty])?.name).toBe("empty");
    // A root component listed after a deeper one does not win.
    expect(componentForPath("src/api/x.py", [api, root])?.name).toBe("api");
  });

  it("componentTypeOf", () => {
    expect(componentTypeOf("api", [root, api])).toBe("api");
    expect(componentTypeOf("ghost", [root, api])).toBeNull();
  });
});

describe("testSuitesFor", () => {
  it("names a runner per manifest kind, plus the suites CI reported, sorted and unique", () => {
    const c = makeComponent({
      name: "svc",
      manifests: [
        "svc/package.json",
        "svc/pyproject.toml",
        "svc/setup.py",
        "svc/setup.cfg",
        "svc/requirements-dev.txt",
        "svc/Pipfile",
        "svc/Cargo.toml",
        "svc/go.mod",
        "svc/Dockerfile.prod",
        "svc/api.Dockerfile",
        "svc/Containerfile",
        "svc/chart/Chart.yaml",
        "zarf.yml",
        "uds-bundle.yaml",
        ".github/workflows/ci.yml",
      ],
    });
    expect(testSuitesFor("svc", [c], ["unit", "e2e"])).toEqual([
      'CI suite "e2e" for svc',
      'CI suite "unit" for svc',
      "cargo test for svc",
      "docker build for svc",
      "go test ./... for svc",
      "helm lint and helm template for svc",
      "npm test for svc",
      "pytest for svc",
      "the GitHub Actions workflows of svc",
      "uds create for svc",
      "zarf package create for svc",
    ]);
  });

  it("manifests it does not know, or no component: a generic step", () => {
    const c = makeComponent({ name: "x", manifests: ["x/build.gradle", "x/mypackage.json", "x/Cargo.toml.bak", ".github/workflows/nested/a.yml"] });
    expect(testSuitesFor("x", [c])).toEqual(["the test suite of x (no runner detected: run its build and smoke tests)"]);
    expect(testSuitesFor("ghost", [c])).toEqual(["the test suite of ghost (no runner detected: run its build and smoke tests)"]);
  });
});
