import { createHash } from "node:crypto";
import type { ComponentType, DependencyType, IssueType, MaintenanceIssue, Severity, UpdateType } from "../model/index.js";
import type { DatasourceName, ScannedComponent } from "../scan/types.js";

/** Facts behind a draft that priority and risk are computed from. */
export interface DraftFacts {
  /** Scopes of the dependencies involved; empty for issues that are not about a dependency. */
  dependency_types: DependencyType[];
  /** Size of the change that fixes it (dependency issues); null when not a version change. */
  update_type: UpdateType | null;
  breaking_changes: number;
  /** Highest CVSS score involved; null when none or unknown. */
  cvss: number | null;
  cvss_estimated: boolean;
  /** Whether a fix exists (a fixed or newer version); null when the notion does not apply. */
  fix_available: boolean | null;
  /** The target version is itself deprecated. */
  deprecated_target: boolean;
  /** Days since the target version was released, when known. */
  release_age_days: number | null;
  /** Kind of change for non-dependency issues, used by the risk "change_kind" factor. */
  change_kind: "dependency" | "code" | "documentation" | "ci" | "tests";
}

/** What a detector produces: every seed field that depends on the finding, plus facts. */
export interface IssueDraft {
  type: IssueType;
  /** Stable subject the id is built from, e.g. "security:pypi:requests:PYSEC-2018-28". */
  subject: string;
  title: string;
  description: string;
  severity: Severity;
  affected_components: string[];
  files_affected: string[];
  estimated_effort: string;
  resolution_steps: string[];
  testing_requirements: string[];
  facts: DraftFacts;
  /** The packages behind the issue, for ignore rules. */
  packages: Array<{ package_manager: string; name: string; version: string; datasource?: string }>;
}

/** Facts of an issue that is not about a dependency (code markers, docs, CI, tests): only the change kind varies. */
export function nonDependencyFacts(change_kind: DraftFacts["change_kind"]): DraftFacts {
  return {
    dependency_types: [],
    update_type: null,
    breaking_changes: 0,
    cvss: null,
    cvss_estimated: false,
    fix_available: null,
    deprecated_target: false,
    release_age_days: null,
    change_kind,
  };
}

export const SEVERITY_ORDER: readonly Severity[] = ["low", "medium", "high", "critical"];

export function maxSeverity(list: readonly Severity[]): Severity {
  let best: Severity = "low";
  // Stryker disable next-line EqualityOperator: `>=` only re-assigns the same severity
  for (const s of list) if (SEVERITY_ORDER.indexOf(s) > SEVERITY_ORDER.indexOf(best)) best = s;
  return best;
}

const PREFIX: Record<IssueType, string> = {
  security: "sec",
  dependency: "dep",
  bug: "bug",
  documentation: "doc",
  performance: "perf",
};

/** Stable issue id: type prefix + first 12 hex of sha256("<type>\n<subject>"). */
export function issueId(type: IssueType, subject: string): string {
  const hex = createHash("sha256").update(`${type}\n${subject}`).digest("hex").slice(0, 12);
  return `${PREFIX[type]}-${hex}`;
}

/** The datasource (ecosystem) a package manager's packages live in. */
export function ecosystemOf(packageManager: string): DatasourceName {
  switch (packageManager) {
    case "npm":
      return "npm";
    case "pip":
    case "poetry":
    case "uv":
      return "pypi";
    case "cargo":
      return "crates";
    case "go":
      return "go";
    case "docker":
      return "docker";
    case "github-actions":
      return "github-tags";
    case "helm":
      return "helm";
    default:
      return "none";
  }
}

const DATASOURCES: ReadonlySet<string> = new Set<DatasourceName>([
  "npm",
  "pypi",
  "crates",
  "go",
  "docker",
  "github-tags",
  "helm",
  "git",
  "node-version",
  "python-version",
]);

