import { escapeMarkdown, safeHttpUrl } from "../report/escape.js";
import type { RepoRef, Store } from "../../store/types.js";
import type { Alert, AlertChannel } from "./types.js";

/** What the GitHub channel needs; the app wires these to Octokit so this module needs no GitHub client. */
export interface GitHubNotifyDeps {
  postComment(issueNumber: number, body: string): Promise<unknown>;
  createIssue(title: string, body: string): Promise<unknown>;
  /**
   * Whether a comment on issue `issueNumber` (null: an issue the app opened) already carries `marker`.
   * Given, a send interrupted by a restart is checked instead of posted twice.
   */
  hasMarker?(issueNumber: number | null, marker: string): Promise<boolean>;
}

export interface GitHubChannelOptions {
  /** Users or teams to mention (config notifications.github.mention), with or without "@". */
  mention?: readonly string[];
  /** Finds the GitHub issue number for an alert. Default: the first of the alert's issues (from `store`) that has one. */
  findIssueNumber?: (alert: Alert) => Promise<number | null>;
  /** Used by the default findIssueNumber. */
  store?: Pick<Store, "getIssues">;
  repo?: RepoRef;
}

const MENTION = /^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9_.-]{1,100})?)$/;

/** Hidden marker identifying the comment or issue an alert produced (idempotence across restarts). */
export function alertMarker(alert: Alert): string {
  const safe = `${alert.key}@${alert.created_at}`.replace(/--+/g, "-").replace(/[<>\r\n]/g, "");
  return `<!-- cowabunga-alert: ${safe} -->`;
}

/** Markdown body for an alert: every untrusted string escaped (no HTML, mentions or cross-links survive). */
export function renderAlertMarkdown(alert: Alert, mention: readonly string[] = []): string {
  const lines = [
    alertMarker(alert),
    `### ${alert.level.toUpperCase()}: ${escapeMarkdown(alert.title)}`,
    "",
    escapeMarkdown(alert.message, { inline: false }),
    "",
    `- **Component:** ${alert.component ? escapeMarkdown(alert.component) : "_(whole repository)_"}`,
    `- **Condition:** \`${alert.condition}\``,
    `- **Issues:** ${alert.issue_ids.length}`,
    `- **Raised at:** ${escapeMarkdown(alert.created_at)}`,
  ];
  const links = alert.links
    .map((l) => ({ label: l.label, url: safeHttpUrl(l.url) }))
    .filter((l): l is { label: string; url: string } => l.url != null);
  if (links.length > 0) lines.push("", links.map((l) => `[${escapeMarkdown(l.label || l.url)}](<${l.url.replace(/[<>]/g, encodeURIComponent)}>)`).join(" · "));
  const who = mention.map((m) => MENTION.exec(m.trim())?.[1]).filter((m): m is string => m != null);
  if (who.length > 0) lines.push("", `cc ${who.map((m) => `@${m}`).join(" ")}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Comments on the maintenance issue's GitHub issue when the alert's issue has one, otherwise opens an issue.
 * Errors from the injected functions propagate (the outbox retries).
 */
export class GitHubChannel implements AlertChannel {
  readonly name = "github";
  /** After an interrupted send: did the comment or issue arrive? (Only when the deps can look.) */
  readonly confirmDelivered?: (alert: Alert) => Promise<boolean>;

  constructor(
    private readonly deps: GitHubNotifyDeps,
    private readonly opts: GitHubChannelOptions = {},
  ) {
    const hasMarker = deps.hasMarker;
    if (hasMarker) this.confirmDelivered = async (alert) => hasMarker(await this.findIssueNumber(alert), alertMarker(alert));
  }

  async send(alert: Alert): Promise<void> {
    const body = renderAlertMarkdown(alert, this.opts.mention ?? []);
    const number = await this.findIssueNumber(alert);
    if (number != null) {
      await this.deps.postComment(number, body);
      return;
    }
    const title = `[Cowabunga] ${alert.level.toUpperCase()}: ${alert.title}`.replace(/[\u0000-\u001F\u007F]+/g, " ").slice(0, 250);
    await this.deps.createIssue(title, body);
  }

  private async findIssueNumber(alert: Alert): Promise<number | null> {
    if (this.opts.findIssueNumber) return this.opts.findIssueNumber(alert);
    if (!this.opts.store || !this.opts.repo || alert.issue_ids.length === 0) return null;
    const issues = await this.opts.store.getIssues(this.opts.repo);
    for (const id of alert.issue_ids) {
      const n = issues.find((i) => i.id === id)?.github_issue_number;
      if (n != null) return n;
    }
    return null;
  }
}
