import type { Manager } from "../scan/types.js";

/** Non-manifest paths whose change is worth a re-scan. */
const RELEVANT = [
  /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i,
  /(^|\/)\.github\/cowabunga\.ya?ml$/i,
  /(^|\/)(Dockerfile|Containerfile)([.-][^/]*)?$/i,
  /\.dockerfile$/i,
  /\.(md|mdx|markdown)$/i,
  /(^|\/)CODEOWNERS$/,
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|uv\.lock|Pipfile\.lock|Cargo\.lock|go\.sum|pdm\.lock)$/,
];

export function isScanRelevantPath(path: string, managers: readonly Manager[]): boolean {
  if (RELEVANT.some((re) => re.test(path))) return true;
  return managers.some((m) => {
    try {
      return m.matches(path);
    } catch {
      return false;
    }
  });
}

interface PushCommit {
  added?: string[] | null;
  modified?: string[] | null;
  removed?: string[] | null;
}

export interface PushPayloadLike {
  ref: string;
  before: string;
  after: string;
  deleted?: boolean;
  forced?: boolean;
  commits?: PushCommit[] | null;
  head_commit?: { id: string; tree_id: string } | null;
  repository: { name: string; owner: { login?: string | null; name?: string | null }; default_branch?: string; master_branch?: string };
}

export interface PushDecision {
  scan: boolean;
  reason: string;
  changed: string[];
}

/** GitHub lists at most this many commits in a push payload. */
export const PUSH_COMMITS_LIMIT = 20;

/**
 * Should this push re-scan? Only pushes to the default branch, and only when a manifest, lockfile,
 * workflow, Dockerfile, Markdown file, CODEOWNERS or the config changed (from the commits' file lists).
 * When the file lists cannot be trusted (force push, truncated commit list), it scans.
 */
export function decidePush(payload: PushPayloadLike, managers: readonly Manager[]): PushDecision {
  const branch = payload.repository.default_branch ?? payload.repository.master_branch;
  if (!branch || payload.ref !== `refs/heads/${branch}`) return { scan: false, reason: `not the default branch (${payload.ref})`, changed: [] };
  if (payload.deleted) return { scan: false, reason: "branch deleted", changed: [] };
  const commits = payload.commits ?? [];
  const changed = [...new Set(commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]))].sort();
  if (payload.forced) return { scan: true, reason: "force push: file lists cannot be trusted", changed };
  if (commits.length === 0) return { scan: false, reason: "no commits", changed };
  if (commits.length >= PUSH_COMMITS_LIMIT) return { scan: true, reason: `${commits.length} commits: the payload's list may be truncated`, changed };
  const relevant = changed.filter((p) => isScanRelevantPath(p, managers));
  if (relevant.length === 0) return { scan: false, reason: `no manifest, lockfile, workflow, Dockerfile or Markdown changed (${changed.length} files)`, changed };
  return { scan: true, reason: `${relevant.length} relevant file(s) changed: ${relevant.slice(0, 5).join(", ")}`, changed };
}
