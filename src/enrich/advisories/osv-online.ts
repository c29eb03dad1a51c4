import { LRUCache } from "lru-cache";
import pLimit from "p-limit";
import { BodyTooLargeError, readBodyLimited } from "../http.js";
import type { Dispatcher } from "undici";
import { sharedGuardedAgent, withDispatcher } from "../guarded-agent.js";
import { assertSafeUrl, redactUrl } from "../url-guard.js";
import {
  advisoryQueryKey,
  normalisePackageName,
  parseOsvRecord,
  type AdvisorySource,
  type AdvisoryWarning,
  type OsvVulnerability,
  type PackageQuery,
} from "./types.js";

/**
 * The OSV.dev API (https://google.github.io/osv.dev/api/):
 * `POST /v1/querybatch` with up to 1000 queries, answered with vulnerability ids (and a
 * `next_page_token` per query when it has more), then `GET /v1/vulns/{id}` for each id whose
 * full record is not cached. N packages cost ceil(N/1000) batch calls (plus one per page of
 * an unusually long answer) and one call per uncached id.
 */

export const DEFAULT_OSV_API = "https://api.osv.dev";
export const MAX_BATCH = 1000;

/** The HTTP the source needs. Resolves with the parsed JSON body; rejects on any failure. */
export interface OsvHttp {
  postJson(url: string, body: unknown): Promise<unknown>;
  getJson(url: string): Promise<unknown>;
}

export interface FetchHttpOptions {
  /**
   * Check of every redirect target before it is followed (SSRF: a config-file mirror, checked by
   * the caller, must not bounce us to an internal address). Default: assertSafeUrl, which honours
   * COWABUNGA_ALLOW_PRIVATE_URLS. Pass null to follow without checks.
   */
  redirectGuard?: ((url: URL) => Promise<void>) | null;
  /** Largest response body read, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  /**
   * undici dispatcher (null: the global one). Default: while the redirect guard is on, the shared
   * guarded Agent, which connects only to addresses the SSRF guard accepts (DNS rebinding).
   */
  dispatcher?: Dispatcher | null;
}

const MAX_REDIRECTS = 5;
export const OSV_MAX_BODY_BYTES = 64 * 1024 * 1024;

async function readJsonLimited(res: Response, max: number, request: string): Promise<unknown> {
  let text: string;
  try {
    text = await readBodyLimited(res, max);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new Error(`${request}: ${err.message}`);
    throw err;
  }
  return JSON.parse(text) as unknown;
}

/**
 * An OsvHttp over a fetch function (global fetch by default). Non-2xx answers reject. Redirects are
 * followed by hand (at most 5), each target checked by the redirect guard; bodies are size-capped.
 */
