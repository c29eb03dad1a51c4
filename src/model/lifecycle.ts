import type { OverallStatus } from "./common.js";
import type { SystemHealth } from "./health.js";
import { LifecycleState, type IssueStatus, type MaintenanceIssue, type TransitionRecord } from "./issue.js";

/**
 * The seed's MaintenanceIssue lifecycle, as a table of legal moves.
 *
 *   detected → assessed → prioritized → scheduled → in_progress → resolved | deferred
 *   resolved | deferred → reopened → assessed
 *
 * Extra edges (decided here, see docs/notes/foundation.md):
 * - every open state (detected, assessed, prioritized, scheduled, in_progress, reopened) may move
 *   straight to `resolved` (its cause vanished: the dependency was bumped by hand, the advisory withdrawn)
 *   or to `deferred` (a maintainer snoozed it, or an ignore rule now covers it), as Renovate and
 *   Dependabot users expect;
 * - `deferred → resolved`: the cause of a snoozed issue disappeared, so it is closed as resolved.
 * A move to the same state is never a transition and is illegal.
 */
export const ISSUE_TRANSITIONS: Readonly<Record<LifecycleState, readonly LifecycleState[]>> = {
  detected: ["assessed", "resolved", "deferred"],
  assessed: ["prioritized", "resolved", "deferred"],
  prioritized: ["scheduled", "resolved", "deferred"],
  scheduled: ["in_progress", "resolved", "deferred"],
  in_progress: ["resolved", "deferred"],
  resolved: ["reopened"],
  deferred: ["reopened", "resolved"],
  reopened: ["assessed", "resolved", "deferred"],
};

/**
 * The seed's `status` for each lifecycle state. This is the ONE place that mapping lives.
 * | lifecycle_state                                  | status      |
 * |--------------------------------------------------|-------------|
 * | detected, assessed, prioritized, scheduled, reopened | open    |
 * | in_progress                                      | in_progress |
 * | resolved                                         | resolved    |
 * | deferred                                         | deferred    |
 */
export const STATUS_OF_STATE: Readonly<Record<LifecycleState, IssueStatus>> = {
  detected: "open",
  assessed: "open",
  prioritized: "open",
  scheduled: "open",
  in_progress: "in_progress",
  resolved: "resolved",
  deferred: "deferred",
  reopened: "open",
};

/** States an issue rests in once handled; everything else counts as open. */
export const TERMINAL_STATES: readonly LifecycleState[] = ["resolved", "deferred"];

export function isTerminalState(state: LifecycleState): boolean {
  return TERMINAL_STATES.includes(state);
}

export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
  constructor(
    readonly subject: string,
    readonly from: string,
    readonly to: string,
    readonly allowed: readonly string[],
  ) {
    super(`cannot move ${subject} from ${from} to ${to}; allowed: ${allowed.length > 0 ? allowed.join(", ") : "(none)"}`);
  }
}

export function canTransitionIssue(from: LifecycleState, to: LifecycleState): boolean {
  return ISSUE_TRANSITIONS[from]?.includes(to) ?? false;
}

export interface TransitionOptions {
  /** When the move happened; a Date or an ISO 8601 string with offset. */
  at: Date | string;
  reason: string;
  /** Who moved it: a GitHub login, or "cowabunga" for the app. */
  actor: string;
}

