/**
 * Enrichment for the running app, configured from the environment:
 * - `COWABUNGA_OFFLINE=true`: no registry or OSV network at all;
 * - `COWABUNGA_OSV_DB=<path>`: an OSV mirror (directory of JSON records or all.zip exports), loaded ONCE
 *   per process and shared by every repository;
 * - `COWABUNGA_REGISTRY_<ECOSYSTEM>=<url>`: operator mirrors (npm, pypi, crates, go, go_sumdb, docker,
 *   helm, osv); they override the repositories' `registries` config and may be private hosts
 *   (`COWABUNGA_REGISTRY_GO_SUMDB=off`: go.sum lines are never looked up).
 * ONE HttpClient per process, so its cache is shared across repositories and installations.
 */
import path from "node:path";
import type { z } from "zod";
import { assess } from "../assess/index.js";
import { RegistriesConfig, registryUrls } from "../config/schema.js";
import { OsvOfflineIndex, OsvOnlineSource, type AdvisorySource } from "../enrich/advisories/index.js";
import type { RequirementSource } from "../enrich/datasources/requirements.js";
import { enrichDependencies, requirementSourceFor, type EnrichOptions } from "../enrich/index.js";
import { createHttpClient, type HttpClient } from "../enrich/http.js";
import { sharedGuardedAgent } from "../enrich/guarded-agent.js";
import { assertSafeUrl } from "../enrich/url-guard.js";
import type { PipelineStages } from "../pipeline/github.js";
import { createDockerDatasource } from "../enrich/datasources/docker.js";
import type { DigestSource } from "../act/github/digests.js";

export type Registries = z.infer<typeof RegistriesConfig>;

export interface EnrichSettings {
  offline: boolean;
  /** Absolute path of the OSV mirror, or null. */
  osvDbPath: string | null;
  /** Operator mirrors from COWABUNGA_REGISTRY_<ECOSYSTEM>. */
  registries: Registries;
  /** Problems with the variables (bad URL, unknown ecosystem); no secrets in them. */
  warnings: string[];
}

const TRUE = new Set(["1", "true", "yes", "on"]);

/** Read the enrichment settings from the environment. Never throws: bad values become warnings. */
export function enrichSettingsFromEnv(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): EnrichSettings {
  const warnings: string[] = [];
  const offline = TRUE.has((env.COWABUNGA_OFFLINE ?? "").trim().toLowerCase());
  const db = env.COWABUNGA_OSV_DB?.trim();
  const osvDbPath = db ? path.resolve(cwd, db) : null;
  const allowed = RegistriesConfig.keyType.options as readonly string[];
  const registries: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const m = /^COWABUNGA_REGISTRY_([A-Z0-9_]+)$/.exec(name);
    if (!m || value === undefined || value.trim() === "") continue;
    const eco = m[1].toLowerCase();
    if (!allowed.includes(eco)) {
      warnings.push(`${name}: unknown ecosystem "${eco}" (one of ${allowed.join(", ")}); ignored`);
      continue;
    }
    if (eco === "go_sumdb" && value.trim().toLowerCase() === "off") {
      registries[eco] = "off";
      continue;
    }
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      warnings.push(`${name} is not a valid URL; ignored`);
      continue;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      warnings.push(`${name}: only http(s) URLs are allowed; ignored`);
      continue;
    }
    registries[eco] = url.toString().replace(/\/+$/, "");
  }
  return { offline, osvDbPath, registries: registries as Registries, warnings };
}

export interface EnrichLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * The process-wide enrichment: one HttpClient, one OSV mirror index (loaded on first use, shared by
 * concurrent scans), and the pipeline stages built on them.
 */
export class SharedEnrichment {
  readonly http: HttpClient;
  private osv: Promise<OsvOfflineIndex> | null = null;
  /** The mirror checksum the loaded index was read at, when a refresh told us (src/advisories/refresh.ts). */
  private osvChecksum: string | null = null;
  private digests: DigestSource | null = null;

  constructor(
    readonly settings: EnrichSettings,
    private readonly log?: EnrichLog,
    http?: HttpClient,
  ) {
    // Operator mirrors may be private hosts: let the guard through for exactly those origins.
    const trusted = new Set(registryUrls(settings.registries).map((u) => new URL(u).origin));
    this.http =
      http ??
      createHttpClient({
        offline: settings.offline,
        urlGuard: async (url) => {
          if (trusted.has(url.origin)) return;
          await assertSafeUrl(url);
        },
        // Everything else connects only to the addresses the guard accepts, checked at connect time.
        dispatcher: (url) => (trusted.has(url.origin) ? null : sharedGuardedAgent()),
      });
    for (const w of settings.warnings) log?.warn({}, `enrichment settings: ${w}`);
  }

