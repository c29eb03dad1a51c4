/**
 * Enrichment: every ExtractedDependency of a scan becomes a full Dependency (src/model/dependency.ts):
 * registry releases (deduplicated across the scan, bounded concurrency, shared HttpClient cache),
 * latest version, update type and risk, breaking changes, compatibility, and OSV advisories — for
 * the direct dependencies and for lockfile-pinned transitive packages that have advisories.
 * Never throws: failed lookups mark the dependency `lookup.status: "unknown"` with the reason.
 */
import pLimit from "p-limit";
import type { z } from "zod";
import { defaultConfig, goSumdbOf, type CowabungaConfig, type RegistriesConfig } from "../config/schema.js";
import type { Dependency } from "../model/index.js";
import type { DatasourceName, ExtractedDependency, ScanResult, ScanWarning } from "../scan/types.js";
import {
  ecosystemForDatasource,
  findVulnerabilities,
  OsvOfflineIndex,
  OsvOnlineSource,
  type AdvisorySource,
  type DependencyVulnerabilities,
  type VulnerabilityQuery,
} from "./advisories/index.js";
import { breakingChangesFromChangelog, breakingChangesFromNotes, fetchChangelog, majorsCrossed, notesCoverRange, type ChangelogFile } from "./breaking.js";
import { checkCompatibility, type RuntimeMeta } from "./compatibility.js";
import { createDatasources, normalizePypiName, type Datasources, type OctokitLike, type ReleaseNote } from "./datasources/index.js";
import { parseGithubRepo, servesGithubDotCom } from "./datasources/github.js";
import { createRequirementSource, type RequirementSource } from "./datasources/requirements.js";
import { planRemediation, requirementsCache } from "./remediation.js";
import { createHttpClient, type HttpClient } from "./http.js";
import { DatasourceError, type ReleaseResult, type Versioning } from "./types.js";
import { assertSafeUrl } from "./url-guard.js";
import {
  assessUpdateRisk,
  classifyUpdate,
  daysBetween,
  findRelease,
  isAutoUpdateSafe,
  isZeroMinor,
  nextReviewDate,
  pickLatest,
  releasesBetween,
} from "./update.js";
import { versioningFor } from "./versioning/index.js";

export { pickLatest, classifyUpdate, assessUpdateRisk, isAutoUpdateSafe, nextReviewDate, MANY_RELEASES, MANY_MINORS } from "./update.js";
export {
  breakingChangesFromChangelog,
  breakingChangesFromNotes,
  breakingLinesOf,
  changelogSections,
  fetchChangelog,
  majorsCrossed,
  versionFromTag,
} from "./breaking.js";
export { checkCompatibility, checkNodeEngines, checkRequiresPython, checkRustVersion } from "./compatibility.js";

type Registries = z.infer<typeof RegistriesConfig>;

export interface EnrichLogger {
  warn(obj: object, msg?: string): void;
}

export interface EnrichOptions {
  /** The process-wide HttpClient. Default: one shared client created on first use. */
  http?: HttpClient;
  /** Datasources; default createDatasources({ http, registries, octokit }). */
  datasources?: Partial<Datasources>;
  /** Advisory source; null disables advisories. Default: offline index of osvDbPath, else OSV online (not when offline). */
  advisories?: AdvisorySource | null;
  config?: CowabungaConfig;
  clock?: () => Date;
  /** No network at all: registries are not asked, advisories only from osvDbPath / `advisories`. */
  offline?: boolean;
  /** An OSV mirror (directory of JSON records or all.zip exports). */
  osvDbPath?: string | null;
  /** Mirrors given by the operator (CLI `--registry`); they override config.registries and are trusted. */
  registries?: Registries;
  /** For the github-tags datasource and release notes. */
  octokit?: OctokitLike;
  /** Unique registry lookups in flight at once. Default 16 (the HttpClient also limits per host). */
  concurrency?: number;
  /**
   * Per-version requirements from the registry, for remediation plans (parent requirements Cargo.lock
   * and pnpm-lock.yaml do not record, parent bumps). Default: npm packuments and the crates.io sparse
   * index through `http` (not when offline); null: plan with what the lockfiles record.
   */
  requirementSource?: RequirementSource | null;
  log?: EnrichLogger;
}

export interface YankedVersion {
  package_manager: string;
  name: string;
  version: string;
  reason: string | null;
}

