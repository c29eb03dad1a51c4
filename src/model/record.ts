import { z } from "zod";
import { DateTime } from "./common.js";
import { TestResult } from "./test-result.js";

export const RecordType = z.enum(["update", "fix", "security_patch", "documentation", "performance"]);
export type RecordType = z.infer<typeof RecordType>;

/** The seed's MaintenanceRecord. test_results is null until CI has reported. */
export const MaintenanceRecord = z.object({
  id: z.string().min(1),
  title: z.string(),
  type: RecordType,
  description: z.string(),
  performed_by: z.string(),
  performed_at: DateTime,
  duration_minutes: z.number().int().min(0),
  rollback_available: z.boolean(),
  files_modified: z.array(z.string()),
  dependencies_updated: z.array(z.string()),
  tests_run: z.array(z.string()),
  success: z.boolean(),
  issues_resolved: z.array(z.string()),
  issues_introduced: z.array(z.string()),
  test_results: TestResult.nullable(),
  rollback_strategy: z.string(),
  rollback_before_commit: z.string(),
  // Extras
  pull_request: z.number().int().nullable().default(null),
  revert_pull_request: z.number().int().nullable().default(null),
  /**
   * Where an update PR's attempt stands (added by the update-PR engineer): pending while the PR is open,
   * failed when its CI failed, merged once merged (the maintenance was performed), closed when closed
   * unmerged, reverted after a revert PR was opened. Absent on records not made from an update PR.
   * Consumers counting performed maintenance should skip pending, failed and closed records.
   */
  attempt_status: z.enum(["pending", "failed", "merged", "closed", "reverted"]).optional(),
  /** The merge commit of the update PR on the default branch, for matching a later CI failure. */
  merge_commit_sha: z.string().nullable().optional(),
});
export type MaintenanceRecord = z.infer<typeof MaintenanceRecord>;
