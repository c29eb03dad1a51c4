/**
 * The app's side of advisory fan-out (issue 16): the `advisory_refresh` cron tick (the OSV mirror of
 * COWABUNGA_OSV_DB changed? or, without a mirror, COWABUNGA_ADVISORY_ONLINE: what changed at OSV since
 * the last tick? then queue a `reassess` job for each repository it affects) and the `reassess` job
 * itself (src/pipeline/reassess.ts), with the process's enrichment.
 */
import path from "node:path";
import type { AppLogger, GitHubOctokit } from "../act/github/client.js";
import type { RuntimeMetricsStore } from "../act/runtime/metrics-store.js";
import { refreshAdvisories, type RefreshResult } from "../advisories/refresh.js";
import { DEFAULT_MAX_RECORDS, DEFAULT_OSV_API_URL, DEFAULT_OSV_EXPORT, refreshAdvisoriesOnline, type OnlineMode } from "../advisories/online.js";
import type { EnqueueResult, Job } from "../jobs/types.js";
import type { PipelineStages, ScanNotifier } from "../pipeline/github.js";
import { runReassess, type ReassessResult } from "../pipeline/reassess.js";
import type { RepoRef, Store } from "../store/types.js";
import type { SharedEnrichment } from "./enrichment.js";
import type { JobRequest } from "./dispatch.js";

/** Where the last refresh's advisory fingerprints are kept: COWABUNGA_ADVISORY_STATE, else beside the file store. */
export function advisoryStatePath(env: Record<string, string | undefined>, cwd = process.cwd()): string {
  const explicit = env.COWABUNGA_ADVISORY_STATE?.trim();
  if (explicit) return path.resolve(cwd, explicit);
  return path.join(path.resolve(cwd, env.COWABUNGA_DATA_DIR?.trim() || "./data"), "advisory-state.json");
}

/** The job that re-assesses one repository after a refresh; one per repository and mirror checksum. */
export function reassessJob(repo: RepoRef, checksum: string, withdrawn: readonly string[]): JobRequest {
  const full = `${repo.owner}/${repo.repo}`;
  return {
    job: { kind: "reassess", repo: full, installation_id: null, payload: { checksum, withdrawn: [...withdrawn].slice(0, 5000) }, source: `advisory-refresh:${checksum.slice(0, 19)}` },
    opts: { idempotencyKey: `reassess:${full.toLowerCase()}@${checksum}` },
  };
}

/** The online refresh, from COWABUNGA_ADVISORY_ONLINE (null: off), COWABUNGA_OSV_EXPORT_URL, COWABUNGA_ADVISORY_ONLINE_MAX_RECORDS. */
export interface OnlineRefreshSettings {
  mode: OnlineMode;
  /** The export's base (modified-since) or the API's (querybatch: COWABUNGA_REGISTRY_OSV, else api.osv.dev). */
  baseUrl: string;
  /** Records fetched at most per refresh; 0 only for a bad COWABUNGA_ADVISORY_ONLINE (the refresh is off). */
  maxRecords: number;
  warnings: string[];
}

/** Never throws: a bad value is a warning, and a bad mode leaves the online refresh off. */
export function onlineRefreshFromEnv(env: Record<string, string | undefined>): OnlineRefreshSettings | null {
  const raw = env.COWABUNGA_ADVISORY_ONLINE?.trim().toLowerCase() ?? "";
  if (raw === "" || raw === "off" || raw === "false" || raw === "0") return null;
  const warnings: string[] = [];
  const mode: OnlineMode | null = raw === "querybatch" ? "querybatch" : raw === "modified-since" || raw === "true" || raw === "on" || raw === "1" ? "modified-since" : null;
  if (!mode) return { mode: "modified-since", baseUrl: "", maxRecords: 0, warnings: [`COWABUNGA_ADVISORY_ONLINE: "${raw}" is not modified-since, querybatch or off; the online refresh is off`] };
  const exportUrl = env.COWABUNGA_OSV_EXPORT_URL?.trim();
  const apiUrl = env.COWABUNGA_REGISTRY_OSV?.trim();
  let baseUrl = mode === "querybatch" ? apiUrl || DEFAULT_OSV_API_URL : exportUrl || DEFAULT_OSV_EXPORT;
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    warnings.push(`${mode === "querybatch" ? "COWABUNGA_REGISTRY_OSV" : "COWABUNGA_OSV_EXPORT_URL"} is not an http(s) URL; using OSV's own`);
    baseUrl = mode === "querybatch" ? DEFAULT_OSV_API_URL : DEFAULT_OSV_EXPORT;
  }
  const maxRaw = env.COWABUNGA_ADVISORY_ONLINE_MAX_RECORDS?.trim();
  let maxRecords = DEFAULT_MAX_RECORDS;
  if (maxRaw) {
    const n = Number(maxRaw);
    if (Number.isInteger(n) && n >= 1 && n <= 1_000_000) maxRecords = n;
    else warnings.push(`COWABUNGA_ADVISORY_ONLINE_MAX_RECORDS: "${maxRaw}" is not a whole number from 1 to 1000000; using ${DEFAULT_MAX_RECORDS}`);
  }
  return { mode, baseUrl: baseUrl.replace(/\/+$/, ""), maxRecords, warnings };
}

