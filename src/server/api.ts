import { z } from "zod";
import { recordRuntimeSample, RuntimeMetricsInput, sampleFromInput, UPTIME_WINDOW_DAYS } from "../act/runtime/metrics-store.js";
import { HTML_CSP, REPORT_CONTENT_TYPES, renderReport } from "../act/report/index.js";
import { isOutdated, isVulnerable } from "../act/report/summary.js";
import type { Assessment } from "../assess/types.js";
import { Severity } from "../model/common.js";
import { IssueStatus, IssueType, LifecycleState, type MaintenanceIssue } from "../model/issue.js";
import { IllegalTransitionError, transitionIssue } from "../model/lifecycle.js";
import { RecordType } from "../model/record.js";
import { issuesToFieldErrors } from "../model/validate.js";
import { checkRepoRef, UnsafeNameError } from "../store/paths.js";
import type { RepoRef, ScanState } from "../store/types.js";
import type { Access, GitHubAccessChecker } from "./github-access.js";
import { bearerToken, HttpError, readJsonObject, Router, sendJson, sendText, type RequestContext } from "./http.js";
import { safeEqual } from "./session.js";
import { UpdateRequestBody, type JobRef, type ServerDeps } from "./types.js";

export const API_PREFIX = "/api/v1";
const REPO = `${API_PREFIX}/repos/{owner}/{repo}`;

/** The repository named by the path, checked as GitHub names (400 otherwise). */
export function repoFromParams(params: Record<string, string>): RepoRef {
  try {
    checkRepoRef({ owner: params.owner, repo: params.repo });
  } catch (e) {
    if (e instanceof UnsafeNameError) throw new HttpError(400, e.message);
    throw e;
  }
  return { owner: params.owner, repo: params.repo };
}

/**
 * Require a GitHub token with `need` on the repository. No token or a bad one: 401. No access
 * (GitHub 404/403, or the permission missing): 404, so the API does not reveal that the repository exists.
 */
export async function authorizeToken(access: GitHubAccessChecker, token: string | null, repo: RepoRef, need: Exclude<Access, "none">): Promise<void> {
  if (!token) throw new HttpError(401, "missing Authorization: Bearer <GitHub token> header");
  const r = await access.check(token, repo.owner, repo.repo);
  if (r.kind === "invalid_token") throw new HttpError(401, "GitHub rejected the token (401); use a valid user token or personal access token");
  if (r.kind === "unavailable") throw new HttpError(502, `could not verify access with GitHub: ${r.message}`);
  const ok = need === "read" ? r.access === "read" || r.access === "write" : r.access === "write";
  if (!ok) throw new HttpError(404, `repository ${repo.owner}/${repo.repo} not found`);
}

type Query = URLSearchParams;

/** Reject parameters the route does not know, naming the allowed ones. */
function checkParams(q: Query, allowed: readonly string[]): void {
  for (const key of q.keys()) {
    if (!allowed.includes(key)) {
      throw new HttpError(400, `unknown query parameter "${key.slice(0, 100)}"; allowed: ${allowed.length > 0 ? allowed.join(", ") : "(none)"}`, { parameter: key.slice(0, 100) });
    }
  }
}

/** A filter that takes one or more comma-separated values from an enum. */
function enumFilter<T extends string>(q: Query, name: string, values: readonly T[]): Set<T> | null {
  const raw = q.getAll(name);
  if (raw.length === 0) return null;
  const out = new Set<T>();
  for (const part of raw.flatMap((r) => r.split(","))) {
    const v = part.trim();
    if (!(values as readonly string[]).includes(v)) {
      throw new HttpError(400, `invalid value ${JSON.stringify(v.slice(0, 100))} for parameter "${name}"; allowed: ${values.join(", ")}`, {
        parameter: name,
        allowed: values,
      });
    }
    out.add(v as T);
  }
  return out;
}

function boolFilter(q: Query, name: string): boolean | null {
  const raw = q.get(name);
  if (raw === null) return null;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new HttpError(400, `invalid value ${JSON.stringify(raw.slice(0, 100))} for parameter "${name}"; allowed: true, false`, { parameter: name, allowed: ["true", "false"] });
}

