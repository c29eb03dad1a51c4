/**
 * Notifications after an assessment, in the running app: channels from the repository's config and the
 * environment (`createChannels`), a persistent `NotificationOutbox` per repository over the store,
 * alerts routed through `dispatchAlerts` with the outbox's kind channels (so the quiet period applies and
 * the outbox owns retries), and the email digest when due. One outbox per repository is kept, with its
 * retry timer (unref'd) started by the app. Never throws: a notification problem never fails a scan.
 */
import { dispatchAlerts } from "../assess/alerts.js";
import type { Assessment } from "../assess/types.js";
import type { CowabungaConfig } from "../config/schema.js";
import { createChannels, NotificationOutbox, summaryFromAssessment, type ChannelDeps } from "../act/notify/index.js";
import type { RepoRef, Store } from "../store/types.js";
import { errorText, type AppLogger, type GitHubOctokit } from "../act/github/client.js";

export interface NotifyInput {
  octokit: GitHubOctokit;
  ref: RepoRef;
  assessment: Assessment;
  config: CowabungaConfig;
  /** `<channel>|<alert key>` → last sent, from scan_state.alerts_sent. */
  sentLog: Readonly<Record<string, string>>;
  log: AppLogger;
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
  /** Start each outbox's retry timer (the app: yes; tests: usually not). */
  startTimers?: boolean;
  retryIntervalMs?: number;
  /** Test hooks for channels (Slack fetch, SMTP transport…). */
  channelDeps?: Omit<ChannelDeps, "repo" | "store" | "github" | "clock" | "logger">;
}

export class NotificationHub {
  private readonly outboxes = new Map<string, NotificationOutbox>();
  private readonly clock: () => Date;

  constructor(private readonly opts: NotificationHubOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  /** Route the assessment's alerts and send the digest when due. In maintenance mode nothing is written to GitHub. */
  async afterAssess(input: NotifyInput): Promise<NotifyOutcome> {
    const { octokit, ref, assessment, config, log } = input;
    const outcome: NotifyOutcome = { sentLog: { ...input.sentLog }, sent: 0, suppressed: 0, errors: [], digest: false };
    try {
      const labels = config.issues.labels.length > 0 ? config.issues.labels : ["cowabunga"];
      const github = config.maintenance_mode
        ? undefined
        : {
            postComment: (n: number, body: string) => octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref, issue_number: n, body }),
            createIssue: (title: string, body: string) => octokit.request("POST /repos/{owner}/{repo}/issues", { ...ref, title, body, labels }),
          };
      const created = createChannels(config, this.opts.env ?? process.env, {
        ...this.opts.channelDeps,
        store: this.opts.store,
        repo: ref,
        clock: this.clock,
        logger: log,
        ...(github ? { github } : {}),
      });
      const outbox = new NotificationOutbox({ store: this.opts.store, repo: ref, channels: created.channels, clock: this.clock, logger: log, secrets: created.secrets });
      this.replace(ref, outbox);

      const dispatched = await dispatchAlerts(assessment.alerts, outbox.kindChannels(), input.sentLog, this.clock, config.notifications.quiet_period_hours);
      outcome.sentLog = pruneSentLog(dispatched.sentLog, this.clock(), config.notifications.quiet_period_hours);
      outcome.sent = dispatched.sent.length;
      outcome.suppressed = dispatched.suppressed.length;
      outcome.errors.push(...dispatched.errors.map((e) => `${e.channel} ${e.key}: ${e.message}`));

      const period = config.notifications.email.digest;
      if (created.email && period !== "off") {
        const since = await outbox.lastDigestAt(period);
        const summary = summaryFromAssessment(assessment, { repo: `${ref.owner}/${ref.repo}`, generated_at: this.clock().toISOString(), since });
        const d = await outbox.maybeSendDigest(summary, period);
        outcome.digest = d.due;
        if (d.flush) outcome.errors.push(...d.flush.errors);
      }
    } catch (err) {
      outcome.errors.push(errorText(err));
    }
    if (outcome.errors.length > 0) log.warn({ repo: `${ref.owner}/${ref.repo}`, errors: outcome.errors }, `notifications for ${ref.owner}/${ref.repo}: ${outcome.errors.length} problem(s)`);
    return outcome;
  }

  /** The outbox of a repository (after its first scan in this process). */
  outbox(ref: RepoRef): NotificationOutbox | undefined {
    return this.outboxes.get(key(ref));
  }

  /** Retry every pending delivery of this process's outboxes now (the `notify` cron job). */
  async flushAll(): Promise<void> {
    for (const o of this.outboxes.values()) await o.flush().catch(() => undefined);
  }

  stop(): void {
    for (const o of this.outboxes.values()) o.stop();
    this.outboxes.clear();
  }

  private replace(ref: RepoRef, outbox: NotificationOutbox): void {
    const k = key(ref);
    this.outboxes.get(k)?.stop();
    this.outboxes.set(k, outbox);
    if (this.opts.startTimers) outbox.start(this.opts.retryIntervalMs ?? 60_000);
  }
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