export interface AdvisoryJobsDeps {
  store: Store;
  enrichment: SharedEnrichment;
  statePath: string;
  /** The online refresh when no mirror is configured (onlineRefreshFromEnv); null or absent: off. */
  online?: OnlineRefreshSettings | null;
  /** The online refresh's HTTP (tests); default fetchHttp. */
  onlineHttp?: Parameters<typeof refreshAdvisoriesOnline>[0]["http"];
  enqueue(req: JobRequest): Promise<EnqueueResult>;
  clock: () => Date;
  log: AppLogger;
}

/** The cron tick: nothing configured or nothing changed → nothing queued. */
export async function runAdvisoryRefresh(deps: AdvisoryJobsDeps): Promise<RefreshResult | null> {
  const mirror = deps.enrichment.settings.osvDbPath;
  if (!mirror) {
    const online = deps.online;
    if (!online || online.maxRecords === 0 || deps.enrichment.settings.offline) return null;
    const result = await refreshAdvisoriesOnline({
      store: deps.store,
      statePath: deps.statePath,
      clock: deps.clock,
      mode: online.mode,
      baseUrl: online.baseUrl,
      maxRecords: online.maxRecords,
      ...(deps.onlineHttp ? { http: deps.onlineHttp } : {}),
      enqueue: async (r, ctx) => {
        await deps.enqueue(reassessJob(r.repo, ctx.checksum, ctx.withdrawn));
      },
    });
    for (const w of result.warnings.slice(0, 20)) deps.log.warn({ advisory_refresh: { mode: result.mode } }, `advisory refresh (online): ${w}`);
    if (result.status === "refreshed" || result.remaining > 0) {
      deps.log.info(
        { advisory_refresh: { mode: result.mode, changes: result.changes.length, candidates: result.candidates, queued: result.reassessed.length, remaining: result.remaining } },
        `advisory refresh (online, ${result.mode}): ${result.changes.length} advisories changed; ${result.reassessed.length} of ${result.candidates} candidate repositories queued for re-assessment` +
          (result.remaining > 0 ? `; ${result.remaining} changed records left for the next refresh` : ""),
      );
    }
    return result;
  }
  let loaded: Parameters<SharedEnrichment["offlineIndexAt"]>[1];
  const result = await refreshAdvisories({
    store: deps.store,
    mirror,
    statePath: deps.statePath,
    clock: deps.clock,
    onIndex: (index) => void (loaded = index),
    enqueue: async (r, ctx) => {
      await deps.enqueue(reassessJob(r.repo, ctx.checksum, ctx.withdrawn));
    },
  });
  // Scans in this process use the refreshed mirror from now on (other workers reload on their next reassess job).
  if (loaded) await deps.enrichment.offlineIndexAt(result.checksum, loaded);
  if (result.status === "refreshed") {
    deps.log.info(
      { advisory_refresh: { changes: result.changes.length, candidates: result.candidates, queued: result.reassessed.length } },
      `advisory refresh: ${result.changes.length} advisories changed; ${result.reassessed.length} of ${result.candidates} candidate repositories queued for re-assessment`,
    );
  }
  return result;
}

export interface ReassessJobDeps {
  store: Store;
  enrichment: SharedEnrichment;
  stages: PipelineStages;
  clock: () => Date;
  runtime?: RuntimeMetricsStore;
  notify?: ScanNotifier;
  publicUrl: string | null;
}

export async function runReassessJob(job: Job, octokit: GitHubOctokit, log: AppLogger, deps: ReassessJobDeps): Promise<ReassessResult> {
  const [owner, repo] = (job.repo ?? "/").split("/") as [string, string];
  const checksum = typeof job.payload.checksum === "string" ? job.payload.checksum : null;
  const withdrawn = Array.isArray(job.payload.withdrawn) ? job.payload.withdrawn.filter((x): x is string => typeof x === "string") : [];
  const sources = await deps.enrichment.reassessSources(checksum);
  return runReassess({
    octokit,
    ref: { owner, repo },
    store: deps.store,
    log,
    clock: deps.clock,
    stages: deps.stages,
    advisories: sources.advisories,
    requirementSource: sources.requirementSource,
    withdrawn,
    ...(deps.runtime ? { runtime: deps.runtime } : {}),
    ...(deps.notify ? { notify: deps.notify } : {}),
    publicUrl: deps.publicUrl,
  });
}
