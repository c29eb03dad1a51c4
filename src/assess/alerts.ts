import type { CowabungaConfig } from "../config/schema.js";
import type { ComponentHealth, Dependency, MaintenanceIssue, Severity } from "../model/index.js";
import { MONTH_DAYS, datasourceOf, isOpenIssue, uniqSorted } from "./draft.js";
import type { Alert, AlertChannel, AlertCondition, Clock } from "./types.js";

export const ALERT_LEVEL: Readonly<Record<AlertCondition, Severity>> = {
  critical_cvss: "critical",
  low_component_health: "high",
  outdated_dependency: "medium",
  low_coverage: "low",
  // A security issue past its remediation deadline (src/assess/deadlines.ts); critical ones alert as critical.
  overdue: "high",
};

/** Which channels (by AlertChannel.name) get which level. Channels absent from the list are skipped. */
export const ALERT_ROUTES: Readonly<Record<Severity, readonly string[]>> = {
  critical: ["email", "slack", "github", "dashboard"],
  high: ["slack", "dashboard"],
  medium: ["slack", "dashboard"],
  low: ["slack", "dashboard"],
};

export interface AlertInputs {
  issues: readonly MaintenanceIssue[];
  /** Highest CVSS per security issue id (from the drafts). */
  cvssByIssue: Readonly<Record<string, number | null>>;
  components: readonly ComponentHealth[];
  dependencies: readonly Dependency[];
  /** Mean line coverage per component, null when unknown. */
  coverage: Readonly<Record<string, number | null>>;
  config: CowabungaConfig;
  now: Date;
}

/**
 * The seed's four conditions, with config thresholds:
 * - critical: an open security issue with CVSS > thresholds.critical_cvss (key `critical_cvss:<issue id>`);
 * - high: a component with known health below thresholds.component_health (`low_component_health:<component>`);
 * - medium: a dependency more than thresholds.outdated_months behind, not deferred (`outdated_dependency:<ecosystem>:<name>`);
 * - low: a component whose known coverage is below thresholds.coverage_percent (`low_coverage:<component>`).
 */
export function buildAlerts(a: AlertInputs): Alert[] {
  const t = a.config.thresholds;
  const at = a.now.toISOString();
  const out: Alert[] = [];
  for (const issue of a.issues) {
    if (issue.type !== "security" || !isOpenIssue(issue)) continue;
    const score = a.cvssByIssue[issue.id];
    if (score === null || score === undefined || !(score > t.critical_cvss)) continue;
    out.push({
      key: `critical_cvss:${issue.id}`,
      condition: "critical_cvss",
      level: ALERT_LEVEL.critical_cvss,
      title: `Critical vulnerability: ${issue.title}`,
      message: `CVSS ${score.toFixed(1)} (threshold ${t.critical_cvss}). Affects ${issue.affected_components.join(", ")}. ${issue.resolution_steps[0] ?? ""}`.trim(),
      component: issue.affected_components.length === 1 ? issue.affected_components[0] : null,
      issue_ids: [issue.id],
      created_at: at,
      links: [],
    });
  }
  for (const c of a.components) {
    if (c.status === "unknown" || !(c.health_score < t.component_health)) continue;
    const open = a.issues.filter((i) => isOpenIssue(i) && i.affected_components.includes(c.name));
    const weakest = Object.entries(c.score_breakdown).sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))[0];
    out.push({
      key: `low_component_health:${c.name}`,
      condition: "low_component_health",
      level: ALERT_LEVEL.low_component_health,
      title: `${c.name} health is ${c.health_score.toFixed(2)} (below ${t.component_health})`,
      message: `${c.name} is ${c.status}: ${open.length} open issue(s), ${c.critical_issues} critical.${weakest ? ` Weakest signal: ${weakest[0]} ${weakest[1].toFixed(2)}.` : ""}`,
      component: c.name,
      issue_ids: open.map((i) => i.id).sort(),
      created_at: at,
      links: [],
    });
  }
  const limitDays = t.outdated_months * MONTH_DAYS;
  const outdated = new Map<string, Dependency[]>();
  for (const d of a.dependencies) {
    if (d.skip_reason || d.days_behind === null || !(d.days_behind > limitDays)) continue;
    const key = `outdated_dependency:${datasourceOf(d)}:${d.name}`;
    outdated.set(key, [...(outdated.get(key) ?? []), d]);
  }
  for (const [key, deps] of [...outdated].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const subject = `dependency:${key.slice("outdated_dependency:".length)}`;
    const issue = a.issues.find((i) => i.subject === subject);
    if (issue && !isOpenIssue(issue)) continue; // deferred by an ignore rule or a maintainer
    const comps = uniqSorted(deps.map((d) => d.component));
    const worst = Math.max(...deps.map((d) => d.days_behind ?? 0));
    out.push({
      key,
      condition: "outdated_dependency",
      level: ALERT_LEVEL.outdated_dependency,
      title: `${deps[0].name} is ${(worst / MONTH_DAYS).toFixed(1)} months behind ${deps[0].latest_version ?? "latest"}`,
      message: `${deps[0].name} ${uniqSorted(deps.map((d) => d.version)).join(", ")} in ${comps.join(", ")} is more than ${t.outdated_months} months behind.`,
      component: comps.length === 1 ? comps[0] : null,
      issue_ids: issue ? [issue.id] : [],
      created_at: at,
      links: [],
    });
  }
  for (const c of a.components) {
    const cov = a.coverage[c.name];
    if (cov === null || cov === undefined || !(cov < t.coverage_percent)) continue;
    out.push({
      key: `low_coverage:${c.name}`,
      condition: "low_coverage",
      level: ALERT_LEVEL.low_coverage,
      title: `${c.name} test coverage is ${cov.toFixed(1)}% (below ${t.coverage_percent}%)`,
      message: `Line coverage of ${c.name} is ${cov.toFixed(1)}%, under the ${t.coverage_percent}% threshold.`,
      component: c.name,
      issue_ids: [],
      created_at: at,
      links: [],
    });
  }
  return out;
}

