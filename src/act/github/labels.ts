import type { MaintenanceIssue } from "../../model/index.js";
import { errorText, statusOf, type AppLogger, type GitHubOctokit } from "./client.js";

export const BASE_LABEL = "cowabunga";
export const DASHBOARD_LABEL = "cowabunga:dashboard";
export const CONFIG_LABEL = "cowabunga:config";

const COLORS: Record<string, string> = {
  "type:security": "b60205",
  "type:dependency": "0366d6",
  "type:bug": "d73a4a",
  "type:documentation": "0075ca",
  "type:performance": "fbca04",
  "severity:critical": "b60205",
  "severity:high": "d93f0b",
  "severity:medium": "fbca04",
  "severity:low": "c2e0c6",
  "priority:immediate": "b60205",
  "priority:high": "d93f0b",
  "priority:medium": "fbca04",
  "priority:low": "c2e0c6",
};

/** Colour and description for a label the app creates. */
export function labelSpec(name: string): { name: string; color: string; description: string } {
  const color = COLORS[name] ?? (name.startsWith("cowabunga") ? "1d76db" : "ededed");
  const [kind, value] = name.includes(":") ? name.split(":", 2) : ["", name];
  const description =
    name === BASE_LABEL
      ? "Opened by Cowabunga Maintainer"
      : kind === "type" || kind === "severity" || kind === "priority"
        ? `Cowabunga ${kind}: ${value}`
        : "Cowabunga Maintainer";
  return { name, color, description };
}

/** Labels of a maintenance issue: the configured base labels plus type, severity and priority. */
export function labelsForIssue(issue: Pick<MaintenanceIssue, "type" | "severity" | "priority">, baseLabels: readonly string[] = [BASE_LABEL]): string[] {
  const base = baseLabels.length > 0 ? baseLabels : [BASE_LABEL];
  return [...new Set([...base, `type:${issue.type}`, `severity:${issue.severity}`, `priority:${issue.priority}`])];
}

/**
 * Creates labels on first use. Labels already known to exist (seen on listed issues, or remembered
 * from earlier runs) cost nothing; the others are created with one POST each, where a 422
 * `already_exists` counts as success. One instance per run.
 */
export class LabelManager {
  private readonly known: Set<string>;
  private readonly failed = new Set<string>();

  constructor(
    private readonly octokit: Pick<GitHubOctokit, "request">,
    private readonly repo: { owner: string; repo: string },
    known: Iterable<string> = [],
    private readonly log?: AppLogger,
  ) {
    this.known = new Set([...known].map((l) => l.toLowerCase()));
  }

  /** Labels known to exist now, for persisting between runs. */
  knownLabels(): string[] {
    return [...this.known].sort();
  }

  markKnown(names: Iterable<string>): void {
    for (const n of names) this.known.add(n.toLowerCase());
  }

  /** Make sure every label exists. Failures are logged; GitHub then creates a plain label on use. */
  async ensure(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const key = name.toLowerCase();
      if (this.known.has(key) || this.failed.has(key)) continue;
      const spec = labelSpec(name);
      try {
        await this.octokit.request("POST /repos/{owner}/{repo}/labels", { ...this.repo, ...spec });
        this.known.add(key);
      } catch (err) {
        if (statusOf(err) === 422 && /already_exists|already exists/i.test(JSON.stringify((err as { response?: { data?: unknown } }).response?.data ?? errorText(err)))) {
          this.known.add(key);
        } else {
          this.failed.add(key);
          this.log?.warn({ label: name, err: errorText(err) }, `POST /repos/${this.repo.owner}/${this.repo.repo}/labels failed for "${name}"`);
        }
      }
    }
  }
}
