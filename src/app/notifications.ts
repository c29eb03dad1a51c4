/**
 * Notifications after an assessment, in the running app: channels from the repository's config and the
 * environment (`createChannels`), a persistent `NotificationOutbox` per repository over the store,
 * alerts routed through `dispatchAlerts` with the outbox's kind channels (so the quiet period applies and
 * the outbox owns retries), and the digest when due. Never throws: a notification problem never fails a scan.
 *
 * Every alert and digest gets its links here, from src/act/notify/links.ts, after the GitHub issues were
 * synced (the pipeline calls afterAssess after its GitHub step): the issue, the open update PR, the
 * dashboard page, on the GitHub host the app runs against.
 *
 * The part of the config the channels need is kept in the store (a `notify_context` entry), so pending
 * deliveries are retried after a restart with no scan: `retryPending` (at start, by the retry scheduler in
 * ./notify-retry.ts, on each repository's backoff schedule; in a cluster by the queue's `notify` job).
 */
import { z } from "zod";
import { dispatchAlerts } from "../assess/alerts.js";
import type { Assessment } from "../assess/types.js";
import { NotificationsConfig, type CowabungaConfig } from "../config/schema.js";
import {
  configuredDigestPeriod,
  createChannels,
  digestDue,
  lastDigestIn,
  digestPeriodMs,
  linkContext,
  listDashboardAlerts,
  NotificationOutbox,
  summaryFromAssessment,
  withLinks,
  type ChannelDeps,
  type GitHubNotifyDeps,
} from "../act/notify/index.js";
import type { PendingNotification, RepoRef, Store } from "../store/types.js";
import { baseUrlOf, errorText, webHostOf, type AppLogger, type GitHubOctokit } from "../act/github/client.js";
import { NotificationRetryScheduler, type RetryTimers } from "./notify-retry.js";

export interface NotifyInput {
  octokit: GitHubOctokit;
  ref: RepoRef;
  assessment: Assessment;
  config: CowabungaConfig;
  /** `<channel>|<alert key>` → last sent, from scan_state.alerts_sent. */
  sentLog: Readonly<Record<string, string>>;
  log: AppLogger;
  /** Issue id → the app's open update PR (from the scan), for links. */
  openPulls?: ReadonlyMap<string, number>;
}

export interface NotifyOutcome {
  sentLog: Record<string, string>;
  sent: number;
  suppressed: number;
  errors: string[];
  digest: boolean;
}

export interface NotificationHubOptions {
  store: Store;
  env?: Record<string, string | undefined>;
  clock?: () => Date;
  log: AppLogger;
  /** Retry pending deliveries on their schedule, and all of them at `start()` (the app: yes; unit tests: usually not). */
  startTimers?: boolean;
  /** Timers for the retry scheduler (tests inject fake ones). */
  timers?: RetryTimers;
  /** How often every repository is looked at for deliveries another process queued (default 5 min). */
  sweepMs?: number;
  /** The installation Octokit of a repository, for GitHub deliveries retried with no scan. */
  octokitFor?: (ref: RepoRef) => Promise<GitHubOctokit>;
  /** COWABUNGA_PUBLIC_URL: alerts and digests link to the repository's dashboard page. */
  publicUrl?: string | null;
  /** Test hooks for channels (Slack fetch, SMTP transport…). */
  channelDeps?: Omit<ChannelDeps, "repo" | "store" | "github" | "clock" | "logger">;
  /** Outbox backoff and timeouts (tests). */
  outbox?: { backoff?: ConstructorParameters<typeof NotificationOutbox>[0]["backoff"]; leaseMs?: number; sendTimeoutMs?: number };
}

/** What the channels need from the repository's config, kept in the store for retries with no scan. */
const NOTIFY_CONTEXT_KIND = "notify_context";
const NotifyContext = z.object({
  id: z.literal(NOTIFY_CONTEXT_KIND),
  created_at: z.string(),
  kind: z.literal(NOTIFY_CONTEXT_KIND),
  notifications: NotificationsConfig,
  labels: z.array(z.string()),
  maintenance_mode: z.boolean(),
});
type NotifyContext = z.infer<typeof NotifyContext>;

export class NotificationHub {
  private readonly outboxes = new Map<string, NotificationOutbox>();
  private readonly clock: () => Date;
  private readonly retries: NotificationRetryScheduler | null;

