import { z } from "zod";
import type { PendingNotification, RepoRef, Store } from "../../store/types.js";
import { alertHash, parseStoredAlert } from "./dashboard.js";
import { digestDue } from "./email.js";
import { errorMessage, redactSecrets } from "./redact.js";
import { routeAlert } from "./routing.js";
import {
  channelKind,
  isDigestChannel,
  silentLogger,
  type Alert,
  type AlertChannel,
  type ChannelKind,
  type Clock,
  type DigestPeriod,
  type MaintenanceSummary,
  type NotifyLogger,
} from "./types.js";

/** When the last digest of `period` was queued, from a repository's pending entries (null: never). */
export function lastDigestIn(entries: readonly { id: string }[], period: DigestPeriod): string | null {
  const state = entries.find((e) => e.id === `${DIGEST_STATE_KIND}|${period}`) as { last_queued_at?: unknown } | undefined;
  return typeof state?.last_queued_at === "string" ? state.last_queued_at : null;
}

/**
 * Reliable delivery: every (alert, channel) pair is written to the store as a pending delivery BEFORE it is
 * sent, removed (kept as a small "delivered" tombstone for dedupe) after success, and retried with
 * exponential backoff after failure. Entries live in pending_notifications.json with kind "delivery";
 * a new outbox over the same store continues where a previous process stopped.
 */
export const DELIVERY_KIND = "delivery";
export const DIGEST_STATE_KIND = "digest_state";

const DeliveryPayload = z.discriminatedUnion("type", [
  z.object({ type: z.literal("alert"), alert: z.unknown() }),
  z.object({ type: z.literal("digest"), period: z.string().regex(/^(daily|weekly|[1-9]\d{0,4}[mhd])$/), summary: z.looseObject({ repo: z.string() }) }),
]);

const DeliveryEntry = z.object({
  id: z.string(),
  created_at: z.string(),
  kind: z.literal(DELIVERY_KIND),
  channel: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  /** null once delivered (the tombstone keeps only what dedupe needs). */
  payload: DeliveryPayload.nullable(),
  /** Alert key or "digest:<period>", for people reading the file or the dashboard. */
  subject: z.string(),
  attempts: z.number().int().min(0),
  next_attempt_at: z.string().nullable(),
  last_error: z.string().nullable(),
  /** While set and in the future, a flush (maybe in another process) is sending this entry. */
  lease_until: z.string().nullable(),
  delivered_at: z.string().nullable(),
});
export type DeliveryEntry = z.infer<typeof DeliveryEntry>;

/** A delivery as the dashboard or CLI shows it (no payload). */
export type DeliveryView = Omit<DeliveryEntry, "payload">;

export interface BackoffOptions {
  /** Delay after the first failure (default 30 s); doubles per attempt. */
  baseMs?: number;
  /** Longest delay (default 1 h). */
  maxMs?: number;
  /** After this many failed attempts the delivery is marked failed and no longer retried (default 10). */
  maxAttempts?: number;
  /** Random extra delay, as a fraction of the delay (default 0.1). */
  jitter?: number;
}

export interface OutboxOptions {
  store: Pick<Store, "getPending" | "updatePending">;
  repo: RepoRef;
  /** Channels by name ("email", "slack:default", "github", "dashboard", …). */
  channels: readonly AlertChannel[];
  clock?: Clock;
  logger?: NotifyLogger;
  /** Alert → channel kinds. Default routeAlert (the seed's table). */
  route?: (alert: Alert) => readonly ChannelKind[];
  backoff?: BackoffOptions;
  /** How long a claimed delivery is reserved for its sender (default 5 min); after that another flush may retry it. */
  leaseMs?: number;
  /** How long a single send may take before it counts as failed (default 60 s). */
  sendTimeoutMs?: number;
  /** Delivered tombstones and failed entries are kept this long (default 7 days): the dedupe window. */
  keepMs?: number;
  /** Pending deliveries for a channel this outbox does not have are dropped after this long (default 7 days). */
  orphanMaxAgeMs?: number;
  /** Extra strings to redact from stored errors and logs (webhook URLs, SMTP URL). */
  secrets?: readonly string[];
  random?: () => number;
}

