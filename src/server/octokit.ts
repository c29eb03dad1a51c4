import { ProbotOctokit } from "probot";
import { githubRetryPlugin, type GitHubRetryOptions } from "../act/github/retry.js";

/**
 * The app's Octokit class: Probot's, plus rate-limit retries with a cap that never re-POST a create
 * (src/act/github/retry.ts). Probot's throttling still paces writes; its own limit handlers answer
 * "do not retry" so the retry (and its cap and injected timer) lives in one place.
 * `throttle: false` (COWABUNGA_GITHUB_THROTTLE=false) turns the pacing off, for a GHES without limits.
 */
export function appOctokitClass(opts: { throttle?: boolean; retry?: GitHubRetryOptions } = {}): typeof ProbotOctokit {
  const throttle = opts.throttle !== false;
  return ProbotOctokit.plugin(githubRetryPlugin as unknown as Parameters<typeof ProbotOctokit.plugin>[0]).defaults((o: Record<string, unknown>) => ({
    ...o,
    githubRetry: { ...opts.retry, ...(o.githubRetry as GitHubRetryOptions | undefined) },
    throttle: throttle
      ? { ...(o.throttle as Record<string, unknown> | undefined), onSecondaryRateLimit: () => false, onRateLimit: () => false }
      : { enabled: false },
  })) as unknown as typeof ProbotOctokit;
}
