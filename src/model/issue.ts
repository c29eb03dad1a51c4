import { z } from "zod";
import { DateTime, Priority, Severity } from "./common.js";
import { RiskLevel } from "./risk.js";

export const IssueType = z.enum(["security", "dependency", "bug", "documentation", "performance"]);
export type IssueType = z.infer<typeof IssueType>;

export const IssueStatus = z.enum(["open", "in_progress", "resolved", "deferred"]);
export type IssueStatus = z.infer<typeof IssueStatus>;

/** The seed's issue lifecycle states (see src/model/lifecycle.ts). */
export const LifecycleState = z.enum([
  "detected",
  "assessed",
  "prioritized",
  "scheduled",
  "in_progress",
  "resolved",
  "deferred",
  "reopened",
]);
export type LifecycleState = z.infer<typeof LifecycleState>;

export const TransitionRecord = z.object({
  from: LifecycleState.nullable(),
  to: LifecycleState,
  at: DateTime,
  reason: z.string(),
  actor: z.string(),
});
export type TransitionRecord = z.infer<typeof TransitionRecord>;

/** A maintainer's risk acceptance (`/cowabunga defer <date> <reason>`): who, why, until when. */
export const RiskAcceptance = z.object({
  accepted_by: z.string(),
  reason: z.string(),
  /** Last day (YYYY-MM-DD, inclusive) the acceptance covers; null for an open-ended deferral. */
  until: z.iso.date().nullable(),
  accepted_at: DateTime,
});
export type RiskAcceptance = z.infer<typeof RiskAcceptance>;

/** The seed's MaintenanceIssue, plus its lifecycle state, history and fingerprint. */
export const MaintenanceIssue = z.object({
  id: z.string().min(1),
  title: z.string(),
  description: z.string(),
  type: IssueType,
  severity: Severity,
  priority: Priority,
  status: IssueStatus,
  affected_components: z.array(z.string()),
  files_affected: z.array(z.string()),
  assignee: z.string().nullable(),
  estimated_effort: z.string(),
  resolution_steps: z.array(z.string()),
  testing_requirements: z.array(z.string()),
  created_at: DateTime,
  updated_at: DateTime,
  resolved_at: DateTime.nullable(),
  risk_assessment: RiskLevel,
  // Extras
  lifecycle_state: LifecycleState.default("detected"),
  history: z.array(TransitionRecord).default([]),
  /** The subject the fingerprint is built from, e.g. "pypi:requests@2.19.0:PYSEC-2018-28". */
  subject: z.string().default(""),
  defer_reason: z.string().nullable().default(null),
  /** Number of the GitHub issue that tracks this one, once opened. */
  github_issue_number: z.number().int().nullable().default(null),
  /**
   * Remediation deadline of a security issue: first detection (created_at, never reset by a rescan)
   * plus the `sla` days of its severity. Null for other types. See src/assess/deadlines.ts.
   */
  due_at: DateTime.nullable().default(null),
  /** The current risk acceptance, while the issue is deferred by a maintainer with `/cowabunga defer`. */
  risk_acceptance: RiskAcceptance.nullable().default(null),
  /** The due_at an overdue alert was raised for: the alert goes out once per deadline. */
  overdue_alerted_for: DateTime.nullable().default(null),
  /**
   * Set when another issue now covers this one's cause (a per-advisory security issue merged into the
   * issue of its package version): this one is resolved, and its GitHub issue is closed as a duplicate
   * of that one's, or becomes that one's when it has none yet.
   */
  duplicate_of: z.string().nullable().default(null),
});
export type MaintenanceIssue = z.infer<typeof MaintenanceIssue>;