export interface EnqueueResult {
  queued: string[];
  /** Already queued or delivered: not queued again. */
  duplicates: string[];
  /** Routed kinds that have no configured channel. */
  unrouted: ChannelKind[];
  error: string | null;
}

export interface FlushResult {
  delivered: string[];
  failed: Array<{ id: string; channel: string; error: string; attempts: number; next_attempt_at: string | null }>;
  /** Deliveries still waiting (pending) after this flush. */
  pending: number;
  /** Store errors etc.: flush never throws. */
  errors: string[];
}

/**
 * What a channel may declare so an interrupted send (the process stopped between claiming a delivery and
 * recording its result) is settled without sending twice.
 */
export interface DeliveryCheckingChannel extends AlertChannel {
  /** Sending the same alert again cannot produce a duplicate (the dashboard: keyed by alert). */
  readonly idempotent?: boolean;
  /** Whether an earlier send of this alert arrived (GitHub: a comment carrying the alert's marker). */
  confirmDelivered?(alert: Alert): Promise<boolean>;
}

function isDelivery(e: PendingNotification): boolean {
  return (e as { kind?: unknown }).kind === DELIVERY_KIND;
}

function parseDelivery(e: PendingNotification): DeliveryEntry | null {
  const r = DeliveryEntry.safeParse(e);
  return r.success ? r.data : null;
}

