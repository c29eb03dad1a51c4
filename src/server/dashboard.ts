import { randomBytes } from "node:crypto";
import { assessmentFromStore } from "./api.js";
import { DASHBOARD_PAGE_CSP, renderDashboardHtml, renderMessagePage } from "./dashboard-html.js";
import type { GitHubAccessChecker } from "./github-access.js";
import { escapeAttr } from "../act/report/escape.js";
import { appendSetCookie, HttpError, parseCookies, readBody, serializeCookie, type RequestContext, type Router } from "./http.js";
import { safeEqual, SESSION_COOKIE, SESSION_TTL_SECONDS, STATE_COOKIE, type SessionCodec } from "./session.js";
import type { ServerDeps } from "./types.js";
import { checkRepoRef } from "../store/paths.js";
import { ADVISORY_ID, advisoryCandidates, advisoryExposure, readableOnly, renderAdvisoryPage } from "./advisories.js";
import { advisoryStatePath } from "../app/advisory-jobs.js";

const RETURN_TO = /^\/dashboard\/[A-Za-z0-9_-]{1,39}(?:\/[A-Za-z0-9._-]{1,100})?$/;
const STATE_TTL_MS = 10 * 60_000;

function sendPage(ctx: RequestContext, status: number, html: string, csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"): void {
  ctx.res.statusCode = status;
  ctx.res.setHeader("content-type", "text/html; charset=utf-8");
  ctx.res.setHeader("cache-control", "no-store");
  ctx.res.setHeader("content-security-policy", csp);
  ctx.res.setHeader("x-request-id", ctx.requestId);
  ctx.res.end(html);
}

function redirect(ctx: RequestContext, location: string): void {
  ctx.res.statusCode = 302;
  ctx.res.setHeader("location", location);
  ctx.res.setHeader("cache-control", "no-store");
  ctx.res.end();
}

/** Is this Host header a loopback name or address (`localhost`, `127.0.0.1:3000`, `[::1]:8080`)? */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(h);
  if (!m) return false;
  const name = m[1] ?? m[2];
  if (m[1] !== undefined) return name === "::1" || name === "0:0:0:0:0:0:0:1";
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) && name.split(".").every((o) => Number(o) <= 255);
}

export type PublicBase = { ok: true; base: string } | { ok: false; status: 400 | 503; title: string; message: string };

/**
 * Where the app is reachable from browsers. COWABUNGA_PUBLIC_URL when set (must be an http(s) URL). Without it,
 * the request's Host is trusted only when it is loopback (local use works out of the box); any other Host is
 * refused, since building the OAuth redirect_uri from a client-supplied header lets a forged Host send codes
 * elsewhere (host-header injection).
 */
export function resolvePublicBase(ctx: RequestContext, env: Record<string, string | undefined>): PublicBase {
  const configured = env.COWABUNGA_PUBLIC_URL?.trim();
  if (configured) {
    let url: URL | null = null;
    try {
      url = new URL(configured);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password || url.search || url.hash) {
      return { ok: false, status: 503, title: "Sign-in is misconfigured", message: "COWABUNGA_PUBLIC_URL must be an http(s) URL like https://cowabunga.example.com (no credentials, query or fragment)." };
    }
    return { ok: true, base: configured.replace(/\/+$/, "") };
  }
  const host = ctx.req.headers.host;
  if (!isLoopbackHost(host)) {
    return {
      ok: false,
      status: 400,
      title: "Sign-in needs COWABUNGA_PUBLIC_URL",
      message:
        "This server was reached under a non-local host name and COWABUNGA_PUBLIC_URL is not set, so it cannot build a trustworthy sign-in callback URL. " +
        "The operator should set COWABUNGA_PUBLIC_URL to the public address of this app (e.g. https://cowabunga.example.com).",
    };
  }
  const encrypted = (ctx.req.socket as { encrypted?: boolean }).encrypted === true;
  return { ok: true, base: `${encrypted ? "https" : "http"}://${host!.trim()}` };
}

