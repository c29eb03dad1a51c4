import type { ComponentType, Dependency, DependencyType, RiskFactor, RiskLevel, RiskLevelName, UpdateType } from "../model/index.js";
import type { ScannedComponent } from "../scan/types.js";
import { DAY_MS, uniqSorted, type DraftFacts, type IssueDraft } from "./draft.js";

/** Component facts risk needs; a ScannedComponent satisfies it. */
export type RiskComponent = Pick<ScannedComponent, "name" | "type" | "dependent_components">;

export interface RiskInput {
  /** What is being changed, for the texts: "the upgrade of requests 2.19.0 → 2.32.3". */
  change: string;
  change_kind: DraftFacts["change_kind"];
  update_type: UpdateType | null;
  breaking_changes: number;
  /** Highest CVSS behind the change; null when none. `has_advisory` says whether one exists at all. */
  cvss: number | null;
  has_advisory: boolean;
  dependency_types: DependencyType[];
  components: RiskComponent[];
  /** Mean line coverage (percent) of the affected components, null when unknown. */
  coverage: number | null;
  release_age_days: number | null;
  minimum_release_age_days: number;
  deprecated_target: boolean;
  /** Test suites to run, for the mitigation and rollback texts. */
  tests: string[];
}

/** Factor weights of a dependency change (they sum to 1). */
export const DEPENDENCY_WEIGHTS = {
  update_type: 0.25,
  breaking_changes: 0.15,
  cvss_score: 0.15,
  dependents: 0.1,
  dependency_scope: 0.1,
  test_coverage: 0.1,
  release_age: 0.1,
  deprecated_target: 0.05,
} as const;

/** Factor weights of a code, CI or test change (they sum to 1). Documentation changes carry no risk factor. */
export const CHANGE_WEIGHTS = { change_kind: 0.45, dependents: 0.3, test_coverage: 0.25 } as const;

const UPDATE_SCORE: Record<UpdateType, number> = { major: 8, minor: 4, patch: 2, digest: 1, none: 0, unknown: 5 };
const KIND_SCORE: Record<DraftFacts["change_kind"], number> = { dependency: 5, code: 5, ci: 4, tests: 3, documentation: 0 };

