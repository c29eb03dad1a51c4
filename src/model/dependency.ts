import { z } from "zod";
import { DateTime, UpdateRisk } from "./common.js";

/** Compatibility of the latest version with this component (seed: CompatibilityStatus, undefined there). */
export const CompatibilityStatus = z.object({
  /** compatible: every declared requirement of the target is met; incompatible: one is not; unknown: nothing to check against. */
  status: z.enum(["compatible", "incompatible", "unknown"]),
  /** Why, one sentence per requirement checked, e.g. "requires-python >=3.12 excludes the component's >=3.11". */
  reasons: z.array(z.string()),
  /** The version checked (usually latest_version). */
  target_version: z.string().nullable().default(null),
});
export type CompatibilityStatus = z.infer<typeof CompatibilityStatus>;

/**
 * prod/dev/optional/peer/build as the manifest sections say; `override`: a forced version (npm
 * overrides, yarn resolutions, pnpm overrides, a versioned go `replace`); `runtime`: the language
 * runtime or toolchain a project runs on (requires-python, engines.node, .nvmrc, go/toolchain lines,
 * rust-toolchain.toml).
 */
export const DependencyType = z.enum(["prod", "dev", "optional", "peer", "build", "override", "runtime"]);
export type DependencyType = z.infer<typeof DependencyType>;

export const UpdateType = z.enum(["major", "minor", "patch", "digest", "none", "unknown"]);
export type UpdateType = z.infer<typeof UpdateType>;

/**
 * What an advisory says: a vulnerability (a security issue), or an informational notice that the
 * package is unmaintained, unsound, or subject to a notice (a dependency-health issue).
 */
export const AdvisoryKind = z.enum(["vulnerability", "unmaintained", "unsound", "notice"]);
export type AdvisoryKind = z.infer<typeof AdvisoryKind>;

/** An advisory that affects this dependency at its current version. */
export const AdvisoryRef = z.object({
  id: z.string(),
  /** Informational advisories (RustSec `informational`, OSV database_specific flags) are not vulnerabilities. */
  kind: AdvisoryKind.default("vulnerability"),
  aliases: z.array(z.string()),
  summary: z.string(),
  url: z.string().nullable(),
  score: z.number().min(0).max(10).nullable(),
  /** True when the score was mapped from a severity word, not computed from a vector. */
  score_estimated: z.boolean(),
  cvss_vector: z.string().nullable(),
  /** Lowest fixed version at or above the current one; null when no fix exists. */
  fixed_version: z.string().nullable(),
  published: DateTime.nullable(),
});
export type AdvisoryRef = z.infer<typeof AdvisoryRef>;

/**
 * Where the version is written: 1-based line, 0-based start and end (exclusive) columns in that line,
 * and the exact text there. An update replaces this span and extracts the file again to verify it.
 */
export const ValueSpan = z.object({
  line: z.number().int().min(1),
  start_column: z.number().int().min(0),
  end_column: z.number().int().min(0),
  text: z.string(),
});
export type ValueSpan = z.infer<typeof ValueSpan>;

/** The declaration that points at this dependency's version (a package.json `catalog:` entry, a replaced go require). */
export const DeclarationRef = z.object({
  file: z.string(),
  line: z.number().int().nullable(),
  /** The value written there, e.g. "catalog:dev", "v1.2.0". */
  value: z.string(),
});
export type DeclarationRef = z.infer<typeof DeclarationRef>;
/** One step of an "introduced through" path: a package and the requirement its parent declares. */
export const PathStep = z.object({
  name: z.string(),
  version: z.string(),
  /** The requirement of the previous step (or the manifest, for the first) on it; null when the lockfile does not record it. */
  requirement: z.string().nullable(),
  /** A workspace member or path package of the repository itself (not a registry package). */
  local: z.boolean().optional(),
});
export type PathStep = z.infer<typeof PathStep>;

/**
 * How to remove a vulnerable version, chosen in this order: in_place (a fixed version satisfies every
 * parent's requirement: only the lockfile changes), parent_bump (the lowest version of the direct
 * dependency that admits a fixed version), override (force the version: npm overrides, pnpm overrides,
 * yarn resolutions, Cargo [patch]), no_fix. A direct dependency whose requirement excludes the fix is a
 * direct_update of its manifest line.
 */
