import { tryTransitionIssue } from "../model/lifecycle.js";
import type { MaintenanceIssue } from "../model/index.js";
import type { RepoRef, Store } from "../store/types.js";

export interface IssueEventFacts {
  action: "closed" | "reopened";
  issueId: string;
  /** Login of who closed or reopened it. */
  actor: string;
  at: Date;
}

/**
 * Mirror a person closing or reopening one of the app's issues into the stored lifecycle:
 * closed (and not already resolved or deferred) → deferred with reason "closed by @user";
 * reopened (from resolved or deferred) → reopened. Returns the updated issue, or null when nothing
 * changed (unknown id, or no legal move).
 */
export async function syncIssueLifecycle(store: Store, repo: RepoRef, facts: IssueEventFacts): Promise<MaintenanceIssue | null> {
  let changed: MaintenanceIssue | null = null;
  await store.updateIssues(repo, (issues) =>
    issues.map((i) => {
      if (i.id !== facts.issueId) return i;
      const opts = { at: facts.at, actor: facts.actor, reason: "" };
      if (facts.action === "closed") {
        if (i.lifecycle_state === "resolved" || i.lifecycle_state === "deferred") return i;
        const t = tryTransitionIssue(i, "deferred", { ...opts, reason: `closed by @${facts.actor}` });
        if (!t.ok) return i;
        changed = t.issue;
        return t.issue;
      }
      if (i.lifecycle_state !== "resolved" && i.lifecycle_state !== "deferred") return i;
      const t = tryTransitionIssue(i, "reopened", { ...opts, reason: `reopened by @${facts.actor}` });
      if (!t.ok) return i;
      changed = t.issue;
      return t.issue;
    }),
  );
  return changed;
}
