import { CronExpressionParser } from "cron-parser";
import type { CowabungaConfig } from "../config/schema.js";
import type {
  ComponentHealth,
  Dependency,
  HealthStatus,
  MaintenanceIssue,
  MaintenanceRecord,
  OverallStatus,
  Severity,
  SystemHealth,
  TestResult,
} from "../model/index.js";
import type { ScanWarning, ScannedComponent } from "../scan/types.js";
import { isOpenIssue } from "./draft.js";
import { suitesOf } from "./detect/performance.js";
import type { AssessInputs } from "./types.js";

/** Signal weights (docs/health.md). The score is the weighted mean over the signals that are available. */
export const HEALTH_WEIGHTS = {
  security: 0.3,
  issues: 0.2,
  freshness: 0.15,
  tests: 0.15,
  coverage: 0.1,
  ci: 0.05,
  runtime: 0.05,
} as const;
export type HealthSignal = keyof typeof HEALTH_WEIGHTS;

/** Score taken off per open issue, by severity; security issues weigh more. */
export const SECURITY_PENALTY: Readonly<Record<Severity, number>> = { critical: 0.6, high: 0.35, medium: 0.15, low: 0.05 };
export const ISSUE_PENALTY: Readonly<Record<Severity, number>> = { critical: 0.5, high: 0.25, medium: 0.1, low: 0.03 };
/** Outdatedness per dependency by how far behind it is. */
export const OUTDATED_WEIGHT: Readonly<Record<string, number>> = { major: 1, minor: 0.5, patch: 0.25 };

/** Below this, a component is critical whatever its issues. */
export const CRITICAL_SCORE = 0.5;

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const clamp01 = (n: number) => Math.max(0, Math.min(1, n));

export interface HealthContext {
  inputs: AssessInputs;
  config: CowabungaConfig;
  now: Date;
  /** Final issues of this run (after reconciliation). */
  issues: readonly MaintenanceIssue[];
  warnings: ScanWarning[];
}

/** Latest run of every suite reported for a component (input arrays are history, oldest first). */
export function latestRuns(results: readonly TestResult[] | undefined): TestResult[] {
  if (!results) return [];
  const out: TestResult[] = [];
  for (const runs of suitesOf(results).values()) out.push(runs[runs.length - 1]);
  return out;
}

