import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { githubRepo, INGEST, NOW, OWNER, REPO, ResponseValidator, startServer, type TestServer } from "./helpers.js";

const validator = new ResponseValidator();
const API = `/api/v1/repos/${OWNER}/${REPO}`;

let srv: TestServer;
let tokenN = 0;
/** A fresh token per call, so the 60 s permission cache never hides a mock. */
const token = (): string => `ghu_test_${++tokenN}`;

interface Reply {
  status: number;
  type: string;
  text: string;
  json: unknown;
  headers: Headers;
}

async function call(method: string, urlPath: string, opts: { token?: string; body?: unknown; raw?: string; type?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] = opts.type ?? "application/json";
  const res = await fetch(`${srv.base}${urlPath}`, { method, headers, body });
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  let json: unknown = null;
  if (type.startsWith("application/json")) json = JSON.parse(text);
  if (urlPath.startsWith("/api/v1/") && !urlPath.startsWith("/api/v1/openapi.json") && res.status !== 405) {
    validator.check(method, urlPath, res.status, type, type.startsWith("application/json") ? json : text);
  }
  return { status: res.status, type, text, json, headers: res.headers };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => {
  nock.enableNetConnect();
  expect(validator.checked.length).toBeGreaterThan(30);
});
beforeEach(async () => {
  srv = await startServer();
});
afterEach(async () => {
  await srv.close();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("auth", () => {
  it("401 without a token, naming the header", async () => {
    const r = await call("GET", `${API}/health`);
    expect(r.status).toBe(401);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer/);
  });

  it("401 when GitHub rejects the token", async () => {
    const t = token();
    const s = githubRepo(t, "bad-token");
    const r = await call("GET", `${API}/health`, { token: t });
    expect(r.status).toBe(401);
    s.done();
  });

  it("404 (not 403) when GitHub hides the repository or forbids it", async () => {
    const t1 = token();
    const t2 = token();
    githubRepo(t1, "none");
    githubRepo(t2, "forbidden");
    const r1 = await call("GET", `${API}/health`, { token: t1 });
    const r2 = await call("GET", `${API}/maintenance/issues`, { token: t2 });
    expect(r1.status).toBe(404);
    expect(r2.status).toBe(404);
    expect((r1.json as { error: { message: string } }).error.message).toBe(`repository ${OWNER}/${REPO} not found`);
  });

  it("read access is not enough to change things: 404 for a mutating route", async () => {
    const t = token();
    githubRepo(t, "read");
    const r = await call("POST", `${API}/dependencies/audit`, { token: t });
    expect(r.status).toBe(404);
    expect(srv.jobs).toEqual([]);
  });

  it("caches the permission answer (one GitHub call for two requests)", async () => {
    const t = token();
    const s = githubRepo(t, "read");
    expect((await call("GET", `${API}/health`, { token: t })).status).toBe(200);
    expect((await call("GET", `${API}/health/components`, { token: t })).status).toBe(200);
    s.done();
  });

  it("502 with a clear message when GitHub cannot be asked", async () => {
    const t = token();
    nock("https://api.github.com").get(`/repos/${OWNER}/${REPO}`).reply(500, "oops");
    const r = await call("GET", `${API}/health`, { token: t });
    expect(r.status).toBe(502);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/could not verify access with GitHub/);
  });

  it("GHES: asks GHE_HOST's /api/v3", async () => {
    const { githubHostsFromEnv } = await import("../../src/server/github-access.js");
    expect(githubHostsFromEnv({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "http" })).toEqual({ apiBase: "http://ghe.example.com/api/v3", webBase: "http://ghe.example.com" });
    expect(githubHostsFromEnv({})).toEqual({ apiBase: "https://api.github.com", webBase: "https://github.com" });
  });
});

