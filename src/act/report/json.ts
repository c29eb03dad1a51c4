import { z } from "zod";
import type { Assessment, Clock } from "../../assess/types.js";
import { ComponentHealth, DateTime, Dependency, MaintenanceIssue, Severity, SystemHealth } from "../../model/index.js";
import { parseEntity, type FieldError } from "../../model/validate.js";

/** An Alert (src/assess/types.ts) as it appears in the report document. */
export const ReportAlert = z.object({
  key: z.string(),
  condition: z.enum(["critical_cvss", "low_component_health", "outdated_dependency", "low_coverage", "overdue"]),
  level: Severity,
  title: z.string(),
  message: z.string(),
  component: z.string().nullable(),
  issue_ids: z.array(z.string()),
  created_at: z.string(),
  links: z.array(z.object({ label: z.string(), url: z.string() })),
});
export type ReportAlert = z.infer<typeof ReportAlert>;

/** A scan warning (src/scan/types.ts ScanWarning) as it appears in the report document. */
export const ReportWarning = z.object({
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  manager: z.string(),
  message: z.string(),
});

/** The `--format json` report: everything one assessment produced, one document. */
export const ReportDocument = z.object({
  /** Report document format version; bumped on an incompatible change. */
  report_version: z.literal(1),
  generated_at: DateTime,
  system_health: SystemHealth,
  component_health: z.array(ComponentHealth),
  maintenance_issues: z.array(MaintenanceIssue),
  dependencies: z.array(Dependency),
  alerts: z.array(ReportAlert),
  warnings: z.array(ReportWarning),
});
export type ReportDocument = z.infer<typeof ReportDocument>;

/** Thrown when a report would not match its own schema: a bug upstream, never user error. */
export class ReportValidationError extends Error {
  override readonly name = "ReportValidationError";
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

export interface JsonReportOptions {
  /** Time source for generated_at (default: the wall clock). */
  clock?: Clock;
  /** Indentation; 0 for one line (default 2). */
  indent?: number;
}

/** Build and validate the report document. Throws ReportValidationError naming each bad field's path. */
export function buildReportDocument(assessment: Assessment, opts: Pick<JsonReportOptions, "clock"> = {}): ReportDocument {
  const now = (opts.clock ?? (() => new Date()))();
  const candidate = {
    report_version: 1,
    generated_at: now.toISOString(),
    system_health: assessment.system,
    component_health: assessment.components,
    maintenance_issues: assessment.issues,
    dependencies: assessment.dependencies,
    alerts: assessment.alerts,
    warnings: assessment.warnings,
  };
  const r = parseEntity(ReportDocument, candidate, "report document");
  if (!r.ok) throw new ReportValidationError(r.message, r.errors);
  return r.value;
}

/** The report as JSON text (trailing newline). Throws ReportValidationError if the assessment is invalid. */
export function renderJson(assessment: Assessment, opts: JsonReportOptions = {}): string {
  const doc = buildReportDocument(assessment, opts);
  const indent = opts.indent ?? 2;
  return `${JSON.stringify(doc, null, indent > 0 ? indent : undefined)}\n`;
}
