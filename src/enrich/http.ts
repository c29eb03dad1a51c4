import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LRUCache } from "lru-cache";
import pLimit, { type LimitFunction } from "p-limit";
import { SHARED_CACHE_MAX_BODY, type SharedCacheEntry, type SharedHttpCache } from "./shared-cache.js";
import { DatasourceError } from "./types.js";
import type { Dispatcher } from "undici";
import { guardedDispatcherFor, unsafeConnectionMessage, withDispatcher } from "./guarded-agent.js";
import { HostUnreachableError, UnsafeUrlError, assertSafeUrl, redactUrl, type Resolver } from "./url-guard.js";

/**
 * The shared HTTP layer of every registry datasource.
 *
 * One HttpClient is meant to be created per process (createHttpClient) and shared by all
 * repositories and installations: its cache is keyed by URL + auth scope, so a package used by a
 * hundred repositories is fetched once per TTL, and concurrent lookups of the same URL share one
 * request. Built on the global fetch, so nock intercepts it in tests.
 */

function readAppVersion(): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i++) {
      const pkg = join(dir, "package.json");
      if (existsSync(pkg)) {
        const json = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
        if (json.name === "cowabunga-maintainer" && json.version) return json.version;
      }
      dir = dirname(dir);
    }
  } catch {
    // fall through
  }
  return "0.0.0";
}

export const APP_VERSION = readAppVersion();
export const USER_AGENT = `cowabunga-maintainer/${APP_VERSION} (+https://github.com/apps/cowabunga-maintainer)`;

export type UrlGuard = (url: URL) => Promise<void>;

export interface HttpClientOptions {
  userAgent?: string;
  /** Per-attempt timeout, including reading the body. Default 15 s. */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 429 and 5xx. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 500 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest Retry-After we honour; longer values are capped to this. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Simultaneous requests per host. Default 8. */
  concurrencyPerHost?: number;
  /** Per-host overrides, e.g. { "crates.io": 1 } (crates.io asks crawlers for 1 req/s). */
  hostConcurrency?: Record<string, number>;
  /** How long a cached body is served without asking the server. Default 1 hour. */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  /** Approximate cap of cached bodies, in UTF-16 code units. Default 256 Mi. */
  cacheMaxSize?: number;
  /** Every request fails immediately with DatasourceError("offline mode"); nothing leaves the process. */
  offline?: boolean;
  /**
   * Called before every request and redirect hop. Default: assertSafeUrl (SSRF guard honouring
   * COWABUNGA_ALLOW_PRIVATE_URLS). Pass null to disable (tests on nock hosts).
   */
  urlGuard?: UrlGuard | null;
  /** Resolver for the default guard and the guarded Agent (tests). */
  resolve?: Resolver;
  /**
   * undici dispatcher of the requests, or a function choosing one per request URL (null: the global
   * one). Default: while a URL guard is on, an Agent that connects only to addresses the guard
   * accepts, checked at connect time (DNS rebinding); with `urlGuard: null`, the global dispatcher.
   * fetch interceptors (nock) still see every request first.
   */
  dispatcher?: Dispatcher | null | ((url: URL) => Dispatcher | null);
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Debug log of retries and cache revalidations. */
  log?: (message: string) => void;
  /** Largest response body read, in bytes; larger answers fail without being buffered. Default 128 MiB. */
  maxBodyBytes?: number;
  /** Second-level cache shared by every process (PostgreSQL or Redis); see src/enrich/shared-cache.ts. */
  sharedCache?: SharedHttpCache | null;
}

export interface RequestOptions {
  method?: "GET" | "HEAD" | "POST";
  headers?: Record<string, string>;
  /** POST body (JSON string, already serialised). */
  body?: string;
  /**
   * Label of the credentials used, so responses fetched with different credentials never share a
   * cache entry. Derived from a hash of the Authorization header when omitted. Never the secret.
   */
  authScope?: string;
  /** Use the shared cache. Default: true for GET, false otherwise. */
  cache?: boolean;
  ttlMs?: number;
  /** Statuses returned as a response instead of thrown (e.g. 401 for the docker token dance). */
  acceptStatus?: readonly number[];
  timeoutMs?: number;
  retries?: number;
  /** Largest response body for this request (default: the client's maxBodyBytes). */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Final URL after redirects. */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
  fromCache: boolean;
}

export interface HttpStats {
  /** Network requests made (attempts, retries and redirect hops included), per host. */
  requests: Record<string, number>;
  cacheHits: number;
  /** Conditional requests answered 304 Not Modified. */
  notModified: number;
  retries: number;
  /** Of cacheHits, those answered by the shared (cross-process) cache. */
  sharedCacheHits: number;
}

