import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { FileRuntimeMetricsStore } from "../../src/act/runtime/metrics-store.js";
import { FileStore } from "../../src/store/file-store.js";
import { createHttpHandler, GitHubAccessChecker, SessionCodec, buildOpenApiDocument } from "../../src/server/index.js";
import type { ServerDeps, UpdateRequestBody } from "../../src/server/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeRecord, makeSystemHealth } from "../helpers/factories.js";

export const OWNER = "octo";
export const REPO = "app";
export const NOW = new Date("2026-01-21T12:00:00.000Z");
export const INGEST = "ingest-secret-0123456789";
export const SECRET = "test-session-secret";

export interface TestServer {
  base: string;
  store: FileStore;
  runtime: FileRuntimeMetricsStore;
  deps: ServerDeps;
  jobs: Array<{ kind: string; owner: string; repo: string; body?: UpdateRequestBody }>;
  sessions: SessionCodec;
  logs: Array<{ level: string; obj: object; msg: string }>;
  close(): Promise<void>;
}

/** Seed a repository with every entity kind. */
export async function seed(store: FileStore): Promise<void> {
  const ref = { owner: OWNER, repo: REPO };
  await store.putSystemHealth(ref, makeSystemHealth({ timestamp: "2026-01-20T12:00:00.000Z", overall_status: "warning" }));
  await store.appendHealthHistory(ref, makeSystemHealth({ timestamp: "2026-01-18T12:00:00.000Z" }));
  await store.appendHealthHistory(ref, makeSystemHealth({ timestamp: "2026-01-20T12:00:00.000Z", overall_status: "warning" }));
  await store.putComponentHealth(ref, makeComponentHealth({ name: "api" }));
  await store.putComponentHealth(ref, makeComponentHealth({ name: "ui", type: "ui", status: "warning", health_score: 0.6, path: "src/ui" }));
  await store.updateIssues(ref, () => [
    makeIssue({ id: "issue-1", type: "security", severity: "high", status: "open", lifecycle_state: "detected" }),
    makeIssue({
      id: "issue-2",
      title: "lodash is outdated",
      type: "dependency",
      severity: "low",
      status: "resolved",
      lifecycle_state: "resolved",
      resolved_at: "2026-01-16T12:00:00.000Z",
      affected_components: ["ui"],
    }),
    makeIssue({ id: "issue-3", title: "README link broken", type: "documentation", severity: "medium", status: "deferred", lifecycle_state: "deferred", defer_reason: "later" }),
  ]);
  await store.putDependencies(ref, [
    makeDependency(),
    makeDependency({ name: "lodash", package_manager: "npm", component: "ui", cve_ids: [], vulnerability_score: null, advisories: [], version: "4.17.0", latest_version: "4.17.21", update_type: "patch", file: "ui/package.json" }),
    makeDependency({ name: "left-pad", package_manager: "npm", component: "ui", cve_ids: [], vulnerability_score: null, advisories: [], version: "1.3.0", latest_version: "1.3.0", update_type: "none", file: "ui/package.json" }),
  ]);
  await store.updateRecords(ref, () => [
    makeRecord({ id: "rec-1", performed_at: "2026-01-15T12:00:00.000Z", type: "security_patch" }),
    makeRecord({ id: "rec-2", title: "Bump lodash", performed_at: "2026-01-20T09:00:00.000Z", type: "update", rollback_before_commit: "fedcba9876543210fedcba9876543210fedcba98", pull_request: 14, revert_pull_request: 15 }),
  ]);
}

