import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ApplicationFunctionOptions } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryRuntimeMetricsStore } from "../../src/act/runtime/index.js";
import { registerHttpRoutes, type ServerDeps } from "../../src/server/index.js";
import { FileStore } from "../../src/store/file-store.js";

/** The handler Probot would receive, served on loopback; paths it does not claim answer 418 from this wrapper. */
describe("registerHttpRoutes", () => {
  const added: Array<(req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>> = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    const deps: ServerDeps = {
      store: new FileStore({ root: "/nonexistent-cowabunga-test" }),
      runtime: new MemoryRuntimeMetricsStore(),
      enqueueScan: async () => "job",
      requestUpdate: async () => "job",
      env: {},
    };
    // Compile-time check: Probot's addHandler fits.
    const wire = (o: Pick<ApplicationFunctionOptions, "addHandler">): void => void registerHttpRoutes(o.addHandler, deps);
    wire({ addHandler: (h) => void added.push(h as (typeof added)[number]) });
    server = http.createServer((req, res) => {
      void added[0](req, res).then((claimed) => {
        if (!claimed) {
          res.statusCode = 418;
          res.end("not claimed");
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("adds exactly one handler", () => {
    expect(added).toHaveLength(1);
  });

  it("leaves Probot's own paths alone", async () => {
    for (const [method, p] of [
      ["POST", "/api/github/webhooks"],
      ["GET", "/probot"],
      ["GET", "/"],
      ["GET", "/api/v10"],
      ["GET", "/dashboards"],
    ]) {
      const res = await fetch(`${base}${p}`, { method });
      expect(res.status, `${method} ${p}`).toBe(418);
      expect(await res.text()).toBe("not claimed");
    }
  });

  it("claims /api/v1 and /dashboard paths and answers them itself", async () => {
    const openapi = await fetch(`${base}/api/v1/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);

    const health = await fetch(`${base}/api/v1/repos/octo/demo/health`);
    expect(health.status).toBe(401);
    expect(health.headers.get("www-authenticate")).toContain("Bearer");

    const unknown = await fetch(`${base}/api/v1/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error?: unknown }).error).toBeTruthy();

    const dashboard = await fetch(`${base}/dashboard/octo/demo`, { redirect: "manual" });
    expect(dashboard.status).not.toBe(418);
    expect(dashboard.headers.get("content-security-policy") ?? dashboard.headers.get("x-content-type-options")).toBeTruthy();
  });
});