/** none < 0.5 <= low < 3 <= medium < 5 <= high < 7 <= critical. */
export function riskLevelOf(score: number): RiskLevelName {
  if (score < 0.5) return "none";
  if (score < 3) return "low";
  if (score < 5) return "medium";
  if (score < 7) return "high";
  return "critical";
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function dependentsOf(components: readonly RiskComponent[]): string[] {
  const names = new Set(components.map((c) => c.name));
  return uniqSorted(components.flatMap((c) => c.dependent_components).filter((d) => !names.has(d)));
}

function factorsOf(input: RiskInput): RiskFactor[] {
  const f: RiskFactor[] = [];
  const dependents = dependentsOf(input.components);
  const spread = dependents.length + Math.max(0, input.components.length - 1);
  const dependentsFactor = (weight: number): RiskFactor => ({
    name: "dependents",
    weight,
    score: Math.min(10, spread * 2.5),
    description:
      spread === 0
        ? `only ${input.components[0]?.name ?? "no known component"} is affected; nothing depends on it` // spread 0: at most one component
        : `${input.components.length} component(s) affected${dependents.length > 0 ? `; dependents: ${dependents.join(", ")}` : ""}`,
  });
  const coverageFactor = (weight: number): RiskFactor =>
    input.coverage === null
      ? { name: "test_coverage", weight, score: 6, description: "test coverage unknown: a regression could go unnoticed" }
      : {
          name: "test_coverage",
          weight,
          score: round1(Math.max(0, Math.min(10, (100 - input.coverage) / 10))),
          description: `line coverage ${input.coverage.toFixed(1)}%`,
        };

  if (input.change_kind === "documentation") {
    return [{ name: "change_kind", weight: 1, score: 0, description: "documentation change: no runtime effect" }];
  }
  if (input.change_kind !== "dependency") {
    f.push({
      name: "change_kind",
      weight: CHANGE_WEIGHTS.change_kind,
      score: KIND_SCORE[input.change_kind],
      description: { code: "source code change", ci: "CI or build fix on the default branch", tests: "test or test-infrastructure change" }[input.change_kind],
    });
    f.push(dependentsFactor(CHANGE_WEIGHTS.dependents));
    f.push(coverageFactor(CHANGE_WEIGHTS.test_coverage));
    return f;
  }
  const w = DEPENDENCY_WEIGHTS;
  const ut = input.update_type;
  f.push({
    name: "update_type",
    weight: w.update_type,
    score: ut === null ? 7 : UPDATE_SCORE[ut],
    description: ut === null ? "no drop-in upgrade: replacement or mitigation needed" : ut === "unknown" ? "size of the version change unknown" : `${ut} update`,
  });
  f.push({
    name: "breaking_changes",
    weight: w.breaking_changes,
    score: Math.min(10, input.breaking_changes * 3),
    description: input.breaking_changes === 0 ? "no breaking changes listed" : `${input.breaking_changes} breaking change(s) listed`,
  });
  f.push({
    name: "cvss_score",
    weight: w.cvss_score,
    score: input.cvss ?? (input.has_advisory ? 5 : 0),
    description: input.cvss !== null ? `CVSS ${input.cvss.toFixed(1)}: pressure to ship the fix quickly` : input.has_advisory ? "advisory without a CVSS score" : "no known advisory",
  });
  f.push(dependentsFactor(w.dependents));
  const types = input.dependency_types;
  const runtime = types.some((t) => t === "prod" || t === "peer" || t === "optional" || t === "override" || t === "runtime");
  f.push({
    name: "dependency_scope",
    weight: w.dependency_scope,
    score: runtime ? 7 : types.includes("build") ? 4 : types.length > 0 ? 1 : 5,
    description: runtime ? "runtime dependency" : types.includes("build") ? "build dependency" : types.length > 0 ? "development dependency only" : "scope unknown",
  });
  f.push(coverageFactor(w.test_coverage));
  const age = input.release_age_days;
  const min = input.minimum_release_age_days;
  f.push({
    name: "release_age",
    weight: w.release_age,
    score: age === null ? 3 : age < min ? 8 : 0,
    description: age === null ? "release date of the target unknown" : `target released ${age} day(s) ago (minimum ${min})`,
  });
  f.push({
    name: "deprecated_target",
    weight: w.deprecated_target,
    score: input.deprecated_target ? 10 : 0,
    description: input.deprecated_target ? "the package or target version is deprecated" : "target not deprecated",
  });
  return f;
}

const TYPE_IMPACT: Record<ComponentType, (n: string) => string> = {
  api: (n) => `endpoints of ${n} may return errors or changed responses`,
  ui: (n) => `pages of ${n} may fail to build or render`,
  backend: (n) => `background processing in ${n} may fail`,
  sdk: (n) => `code importing ${n} may break at import or call time`,
  infrastructure: (n) => `image builds or deployments of ${n} may fail`,
};

const TYPE_USERS: Record<ComponentType, (n: string) => string> = {
  api: (n) => `clients of the ${n} API`,
  ui: (n) => `end users of the ${n} UI`,
  backend: (n) => `services relying on ${n}`,
  sdk: (n) => `developers and components importing ${n}`,
  infrastructure: (n) => `operators deploying ${n}`,
};

/** Build the RiskLevel of a change from facts; deterministic, every text derived from the input. */
export function buildRisk(input: RiskInput): RiskLevel {
  const factors = factorsOf(input);
  const totalWeight = factors.reduce((s, x) => s + x.weight, 0);
  const score = totalWeight === 0 ? 0 : round1(factors.reduce((s, x) => s + x.weight * x.score, 0) / totalWeight);
  const level = riskLevelOf(score);
  const names = input.components.map((c) => c.name);
  const where = names.length > 0 ? names.join(", ") : "the repository";
  const dependents = dependentsOf(input.components);
  const devOnly = input.change_kind === "dependency" && input.dependency_types.length > 0 && input.dependency_types.every((t) => t === "dev");
  const tests = input.tests.length > 0 ? input.tests.join("; ") : "the affected test suites";
  /** Highest CVSS; no score counts as 0, below every threshold. */
  const cvss = input.cvss ?? 0;

  let potential_impact: string;
  let affected_users: string;
  let downtime_estimate: string;
  if (input.change_kind === "documentation") {
    potential_impact = `Readers of ${where} documentation hit dead links or missing pages; no runtime effect`;
    affected_users = `readers of the documentation of ${where}`;
    downtime_estimate = "none";
  } else {
    const impacts = input.components.map((c) => TYPE_IMPACT[c.type](c.name));
    const base =
      input.change_kind === "dependency"
        ? `${input.change} could change behaviour: ${impacts.join("; ") || "effects unknown"}`
        : input.change_kind === "ci"
          ? `While the default branch is red, changes to ${where} cannot be validated and broken code may ship`
          : input.change_kind === "tests"
            ? `Slow or flaky feedback from CI delays every change to ${where}`
            : `Unfinished or known-buggy code paths in ${where} may misbehave: ${impacts.join("; ")}`;
    potential_impact = cvss >= 7 ? `${base}. Until fixed, a CVSS ${cvss.toFixed(1)} vulnerability stays exploitable` : base;
    affected_users = devOnly
      ? `developers of ${where} (development dependency only)`
      : [input.components.map((c) => TYPE_USERS[c.type](c.name)).join(", ") || "users of the repository", dependents.length > 0 ? `and dependents ${dependents.join(", ")}` : ""]
          .filter((s) => s !== "")
          .join(" ");
    if (devOnly || input.change_kind === "tests") downtime_estimate = "none (development and CI only)";
    else if (input.components.length > 0 && input.components.every((c) => c.type === "sdk")) downtime_estimate = "none at runtime; dependents' builds may fail until reverted";
    else if (level === "none" || level === "low") downtime_estimate = "none expected; a rollback takes under 15 minutes";
    else if (level === "medium") downtime_estimate = `up to 15 minutes (rollback and redeploy of ${where})`;
    else downtime_estimate = `up to 1 hour (rollback, redeploy and verification of ${where})`;
  }

  const mitigation: string[] = [];
  if (input.change_kind === "documentation") mitigation.push("Preview the rendered Markdown and follow every changed link");
  else mitigation.push(`Make the change in a pull request and let CI run: ${tests}`);
  for (const f of factors) {
    if (f.score === 0) continue;
    if (f.name === "update_type" && (input.update_type === "major" || input.update_type === null))
      mitigation.push("Read the changelog and migration guide before merging; deploy to a staging environment first");
    if (f.name === "breaking_changes") mitigation.push("Check every listed breaking change against the code that uses the package");
    if (f.name === "dependents" && dependents.length > 0) mitigation.push(`Also run the test suites of dependents: ${dependents.join(", ")}`);
    if (f.name === "test_coverage" && f.score >= 5) mitigation.push(`Add or run smoke tests for ${where}: coverage is ${input.coverage === null ? "unknown" : "low"}`);
    if (f.name === "release_age" && f.score === 8) mitigation.push(`Wait until the release is ${input.minimum_release_age_days} days old, unless it fixes an exploitable vulnerability`);
    if (f.name === "deprecated_target") mitigation.push("Prefer a non-deprecated version or a maintained replacement");
    if (f.name === "cvss_score" && cvss >= 7) mitigation.push("Ship the fix promptly, as an emergency change if no maintenance window is near");
  }

  const contingency =
    input.change_kind === "documentation"
      ? "If a fixed link is still wrong, correct it in a follow-up commit; nothing else is affected."
      : `If ${where} fails after the change: roll back (see rollback procedure), redeploy the previous version, and reopen the issue with the failure log${input.has_advisory ? "; keep the advisory's mitigations in place until a working fix ships" : ""}.`;
  const rollback =
    `Revert the change with \`git revert <update commit>\` and push (or, before anyone builds on the branch, \`git reset --hard <rollback_before_commit>\`)` +
    (input.change_kind === "documentation" ? "." : `; then redeploy ${where} and re-run ${tests}.`);

  return {
    level,
    score,
    factors,
    potential_impact,
    affected_users,
    downtime_estimate,
    mitigation_steps: mitigation,
    contingency_plan: contingency,
    rollback_procedure: rollback,
  };
}

export interface IssueRiskContext {
  components: readonly ScannedComponent[];
  coverageByComponent: Readonly<Record<string, number | null>>;
  minimumReleaseAgeDays: number;
}

function meanCoverage(names: readonly string[], coverage: Readonly<Record<string, number | null>>): number | null {
  const known = names.map((n) => coverage[n]).filter((v): v is number => typeof v === "number");
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

function componentsOf(names: readonly string[], components: readonly ScannedComponent[]): RiskComponent[] {
  return names.map((n) => components.find((c) => c.name === n) ?? { name: n, type: "backend" as ComponentType, dependent_components: [] });
}

/** The RiskLevel of resolving an issue draft. */
export function assessIssueRisk(draft: IssueDraft, ctx: IssueRiskContext): RiskLevel {
  const pkg = draft.packages[0];
  return buildRisk({
    change: pkg ? `Changing ${pkg.name}` : draft.title,
    change_kind: draft.facts.change_kind,
    // Only dependency drafts carry an update type (nonDependencyFacts sets null); risk reads it only for them.
    update_type: draft.facts.update_type,
    breaking_changes: draft.facts.breaking_changes,
    cvss: draft.facts.cvss,
    has_advisory: draft.type === "security",
    dependency_types: draft.facts.dependency_types,
    components: componentsOf(draft.affected_components, ctx.components),
    coverage: meanCoverage(draft.affected_components, ctx.coverageByComponent),
    release_age_days: draft.facts.release_age_days,
    minimum_release_age_days: ctx.minimumReleaseAgeDays,
    deprecated_target: draft.facts.deprecated_target,
    tests: draft.testing_requirements,
  });
}

export interface UpdateRiskOptions {
  /** The version proposed; default dep.latest_version. */
  targetVersion?: string | null;
  /** Line coverage (percent) of the component, when known. */
  coverage?: number | null;
  /** Minimum release age from config (updates.minimum_release_age_days); default 3. */
  minimumReleaseAgeDays?: number;
  /** Release date of the target (ISO); default dep.latest_release_date when the target is latest. */
  targetReleaseDate?: string | null;
  targetDeprecated?: boolean;
  /** Needed to compute the release age; without it the age is unknown. */
  now?: Date;
  tests?: string[];
}

/** The RiskLevel of a proposed update of one dependency in one component. */
export function assessUpdateRisk(dep: Dependency, component: RiskComponent | null, opts: UpdateRiskOptions = {}): RiskLevel {
  const target = opts.targetVersion === undefined ? dep.latest_version : opts.targetVersion;
  const releaseDate = opts.targetReleaseDate !== undefined ? opts.targetReleaseDate : target === dep.latest_version ? dep.latest_release_date : null;
  const t = releaseDate ? Date.parse(releaseDate) : NaN;
  const age = opts.now && !Number.isNaN(t) ? Math.max(0, Math.floor((opts.now.getTime() - t) / DAY_MS)) : null;
  const scores = dep.advisories.map((a) => a.score).filter((s): s is number => s !== null);
  return buildRisk({
    change: `The upgrade of ${dep.name} ${dep.version} → ${target ?? "a newer version"}`,
    change_kind: "dependency",
    update_type: dep.update_type,
    breaking_changes: dep.breaking_changes.length,
    cvss: scores.length > 0 ? Math.max(...scores) : dep.vulnerability_score,
    has_advisory: dep.advisories.length > 0 || dep.cve_ids.length > 0,
    dependency_types: [dep.dependency_type],
    components: [component ?? { name: dep.component, type: "backend", dependent_components: [] }],
    coverage: opts.coverage ?? null,
    release_age_days: age,
    minimum_release_age_days: opts.minimumReleaseAgeDays ?? 3,
    deprecated_target: opts.targetDeprecated ?? dep.deprecated,
    tests: opts.tests ?? [],
  });
}
