import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { escapeAttr, escapeHtml, safeHttpUrl } from "../report/escape.js";
import { SEVERITY_ORDER } from "../report/summary.js";
import type { Alert, AlertChannel, Clock, DigestChannel, DigestPeriod, MaintenanceSummary } from "./types.js";
import { errorMessage, hostOnly } from "./redact.js";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Subjects are one line: control characters and newlines (header injection) become spaces. */
function oneLine(value: string, max = 200): string {
  const t = value.replace(/[\u0000-\u001F\u007F]+/g, " ").replace(/\s{2,}/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Text-part content: control characters except newline/tab removed. */
function textPart(value: unknown): string {
  return (value == null ? "" : String(value)).replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, "");
}

function linkHtml(label: string, url: string): string {
  const safe = safeHttpUrl(url);
  return safe ? `<a href="${escapeAttr(safe)}">${escapeHtml(label || safe)}</a>` : `${escapeHtml(label)}: ${escapeHtml(url)}`;
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body style="font-family:sans-serif;line-height:1.4">\n${body}\n<p style="color:#666;font-size:12px">Sent by Cowabunga Maintainer.</p>\n</body></html>\n`;
}

const LEVEL_COLOR: Record<string, string> = { critical: "#b00020", high: "#d9480f", medium: "#b08800", low: "#1c6dd0" };

/** Subject, text and HTML (every untrusted string escaped) for one alert. */
export function renderAlertEmail(alert: Alert, opts: { repo?: string } = {}): RenderedEmail {
  const level = alert.level.toUpperCase();
  const subject = oneLine(`[Cowabunga] ${level}: ${alert.title}${opts.repo ? ` (${opts.repo})` : ""}`);
  const links = alert.links.filter((l) => safeHttpUrl(l.url) != null);
  const text = [
    `${level} alert${opts.repo ? ` for ${textPart(opts.repo)}` : ""}`,
    "",
    textPart(alert.title),
    "",
    textPart(alert.message),
    "",
    `Component: ${alert.component ? textPart(alert.component) : "(whole repository)"}`,
    `Condition: ${alert.condition}`,
    `Issues: ${alert.issue_ids.length}`,
    `Raised at: ${alert.created_at}`,
    ...(links.length > 0 ? ["", ...links.map((l) => `${textPart(l.label)}: ${safeHttpUrl(l.url)}`)] : []),
    "",
  ].join("\n");
  const html = page(
    subject,
    [
      `<h2 style="color:${LEVEL_COLOR[alert.level] ?? "#000"}">${escapeHtml(level)}: ${escapeHtml(alert.title)}</h2>`,
      opts.repo ? `<p>Repository: <strong>${escapeHtml(opts.repo)}</strong></p>` : "",
      `<p style="white-space:pre-wrap">${escapeHtml(alert.message)}</p>`,
      "<ul>",
      `<li>Component: ${alert.component ? escapeHtml(alert.component) : "<em>(whole repository)</em>"}</li>`,
      `<li>Condition: ${escapeHtml(alert.condition)}</li>`,
      `<li>Issues: ${alert.issue_ids.length}</li>`,
      `<li>Raised at: ${escapeHtml(alert.created_at)}</li>`,
      "</ul>",
      links.length > 0 ? `<p>${links.map((l) => linkHtml(l.label, l.url)).join(" · ")}</p>` : "",
    ]
      .filter((s) => s !== "")
      .join("\n"),
  );
  return { subject, text, html };
}

