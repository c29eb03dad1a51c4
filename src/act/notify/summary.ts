import type { Assessment } from "../../assess/types.js";
import type { MaintenanceIssue } from "../../model/index.js";
import { countReport, isOpenIssue, sortIssues } from "../report/summary.js";
import { digestLinks, maintenanceIssueUrl, type LinkContext } from "./links.js";
import type { Alert, MaintenanceSummary } from "./types.js";

export interface SummaryOptions {
  /** "owner/repo". */
  repo: string;
  generated_at: string;
  /** Start of the period: issues resolved and alerts raised since then are counted. */
  since?: string | null;
  /** Alerts raised in the period (default: the assessment's); only those raised since `since` are listed. */
  alerts?: Alert[];
  /** Top issues to list (default 10). */
  top?: number;
  /**
   * Where links point (the GitHub host the app runs against, GHES included; issue numbers; the dashboard):
   * issue URLs and the footer links come from src/act/notify/links.ts. Without it the digest has no links.
   */
  linkContext?: LinkContext;
  /** Label of the app's issues, for the "open issues" link (default "cowabunga"). */
  issueLabel?: string;
  /** URL of an issue (overrides linkContext). */
  issueUrl?: (issue: MaintenanceIssue) => string | null;
  links?: Array<{ label: string; url: string }>;
}

/** The digest's content from an assessment. */
export function summaryFromAssessment(a: Assessment, opts: SummaryOptions): MaintenanceSummary {
  const counts = countReport(a);
  const sinceMs = opts.since ? Date.parse(opts.since) : NaN;
  const ctx = opts.linkContext;
  const issueUrl = opts.issueUrl ?? (ctx ? maintenanceIssueUrl(ctx) : () => null);
  const alerts = (opts.alerts ?? a.alerts)
    // After the previous digest: an alert raised at its very moment was in it.
    .filter((al) => !Number.isFinite(sinceMs) || Date.parse(al.created_at) > sinceMs)
    .sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at) || (x.key < y.key ? -1 : 1));
  return {
    repo: opts.repo,
    generated_at: opts.generated_at,
    overall_status: a.system.overall_status,
    maintenance_mode: a.system.maintenance_mode,
    counts: {
      components: counts.components,
      issues_open: counts.issues_open,
      open_by_severity: counts.open_by_severity,
      resolved_in_period: Number.isFinite(sinceMs)
        ? a.issues.filter((i) => i.status === "resolved" && i.resolved_at != null && Date.parse(i.resolved_at) > sinceMs).length
        : null,
      dependencies: counts.dependencies,
      vulnerable: counts.vulnerable,
      outdated: counts.outdated,
    },
    top_issues: sortIssues(a.issues.filter(isOpenIssue))
      .slice(0, opts.top ?? 10)
      .map((i) => ({ title: i.title, severity: i.severity, component: i.affected_components[0] ?? null, url: issueUrl(i) })),
    alerts,
    links: opts.links ?? (ctx ? digestLinks(ctx, opts.issueLabel ?? "cowabunga") : []),
  };
}
