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
});
export type MaintenanceRecord = z.infer<typeof MaintenanceRecord>;
