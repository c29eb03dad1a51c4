/**
 * Operator views of the job queue (issue 11, item 6): `GET /api/v1/jobs` (queued, running, retrying and
 * failed jobs per repository) and the probes `/healthz`, `/readyz`, `/metrics`.
 *
 * Access on `/api/v1/jobs` is checked as on the other routes: a GitHub token sees the jobs of the
 * repositories it can read (checked with GitHub, cached). COWABUNGA_ADMIN_TOKEN, when set, sees every
 * job, including the cluster-wide cron ticks that belong to no repository.
 */
import { z } from "zod";
import { JOB_KINDS, type JobView } from "../jobs/types.js";
import { authorizeToken } from "./api.js";
import type { GitHubAccessChecker } from "./github-access.js";
import { bearerToken, HttpError, sendJson, sendText, type RequestContext, type Router } from "./http.js";
import { safeEqual } from "./session.js";
import type { ServerDeps } from "./types.js";
import { checkRepoRef } from "../store/paths.js";

export const JobViewSchema = z.object({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  repo: z.string().nullable(),
  state: z.enum(["queued", "running", "retry", "failed"]),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  error: z.string().nullable(),
  source: z.string().nullable(),
});

export const RepositoryJobs = z.object({
  repository: z.string().nullable(),
  queued: z.number().int(),
  running: z.number().int(),
  retry: z.number().int(),
  failed: z.number().int(),
  jobs: z.array(JobViewSchema),
});

export const JobsResponse = z.object({
  backend: z.enum(["memory", "postgres"]),
  repositories: z.array(RepositoryJobs),
});
export type JobsResponse = z.infer<typeof JobsResponse>;

const STATES = ["queued", "running", "retry", "failed"] as const;
/** Distinct repositories whose access one request may check with GitHub. */
const MAX_REPOS_CHECKED = 200;

/** Group job views by repository (cluster-wide jobs under `null`), busiest first. */
export function groupJobs(jobs: readonly JobView[]): JobsResponse["repositories"] {
  const by = new Map<string | null, JobView[]>();
  for (const j of jobs) {
    const key = j.repo === null ? null : j.repo.toLowerCase();
    by.set(key, [...(by.get(key) ?? []), j]);
  }
  return [...by.entries()]
    .map(([key, list]) => {
      const count = (s: JobView["state"]): number => list.filter((j) => j.state === s).length;
      return { repository: key === null ? null : list[0].repo, queued: count("queued"), running: count("running"), retry: count("retry"), failed: count("failed"), jobs: list };
    })
    .sort((a, b) => b.jobs.length - a.jobs.length || String(a.repository).localeCompare(String(b.repository)));
}

function isAdmin(ctx: RequestContext, env: Record<string, string | undefined>): boolean {
  const admin = env.COWABUNGA_ADMIN_TOKEN;
  const token = bearerToken(ctx.req);
  return !!admin && admin.length >= 16 && !!token && safeEqual(token, admin);
}

