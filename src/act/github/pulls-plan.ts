import type { CowabungaConfig } from "../../config/schema.js";
import type { Dependency, MaintenanceIssue, Priority, ValueSpan } from "../../model/index.js";
import { isTerminalState } from "../../model/lifecycle.js";
import { isInMaintenanceWindow } from "../../app/schedule.js";
import { BRANCH_PREFIX, readMarker, refSegment, updateBranchName } from "./pulls-git.js";
import { compareDepVersions } from "./pulls-lifecycle.js";

import { lockEditorFor } from "./updaters/lock-inplace.js";

/** One dependency as the PR marker records it: enough to redo the edit on a new base. */
export interface MarkerDep {
  name: string;
  component: string;
  package_manager: string;
  file: string;
  line: number | null;
  current_value: string;
  from: string;
  to: string;
  security: boolean;
  /** SHA- or digest-pinned declarations: the pin before and the SHA / digest `to` resolved to. */
  from_digest?: string | null;
  to_digest?: string | null;
  /** Where the scan found the version (line, columns, text): the update replaces that span. */
  value_span?: ValueSpan | null;
}

/** The hidden `<!-- cowabunga:pr:{...} -->` marker of an update PR. */
export interface PrMarker {
  v: 1;
  group: string;
  issues: string[];
  deps: MarkerDep[];
  base_sha: string;
  /** Head branch of the PR (recorded so the issue listing, which has no head ref, can tell it). */
  branch?: string;
}

export function parsePrMarker(body: string | null | undefined): PrMarker | null {
  const raw = readMarker(body, "pr");
  if (!raw) return null;
  // Stryker disable next-line ConditionalExpression: equivalent; a number, string or boolean marker has no string `group`, so the check below refuses it too
  if (typeof raw !== "object") return null;
  const m = raw as Partial<PrMarker>;
  if (typeof m.group !== "string" || !Array.isArray(m.deps) || typeof m.base_sha !== "string") return null;
  return {
    v: 1,
    group: m.group,
    issues: Array.isArray(m.issues) ? m.issues.filter((i) => typeof i === "string") : [],
    deps: m.deps as MarkerDep[],
    base_sha: m.base_sha,
    ...(typeof m.branch === "string" ? { branch: m.branch } : {}),
  };
}

export interface PlannedUpdate {
  dep: Dependency;
  newVersion: string;
  security: boolean;
  /** Open maintenance issues this update resolves. */
  issues: MaintenanceIssue[];
}

export interface PlannedGroup {
  /** Grouping key, also in the marker: `<component>/<package>` (none), `<component>/<kind>` or `all/<kind>`. */
  key: string;
  branch: string;
  title: string;
  component: string;
  updates: PlannedUpdate[];
  security: boolean;
  /** A critical vulnerability: may open outside maintenance windows. */
  critical: boolean;
  /** Open PRs this group replaces (same key, other targets): closed with a comment once this one is open. */
  supersedes: number[];
}

export interface OpenPullRequest {
  number: number;
  head_ref: string;
  body: string | null;
}

export interface PlanSkip {
  name: string;
  file: string;
  reason: string;
}

export interface UpdatePlan {
  groups: PlannedGroup[];
  /** Groups whose identical PR is already open. */
  unchanged: Array<{ key: string; number: number }>;
  skipped: PlanSkip[];
}

export interface PlanOptions {
  now: Date;
  /** Whether we are inside a maintenance window; default: `isInMaintenanceWindow(config, now)`. */
  inWindow?: boolean;
}

const PRIORITY_RANK: Record<Priority, number> = { immediate: 0, high: 1, medium: 2, low: 3 };

function isSecurity(d: Dependency): boolean {
  // Informational advisories (unmaintained, unsound) have no fixed version to move to.
  return d.advisories.some((a) => (a.kind ?? "vulnerability") === "vulnerability") || d.cve_ids.length > 0;
}

/** A package the lockfile pins but no manifest declares. */
function isTransitive(d: Dependency): boolean {
  return d.depth !== null && d.depth !== undefined ? d.depth > 1 : d.current_value === "(transitive)";
}