describe("health", () => {
  it("GET health returns the stored SystemHealth", async () => {
    const t = token();
    githubRepo(t, "read");
    const r = await call("GET", `${API}/health`, { token: t });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ overall_status: "warning", timestamp: "2026-01-20T12:00:00.000Z" });
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("GET health/components and one component; unknown component is 404", async () => {
    const t = token();
    githubRepo(t, "read");
    const all = await call("GET", `${API}/health/components`, { token: t });
    expect((all.json as Array<{ name: string }>).map((c) => c.name)).toEqual(["api", "ui"]);
    const one = await call("GET", `${API}/health/components/ui`, { token: t });
    expect(one.json).toMatchObject({ name: "ui", status: "warning", health_score: 0.6 });
    const none = await call("GET", `${API}/health/components/nope`, { token: t });
    expect(none.status).toBe(404);
  });

  it("404 naming how to get data when nothing is stored for a repository", async () => {
    const t = token();
    githubRepo(t, "read", "octo/empty");
    const r = await call("GET", "/api/v1/repos/octo/empty/health", { token: t });
    expect(r.status).toBe(404);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/no assessment stored.*dependencies\/audit/);
  });

  it("400 for a repository name GitHub could not have", async () => {
    const r = await call("GET", "/api/v1/repos/octo/..%2F..%2Fetc/health", { token: token() });
    expect(r.status).toBe(400);
  });
});

describe("maintenance issues", () => {
  it("lists and filters by status, severity, type (comma lists allowed)", async () => {
    const t = token();
    githubRepo(t, "read");
    const ids = async (q: string): Promise<string[]> => ((await call("GET", `${API}/maintenance/issues${q}`, { token: t })).json as Array<{ id: string }>).map((i) => i.id).sort();
    expect(await ids("")).toEqual(["issue-1", "issue-2", "issue-3"]);
    expect(await ids("?status=open")).toEqual(["issue-1"]);
    expect(await ids("?status=resolved,deferred")).toEqual(["issue-2", "issue-3"]);
    expect(await ids("?severity=medium")).toEqual(["issue-3"]);
    expect(await ids("?type=security&severity=high")).toEqual(["issue-1"]);
    expect(await ids("?component=ui")).toEqual(["issue-2"]);
  });

  it("400 for an unknown filter value, naming the parameter and the allowed values", async () => {
    const r = await call("GET", `${API}/maintenance/issues?severity=urgent`, { token: token() });
    expect(r.status).toBe(400);
    const err = (r.json as { error: { message: string; parameter: string; allowed: string[] } }).error;
    expect(err.parameter).toBe("severity");
    expect(err.allowed).toEqual(["critical", "high", "medium", "low"]);
    expect(err.message).toContain('"severity"');
    const r2 = await call("GET", `${API}/maintenance/issues?colour=red`, { token: token() });
    expect(r2.status).toBe(400);
    expect((r2.json as { error: { message: string } }).error.message).toMatch(/unknown query parameter "colour"; allowed: status, severity, type, component/);
  });

  it("GET one issue; 404 for an unknown id", async () => {
    const t = token();
    githubRepo(t, "read");
    expect((await call("GET", `${API}/maintenance/issues/issue-2`, { token: t })).json).toMatchObject({ id: "issue-2", status: "resolved" });
    expect((await call("GET", `${API}/maintenance/issues/zzz`, { token: t })).status).toBe(404);
  });

  it("PATCH moves an issue through the lifecycle and records who and why", async () => {
    const t = token();
    githubRepo(t, "write");
    nock("https://api.github.com").get("/user").matchHeader("authorization", `Bearer ${t}`).reply(200, { login: "mona" });
    const r = await call("PATCH", `${API}/maintenance/issues/issue-1`, { token: t, body: { lifecycle_state: "assessed", reason: "triaged" } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: "issue-1", lifecycle_state: "assessed", status: "open", updated_at: NOW.toISOString() });
    const stored = (await srv.store.getIssues({ owner: OWNER, repo: REPO })).find((i) => i.id === "issue-1");
    expect(stored?.history.at(-1)).toMatchObject({ from: "detected", to: "assessed", reason: "triaged", actor: "mona" });
  });

  it("PATCH with the seed's status: resolved → open reopens", async () => {
    const t = token();
    githubRepo(t, "write");
    nock("https://api.github.com").get("/user").reply(200, { login: "mona" });
    const r = await call("PATCH", `${API}/maintenance/issues/issue-2`, { token: t, body: { status: "open", reason: "came back" } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ lifecycle_state: "reopened", status: "open", resolved_at: null });
  });

  it("PATCH an illegal move → 409 with the reason and allowed states; nothing stored", async () => {
    const t = token();
    githubRepo(t, "write");
    nock("https://api.github.com").get("/user").reply(200, { login: "mona" });
    const r = await call("PATCH", `${API}/maintenance/issues/issue-2`, { token: t, body: { status: "in_progress" } });
    expect(r.status).toBe(409);
    const err = (r.json as { error: { message: string; allowed: string[] } }).error;
    expect(err.message).toMatch(/cannot move issue issue-2 from resolved to in_progress; allowed: reopened/);
    expect(err.allowed).toEqual(["reopened"]);
    const stored = (await srv.store.getIssues({ owner: OWNER, repo: REPO })).find((i) => i.id === "issue-2");
    expect(stored?.lifecycle_state).toBe("resolved");
  });

  it("PATCH bad input: malformed JSON, wrong content type, both fields, unknown key, unknown state → 400", async () => {
    const t = token();
    githubRepo(t, "write");
    const p = `${API}/maintenance/issues/issue-1`;
    const bad = [
      await call("PATCH", p, { token: t, raw: "{not json" }),
      await call("PATCH", p, { token: t, raw: "status=resolved", type: "application/x-www-form-urlencoded" }),
      await call("PATCH", p, { token: t, body: { status: "resolved", lifecycle_state: "resolved" } }),
      await call("PATCH", p, { token: t, body: { status: "resolved", colour: "red" } }),
      await call("PATCH", p, { token: t, body: { lifecycle_state: "done" } }),
      await call("PATCH", p, { token: t, body: [1, 2] }),
    ];
    expect(bad.map((b) => b.status)).toEqual([400, 400, 400, 400, 400, 400]);
    const msgs = bad.map((b) => (b.json as { error: { message: string } }).error.message);
    expect(msgs[0]).toMatch(/not valid JSON/);
    expect(msgs[1]).toMatch(/Content-Type: application\/json/);
    expect(msgs[2]).toMatch(/exactly one of status or lifecycle_state/);
    expect(msgs[3]).toMatch(/colour/);
    expect(msgs[4]).toMatch(/lifecycle_state/);
  });

  it("oversized body → 413", async () => {
    const t = token();
    githubRepo(t, "write");
    const r = await call("PATCH", `${API}/maintenance/issues/issue-1`, { token: t, body: { status: "resolved", reason: "x".repeat(70 * 1024) } });
    expect(r.status).toBe(413);
  });
});

