import type { Dependency } from "../src/model/index.js";
import type { DatasourceName } from "../src/scan/types.js";

/** A transitive dependency "vulnerable" to one synthetic advisory fixed in the next patch version. */
export function makeBenchDependency(name: string, version: string, datasource: DatasourceName, lockfile: string, depth: number | null): Dependency {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)/.exec(version);
  const fixed = m ? `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + 1}` : null;
  return {
    name,
    version,
    latest_version: null,
    package_manager: datasource,
    component: "c",
    cve_ids: [],
    vulnerability_score: 7.5,
    patch_available: fixed !== null,
    compatibility: { status: "unknown", reasons: [], target_version: null },
    breaking_changes: [],
    deprecated: false,
    auto_update_safe: false,
    update_risk: "none",
    last_updated: null,
    next_review_date: null,
    datasource,
    file: lockfile,
    line: null,
    dependency_type: "prod",
    // A direct dependency has the requirement its manifest declares (here: its own version); a
    // transitive one has none.
    current_value: depth === 1 ? version : "(transitive)",
    locked_version: version,
    update_type: "unknown",
    days_behind: null,
    latest_release_date: null,
    fixed_version: fixed,
    vulnerability_score_estimated: false,
    advisories: [{ id: "BENCH-1", kind: "vulnerability", aliases: [], summary: "", url: null, score: 7.5, score_estimated: false, cvss_vector: null, fixed_version: fixed, published: null }],
    source_url: null,
    lookup: { status: "skipped", reason: "bench" },
    advisories_checked: true,
    skip_reason: null,
    depth,
    introduced_through: [],
    dev_only: false,
    lockfile,
    remediation: null,
    value_span: null,
    declared_by: null,
    notes: [],
  };
}