export interface EnrichStats {
  /** Dependencies looked up in a registry (before deduplication). */
  lookups: number;
  /** Distinct (datasource, registry, name) lookups actually made. */
  unique_lookups: number;
  /** Packages checked for advisories. */
  advisory_queries: number;
  /** Transitive (lockfile-only) packages reported because advisories affect them. */
  transitive_vulnerable: number;
}

export interface EnrichResult {
  dependencies: Dependency[];
  warnings: ScanWarning[];
  /** Current versions the registry marks as yanked (for assess's dependency detector). */
  yanked: YankedVersion[];
  /** Withdrawn advisories of the checked packages (their issues close with that reason). */
  withdrawn_advisories: string[];
  stats: EnrichStats;
}

let sharedHttp: HttpClient | null = null;

/** The process-wide HttpClient used when none is injected (its cache is shared across repositories). */
export function sharedHttpClient(): HttpClient {
  sharedHttp ??= createHttpClient();
  return sharedHttp;
}

const PACKAGE_MANAGER_OF: Partial<Record<DatasourceName, string>> = { npm: "npm", pypi: "pip", crates: "cargo", go: "go" };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function nameKey(datasource: DatasourceName, name: string): string {
  return datasource === "pypi" ? normalizePypiName(name) : name;
}

function lookupKey(d: ExtractedDependency): string {
  return `${d.datasource}\u0000${d.registry_url ?? ""}\u0000${nameKey(d.datasource, d.name)}`;
}

/**
 * The exact version a dependency is on, for advisory matching: the locked version, else an exact pin
 * (npm `1.2.3`/`=1.2.3`, pip `==1.2.3`, cargo `=1.2.3`, any go.mod version). A range without a lockfile
 * is not matched: its lower bound is not what gets installed, and reporting it gives false positives.
 */
export function concreteVersion(d: ExtractedDependency, versioning: Versioning): string | null {
  if (d.locked_version) return d.locked_version;
  const cv = d.current_value.trim();
  const same = (v: string): string | null => (versioning.isValid(v) && versioning.isValid(d.version) && versioning.compare(v, d.version) === 0 ? d.version : null);
  switch (d.datasource) {
    case "go":
      return versioning.isValid(d.version) ? d.version : null;
    case "npm": {
      const m = /^=?\s*v?(\d[^\s|<>^~*]*)$/.exec(cv);
      return m && !/[xX]/.test(m[1]) ? same(m[1]) : null;
    }
    case "pypi": {
      const m = /^===?\s*([^\s,;*]+)$/.exec(cv);
      return m ? same(m[1]) : null;
    }
    case "crates": {
      const m = /^=\s*(\d[^\s,]*)$/.exec(cv);
      return m ? same(m[1]) : null;
    }
    default:
      return null;
  }
}

type LookupOutcome = { ok: true; result: ReleaseResult } | { ok: false; reason: string; unreachable?: { host: string; reason: string } };

/** The host and why, when the error is "could not reach the host at all" (not an answer from it). */
function unreachableOf(err: unknown): { host: string; reason: string } | undefined {
  if (!(err instanceof DatasourceError) || !err.unreachableHost) return undefined;
  const prefix = `${err.request}: `;
  return { host: err.unreachableHost, reason: err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message };
}

/**
 * Unreachable hosts, counted: one warning per host instead of one per dependency (an offline scan
 * of a monorepo would otherwise print hundreds of lines naming the same DNS failure).
 */
class UnreachableHosts {
  private readonly hosts = new Map<string, { reason: string; deps: Set<string> }>();
  add(u: { host: string; reason: string }, dep: ExtractedDependency): void {
    const h = this.hosts.get(u.host) ?? { reason: u.reason, deps: new Set<string>() };
    h.deps.add(`${dep.file}\u0000${dep.line ?? ""}\u0000${dep.name}`);
    this.hosts.set(u.host, h);
  }
  warnings(): ScanWarning[] {
    return [...this.hosts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([host, h]) => ({
        file: null,
        line: null,
        manager: "source",
        message: `${host} could not be reached (${h.reason}): ${h.deps.size} dependenc${h.deps.size === 1 ? "y was" : "ies were"} not looked up`,
      }));
  }
}

function skipped(reason: string): Dependency["lookup"] {
  return { status: "skipped", reason };
}

