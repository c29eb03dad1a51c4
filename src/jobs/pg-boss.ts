/**
 * The durable job queue on PostgreSQL (pg-boss 10), for `cowabunga serve` + `cowabunga worker`
 * processes sharing one DATABASE_URL. Design notes: docs/notes/jobs.md.
 *
 * - Queues: `cowabunga_coalesce` (pg-boss policy "short": one *waiting* job per singleton key, so
 *   waiting scans of a repository coalesce; running ones do not block new ones), `cowabunga_jobs`
 *   (standard: CI results, commands, update PRs... never dropped) and one queue per cron kind.
 * - One repository at a time, across all queues and processes: a job holds a PostgreSQL advisory lock
 *   on its repository while it runs (on a connection of its own). A job whose repository is busy is put
 *   back with a short delay instead of occupying a worker slot.
 * - A worker killed mid-job: its connection closes, so its locks go. The reaper (every few seconds in
 *   every worker) fails active jobs whose lock nobody holds; pg-boss retries them with backoff.
 * - Idempotency keys (X-GitHub-Delivery ids) live in `cowabunga_job_keys`, inserted in the same
 *   transaction as the job.
 */
import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import pg from "pg";
import {
  CRON_KINDS,
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
  type JobKind,
  type JobQueue,
  type JobState,
  type JobView,
  type QueueDepth,
  type RetryPolicy,
} from "./types.js";

export const COALESCE_QUEUE = "cowabunga_coalesce";
export const JOBS_QUEUE = "cowabunga_jobs";
const cronQueue = (kind: CronKind): string => `cowabunga_cron_${kind}`;
const ALL_QUEUES = [COALESCE_QUEUE, JOBS_QUEUE, ...CRON_KINDS.map(cronQueue)];

/** Advisory-lock namespaces (first key of the two-int form). */
const REPO_LOCK = 0x636f7761; // "cowa"
const JOB_LOCK = 0x626a6f62; // "bjob"