describe("dependencies", () => {
  it("lists and filters by component, vulnerable, outdated", async () => {
    const t = token();
    githubRepo(t, "read");
    const names = async (q: string): Promise<string[]> => ((await call("GET", `${API}/dependencies${q}`, { token: t })).json as Array<{ name: string }>).map((d) => d.name).sort();
    expect(await names("")).toEqual(["left-pad", "lodash", "requests"]);
    expect(await names("?component=ui")).toEqual(["left-pad", "lodash"]);
    expect(await names("?vulnerable=true")).toEqual(["requests"]);
    expect(await names("?vulnerable=false&outdated=true")).toEqual(["lodash"]);
    expect(await names("?outdated=false")).toEqual(["left-pad"]);
  });

  it("400 for vulnerable=yes", async () => {
    const r = await call("GET", `${API}/dependencies?vulnerable=yes`, { token: token() });
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/"vulnerable"; allowed: true, false/);
  });

  it("POST audit → 202 with the queued job id", async () => {
    const t = token();
    githubRepo(t, "write");
    const r = await call("POST", `${API}/dependencies/audit`, { token: t });
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ job_id: "job-1", status: "queued", kind: "audit", repository: "octo/app" });
    expect(srv.jobs).toEqual([{ kind: "audit", owner: OWNER, repo: REPO }]);
  });

  it("POST update → 202 and passes the body; unknown dependency → 400", async () => {
    const t = token();
    githubRepo(t, "write");
    const r = await call("POST", `${API}/dependencies/update`, { token: t, body: { dependencies: ["lodash"], update_type: "patch" } });
    expect(r.status).toBe(202);
    expect(srv.jobs).toEqual([{ kind: "update", owner: OWNER, repo: REPO, body: { dependencies: ["lodash"], update_type: "patch" } }]);
    const bad = await call("POST", `${API}/dependencies/update`, { token: t, body: { dependencies: ["nope"] } });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: { message: string } }).error.message).toMatch(/unknown dependencies.*"nope"/);
  });

  it("queue failure → 503, logged, no stack to the client", async () => {
    srv.deps.enqueueScan = async () => {
      throw new Error("redis down");
    };
    const t = token();
    githubRepo(t, "write");
    const r = await call("POST", `${API}/dependencies/audit`, { token: t });
    expect(r.status).toBe(503);
    expect(r.text).not.toContain("redis");
    expect(srv.logs.some((l) => l.level === "error")).toBe(true);
  });
});