export function fetchHttp(fetchFn: typeof fetch = globalThis.fetch, timeoutMs = 30_000, opts: FetchHttpOptions = {}): OsvHttp & OsvLineHttp {
  const guard =
    opts.redirectGuard === undefined
      ? async (u: URL) => {
          await assertSafeUrl(u);
        }
      : opts.redirectGuard;
  const maxBody = opts.maxBodyBytes ?? OSV_MAX_BODY_BYTES;
  const dispatcher = opts.dispatcher === undefined ? (guard ? sharedGuardedAgent() : null) : opts.dispatcher;
  /** The final answer after following redirects (each target guarded); rejects on a non-2xx status. */
  async function open(url: string, init: RequestInit): Promise<{ res: Response; request: string }> {
    const signal = AbortSignal.timeout(timeoutMs);
    let current = url;
    let req = init;
    for (let hop = 0; ; hop++) {
      const res = await fetchFn(current, withDispatcher({ ...req, redirect: "manual", signal }, dispatcher));
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => undefined);
        // Stryker disable next-line StringLiteral,LogicalOperator: every caller sets the method; the default is only for the type
        const request = `${req.method ?? "GET"} ${redactUrl(current)}`;
        if (hop >= MAX_REDIRECTS) throw new Error(`${request}: more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, current);
        if (guard) await guard(next);
        // 303 (and 301/302 after a POST, as browsers do) continue as GET without a body.
        // Stryker disable next-line ConditionalExpression: the only other method sent is GET, which a 301/302 leaves a GET without a body anyway
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === "POST")) {
          const { body: _body, ...rest } = req;
          void _body;
          req = { ...rest, method: "GET" };
        }
        current = next.toString();
        continue;
      }
      if (!res.ok) {
        // Drain the body so the connection is released.
        await res.body?.cancel().catch(() => undefined);
        throw new Error(`HTTP ${res.status}`);
      }
      // Stryker disable next-line StringLiteral,LogicalOperator: every caller sets the method; the default is only for the type
      return { res, request: `${req.method ?? "GET"} ${redactUrl(current)}` };
    }
  }
  async function call(url: string, init: RequestInit): Promise<unknown> {
    const { res, request } = await open(url, init);
    return readJsonLimited(res, maxBody, request);
  }
  return {
    postJson: (url, body) =>
      call(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
      }),
    getJson: (url) => call(url, { method: "GET", headers: { accept: "application/json" } }),
    async streamLines(url, onLine, limits) {
      const { res, request } = await open(url, { method: "GET", headers: { accept: "text/csv, text/plain" } });
      return readLinesLimited(res, request, onLine, limits);
    },
  };
}

/** Bounds of a streamed text answer (OSV's `modified_id.csv`). */
export interface LineLimits {
  /** Bytes read at most; over it the read stops with an error. */
  maxBytes: number;
  /** Lines read at most; over it the read stops with an error. */
  maxLines: number;
  /** Longest line; a longer one is an error (named by its number). */
  maxLineBytes: number;
}

/** Line-by-line reading of a text answer that the caller can stop early (the rest is never downloaded). */
export interface OsvLineHttp {
  /**
   * Calls `onLine` per line (1-based numbers, without the line end) until it returns "stop" or the body
   * ends. Rejects when a limit is passed or the transfer fails; lines already delivered stay delivered.
   */
  streamLines(url: string, onLine: (line: string, lineNo: number) => "continue" | "stop", limits: LineLimits): Promise<{ lines: number; bytes: number; stopped: boolean }>;
}

export async function readLinesLimited(
  res: Response,
  request: string,
  onLine: (line: string, lineNo: number) => "continue" | "stop",
  limits: LineLimits,
): Promise<{ lines: number; bytes: number; stopped: boolean }> {
  if (!res.body) return { lines: 0, bytes: 0, stopped: false };
  const reader = res.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let bytes = 0;
  let lines = 0;
  let carry = "";
  const stop = async (): Promise<void> => {
    await reader.cancel().catch(() => undefined);
  };
  const deliver = (line: string): "continue" | "stop" => {
    lines++;
    if (lines > limits.maxLines) throw new Error(`${request}: more than ${limits.maxLines} lines`);
    return onLine(line.endsWith("\r") ? line.slice(0, -1) : line, lines);
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > limits.maxBytes) throw new Error(`${request}: body over the ${limits.maxBytes}-byte limit`);
      carry += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = carry.indexOf("\n")) >= 0) {
        const line = carry.slice(0, nl);
        carry = carry.slice(nl + 1);
        if (line.length > limits.maxLineBytes) throw new Error(`${request}: line ${lines + 1} is longer than ${limits.maxLineBytes} characters`);
        if (deliver(line) === "stop") {
          await stop();
          return { lines, bytes, stopped: true };
        }
      }
      if (carry.length > limits.maxLineBytes) throw new Error(`${request}: line ${lines + 1} is longer than ${limits.maxLineBytes} characters`);
    }
    carry += decoder.decode();
    if (carry.length > 0 && deliver(carry) === "stop") return { lines, bytes, stopped: true };
    return { lines, bytes, stopped: false };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Full records by id, shared by every OsvOnlineSource that does not bring its own cache. */
export const sharedOsvCache = new LRUCache<string, OsvVulnerability>({ max: 20_000 });

export interface OsvOnlineOptions {
  /** API base URL (config `registries.osv`); default https://api.osv.dev. */
  baseUrl?: string;
  /** HTTP functions; default fetchHttp(globalThis.fetch). */
  http?: OsvHttp;
  /** Or just a fetch to build them with. Ignored when `http` is given. */
  fetch?: typeof fetch;
  /** Dispatcher for fetchHttp (see FetchHttpOptions.dispatcher); null for an operator-trusted mirror. Ignored when `http` is given. */
  dispatcher?: Dispatcher | null;
  cache?: LRUCache<string, OsvVulnerability>;
  /** Queries per querybatch call, at most 1000. */
  batchSize?: number;
  /** Parallel GET /v1/vulns calls. */
  concurrency?: number;
  /** Extra attempts for a failed call. */
  retries?: number;
  /** Wait before a retry, ms (tests pass 0): retry n (1-based) waits n × this. */
  retryDelayMs?: number;
  /** How to wait (default: a timer); injected by tests that check the waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Longest pagination chain followed per query. */
  maxPages?: number;
}

interface BatchQuery {
  package: { ecosystem: string; name: string };
  version: string;
  page_token?: string;
}

interface BatchAnswerEntry {
  vulns?: Array<{ id?: unknown; modified?: unknown }>;
  next_page_token?: unknown;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.name === "TimeoutError" ? "timed out" : err.message;
  return String(err);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class OsvOnlineSource implements AdvisorySource {
  readonly name = "osv-online";
  readonly baseUrl: string;
  private readonly http: OsvHttp;
  private readonly cache: LRUCache<string, OsvVulnerability>;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxPages: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private lastWarnings: AdvisoryWarning[] = [];

  constructor(opts: OsvOnlineOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? DEFAULT_OSV_API).replace(/\/+$/, "");
    // Stryker disable next-line ConditionalExpression: `{ dispatcher: undefined }` and `{}` mean the same to fetchHttp
    this.http = opts.http ?? fetchHttp(opts.fetch ?? globalThis.fetch, undefined, opts.dispatcher === undefined ? {} : { dispatcher: opts.dispatcher });
    this.cache = opts.cache ?? sharedOsvCache;
    this.batchSize = Math.max(1, Math.min(MAX_BATCH, opts.batchSize ?? MAX_BATCH));
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    this.retries = Math.max(0, opts.retries ?? 1);
    this.retryDelayMs = Math.max(0, opts.retryDelayMs ?? 500);
    this.maxPages = Math.max(1, opts.maxPages ?? 20);
    this.sleep = opts.sleep ?? sleep;
  }

  get warnings(): readonly AdvisoryWarning[] {
    return this.lastWarnings;
  }

  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    let lastErr: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      try {
        return await fn();
      } catch (err) {
        lastErr = err;
        // 4xx other than 429 will not get better.
        if (/^HTTP 4(?!29)/.test(errorText(err))) break;
        if (attempt < this.retries && this.retryDelayMs > 0) await this.sleep(this.retryDelayMs * (attempt + 1));
      }
    }
    throw lastErr;
  }

  async query(pkgs: readonly PackageQuery[]): Promise<Map<string, OsvVulnerability[]>> {
    const warnings: AdvisoryWarning[] = [];
    this.lastWarnings = warnings;
    const result = new Map<string, OsvVulnerability[]>();

    // One query per distinct key.
    const unique = new Map<string, PackageQuery>();
    for (const p of pkgs) {
      const k = advisoryQueryKey(p);
      // Stryker disable next-line ConditionalExpression: packages with one key send the same query (the name is normalised)
      if (!unique.has(k)) unique.set(k, p);
    }
    const keys = [...unique.keys()];
    const idsByKey = new Map<string, Map<string, string | undefined>>();
    const batchUrl = `${this.baseUrl}/v1/querybatch`;

    let pending: Array<{ key: string; q: BatchQuery; page: number }> = keys.map((key) => {
      const p = unique.get(key)!;
      return {
        key,
        page: 0,
        q: { package: { ecosystem: p.ecosystem, name: normalisePackageName(p.ecosystem, p.name) }, version: p.version },
      };
    });
    const failed = new Set<string>();

    while (pending.length > 0) {
      const next: typeof pending = [];
      for (let i = 0; i < pending.length; i += this.batchSize) {
        const chunk = pending.slice(i, i + this.batchSize);
        const request = `POST ${batchUrl} (${chunk.length} queries)`;
        let answer: unknown;
        try {
          answer = await this.withRetry(() => this.http.postJson(batchUrl, { queries: chunk.map((c) => c.q) }));
        } catch (err) {
          warnings.push({ request, message: `OSV querybatch failed: ${errorText(err)}; ${chunk.length} packages not checked` });
          for (const c of chunk) failed.add(c.key);
          continue;
        }
        const results = (answer as { results?: unknown } | null)?.results;
        if (!Array.isArray(results) || results.length !== chunk.length) {
          warnings.push({ request, message: "OSV querybatch answer has no results list matching the queries; packages not checked" });
          for (const c of chunk) failed.add(c.key);
          continue;
        }
        chunk.forEach((c, idx) => {
          const entry = (results[idx] ?? {}) as BatchAnswerEntry;
          let ids = idsByKey.get(c.key);
          if (!ids) idsByKey.set(c.key, (ids = new Map()));
          // Stryker disable next-line ArrayDeclaration: an element without a string id is skipped below
          for (const v of Array.isArray(entry.vulns) ? entry.vulns : []) {
            if (typeof v?.id === "string" && v.id.length > 0 && v.id.length <= 200) {
              ids.set(v.id, typeof v.modified === "string" ? v.modified : undefined);
            }
          }
          const token = entry.next_page_token;
          if (typeof token === "string" && token.length > 0) {
            if (c.page + 1 >= this.maxPages) {
              warnings.push({ request, message: `OSV answer for ${c.q.package.name}@${c.q.version} has more than ${this.maxPages} pages; rest ignored` });
            } else {
              next.push({ key: c.key, page: c.page + 1, q: { ...c.q, page_token: token } });
            }
          }
        });
      }
      pending = next;
    }

    // Fetch every id not cached (or cached with an older `modified`).
    const wanted = new Map<string, string | undefined>();
    for (const ids of idsByKey.values()) for (const [id, modified] of ids) wanted.set(id, modified);
    const limit = pLimit(this.concurrency);
    await Promise.all(
      [...wanted].map(([id, modified]) =>
        limit(async () => {
          const cached = this.cache.get(id);
          if (cached && (modified === undefined || cached.modified === modified)) return;
          const url = `${this.baseUrl}/v1/vulns/${encodeURIComponent(id)}`;
          try {
            const raw = await this.withRetry(() => this.http.getJson(url));
            const parsed = parseOsvRecord(raw);
            if (!parsed.ok) {
              warnings.push({ request: `GET ${url}`, id, message: `invalid OSV record ${id} skipped: ${parsed.error}` });
              return;
            }
            this.cache.set(id, parsed.record);
          } catch (err) {
            warnings.push({ request: `GET ${url}`, id, message: `OSV record ${id} not fetched: ${errorText(err)}` });
          }
        }),
      ),
    );

    for (const key of keys) {
      if (failed.has(key)) continue;
      const list: OsvVulnerability[] = [];
      // Stryker disable next-line OptionalChaining,ArrayDeclaration: every key not in `failed` got a map when its chunk was answered
      for (const id of idsByKey.get(key)?.keys() ?? []) {
        const rec = this.cache.get(id);
        if (rec) list.push(rec);
      }
      result.set(key, list);
    }
    return result;
  }
}