export interface PgBossJobQueueOptions {
  connectionString: string;
  /** pg-boss's schema (default "pgboss"). */
  schema?: string;
  retry?: Partial<RetryPolicy>;
  /** A job active longer than this is failed by pg-boss (and retried): the last resort for a hung job. */
  timeoutSeconds?: number;
  /** How often an idle worker loop asks for a job (pg-boss minimum 0.5 s). */
  pollingIntervalSeconds?: number;
  /** How long a job whose repository is busy waits before it is tried again. */
  busyDelaySeconds?: number;
  /** How often this process looks for jobs whose worker died (0 turns the reaper off). */
  reapIntervalMs?: number;
  /** Active jobs younger than this are never reaped (their worker may be taking its locks). */
  reapGraceMs?: number;
  /** Keys older than this are forgotten (GitHub redelivers for a few days at most). */
  idempotencyDays?: number;
  /** pg-boss maintenance (archive, expiry) interval. */
  maintenanceIntervalSeconds?: number;
  log?: { info?(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

interface Held {
  client: pg.PoolClient;
  release(): Promise<void>;
}

export class PgBossJobQueue implements JobQueue {
  readonly backend = "postgres" as const;
  private readonly boss: PgBoss;
  private readonly pool: pg.Pool;
  private readonly retry: RetryPolicy;
  private readonly schema: string;
  private started: Promise<void> | null = null;
  private reaper: NodeJS.Timeout | null = null;
  private pruner: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: PgBossJobQueueOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.schema = opts.schema ?? "pgboss";
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) throw new Error(`invalid pg-boss schema name ${JSON.stringify(this.schema)}`);
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: this.schema,
      application_name: "cowabunga-jobs",
      max: 4,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
      monitorStateIntervalSeconds: 3600,
      archiveCompletedAfterSeconds: 3600,
      archiveFailedAfterSeconds: 7 * 86_400,
      deleteAfterDays: 7,
    });
    this.boss.on("error", (err) => this.opts.log?.error({ err: errorMessage(err) }, `job queue: ${errorMessage(err)}`));
    this.pool = new pg.Pool({ connectionString: opts.connectionString, max: 12, application_name: "cowabunga-jobs" });
    this.pool.on("error", (err) => this.opts.log?.warn({ err: err.message }, `job queue lock connection: ${err.message}`));
  }

  /** Connect, install pg-boss's schema and ours (idempotent; safe from many processes at once). */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      const queue = (policy: PgBoss.QueuePolicy): PgBoss.Queue => ({
        name: "",
        policy,
        retryLimit: this.retry.retries,
        retryDelay: Math.max(1, Math.round(this.retry.delayMs / 1000)),
        retryBackoff: true,
        expireInSeconds: this.opts.timeoutSeconds ?? 1800,
      });
      await this.boss.createQueue(COALESCE_QUEUE, { ...queue("short"), name: COALESCE_QUEUE });
      await this.boss.createQueue(JOBS_QUEUE, { ...queue("standard"), name: JOBS_QUEUE });
      for (const kind of CRON_KINDS) await this.boss.createQueue(cronQueue(kind), { ...queue("standard"), name: cronQueue(kind), retryLimit: 0 });
      const c = await this.pool.connect();
      try {
        await c.query("SELECT pg_advisory_lock($1, 0)", [REPO_LOCK]);
        await c.query("CREATE TABLE IF NOT EXISTS cowabunga_job_keys (key text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())");
      } finally {
        await c.query("SELECT pg_advisory_unlock($1, 0)", [REPO_LOCK]).catch(() => undefined);
        c.release();
      }
      await this.pruneKeys();
      this.pruner = setInterval(() => void this.pruneKeys(), 3_600_000);
      this.pruner.unref();
    })();
    return this.started;
  }

  async enqueue(value: Job, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const job = validateJob(value);
    await this.start();
    const key = opts.idempotencyKey?.slice(0, 300) ?? null;
    if (opts.coalesceKey && job.repo !== null) {
      // One statement (locks held only while it runs, so a burst of pushes to one repository does not
      // queue up behind row locks): take the idempotency key, and fold the job into a waiting one if any.
      const { rows } = await this.pool.query<{ fresh: boolean; merged: string | null }>(
        `WITH k AS (
           INSERT INTO cowabunga_job_keys (key) SELECT $1::text WHERE $1::text IS NOT NULL ON CONFLICT DO NOTHING RETURNING 1
         ), w AS (
           SELECT id, data->'payload' = $4::jsonb AS same FROM ${this.schema}.job
            WHERE name = $2 AND singleton_key = $3 AND state = 'created' AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM k))
         ), u AS (
           -- Only a different payload is written (an identical one, e.g. the same push redelivered under a new id, takes no lock).
           UPDATE ${this.schema}.job SET data = data || jsonb_build_object('payload', $4::jsonb, 'source', $5::text)
            WHERE name = $2 AND id IN (SELECT id FROM w WHERE NOT same) AND state = 'created'
            RETURNING id
         )
         SELECT ($1::text IS NULL OR EXISTS (SELECT 1 FROM k)) AS fresh, COALESCE((SELECT id::text FROM u LIMIT 1), (SELECT id::text FROM w LIMIT 1)) AS merged`,
        [key, COALESCE_QUEUE, singletonKeyOf(job.repo, opts.coalesceKey), JSON.stringify(job.payload), job.source ?? null],
      );
      if (!rows[0]?.fresh) return { status: "duplicate" };
      if (rows[0].merged) return { status: "coalesced" };
      try {
        // Through our pool, not pg-boss's (4 connections shared with its maintenance, monitoring and cron
        // queries): a webhook's acknowledgment never waits behind those.
        const id = await this.send(job, opts, { executeSql: (text: string, values: unknown[]) => this.pool.query(text, values) });
        return id ? { status: "queued", id } : { status: "coalesced" };
      } catch (err) {
        // Not queued: forget the key, so that GitHub's redelivery of this event is not dropped.
        if (key) await this.pool.query("DELETE FROM cowabunga_job_keys WHERE key = $1", [key]).catch(() => undefined);
        throw err;
      }
    }
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      if (key) {
        const r = await client.query("INSERT INTO cowabunga_job_keys (key) VALUES ($1) ON CONFLICT DO NOTHING", [key]);
        if (r.rowCount === 0) {
          await client.query("ROLLBACK");
          return { status: "duplicate" };
        }
      }
      const id = await this.send(job, opts, { executeSql: (text: string, values: unknown[]) => client.query(text, values) });
      await client.query("COMMIT");
      return id ? { status: "queued", id } : { status: "coalesced" };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Several jobs of one webhook delivery (an installation event names every repository) in ONE transaction
   * and a handful of statements, whatever their number: a delivery costs one commit, so serve acknowledges
   * an organisation-wide installation within GitHub's 10 s instead of one commit per repository. Same
   * semantics as `enqueue` per job; all or nothing (a failure rolls every key back, so a redelivery retries).
   */
  async enqueueMany(items: ReadonlyArray<{ job: Job; opts?: EnqueueOptions }>): Promise<EnqueueResult[]> {
    if (items.length <= 1) return Promise.all(items.map((i) => this.enqueue(i.job, i.opts)));
    const jobs = items.map((i) => ({ job: validateJob(i.job), opts: i.opts ?? {} }));
    await this.start();
    const results: EnqueueResult[] = new Array<EnqueueResult>(jobs.length);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      // Coalescing jobs, set-based: keys, folding into waiting jobs, and which ones still need a row.
      const co = jobs.map((j, i) => ({ ...j, i })).filter((j) => j.opts.coalesceKey && j.job.repo !== null);
      const toSend: Array<{ i: number; id: string; job: Job; opts: EnqueueOptions }> = [];
      if (co.length > 0) {
        const { rows } = await client.query<{ ord: string; fresh: boolean; merged: string | null }>(
          `WITH input AS (
             SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[]) WITH ORDINALITY AS t(key, skey, payload, source, ord)
           ), k AS (
             INSERT INTO cowabunga_job_keys (key) SELECT DISTINCT key FROM input WHERE key IS NOT NULL ON CONFLICT DO NOTHING RETURNING key
           ), f AS (
             SELECT input.*, (input.key IS NULL OR EXISTS (SELECT 1 FROM k WHERE k.key = input.key)) AS fresh FROM input
           ), w AS (
             SELECT DISTINCT ON (f.ord) j.id, f.ord, j.data->'payload' = f.payload AS same, f.payload, f.source
               FROM f JOIN ${this.schema}.job j ON j.name = $5 AND j.singleton_key = f.skey AND j.state = 'created'
              WHERE f.fresh
           ), u AS (
             UPDATE ${this.schema}.job j SET data = j.data || jsonb_build_object('payload', w.payload, 'source', w.source)
               FROM w WHERE j.name = $5 AND j.id = w.id AND NOT w.same AND j.state = 'created'
             RETURNING j.id
           )
           SELECT f.ord::text AS ord, f.fresh, (SELECT w.id::text FROM w WHERE w.ord = f.ord LIMIT 1) AS merged FROM f ORDER BY f.ord`,
          [
            co.map((j) => j.opts.idempotencyKey?.slice(0, 300) ?? null),
            co.map((j) => singletonKeyOf(j.job.repo!, j.opts.coalesceKey!)),
            co.map((j) => JSON.stringify(j.job.payload)),
            co.map((j) => j.job.source ?? null),
            COALESCE_QUEUE,
          ],
        );
        for (const r of rows) {
          const j = co[Number(r.ord) - 1]!;
          if (!r.fresh) results[j.i] = { status: "duplicate" };
          else if (r.merged) results[j.i] = { status: "coalesced" };
          else toSend.push({ i: j.i, id: randomUUID(), job: j.job, opts: j.opts });
        }
      }
      // The rest (rare in one delivery): one by one, in the same transaction.
      for (const [i, j] of jobs.entries()) {
        if (j.opts.coalesceKey && j.job.repo !== null) continue;
        const key = j.opts.idempotencyKey?.slice(0, 300);
        if (key) {
          const r = await client.query("INSERT INTO cowabunga_job_keys (key) VALUES ($1) ON CONFLICT DO NOTHING", [key]);
          if (r.rowCount === 0) {
            results[i] = { status: "duplicate" };
            continue;
          }
        }
        toSend.push({ i, id: randomUUID(), job: j.job, opts: j.opts });
      }
      if (toSend.length > 0) {
        const db: PgBoss.Db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
        await this.boss.insert(
          toSend.map((t) => ({ id: t.id, name: this.queueOf(t.job, t.opts), data: t.job, ...this.sendOptions(t.job, t.opts), ...(t.opts.startAfter ? { startAfter: t.opts.startAfter.toISOString() } : {}) })) as PgBoss.JobInsert[],
          { db },
        );
        // Rows a waiting singleton refused (ON CONFLICT DO NOTHING) are coalesced.
        const { rows } = await client.query<{ id: string }>(`SELECT id::text FROM ${this.schema}.job WHERE id = ANY($1::uuid[])`, [toSend.map((t) => t.id)]);
        const inserted = new Set(rows.map((r) => r.id));
        for (const t of toSend) results[t.i] = inserted.has(t.id) ? { status: "queued", id: t.id } : { status: "coalesced" };
      }
      await client.query("COMMIT");
      return results;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private queueOf(job: Job, opts: EnqueueOptions): string {
    return job.repo === null ? cronQueue(job.kind as CronKind) : opts.coalesceKey ? COALESCE_QUEUE : JOBS_QUEUE;
  }

  private sendOptions(job: Job, opts: EnqueueOptions): { retryLimit: number; retryDelay?: number; retryBackoff?: boolean; expireInSeconds?: number; singletonKey?: string } {
    const singletonKey = opts.coalesceKey && job.repo !== null ? singletonKeyOf(job.repo, opts.coalesceKey) : undefined;
    const retry = job.repo === null ? { retryLimit: 0 } : { retryLimit: this.retry.retries, retryDelay: Math.max(1, Math.round(this.retry.delayMs / 1000)), retryBackoff: true };
    return { ...retry, ...(this.opts.timeoutSeconds ? { expireInSeconds: this.opts.timeoutSeconds } : {}), ...(singletonKey ? { singletonKey } : {}) };
  }

  private send(job: Job, opts: EnqueueOptions, db?: PgBoss.Db): Promise<string | null> {
    const queue = job.repo === null ? cronQueue(job.kind as CronKind) : opts.coalesceKey ? COALESCE_QUEUE : JOBS_QUEUE;
    // The "short" policy makes the singleton key unique among waiting jobs: coalescing.
    const singletonKey = opts.coalesceKey && job.repo !== null ? singletonKeyOf(job.repo, opts.coalesceKey) : undefined;
    // Retry policy per job (not only per queue): the queue row keeps the settings of whichever process created it first.
    const retry = job.repo === null ? { retryLimit: 0 } : { retryLimit: this.retry.retries, retryDelay: Math.max(1, Math.round(this.retry.delayMs / 1000)), retryBackoff: true };
    return this.boss.send(queue, job, {
      ...retry,
      ...(this.opts.timeoutSeconds ? { expireInSeconds: this.opts.timeoutSeconds } : {}),
      ...(singletonKey ? { singletonKey } : {}),
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      ...(db ? { db } : {}),
    });
  }

  async work(handler: JobHandler, opts: { concurrency?: number; events?: JobEvents } = {}): Promise<void> {
    await this.start();
    const concurrency = Math.max(1, opts.concurrency ?? 2);
    const work: PgBoss.WorkOptions & { includeMetadata: true } = { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 1 };
    const run = (queue: string) => async (jobs: PgBoss.JobWithMetadata<Job>[]) => {
      for (const j of jobs) {
        const p = this.runOne(queue, j, handler, opts.events ?? {});
        this.running.add(p);
        try {
          await p;
        } finally {
          this.running.delete(p);
        }
      }
    };
    // Each work() is one polling loop running one job at a time: `concurrency` loops per queue.
    for (let i = 0; i < concurrency; i++) {
      await this.boss.work<Job>(COALESCE_QUEUE, work, run(COALESCE_QUEUE));
      await this.boss.work<Job>(JOBS_QUEUE, work, run(JOBS_QUEUE));
    }
    for (const kind of CRON_KINDS) await this.boss.work<Job>(cronQueue(kind), work, run(cronQueue(kind)));
    const every = this.opts.reapIntervalMs ?? 5_000;
    if (every > 0 && !this.reaper) {
      this.reaper = setInterval(() => void this.reap().catch((err: unknown) => this.opts.log?.warn({ err: errorMessage(err) }, `job reaper: ${errorMessage(err)}`)), every);
      this.reaper.unref();
    }
  }

  private async runOne(queue: string, j: PgBoss.JobWithMetadata<Job>, handler: JobHandler, events: JobEvents): Promise<void> {
    const job = validateJob(j.data);
    const ctx = { id: j.id, attempt: j.retryCount + 1 };
    const held = await this.lock(j.id, job.repo);
    if (!held) {
      // Another job of this repository is running: try again shortly (coalescing still applies).
      const delay = this.opts.busyDelaySeconds ?? 2;
      await this.boss.send(queue, job, { startAfter: delay, ...(j.singletonKey ? { singletonKey: j.singletonKey } : {}), retryLimit: Math.max(0, j.retryLimit - j.retryCount) });
      return;
    }
    const started = performance.now();
    events.onStart?.(job, ctx);
    try {
      await handler(job, ctx);
      events.onFinish?.(job, ctx, { ok: true, durationMs: performance.now() - started });
    } catch (err) {
      const error = errorMessage(err);
      const final = j.retryCount >= j.retryLimit;
      events.onFinish?.(job, ctx, { ok: false, durationMs: performance.now() - started, error, final });
      (final ? this.opts.log?.error.bind(this.opts.log) : this.opts.log?.warn.bind(this.opts.log))?.(
        { job_id: j.id, kind: job.kind, repo: job.repo, attempt: ctx.attempt, err: error },
        final ? `job ${job.kind} for ${job.repo ?? "(cluster)"} failed after ${ctx.attempt} attempt(s): ${error}` : `job ${job.kind} failed (attempt ${ctx.attempt}); pg-boss retries it with backoff`,
      );
      throw new Error(error);
    } finally {
      await held.release();
    }
  }

  /** The job's own lock (proof of life for the reaper) and its repository's lock (one job per repository). */
  private async lock(jobId: string, repo: string | null): Promise<Held | null> {
    const client = await this.pool.connect();
    try {
      const repoArgs = [REPO_LOCK, repo === null ? 0 : hash32(repoKey(repo))];
      if (repo !== null) {
        const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", repoArgs);
        if (!r.rows[0]?.ok) {
          client.release();
          return null;
        }
      }
      await client.query("SELECT pg_advisory_lock($1, $2)", [JOB_LOCK, hash32(jobId)]);
      return {
        client,
        release: async () => {
          try {
            await client.query("SELECT pg_advisory_unlock_all()");
            client.release();
          } catch {
            client.release(true);
          }
        },
      };
    } catch (err) {
      client.release(true);
      throw err;
    }
  }

  /**
   * Fail active jobs whose worker is gone: a running job holds its job lock on a live connection, so a
   * job lock that can be taken means the worker died (SIGKILL, OOM, lost node). pg-boss then retries it.
   */
  async reap(): Promise<number> {
    if (this.stopped) return 0;
    const grace = Math.max(0, (this.opts.reapGraceMs ?? 10_000) / 1000);
    const { rows } = await this.pool.query<{ id: string; name: string }>(
      `SELECT id, name FROM ${this.schema}.job WHERE name = ANY($1) AND state = 'active' AND started_on < now() - make_interval(secs => $2) LIMIT 100`,
      [ALL_QUEUES, grace],
    );
    let reaped = 0;
    for (const row of rows) {
      const client = await this.pool.connect();
      try {
        const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [JOB_LOCK, hash32(row.id)]);
        if (!r.rows[0]?.ok) continue;
        try {
          await this.boss.fail(row.name, row.id, { message: "the worker running this job stopped (killed or lost its database connection); retried" });
          reaped++;
          this.opts.log?.warn({ job_id: row.id, queue: row.name }, "job reaped: its worker is gone; it will be retried");
        } finally {
          await client.query("SELECT pg_advisory_unlock($1, $2)", [JOB_LOCK, hash32(row.id)]);
        }
      } finally {
        client.release();
      }
    }
    return reaped;
  }

  async every(kind: CronKind, cron: string): Promise<void> {
    await this.start();
    // pg-boss sends one job per cron slot across every process (a singleton per minute).
    await this.boss.schedule(cronQueue(kind), cron, { kind, repo: null, installation_id: null, payload: {}, source: `cron:${kind}` } satisfies Job, { tz: "UTC" });
  }

  async list(opts: { repos?: readonly string[] | null; limit?: number } = {}): Promise<JobView[]> {
    await this.start();
    const repos = opts.repos ? opts.repos.map(repoKey) : null;
    const { rows } = await this.pool.query<JobRow>(
      `SELECT id, data, state, retry_count, retry_limit, created_on, started_on, completed_on, output
         FROM ${this.schema}.job
        WHERE name = ANY($1) AND state IN ('created', 'retry', 'active', 'failed')
          AND ($2::text[] IS NULL OR lower(data->>'repo') = ANY($2))
        ORDER BY created_on DESC
        LIMIT $3`,
      [ALL_QUEUES, repos, Math.min(Math.max(1, opts.limit ?? 500), 5000)],
    );
    return rows.map(toView);
  }

  async depth(): Promise<QueueDepth> {
    await this.start();
    const { rows } = await this.pool.query<{ state: string; n: string }>(
      `SELECT state, count(*) AS n FROM ${this.schema}.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active', 'failed') GROUP BY state`,
      [ALL_QUEUES],
    );
    const n = (s: string): number => Number(rows.find((r) => r.state === s)?.n ?? 0);
    return { queued: n("created"), running: n("active"), retry: n("retry"), failed: n("failed") };
  }

  async ready(): Promise<boolean> {
    if (this.stopped) return false;
    try {
      await this.start();
      await this.pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reaper) clearInterval(this.reaper);
    if (this.pruner) clearInterval(this.pruner);
    if (this.started) {
      await this.started.catch(() => undefined);
      await this.boss.stop({ graceful: true, wait: true, timeout: opts.timeoutMs ?? 30_000 }).catch(() => undefined);
    }
    await Promise.allSettled([...this.running]);
    await this.pool.end().catch(() => undefined);
  }

  private async pruneKeys(): Promise<void> {
    await this.pool
      .query("DELETE FROM cowabunga_job_keys WHERE created_at < now() - make_interval(days => $1)", [this.opts.idempotencyDays ?? 14])
      .catch((err: unknown) => this.opts.log?.warn({ err: errorMessage(err) }, "could not prune idempotency keys"));
  }
}