describe("maintenance records", () => {
  it("lists, filters by from/to/type and gets one", async () => {
    const t = token();
    githubRepo(t, "read");
    const ids = async (q: string): Promise<string[]> => ((await call("GET", `${API}/maintenance/records${q}`, { token: t })).json as Array<{ id: string }>).map((d) => d.id).sort();
    expect(await ids("")).toEqual(["rec-1", "rec-2"]);
    expect(await ids("?from=2026-01-16")).toEqual(["rec-2"]);
    expect(await ids("?to=2026-01-15")).toEqual(["rec-1"]);
    expect(await ids("?from=2026-01-20T10:00:00Z")).toEqual([]);
    expect(await ids("?type=update")).toEqual(["rec-2"]);
    const one = await call("GET", `${API}/maintenance/records/rec-2`, { token: t });
    expect(one.json).toMatchObject({ id: "rec-2", rollback_before_commit: "fedcba9876543210fedcba9876543210fedcba98", revert_pull_request: 15 });
    expect((await call("GET", `${API}/maintenance/records/none`, { token: t })).status).toBe(404);
  });

  it("400 for a bad date or from after to", async () => {
    const a = await call("GET", `${API}/maintenance/records?from=yesterday`, { token: token() });
    expect(a.status).toBe(400);
    expect((a.json as { error: { parameter: string } }).error.parameter).toBe("from");
    const b = await call("GET", `${API}/maintenance/records?from=2026-02-01&to=2026-01-01`, { token: token() });
    expect(b.status).toBe(400);
  });
});

describe("reports", () => {
  it("json, csv (both tables) and html", async () => {
    const t = token();
    githubRepo(t, "read");
    const j = await call("GET", `${API}/reports/json`, { token: t });
    expect(j.status).toBe(200);
    expect((j.json as { maintenance_issues: unknown[] }).maintenance_issues).toHaveLength(3);
    const c = await call("GET", `${API}/reports/csv`, { token: t });
    expect(c.type).toMatch(/^text\/csv/);
    expect(c.text.split("\r\n")[0]).toMatch(/^name,/);
    expect(c.text).toContain("lodash");
    const ci = await call("GET", `${API}/reports/csv?table=issues`, { token: t });
    expect(ci.text.split("\r\n")[0]).toMatch(/^id,title/);
    const h = await call("GET", `${API}/reports/html`, { token: t });
    expect(h.type).toMatch(/^text\/html/);
    expect(h.text).toContain("octo/app");
    expect(h.headers.get("content-security-policy")).toMatch(/script-src 'sha256-/);
  });

  it("poam: the FedRAMP POA&M CSV, as an attachment, for a reader only", async () => {
    const t = token();
    githubRepo(t, "read");
    const p = await call("GET", `${API}/reports/poam`, { token: t });
    expect(p.status).toBe(200);
    expect(p.type).toMatch(/^text\/csv/);
    expect(p.headers.get("content-disposition")).toMatch(/poam\.csv/);
    const lines = p.text.split("\r\n");
    expect(lines[0]).toBe("Open POA&M Items");
    expect(lines[1]).toMatch(/^POA&M ID,Controls,Weakness Name,/);
    expect(lines).toContain("Closed POA&M Items");
    const denied = token();
    githubRepo(denied, "none");
    expect((await call("GET", `${API}/reports/poam`, { token: denied })).status).toBe(404);
  });

  it("400 for an unknown format", async () => {
    const r = await call("GET", `${API}/reports/pdf`, { token: token() });
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/allowed: json, csv, html/);
  });
});

