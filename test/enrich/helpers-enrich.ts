import type { DatasourceName, ExtractedDependency, PackageManager, ScanResult } from "../../src/scan/types.js";

export function dep(name: string, version: string, extra: Partial<ExtractedDependency> = {}): ExtractedDependency {
  const datasource: DatasourceName = extra.datasource ?? "npm";
  const pm: PackageManager = extra.package_manager ?? (datasource === "pypi" ? "pip" : datasource === "crates" ? "cargo" : datasource === "go" ? "go" : "npm");
  return {
    name,
    package_manager: pm,
    datasource,
    file: "package.json",
    line: 3,
    dependency_type: "prod",
    current_value: version,
    version,
    locked_version: null,
    registry_url: null,
    digest: null,
    skip_reason: null,
    local_path: null,
    component: "app",
    ...extra,
  };
}

export function scanOf(deps: ExtractedDependency[], extra: Partial<ScanResult> = {}): ScanResult {
  return {
    source: "memory",
    commit_sha: null,
    components: [
      { name: "app", path: ".", type: "api", version: "1.0.0", manifests: ["package.json"], dependencies: [], dependent_components: [], meta: { node_engines: ">=18", requires_python: ">=3.9" } },
    ],
    dependencies: deps,
    locked: [],
    warnings: [],
    files_scanned: 1,
    manifests: ["package.json"],
    ...extra,
  };
}
