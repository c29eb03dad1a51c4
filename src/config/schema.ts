import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { ComponentType } from "../model/common.js";

/** Why a schedule cron is refused, or null: five fields (minute hour day month weekday) that cron-parser accepts. */
export function cronProblem(cron: string): string | null {
  // Stryker disable next-line Regex: equivalent; the filter drops the empty strings that splitting on single blanks leaves
  const fields = cron.split(/\s+/).filter((f) => f !== "");
  if (fields.length !== 5) return `expected a five-field cron expression (minute hour day-of-month month day-of-week), got ${fields.length} field${fields.length === 1 ? "" : "s"}`;
  try {
    // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent; whether an expression is valid does not depend on the time zone
    CronExpressionParser.parse(cron, { tz: "UTC" });
    return null;
  } catch (err) {
    return `invalid cron expression: ${(err as Error).message}`;
  }
}

/** Whether the runtime knows this IANA time zone name (Intl refuses unknown ones). */
export function isKnownTimeZone(zone: string): boolean {
  // Stryker disable next-line ConditionalExpression,MethodExpression,StringLiteral: equivalent on Node 20, whose Intl refuses an empty or blank zone too; kept so the rule does not rest on the runtime
  if (zone.trim() === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** http(s) URLs only: `javascript:`, `file:`, `data:` and the like are never polled or linked. */
export const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:$/i.test(safeProtocol(u)), { message: "expected an http:// or https:// URL" });

function safeProtocol(u: string): string {
  try {
    return new URL(u).protocol;
  } /* Stryker disable next-line BlockStatement: equivalent; undefined is no http(s) protocol either, so the refinement refuses the value the same way */ catch {
    // Stryker disable next-line StringLiteral: equivalent; any text but "http:" or "https:" is refused the same way
    return "";
  }
}

/**
 * The schema of `.github/cowabunga.yml`. Every key has a default, so an empty file is valid.
 * Secrets never live here: channels name recipients; URLs and passwords come from the app's environment.
 */
export const ComponentConfig = z.object({
  name: z.string().min(1),
  /** Globs (picomatch) of the directories or files that belong to this component. */
  paths: z.array(z.string().min(1)).min(1),
  type: ComponentType.optional(),
  depends_on: z.array(z.string()).default([]),
  /** Runtime health endpoint polled by the app (http/https). */
  health_url: HttpUrl.optional(),
});
export type ComponentConfig = z.infer<typeof ComponentConfig>;

export const MaintenanceWindow = z.object({
  /** Days of the week, lowercase three-letter names. */
  days: z.array(z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])).min(1),
  /** "HH:MM" 24-hour, in the schedule's timezone. */
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM"),
  end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "expected HH:MM"),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const ScheduleConfig = z.object({
  /** Five-field cron expression for scheduled scans. */
  cron: z
    .string()
    .superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .default("0 6 * * *"),
  /** IANA timezone name. */
  timezone: z
    .string()
    .refine(isKnownTimeZone, { message: "unknown time zone; expected an IANA name such as UTC or Europe/Berlin" })
    .default("UTC"),
  /** Random delay added to each scheduled scan, to spread load. */
  jitter_minutes: z.number().int().min(0).max(720).default(15),
  /** Update PRs open only inside a window (critical security fixes excepted). Empty: any time. */
  maintenance_windows: z.array(MaintenanceWindow).default([]),
});

export const ThresholdsConfig = z.object({
  /** Critical alert: an advisory with CVSS score above this. */
  critical_cvss: z.number().min(0).max(10).default(8.0),
  /** High alert: a component health score below this. */
  component_health: z.number().min(0).max(1).default(0.7),
  /** Medium alert: a dependency more than this many months behind latest. */
  outdated_months: z.number().min(0).default(6),
  /** Low alert: test coverage (percent) below this. */
  coverage_percent: z.number().min(0).max(100).default(80),
  /** A dependency with no release for this many years is unmaintained. */
  unmaintained_years: z.number().min(0).default(2),
});