function isoOf(at: Date | string): string {
  const d = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid transition time: ${String(at)}`);
  return d.toISOString();
}

/**
 * Move an issue to `to`, returning a NEW issue (the input is not modified) with lifecycle_state,
 * status (via STATUS_OF_STATE), updated_at, resolved_at, defer_reason and one TransitionRecord appended.
 * - resolved: resolved_at = at, defer_reason cleared
 * - deferred: defer_reason = reason, resolved_at cleared
 * - reopened: resolved_at and defer_reason cleared
 * Throws IllegalTransitionError when the table does not allow the move.
 */
export function transitionIssue(issue: MaintenanceIssue, to: LifecycleState, opts: TransitionOptions): MaintenanceIssue {
  const from = issue.lifecycle_state;
  if (!LifecycleState.safeParse(to).success || !canTransitionIssue(from, to)) {
    throw new IllegalTransitionError(`issue ${issue.id}`, from, String(to), ISSUE_TRANSITIONS[from] ?? []);
  }
  const at = isoOf(opts.at);
  const record: TransitionRecord = { from, to, at, reason: opts.reason, actor: opts.actor };
  let resolved_at = issue.resolved_at;
  let defer_reason = issue.defer_reason;
  if (to === "resolved") {
    resolved_at = at;
    defer_reason = null;
  } else if (to === "deferred") {
    resolved_at = null;
    defer_reason = opts.reason;
  } else if (to === "reopened") {
    resolved_at = null;
    defer_reason = null;
  }
  return {
    ...issue,
    lifecycle_state: to,
    status: STATUS_OF_STATE[to],
    updated_at: at,
    resolved_at,
    defer_reason,
    history: [...issue.history, record],
  };
}

/** Like transitionIssue, but returns the error instead of throwing. */
export function tryTransitionIssue(
  issue: MaintenanceIssue,
  to: LifecycleState,
  opts: TransitionOptions,
): { ok: true; issue: MaintenanceIssue } | { ok: false; error: IllegalTransitionError } {
  try {
    return { ok: true, issue: transitionIssue(issue, to, opts) };
  } catch (e) {
    if (e instanceof IllegalTransitionError) return { ok: false, error: e };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// System health

/** The system's state: the seed's overall_status, or `maintenance` while maintenance_mode is on. */
export type SystemState = OverallStatus | "maintenance";
export const SYSTEM_STATES: readonly SystemState[] = ["healthy", "warning", "critical", "maintenance"];

/**
 * Legal system-health moves. The seed's cycle is healthy → warning → critical → maintenance → healthy.
 * Extra edges, and why:
 * - warning → healthy, critical → warning, critical → healthy: recovery, as fixes land, is measured
 *   by the next assessment and may skip steps;
 * - healthy → critical: a critical advisory published overnight makes a healthy system critical at once;
 * - healthy → maintenance, warning → maintenance: a planned maintenance window starts whatever the health;
 * - maintenance → warning, maintenance → critical: the assessment after maintenance may find work left.
 * Only a move to the same state is not a transition (transitionSystem reports it as unchanged).
 */
export const SYSTEM_TRANSITIONS: Readonly<Record<SystemState, readonly SystemState[]>> = {
  healthy: ["warning", "critical", "maintenance"],
  warning: ["critical", "healthy", "maintenance"],
  critical: ["maintenance", "warning", "healthy"],
  maintenance: ["healthy", "warning", "critical"],
};

export function canTransitionSystem(from: SystemState, to: SystemState): boolean {
  return SYSTEM_TRANSITIONS[from]?.includes(to) ?? false;
}

export function systemStateOf(health: Pick<SystemHealth, "overall_status" | "maintenance_mode">): SystemState {
  return health.maintenance_mode ? "maintenance" : health.overall_status;
}

export interface SystemTransitionRecord {
  from: SystemState;
  to: SystemState;
  at: string;
  reason: string;
  actor: string;
}

export interface SystemTransitionResult {
  health: SystemHealth;
  changed: boolean;
  /** Null when nothing changed. */
  record: SystemTransitionRecord | null;
}

/**
 * Move the system to `to`, returning a NEW SystemHealth. Entering `maintenance` sets maintenance_mode
 * and keeps overall_status (the last measured health); leaving it clears maintenance_mode and sets
 * overall_status. Asking for the current state returns it unchanged (changed: false). Throws
 * IllegalTransitionError for a state name outside SYSTEM_STATES.
 */
export function transitionSystem(health: SystemHealth, to: SystemState, opts: TransitionOptions): SystemTransitionResult {
  const from = systemStateOf(health);
  if (from === to) return { health, changed: false, record: null };
  if (!canTransitionSystem(from, to)) {
    throw new IllegalTransitionError("system", from, String(to), SYSTEM_TRANSITIONS[from] ?? []);
  }
  const at = isoOf(opts.at);
  const next: SystemHealth =
    to === "maintenance" ? { ...health, maintenance_mode: true } : { ...health, maintenance_mode: false, overall_status: to };
  return { health: next, changed: true, record: { from, to, at, reason: opts.reason, actor: opts.actor } };
}