interface JobRow {
  id: string;
  data: Job;
  state: "created" | "retry" | "active" | "failed";
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  output: { message?: unknown; value?: unknown } | null;
}

const STATE: Record<JobRow["state"], JobState> = { created: "queued", retry: "retry", active: "running", failed: "failed" };

function toView(r: JobRow): JobView {
  const out = r.output;
  const message = typeof out?.message === "string" ? out.message : typeof out?.value === "string" ? out.value : out ? JSON.stringify(out).slice(0, 2000) : null;
  return {
    id: r.id,
    kind: r.data.kind as JobKind,
    repo: r.data.repo ?? null,
    state: STATE[r.state],
    attempts: r.started_on ? r.retry_count + 1 : 0,
    max_attempts: r.retry_limit + 1,
    created_at: r.created_on.toISOString(),
    started_at: r.started_on?.toISOString() ?? null,
    finished_at: r.state === "failed" ? (r.completed_on?.toISOString() ?? null) : null,
    error: r.state === "failed" || r.state === "retry" ? message : null,
    source: r.data.source ?? null,
  };
}

function singletonKeyOf(repo: string, coalesceKey: string): string {
  return `${repoKey(repo)}|${coalesceKey}`;
}

/** A stable signed 32-bit hash (FNV-1a) for advisory-lock keys. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
