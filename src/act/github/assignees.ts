/**
 * Which CODEOWNERS can be assigned issues in a repository: `GET /repos/{o}/{r}/assignees/{user}`
 * (204 yes, 404 no), cached. The cache is a plain record kept in scan_state between runs, so a scan
 * asks about each owner at most once a day.
 */
import { errorText, statusOf, type AppLogger, type GitHubOctokit } from "./client.js";

export interface AssignableEntry {
  ok: boolean;
  checked_at: string;
}

export type AssignableCache = Record<string, AssignableEntry>;

export const ASSIGNABLE_TTL_MS = 24 * 3600_000;
/** Owners checked per run at most (the rest count as assignable; GitHub's 422 is the backstop). */
const MAX_CHECKS = 50;

export class AssigneeChecker {
  private readonly cache: AssignableCache;
  private checks = 0;

  constructor(
    private readonly octokit: Pick<GitHubOctokit, "request">,
    private readonly repo: { owner: string; repo: string },
    cache: unknown,
    private readonly now: () => Date,
    private readonly log?: AppLogger,
  ) {
    this.cache = {};
    if (cache && typeof cache === "object" && !Array.isArray(cache)) {
      for (const [k, v] of Object.entries(cache as Record<string, unknown>)) {
        const e = v as Partial<AssignableEntry> | null;
        if (e && typeof e.ok === "boolean" && typeof e.checked_at === "string") this.cache[k.toLowerCase()] = { ok: e.ok, checked_at: e.checked_at };
      }
    }
  }

  /** The cache to persist (entries older than the TTL dropped). */
  snapshot(): AssignableCache {
    const out: AssignableCache = {};
    const t = this.now().getTime();
    for (const [k, v] of Object.entries(this.cache)) if (t - Date.parse(v.checked_at) < ASSIGNABLE_TTL_MS) out[k] = v;
    return out;
  }

  /** Remember that GitHub refused these logins (a 422 on create). */
  refuse(logins: readonly string[]): void {
    for (const l of logins) this.cache[l.toLowerCase()] = { ok: false, checked_at: this.now().toISOString() };
  }

  async canAssign(login: string): Promise<boolean> {
    // Teams (org/team) cannot be assignees.
    if (login.includes("/")) return false;
    const key = login.toLowerCase();
    const hit = this.cache[key];
    if (hit && this.now().getTime() - Date.parse(hit.checked_at) < ASSIGNABLE_TTL_MS) return hit.ok;
    if (this.checks >= MAX_CHECKS) return true;
    this.checks++;
    let ok: boolean;
    try {
      await this.octokit.request("GET /repos/{owner}/{repo}/assignees/{assignee}", { ...this.repo, assignee: login });
      ok = true;
    } catch (err) {
      if (statusOf(err) !== 404) {
        // Unknown: do not cache; try to assign, GitHub's 422 is the backstop.
        this.log?.warn({ login, err: errorText(err) }, `GET /repos/${this.repo.owner}/${this.repo.repo}/assignees/${login} failed: ${errorText(err)}`);
        return true;
      }
      ok = false;
    }
    this.cache[key] = { ok, checked_at: this.now().toISOString() };
    return ok;
  }

  /** Split owners into those GitHub will accept as assignees and the rest. */
  async split(owners: readonly string[]): Promise<{ assignable: string[]; unassignable: string[] }> {
    const assignable: string[] = [];
    const unassignable: string[] = [];
    for (const o of owners) ((await this.canAssign(o)) ? assignable : unassignable).push(o);
    return { assignable, unassignable };
  }
}
