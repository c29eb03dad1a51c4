/**
 * Remediation deadlines (issue 15): every security MaintenanceIssue is due `sla[severity]` days after
 * its FIRST detection (created_at, which reconciliation keeps across rescans and reopenings).
 *
 * - due_at is an instant: created_at + days × 24 h. Calendar dates shown to people are that instant's
 *   date in the schedule's time zone, and "days left" is the difference of calendar dates in that zone,
 *   so a user in Tokyo and one in Los Angeles each see whole days that match their own calendar.
 * - An issue is overdue once `now >= due_at` while it is open. Deferred issues are counted apart.
 * - A risk acceptance (`/cowabunga defer <date> <reason>`) covers the issue through its `until` day
 *   (inclusive, in the schedule's zone); the day after, the issue is reopened and due again (its
 *   original due date stands: acceptance does not restart the clock).
 * See docs/notes/deadlines.md.
 */
import type { SlaConfig } from "../config/schema.js";
import { transitionIssue } from "../model/lifecycle.js";
import type { MaintenanceIssue, Severity } from "../model/index.js";
import type { Alert } from "./types.js";

export const DAY_MS = 86_400_000;
export const DEFAULT_SLA: SlaConfig = { critical: 30, high: 30, medium: 90, low: 180 };

/** Issue types that carry a deadline. */
export function hasDeadline(issue: Pick<MaintenanceIssue, "type">): boolean {
  return issue.type === "security";
}

/** created_at + sla days of the severity, or null for types without a deadline. */
export function dueAtOf(issue: Pick<MaintenanceIssue, "type" | "severity" | "created_at">, sla: SlaConfig = DEFAULT_SLA): string | null {
  if (!hasDeadline(issue)) return null;
  const start = Date.parse(issue.created_at);
  if (Number.isNaN(start)) return null;
  return new Date(start + slaDays(issue.severity, sla) * DAY_MS).toISOString();
}

