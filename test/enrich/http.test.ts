import { Readable } from "node:stream";
import nock from "nock";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { createHttpClient, parseRetryAfter, USER_AGENT, type HttpClientOptions } from "../../src/enrich/http.js";
import { DatasourceError } from "../../src/enrich/types.js";

const BASE = "https://registry.example.org";

function client(extra: HttpClientOptions = {}) {
  const sleeps: number[] = [];
  let now = Date.parse("2025-01-01T00:00:00Z");
  const http = createHttpClient({
    urlGuard: null,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => now,
    random: () => 0.5,
    ...extra,
  });
  return { http, sleeps, advance: (ms: number) => (now += ms) };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  nock.cleanAll();
});

describe("HttpClient", () => {
  it("sends the app User-Agent and parses JSON", async () => {
    const scope = nock(BASE)
      .get("/pkg")
      .matchHeader("user-agent", USER_AGENT)
      .reply(200, { ok: true });
    const { http } = client();
    expect(await http.getJson(`${BASE}/pkg`)).toEqual({ ok: true });
    expect(USER_AGENT).toMatch(/^cowabunga-maintainer\/\d+\.\d+\.\d+ \(\+https:\/\/github.com\/apps\/cowabunga-maintainer\)$/);
    scope.done();
  });

  it("retries a 5xx with exponential backoff, then succeeds", async () => {
    const scope = nock(BASE).get("/flaky").reply(503, "busy").get("/flaky").reply(502).get("/flaky").reply(200, "ok");
    const { http, sleeps } = client({ backoffBaseMs: 100 });
    expect(await http.getText(`${BASE}/flaky`)).toBe("ok");
    // equal jitter with random()=0.5: 75% of 100, then of 200
    expect(sleeps).toEqual([75, 150]);
    expect(http.requestCount("registry.example.org")).toBe(3);
    expect(http.stats().retries).toBe(2);
    scope.done();
  });

  it("honours Retry-After in seconds on 429 and caps it", async () => {
    const scope = nock(BASE)
      .get("/limited")
      .reply(429, "slow down", { "Retry-After": "7" })
      .get("/limited")
      .reply(429, "slow down", { "Retry-After": "3600" })
      .get("/limited")
      .reply(200, "ok");
    const { http, sleeps } = client({ maxRetryAfterMs: 30_000 });
    expect(await http.getText(`${BASE}/limited`)).toBe("ok");
    expect(sleeps).toEqual([7000, 30_000]);
    scope.done();
  });

  it("parses Retry-After as an HTTP date against the injected clock", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:12 GMT", now)).toBe(12_000);
    expect(parseRetryAfter("garbage", now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it("gives up after the configured retries with a DatasourceError naming the request and status", async () => {
    const scope = nock(BASE).get("/down").times(3).reply(500, "boom");
    const { http } = client({ retries: 2 });
    const err = await http.getText(`${BASE}/down`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect((err as DatasourceError).status).toBe(500);
    expect((err as DatasourceError).request).toBe(`GET ${BASE}/down`);
    expect((err as DatasourceError).message).toContain("after 3 attempts");
    scope.done();
  });

  it("does not retry a 404 and reports the status", async () => {
    const scope = nock(BASE).get("/missing").reply(404, "not found");
    const { http, sleeps } = client();
    const err = (await http.getText(`${BASE}/missing`).catch((e: unknown) => e)) as DatasourceError;
    expect(err.status).toBe(404);
    expect(sleeps).toEqual([]);
    scope.done();
  });

  it("retries network errors", async () => {
    const scope = nock(BASE)
      .get("/net")
      .replyWithError({ code: "ECONNRESET", message: "socket hang up" })
      .get("/net")
      .reply(200, "ok");
    const { http, sleeps } = client();
    expect(await http.getText(`${BASE}/net`)).toBe("ok");
    expect(sleeps.length).toBe(1);
    scope.done();
  });

  it("times out a slow response", async () => {
    const scope = nock(BASE).get("/slow").delay(2000).reply(200, "late");
    const { http } = client({ timeoutMs: 100, retries: 0 });
    const err = (await http.getText(`${BASE}/slow`).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.message).toContain("timed out after 100 ms");
    expect(err.message).toContain(`${BASE}/slow`);
    scope.done();
  });

  it("reports malformed JSON with the URL", async () => {
    const scope = nock(BASE).get("/bad.json").reply(200, "{not json", { "content-type": "application/json" });
    const { http } = client();
    const err = (await http.getJson(`${BASE}/bad.json`).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.message).toContain(`GET ${BASE}/bad.json`);
    expect(err.message).toMatch(/malformed/);
    scope.done();
  });

  it("sends URL userinfo as Basic auth and never puts credentials into errors", async () => {
    const scope = nock(BASE)
      .get("/secret")
      .query(true)
      .matchHeader("authorization", `Basic ${Buffer.from("user:hunter2").toString("base64")}`)
      .reply(500);
    const { http } = client({ retries: 0 });
    const err = (await http
      .getText(`https://user:hunter2@registry.example.org/secret?token=abc`)
      .catch((e: unknown) => e)) as DatasourceError;
    expect(err.status).toBe(500);
    expect(err.message).not.toContain("hunter2");
    expect(err.request).not.toContain("hunter2");
    expect(err.request).not.toContain("abc");
    scope.done();
  });

  it("serves from cache within the TTL and shares one request between concurrent callers", async () => {
    const scope = nock(BASE).get("/shared").once().reply(200, { n: 1 });
    const { http } = client();
    // Two "repositories" asking for the same package at once, then a third later.
    const [a, b] = await Promise.all([http.getJson(`${BASE}/shared`), http.getJson(`${BASE}/shared`)]);
    const c = await http.getJson(`${BASE}/shared`);
    expect(a).toEqual({ n: 1 });
    expect(b).toEqual({ n: 1 });
    expect(c).toEqual({ n: 1 });
    expect(http.requestCount("registry.example.org")).toBe(1);
    expect(http.stats().cacheHits).toBe(2);
    scope.done();
  });

  it("keys the cache by auth scope", async () => {
    const scope = nock(BASE)
      .get("/private")
      .matchHeader("authorization", "Bearer one")
      .reply(200, "for one")
      .get("/private")
      .matchHeader("authorization", "Bearer two")
      .reply(200, "for two");
    const { http } = client();
    expect(await http.getText(`${BASE}/private`, { headers: { Authorization: "Bearer one" } })).toBe("for one");
    expect(await http.getText(`${BASE}/private`, { headers: { Authorization: "Bearer two" } })).toBe("for two");
    expect(await http.getText(`${BASE}/private`, { headers: { Authorization: "Bearer one" } })).toBe("for one");
    expect(http.requestCount()).toBe(2);
    scope.done();
  });

  it("revalidates with If-None-Match after the TTL and reuses the body on 304", async () => {
    const scope = nock(BASE)
      .get("/etag")
      .reply(200, { v: "body" }, { ETag: '"abc"', "Last-Modified": "Tue, 31 Dec 2024 00:00:00 GMT" })
      .get("/etag")
      .matchHeader("if-none-match", '"abc"')
      .matchHeader("if-modified-since", "Tue, 31 Dec 2024 00:00:00 GMT")
      .reply(304);
    const { http, advance } = client({ cacheTtlMs: 1000 });
    const first = await http.getJson(`${BASE}/etag`);
    advance(500);
    await http.getJson(`${BASE}/etag`); // fresh: no request
    expect(http.requestCount()).toBe(1);
    advance(1000);
    const second = await http.getJson(`${BASE}/etag`);
    expect(second).toEqual({ v: "body" });
    expect(second).toBe(first); // parsed value reused, not re-parsed
    expect(http.stats().notModified).toBe(1);
    advance(500);
    await http.getJson(`${BASE}/etag`); // refreshed by the 304
    expect(http.requestCount()).toBe(2);
    scope.done();
  });

  it("replaces the entry when the server answers 200 to a revalidation", async () => {
    const scope = nock(BASE)
      .get("/changes")
      .reply(200, "v1", { ETag: '"1"' })
      .get("/changes")
      .matchHeader("if-none-match", '"1"')
      .reply(200, "v2", { ETag: '"2"' });
    const { http, advance } = client({ cacheTtlMs: 10 });
    expect(await http.getText(`${BASE}/changes`)).toBe("v1");
    advance(20);
    expect(await http.getText(`${BASE}/changes`)).toBe("v2");
    scope.done();
  });

  it("limits concurrent requests per host", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const scope = nock(BASE)
      .get(/\/c\/\d+/)
      .times(8)
      .reply(async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return [200, "ok"];
      });
    const { http } = client({ concurrencyPerHost: 2 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => http.getText(`${BASE}/c/${i}`)));
    expect(maxInFlight).toBe(2);
    expect(http.requestCount("registry.example.org")).toBe(8);
    scope.done();
  });

  it("follows redirects and checks each hop with the URL guard", async () => {
    const seen: string[] = [];
    const scope = nock(BASE).get("/old").reply(301, "", { Location: "/new" }).get("/new").reply(200, "moved");
    const { http } = client({
      urlGuard: async (u) => {
        seen.push(u.pathname);
      },
    });
    expect(await http.getText(`${BASE}/old`)).toBe("moved");
    expect(seen).toEqual(["/old"]); // guard memoised per origin
    const evil = nock(BASE).get("/evil").reply(302, "", { Location: "http://169.254.169.254/latest/meta-data/" });
    const { http: guarded } = client({ urlGuard: undefined, resolve: async () => [{ address: "93.184.216.34", family: 4 }] });
    const err = (await guarded.getText(`${BASE}/evil`).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.message).toMatch(/169\.254\.169\.254.*link-local/);
    scope.done();
    evil.done();
  });

  it("offline mode fails immediately and makes no request", async () => {
    const { http } = client({ offline: true });
    const err = (await http.getJson(`${BASE}/anything`).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.message).toContain("offline mode");
    expect(err.request).toBe(`GET ${BASE}/anything`);
    expect(http.requestCount()).toBe(0);
  });

  it("posts JSON without caching", async () => {
    const scope = nock(BASE).post("/query", { q: 1 }).twice().reply(200, { r: 2 });
    const { http } = client();
    expect(await http.postJson(`${BASE}/query`, { q: 1 })).toEqual({ r: 2 });
    expect(await http.postJson(`${BASE}/query`, { q: 1 })).toEqual({ r: 2 });
    expect(http.requestCount()).toBe(2);
    scope.done();
  });
});

describe("HttpClient response size limit (review fix)", () => {
  it("refuses a body whose Content-Length is over the limit, without retrying", async () => {
    const scope = nock(BASE).get("/huge").once().reply(200, "x".repeat(2048), { "content-length": "2048" });
    const { http } = client({ maxBodyBytes: 1024 });
    const err = await http.getText(`${BASE}/huge`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect((err as Error).message).toMatch(/GET https:\/\/registry\.example\.org\/huge: response body of 2048 bytes is over the 1024-byte limit/);
    scope.done();
  });

  it("stops reading a streamed body (no Content-Length) once it passes the limit", async () => {
    const scope = nock(BASE)
      .get("/stream")
      .once()
      // A chunked body: a stream, so no content-length.
      .reply(200, () => Readable.from(Array.from({ length: 64 }, () => Buffer.alloc(1024, 0x61))));
    const { http } = client({ maxBodyBytes: 4096 });
    await expect(http.getText(`${BASE}/stream`)).rejects.toThrow(/over the 4096-byte limit/);
    scope.done();
  });

  it("a per-request maxBodyBytes overrides the client's, and bodies under the limit are read whole", async () => {
    const scope = nock(BASE).get("/ok").reply(200, "y".repeat(3000));
    const { http } = client({ maxBodyBytes: 1024 });
    expect(await http.getText(`${BASE}/ok`, { maxBodyBytes: 4096 })).toHaveLength(3000);
    scope.done();
  });
});
