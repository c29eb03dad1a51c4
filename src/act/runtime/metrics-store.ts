import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { AssessInputs } from "../../assess/types.js";
import { DateTime, Percentage } from "../../model/common.js";
import type { ComponentHealth } from "../../model/health.js";
import { parseEntity } from "../../model/validate.js";
import { writeFileAtomic } from "../../store/atomic.js";
import { KeyedMutex } from "../../store/lock.js";
import { checkRepoRef, inside } from "../../store/paths.js";
import type { RepoRef, Store } from "../../store/types.js";

/** Runtime metrics as pushed to the ingest endpoint or read from a health_url. All optional. */
export const RuntimeMetricsInput = z.strictObject({
  uptime_percentage: Percentage.optional(),
  error_rate: Percentage.optional(),
  response_time_ms: z.number().min(0).max(86_400_000).optional(),
  memory_usage_mb: z.number().min(0).max(1e9).optional(),
  cpu_usage_percent: z.number().min(0).max(100_000).optional(),
  /** Whether the component was up at `at`; feeds the 30-day uptime. */
  up: z.boolean().optional(),
  at: DateTime.optional(),
});
export type RuntimeMetricsInput = z.infer<typeof RuntimeMetricsInput>;

/** One stored sample: a push or a poll. */
export const RuntimeSample = z.object({
  at: DateTime,
  source: z.enum(["push", "poll"]),
  up: z.boolean().nullable(),
  uptime_percentage: Percentage.nullable(),
  error_rate: Percentage.nullable(),
  response_time_ms: z.number().int().min(0).nullable(),
  memory_usage_mb: z.number().int().min(0).nullable(),
  cpu_usage_percent: z.number().min(0).nullable(),
  /** Why a poll counted as down (HTTP status, timeout, refused URL). */
  detail: z.string().nullable().default(null),
});
export type RuntimeSample = z.infer<typeof RuntimeSample>;

const RuntimeDoc = z.record(z.string(), z.array(RuntimeSample));
type RuntimeDoc = z.infer<typeof RuntimeDoc>;

export type RuntimeMetrics = NonNullable<AssessInputs["runtime"]>[string];

/** The 30-day window the seed's health data retention uses. */
export const UPTIME_WINDOW_DAYS = 30;
/** Samples kept per component (a 1-minute poll for 30 days is 43,200). */
export const MAX_SAMPLES_PER_COMPONENT = 50_000;

/** Storage of runtime samples per repository and component. */
export interface RuntimeMetricsStore {
  append(repo: RepoRef, component: string, sample: RuntimeSample): Promise<RuntimeSample[]>;
  samples(repo: RepoRef, component: string): Promise<RuntimeSample[]>;
  all(repo: RepoRef): Promise<Record<string, RuntimeSample[]>>;
}

function prune(samples: RuntimeSample[], now: Date): RuntimeSample[] {
  const cutoff = now.getTime() - UPTIME_WINDOW_DAYS * 86_400_000;
  const kept = samples.filter((s) => Date.parse(s.at) >= cutoff).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return kept.slice(-MAX_SAMPLES_PER_COMPONENT);
}

export interface FileRuntimeMetricsStoreOptions {
  /** Same root as the FileStore; the file is `<root>/<owner>/<repo>/runtime_metrics.json`. */
  root: string;
  clock?: () => Date;
  logger?: { warn(obj: object, msg: string): void };
}

export const RUNTIME_FILE = "runtime_metrics.json";

/** Runtime samples in one JSON file per repository, beside the FileStore's files; 30 days kept. */
export class FileRuntimeMetricsStore implements RuntimeMetricsStore {
  private readonly root: string;
  private readonly clock: () => Date;
  private readonly mutex = new KeyedMutex();
  private readonly logger?: { warn(obj: object, msg: string): void };

  constructor(opts: FileRuntimeMetricsStoreOptions) {
    this.root = path.resolve(opts.root);
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger;
  }

