import type { ProbotOctokit } from "probot";

/** The Octokit the GitHub writers use: Probot's `context.octokit` or `app.auth(installationId)`. */
export type GitHubOctokit = InstanceType<typeof ProbotOctokit>;

/** Structured logger (pino-like); Probot's `context.log` and `app.log` fit. */
export interface AppLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export const silentLogger: AppLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface RequestCounts {
  reads: number;
  writes: number;
  /** "GET /repos/{owner}/{repo}/issues" style lines, in order, for logs and tests. */
  requests: string[];
}

interface RequestOptionsLike {
  method?: string;
  url?: string;
  query?: string;
}

/** GraphQL queries are reads; mutations are writes. Token exchanges are not counted. */
export function classifyRequest(options: RequestOptionsLike): "read" | "write" | "ignore" {
  const method = (options.method ?? "GET").toUpperCase();
  const url = options.url ?? "";
  if (/^\/app\/installations\/[^/]+\/access_tokens/.test(url) || /\/access_tokens$/.test(url)) return "ignore";
  if (url === "/graphql" || url.endsWith("/graphql")) {
    return typeof options.query === "string" && /^\s*mutation\b/.test(options.query) ? "write" : "read";
  }
  return method === "GET" || method === "HEAD" ? "read" : "write";
}

/**
 * Count the requests made through `octokit` until `stop()` is called. Uses Octokit's request hook,
 * which also sees paginated pages and GraphQL calls. Call stop() in a finally block.
 */
export function countRequests(octokit: Pick<GitHubOctokit, "hook">): { counts: RequestCounts; stop(): void } {
  const counts: RequestCounts = { reads: 0, writes: 0, requests: [] };
  const hook = (options: RequestOptionsLike): void => {
    const kind = classifyRequest(options);
    if (kind === "ignore") return;
    if (kind === "read") counts.reads++;
    else counts.writes++;
    counts.requests.push(`${(options.method ?? "GET").toUpperCase()} ${options.url ?? ""}`);
  };
  octokit.hook.before("request", hook as never);
  return {
    counts,
    stop() {
      octokit.hook.remove("request", hook as never);
    },
  };
}

/** HTTP status of an Octokit error, or null. */
export function statusOf(err: unknown): number | null {
  if (err && typeof err === "object" && "status" in err && typeof (err as { status: unknown }).status === "number") {
    return (err as { status: number }).status;
  }
  return null;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Web host for links (github.com, or the GHES host taken from the API base URL). */
export function webHostOf(baseUrl: string | undefined): string {
  if (!baseUrl) return "github.com";
  try {
    const u = new URL(baseUrl);
    if (u.hostname === "api.github.com") return "github.com";
    // A GHES served over plain http (GHE_PROTOCOL=http) keeps its scheme; https is implied otherwise.
    return u.protocol === "http:" ? `http://${u.host}` : u.host;
  } catch {
    return "github.com";
  }
}

/** The web origin for links: `host` from webHostOf, https unless it names its scheme. */
export function webOrigin(host: string): string {
  return /^https?:\/\//.test(host) ? host : `https://${host}`;
}

/** The API base URL an Octokit instance was built with. */
export function baseUrlOf(octokit: Pick<GitHubOctokit, "request">): string | undefined {
  const endpoint = (octokit.request as unknown as { endpoint?: { DEFAULTS?: { baseUrl?: string } } }).endpoint;
  return endpoint?.DEFAULTS?.baseUrl;
}
