import { DatasourceError, type ReleaseResult } from "../types.js";

/** Known code hosts whose URLs we reduce to https://host/owner/repo. */
const CODE_HOSTS = new Set(["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"]);

/**
 * Normalise a repository reference to https://host/owner/repo, or null when it is not a recognised
 * code-host URL. Handles git+https, git://, ssh (git@host:o/r), "github:o/r" and npm's "o/r"
 * shorthand, ".git" suffixes and deep links (/tree/main/packages/x).
 */
export function normalizeSourceUrl(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  let s = raw.trim();
  if (!s || s.length > 2000) return null;
  const short = /^(github|gitlab|bitbucket):([\w.-]+)\/([\w.-]+)$/.exec(s);
  if (short) {
    const host = short[1] === "bitbucket" ? "bitbucket.org" : `${short[1]}.com`;
    return `https://${host}/${short[2]}/${stripGit(short[3])}`;
  }
  if (/^[\w.-]+\/[\w.-]+$/.test(s) && !s.includes("..")) return `https://github.com/${s.split("/")[0]}/${stripGit(s.split("/")[1])}`;
  s = s.replace(/^git\+/, "");
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+)$/.exec(s);
  if (ssh) s = `https://${ssh[1]}/${ssh[2]}`;
  s = s.replace(/^git:\/\//, "https://").replace(/^http:\/\//, "https://");
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  const host = u.hostname.toLowerCase().replace(/^www\./, "");
  if (!CODE_HOSTS.has(host)) return null;
  const parts = u.pathname.split("/").filter(Boolean);
  if (parts.length < 2) return null;
  return `https://${host}/${parts[0]}/${stripGit(parts[1])}`;
}

function stripGit(repo: string): string {
  return repo.replace(/\.git$/, "");
}

/** True for a DatasourceError meaning "no such package" (404/410). */
export function isNotFound(err: unknown): boolean {
  return err instanceof DatasourceError && (err.status === 404 || err.status === 410);
}

/**
 * Await a registry request; a "no such package" answer (404/410) resolves to undefined, any other
 * error propagates. (Parsed bodies are never undefined, so the two cannot be confused.)
 */
export async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** ISO 8601 string or null, from whatever date a registry gives. */
export function isoDate(value: unknown): string | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export function emptyResult(registry_url: string): ReleaseResult {
  return {
    releases: [],
    tag_latest: null,
    source_url: null,
    homepage: null,
    deprecated: false,
    deprecation_message: null,
    registry_url,
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

/** A registry answered 200 with a shape we do not understand. */
export function badShape(request: string, what: string): DatasourceError {
  return new DatasourceError(`${request}: unexpected response: ${what}`, request, 200);
}
