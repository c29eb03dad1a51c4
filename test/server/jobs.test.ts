/**
 * Operator views (issue 11, item 6): GET /api/v1/jobs with access checked as on the other routes,
 * /healthz, /readyz, /metrics (Prometheus text from prom-client), and the dashboard's jobs section.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppMetrics } from "../../src/app/metrics.js";
import { MemoryJobQueue } from "../../src/jobs/memory.js";
import type { Job } from "../../src/jobs/types.js";
import { SESSION_COOKIE } from "../../src/server/index.js";
import { JobsResponse } from "../../src/server/jobs.js";
import { githubRepo, OWNER, REPO, startServer, type TestServer } from "./helpers.js";

const ADMIN = "admin-token-0123456789abcdef";
const job = (repo: string, kind: Job["kind"] = "scan"): Job => ({ kind, repo, installation_id: 1, payload: {}, source: "test" });

let srv: TestServer;
let queue: MemoryJobQueue;
let metrics: AppMetrics;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  queue = new MemoryJobQueue({ retry: { retries: 0 } });
  metrics = new AppMetrics({ queue, role: "all", registryStats: () => ({ requests: { "registry.npmjs.org": 3 }, cacheHits: 9, notModified: 0, retries: 0, sharedCacheHits: 4 }) });
  srv = await startServer({ COWABUNGA_ADMIN_TOKEN: ADMIN }, undefined, { jobs: queue, metrics });
  // octo/app: a failed revert and a running scan; octo/secret: a running job the reader must not see;
  // a cluster-wide tick waiting for a free slot (concurrency 2).
  await queue.enqueue(job(`${OWNER}/${REPO}`, "revert"));
  await queue.enqueue(job("octo/secret", "ci_result"));
  await queue.work(async (j) => {
    if (j.kind === "revert") throw new Error("422 Reference already exists");
    await new Promise(() => undefined); // everything else keeps running
  }, { events: metrics.jobEvents() });
  await queue.enqueue(job(`${OWNER}/${REPO}`, "scan"), { coalesceKey: "scan" });
  await queue.enqueue({ kind: "scheduled_scan", repo: null, installation_id: null, payload: {} }, { coalesceKey: "tick" });
});

afterEach(async () => {
  await queue.stop({ timeoutMs: 0 });
  await srv.close();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(pending).toEqual([]);
});

const get = (path: string, token?: string, extra: Record<string, string> = {}) =>
  fetch(`${srv.base}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra } });

describe("GET /api/v1/jobs", () => {
  it("a GitHub token sees the jobs of the repositories it can read, per repository, failed ones with their error", async () => {
    githubRepo("reader", "read");
    githubRepo("reader", "none", "octo/secret");
    const res = await get("/api/v1/jobs", "reader");
    expect(res.status).toBe(200);
    const body = JobsResponse.parse(await res.json());
    expect(body.backend).toBe("memory");
    expect(body.repositories.map((r) => r.repository)).toEqual([`${OWNER}/${REPO}`]);
    const mine = body.repositories[0];
    expect(mine).toMatchObject({ queued: 0, failed: 1, running: 1 });
    const failed = mine.jobs.find((j) => j.state === "failed")!;
    expect(failed).toMatchObject({ kind: "revert", attempts: 1, max_attempts: 1 });
    expect(failed.error).toContain("422 Reference already exists");
  });

  it("naming a repository the token cannot read answers 404; no token 401; a bad token 401", async () => {
    githubRepo("reader", "none", "octo/secret");
    expect((await get("/api/v1/jobs?repo=octo/secret", "reader")).status).toBe(404);
    expect((await get("/api/v1/jobs")).status).toBe(401);
    githubRepo("bad", "bad-token");
    expect((await get(`/api/v1/jobs?repo=${OWNER}/${REPO}`, "bad")).status).toBe(401);
  });

  it("filters by repository and state, and rejects unknown parameters and values", async () => {
    githubRepo("reader", "read");
    const res = await get(`/api/v1/jobs?repo=${OWNER}/${REPO}&state=failed`, "reader");
    const body = JobsResponse.parse(await res.json());
    expect(body.repositories).toHaveLength(1);
    expect(body.repositories[0].jobs.map((j) => j.state)).toEqual(["failed"]);
    const bad = await get("/api/v1/jobs?state=exploded", ADMIN);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/allowed: queued, running, retry, failed/);
    expect((await get("/api/v1/jobs?sort=new", ADMIN)).status).toBe(400);
    expect((await get("/api/v1/jobs?repo=../etc", ADMIN)).status).toBe(400);
  });

  it("the admin token sees every job, including cluster-wide ones, without asking GitHub", async () => {
    const body = JobsResponse.parse(await (await get("/api/v1/jobs", ADMIN)).json());
    const names = body.repositories.map((r) => r.repository);
    expect(names).toEqual(expect.arrayContaining([`${OWNER}/${REPO}`, "octo/secret", null]));
    expect(body.repositories.find((r) => r.repository === "octo/secret")).toMatchObject({ running: 1 });
  });
});

describe("probes and metrics", () => {
  it("/healthz is always ok; /readyz checks the queue and the store", async () => {
    expect(await (await get("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { queue: "ok", store: "ok" } });
    await queue.stop({ timeoutMs: 0 });
    const down = await get("/readyz");
    expect(down.status).toBe(503);
    expect(((await down.json()) as { checks: Record<string, string> }).checks.queue).toBe("not ready");
    expect((await fetch(`${srv.base}/healthz`, { method: "POST" })).status).toBe(405);
  });

  it("/metrics is Prometheus text with queue depth, job durations, GitHub requests and the registry cache hit rate", async () => {
    metrics.githubResponse("GET", 200, { "x-ratelimit-remaining": "4321", "x-ratelimit-resource": "core" });
    const res = await get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^cowabunga_jobs\{state="queued",role="all"\} 1$/m);
    expect(text).toMatch(/^cowabunga_jobs\{state="failed",role="all"\} 1$/m);
    expect(text).toMatch(/^cowabunga_jobs\{state="running",role="all"\} 2$/m);
    expect(text).toMatch(/^cowabunga_job_duration_seconds_count\{role="all",kind="revert",outcome="failed"\} 1$/m);
    expect(text).toMatch(/^cowabunga_process_resident_memory_bytes/m);
    expect(text).toMatch(/^cowabunga_github_requests_total\{method="GET",status="200",role="all"\} 1$/m);
    expect(text).toMatch(/^cowabunga_github_rate_limit_remaining\{resource="core",role="all"\} 4321$/m);
    expect(text).toMatch(/^cowabunga_registry_cache_hit_ratio\{role="all"\} 0\.75$/m);
    expect(text).toMatch(/^cowabunga_registry_cache_hits\{cache="shared",role="all"\} 4$/m);
  });

  it("/metrics asks for COWABUNGA_METRICS_TOKEN when it is set", async () => {
    await srv.close();
    srv = await startServer({ COWABUNGA_METRICS_TOKEN: "metrics-token-123" }, undefined, { jobs: queue, metrics });
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", "wrong")).status).toBe(401);
    expect((await get("/metrics", "metrics-token-123")).status).toBe(200);
  });
});

describe("the dashboard's jobs view", () => {
  it("lists the repository's jobs with their state and error, escaped", async () => {
    await queue.enqueue(job(`${OWNER}/${REPO}`, "command"));
    githubRepo("reader", "read");
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(srv.sessions.createSession("reader", "alice"))}`;
    const res = await get(`/dashboard/${OWNER}/${REPO}`, undefined, { cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<section id="jobs">');
    expect(html).toMatch(/1 running, 1 queued, 0 waiting to retry, 1 failed/);
    expect(html).toContain("422 Reference already exists");
    expect(html).not.toContain("octo/secret");
  });
});
