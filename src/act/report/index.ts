/**
 * One entry point for the CLI and the app: renderReport(format, assessment, opts) → string.
 *
 * Formats: "json" (the report document), "csv" (dependencies, one row each), "csv-issues"
 * (issues, one row each), "markdown", "html". CSV holds one table per file, so the two CSV tables
 * are two formats rather than one file with two header rows, which spreadsheet tools mis-read.
 */
import type { Assessment } from "../../assess/types.js";
import { renderCsv, type CsvOptions } from "./csv.js";
import { renderHtml, type HtmlReportOptions } from "./html.js";
import { renderJson, type JsonReportOptions } from "./json.js";
import { renderMarkdown, type MarkdownReportOptions } from "./markdown.js";
import { renderPoamCsv } from "./poam.js";

export const REPORT_FORMATS = ["json", "csv", "csv-issues", "markdown", "html", "poam"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type ReportOptions = JsonReportOptions & CsvOptions & MarkdownReportOptions & HtmlReportOptions;

/** File extension for a format, for `--output` defaults. */
export const REPORT_EXTENSIONS: Readonly<Record<ReportFormat, string>> = {
  json: "json",
  csv: "csv",
  "csv-issues": "csv",
  markdown: "md",
  html: "html",
  poam: "csv",
};

/** MIME type for a format, for HTTP responses (the server's report routes). */
export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
  "csv-issues": "text/csv; charset=utf-8; header=present",
  markdown: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  poam: "text/csv; charset=utf-8; header=present",
};

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export function renderReport(format: ReportFormat, assessment: Assessment, opts: ReportOptions = {}): string {
  switch (format) {
    case "json":
      return renderJson(assessment, opts);
    case "csv":
      return renderCsv(assessment, "dependencies", opts);
    case "csv-issues":
      return renderCsv(assessment, "issues", opts);
    case "markdown":
      return renderMarkdown(assessment, opts);
    case "html":
      return renderHtml(assessment, opts);
    case "poam":
      // FedRAMP POA&M columns as CSV; the subject ("owner/repo") is the asset identifier's first part.
      return renderPoamCsv(assessment, { ...opts, repository: opts.subject ?? "repository" });
    default: {
      const never: never = format;
      throw new Error(`unknown report format: ${String(never)}`);
    }
  }
}

export { renderCsv, csvCell, csvRow, csvTable, ISSUE_COLUMNS, DEPENDENCY_COLUMNS, type CsvTable, type CsvOptions, type CsvValue } from "./csv.js";
export { renderJson, buildReportDocument, ReportDocument, ReportAlert, ReportValidationError, type JsonReportOptions } from "./json.js";
export { renderMarkdown, markdownLink, GITHUB_BODY_LIMIT, type MarkdownReportOptions } from "./markdown.js";
export { renderPoamCsv, buildPoam, parseSecuritySubject, POAM_COLUMNS, RISK_RATING, type PoamRow, type PoamSheets, type PoamOptions } from "./poam.js";
export { renderHtml, htmlLink, HTML_CSP, HTML_SCRIPT_HASH, type HtmlReportOptions } from "./html.js";
export { renderHealthChart, healthSeries, type HealthSeries, type HealthPoint } from "./chart.js";
export { escapeHtml, escapeAttr, escapeMarkdown, escapeMarkdownCell, jsonForScript, neutraliseAutolinks, neutraliseMentions, safeHttpUrl, type MarkdownEscapeOptions } from "./escape.js";
export * from "./summary.js";