  constructor(private readonly opts: NotificationHubOptions) {
    this.clock = opts.clock ?? (() => new Date());
    this.retries = opts.startTimers
      ? new NotificationRetryScheduler({
          flush: (ref, o) => this.flushRepo(ref, o),
          listRepos: () => opts.store.listRepos(),
          clock: this.clock,
          log: opts.log,
          ...(opts.timers ? { timers: opts.timers } : {}),
          ...(opts.sweepMs ? { sweepMs: opts.sweepMs } : {}),
        })
      : null;
  }

  /** Retry every pending delivery in the store now, then keep to the backoff schedules (when timers are on). */
  async start(): Promise<void> {
    if (this.retries) await this.retries.start();
    else await this.retryPending({ now: true });
  }

  /** Route the assessment's alerts and send the digest when due. In maintenance mode nothing is written to GitHub. */
  async afterAssess(input: NotifyInput): Promise<NotifyOutcome> {
    const { octokit, ref, assessment, config, log } = input;
    const outcome: NotifyOutcome = { sentLog: { ...input.sentLog }, sent: 0, suppressed: 0, errors: [], digest: false };
    const store = this.opts.store;
    try {
      const labels = config.issues.labels.length > 0 ? config.issues.labels : ["cowabunga"];
      const context: NotifyContext = {
        id: NOTIFY_CONTEXT_KIND,
        created_at: this.clock().toISOString(),
        kind: NOTIFY_CONTEXT_KIND,
        notifications: config.notifications,
        labels,
        maintenance_mode: config.maintenance_mode,
      };
      await store.updatePending(ref, (entries) => [...entries.filter((e) => e.id !== NOTIFY_CONTEXT_KIND), context as unknown as PendingNotification]);
      const { outbox, email } = this.buildOutbox(ref, context, async () => octokit, log);

      // Links from the issues as synced to GitHub just before (numbers) and the open update PRs (records).
      const [issues, records] = await Promise.all([store.getIssues(ref), store.getRecords(ref)]);
      const links = linkContext({ host: webHostOf(baseUrlOf(octokit)), repo: ref, issues, records, openPulls: input.openPulls, publicUrl: this.opts.publicUrl });
      const alerts = withLinks(assessment.alerts, links);

      const dispatched = await dispatchAlerts(alerts, outbox.kindChannels(), input.sentLog, this.clock, config.notifications.quiet_period_hours);
      outcome.sentLog = pruneSentLog(dispatched.sentLog, this.clock(), config.notifications.quiet_period_hours);
      outcome.sent = dispatched.sent.length;
      outcome.suppressed = dispatched.suppressed.length;
      outcome.errors.push(...dispatched.errors.map((e) => `${e.channel} ${e.key}: ${e.message}`));

      if (email) {
        const d = await this.sendDigestIfDue(ref, outbox, config.notifications, labels, assessment, links);
        outcome.digest = d.due;
        outcome.errors.push(...d.errors);
      }
      this.retries?.schedule(ref, await outbox.nextAttemptAt());
    } catch (err) {
      outcome.errors.push(errorText(err));
    }
    if (outcome.errors.length > 0) log.warn({ repo: `${ref.owner}/${ref.repo}`, errors: outcome.errors }, `notifications for ${ref.owner}/${ref.repo}: ${outcome.errors.length} problem(s)`);
    return outcome;
  }

