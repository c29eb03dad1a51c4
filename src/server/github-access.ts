import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";

export type Access = "none" | "read" | "write";

/** The outcome of asking GitHub what a token may do on a repository. */
export type AccessResult =
  | { kind: "ok"; access: Access; login: string | null }
  /** The token itself is bad (GitHub said 401). */
  | { kind: "invalid_token" }
  /** GitHub could not be asked (network, 5xx, rate limit): not cached. */
  | { kind: "unavailable"; message: string };

export interface GitHubHosts {
  /** e.g. https://api.github.com or https://ghe.example.com/api/v3 */
  apiBase: string;
  /** e.g. https://github.com or https://ghe.example.com */
  webBase: string;
}

/** github.com, or GitHub Enterprise Server when GHE_HOST is set (GHE_PROTOCOL defaults to https). */
export function githubHostsFromEnv(env: Record<string, string | undefined> = process.env): GitHubHosts {
  const host = env.GHE_HOST?.trim();
  if (host) {
    const protocol = (env.GHE_PROTOCOL?.trim() || "https").replace(/:$/, "");
    return { apiBase: `${protocol}://${host}/api/v3`, webBase: `${protocol}://${host}` };
  }
  return { apiBase: "https://api.github.com", webBase: "https://github.com" };
}

export interface GitHubAccessCheckerOptions {
  hosts?: GitHubHosts;
  /** Cache lifetime of an answer (default 60 s). */
  ttlMs?: number;
  maxEntries?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The cache key: a SHA-256 of the token (never the token itself) and the repository. */
export function accessCacheKey(token: string, owner: string, repo: string): string {
  const digest = createHash("sha256").update(token).digest("hex");
  return `${digest}:${owner.toLowerCase()}/${repo.toLowerCase()}`;
}

/**
 * Checks a user token or PAT against GitHub: `GET /repos/{owner}/{repo}` returns `permissions`
 * (pull → read, push → write). 404/403 mean no access; 401 means the token is bad. Answers are
 * cached for a short time under a hash of the token.
 */
export class GitHubAccessChecker {
  readonly hosts: GitHubHosts;
  private readonly cache: LRUCache<string, AccessResult>;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(opts: GitHubAccessCheckerOptions = {}) {
    this.hosts = opts.hosts ?? githubHostsFromEnv();
    this.cache = new LRUCache({ max: opts.maxEntries ?? 5_000, ttl: opts.ttlMs ?? 60_000 });
    this.fetchImpl = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async check(token: string, owner: string, repo: string): Promise<AccessResult> {
    const key = accessCacheKey(token, owner, repo);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = await this.ask(token, owner, repo);
    if (result.kind !== "unavailable") this.cache.set(key, result);
    return result;
  }

  private async ask(token: string, owner: string, repo: string): Promise<AccessResult> {
    const url = `${this.hosts.apiBase}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/vnd.github+json",
          "x-github-api-version": "2022-11-28",
          "user-agent": "cowabunga-maintainer",
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      return { kind: "unavailable", message: `GET ${url} failed: ${(e as Error).message}` };
    }
    if (res.status === 401) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: "invalid_token" };
    }
    if (res.status === 404 || (res.status === 403 && res.headers.get("x-ratelimit-remaining") !== "0")) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: "ok", access: "none", login: null };
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: "unavailable", message: `GET ${url} answered HTTP ${res.status}` };
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { kind: "unavailable", message: `GET ${url} returned a body that is not JSON` };
    }
    const perms = (body as { permissions?: Record<string, unknown> } | null)?.permissions ?? {};
    const access: Access = perms.push === true || perms.admin === true || perms.maintain === true ? "write" : perms.pull === true ? "read" : "none";
    return { kind: "ok", access, login: null };
  }

  /** The login of a token's user (for the dashboard's header); null when it cannot be read. */
  async login(token: string): Promise<string | null> {
    try {
      const res = await this.fetchImpl(`${this.hosts.apiBase}/user`, {
        headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "cowabunga-maintainer" },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return null;
      }
      const body = (await res.json()) as { login?: unknown };
      return typeof body.login === "string" ? body.login : null;
    } catch {
      return null;
    }
  }
}