/** An ISO date (YYYY-MM-DD) or date-time; `end` makes a bare date mean the end of that day. */
function dateFilter(q: Query, name: string, end: boolean): number | null {
  const raw = q.get(name);
  if (raw === null) return null;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const ok = dateOnly || z.iso.datetime({ offset: true }).safeParse(raw).success;
  const t = dateOnly ? Date.parse(`${raw}T00:00:00Z`) + (end ? 86_400_000 - 1 : 0) : Date.parse(raw);
  if (!ok || Number.isNaN(t)) {
    throw new HttpError(400, `invalid value ${JSON.stringify(raw.slice(0, 100))} for parameter "${name}"; expected an ISO 8601 date (2026-01-31) or date-time (2026-01-31T12:00:00Z)`, {
      parameter: name,
    });
  }
  return t;
}

function jobId(ref: JobRef): string {
  return typeof ref === "string" ? ref : ref.job_id;
}

function zodBadRequest(error: z.ZodError, data: unknown, what: string): HttpError {
  const errors = issuesToFieldErrors(error.issues, data);
  return new HttpError(400, `${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, { fields: errors.map((e) => ({ path: e.path, message: e.message })) });
}

/** The store's data for a repository as an Assessment (what the report renderers take). */
export async function assessmentFromStore(deps: ServerDeps, repo: RepoRef): Promise<Assessment | null> {
  const system = await deps.store.getSystemHealth(repo);
  if (!system) return null;
  const [components, issues, dependencies] = await Promise.all([
    deps.store.listComponentHealth(repo),
    deps.store.getIssues(repo),
    deps.store.getDependencies(repo),
  ]);
  return { system, components, issues, dependencies, alerts: [], warnings: [] };
}

function noAssessment(repo: RepoRef): HttpError {
  return new HttpError(404, `no assessment stored for ${repo.owner}/${repo.repo} yet; queue one with POST ${API_PREFIX}/repos/${repo.owner}/${repo.repo}/dependencies/audit`);
}

/** Which lifecycle state a PATCH asks for: `lifecycle_state` as given, or the seed's `status` mapped onto it. */
const STATE_FOR_STATUS: Record<IssueStatus, LifecycleState> = {
  open: "reopened",
  in_progress: "in_progress",
  resolved: "resolved",
  deferred: "deferred",
};

export const IssuePatchBody = z
  .strictObject({
    status: IssueStatus.optional(),
    lifecycle_state: LifecycleState.optional(),
    reason: z.string().min(1).max(2000).optional(),
  })
  .refine((b) => (b.status === undefined) !== (b.lifecycle_state === undefined), { message: "give exactly one of status or lifecycle_state" });

export const MetricsIngestResponse = z.object({
  component: z.string(),
  accepted_at: z.string(),
  known_component: z.boolean(),
  metrics: z.record(z.string(), z.number()),
});

/** Register the REST API routes on the router. */
export function registerApiRoutes(router: Router, deps: ServerDeps, access: GitHubAccessChecker): void {
  const clock = deps.clock ?? (() => new Date());
  const env = deps.env ?? process.env;

  const guard = async (ctx: RequestContext, need: "read" | "write"): Promise<RepoRef> => {
    const repo = repoFromParams(ctx.params);
    await authorizeToken(access, bearerToken(ctx.req), repo, need);
    return repo;
  };

  router.add("GET", `${REPO}/health`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "read");
    const health = await deps.store.getSystemHealth(repo);
    if (!health) throw noAssessment(repo);
    sendJson(ctx, 200, health);
  });

  router.add("GET", `${REPO}/health/components`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "read");
    sendJson(ctx, 200, await deps.store.listComponentHealth(repo));
  });

  router.add("GET", `${REPO}/health/components/{name}`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "read");
    const name = ctx.params.name;
    const c = name.length > 0 && !name.includes("\0") ? await deps.store.getComponentHealth(repo, name) : null;
    if (!c) throw new HttpError(404, `component ${JSON.stringify(name.slice(0, 200))} not found in ${repo.owner}/${repo.repo}`);
    sendJson(ctx, 200, c);
  });

  router.add("GET", `${REPO}/maintenance/issues`, async (ctx) => {
    const q = ctx.url.searchParams;
    checkParams(q, ["status", "severity", "type", "component"]);
    const status = enumFilter(q, "status", IssueStatus.options);
    const severity = enumFilter(q, "severity", Severity.options);
    const type = enumFilter(q, "type", IssueType.options);
    const component = q.get("component");
    const repo = await guard(ctx, "read");
    const issues = (await deps.store.getIssues(repo)).filter(
      (i) =>
        (!status || status.has(i.status)) &&
        (!severity || severity.has(i.severity)) &&
        (!type || type.has(i.type)) &&
        (component === null || i.affected_components.includes(component)),
    );
    sendJson(ctx, 200, issues);
  });

  router.add("GET", `${REPO}/maintenance/issues/{id}`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "read");
    const issue = (await deps.store.getIssues(repo)).find((i) => i.id === ctx.params.id);
    if (!issue) throw new HttpError(404, `issue ${JSON.stringify(ctx.params.id.slice(0, 200))} not found in ${repo.owner}/${repo.repo}`);
    sendJson(ctx, 200, issue);
  });

  router.add("PATCH", `${REPO}/maintenance/issues/{id}`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "write");
    const raw = await readJsonObject(ctx.req);
    const parsed = IssuePatchBody.safeParse(raw);
    if (!parsed.success) throw zodBadRequest(parsed.error, raw, "invalid issue update");
    const body = parsed.data;
    const to: LifecycleState = body.lifecycle_state ?? STATE_FOR_STATUS[body.status as IssueStatus];
    const token = bearerToken(ctx.req) ?? "";
    const actor = (await access.login(token)) ?? "api";
    const id = ctx.params.id;
    let updated: MaintenanceIssue | null = null;
    try {
      await deps.store.updateIssues(repo, (issues) => {
        const i = issues.findIndex((x) => x.id === id);
        if (i < 0) throw new HttpError(404, `issue ${JSON.stringify(id.slice(0, 200))} not found in ${repo.owner}/${repo.repo}`);
        updated = transitionIssue(issues[i], to, { at: clock(), reason: body.reason ?? `set to ${to} through the REST API`, actor });
        const next = [...issues];
        next[i] = updated;
        return next;
      });
    } catch (e) {
      if (e instanceof IllegalTransitionError) throw new HttpError(409, e.message, { from: e.from, to: e.to, allowed: e.allowed });
      throw e;
    }
    deps.logger?.info({ repo, issue: id, to, actor }, "issue moved through the API");
    sendJson(ctx, 200, updated);
  });

  router.add("GET", `${REPO}/dependencies`, async (ctx) => {
    const q = ctx.url.searchParams;
    checkParams(q, ["component", "vulnerable", "outdated", "package_manager"]);
    const vulnerable = boolFilter(q, "vulnerable");
    const outdated = boolFilter(q, "outdated");
    const component = q.get("component");
    const pm = q.get("package_manager");
    const repo = await guard(ctx, "read");
    const deps_ = (await deps.store.getDependencies(repo)).filter(
      (d) =>
        (component === null || d.component === component) &&
        (pm === null || d.package_manager === pm) &&
        (vulnerable === null || isVulnerable(d) === vulnerable) &&
        (outdated === null || isOutdated(d) === outdated),
    );
    sendJson(ctx, 200, deps_);
  });

  router.add("POST", `${REPO}/dependencies/audit`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "write");
    // An empty body is fine; anything else must be a JSON object (and is ignored).
    if (Number(ctx.req.headers["content-length"] ?? 0) > 0 || ctx.req.headers["transfer-encoding"]) await readJsonObject(ctx.req);
    let id: string;
    try {
      id = jobId(await deps.enqueueScan(repo.owner, repo.repo));
    } catch (e) {
      deps.logger?.error({ repo, err: (e as Error).message, request_id: ctx.requestId }, "could not queue a scan");
      throw new HttpError(503, `could not queue a scan of ${repo.owner}/${repo.repo}; try again later`);
    }
    sendJson(ctx, 202, { job_id: id, status: "queued", kind: "audit", repository: `${repo.owner}/${repo.repo}` });
  });

  router.add("POST", `${REPO}/dependencies/update`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "write");
    const raw = await readJsonObject(ctx.req);
    const parsed = UpdateRequestBody.safeParse(raw);
    if (!parsed.success) throw zodBadRequest(parsed.error, raw, "invalid update request");
    const body = parsed.data;
    if (body.dependencies && body.dependencies.length > 0) {
      const known = new Set((await deps.store.getDependencies(repo)).map((d) => d.name));
      const unknown = body.dependencies.filter((n) => !known.has(n));
      if (unknown.length > 0) {
        throw new HttpError(400, `unknown dependencies for ${repo.owner}/${repo.repo}: ${unknown.slice(0, 20).map((n) => JSON.stringify(n)).join(", ")}`, {
          parameter: "dependencies",
        });
      }
    }
    let id: string;
    try {
      id = jobId(await deps.requestUpdate(repo.owner, repo.repo, body));
    } catch (e) {
      deps.logger?.error({ repo, err: (e as Error).message, request_id: ctx.requestId }, "could not queue an update");
      throw new HttpError(503, `could not queue an update for ${repo.owner}/${repo.repo}; try again later`);
    }
    sendJson(ctx, 202, { job_id: id, status: "queued", kind: "update", repository: `${repo.owner}/${repo.repo}` });
  });

  router.add("GET", `${REPO}/maintenance/records`, async (ctx) => {
    const q = ctx.url.searchParams;
    checkParams(q, ["from", "to", "type"]);
    const from = dateFilter(q, "from", false);
    const to = dateFilter(q, "to", true);
    if (from !== null && to !== null && from > to) throw new HttpError(400, `parameter "from" is after "to"`, { parameter: "from" });
    const type = enumFilter(q, "type", RecordType.options);
    const repo = await guard(ctx, "read");
    const records = (await deps.store.getRecords(repo)).filter((r) => {
      const t = Date.parse(r.performed_at);
      return (from === null || t >= from) && (to === null || t <= to) && (!type || type.has(r.type));
    });
    sendJson(ctx, 200, records);
  });

  router.add("GET", `${REPO}/maintenance/records/{id}`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = await guard(ctx, "read");
    const record = (await deps.store.getRecords(repo)).find((r) => r.id === ctx.params.id);
    if (!record) throw new HttpError(404, `record ${JSON.stringify(ctx.params.id.slice(0, 200))} not found in ${repo.owner}/${repo.repo}`);
    sendJson(ctx, 200, record);
  });

  router.add("GET", `${REPO}/reports/{format}`, async (ctx) => {
    const format = ctx.params.format;
    const q = ctx.url.searchParams;
    if (!["json", "csv", "html"].includes(format)) throw new HttpError(400, `unknown report format ${JSON.stringify(format.slice(0, 50))}; allowed: json, csv, html`, { parameter: "format" });
    checkParams(q, format === "csv" ? ["table"] : []);
    const table = enumFilter(q, "table", ["issues", "dependencies"] as const);
    if (table && table.size > 1) throw new HttpError(400, `parameter "table" takes one value: issues or dependencies`, { parameter: "table" });
    const repo = await guard(ctx, "read");
    const assessment = await assessmentFromStore(deps, repo);
    if (!assessment) throw noAssessment(repo);
    const name = `cowabunga-${repo.owner}-${repo.repo}`.replace(/[^A-Za-z0-9._-]/g, "_");
    const opts = { clock, history: format === "html" ? await deps.store.getHealthHistory(repo) : [], subject: `${repo.owner}/${repo.repo}` };
    if (format === "json") {
      sendText(ctx, 200, REPORT_CONTENT_TYPES.json, renderReport("json", assessment, opts));
    } else if (format === "csv") {
      const t = table ? [...table][0] : "dependencies";
      const f = t === "issues" ? "csv-issues" : "csv";
      sendText(ctx, 200, REPORT_CONTENT_TYPES[f], renderReport(f, assessment, opts), { "content-disposition": `attachment; filename="${name}-${t}.csv"` });
    } else {
      sendText(ctx, 200, REPORT_CONTENT_TYPES.html, renderReport("html", assessment, opts), { "content-security-policy": `${HTML_CSP}; frame-ancestors 'none'` });
    }
  });

  router.add("POST", `${REPO}/components/{name}/metrics`, async (ctx) => {
    checkParams(ctx.url.searchParams, []);
    const repo = repoFromParams(ctx.params);
    const expected = ingestTokenFor(env, repo.owner, repo.repo);
    if (!expected) throw new HttpError(503, "metrics ingest is disabled: set COWABUNGA_INGEST_TOKEN (or COWABUNGA_INGEST_TOKENS) on the server");
    const given = bearerToken(ctx.req);
    if (!given || !safeEqual(given, expected)) throw new HttpError(401, "missing or wrong ingest token (Authorization: Bearer <ingest token>)");
    const name = ctx.params.name;
    if (name.length === 0 || name.length > 200 || /[\u0000-\u001f]/.test(name)) throw new HttpError(400, "component name must be 1-200 printable characters");
    if (!deps.runtime) throw new HttpError(503, "metrics storage is not configured on this server");
    // Only repositories the app scanned (and, when it can tell, is still installed on): a push for
    // any other name must not create anything, not even a folder.
    const state = await deps.store.getScanState(repo);
    const scanned = state !== null || (await deps.store.getSystemHealth(repo)) !== null;
    if (!scanned || (deps.isInstalled && !(await deps.isInstalled(repo)))) {
      throw new HttpError(404, `repository ${repo.owner}/${repo.repo} is not one the app is installed on and has scanned`);
    }
    await checkIngestComponent(deps, env, repo, name, state);
    const raw = await readJsonObject(ctx.req);
    const parsed = RuntimeMetricsInput.safeParse(raw);
    if (!parsed.success) throw zodBadRequest(parsed.error, raw, "invalid metrics");
    const now = clock();
    if (parsed.data.at && Date.parse(parsed.data.at) > now.getTime() + 5 * 60_000) throw new HttpError(400, `at: ${parsed.data.at} is in the future`, { parameter: "at" });
    if (parsed.data.at && Date.parse(parsed.data.at) < now.getTime() - UPTIME_WINDOW_DAYS * 86_400_000) {
      throw new HttpError(400, `at: ${parsed.data.at} is older than the ${UPTIME_WINDOW_DAYS}-day window samples are kept for`, { parameter: "at" });
    }
    const sample = sampleFromInput(parsed.data, "push", now);
    const r = await recordRuntimeSample(deps.store, deps.runtime, repo, name, sample, now);
    sendJson(ctx, 202, { component: name, accepted_at: now.toISOString(), known_component: r.component !== null, metrics: r.metrics });
  });
}

/**
 * The ingest token for one repository. COWABUNGA_INGEST_TOKENS ("owner/repo=token,owner/other=token2")
 * gives each repository its own token, so a token leaked from one cannot write another's metrics; a
 * repository not listed there falls back to the server-wide COWABUNGA_INGEST_TOKEN, if any.
 */
export function ingestTokenFor(env: Record<string, string | undefined>, owner: string, repo: string): string | undefined {
  const wanted = `${owner}/${repo}`.toLowerCase();
  for (const entry of (env.COWABUNGA_INGEST_TOKENS ?? "").split(",")) {
    const eq = entry.indexOf("=");
    if (eq > 0 && entry.slice(0, eq).trim().toLowerCase() === wanted) {
      const token = entry.slice(eq + 1).trim();
      if (token) return token;
    }
  }
  return env.COWABUNGA_INGEST_TOKEN || undefined;
}

/** Components with metrics beyond those the last scan found, per repository (COWABUNGA_INGEST_EXTRA_COMPONENTS). */
export const DEFAULT_INGEST_EXTRA_COMPONENTS = 10;

/** A non-negative integer from the environment, or the default when unset or malformed. */
export function intFromEnv(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw || !/^\d{1,9}$/.test(raw)) return fallback;
  return Number(raw);
}

/**
 * Metrics are taken for the components the last scan found (and configured health targets); a few
 * others (pushed before the scan that will find them) up to COWABUNGA_INGEST_EXTRA_COMPONENTS per
 * repository. Beyond that: 404, so random names cannot grow the store or the dashboard.
 */
async function checkIngestComponent(deps: ServerDeps, env: Record<string, string | undefined>, repo: RepoRef, name: string, state: ScanState | null): Promise<void> {
  const known = new Set((await deps.store.listComponentHealth(repo)).map((c) => c.name));
  const targets = Array.isArray(state?.health_targets) ? (state.health_targets as Array<{ name?: unknown }>) : [];
  for (const t of targets) if (typeof t.name === "string") known.add(t.name);
  if (known.has(name)) return;
  const withMetrics = Object.keys(await (deps.runtime as NonNullable<ServerDeps["runtime"]>).all(repo));
  if (withMetrics.includes(name)) return;
  const cap = intFromEnv(env, "COWABUNGA_INGEST_EXTRA_COMPONENTS", DEFAULT_INGEST_EXTRA_COMPONENTS);
  const extra = withMetrics.filter((n) => !known.has(n)).length;
  if (extra < cap) return;
  const shown = [...known].sort().slice(0, 20);
  throw new HttpError(
    404,
    `component ${JSON.stringify(name.slice(0, 200))} was not found by the last scan of ${repo.owner}/${repo.repo} (known: ${shown.join(", ") || "none"}${known.size > 20 ? ", …" : ""}), and ${extra} other component${extra === 1 ? "" : "s"} already have metrics: the limit is ${cap} (COWABUNGA_INGEST_EXTRA_COMPONENTS)`,
  );
}
