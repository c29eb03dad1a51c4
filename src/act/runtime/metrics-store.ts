import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { AssessInputs } from "../../assess/types.js";
import { DateTime, Percentage } from "../../model/common.js";
import type { ComponentHealth } from "../../model/health.js";
import { parseEntity } from "../../model/validate.js";
import { LRUCache } from "lru-cache";
import { writeFileAtomic } from "../../store/atomic.js";
import { KeyedMutex, withFileLock } from "../../store/lock.js";
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

const byTime = (a: RuntimeSample, b: RuntimeSample): number => Date.parse(a.at) - Date.parse(b.at);

function prune(samples: RuntimeSample[], now: Date, max = MAX_SAMPLES_PER_COMPONENT): RuntimeSample[] {
  const cutoff = now.getTime() - UPTIME_WINDOW_DAYS * 86_400_000;
  const kept = samples.filter((s) => Date.parse(s.at) >= cutoff).sort(byTime);
  return kept.slice(-max);
}

/** Add one sample to a time-ordered list in place, then drop what the window and the cap exclude. */
function insertPruned(list: RuntimeSample[], sample: RuntimeSample, now: Date, max: number): RuntimeSample[] {
  list.push(sample);
  // Samples arrive in time order almost always; sort only when this one is older than the last.
  if (list.length > 1 && Date.parse(list[list.length - 2].at) > Date.parse(sample.at)) list.sort(byTime);
  const cutoff = now.getTime() - UPTIME_WINDOW_DAYS * 86_400_000;
  let drop = 0;
  while (drop < list.length && Date.parse(list[drop].at) < cutoff) drop++;
  drop = Math.max(drop, list.length - max);
  if (drop > 0) list.splice(0, drop);
  return list;
}

export interface FileRuntimeMetricsStoreOptions {
  /** Same root as the FileStore; the file is `<root>/<owner>/<repo>/runtime_metrics.jsonl`. */
  root: string;
  clock?: () => Date;
  logger?: { warn(obj: object, msg: string): void };
  /** Samples kept per component (default MAX_SAMPLES_PER_COMPONENT; env COWABUNGA_METRICS_MAX_SAMPLES). */
  maxSamplesPerComponent?: number;
  /** Repositories whose samples stay parsed in memory between calls (default 16). */
  cachedRepos?: number;
  /** Compact once the file has more than 2 × kept samples + this many lines (default 1,000). */
  compactSlackLines?: number;
}

/** Append-only log of samples, one JSON object per line: `{"component": "api", ...sample}`. */
export const RUNTIME_FILE = "runtime_metrics.jsonl";
/** The earlier format (one JSON document, rewritten on every sample); read once and converted. */
export const LEGACY_RUNTIME_FILE = "runtime_metrics.json";
const RUNTIME_LOCK = ".runtime.lock";
const RuntimeLine = RuntimeSample.extend({ component: z.string().min(1).max(200) });

interface RepoLog {
  /** Identity of the file this cache mirrors; another inode means it was compacted elsewhere. */
  ino: number;
  /** Bytes parsed so far (always at a line end). */
  offset: number;
  /** Lines in the file (including bad and dropped ones): what compaction would save. */
  lines: number;
  /** Kept samples per component, oldest first. */
  samples: Map<string, RuntimeSample[]>;
}

/**
 * Runtime samples as an append-only JSON Lines file per repository, beside the FileStore's files.
 * A push appends one line (no rewrite); the file is compacted (rewritten atomically with only the
 * kept samples) once it holds more than twice the kept samples. Readers parse only the bytes added
 * since their last read. Appends and compactions hold a lock file, so several processes may share
 * the data directory. 30 days and MAX_SAMPLES_PER_COMPONENT samples are kept per component.
 */
export class FileRuntimeMetricsStore implements RuntimeMetricsStore {
  private readonly root: string;
  private readonly clock: () => Date;
  private readonly mutex = new KeyedMutex();
  private readonly logger?: { warn(obj: object, msg: string): void };
  readonly maxSamplesPerComponent: number;
  private readonly logs: LRUCache<string, RepoLog>;
  private readonly compactSlack: number;

