/**
 * Organisation overview routes (issue 15): `GET /api/v1/orgs/{owner}/overview` (Bearer GitHub token)
 * and the page `/dashboard/{owner}` (signed-in session). Access is checked PER REPOSITORY, exactly as
 * the repository routes do: a repository the caller cannot read is left out, not shown as hidden.
 */
import { buildOrgOverview, renderOrgHtml, type OrgOverview } from "../act/report/org.js";
import { API_PREFIX } from "./api.js";
import { renderMessagePage } from "./dashboard-html.js";
import type { GitHubAccessChecker } from "./github-access.js";
import { bearerToken, HttpError, parseCookies, sendJson, sendText, type RequestContext, type Router } from "./http.js";
import { SESSION_COOKIE, type SessionCodec } from "./session.js";
import type { ServerDeps } from "./types.js";

const OWNER = /^[A-Za-z0-9_-]{1,39}$/;
/** Path segments under /dashboard that are routes of their own, never an owner. */
const RESERVED = new Set(["login", "logout", "callback"]);
const ORG_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

function checkOwner(owner: string): string {
  if (!OWNER.test(owner)) throw new HttpError(400, `refusing owner ${JSON.stringify(owner.slice(0, 60))}: expected 1-39 letters, digits, "-" or "_"`, { parameter: "owner" });
  return owner.toLowerCase();
}

/** The overview of the repositories `token` can read; GitHub outages surface as 502, a bad token as 401. */
async function overviewFor(deps: ServerDeps, access: GitHubAccessChecker, token: string, owner: string): Promise<OrgOverview> {
  const clock = deps.clock ?? (() => new Date());
  return await buildOrgOverview({
    store: deps.store,
    owner,
    now: clock(),
    include: async (ref) => {
      const r = await access.check(token, ref.owner, ref.repo);
      if (r.kind === "invalid_token") throw new HttpError(401, "GitHub rejected the token (401); use a valid user token or personal access token");
      if (r.kind === "unavailable") throw new HttpError(502, `could not verify access with GitHub: ${r.message}`);
      return r.access === "read" || r.access === "write";
    },
    // Failed jobs: the injected counter, else the job queue's list (GET /api/v1/jobs's source), else n/a.
    ...(deps.failedJobs
      ? { failedJobs: (ref) => deps.failedJobs!(ref.owner, ref.repo) }
      : deps.jobs
        ? { failedJobs: async (ref) => (await deps.jobs!.list({ repos: [`${ref.owner}/${ref.repo}`.toLowerCase()], limit: 1000 })).filter((j) => j.state === "failed").length }
        : {}),
  });
}

export function registerOrgRoutes(router: Router, deps: ServerDeps, access: GitHubAccessChecker, sessions: SessionCodec): void {
  router.add("GET", `${API_PREFIX}/orgs/{owner}/overview`, async (ctx) => {
    for (const key of ctx.url.searchParams.keys()) throw new HttpError(400, `unknown query parameter "${key.slice(0, 100)}"; allowed: (none)`, { parameter: key.slice(0, 100) });
    const owner = checkOwner(ctx.params.owner);
    const token = bearerToken(ctx.req);
    if (!token) throw new HttpError(401, "missing Authorization: Bearer <GitHub token> header");
    sendJson(ctx, 200, await overviewFor(deps, access, token, owner));
  });

  router.add("GET", "/dashboard/{owner}", async (ctx: RequestContext) => {
    if (RESERVED.has(ctx.params.owner)) throw new HttpError(404, "not found");
    let owner: string;
    try {
      owner = checkOwner(ctx.params.owner);
    } catch (e) {
      sendText(ctx, 400, "text/html; charset=utf-8", renderMessagePage("Bad owner name", (e as Error).message), { "content-security-policy": ORG_PAGE_CSP });
      return;
    }
    const session = sessions.readSession(parseCookies(ctx.req)[SESSION_COOKIE]);
    if (!session) {
      ctx.res.statusCode = 303;
      ctx.res.setHeader("location", `/dashboard/login?return_to=${encodeURIComponent(`/dashboard/${ctx.params.owner}`)}`);
      ctx.res.end();
      return;
    }
    const overview = await overviewFor(deps, access, session.token, owner);
    const html = renderOrgHtml(overview, { repoHref: (name) => `/dashboard/${name.split("/").map(encodeURIComponent).join("/")}`, login: session.login });
    sendText(ctx, 200, "text/html; charset=utf-8", html, { "content-security-policy": ORG_PAGE_CSP, "cache-control": "no-store" });
  });
}