function toWarning(d: ExtractedDependency | null, message: string): ScanWarning {
  return { file: d?.file ?? null, line: d?.line ?? null, manager: d?.package_manager ?? "source", message };
}

async function resolveAdvisorySource(
  opts: EnrichOptions,
  registries: Registries,
  trusted: Registries,
  warnings: ScanWarning[],
): Promise<AdvisorySource | null> {
  if (opts.advisories !== undefined) return opts.advisories;
  if (opts.osvDbPath) {
    const index = await OsvOfflineIndex.load(opts.osvDbPath);
    return index;
  }
  if (opts.offline) {
    warnings.push(toWarning(null, "offline mode without an OSV mirror (--osv-db): advisories were not checked"));
    return null;
  }
  const base = registries.osv;
  if (base && base !== trusted.osv) {
    // Config-file mirrors go through the SSRF guard; the OSV client does not use the guarded HttpClient.
    try {
      await assertSafeUrl(base);
    } catch (err) {
      warnings.push(toWarning(null, `registries.osv ${base} refused: ${errorText(err)}; using https://api.osv.dev`));
      return new OsvOnlineSource();
    }
  }
  // An operator-trusted mirror may be a private host: it connects through the global dispatcher.
  return new OsvOnlineSource(base ? { baseUrl: base, ...(base === trusted.osv ? { dispatcher: null } : {}) } : {});
}

function componentMeta(scan: ScanResult): Map<string, RuntimeMeta> {
  const m = new Map<string, RuntimeMeta>();
  for (const c of scan.components) m.set(c.name, c.meta);
  return m;
}

/** Registry requirements for remediation plans from these registries (npm, PyPI, Go and its checksum database). */
export function requirementSourceFor(http: HttpClient, registries: Registries): RequirementSource {
  return createRequirementSource({ http, npmRegistry: registries.npm, pypi: registries.pypi, goProxy: registries.go, goSumdb: goSumdbOf(registries) });
}

/**
 * Enrich every dependency of a scan. Lookups of the same (datasource, registry, name) are made once;
 * at most `concurrency` run at a time. Every dependency comes back, in scan order, followed by
 * transitive lockfile packages that advisories affect (current_value "(transitive)").
 */
