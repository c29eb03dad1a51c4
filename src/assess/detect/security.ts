import type { AdvisoryRef, Dependency, MaintenanceIssue, Severity, UpdateType } from "../../model/index.js";
import { versioningFor } from "../../enrich/versioning/index.js";
import { compareStrings, datasourceOf, issueId, versionLabel, maxSeverity, testSuitesFor, uniqSorted, type IssueDraft } from "../draft.js";
import { effortForUpdate } from "../priority.js";
import type { DetectContext, DetectorResult } from "./context.js";

/** Severity from a CVSS score: >= 9 critical, >= 7 high, >= 4 medium, else low; unknown → medium. */
export function severityFromCvss(score: number | null): Severity {
  // Stryker disable next-line ConditionalExpression: Number.isFinite(null) is false, so the next line returns "medium" for null too (this one narrows the type)
  if (score === null) return "medium";
  if (!Number.isFinite(score)) return "medium";
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return "low";
}

/** Size of the version change from `from` to `to` in the package's ecosystem. */
export function updateTypeBetween(packageManager: string, from: string, to: string, datasource?: string): UpdateType {
  const v = versioningFor(datasourceOf({ package_manager: packageManager, datasource }));
  const a = v.parts(from);
  const b = v.parts(to);
  if (!a || !b) return "unknown";
  if (b.major !== a.major) return "major";
  if (b.minor !== a.minor) return "minor";
  if (b.patch !== a.patch) return "patch";
  return "none";
}

interface Hit {
  dep: Dependency;
  /** The vulnerability advisories (informational ones go to the dependency detector). */
  advs: AdvisoryRef[];
}

function describeScore(adv: AdvisoryRef): string {
  if (adv.score === null) return "CVSS score: unknown (no score published; severity treated as medium)";
  if (adv.score_estimated) return `CVSS score: ${adv.score.toFixed(1)} (estimated from the advisory's severity rating)`;
  return `CVSS score: ${adv.score.toFixed(1)}${adv.cvss_vector ? ` (${adv.cvss_vector})` : ""}`;
}

/** "api → axum 0.7.5 → hyper 1.4.1 → h2 0.4.15". */
export function introducedThrough(dep: Pick<Dependency, "component" | "introduced_through">): string[] {
  return dep.introduced_through.map((p) => [dep.component, ...p.map((s) => `${s.name} ${s.version}`)].join(" → "));
}

/** Is this a vulnerability advisory (not an informational notice)? Stored data without `kind` is. */
export function isVulnerability(adv: AdvisoryRef): boolean {
  return (adv.kind ?? "vulnerability") === "vulnerability";
}

/** The subject of the one issue per vulnerable package version: `security:<ecosystem>:<name>@<version>`. */
export function securitySubject(ecosystem: string, name: string, version: string): string {
  return `security:${ecosystem}:${name}@${version}`;
}

/** Parse both subject forms: `security:eco:name@version` and the former per-advisory `security:eco:name:ADV`. */
function parseSubject(subject: string): { ecosystem: string; name: string; version: string | null; advisory: string | null } | null {
  const parts = subject.split(":");
  if (parts[0] !== "security" || parts.length < 3) return null;
  if (parts.length === 3) {
    const at = parts[2].lastIndexOf("@");
    if (at <= 0) return null;
    return { ecosystem: parts[1], name: parts[2].slice(0, at), version: parts[2].slice(at + 1), advisory: null };
  }
  return { ecosystem: parts[1], name: parts[2], version: null, advisory: parts.slice(3).join(":") };
}

const PLAN_LABEL: Record<NonNullable<Dependency["remediation"]>["kind"], string> = {
  in_place: "in place (lockfile only)",
  parent_bump: "upgrade the direct dependency that brings it in",
  override: "override the resolved version",
  no_fix: "no fix",
  direct_update: "upgrade the declaration",
};

