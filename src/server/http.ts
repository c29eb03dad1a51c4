import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 64 * 1024;

/** An error with an HTTP status, shown to the client as `{ error: { status, message, request_id } }`. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  requestId: string;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void>;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/** A tiny router: `/api/v1/repos/{owner}/{repo}/health` style patterns, one segment per parameter. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), segments: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  /** The matching route, or `methods` allowed on the path when only the method differs. */
  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string> } | { allowed: string[] } | null {
    let parts: string[];
    try {
      parts = pathname.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
    } catch {
      return null;
    }
    const allowed: string[] = [];
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = r.segments[i];
        if (seg.startsWith("{") && seg.endsWith("}")) params[seg.slice(1, -1)] = parts[i];
        else if (seg !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (r.method === method.toUpperCase() || (method.toUpperCase() === "HEAD" && r.method === "GET")) return { handler: r.handler, params };
      allowed.push(r.method);
    }
    return allowed.length > 0 ? { allowed } : null;
  }
}

export const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** CSP for the dashboard: nothing loads from the network; inline styles only; no scripts at all. */
export const DASHBOARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export function setSecurityHeaders(res: ServerResponse, csp: string = API_CSP): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  res.setHeader("content-security-policy", csp);
}

export function sendJson(ctx: Pick<RequestContext, "res" | "requestId">, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  ctx.res.statusCode = status;
  ctx.res.setHeader("content-type", "application/json; charset=utf-8");
  ctx.res.setHeader("cache-control", "no-store");
  ctx.res.setHeader("x-request-id", ctx.requestId);
  ctx.res.end(text);
}

export function sendText(ctx: Pick<RequestContext, "res" | "requestId">, status: number, contentType: string, body: string, extraHeaders: Record<string, string> = {}): void {
  ctx.res.statusCode = status;
  ctx.res.setHeader("content-type", contentType);
  ctx.res.setHeader("cache-control", "no-store");
  ctx.res.setHeader("x-request-id", ctx.requestId);
  for (const [k, v] of Object.entries(extraHeaders)) ctx.res.setHeader(k, v);
  ctx.res.end(body);
}

export function errorBody(status: number, message: string, requestId: string, extra: Record<string, unknown> = {}): { error: Record<string, unknown> } {
  return { error: { status, message, request_id: requestId, ...extra } };
}

export function sendError(ctx: Pick<RequestContext, "res" | "requestId">, status: number, message: string, extra: Record<string, unknown> = {}): void {
  sendJson(ctx, status, errorBody(status, message, ctx.requestId, extra));
}

export function newRequestId(): string {
  return randomUUID();
}

/** Read a body up to `max` bytes. Throws HttpError 413 when it is larger. */
export async function readBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    throw new HttpError(413, `request body is ${declared} bytes; the limit is ${max} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) {
      req.resume();
      throw new HttpError(413, `request body is larger than the limit of ${max} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Read and parse a JSON object body; wrong content type, bad JSON or a non-object are 400s. */
export async function readJsonObject(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    req.resume();
    throw new HttpError(400, `expected Content-Type: application/json, got ${type === "" ? "none" : JSON.stringify(type.slice(0, 100))}`);
  }
  const body = await readBody(req, max);
  let data: unknown;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new HttpError(400, "request body must be a JSON object");
  return data as Record<string, unknown>;
}

/** The Bearer token of the Authorization header, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h !== "string") return null;
  const m = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k && !(k in out)) {
      try {
        out[k] = decodeURIComponent(v);
      } catch {
        out[k] = v;
      }
    }
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  path?: string;
  secure?: boolean;
}

export function serializeCookie(name: string, value: string, opts: CookieOptions = {}): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path ?? "/"}`, "HttpOnly", "SameSite=Lax"];
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`);
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

export function appendSetCookie(res: ServerResponse, cookie: string): void {
  const prev = res.getHeader("set-cookie");
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader("set-cookie", [...list, cookie]);
}
