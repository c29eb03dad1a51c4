/**
 * Webhook body limit. Probot's webhook middleware (@octokit/webhooks) reads the whole request body
 * into memory before it checks the signature, so one unauthenticated POST of 300 MB cost the server
 * ~4 GB. GitHub never sends more than 25 MB: this guard answers 413 from `Content-Length` without
 * reading the body, and stops a chunked (or lying) body at the cap, before the middleware sees it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** GitHub caps webhook payloads at 25 MB ("Payloads are capped at 25 MB"). */
export const DEFAULT_WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;
/** Environment variable that changes the cap (bytes). */
export const WEBHOOK_MAX_BYTES_ENV = "COWABUNGA_WEBHOOK_MAX_BYTES";
/** Probot's (and @octokit/webhooks') default webhook path; `WEBHOOK_PATH` changes it. */
export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";

/** A Probot / @octokit/webhooks node middleware: true when it handled the request. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<boolean> | boolean;

export interface WebhookLimitOptions {
  /** The webhook path the middleware serves (trailing slashes ignored, like the middleware does). */
  path: string;
  maxBytes: number;
}

/** The cap from `COWABUNGA_WEBHOOK_MAX_BYTES` (a positive integer of bytes), else 25 MB. */
export function webhookMaxBytesFromEnv(env: Record<string, string | undefined>): number {
  const raw = env[WEBHOOK_MAX_BYTES_ENV]?.trim();
  if (!raw) return DEFAULT_WEBHOOK_MAX_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${WEBHOOK_MAX_BYTES_ENV} must be a positive number of bytes, got "${raw}"`);
  return n;
}

function trimSlashes(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") || "/" : p;
}

function pathnameOf(url: string | undefined): string | null {
  try {
    return trimSlashes(new URL(url ?? "/", "http://localhost").pathname);
  } catch {
    return null;
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const body = JSON.stringify({ error: `webhook payload too large: the limit is ${maxBytes} bytes` });
  // Closing the connection is what stops the client: the rest of its body is never read.
  res.shouldKeepAlive = false;
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body, () => req.socket.destroy());
}

/**
 * Read at most `maxBytes` of the body; null (and the stream paused, its listeners removed) past the cap.
 * A body that errors or is aborted rejects.
 */
function readCapped(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        done();
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onAborted = (): void => {
      done();
      reject(new Error("request aborted"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

// The decoder @octokit/webhooks uses for the payload (so the signed bytes decode identically).
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Wrap the webhook middleware: a POST to the webhook path with a `Content-Length` over the cap gets
 * 413 at once (the body is never read); otherwise the body is read up to the cap (413 and the
 * connection closed past it) and handed to the middleware as `req.body`, which it uses instead of
 * reading the stream. Other requests go to the middleware untouched.
 */
export function limitWebhookBodies(middleware: NodeMiddleware, opts: WebhookLimitOptions): NodeMiddleware {
  const path = trimSlashes(opts.path);
  return async (req, res, next) => {
    if (req.method !== "POST" || pathnameOf(req.url) !== path) return middleware(req, res, next);
    const declared = req.headers["content-length"];
    if (declared !== undefined && !(Number(declared) <= opts.maxBytes)) {
      refuse(req, res, opts.maxBytes);
      return true;
    }
    let body: Buffer | null;
    try {
      body = await readCapped(req, opts.maxBytes);
    } catch {
      // The client went away mid-body: nobody to answer.
      req.socket.destroy();
      return true;
    }
    if (body === null) {
      refuse(req, res, opts.maxBytes);
      return true;
    }
    (req as IncomingMessage & { body?: unknown }).body = decoder.decode(body);
    return middleware(req, res, next);
  };
}

/** The parts of a Probot instance the guard replaces (its webhook middleware factory). */
export interface WebhookMiddlewareHost {
  getNodeMiddleware(options?: { log?: unknown; path?: string }): Promise<NodeMiddleware>;
}

/**
 * Make every webhook middleware this Probot instance builds (Probot's server asks for it when it
 * starts, after loading the app) go through limitWebhookBodies.
 */
export function installWebhookBodyLimit(probot: WebhookMiddlewareHost, opts: { maxBytes: number; path: string }): void {
  // A Probot without an HTTP side (the GitHub Action adapter, test doubles) has nothing to wrap.
  if (typeof probot.getNodeMiddleware !== "function") return;
  const original = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (options = {}) => {
    const middleware = await original(options);
    return limitWebhookBodies(middleware, { path: options.path ?? opts.path, maxBytes: opts.maxBytes });
  };
}
