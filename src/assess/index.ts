import type { CowabungaConfig } from "../config/schema.js";
import { MaintenanceIssue as MaintenanceIssueSchema } from "../model/issue.js";
import type { Dependency, IssueType, MaintenanceIssue, UpdateRisk } from "../model/index.js";
import type { ScanWarning } from "../scan/types.js";
import { buildAlerts } from "./alerts.js";
import { applyDeadlines, overdueAlerts } from "./deadlines.js";
import { detectBug } from "./detect/bug.js";
import type { DetectContext, Detector, DetectorResult } from "./detect/context.js";
import { detectDependency } from "./detect/dependency.js";
import { detectDocumentation } from "./detect/documentation.js";
import { suitesOf, detectPerformance } from "./detect/performance.js";
import { detectSecurity } from "./detect/security.js";
import { compareStrings, issueId, type IssueDraft } from "./draft.js";
import { assessComponentHealth, assessSystemHealth, coverageOf, type HealthContext } from "./health.js";
import { ignoreRuleFor } from "./ignore.js";
import { exposureOf, prioritize } from "./priority.js";
import { reconcileIssues, type CurrentIssue } from "./reconcile.js";
import { assessIssueRisk, assessUpdateRisk } from "./risk.js";
import type { AssessInputs, Assessment, Clock, TextFindings } from "./types.js";

export * from "./types.js";
export { buildAlerts, dispatchAlerts, RecordingChannel, ALERT_ROUTES, ALERT_LEVEL, sentLogKey, type DispatchResult } from "./alerts.js";
export { assessUpdateRisk, assessIssueRisk, buildRisk, riskLevelOf } from "./risk.js";
export { priorityFor, PRIORITY_TABLE, exposureOf, fixRiskOf, effortForUpdate } from "./priority.js";
export { assessComponentHealth, assessSystemHealth, healthScore, componentStatus, HEALTH_WEIGHTS } from "./health.js";
export { issueId } from "./draft.js";
export { ACTOR } from "./reconcile.js";

const DETECTORS: ReadonlyArray<[IssueType, Detector]> = [
  ["security", detectSecurity],
  ["dependency", detectDependency],
  ["bug", detectBug],
  ["documentation", detectDocumentation],
  ["performance", detectPerformance],
];

/** A detector that found nothing and covers nothing: used when one fails, so no stored issue is resolved by accident. */
// Stryker disable next-line StringLiteral: covers() is always false, so goneReason is never asked
const NOTHING: DetectorResult = { drafts: [], covers: () => false, goneReason: () => "" };

function updateRiskOf(level: string): UpdateRisk {
  return level === "none" ? "none" : level === "low" ? "low" : level === "medium" ? "medium" : "high";
}

function validPrevious(previous: readonly unknown[], warnings: ScanWarning[]): MaintenanceIssue[] {
  const out: MaintenanceIssue[] = [];
  previous.forEach((p, i) => {
    const r = MaintenanceIssueSchema.safeParse(p);
    if (r.success) out.push(r.data);
    else {
      const id = typeof p === "object" && p !== null && "id" in p ? String((p as { id: unknown }).id) : `#${i}`;
      // Stryker disable next-line OptionalChaining,StringLiteral: a failed safeParse always has at least one issue, so the fallback text is unreachable
      warnings.push({ file: null, line: null, manager: "source", message: `stored issue ${id} is invalid and was skipped: ${r.error.issues[0]?.message ?? "unknown error"}` });
    }
  });
  return out;
}

/**
 * Detect, prioritise, assess risk, reconcile with stored issues, score health and raise alerts.
 * Pure and deterministic: no network, no file system; time comes from `clock` (read once).
 */