export const IgnoreRule = z.object({
  /** Package name, or a glob such as "@types/*". */
  package: z.string().min(1),
  /** Only versions in this range (the ecosystem's syntax) are ignored. */
  versions: z.string().optional(),
  /** ISO date; the rule lapses after it. */
  until: z.string().date().optional(),
  reason: z.string().min(1),
  /** Limit the rule to one package manager. */
  package_manager: z.string().optional(),
});
export type IgnoreRule = z.infer<typeof IgnoreRule>;

export const UpdateType = z.enum(["major", "minor", "patch", "digest"]);

export const UpdatesConfig = z.object({
  enabled: z.boolean().default(true),
  /** Update types that get PRs. Security fixes always do. */
  update_types: z.array(UpdateType).default(["minor", "patch"]),
  max_open_prs: z.number().int().min(0).default(5),
  /** none: one PR per dependency; component: one per component and update type; all: one per update type. */
  grouping: z.enum(["none", "component", "all"]).default("none"),
  labels: z.array(z.string()).default(["dependencies", "cowabunga"]),
  reviewers: z.array(z.string()).default([]),
  /** Automerge updates marked auto_update_safe, once CI is green. */
  automerge: z.boolean().default(false),
  /** Days a release must have been public before we propose it. */
  minimum_release_age_days: z.number().int().min(0).default(3),
  /** When to rebase an open update PR: only on conflicts (default), or whenever the base moves. */
  rebase: z.enum(["conflicts", "behind", "never"]).default("conflicts"),
});

export const NotificationsConfig = z.object({
  slack: z
    .object({
      enabled: z.boolean().default(false),
      /** Names of Slack webhooks; each maps to env COWABUNGA_SLACK_WEBHOOK_<NAME>. */
      channels: z.array(z.string().regex(/^[A-Za-z0-9_]+$/)).default(["default"]),
    })
    .default({ enabled: false, channels: ["default"] }),
  email: z
    .object({
      enabled: z.boolean().default(false),
      recipients: z.array(z.string().email()).default([]),
      digest: z.enum(["daily", "weekly", "off"]).default("weekly"),
    })
    .default({ enabled: false, recipients: [], digest: "weekly" }),
  github: z
    .object({ enabled: z.boolean().default(true), mention: z.array(z.string()).default([]) })
    .default({ enabled: true, mention: [] }),
  /**
   * How often the maintenance digest is sent (to email): `daily`, `weekly`, `off`, or a shorter period
   * such as `30m`, `6h`, `2d` (at least 5 minutes) for busy teams and tests. Unset: `email.digest`.
   * Digests are built after a scan; a period shorter than the scan schedule sends one per scan at most.
   */
  digest: z
    .object({
      period: z
        .string()
        .regex(/^(daily|weekly|off|[1-9]\d{0,4}[mhd])$/, "expected daily, weekly, off, or a number of minutes, hours or days such as 30m, 6h, 2d")
        .refine((p) => !/^[1-4]m$/.test(p), "a digest period is at least 5m")
        .optional(),
    })
    .default({}),
  /** Alerts of one kind for one subject are not repeated inside this many hours. */
  quiet_period_hours: z.number().min(0).default(24),
});

export const RetentionConfig = z.object({
  health_days: z.number().int().min(1).default(30),
  issue_history_days: z.number().int().min(1).default(365),
  dependency_history_days: z.number().int().min(1).default(182),
  /** Maintenance records are a permanent archive; 0 means keep forever. */
  records_days: z.number().int().min(0).default(0),
});

/**
 * Mirror URLs per ecosystem. `go_sumdb` is the Go checksum database that go.sum lines come from (its
 * `/lookup`): a URL, or `off` (like GONOSUMDB for everything: go.sum is never edited in place, the PR
 * names `go mod tidy`). Default: `<go>/sumdb/sum.golang.org` when `go` is a mirror (the GOPROXY
 * checksum-database proxy protocol), else https://sum.golang.org.
 */