export function slaDays(severity: Severity, sla: SlaConfig = DEFAULT_SLA): number {
  return sla[severity];
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD of an instant in an IANA zone (an unknown zone falls back to UTC). */
export function calendarDate(at: Date | string, timeZone = "UTC"): string {
  const d = typeof at === "string" ? new Date(at) : at;
  let f = dateFormatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    } catch {
      f = new Intl.DateTimeFormat("en-CA", { timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit" });
    }
    dateFormatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Whole days from calendar date a to calendar date b (YYYY-MM-DD each). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

export type DeadlineState = "none" | "closed" | "deferred" | "on_track" | "due_soon" | "overdue";

export interface Deadline {
  state: DeadlineState;
  due_at: string | null;
  /** Due date in the time zone asked for (YYYY-MM-DD). */
  due_date: string | null;
  /** Calendar days from today to the due date; negative when overdue. Null without a deadline. */
  days_left: number | null;
  /** The risk acceptance's last day, while deferred by one. */
  deferred_until: string | null;
}

/** Days before the due date at which an open issue counts as "due soon". */
export const DUE_SOON_DAYS = 7;

export function isOpen(issue: Pick<MaintenanceIssue, "status">): boolean {
  return issue.status === "open" || issue.status === "in_progress";
}

/** Where an issue stands against its deadline at `now`. */
export function deadlineOf(issue: MaintenanceIssue, now: Date, timeZone = "UTC"): Deadline {
  const due = issue.due_at;
  if (!due) return { state: "none", due_at: null, due_date: null, days_left: null, deferred_until: null };
  const due_date = calendarDate(due, timeZone);
  const days_left = daysBetween(calendarDate(now, timeZone), due_date);
  const base = { due_at: due, due_date, days_left, deferred_until: issue.risk_acceptance?.until ?? null };
  if (issue.status === "resolved") return { ...base, state: "closed" };
  if (issue.status === "deferred") return { ...base, state: "deferred" };
  if (now.getTime() >= Date.parse(due)) return { ...base, state: "overdue" };
  return { ...base, state: days_left <= DUE_SOON_DAYS ? "due_soon" : "on_track" };
}

/** "due 2027-01-05 (12 days left)", "due today", "overdue by 3 days (due 2026-12-01)", "deferred until …". */
export function deadlineText(d: Deadline): string {
  if (d.state === "none" || !d.due_date || d.days_left === null) return "";
  const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
  switch (d.state) {
    case "closed":
      return `was due ${d.due_date}`;
    case "deferred":
      return d.deferred_until ? `deferred until ${d.deferred_until} (due ${d.due_date})` : `deferred (due ${d.due_date})`;
    case "overdue":
      return d.days_left < 0 ? `overdue by ${days(-d.days_left)} (due ${d.due_date})` : `overdue (due ${d.due_date})`;
    default:
      return d.days_left === 0 ? `due today (${d.due_date})` : `due ${d.due_date} (${days(d.days_left)} left)`;
  }
}

/**
 * After reconciliation: set due_at on every security issue (from created_at, so a rescan never moves
 * it; a changed severity or `sla` moves it), clear it elsewhere, end expired risk acceptances
 * (deferred → reopened, due again) and drop the acceptance of an issue no longer deferred.
 */
export function applyDeadlines(issues: readonly MaintenanceIssue[], sla: SlaConfig, now: Date, timeZone = "UTC", actor = "cowabunga"): MaintenanceIssue[] {
  const today = calendarDate(now, timeZone);
  return issues.map((prev) => {
    let issue: MaintenanceIssue = { ...prev, due_at: dueAtOf(prev, sla) };
    const ra = issue.risk_acceptance;
    if (ra && issue.lifecycle_state === "deferred" && ra.until !== null && today > ra.until) {
      issue = transitionIssue(issue, "reopened", { at: now, reason: `risk acceptance by ${ra.accepted_by} expired on ${ra.until}: ${ra.reason}`, actor });
    }
    if (issue.risk_acceptance && issue.lifecycle_state !== "deferred") issue = { ...issue, risk_acceptance: null };
    return issue;
  });
}

/**
 * One alert per open security issue that has reached its deadline and has not been alerted for this
 * due_at yet; the returned issues carry overdue_alerted_for so the next run does not raise it again.
 */
export function overdueAlerts(issues: readonly MaintenanceIssue[], now: Date, timeZone = "UTC"): { issues: MaintenanceIssue[]; alerts: Alert[] } {
  const alerts: Alert[] = [];
  const out = issues.map((issue) => {
    const d = deadlineOf(issue, now, timeZone);
    if (d.state !== "overdue" || !issue.due_at || issue.overdue_alerted_for === issue.due_at) return issue;
    alerts.push({
      key: `overdue:${issue.id}:${issue.due_at}`,
      condition: "overdue",
      level: issue.severity === "critical" ? "critical" : "high",
      title: `Overdue: ${issue.title}`,
      message: `This ${issue.severity} security issue was first detected ${calendarDate(issue.created_at, timeZone)} and ${deadlineText(d)}. Fix it, or record a risk acceptance with \`/cowabunga defer <YYYY-MM-DD> <reason>\`.`,
      component: issue.affected_components.length === 1 ? issue.affected_components[0] : null,
      issue_ids: [issue.id],
      created_at: now.toISOString(),
      links: [],
    });
    return { ...issue, overdue_alerted_for: issue.due_at };
  });
  return { issues: out, alerts };
}

export interface DeadlineCounts {
  overdue: number;
  due_soon: number;
  on_track: number;
  deferred: number;
}

/** Open issues by deadline state; deferred ones counted apart (never as overdue). */
export function deadlineCounts(issues: readonly MaintenanceIssue[], now: Date, timeZone = "UTC"): DeadlineCounts {
  const c: DeadlineCounts = { overdue: 0, due_soon: 0, on_track: 0, deferred: 0 };
  for (const i of issues) {
    const s = deadlineOf(i, now, timeZone).state;
    if (s === "overdue" || s === "due_soon" || s === "on_track" || s === "deferred") c[s] += 1;
  }
  return c;
}
