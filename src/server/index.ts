import type { IncomingMessage, ServerResponse } from "node:http";
import { API_PREFIX, registerApiRoutes } from "./api.js";
import { registerDashboardRoutes } from "./dashboard.js";
import { registerAdvisoryRoutes } from "./advisories.js";
import { registerOrgRoutes } from "./org.js";
import { renderMessagePage } from "./dashboard-html.js";
import { GitHubAccessChecker } from "./github-access.js";
import { HttpError, newRequestId, Router, sendError, setSecurityHeaders, type RequestContext } from "./http.js";
import { buildOpenApiDocument } from "./openapi.js";
import { SessionCodec } from "./session.js";
import { handleOpsRequest, OPS_PATHS, registerJobRoutes } from "./jobs.js";
import type { ServerDeps } from "./types.js";

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * One node:http handler for the REST API (`/api/v1/...`) and the dashboard (`/dashboard...`).
 * Returns false for any other path, so Probot's own routes (webhooks, probot pages) keep working.
 * Bad input gives 4xx with a clear message; unexpected errors give 500 with a request id (logged).
 */
export function createHttpHandler(deps: ServerDeps): HttpHandler {
  const access = deps.access ?? new GitHubAccessChecker();
  const sessions = deps.sessions ?? new SessionCodec(deps.env?.COWABUNGA_SESSION_SECRET ?? process.env.COWABUNGA_SESSION_SECRET, deps.clock);
  const router = new Router();
  let openapi: string | null = null;
  router.add("GET", `${API_PREFIX}/openapi.json`, async (ctx) => {
    openapi ??= JSON.stringify(buildOpenApiDocument(deps.version));
    ctx.res.statusCode = 200;
    ctx.res.setHeader("content-type", "application/json; charset=utf-8");
    ctx.res.setHeader("x-request-id", ctx.requestId);
    ctx.res.end(openapi);
  });
  registerApiRoutes(router, deps, access);
  registerJobRoutes(router, deps, access);
  registerAdvisoryRoutes(router, deps, access);
  const ops = createOpsHttpHandler(deps);
  registerDashboardRoutes(router, deps, access, sessions);
  registerOrgRoutes(router, deps, access, sessions);

  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return false;
    }
    const p = url.pathname;
    if (OPS_PATHS.has(p)) return ops(req, res);
    const isApi = p === API_PREFIX || p.startsWith(`${API_PREFIX}/`);
    const isDashboard = p === "/dashboard" || p.startsWith("/dashboard/");
    if (!isApi && !isDashboard) return false;

    const ctx: RequestContext = { req, res, url, params: {}, requestId: newRequestId() };
    setSecurityHeaders(res);
    const fail = (status: number, message: string, extra: Record<string, unknown> = {}): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (status === 401) res.setHeader("www-authenticate", 'Bearer realm="cowabunga"');
      if (isApi) sendError(ctx, status, message, extra);
      else {
        res.statusCode = status;
        res.setHeader("content-type", "text/html; charset=utf-8");
        res.setHeader("x-request-id", ctx.requestId);
        res.end(renderMessagePage(status >= 500 ? "Something went wrong" : "Request failed", `${message}${status >= 500 ? ` (request id ${ctx.requestId})` : ""}`));
      }
    };
    try {
      const m = router.match(req.method ?? "GET", p);
      if (!m) {
        fail(404, `no route for ${req.method ?? "GET"} ${p.slice(0, 200)}`);
        return true;
      }
      if ("allowed" in m) {
        res.setHeader("allow", m.allowed.join(", "));
        fail(405, `method ${req.method ?? ""} is not allowed on ${p.slice(0, 200)}; allowed: ${m.allowed.join(", ")}`);
        return true;
      }
      ctx.params = m.params;
      await m.handler(ctx);
    } catch (e) {
      if (e instanceof HttpError) {
        if (e.status >= 500) deps.logger?.warn({ request_id: ctx.requestId, status: e.status, path: p }, e.message);
        fail(e.status, e.message, e.extra);
      } else {
        deps.logger?.error({ request_id: ctx.requestId, path: p, err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) }, "unexpected error in HTTP handler");
        fail(500, `internal error; quote request id ${ctx.requestId} when reporting it`);
      }
    }
    return true;
  };
}

/** Only /healthz, /readyz and /metrics (a worker process's server). */
export function createOpsHttpHandler(deps: Pick<ServerDeps, "jobs" | "metrics" | "store" | "env" | "logger">): HttpHandler {
  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return false;
    }
    if (!OPS_PATHS.has(url.pathname)) return false;
    const ctx: RequestContext = { req, res, url, params: {}, requestId: newRequestId() };
    setSecurityHeaders(res);
    try {
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `method ${req.method ?? ""} is not allowed on ${url.pathname}; allowed: GET`);
      await handleOpsRequest(ctx, deps);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (!(e instanceof HttpError)) deps.logger?.error({ request_id: ctx.requestId, path: url.pathname, err: String(e) }, "unexpected error in an ops route");
      if (!res.headersSent) sendError(ctx, status, e instanceof HttpError ? e.message : `internal error; quote request id ${ctx.requestId}`);
    }
    return true;
  };
}

/**
 * Hook the API and dashboard into Probot's HTTP server:
 * `registerHttpRoutes(options.addHandler, deps)` from the app function.
 */
export function registerHttpRoutes(addHandler: (handler: HttpHandler) => void, deps: ServerDeps): HttpHandler {
  const handler = createHttpHandler(deps);
  addHandler(handler);
  return handler;
}

export { buildOpenApiDocument } from "./openapi.js";
export { handleOpsRequest, groupJobs, type JobsResponse } from "./jobs.js";
export { GitHubAccessChecker, githubHostsFromEnv, accessCacheKey, type Access, type AccessResult, type GitHubHosts } from "./github-access.js";
export { SessionCodec, SESSION_COOKIE, STATE_COOKIE, safeEqual, type SessionData } from "./session.js";
export { logScan, type ScanLogFields } from "./log.js";
export { renderDashboardHtml, DASHBOARD_PAGE_CSP } from "./dashboard-html.js";
export { assessmentFromStore } from "./api.js";
export type { ServerDeps, ServerLogger, JobRef, UpdateRequestBody } from "./types.js";
