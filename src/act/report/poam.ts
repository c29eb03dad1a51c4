/**
 * POA&M export (issue 15): the columns of FedRAMP's Plan of Action and Milestones template (Open
 * POA&M Items / Closed POA&M Items worksheets, completion guide v2.2, columns A–AA), plus the CVE
 * column of later template versions and Cowabunga's own status. One row per security finding:
 * open (and risk-accepted) findings first, then a "Closed POA&M Items" section of resolved ones.
 * What each column is filled from: README ("POA&M export") and docs/notes/deadlines.md.
 *
 * CSV cells go through csvCell (formula-injection guard, RFC 4180 quoting), as the CSV report does.
 */
import { calendarDate, deadlineOf } from "../../assess/deadlines.js";
import type { Assessment } from "../../assess/types.js";
import type { AdvisoryRef, Dependency, MaintenanceIssue, Severity } from "../../model/index.js";
import { csvRow, type CsvValue } from "./csv.js";

export const POAM_COLUMNS = [
  "POA&M ID",
  "Controls",
  "Weakness Name",
  "Weakness Description",
  "Weakness Detector Source",
  "Weakness Source Identifier",
  "Asset Identifier",
  "Point of Contact",
  "Resources Required",
  "Overall Remediation Plan",
  "Original Detection Date",
  "Scheduled Completion Date",
  "Planned Milestones",
  "Milestone Changes",
  "Status Date",
  "Vendor Dependency",
  "Last Vendor Check-in Date",
  "Vendor Dependent Product Name",
  "Original Risk Rating",
  "Adjusted Risk Rating",
  "Risk Adjustment",
  "False Positive",
  "Operational Requirement",
  "Deviation Rationale",
  "Supporting Documents",
  "Comments",
  "Auto-Approve",
  "CVE",
  "Status",
] as const;
export type PoamColumn = (typeof POAM_COLUMNS)[number];
export type PoamRow = Record<PoamColumn, string>;

/** FedRAMP's risk rating words. */
export const RISK_RATING: Readonly<Record<Severity, string>> = { critical: "Critical", high: "High", medium: "Moderate", low: "Low" };

export interface PoamOptions {
  /** "owner/repo": first part of every asset identifier and POA&M ID. */
  repository: string;
  /** "Now" for status and vendor check-in (default: the assessment's time). */
  clock?: () => Date;
  /** Time zone of dates (default UTC). */
  timeZone?: string;
  /** Web host of GitHub issue links (default github.com). */
  host?: string;
  /** Point of contact when the issue has no assignee (default: the repository's maintainers). */
  pointOfContact?: string;
}

interface SecuritySubject {
  datasource: string;
  name: string;
  /** Set for `security:<eco>:<name>@<version>` (one issue per vulnerable package version). */
  version: string | null;
  /** Set for the former per-advisory form `security:<eco>:<name>:<advisory id>`. */
  advisory: string | null;
}

/** Both subject forms of src/assess/detect/security.ts. */
export function parseSecuritySubject(subject: string): SecuritySubject | null {
  const parts = subject.split(":");
  if (parts[0] !== "security" || parts.length < 3) return null;
  if (parts.length === 3) {
    const at = parts[2].lastIndexOf("@");
    if (at <= 0) return null;
    return { datasource: parts[1], name: parts[2].slice(0, at), version: parts[2].slice(at + 1), advisory: null };
  }
  return { datasource: parts[1], name: parts[2], version: null, advisory: parts.slice(3).join(":") };
}