export function assess(inputs: AssessInputs, config: CowabungaConfig, clock: Clock): Assessment {
  const now = clock();
  const warnings: ScanWarning[] = [];
  const components = inputs.scan.components;
  const suitesByComponent: Record<string, string[]> = {};
  // Stryker disable next-line MethodExpression: every reader sorts them again (testSuitesFor); sorted here for a stable context
  for (const [name, results] of Object.entries(inputs.testResults ?? {})) suitesByComponent[name] = [...suitesOf(results).keys()].sort();
  const coverage: Record<string, number | null> = {};
  for (const c of components) coverage[c.name] = coverageOf(inputs.testResults?.[c.name]);

  const ctx: DetectContext = { inputs, config, now, components, suitesByComponent, warnings };
  const results = {} as Record<IssueType, DetectorResult>;
  const drafts: IssueDraft[] = [];
  const frozen = inputs.textFiles === undefined ? inputs.textFindings : undefined;
  for (const [type, detect] of DETECTORS) {
    try {
      results[type] = frozen ? replayTextFindings(type, detect(ctx), frozen) : detect(ctx);
      drafts.push(...results[type].drafts);
    } catch (e) {
      results[type] = NOTHING;
      warnings.push({ file: null, line: null, manager: "source", message: `the ${type} detector failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  const riskCtx = { components, coverageByComponent: coverage, minimumReleaseAgeDays: config.updates.minimum_release_age_days };
  const cvssByIssue: Record<string, number | null> = {};
  const current: CurrentIssue[] = drafts.map((d) => {
    const id = issueId(d.type, d.subject);
    const { priority, exposure, fixRisk } = prioritize(d, components);
    // Every draft's CVSS (null but for security issues): alerts read it for security issues only.
    cvssByIssue[id] = d.facts.cvss;
    const why = exposureOf(d, components).why;
    return {
      content: {
        id,
        title: d.title,
        description: d.description,
        type: d.type,
        severity: d.severity,
        priority,
        affected_components: d.affected_components,
        files_affected: d.files_affected,
        estimated_effort: d.estimated_effort,
        resolution_steps: d.resolution_steps,
        testing_requirements: d.testing_requirements,
        risk_assessment: assessIssueRisk(d, riskCtx),
        subject: d.subject,
      },
      // Rules match packages: only security and dependency drafts have any, the others are never ignored.
      ignore: ignoreRuleFor(d, config.ignore, now),
      priorityReason: `priority ${priority}: severity ${d.severity} × exposure ${exposure} (${why}), fix risk ${fixRisk}`,
    };
  });

  const previous = validPrevious(inputs.previousIssues, warnings);
  // Deadlines after reconciliation: due dates from first detection, expired risk acceptances, overdue alerts once.
  const reconciled = applyDeadlines(reconcileIssues(current, previous, results, now), config.sla, now, config.schedule.timezone);
  const overdue = overdueAlerts(reconciled, now, config.schedule.timezone);
  const issues = overdue.issues;

  const dependencies: Dependency[] = inputs.dependencies.map((dep) => {
    const proposed = dep.lookup.status === "ok" && dep.latest_version !== null && ["major", "minor", "patch", "digest"].includes(dep.update_type);
    if (!proposed || dep.skip_reason) return dep;
    const comp = components.find((c) => c.name === dep.component) ?? null;
    const risk = assessUpdateRisk(dep, comp, {
      coverage: coverage[dep.component] ?? null,
      minimumReleaseAgeDays: config.updates.minimum_release_age_days,
      now,
    });
    // Stryker disable next-line OptionalChaining: assessUpdateRisk always lists the release_age factor
    const releaseOld = risk.factors.find((f) => f.name === "release_age")?.score === 0;
    return {
      ...dep,
      update_risk: updateRiskOf(risk.level),
      auto_update_safe: (risk.level === "none" || risk.level === "low") && dep.update_type !== "major" && !dep.deprecated && dep.breaking_changes.length === 0 && releaseOld,
    };
  });

  const hctx: HealthContext = { inputs, config, now, issues, warnings };
  const componentHealth = components.map((c) => assessComponentHealth(c, hctx)).sort((a, b) => compareStrings(a.name, b.name));
  const system = assessSystemHealth(components, componentHealth, hctx, inputs.lastMaintenance ?? null);
  const alerts = [...buildAlerts({ issues, cvssByIssue, components: componentHealth, dependencies, coverage, config, now }), ...overdue.alerts];
  const textFindings: TextFindings = frozen ?? {
    drafts: drafts.filter(isTextDraft),
    examined: [...(inputs.textFiles?.keys() ?? [])],
  };
  return { system, components: componentHealth, issues, dependencies, alerts, warnings, textFindings };
}

/** Drafts that come from file contents: bug markers and documentation. */
function isTextDraft(d: IssueDraft): boolean {
  // Stryker disable next-line ConditionalExpression: only bug drafts have "bug:markers:" subjects (every subject starts with its type)
  return d.type === "documentation" || (d.type === "bug" && d.subject.startsWith("bug:markers:"));
}

/**
 * A detector run without file contents, with the last scan's text findings put back: the drafts it
 * made from contents come back as they were, and nothing they cover counts as gone (this run did not
 * read the files). What it computes from other inputs (the default branch's failing checks) stays live.
 */
function replayTextFindings(type: IssueType, live: DetectorResult, frozen: TextFindings): DetectorResult {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a draft replayed under another type is still one draft of its id (reconcileIssues keeps the first of an id and sorts its result)
  const replayed = frozen.drafts.filter((d) => d.type === type && isTextDraft(d));
  // Stryker disable next-line ArrowFunction: reconcileIssues reads covers() as a condition; undefined is false
  if (type === "documentation") return { drafts: replayed, covers: () => false, goneReason: live.goneReason };
  // Stryker disable next-line MethodExpression: without file contents the live bug detector makes no marker (text) drafts; the filter is a safeguard
  return { ...live, drafts: [...replayed, ...live.drafts.filter((d) => !isTextDraft(d))] };
}