/** Resolution steps for one declaration, from its remediation plan, naming the file that declares the package. */
function stepsFor(h: Hit, name: string): string[] {
  const d = h.dep;
  const plan = d.remediation;
  if (plan) {
    const steps = [plan.action];
    if (plan.risk) steps.push(`Risk: ${plan.risk}`);
    return steps;
  }
  const to = d.fixed_version ?? h.advs.map((a) => a.fixed_version).find((v) => v) ?? null;
  if (!to) return [];
  const transitive = d.depth !== null ? d.depth > 1 : d.current_value === "(transitive)";
  if (transitive) return [`Update ${name} from ${versionLabel(d)} to ${to} in ${d.lockfile ?? d.file} (it is not declared in a manifest; the lockfile pins it)`];
  const where = `${d.file}${d.line ? ` (line ${d.line})` : ""}`;
  const steps = [`Upgrade ${name} from ${versionLabel(d)} to ${to} in ${where}`];
  if (d.lockfile && d.lockfile !== d.file) steps.push(`Regenerate ${d.lockfile} so it pins ${name} ${to} or later`);
  return steps;
}

/**
 * Subject: `security:<ecosystem>:<name>@<version>`. One issue per vulnerable package version, across
 * the components that reach it, listing every advisory the same upgrade removes; the highest CVSS
 * sets the severity. Informational advisories are left to the dependency detector.
 */
