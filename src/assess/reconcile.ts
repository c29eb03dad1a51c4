import { transitionIssue, isTerminalState } from "../model/lifecycle.js";
import type { IssueType, LifecycleState, MaintenanceIssue, Priority } from "../model/index.js";
import type { IgnoreRule } from "../config/schema.js";
import { SEVERITY_ORDER, compareStrings } from "./draft.js";
import type { DetectorResult } from "./detect/context.js";
import { IGNORE_REASON_PREFIX, ignoreReason } from "./ignore.js";

export const ACTOR = "cowabunga";

/** The fields a detection run decides; everything else (lifecycle, tracking) is reconciled. */
export type IssueContent = Pick<
  MaintenanceIssue,
  | "id"
  | "title"
  | "description"
  | "type"
  | "severity"
  | "priority"
  | "affected_components"
  | "files_affected"
  | "estimated_effort"
  | "resolution_steps"
  | "testing_requirements"
  | "risk_assessment"
  | "subject"
>;

export interface CurrentIssue {
  content: IssueContent;
  /** The active ignore rule covering it, if any. */
  ignore: IgnoreRule | null;
  /** Why it got its priority, for the history record. */
  priorityReason: string;
}

const CONTENT_KEYS: ReadonlyArray<keyof IssueContent> = [
  "title",
  "description",
  "type",
  "severity",
  "priority",
  "affected_components",
  "files_affected",
  "estimated_effort",
  "resolution_steps",
  "testing_requirements",
  "risk_assessment",
  "subject",
];

/** JSON with sorted keys: stored issues come back through zod, which reorders keys. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y)))
      : v,
  );
}

function sameContent(a: MaintenanceIssue, b: IssueContent): boolean {
  return CONTENT_KEYS.every((k) => canonical(a[k]) === canonical(b[k]));
}

function move(issue: MaintenanceIssue, to: LifecycleState, reason: string, at: Date): MaintenanceIssue {
  return transitionIssue(issue, to, { at, reason, actor: ACTOR });
}

/** Take an open issue to `prioritized` through the seed's states. */
function triage(issue: MaintenanceIssue, cur: CurrentIssue, at: Date): MaintenanceIssue {
  let out = issue;
  if (out.lifecycle_state === "detected" || out.lifecycle_state === "reopened") {
    out = move(out, "assessed", `severity ${cur.content.severity}, risk ${cur.content.risk_assessment.level} (${cur.content.risk_assessment.score})`, at);
  }
  if (out.lifecycle_state === "assessed") out = move(out, "prioritized", cur.priorityReason, at);
  return out;
}

function isConfigDeferral(issue: MaintenanceIssue): boolean {
  return issue.lifecycle_state === "deferred" && (issue.defer_reason ?? "").startsWith(IGNORE_REASON_PREFIX);
}

function createIssue(cur: CurrentIssue, at: Date): MaintenanceIssue {
  const iso = at.toISOString();
  const issue: MaintenanceIssue = {
    ...cur.content,
    status: "open",
    assignee: null,
    created_at: iso,
    updated_at: iso,
    resolved_at: null,
    lifecycle_state: "detected",
    history: [{ from: null, to: "detected", at: iso, reason: `detected by the ${cur.content.type} detector: ${cur.content.subject}`, actor: ACTOR }],
    defer_reason: null,
    github_issue_number: null,
    due_at: null,
    risk_acceptance: null,
    overdue_alerted_for: null,
    duplicate_of: null,
  };
  if (cur.ignore) return move(issue, "deferred", ignoreReason(cur.ignore), at);
  return triage(issue, cur, at);
}

function updateIssue(prev: MaintenanceIssue, cur: CurrentIssue, at: Date): MaintenanceIssue {
  // Keep created_at, history, assignee, github_issue_number; take the fresh content.
  let issue: MaintenanceIssue = { ...prev, ...cur.content, duplicate_of: null };
  if (!sameContent(prev, cur.content)) issue.updated_at = at.toISOString();
  const state = issue.lifecycle_state;
  if (cur.ignore) {
    const reason = ignoreReason(cur.ignore);
    if (state === "deferred") return issue;
    if (state === "resolved") issue = move(issue, "reopened", `detected again: ${cur.content.title}`, at);
    return move(issue, "deferred", reason, at);
  }
  if (state === "deferred") {
    // A maintainer's deferral stands; a deferral by an ignore rule ends when the rule no longer applies.
    if (!isConfigDeferral(issue)) return issue;
    issue = move(issue, "reopened", "the ignore rule lapsed or was removed", at);
    return triage(issue, cur, at);
  }
  if (state === "resolved") {
    issue = move(issue, "reopened", `detected again: ${cur.content.title}`, at);
    return triage(issue, cur, at);
  }
  return triage(issue, cur, at);
}

const PRIORITY_RANK: Record<Priority, number> = { immediate: 0, high: 1, medium: 2, low: 3 };

/** Stable order: open before closed, then priority, severity, id. */
export function compareIssues(a: MaintenanceIssue, b: MaintenanceIssue): number {
  const closed = (i: MaintenanceIssue) => (isTerminalState(i.lifecycle_state) ? 1 : 0);
  return (
    closed(a) - closed(b) ||
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity) ||
    compareStrings(a.id, b.id)
  );
}

/**
 * Merge this run's findings with the stored issues:
 * - new id → detected → assessed → prioritized (or detected → deferred when an ignore rule covers it);
 * - known id → fresh content, same created_at/history/assignee/github_issue_number; resolved → reopened →
 *   assessed → prioritized; deferred by an ignore rule that no longer applies → reopened → ...;
 *   deferred by a maintainer stays deferred; covered by an ignore rule → deferred;
 * - stored open or deferred issue not found again, where this run's input covers it → resolved
 *   ("no longer detected: <why>"); not covered (push diff, failed lookup) → unchanged.
 */
export function reconcileIssues(
  current: readonly CurrentIssue[],
  previous: readonly MaintenanceIssue[],
  detectors: Readonly<Record<IssueType, DetectorResult>>,
  at: Date,
): MaintenanceIssue[] {
  const prevById = new Map<string, MaintenanceIssue>();
  for (const p of previous) if (!prevById.has(p.id)) prevById.set(p.id, p);
  const out = new Map<string, MaintenanceIssue>();
  for (const cur of current) {
    if (out.has(cur.content.id)) continue;
    const prev = prevById.get(cur.content.id);
    out.set(cur.content.id, prev ? updateIssue(prev, cur, at) : createIssue(cur, at));
  }
  for (const prev of prevById.values()) {
    if (out.has(prev.id)) continue;
    const det = detectors[prev.type];
    const by = det?.supersededBy?.(prev) ?? null;
    if (by !== null && out.has(by)) {
      // Merged into another issue: resolved here, its GitHub issue closed as a duplicate (or adopted).
      const merged = prev.lifecycle_state === "resolved" ? prev : move(prev, "resolved", `merged into ${by}: one issue per vulnerable package version lists every advisory`, at);
      out.set(prev.id, { ...merged, duplicate_of: by });
      continue;
    }
    if (prev.lifecycle_state !== "resolved" && det && det.covers(prev)) {
      out.set(prev.id, move(prev, "resolved", `no longer detected: ${det.goneReason(prev)}`, at));
    } else {
      out.set(prev.id, prev);
    }
  }
  return [...out.values()].sort(compareIssues);
}