export const RemediationPlan = z.object({
  /** direct_update: a direct dependency whose declared requirement excludes every fixed version. */
  kind: z.enum(["in_place", "parent_bump", "override", "no_fix", "direct_update"]),
  /** The version the package moves to; null for no_fix. */
  target_version: z.string().nullable(),
  /** The file to change (lockfile for in_place, the manifest declaring the parent for parent_bump and override). */
  file: z.string().nullable(),
  /** The action, one sentence naming the file. */
  action: z.string(),
  /** For parent_bump: the direct dependency and its versions. */
  parent: z.object({ name: z.string(), from: z.string(), to: z.string(), requirement: z.string().nullable() }).nullable().default(null),
  /** What can go wrong (override: the parents never tested this version). */
  risk: z.string().nullable().default(null),
  /** Advisory ids this change removes. */
  removes: z.array(z.string()).default([]),
  /** Why the earlier kinds did not apply. */
  reasons: z.array(z.string()).default([]),
});
export type RemediationPlan = z.infer<typeof RemediationPlan>;

/** Outcome of the registry lookup. */
export const LookupStatus = z.object({
  status: z.enum(["ok", "unknown", "skipped"]),
  reason: z.string().nullable(),
});
export type LookupStatus = z.infer<typeof LookupStatus>;

/**
 * The seed's Dependency, plus the scan facts (file, line, type, constraint, locked version)
 * and the enrichment details. The seed's fields keep their names; extras are snake_case too.
 */
export const Dependency = z.object({
  // Seed fields
  name: z.string().min(1),
  version: z.string(),
  latest_version: z.string().nullable(),
  package_manager: z.string(),
  component: z.string(),
  cve_ids: z.array(z.string()),
  vulnerability_score: z.number().min(0).max(10).nullable(),
  patch_available: z.boolean(),
  compatibility: CompatibilityStatus,
  breaking_changes: z.array(z.string()),
  deprecated: z.boolean(),
  auto_update_safe: z.boolean(),
  update_risk: UpdateRisk,
  last_updated: DateTime.nullable(),
  next_review_date: DateTime.nullable(),
  // Scan facts
  /**
   * Where the latest version is looked up (the scan's DatasourceName: npm, pypi, crates, go, docker,
   * github-tags, helm, git, node-version, python-version, none). It names the ecosystem in issue
   * subjects; "none" (also the default for data stored before this field) means "derive it from
   * package_manager".
   */
  datasource: z.string().default("none"),
  file: z.string(),
  line: z.number().int().nullable(),
  dependency_type: DependencyType,
  /** The constraint as declared, e.g. "^1.2.0", ">=2,<3", "3.11-slim". */
  current_value: z.string(),
  /** The version the lockfile resolved, when there is one. */
  locked_version: z.string().nullable(),
  // Enrichment details
  update_type: UpdateType.default("unknown"),
  days_behind: z.number().int().nullable().default(null),
  latest_release_date: DateTime.nullable().default(null),
  fixed_version: z.string().nullable().default(null),
  vulnerability_score_estimated: z.boolean().default(false),
  advisories: z.array(AdvisoryRef).default([]),
  source_url: z.string().nullable().default(null),
  lookup: LookupStatus.default({ status: "skipped", reason: "not looked up" }),
  /**
   * True when an advisory source answered for this exact version (zero advisories then means "none
   * known"); false when advisories were not checked (offline without a mirror for the ecosystem, a range
   * without a lockfile, a failed query). Health counts only checked dependencies as evidence of safety.
   */
  advisories_checked: z.boolean().default(false),
  /** Why this dependency cannot be looked up or updated (local path, git URL, variable). */
  skip_reason: z.string().nullable().default(null),
  /** Where the version is written (file is `file`); null when the scan did not record it. */
  value_span: ValueSpan.nullable().default(null),
  /** The declaration that refers to this one (a `catalog:` reference in a package.json), when not `file` itself. */
  declared_by: DeclarationRef.nullable().default(null),
  /** Facts worth showing: "replaced by local path ./x", "untagged: the registry's default tag is pulled". */
  notes: z.array(z.string()).default([]),
  // Dependency graph (src/scan/graph)
  /** 1 for a direct dependency, 2+ for a transitive one; null when unknown (no graph, or no path recorded). */
  depth: z.number().int().nullable().default(null),
  /** Up to 3 shortest paths from a direct dependency (first step) to this package (last step). */
  introduced_through: z.array(z.array(PathStep)).default([]),
  /** Reached only through dev dependencies. */
  dev_only: z.boolean().default(false),
  /** The lockfile that pins it, when known. */
  lockfile: z.string().nullable().default(null),
  /** For a vulnerable package: the change that removes it (null when not vulnerable or not planned). */
  remediation: RemediationPlan.nullable().default(null),
});
export type Dependency = z.infer<typeof Dependency>;