export function detectSecurity(ctx: DetectContext): DetectorResult {
  const includeDevOnly = ctx.config.issues.include_dev_only;
  const groups = new Map<string, Hit[]>();
  for (const dep of ctx.inputs.dependencies) {
    const advs = (dep.advisories ?? []).filter(isVulnerability);
    if (advs.length === 0) continue;
    if (!includeDevOnly && dep.dev_only) continue;
    const subject = securitySubject(datasourceOf(dep), dep.name, dep.locked_version ?? dep.version);
    const list = groups.get(subject) ?? [];
    list.push({ dep, advs });
    groups.set(subject, list);
  }
  const drafts: IssueDraft[] = [];
  // Former per-advisory subjects → the subject that now covers them, for migrating stored issues.
  const supersedes = new Map<string, string>();
  for (const [subject, hits] of groups) {
    hits.sort((x, y) => compareStrings(x.dep.component + x.dep.file, y.dep.component + y.dep.file));
    const first = hits[0];
    const name = first.dep.name;
    const version = versionLabel({ version: first.dep.locked_version ?? first.dep.version, current_value: first.dep.current_value });
    const advisories = new Map<string, AdvisoryRef>();
    for (const h of hits) for (const a of h.advs) if (!advisories.has(a.id)) advisories.set(a.id, a);
    const advList = [...advisories.values()].sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || compareStrings(a.id, b.id));
    for (const a of advList) {
      const old = `security:${datasourceOf(first.dep)}:${name}:${a.id}`;
      if (!supersedes.has(old)) supersedes.set(old, subject);
    }
    const scores = advList.map((a) => a.score).filter((s): s is number => s !== null);
    const score = scores.length > 0 ? Math.max(...scores) : null;
    const severity = severityFromCvss(score);
    const components = uniqSorted(hits.map((h) => h.dep.component));
    const aliases = uniqSorted(advList.flatMap((a) => a.aliases));
    const files = uniqSorted(hits.flatMap((h) => [h.dep.file, h.dep.remediation?.file ?? "", h.dep.lockfile ?? ""]).filter((f) => f !== ""));
    const fixed = hits.map((h) => h.dep.remediation?.target_version ?? h.dep.fixed_version ?? null);
    const fixAvailable = fixed.every((v) => v !== null) && hits.every((h) => h.dep.remediation?.kind !== "no_fix");
    const updateTypes = hits.map((h, i) => {
      const to = fixed[i];
      // Stryker disable next-line StringLiteral: without a fix for every declaration fixAvailable is false and the update type is not used
      return to ? updateTypeBetween(h.dep.package_manager, h.dep.locked_version ?? h.dep.version, to, h.dep.datasource) : "unknown";
    });
    const updateType: UpdateType = updateTypes.includes("major")
      ? "major"
      : updateTypes.includes("unknown")
        ? "unknown"
        : updateTypes.includes("minor")
          ? "minor"
          : updateTypes.includes("patch")
            ? "patch"
            : "none";
    const ids = advList.map((a) => a.id);

    const steps: string[] = [];
    for (const h of hits) for (const st of stepsFor(h, name)) if (!steps.includes(st)) steps.push(st);
    if (!fixAvailable) {
      const unfixed = hits.filter((h, i) => fixed[i] === null || h.dep.remediation?.kind === "no_fix");
      const where = uniqSorted(unfixed.map((h) => h.dep.lockfile ?? h.dep.file)).join(", ");
      const adv = advList[0];
      steps.push(
        `No fixed version of ${name} is published for ${ids.join(", ")}: pin ${name} in ${where} to a version outside the affected range, if one exists`,
        `Remove ${name} (or the dependency that brings it in) or replace it with a maintained alternative, if the component can do without it`,
        `Vendor ${name} and patch the vulnerable code locally${adv.url ? ` (details: ${adv.url})` : ""}`,
        `Monitor ${ids.join(", ")}${aliases.length > 0 ? ` (${aliases.join(", ")})` : ""} for a fixed release and upgrade when it ships`,
      );
    }
    steps.push(`Run the tests listed under testing requirements and confirm ${ids.join(", ")} no longer match${ids.length === 1 ? "es" : ""}`);

    const testing = uniqSorted(components.flatMap((c) => testSuitesFor(c, ctx.components, ctx.suitesByComponent[c])));
    const affected: string[] = [];
    for (const h of hits) {
      const d = h.dep;
      const kind = (d.depth ?? 0) > 1 ? `transitive, depth ${d.depth}` : d.current_value === "(transitive)" ? "transitive" : "direct";
      affected.push(
        `- ${name} ${versionLabel(d)} in ${d.component} (${d.lockfile && d.depth !== 1 ? d.lockfile : `${d.file}${d.line ? ` line ${d.line}` : ""}`}, ${d.dependency_type} dependency, ${kind}${d.dev_only ? ", dev-only" : ""})`,
      );
      for (const p of introducedThrough(d)) affected.push(`  - introduced through ${p}`);
      if (d.remediation) affected.push(`  - fix: ${PLAN_LABEL[d.remediation.kind]}${d.remediation.target_version ? ` → ${d.remediation.target_version}` : ""}`);
    }
    // advList is sorted by CVSS, highest first (unscored last): its first advisory is the worst.
    const best = advList[0];
    const description = [
      advList.length === 1
        ? best.summary.trim() || `${best.id} affects ${name}.`
        : `${advList.length} advisories affect ${name} ${version}; one upgrade removes them all. Worst: ${best.summary.trim() || best.id}`,
      "",
      `Advisories: ${advList.map((a) => `${a.id}${a.score !== null ? ` (CVSS ${a.score.toFixed(1)})` : ""}`).join(", ")}${aliases.length > 0 ? ` (aliases: ${aliases.join(", ")})` : ""}`,
      describeScore(best),
      `Fixed in: ${fixed.some((v) => v) ? uniqSorted(fixed.filter((v): v is string => !!v)).join(", ") : "no fixed version published"}`,
      ...(best.url ? [`Reference: ${best.url}`] : []),
      "",
      "Affected:",
      ...affected,
    ].join("\n");
    const title =
      advList.length === 1
        ? `${ids[0]}: ${name} ${version} in ${components.join(", ")}`
        : `${name} ${version}: ${advList.length} advisories (${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""}) in ${components.join(", ")}`;
    drafts.push({
      type: "security",
      subject,
      title,
      description,
      severity: maxSeverity([severity]),
      affected_components: components,
      files_affected: files,
      estimated_effort: fixAvailable ? effortForUpdate(updateType, hits.reduce((n, h) => n + h.dep.breaking_changes.length, 0)) : "2 days",
      resolution_steps: steps,
      testing_requirements: testing,
      facts: {
        dependency_types: uniqSorted(hits.map((h) => h.dep.dependency_type)) as IssueDraft["facts"]["dependency_types"],
        update_type: fixAvailable ? updateType : null,
        breaking_changes: Math.max(0, ...hits.map((h) => h.dep.breaking_changes.length)),
        cvss: score,
        cvss_estimated: score === null || advList.some((a) => a.score_estimated),
        fix_available: fixAvailable,
        deprecated_target: false,
        release_age_days: null,
        change_kind: "dependency",
      },
      packages: hits.map((h) => ({ package_manager: h.dep.package_manager, name: h.dep.name, version: h.dep.version, datasource: h.dep.datasource })),
    });
  }
  drafts.sort((a, b) => compareStrings(a.subject, b.subject));
  // An advisory is "no longer detected" only where this run checked: the package itself was checked,
  // or it is gone and some package of its ecosystem was checked (the source answered for it).
  // Offline without a mirror, or a failed query, leaves the issue open (not resolved).
  const checkedPackages = new Set<string>();
  const checkedEcosystems = new Set<string>();
  const present = new Set<string>();
  for (const dep of ctx.inputs.dependencies) {
    const key = `${datasourceOf(dep)}:${dep.name}`;
    present.add(key);
    if (!dep.advisories_checked) continue;
    checkedPackages.add(key);
    checkedEcosystems.add(datasourceOf(dep));
  }
  return {
    drafts,
    covers: (prev) => {
      const p = parseSubject(prev.subject);
      if (!p) return false;
      const key = `${p.ecosystem}:${p.name}`;
      return present.has(key) ? checkedPackages.has(key) : checkedEcosystems.has(p.ecosystem);
    },
    goneReason: (prev) => {
      const gone = withdrawnOf(prev, ctx.inputs.withdrawnAdvisories);
      if (gone.length > 0) return `advisory ${gone.join(", ")} was withdrawn`;
      const p = parseSubject(prev.subject);
      if (p?.advisory) return `${p.advisory} no longer matches ${p.name} (upgraded, removed, or the advisory was withdrawn)`;
      return `no advisory matches ${p?.name ?? "the package"} ${p?.version ?? ""} any more (upgraded, removed, or the advisories were withdrawn)`.replace("  ", " ");
    },
    supersededBy: (prev) => {
      const to = supersedes.get(prev.subject);
      return to ? issueId("security", to) : null;
    },
  };
}

