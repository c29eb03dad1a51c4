/**
 * Process shapes (issue 11, item 3), all from the environment:
 * - embedded (`npm start`): webhooks, API, dashboard and jobs in one process. Without DATABASE_URL the
 *   queue is in memory and the data in the file store (the default, unchanged); with it, both are in
 *   PostgreSQL and the process is simply a cluster of one.
 * - `cowabunga serve`: webhooks, API and dashboard; every webhook becomes a job in PostgreSQL.
 * - `cowabunga worker`: runs jobs; serves only /healthz, /readyz and /metrics (on WORKER_PORT, default 3001).
 * Any number of each against one DATABASE_URL; createApp opens the store it names (src/index.ts). With REDIS_URL, Probot's Octokit throttling is shared by
 * every process through Redis (Bottleneck clustering), so the fleet together respects GitHub's limits.
 */
import { createServer, type Server } from "node:http";
import { createProbot, run, type ApplicationFunction, type ProbotOctokit } from "probot";
import { createApp } from "../index.js";
import { MemoryJobQueue } from "../jobs/memory.js";
import { PgBossJobQueue, type PgBossJobQueueOptions } from "../jobs/pg-boss.js";
import type { JobQueue, RetryPolicy } from "../jobs/types.js";
import { createOpsHttpHandler } from "../server/index.js";
import { appOctokitClass } from "../server/octokit.js";
import { sharedEnrichment } from "./enrichment.js";
import type { AppServices, ProcessRole } from "./handlers.js";
import { AppMetrics } from "./metrics.js";

type Env = Record<string, string | undefined>;

export interface ProcessLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Thrown for a bad or missing setting: the CLI prints it as a usage problem. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

function positiveNumber(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigurationError(`${name}=${JSON.stringify(raw.slice(0, 50))}: expected a number from ${min} to ${max}`);
  return n;
}

/** Retry policy of jobs: COWABUNGA_JOB_RETRIES (default 3), COWABUNGA_JOB_RETRY_DELAY_SECONDS (default 30, doubling). */
export function retryFromEnv(env: Env): Partial<RetryPolicy> {
  const retries = positiveNumber(env, "COWABUNGA_JOB_RETRIES", 0, 20);
  const delay = positiveNumber(env, "COWABUNGA_JOB_RETRY_DELAY_SECONDS", 1, 86_400);
  return { ...(retries !== undefined ? { retries: Math.floor(retries) } : {}), ...(delay !== undefined ? { delayMs: delay * 1000 } : {}) };
}

/** The durable queue's settings from the environment (DATABASE_URL required). */
export function pgQueueOptionsFromEnv(env: Env, log?: ProcessLogger): PgBossJobQueueOptions {
  const url = env.DATABASE_URL?.trim();
  if (!url) throw new ConfigurationError("DATABASE_URL is not set: serve and worker processes share their jobs and data through PostgreSQL");
  const timeout = positiveNumber(env, "COWABUNGA_JOB_TIMEOUT_SECONDS", 10, 86_400);
  const poll = positiveNumber(env, "COWABUNGA_JOB_POLL_SECONDS", 0.5, 60);
  const reap = positiveNumber(env, "COWABUNGA_JOB_REAP_INTERVAL_SECONDS", 0, 3600);
  const grace = positiveNumber(env, "COWABUNGA_JOB_REAP_GRACE_SECONDS", 0, 3600);
  const busy = positiveNumber(env, "COWABUNGA_JOB_BUSY_DELAY_SECONDS", 0, 600);
  return {
    connectionString: url,
    retry: retryFromEnv(env),
    ...(timeout !== undefined ? { timeoutSeconds: Math.floor(timeout) } : {}),
    ...(poll !== undefined ? { pollingIntervalSeconds: poll } : {}),
    ...(reap !== undefined ? { reapIntervalMs: reap * 1000 } : {}),
    ...(grace !== undefined ? { reapGraceMs: grace * 1000 } : {}),
    ...(busy !== undefined ? { busyDelaySeconds: busy } : {}),
    ...(log ? { log } : {}),
  };
}

