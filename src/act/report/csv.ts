/**
 * CSV reports (RFC 4180): one row per issue or per dependency, a header row, CRLF line ends.
 * Cells from untrusted text are guarded against formula injection (see csvCell).
 */
import type { Assessment } from "../../assess/types.js";
import type { Dependency, MaintenanceIssue } from "../../model/index.js";
import { stripTerminalControls } from "./escape.js";
import { introducedThrough, sortDependencies, sortIssues } from "./summary.js";

export type CsvTable = "issues" | "dependencies";

export type CsvValue = string | number | boolean | null | undefined | readonly string[];

/** Characters that make spreadsheet software treat a cell as a formula (OWASP CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field.
 * - null/undefined → empty; booleans → true/false; numbers → String(n) (never guarded: they are ours);
 * - arrays are joined with "; ";
 * - a string starting with = + - @ TAB or CR gets a leading ' so Excel/LibreOffice/Sheets show it as text;
 * - a field containing a comma, double quote, CR or LF is quoted, inner quotes doubled.
 */
export function csvCell(value: CsvValue): string {
  let text: string;
  if (value == null) text = "";
  else if (typeof value === "number") text = Number.isFinite(value) ? String(value) : "";
  else if (typeof value === "boolean") text = value ? "true" : "false";
  else {
    text = stripTerminalControls(typeof value === "string" ? value : value.join("; "));
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, without its line end. */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(",");
}

/** Header plus rows, every record (the last too) ended by CRLF. */
export function csvTable(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => `${csvRow(r)}\r\n`).join("");
}

export const ISSUE_COLUMNS = [
  "id",
  "title",
  "type",
  "severity",
  "priority",
  "status",
  "lifecycle_state",
  "affected_components",
  "files_affected",
  "assignee",
  "estimated_effort",
  "risk_level",
  "risk_score",
  "resolution_steps",
  "testing_requirements",
  "created_at",
  "updated_at",
  "resolved_at",
  "github_issue_number",
  "subject",
  "description",
] as const;

function issueRow(i: MaintenanceIssue): CsvValue[] {
  return [
    i.id,
    i.title,
    i.type,
    i.severity,
    i.priority,
    i.status,
    i.lifecycle_state,
    i.affected_components,
    i.files_affected,
    i.assignee,
    i.estimated_effort,
    i.risk_assessment.level,
    i.risk_assessment.score,
    i.resolution_steps,
    i.testing_requirements,
    i.created_at,
    i.updated_at,
    i.resolved_at,
    i.github_issue_number,
    i.subject,
    i.description,
  ];
}

export const DEPENDENCY_COLUMNS = [
  "name",
  "version",
  "latest_version",
  "package_manager",
  "component",
  "file",
  "line",
  "dependency_type",
  "current_value",
  "locked_version",
  "update_type",
  "days_behind",
  "cve_ids",
  "advisory_ids",
  "vulnerability_score",
  "vulnerability_score_estimated",
  "fixed_version",
  "patch_available",
  "deprecated",
  "update_risk",
  "auto_update_safe",
  "compatibility",
  "breaking_changes",
  "lookup_status",
  "skip_reason",
  "source_url",
  "depth",
  "dev_only",
  "lockfile",
  "introduced_through",
  "remediation_kind",
  "remediation_target",
  "remediation_action",
] as const;

function dependencyRow(d: Dependency): CsvValue[] {
  return [
    d.name,
    d.version,
    d.latest_version,
    d.package_manager,
    d.component,
    d.file,
    d.line,
    d.dependency_type,
    d.current_value,
    d.locked_version,
    d.update_type,
    d.days_behind,
    d.cve_ids,
    d.advisories.map((a) => a.id),
    d.vulnerability_score,
    d.vulnerability_score_estimated,
    d.fixed_version,
    d.patch_available,
    d.deprecated,
    d.update_risk,
    d.auto_update_safe,
    d.compatibility.status,
    d.breaking_changes,
    d.lookup.status,
    d.skip_reason,
    d.source_url,
    d.depth,
    d.dev_only,
    d.lockfile,
    introducedThrough(d),
    d.remediation?.kind ?? null,
    d.remediation?.target_version ?? null,
    d.remediation?.action ?? null,
  ];
}

export interface CsvOptions {
  /** Prefix a UTF-8 byte order mark, which Excel needs to read non-ASCII text correctly (default false). */
  bom?: boolean;
}

/** Issues (open first, by priority) or dependencies (vulnerable, then outdated, first) as CSV. */
export function renderCsv(assessment: Assessment, table: CsvTable, opts: CsvOptions = {}): string {
  const body =
    table === "issues"
      ? csvTable(ISSUE_COLUMNS, sortIssues(assessment.issues).map(issueRow))
      : csvTable(DEPENDENCY_COLUMNS, sortDependencies(assessment.dependencies).map(dependencyRow));
  return opts.bom ? `\uFEFF${body}` : body;
}
