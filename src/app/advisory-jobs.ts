/**
 * The app's side of advisory fan-out (issue 16): the `advisory_refresh` cron tick (the OSV mirror of
 * COWABUNGA_OSV_DB changed? then queue a `reassess` job for each repository it affects) and the
 * `reassess` job itself (src/pipeline/reassess.ts), with the process's enrichment.
 */
import path from "node:path";
import type { AppLogger, GitHubOctokit } from "../act/github/client.js";
import type { RuntimeMetricsStore } from "../act/runtime/metrics-store.js";
import { refreshAdvisories, type RefreshResult } from "../advisories/refresh.js";
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

export interface AdvisoryJobsDeps {
  store: Store;
  enrichment: SharedEnrichment;
  statePath: string;
  enqueue(req: JobRequest): Promise<EnqueueResult>;
  clock: () => Date;
  log: AppLogger;
}

/** The cron tick: nothing configured or nothing changed → nothing queued. */
export async function runAdvisoryRefresh(deps: AdvisoryJobsDeps): Promise<RefreshResult | null> {
  const mirror = deps.enrichment.settings.osvDbPath;
  if (!mirror) return null;
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
