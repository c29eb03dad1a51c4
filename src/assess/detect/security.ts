import type { AdvisoryRef, Dependency, Severity, UpdateType } from "../../model/index.js";
import { versioningFor } from "../../enrich/versioning/index.js";
import { datasourceOf, issueId, versionLabel, maxSeverity, testSuitesFor, uniqSorted, type IssueDraft } from "../draft.js";
import { effortForUpdate } from "../priority.js";
import type { DetectContext, DetectorResult } from "./context.js";

/** Severity from a CVSS score: >= 9 critical, >= 7 high, >= 4 medium, else low; unknown → medium. */
export function severityFromCvss(score: number | null): Severity {
  if (score === null || !Number.isFinite(score)) return "medium";
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
  adv: AdvisoryRef;
}

function describeScore(adv: AdvisoryRef): string {
  if (adv.score === null) return "CVSS score: unknown (no score published; severity treated as medium)";
  if (adv.score_estimated) return `CVSS score: ${adv.score.toFixed(1)} (estimated from the advisory's severity rating)`;
  return `CVSS score: ${adv.score.toFixed(1)}${adv.cvss_vector ? ` (${adv.cvss_vector})` : ""}`;
}

/** Subject: `security:<ecosystem>:<package>:<advisory id>`. One issue per advisory and package, across components. */
export function detectSecurity(ctx: DetectContext): DetectorResult {
  const groups = new Map<string, Hit[]>();
  for (const dep of ctx.inputs.dependencies) {
    for (const adv of dep.advisories ?? []) {
      const subject = `security:${datasourceOf(dep)}:${dep.name}:${adv.id}`;
      const list = groups.get(subject) ?? [];
      list.push({ dep, adv });
      groups.set(subject, list);
    }
  }
  const drafts: IssueDraft[] = [];
  for (const [subject, hits] of groups) {
    hits.sort((x, y) => (x.dep.component + x.dep.file < y.dep.component + y.dep.file ? -1 : 1));
    const first = hits[0];
    const name = first.dep.name;
    const adv = first.adv;
    const scores = hits.map((h) => h.adv.score).filter((s): s is number => s !== null);
    const score = scores.length > 0 ? Math.max(...scores) : null;
    const severity = severityFromCvss(score);
    const components = uniqSorted(hits.map((h) => h.dep.component));
    const versions = uniqSorted(hits.map((h) => versionLabel(h.dep)));
    const aliases = uniqSorted(hits.flatMap((h) => h.adv.aliases));
    const lockfiles = new Map<string, string>();
    for (const h of hits) {
      if (!h.dep.locked_version) continue;
      const lock = ctx.inputs.scan.locked.find(
        (l) => l.name === h.dep.name && l.component === h.dep.component && l.version === h.dep.locked_version && l.file !== h.dep.file,
      );
      if (lock) lockfiles.set(`${h.dep.component}\n${h.dep.file}`, lock.file);
    }
    const files = uniqSorted(hits.flatMap((h) => [h.dep.file, lockfiles.get(`${h.dep.component}\n${h.dep.file}`) ?? ""]).filter((f) => f !== ""));
    const fixed = hits.map((h) => h.adv.fixed_version ?? h.dep.fixed_version).filter((v): v is string => !!v);
    const fixAvailable = fixed.length === hits.length;
    const updateTypes = hits.map((h) => {
      const to = h.adv.fixed_version ?? h.dep.fixed_version;
      return to ? updateTypeBetween(h.dep.package_manager, h.dep.version, to, h.dep.datasource) : "unknown";
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

    const steps: string[] = [];
    for (const h of hits) {
      const to = h.adv.fixed_version ?? h.dep.fixed_version;
      const where = `${h.dep.file}${h.dep.line ? ` (line ${h.dep.line})` : ""}`;
      if (to) {
        steps.push(`Upgrade ${name} from ${versionLabel(h.dep)} to ${to} in ${where}`);
        const lock = lockfiles.get(`${h.dep.component}\n${h.dep.file}`);
        if (lock) steps.push(`Regenerate ${lock} so it pins ${name} ${to} or later`);
      }
    }
    if (!fixAvailable) {
      const unfixed = hits.filter((h) => !(h.adv.fixed_version ?? h.dep.fixed_version));
      const where = uniqSorted(unfixed.map((h) => h.dep.file)).join(", ");
      steps.push(
        `No fixed version of ${name} is published for ${adv.id}: pin ${name} in ${where} to a version outside the affected range, if one exists`,
        `Remove ${name} from ${where} or replace it with a maintained alternative, if the component can do without it`,
        `Vendor ${name} and patch the vulnerable code locally${adv.url ? ` (details: ${adv.url})` : ""}`,
        `Monitor ${adv.id}${aliases.length > 0 ? ` (${aliases.join(", ")})` : ""} for a fixed release and upgrade when it ships`,
      );
    }
    steps.push(`Run the tests listed under testing requirements and confirm ${adv.id} no longer matches`);

    const testing = uniqSorted(components.flatMap((c) => testSuitesFor(c, ctx.components, ctx.suitesByComponent[c])));
    const affected = hits.map(
      (h) => `- ${name} ${versionLabel(h.dep)} in ${h.dep.component} (${h.dep.file}${h.dep.line ? ` line ${h.dep.line}` : ""}, ${h.dep.dependency_type} dependency)`,
    );
    const description = [
      adv.summary.trim() || `${adv.id} affects ${name}.`,
      "",
      `Advisory: ${adv.id}${aliases.length > 0 ? ` (aliases: ${aliases.join(", ")})` : ""}`,
      describeScore(hits.find((h) => h.adv.score === score)?.adv ?? adv),
      `Fixed in: ${fixed.length > 0 ? uniqSorted(fixed).join(", ") : "no fixed version published"}`,
      ...(adv.url ? [`Reference: ${adv.url}`] : []),
      "",
      "Affected:",
      ...affected,
    ].join("\n");
    const title = `${adv.id}: ${name} ${versions.join(", ")} in ${components.join(", ")}`;
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
        cvss_estimated: score === null || hits.some((h) => h.adv.score_estimated),
        fix_available: fixAvailable,
        deprecated_target: false,
        release_age_days: null,
        change_kind: "dependency",
      },
      packages: hits.map((h) => ({ package_manager: h.dep.package_manager, name: h.dep.name, version: h.dep.version, datasource: h.dep.datasource })),
    });
  }
  drafts.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
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
      const parts = prev.subject.split(":");
      const key = `${parts[1]}:${parts[2]}`;
      return present.has(key) ? checkedPackages.has(key) : checkedEcosystems.has(parts[1] ?? "");
    },
    goneReason: (prev) => {
      const parts = prev.subject.split(":");
      const advId = parts.slice(3).join(":");
      return `${advId} no longer matches ${parts[2] ?? "the package"} (upgraded, removed, or the advisory was withdrawn)`;
    },
  };
}

/** Exposed for tests and the id of a draft. */
export function securityIssueId(ecosystem: string, name: string, advisoryId: string): string {
  return issueId("security", `security:${ecosystem}:${name}:${advisoryId}`);
}
