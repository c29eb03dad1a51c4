/**
 * The job contract (issue 11, item 2). Every piece of work the app does for a repository is a job:
 * a small, JSON-serialisable value that names its kind, its repository and the installation whose
 * token it runs with. A webhook only turns into a job; a worker (in the same process when embedded,
 * in `cowabunga worker` processes in a cluster) runs it. Two implementations: `MemoryJobQueue`
 * (embedded default) and `PgBossJobQueue` (durable, on PostgreSQL). One conformance suite tests both.
 */
import { z } from "zod";

export const JOB_KINDS = [
  /** Scan a repository (push, installation, dispatch, API audit, `/cowabunga rescan`). Waiting scans coalesce. */
  "scan",
  /** The cron tick that finds the repositories whose scheduled scan is due and queues scans. */
  "scheduled_scan",
  /** Open the update PRs an API request asked for. */
  "update_prs",
  /** A CI result or a closed PR: test-result comments, merge records, CI history. */
  "ci_result",
  /** A failed build on the default branch: revert the app's update that caused it. */
  "revert",
  /** A `/cowabunga ...` command in an issue comment. */
  "command",
  /** An app issue closed or reopened by a person: the lifecycle follows. */
  "issue_state",
  /** The cron tick that retries pending notifications. */
  "notify",
  /** The cron tick that polls components' health_url. */
  "health_poll",
  /** Re-assess a repository after an advisory refresh: advisories from the stored dependencies, then act (issue 16). */
  "reassess",
  /** The cron tick that checks the OSV mirror for new, changed and withdrawn advisories (issue 16). */
  "advisory_refresh",
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Kinds that are cluster-wide cron ticks (no repository). */
export const CRON_KINDS = ["scheduled_scan", "notify", "health_poll", "advisory_refresh"] as const satisfies readonly JobKind[];
export type CronKind = (typeof CRON_KINDS)[number];

/** A job's JSON payload is bounded: a webhook's payload is cut to what the handler needs. */
export const MAX_JOB_PAYLOAD_BYTES = 512 * 1024;

const RepoName = z
  .string()
  .max(201)
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected owner/name");

export const Job = z.object({
  kind: z.enum(JOB_KINDS),
  /** `owner/name`, or null for a cluster-wide cron tick. */
  repo: RepoName.nullable(),
  installation_id: z.number().int().positive().nullable(),
  payload: z.record(z.string(), z.unknown()),
  /** What asked for it: an X-GitHub-Delivery id, an API job id, a cron slot (for logs and idempotency). */
  source: z.string().max(200).nullable().optional(),
});
export type Job = z.infer<typeof Job>;

/** Thrown by `validateJob` for a job that cannot be queued (a bug or a hostile payload). */
export class InvalidJobError extends Error {
  override readonly name = "InvalidJobError";
}

/** Parse a job and check its size; what is queued is exactly what a worker will read back. */
export function validateJob(value: unknown): Job {
  const parsed = Job.safeParse(value);
  if (!parsed.success) throw new InvalidJobError(`invalid job: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  const size = Buffer.byteLength(JSON.stringify(parsed.data.payload));
  if (size > MAX_JOB_PAYLOAD_BYTES) throw new InvalidJobError(`invalid job: ${parsed.data.kind} payload for ${parsed.data.repo ?? "(cluster)"} is ${size} bytes; the limit is ${MAX_JOB_PAYLOAD_BYTES}`);
  if (parsed.data.repo === null && !(CRON_KINDS as readonly string[]).includes(parsed.data.kind)) {
    throw new InvalidJobError(`invalid job: ${parsed.data.kind} needs a repository`);
  }
  return parsed.data;
}

export interface EnqueueOptions {
  /**
   * Coalescing: while a job with the same repository and key is still waiting (not yet started),
   * this one is merged into it: the waiting job takes this job's payload (so a scan runs on the newest
   * push, not an older one) and no new job is queued. Scans use "scan"/"rescan".
   */
  coalesceKey?: string;
  /**
   * Idempotency: a second enqueue with the same key (a redelivered webhook's X-GitHub-Delivery id)
   * is a no-op. The durable queue keeps keys in PostgreSQL, so this holds across processes and restarts.
   */
  idempotencyKey?: string;
  /** Not before this time. */
  startAfter?: Date;
}

export type EnqueueResult = { status: "queued"; id: string } | { status: "coalesced" } | { status: "duplicate" };

export interface JobRunContext {
  id: string;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
}

export type JobHandler = (job: Job, ctx: JobRunContext) => Promise<void>;

export type JobState = "queued" | "running" | "retry" | "failed";

/** A job as the operator views (`GET /api/v1/jobs`, the dashboard) show it. */
export interface JobView {
  id: string;
  kind: JobKind;
  repo: string | null;
  state: JobState;
  /** Runs so far (0 while first waiting). */
  attempts: number;
  max_attempts: number;
  created_at: string;
  started_at: string | null;
  /** Failed jobs: when they failed and why. Retrying jobs: the last error. */
  finished_at: string | null;
  error: string | null;
  source: string | null;
}

export interface QueueDepth {
  queued: number;
  running: number;
  retry: number;
  failed: number;
}

export interface RetryPolicy {
  /** Retries after the first run (so `retries + 1` runs at most). */
  retries: number;
  /** Delay before the first retry; each further retry doubles it (exponential backoff). */
  delayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, delayMs: 30_000 };

/** Observers of job runs (metrics). */
export interface JobEvents {
  onStart?(job: Job, ctx: JobRunContext): void;
  onFinish?(job: Job, ctx: JobRunContext, outcome: { ok: boolean; durationMs: number; error?: string; final?: boolean }): void;
}

export interface JobQueue {
  readonly backend: "memory" | "postgres";
  /** Queue a job (validated with `validateJob`). */
  enqueue(job: Job, opts?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Several jobs at once (one delivery naming many repositories), results in order; as `enqueue` for each.
   * The durable queue does it in one transaction; a queue without it is called job by job.
   */
  enqueueMany?(items: ReadonlyArray<{ job: Job; opts?: EnqueueOptions }>): Promise<EnqueueResult[]>;
  /**
   * Start running jobs with `handler`: never two jobs of one repository at once; at most
   * `concurrency` at once in this process. A handler that throws is retried with exponential
   * backoff; when retries are exhausted the job is `failed`, with its error.
   */
  work(handler: JobHandler, opts?: { concurrency?: number; events?: JobEvents }): Promise<void>;
  /** Run a cron-kind tick job on `cron` (UTC), once across the cluster. */
  every(kind: CronKind, cron: string): Promise<void>;
  /** Queued, running, retrying and failed jobs, newest first; `repos` (lower-case owner/name) filters. */
  list(opts?: { repos?: readonly string[] | null; limit?: number }): Promise<JobView[]>;
  depth(): Promise<QueueDepth>;
  /** Can it take jobs (database reachable)? */
  ready(): Promise<boolean>;
  /** Stop taking jobs; waits for running ones up to `timeoutMs`. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

/** Lower-case `owner/name`: the key of a repository's serial lane and of coalescing. */
export function repoKey(repo: string): string {
  return repo.toLowerCase();
}

export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
