import type { ExtractedDependency, ScanResult, ScanWarning } from "../../scan/types.js";

/** A dependency as the CLI prints it: the seed's field names first, then the scan facts. */
export interface ReportDependency {
  name: string;
  version: string;
  package_manager: string;
  component: string;
  file: string;
  line: number | null;
  dependency_type: string;
  current_value: string;
  locked_version: string | null;
  datasource: string;
  registry_url: string | null;
  digest: string | null;
  skip_reason: string | null;
  local_path: string | null;
}

export interface ReportComponent {
  name: string;
  path: string;
  type: string;
  version: string;
  dependencies: string[];
  dependent_components: string[];
  manifests: string[];
  dependency_list: ReportDependency[];
}

/** The `cowabunga scan --format json` document. */
export interface ScanReport {
  source: string;
  commit_sha: string | null;
  files_scanned: number;
  components: ReportComponent[];
  warnings: ScanWarning[];
}

export function toReportDependency(d: ExtractedDependency): ReportDependency {
  return {
    name: d.name,
    version: d.version,
    package_manager: d.package_manager,
    component: d.component,
    file: d.file,
    line: d.line,
    dependency_type: d.dependency_type,
    current_value: d.current_value,
    locked_version: d.locked_version,
    datasource: d.datasource,
    registry_url: d.registry_url,
    digest: d.digest,
    skip_reason: d.skip_reason,
    local_path: d.local_path,
  };
}

export function toScanReport(result: ScanResult): ScanReport {
  return {
    source: result.source,
    commit_sha: result.commit_sha,
    files_scanned: result.files_scanned,
    components: result.components.map((c) => ({
      name: c.name,
      path: c.path,
      type: c.type,
      version: c.version,
      dependencies: c.dependencies,
      dependent_components: c.dependent_components,
      manifests: c.manifests,
      dependency_list: result.dependencies.filter((d) => d.component === c.name).map(toReportDependency),
    })),
    warnings: result.warnings,
  };
}