  /** The OSV mirror index, loaded once; null when no mirror is configured. */
  offlineIndex(): Promise<OsvOfflineIndex> | null {
    const p = this.settings.osvDbPath;
    if (!p) return null;
    this.osv ??= OsvOfflineIndex.load(p).then((index) => {
      this.log?.info({ osv_db: p, ...index.stats }, `OSV mirror ${p} loaded: ${index.stats.records} records in ${index.stats.load_ms} ms`);
      for (const w of index.warnings.slice(0, 20)) this.log?.warn({ osv_db: p, file: w.file ?? null }, `OSV mirror: ${w.message}`);
      return index;
    });
    return this.osv;
  }

  /**
   * The mirror as of an advisory refresh: the loaded index when it was read at `checksum`, else the mirror
   * loaded again (a refresh changed it; in a cluster, another worker's refresh). Scans use it from then on.
   */
  async offlineIndexAt(checksum: string | null, loaded?: OsvOfflineIndex): Promise<OsvOfflineIndex | null> {
    const p = this.settings.osvDbPath;
    if (!p) return null;
    if (loaded) {
      this.osv = Promise.resolve(loaded);
      this.osvChecksum = checksum;
      return loaded;
    }
    if (this.osv && (checksum === null || checksum === this.osvChecksum)) return await this.osv;
    const { mirrorChecksum } = await import("../advisories/refresh.js");
    const now = await mirrorChecksum(p);
    this.osv = OsvOfflineIndex.load(p);
    this.osvChecksum = now;
    return await this.osv;
  }

  /** What a re-assessment enriches with: the advisory source, and registry requirements (not offline). */
  async reassessSources(
    checksum: string | null,
  ): Promise<{ advisories: AdvisorySource | null; requirementSource: ((configRegistries: Registries) => RequirementSource) | null }> {
    const index = await this.offlineIndexAt(checksum);
    const advisories: AdvisorySource | null = index ?? (this.settings.offline ? null : new OsvOnlineSource(this.settings.registries.osv ? { baseUrl: this.settings.registries.osv, dispatcher: null } : {}));
    // As a full scan's enrich builds it: the repository's registries under the operator's mirrors, every
    // ecosystem (npm, PyPI, Go and its checksum database), through the shared client.
    const requirementSource = this.settings.offline ? null : (configRegistries: Registries) => requirementSourceFor(this.http, { ...configRegistries, ...this.settings.registries });
    return { advisories, requirementSource };
  }

  /** Registry digests for pinned-image updates, through the shared client (so operator mirrors and offline mode apply). */
  dockerDigests(): DigestSource {
    this.digests ??= createDockerDatasource({ http: this.http, registry: this.settings.registries.docker });
    return this.digests;
  }

  /** What update PRs read lockfile metadata through: the shared client and the operator mirrors (Go checksum database included). */
  lockArtefactAccess(): { http: HttpClient; registryMirrors: Registries } {
    return { http: this.http, registryMirrors: this.settings.registries };
  }

  /** What `enrichDependencies` gets besides the scan's own config, clock, log and octokit. */
  async enrichOptions(): Promise<Pick<EnrichOptions, "http" | "offline" | "registries" | "advisories">> {
    const index = this.offlineIndex();
    const advisories: AdvisorySource | null | undefined = index ? await index : this.settings.offline ? null : undefined;
    return {
      http: this.http,
      offline: this.settings.offline,
      registries: this.settings.registries,
      ...(advisories !== undefined ? { advisories } : {}),
    };
  }

  /** Pipeline stages: src/enrich with the shared client and mirror, then src/assess. */
  stages(): PipelineStages {
    return {
      enrich: async ({ scan, config, clock, log, octokit }) => {
        const out = await enrichDependencies(scan, {
          ...(await this.enrichOptions()),
          config,
          clock,
          log,
          ...(octokit && !this.settings.offline ? { octokit: octokit as unknown as EnrichOptions["octokit"] } : {}),
        });
        return { dependencies: out.dependencies, yanked: out.yanked, withdrawnAdvisories: out.withdrawn_advisories };
      },
      assess: async (inputs, { config, clock }) => assess(inputs, config, clock),
    };
  }
}

let processEnrichment: SharedEnrichment | null = null;

/** The process's enrichment, from the environment on first use (one HttpClient, one OSV index). */
export function sharedEnrichment(log?: EnrichLog): SharedEnrichment {
  processEnrichment ??= new SharedEnrichment(enrichSettingsFromEnv(), log);
  return processEnrichment;
}
