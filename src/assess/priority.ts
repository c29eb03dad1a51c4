import type { ComponentType, Priority, Severity, UpdateType } from "../model/index.js";
import type { ScannedComponent } from "../scan/types.js";
import type { IssueDraft } from "./draft.js";

export type Exposure = "high" | "medium" | "low";
export type FixRisk = "high" | "medium" | "low";

/** Points for the most exposed affected component (see docs/assess.md). */
export const COMPONENT_EXPOSURE: Readonly<Record<ComponentType, number>> = {
  api: 2,
  ui: 2,
  backend: 1,
  sdk: 1,
  infrastructure: 1,
};

/**
 * Exposure points = scope (0..2) + component (0..2) + breadth (0..1):
 * - scope: a prod/peer/optional dependency, or code/CI/tests of the component → 2; build → 1;
 *   dev-only → 0; documentation → 0.
 * - component: the highest COMPONENT_EXPOSURE among affected components (unknown → 1).
 * - breadth: +1 when 3 or more components are affected, or the affected ones have 2 or more dependents.
 * high >= 4, medium 2..3, low <= 1.
 */
export function exposureOf(draft: IssueDraft, components: readonly ScannedComponent[]): { exposure: Exposure; points: number; why: string } {
  const f = draft.facts;
  let scope: number;
  let scopeWhy: string;
  if (f.change_kind === "documentation") {
    scope = 0;
    scopeWhy = "documentation only";
  } else if (f.dependency_types.length === 0) {
    scope = 2;
    scopeWhy = `${f.change_kind} of the component`;
  } else if (f.dependency_types.some((t) => t === "prod" || t === "peer" || t === "optional" || t === "override" || t === "runtime")) {
    scope = 2;
    scopeWhy = "runtime dependency";
  } else if (f.dependency_types.includes("build")) {
    scope = 1;
    scopeWhy = "build dependency";
  } else {
    scope = 0;
    scopeWhy = "development dependency only";
  }
  const affected = draft.affected_components.map((n) => components.find((c) => c.name === n));
  const compPoints = affected.length === 0 ? 1 : Math.max(...affected.map((c) => (c ? COMPONENT_EXPOSURE[c.type] : 1)));
  const dependents = new Set<string>();
  for (const c of affected) for (const d of c?.dependent_components ?? []) if (!draft.affected_components.includes(d)) dependents.add(d);
  const breadth = draft.affected_components.length >= 3 || dependents.size >= 2 ? 1 : 0;
  const points = scope + compPoints + breadth;
  const exposure: Exposure = points >= 4 ? "high" : points >= 2 ? "medium" : "low";
  const why = `${scopeWhy} (+${scope}), component exposure +${compPoints}, breadth +${breadth} (${draft.affected_components.length} affected, ${dependents.size} dependent)`;
  return { exposure, points, why };
}

/**
 * Fix risk: low when the fix is a patch/minor/digest bump or a docs change; high when no fix
 * exists or the fix is a major bump with listed breaking changes; medium otherwise (major bump
 * without listed breaking changes, unknown size, code changes).
 */
export function fixRiskOf(draft: IssueDraft): FixRisk {
  const f = draft.facts;
  if (f.change_kind === "documentation") return "low";
  if (f.fix_available === false) return "high";
  if (f.update_type === "major") return f.breaking_changes > 0 ? "high" : "medium";
  if (f.update_type === "patch" || f.update_type === "minor" || f.update_type === "digest" || f.update_type === "none") return "low";
  return "medium";
}

/** The severity × exposure table (docs/assess.md, "Priority"). */
export const PRIORITY_TABLE: Readonly<Record<Severity, Readonly<Record<Exposure, Priority>>>> = {
  critical: { high: "immediate", medium: "immediate", low: "high" },
  high: { high: "immediate", medium: "high", low: "medium" },
  medium: { high: "high", medium: "medium", low: "low" },
  low: { high: "medium", medium: "low", low: "low" },
};

const PRIORITY_ORDER: readonly Priority[] = ["low", "medium", "high", "immediate"];

/** Table lookup, then: a high fix risk lowers medium/low-severity issues one step (never below low). */
export function priorityFor(severity: Severity, exposure: Exposure, fixRisk: FixRisk): Priority {
  const base = PRIORITY_TABLE[severity][exposure];
  if (fixRisk === "high" && (severity === "medium" || severity === "low")) {
    return PRIORITY_ORDER[Math.max(0, PRIORITY_ORDER.indexOf(base) - 1)];
  }
  return base;
}

export function prioritize(draft: IssueDraft, components: readonly ScannedComponent[]): { priority: Priority; exposure: Exposure; fixRisk: FixRisk } {
  const { exposure } = exposureOf(draft, components);
  const fixRisk = fixRiskOf(draft);
  return { priority: priorityFor(draft.severity, exposure, fixRisk), exposure, fixRisk };
}

/** Effort of a version bump: patch/digest 30 minutes, minor 1 hour, major 1 day with breaking changes else 4 hours. */
export function effortForUpdate(updateType: UpdateType | null, breakingChanges: number): string {
  switch (updateType) {
    case "patch":
    case "digest":
    case "none":
      return "30 minutes";
    case "minor":
      return "1 hour";
    case "major":
      return breakingChanges > 0 ? "1 day" : "4 hours";
    default:
      return "2 hours";
  }
}
