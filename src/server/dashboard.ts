import { randomBytes } from "node:crypto";
import { assessmentFromStore } from "./api.js";
import { DASHBOARD_PAGE_CSP, renderDashboardHtml, renderMessagePage } from "./dashboard-html.js";
import type { GitHubAccessChecker } from "./github-access.js";
import { appendSetCookie, HttpError, parseCookies, serializeCookie, type RequestContext, type Router } from "./http.js";
import { safeEqual, SESSION_COOKIE, SESSION_TTL_SECONDS, STATE_COOKIE, type SessionCodec } from "./session.js";
import type { ServerDeps } from "./types.js";
import { checkRepoRef } from "../store/paths.js";

const RETURN_TO = /^\/dashboard\/[A-Za-z0-9_-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
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

/** Where the app is reachable from browsers: COWABUNGA_PUBLIC_URL, else the request's Host. */
export function publicBase(ctx: RequestContext, env: Record<string, string | undefined>): string {
  const configured = env.COWABUNGA_PUBLIC_URL?.trim();
  if (configured) return configured.replace(/\/+$/, "");
  const host = ctx.req.headers.host ?? "localhost";
  const encrypted = (ctx.req.socket as { encrypted?: boolean }).encrypted === true;
  return `${encrypted ? "https" : "http"}://${host}`;
}

/** Register /dashboard routes: sign-in (GitHub OAuth web flow), sign-out, and the per-repository page. */
export function registerDashboardRoutes(router: Router, deps: ServerDeps, access: GitHubAccessChecker, sessions: SessionCodec): void {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? (() => new Date());
  const fetchImpl = deps.fetch ?? fetch;
  const secure = (ctx: RequestContext): boolean => publicBase(ctx, env).startsWith("https://");

  router.add("GET", "/dashboard", async (ctx) => {
    sendPage(ctx, 200, renderMessagePage("Cowabunga dashboard", "Open /dashboard/{owner}/{repo} for a repository the app is installed on."));
  });

  router.add("GET", "/dashboard/login", async (ctx) => {
    const clientId = env.GITHUB_CLIENT_ID;
    if (!clientId || !env.GITHUB_CLIENT_SECRET) {
      sendPage(ctx, 503, renderMessagePage("Sign-in is not configured", "Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET on the server to enable GitHub sign-in."));
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
    authorize.searchParams.set("redirect_uri", `${publicBase(ctx, env)}/dashboard/callback`);
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
          redirect_uri: `${publicBase(ctx, env)}/dashboard/callback`,
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

  router.add("GET", "/dashboard/logout", async (ctx) => {
    appendSetCookie(ctx.res, serializeCookie(SESSION_COOKIE, "", { path: "/", maxAgeSeconds: 0, secure: secure(ctx) }));
    sendPage(ctx, 200, renderMessagePage("Signed out", "You are signed out of the Cowabunga dashboard.", { href: "/dashboard/login", text: "Sign in" }));
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
    const [history, records, runtime] = await Promise.all([
      deps.store.getHealthHistory(ref),
      deps.store.getRecords(ref),
      deps.runtime ? deps.runtime.all(ref) : Promise.resolve(undefined),
    ]);
    const html = renderDashboardHtml({ repo: ref, assessment, history, records, runtime, login: session.login, now: clock() });
    sendPage(ctx, 200, html, DASHBOARD_PAGE_CSP);
  });
}