export interface DispatchResult {
  /** The updated sent log; store it for the next run (the input is not modified). */
  sentLog: Record<string, string>;
  sent: Array<{ key: string; channel: string }>;
  /** Alert × channel pairs skipped because they were sent inside the quiet period. */
  suppressed: Array<{ key: string; channel: string; last_sent: string }>;
  errors: Array<{ key: string; channel: string; message: string }>;
}

/** Key of the sent log: `<channel>|<alert key>`, so a channel that failed is retried alone next time. */
export function sentLogKey(channel: string, alertKey: string): string {
  return `${channel}|${alertKey}`;
}

/**
 * Send each alert to the channels its level routes to, unless that channel got the same key less than
 * `quietHours` ago. A failing channel is recorded in `errors` and does not stop the others; only
 * successful sends are logged, so failures are retried on the next dispatch.
 */
export async function dispatchAlerts(
  alerts: readonly Alert[],
  channels: readonly AlertChannel[],
  sentLog: Readonly<Record<string, string>>,
  clock: Clock,
  quietHours: number,
  routes: Readonly<Record<Severity, readonly string[]>> = ALERT_ROUTES,
): Promise<DispatchResult> {
  const log: Record<string, string> = { ...sentLog };
  const result: DispatchResult = { sentLog: log, sent: [], suppressed: [], errors: [] };
  const quietMs = Math.max(0, quietHours) * 3_600_000;
  const seen = new Set<string>();
  for (const alert of alerts) {
    if (seen.has(alert.key)) continue;
    seen.add(alert.key);
    const route = routes[alert.level] ?? [];
    for (const channel of channels) {
      if (!route.includes(channel.name)) continue;
      const k = sentLogKey(channel.name, alert.key);
      const last = log[k];
      const now = clock();
      if (last !== undefined) {
        const lastMs = Date.parse(last);
        if (!Number.isNaN(lastMs) && now.getTime() - lastMs < quietMs) {
          result.suppressed.push({ key: alert.key, channel: channel.name, last_sent: last });
          continue;
        }
      }
      try {
        await channel.send(alert);
        log[k] = clock().toISOString();
        result.sent.push({ key: alert.key, channel: channel.name });
      } catch (e) {
        result.errors.push({ key: alert.key, channel: channel.name, message: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return result;
}

/** A channel that records what it was sent; `fail` makes every send throw (for tests). */
export class RecordingChannel implements AlertChannel {
  readonly sent: Alert[] = [];
  constructor(
    readonly name: string,
    private readonly fail: string | null = null,
  ) {}
  async send(alert: Alert): Promise<void> {
    if (this.fail !== null) throw new Error(this.fail);
    this.sent.push(alert);
  }
}
