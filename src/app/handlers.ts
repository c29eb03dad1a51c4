import type { ApplicationFunctionOptions, Context, Probot } from "probot";
import { FileStore, dataDirFromEnv } from "../store/index.js";
import type { RepoRef, Store } from "../store/types.js";
import type { Manager } from "../scan/types.js";
import type { PipelineStages, ScanRunResult, ScanTrigger } from "../pipeline/github.js";
import type { GitHubOctokit } from "../act/github/client.js";
import { DeliveryDeduper } from "./queue.js";
import { Scheduler, type ScheduledRepo } from "./schedule.js";
import { advisoryStatePath, onlineRefreshFromEnv } from "./advisory-jobs.js";
import { sharedEnrichment, type SharedEnrichment } from "./enrichment.js";
import { NotificationHub } from "./notifications.js";
import { InstallationFinder } from "./updates.js";
import { registerHttpRoutes } from "../server/index.js";
import type { UpdateRequestBody } from "../server/types.js";
import { FileRuntimeMetricsStore, HealthPoller, MAX_SAMPLES_PER_COMPONENT, MemoryRuntimeMetricsStore, type PollTarget, type RuntimeMetricsStore } from "../act/runtime/index.js";
import { intFromEnv } from "../server/api.js";
import { MemoryJobQueue } from "../jobs/memory.js";
import type { EnqueueResult, Job, JobQueue, RetryPolicy } from "../jobs/types.js";
import { dispatchEvent, scanJob, DISPATCH_EVENT_TYPE, type JobRequest } from "./dispatch.js";
import { createJobRunner } from "./job-runner.js";
import type { AppMetrics } from "./metrics.js";

export { DISPATCH_EVENT_TYPE };

/** COWABUNGA_METRICS_MAX_SAMPLES: runtime samples kept per component (at least 1). */
function maxSamplesFromEnv(env: Record<string, string | undefined>): number {
  return Math.max(1, intFromEnv(env, "COWABUNGA_METRICS_MAX_SAMPLES", MAX_SAMPLES_PER_COMPONENT));
}

/** Events the app subscribes to; kept in step with app.yml's default_events. */
export const SUBSCRIBED_EVENTS = [
  "push",
  "pull_request",
  "check_suite",
  "check_run",
  "workflow_run",
  "status",
  "installation",
  "installation_repositories",
  "issues",
  "issue_comment",
  "repository_dispatch",
] as const;

/**
 * What this process does. `all` (embedded, `npm start`): webhooks, API and jobs. `serve`
 * (`cowabunga serve`): webhooks and API; jobs go to the durable queue. `worker` (`cowabunga worker`):
 * runs jobs, takes no webhooks.
 */
export type ProcessRole = "all" | "serve" | "worker";

/** What the app needs from outside; everything has a default, tests inject their own. */
export interface AppDeps {
  /** The enrichment re-assessments and the advisory refresh use (default: the process's, from the environment). */
  enrichment?: SharedEnrichment;
  store?: Store;
  /** enrich + assess; default: src/enrich and src/assess. */
  stages?: PipelineStages;
  clock?: () => Date;
  /** For schedule jitter (default: a hash of repository and slot, the same in every process). */
  random?: () => number;
  /** Jobs running at once in this process (default 2; per queue with the durable queue). */
  concurrency?: number;
  /** Run the schedule, health polls and notification retries (default: on, except under tests). */
  schedule?: boolean;
  scheduleIntervalMs?: number;
  /** COWABUNGA_PUBLIC_URL. */
  publicUrl?: string | null;
  managers?: readonly Manager[];
  /** Called with every scan result (tests, metrics). */
  onScan?: (result: ScanRunResult) => void;
  /** Runtime samples (health polls, pushed metrics). Default: a file store beside the FileStore. */
  runtime?: RuntimeMetricsStore;
  /** Serve the REST API and dashboard on Probot's server (default: when Probot gives `addHandler`). */
  http?: boolean;
  /** Poll `components[].health_url` (default: on, except under tests). */
  healthPoller?: boolean;
  healthIntervalMs?: number;
  /** Send notifications after assess (default: on). */
  notifications?: boolean;
  /** Retry pending notifications at start and on their backoff schedule (default: on; a cluster uses the `notify` cron tick instead). */
  notificationTimers?: boolean;
  /** Environment for channel secrets (default process.env). */
  env?: Record<string, string | undefined>;
  /** The job queue (default: the in-process MemoryJobQueue). */
  queue?: JobQueue;
  /** Retries of the default in-process queue (default 3, from 30 s, doubling). */
  retry?: Partial<RetryPolicy>;
  role?: ProcessRole;
  /** Prometheus metrics of this process (`/metrics`). */
  metrics?: AppMetrics;
  /** Called with the services once registered (process bootstrap: the worker's /readyz needs the store). */
  onServices?: (services: AppServices) => void;
}

