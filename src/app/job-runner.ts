/**
 * Job → pipeline (issue 11, item 2): the handler a worker runs for each job kind. It builds the
 * installation's Octokit from the job (jobs are data; no webhook context survives a queue), then calls
 * the same modules the webhook handlers used to call inline. A handler that throws is retried by the
 * queue with backoff; everything it does is idempotent (markers in bodies, state in the store).
 */
import { hasWriteAccess, parseCommand, replyNoPermission, runCommand } from "../act/github/commands.js";
import type { AppLogger, GitHubOctokit } from "../act/github/client.js";
import { openUpdatePullRequestAdapter } from "../act/github/update-adapter.js";
import type { HealthPoller, RuntimeMetricsStore } from "../act/runtime/index.js";
import { loadConfigFor, type ConfigOctokit } from "../config/repo-config.js";
import type { Job, JobHandler, JobRunContext, EnqueueResult } from "../jobs/types.js";
import { PendingWritesError, runGitHubScan, type PipelineStages, type ScanRunResult, type ScanTrigger } from "../pipeline/github.js";
import type { Manager } from "../scan/types.js";
import type { RepoRef, Store } from "../store/types.js";
import type { UpdateRequestBody } from "../server/types.js";
import { scanJob, type JobRequest } from "./dispatch.js";
import { syncIssueLifecycle } from "./lifecycle.js";
import { rebaseUpdatePullRequest } from "./rebase.js";
import type { NotificationHub } from "./notifications.js";
import { routePrEvent } from "./pr-routes.js";
import { runAdvisoryRefresh, runReassessJob, type OnlineRefreshSettings } from "./advisory-jobs.js";
import type { SharedEnrichment } from "./enrichment.js";
import type { Scheduler } from "./schedule.js";
import { openRequestedUpdates, readRepoConfig } from "./updates.js";

export interface JobRunnerDeps {
  /** The installation Octokit a job runs with (its installation_id, else looked up by repository). */
  octokitFor(job: Job): Promise<GitHubOctokit>;
  enqueue(req: JobRequest): Promise<EnqueueResult>;
  store: Store;
  clock: () => Date;
  stages: PipelineStages;
  runtime: RuntimeMetricsStore;
  notifications: NotificationHub | null;
  scheduler: Scheduler;
  healthPoller: HealthPoller;
  managers?: readonly Manager[];
  publicUrl: string | null;
  onScan?: (result: ScanRunResult) => void;
  /** Advisory fan-out (issue 16): the process's enrichment and where the refresh keeps its state. */
  advisories?: { enrichment: SharedEnrichment; statePath: string; online?: OnlineRefreshSettings | null };
  log: AppLogger & { child(bindings: Record<string, unknown>): AppLogger };
}

function refOf(job: Job): RepoRef {
  const [owner, repo] = (job.repo ?? "/").split("/");
  return { owner, repo };
}

