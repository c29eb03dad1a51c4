import type { Alert, AlertChannel, Clock } from "../../assess/types.js";
import type { OverallStatus, Severity } from "../../model/index.js";

export type { Alert, AlertChannel, Clock };

/** The four kinds of channel the seed names. A kind may have several channels ("slack:default", "slack:ops"). */
export type ChannelKind = "email" | "slack" | "github" | "dashboard";
export const CHANNEL_KINDS: readonly ChannelKind[] = ["email", "slack", "github", "dashboard"];

/** `daily`, `weekly`, or a number of minutes, hours or days (`30m`, `6h`, `2d`): config notifications.digest.period. */
export type DigestPeriod = "daily" | "weekly" | `${number}m` | `${number}h` | `${number}d`;

/** pino-compatible (Probot's `app.log`, `context.log`). Messages never contain secrets. */
export interface NotifyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLogger: NotifyLogger = { info: () => undefined, warn: () => undefined };

/** A maintenance summary, what the email digest shows. Built by summaryFromAssessment or by hand. */
export interface MaintenanceSummary {
  /** "owner/repo". */
  repo: string;
  generated_at: string;
  overall_status: OverallStatus;
  maintenance_mode: boolean;
  counts: {
    components: number;
    issues_open: number;
    open_by_severity: Record<Severity, number>;
    /** Issues resolved since the previous digest, when known. */
    resolved_in_period: number | null;
    dependencies: number;
    vulnerable: number;
    outdated: number;
  };
  /** The most important open issues, already ordered. */
  top_issues: Array<{ title: string; severity: Severity; component: string | null; url: string | null }>;
  /** Alerts raised during the period. */
  alerts: Alert[];
  links: Array<{ label: string; url: string }>;
}

/** A channel that can also send maintenance digests (email). */
export interface DigestChannel extends AlertChannel {
  sendDigest(summary: MaintenanceSummary, period: DigestPeriod): Promise<void>;
}

export function isDigestChannel(channel: AlertChannel): channel is DigestChannel {
  return typeof (channel as Partial<DigestChannel>).sendDigest === "function";
}

/** The kind of a channel from its name ("slack:ops" → "slack"); null for a name of no known kind. */
export function channelKind(name: string): ChannelKind | null {
  const kind = name.split(":", 1)[0];
  return (CHANNEL_KINDS as readonly string[]).includes(kind) ? (kind as ChannelKind) : null;
}