/** The job queue of this process: PostgreSQL with DATABASE_URL, else in memory (embedded only). */
export async function openJobQueue(env: Env, role: ProcessRole, log: ProcessLogger): Promise<JobQueue> {
  if (!env.DATABASE_URL?.trim()) {
    if (role !== "all") throw new ConfigurationError(`cowabunga ${role} needs DATABASE_URL (PostgreSQL): its jobs are shared with the other processes through it`);
    return new MemoryJobQueue({ retry: retryFromEnv(env), log });
  }
  const queue = new PgBossJobQueue(pgQueueOptionsFromEnv(env, log));
  await queue.start();
  return queue;
}

/**
 * The app's Octokit (src/server/octokit.ts: rate limits retried as GitHub documents them, creates never
 * re-POSTed blindly). COWABUNGA_GITHUB_THROTTLE=false turns client-side throttling off (a GHES without rate
 * limits, tests); with REDIS_URL, Probot gives the throttling a Redis connection (cluster-wide limits).
 */
export function octokitOverride(env: Env): { Octokit: typeof ProbotOctokit } {
  const throttle = !/^(false|0|off|no)$/i.test(env.COWABUNGA_GITHUB_THROTTLE?.trim() ?? "");
  return { Octokit: appOctokitClass({ throttle }) };
}

/** The app for a role; createApp opens the store the environment names (PostgreSQL with DATABASE_URL). */
function appFor(role: ProcessRole, queue: JobQueue, metrics: AppMetrics, env: Env): ApplicationFunction {
  return createApp({ role, queue, metrics, env, ...concurrencyOf(env) });
}

function concurrencyOf(env: Env): { concurrency?: number } {
  const concurrency = positiveNumber(env, "COWABUNGA_CONCURRENCY", 1, 64);
  return concurrency !== undefined ? { concurrency: Math.floor(concurrency) } : {};
}

function consoleLogger(): ProcessLogger {
  const line = (level: string) => (obj: object, msg?: string) => process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), ...obj, msg })}\n`);
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

/** `npm start` and `cowabunga serve`: Probot's server (webhooks, setup page) plus the API and dashboard. */
export async function runServer(role: "all" | "serve", env: Env = process.env): Promise<void> {
  const log = consoleLogger();
  const queue = await openJobQueue(env, role, log);
  const metrics = new AppMetrics({ queue, role, registryStats: () => sharedEnrichment().http.stats() });
  await run(appFor(role, queue, metrics, env), octokitOverride(env));
  const stop = (signal: string): void => {
    log.info({ signal }, `${signal}: stopping; running jobs may finish`);
    void queue.stop({ timeoutMs: 20_000 }).finally(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

export interface WorkerHandle {
  port: number;
  stop(): Promise<void>;
}

/** `cowabunga worker`: runs jobs from the durable queue with the app's credentials. */
export async function runWorker(env: Env = process.env, opts: { port?: number } = {}): Promise<WorkerHandle> {
  if (!env.APP_ID?.trim() || !(env.PRIVATE_KEY?.trim() || env.PRIVATE_KEY_PATH?.trim())) {
    throw new ConfigurationError("cowabunga worker needs the app's credentials: APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH)");
  }
  const log = consoleLogger();
  const queue = await openJobQueue(env, "worker", log);
  const metrics = new AppMetrics({ queue, role: "worker", registryStats: () => sharedEnrichment().http.stats() });
  const probot = createProbot({ env, overrides: octokitOverride(env) });
  let services: AppServices | null = null;
  await probot.load(createApp({ role: "worker", queue, metrics, env, onServices: (s) => (services = s), ...concurrencyOf(env) }));
  if (!services) throw new Error("the app did not start");
  const handler = createOpsHttpHandler({ jobs: queue, metrics, store: (services as AppServices).store, env });
  const server: Server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("a worker serves only /healthz, /readyz and /metrics\n");
    });
  });
  const port = opts.port ?? positiveNumber(env, "WORKER_PORT", 0, 65_535) ?? 3001;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, env.HOST?.trim() || "0.0.0.0", () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  probot.log.info({ port: bound, backend: queue.backend }, `worker running jobs; /healthz, /readyz and /metrics on port ${bound}`);
  let stopping: Promise<void> | null = null;
  return {
    port: bound,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await queue.stop({ timeoutMs: 20_000 });
      })()),
  };
}