  private file(repo: RepoRef): { key: string; file: string } {
    const r = checkRepoRef(repo);
    return { key: `${r.owner}/${r.repo}`, file: inside(this.root, r.owner, r.repo, RUNTIME_FILE) };
  }

  private async read(repo: RepoRef): Promise<RuntimeDoc> {
    const { key, file } = this.file(repo);
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw e;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      this.logger?.warn({ file: `${key}/${RUNTIME_FILE}` }, `${key}/${RUNTIME_FILE}: not valid JSON (${(e as Error).message}); starting empty`);
      return {};
    }
    const r = parseEntity(RuntimeDoc, data, `${key}/${RUNTIME_FILE}`);
    if (!r.ok) {
      this.logger?.warn({ file: `${key}/${RUNTIME_FILE}` }, `${r.message}; starting empty`);
      return {};
    }
    return r.value;
  }

  async append(repo: RepoRef, component: string, sample: RuntimeSample): Promise<RuntimeSample[]> {
    const { key, file } = this.file(repo);
    const valid = RuntimeSample.parse(sample);
    return this.mutex.run(key, async () => {
      const doc = await this.read(repo);
      const next = prune([...(doc[component] ?? []), valid], this.clock());
      doc[component] = next;
      await writeFileAtomic(file, `${JSON.stringify(doc)}\n`);
      return next;
    });
  }

  async samples(repo: RepoRef, component: string): Promise<RuntimeSample[]> {
    const doc = await this.read(repo);
    return prune(doc[component] ?? [], this.clock());
  }

  async all(repo: RepoRef): Promise<Record<string, RuntimeSample[]>> {
    const doc = await this.read(repo);
    const now = this.clock();
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, prune(v, now)]));
  }
}

/** In-memory variant, for tests and for running without a data directory. */
export class MemoryRuntimeMetricsStore implements RuntimeMetricsStore {
  private readonly data = new Map<string, Record<string, RuntimeSample[]>>();
  constructor(private readonly clock: () => Date = () => new Date()) {}
  private key(repo: RepoRef): string {
    const r = checkRepoRef(repo);
    return `${r.owner}/${r.repo}`;
  }
  async append(repo: RepoRef, component: string, sample: RuntimeSample): Promise<RuntimeSample[]> {
    const k = this.key(repo);
    const doc = this.data.get(k) ?? {};
    doc[component] = prune([...(doc[component] ?? []), RuntimeSample.parse(sample)], this.clock());
    this.data.set(k, doc);
    return doc[component];
  }
  async samples(repo: RepoRef, component: string): Promise<RuntimeSample[]> {
    return prune(this.data.get(this.key(repo))?.[component] ?? [], this.clock());
  }
  async all(repo: RepoRef): Promise<Record<string, RuntimeSample[]>> {
    const now = this.clock();
    return Object.fromEntries(Object.entries(this.data.get(this.key(repo)) ?? {}).map(([k, v]) => [k, prune(v, now)]));
  }
}

/**
 * Uptime over the window, in percent, from up/down samples: the share of samples that were up.
 * Samples without `up` are ignored; when none has it, the latest pushed uptime_percentage is used;
 * null when neither exists.
 */
export function uptimeFromSamples(samples: readonly RuntimeSample[], now: Date, windowDays = UPTIME_WINDOW_DAYS): number | null {
  const cutoff = now.getTime() - windowDays * 86_400_000;
  const inWindow = samples.filter((s) => Date.parse(s.at) >= cutoff);
  const judged = inWindow.filter((s) => s.up !== null);
  if (judged.length > 0) {
    const up = judged.filter((s) => s.up).length;
    return Math.round((up / judged.length) * 10_000) / 100;
  }
  const reported = [...inWindow].reverse().find((s) => s.uptime_percentage !== null);
  return reported?.uptime_percentage ?? null;
}