/** The public base URL, or null when it cannot be trusted (see resolvePublicBase). */
export function publicBase(ctx: RequestContext, env: Record<string, string | undefined>): string | null {
  const r = resolvePublicBase(ctx, env);
  return r.ok ? r.base : null;
}

/** Sign-out confirmation page: a POST form carrying the session's CSRF token. */
function renderSignOutPage(token: string): string {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">`,
    `<title>Sign out</title><style>body{font:14px/1.45 system-ui,sans-serif;margin:40px auto;max-width:640px;color:#111827}</style></head><body>`,
    `<h1>Sign out</h1><p id="message">Sign out of the Cowabunga dashboard?</p>`,
    `<form method="post" action="/dashboard/logout"><input type="hidden" name="csrf" value="${escapeAttr(token)}"><button type="submit">Sign out</button></form>`,
    `</body></html>`,
    "",
  ].join("\n");
}

const FORM_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/** Register /dashboard routes: sign-in (GitHub OAuth web flow), sign-out, and the per-repository page. */
export function registerDashboardRoutes(router: Router, deps: ServerDeps, access: GitHubAccessChecker, sessions: SessionCodec): void {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? (() => new Date());
  const fetchImpl = deps.fetch ?? fetch;
  const secure = (ctx: RequestContext): boolean => publicBase(ctx, env)?.startsWith("https://") === true;

  router.add("GET", "/dashboard", async (ctx) => {
    sendPage(ctx, 200, renderMessagePage("Cowabunga dashboard", "Open /dashboard/{owner}/{repo} for a repository the app is installed on."));
  });

  router.add("GET", "/dashboard/login", async (ctx) => {
    const clientId = env.GITHUB_CLIENT_ID;
    if (!clientId || !env.GITHUB_CLIENT_SECRET) {
      sendPage(ctx, 503, renderMessagePage("Sign-in is not configured", "Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET on the server to enable GitHub sign-in."));
      return;
    }
    const base = resolvePublicBase(ctx, env);
    if (!base.ok) {
      deps.logger?.warn({ request_id: ctx.requestId, host: String(ctx.req.headers.host ?? "").slice(0, 200) }, "sign-in refused: COWABUNGA_PUBLIC_URL unset or invalid");
      sendPage(ctx, base.status, renderMessagePage(base.title, base.message));
      return;
    }
    const wanted = ctx.url.searchParams.get("return_to") ?? "";
    const returnTo = RETURN_TO.test(wanted) ? wanted : "/dashboard";
    const state = randomBytes(24).toString("base64url");
    appendSetCookie(
      ctx.res,
      serializeCookie(STATE_COOKIE, sessions.sign({ state, return_to: returnTo, exp: clock().getTime() + STATE_TTL_MS }), {
        path: "/dashboard",
        maxAgeSeconds: STATE_TTL_MS / 1000,
        secure: secure(ctx),
      }),
    );
    const authorize = new URL(`${access.hosts.webBase}/login/oauth/authorize`);
    authorize.searchParams.set("client_id", clientId);
    authorize.searchParams.set("state", state);
    authorize.searchParams.set("redirect_uri", `${base.base}/dashboard/callback`);
    if (env.COWABUNGA_OAUTH_SCOPE) authorize.searchParams.set("scope", env.COWABUNGA_OAUTH_SCOPE);
    redirect(ctx, authorize.toString());
  });

  router.add("GET", "/dashboard/callback", async (ctx) => {
    const q = ctx.url.searchParams;
    const clearState = serializeCookie(STATE_COOKIE, "", { path: "/dashboard", maxAgeSeconds: 0, secure: secure(ctx) });
    const saved = sessions.verify(parseCookies(ctx.req)[STATE_COOKIE]) as { state?: unknown; return_to?: unknown; exp?: unknown } | null;
    const state = q.get("state");
    const again = { href: "/dashboard/login", text: "Sign in again" };
    if (q.get("error")) {
      appendSetCookie(ctx.res, clearState);
      sendPage(ctx, 400, renderMessagePage("Sign-in failed", `GitHub said: ${(q.get("error_description") ?? q.get("error") ?? "").slice(0, 300)}`, again));
      return;
    }
    if (!saved || typeof saved.state !== "string" || typeof saved.exp !== "number" || saved.exp < clock().getTime() || !state || !safeEqual(state, saved.state)) {
      appendSetCookie(ctx.res, clearState);
      sendPage(ctx, 400, renderMessagePage("Sign-in failed", "The sign-in state is missing, expired or does not match; this can happen when sign-in takes over 10 minutes or was not started here.", again));
      return;
    }
    const base = resolvePublicBase(ctx, env);
    if (!base.ok) {
      appendSetCookie(ctx.res, clearState);
      sendPage(ctx, base.status, renderMessagePage(base.title, base.message));
      return;
    }
    const code = q.get("code");
    if (!code || code.length > 200) {
      appendSetCookie(ctx.res, clearState);
      sendPage(ctx, 400, renderMessagePage("Sign-in failed", "GitHub did not send an authorization code.", again));
      return;
    }
    const tokenUrl = `${access.hosts.webBase}/login/oauth/access_token`;
    let token: string | null = null;
    let problem = "";
    try {
      const res = await fetchImpl(tokenUrl, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json", "user-agent": "cowabunga-maintainer" },
        body: JSON.stringify({
          client_id: env.GITHUB_CLIENT_ID,
          client_secret: env.GITHUB_CLIENT_SECRET,
          code,
          redirect_uri: `${base.base}/dashboard/callback`,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown; error_description?: unknown };
      if (res.ok && typeof body.access_token === "string" && body.access_token !== "") token = body.access_token;
      else problem = typeof body.error_description === "string" ? body.error_description : typeof body.error === "string" ? body.error : `HTTP ${res.status}`;
    } catch (e) {
      problem = (e as Error).message;
    }
    appendSetCookie(ctx.res, clearState);
    if (!token) {
      deps.logger?.warn({ request_id: ctx.requestId, url: tokenUrl, problem }, "OAuth code exchange failed");
      sendPage(ctx, 502, renderMessagePage("Sign-in failed", `Exchanging the code with GitHub failed: ${problem.slice(0, 300)}`, again));
      return;
    }
    const login = await access.login(token);
    appendSetCookie(ctx.res, serializeCookie(SESSION_COOKIE, sessions.createSession(token, login), { path: "/", maxAgeSeconds: SESSION_TTL_SECONDS, secure: secure(ctx) }));
    redirect(ctx, typeof saved.return_to === "string" && RETURN_TO.test(saved.return_to) ? saved.return_to : "/dashboard");
  });

  // Sign-out changes state, so it is a POST carrying the session's CSRF token; GET only shows the form.
  router.add("GET", "/dashboard/logout", async (ctx) => {
    const cookie = parseCookies(ctx.req)[SESSION_COOKIE];
    if (!sessions.readSession(cookie)) {
      sendPage(ctx, 200, renderMessagePage("Not signed in", "You are not signed in to the Cowabunga dashboard.", { href: "/dashboard/login", text: "Sign in" }));
      return;
    }
    sendPage(ctx, 200, renderSignOutPage(sessions.csrfToken(cookie!)), FORM_CSP);
  });

  router.add("POST", "/dashboard/logout", async (ctx) => {
    const cookie = parseCookies(ctx.req)[SESSION_COOKIE];
    const signedIn = sessions.readSession(cookie) != null;
    if (signedIn) {
      const type = String(ctx.req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      const form = type === "application/x-www-form-urlencoded" ? new URLSearchParams((await readBody(ctx.req, 4096)).toString("utf8")) : new URLSearchParams();
      if (!sessions.checkCsrf(cookie, form.get("csrf"))) {
        sendPage(ctx, 403, renderMessagePage("Sign-out refused", "The sign-out form is missing its token or it does not match this session. Use the Sign out button of the dashboard.", { href: "/dashboard/logout", text: "Sign out" }));
        return;
      }
    }
    appendSetCookie(ctx.res, serializeCookie(SESSION_COOKIE, "", { path: "/", maxAgeSeconds: 0, secure: secure(ctx) }));
    sendPage(ctx, 200, renderMessagePage("Signed out", "You are signed out of the Cowabunga dashboard.", { href: "/dashboard/login", text: "Sign in" }));
  });

  router.add("GET", "/dashboard/advisories/{id}", async (ctx) => {
    const id = ctx.params.id ?? "";
    if (!ADVISORY_ID.test(id)) {
      sendPage(ctx, 400, renderMessagePage("Bad advisory id", "Letters, digits and . _ : - only, at most 100 characters."));
      return;
    }
    const here = `/dashboard/advisories/${id}`;
    const session = sessions.readSession(parseCookies(ctx.req)[SESSION_COOKIE]);
    if (!session) {
      redirect(ctx, `/dashboard/login?return_to=${encodeURIComponent(here)}`);
      return;
    }
    const env = deps.env ?? process.env;
    const exposure = await advisoryExposure(deps.store, id, await advisoryCandidates(deps.store, id, advisoryStatePath(env)));
    const visible = await readableOnly(access, session.token, exposure);
    sendPage(ctx, 200, renderAdvisoryPage(id, visible, session.login));
  });

  router.add("GET", "/dashboard/{owner}/{repo}", async (ctx) => {
    const { owner, repo } = ctx.params;
    try {
      checkRepoRef({ owner, repo });
    } catch (e) {
      sendPage(ctx, 400, renderMessagePage("Bad repository name", (e as Error).message));
      return;
    }
    const here = `/dashboard/${owner}/${repo}`;
    const session = sessions.readSession(parseCookies(ctx.req)[SESSION_COOKIE]);
    if (!session) {
      redirect(ctx, `/dashboard/login?return_to=${encodeURIComponent(here)}`);
      return;
    }
    const r = await access.check(session.token, owner, repo);
    if (r.kind === "invalid_token") {
      appendSetCookie(ctx.res, serializeCookie(SESSION_COOKIE, "", { path: "/", maxAgeSeconds: 0, secure: secure(ctx) }));
      redirect(ctx, `/dashboard/login?return_to=${encodeURIComponent(here)}`);
      return;
    }
    if (r.kind === "unavailable") throw new HttpError(502, `could not verify access with GitHub: ${r.message}`);
    if (r.access === "none") {
      sendPage(ctx, 404, renderMessagePage("Not found", `Repository ${owner}/${repo} was not found, or your GitHub account cannot read it.`));
      return;
    }
    const ref = { owner, repo };
    const assessment = await assessmentFromStore(deps, ref);
    if (!assessment) {
      sendPage(ctx, 404, renderMessagePage("No data yet", `Cowabunga has not assessed ${owner}/${repo} yet. The first scan runs after installation or on the next push.`));
      return;
    }
    const [history, records, runtime, jobs] = await Promise.all([
      deps.store.getHealthHistory(ref),
      deps.store.getRecords(ref),
      deps.runtime ? deps.runtime.all(ref) : Promise.resolve(undefined),
      // The jobs view is best effort: a queue outage must not take the dashboard down.
      deps.jobs ? deps.jobs.list({ repos: [`${owner}/${repo}`], limit: 200 }).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const html = renderDashboardHtml({ repo: ref, assessment, history, records, runtime, login: session.login, now: clock(), ...(jobs ? { jobs } : {}) });
    sendPage(ctx, 200, html, DASHBOARD_PAGE_CSP);
  });
}
