import type { DatasourceName } from "../../scan/types.js";
import { z } from "zod";

/**
 * The subset of the OSV schema (https://ossf.github.io/osv-schema/) this module reads.
 * Unknown fields are dropped; every field but `id` is optional or defaulted, because real
 * databases omit many (the PyPA database has no `summary`, some records no `published`).
 */

const Str = z.string().max(100_000);

export const OsvEvent = z
  .object({
    introduced: Str.optional(),
    fixed: Str.optional(),
    last_affected: Str.optional(),
    limit: Str.optional(),
  })
  .refine(
    (e) => [e.introduced, e.fixed, e.last_affected, e.limit].filter((x) => x !== undefined).length === 1,
    { message: "an event has exactly one of introduced, fixed, last_affected, limit" },
  );
export type OsvEvent = z.infer<typeof OsvEvent>;

export const OsvRange = z.object({
  /** SEMVER, ECOSYSTEM or GIT. */
  type: Str,
  repo: Str.optional(),
  events: z.array(OsvEvent).default([]),
});
export type OsvRange = z.infer<typeof OsvRange>;

export const OsvAffected = z.object({
  package: z
    .object({
      ecosystem: Str,
      name: Str,
      purl: Str.optional(),
    })
    .optional(),
  ranges: z.array(OsvRange).default([]),
  versions: z.array(Str).default([]),
  database_specific: z.record(z.string(), z.unknown()).optional(),
  ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
});
export type OsvAffected = z.infer<typeof OsvAffected>;

export const OsvSeverity = z.object({
  /** CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu... */
  type: Str,
  score: Str,
});
export type OsvSeverity = z.infer<typeof OsvSeverity>;

export const OsvReference = z.object({ type: Str, url: Str });
export type OsvReference = z.infer<typeof OsvReference>;

export const OsvVulnerability = z.object({
  id: z.string().min(1).max(200),
  modified: Str.optional(),
  published: Str.optional(),
  withdrawn: Str.optional(),
  aliases: z.array(Str).nullish().transform((a) => a ?? []),
  summary: Str.optional(),
  details: Str.optional(),
  severity: z.array(OsvSeverity).nullish().transform((s) => s ?? []),
  affected: z.array(OsvAffected).nullish().transform((a) => a ?? []),
  references: z.array(OsvReference).nullish().transform((r) => r ?? []),
  database_specific: z
    .looseObject({ severity: z.unknown().optional() })
    .nullish(),
});
export type OsvVulnerability = z.infer<typeof OsvVulnerability>;

/** The ecosystems we map datasources to; OSV knows more, and other strings pass through. */
export type OsvEcosystem = "npm" | "PyPI" | "crates.io" | "Go" | (string & {});

export interface PackageQuery {
  ecosystem: OsvEcosystem;
  name: string;
  version: string;
}

/** A problem met while loading or querying advisories. Never thrown; collected for the report. */
export interface AdvisoryWarning {
  message: string;
  /** The file (offline mirror) the problem is in. */
  file?: string;
  /** The request (online API), e.g. "POST https://api.osv.dev/v1/querybatch". */
  request?: string;
  /** The advisory id concerned. */
  id?: string;
}

/**
 * Where advisories come from: the OSV API or an offline mirror.
 * `query` never throws. The returned map has one entry per package it could check, keyed by
 * `advisoryQueryKey`; a package absent from the map could not be checked (see `warnings`).
 * The listed records are candidates: callers still decide with `isAffected`.
 */
export interface AdvisorySource {
  readonly name: string;
  query(pkgs: readonly PackageQuery[]): Promise<Map<string, OsvVulnerability[]>>;
  /** Warnings from loading (offline) and from the most recent `query` call. */
  readonly warnings: readonly AdvisoryWarning[];
}

/** PEP 503 normalisation for PyPI; other ecosystems compare names exactly. */
export function normalisePackageName(ecosystem: string, name: string): string {
  if (ecosystem === "PyPI") return name.toLowerCase().replace(/[-_.]+/g, "-");
  return name;
}

/** The map key of one queried (ecosystem, name, version), with the name normalised. */
export function advisoryQueryKey(q: PackageQuery): string {
  return `${q.ecosystem}\u0000${normalisePackageName(q.ecosystem, q.name)}\u0000${q.version}`;
}

/** Parse an unknown value as an OSV record; returns the zod issue summary on failure. */
export function parseOsvRecord(
  value: unknown,
): { ok: true; record: OsvVulnerability } | { ok: false; error: string } {
  const res = OsvVulnerability.safeParse(value);
  if (res.success) return { ok: true, record: res.data };
  const issue = res.error.issues[0];
  // Stryker disable next-line OptionalChaining: a failed zod parse has at least one issue, each with a path array
  const where = issue?.path?.length ? issue.path.join(".") : "(root)";
  // Stryker disable next-line OptionalChaining: as above (the fallback text is for a zod without issues)
  return { ok: false, error: `${where}: ${issue?.message ?? "invalid OSV record"}` };
}

/** The OSV ecosystem of a datasource; null when OSV has none we use. */
export function ecosystemForDatasource(datasource: DatasourceName): OsvEcosystem | null {
  switch (datasource) {
    case "npm":
      return "npm";
    case "pypi":
      return "PyPI";
    case "crates":
      return "crates.io";
    case "go":
      return "Go";
    default:
      return null;
  }
}