  /**
   * The digest of a repository whose scan took the "unchanged tree" shortcut (no assessment ran): when one
   * is due for the period its last scan configured, it is built from what the store holds (issues,
   * dependencies, health) and sent. Without this a repository that never changes would never get its
   * daily or weekly digest. Cheap when none is due: one read of the pending entries. Never throws.
   */
  async digestIfDue(input: { octokit: GitHubOctokit; ref: RepoRef; log: AppLogger }): Promise<{ due: boolean; errors: string[] }> {
    const { ref, octokit, log } = input;
    const store = this.opts.store;
    try {
      // Whether one is due comes from the entries already read: no channel is built on an unchanged scan
      // that has nothing to send.
      const entries = await store.getPending(ref);
      const parsed = NotifyContext.safeParse(entries.find((e) => e.id === NOTIFY_CONTEXT_KIND));
      if (!parsed.success) return { due: false, errors: [] };
      const context = parsed.data;
      const period = configuredDigestPeriod(context.notifications);
      if (period === "off" || !digestDue(lastDigestIn(entries, period), period, this.clock)) return { due: false, errors: [] };
      const { outbox, email } = this.buildOutbox(ref, context, async () => octokit, log);
      if (!email) return { due: false, errors: [] };
      const [issues, records, dependencies, system, components] = await Promise.all([
        store.getIssues(ref),
        store.getRecords(ref),
        store.getDependencies(ref),
        store.getSystemHealth(ref),
        store.listComponentHealth(ref),
      ]);
      if (!system) return { due: false, errors: [] };
      const assessment: Assessment = { system, components, issues, dependencies, alerts: [], warnings: [] };
      const links = linkContext({ host: webHostOf(baseUrlOf(octokit)), repo: ref, issues, records, publicUrl: this.opts.publicUrl });
      const d = await this.sendDigestIfDue(ref, outbox, context.notifications, context.labels, assessment, links);
      this.retries?.schedule(ref, await outbox.nextAttemptAt());
      if (d.errors.length > 0) log.warn({ repo: `${ref.owner}/${ref.repo}`, errors: d.errors }, `digest for ${ref.owner}/${ref.repo}: ${d.errors.length} problem(s)`);
      return d;
    } catch (err) {
      log.warn({ repo: `${ref.owner}/${ref.repo}`, err: errorText(err) }, `digest for ${ref.owner}/${ref.repo} failed: ${errorText(err)}`);
      return { due: false, errors: [errorText(err)] };
    }
  }

  private async sendDigestIfDue(
    ref: RepoRef,
    outbox: NotificationOutbox,
    notifications: CowabungaConfig["notifications"],
    labels: string[],
    assessment: Assessment,
    links: ReturnType<typeof linkContext>,
  ): Promise<{ due: boolean; errors: string[] }> {
    const period = configuredDigestPeriod(notifications);
    if (period === "off") return { due: false, errors: [] };
    const now = this.clock();
    // The first digest covers one period back; later ones everything since the previous one.
    const since = (await outbox.lastDigestAt(period)) ?? new Date(now.getTime() - (digestPeriodMs(period) ?? 0)).toISOString();
    // Alerts raised (sent, not suppressed by the quiet period) are what the dashboard channel recorded,
    // each with the time it was raised.
    const raised = await listDashboardAlerts(this.opts.store, ref);
    const summary = summaryFromAssessment(assessment, {
      repo: `${ref.owner}/${ref.repo}`,
      generated_at: now.toISOString(),
      since,
      alerts: raised,
      linkContext: links,
      issueLabel: labels[0],
    });
    const d = await outbox.maybeSendDigest(summary, period);
    return { due: d.due, errors: d.flush ? [...d.flush.errors] : [] };
  }

  /**
   * Flush one repository's pending deliveries with the channels its last scan configured (kept in the
   * store), with no scan. `now`: whatever the backoff says (start-up). Returns when it is next due.
   */
  async flushRepo(ref: RepoRef, opts: { now?: boolean } = {}): Promise<Date | null> {
    const outbox = this.outboxes.get(key(ref)) ?? (await this.outboxFromStore(ref));
    if (!outbox) return null;
    const r = await outbox.flush({ now: opts.now === true });
    if (r.delivered.length + r.failed.length > 0) {
      this.opts.log.info({ repo: `${ref.owner}/${ref.repo}`, delivered: r.delivered.length, failed: r.failed.length, pending: r.pending }, `notification retries for ${ref.owner}/${ref.repo}: ${r.delivered.length} delivered, ${r.failed.length} failed, ${r.pending} pending`);
    }
    return outbox.nextAttemptAt();
  }

  /** Flush every repository in the store that has pending deliveries (start-up, the cluster's `notify` job). */
  async retryPending(opts: { now?: boolean } = {}): Promise<void> {
    let repos: RepoRef[] = [];
    try {
      repos = await this.opts.store.listRepos();
    } catch (err) {
      this.opts.log.warn({ err: errorText(err) }, `notification retries: could not list repositories: ${errorText(err)}`);
      return;
    }
    for (const ref of repos) {
      try {
        const next = await this.flushRepo(ref, opts);
        this.retries?.schedule(ref, next);
      } catch (err) {
        this.opts.log.warn({ repo: `${ref.owner}/${ref.repo}`, err: errorText(err) }, `notification retries for ${ref.owner}/${ref.repo} failed: ${errorText(err)}`);
      }
    }
  }

