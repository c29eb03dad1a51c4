/**
 * Facts every report format shows the same way: orderings, counts, which dependencies are vulnerable
 * or outdated, and which advisories belong to an issue. Pure functions of an Assessment.
 */
import type { Assessment } from "../../assess/types.js";
import type { AdvisoryRef, Dependency, MaintenanceIssue, Priority, Severity, SystemHealth } from "../../model/index.js";
import { rankRemediations, type RankedChange } from "../../enrich/remediation.js";

export type { RankedChange };

/** The planned security fixes, the change that removes the most advisories first. */
export function securityFixPlan(deps: readonly Dependency[]): RankedChange[] {
  return rankRemediations(deps);
}

/** One line per change: "Upgrade … — removes 4 advisories in rustls-webpki 0.102.8 (cowabunga-api, cowabunga-db)". */
export function fixPlanLine(c: RankedChange): string {
  return `${c.action} — removes ${c.advisories.length} advisor${c.advisories.length === 1 ? "y" : "ies"} (${c.advisories.slice(0, 6).join(", ")}${c.advisories.length > 6 ? ", …" : ""}) in ${c.packages.join(", ")} (${c.components.join(", ")})`;
}

export const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "medium", "low"];
export const PRIORITY_ORDER: readonly Priority[] = ["immediate", "high", "medium", "low"];
export const STATUS_ORDER = ["open", "in_progress", "deferred", "resolved"] as const;
const UPDATE_ORDER = ["major", "minor", "patch", "digest", "unknown", "none"] as const;

function rank<T>(order: readonly T[], value: T): number {
  const i = order.indexOf(value);
  return i < 0 ? order.length : i;
}

/** Open issues count; resolved and deferred ones do not. */
export function isOpenIssue(issue: MaintenanceIssue): boolean {
  return issue.status === "open" || issue.status === "in_progress";
}

/** Open first, then by priority, severity, risk score (high first), then id for a stable order. */
export function sortIssues(issues: readonly MaintenanceIssue[]): MaintenanceIssue[] {
  return [...issues].sort(
    (a, b) =>
      rank(STATUS_ORDER, a.status) - rank(STATUS_ORDER, b.status) ||
      rank(PRIORITY_ORDER, a.priority) - rank(PRIORITY_ORDER, b.priority) ||
      rank(SEVERITY_ORDER, a.severity) - rank(SEVERITY_ORDER, b.severity) ||
      b.risk_assessment.score - a.risk_assessment.score ||
      a.id.localeCompare(b.id),
  );
}

/** A dependency with a known advisory or CVE at its current version. */
export function isVulnerable(dep: Dependency): boolean {
  // Informational advisories (unmaintained, unsound) are health findings, not vulnerabilities.
  return dep.advisories.some((a) => (a.kind ?? "vulnerability") === "vulnerability") || dep.cve_ids.length > 0 || (dep.vulnerability_score ?? 0) > 0;
}

/** "api → axum 0.7.5 → hyper 1.4.1 → h2 0.4.15", one per recorded path (at most 3). */
export function introducedThrough(dep: Pick<Dependency, "component" | "introduced_through">): string[] {
  return (dep.introduced_through ?? []).map((p) => [dep.component, ...p.map((s) => `${s.name} ${s.version}`)].join(" → "));
}

/** "direct", "transitive (depth 3)", "transitive", with ", dev-only" when reached only through dev dependencies. */
export function dependencyDepth(dep: Pick<Dependency, "depth" | "current_value" | "dev_only">): string {
  const base = dep.depth === 1 ? "direct" : dep.depth !== null && dep.depth > 1 ? `transitive (depth ${dep.depth})` : dep.current_value === "(transitive)" ? "transitive" : "direct";
  return dep.dev_only ? `${base}, dev-only` : base;
}

const PLAN_KIND: Record<NonNullable<Dependency["remediation"]>["kind"], string> = {
  in_place: "in place (lockfile only)",
  parent_bump: "parent bump",
  override: "override",
  no_fix: "no fix",
  direct_update: "manifest update",
};

/** "parent bump: libsql 0.9.30 → 0.9.31 (fixes 0.103.10)", "in place (lockfile only) → 0.4.16", "no fix". */
export function remediationSummary(dep: Pick<Dependency, "remediation">): string {
  const p = dep.remediation;
  if (!p) return "";
  if (p.kind === "parent_bump" && p.parent) return `${PLAN_KIND[p.kind]}: ${p.parent.name} ${p.parent.from} → ${p.parent.to}`;
  return `${PLAN_KIND[p.kind]}${p.target_version ? ` → ${p.target_version}` : ""}`;
}

/** A dependency whose latest known version is newer than the one in use. */
export function isOutdated(dep: Dependency): boolean {
  if (dep.update_type === "major" || dep.update_type === "minor" || dep.update_type === "patch" || dep.update_type === "digest") return true;
  if (dep.update_type === "none") return false;
  return dep.latest_version != null && dep.latest_version !== "" && dep.latest_version !== dep.version;
}