export const RegistriesConfig = z
  .partialRecord(z.enum(["npm", "pypi", "crates", "go", "go_sumdb", "docker", "helm", "osv"]), z.union([HttpUrl, z.literal("off")]))
  .superRefine((r, ctx) => {
    for (const [k, v] of Object.entries(r)) {
      if (v === "off" && k !== "go_sumdb") ctx.addIssue({ code: "custom", path: [k], message: "expected an http:// or https:// URL (only go_sumdb may be off)" });
    }
  });

/** The mirror URLs of a registries setting, without `go_sumdb: off` (for trusted-origin sets). */
export function registryUrls(r: Readonly<Partial<Record<string, string>>>): string[] {
  return Object.values(r).filter((u): u is string => typeof u === "string" && u !== "off");
}

/**
 * The Go checksum database to read go.sum lines from: null when `go_sumdb: off`, the configured URL, the
 * sumdb proxy of the `go` mirror (`<GOPROXY>/sumdb/sum.golang.org`), or https://sum.golang.org.
 */
export function goSumdbOf(r: Readonly<Partial<Record<string, string>>>): string | null {
  const set = r.go_sumdb?.trim();
  if (set === "off") return null;
  if (set) return set.replace(/\/+$/, "");
  if (r.go) return `${r.go.replace(/\/+$/, "")}/sumdb/sum.golang.org`;
  return "https://sum.golang.org";
}

export const IssuesConfig = z.object({
  enabled: z.boolean().default(true),
  /** New GitHub issues opened per run; the rest are summarised in the dashboard issue. */
  max_new_per_run: z.number().int().min(0).default(10),
  labels: z.array(z.string()).default(["cowabunga"]),
  /** Scan Markdown and source for TODO/FIXME and broken links. */
  bug_markers: z.boolean().default(true),
  documentation: z.boolean().default(true),
  /**
   * Findings on packages that a component reaches only through dev dependencies (test runners, build
   * tools) are filed too; false leaves them out of issues (they stay in reports, marked dev-only).
   */
  include_dev_only: z.boolean().default(true),
});

/** Remediation deadlines in days from first detection, per severity (FedRAMP ConMon defaults). */
export const SlaConfig = z.object({
  critical: z.number().int().min(1).max(3650).default(30),
  high: z.number().int().min(1).max(3650).default(30),
  medium: z.number().int().min(1).max(3650).default(90),
  low: z.number().int().min(1).max(3650).default(180),
});
export type SlaConfig = z.infer<typeof SlaConfig>;

export const CowabungaConfig = z.object({
  components: z.array(ComponentConfig).default([]),
  schedule: ScheduleConfig.default(ScheduleConfig.parse({})),
  maintenance_mode: z.boolean().default(false),
  thresholds: ThresholdsConfig.default(ThresholdsConfig.parse({})),
  ignore: z.array(IgnoreRule).default([]),
  updates: UpdatesConfig.default(UpdatesConfig.parse({})),
  issues: IssuesConfig.default(IssuesConfig.parse({})),
  notifications: NotificationsConfig.default(NotificationsConfig.parse({})),
  retention: RetentionConfig.default(RetentionConfig.parse({})),
  /** Mirror URLs per ecosystem, for air-gapped installs. */
  registries: RegistriesConfig.default({}),
  /** Paths (globs) the scan skips in addition to .gitignore. */
  ignore_paths: z.array(z.string()).default([]),
  /** Remediation deadlines (days per severity), counted from first detection. */
  sla: SlaConfig.default(SlaConfig.parse({})),
});
export type CowabungaConfig = z.infer<typeof CowabungaConfig>;

export function defaultConfig(): CowabungaConfig {
  return CowabungaConfig.parse({});
}
