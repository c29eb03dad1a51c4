import type { DatasourceName } from "../scan/types.js";

export interface Release {
  version: string;
  /** ISO 8601, when the registry says. */
  release_date: string | null;
  deprecated: boolean;
  deprecation_message?: string | null;
  yanked: boolean;
  /** Requirements of this release, for compatibility checks. */
  requires_python?: string | null;
  node_engines?: string | null;
  rust_version?: string | null;
}

export interface ReleaseResult {
  releases: Release[];
  /** The registry's own notion of latest (npm dist-tags.latest), when it has one. */
  tag_latest: string | null;
  /** Source repository, e.g. https://github.com/owner/repo. */
  source_url: string | null;
  homepage: string | null;
  /** Whole package deprecated (npm deprecated on latest, PyPI "Inactive" classifier...). */
  deprecated: boolean;
  deprecation_message: string | null;
  registry_url: string;
}

export interface LookupRequest {
  datasource: DatasourceName;
  name: string;
  /** Registry URL from the manifest (Helm repo, docker registry), overriding the default. */
  registry_url: string | null;
  current_value: string;
}

/** A registry. Throws DatasourceError on failure; the caller marks the dependency unknown. */
export interface Datasource {
  name: DatasourceName;
  getReleases(req: LookupRequest): Promise<ReleaseResult | null>;
  /**
   * Release dates of a few versions, for registries whose release list carries none (Docker Hub tags).
   * Only the versions asked for are looked up (enrichment asks for the current and the latest);
   * a version whose date is unknown maps to null. Optional: absent means "the list has all dates".
   */
  releaseDates?(req: LookupRequest, versions: readonly string[]): Promise<Map<string, string | null>>;
}

export class DatasourceError extends Error {
  constructor(
    message: string,
    readonly request: string,
    readonly status: number | null = null,
    /** The host when it could not be reached at all (DNS, connection, timeout): callers summarise these per host. */
    readonly unreachableHost: string | null = null,
  ) {
    super(message);
    this.name = "DatasourceError";
  }
}

/** One ecosystem's version scheme. */
export interface Versioning {
  name: string;
  isValid(version: string): boolean;
  isStable(version: string): boolean;
  /** Negative, zero or positive, like a sort comparator. Only for valid versions. */
  compare(a: string, b: string): number;
  /** Does the version satisfy the declared constraint? */
  matches(version: string, constraint: string): boolean;
  /** The lowest version a constraint admits, as a plain version, when derivable. */
  minSatisfying?(constraint: string): string | null;
  /** major.minor.patch parts, when derivable. */
  parts(version: string): { major: number; minor: number; patch: number } | null;
  /**
   * Can `version` replace `current` at all? Docker tags must keep their variant (`3.11-slim` only
   * moves to `*-slim` tags with as many numeric parts). Absent means always compatible.
   */
  isCompatible?(version: string, current: string): boolean;
}