function latest<K extends keyof RuntimeSample>(samples: readonly RuntimeSample[], key: K): RuntimeSample[K] | null {
  for (let i = samples.length - 1; i >= 0; i--) {
    const v = samples[i][key];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** The metrics of one component now: uptime from the window, the rest from the latest sample that has them. */
export function summariseRuntime(samples: readonly RuntimeSample[], now: Date): RuntimeMetrics {
  const out: RuntimeMetrics = {};
  const uptime = uptimeFromSamples(samples, now);
  if (uptime !== null) out.uptime_percentage = uptime;
  const er = latest(samples, "error_rate");
  if (er !== null) out.error_rate = er;
  const rt = latest(samples, "response_time_ms");
  if (rt !== null) out.response_time_ms = rt;
  const mem = latest(samples, "memory_usage_mb");
  if (mem !== null) out.memory_usage_mb = mem;
  const cpu = latest(samples, "cpu_usage_percent");
  if (cpu !== null) out.cpu_usage_percent = cpu;
  return out;
}

/** What the assess stage reads: `AssessInputs.runtime` for one repository. */
export async function runtimeInputs(runtime: RuntimeMetricsStore, repo: RepoRef, now: Date = new Date()): Promise<NonNullable<AssessInputs["runtime"]>> {
  const all = await runtime.all(repo);
  const out: NonNullable<AssessInputs["runtime"]> = {};
  for (const [name, samples] of Object.entries(all)) {
    if (samples.length > 0) out[name] = summariseRuntime(samples, now);
  }
  return out;
}

/** A sample from validated input, integers rounded as ComponentHealth wants them. */
export function sampleFromInput(input: RuntimeMetricsInput, source: RuntimeSample["source"], now: Date, detail: string | null = null): RuntimeSample {
  return {
    at: input.at ? new Date(input.at).toISOString() : now.toISOString(),
    source,
    up: input.up ?? null,
    uptime_percentage: input.uptime_percentage ?? null,
    error_rate: input.error_rate ?? null,
    response_time_ms: input.response_time_ms === undefined ? null : Math.round(input.response_time_ms),
    memory_usage_mb: input.memory_usage_mb === undefined ? null : Math.round(input.memory_usage_mb),
    cpu_usage_percent: input.cpu_usage_percent ?? null,
    detail,
  };
}

/**
 * Record a sample and fold the component's current runtime metrics into its stored ComponentHealth
 * (when the component is known; an unknown one gets its metrics at the next assessment, which reads
 * runtimeInputs). Returns the updated ComponentHealth, or null when the component is not in the store yet.
 */
export async function recordRuntimeSample(
  store: Store,
  runtime: RuntimeMetricsStore,
  repo: RepoRef,
  component: string,
  sample: RuntimeSample,
  now: Date,
): Promise<{ samples: RuntimeSample[]; metrics: RuntimeMetrics; component: ComponentHealth | null }> {
  const samples = await runtime.append(repo, component, sample);
  const metrics = summariseRuntime(samples, now);
  const current = await store.getComponentHealth(repo, component);
  if (!current) return { samples, metrics, component: null };
  const lastCheck = Date.parse(sample.at) > Date.parse(current.last_health_check) ? sample.at : current.last_health_check;
  const lastFailure =
    sample.up === false && (current.last_failure === null || Date.parse(sample.at) > Date.parse(current.last_failure)) ? sample.at : current.last_failure;
  const next: ComponentHealth = {
    ...current,
    uptime_percentage: metrics.uptime_percentage ?? current.uptime_percentage,
    error_rate: metrics.error_rate ?? current.error_rate,
    response_time_ms: metrics.response_time_ms ?? current.response_time_ms,
    memory_usage_mb: metrics.memory_usage_mb ?? current.memory_usage_mb,
    cpu_usage_percent: metrics.cpu_usage_percent ?? current.cpu_usage_percent,
    last_health_check: lastCheck,
    last_failure: lastFailure,
  };
  await store.putComponentHealth(repo, next);
  return { samples, metrics, component: next };
}