export function deliveryId(channel: string, alert: Pick<Alert, "key" | "created_at">): string {
  return `${DELIVERY_KIND}|${channel}|${alertHash(alert)}`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class NotificationOutbox {
  private readonly store: OutboxOptions["store"];
  private readonly repo: RepoRef;
  private readonly channels = new Map<string, AlertChannel>();
  private readonly clock: Clock;
  private readonly logger: NotifyLogger;
  private readonly route: (alert: Alert) => readonly ChannelKind[];
  private readonly backoff: Required<BackoffOptions>;
  private readonly leaseMs: number;
  private readonly sendTimeoutMs: number;
  private readonly keepMs: number;
  private readonly orphanMaxAgeMs: number;
  private readonly secrets: readonly string[];
  private readonly random: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly warnedInvalid = new Set<string>();

  constructor(opts: OutboxOptions) {
    this.store = opts.store;
    this.repo = opts.repo;
    for (const c of opts.channels) this.channels.set(c.name, c);
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger ?? silentLogger;
    this.route = opts.route ?? routeAlert;
    this.backoff = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 10, jitter: 0.1, ...opts.backoff };
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 60_000;
    this.keepMs = opts.keepMs ?? 7 * 86_400_000;
    this.orphanMaxAgeMs = opts.orphanMaxAgeMs ?? 7 * 86_400_000;
    this.secrets = opts.secrets ?? [];
    this.random = opts.random ?? Math.random;
  }

  /** Channel names an alert goes to, after routing: a kind expands to every channel of that kind. */
  channelsFor(alert: Alert): { names: string[]; unrouted: ChannelKind[] } {
    const names: string[] = [];
    const unrouted: ChannelKind[] = [];
    for (const kind of this.route(alert)) {
      const matching = [...this.channels.keys()].filter((n) => channelKind(n) === kind);
      if (matching.length === 0) unrouted.push(kind);
      names.push(...matching);
    }
    return { names: [...new Set(names)], unrouted };
  }

  /** Write pending deliveries for the alerts (deduplicated), routed, or to every channel of kind `only`. Never throws. */
  enqueue(alerts: Alert | readonly Alert[], only?: ChannelKind): Promise<EnqueueResult> {
    const list = Array.isArray(alerts) ? (alerts as readonly Alert[]) : [alerts as Alert];
    return this.serial(async () => {
      const result: EnqueueResult = { queued: [], duplicates: [], unrouted: [], error: null };
      const wanted: DeliveryEntry[] = [];
      const now = this.clock().toISOString();
      for (const alert of list) {
        const routed = only ? { names: [...this.channels.keys()].filter((n) => channelKind(n) === only), unrouted: [] } : this.channelsFor(alert);
        for (const k of routed.unrouted) if (!result.unrouted.includes(k)) result.unrouted.push(k);
        for (const channel of routed.names) {
          wanted.push(this.newEntry(deliveryId(channel, alert), channel, { type: "alert", alert }, alert.key, now));
        }
      }
      if (wanted.length === 0) return result;
      try {
        await this.store.updatePending(this.repo, (entries) => {
          const known = new Set(entries.map((e) => e.id));
          const added: PendingNotification[] = [];
          for (const w of wanted) {
            if (known.has(w.id)) result.duplicates.push(w.id);
            else {
              known.add(w.id);
              added.push(w);
              result.queued.push(w.id);
            }
          }
          return added.length > 0 ? [...entries, ...added] : entries;
        });
      } catch (err) {
        result.error = `could not store pending notifications for ${this.repoName}: ${this.redact(errorMessage(err))}`;
        result.queued = [];
        this.logger.warn({ repo: this.repoName, error: result.error }, "notify: enqueue failed");
      }
      return result;
    });
  }

  /** Queue a digest for every channel that can send digests (email), and remember when. Never throws. */
  enqueueDigest(summary: MaintenanceSummary, period: DigestPeriod): Promise<EnqueueResult> {
    return this.serial(async () => {
      const result: EnqueueResult = { queued: [], duplicates: [], unrouted: [], error: null };
      const now = this.clock().toISOString();
      const channels = [...this.channels.values()].filter(isDigestChannel).map((c) => c.name);
      if (channels.length === 0) {
        result.unrouted.push("email");
        return result;
      }
      try {
        await this.store.updatePending(this.repo, (entries) => {
          const out = [...entries];
          for (const channel of channels) {
            const id = `${DELIVERY_KIND}|${channel}|digest|${period}|${summary.generated_at}`;
            if (out.some((e) => e.id === id)) {
              result.duplicates.push(id);
              continue;
            }
            out.push(this.newEntry(id, channel, { type: "digest", period, summary: summary as unknown as { repo: string } }, `digest:${period}`, now));
            result.queued.push(id);
          }
          const stateId = `${DIGEST_STATE_KIND}|${period}`;
          const i = out.findIndex((e) => e.id === stateId);
          const state = { id: stateId, created_at: now, kind: DIGEST_STATE_KIND, period, last_queued_at: now };
          if (i >= 0) out[i] = state;
          else out.push(state);
          return out;
        });
      } catch (err) {
        result.error = `could not store the ${period} digest for ${this.repoName}: ${this.redact(errorMessage(err))}`;
        result.queued = [];
        this.logger.warn({ repo: this.repoName, error: result.error }, "notify: digest enqueue failed");
      }
      return result;
    });
  }

  /** When the last digest of this period was queued (null: never). */
  async lastDigestAt(period: DigestPeriod): Promise<string | null> {
    try {
      const entries = await this.store.getPending(this.repo);
      return lastDigestIn(entries, period);
    } catch {
      return null;
    }
  }

  /** Queue and send a digest when one is due for the configured period (config notifications.email.digest). */
  async maybeSendDigest(summary: MaintenanceSummary, period: DigestPeriod | "off"): Promise<{ due: boolean; queued: EnqueueResult | null; flush: FlushResult | null }> {
    if (period === "off") return { due: false, queued: null, flush: null };
    const due = digestDue(await this.lastDigestAt(period), period, this.clock);
    if (!due) return { due: false, queued: null, flush: null };
    const queued = await this.enqueueDigest(summary, period);
    return { due: true, queued, flush: await this.flush() };
  }

  /** Enqueue, then flush everything due. Never throws. */
  async deliver(alerts: Alert | readonly Alert[]): Promise<FlushResult & { enqueue: EnqueueResult }> {
    const enqueue = await this.enqueue(alerts);
    const flush = await this.flush();
    return { ...flush, enqueue, errors: enqueue.error ? [enqueue.error, ...flush.errors] : flush.errors };
  }

  /**
   * Send every pending delivery whose time has come (`now`: every pending one, whatever its backoff, as
   * at start-up). Serialised in-process; leases guard across processes. Never throws.
   */
  flush(opts: { now?: boolean } = {}): Promise<FlushResult> {
    return this.serial(async () => {
      // In batches that fit one lease, so a long flush never outlives the leases of what it claimed.
      const total: FlushResult = { delivered: [], failed: [], pending: 0, errors: [] };
      for (let round = 0; round < 100; round++) {
        const r = await this.flushNow(opts.now === true);
        total.delivered.push(...r.delivered);
        total.failed.push(...r.failed);
        total.errors.push(...r.errors);
        total.pending = r.pending;
        if (r.delivered.length + r.failed.length < this.batchSize || r.errors.length > 0) break;
      }
      return total;
    });
  }

  /** Deliveries claimed per round: their sends, one after another, end well inside the lease. */
  private get batchSize(): number {
    return Math.max(1, Math.floor(this.leaseMs / this.sendTimeoutMs) - 1);
  }

  /**
   * When this outbox next has something to do: the earliest retry time of a pending delivery for a
   * configured channel, or the end of a lease (an interrupted send to settle). null: nothing pending.
   */
  async nextAttemptAt(): Promise<Date | null> {
    let best = Infinity;
    try {
      for (const raw of await this.store.getPending(this.repo)) {
        const e = isDelivery(raw) ? parseDelivery(raw) : null;
        if (!e || e.status !== "pending" || !this.channels.has(e.channel)) continue;
        const due = Date.parse(e.next_attempt_at ?? e.created_at);
        const lease = e.lease_until ? Date.parse(e.lease_until) : NaN;
        const at = Math.max(Number.isFinite(due) ? due : 0, Number.isFinite(lease) ? lease : 0);
        if (at < best) best = at;
      }
    } catch {
      return null;
    }
    return Number.isFinite(best) ? new Date(best) : null;
  }

  /** Pending, failed and delivered entries (without payloads), oldest first. */
  async deliveries(): Promise<DeliveryView[]> {
    const entries = await this.store.getPending(this.repo);
    return entries
      .filter(isDelivery)
      .map(parseDelivery)
      .filter((e): e is DeliveryEntry => e != null)
      .map(({ payload: _payload, ...rest }) => rest);
  }

  /** An AlertChannel that routes and delivers through this outbox (for dispatchers that call send()). */
  asChannel(name = "outbox"): AlertChannel {
    return {
      name,
      send: async (alert: Alert) => {
        await this.deliver(alert);
      },
    };
  }

  /**
   * One AlertChannel per configured kind, named "email", "slack", "github", "dashboard", for
   * assess/alerts.ts dispatchAlerts (which routes by those names and applies the quiet period).
   * send() queues the alert for every channel of that kind (e.g. slack:default and slack:ops) and
   * flushes; it never throws, because the outbox now owns the retries.
   */
  kindChannels(): AlertChannel[] {
    const kinds = [...new Set([...this.channels.keys()].map(channelKind).filter((k): k is ChannelKind => k != null))];
    return kinds.map((kind) => ({
      name: kind,
      send: async (alert: Alert) => {
        await this.enqueue(alert, kind);
        await this.flush();
      },
    }));
  }

  /** Flush every intervalMs; the timer does not keep the process alive. */
  start(intervalMs = 60_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private get repoName(): string {
    return `${this.repo.owner}/${this.repo.repo}`;
  }

  private redact(s: string): string {
    return this.secrets.length > 0 ? redactSecrets(s, this.secrets) : s;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private newEntry(id: string, channel: string, payload: DeliveryEntry["payload"], subject: string, now: string): DeliveryEntry {
    return {
      id,
      created_at: now,
      kind: DELIVERY_KIND,
      channel,
      status: "pending",
      payload,
      subject,
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      lease_until: null,
      delivered_at: null,
    };
  }

  private delayMs(attempts: number): number {
    const base = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (1 + this.backoff.jitter * this.random()));
  }

  private async flushNow(ignoreBackoff = false): Promise<FlushResult> {
    const result: FlushResult = { delivered: [], failed: [], pending: 0, errors: [] };
    const now = this.clock();
    const nowMs = now.getTime();
    const claimed: DeliveryEntry[] = [];
    // Claimed before and never settled: the sender stopped mid-send (crash, SIGKILL) or could not record.
    const interrupted = new Set<string>();

    // 1. Claim due entries (lease + attempt count) and prune old tombstones, in one write.
    try {
      await this.store.updatePending(this.repo, (entries) => {
        claimed.length = 0;
        interrupted.clear();
        const out: PendingNotification[] = [];
        for (const raw of entries) {
          if (!isDelivery(raw)) {
            out.push(raw);
            continue;
          }
          const e = parseDelivery(raw);
          if (!e) {
            if (!this.warnedInvalid.has(raw.id)) {
              this.warnedInvalid.add(raw.id);
              this.logger.warn({ repo: this.repoName, id: raw.id }, "notify: unreadable pending notification kept as is");
            }
            out.push(raw);
            continue;
          }
          const createdMs = Date.parse(e.created_at);
          if (e.status !== "pending") {
            const at = Date.parse(e.delivered_at ?? e.next_attempt_at ?? e.created_at);
            if (Number.isFinite(at) && nowMs - at > this.keepMs) continue; // dedupe window over
            out.push(e);
            continue;
          }
          if (!this.channels.has(e.channel)) {
            if (Number.isFinite(createdMs) && nowMs - createdMs > this.orphanMaxAgeMs) {
              this.logger.warn({ repo: this.repoName, id: e.id, channel: e.channel }, "notify: dropping a pending notification for a channel that is no longer configured");
              continue;
            }
            out.push(e);
            continue;
          }
          const dueMs = Date.parse(e.next_attempt_at ?? e.created_at);
          const leasedMs = e.lease_until ? Date.parse(e.lease_until) : NaN;
          if ((!ignoreBackoff && Number.isFinite(dueMs) && dueMs > nowMs) || (Number.isFinite(leasedMs) && leasedMs > nowMs)) {
            out.push(e);
            continue;
          }
          if (claimed.length >= this.batchSize) {
            out.push(e);
            continue;
          }
          if (e.lease_until != null) interrupted.add(e.id);
          const c: DeliveryEntry = { ...e, attempts: e.attempts + 1, lease_until: new Date(nowMs + this.leaseMs).toISOString() };
          claimed.push(c);
          out.push(c);
        }
        return out;
      });
    } catch (err) {
      const msg = `could not read pending notifications for ${this.repoName}: ${this.redact(errorMessage(err))}`;
      result.errors.push(msg);
      this.logger.warn({ repo: this.repoName, error: msg }, "notify: flush failed");
      return result;
    }

    // 2. Send, outside any store transaction (a channel may write to the store itself: dashboard).
    // An interrupted send is settled first: a channel that can tell whether it arrived is asked, one whose
    // send is idempotent sends again, any other (Slack webhook, SMTP) is NOT sent again, so it is never
    // sent twice; the delivery is marked failed with the reason, visible on the dashboard and in the log.
    const outcomes = new Map<string, { ok: true } | { ok: false; error: string; final?: boolean }>();
    for (const e of claimed) {
      const channel = this.channels.get(e.channel);
      try {
        if (!channel) throw new Error(`channel ${e.channel} is not configured`);
        if (interrupted.has(e.id)) {
          const settled = await withTimeout(this.settleInterrupted(channel, e), this.sendTimeoutMs, `${e.channel}`);
          if (settled === "arrived") {
            outcomes.set(e.id, { ok: true });
            continue;
          }
          if (settled === "unknown") {
            outcomes.set(e.id, {
              ok: false,
              final: true,
              error: `interrupted while sending (the process stopped before the result was recorded); not sent again because ${e.channel} cannot detect a duplicate: it may or may not have arrived`,
            });
            continue;
          }
        }
        await withTimeout(this.sendOne(channel, e), this.sendTimeoutMs, `${e.channel}`);
        outcomes.set(e.id, { ok: true });
      } catch (err) {
        outcomes.set(e.id, { ok: false, error: this.redact(errorMessage(err)) });
      }
    }

    // 3. Record outcomes.
    const doneAt = this.clock();
    const nextAt = new Map<string, string | null>();
    for (const e of claimed) {
      const o = outcomes.get(e.id);
      if (o && !o.ok) nextAt.set(e.id, o.final || e.attempts >= this.backoff.maxAttempts ? null : new Date(doneAt.getTime() + this.delayMs(e.attempts)).toISOString());
    }
    try {
      await this.store.updatePending(this.repo, (entries) => {
        const out: PendingNotification[] = [];
        for (const raw of entries) {
          const outcome = outcomes.get(raw.id);
          const e = outcome ? parseDelivery(raw) : null;
          if (!outcome || !e) {
            out.push(raw);
            continue;
          }
          if (outcome.ok) {
            out.push({ ...e, status: "delivered", payload: null, lease_until: null, next_attempt_at: null, delivered_at: doneAt.toISOString(), last_error: null });
          } else {
            const next = nextAt.get(e.id) ?? null;
            out.push({ ...e, status: next == null ? "failed" : "pending", lease_until: null, next_attempt_at: next, last_error: outcome.error });
          }
        }
        return out;
      });
    } catch (err) {
      // Sent but not recorded: when the lease expires the delivery is settled as interrupted (see flushNow step 2).
      const msg = `could not record notification results for ${this.repoName}: ${this.redact(errorMessage(err))}`;
      result.errors.push(msg);
      this.logger.warn({ repo: this.repoName, error: msg }, "notify: flush could not record results");
    }

    for (const e of claimed) {
      const o = outcomes.get(e.id);
      if (!o) continue;
      if (o.ok) {
        result.delivered.push(e.id);
        this.logger.info({ repo: this.repoName, channel: e.channel, subject: e.subject, attempts: e.attempts }, "notify: delivered");
      } else {
        const next = nextAt.get(e.id) ?? null;
        const gaveUp = next == null;
        result.failed.push({ id: e.id, channel: e.channel, error: o.error, attempts: e.attempts, next_attempt_at: next });
        this.logger.warn(
          { repo: this.repoName, channel: e.channel, subject: e.subject, attempts: e.attempts, error: o.error },
          gaveUp ? "notify: delivery failed, giving up" : "notify: delivery failed, will retry",
        );
      }
    }
    try {
      result.pending = (await this.store.getPending(this.repo)).filter((e) => isDelivery(e) && (e as { status?: unknown }).status === "pending").length;
    } catch {
      /* reported above if the store is broken */
    }
    return result;
  }

  /** After an interrupted send: "arrived" (the channel found it), "resend" (safe to send again), "unknown". */
  private async settleInterrupted(channel: AlertChannel, e: DeliveryEntry): Promise<"arrived" | "resend" | "unknown"> {
    const c = channel as DeliveryCheckingChannel;
    if (typeof c.confirmDelivered === "function" && e.payload?.type === "alert") {
      const alert = parseStoredAlert(e.payload.alert);
      if (alert) return (await c.confirmDelivered(alert)) ? "arrived" : "resend";
    }
    return c.idempotent === true ? "resend" : "unknown";
  }

  private async sendOne(channel: AlertChannel, e: DeliveryEntry): Promise<void> {
    const p = e.payload;
    if (!p) throw new Error(`delivery ${e.id} has no payload`);
    if (p.type === "alert") {
      const alert = parseStoredAlert(p.alert);
      if (!alert) throw new Error(`delivery ${e.id}: stored alert is invalid`);
      await channel.send(alert);
      return;
    }
    if (!isDigestChannel(channel)) throw new Error(`channel ${channel.name} cannot send digests`);
    await channel.sendDigest(p.summary as unknown as MaintenanceSummary, p.period as DigestPeriod);
  }
}
