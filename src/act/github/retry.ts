/**
 * Retries of GitHub requests that cannot duplicate anything (docs/notes/convergence.md).
 *
 * - Rate limits are retried as GitHub documents them: a 403/429 with `retry-after` waits that many
 *   seconds; one with `x-ratelimit-remaining: 0` waits until `x-ratelimit-reset`; a secondary limit
 *   without either waits one minute, then longer exponentially. GitHub did not act on a rate-limited
 *   request, so retrying it is safe for every method. Capped: at most `maxRetries` retries, and a wait
 *   longer than `maxWaitSeconds` is not waited at all; the write then fails and stays pending.
 * - A POST (a create) is never retried blindly on a 5xx or a network error: the answer may have been
 *   lost after GitHub made the object. Octokit's own retry is turned off for POSTs; the callers look for
 *   the object by its marker before creating it again (src/act/github/idempotent.ts).
 *
 * Waits go through the injected `sleep`, so tests never wait for real.
 */
import type { AppLogger } from "./client.js";

export interface GitHubRetryOptions {
  /** Retries after the first attempt, per request (default 3). */
  maxRetries?: number;
  /** The longest single wait, seconds (default 120). A longer Retry-After is not waited: the write stays pending. */
  maxWaitSeconds?: number;
  /** Wait `ms` milliseconds (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds (for `x-ratelimit-reset`; default Date.now). */
  now?: () => number;
  log?: Pick<AppLogger, "warn">;
}

export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_MAX_WAIT_SECONDS = 120;
/** GitHub: "If you receive a secondary rate limit error without retry-after, wait for at least one minute". */
export const SECONDARY_FALLBACK_SECONDS = 60;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function header(err: ErrorLike, name: string): string | undefined {
  const v = err.response?.headers?.[name];
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * Seconds to wait before retrying a rate-limited request, or null when `err` is not a rate limit.
 * `attempt` counts earlier retries of this request (0 for the first failure).
 */
export function rateLimitWaitSeconds(err: unknown, attempt: number, nowMs: number): number | null {
  if (!err || typeof err !== "object") return null;
  const e = err as ErrorLike;
  if (e.status !== 403 && e.status !== 429) return null;
  const retryAfter = header(e, "retry-after");
  if (retryAfter !== undefined) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, Math.ceil((at - nowMs) / 1000));
  }
  if (header(e, "x-ratelimit-remaining") === "0") {
    const reset = Number(header(e, "x-ratelimit-reset"));
    // One second past the reset, as GitHub advises.
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - nowMs / 1000) + 1);
    return SECONDARY_FALLBACK_SECONDS;
  }
  const text = `${e.message ?? ""} ${JSON.stringify(e.response?.data ?? "")}`;
  if (/secondary rate limit|abuse detection|rate limit exceeded/i.test(text)) return SECONDARY_FALLBACK_SECONDS * 2 ** attempt;
  if (e.status === 429) return SECONDARY_FALLBACK_SECONDS * 2 ** attempt;
  return null;
}

/** Thrown when GitHub keeps refusing: the request's last error is `cause`. */
export class GitHubRefusedError extends Error {
  readonly status: number | undefined;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "GitHubRefusedError";
    this.status = (cause as ErrorLike | undefined)?.status;
    // Keep the response for callers that read it (statusOf, 422 details).
    Object.assign(this, { response: (cause as ErrorLike | undefined)?.response });
  }
}

interface HookOptions {
  method?: string;
  url?: string;
  request?: Record<string, unknown>;
  [key: string]: unknown;
}

type Requester = (options: HookOptions) => Promise<unknown>;

interface HookHost {
  hook: { wrap(name: "request", fn: (request: Requester, options: HookOptions) => Promise<unknown>): void };
  log?: Pick<AppLogger, "warn">;
}

/** Wrap `octokit.request` with the rate-limit retries above (outermost, so every retry is paced by the throttle plugin). */
export function installGitHubRetries(octokit: HookHost, opts: GitHubRetryOptions = {}): void {
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  const maxWait = opts.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? Date.now;
  octokit.hook.wrap("request", async (request, options) => {
    const method = String(options.method ?? "GET").toUpperCase();
    // No blind re-POST: Octokit's retry plugin would repeat a create whose answer was lost. (Set on the
    // options object itself: the inner hooks are bound to it, not to what is passed down.)
    if (method === "POST") options.request = { ...(options.request ?? {}), retries: 0 };
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (err) {
        const wait = rateLimitWaitSeconds(err, attempt, now());
        if (wait === null) throw err;
        const what = `${method} ${String(options.url ?? "")}`;
        if (attempt >= maxRetries) throw new GitHubRefusedError(`${what}: still rate limited after ${maxRetries} retries`, err);
        if (wait > maxWait) throw new GitHubRefusedError(`${what}: rate limited, GitHub asks to wait ${wait} s (over the ${maxWait} s cap)`, err);
        opts.log?.warn({ request: what, retry_after_s: wait, attempt: attempt + 1 }, `${what}: rate limited; retrying in ${wait} s (${attempt + 1}/${maxRetries})`);
        await sleep(wait * 1000);
      }
    }
  });
}

/**
 * Octokit plugin form: `ProbotOctokit.plugin(githubRetryPlugin)` with `{ githubRetry: {...} }` in the
 * constructor options. The app's Octokit (src/server/octokit.ts) uses it.
 */
export function githubRetryPlugin(octokit: HookHost, options: { githubRetry?: GitHubRetryOptions }): Record<string, never> {
  const opts = options.githubRetry ?? {};
  installGitHubRetries(octokit, { ...opts, log: opts.log ?? octokit.log });
  return {};
}