/**
 * The ecosystem of a dependency, as used in issue subjects and for versioning: its recorded datasource
 * (a docker image in a workflow is "docker", setup-node's node-version is "node-version"), else —
 * for data stored before Dependency.datasource existed, or a datasource of "none" — the package
 * manager's ecosystem (ecosystemOf).
 */
export function datasourceOf(dep: { package_manager: string; datasource?: string | null }): DatasourceName {
  const ds = dep.datasource;
  if (ds && DATASOURCES.has(ds)) return ds as DatasourceName;
  return ecosystemOf(dep.package_manager);
}

/** Stable sorted unique strings. */
export function uniqSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The component a repository path belongs to: the one with the longest matching directory. */
export function componentForPath(path: string, components: readonly ScannedComponent[]): ScannedComponent | null {
  let best: ScannedComponent | null = null;
  let bestLength = -1;
  for (const c of components) {
    const dir = c.path === "." ? "" : c.path.replace(/\/+$/, "");
    const inside = dir === "" || path === dir || path.startsWith(`${dir}/`);
    // The first of equally deep components wins.
    if (inside && dir.length > bestLength) {
      best = c;
      bestLength = dir.length;
    }
  }
  return best;
}

export function componentTypeOf(name: string, components: readonly ScannedComponent[]): ComponentType | null {
  return components.find((c) => c.name === name)?.type ?? null;
}

const RUNNERS: Array<{ match: (file: string) => boolean; label: (name: string) => string }> = [
  { match: (f) => /(^|\/)package\.json$/.test(f), label: (n) => `npm test for ${n}` },
  { match: (f) => /(^|\/)(pyproject\.toml|setup\.py|setup\.cfg|requirements[^/]*\.txt|Pipfile)$/.test(f), label: (n) => `pytest for ${n}` },
  { match: (f) => /(^|\/)Cargo\.toml$/.test(f), label: (n) => `cargo test for ${n}` },
  { match: (f) => /(^|\/)go\.mod$/.test(f), label: (n) => `go test ./... for ${n}` },
  { match: (f) => /(^|\/)(Dockerfile[^/]*|[^/]*\.Dockerfile|Containerfile)$/.test(f), label: (n) => `docker build for ${n}` },
  { match: (f) => /(^|\/)Chart\.yaml$/.test(f), label: (n) => `helm lint and helm template for ${n}` },
  { match: (f) => /(^|\/)zarf\.ya?ml$/.test(f), label: (n) => `zarf package create for ${n}` },
  { match: (f) => /(^|\/)uds-bundle\.ya?ml$/.test(f), label: (n) => `uds create for ${n}` },
  { match: (f) => /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(f), label: (n) => `the GitHub Actions workflows of ${n}` },
];

/** Test suites to run for a component, named from its manifests and the suites CI reported for it. */
export function testSuitesFor(
  name: string,
  components: readonly ScannedComponent[],
  reportedSuites: readonly string[] = [],
): string[] {
  const comp = components.find((c) => c.name === name);
  const out: string[] = [];
  // Stryker disable next-line ArrayDeclaration: no runner matches the placeholder entry, so an unknown component still gets the fallback text
  for (const file of comp?.manifests ?? []) {
    for (const r of RUNNERS) if (r.match(file)) out.push(r.label(name));
  }
  for (const s of reportedSuites) out.push(`CI suite "${s}" for ${name}`);
  const list = uniqSorted(out);
  return list.length > 0 ? list : [`the test suite of ${name} (no runner detected: run its build and smoke tests)`];
}

/** A dependency's version for texts: the version, else the declared constraint, else "(unpinned)". */
export function versionLabel(dep: { version: string; current_value: string }): string {
  const v = dep.version.trim() || dep.current_value.trim();
  return v === "" ? "(unpinned)" : v;
}

export function isOpenIssue(issue: MaintenanceIssue): boolean {
  return issue.status === "open" || issue.status === "in_progress";
}

export const DAY_MS = 86_400_000;
export const MONTH_DAYS = 30.44;