/**
 * The update that carries out a transitive package's remediation: its lockfile entry edited in place
 * (package-lock.json, npm-shrinkwrap.json, Cargo.lock), or the manifest line of the direct dependency
 * to bump; otherwise why no PR can do it.
 */
function transitiveUpdate(d: Dependency, all: readonly Dependency[]): { dep: Dependency; target: string } | { skip: string } {
  const plan = d.remediation;
  if (!plan) return { skip: "transitive dependency without a remediation plan" };
  if (plan.kind === "in_place" && plan.target_version && d.lockfile && lockEditorFor(d.lockfile)) {
    // A plan made without the parents' requirements (offline) cannot vouch for an edit of a lockfile that
    // does not record them (pnpm-lock.yaml, Cargo.lock): the resolver must decide.
    const unchecked = plan.reasons.filter((r) => / is unknown\b/.test(r));
    if (unchecked.length > 0) return { skip: `in place not verified (${unchecked.join("; ")}): relock instead, ${plan.action}` };
    return { dep: { ...d, file: d.lockfile, line: null }, target: plan.target_version };
  }
  const bump = plan.parent;
  if (plan.kind === "parent_bump" && bump) {
    const parent = all.find((x) => x.component === d.component && x.name === bump.name && x.datasource === d.datasource && !isTransitive(x) && !x.skip_reason);
    if (parent) return { dep: { ...parent, advisories: d.advisories, fixed_version: bump.to, vulnerability_score: d.vulnerability_score }, target: bump.to };
    return { skip: `the direct dependency ${bump.name} to bump is not declared in ${d.component}` };
  }
  return { skip: `${plan.kind.replace("_", " ")}: ${plan.action}` };
}

/** The issues an update of `d` resolves: open issues whose subject names this package at this version. */
export function issuesFor(d: Dependency, issues: readonly MaintenanceIssue[]): MaintenanceIssue[] {
  return issues.filter((i) => {
    if (isTerminalState(i.lifecycle_state)) return false;
    const s = i.subject;
    // (An empty subject contains neither: names are never empty.)
    if (s.includes(`:${d.name}@${d.version}`) || s.startsWith(`${d.name}@${d.version}`)) return true;
    if (subjectNames(i, d)) return true;
    return s === "" && i.files_affected.includes(d.file) && i.affected_components.includes(d.component) && i.title.includes(d.name);
  });
}

/**
 * The assess module's subjects: `security:<ecosystem>:<name>:<advisory id>` (one issue per advisory and
 * package, over every file that declares it) and `dependency:<ecosystem>:<name>`. They name the package
 * but not the version, so the declaration must also be one the issue covers (its file or component).
 */
export function subjectNames(i: Pick<MaintenanceIssue, "subject" | "files_affected" | "affected_components">, d: Pick<Dependency, "name" | "file" | "component" | "advisories">): boolean {
  const s = i.subject;
  const covers = i.files_affected.includes(d.file) || i.affected_components.includes(d.component);
  if (s.startsWith("security:")) return covers && d.advisories.some((a) => s.endsWith(`:${d.name}:${a.id}`));
  if (s.startsWith("dependency:")) return covers && s.endsWith(`:${d.name}`);
  return false;
}

function bestPriority(issues: readonly MaintenanceIssue[]): number {
  return Math.min(4, ...issues.map((i) => PRIORITY_RANK[i.priority]));
}

function groupKey(u: PlannedUpdate, grouping: CowabungaConfig["updates"]["grouping"]): { key: string; component: string; kind: string } {
  const kind = u.security ? "security" : u.dep.update_type;
  if (grouping === "none") return { key: `${u.dep.component}/${u.dep.name}`, component: u.dep.component, kind };
  if (grouping === "component") return { key: `${u.dep.component}/${kind}`, component: u.dep.component, kind };
  return { key: `all/${kind}`, component: "all", kind };
}

/**
 * Decide which update PRs to open. Order: security fixes first, then by the best priority of the linked
 * issues, then by CVSS score, then by name. Filters: `updates.enabled`, `updates.update_types` (security
 * fixes always qualify), `minimum_release_age_days` (for the latest version; a security fix to a fixed
 * version is not held back), maintenance windows (outside one only critical vulnerabilities, CVSS above
 * `thresholds.critical_cvss` or a critical issue, go ahead). `max_open_prs` counts the app's open PRs;
 * security fixes do NOT exceed it: they come first, so they take the free slots.
 */
