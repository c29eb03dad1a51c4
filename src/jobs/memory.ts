/**
 * The in-process job queue: the embedded default (`npm start` without DATABASE_URL). Semantics of the
 * earlier RepoQueue, plus retries and a failed list: jobs of one repository run one after another, at
 * most `concurrency` at once; a waiting job with the same coalescing key absorbs a new one. Nothing
 * survives the process: a crash loses queued work (the next push or schedule tick redoes it).
 */
import { randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import { nextCronSlot } from "../app/schedule.js";
import {
  DEFAULT_RETRY,
  errorMessage,
  repoKey,
  validateJob,
  type CronKind,
  type EnqueueOptions,
  type EnqueueResult,
  type Job,
  type JobEvents,
  type JobHandler,
  type JobQueue,
  type JobView,
  type QueueDepth,
  type RetryPolicy,
} from "./types.js";

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface MemoryJobQueueOptions {
  retry?: Partial<RetryPolicy>;
  clock?: () => Date;
  timers?: Timers;
  /** Failed jobs kept for the operator views. */
  maxFailed?: number;
  log?: { error(obj: object, msg?: string): void; warn?(obj: object, msg?: string): void };
}

interface Entry {
  id: string;
  job: Job;
  lane: string;
  coalesceKey: string | null;
  state: "queued" | "running" | "retry" | "failed";
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

export class MemoryJobQueue implements JobQueue {
  readonly backend = "memory" as const;
  private readonly lanes = new Map<string, Entry[]>();
  private readonly busyLanes = new Set<string>();
  private readonly retrying = new Map<string, { entry: Entry; handle: unknown }>();
  private readonly failed: Entry[] = [];
  private readonly keys = new LRUCache<string, true>({ max: 10_000 });
  private readonly crons = new Map<CronKind, unknown>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly retry: RetryPolicy;
  private readonly clock: () => Date;
  private readonly timers: Timers;
  private handler: JobHandler | null = null;
  private events: JobEvents = {};
  private concurrency = 2;
  private running = 0;
  private stopped = false;

  constructor(private readonly opts: MemoryJobQueueOptions = {}) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.clock = opts.clock ?? (() => new Date());
    this.timers = opts.timers ?? realTimers;
  }

  /** Job by job: in memory there is no commit to share. */
  async enqueueMany(items: ReadonlyArray<{ job: Job; opts?: EnqueueOptions }>): Promise<EnqueueResult[]> {
    const out: EnqueueResult[] = [];
    for (const i of items) out.push(await this.enqueue(i.job, i.opts));
    return out;
  }

  async enqueue(value: Job, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const job = validateJob(value);
    if (opts.idempotencyKey) {
      if (this.keys.has(opts.idempotencyKey)) return { status: "duplicate" };
      this.keys.set(opts.idempotencyKey, true);
    }
    const lane = laneOf(job);
    const waiting = this.lanes.get(lane) ?? [];
    const coalesceKey = opts.coalesceKey ?? null;
    const same = coalesceKey ? waiting.find((e) => e.state === "queued" && e.coalesceKey === coalesceKey) : undefined;
    if (same) {
      // The waiting job runs with the newest payload (a push's head, not an older one).
      same.job = { ...same.job, payload: job.payload, source: job.source ?? same.job.source ?? null };
      return { status: "coalesced" };
    }
    const entry: Entry = { id: randomUUID(), job, lane, coalesceKey, state: "queued", attempts: 0, createdAt: this.clock(), startedAt: null, finishedAt: null, error: null };
    const delay = opts.startAfter ? opts.startAfter.getTime() - this.clock().getTime() : 0;
    if (delay > 0) {
      entry.state = "retry";
      const handle = this.timers.setTimeout(() => this.requeue(entry), delay);
      this.retrying.set(entry.id, { entry, handle });
      return { status: "queued", id: entry.id };
    }
    waiting.push(entry);
    this.lanes.set(lane, waiting);
    this.pump();
    return { status: "queued", id: entry.id };
  }

  async work(handler: JobHandler, opts: { concurrency?: number; events?: JobEvents } = {}): Promise<void> {
    this.handler = handler;
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
    this.events = opts.events ?? {};
    this.pump();
  }

  async every(kind: CronKind, cron: string): Promise<void> {
    if (this.crons.has(kind) || this.stopped) return;
    const arm = (): void => {
      const now = this.clock();
      const next = nextCronSlot({ cron, timezone: "UTC" }, now);
      if (!next) throw new Error(`invalid cron expression for ${kind}: ${cron}`);
      this.crons.set(
        kind,
        this.timers.setTimeout(() => {
          if (this.stopped) return;
          void this.enqueue({ kind, repo: null, installation_id: null, payload: {}, source: `cron:${next.toISOString()}` }, { coalesceKey: kind });
          arm();
        }, Math.max(0, next.getTime() - now.getTime())),
      );
    };
    arm();
  }

  async list(opts: { repos?: readonly string[] | null; limit?: number } = {}): Promise<JobView[]> {
    const allowed = opts.repos ? new Set(opts.repos.map(repoKey)) : null;
    const all = [...[...this.lanes.values()].flat(), ...[...this.retrying.values()].map((r) => r.entry), ...this.failed];
    return all
      .filter((e) => !allowed || (e.job.repo !== null && allowed.has(repoKey(e.job.repo))))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, opts.limit ?? 500)
      .map((e) => this.view(e));
  }

  async depth(): Promise<QueueDepth> {
    const inLanes = [...this.lanes.values()].flat();
    return {
      queued: inLanes.filter((e) => e.state === "queued").length,
      running: inLanes.filter((e) => e.state === "running").length,
      retry: this.retrying.size,
      failed: this.failed.length,
    };
  }

  async ready(): Promise<boolean> {
    return !this.stopped;
  }

  /** Resolves when nothing is queued, running or waiting for a retry (tests, `cowabunga` one-shot runs). */
  async idle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const h of this.crons.values()) this.timers.clearTimeout(h);
    this.crons.clear();
    for (const { handle } of this.retrying.values()) this.timers.clearTimeout(handle);
    this.retrying.clear();
    // Queued jobs are dropped (nothing durable here); running ones may finish.
    for (const [lane, list] of this.lanes) this.lanes.set(lane, list.filter((e) => e.state === "running"));
    if (this.running === 0) return;
    await Promise.race([this.idle(), new Promise<void>((r) => this.timers.setTimeout(r, opts.timeoutMs ?? 30_000))]);
  }

  private isIdle(): boolean {
    return this.running === 0 && this.retrying.size === 0 && [...this.lanes.values()].every((l) => l.length === 0);
  }

  private view(e: Entry): JobView {
    return {
      id: e.id,
      kind: e.job.kind,
      repo: e.job.repo,
      state: e.state,
      attempts: e.attempts,
      max_attempts: this.retry.retries + 1,
      created_at: e.createdAt.toISOString(),
      started_at: e.startedAt?.toISOString() ?? null,
      finished_at: e.finishedAt?.toISOString() ?? null,
      error: e.error,
      source: e.job.source ?? null,
    };
  }

  private requeue(entry: Entry): void {
    this.retrying.delete(entry.id);
    if (this.stopped) return this.settle();
    entry.state = "queued";
    const list = this.lanes.get(entry.lane) ?? [];
    list.push(entry);
    this.lanes.set(entry.lane, list);
    this.pump();
  }

  private pump(): void {
    if (!this.handler || this.stopped) return this.settle();
    for (const [lane, list] of this.lanes) {
      if (this.running >= this.concurrency) break;
      if (this.busyLanes.has(lane)) continue;
      const next = list.find((e) => e.state === "queued");
      if (!next) continue;
      this.busyLanes.add(lane);
      this.running++;
      void this.run(next);
    }
    this.settle();
  }

  private async run(entry: Entry): Promise<void> {
    const handler = this.handler!;
    entry.state = "running";
    entry.attempts++;
    entry.startedAt = this.clock();
    const ctx = { id: entry.id, attempt: entry.attempts };
    const started = performance.now();
    this.events.onStart?.(entry.job, ctx);
    let error: string | null = null;
    try {
      await handler(entry.job, ctx);
    } catch (err) {
      error = errorMessage(err);
    }
    const list = this.lanes.get(entry.lane) ?? [];
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.lanes.delete(entry.lane);
    this.busyLanes.delete(entry.lane);
    this.running--;
    const final = error !== null && entry.attempts > this.retry.retries;
    this.events.onFinish?.(entry.job, ctx, { ok: error === null, durationMs: performance.now() - started, ...(error !== null ? { error, final } : {}) });
    if (error !== null) {
      entry.error = error;
      if (final || this.stopped) {
        entry.state = "failed";
        entry.finishedAt = this.clock();
        this.failed.unshift(entry);
        this.failed.splice(this.opts.maxFailed ?? 500);
        this.opts.log?.error({ job_id: entry.id, kind: entry.job.kind, repo: entry.job.repo, attempts: entry.attempts, err: error }, `job ${entry.job.kind} for ${entry.job.repo ?? "(cluster)"} failed after ${entry.attempts} attempt(s): ${error}`);
      } else {
        entry.state = "retry";
        const delay = this.retry.delayMs * 2 ** (entry.attempts - 1);
        this.opts.log?.warn?.({ job_id: entry.id, kind: entry.job.kind, repo: entry.job.repo, attempt: entry.attempts, retry_in_ms: delay, err: error }, `job ${entry.job.kind} failed; retrying in ${delay} ms`);
        this.retrying.set(entry.id, { entry, handle: this.timers.setTimeout(() => this.requeue(entry), delay) });
      }
    }
    this.pump();
  }

  private settle(): void {
    if (!this.isIdle() && !(this.stopped && this.running === 0)) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

function laneOf(job: Job): string {
  return job.repo === null ? `#${job.kind}` : repoKey(job.repo);
}