export function createJobRunner(deps: JobRunnerDeps): JobHandler {
  const { store, clock } = deps;
  return async (job: Job, ctx: JobRunContext) => {
    const log = deps.log.child({ job_id: ctx.id, job_kind: job.kind, attempt: ctx.attempt, ...(job.repo ? { repo: job.repo } : {}), ...(job.source ? { source: job.source } : {}) });
    switch (job.kind) {
      case "scheduled_scan": {
        const queued = await deps.scheduler.tick();
        log.info({ queued: queued.length }, `schedule tick: ${queued.length} scan(s) due`);
        return;
      }
      case "health_poll": {
        await deps.healthPoller.pollOnce();
        return;
      }
      case "advisory_refresh": {
        if (!deps.advisories) return;
        const r = await runAdvisoryRefresh({ store, enrichment: deps.advisories.enrichment, statePath: deps.advisories.statePath, online: deps.advisories.online ?? null, enqueue: deps.enqueue, clock, log });
        log.info({ status: r?.status ?? "no mirror" }, `advisory refresh: ${r?.status ?? "no OSV mirror nor online refresh configured"}`);
        return;
      }
      case "notify": {
        // Pending deliveries of every repository, from the store (whichever worker takes the tick).
        await deps.notifications?.retryPending();
        return;
      }
      default:
        break;
    }
    const ref = refOf(job);
    const octokit = await deps.octokitFor(job);
    const p = job.payload;
    switch (job.kind) {
      case "scan": {
        const trigger = (p.trigger ?? { event: "unknown" }) as ScanTrigger;
        const result = await runGitHubScan({
          octokit,
          owner: ref.owner,
          repo: ref.repo,
          store,
          clock,
          log,
          trigger,
          stages: deps.stages,
          runtime: deps.runtime,
          ...(deps.notifications ? { notify: (input) => deps.notifications!.afterAssess(input), digest: (input) => deps.notifications!.digestIfDue(input) } : {}),
          ...(deps.managers ? { managers: deps.managers } : {}),
          publicUrl: deps.publicUrl,
          // Webhook, schedule, REST API and commands: the one config loader, so `_extends` holds for all.
          loadConfig: () => loadConfigFor(octokit as unknown as ConfigOctokit, ref, log),
        });
        deps.onScan?.(result);
        // A failed scan is retried by the queue (with backoff), then shown as a failed job.
        if (result.outcome === "failed") throw new Error(`scan of ${job.repo} failed: ${result.error ?? "unknown error"}`);
        // Writes GitHub kept refusing: the job fails visibly and is retried; scan_state.pending_writes makes
        // the next run complete them.
        if (result.pendingWrites && result.pendingWrites.length > 0) throw new PendingWritesError(result.repo, result.pendingWrites);
        return;
      }
      case "reassess": {
        if (!deps.advisories) throw new Error("reassess job without advisory settings in this process");
        const result = await runReassessJob(job, octokit, log, {
          store,
          enrichment: deps.advisories.enrichment,
          stages: deps.stages,
          clock,
          runtime: deps.runtime,
          ...(deps.notifications ? { notify: (input) => deps.notifications!.afterAssess(input) } : {}),
          publicUrl: deps.publicUrl,
        });
        if (result.outcome === "failed") throw new Error(`re-assessment of ${job.repo} failed: ${result.error ?? "unknown error"}`);
        if (result.pendingWrites && result.pendingWrites.length > 0) throw new PendingWritesError(result.repo, result.pendingWrites);
        return;
      }
      case "update_prs": {
        const out = await openRequestedUpdates({ octokit, ref, body: p.body as UpdateRequestBody, store, clock, log });
        log.info({ opened: out.opened }, `requested updates: ${out.opened.length} pull request(s)`);
        return;
      }
      case "ci_result":
      case "revert": {
        const event = String(p.event);
        const payload = (p.payload ?? {}) as Record<string, unknown>;
        const result = await routePrEvent(event, payload, { octokit, ...ref, store, clock, log });
        log.info({ event, action: payload.action ?? null, result: (result as { status?: string } | null)?.status ?? "not routed" }, `${event} handled`);
        return;
      }
      case "issue_state": {
        const action = p.action === "reopened" ? "reopened" : "closed";
        const changed = await syncIssueLifecycle(store, ref, { action, issueId: String(p.issue_id), actor: String(p.actor ?? "unknown"), at: clock() });
        log.info({ issue: p.issue_number, id: p.issue_id, state: changed?.lifecycle_state ?? null }, `issue ${action}: lifecycle ${changed ? `now ${changed.lifecycle_state}` : "unchanged"}`);
        return;
      }
      case "command": {
        const cmd = parseCommand(String(p.comment ?? ""));
        if (!cmd) return;
        const user = String(p.user);
        const issueNumber = Number(p.issue_number);
        if (!(await hasWriteAccess(octokit, ref, user, log))) {
          await replyNoPermission(octokit, ref, issueNumber, user, log);
          return;
        }
        const outcome = await runCommand(cmd, {
          octokit,
          repo: ref,
          store,
          issueNumber,
          issueId: typeof p.issue_id === "string" ? p.issue_id : null,
          user,
          clock,
          log,
          rescan: () => {
            void deps
              .enqueue(scanJob(job.repo!, job.installation_id, { event: "command", force: true, ...(typeof p.delivery_id === "string" ? { deliveryId: `${p.delivery_id}:rescan` } : {}) }))
              .catch((err: unknown) => log.warn({ err: String(err) }, "could not queue the rescan"));
          },
          // `/cowabunga rebase` on one of the app's update PRs.
          ...(p.on_update_pr === true ? { rebase: () => rebaseUpdatePullRequest({ octokit, repo: ref, number: issueNumber, store, clock, log }) } : {}),
          // The repository's own updates settings (labels, reviewers, grouping) apply: one contents read.
          openUpdate: async (issue) => openUpdatePullRequestAdapter({ octokit, repo: ref, owner: ref.owner, store, issue, requestedBy: user, clock, log, config: await readRepoConfig(octokit, ref, log) }),
        });
        log.info({ command: cmd.verb, user, issue: issueNumber }, `command ${cmd.verb} by ${user}: ${outcome.reply ?? ""}`);
        return;
      }
    }
  };
}
