import { IncomingWebhook, type FetchFunction, type IncomingWebhookSendArguments } from "@slack/webhook";
import { guardedDispatcherFor, withDispatcher } from "../../enrich/guarded-agent.js";
import { assertSafeUrl, type Resolver } from "../../enrich/url-guard.js";
import { safeHttpUrl } from "../report/escape.js";
import type { Severity } from "../../model/index.js";
import type { Alert, AlertChannel } from "./types.js";
import { errorMessage, hostOnly } from "./redact.js";

/** Slack mrkdwn escaping: only `&`, `<` and `>` are control characters (Slack's "Formatting text" docs). */
export function escapeSlack(value: unknown): string {
  const text = value == null ? "" : String(value);
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** Plain-text Block Kit fields take no markup; only control characters go and the length is capped. */
function plain(value: string, max: number): string {
  const t = value.replace(/[\u0000-\u001F\u007F]+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const LEVEL_EMOJI: Record<Severity, string> = {
  critical: ":rotating_light:",
  high: ":red_circle:",
  medium: ":large_orange_circle:",
  low: ":large_blue_circle:",
};

const CONDITION_LABEL: Record<Alert["condition"], string> = {
  critical_cvss: "Critical CVE (CVSS above threshold)",
  low_component_health: "Component health below threshold",
  outdated_dependency: "Dependency outdated",
  low_coverage: "Test coverage below threshold",
};

type Block = NonNullable<IncomingWebhookSendArguments["blocks"]>[number];

/**
 * The Block Kit message for one alert: header (level emoji + title), section (status and counts, message),
 * fields (component, condition), context (repository, time), and link buttons (only absolute http(s) URLs).
 */
export function buildSlackMessage(alert: Alert, opts: { repo?: string } = {}): IncomingWebhookSendArguments {
  const emoji = LEVEL_EMOJI[alert.level] ?? ":grey_question:";
  const level = alert.level.toUpperCase();
  const issues = alert.issue_ids.length;
  const blocks: Block[] = [
    { type: "header", text: { type: "plain_text", text: plain(`${emoji} ${alert.title}`, 150), emoji: true } },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: cap(
          `*Status:* ${level} · *Issues:* ${issues}\n${escapeSlack(alert.message)}`,
          3000,
        ),
      },
    },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: cap(`*Component*\n${alert.component ? escapeSlack(alert.component) : "_(whole repository)_"}`, 2000) },
        { type: "mrkdwn", text: `*Condition*\n${escapeSlack(CONDITION_LABEL[alert.condition] ?? alert.condition)}` },
      ],
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: cap(`Cowabunga Maintainer${opts.repo ? ` · ${escapeSlack(opts.repo)}` : ""} · ${escapeSlack(alert.created_at)}`, 3000),
        },
      ],
    },
  ];
  const buttons = alert.links
    .map((l) => ({ label: l.label, url: safeHttpUrl(l.url) }))
    .filter((l): l is { label: string; url: string } => l.url != null && l.url.length <= 3000)
    .slice(0, 5)
    .map((l, i) => ({
      type: "button" as const,
      action_id: `cowabunga_link_${i}`,
      text: { type: "plain_text" as const, text: plain(l.label || "Open", 75) || "Open", emoji: false },
      url: l.url,
    }));
  if (buttons.length > 0) blocks.push({ type: "actions", elements: buttons });
  return {
    text: cap(`${emoji} [${level}] ${escapeSlack(alert.title)}`, 3000),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

export interface SlackChannelOptions {
  /** Channel name, "slack:<config name>" (default "slack:default"). */
  name?: string;
  /** The incoming webhook URL (a secret: never logged). */
  url: string;
  /** "owner/repo", shown in the context line. */
  repo?: string;
  /** Read for COWABUNGA_ALLOW_PRIVATE_URLS (loopback/private webhook hosts). Default process.env. */
  env?: Record<string, string | undefined>;
  /** DNS resolver for the outbound guard (tests). */
  resolve?: Resolver;
  /**
   * fetch used by @slack/webhook. Default: the global fetch through the guarded Agent, which connects
   * only to addresses the outbound guard accepts (checked at connect time: DNS rebinding).
   */
  fetch?: FetchFunction;
  /** Request timeout (default 10 s). */
  timeoutMs?: number;
}

/** Posts alerts to one Slack incoming webhook. send() throws a redacted Error on failure (the outbox retries). */
export class SlackChannel implements AlertChannel {
  readonly name: string;
  private readonly url: string;
  private readonly webhook: IncomingWebhook;

  constructor(private readonly opts: SlackChannelOptions) {
    this.name = opts.name ?? "slack:default";
    this.url = opts.url;
    const dispatcher = opts.fetch ? null : guardedDispatcherFor({ env: opts.env, resolve: opts.resolve });
    const guardedFetch: FetchFunction = (url, init) => fetch(url, withDispatcher((init ?? {}) as RequestInit, dispatcher));
    this.webhook = new IncomingWebhook(opts.url, {
      timeout: opts.timeoutMs ?? 10_000,
      fetch: opts.fetch ?? guardedFetch,
    });
  }

  /** The webhook host, the only part of the URL that may be logged. */
  get host(): string {
    return hostOnly(this.url);
  }

  async send(alert: Alert): Promise<void> {
    const where = `Slack webhook ${this.host} (${this.name})`;
    try {
      await assertSafeUrl(this.url, { env: this.opts.env, resolve: this.opts.resolve });
    } catch (err) {
      throw new Error(`${where}: ${errorMessage(err, [this.url])}`);
    }
    try {
      await this.webhook.send(buildSlackMessage(alert, { repo: this.opts.repo }));
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      const body = (err as { body?: unknown }).body;
      const detail = typeof status === "number" ? `HTTP ${status}${typeof body === "string" && body ? ` ${body.slice(0, 200)}` : ""}` : errorMessage(err, [this.url]);
      throw new Error(`${where}: ${errorMessage(detail, [this.url])}`);
    }
  }
}

/** Env variable holding the webhook URL of a configured Slack channel name. */
export function slackWebhookEnvName(name: string): string {
  return `COWABUNGA_SLACK_WEBHOOK_${name.toUpperCase()}`;
}

/**
 * Webhook URL per configured channel name, from the environment. `default` also accepts
 * COWABUNGA_SLACK_WEBHOOK_URL. Names without a URL are returned in `missing`.
 */
export function slackWebhookUrls(
  names: readonly string[],
  env: Record<string, string | undefined>,
): { urls: Array<{ name: string; url: string }>; missing: string[] } {
  const urls: Array<{ name: string; url: string }> = [];
  const missing: string[] = [];
  for (const name of [...new Set(names)]) {
    let url = env[slackWebhookEnvName(name)]?.trim();
    if (!url && name.toLowerCase() === "default") url = env.COWABUNGA_SLACK_WEBHOOK_URL?.trim();
    if (url) urls.push({ name, url });
    else missing.push(name);
  }
  return { urls, missing };
}