describe("metrics ingest", () => {
  const path = `${API}/components/api/metrics`;

  it("401 for a missing or wrong ingest token (a GitHub token is not accepted)", async () => {
    expect((await call("POST", path, { body: { up: true } })).status).toBe(401);
    expect((await call("POST", path, { token: "wrong", body: { up: true } })).status).toBe(401);
  });

  it("stores samples, computes uptime from up/down and updates the component's health", async () => {
    for (const [at, up] of [
      ["2026-01-21T10:00:00Z", true],
      ["2026-01-21T10:01:00Z", true],
      ["2026-01-21T10:02:00Z", false],
      ["2026-01-21T10:03:00Z", true],
    ] as const) {
      const r = await call("POST", path, { token: INGEST, body: { up, at, response_time_ms: 120.4, error_rate: 1.5 } });
      expect(r.status).toBe(202);
    }
    const health = await srv.store.getComponentHealth({ owner: OWNER, repo: REPO }, "api");
    expect(health).toMatchObject({ uptime_percentage: 75, response_time_ms: 120, error_rate: 1.5, last_failure: "2026-01-21T10:02:00.000Z" });
    const { runtimeInputs } = await import("../../src/act/runtime/metrics-store.js");
    expect(await runtimeInputs(srv.runtime, { owner: OWNER, repo: REPO }, NOW)).toEqual({ api: { uptime_percentage: 75, response_time_ms: 120, error_rate: 1.5 } });
  });

  it("accepts metrics for a component not assessed yet (known_component: false)", async () => {
    const r = await call("POST", `${API}/components/worker/metrics`, { token: INGEST, body: { cpu_usage_percent: 40, memory_usage_mb: 512 } });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ component: "worker", known_component: false, metrics: { cpu_usage_percent: 40, memory_usage_mb: 512 } });
  });

  it("400 for invalid metrics, unknown keys and times in the future", async () => {
    const a = await call("POST", path, { token: INGEST, body: { uptime_percentage: 140 } });
    expect(a.status).toBe(400);
    expect((a.json as { error: { message: string } }).error.message).toMatch(/uptime_percentage/);
    expect((await call("POST", path, { token: INGEST, body: { up: "yes" } })).status).toBe(400);
    expect((await call("POST", path, { token: INGEST, body: { latency: 3 } })).status).toBe(400);
    expect((await call("POST", path, { token: INGEST, body: { up: true, at: "2027-01-01T00:00:00Z" } })).status).toBe(400);
  });

  it("503 when no ingest token is configured", async () => {
    await srv.close();
    srv = await startServer({ COWABUNGA_INGEST_TOKEN: undefined });
    const r = await call("POST", path, { token: "anything", body: { up: true } });
    expect(r.status).toBe(503);
  });
});

describe("routing and errors", () => {
  it("serves an OpenAPI 3.1 document describing every route", async () => {
    const r = await call("GET", "/api/v1/openapi.json");
    const doc = r.json as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/repos/{owner}/{repo}/maintenance/issues/{id}");
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["SystemHealth", "ComponentHealth", "MaintenanceIssue", "Dependency", "MaintenanceRecord"]));
  });

  it("404 for an unknown API path, 405 with Allow for a wrong method", async () => {
    const a = await fetch(`${srv.base}/api/v1/nope`);
    expect(a.status).toBe(404);
    const b = await fetch(`${srv.base}${API}/health`, { method: "DELETE" });
    expect(b.status).toBe(405);
    expect(b.headers.get("allow")).toBe("GET");
  });

  it("other paths are left to Probot (handler returns false)", async () => {
    const r = await fetch(`${srv.base}/api/github/webhooks`);
    expect(await r.text()).toBe("not ours");
  });

  it("an unexpected error is a 500 with a request id, logged", async () => {
    srv.deps.store.getRecords = async () => {
      throw new Error("disk on fire");
    };
    const t = token();
    githubRepo(t, "read");
    const direct = await fetch(`${srv.base}${API}/maintenance/records/x`, { headers: { authorization: `Bearer ${t}` } });
    expect(direct.status).toBe(500);
    const body = (await direct.json()) as { error: { request_id: string; message: string } };
    expect(body.error.message).not.toContain("disk on fire");
    expect(body.error.request_id).toBe(direct.headers.get("x-request-id"));
    expect(srv.logs.find((l) => l.level === "error")?.obj).toMatchObject({ request_id: body.error.request_id });
  });
});

describe("per-repository ingest tokens", () => {
  it("prefer COWABUNGA_INGEST_TOKENS for the named repository and fall back to the server-wide token", async () => {
    const { ingestTokenFor } = await import("../../src/server/api.js");
    const env = { COWABUNGA_INGEST_TOKENS: "acme/api=tok-api, acme/ui=tok-ui", COWABUNGA_INGEST_TOKEN: "tok-all" };
    expect(ingestTokenFor(env, "acme", "api")).toBe("tok-api");
    expect(ingestTokenFor(env, "ACME", "UI")).toBe("tok-ui");
    expect(ingestTokenFor(env, "acme", "other")).toBe("tok-all");
    expect(ingestTokenFor({ COWABUNGA_INGEST_TOKENS: "acme/api=tok-api" }, "acme", "other")).toBeUndefined();
  });
});
