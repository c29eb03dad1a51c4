import type { Dependency, Severity } from "../../model/index.js";
import { DAY_MS, MONTH_DAYS, compareStrings, datasourceOf, versionLabel, maxSeverity, testSuitesFor, uniqSorted, type IssueDraft } from "../draft.js";
import { effortForUpdate } from "../priority.js";
import type { DetectContext, DetectorResult } from "./context.js";

type Reason = "yanked" | "deprecated" | "unmaintained" | "unsound" | "notice" | "major" | "outdated";

interface Finding {
  dep: Dependency;
  reasons: Reason[];
  severity: Severity;
  notes: string[];
}

function ageDays(iso: string | null, now: Date): number | null {
  // Stryker disable next-line ConditionalExpression: Date.parse of a missing or empty date is NaN, so the next line returns null too
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.floor((now.getTime() - t) / DAY_MS);
}

function isRuntime(dep: Dependency): boolean {
  return ["prod", "peer", "optional", "override", "runtime"].includes(dep.dependency_type);
}

/** What is wrong with one dependency, by the thresholds; empty when nothing. */
export function evaluateDependency(dep: Dependency, ctx: DetectContext): Finding | null {
  if (dep.skip_reason) return null;
  const t = ctx.config.thresholds;
  const reasons: Reason[] = [];
  // Severities above the floor: maxSeverity of none is "low".
  // Stryker disable next-line ArrayDeclaration: an unknown severity counts as none for maxSeverity
  const severities: Severity[] = [];
  const notes: string[] = [];
  const yank = ctx.inputs.yanked?.find((y) => y.package_manager === dep.package_manager && y.name === dep.name && y.version === dep.version);
  if (yank) {
    reasons.push("yanked");
    severities.push("high");
    notes.push(`${dep.version} was yanked from the registry${yank.reason ? `: ${yank.reason}` : ""}`);
  }
  // Informational advisories (RustSec unmaintained / unsound / notice): health, not vulnerabilities.
  const info = dep.advisories?.filter((a) => (a.kind ?? "vulnerability") !== "vulnerability") ?? [];
  if (info.length > 0 && ((ctx.config.issues.include_dev_only ?? true) || !dep.dev_only)) {
    for (const a of info) {
      const reason: Reason = a.kind === "unmaintained" ? "unmaintained" : a.kind === "unsound" ? "unsound" : "notice";
      if (!reasons.includes(reason)) reasons.push(reason);
      if (reason !== "notice") severities.push(reason === "unsound" ? "high" : "medium");
      notes.push(`${a.id}${a.summary ? `: ${a.summary}` : ""}`);
    }
    for (const p of dep.introduced_through.slice(0, 3)) notes.push(`introduced through ${[dep.component, ...p.map((s) => `${s.name} ${s.version}`)].join(" → ")}`);
  }
  if (dep.deprecated) {
    reasons.push("deprecated");
    severities.push("medium");
    notes.push(`${dep.name} is marked deprecated by its registry`);
  }
  if (dep.lookup.status === "ok") {
    const latestAge = ageDays(dep.latest_release_date, ctx.now) ?? 0;
    if (latestAge > t.unmaintained_years * 365.25) {
      reasons.push("unmaintained");
      severities.push("medium");
      // Stryker disable next-line OptionalChaining: a release age was computed, so the date is set
      notes.push(`no release since ${dep.latest_release_date?.slice(0, 10)} (${(latestAge / 365.25).toFixed(1)} years, threshold ${t.unmaintained_years})`);
    }
    if (dep.update_type === "major") {
      reasons.push("major");
      if (isRuntime(dep)) severities.push("medium");
      notes.push(`a major version behind: ${dep.version} → ${dep.latest_version ?? "?"}`);
    }
    const behind = dep.days_behind ?? 0;
    if (behind > t.outdated_months * MONTH_DAYS) {
      reasons.push("outdated");
      if (behind > 2 * t.outdated_months * MONTH_DAYS && isRuntime(dep)) severities.push("medium");
      notes.push(`${(behind / MONTH_DAYS).toFixed(1)} months behind latest ${dep.latest_version ?? "?"} (threshold ${t.outdated_months})`);
    }
  }
  if (reasons.length === 0) return null;
  return { dep, reasons, severity: maxSeverity(severities), notes };
}

const LABEL: Record<Reason, string> = {
  yanked: "yanked version",
  deprecated: "deprecated",
  unmaintained: "unmaintained",
  unsound: "unsound (advisory)",
  notice: "advisory notice",
  major: "major version behind",
  outdated: "outdated",
};

/**
 * Subject: `dependency:<ecosystem>:<package>`. One issue per package across components and
 * versions: a monorepo upgrades a package once, and a partial bump keeps the same issue.
 */