export interface AppServices {
  queue: JobQueue;
  deduper: DeliveryDeduper;
  scheduler: Scheduler;
  store: Store;
  /** Queue a scan of a repository. */
  enqueueScan(repo: RepoRef, trigger: ScanTrigger, installationId?: number | null): Promise<EnqueueResult>;
  runtime: RuntimeMetricsStore;
  notifications: NotificationHub | null;
  healthPoller: HealthPoller;
  installations: InstallationFinder;
  /** What the REST API's `POST dependencies/update` does: queue update PRs for the repository. */
  requestUpdate(owner: string, repo: string, body: UpdateRequestBody): Promise<{ job_id: string }>;
  /** What the REST API's `POST dependencies/audit` does: queue a forced scan. */
  requestScan(owner: string, repo: string): Promise<{ job_id: string }>;
  /** Resolves when the in-process queue has nothing left to do (the durable queue: at once). */
  idle(): Promise<void>;
  /** Stop timers (schedule, health poller, outbox retries) and the queue. */
  stop(): void;
}

/**
 * The schedule's and the health poller's background timers, unless `COWABUNGA_BACKGROUND_TIMERS=false`
 * (the test harness sets it, as an operator may for a process that should only serve); `deps` overrides.
 */
function backgroundTimersFromEnv(env: Record<string, string | undefined>): boolean {
  return env.COWABUNGA_BACKGROUND_TIMERS?.trim().toLowerCase() !== "false";
}

/** Every repository of every installation of the app (for the schedule). */
export async function listInstalledRepos(app: Pick<Probot, "auth">): Promise<ScheduledRepo[]> {
  const appOctokit = await app.auth();
  const installations = (await appOctokit.paginate("GET /app/installations", { per_page: 100 })) as Array<{ id: number; suspended_at?: string | null }>;
  const out: ScheduledRepo[] = [];
  for (const inst of installations) {
    if (inst.suspended_at) continue;
    const octokit = await app.auth(inst.id);
    const repos = (await octokit.paginate("GET /installation/repositories", { per_page: 100 })) as unknown as Array<{ name: string; owner: { login: string }; archived?: boolean }>;
    for (const r of repos) if (!r.archived) out.push({ installationId: inst.id, owner: r.owner.login, repo: r.name });
  }
  return out;
}

function jobIdOf(result: EnqueueResult, repo: string, kind: string): string {
  return result.status === "queued" ? result.id : `${kind}-${result.status}-${repo.toLowerCase()}`;
}

/**
 * Wire GitHub events to jobs and jobs to the pipeline. A webhook is verified (by Probot), turned into
 * jobs (./dispatch.ts), queued and acknowledged: nothing else happens in the request. A redelivery is
 * dropped by an in-memory LRU and, across processes, by the queue's idempotency key (the delivery id).
 * The jobs run in this process (role `all`, the embedded default) or in `cowabunga worker` processes.
 */