/** The advisories a previous issue listed ("Advisories: A, B" line, or a per-advisory subject) that were withdrawn. */
function withdrawnOf(prev: MaintenanceIssue, withdrawn: readonly string[] | undefined): string[] {
  // Stryker disable next-line ConditionalExpression: a fast path; with no withdrawn id the filter below returns [] anyway
  if (!withdrawn || withdrawn.length === 0) return [];
  const set = new Set(withdrawn);
  const listed = new Set<string>();
  const p = parseSubject(prev.subject);
  // Stryker disable next-line ConditionalExpression,OptionalChaining: a null advisory is never withdrawn; covers() is false for a subject that does not parse, so goneReason is never asked about it
  if (p?.advisory) listed.add(p.advisory);
  // Stryker disable next-line StringLiteral: any text without an "Advisories: " line lists no id (the fallback "" and its mutants alike)
  const line = prev.description.split("\n").find((l) => l.startsWith("Advisories: ")) ?? "";
  // The ids only: the " (aliases: …)" part names other databases' ids, never the withdrawn advisory's own.
  const aliasesAt = line.indexOf(" (aliases: ");
  // Stryker disable next-line EqualityOperator,StringLiteral,MethodExpression: the line starts with "Advisories: ", so aliasesAt is never 0, and that prefix, kept or not, never reads as an id
  const ids = (aliasesAt >= 0 ? line.slice(0, aliasesAt) : line).slice("Advisories: ".length);
  // Stryker disable next-line Regex: an id followed by " (" already ends at the ` \(` alternative, so the CVSS group's variants list the same ids
  for (const m of ids.matchAll(/([A-Za-z0-9][A-Za-z0-9._:-]*)(?: \(CVSS [0-9.]+\))?(?:, |$| \()/g)) listed.add(m[1]);
  return [...listed].filter((id) => set.has(id)).sort();
}

/** The id of the issue of a vulnerable package version. */
export function securityIssueId(ecosystem: string, name: string, version: string): string {
  return issueId("security", securitySubject(ecosystem, name, version));
}
