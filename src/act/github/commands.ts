import { transitionIssue, tryTransitionIssue } from "../../model/lifecycle.js";
import type { MaintenanceIssue } from "../../model/index.js";
import type { RepoRef, Store } from "../../store/types.js";
import { escapeMarkdown } from "../report/escape.js";
import { errorText, statusOf, type AppLogger, type GitHubOctokit } from "./client.js";

export type CommandVerb = "defer" | "ignore" | "rescan" | "update" | "rebase" | "help";

export interface ParsedCommand {
  verb: CommandVerb | "unknown";
  /** Text after the verb (trimmed), e.g. the date or reason of `defer`. */
  arg: string;
  raw: string;
}

const VERBS: readonly CommandVerb[] = ["defer", "ignore", "rescan", "update", "rebase", "help"];

/** The first `/cowabunga <verb> [arg]` line of a comment, or null. Quoted lines (`> /cowabunga`) don't count. */
export function parseCommand(body: string | null | undefined): ParsedCommand | null {
  if (!body) return null;
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s*\/cowabunga(?:\s+(\S+))?(?:\s+(.*))?$/i.exec(line);
    if (!m) continue;
    const verb = (m[1] ?? "help").toLowerCase();
    return { verb: (VERBS as readonly string[]).includes(verb) ? (verb as CommandVerb) : "unknown", arg: (m[2] ?? "").trim().slice(0, 500), raw: line.trim() };
  }
  return null;
}

