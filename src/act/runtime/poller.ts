import type { ComponentConfig } from "../../config/schema.js";
import type { Dispatcher } from "undici";
import { guardedDispatcherFor, unsafeConnectionMessage, withDispatcher } from "../../enrich/guarded-agent.js";
import { assertSafeUrl, redactUrl, type UrlGuardOptions } from "../../enrich/url-guard.js";
import type { RepoRef, Store } from "../../store/types.js";
import { recordRuntimeSample, RuntimeMetricsInput, type RuntimeMetricsStore, type RuntimeSample } from "./metrics-store.js";

export const POLL_TIMEOUT_MS = 5_000;
export const POLL_MAX_BODY = 64 * 1024;
const MAX_REDIRECTS = 3;

export interface PollTarget {
  repo: RepoRef;
  components: Array<Pick<ComponentConfig, "name" | "health_url">>;
}

export interface PollResult {
  repo: RepoRef;
  component: string;
  url: string;
  up: boolean;
  status: number | null;
  response_time_ms: number | null;
  /** Why the poll counted as down, or null. */
  error: string | null;
}

export interface HealthPollerOptions {
  store: Store;
  runtime: RuntimeMetricsStore;
  /** Which components to poll: typically each installed repository's config `components[]`. */
  targets: () => Promise<PollTarget[]>;
  /** Poll interval (default 60 s). */
  intervalMs?: number;
  timeoutMs?: number;
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  clock?: () => Date;
  /** Options for the outbound guard (private addresses refused unless COWABUNGA_ALLOW_PRIVATE_URLS=true). */
  guard?: UrlGuardOptions;
  /**
   * undici dispatcher of the polls (null: the global one). Default: an Agent that connects only to
   * addresses the guard accepts, checked at connect time, so a health_url host cannot rebind to an
   * internal address between the guard's lookup and the connection.
   */
  dispatcher?: Dispatcher | null;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** Read at most `max` bytes of a body; larger bodies are cut off (the rest is cancelled). */
async function readLimited(res: Response, max: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}

/** Metrics a health endpoint may report in a JSON body (same names as the push endpoint); others are ignored. */
function metricsFromBody(text: string): Partial<RuntimeMetricsInput> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return {};
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return {};
  const picked: Record<string, unknown> = {};
  for (const k of ["error_rate", "response_time_ms", "memory_usage_mb", "cpu_usage_percent"] as const) {
    if (k in data) picked[k] = (data as Record<string, unknown>)[k];
  }
  const r = RuntimeMetricsInput.safeParse(picked);
  return r.success ? r.data : {};
}

/**
 * Polls each component's health_url: up when it answers 2xx within the timeout. Every poll is a
 * sample in the runtime store, so uptime_percentage is the share of up samples over 30 days.
 * Outbound requests go through the SSRF guard; redirects are followed only to the same origin.
 */
export class HealthPoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PollResult[]> | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: () => Date;
  private readonly dispatcher: Dispatcher | null;

  constructor(private readonly opts: HealthPollerOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
    this.dispatcher = opts.dispatcher === undefined ? guardedDispatcherFor(opts.guard) : opts.dispatcher;
    this.clock = opts.clock ?? (() => new Date());
  }

  /** Poll one URL. Never throws: failures are down results with a reason. */
  async check(url: string): Promise<Omit<PollResult, "repo" | "component"> & { metrics: Partial<RuntimeMetricsInput> }> {
    const shown = redactUrl(url);
    const timeoutMs = this.opts.timeoutMs ?? POLL_TIMEOUT_MS;
    const started = performance.now();
    const down = (error: string, status: number | null = null) => ({ url: shown, up: false, status, response_time_ms: null, error, metrics: {} });
    let current: URL;
    try {
      current = await assertSafeUrl(url, this.opts.guard);
    } catch (e) {
      return down((e as Error).message);
    }
    const origin = current.origin;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      for (let hop = 0; ; hop++) {
        const init: RequestInit = {
          method: "GET",
          redirect: "manual",
          signal,
          headers: { accept: "application/json, text/plain;q=0.9, */*;q=0.1", "user-agent": "cowabunga-maintainer-health-poller" },
        };
        const res = await this.fetchImpl(current, withDispatcher(init, this.dispatcher));
        if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
          await res.body?.cancel().catch(() => undefined);
          const next = new URL(res.headers.get("location") ?? "", current);
          if (next.origin !== origin) return down(`${shown} redirected to another host (${redactUrl(next)}); not followed`, res.status);
          if (hop >= MAX_REDIRECTS) return down(`${shown}: more than ${MAX_REDIRECTS} redirects`, res.status);
          current = await assertSafeUrl(next, this.opts.guard);
          continue;
        }
        const { text } = await readLimited(res, this.opts.maxBodyBytes ?? POLL_MAX_BODY);
        const elapsed = Math.round(performance.now() - started);
        const up = res.status >= 200 && res.status < 300;
        return {
          url: shown,
          up,
          status: res.status,
          response_time_ms: elapsed,
          error: up ? null : `${shown} answered HTTP ${res.status}`,
          metrics: up ? metricsFromBody(text) : {},
        };
      }
    } catch (e) {
      const err = e as Error;
      if (err.name === "TimeoutError" || err.name === "AbortError") return down(`${shown}: no answer within ${timeoutMs} ms`);
      if (err.name === "UnsafeUrlError") return down(err.message);
      const refused = unsafeConnectionMessage(err);
      if (refused) return down(`${shown}: ${refused}`);
      return down(`${shown}: ${err.message}`);
    }
  }

  /** Poll every configured component once and record the samples. */
  async pollOnce(): Promise<PollResult[]> {
    if (this.running) return this.running;
    this.running = this.doPoll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async doPoll(): Promise<PollResult[]> {
    let targets: PollTarget[];
    try {
      targets = await this.opts.targets();
    } catch (e) {
      this.opts.logger?.warn({ err: (e as Error).message }, `health poller: cannot list targets: ${(e as Error).message}`);
      return [];
    }
    const results: PollResult[] = [];
    for (const t of targets) {
      for (const c of t.components) {
        if (!c.health_url) continue;
        const r = await this.check(c.health_url);
        const now = this.clock();
        const sample: RuntimeSample = {
          at: now.toISOString(),
          source: "poll",
          up: r.up,
          uptime_percentage: null,
          error_rate: r.metrics.error_rate ?? null,
          response_time_ms: r.metrics.response_time_ms !== undefined ? Math.round(r.metrics.response_time_ms) : r.response_time_ms,
          memory_usage_mb: r.metrics.memory_usage_mb !== undefined ? Math.round(r.metrics.memory_usage_mb) : null,
          cpu_usage_percent: r.metrics.cpu_usage_percent ?? null,
          detail: r.error,
        };
        try {
          await recordRuntimeSample(this.opts.store, this.opts.runtime, t.repo, c.name, sample, now);
        } catch (e) {
          this.opts.logger?.warn({ repo: t.repo, component: c.name }, `health poller: cannot store sample: ${(e as Error).message}`);
        }
        if (!r.up) this.opts.logger?.warn({ repo: t.repo, component: c.name, url: r.url }, `health check down: ${r.error ?? "unknown"}`);
        results.push({ repo: t.repo, component: c.name, url: r.url, up: r.up, status: r.status, response_time_ms: r.response_time_ms, error: r.error });
      }
    }
    return results;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pollOnce(), this.opts.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
