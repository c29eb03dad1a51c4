/**
 * An advisory re-assessment of one repository (issue 16, the `reassess` job): the advisory half of
 * enrich on the dependencies the last scan stored, then the scan's own assess-and-act (assessAndAct):
 * GitHub issues, update PRs, the dashboard, alerts. Reads nothing of the repository from GitHub: the
 * extraction, config, CODEOWNERS and text findings come from the basis the last scan stored. The one
 * GitHub read is the listing of the app's issues that every scan's act step makes.
 */
import type { AppLogger, GitHubOctokit } from "../act/github/client.js";
import { countRequests, errorText } from "../act/github/client.js";
import type { RuntimeMetricsStore } from "../act/runtime/metrics-store.js";
import type { Clock } from "../assess/types.js";
import type { CommandRunner } from "../act/github/lockfile.js";
import type { z } from "zod";
import { CowabungaConfig, type RegistriesConfig } from "../config/schema.js";

import type { ConfigError } from "../config/load.js";
import type { AdvisorySource } from "../enrich/advisories/index.js";
import type { RequirementSource } from "../enrich/datasources/requirements.js";
import { refreshDependencyAdvisories } from "../enrich/index.js";
import type { ScanResult } from "../scan/types.js";
import type { RepoRef, Store } from "../store/types.js";
import { assessAndAct, type PipelineStages, type ScanNotifier, type ScanRunResult } from "./github.js";

type Registries = z.infer<typeof RegistriesConfig>;

export interface ReassessOptions {
  octokit: GitHubOctokit;
  ref: RepoRef;
  store: Store;
  log: AppLogger;
  clock?: Clock;
  stages: PipelineStages;
  /** The advisory source now (the refreshed mirror), and registry requirements for remediation plans. */
  advisories: AdvisorySource | null;
  /**
   * Registry requirements for remediation plans; a function gets the registries a full scan of this
   * repository would use (its stored config's `registries` under the operator's mirrors).
   */
  requirementSource: RequirementSource | null | ((configRegistries: Registries) => RequirementSource | null);
  /** Advisory ids the refresh found withdrawn: their issues close with that reason. */
  withdrawn?: readonly string[];
  runtime?: RuntimeMetricsStore;
  notify?: ScanNotifier;
  updates?: boolean;
  appLogins?: readonly string[];
  runner?: CommandRunner;
  npmAvailable?: boolean;
  publicUrl?: string | null;
}

export interface ReassessResult extends ScanRunResult {
  /** Advisory ids that appeared / disappeared in the stored dependencies. */
  added: string[];
  removed: string[];
}

/**
 * Never throws for an expected condition: no basis yet (the repository was never fully scanned by this
 * version) → outcome "unchanged", nothing written; the next scan stores one.
 */
export async function runReassess(opts: ReassessOptions): Promise<ReassessResult> {
  const { octokit, ref, store, log } = opts;
  const clock = opts.clock ?? (() => new Date());
  const full = `${ref.owner}/${ref.repo}`;
  const t0 = performance.now();
  const counter = countRequests(octokit);
  const result: ReassessResult = { outcome: "failed", repo: full, headSha: null, treeSha: null, counts: counter.counts, durationMs: 0, added: [], removed: [] };
  const finish = (): ReassessResult => {
    counter.stop();
    result.durationMs = Math.round(performance.now() - t0);
    log.info(
      { reassess: { repo: full, outcome: result.outcome, added: result.added, removed: result.removed, reads: counter.counts.reads, writes: counter.counts.writes, duration_ms: result.durationMs } },
      `re-assessment of ${full}: ${result.outcome} in ${result.durationMs} ms (${counter.counts.reads} reads, ${counter.counts.writes} writes)`,
    );
    return result;
  };
  try {
    // The three reads at once: each is mostly waiting on the disk or the database.
    const [basis, state, stored] = await Promise.all([store.getReassessBasis(ref), store.getScanState(ref), store.getDependencies(ref)]);
    if (!basis) {
      result.outcome = "unchanged";
      result.error = "no re-assessment basis stored yet: the next scan stores one";
      return finish();
    }
    const parsed = CowabungaConfig.safeParse(basis.config);
    if (!parsed.success) throw new Error(`the stored config of ${full} is not valid any more: ${parsed.error.issues[0]?.message ?? "unknown"}; rescan it`);
    const config = parsed.data;
    store.setRetention(ref, config.retention);
    result.headSha = basis.head_sha;
    result.treeSha = basis.tree_sha;
    const enriched = await refreshDependencyAdvisories(basis.scan, stored, {
      advisories: opts.advisories,
      requirementSource: typeof opts.requirementSource === "function" ? opts.requirementSource(config.registries) : opts.requirementSource,
      now: clock(),
    });
    result.added = enriched.added;
    result.removed = enriched.removed;
    const scan: ScanResult = { ...basis.scan, warnings: [] };
    const started = clock();
    await assessAndAct({
      octokit,
      ref,
      store,
      log,
      clock,
      state,
      headSha: basis.head_sha,
      config,
      configErrors: basis.config_errors as ConfigError[],
      scan,
      dependencies: enriched.dependencies,
      yanked: basis.yanked,
      allFiles: basis.workflow_files,
      textFindings: basis.text_findings,
      ...(opts.withdrawn ? { withdrawnAdvisories: opts.withdrawn } : {}),
      codeownersTexts: new Map(Object.entries(basis.codeowners)),
      defaultBranch: null,
      stages: opts.stages,
      runtime: opts.runtime,
      notify: opts.notify,
      updates: opts.updates,
      appLogins: opts.appLogins,
      runner: opts.runner,
      npmAvailable: opts.npmAvailable,
      publicUrl: opts.publicUrl ?? null,
      result,
      stateFields: { last_reassessed_at: started.toISOString() },
    });
    result.outcome = "scanned";
    return finish();
  } catch (err) {
    result.outcome = "failed";
    result.error = errorText(err);
    log.error({ err: result.error, repo: full }, `re-assessment of ${full} failed: ${result.error}`);
    return finish();
  }
}