/** The stored dependencies behind the finding, each with the advisories of the finding. */
function hitsOf(issue: MaintenanceIssue, subject: SecuritySubject | null, deps: readonly Dependency[]): Array<{ dep: Dependency; advs: AdvisoryRef[] }> {
  if (!subject) return [];
  const out: Array<{ dep: Dependency; advs: AdvisoryRef[] }> = [];
  for (const dep of deps) {
    if (dep.name !== subject.name) continue;
    if (subject.version !== null && (dep.locked_version ?? dep.version) !== subject.version && dep.version !== subject.version) continue;
    if (issue.affected_components.length > 0 && !issue.affected_components.includes(dep.component)) continue;
    const advs = subject.advisory !== null ? dep.advisories.filter((a) => a.id === subject.advisory) : dep.advisories.filter((a) => a.kind === "vulnerability");
    if (advs.length > 0) out.push({ dep, advs });
  }
  return out;
}

const uniq = (xs: readonly string[]): string[] => [...new Set(xs.filter((x) => x !== ""))].sort();
const day = (iso: string | null | undefined, tz: string): string => (iso ? calendarDate(iso, tz) : "");

function poamRow(issue: MaintenanceIssue, a: Assessment, opts: PoamOptions, now: Date): PoamRow {
  const tz = opts.timeZone ?? "UTC";
  const subject = parseSecuritySubject(issue.subject);
  const hits = hitsOf(issue, subject, a.dependencies);
  const advs = [...new Map(hits.flatMap((h) => h.advs).map((x) => [x.id, x])).values()].sort((x, y) => x.id.localeCompare(y.id));
  const scores = advs.map((x) => x.score).filter((n): n is number => n !== null);
  const topScore = scores.length > 0 ? Math.max(...scores) : null;
  const deadline = deadlineOf(issue, now, tz);
  const closed = issue.status === "resolved";
  const noFix = advs.length > 0 && advs.every((x) => x.fixed_version === null);
  const assets =
    hits.length > 0
      ? uniq(hits.map((h) => `${opts.repository}; ${h.dep.component}; ${h.dep.name}@${h.dep.locked_version ?? h.dep.version}`))
      : [`${opts.repository}; ${issue.affected_components.join(", ")}; ${subject ? `${subject.name}${subject.version ? `@${subject.version}` : ""}` : issue.subject}`];
  const fixes = uniq(advs.map((x) => x.fixed_version ?? ""));
  const cves = uniq([...advs.flatMap((x) => [x.id, ...x.aliases]), ...hits.flatMap((h) => h.dep.cve_ids)].filter((id) => /^CVE-\d{4}-\d+$/.test(id)));
  const ra = issue.risk_acceptance;
  const deferred = issue.status === "deferred";
  const milestones = closed
    ? [`${day(issue.resolved_at, tz)}: closed (${issue.history.at(-1)?.reason ?? "resolved"})`]
    : [
        ...(fixes.length > 0 ? [`${deadline.due_date ?? ""}: upgrade ${subject?.name ?? "the package"} to ${fixes.join(" / ")} (Cowabunga update pull request), then verify with a rescan`] : []),
        ...(noFix ? [`${deadline.due_date ?? ""}: no fixed version published; re-check the vendor on every scan and apply the fix once released`] : []),
        ...(fixes.length === 0 && !noFix ? issue.resolution_steps.map((s) => `${deadline.due_date ?? ""}: ${s}`) : []),
      ];
  const status = closed ? "Closed" : deferred ? (ra ? "Risk accepted" : "Deferred") : deadline.state === "overdue" ? "Open (overdue)" : "Open";
  const statusDate = closed ? issue.resolved_at : issue.history.at(-1)?.at ?? issue.updated_at;
  return {
    "POA&M ID": `CWB-${opts.repository}-${issue.id}`,
    Controls: "RA-5, SI-2",
    "Weakness Name": issue.title,
    "Weakness Description": issue.description,
    "Weakness Detector Source": `Cowabunga Maintainer dependency scan (${subject?.datasource ?? "unknown"} advisories via OSV)`,
    "Weakness Source Identifier": advs.length > 0 ? advs.map((x) => x.id).join(", ") : (subject?.advisory ?? issue.subject),
    "Asset Identifier": assets.join(" | "),
    "Point of Contact": issue.assignee ?? opts.pointOfContact ?? `${opts.repository} maintainers`,
    "Resources Required": issue.estimated_effort,
    "Overall Remediation Plan": issue.resolution_steps.join("; "),
    "Original Detection Date": day(issue.created_at, tz),
    "Scheduled Completion Date": deadline.due_date ?? "",
    "Planned Milestones": milestones.join("; "),
    "Milestone Changes": ra ? `${day(ra.accepted_at, tz)}: risk accepted by ${ra.accepted_by}${ra.until ? ` until ${ra.until}` : ""}` : "",
    "Status Date": day(statusDate, tz),
    "Vendor Dependency": noFix ? "Yes" : "No",
    "Last Vendor Check-in Date": noFix ? day(a.system.timestamp, tz) : "",
    "Vendor Dependent Product Name": noFix ? uniq(hits.map((h) => h.dep.name)).join(", ") : "",
    "Original Risk Rating": RISK_RATING[issue.severity],
    "Adjusted Risk Rating": "",
    "Risk Adjustment": "No",
    "False Positive": "No",
    "Operational Requirement": deferred && ra ? "Yes" : "No",
    "Deviation Rationale": deferred ? (ra ? `${ra.reason || "no reason given"} (accepted by ${ra.accepted_by}${ra.until ? ` until ${ra.until}` : ""})` : (issue.defer_reason ?? "")) : "",
    "Supporting Documents": [...advs.map((x) => x.url ?? ""), issue.github_issue_number != null ? `https://${opts.host ?? "github.com"}/${opts.repository}/issues/${issue.github_issue_number}` : ""].filter(Boolean).join(" "),
    Comments: [topScore !== null ? `CVSS ${topScore.toFixed(1)}${advs.find((x) => x.score === topScore)?.score_estimated ? " (estimated)" : ""}` : "", `lifecycle ${issue.lifecycle_state}`].filter(Boolean).join("; "),
    "Auto-Approve": "No",
    CVE: cves.join(", "),
    Status: status,
  };
}

