import type { ApplicationFunctionOptions, Context, Probot } from "probot";
import type { ConfigContext } from "../config/load.js";
import { loadConfigFor, type ConfigOctokit } from "../config/repo-config.js";
import { FileStore, dataDirFromEnv } from "../store/index.js";
import type { RepoRef, Store } from "../store/types.js";
import type { Manager } from "../scan/types.js";
import { PendingWritesError, runGitHubScan, type PipelineStages, type ScanRunResult, type ScanTrigger } from "../pipeline/github.js";
import type { AppLogger, GitHubOctokit } from "../act/github/client.js";
import { hasWriteAccess, parseCommand, replyNoPermission, runCommand } from "../act/github/commands.js";
import { issueIdFromBody, isAppIssueBody } from "../act/github/markers.js";
import { openUpdatePullRequestAdapter } from "../act/github/update-adapter.js";
import { syncIssueLifecycle } from "./lifecycle.js";
import { rebaseUpdatePullRequest } from "./rebase.js";
import { parsePrMarker } from "../act/github/pulls.js";
import { routePrEvent } from "./pr-routes.js";
import { decidePush, type PushPayloadLike } from "./push.js";
import { DeliveryDeduper, RepoQueue } from "./queue.js";
import { Scheduler, type ScheduledRepo } from "./schedule.js";
import { sharedEnrichment } from "./enrichment.js";
import { NotificationHub } from "./notifications.js";
import { InstallationFinder, newJobId, openRequestedUpdates, readRepoConfig } from "./updates.js";
import { registerHttpRoutes } from "../server/index.js";
import type { UpdateRequestBody } from "../server/types.js";
import { FileRuntimeMetricsStore, HealthPoller, MemoryRuntimeMetricsStore, type PollTarget, type RuntimeMetricsStore } from "../act/runtime/index.js";

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

/** repository_dispatch event_type that asks for a scan. */
export const DISPATCH_EVENT_TYPE = "cowabunga-scan";

/** What the app needs from outside; everything has a default, tests inject their own. */
export interface AppDeps {
  store?: Store;
  /** enrich + assess; default: src/enrich and src/assess. */
  stages?: PipelineStages;
  clock?: () => Date;
  /** For schedule jitter. */
  random?: () => number;
  /** Jobs running at once across repositories (default 2). */
  concurrency?: number;
  /** Start the every-minute schedule timer (default: on, except under tests). */
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
  /** Retry pending notifications at start and on their backoff schedule (default: on). */
  notificationTimers?: boolean;
  /** Environment for channel secrets (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface AppServices {
  queue: RepoQueue;
  deduper: DeliveryDeduper;
  scheduler: Scheduler;
  store: Store;
  /**
   * Queue a scan; returns false when coalesced into one already waiting. The config is read by the one
   * loader (src/config/repo-config.ts) whatever started the scan; `loadConfig` is accepted for callers
   * that still pass a webhook context and is not needed.
   */
  enqueueScan(req: { octokit: GitHubOctokit; repo: RepoRef; trigger: ScanTrigger; log: AppLogger; loadConfig?: ConfigContext }): boolean;
  runtime: RuntimeMetricsStore;
  notifications: NotificationHub | null;
  healthPoller: HealthPoller;
  installations: InstallationFinder;
  /** What the REST API's `POST dependencies/update` does: queue update PRs for the repository. */
  requestUpdate(owner: string, repo: string, body: UpdateRequestBody): Promise<{ job_id: string }>;
  /** What the REST API's `POST dependencies/audit` does: queue a forced scan. */
  requestScan(owner: string, repo: string): Promise<{ job_id: string }>;
  /** Stop timers (schedule, health poller, outbox retries). */
  stop(): void;
}

function underTest(): boolean {
  return process.env.NODE_ENV === "test" || process.env.VITEST !== undefined;
}

interface RepoPayload {
  repository?: { name: string; owner: { login?: string | null; name?: string | null }; default_branch?: string };
  installation?: { id: number };
  sender?: { login: string; type?: string };
}

function repoOf(payload: RepoPayload): RepoRef | null {
  const r = payload.repository;
  const owner = r?.owner.login ?? r?.owner.name;
  return r && owner ? { owner, repo: r.name } : null;
}

