import { LRUCache } from "lru-cache";
import { DatasourceError, type Datasource, type LookupRequest, type Release, type ReleaseResult } from "../types.js";
import { isoDate, isRecord, str } from "./util.js";

/** The slice of Octokit we use; Probot's context.octokit fits. baseUrl is read from its defaults (GHES). */
export interface OctokitLike {
  request: ((route: string, params?: Record<string, unknown>) => Promise<{ data: unknown; status?: number }>) & {
    endpoint?: { DEFAULTS?: { baseUrl?: string } };
  };
}

export interface ReleaseNote {
  tag: string;
  name: string | null;
  body: string | null;
  published_at: string | null;
  url: string | null;
}

export interface GithubDatasourceOptions {
  octokit: OctokitLike;
  /** How long a repository's releases are reused (across repositories). Default 1 hour. */
  ttlMs?: number;
  now?: () => number;
  /** Pages of 100 fetched at most. Default: releases 3, tags 5. */
  maxReleasePages?: number;
  maxTagPages?: number;
}

interface RepoData {
  releases: Release[];
  notes: ReleaseNote[];
  latestStable: string | null;
}

export interface GithubDatasource extends Datasource {
  getReleaseNotes(owner: string, repo: string): Promise<ReleaseNote[] | null>;
}

/** "actions/cache/restore" → actions/cache; "https://github.com/o/r" → o/r. */
export function parseGithubRepo(name: string): { owner: string; repo: string } | null {
  const n = name.trim().replace(/^https?:\/\/[^/]+\//, "").replace(/^github\.com\//, "").replace(/@.*$/, "");
  const [owner, repo] = n.split("/");
  if (!owner || !repo || !/^[\w.-]+$/.test(owner) || !/^[\w.-]+$/.test(repo)) return null;
  return { owner, repo: repo.replace(/\.git$/, "") };
}

function htmlBase(apiBase: string): string {
  const u = apiBase.replace(/\/+$/, "");
  if (u === "https://api.github.com") return "https://github.com";
  return u.replace(/\/api\/v3$/, "");
}

/**
 * Does this Octokit talk to github.com? A package's source repository is named by a github.com URL; on
 * GitHub Enterprise Server the installation's Octokit reaches only the GHES host, where such a repository
 * does not exist (each lookup would be a wasted request answered 404).
 */
export function servesGithubDotCom(octokit: OctokitLike): boolean {
  const base = (octokit.request.endpoint?.DEFAULTS?.baseUrl ?? "https://api.github.com").replace(/\/+$/, "");
  return /^https:\/\/api\.github\.com$/i.test(base);
}

/**
 * GitHub releases, falling back to tags when a repository publishes none (tags carry no dates).
 * Results are cached per repository for ttlMs, since many repositories use the same actions.
 */
export function createGithubDatasource(opts: GithubDatasourceOptions): GithubDatasource {
  const now = opts.now ?? Date.now;
  const ttl = opts.ttlMs ?? 60 * 60 * 1000;
  const cache = new LRUCache<string, { at: number; data: Promise<RepoData | null> }>({ max: 2000 });
  const apiBase = (opts.octokit.request.endpoint?.DEFAULTS?.baseUrl ?? "https://api.github.com").replace(/\/+$/, "");

  async function call(route: string, params: Record<string, unknown>): Promise<unknown | null> {
    const path = route.replace(/^GET /, "").replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ""));
    const request = `GET ${apiBase}${path}`;
    try {
      const res = await opts.octokit.request(route, params);
      return res.data;
    } catch (err) {
      const status = typeof (err as { status?: unknown }).status === "number" ? (err as { status: number }).status : null;
      if (status === 404) return null;
      throw new DatasourceError(`${request}: ${status ? `HTTP ${status} ` : ""}${(err as Error).message ?? String(err)}`.slice(0, 500), request, status);
    }
  }

  async function paged(route: string, owner: string, repo: string, maxPages: number): Promise<unknown[] | null> {
    const out: unknown[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const data = await call(route, { owner, repo, per_page: 100, page });
      if (data === null) return page === 1 ? null : out;
      if (!Array.isArray(data)) throw new DatasourceError(`GET ${apiBase}/repos/${owner}/${repo}: unexpected response`, `GET ${apiBase}/repos/${owner}/${repo}`, 200);
      out.push(...data);
      if (data.length < 100) break;
    }
    return out;
  }

  async function load(owner: string, repo: string): Promise<RepoData | null> {
    const rels = await paged("GET /repos/{owner}/{repo}/releases", owner, repo, opts.maxReleasePages ?? 3);
    if (rels === null) return null;
    const published = rels.filter(isRecord).filter((r) => r.draft !== true && str(r.tag_name));
    if (published.length > 0) {
      const releases: Release[] = published.map((r) => ({
        version: r.tag_name as string,
        release_date: isoDate(r.published_at ?? r.created_at),
        deprecated: false,
        yanked: false,
      }));
      const notes: ReleaseNote[] = published.map((r) => ({
        tag: r.tag_name as string,
        name: str(r.name),
        body: typeof r.body === "string" ? r.body : null,
        published_at: isoDate(r.published_at),
        url: str(r.html_url),
      }));
      const latestStable = published.find((r) => r.prerelease !== true);
      return { releases, notes, latestStable: latestStable ? (latestStable.tag_name as string) : null };
    }
    const tags = await paged("GET /repos/{owner}/{repo}/tags", owner, repo, opts.maxTagPages ?? 5);
    const releases: Release[] = (tags ?? [])
      .filter(isRecord)
      .filter((t) => str(t.name))
      .map((t) => ({ version: t.name as string, release_date: null, deprecated: false, yanked: false }));
    return { releases, notes: [], latestStable: null };
  }

  function get(owner: string, repo: string): Promise<RepoData | null> {
    const key = `${apiBase} ${owner.toLowerCase()}/${repo.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.data;
    const data = load(owner, repo);
    cache.set(key, { at: now(), data });
    data.catch(() => cache.delete(key));
    return data;
  }

  return {
    name: "github-tags",
    async getReleases(req: LookupRequest): Promise<ReleaseResult | null> {
      const parsed = parseGithubRepo(req.name);
      if (!parsed) throw new DatasourceError(`not a GitHub owner/repo: ${req.name.slice(0, 200)}`, `GET ${apiBase}/repos/?`, null);
      const data = await get(parsed.owner, parsed.repo);
      if (!data) return null;
      const repoUrl = `${htmlBase(apiBase)}/${parsed.owner}/${parsed.repo}`;
      return {
        releases: data.releases,
        tag_latest: data.latestStable,
        source_url: repoUrl,
        homepage: repoUrl,
        deprecated: false,
        deprecation_message: null,
        registry_url: repoUrl,
      };
    },
    async getReleaseNotes(owner: string, repo: string): Promise<ReleaseNote[] | null> {
      const data = await get(owner, repo);
      return data ? data.notes : null;
    },
  };
}
