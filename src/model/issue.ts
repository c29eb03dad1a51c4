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
   * Set when another issue now covers this one's cause (a per-advisory security issue merged into the
   * issue of its package version): this one is resolved, and its GitHub issue is closed as a duplicate
   * of that one's, or becomes that one's when it has none yet.
   */
  duplicate_of: z.string().nullable().default(null),
});
export type MaintenanceIssue = z.infer<typeof MaintenanceIssue>;
