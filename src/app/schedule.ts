import { CronExpressionParser } from "cron-parser";
import type { CowabungaConfig } from "../config/schema.js";
import type { RepoRef, Store } from "../store/types.js";

type Day = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
const DAYS: readonly Day[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Weekday and minutes since midnight of `date` in `timeZone`. Unknown zones fall back to UTC. */
export function localTime(date: Date, timeZone: string): { day: Day; minutes: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  } catch {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  }
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? "0";
  const day = get("weekday").slice(0, 3).toLowerCase() as Day;
  return { day, minutes: (Number(get("hour")) % 24) * 60 + Number(get("minute")) };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

/**
 * Is `date` inside one of the config's maintenance windows (in `schedule.timezone`)? No windows
 * configured means any time is fine. A window whose end is before its start runs past midnight:
 * `days` names the day it starts. Update PRs open only inside a window unless the fix is for a
 * critical vulnerability (the caller decides that).
 */
export function isInMaintenanceWindow(config: Pick<CowabungaConfig, "schedule">, date: Date): boolean {
  const windows = config.schedule.maintenance_windows;
  if (windows.length === 0) return true;
  const { day, minutes } = localTime(date, config.schedule.timezone);
  const yesterday = DAYS[(DAYS.indexOf(day) + 6) % 7];
  return windows.some((w) => {
    const start = toMinutes(w.start);
    const end = toMinutes(w.end);
    if (start === end) return w.days.includes(day); // the whole day
    if (start < end) return w.days.includes(day) && minutes >= start && minutes < end;
    return (w.days.includes(day) && minutes >= start) || (w.days.includes(yesterday) && minutes < end);
  });
}

export interface ScheduleSettings {
  cron: string;
  timezone: string;
  jitter_minutes: number;
}

export const DEFAULT_SCHEDULE: ScheduleSettings = { cron: "0 6 * * *", timezone: "UTC", jitter_minutes: 15 };

/** The first cron slot strictly after `after`, or null for an invalid expression or zone. */
export function nextCronSlot(schedule: Pick<ScheduleSettings, "cron" | "timezone">, after: Date): Date | null {
  try {
    return CronExpressionParser.parse(schedule.cron, { currentDate: after, tz: schedule.timezone }).next().toDate();
  } catch {
    return null;
  }
}

function scheduleOf(state: Record<string, unknown> | null): ScheduleSettings {
  const s = state?.schedule as Partial<ScheduleSettings> | undefined;
  return {
    cron: typeof s?.cron === "string" ? s.cron : DEFAULT_SCHEDULE.cron,
    timezone: typeof s?.timezone === "string" ? s.timezone : DEFAULT_SCHEDULE.timezone,
    jitter_minutes: typeof s?.jitter_minutes === "number" ? s.jitter_minutes : DEFAULT_SCHEDULE.jitter_minutes,
  };
}

export interface ScheduledRepo extends RepoRef {
  installationId: number;
}

export interface SchedulerOptions {
  store: Store;
  /** Every installed repository (cached by the scheduler for `refreshMs`). */
  listRepos(): Promise<ScheduledRepo[]>;
  /** `due`: the cron slot plus jitter that made the repository due (epoch 0 for never-scanned ones). */
  enqueueScan(repo: ScheduledRepo, due?: Date): void;
  clock?: () => Date;
  /**
   * 0 ≤ random() < 1 for jitter. Default: a hash of repository and slot, so every process of a cluster
   * computes the same due time (the schedule tick may run on any worker).
   */
  random?: () => number;
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  intervalMs?: number;
  refreshMs?: number;
}

/**
 * Every minute, scans the installed repositories whose cron slot (from their config, remembered in
 * scan_state.schedule by the last scan) has passed since their last scan, plus a random jitter of up
 * to `jitter_minutes` drawn once per repository and slot. Never-scanned repositories are due at once.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private repos: ScheduledRepo[] | null = null;
  private reposAt = 0;
  private readonly jitters = new Map<string, number>();
  private readonly clock: () => Date;
  private readonly random: () => number;
  private running = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? (() => new Date());
    this.random = opts.random ?? (() => Math.random());
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Forget the cached repository list (after installation events). */
  invalidate(): void {
    this.repos = null;
  }

  /** When is this repository's next scan due, given its state? */
  dueAt(repo: RepoRef, state: Record<string, unknown> | null): Date | null {
    const stamp = state?.last_checked_at ?? state?.last_scan_finished_at;
    const last = typeof stamp === "string" ? new Date(stamp) : null;
    if (!last || Number.isNaN(last.getTime())) return new Date(0);
    const schedule = scheduleOf(state);
    const slot = nextCronSlot(schedule, last);
    if (!slot) return null;
    const key = `${repo.owner}/${repo.repo}`.toLowerCase() + "@" + slot.toISOString();
    let jitter = this.jitters.get(key);
    if (jitter === undefined) {
      const fraction = this.opts.random ? this.random() : hashFraction(key);
      jitter = Math.floor(fraction * (schedule.jitter_minutes * 60_000 + 1));
      this.jitters.set(key, jitter);
      if (this.jitters.size > 10_000) this.jitters.delete(this.jitters.keys().next().value as string);
    }
    return new Date(slot.getTime() + jitter);
  }

  /** One check; returns the repositories it queued. */
  async tick(): Promise<ScheduledRepo[]> {
    if (this.running) return [];
    this.running = true;
    const queued: ScheduledRepo[] = [];
    try {
      const now = this.clock();
      if (!this.repos || now.getTime() - this.reposAt > (this.opts.refreshMs ?? 3_600_000)) {
        this.repos = await this.opts.listRepos();
        this.reposAt = now.getTime();
      }
      for (const repo of this.repos) {
        const state = (await this.opts.store.getScanState(repo)) as Record<string, unknown> | null;
        const due = this.dueAt(repo, state);
        if (due && due.getTime() <= now.getTime()) {
          this.opts.enqueueScan(repo, due);
          queued.push(repo);
        }
      }
    } catch (err) {
      this.opts.log?.warn({ err: err instanceof Error ? err.message : String(err) }, "scheduled scan check failed");
    } finally {
      this.running = false;
    }
    return queued;
  }
}

/** A number in [0, 1) from a string (FNV-1a): the same jitter for a repository and slot in every process. */
export function hashFraction(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}
