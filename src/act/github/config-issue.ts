import type { ConfigError } from "../../config/load.js";
import { escapeMarkdownCell } from "../report/escape.js";
import { errorText, webOrigin, type AppLogger, type GitHubOctokit } from "./client.js";
import { sameBody, type GitHubIssue } from "./issues.js";
import { BASE_LABEL, CONFIG_LABEL, type LabelManager } from "./labels.js";
import { CONFIG_ERRORS_MARKER } from "./markers.js";
import { commentOnce, createIssueOnce } from "./idempotent.js";

export const CONFIG_ISSUE_TITLE = "Cowabunga: invalid .github/cowabunga.yml";

export interface ConfigIssueContext {
  host: string;
  owner: string;
  repo: string;
  sha: string | null;
}

/** Body listing each error with its line (linked at the scanned commit). */
export function renderConfigIssue(errors: readonly ConfigError[], ctx: ConfigIssueContext): string {
  const lines = [
    CONFIG_ERRORS_MARKER,
    "",
    "Cowabunga found problems in its configuration. The invalid settings were ignored and their defaults used; fix the file and this issue closes itself after the next scan.",
    "",
    "| File | Line | Severity | Setting | Problem |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const e of errors) {
    // ConfigError.file may be "owner/repo:.github/cowabunga.yml" (loadRepoConfig) or a plain path.
    const path = e.file.includes(":") ? e.file.slice(e.file.lastIndexOf(":") + 1) : e.file;
    const link =
      ctx.sha && e.line !== null
        ? `[${e.line}](${webOrigin(ctx.host)}/${encodeURIComponent(ctx.owner)}/${encodeURIComponent(ctx.repo)}/blob/${encodeURIComponent(ctx.sha)}/${path.split("/").map(encodeURIComponent).join("/")}#L${e.line})`
        : e.line === null
          ? "n/a"
          : String(e.line);
    lines.push(`| ${escapeMarkdownCell(path)} | ${link} | ${e.severity} | \`${e.path.replace(/[`|]/g, "")}\` | ${escapeMarkdownCell(e.message)} |`);
  }
  return lines.join("\n");
}

export interface SyncConfigIssueOptions {
  octokit: Pick<GitHubOctokit, "request">;
  repo: { owner: string; repo: string };
  errors: readonly ConfigError[];
  existing: GitHubIssue | null;
  ctx: ConfigIssueContext;
  labels: LabelManager;
  log: AppLogger;
}

/**
 * One issue for an invalid config: opened (or reopened) while there are errors, edited only when the
 * list changes, closed with a comment once the config is valid. Warnings alone (unknown keys) also
 * count: they are usually typos. Returns the issue number, or null.
 */
export async function syncConfigIssue(opts: SyncConfigIssueOptions): Promise<{ number: number | null; action: "created" | "updated" | "closed" | "reopened" | "none"; error?: string }> {
  const { octokit, repo, existing } = opts;
  try {
    if (opts.errors.length === 0) {
      if (existing && existing.state === "open") {
        const closedAt = (existing as GitHubIssue & { created_at?: string }).created_at ?? "";
        await commentOnce(octokit, repo, existing.number, `config-valid:${existing.number}:${closedAt}`, `The configuration is valid again${opts.ctx.sha ? ` as of ${opts.ctx.sha.slice(0, 12)}` : ""}. Closing.`);
        await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: existing.number, state: "closed", state_reason: "completed" });
        return { number: existing.number, action: "closed" };
      }
      return { number: existing?.number ?? null, action: "none" };
    }
    const body = renderConfigIssue(opts.errors, opts.ctx);
    const labels = [BASE_LABEL, CONFIG_LABEL];
    if (!existing) {
      await opts.labels.ensure(labels);
      const made = await createIssueOnce(octokit, repo, { title: CONFIG_ISSUE_TITLE, body, labels }, CONFIG_ERRORS_MARKER);
      return { number: made.number, action: "created" };
    }
    const reopen = existing.state !== "open";
    if (!reopen && sameBody(existing.body, body)) return { number: existing.number, action: "none" };
    await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...repo,
      issue_number: existing.number,
      body,
      ...(reopen ? { state: "open" } : {}),
    });
    return { number: existing.number, action: reopen ? "reopened" : "updated" };
  } catch (err) {
    const error = `config errors issue in ${repo.owner}/${repo.repo} could not be written: ${errorText(err)}`;
    opts.log.warn({ err: errorText(err) }, error);
    return { number: existing?.number ?? null, action: "none", error };
  }
}