/** Subject, text and HTML for a daily or weekly maintenance digest. */
export function renderDigestEmail(summary: MaintenanceSummary, period: DigestPeriod): RenderedEmail {
  const label = digestLabel(period);
  const status = summary.maintenance_mode ? `${summary.overall_status} (maintenance mode)` : summary.overall_status;
  const subject = oneLine(`[Cowabunga] ${label} maintenance summary for ${summary.repo}: ${status}, ${summary.counts.issues_open} open issues`);
  const c = summary.counts;
  const sev = SEVERITY_ORDER.map((s) => `${s} ${c.open_by_severity[s] ?? 0}`).join(", ");
  const countLines: Array<[string, string]> = [
    ["Status", status],
    ["Components", String(c.components)],
    ["Open issues", `${c.issues_open} (${sev})`],
    ...(c.resolved_in_period != null ? [["Resolved this period", String(c.resolved_in_period)] as [string, string]] : []),
    ["Dependencies", `${c.dependencies} (${c.vulnerable} vulnerable, ${c.outdated} outdated)`],
  ];
  const links = summary.links.filter((l) => safeHttpUrl(l.url) != null);
  const text = [
    `${label} maintenance summary for ${textPart(summary.repo)} (${summary.generated_at})`,
    "",
    ...countLines.map(([k, v]) => `${k}: ${textPart(v)}`),
    "",
    summary.top_issues.length > 0 ? "Top open issues:" : "No open issues.",
    ...summary.top_issues.map(
      (i) => `- [${i.severity}] ${textPart(i.title)}${i.component ? ` (${textPart(i.component)})` : ""}${safeHttpUrl(i.url) ? ` ${safeHttpUrl(i.url)}` : ""}`,
    ),
    ...(summary.alerts.length > 0
      ? ["", "Alerts this period:", ...summary.alerts.map((a) => `- [${a.level}] ${textPart(a.title)} (${a.created_at})`)]
      : []),
    ...(links.length > 0 ? ["", ...links.map((l) => `${textPart(l.label)}: ${safeHttpUrl(l.url)}`)] : []),
    "",
  ].join("\n");
  const issueItem = (i: MaintenanceSummary["top_issues"][number]): string => {
    const title = safeHttpUrl(i.url) ? linkHtml(i.title, i.url ?? "") : escapeHtml(i.title);
    return `<li><strong>${escapeHtml(i.severity)}</strong> ${title}${i.component ? ` <em>(${escapeHtml(i.component)})</em>` : ""}</li>`;
  };
  const html = page(
    subject,
    [
      `<h2>${escapeHtml(label)} maintenance summary for ${escapeHtml(summary.repo)}</h2>`,
      `<p style="color:#666">${escapeHtml(summary.generated_at)}</p>`,
      `<table>${countLines.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>`,
      summary.top_issues.length > 0 ? `<h3>Top open issues</h3>\n<ul>${summary.top_issues.map(issueItem).join("\n")}</ul>` : "<p>No open issues.</p>",
      summary.alerts.length > 0
        ? `<h3>Alerts this period</h3>\n<ul>${summary.alerts
            .map((a) => `<li><strong>${escapeHtml(a.level)}</strong> ${escapeHtml(a.title)} <span style="color:#666">${escapeHtml(a.created_at)}</span></li>`)
            .join("\n")}</ul>`
        : "",
      links.length > 0 ? `<p>${links.map((l) => linkHtml(l.label, l.url)).join(" · ")}</p>` : "",
    ]
      .filter((s) => s !== "")
      .join("\n"),
  );
  return { subject, text, html };
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The length of a digest period in ms, or null for a value that is not one (`off`, garbage). */
export function digestPeriodMs(period: string): number | null {
  if (period === "daily") return UNIT_MS.d;
  if (period === "weekly") return 7 * UNIT_MS.d;
  const m = /^([1-9]\d{0,4})([mhd])$/.exec(period);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
}

/** A period from the config (`notifications.digest.period`, else `notifications.email.digest`); "off" when none. */
export function configuredDigestPeriod(n: { email: { digest: string }; digest?: { period?: string } }): DigestPeriod | "off" {
  const p = n.digest?.period ?? n.email.digest;
  return p !== "off" && digestPeriodMs(p) != null ? (p as DigestPeriod) : "off";
}

/** "Daily", "Weekly", "6-hourly"... for subjects. */
export function digestLabel(period: DigestPeriod): string {
  if (period === "daily") return "Daily";
  if (period === "weekly") return "Weekly";
  const m = /^(\d+)([mhd])$/.exec(period);
  const unit = m?.[2] === "m" ? "minute" : m?.[2] === "h" ? "hour" : "day";
  return m ? `${m[1]}-${unit}` : "Periodic";
}

/**
 * Whether a digest of this period is due. A digest is due when none was sent yet, or when at least the
 * period minus a tolerance has passed (1 hour, or a tenth of a period shorter than 10 hours, so a daily
 * cron with jitter still sends once a day). `off` is never due. An unreadable `lastSent` counts as never
 * sent; a future one (clock moved back) only when it is more than one period ahead.
 */
export function digestDue(
  lastSent: string | Date | null | undefined,
  period: DigestPeriod | "off",
  clock: Clock,
  opts: { toleranceMs?: number } = {},
): boolean {
  if (period === "off") return false;
  const length = digestPeriodMs(period);
  if (length == null) return false;
  if (lastSent == null) return true;
  const last = lastSent instanceof Date ? lastSent.getTime() : Date.parse(lastSent);
  if (!Number.isFinite(last)) return true;
  const elapsed = clock().getTime() - last;
  if (elapsed < -length) return true;
  return elapsed >= length - Math.min(opts.toleranceMs ?? 3600_000, length / 10);
}

/** What EmailChannel needs from a nodemailer transport (tests may pass their own). */
export interface MailTransport {
  sendMail(message: { from: string; to: string[]; subject: string; text: string; html: string; headers?: Record<string, string> }): Promise<unknown>;
  close?(): void;
}

export interface EmailChannelOptions {
  /** smtp://user:pass@host:587 or smtps://… (a secret: never logged). */
  smtpUrl: string;
  from: string;
  recipients: readonly string[];
  /** "owner/repo" for subjects. */
  repo?: string;
  /** Extra nodemailer SMTP options (timeouts, ignoreTLS, tls). */
  transportOptions?: SMTPTransport.Options;
  /** Replace the SMTP transport entirely (tests). */
  transport?: MailTransport;
}

/** Sends alerts and digests by SMTP. Throws a redacted Error on failure (the outbox retries). */
export class EmailChannel implements DigestChannel {
  readonly name = "email";
  private readonly transport: MailTransport;

  constructor(private readonly opts: EmailChannelOptions) {
    this.transport =
      opts.transport ??
      nodemailer.createTransport({
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
        ...opts.transportOptions,
        url: opts.smtpUrl,
      });
  }

  get host(): string {
    return hostOnly(this.opts.smtpUrl);
  }

  async send(alert: Alert): Promise<void> {
    await this.deliver(renderAlertEmail(alert, { repo: this.opts.repo }), { "X-Cowabunga-Alert": oneLine(alert.key, 200) });
  }

  async sendDigest(summary: MaintenanceSummary, period: DigestPeriod): Promise<void> {
    await this.deliver(renderDigestEmail(summary, period), { "X-Cowabunga-Digest": period });
  }

  close(): void {
    this.transport.close?.();
  }

  private async deliver(mail: RenderedEmail, headers: Record<string, string>): Promise<void> {
    if (this.opts.recipients.length === 0) throw new Error("email: no recipients configured (notifications.email.recipients)");
    try {
      await this.transport.sendMail({ from: oneLine(this.opts.from), to: [...this.opts.recipients], ...mail, headers });
    } catch (err) {
      throw new Error(`SMTP ${this.host}: ${errorMessage(err, [this.opts.smtpUrl])}`);
    }
  }
}

/** Whether a channel is the email channel (so callers can reach sendDigest). */
export function isEmailChannel(channel: AlertChannel): channel is EmailChannel {
  return channel instanceof EmailChannel;
}
