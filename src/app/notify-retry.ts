/**
 * Pending notifications are retried whatever scans do or skip (issue 17). At start every repository in
 * the store that has pending deliveries is flushed at once (a restart is when a fixed webhook or SMTP
 * password takes effect); after that each repository is flushed when its next delivery is due (the
 * outbox's backoff schedule), and a slow sweep picks up deliveries another process queued.
 *
 * One timer for all repositories, armed for the earliest due time. Clock and timers are injected.
 */
import type { RepoRef } from "../store/types.js";
import type { AppLogger } from "../act/github/client.js";

export interface RetryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: RetryTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Retries never keep the process alive on their own.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RetrySchedulerOptions {
  /** Flush one repository's outbox now (`now`: whatever the backoff says); returns its next due time. */
  flush(ref: RepoRef, opts: { now: boolean }): Promise<Date | null>;
  /** Repositories that may have pending deliveries (the store's). */
  listRepos(): Promise<RepoRef[]>;
  clock?: () => Date;
  timers?: RetryTimers;
  log: AppLogger;
  /** Every this often, every repository is looked at (deliveries another process queued). Default 5 min. */
  sweepMs?: number;
  /** Shortest wait between two runs of the timer (default 1 s), so a past due time cannot spin. */
  minDelayMs?: number;
}

function repoKey(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`.toLowerCase();
}

export class NotificationRetryScheduler {
  private readonly due = new Map<string, { ref: RepoRef; at: number }>();
  private readonly clock: () => Date;
  private readonly timers: RetryTimers;
  private readonly sweepMs: number;
  private readonly minDelayMs: number;
  private timer: unknown = null;
  private timerAt = Infinity;
  private nextSweepAt = Infinity;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly opts: RetrySchedulerOptions) {
    this.clock = opts.clock ?? (() => new Date());
    this.timers = opts.timers ?? realTimers;
    this.sweepMs = opts.sweepMs ?? 5 * 60_000;
    this.minDelayMs = opts.minDelayMs ?? 1_000;
  }

  /** Flush every repository with pending deliveries now, then keep to their schedules. Resolves after that first pass. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.sweep(true);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer != null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  /** The next time a repository has something to send (null: nothing pending). */
  schedule(ref: RepoRef, at: Date | null): void {
    const k = repoKey(ref);
    if (at == null) this.due.delete(k);
    else this.due.set(k, { ref, at: at.getTime() });
    this.arm();
  }

  /** When the repository is next due, as scheduled here (tests, the operator views). */
  dueAt(ref: RepoRef): Date | null {
    const d = this.due.get(repoKey(ref));
    return d ? new Date(d.at) : null;
  }

  /** Run what is due now (the timer calls this; tests may too). */
  async runDue(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      const now = this.clock().getTime();
      if (now >= this.nextSweepAt) await this.sweep(false);
      const ready = [...this.due.values()].filter((d) => d.at <= now);
      for (const d of ready) {
        this.due.delete(repoKey(d.ref));
        await this.flushOne(d.ref, false);
      }
    })().finally(() => {
      this.running = null;
      this.arm();
    });
    return this.running;
  }

  private async sweep(now: boolean): Promise<void> {
    this.nextSweepAt = this.clock().getTime() + this.sweepMs;
    let repos: RepoRef[] = [];
    try {
      repos = await this.opts.listRepos();
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, `notification retries: could not list repositories: ${String(err)}`);
    }
    for (const ref of repos) await this.flushOne(ref, now);
    this.arm();
  }

  private async flushOne(ref: RepoRef, now: boolean): Promise<void> {
    try {
      const next = await this.opts.flush(ref, { now });
      if (next) this.due.set(repoKey(ref), { ref, at: next.getTime() });
      else this.due.delete(repoKey(ref));
    } catch (err) {
      this.opts.log.warn({ repo: `${ref.owner}/${ref.repo}`, err: String(err) }, `notification retries for ${ref.owner}/${ref.repo} failed: ${String(err)}`);
    }
  }

  private arm(): void {
    if (this.stopped || this.running) return;
    let next = this.nextSweepAt;
    for (const d of this.due.values()) next = Math.min(next, d.at);
    if (!Number.isFinite(next)) return;
    if (this.timer != null && next >= this.timerAt) return;
    if (this.timer != null) this.timers.clearTimeout(this.timer);
    const delay = Math.max(this.minDelayMs, next - this.clock().getTime());
    this.timerAt = next;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      void this.runDue();
    }, delay);
  }
}