  /** Kept for the job runner's `notify` tick: every repository's due deliveries. */
  async flushAll(): Promise<void> {
    await this.retryPending();
  }

  /** The outbox of a repository (after its first scan or retry in this process). */
  outbox(ref: RepoRef): NotificationOutbox | undefined {
    return this.outboxes.get(key(ref));
  }

  /** When the retry scheduler will next flush this repository (null: nothing scheduled, or timers off). */
  nextRetryAt(ref: RepoRef): Date | null {
    return this.retries?.dueAt(ref) ?? null;
  }

  stop(): void {
    this.retries?.stop();
    for (const o of this.outboxes.values()) o.stop();
    this.outboxes.clear();
  }

  private async outboxFromStore(ref: RepoRef): Promise<NotificationOutbox | null> {
    const entries = await this.opts.store.getPending(ref);
    if (!entries.some((e) => (e as { kind?: unknown }).kind === "delivery" && (e as { status?: unknown }).status === "pending")) return null;
    const raw = entries.find((e) => e.id === NOTIFY_CONTEXT_KIND);
    const parsed = NotifyContext.safeParse(raw);
    if (!parsed.success) {
      this.opts.log.warn({ repo: `${ref.owner}/${ref.repo}` }, `notifications for ${ref.owner}/${ref.repo}: pending deliveries wait for the next scan (no readable notify_context in the store)`);
      return null;
    }
    const octokitFor = this.opts.octokitFor;
    const lazy = octokitFor ? () => octokitFor(ref) : null;
    return this.buildOutbox(ref, parsed.data, lazy, this.opts.log).outbox;
  }

  private buildOutbox(ref: RepoRef, context: NotifyContext, octokit: (() => Promise<GitHubOctokit>) | null, log: AppLogger): { outbox: NotificationOutbox; email: boolean } {
    const github = context.maintenance_mode || !octokit ? undefined : githubDeps(ref, octokit, context.labels);
    const created = createChannels({ notifications: context.notifications }, this.opts.env ?? process.env, {
      ...this.opts.channelDeps,
      store: this.opts.store,
      repo: ref,
      clock: this.clock,
      logger: log,
      ...(github ? { github } : {}),
    });
    const outbox = new NotificationOutbox({
      store: this.opts.store,
      repo: ref,
      channels: created.channels,
      clock: this.clock,
      logger: log,
      secrets: created.secrets,
      ...(this.opts.outbox ?? {}),
    });
    const k = key(ref);
    this.outboxes.get(k)?.stop();
    this.outboxes.set(k, outbox);
    return { outbox, email: created.email != null };
  }
}

/** The GitHub channel's calls, on an Octokit obtained when first needed. */
function githubDeps(ref: RepoRef, octokit: () => Promise<GitHubOctokit>, labels: string[]): GitHubNotifyDeps {
  return {
    postComment: async (n, body) => (await octokit()).request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: n, body }),
    createIssue: async (title, body) => (await octokit()).request("POST /repos/{owner}/{repo}/issues", { ...ref, title, body, labels }),
    hasMarker: async (n, marker) => {
      const o = await octokit();
      // Newest first would be cheaper, but the comments API has no order parameter: read at most 10 pages.
      for (let page = 1; page <= 10; page++) {
        const res =
          n != null
            ? await o.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: n, per_page: 100, page })
            : await o.request("GET /repos/{owner}/{repo}/issues", { ...ref, labels: labels[0], state: "all", per_page: 100, page });
        const items = res.data as Array<{ body?: string | null }>;
        if (items.some((c) => typeof c.body === "string" && c.body.includes(marker))) return true;
        if (items.length < 100) return false;
      }
      return false;
    },
  };
}

/** Drop sent-log entries older than the quiet period (at least 7 days kept), so scan_state stays small. */
export function pruneSentLog(log: Readonly<Record<string, string>>, now: Date, quietHours: number): Record<string, string> {
  const keepMs = Math.max(quietHours * 3_600_000, 7 * 86_400_000);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(log)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t) && now.getTime() - t <= keepMs) out[k] = v;
  }
  return out;
}

function key(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`.toLowerCase();
}
