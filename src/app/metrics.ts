/**
 * Prometheus metrics (`/metrics`, issue 11 item 6) with prom-client: queue depth, job durations, GitHub
 * requests and rate limit remaining, registry requests and cache hit rate. One registry per process
 * (serve and worker each expose their own; Prometheus sums them).
 */
import client from "prom-client";
import type { HttpStats } from "../enrich/http.js";
import type { Job, JobEvents, JobQueue } from "../jobs/types.js";

export interface AppMetricsSources {
  queue?: JobQueue;
  /** The process's shared registry HTTP client stats. */
  registryStats?: () => HttpStats;
  /** Process role label: all | serve | worker. */
  role?: string;
}

export class AppMetrics {
  readonly registry = new client.Registry();
  private readonly jobDuration: client.Histogram<"kind" | "outcome">;
  private readonly jobsRunning: client.Gauge<"kind">;
  private readonly githubRequests: client.Counter<"method" | "status">;
  private readonly rateRemaining: client.Gauge<"resource">;
  private readonly webhooks: client.Counter<"event" | "outcome">;

  constructor(private readonly sources: AppMetricsSources = {}) {
    this.registry.setDefaultLabels({ role: sources.role ?? "all" });
    client.collectDefaultMetrics({ register: this.registry, prefix: "cowabunga_" });
    const registers = [this.registry];
    const queue = sources.queue;
    new client.Gauge({
      name: "cowabunga_jobs",
      help: "Jobs in the queue by state (queued, running, retry, failed); cluster-wide for the durable queue",
      labelNames: ["state"],
      registers,
      async collect() {
        if (!queue) return;
        try {
          const d = await queue.depth();
          for (const [state, n] of Object.entries(d)) this.set({ state }, n);
        } catch {
          // The database is down: /readyz says so; keep the last values.
        }
      },
    });
    this.jobsRunning = new client.Gauge({ name: "cowabunga_jobs_running_here", help: "Jobs running in this process, by kind", labelNames: ["kind"], registers });
    this.jobDuration = new client.Histogram({
      name: "cowabunga_job_duration_seconds",
      help: "Time a job ran, by kind and outcome (ok, retry, failed)",
      labelNames: ["kind", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    this.githubRequests = new client.Counter({ name: "cowabunga_github_requests_total", help: "GitHub API requests made by this process, by method and status", labelNames: ["method", "status"], registers });
    this.rateRemaining = new client.Gauge({ name: "cowabunga_github_rate_limit_remaining", help: "x-ratelimit-remaining of the last GitHub response, by resource", labelNames: ["resource"], registers });
    this.webhooks = new client.Counter({ name: "cowabunga_webhooks_total", help: "Webhook deliveries, by event and what became of them (queued, coalesced, duplicate, ignored)", labelNames: ["event", "outcome"], registers });
    const stats = sources.registryStats;
    new client.Gauge({
      name: "cowabunga_registry_requests",
      help: "Registry and OSV network requests made by this process since it started, by host",
      labelNames: ["host"],
      registers,
      collect() {
        if (!stats) return;
        for (const [host, n] of Object.entries(stats().requests)) this.set({ host }, n);
      },
    });
    new client.Gauge({
      name: "cowabunga_registry_cache_hits",
      help: "Registry and OSV answers served from a cache (this process's or the shared one) since the process started",
      labelNames: ["cache"],
      registers,
      collect() {
        if (!stats) return;
        const s = stats();
        this.set({ cache: "local" }, s.cacheHits - (s.sharedCacheHits ?? 0));
        this.set({ cache: "shared" }, s.sharedCacheHits ?? 0);
      },
    });
    new client.Gauge({
      name: "cowabunga_registry_cache_hit_ratio",
      help: "Cache hits / (cache hits + network requests) of registry and OSV lookups",
      registers,
      collect() {
        if (!stats) return;
        const s = stats();
        const requests = Object.values(s.requests).reduce((a, b) => a + b, 0);
        const total = requests + s.cacheHits;
        this.set(total === 0 ? 0 : s.cacheHits / total);
      },
    });
  }

  /** Observers for `JobQueue.work`. */
  jobEvents(): JobEvents {
    return {
      onStart: (job: Job) => this.jobsRunning.inc({ kind: job.kind }),
      onFinish: (job, _ctx, o) => {
        this.jobsRunning.dec({ kind: job.kind });
        this.jobDuration.observe({ kind: job.kind, outcome: o.ok ? "ok" : o.final ? "failed" : "retry" }, o.durationMs / 1000);
      },
    };
  }

  webhook(event: string, outcome: string): void {
    this.webhooks.inc({ event, outcome });
  }

  /** Count a GitHub response (or error) and remember the rate limit it reported. */
  githubResponse(method: string, status: number | string, headers: Record<string, unknown> | undefined): void {
    this.githubRequests.inc({ method, status: String(status) });
    const remaining = Number(headers?.["x-ratelimit-remaining"]);
    if (headers && Number.isFinite(remaining)) this.rateRemaining.set({ resource: String(headers["x-ratelimit-resource"] ?? "core") }, remaining);
  }

  /** Hook an Octokit so that its requests are counted. */
  instrument<T extends { hook: OctokitHook }>(octokit: T): T {
    const marked = octokit as T & { [INSTRUMENTED]?: true };
    if (marked[INSTRUMENTED]) return octokit;
    marked[INSTRUMENTED] = true;
    octokit.hook.wrap("request", async (request, options) => {
      const method = String(options.method ?? "GET");
      try {
        const res = await request(options);
        this.githubResponse(method, res.status, res.headers);
        return res;
      } catch (err) {
        const e = err as { status?: number; response?: { headers?: Record<string, unknown> } };
        this.githubResponse(method, e.status ?? "error", e.response?.headers);
        throw err;
      }
    });
    return octokit;
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

const INSTRUMENTED = Symbol("cowabunga.metrics");

type RequestFn = (options: { method?: string; [k: string]: unknown }) => Promise<{ status: number; headers: Record<string, unknown> }>;
export interface OctokitHook {
  wrap(name: "request", fn: (request: RequestFn, options: { method?: string; [k: string]: unknown }) => Promise<{ status: number; headers: Record<string, unknown> }>): void;
}
