import type { ComponentHealth, Dependency, MaintenanceIssue, MaintenanceRecord, Severity, SystemHealth, TestResult } from "../model/index.js";
import type { ScanResult, ScanWarning } from "../scan/types.js";
import type { IssueDraft } from "./draft.js";

/** Injected time source, so tests control "now". */
export type Clock = () => Date;

/** The seed's four alert conditions. */
export type AlertCondition = "critical_cvss" | "low_component_health" | "outdated_dependency" | "low_coverage" | "overdue";

export interface Alert {
  /** Deduplication key: condition + subject. The same key inside the quiet period is not sent again. */
  key: string;
  condition: AlertCondition;
  /** critical_cvss → critical, low_component_health → high, outdated_dependency → medium, low_coverage → low. */
  level: Severity;
  title: string;
  message: string;
  /** Component the alert is about, when it is about one. */
  component: string | null;
  /** MaintenanceIssue ids behind the alert. */
  issue_ids: string[];
  created_at: string;
  /** Links (report, issue) to include in messages. */
  links: Array<{ label: string; url: string }>;
}

/** Where alerts go. Real channels (Slack, email, GitHub, dashboard) implement this; tests use a recording channel. */
export interface AlertChannel {
  readonly name: string;
  send(alert: Alert): Promise<void>;
}

/** Facts the detectors need beyond the scan and enrichment. All optional: missing data gives "unknown". */
export interface AssessInputs {
  scan: ScanResult;
  dependencies: Dependency[];
  /** Issues stored from earlier runs, for stable ids and lifecycle reconciliation. */
  previousIssues: MaintenanceIssue[];
  /** Latest test results per component (from CI on the default branch or update PRs). */
  testResults?: Record<string, TestResult[]>;
  /** Failing checks on the default branch head, for the "red default branch" bug detector. */
  failingChecks?: Array<{ name: string; url: string | null; conclusion: string }>;
  /** CI error rate per component (0..100), when known. */
  ciErrorRate?: Record<string, number>;
  /** Runtime metrics reported per component. */
  runtime?: Record<string, Partial<Pick<ComponentHealth, "uptime_percentage" | "error_rate" | "response_time_ms" | "memory_usage_mb" | "cpu_usage_percent">>>;
  /** Source and Markdown file contents for the bug-marker and documentation detectors (path → text). */
  textFiles?: Map<string, string>;
  /** When set, only bug markers on these added lines count (push diffs): path → added line numbers. */
  addedLines?: Map<string, Set<number>>;
  /**
   * Every file path of the repository (POSIX, repo-relative), for the documentation detector (broken
   * links, missing READMEs). Without it, only links into `textFiles` can be confirmed. (Added by assess.)
   */
  allFiles?: string[];
  /** Current versions the registry marks as yanked (the Dependency model has no yanked flag). (Added by assess.) */
  yanked?: Array<{ package_manager: string; name: string; version: string; reason: string | null }>;
  /** The last maintenance performed, copied into SystemHealth.last_maintenance. (Added by assess.) */
  lastMaintenance?: MaintenanceRecord | null;
  /**
   * Advisory re-assessment (issue 16), which reads no file: the text detectors' findings (bug markers,
   * documentation) as the last scan made them, and the text paths it examined. Used when `textFiles` is absent.
   */
  textFindings?: TextFindings;
  /** Advisory ids the advisory source withdrew (an advisory refresh): a security issue they leave says so. */
  withdrawnAdvisories?: readonly string[];
}

/** What the detectors that read file contents found (kept with the scan, replayed by a re-assessment). */
export interface TextFindings {
  /** Drafts of the bug-marker and documentation detectors. */
  drafts: IssueDraft[];
  /** Paths of the text files the scan examined (for component health's "examined"). */
  examined: string[];
}

export interface Assessment {
  system: SystemHealth;
  components: ComponentHealth[];
  /** Every issue known after this run, including ones resolved by it. */
  issues: MaintenanceIssue[];
  dependencies: Dependency[];
  alerts: Alert[];
  warnings: ScanWarning[];
  /** The findings that came from file contents, so a re-assessment without them can replay them. */
  textFindings?: TextFindings;
}
