import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { knownActionInputs, parseRunnerLabel } from "../../../src/scan/managers/github-actions-known.js";
import { githubActionsManager } from "../../../src/scan/managers/github-actions.js";
import type { ExtractContext, ExtractedDependency } from "../../../src/scan/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, "../../fixtures/scan-perf");
const ctx: ExtractContext = { readFile: () => undefined, allFiles: [] };

function extract(rel: string) {
  return githubActionsManager.extract(rel, readFileSync(path.join(FIXTURES, rel), "utf8"), ctx);
}
const summary = (d: ExtractedDependency) => [d.line, d.name, d.datasource, d.current_value, d.skip_reason];

describe("setup actions' with: versions (Renovate uses-with)", () => {
  const file = ".github/workflows/tools.yaml";
  const r = extract(file);
  const withDeps = r.deps.filter((d) => d.notes?.some((n) => n.includes(" input of ")));

  it("extracts them beside the uses: deps, without warnings", () => {
    expect(r.warnings).toEqual([]);
    expect(withDeps.map(summary)).toEqual([
      [9, "helm/helm", "github-tags", "v3.13.3", null],
      [10, "node", "node-version", "", "unspecified version"],
      [16, "go", "none", "1.22", null],
      [19, "hashicorp/terraform", "github-tags", "1.7.5", null],
      [22, "pyright", "npm", "PATH", "invalid version"],
      [25, "node", "node-version", "${{ matrix.node }}", "expression"],
      [31, "kubernetes-sigs/kind", "github-tags", "v0.22.0", null],
      [32, "kindest/node", "docker", "v1.29.2", null],
      [36, "cargo-audit", "crates", "0.20", null],
      [40, "java-jdk", "none", "21", "unsupported distribution"],
      [41, "helm/helm", "github-tags", "", "unspecified version"],
    ]);
  });

  it("says which input of which action, and where an unspecified version comes from", () => {
    const helm = withDeps[0];
    expect(helm).toMatchObject({ package_manager: "github-actions", dependency_type: "build", version: "v3.13.3", registry_url: "https://github.com", file });
    expect(helm.notes).toEqual(["`version` input of azure/setup-helm (helm)"]);
    expect(withDeps[1].notes).toEqual(["`node-version` input of actions/setup-node", "version read from package.json"]);
  });

  it("ignores steps without with: and actions it does not know", () => {
    // setup-python@v5 (line 13) has no with:, checkout's with: has no version meaning.
    expect(withDeps.some((d) => d.line === 13 || d.line === 47 || d.line === 49)).toBe(false);
  });

  it("reads composite action steps too", () => {
    const a = extract(".github/actions/tools/action.yml");
    expect(a.warnings).toEqual([]);
    expect(a.deps.filter((d) => d.notes).map(summary)).toEqual([[7, "pnpm", "npm", "9.1.0", null]]);
  });
});

describe("runs-on runner labels (Renovate github-runners)", () => {
  const r = extract(".github/workflows/tools.yaml");
  const runners = r.deps.filter((d) => d.skip_reason === "github-hosted runner");

  it("lists GitHub-hosted images with datasource none, skipping self-hosted, expressions and unknown images", () => {
    expect(runners.map(summary)).toEqual([
      [5, "ubuntu", "none", "22.04", "github-hosted runner"],
      [27, "ubuntu", "none", "20.04", "github-hosted runner"],
      [51, "macos", "none", "latest", "github-hosted runner"],
    ]);
    expect(runners[1].notes).toContain("ubuntu-20.04 is deprecated by GitHub");
  });

  it("parses labels like Renovate's extractRunner", () => {
    expect(parseRunnerLabel("ubuntu-24.04-arm")).toEqual({ os: "ubuntu", version: "24.04-arm", deprecated: false });
    expect(parseRunnerLabel("windows-2019")).toEqual({ os: "windows", version: "2019", deprecated: true });
    expect(parseRunnerLabel("self-hosted")).toBeNull();
    expect(parseRunnerLabel("constructor-latest")).toBeNull();
    expect(parseRunnerLabel("ubuntu")).toBeNull();
  });
});

describe("knownActionInputs", () => {
  it("matches by action path, ignoring the ref, case and a GHES host", () => {
    expect(knownActionInputs("azure/setup-helm@v4")?.[0].name).toBe("helm/helm");
    expect(knownActionInputs("https://ghe.example.com/azure/setup-helm@v4")?.[0].name).toBe("helm/helm");
    expect(knownActionInputs("GitTools/actions/gitversion/setup@v3")?.[0].input).toBe("versionSpec");
    expect(knownActionInputs("azure/setup-helm-fork@v4")).toBeUndefined();
    expect(knownActionInputs("constructor")).toBeUndefined();
  });
});