export function detectDependency(ctx: DetectContext): DetectorResult {
  const groups = new Map<string, Finding[]>();
  const unknown = new Set<string>();
  for (const dep of ctx.inputs.dependencies) {
    const subject = `dependency:${datasourceOf(dep)}:${dep.name}`;
    if (!dep.skip_reason && dep.lookup.status !== "ok") unknown.add(subject);
    const f = evaluateDependency(dep, ctx);
    if (!f) continue;
    const list = groups.get(subject) ?? [];
    list.push(f);
    groups.set(subject, list);
  }
  const drafts: IssueDraft[] = [];
  for (const [subject, findings] of groups) {
    findings.sort((a, b) => (a.dep.component + a.dep.file < b.dep.component + b.dep.file ? -1 : 1));
    const name = findings[0].dep.name;
    const reasons = uniqSorted(findings.flatMap((f) => f.reasons)) as Reason[];
    const components = uniqSorted(findings.map((f) => f.dep.component));
    const versions = uniqSorted(findings.map((f) => versionLabel(f.dep)));
    const latest = findings.find((f) => f.dep.latest_version)?.dep.latest_version ?? null;
    const replace = reasons.includes("deprecated") || reasons.includes("unmaintained") || reasons.includes("unsound");
    const steps: string[] = [];
    for (const f of findings) {
      const where = `${f.dep.file}${f.dep.line ? ` (line ${f.dep.line})` : ""}`;
      const transitive = f.dep.depth !== null ? f.dep.depth > 1 : f.dep.current_value === "(transitive)";
      // The first registry package on each path: the repository's own members are not what to upgrade.
      const via = uniqSorted(f.dep.introduced_through.map((p) => p.find((s) => !s.local)?.name).filter((n): n is string => !!n && n !== name));
      if (transitive && (f.reasons.includes("unmaintained") || f.reasons.includes("unsound") || f.reasons.includes("notice"))) {
        // Not declared by the component: the direct dependency that brings it in is what can change.
        steps.push(
          via.length > 0
            ? `${name} ${versionLabel(f.dep)} is not declared by ${f.dep.component}; it comes in through ${via.join(", ")}: upgrade or replace ${via.length === 1 ? "that dependency" : "those dependencies"} to one that no longer needs ${name} (pinned in ${f.dep.lockfile ?? f.dep.file})`
            : `${name} ${versionLabel(f.dep)} is pinned in ${f.dep.lockfile ?? f.dep.file}; find the dependency that brings it in and upgrade or replace it`,
        );
      } else if (f.reasons.includes("deprecated") || f.reasons.includes("unmaintained") || f.reasons.includes("unsound")) {
        steps.push(`Replace ${name} in ${where} with a maintained alternative (check its README or registry page for a successor)`);
      } else if (f.dep.latest_version) {
        steps.push(`Upgrade ${name} from ${versionLabel(f.dep)} to ${f.dep.latest_version} in ${where}`);
      }
      if (f.reasons.includes("yanked")) steps.push(`Move ${name} off the yanked ${versionLabel(f.dep)} in ${where} and regenerate the lockfile`);
    }
    if (findings.some((f) => f.dep.breaking_changes.length > 0)) {
      steps.push(`Review the breaking changes: ${uniqSorted(findings.flatMap((f) => f.dep.breaking_changes)).join("; ")}`);
    }
    steps.push(`Run the tests listed under testing requirements for ${components.join(", ")}`);
    const breaking = Math.max(0, ...findings.map((f) => f.dep.breaking_changes.length));
    const updateType = findings.some((f) => f.dep.update_type === "major")
      ? "major"
      : findings.some((f) => f.dep.update_type === "minor")
        ? "minor"
        : findings.some((f) => f.dep.update_type === "patch")
          ? "patch"
          : findings[0].dep.update_type;
    const description = [
      `${name} (${findings[0].dep.package_manager}) needs attention: ${reasons.map((r) => LABEL[r]).join(", ")}.`,
      latest ? `Latest version: ${latest}${findings[0].dep.latest_release_date ? ` (released ${findings[0].dep.latest_release_date.slice(0, 10)})` : ""}` : "Latest version: unknown",
      "",
      "Found in:",
      ...findings.map((f) => `- ${f.dep.component}: ${name} ${versionLabel(f.dep)} in ${f.dep.file}${f.dep.line ? ` line ${f.dep.line}` : ""} (${f.dep.dependency_type}): ${f.notes.join("; ")}`),
    ].join("\n");
    const latestAge = ageDays(findings[0].dep.latest_release_date, ctx.now);
    drafts.push({
      type: "dependency",
      subject,
      title: `${name} ${versions.join(", ")}: ${reasons.map((r) => LABEL[r]).join(", ")}${latest && !replace ? ` (latest ${latest})` : ""} in ${components.join(", ")}`,
      description,
      severity: maxSeverity(findings.map((f) => f.severity)),
      affected_components: components,
      files_affected: uniqSorted(findings.map((f) => f.dep.file)),
      estimated_effort: replace ? "2 days" : effortForUpdate(updateType, breaking),
      resolution_steps: steps,
      testing_requirements: uniqSorted(components.flatMap((c) => testSuitesFor(c, ctx.components, ctx.suitesByComponent[c]))),
      facts: {
        dependency_types: uniqSorted(findings.map((f) => f.dep.dependency_type)) as IssueDraft["facts"]["dependency_types"],
        update_type: replace ? null : updateType,
        breaking_changes: breaking,
        cvss: null,
        cvss_estimated: false,
        fix_available: replace ? false : latest !== null,
        deprecated_target: findings.some((f) => f.dep.deprecated),
        release_age_days: latestAge,
        change_kind: "dependency",
      },
      packages: findings.map((f) => ({ package_manager: f.dep.package_manager, name: f.dep.name, version: f.dep.version, datasource: f.dep.datasource })),
    });
  }
  drafts.sort((a, b) => compareStrings(a.subject, b.subject));
  return {
    drafts,
    covers: (prev) => !unknown.has(prev.subject),
    goneReason: (prev) => `${prev.subject.split(":").slice(2).join(":")} is up to date, no longer deprecated, or no longer used`,
  };
}
