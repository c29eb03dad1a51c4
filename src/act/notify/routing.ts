import type { FetchFunction } from "@slack/webhook";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { CowabungaConfig } from "../../config/schema.js";
import type { Resolver } from "../../enrich/url-guard.js";
import type { RepoRef, Store } from "../../store/types.js";
import { DashboardChannel } from "./dashboard.js";
import { EmailChannel, type MailTransport } from "./email.js";
import { GitHubChannel, type GitHubNotifyDeps } from "./github.js";
import { hostOnly } from "./redact.js";
import { SlackChannel, slackWebhookEnvName, slackWebhookUrls } from "./slack.js";
import type { Alert, AlertChannel, ChannelKind, Clock, NotifyLogger } from "./types.js";

/**
 * The seed's routing: critical issues → email, Slack and GitHub; real-time alerts (every level) → Slack;
 * everything → dashboard. Maintenance summaries go to email as digests (NotificationOutbox.maybeSendDigest),
 * not through this table.
 */
export function routeAlert(alert: Pick<Alert, "level">): ChannelKind[] {
  return alert.level === "critical" ? ["email", "slack", "github", "dashboard"] : ["slack", "dashboard"];
}

export interface ChannelDeps {
  repo?: RepoRef;
  /** Enables the dashboard channel (and lets the GitHub channel find issue numbers). */
  store?: Store;
  /** Enables the GitHub channel. */
  github?: GitHubNotifyDeps;
  clock?: Clock;
  logger?: NotifyLogger;
  /** For tests: fetch for Slack, DNS resolver for the URL guard, SMTP transport or options. */
  slackFetch?: FetchFunction;
  resolve?: Resolver;
  emailTransport?: MailTransport;
  smtpOptions?: SMTPTransport.Options;
}

export interface CreatedChannels {
  channels: AlertChannel[];
  email: EmailChannel | null;
  /** Problems with the setup (a channel enabled without its secret…); no secrets in them. */
  warnings: string[];
  /** Secret values in use, for NotificationOutbox's `secrets` (redaction). */
  secrets: string[];
}

/**
 * Channels from the repository config (which channels, recipients) and the environment (secrets only):
 * COWABUNGA_SLACK_WEBHOOK_<NAME> (and COWABUNGA_SLACK_WEBHOOK_URL for `default`), COWABUNGA_SMTP_URL,
 * COWABUNGA_EMAIL_FROM. Never throws; missing pieces become warnings.
 */
export function createChannels(
  config: Pick<CowabungaConfig, "notifications">,
  env: Record<string, string | undefined>,
  deps: ChannelDeps = {},
): CreatedChannels {
  const n = config.notifications;
  const out: CreatedChannels = { channels: [], email: null, warnings: [], secrets: [] };
  const repoLabel = deps.repo ? `${deps.repo.owner}/${deps.repo.repo}` : undefined;

  if (n.slack.enabled) {
    const { urls, missing } = slackWebhookUrls(n.slack.channels, env);
    for (const name of missing) {
      out.warnings.push(`notifications.slack.channels names "${name}" but ${slackWebhookEnvName(name)} is not set${name.toLowerCase() === "default" ? " (nor COWABUNGA_SLACK_WEBHOOK_URL)" : ""}`);
    }
    for (const { name, url } of urls) {
      try {
        new URL(url);
      } catch {
        out.warnings.push(`${slackWebhookEnvName(name)} is not a valid URL`);
        continue;
      }
      out.secrets.push(url);
      out.channels.push(
        new SlackChannel({ name: `slack:${name.toLowerCase()}`, url, repo: repoLabel, env, resolve: deps.resolve, fetch: deps.slackFetch }),
      );
    }
  }

  if (n.email.enabled) {
    const smtpUrl = env.COWABUNGA_SMTP_URL?.trim();
    const from = env.COWABUNGA_EMAIL_FROM?.trim();
    if (!smtpUrl) out.warnings.push("notifications.email is enabled but COWABUNGA_SMTP_URL is not set");
    else if (!/^smtps?:\/\//i.test(smtpUrl)) out.warnings.push(`COWABUNGA_SMTP_URL must start with smtp:// or smtps:// (host ${hostOnly(smtpUrl)})`);
    if (!from) out.warnings.push("notifications.email is enabled but COWABUNGA_EMAIL_FROM is not set");
    // The repository names recipients, but the operator's SMTP server sends the mail: when the operator
    // sets COWABUNGA_EMAIL_ALLOWED_DOMAINS, a repository cannot make the app mail anyone else.
    const recipients = allowedRecipients(n.email.recipients, env.COWABUNGA_EMAIL_ALLOWED_DOMAINS, out.warnings);
    if (recipients.length === 0) out.warnings.push("notifications.email is enabled but notifications.email.recipients is empty");
    if (smtpUrl && /^smtps?:\/\//i.test(smtpUrl) && from && recipients.length > 0) {
      out.secrets.push(smtpUrl);
      out.email = new EmailChannel({
        smtpUrl,
        from,
        recipients,
        repo: repoLabel,
        transport: deps.emailTransport,
        transportOptions: deps.smtpOptions,
      });
      out.channels.push(out.email);
    }
  }

  if (n.github.enabled) {
    if (deps.github) {
      out.channels.push(new GitHubChannel(deps.github, { mention: n.github.mention, store: deps.store, repo: deps.repo }));
    } else {
      out.warnings.push("notifications.github is enabled but no GitHub client is available (CLI run): GitHub notifications skipped");
    }
  }

  if (deps.store && deps.repo) out.channels.push(new DashboardChannel(deps.store, deps.repo, { clock: deps.clock }));

  for (const w of out.warnings) deps.logger?.warn({ repo: repoLabel }, `notify: ${w}`);
  return out;
}

/** Recipients whose domain is in the comma-separated allow-list (all of them when the list is unset). */
export function allowedRecipients(recipients: readonly string[], allowList: string | undefined, warnings: string[]): string[] {
  const domains = (allowList ?? "")
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  if (domains.length === 0) return [...recipients];
  const kept: string[] = [];
  for (const r of recipients) {
    const domain = r.slice(r.lastIndexOf("@") + 1).toLowerCase();
    if (domains.includes(domain)) kept.push(r);
    else warnings.push(`notifications.email.recipients: ${domain} is not in COWABUNGA_EMAIL_ALLOWED_DOMAINS; that recipient is skipped`);
  }
  return kept;
}