/** Vulnerable first (highest CVSS first), then outdated (major before minor, most days behind first), then the rest by name. */
export function sortDependencies(deps: readonly Dependency[]): Dependency[] {
  const group = (d: Dependency): number => (isVulnerable(d) ? 0 : isOutdated(d) ? 1 : 2);
  return [...deps].sort(
    (a, b) =>
      group(a) - group(b) ||
      (b.vulnerability_score ?? 0) - (a.vulnerability_score ?? 0) ||
      rank(UPDATE_ORDER, a.update_type) - rank(UPDATE_ORDER, b.update_type) ||
      (b.days_behind ?? -1) - (a.days_behind ?? -1) ||
      a.name.localeCompare(b.name) ||
      a.component.localeCompare(b.component) ||
      a.file.localeCompare(b.file),
  );
}

export interface ReportCounts {
  components: number;
  issues_total: number;
  issues_open: number;
  open_by_severity: Record<Severity, number>;
  dependencies: number;
  vulnerable: number;
  outdated: number;
  deprecated: number;
  /** Dependencies whose advisories could not be checked (offline, no mirror for the ecosystem, a failed query): "0 vulnerable" does not cover them. */
  not_checked: number;
}

/** A dependency that could have been checked for advisories but was not (skipped ones, e.g. local paths, are not counted). */
export function isUncheckedForAdvisories(dep: Dependency): boolean {
  return !dep.advisories_checked && !dep.skip_reason && dep.advisories.length === 0;
}

export function countReport(a: Assessment): ReportCounts {
  const open = a.issues.filter(isOpenIssue);
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0 } as Record<Severity, number>;
  for (const i of open) bySeverity[i.severity] += 1;
  return {
    components: a.components.length,
    issues_total: a.issues.length,
    issues_open: open.length,
    open_by_severity: bySeverity,
    dependencies: a.dependencies.length,
    vulnerable: a.dependencies.filter(isVulnerable).length,
    outdated: a.dependencies.filter(isOutdated).length,
    deprecated: a.dependencies.filter((d) => d.deprecated).length,
    not_checked: a.dependencies.filter(isUncheckedForAdvisories).length,
  };
}

/**
 * The system's single health figure: the mean of its components' health scores, or null when it has
 * none. SystemHealth carries no overall score of its own, so the chart and summaries use this.
 */
export function systemHealthScore(s: SystemHealth): number | null {
  if (s.components.length === 0) return null;
  return s.components.reduce((sum, c) => sum + c.health_score, 0) / s.components.length;
}

function mentions(haystack: string, needle: string): boolean {
  if (needle === "") return false;
  const h = haystack.toLowerCase();
  const n = needle.toLowerCase();
  let from = 0;
  for (;;) {
    const i = h.indexOf(n, from);
    if (i < 0) return false;
    const before = i === 0 ? "" : h[i - 1];
    const after = h[i + n.length] ?? "";
    // Whole token: GHSA-xxxx must not match GHSA-xxxx-yyyy's prefix, requests not match requests-oauthlib.
    if (!/[a-z0-9_-]/.test(before) && !/[a-z0-9_-]/.test(after)) return true;
    from = i + 1;
  }
}

/**
 * Advisories behind an issue. Issues carry no advisory list, so this links them through the
 * dependencies: a dependency belongs to the issue when it is in one of the issue's components (or the
 * issue names none) and its name appears in the issue's subject (`pypi:requests@2.19.0:...`) or title.
 * Of its advisories, those whose id or an alias is named by the issue are returned; when none is
 * named and the issue is a security issue, all of them are.
 */
export function advisoriesForIssue(issue: MaintenanceIssue, deps: readonly Dependency[]): AdvisoryRef[] {
  const text = `${issue.subject}\n${issue.title}\n${issue.description}`;
  const out = new Map<string, AdvisoryRef>();
  for (const dep of deps) {
    if (dep.advisories.length === 0) continue;
    if (issue.affected_components.length > 0 && !issue.affected_components.includes(dep.component)) continue;
    const namedBySubject = issue.subject !== "" && (issue.subject.includes(`:${dep.name}@`) || issue.subject.startsWith(`${dep.name}@`));
    if (!namedBySubject && !mentions(`${issue.subject}\n${issue.title}`, dep.name)) continue;
    const named = dep.advisories.filter((adv) => [adv.id, ...adv.aliases].some((id) => mentions(text, id)));
    const chosen = named.length > 0 ? named : issue.type === "security" ? dep.advisories : [];
    for (const adv of chosen) if (!out.has(adv.id)) out.set(adv.id, adv);
  }
  return [...out.values()];
}

/** Percent with no decimals for display, e.g. 0.923 → "92%"; null → "n/a". */
export function percent(fraction: number | null | undefined): string {
  return fraction == null || Number.isNaN(fraction) ? "n/a" : `${Math.round(fraction * 100)}%`;
}
