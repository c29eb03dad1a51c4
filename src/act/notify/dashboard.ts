import { createHash } from "node:crypto";
import type { PendingNotification, RepoRef, Store } from "../../store/types.js";
import { ReportAlert } from "../report/json.js";
import type { Alert, AlertChannel, Clock } from "./types.js";

/**
 * Alerts for the web dashboard are kept in pending_notifications.json as entries of kind "dashboard_alert"
 * (the store has no alerts file; the outbox's deliveries live in the same file as kind "delivery").
 * Read them with listDashboardAlerts, never by reading the file.
 */
export const DASHBOARD_ALERT_KIND = "dashboard_alert";

/** Validates an alert read back from the store (the file may have been edited by hand). */
export function parseStoredAlert(value: unknown): Alert | null {
  // The same shape as an alert in the report document: one schema for both.
  const r = ReportAlert.safeParse(value);
  return r.success ? r.data : null;
}

export function alertHash(alert: Pick<Alert, "key" | "created_at">): string {
  return createHash("sha256").update(`${alert.key}\u0000${alert.created_at}`).digest("hex").slice(0, 20);
}

export interface DashboardChannelOptions {
  clock?: Clock;
  /** Keep at most this many alerts (newest kept). Default 500. */
  keep?: number;
  /** Drop alerts older than this many days. Default 30 (the seed's health history retention). */
  maxAgeDays?: number;
}

function isDashboardEntry(e: PendingNotification): boolean {
  return (e as { kind?: unknown }).kind === DASHBOARD_ALERT_KIND;
}

/** Records every alert into the store for the dashboard. Idempotent per (alert key, created_at). */
export class DashboardChannel implements AlertChannel {
  readonly name = "dashboard";
  /** Keyed by alert: sending again after an interrupted send cannot duplicate. */
  readonly idempotent = true;
  private readonly clock: Clock;

  constructor(
    private readonly store: Pick<Store, "updatePending">,
    private readonly repo: RepoRef,
    private readonly opts: DashboardChannelOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
  }

  async send(alert: Alert): Promise<void> {
    const now = this.clock();
    const id = `${DASHBOARD_ALERT_KIND}|${alertHash(alert)}`;
    const cutoff = now.getTime() - (this.opts.maxAgeDays ?? 30) * 86_400_000;
    const keep = this.opts.keep ?? 500;
    await this.store.updatePending(this.repo, (entries) => {
      const others = entries.filter((e) => !isDashboardEntry(e));
      let mine = entries.filter(isDashboardEntry);
      if (!mine.some((e) => e.id === id)) {
        mine.push({ id, created_at: now.toISOString(), kind: DASHBOARD_ALERT_KIND, alert });
      }
      mine = mine
        .filter((e) => Date.parse(e.created_at) >= cutoff)
        .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
        .slice(0, keep);
      return [...others, ...mine];
    });
  }
}

/** Alerts recorded for the dashboard, newest first. Invalid entries are skipped. */
export async function listDashboardAlerts(store: Pick<Store, "getPending">, repo: RepoRef): Promise<Alert[]> {
  const entries = await store.getPending(repo);
  return entries
    .filter(isDashboardEntry)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .map((e) => parseStoredAlert((e as { alert?: unknown }).alert))
    .filter((a): a is Alert => a != null);
}