export async function enrichDependencies(scan: ScanResult, opts: EnrichOptions = {}): Promise<EnrichResult> {
  const config = opts.config ?? defaultConfig();
  const clock = opts.clock ?? (() => new Date());
  const now = clock();
  const warnings: ScanWarning[] = [];
  const trusted: Registries = opts.registries ?? {};
  const registries: Registries = { ...config.registries, ...trusted };
  const offline = opts.offline ?? false;

  let datasources: Partial<Datasources> = {};
  if (!offline) {
    const http = opts.http ?? sharedHttpClient();
    datasources = opts.datasources ?? createDatasources({ http, registries, octokit: opts.octokit, now: () => clock().getTime() });
  } else if (opts.datasources) {
    datasources = opts.datasources;
  }

  // 1. Registry lookups, deduplicated.
  const limit = pLimit(Math.max(1, opts.concurrency ?? 16));
  const lookups = new Map<string, Promise<LookupOutcome>>();
  const lookupOf = new Map<ExtractedDependency, Promise<LookupOutcome> | Dependency["lookup"]>();
  let lookupCount = 0;
  for (const d of scan.dependencies) {
    if (d.skip_reason) {
      lookupOf.set(d, skipped(d.skip_reason));
      continue;
    }
    if (offline) {
      lookupOf.set(d, { status: "unknown", reason: "offline mode: the registry was not asked" });
      continue;
    }
    const ds = datasources[d.datasource];
    if (!ds) {
      lookupOf.set(
        d,
        skipped(d.datasource === "github-tags" ? "GitHub releases need a GitHub token or app installation" : `no registry lookup for datasource "${d.datasource}"`),
      );
      continue;
    }
    lookupCount++;
    const key = lookupKey(d);
    let p = lookups.get(key);
    if (!p) {
      p = limit(async (): Promise<LookupOutcome> => {
        try {
          const result = await ds.getReleases({ datasource: d.datasource, name: d.name, registry_url: d.registry_url, current_value: d.current_value });
          if (!result) return { ok: false, reason: `${d.name} was not found in the ${d.datasource} registry` };
          return { ok: true, result };
        } catch (err) {
          return { ok: false, reason: errorText(err), unreachable: unreachableOf(err) };
        }
      });
      lookups.set(key, p);
    }
    lookupOf.set(d, p);
  }

  // 2. Advisories for direct dependencies with a concrete version, and transitive lockfile packages.
  const advisorySource = await resolveAdvisorySource(opts, registries, trusted, warnings);
  const { vulns, vulnIndexOfDep, transitive, queries, withdrawn } = await checkAdvisories(scan.dependencies, scan, advisorySource, warnings);

  // 3. Wait for lookups; fetch release notes for dependencies with updates whose source is on GitHub.
  const outcomes = new Map<ExtractedDependency, LookupOutcome | Dependency["lookup"]>();
  await Promise.all(
    scan.dependencies.map(async (d) => {
      const v = lookupOf.get(d);
      outcomes.set(d, v instanceof Promise ? await v : (v as Dependency["lookup"]));
    }),
  );
  // Release notes and CHANGELOGs of github.com sources: only through an Octokit that reaches github.com
  // (on GHES the installation's Octokit cannot see them).
  // (An injected github-tags datasource without an Octokit is taken as it is.)
  const dotCom = opts.octokit ? servesGithubDotCom(opts.octokit) : true;
  const github = dotCom ? datasources["github-tags"] : undefined;
  const notesCache = new Map<string, Promise<ReleaseNote[] | null>>();
  const notesFor = (sourceUrl: string | null): Promise<ReleaseNote[] | null> => {
    if (!github || !sourceUrl || !/^https:\/\/github\.com\//i.test(sourceUrl)) return Promise.resolve(null);
    const repo = parseGithubRepo(sourceUrl);
    if (!repo) return Promise.resolve(null);
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    let p = notesCache.get(key);
    if (!p) {
      p = limit(() => github.getReleaseNotes(repo.owner, repo.repo)).catch((err: unknown) => {
        warnings.push(toWarning(null, `release notes of ${repo.owner}/${repo.repo} could not be read: ${errorText(err)}`));
        return null;
      });
      notesCache.set(key, p);
    }
    return p;
  };

  // CHANGELOG fallback: read once per repository per run, through the injected Octokit (the same
  // installation's access; not cached across runs or installations, as the repository may be private).
  const changelogCache = new Map<string, Promise<ChangelogFile | null>>();
  const changelogFor = (sourceUrl: string | null): Promise<ChangelogFile | null> => {
    const octokit = opts.octokit;
    if (offline || !octokit || !dotCom || !sourceUrl || !/^https:\/\/github\.com\//i.test(sourceUrl)) return Promise.resolve(null);
    const repo = parseGithubRepo(sourceUrl);
    if (!repo) return Promise.resolve(null);
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    let p = changelogCache.get(key);
    if (!p) {
      p = limit(() => fetchChangelog(octokit, repo.owner, repo.repo)).catch((err: unknown) => {
        warnings.push(toWarning(null, `changelog of ${repo.owner}/${repo.repo} could not be read: ${errorText(err)}`));
        return null;
      });
      changelogCache.set(key, p);
    }
    return p;
  };

  // Direct dependencies as the lockfile graph saw them (depth 1): which lockfile pins them.
  const directLocked = new Map<string, ScanResult["locked"][number]>();
  for (const l of scan.locked) {
    if (l.depth === 1 && l.lockfile) directLocked.set(`${l.component}\u0000${l.datasource}\u0000${nameKey(l.datasource, l.name)}`, l);
  }
  const directGraphFacts = (d: ExtractedDependency): Pick<Dependency, "depth" | "lockfile" | "dev_only"> => {
    const l = directLocked.get(`${d.component}\u0000${d.datasource}\u0000${nameKey(d.datasource, d.name)}`);
    return { depth: d.skip_reason ? null : 1, lockfile: l?.lockfile ?? null, dev_only: d.dependency_type === "dev" };
  };

  const meta = componentMeta(scan);
  const yanked: YankedVersion[] = [];
  const unreachable = new UnreachableHosts();
  const minAge = config.updates.minimum_release_age_days;

  const dependencies = await Promise.all(
    scan.dependencies.map(async (d): Promise<Dependency> => {
      const versioning = versioningFor(d.datasource);
      const outcome = outcomes.get(d) as LookupOutcome | Dependency["lookup"];
      const vi = vulnIndexOfDep.get(d);
      const v = vi !== undefined ? vulns[vi] : undefined;
      const vulnerable = (v?.advisories.length ?? 0) > 0;
      const base = { ...baseDependency(d, v), ...directGraphFacts(d) };
      if (!("ok" in outcome)) {
        if (outcome.status === "unknown" && !offline) warnings.push(toWarning(d, `${d.name}: registry lookup failed: ${outcome.reason}`));
        return { ...base, lookup: outcome, next_review_date: nextReviewDate(now, vulnerable, "unknown") };
      }
      if (!outcome.ok) {
        if (outcome.unreachable) unreachable.add(outcome.unreachable, d);
        else warnings.push(toWarning(d, `${d.name}: registry lookup failed: ${outcome.reason}`));
        return { ...base, lookup: { status: "unknown", reason: outcome.reason }, next_review_date: nextReviewDate(now, vulnerable, "unknown") };
      }
      const result = outcome.result;
      const current = d.locked_version ?? d.version;
      let latest = pickLatest(result, current, versioning, d.datasource);
      let currentRelease = findRelease(result.releases, current, versioning);
      // Registries whose release list has no dates (Docker Hub tags) are asked for these two only.
      const releaseDates = datasources[d.datasource]?.releaseDates?.bind(datasources[d.datasource]);
      const undated = [currentRelease, latest].filter((r): r is NonNullable<typeof r> => r !== null && r.release_date === null).map((r) => r.version);
      if (releaseDates && undated.length > 0) {
        const req = { datasource: d.datasource, name: d.name, registry_url: d.registry_url, current_value: d.current_value };
        try {
          const dates = await limit(() => releaseDates(req, undated));
          const dated = <R extends { version: string; release_date: string | null }>(r: R | null): R | null =>
            r && r.release_date === null && dates.get(r.version) ? { ...r, release_date: dates.get(r.version) ?? null } : r;
          latest = dated(latest);
          currentRelease = dated(currentRelease);
        } catch (err) {
          const u = unreachableOf(err);
          if (u) unreachable.add(u, d);
          else warnings.push(toWarning(d, `${d.name}: release dates could not be read: ${errorText(err)}`));
        }
      }
      if (currentRelease?.yanked) {
        yanked.push({ package_manager: d.package_manager, name: d.name, version: d.version, reason: currentRelease.deprecation_message ?? null });
      }
      const updateType = latest ? classifyUpdate(current, latest.version, versioning) : "unknown";
      const hasUpdate = updateType === "major" || updateType === "minor" || updateType === "patch";
      const zeroMinor = isZeroMinor(current, latest?.version ?? null, versioning);
      const crossed = hasUpdate ? releasesBetween(result.releases, current, latest?.version ?? null, versioning).length : 0;
      const risk = assessUpdateRisk({
        updateType,
        current,
        target: latest?.version ?? null,
        versioning,
        targetReleaseDate: latest?.release_date ?? null,
        releasesCrossed: crossed,
        targetDeprecated: latest?.deprecated ?? false,
        minimumReleaseAgeDays: minAge,
        now,
      });
      let breaking: string[] = [];
      if (hasUpdate && latest) {
        const notes = await notesFor(result.source_url);
        if (notes) breaking = breakingChangesFromNotes(notes, current, latest.version, versioning, d.name);
        if (breaking.length === 0 && !notesCoverRange(notes, current, latest.version, versioning, d.name)) {
          const changelog = await changelogFor(result.source_url);
          if (changelog) breaking = breakingChangesFromChangelog(changelog.text, current, latest.version, versioning).map((l) => `${changelog.path} ${l}`);
        }
        if (breaking.length === 0 && (updateType === "major" || zeroMinor)) breaking = majorsCrossed(current, latest.version, versioning);
      }
      const compatibility = hasUpdate
        ? checkCompatibility(d.datasource, latest, meta.get(d.component) ?? null)
        : { status: "unknown" as const, reasons: [latest ? "no update to check" : "no stable release found"], target_version: latest?.version ?? null };
      const deprecated = result.deprecated || (currentRelease?.deprecated ?? false);
      return {
        ...base,
        latest_version: latest?.version ?? null,
        latest_release_date: latest?.release_date ?? null,
        last_updated: currentRelease?.release_date ?? null,
        days_behind: updateType === "none" ? 0 : hasUpdate ? daysBetween(currentRelease?.release_date ?? null, latest?.release_date ?? null) : null,
        update_type: updateType,
        deprecated,
        update_risk: risk.risk,
        breaking_changes: breaking,
        compatibility,
        auto_update_safe:
          hasUpdate &&
          isAutoUpdateSafe({
            updateType,
            zeroMinor,
            breakingChanges: breaking,
            deprecated: deprecated || (latest?.deprecated ?? false),
            tooYoung: risk.tooYoung,
            incompatible: compatibility.status === "incompatible",
          }),
        next_review_date: nextReviewDate(now, vulnerable, updateType),
        source_url: result.source_url ?? result.homepage ?? null,
        lookup: { status: "ok", reason: null },
      };
    }),
  );

  warnings.push(...unreachable.warnings());

  // 4. Transitive packages with advisories.
  let transitiveVulnerable = 0;
  for (const { l: t, q } of transitive) {
    const v = vulns[q];
    if (!v || v.advisories.length === 0) continue;
    transitiveVulnerable++;
    dependencies.push(transitiveDependency(t, v, now));
  }

  // 5. Remediation plans for vulnerable packages: in place, parent bump, override, no fix.
  let requirementSource: RequirementSource | null = opts.requirementSource ?? null;
  if (opts.requirementSource === undefined && !offline) {
    requirementSource = requirementSourceFor(opts.http ?? sharedHttpClient(), registries);
  }
  await planRemediations(dependencies, scan, requirementSource, warnings);

  return {
    dependencies,
    warnings,
    yanked,
    withdrawn_advisories: withdrawn,
    stats: { lookups: lookupCount, unique_lookups: lookups.size, advisory_queries: queries, transitive_vulnerable: transitiveVulnerable },
  };
}

/** A dependency as advisory matching reads it (an ExtractedDependency, or a stored Dependency). */
interface AdvisoryCandidate {
  datasource: string;
  name: string;
  version: string;
  locked_version: string | null;
  current_value: string;
  skip_reason: string | null;
}

/**
 * Step 2 of enrichment, shared with the advisory re-assessment (src/advisories/reassess.ts): advisories
 * for the direct dependencies with a concrete version and for the transitive lockfile packages the scan
 * recorded (`scan.locked`, minus those a manifest declares), in one findVulnerabilities call.
 */
export async function checkAdvisories<D extends AdvisoryCandidate>(
  direct: readonly D[],
  scan: Pick<ScanResult, "dependencies" | "locked">,
  advisorySource: AdvisorySource | null,
  warnings: ScanWarning[],
): Promise<{ vulns: DependencyVulnerabilities[]; vulnIndexOfDep: Map<D, number>; transitive: Array<{ l: ScanResult["locked"][number]; q: number }>; queries: number; withdrawn: string[] }> {
  // An offline mirror without any record of an ecosystem cannot vouch for that ecosystem's packages.
  // Distinct name@version per ecosystem: the same package pinned in several components counts once.
  const uncovered = new Map<string, Set<string>>();
  const covered = (datasource: DatasourceName, name: string, version: string): boolean => {
    if (!(advisorySource instanceof OsvOfflineIndex)) return true;
    const eco = ecosystemForDatasource(datasource);
    if (!eco || advisorySource.hasEcosystem(eco)) return true;
    const seen = uncovered.get(eco) ?? new Set<string>();
    seen.add(`${nameKey(datasource, name)}@${version}`);
    uncovered.set(eco, seen);
    return false;
  };
  const directKeys = new Set<string>();
  for (const d of scan.dependencies) directKeys.add(`${d.component}\u0000${d.datasource}\u0000${nameKey(d.datasource, d.name)}`);
  const vulnQueries: VulnerabilityQuery[] = [];
  const vulnIndexOfDep = new Map<D, number>();
  for (const d of direct) {
    if (d.skip_reason) continue;
    const ds = d.datasource as DatasourceName;
    const version = concreteVersion(d as unknown as ExtractedDependency, versioningFor(ds));
    if (!version || !covered(ds, d.name, version)) continue;
    vulnIndexOfDep.set(d, vulnQueries.length);
    vulnQueries.push({ datasource: ds, name: d.name, version });
  }
  // References, not copies: a locked entry's paths are materialised only when read (vulnerable ones).
  const transitive: Array<{ l: ScanResult["locked"][number]; q: number }> = [];
  const seenLocked = new Set<string>();
  for (const l of scan.locked) {
    const k = `${l.component}\u0000${l.datasource}\u0000${nameKey(l.datasource, l.name)}`;
    if (directKeys.has(k) || seenLocked.has(`${k}\u0000${l.version}`)) continue;
    seenLocked.add(`${k}\u0000${l.version}`);
    if (!covered(l.datasource, l.name, l.version)) continue;
    transitive.push({ l, q: vulnQueries.length });
    vulnQueries.push({ datasource: l.datasource, name: l.name, version: l.version });
  }
  for (const [eco, packages] of uncovered) {
    warnings.push(toWarning(null, `the OSV mirror (--osv-db) has no ${eco} records: advisories of ${packages.size} ${eco} package version(s) were not checked`));
  }
  // With no query for the mirror, its load errors would go unreported, yet they may be why it has
  // no records of an ecosystem (a refused or corrupt all.zip): report them here instead.
  if (advisorySource instanceof OsvOfflineIndex && vulnQueries.length === 0) {
    for (const w of advisorySource.warnings) warnings.push({ file: w.file ?? null, line: null, manager: "source", message: w.message });
  }
  let vulns: DependencyVulnerabilities[] = [];
  let withdrawn: string[] = [];
  if (advisorySource && vulnQueries.length > 0) {
    const report = await findVulnerabilities(vulnQueries, advisorySource);
    vulns = report.results;
    withdrawn = report.withdrawn;
    for (const w of report.warnings) {
      warnings.push({ file: w.file ?? null, line: null, manager: "source", message: w.request ? `${w.request}: ${w.message}` : w.message });
    }
  }
  return { vulns, vulnIndexOfDep, transitive, queries: vulnQueries.length, withdrawn };
}

/** Step 4: a transitive lockfile package that advisories affect, as a Dependency. */
export function transitiveDependency(t: ScanResult["locked"][number], v: DependencyVulnerabilities, now: Date): Dependency {
  const pm = PACKAGE_MANAGER_OF[t.datasource] ?? t.datasource;
  const d: ExtractedDependency = {
    name: t.name,
    package_manager: pm as ExtractedDependency["package_manager"],
    datasource: t.datasource,
    // The lockfile is the file that records a transitive package; its component's manifest does not name it.
    file: t.lockfile ?? t.file,
    line: null,
    dependency_type: t.scope ?? "prod",
    current_value: "(transitive)",
    version: t.version,
    locked_version: t.version,
    registry_url: null,
    digest: null,
    skip_reason: null,
    local_path: null,
    component: t.component,
  };
  return {
    ...baseDependency(d, v),
    depth: t.depth ?? null,
    introduced_through: t.paths ?? [],
    dev_only: t.scope === "dev",
    lockfile: t.lockfile ?? null,
    lookup: skipped("transitive dependency from the lockfile: only advisories are checked"),
    next_review_date: nextReviewDate(now, true, "unknown"),
  };
}

/** Step 5: remediation plans for the vulnerable packages (in place), from the scan's declarations and lockfile graph. */
export async function planRemediations(dependencies: Dependency[], scan: Pick<ScanResult, "dependencies" | "locked" | "manifests">, requirementSource: RequirementSource | null, warnings: ScanWarning[]): Promise<void> {
  const lockedOf = new Map<string, ScanResult["locked"][number]>();
  for (const l of scan.locked) lockedOf.set(`${l.component}\u0000${l.datasource}\u0000${nameKey(l.datasource, l.name)}\u0000${l.version}`, l);
  const planCtx = {
    declarations: scan.dependencies,
    requirements: requirementSource ?? undefined,
    files: new Set(scan.manifests),
    warn: (message: string) => warnings.push(toWarning(null, message)),
  };
  const fetchReqs = requirementsCache(planCtx);
  for (let i = 0; i < dependencies.length; i++) {
    const d = dependencies[i];
    if (!d.advisories.some((a) => a.kind === "vulnerability")) continue;
    const locked = lockedOf.get(`${d.component}\u0000${d.datasource}\u0000${nameKey(d.datasource as DatasourceName, d.name)}\u0000${d.locked_version ?? d.version}`) ?? null;
    try {
      dependencies[i] = { ...d, remediation: await planRemediation(d, locked, planCtx, fetchReqs) };
    } catch (err) {
      warnings.push(toWarning(null, `${d.name}: remediation not planned: ${errorText(err)}`));
    }
  }
}

/** The advisory fields of a Dependency, from one vulnerability result (what baseDependency takes from it). */
export function advisoryFields(v: DependencyVulnerabilities | undefined): Pick<Dependency, "cve_ids" | "vulnerability_score" | "patch_available" | "fixed_version" | "vulnerability_score_estimated" | "advisories" | "advisories_checked"> {
  return {
    cve_ids: v?.cve_ids ?? [],
    vulnerability_score: v?.vulnerability_score ?? null,
    patch_available: v?.patch_available ?? false,
    fixed_version: v?.fixed_version ?? null,
    vulnerability_score_estimated: v?.vulnerability_score_estimated ?? false,
    advisories: v?.advisories ?? [],
    advisories_checked: v?.checked ?? false,
  };
}

/** The scan facts and advisory fields; update fields at their "nothing known" values. */
function baseDependency(d: ExtractedDependency, v: DependencyVulnerabilities | undefined): Dependency {
  return {
    name: d.name,
    version: d.version,
    latest_version: null,
    package_manager: d.package_manager,
    component: d.component,
    cve_ids: v?.cve_ids ?? [],
    vulnerability_score: v?.vulnerability_score ?? null,
    patch_available: v?.patch_available ?? false,
    compatibility: { status: "unknown", reasons: ["not looked up"], target_version: null },
    breaking_changes: [],
    deprecated: false,
    auto_update_safe: false,
    update_risk: "none",
    last_updated: null,
    next_review_date: null,
    datasource: d.datasource,
    file: d.file,
    line: d.line,
    dependency_type: d.dependency_type,
    current_value: d.current_value,
    locked_version: d.locked_version,
    update_type: "unknown",
    days_behind: null,
    latest_release_date: null,
    fixed_version: v?.fixed_version ?? null,
    vulnerability_score_estimated: v?.vulnerability_score_estimated ?? false,
    advisories: v?.advisories ?? [],
    source_url: null,
    lookup: { status: "skipped", reason: "not looked up" },
    skip_reason: d.skip_reason,
    advisories_checked: v?.checked ?? false,
    value_span: d.value_span ?? null,
    declared_by: d.declared_by ?? null,
    notes: d.notes ?? [],
    depth: null,
    introduced_through: [],
    dev_only: d.dependency_type === "dev",
    lockfile: null,
    remediation: null,
  };
}

/**
 * Enrichment for an advisory re-assessment (issue 16): advisories only, on the dependencies the last
 * scan stored, with that scan's extraction (declarations and every lockfile package). The registry facts
 * of each dependency stay as stored; every advisory field, the review date, the transitive packages
 * advisories affect and the remediation plans are computed again with the same functions a scan uses,
 * so the result is what enrichDependencies gives for the same registry answers and advisory source.
 */
export async function refreshDependencyAdvisories(
  scan: Pick<ScanResult, "dependencies" | "locked" | "manifests">,
  stored: readonly Dependency[],
  opts: { advisories: AdvisorySource | null; requirementSource: RequirementSource | null; now: Date },
): Promise<{ dependencies: Dependency[]; warnings: ScanWarning[]; added: string[]; removed: string[] }> {
  const warnings: ScanWarning[] = [];
  const direct = stored.filter((d) => d.current_value !== "(transitive)");
  const { vulns, vulnIndexOfDep, transitive } = await checkAdvisories(direct, scan, opts.advisories, warnings);
  const dependencies: Dependency[] = direct.map((d) => {
    const i = vulnIndexOfDep.get(d);
    const v = i !== undefined ? vulns[i] : undefined;
    return {
      ...d,
      ...advisoryFields(v),
      next_review_date: nextReviewDate(opts.now, (v?.advisories.length ?? 0) > 0, d.update_type),
      remediation: null,
    };
  });
  for (const { l, q } of transitive) {
    const v = vulns[q];
    if (v && v.advisories.length > 0) dependencies.push(transitiveDependency(l, v, opts.now));
  }
  await planRemediations(dependencies, scan, opts.requirementSource, warnings);
  const ids = (list: readonly Dependency[]) => new Set(list.flatMap((d) => d.advisories.map((a) => a.id)));
  const before = ids(stored);
  const after = ids(dependencies);
  return {
    dependencies,
    warnings,
    added: [...after].filter((x) => !before.has(x)).sort(),
    removed: [...before].filter((x) => !after.has(x)).sort(),
  };
}
