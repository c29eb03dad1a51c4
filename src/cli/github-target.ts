/**
 * The `github:OWNER/REPO[@REF]` target of `cowabunga scan`: parsing the spec, the operator's Octokit
 * (`@octokit/rest`, token from GITHUB_TOKEN, `--github-api-url` for GitHub Enterprise Server), and
 * turning GitHub's answers into messages an operator can act on.
 */
import { Octokit } from "@octokit/rest";
import type { GitHubClient } from "../source/github.js";
import { GITHUB_PREFIX } from "./github-spec.js";
import { UsageError } from "./io.js";

export { DEFAULT_GITHUB_API_URL, GITHUB_PREFIX } from "./github-spec.js";
/** One GitHub request may take this long before it is abandoned (a hung GHES must not hang the CLI). */
export const GITHUB_REQUEST_TIMEOUT_MS = 60_000;

export interface GitHubTarget {
  owner: string;
  repo: string;
  /** The branch, tag or commit given after `@`; null: the default branch (`HEAD`). */
  ref: string | null;
  /** True when `ref` is a full commit SHA (the scan is then pinned and reports the commit). */
  isCommit: boolean;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const MAX_REF = 250;

/** Why a ref is not a valid git ref name (git check-ref-format), or null. `:` is refused too: it separates ref and path in the blob reads. */
function refProblem(ref: string): string | null {
  if (ref.length === 0) return "the ref after @ is empty";
  if (ref.length > MAX_REF) return `the ref is longer than ${MAX_REF} characters`;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return "a ref cannot contain spaces, control characters or any of ~ ^ : ? * [ \\";
  if (ref.includes("..") || ref.includes("@{") || ref.includes("//")) return 'a ref cannot contain "..", "@{" or "//"';
  if (/^[-/.]|[/.]$|\.lock$|\/\./.test(ref)) return 'a ref cannot start with "-", "/" or ".", nor end with "/", "." or ".lock"';
  return null;
}

/** Parse `github:OWNER/REPO[@REF]`; a malformed spec is a UsageError that shows the expected shape. */
export function parseGitHubTarget(spec: string): GitHubTarget {
  const shape = "expected github:OWNER/REPO or github:OWNER/REPO@REF (a branch, tag or commit SHA)";
  if (!spec.startsWith(GITHUB_PREFIX)) throw new UsageError(`${JSON.stringify(spec.slice(0, 200))}: ${shape}`);
  const body = spec.slice(GITHUB_PREFIX.length);
  const at = body.indexOf("@");
  const name = at === -1 ? body : body.slice(0, at);
  const ref = at === -1 ? null : body.slice(at + 1);
  const slash = name.indexOf("/");
  const owner = slash === -1 ? name : name.slice(0, slash);
  const repo = (slash === -1 ? "" : name.slice(slash + 1)).replace(/\.git$/, "");
  const shown = JSON.stringify(spec.slice(0, 200));
  if (slash === -1 || !owner || !repo) throw new UsageError(`${shown}: ${shape}`);
  if (!OWNER.test(owner)) throw new UsageError(`${shown}: "${owner.slice(0, 60)}" is not a GitHub user or organisation name (letters, digits and "-", at most 39)`);
  if (!REPO.test(repo) || repo === "." || repo === "..") throw new UsageError(`${shown}: "${repo.slice(0, 120)}" is not a repository name (letters, digits, ".", "_" and "-", at most 100)`);
  if (ref !== null) {
    const problem = refProblem(ref);
    if (problem) throw new UsageError(`${shown}: ${problem}`);
  }
  return { owner, repo, ref, isCommit: ref !== null && COMMIT.test(ref) };
}

export interface GitHubClientOptions {
  token: string;
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 for GHES (GraphQL then goes to https://HOST/api/graphql). */
  baseUrl: string;
  userAgent: string;
  timeoutMs?: number;
  /** Injected by tests; default: the global fetch. */
  fetch?: typeof fetch;
}

/** An `@octokit/rest` client with a per-request timeout; quiet (the CLI prints its own errors). */
export function createGitHubClient(opts: GitHubClientOptions): GitHubClient {
  const quiet = (): void => {};
  const timeoutMs = opts.timeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS;
  // Every request (REST and GraphQL alike) gets its own deadline, on top of any signal of the caller.
  const timedFetch = (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return (opts.fetch ?? fetch)(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
  const octokit = new Octokit({
    auth: opts.token,
    baseUrl: opts.baseUrl,
    userAgent: opts.userAgent,
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    request: { fetch: timedFetch },
  });
  return octokit as unknown as GitHubClient;
}

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function requestErrorOf(err: unknown): RequestErrorLike | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e === "object" && typeof (e as RequestErrorLike).status === "number") return e as RequestErrorLike;
  }
  return null;
}

function innermostMessage(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err);
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && e.message) msg = e.message;
  }
  return msg;
}

/**
 * An operator-facing error for a failed tree listing: bad credentials, a missing repository or ref
 * (one extra request, on this error path only, tells them apart), an exhausted rate limit, or an
 * unreachable API. Usage problems become UsageError (exit 2); outages stay Error (exit 1).
 */
export async function explainGitHubFailure(err: unknown, target: GitHubTarget, client: GitHubClient, apiUrl: string): Promise<Error> {
  const spec = `github:${target.owner}/${target.repo}${target.ref ? `@${target.ref}` : ""}`;
  const re = requestErrorOf(err);
  // Octokit reports a failed fetch (refused, DNS, timeout) as a status-500 RequestError without a response.
  if (!re || !re.response) {
    return new Error(`${spec}: cannot reach the GitHub API at ${apiUrl}: ${innermostMessage(err)}`, { cause: err });
  }
  const headers = re.response?.headers ?? {};
  const status = re.status ?? 0;
  if (status === 401) {
    return new UsageError(`${spec}: GITHUB_TOKEN was refused by ${apiUrl} (401 Bad credentials): check the token, and --github-api-url for GitHub Enterprise Server`);
  }
  if ((status === 403 || status === 429) && String(headers["x-ratelimit-remaining"] ?? "") === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
    return new Error(`${spec}: the GitHub API rate limit of this token is used up${when}`, { cause: err });
  }
  if (status === 404 || status === 409 || status === 422) {
    let repoExists = false;
    try {
      await client.request("GET /repos/{owner}/{repo}", { owner: target.owner, repo: target.repo });
      repoExists = true;
    } catch {
      repoExists = false;
    }
    if (!repoExists) {
      return new UsageError(`${spec}: repository ${target.owner}/${target.repo} not found on ${apiUrl}, or GITHUB_TOKEN cannot read it (GitHub answers 404 for both)`);
    }
    if (target.ref) return new UsageError(`${spec}: ${target.owner}/${target.repo} has no branch, tag or commit "${target.ref}"`);
    return new UsageError(`${spec}: ${target.owner}/${target.repo} has no commits yet (an empty repository)`);
  }
  if (status === 403) {
    return new UsageError(`${spec}: 403 Forbidden from ${apiUrl}: ${re.message ?? ""} (the token needs read access to the repository's contents and metadata)`.trim());
  }
  return new Error(`${spec}: GitHub answered ${status}: ${innermostMessage(err)}`, { cause: err });
}
