/**
 * Hidden HTML comments that identify what the app wrote, so a restart with no local state finds its
 * issues again. Ids are restricted to a safe alphabet so a marker can never close the comment early.
 */

export const DASHBOARD_MARKER = "<!-- cowabunga:dashboard -->";
export const CONFIG_ERRORS_MARKER = "<!-- cowabunga:config-errors -->";

const ISSUE_MARKER_RE = /<!-- cowabunga:issue:([A-Za-z0-9._:@/+-]{1,200}) -->/;

/** Characters outside the marker alphabet become "_", so hostile ids cannot break out of the comment. */
export function safeMarkerId(id: string): string {
  return id.replace(/[^A-Za-z0-9._:@/+-]/g, "_").slice(0, 200);
}

export function issueMarker(id: string): string {
  return `<!-- cowabunga:issue:${safeMarkerId(id)} -->`;
}

/** The MaintenanceIssue id named by an issue body's marker, or null. */
export function issueIdFromBody(body: string | null | undefined): string | null {
  if (!body) return null;
  const m = ISSUE_MARKER_RE.exec(body);
  return m ? m[1] : null;
}

export function isDashboardBody(body: string | null | undefined): boolean {
  return !!body && body.includes(DASHBOARD_MARKER);
}

export function isConfigErrorsBody(body: string | null | undefined): boolean {
  return !!body && body.includes(CONFIG_ERRORS_MARKER);
}

/** True when the body carries any of the app's markers. */
export function isAppIssueBody(body: string | null | undefined): boolean {
  return issueIdFromBody(body) !== null || isDashboardBody(body) || isConfigErrorsBody(body);
}

/** Line endings and trailing blanks normalised, so a body GitHub echoes back compares equal to ours. */
export function normaliseBody(body: string | null | undefined): string {
  return (body ?? "").replace(/\r\n?/g, "\n").replace(/[ \t]+\n/g, "\n").trimEnd();
}
