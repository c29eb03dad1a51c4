import pLimit, { type LimitFunction } from "p-limit";
import { LRUCache } from "lru-cache";

export interface QueueLogger {
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/**
 * Work queued in process: jobs for one repository run one after another (never two scans of the
 * same repository at once), and at most `concurrency` jobs run at all. A job that is queued under a
 * coalescing key (e.g. "scan") while an identical one is still waiting is dropped: the waiting one
 * will see the newest state anyway.
 */
export class RepoQueue {
  private readonly limit: LimitFunction;
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiting = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    concurrency = 2,
    private readonly log?: QueueLogger,
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
  }

  /** Queue `job` for `repo`. Returns false when it was coalesced into a waiting job. */
  enqueue(repo: string, job: () => Promise<void>, coalesceKey?: string): boolean {
    const key = repo.toLowerCase();
    const waitKey = coalesceKey ? `${key}\u0000${coalesceKey}` : null;
    if (waitKey && this.waiting.has(waitKey)) return false;
    if (waitKey) this.waiting.add(waitKey);
    const prev = this.tails.get(key) ?? Promise.resolve();
    const run = prev.then(() =>
      this.limit(async () => {
        if (waitKey) this.waiting.delete(waitKey);
        try {
          await job();
        } catch (err) {
          this.log?.error({ err: err instanceof Error ? err.message : String(err), repo }, `queued job for ${repo} failed`);
        }
      }),
    );
    this.tails.set(key, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.tails.get(key) === run) this.tails.delete(key);
    });
    return true;
  }

  get size(): number {
    return this.inFlight.size;
  }

  /** Resolves when every queued job (including ones queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

/** Delivery ids already seen by this process (GitHub redelivers with the same X-GitHub-Delivery). */
export class DeliveryDeduper {
  private readonly seen: LRUCache<string, true>;
  constructor(max = 5000) {
    this.seen = new LRUCache({ max });
  }
  /** True the first time an id is offered, false afterwards. Missing ids are never deduplicated. */
  firstTime(id: string | undefined | null): boolean {
    if (!id) return true;
    if (this.seen.has(id)) return false;
    this.seen.set(id, true);
    return true;
  }
}