export function registerJobRoutes(router: Router, deps: ServerDeps, access: GitHubAccessChecker): void {
  const env = deps.env ?? process.env;

  router.add("GET", "/api/v1/jobs", async (ctx) => {
    const q = ctx.url.searchParams;
    for (const key of q.keys()) if (!["repo", "state"].includes(key)) throw new HttpError(400, `unknown query parameter "${key.slice(0, 100)}"; allowed: repo, state`, { parameter: key.slice(0, 100) });
    const states = new Set<string>();
    for (const v of q.getAll("state").flatMap((s) => s.split(","))) {
      const s = v.trim();
      if (!(STATES as readonly string[]).includes(s)) throw new HttpError(400, `invalid value ${JSON.stringify(s.slice(0, 100))} for parameter "state"; allowed: ${STATES.join(", ")}`, { parameter: "state", allowed: STATES });
      states.add(s);
    }
    const wanted = q.getAll("repo").flatMap((r) => r.split(",")).map((r) => r.trim()).filter(Boolean);
    if (wanted.length > 50) throw new HttpError(400, `at most 50 repositories per request; got ${wanted.length}`, { parameter: "repo" });
    for (const r of wanted) {
      const [owner, repo, extra] = r.split("/");
      try {
        if (extra !== undefined || !owner || !repo) throw new Error(`expected owner/name, got ${JSON.stringify(r.slice(0, 200))}`);
        checkRepoRef({ owner, repo });
      } catch (e) {
        throw new HttpError(400, `invalid value for parameter "repo": ${(e as Error).message}`, { parameter: "repo" });
      }
    }
    const queue = deps.jobs;
    if (!queue) throw new HttpError(503, "this process has no job queue");
    const admin = isAdmin(ctx, env);
    const token = bearerToken(ctx.req);
    if (!admin) {
      if (!token) throw new HttpError(401, "missing Authorization: Bearer <GitHub token> header");
      // Named repositories: each must be readable (404 otherwise, as on /repos/... routes).
      for (const r of wanted) {
        const [owner, repo] = r.split("/");
        await authorizeToken(access, token, { owner, repo }, "read");
      }
    }
    let jobs = await queue.list({ repos: wanted.length > 0 ? wanted : null, limit: 2000 });
    if (states.size > 0) jobs = jobs.filter((j) => states.has(j.state));
    if (!admin && wanted.length === 0) {
      // No repository named: only those the token can read; cluster-wide jobs are for the admin token.
      const distinct = [...new Set(jobs.filter((j) => j.repo !== null).map((j) => j.repo!.toLowerCase()))].slice(0, MAX_REPOS_CHECKED);
      const readable = new Set<string>();
      // Nothing to check against: still refuse a token GitHub does not know.
      if (distinct.length === 0 && (await access.login(token!)) === null) throw new HttpError(401, "GitHub rejected the token; use a valid user token or personal access token");
      for (const full of distinct) {
        const [owner, repo] = full.split("/");
        const r = await access.check(token!, owner, repo);
        if (r.kind === "invalid_token") throw new HttpError(401, "GitHub rejected the token (401); use a valid user token or personal access token");
        if (r.kind === "unavailable") throw new HttpError(502, `could not verify access with GitHub: ${r.message}`);
        if (r.access !== "none") readable.add(full);
      }
      jobs = jobs.filter((j) => j.repo !== null && readable.has(j.repo.toLowerCase()));
    }
    const body: JobsResponse = { backend: queue.backend, repositories: groupJobs(jobs) };
    sendJson(ctx, 200, body);
  });
}

export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>;

/**
 * `/healthz`: the process is alive (no dependency checked: a restart would not fix the database).
 * `/readyz`: it can do its work: the job queue's database and the store answer.
 * `/metrics`: Prometheus text; with COWABUNGA_METRICS_TOKEN set, only with that bearer token.
 */
export async function handleOpsRequest(ctx: RequestContext, deps: Pick<ServerDeps, "jobs" | "metrics" | "store" | "env">): Promise<void> {
  const env = deps.env ?? process.env;
  const p = ctx.url.pathname;
  if (p === "/healthz") return sendJson(ctx, 200, { status: "ok" });
  if (p === "/readyz") {
    const checks: Record<string, string> = {};
    let ok = true;
    const run = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        const r = await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error("timed out after 3 s")), 3_000).unref())]);
        if (r === false) throw new Error("not ready");
        checks[name] = "ok";
      } catch (e) {
        ok = false;
        checks[name] = (e as Error).message.slice(0, 300);
      }
    };
    if (deps.jobs) await run("queue", () => deps.jobs!.ready());
    await run("store", () => deps.store.getScanState({ owner: "cowabunga-readyz", repo: "probe" }));
    return sendJson(ctx, ok ? 200 : 503, { status: ok ? "ready" : "not ready", checks });
  }
  if (p === "/metrics") {
    const required = env.COWABUNGA_METRICS_TOKEN;
    if (required) {
      const token = bearerToken(ctx.req);
      if (!token || !safeEqual(token, required)) throw new HttpError(401, "missing or wrong bearer token for /metrics (COWABUNGA_METRICS_TOKEN)");
    }
    if (!deps.metrics) throw new HttpError(503, "metrics are not collected by this process");
    const { contentType, body } = await deps.metrics.text();
    return sendText(ctx, 200, contentType, body);
  }
  throw new HttpError(404, `no route for ${p.slice(0, 200)}`);
}

export const OPS_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);
