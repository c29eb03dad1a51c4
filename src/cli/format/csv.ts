import type { ScanResult } from "../../scan/types.js";
import { toReportDependency, type ReportDependency } from "./report.js";

/**
 * Terminal escape sequences and C0/C1 controls but TAB/LF/CR: the same set as act/report/escape.ts
 * strips (not imported from there: `scan --no-enrich` loads no report module at start-up).
 */
const TERMINAL_ESCAPES = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u009B[0-?]*[ -/]*[@-~]|\u001B[@-_]?|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

function stripTerminalControls(text: string): string {
  return text.replace(TERMINAL_ESCAPES, "");
}

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (or leading/trailing space),
 * quotes doubled. Manifests are untrusted input, so a value a spreadsheet would run as a formula
 * calling something (starts with =, +, -, @, tab or CR and holds "(", "|", "!", ";" or whitespace:
 * HYPERLINK(...), DDE `cmd|...!A0`) gets a leading apostrophe (OWASP "CSV injection"). Plain version
 * constraints such as "==1.2.0" or "-1" are left as they are.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? "" : stripTerminalControls(String(value));
  if (/^[=+\-@\t\r]/.test(s) && /[(|!;\s]/.test(s.slice(1))) s = `'${s}`;
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** RFC 4180 record lines end with CRLF. */
export function csvRows(rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>): string {
  return rows.map((r) => r.map(csvField).join(",") + "\r\n").join("");
}

export const CSV_COLUMNS: Array<keyof ReportDependency> = [
  "component",
  "name",
  "version",
  "current_value",
  "locked_version",
  "package_manager",
  "dependency_type",
  "file",
  "line",
  "datasource",
  "registry_url",
  "digest",
  "skip_reason",
  "local_path",
];

/** One row per dependency, header first. Warnings are not part of the CSV (see the JSON format). */
export function formatScanCsv(result: ScanResult): string {
  const deps = result.dependencies.map(toReportDependency);
  return csvRows([CSV_COLUMNS, ...deps.map((d) => CSV_COLUMNS.map((c) => d[c]))]);
}
