import type { AdvisoryRef } from "../../model/dependency.js";
import type { DatasourceName } from "../../scan/types.js";
import { scoreAdvisory } from "./cvss.js";
import { advisoryKind } from "./kind.js";
import { evaluateRecord, lowestFixedAtOrAbove, versioningForEcosystem } from "./match.js";
import { advisoryQueryKey, ecosystemForDatasource, type AdvisorySource, type AdvisoryWarning, type OsvVulnerability, type PackageQuery } from "./types.js";

export * from "./types.js";
export { evaluateRecord, isAffected, lowestFixedAtOrAbove, versioningForEcosystem } from "./match.js";
export { scoreAdvisory, scoreCvssVector, SEVERITY_WORD_SCORES } from "./cvss.js";
export { advisoryKind } from "./kind.js";
export { OsvOnlineSource, fetchHttp, sharedOsvCache, DEFAULT_OSV_API, type OsvHttp, type OsvOnlineOptions } from "./osv-online.js";
export { OsvOfflineIndex, type OfflineLoadOptions, type OfflineStats } from "./osv-offline.js";


export interface VulnerabilityQuery {
  datasource: DatasourceName;
  name: string;
  version: string;
}

export interface DependencyVulnerabilities {
  /** False when advisories could not be checked (no ecosystem, not a version, source failed). */
  checked: boolean;
  /** Why not checked. */
  reason: string | null;
  advisories: AdvisoryRef[];
  cve_ids: string[];
  /** Highest advisory score; null when none is known. */
  vulnerability_score: number | null;
  vulnerability_score_estimated: boolean;
  /** A version exists that clears every advisory that has a fix. */
  patch_available: boolean;
  /** The lowest version at or above the current one that no fixable advisory affects. */
  fixed_version: string | null;
}