/** Mean line coverage (percent) of a component's latest runs; null when none reported. */
export function coverageOf(results: readonly TestResult[] | undefined): number | null {
  const known = latestRuns(results)
    .map((r) => r.line_coverage)
    .filter((c): c is number => Number.isFinite(c));
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

/** A reported figure when it is a finite number from 0 to max, else null. */
function inRange(value: unknown, max = 100): number | null {
  // Stryker disable next-line ConditionalExpression: Number.isFinite is false for every non-number; typeof only narrows the type
  if (typeof value !== "number") return null;
  return Number.isFinite(value) && value >= 0 && value <= max ? value : null;
}

/** inRange, with a warning naming a figure that was reported but is out of range. */
function pct(value: unknown, label: string, component: string, warnings: ScanWarning[], max = 100): number | null {
  const v = inRange(value, max);
  if (v === null && value !== undefined && value !== null) {
    warnings.push({ file: null, line: null, manager: "components", message: `ignored ${label} ${String(value)} reported for ${component}: expected a number from 0 to ${max}` });
  }
  return v;
}

/** The available signals of one component, each 0..1. Missing data gives no entry. */
export function healthSignals(comp: ScannedComponent, deps: readonly Dependency[], ctx: HealthContext): Partial<Record<HealthSignal, number>> {
  const s: Partial<Record<HealthSignal, number>> = {};
  const open = ctx.issues.filter((i) => isOpenIssue(i) && i.affected_components.includes(comp.name));
  const checked = deps.filter((d) => !d.skip_reason);
  // Only dependencies whose advisories were actually checked are evidence of "no known vulnerability";
  // offline without a mirror, a range without a lockfile or a failed query gives no security signal.
  // An open security issue is evidence too (of the opposite), so it keeps the signal present.
  const openSecurity = open.filter((i) => i.type === "security");
  if (checked.some((d) => d.advisories_checked) || openSecurity.length > 0) {
    const penalty = openSecurity.reduce((sum, i) => sum + SECURITY_PENALTY[i.severity], 0);
    s.security = clamp01(1 - penalty);
  }
  const looked = checked.filter((d) => d.lookup.status === "ok");
  if (looked.length > 0) {
    const behind = looked.reduce((sum, d) => sum + (OUTDATED_WEIGHT[d.update_type] ?? 0), 0);
    s.freshness = clamp01(1 - behind / looked.length);
  }
  const runs = latestRuns(ctx.inputs.testResults?.[comp.name]);
  const passed = runs.reduce((n, r) => n + r.tests_passed, 0);
  const failed = runs.reduce((n, r) => n + r.tests_failed + r.errors.length, 0);
  if (passed + failed > 0) s.tests = passed / (passed + failed);
  const coverage = coverageOf(ctx.inputs.testResults?.[comp.name]);
  if (coverage !== null) s.coverage = clamp01(coverage / 100);
  const ci = pct(ctx.inputs.ciErrorRate?.[comp.name], "CI error rate", comp.name, ctx.warnings);
  if (ci !== null) s.ci = clamp01(1 - ci / 100);
  const rt = ctx.inputs.runtime?.[comp.name];
  if (rt) {
    const parts: number[] = [];
    const up = pct(rt.uptime_percentage, "uptime_percentage", comp.name, ctx.warnings);
    if (up !== null) parts.push(up / 100);
    const err = pct(rt.error_rate, "error_rate", comp.name, ctx.warnings);
    if (err !== null) parts.push(1 - err / 100);
    if (parts.length > 0) s.runtime = parts.reduce((a, b) => a + b, 0) / parts.length;
  }
  // Issues count only where something was examined (or an issue itself was found).
  const examined =
    Object.keys(s).length > 0 ||
    open.length > 0 ||
    [...(ctx.inputs.textFiles?.keys() ?? ctx.inputs.textFindings?.examined ?? [])].some((f) => comp.path === "." || f.startsWith(`${comp.path.replace(/\/+$/, "")}/`));
  if (examined) {
    const penalty = open.filter((i) => i.type !== "security").reduce((sum, i) => sum + ISSUE_PENALTY[i.severity], 0);
    s.issues = clamp01(1 - penalty);
  }
  return s;
}

/** Weighted mean over available signals; null when none is available. */
export function healthScore(signals: Partial<Record<HealthSignal, number>>): number | null {
  let num = 0;
  let den = 0;
  for (const [k, v] of Object.entries(signals) as Array<[HealthSignal, number]>) {
    num += HEALTH_WEIGHTS[k] * v;
    den += HEALTH_WEIGHTS[k];
  }
  return den === 0 ? null : round3(clamp01(num / den));
}

/**
 * unknown: no signal at all; critical: an open critical issue or score < 0.5; warning: score below
 * thresholds.component_health or an open high issue; healthy otherwise, but only with `evidence`
 * (a signal other than "issues"): "no open issue found" alone is missing data, so it stays unknown.
 */
export function componentStatus(score: number | null, open: readonly MaintenanceIssue[], threshold: number, evidence = true): HealthStatus {
  if (score === null) return "unknown";
  if (open.some((i) => i.severity === "critical") || score < CRITICAL_SCORE) return "critical";
  if (score < threshold || open.some((i) => i.severity === "high")) return "warning";
  return evidence ? "healthy" : "unknown";
}

/** Whether the signals hold evidence beyond the issue count (see componentStatus). */
export function hasHealthEvidence(signals: Partial<Record<HealthSignal, number>>): boolean {
  return (Object.keys(signals) as HealthSignal[]).some((k) => k !== "issues");
}

export function assessComponentHealth(comp: ScannedComponent, ctx: HealthContext): ComponentHealth {
  const deps = ctx.inputs.dependencies.filter((d) => d.component === comp.name);
  const signals = healthSignals(comp, deps, ctx);
  const score = healthScore(signals);
  const open = ctx.issues.filter((i) => isOpenIssue(i) && i.affected_components.includes(comp.name));
  const breakdown: Record<string, number> = {};
  for (const k of Object.keys(HEALTH_WEIGHTS) as HealthSignal[]) if (signals[k] !== undefined) breakdown[k] = round3(signals[k] as number);
  const rt = ctx.inputs.runtime?.[comp.name] ?? {};
  const runs = latestRuns(ctx.inputs.testResults?.[comp.name]);
  const failedNow = runs.some((r) => r.tests_failed > 0 || r.errors.length > 0);
  const intOrNull = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    name: comp.name,
    version: comp.version || "unknown",
    type: comp.type,
    status: componentStatus(score, open, ctx.config.thresholds.component_health, hasHealthEvidence(signals)),
    health_score: score ?? 0,
    last_health_check: ctx.now.toISOString(),
    // Out-of-range uptime and error rate were already reported by healthSignals.
    uptime_percentage: inRange(rt.uptime_percentage),
    error_rate: inRange(rt.error_rate),
    response_time_ms: intOrNull(pct(rt.response_time_ms, "response_time_ms", comp.name, ctx.warnings, Number.MAX_SAFE_INTEGER)),
    memory_usage_mb: intOrNull(pct(rt.memory_usage_mb, "memory_usage_mb", comp.name, ctx.warnings, Number.MAX_SAFE_INTEGER)),
    cpu_usage_percent: pct(rt.cpu_usage_percent, "cpu_usage_percent", comp.name, ctx.warnings, 100_000),
    dependencies: [...comp.dependencies].sort(),
    dependent_components: [...comp.dependent_components].sort(),
    open_issues: open.length,
    critical_issues: open.filter((i) => i.severity === "critical").length,
    last_failure: failedNow ? ctx.now.toISOString() : null,
    path: comp.path,
    score_breakdown: breakdown,
  };
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Start of the next configured maintenance window after `now`, in the schedule's timezone; null when none. */
export function nextMaintenanceWindow(config: CowabungaConfig, now: Date, warnings?: ScanWarning[]): string | null {
  let best: number | null = null;
  for (const w of config.schedule.maintenance_windows) {
    const [hh, mm] = w.start.split(":").map(Number);
    const days = w.days.map((d) => DAYS.indexOf(d)).join(",");
    try {
      const next = CronExpressionParser.parse(`${mm} ${hh} * * ${days}`, { currentDate: now, tz: config.schedule.timezone }).next().toDate().getTime();
      best = best === null ? next : Math.min(best, next);
    } catch (e) {
      warnings?.push({ file: ".github/cowabunga.yml", line: null, manager: "components", message: `maintenance window ${w.days.join(",")} ${w.start}: ${(e as Error).message}` });
    }
  }
  return best === null ? null : new Date(best).toISOString();
}

/**
 * critical: a critical component or open critical issue; warning: a warning component, an open high
 * issue, or at least half of the components without known health (the system cannot be vouched for);
 * healthy otherwise.
 */
export function overallStatus(components: readonly ComponentHealth[], openIssues: readonly MaintenanceIssue[]): OverallStatus {
  if (components.some((c) => c.status === "critical") || openIssues.some((i) => i.severity === "critical")) return "critical";
  if (components.some((c) => c.status === "warning") || openIssues.some((i) => i.severity === "high")) return "warning";
  const unknown = components.filter((c) => c.status === "unknown").length;
  if (unknown * 2 >= components.length) return "warning"; // no components at all: 0 >= 0, warning
  return "healthy";
}

function mean(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

export function assessSystemHealth(
  scanned: readonly ScannedComponent[],
  components: readonly ComponentHealth[],
  ctx: HealthContext,
  lastMaintenance: MaintenanceRecord | null,
): SystemHealth {
  const open = ctx.issues.filter(isOpenIssue);
  const root = scanned.find((c) => c.path === "." || c.path === "");
  const coverage = mean(scanned.map((c) => coverageOf(ctx.inputs.testResults?.[c.name])));
  const response = mean(components.map((c) => c.response_time_ms));
  const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
  return {
    timestamp: ctx.now.toISOString(),
    version: root?.version || "unknown",
    overall_status: overallStatus(components, open),
    components: components.map((c) => ({
      name: c.name,
      status: c.status,
      health_score: c.health_score,
      issues: open.filter((i) => i.affected_components.includes(c.name)),
      last_check: c.last_health_check,
      dependencies: c.dependencies,
    })),
    metrics: {
      uptime_percentage: round2(mean(components.map((c) => c.uptime_percentage))),
      response_time_ms: response === null ? null : Math.round(response),
      error_rate: round2(mean(components.map((c) => c.error_rate))),
      test_coverage: round2(coverage),
      security_issues: open.filter((i) => i.type === "security").length,
    },
    maintenance_mode: ctx.config.maintenance_mode,
    next_maintenance_window: nextMaintenanceWindow(ctx.config, ctx.now, ctx.warnings),
    last_maintenance: lastMaintenance,
  };
}