/** An update PR of the app (its body carries the PR marker). */
function isUpdatePrBody(body: string | null | undefined): boolean {
  return parsePrMarker(body) !== null;
}

function isBot(sender: RepoPayload["sender"]): boolean {
  return !!sender && (sender.type === "Bot" || sender.login.endsWith("[bot]"));
}

/** Every repository of every installation of the app (for the schedule). */
export async function listInstalledRepos(app: Probot): Promise<ScheduledRepo[]> {
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

/**
 * Wire GitHub events to the pipeline. Every handler acknowledges at once: the work goes on a
 * per-repository serial queue (global concurrency `deps.concurrency`, default 2). A redelivered event
 * (same delivery id) is dropped by an in-memory LRU; scans also remember the last 50 delivery ids in
 * scan_state, so a redelivery after a restart is still recognised.
 */
export function registerHandlers(app: Probot, _options?: ApplicationFunctionOptions, deps: AppDeps = {}): AppServices {
  const store = deps.store ?? new FileStore({ root: dataDirFromEnv(), logger: app.log });
  const clock = deps.clock ?? (() => new Date());
  const queue = new RepoQueue(deps.concurrency ?? 2, app.log);
  const deduper = new DeliveryDeduper();
  const publicUrl = deps.publicUrl ?? process.env.COWABUNGA_PUBLIC_URL ?? null;
  const stages = deps.stages ?? sharedEnrichment(app.log).stages();
  const runtime: RuntimeMetricsStore =
    deps.runtime ?? (store instanceof FileStore ? new FileRuntimeMetricsStore({ root: store.root, clock, logger: app.log }) : new MemoryRuntimeMetricsStore());
  const installations = new InstallationFinder(app);
  // Pending notifications are retried from the store at start and on their backoff schedule, with no scan.
  const notifications =
    deps.notifications === false
      ? null
      : new NotificationHub({ store, env: deps.env ?? process.env, clock, log: app.log, publicUrl, octokitFor: (ref) => installations.octokit(ref), startTimers: deps.notificationTimers ?? true });
  if (notifications && (deps.notificationTimers ?? true)) {
    void notifications.start().catch((err: unknown) => app.log.warn({ err: String(err) }, `notification retries could not start: ${String(err)}`));
  }

  const enqueueScan: AppServices["enqueueScan"] = ({ octokit, repo, trigger, log }) =>
    queue.enqueue(
      `${repo.owner}/${repo.repo}`,
      async () => {
        const result = await runGitHubScan({
          octokit,
          owner: repo.owner,
          repo: repo.repo,
          store,
          clock,
          log,
          trigger,
          stages,
          runtime,
          ...(notifications ? { notify: (input) => notifications.afterAssess(input) } : {}),
          ...(deps.managers ? { managers: deps.managers } : {}),
          publicUrl,
          // Webhook, schedule, REST API and commands: the same loader, so `_extends` holds for all.
          loadConfig: () => loadConfigFor(octokit as unknown as ConfigOctokit, repo, log),
        });
        deps.onScan?.(result);
        // Writes GitHub kept refusing: the job fails visibly (the queue logs it; a retrying queue retries it),
        // and scan_state.pending_writes makes the next run complete them.
        if (result.pendingWrites && result.pendingWrites.length > 0) throw new PendingWritesError(result.repo, result.pendingWrites);
      },
      trigger.force ? "rescan" : "scan",
    );

  const scheduler = new Scheduler({
    store,
    listRepos: () => listInstalledRepos(app),
    enqueueScan: (r) => {
      void (async () => {
        try {
          const octokit = (await app.auth(r.installationId)) as GitHubOctokit;
          enqueueScan({ octokit, repo: r, trigger: { event: "schedule" }, log: app.log });
        } catch (err) {
          app.log.warn({ err: String(err), repo: `${r.owner}/${r.repo}` }, `scheduled scan of ${r.owner}/${r.repo}: installation auth failed`);
        }
      })();
    },
    clock,
    ...(deps.random ? { random: deps.random } : {}),
    log: app.log,
    ...(deps.scheduleIntervalMs ? { intervalMs: deps.scheduleIntervalMs } : {}),
  });
  if (deps.schedule ?? !underTest()) scheduler.start();

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
  if (deps.healthPoller ?? !underTest()) healthPoller.start();

  const requestScan: AppServices["requestScan"] = async (owner, repoName) => {
    const repo = { owner, repo: repoName };
    const octokit = await installations.octokit(repo);
    const job_id = newJobId("scan");
    const log = app.log.child({ job_id });
    enqueueScan({ octokit, repo, trigger: { event: "api", force: true }, log });
    return { job_id };
  };
  const requestUpdate: AppServices["requestUpdate"] = async (owner, repoName, body) => {
    const repo = { owner, repo: repoName };
    const octokit = await installations.octokit(repo);
    const job_id = newJobId("update");
    queue.enqueue(`${owner}/${repoName}`, async () => {
      await openRequestedUpdates({ octokit, ref: repo, body, store, clock, log: app.log });
    });
    return { job_id };
  };
  const serveHttp = deps.http ?? typeof _options?.addHandler === "function";
  if (serveHttp && _options?.addHandler) {
    try {
      registerHttpRoutes(_options.addHandler, { store, runtime, logger: app.log, clock, enqueueScan: requestScan, requestUpdate });
    } catch (err) {
      // Probot without its HTTP server (probot.load in tests, the Action adapter) has no addHandler to give.
      app.log.debug({ err: err instanceof Error ? err.message : String(err) }, "REST API and dashboard not served: no HTTP server");
    }
  }

  /** Ack fast: drop redeliveries, log, and hand the rest to `work`. */
  const fresh = (context: Context): boolean => {
    if (!deduper.firstTime(context.id)) {
      context.log.info({ event: context.name, delivery: context.id }, "redelivered event ignored");
      return false;
    }
    return true;
  };

  const scanFromContext = (context: Context, repo: RepoRef, trigger: Omit<ScanTrigger, "deliveryId">): void => {
    const queued = enqueueScan({
      octokit: context.octokit as GitHubOctokit,
      repo,
      trigger: { ...trigger, deliveryId: context.id },
      log: context.log,
    });
    context.log.info({ event: context.name, delivery: context.id, repo: `${repo.owner}/${repo.repo}`, queued }, queued ? "scan queued" : "scan already waiting");
  };

  const onInstall = (list: (payload: Record<string, unknown>) => Array<{ full_name: string; name: string }>) => async (context: Context) => {
    if (!fresh(context)) return;
    scheduler.invalidate();
    for (const r of list(context.payload as unknown as Record<string, unknown>)) {
      const [owner] = r.full_name.split("/");
      scanFromContext(context, { owner, repo: r.name }, { event: context.name });
    }
  };
  app.on("installation.created", onInstall((p) => (p.repositories as Array<{ full_name: string; name: string }> | undefined) ?? []));
  app.on("installation_repositories.added", onInstall((p) => (p.repositories_added as Array<{ full_name: string; name: string }> | undefined) ?? []));
  app.on(["installation.deleted", "installation_repositories.removed"], async () => {
    scheduler.invalidate();
  });

  app.on("push", async (context) => {
    if (!fresh(context)) return;
    const payload = context.payload as unknown as PushPayloadLike;
    const repo = repoOf(context.payload as unknown as RepoPayload);
    if (!repo) return;
    const managers = deps.managers ?? (await import("../scan/managers/index.js")).ALL_MANAGERS;
    const decision = decidePush(payload, managers);
    if (!decision.scan) {
      context.log.info({ event: "push", delivery: context.id, repo: `${repo.owner}/${repo.repo}`, reason: decision.reason }, `push skipped: ${decision.reason}`);
      return;
    }
    scanFromContext(context, repo, {
      event: "push",
      defaultBranch: payload.repository.default_branch,
      headSha: payload.after,
      ...(payload.head_commit?.tree_id ? { treeSha: payload.head_commit.tree_id } : {}),
      before: payload.before,
    });
  });

  app.on("repository_dispatch", async (context) => {
    const payload = context.payload as unknown as RepoPayload & { action?: string; client_payload?: { force?: unknown } | null };
    if (payload.action !== DISPATCH_EVENT_TYPE || !fresh(context)) return;
    const repo = repoOf(payload);
    if (!repo) return;
    scanFromContext(context, repo, { event: "repository_dispatch", defaultBranch: payload.repository?.default_branch, force: payload.client_payload?.force === true });
  });

  app.on(["issues.closed", "issues.reopened"], async (context) => {
    const payload = context.payload as unknown as RepoPayload & { action: "closed" | "reopened"; issue: { number: number; body?: string | null } };
    if (isBot(payload.sender) || !fresh(context)) return;
    const id = issueIdFromBody(payload.issue.body);
    const repo = repoOf(payload);
    if (!id || !repo) return;
    queue.enqueue(`${repo.owner}/${repo.repo}`, async () => {
      const changed = await syncIssueLifecycle(store, repo, { action: payload.action, issueId: id, actor: payload.sender?.login ?? "unknown", at: clock() });
      context.log.info({ repo: `${repo.owner}/${repo.repo}`, issue: payload.issue.number, id, state: changed?.lifecycle_state ?? null }, `issue ${payload.action}: lifecycle ${changed ? `now ${changed.lifecycle_state}` : "unchanged"}`);
    });
  });

  app.on("issue_comment.created", async (context) => {
    const payload = context.payload as unknown as RepoPayload & {
      issue: { number: number; body?: string | null; pull_request?: unknown };
      comment: { body: string; user: { login: string; type?: string } };
    };
    if (isBot(payload.comment.user) || isBot(payload.sender)) return;
    const cmd = parseCommand(payload.comment.body);
    // Commands work on the app's issues, and `/cowabunga rebase` on its update PRs too.
    const onUpdatePr = !!payload.issue.pull_request && isUpdatePrBody(payload.issue.body);
    if (!cmd || !(isAppIssueBody(payload.issue.body) || onUpdatePr) || !fresh(context)) return;
    const repo = repoOf(payload);
    if (!repo) return;
    const octokit = context.octokit as GitHubOctokit;
    const user = payload.comment.user.login;
    queue.enqueue(`${repo.owner}/${repo.repo}`, async () => {
      if (!(await hasWriteAccess(octokit, repo, user, context.log))) {
        await replyNoPermission(octokit, repo, payload.issue.number, user, context.log);
        return;
      }
      const outcome = await runCommand(cmd, {
        octokit,
        repo,
        store,
        issueNumber: payload.issue.number,
        issueId: issueIdFromBody(payload.issue.body),
        user,
        clock,
        log: context.log,
        rescan: () => scanFromContext(context, repo, { event: "command", force: true }),
        // The repository's own updates settings (labels, reviewers, grouping) apply: one contents read.
        ...(onUpdatePr ? { rebase: () => rebaseUpdatePullRequest({ octokit, repo, number: payload.issue.number, store, clock, log: context.log }) } : {}),
        openUpdate: async (issue) =>
          openUpdatePullRequestAdapter({ octokit, repo, owner: repo.owner, store, issue, requestedBy: user, clock, log: context.log, config: await readRepoConfig(octokit, repo, context.log) }),
      });
      context.log.info({ repo: `${repo.owner}/${repo.repo}`, command: cmd.verb, user, issue: payload.issue.number }, `command ${cmd.verb} by ${user}: ${outcome.reply ?? ""}`);
    });
  });

  app.on(["pull_request", "check_suite", "check_run", "workflow_run", "status"], async (context) => {
    if (!fresh(context)) return;
    const payload = context.payload as unknown as Record<string, unknown>;
    const repo = repoOf(context.payload as unknown as RepoPayload);
    if (!repo) return;
    queue.enqueue(`${repo.owner}/${repo.repo}`, async () => {
      const result = await routePrEvent(context.name, payload, { octokit: context.octokit as GitHubOctokit, ...repo, store, clock, log: context.log });
      context.log.info({ event: context.name, action: payload.action ?? null, result: (result as { status?: string } | null)?.status ?? "not routed" }, `${context.name} handled`);
    });
  });

  return {
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
    stop() {
      scheduler.stop();
      healthPoller.stop();
      notifications?.stop();
    },
  };
}