  constructor(opts: FileRuntimeMetricsStoreOptions) {
    this.compactSlack = Math.max(0, opts.compactSlackLines ?? 1_000);
    this.root = path.resolve(opts.root);
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger;
    this.maxSamplesPerComponent = Math.max(1, Math.floor(opts.maxSamplesPerComponent ?? MAX_SAMPLES_PER_COMPONENT));
    this.logs = new LRUCache<string, RepoLog>({ max: Math.max(1, opts.cachedRepos ?? 16) });
  }

  private paths(repo: RepoRef): { key: string; dir: string; file: string; legacy: string; lock: string } {
    const r = checkRepoRef(repo);
    const dir = inside(this.root, r.owner, r.repo);
    return { key: `${r.owner}/${r.repo}`, dir, file: inside(dir, RUNTIME_FILE), legacy: inside(dir, LEGACY_RUNTIME_FILE), lock: inside(dir, RUNTIME_LOCK) };
  }

  /** Parse complete lines of `chunk` into `log`; returns the bytes consumed (up to the last newline). */
  private ingest(key: string, log: RepoLog, chunk: Buffer, now: Date): { consumed: number; bad: number } {
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) return { consumed: 0, bad: 0 };
    let bad = 0;
    for (const line of chunk.subarray(0, end).toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      log.lines++;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        bad++;
        continue;
      }
      const r = RuntimeLine.safeParse(parsed);
      if (!r.success) {
        bad++;
        continue;
      }
      const { component, ...sample } = r.data;
      const list = log.samples.get(component) ?? [];
      log.samples.set(component, insertPruned(list, sample, now, this.maxSamplesPerComponent));
    }
    if (bad > 0) this.logger?.warn({ file: `${key}/${RUNTIME_FILE}` }, `${key}/${RUNTIME_FILE}: ${bad} unreadable line${bad === 1 ? "" : "s"} skipped`);
    return { consumed: end + 1, bad };
  }

  /** The legacy one-document file's samples (empty when absent or unreadable). */
  private async readLegacy(key: string, legacy: string): Promise<Record<string, RuntimeSample[]>> {
    let text: string;
    try {
      text = await fs.readFile(legacy, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw e;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      this.logger?.warn({ file: `${key}/${LEGACY_RUNTIME_FILE}` }, `${key}/${LEGACY_RUNTIME_FILE}: not valid JSON (${(e as Error).message}); ignored`);
      return {};
    }
    const r = parseEntity(RuntimeDoc, data, `${key}/${LEGACY_RUNTIME_FILE}`);
    if (!r.ok) {
      this.logger?.warn({ file: `${key}/${LEGACY_RUNTIME_FILE}` }, `${r.message}; ignored`);
      return {};
    }
    return r.value;
  }

  /** Bring the cached log up to date with the file: parse only what was appended since the last look. */
  private async load(repo: RepoRef): Promise<{ log: RepoLog; partialTail: boolean; legacy: boolean }> {
    const { key, file, legacy } = this.paths(repo);
    const now = this.clock();
    let fh: fs.FileHandle | null = null;
    try {
      fh = await fs.open(file, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    try {
      const st = fh ? await fh.stat() : null;
      let log = this.logs.get(key);
      if (!log || !st || log.ino !== st.ino || st.size < log.offset) {
        log = { ino: st?.ino ?? -1, offset: 0, lines: 0, samples: new Map() };
        for (const [name, list] of Object.entries(await this.readLegacy(key, legacy))) {
          log.samples.set(name, prune(list, now, this.maxSamplesPerComponent));
        }
      }
      let partialTail = false;
      if (fh && st && st.size > log.offset) {
        const chunk = Buffer.alloc(st.size - log.offset);
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, log.offset);
        const { consumed } = this.ingest(key, log, chunk.subarray(0, bytesRead), now);
        log.offset += consumed;
        partialTail = log.offset < st.size;
      }
      this.logs.set(key, log);
      const hasLegacy = await fs
        .stat(legacy)
        .then(() => true)
        .catch(() => false);
      return { log, partialTail, legacy: hasLegacy };
    } finally {
      await fh?.close();
    }
  }

  private kept(log: RepoLog): number {
    let n = 0;
    for (const list of log.samples.values()) n += list.length;
    return n;
  }

  /** Rewrite the file with only the kept samples (atomic rename), and retire the legacy file. */
  private async compact(repo: RepoRef, log: RepoLog): Promise<void> {
    const { key, file, legacy } = this.paths(repo);
    const lines: string[] = [];
    for (const [component, list] of log.samples) for (const sample of list) lines.push(JSON.stringify({ component, ...sample }));
    const text = lines.length > 0 ? `${lines.join("\n")}\n` : "";
    await writeFileAtomic(file, text);
    await fs.rm(legacy, { force: true });
    const st = await fs.stat(file);
    this.logs.set(key, { ino: st.ino, offset: st.size, lines: lines.length, samples: log.samples });
  }

  async append(repo: RepoRef, component: string, sample: RuntimeSample): Promise<RuntimeSample[]> {
    const { key, dir, file, lock } = this.paths(repo);
    const valid = RuntimeSample.parse(sample);
    const line = `${JSON.stringify({ component, ...valid })}\n`;
    return this.mutex.run(key, async () => {
      await fs.mkdir(dir, { recursive: true });
      return withFileLock(lock, { staleMs: 30_000, timeoutMs: 60_000 }, async () => {
        const { log, partialTail, legacy } = await this.load(repo);
        // A torn last line (a crash mid-append) is ended first, so this line stays whole.
        const text = partialTail ? `\n${line}` : line;
        await fs.appendFile(file, text, "utf8");
        const st = await fs.stat(file);
        log.ino = st.ino;
        log.offset = st.size;
        log.lines++;
        const list = insertPruned(log.samples.get(component) ?? [], valid, this.clock(), this.maxSamplesPerComponent);
        log.samples.set(component, list);
        if (legacy || log.lines > 2 * this.kept(log) + this.compactSlack) await this.compact(repo, log);
        return [...list];
      });
    });
  }

  async samples(repo: RepoRef, component: string): Promise<RuntimeSample[]> {
    const { key } = this.paths(repo);
    return this.mutex.run(key, async () => {
      const { log } = await this.load(repo);
      return prune(log.samples.get(component) ?? [], this.clock(), this.maxSamplesPerComponent);
    });
  }

  async all(repo: RepoRef): Promise<Record<string, RuntimeSample[]>> {
    const { key } = this.paths(repo);
    return this.mutex.run(key, async () => {
      const { log } = await this.load(repo);
      const now = this.clock();
      const out: Record<string, RuntimeSample[]> = {};
      for (const [name, list] of log.samples) {
        const kept = prune(list, now, this.maxSamplesPerComponent);
        if (kept.length > 0) out[name] = kept;
      }
      return out;
    });
  }
}

/** In-memory variant, for tests and for running without a data directory. */
export class MemoryRuntimeMetricsStore implements RuntimeMetricsStore {
  private readonly data = new Map<string, Record<string, RuntimeSample[]>>();
  constructor(
    private readonly clock: () => Date = () => new Date(),
    readonly maxSamplesPerComponent = MAX_SAMPLES_PER_COMPONENT,
  ) {}
  private key(repo: RepoRef): string {
    const r = checkRepoRef(repo);
    return `${r.owner}/${r.repo}`;
  }
  async append(repo: RepoRef, component: string, sample: RuntimeSample): Promise<RuntimeSample[]> {
    const k = this.key(repo);
    const doc = this.data.get(k) ?? {};
    doc[component] = insertPruned(doc[component] ?? [], RuntimeSample.parse(sample), this.clock(), this.maxSamplesPerComponent);
    this.data.set(k, doc);
    return [...doc[component]];
  }
  async samples(repo: RepoRef, component: string): Promise<RuntimeSample[]> {
    return prune(this.data.get(this.key(repo))?.[component] ?? [], this.clock(), this.maxSamplesPerComponent);
  }
  async all(repo: RepoRef): Promise<Record<string, RuntimeSample[]>> {
    const now = this.clock();
    return Object.fromEntries(
      Object.entries(this.data.get(this.key(repo)) ?? {})
        .map(([k, v]) => [k, prune(v, now, this.maxSamplesPerComponent)] as const)
        .filter(([, v]) => v.length > 0),
    );
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