export interface VulnerabilityReport {
  /** One entry per input dependency, same order. */
  results: DependencyVulnerabilities[];
  warnings: AdvisoryWarning[];
  /**
   * Ids of the withdrawn records the source holds for the queried packages, sorted: an issue of one of
   * them closes as "advisory X was withdrawn" in a scan as in a re-assessment after a refresh.
   */
  withdrawn: string[];
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

function emptyResult(checked: boolean, reason: string | null): DependencyVulnerabilities {
  return {
    checked,
    reason,
    advisories: [],
    cve_ids: [],
    vulnerability_score: null,
    vulnerability_score_estimated: false,
    patch_available: false,
    fixed_version: null,
  };
}

/** Go versions are queried without the leading "v", as OSV records spell them. */
function queryVersion(ecosystem: string, version: string): string {
  return ecosystem === "Go" ? version.trim().replace(/^v/, "") : version.trim();
}

/** Fixed versions as the ecosystem's users write them (Go: with the leading "v"). */
function presentVersion(ecosystem: string, version: string | null): string | null {
  if (version === null) return null;
  return ecosystem === "Go" && /^\d/.test(version) ? `v${version}` : version;
}

function toAdvisoryRef(rec: OsvVulnerability, fixed: string | null, warnings: string[]): AdvisoryRef {
  const s = scoreAdvisory(rec, warnings);
  const url =
    (rec.references.find((r) => r.type === "ADVISORY") ?? rec.references.find((r) => r.type === "WEB"))?.url ??
    `https://osv.dev/vulnerability/${encodeURIComponent(rec.id)}`;
  let summary = rec.summary?.trim() || (rec.details ?? "").trim().split(/\n\s*\n/)[0]?.replace(/\s+/g, " ") || "";
  if (summary.length > 300) summary = `${summary.slice(0, 299)}…`;
  const published = rec.published && !Number.isNaN(Date.parse(rec.published)) ? new Date(rec.published).toISOString() : null;
  return {
    id: rec.id,
    kind: advisoryKind(rec),
    aliases: [...rec.aliases],
    summary,
    url,
    score: s.score,
    score_estimated: s.score_estimated,
    cvss_vector: s.cvss_vector,
    fixed_version: fixed,
    published,
  };
}

/**
 * Advisories affecting each dependency at its current version. Never throws: problems come
 * back as warnings, and a dependency that could not be checked has `checked: false`.
 */
export async function findVulnerabilities(
  deps: readonly VulnerabilityQuery[],
  source: AdvisorySource,
): Promise<VulnerabilityReport> {
  const warnings: AdvisoryWarning[] = [];
  const queries: Array<PackageQuery | null> = deps.map((d) => {
    const ecosystem = ecosystemForDatasource(d.datasource);
    if (!ecosystem) return null;
    return { ecosystem, name: d.name, version: queryVersion(ecosystem, d.version) };
  });
  const toAsk = queries.filter((q): q is PackageQuery => {
    if (!q) return false;
    return versioningForEcosystem(q.ecosystem)?.isValid(q.version) ?? false;
  });

  let answers = new Map<string, OsvVulnerability[]>();
  try {
    answers = await source.query(toAsk);
  } catch (err) {
    warnings.push({ message: `${source.name}: advisory query failed: ${(err as Error).message}` });
  }
  warnings.push(...source.warnings);
  const withdrawn = new Set<string>();
  for (const records of answers.values()) for (const rec of records) if (rec.withdrawn) withdrawn.add(rec.id);

  const seenWarning = new Set<string>();
  const pushMatchWarnings = (list: string[]): void => {
    for (const m of list) {
      if (!seenWarning.has(m)) {
        seenWarning.add(m);
        warnings.push({ message: m });
      }
    }
  };

  const results = deps.map((dep, i): DependencyVulnerabilities => {
    const q = queries[i];
    if (!q) return emptyResult(false, `no OSV ecosystem for datasource "${dep.datasource}"`);
    const versioning = versioningForEcosystem(q.ecosystem);
    if (!versioning?.isValid(q.version)) {
      return emptyResult(false, `"${dep.version}" is not a concrete ${q.ecosystem} version`);
    }
    const records = answers.get(advisoryQueryKey(q));
    if (!records) return emptyResult(false, `${source.name} could not be queried for ${q.ecosystem}/${q.name}`);

    const matchWarnings: string[] = [];
    const affecting: Array<{ rec: OsvVulnerability; fixed: string | null }> = [];
    const seenIds = new Set<string>();
    for (const rec of records) {
      if (seenIds.has(rec.id)) continue;
      const res = evaluateRecord(rec, q.ecosystem, q.name, q.version);
      matchWarnings.push(...res.warnings);
      if (!res.affected) continue;
      seenIds.add(rec.id);
      affecting.push({ rec, fixed: lowestFixedAtOrAbove(rec, q.ecosystem, q.name, q.version) });
    }
    const advisories = affecting.map((a) => toAdvisoryRef(a.rec, presentVersion(q.ecosystem, a.fixed), matchWarnings));
    pushMatchWarnings(matchWarnings);

    // Informational advisories (unmaintained, unsound, notice) are listed but set no score and need no fix.
    const vulnerable = advisories.filter((a) => a.kind === "vulnerability");
    const cves = new Set<string>();
    for (const a of vulnerable) {
      for (const x of [a.id, ...a.aliases]) if (CVE.test(x)) cves.add(x);
    }
    let best: AdvisoryRef | null = null;
    for (const a of vulnerable) {
      if (a.score !== null && (best === null || a.score > (best.score as number))) best = a;
    }

    // One version clearing every fixable advisory: the lowest candidate fix ≥ each advisory's own fix
    // that none of them affects.
    let fixedVersion: string | null = null;
    const fixable = affecting.filter((a, i) => a.fixed !== null && advisories[i].kind === "vulnerability");
    if (fixable.length > 0) {
      const floor = fixable.map((a) => a.fixed as string).sort(versioning.compare).at(-1) as string;
      const candidates = new Set<string>([floor]);
      for (const a of fixable) {
        for (const entry of a.rec.affected) {
          for (const r of entry.ranges) for (const e of r.events) if (e.fixed !== undefined) candidates.add(e.fixed);
        }
      }
      const ordered = [...candidates]
        .filter((c) => versioning.isValid(c) && versioning.compare(c, floor) >= 0)
        .sort(versioning.compare);
      fixedVersion =
        ordered.find((c) => fixable.every((a) => !evaluateRecord(a.rec, q.ecosystem, q.name, c).affected)) ?? null;
    }

    return {
      checked: true,
      reason: null,
      advisories,
      cve_ids: [...cves].sort(),
      vulnerability_score: best?.score ?? null,
      vulnerability_score_estimated: best?.score_estimated ?? false,
      patch_available: fixedVersion !== null,
      fixed_version: presentVersion(q.ecosystem, fixedVersion),
    };
  });
  return { results, warnings, withdrawn: [...withdrawn].sort() };
}