export function registerHandlers(app: Probot, _options?: ApplicationFunctionOptions, deps: AppDeps = {}): AppServices {
  const role: ProcessRole = deps.role ?? "all";
  const store = deps.store ?? new FileStore({ root: dataDirFromEnv(), logger: app.log });
  const clock = deps.clock ?? (() => new Date());
  const queue: JobQueue = deps.queue ?? new MemoryJobQueue({ retry: deps.retry, clock, log: app.log });
  const deduper = new DeliveryDeduper();
  const publicUrl = deps.publicUrl ?? process.env.COWABUNGA_PUBLIC_URL ?? null;
  const runsJobs = role !== "serve";
  const stages = deps.stages ?? sharedEnrichment(app.log).stages();
  const runtime: RuntimeMetricsStore =
    deps.runtime ??
    (store instanceof FileStore
      ? new FileRuntimeMetricsStore({ root: store.root, clock, logger: app.log, maxSamplesPerComponent: maxSamplesFromEnv(deps.env ?? process.env) })
      : new MemoryRuntimeMetricsStore(clock, maxSamplesFromEnv(deps.env ?? process.env)));
  const installations = new InstallationFinder(app);
  const metrics = deps.metrics;
  // Pending notifications are retried from the store with no scan: in one process on their backoff
  // timers (from start); in a cluster by the `notify` cron tick, which runs once across the workers.
  const notificationTimers = (deps.notificationTimers ?? true) && queue.backend === "memory";
  const notifications =
    deps.notifications === false || !runsJobs
      ? null
      : new NotificationHub({ store, env: deps.env ?? process.env, clock, log: app.log, publicUrl, octokitFor: (ref) => installations.octokit(ref), startTimers: notificationTimers });
  if (notifications && notificationTimers) {
    void notifications.start().catch((err: unknown) => app.log.warn({ err: String(err) }, `notification retries could not start: ${String(err)}`));
  }

  const enqueue = async (req: JobRequest): Promise<EnqueueResult> => queue.enqueue(req.job, req.opts);
  const enqueueScan: AppServices["enqueueScan"] = (repo, trigger, installationId = null) => enqueue(scanJob(`${repo.owner}/${repo.repo}`, installationId, trigger));

  const scheduler = new Scheduler({
    store,
    listRepos: () => listInstalledRepos(app),
    enqueueScan: (r, due) => {
      const req = scanJob(`${r.owner}/${r.repo}`, r.installationId, { event: "schedule" }, `schedule:${due?.toISOString() ?? "now"}`);
      // One scan per repository and cron slot, however many ticks see it due before it has run.
      if (due && due.getTime() > 0) req.opts.idempotencyKey = `schedule:${r.owner}/${r.repo}@${due.toISOString()}`.toLowerCase();
      void enqueue(req).catch((err: unknown) => app.log.warn({ err: String(err), repo: `${r.owner}/${r.repo}` }, `scheduled scan of ${r.owner}/${r.repo} could not be queued`));
    },
    clock,
    ...(deps.random ? { random: deps.random } : {}),
    log: app.log,
    ...(deps.scheduleIntervalMs ? { intervalMs: deps.scheduleIntervalMs } : {}),
  });

  // Health polling: targets are the components with a health_url that each repository's last scan
  // remembered in scan_state (no GitHub request per poll).
  const healthPoller = new HealthPoller({
    store,
    runtime,
    clock,
    logger: app.log,
    ...(deps.healthIntervalMs ? { intervalMs: deps.healthIntervalMs } : {}),
    targets: async () => {
      const out: PollTarget[] = [];
      for (const repo of await store.listRepos()) {
        const state = await store.getScanState(repo);
        const list = Array.isArray(state?.health_targets) ? (state.health_targets as Array<{ name?: unknown; health_url?: unknown }>) : [];
        const components = list
          .filter((c) => typeof c.name === "string" && typeof c.health_url === "string")
          .map((c) => ({ name: c.name as string, health_url: c.health_url as string }));
        if (components.length > 0) out.push({ repo, components });
      }
      return out;
    },
  });

  if (runsJobs) {
    const onlineRefresh = onlineRefreshFromEnv(deps.env ?? process.env);
    for (const w of onlineRefresh?.warnings ?? []) app.log.warn({}, `advisory refresh: ${w}`);
    const octokitFor = async (job: Job): Promise<GitHubOctokit> => {
      const [owner, repo] = (job.repo ?? "/").split("/");
      const octokit = job.installation_id ? ((await app.auth(job.installation_id)) as GitHubOctokit) : await installations.octokit({ owner, repo });
      return metrics ? metrics.instrument(octokit as GitHubOctokit & { hook: Parameters<AppMetrics["instrument"]>[0]["hook"] }) : octokit;
    };
    const runner = createJobRunner({
      octokitFor,
      enqueue,
      store,
      clock,
      stages,
      runtime,
      notifications,
      scheduler,
      healthPoller,
      ...(deps.managers ? { managers: deps.managers } : {}),
      publicUrl,
      ...(deps.onScan ? { onScan: deps.onScan } : {}),
      advisories: { enrichment: deps.enrichment ?? sharedEnrichment(app.log), statePath: advisoryStatePath(deps.env ?? process.env), online: onlineRefresh },
      log: app.log,
    });
    void queue.work(runner, { concurrency: deps.concurrency ?? 2, ...(metrics ? { events: metrics.jobEvents() } : {}) }).catch((err: unknown) => app.log.error({ err: String(err) }, `job queue: cannot start working: ${String(err)}`));
    const timers = backgroundTimersFromEnv(deps.env ?? process.env);
    const scheduleOn = deps.schedule ?? timers;
    const pollOn = deps.healthPoller ?? timers;
    // Advisory refresh (issue 16): a changed OSV mirror queues re-assessments; once per slot across a cluster.
    const refreshCron = (deps.env ?? process.env).COWABUNGA_ADVISORY_REFRESH_CRON?.trim() || "*/5 * * * *";
    const refreshSettings = (deps.enrichment ?? sharedEnrichment(app.log)).settings;
    if (timers && (refreshSettings.osvDbPath || (onlineRefresh && onlineRefresh.maxRecords > 0 && !refreshSettings.offline)) && refreshCron !== "off") {
      void queue.every("advisory_refresh", refreshCron).catch((err: unknown) => app.log.error({ err: String(err) }, `job queue: cannot register the advisory refresh: ${String(err)}`));
    }
    if (queue.backend === "memory") {
      // One process: plain timers.
      if (scheduleOn) scheduler.start();
      if (pollOn) healthPoller.start();
    } else {
      // A cluster: one tick per minute across every process (pg-boss cron), run by whichever worker takes it.
      const notifyOn = deps.notificationTimers ?? true;
      const crons = [
        ...(scheduleOn ? [queue.every("scheduled_scan", "* * * * *")] : []),
        ...(notifyOn ? [queue.every("notify", "* * * * *")] : []),
        ...(pollOn ? [queue.every("health_poll", "* * * * *")] : []),
      ];
      void Promise.all(crons).catch((err: unknown) => app.log.error({ err: String(err) }, `job queue: cannot register the cron schedules: ${String(err)}`));
    }
  }

  const requestScan: AppServices["requestScan"] = async (owner, repoName) => {
    const installationId = await installations.installationId({ owner, repo: repoName });
    const result = await enqueueScan({ owner, repo: repoName }, { event: "api", force: true }, installationId);
    return { job_id: jobIdOf(result, `${owner}/${repoName}`, "scan") };
  };
  const requestUpdate: AppServices["requestUpdate"] = async (owner, repoName, body) => {
    const installationId = await installations.installationId({ owner, repo: repoName });
    const result = await queue.enqueue({ kind: "update_prs", repo: `${owner}/${repoName}`, installation_id: installationId, payload: { body: body as Record<string, unknown> }, source: "api" });
    return { job_id: jobIdOf(result, `${owner}/${repoName}`, "update") };
  };

  const serveHttp = role !== "worker" && (deps.http ?? typeof _options?.addHandler === "function");
  if (serveHttp && _options?.addHandler) {
    try {
      registerHttpRoutes(_options.addHandler, {
        store,
        runtime,
        logger: app.log,
        clock,
        enqueueScan: requestScan,
        requestUpdate,
        isInstalled: (repo) => installations.isInstalled(repo),
        jobs: queue,
        ...(metrics ? { metrics } : {}),
      });
    } catch (err) {
      // Probot without its HTTP server (probot.load in tests, the Action adapter) has no addHandler to give.
      app.log.debug({ err: err instanceof Error ? err.message : String(err) }, "REST API and dashboard not served: no HTTP server");
    }
  }

  if (role !== "worker") {
    const managersPromise = deps.managers ? Promise.resolve(deps.managers) : import("../scan/managers/index.js").then((m) => m.ALL_MANAGERS);
    // Verified by Probot before this runs; here: dispatch, enqueue, acknowledge. Nothing else.
    app.on([...SUBSCRIBED_EVENTS], async (context: Context) => {
      const name = context.name;
      if (!deduper.firstTime(context.id)) {
        context.log.info({ event: name, delivery: context.id }, "redelivered event ignored");
        metrics?.webhook(name, "duplicate");
        return;
      }
      if (name === "installation" || name === "installation_repositories") scheduler.invalidate();
      const payload = context.payload as unknown as Record<string, unknown>;
      const installationId = (payload.installation as { id?: number } | undefined)?.id;
      const full = (payload.repository as { full_name?: string } | undefined)?.full_name;
      if (installationId && full?.includes("/")) {
        const [owner, repo] = full.split("/");
        installations.remember({ owner, repo }, installationId);
      }
      const dispatch = dispatchEvent(name, payload, context.id, { managers: await managersPromise });
      if (dispatch.jobs.length === 0) {
        if (dispatch.ignored && !/needs no work$/.test(dispatch.ignored)) context.log.info({ event: name, delivery: context.id }, dispatch.ignored);
        metrics?.webhook(name, "ignored");
        return;
      }
      // Many jobs (an installation naming every repository): one call, so the durable queue commits once.
      const results = dispatch.jobs.length > 1 && queue.enqueueMany ? await queue.enqueueMany(dispatch.jobs) : null;
      for (const [i, req] of dispatch.jobs.entries()) {
        const result = results ? results[i]! : await enqueue(req);
        metrics?.webhook(name, result.status);
        context.log.info(
          { event: name, delivery: context.id, repo: req.job.repo, job_kind: req.job.kind, result: result.status, ...(result.status === "queued" ? { job_id: result.id } : {}) },
          result.status === "queued" ? `${req.job.kind} queued` : result.status === "coalesced" ? `${req.job.kind} already waiting` : "redelivered event ignored",
        );
      }
    });
  }

  const services: AppServices = {
    queue,
    deduper,
    scheduler,
    store,
    enqueueScan,
    runtime,
    notifications,
    healthPoller,
    installations,
    requestUpdate,
    requestScan,
    async idle() {
      if (queue instanceof MemoryJobQueue) await queue.idle();
    },
    stop() {
      scheduler.stop();
      healthPoller.stop();
      notifications?.stop();
      void queue.stop({ timeoutMs: 0 });
    },
  };
  deps.onServices?.(services);
  return services;
}