export interface PoamSheets {
  open: PoamRow[];
  closed: PoamRow[];
}

/** Security issues only (POA&M tracks security weaknesses), open ones by due date then id, closed by close date. */
export function buildPoam(a: Assessment, opts: PoamOptions): PoamSheets {
  const now = opts.clock ? opts.clock() : new Date(a.system.timestamp);
  const security = a.issues.filter((i) => i.type === "security");
  const byDue = (x: MaintenanceIssue, y: MaintenanceIssue) => (x.due_at ?? "").localeCompare(y.due_at ?? "") || x.id.localeCompare(y.id);
  const open = security.filter((i) => i.status !== "resolved").sort(byDue);
  const closed = security.filter((i) => i.status === "resolved").sort((x, y) => (x.resolved_at ?? "").localeCompare(y.resolved_at ?? "") || x.id.localeCompare(y.id));
  return { open: open.map((i) => poamRow(i, a, opts, now)), closed: closed.map((i) => poamRow(i, a, opts, now)) };
}

/**
 * CSV: an "Open POA&M Items" section, an empty record, then a "Closed POA&M Items" section, each with
 * its own header row (as the template's two worksheets). CRLF line ends.
 */
export function renderPoamCsv(a: Assessment, opts: PoamOptions & { bom?: boolean }): string {
  const sheets = buildPoam(a, opts);
  const section = (title: string, rows: PoamRow[]): string[] => [csvRow([title]), csvRow(POAM_COLUMNS), ...rows.map((r) => csvRow(POAM_COLUMNS.map((c) => r[c] as CsvValue)))];
  const lines = [...section("Open POA&M Items", sheets.open), "", ...section("Closed POA&M Items", sheets.closed)];
  const body = lines.map((l) => `${l}\r\n`).join("");
  return opts.bom ? `\uFEFF${body}` : body;
}