/** `YYYY-MM-DD` (a real calendar date) or null. */
export function parseDeferDate(arg: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})\b/.exec(arg.trim());
  if (!m) return null;
  const d = new Date(`${m[1]}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === m[1] ? m[1] : null;
}

const WRITE_ROLES = new Set(["admin", "maintain", "write"]);

/** Can `user` write to the repository? (`GET /repos/{o}/{r}/collaborators/{user}/permission`.) A 404 means no. */
export async function hasWriteAccess(octokit: Pick<GitHubOctokit, "request">, repo: RepoRef, user: string, log?: AppLogger): Promise<boolean> {
  try {
    const res = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...repo, username: user });
    const data = res.data as { permission?: string; role_name?: string };
    return WRITE_ROLES.has(data.role_name ?? "") || WRITE_ROLES.has(data.permission ?? "");
  } catch (err) {
    if (statusOf(err) !== 404) log?.warn({ err: errorText(err) }, `GET /repos/${repo.owner}/${repo.repo}/collaborators/${user}/permission failed: ${errorText(err)}`);
    return false;
  }
}

export const HELP_TEXT = [
  "Cowabunga commands (people with write access):",
  "",
  "- `/cowabunga defer <YYYY-MM-DD or reason>`: defer this issue and close it",
  "- `/cowabunga ignore`: stop tracking this issue",
  "- `/cowabunga rescan`: scan the repository again now",
  "- `/cowabunga update`: open an update pull request for this issue",
  "- `/cowabunga rebase` (on an update pull request): rebuild it on the default branch's head",
].join("\n");

export interface CommandContext {
  octokit: Pick<GitHubOctokit, "request">;
  repo: RepoRef;
  store: Store;
  /** The GitHub issue the comment is on. */
  issueNumber: number;
  /** MaintenanceIssue id from the issue's marker; null on the dashboard or config issue. */
  issueId: string | null;
  user: string;
  clock: () => Date;
  log: AppLogger;
  /** Queue a forced scan of the repository. */
  rescan(): void;
  /** Open an update PR for the issue (the update-PR module). Returns a line for the reply. */
  openUpdate(issue: MaintenanceIssue): Promise<string>;
  /** On one of the app's update PRs: rebuild it on the default branch's head. Returns a line for the reply. */
  rebase?(): Promise<string>;
}

export interface CommandOutcome {
  handled: boolean;
  reply: string | null;
}

async function reply(ctx: CommandContext, body: string): Promise<void> {
  try {
    await ctx.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ctx.repo, issue_number: ctx.issueNumber, body });
  } catch (err) {
    ctx.log.warn({ err: errorText(err) }, `POST /repos/${ctx.repo.owner}/${ctx.repo.repo}/issues/${ctx.issueNumber}/comments failed: ${errorText(err)}`);
  }
}

async function closeAsNotPlanned(ctx: CommandContext): Promise<void> {
  try {
    await ctx.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ctx.repo, issue_number: ctx.issueNumber, state: "closed", state_reason: "not_planned" });
  } catch (err) {
    ctx.log.warn({ err: errorText(err) }, `PATCH /repos/${ctx.repo.owner}/${ctx.repo.repo}/issues/${ctx.issueNumber} (close) failed: ${errorText(err)}`);
  }
}

/** Defer an issue in the store; returns the updated issue, or an error line. */
async function deferInStore(ctx: CommandContext, reason: string): Promise<{ issue: MaintenanceIssue | null; error: string | null }> {
  let found: MaintenanceIssue | null = null;
  let error: string | null = null;
  await ctx.store.updateIssues(ctx.repo, (issues) =>
    issues.map((i) => {
      if (i.id !== ctx.issueId) return i;
      if (i.lifecycle_state === "deferred") {
        // Re-deferring replaces the reason: through reopened, the only legal path.
        const r = transitionIssue(i, "reopened", { at: ctx.clock(), reason: "deferral replaced", actor: ctx.user });
        found = transitionIssue(r, "deferred", { at: ctx.clock(), reason, actor: ctx.user });
        return found;
      }
      const t = tryTransitionIssue(i, "deferred", { at: ctx.clock(), reason, actor: ctx.user });
      if (!t.ok) {
        error = t.error.message;
        return i;
      }
      found = t.issue;
      return t.issue;
    }),
  );
  return { issue: found, error };
}

/**
 * Carry out a command from a comment. The caller has checked write access. Replies on the issue;
 * never throws.
 */
export async function runCommand(cmd: ParsedCommand, ctx: CommandContext): Promise<CommandOutcome> {
  const user = `@${ctx.user}`;
  try {
    if (cmd.verb === "help" || cmd.verb === "unknown") {
      const text = `${cmd.verb === "unknown" ? `Unknown command \`${escapeMarkdown(cmd.raw)}\`.\n\n` : ""}${HELP_TEXT}`;
      await reply(ctx, text);
      return { handled: true, reply: text };
    }
    if (cmd.verb === "rebase") {
      const text = ctx.rebase ? await ctx.rebase() : "`/cowabunga rebase` works on Cowabunga update pull requests only.";
      await reply(ctx, text);
      return { handled: true, reply: text };
    }
    if (cmd.verb === "rescan") {
      ctx.rescan();
      const text = `Rescan queued by ${user}.`;
      await reply(ctx, text);
      return { handled: true, reply: text };
    }
    if (!ctx.issueId) {
      const text = `\`/cowabunga ${cmd.verb}\` works on Cowabunga maintenance issues only.`;
      await reply(ctx, text);
      return { handled: true, reply: text };
    }
    if (cmd.verb === "defer" || cmd.verb === "ignore") {
      let reason: string;
      if (cmd.verb === "ignore") reason = `ignored by ${user}`;
      else {
        const date = parseDeferDate(cmd.arg);
        reason = date ? `deferred until ${date} by ${user}` : cmd.arg ? `deferred by ${user}: ${cmd.arg}` : `deferred by ${user}`;
      }
      const { issue, error } = await deferInStore(ctx, reason);
      if (!issue) {
        const text = error ? `Could not ${cmd.verb} this issue: ${escapeMarkdown(error)}` : "This issue is not in Cowabunga's records (it may have been pruned).";
        await reply(ctx, text);
        return { handled: true, reply: text };
      }
      const text = `${cmd.verb === "ignore" ? "Ignored" : "Deferred"}: ${escapeMarkdown(reason)}. Closing; Cowabunga will not reopen it while it stays deferred.`;
      await reply(ctx, text);
      await closeAsNotPlanned(ctx);
      return { handled: true, reply: text };
    }
    // update
    const issues = await ctx.store.getIssues(ctx.repo);
    const issue = issues.find((i) => i.id === ctx.issueId);
    if (!issue) {
      const text = "This issue is not in Cowabunga's records; run `/cowabunga rescan` first.";
      await reply(ctx, text);
      return { handled: true, reply: text };
    }
    const text = await ctx.openUpdate(issue);
    await reply(ctx, text);
    return { handled: true, reply: text };
  } catch (err) {
    ctx.log.error({ err: errorText(err) }, `command ${cmd.raw} failed: ${errorText(err)}`);
    const text = `Sorry, \`${escapeMarkdown(cmd.raw)}\` failed: ${escapeMarkdown(errorText(err))}`;
    await reply(ctx, text);
    return { handled: true, reply: text };
  }
}

/** Reply to someone without write access. */
export async function replyNoPermission(octokit: Pick<GitHubOctokit, "request">, repo: RepoRef, issueNumber: number, user: string, log: AppLogger): Promise<string> {
  const text = `Thanks @${user}! Cowabunga commands need write access to this repository, so I have not acted on this one. A maintainer can run it for you.`;
  try {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issueNumber, body: text });
  } catch (err) {
    log.warn({ err: errorText(err) }, `POST /repos/${repo.owner}/${repo.repo}/issues/${issueNumber}/comments failed: ${errorText(err)}`);
  }
  return text;
}