export async function startServer(
  env: Record<string, string | undefined> = {},
  hosts: { apiBase: string; webBase: string } = { apiBase: "https://api.github.com", webBase: "https://github.com" },
  more: Partial<ServerDeps> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "cowabunga-server-"));
  const clock = () => NOW;
  const store = new FileStore({ root: dir, clock });
  const runtime = new FileRuntimeMetricsStore({ root: dir, clock });
  await seed(store);
  const jobs: TestServer["jobs"] = [];
  const logs: TestServer["logs"] = [];
  const sessions = new SessionCodec(SECRET, clock);
  let n = 0;
  const deps: ServerDeps = {
    store,
    runtime,
    clock,
    sessions,
    access: new GitHubAccessChecker({ hosts }),
    env: { COWABUNGA_INGEST_TOKEN: INGEST, GITHUB_CLIENT_ID: "Iv1.testclient", GITHUB_CLIENT_SECRET: "client-secret", ...env },
    logger: {
      info: (obj, msg) => logs.push({ level: "info", obj, msg }),
      warn: (obj, msg) => logs.push({ level: "warn", obj, msg }),
      error: (obj, msg) => logs.push({ level: "error", obj, msg }),
    },
    enqueueScan: async (owner, repo) => {
      jobs.push({ kind: "audit", owner, repo });
      return { job_id: `job-${++n}` };
    },
    requestUpdate: async (owner, repo, body) => {
      jobs.push({ kind: "update", owner, repo, body });
      return `job-${++n}`;
    },
    ...more,
  };
  const handler = createHttpHandler(deps);
  const server: Server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "content-type": "text/plain" }).end("not ours");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    store,
    runtime,
    deps,
    jobs,
    sessions,
    logs,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mock GitHub's answer for one token on octo/app. */
export function githubRepo(token: string, answer: "read" | "write" | "none" | "forbidden" | "bad-token", repo = `${OWNER}/${REPO}`): nock.Scope {
  const scope = nock("https://api.github.com").get(`/repos/${repo}`).matchHeader("authorization", `Bearer ${token}`);
  switch (answer) {
    case "read":
      return scope.reply(200, { full_name: repo, permissions: { admin: false, push: false, pull: true } });
    case "write":
      return scope.reply(200, { full_name: repo, permissions: { admin: false, push: true, pull: true } });
    case "none":
      return scope.reply(404, { message: "Not Found" });
    case "forbidden":
      return scope.reply(403, { message: "Resource not accessible" }, { "x-ratelimit-remaining": "4999" });
    case "bad-token":
      return scope.reply(401, { message: "Bad credentials" });
  }
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Validates responses against the server's own OpenAPI document. */
export class ResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly doc = buildOpenApiDocument();
  private readonly routes: Array<{ template: string; regex: RegExp }>;
  readonly checked: string[] = [];

  constructor() {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc, "api");
    const paths = Object.keys(this.doc.paths as object);
    this.routes = paths
      .map((template) => ({ template, regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`) }))
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  /** Throws when the response is not described or does not match. */
  check(method: string, urlPath: string, status: number, contentType: string, body: unknown): void {
    const pathname = urlPath.split("?")[0];
    const route = this.routes.find((r) => r.regex.test(pathname));
    if (!route) throw new Error(`${method} ${pathname}: not in the OpenAPI document`);
    const op = (this.doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>)[route.template][method.toLowerCase()];
    if (!op) throw new Error(`${method} ${route.template}: method not in the OpenAPI document`);
    const resp = op.responses[String(status)];
    if (!resp) throw new Error(`${method} ${route.template}: status ${status} not described`);
    const media = contentType.split(";")[0].trim();
    if (!resp.content?.[media]) throw new Error(`${method} ${route.template} ${status}: content type ${media} not described`);
    const esc = route.template.replace(/~/g, "~0").replace(/\//g, "~1");
    const ref = `api#/paths/${esc}/${method.toLowerCase()}/responses/${status}/content/${media.replace(/\//g, "~1")}/schema`;
    const validate = this.ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema at ${ref}`);
    if (!validate(body)) throw new Error(`${method} ${pathname} ${status}: ${this.ajv.errorsText(validate.errors)}`);
    this.checked.push(`${method} ${route.template} ${status}`);
  }
}