export function planUpdates(
  assessment: { dependencies: readonly Dependency[]; issues: readonly MaintenanceIssue[] },
  config: Pick<CowabungaConfig, "updates" | "thresholds" | "schedule">,
  openPrs: readonly OpenPullRequest[],
  opts: PlanOptions,
): UpdatePlan {
  const skipped: PlanSkip[] = [];
  const skip = (d: Dependency, reason: string): void => {
    skipped.push({ name: d.name, file: d.file, reason });
  };
  if (!config.updates.enabled) return { groups: [], unchanged: [], skipped: [] };
  const inWindow = opts.inWindow ?? isInMaintenanceWindow(config, opts.now);
  const candidates: PlannedUpdate[] = [];
  for (let d of assessment.dependencies) {
    if (d.skip_reason) {
      skip(d, `not updatable: ${d.skip_reason}`);
      continue;
    }
    let security = isSecurity(d);
    if (isTransitive(d)) {
      if (!security) continue;
      const t = transitiveUpdate(d, assessment.dependencies);
      if ("skip" in t) {
        skip(d, t.skip);
        continue;
      }
      d = t.dep;
      if (t.target === d.version) continue;
      const issues = issuesFor(d, assessment.issues);
      const critical = (d.vulnerability_score ?? 0) > config.thresholds.critical_cvss || issues.some((i) => i.severity === "critical");
      if (!inWindow && !critical) {
        skip(d, "outside the maintenance windows (only critical vulnerabilities bypass them)");
        continue;
      }
      candidates.push({ dep: d, newVersion: t.target, security, issues });
      continue;
    }
    security = isSecurity(d);
    const target = security ? (d.fixed_version ?? d.latest_version) : d.latest_version;
    if (!target || target === d.version) continue;
    if (!security && !(config.updates.update_types as string[]).includes(d.update_type)) {
      skip(d, `update type ${d.update_type} is not in updates.update_types`);
      continue;
    }
    const ageDays = d.latest_release_date ? (opts.now.getTime() - Date.parse(d.latest_release_date)) / 86_400_000 : null;
    if (
      // Stryker disable next-line ConditionalExpression: equivalent; a target other than the latest version is a security fix to its fixed version, which the last clause already exempts
      target === d.latest_version &&
      ageDays != null &&
      ageDays < config.updates.minimum_release_age_days &&
      !(security && d.fixed_version === target)
    ) {
      skip(d, `${target} was released ${Math.floor(ageDays)} day(s) ago; minimum_release_age_days is ${config.updates.minimum_release_age_days}`);
      continue;
    }
    const issues = issuesFor(d, assessment.issues);
    const critical = security && ((d.vulnerability_score ?? 0) > config.thresholds.critical_cvss || issues.some((i) => i.severity === "critical"));
    if (!inWindow && !critical) {
      skip(d, "outside the maintenance windows (only critical vulnerabilities bypass them)");
      continue;
    }
    candidates.push({ dep: d, newVersion: target, security, issues });
  }
  candidates.sort(
    (a, b) =>
      Number(b.security) - Number(a.security) ||
      bestPriority(a.issues) - bestPriority(b.issues) ||
      (b.dep.vulnerability_score ?? 0) - (a.dep.vulnerability_score ?? 0) ||
      a.dep.name.localeCompare(b.dep.name),
  );
  // One edit per declaration: a lockfile entry shared by several components, or a parent bumped for a
  // transitive fix and also for its own update, is changed once (the first, security first, wins).
  const seenEdit = new Set<string>();
  for (let i = 0; i < candidates.length; i++) {
    const d = candidates[i].dep;
    const key = `${d.file}\u0000${d.line}\u0000${d.name}\u0000${d.version}`;
    if (seenEdit.has(key)) candidates.splice(i--, 1);
    else seenEdit.add(key);
  }

  // Group, keeping the order of each group's first member.
  const groups = new Map<string, PlannedGroup>();
  for (const u of candidates) {
    const g = groupKey(u, config.updates.grouping);
    let group = groups.get(g.key);
    if (!group) {
      const branch =
        config.updates.grouping === "none"
          ? updateBranchName(u.dep.component, u.dep.name, u.newVersion)
          : `${BRANCH_PREFIX}${refSegment(g.component || "root", 40)}/${refSegment(`${g.kind}-updates`)}`;
      group = {
        key: g.key,
        branch,
        // Stryker disable next-line StringLiteral: equivalent; every group's title is set by titleOf before it is returned
        title: "",
        component: g.component,
        updates: [],
        security: false,
        critical: false,
        // Stryker disable next-line ArrayDeclaration: equivalent; supersedes is assigned before a group is returned, and never read before
        supersedes: [],
      };
      groups.set(g.key, group);
    }
    // One update per declaration (same file and line) per group.
    if (!group.updates.some((x) => x.dep.file === u.dep.file && x.dep.line === u.dep.line && x.dep.name === u.dep.name)) group.updates.push(u);
    group.security ||= u.security;
    group.critical ||= u.security && ((u.dep.vulnerability_score ?? 0) > config.thresholds.critical_cvss || u.issues.some((i) => i.severity === "critical"));
  }

  const open = openPrs.map((p) => ({ pr: p, marker: parsePrMarker(p.body) })).filter((x) => x.pr.head_ref.startsWith(BRANCH_PREFIX) && !x.pr.head_ref.startsWith(`${BRANCH_PREFIX}revert/`));
  const unchanged: UpdatePlan["unchanged"] = [];
  const result: PlannedGroup[] = [];
  let openCount = open.length;
  for (const g of groups.values()) {
    g.title = titleOf(g);
    const sig = signature(g.updates.map((u) => ({ name: u.dep.name, file: u.dep.file, to: u.newVersion })));
    const same = open.find((o) => o.marker?.group === g.key && signature(o.marker.deps) === sig);
    if (same) {
      unchanged.push({ key: g.key, number: same.pr.number });
      continue;
    }
    // Never replace an open PR by one that goes less far (a fix older than the PR's target is no reason
    // to move it back): that PR stays, as if unchanged.
    const further = open.find(
      (o) =>
        o.marker?.group === g.key &&
        g.updates.every((u) => {
          const theirs = o.marker!.deps.find((d) => d.file === u.dep.file && d.name === u.dep.name);
          return theirs !== undefined && compareDepVersions(u.dep.package_manager, theirs.to, u.newVersion) >= 0;
        }),
    );
    if (further) {
      unchanged.push({ key: g.key, number: further.pr.number });
      continue;
    }
    g.supersedes = open.filter((o) => o.marker?.group === g.key || o.pr.head_ref === g.branch).map((o) => o.pr.number);
    // A superseding PR takes the slot of the one it replaces.
    const freed = g.supersedes.length;
    if (openCount - freed >= config.updates.max_open_prs) {
      for (const u of g.updates) skip(u.dep, `updates.max_open_prs (${config.updates.max_open_prs}) reached`);
      continue;
    }
    openCount = openCount - freed + 1;
    result.push(g);
  }
  return { groups: result, unchanged, skipped };
}

function signature(deps: ReadonlyArray<{ name: string; file: string; to: string }>): string {
  return deps
    .map((d) => `${d.file}|${d.name}|${d.to}`)
    .sort()
    .join(";");
}

function titleOf(g: PlannedGroup): string {
  const first = g.updates[0];
  const scope = g.component && g.component !== "all" ? `(${g.component})` : "";
  if (g.updates.length === 1) {
    return `${g.security ? "fix" : "chore"}(deps${scope ? `, ${g.component}` : ""}): ${g.security ? "security: " : ""}update ${first.dep.name} to ${first.newVersion}`.slice(0, 200);
  }
  const kind = g.security ? "security updates" : `${first.dep.update_type} updates`;
  return `${g.security ? "fix" : "chore"}(deps${scope ? `, ${g.component}` : ""}): ${g.updates.length} ${kind}`.slice(0, 200);
}