interface CacheEntry {
  response: HttpResponse;
  etag: string | null;
  lastModified: string | null;
  expiresAt: number;
  /** Parsed forms of the body, by parser id, so a large index is parsed once per body. */
  parsed: Map<string, unknown>;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 5;
/** How often a process waiting for another's fetch of the same URL looks for its answer. */
const SHARED_POLL_MS = 100;
export const DEFAULT_MAX_BODY_BYTES = 128 * 1024 * 1024;

/** A body over the limit: not retried (the next attempt would be as large). */
export class BodyTooLargeError extends Error {}

/** The body as text, refusing (and cancelling) bodies over `max` bytes, declared or streamed. */
export async function readBodyLimited(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(`response body of ${declared} bytes is over the ${max}-byte limit`);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(`response body is over the ${max}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export class HttpClient {
  readonly userAgent: string;
  private readonly opts: Required<
    Pick<
      HttpClientOptions,
      | "timeoutMs"
      | "retries"
      | "backoffBaseMs"
      | "backoffMaxMs"
      | "maxRetryAfterMs"
      | "concurrencyPerHost"
      | "cacheTtlMs"
      | "offline"
    >
  >;
  private readonly hostConcurrency: Record<string, number>;
  private readonly cache: LRUCache<string, CacheEntry>;
  private readonly inflight = new Map<string, Promise<{ response: HttpResponse; entry: CacheEntry | null }>>();
  private readonly limits = new Map<string, LimitFunction>();
  private readonly counts = new Map<string, number>();
  private readonly guard: UrlGuard | null;
  private readonly guardMemo = new Map<string, Promise<void>>();
  private readonly dispatcherFor: (url: URL) => Dispatcher | null;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly log: (message: string) => void;
  private readonly maxBodyBytes: number;
  private cacheHits = 0;
  private notModified = 0;
  private retryCount = 0;
  private sharedCache: SharedHttpCache | null;
  private sharedCacheHits = 0;

  constructor(options: HttpClientOptions = {}) {
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.opts = {
      timeoutMs: options.timeoutMs ?? 15_000,
      retries: options.retries ?? 3,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 20_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      concurrencyPerHost: options.concurrencyPerHost ?? 8,
      cacheTtlMs: options.cacheTtlMs ?? 60 * 60 * 1000,
      offline: options.offline ?? false,
    };
    this.hostConcurrency = { ...(options.hostConcurrency ?? {}) };
    this.cache = new LRUCache<string, CacheEntry>({
      max: options.cacheMaxEntries ?? 5000,
      maxSize: options.cacheMaxSize ?? 256 * 1024 * 1024,
      sizeCalculation: (e) => Math.max(1, e.response.body.length),
    });
    const resolve = options.resolve;
    this.guard =
      options.urlGuard === undefined
        ? async (url: URL) => {
            await assertSafeUrl(url, { resolve });
          }
        : options.urlGuard;
    const dispatcher = options.dispatcher === undefined ? (this.guard ? guardedDispatcherFor({ resolve }) : null) : options.dispatcher;
    this.dispatcherFor = typeof dispatcher === "function" ? dispatcher : () => dispatcher;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => {});
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.sharedCache = options.sharedCache ?? null;
  }

  /** Share cached answers with other processes from now on (set once the store is open), or stop with null. */
  useSharedCache(cache: SharedHttpCache | null): void {
    this.sharedCache = cache;
  }

  get offline(): boolean {
    return this.opts.offline;
  }

  /** Raw request. Throws DatasourceError unless the status is 2xx/304 or listed in acceptStatus. */
  async request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    return (await this.requestEntry(url, options)).response;
  }

  async getText(url: string, options: RequestOptions = {}): Promise<string> {
    return (await this.request(url, options)).body;
  }

  /** GET and parse JSON. The parsed value is shared between callers of a cached entry: do not mutate it. */
  async getJson<T = unknown>(url: string, options: RequestOptions = {}): Promise<T> {
    const headers = { accept: "application/json", ...(options.headers ?? {}) };
    return this.getParsed<T>(url, "json", (body) => JSON.parse(body) as T, { ...options, headers });
  }

  async postJson<T = unknown>(url: string, payload: unknown, options: RequestOptions = {}): Promise<T> {
    const headers = { accept: "application/json", "content-type": "application/json", ...(options.headers ?? {}) };
    return this.getParsed<T>(url, "json", (body) => JSON.parse(body) as T, {
      ...options,
      method: "POST",
      body: JSON.stringify(payload),
      headers,
    });
  }

  /**
   * Fetch and parse with `parse`, memoised on the cache entry under `parserId`: a 304 or a cache hit
   * reuses the parsed value (Helm index.yaml files are megabytes of YAML).
   */
  async getParsed<T>(url: string, parserId: string, parse: (body: string) => T, options: RequestOptions = {}): Promise<T> {
    const { response, entry } = await this.requestEntry(url, options);
    if (entry?.parsed.has(parserId)) return entry.parsed.get(parserId) as T;
    let value: T;
    try {
      value = parse(response.body);
    } catch (err) {
      const req = describe(options.method ?? "GET", response.url || url);
      throw new DatasourceError(
        `${req}: malformed response body (${parserId}): ${(err as Error).message.slice(0, 200)}`,
        req,
        response.status,
      );
    }
    entry?.parsed.set(parserId, value);
    return value;
  }

  /** Network requests per host (or the total when host is omitted). */
  requestCount(host?: string): number {
    if (host !== undefined) return this.counts.get(host) ?? 0;
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  stats(): HttpStats {
    return {
      requests: Object.fromEntries(this.counts),
      cacheHits: this.cacheHits,
      notModified: this.notModified,
      retries: this.retryCount,
      sharedCacheHits: this.sharedCacheHits,
    };
  }

  clearCache(): void {
    this.cache.clear();
  }

  private cacheKey(url: string, options: RequestOptions): string {
    const headers = lowerKeys(options.headers ?? {});
    let scope = options.authScope ?? "";
    if (!options.authScope && headers.authorization) {
      scope = "auth:" + createHash("sha256").update(headers.authorization).digest("hex").slice(0, 16);
    }
    return `${options.method ?? "GET"} ${scope} ${headers.accept ?? ""} ${url}`;
  }

  private async requestEntry(
    url: string,
    options: RequestOptions,
  ): Promise<{ response: HttpResponse; entry: CacheEntry | null }> {
    const method = options.method ?? "GET";
    const req = describe(method, url);
    if (this.opts.offline) {
      throw new DatasourceError(`${req}: offline mode, no network requests are made`, req, null);
    }
    const useCache = options.cache ?? method === "GET";
    if (!useCache) return { response: await this.fetchWithRetry(url, options, {}), entry: null };

    const key = this.cacheKey(url, options);
    let cached = this.cache.get(key);
    if (cached && this.now() < cached.expiresAt) {
      this.cacheHits++;
      return { response: { ...cached.response, fromCache: true }, entry: cached };
    }
    const pending = this.inflight.get(key);
    if (pending) {
      this.cacheHits++;
      return pending;
    }
    let claimed = false;
    const p = (async () => {
      if (this.sharedCache) {
        // Another process may have fetched it within its TTL, or be fetching it now; an expired entry
        // still lends its validators.
        const shared = await this.consultShared(key);
        claimed = shared.claimed;
        if (shared.fresh) {
          this.cache.set(key, shared.fresh);
          this.cacheHits++;
          this.sharedCacheHits++;
          return { response: { ...shared.fresh.response, fromCache: true }, entry: shared.fresh };
        }
        if (shared.stale && (!cached || shared.stale.expiresAt > cached.expiresAt)) cached = shared.stale;
      }
      const conditional: Record<string, string> = {};
      if (cached?.etag) conditional["if-none-match"] = cached.etag;
      if (cached?.lastModified) conditional["if-modified-since"] = cached.lastModified;
      const response = await this.fetchWithRetry(url, options, conditional);
      const ttl = options.ttlMs ?? this.opts.cacheTtlMs;
      if (response.status === 304 && cached) {
        this.notModified++;
        this.log(`${req}: 304 Not Modified, cache entry refreshed`);
        cached.expiresAt = this.now() + ttl;
        // Servers may send fresh validators with the 304.
        if (response.headers.etag) cached.etag = response.headers.etag;
        if (response.headers["last-modified"]) cached.lastModified = response.headers["last-modified"];
        this.cache.set(key, cached);
        await this.sharedSet(key, cached);
        return { response: { ...cached.response, fromCache: true }, entry: cached };
      }
      const cacheControl = response.headers["cache-control"] ?? "";
      if (response.status >= 200 && response.status < 300 && !/no-store/i.test(cacheControl)) {
        const entry: CacheEntry = {
          response,
          etag: response.headers.etag ?? null,
          lastModified: response.headers["last-modified"] ?? null,
          expiresAt: this.now() + ttl,
          parsed: new Map(),
        };
        this.cache.set(key, entry);
        await this.sharedSet(key, entry);
        return { response, entry };
      }
      return { response, entry: null };
    })();
    this.inflight.set(key, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(key);
      if (claimed) await this.sharedCache?.release?.(key).catch((err: Error) => this.log(`shared cache release failed: ${err.message}`));
    }
  }

  /** The shared cache's entry, or null; a failing shared cache is a miss (logged), never an error. */
  private async sharedGet(key: string): Promise<CacheEntry | null> {
    try {
      const e = await this.sharedCache!.get(key);
      if (!e) return null;
      const response: HttpResponse = { status: e.status, url: e.url, headers: e.headers, body: e.body, fromCache: false };
      return { response, etag: e.etag, lastModified: e.lastModified, expiresAt: e.expiresAt, parsed: new Map() };
    } catch (err) {
      this.log(`shared cache read failed: ${(err as Error).message}`);
      return null;
    }
  }

  /**
   * Look the key up in the shared cache. On a miss, claim the fetch (when the cache supports claims):
   * whoever holds the claim fetches, the others poll for its answer until the claim could have run out,
   * then fetch themselves (the holder failed or died).
   */
  private async consultShared(key: string): Promise<{ fresh: CacheEntry | null; stale: CacheEntry | null; claimed: boolean }> {
    const cache = this.sharedCache!;
    const maxPolls = Math.ceil(this.opts.timeoutMs / SHARED_POLL_MS);
    let stale: CacheEntry | null = null;
    for (let poll = 0; ; poll++) {
      const shared = await this.sharedGet(key);
      if (shared && this.now() < shared.expiresAt) return { fresh: shared, stale: null, claimed: false };
      stale = shared ?? stale;
      if (!cache.claim) return { fresh: null, stale, claimed: false };
      let got: boolean;
      try {
        got = await cache.claim(key, this.opts.timeoutMs);
      } catch (err) {
        this.log(`shared cache claim failed: ${(err as Error).message}`);
        return { fresh: null, stale, claimed: false };
      }
      if (got) {
        // The previous holder may have stored its answer between our read and our claim.
        const again = await this.sharedGet(key);
        if (again && this.now() < again.expiresAt) {
          await cache.release?.(key).catch(() => undefined);
          return { fresh: again, stale: null, claimed: false };
        }
        return { fresh: null, stale, claimed: true };
      }
      if (poll >= maxPolls) return { fresh: null, stale, claimed: false };
      await this.sleep(SHARED_POLL_MS);
    }
  }

  private async sharedSet(key: string, entry: CacheEntry): Promise<void> {
    if (!this.sharedCache || entry.response.body.length > SHARED_CACHE_MAX_BODY) return;
    const { status, url, headers, body } = entry.response;
    const shared: SharedCacheEntry = { status, url, headers, body, etag: entry.etag, lastModified: entry.lastModified, expiresAt: entry.expiresAt };
    try {
      await this.sharedCache.set(key, shared);
    } catch (err) {
      this.log(`shared cache write failed: ${(err as Error).message}`);
    }
  }

  private limitFor(host: string): LimitFunction {
    let limit = this.limits.get(host);
    if (!limit) {
      limit = pLimit(Math.max(1, this.hostConcurrency[host] ?? this.opts.concurrencyPerHost));
      this.limits.set(host, limit);
    }
    return limit;
  }

  private async checkGuard(url: URL): Promise<void> {
    if (!this.guard) return;
    // Memoise per origin: one DNS check per host per process. The connection itself is checked again
    // at connect time by the guarded Agent (DNS rebinding), so the memo only saves lookups.
    const key = url.origin;
    let p = this.guardMemo.get(key);
    if (!p) {
      p = this.guard(url);
      this.guardMemo.set(key, p);
      p.catch(() => this.guardMemo.delete(key));
    }
    await p;
  }

  private async fetchWithRetry(
    url: string,
    options: RequestOptions,
    conditional: Record<string, string>,
  ): Promise<HttpResponse> {
    const method = options.method ?? "GET";
    const retries = options.retries ?? this.opts.retries;
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    const accept = new Set(options.acceptStatus ?? []);
    const maxBody = options.maxBodyBytes ?? this.maxBodyBytes;
    const headers: Record<string, string> = {
      "user-agent": this.userAgent,
      ...lowerKeys(options.headers ?? {}),
      ...conditional,
    };
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      const req = describe(method, url);
      throw new DatasourceError(`${req}: invalid URL`, req, null);
    }
    let redirects = 0;
    let attempt = 0;
    for (;;) {
      const req = describe(method, current.toString());
      try {
        await this.checkGuard(current);
      } catch (err) {
        // One guard check answers for a whole origin: name this request's URL, not the first one's.
        if (err instanceof HostUnreachableError) throw new DatasourceError(`${req}: ${err.message}`, req, null, current.host);
        const reason = err instanceof UnsafeUrlError ? err.message.replace(/^refusing \S+: /, "") : (err as Error).message;
        throw new DatasourceError(`${req}: refusing ${redactUrl(current)}: ${reason}`, req, null);
      }
      if (current.username || current.password) {
        // Only reachable with the guard disabled: fetch refuses userinfo, so send it as Basic auth.
        const user = decodeURIComponent(current.username);
        const pass = decodeURIComponent(current.password);
        headers.authorization ??= "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
        current = new URL(current.toString());
        current.username = "";
        current.password = "";
      }
      const host = current.host;
      const target = current;
      const outcome: { ok: true; response: HttpResponse } | { ok: false; error: Error } = await this.limitFor(host)(async () => {
        this.counts.set(host, (this.counts.get(host) ?? 0) + 1);
        try {
          const init: RequestInit = { method, headers, body: options.body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) };
          const res = await fetch(target, withDispatcher(init, this.dispatcherFor(target)));
          const body = method === "HEAD" ? "" : await readBodyLimited(res, maxBody);
          const h: Record<string, string> = {};
          res.headers.forEach((v, k) => {
            h[k.toLowerCase()] = v;
          });
          return { ok: true as const, response: { status: res.status, url: target.toString(), headers: h, body, fromCache: false } };
        } catch (error) {
          return { ok: false as const, error: error as Error };
        }
      });

      let retryAfterMs: number | null = null;
      let failure: string;
      let status: number | null = null;
      if (outcome.ok) {
        const res = outcome.response;
        status = res.status;
        if (res.status >= 300 && res.status < 400 && res.status !== 304 && res.headers.location) {
          if (++redirects > MAX_REDIRECTS) throw new DatasourceError(`${req}: too many redirects`, req, res.status);
          try {
            current = new URL(res.headers.location, current);
          } catch {
            throw new DatasourceError(`${req}: invalid redirect location`, req, res.status);
          }
          // Credentials are not forwarded to another origin.
          if (current.origin !== target.origin) delete headers.authorization;
          continue;
        }
        if ((res.status >= 200 && res.status < 300) || res.status === 304 || accept.has(res.status)) return res;
        failure = `HTTP ${res.status}${snippet(res.body)}`;
        if (!RETRYABLE.has(res.status)) throw new DatasourceError(`${req}: ${failure}`, req, res.status);
        retryAfterMs = parseRetryAfter(res.headers["retry-after"], this.now());
      } else {
        const e = outcome.error;
        if (e instanceof BodyTooLargeError) throw new DatasourceError(`${req}: ${e.message}`, req, null);
        // The guarded Agent refused the address the host resolved to at connect time: a refusal, never retried.
        const refused = unsafeConnectionMessage(e);
        if (refused) throw new DatasourceError(`${req}: ${refused}`, req, null);
        failure =
          e.name === "TimeoutError" || e.name === "AbortError"
            ? `timed out after ${timeoutMs} ms`
            : `network error: ${describeCause(e)}`;
      }
      if (attempt >= retries) {
        const tries = attempt + 1;
        throw new DatasourceError(`${req}: ${failure}${tries > 1 ? ` (after ${tries} attempts)` : ""}`, req, status, outcome.ok ? null : current.host);
      }
      const delay =
        retryAfterMs !== null
          ? Math.min(retryAfterMs, this.opts.maxRetryAfterMs)
          : this.backoff(attempt);
      attempt++;
      this.retryCount++;
      this.log(`${req}: ${failure}; retry ${attempt}/${retries} in ${delay} ms`);
      await this.sleep(delay);
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  private backoff(attempt: number): number {
    const exp = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** attempt);
    return Math.round(exp / 2 + (exp / 2) * this.random());
  }
}

/** Create the process-wide client. Share the instance across repositories to share its cache. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  return new HttpClient(options);
}

/** "GET https://host/path" with credentials and secret query parameters removed. */
export function describe(method: string, url: string): string {
  return `${method} ${redactUrl(url)}`;
}

/** Retry-After as delta-seconds or an HTTP date; null when absent or unparsable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function snippet(body: string): string {
  const s = body.slice(0, 2000).replace(/\s+/g, " ").trim().slice(0, 120);
  return s ? `: ${s}` : "";
}

function describeCause(e: Error): string {
  const cause = (e as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return e.message;
}
