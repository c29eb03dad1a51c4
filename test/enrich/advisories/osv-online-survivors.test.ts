/**
 * The OSV.dev client: the rules osv-online-rules.test.ts leaves open (issue 18, mutation run of
 * osv-online.ts). Oracles: the options' documented defaults (FetchHttpOptions, OsvOnlineOptions), the
 * OSV API (https://google.github.io/osv.dev/api/: querybatch answers ids with an optional `modified`
 * time; `GET /v1/vulns/{id}` the full record) and fetch semantics. An injected fetch / OsvHttp; no network.
 */
import { LRUCache } from "lru-cache";
import { describe, expect, it } from "vitest";
import { sharedGuardedAgent } from "../../../src/enrich/guarded-agent.js";
import { fetchHttp, OsvOnlineSource, sharedOsvCache, type OsvHttp } from "../../../src/enrich/advisories/osv-online.js";
import { advisoryQueryKey, type OsvVulnerability, type PackageQuery } from "../../../src/enrich/advisories/types.js";

type Init = RequestInit & { dispatcher?: unknown };
const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

/** A fetch answering from a list, recording each call's URL and init. */
function scripted(answers: Array<(url: string, init: Init) => Response | Promise<Response>>) {
  const calls: Array<{ url: string; init: Init }> = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: (init ?? {}) as Init });
    const next = answers.shift();
    if (!next) throw new Error("unexpected call");
    return next(url, (init ?? {}) as Init);
  }) as typeof fetch;
  return { f, calls };
}

/** A response whose body stream records whether it was cancelled. */
function watchedBody(status: number, headers: Record<string, string> = {}) {
  const state = { cancelled: false };
  const body = new ReadableStream({
    pull: (c) => c.enqueue(new TextEncoder().encode("x")),
    cancel: () => {
      state.cancelled = true;
    },
  });
  return { state, response: new Response(body, { status, headers }) };
}

describe("fetchHttp: defaults and edges", () => {
  it("by default every redirect target is checked: a redirect to another scheme is refused", async () => {
    const { f } = scripted([() => new Response(null, { status: 302, headers: { location: "ftp://files.test/x" } })]);
    await expect(fetchHttp(f, 1000, { dispatcher: null }).getJson("http://osv.test/v1/vulns/X")).rejects.toThrow(/scheme ftp: is not http or https/);
  });

  it("by default, with the guard on, requests go through the shared guarded agent; without the guard, the global dispatcher", async () => {
    const guarded = scripted([() => json({})]);
    await fetchHttp(guarded.f, 1000).getJson("http://osv.test/a");
    expect(guarded.calls[0].init.dispatcher).toBe(sharedGuardedAgent());
    const plain = scripted([() => json({})]);
    await fetchHttp(plain.f, 1000, { redirectGuard: null }).getJson("http://osv.test/a");
    expect(plain.calls[0].init.dispatcher).toBeUndefined();
  });

  it("a request that outlives its timeout is aborted", async () => {
    const { f } = scripted([
      (_u, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal!.addEventListener("abort", () => reject(init.signal!.reason));
        }),
    ]);
    const started = performance.now();
    await expect(fetchHttp(f, 30, { redirectGuard: null, dispatcher: null }).getJson("http://osv.test/slow")).rejects.toThrow(/timeout|aborted/i);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("3xx means 300 to 399: 300 with a location is followed, 400 with one is an error", async () => {
    const three = scripted([() => new Response(null, { status: 300, headers: { location: "/b" } }), () => json({ ok: true })]);
    expect(await fetchHttp(three.f, 1000, { redirectGuard: null, dispatcher: null }).getJson("http://osv.test/a")).toEqual({ ok: true });
    expect(three.calls.map((c) => c.url)).toEqual(["http://osv.test/a", "http://osv.test/b"]);
    const four = scripted([() => new Response(null, { status: 400, headers: { location: "/b" } })]);
    await expect(fetchHttp(four.f, 1000, { redirectGuard: null, dispatcher: null }).getJson("http://osv.test/a")).rejects.toThrow("HTTP 400");
  });

  it("the body of a redirect and of an error answer is cancelled, releasing the connection", async () => {
    const redirect = watchedBody(302, { location: "/b" });
    const error = watchedBody(503);
    const { f } = scripted([() => redirect.response, () => error.response]);
    await expect(fetchHttp(f, 1000, { redirectGuard: null, dispatcher: null }).getJson("http://osv.test/a")).rejects.toThrow("HTTP 503");
    expect([redirect.state.cancelled, error.state.cancelled]).toEqual([true, true]);
  });

  it("a body over the cap names the request where it ended, without credentials; other read errors pass unchanged", async () => {
    const { f } = scripted([() => new Response(null, { status: 307, headers: { location: "http://mirror.test/q?x=1" } }), () => new Response("x".repeat(50))]);
    const err = await fetchHttp(f, 1000, { redirectGuard: null, dispatcher: null, maxBodyBytes: 10 }).postJson("http://user:secret@osv.test/q", {}).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^POST http:\/\/mirror\.test\/q\?x=1: /);
    const creds = scripted([() => new Response("x".repeat(50))]);
    const err2 = await fetchHttp(creds.f, 1000, { redirectGuard: null, dispatcher: null, maxBodyBytes: 10 }).getJson("http://user:secret@osv.test/q").catch((e: Error) => e);
    expect((err2 as Error).message).toMatch(/^GET http:\/\/osv\.test\/q: /);
    const broken = new ReadableStream({ pull: (c) => c.error(new Error("connection reset")) });
    const bad = scripted([() => new Response(broken)]);
    const err3 = await fetchHttp(bad.f, 1000, { redirectGuard: null, dispatcher: null }).getJson("http://osv.test/q").catch((e: Error) => e);
    expect((err3 as Error).message).toBe("connection reset");
  });
});

const rec = (id: string, modified = "2025-01-01T00:00:00Z") => ({ id, modified, affected: [{ package: { ecosystem: "npm", name: "p" }, versions: ["1.0.0"] }] });
const q = (name: string, version = "1.0.0"): PackageQuery => ({ ecosystem: "npm", name, version });
const cache = () => new LRUCache<string, OsvVulnerability>({ max: 100 });

/** An OsvHttp whose vulns answers are held until released, tracking how many are in flight. */
function gatedHttp(idsPerQuery: (name: string) => string[]) {
  let inFlight = 0;
  let peak = 0;
  const gets: string[] = [];
  const http: OsvHttp = {
    postJson: async (_url, body) => ({ results: (body as { queries: Array<{ package: { name: string } }> }).queries.map((x) => ({ vulns: idsPerQuery(x.package.name).map((id) => ({ id })) })) }),
    getJson: async (url) => {
      gets.push(url);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return rec(decodeURIComponent(url.slice(url.lastIndexOf("/") + 1)));
    },
  };
  return { http, gets, peak: () => peak };
}

describe("OsvOnlineSource: defaults and edges", () => {
  it("at most `concurrency` detail calls at once: 8 by default, at least 1", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `V-${i}`);
    const dflt = gatedHttp(() => ids);
    await new OsvOnlineSource({ http: dflt.http, cache: cache(), retryDelayMs: 0 }).query([q("p")]);
    expect([dflt.gets.length, dflt.peak()]).toEqual([20, 8]);
    const two = gatedHttp(() => ids);
    await new OsvOnlineSource({ http: two.http, cache: cache(), retryDelayMs: 0, concurrency: 2 }).query([q("p")]);
    expect(two.peak()).toBe(2);
    const zero = gatedHttp(() => ids.slice(0, 3));
    const map = await new OsvOnlineSource({ http: zero.http, cache: cache(), retryDelayMs: 0, concurrency: 0 }).query([q("p")]);
    expect(zero.peak()).toBe(1);
    expect(map.get(advisoryQueryKey(q("p")))).toHaveLength(3);
  });

  it("an id listed for several packages is fetched once and listed for each", async () => {
    const h = gatedHttp((name) => (name === "a" ? ["SHARED-1", "A-1"] : ["SHARED-1"]));
    const map = await new OsvOnlineSource({ http: h.http, cache: cache(), retryDelayMs: 0 }).query([q("a"), q("b")]);
    expect(h.gets.filter((u) => u.endsWith("/SHARED-1"))).toHaveLength(1);
    expect(map.get(advisoryQueryKey(q("a")))!.map((r) => r.id)).toEqual(["SHARED-1", "A-1"]);
    expect(map.get(advisoryQueryKey(q("b")))!.map((r) => r.id)).toEqual(["SHARED-1"]);
  });

  it("a modified time that is not a string counts as none: the cached record is used", async () => {
    const c = cache();
    c.set("C-1", rec("C-1", "2024-01-01T00:00:00Z") as OsvVulnerability);
    const gets: string[] = [];
    const http: OsvHttp = { postJson: async () => ({ results: [{ vulns: [{ id: "C-1", modified: 20250101 }] }] }), getJson: async (u) => (gets.push(u), rec("C-1")) };
    const map = await new OsvOnlineSource({ http, cache: c, retryDelayMs: 0 }).query([q("p")]);
    expect(gets).toEqual([]);
    expect(map.get(advisoryQueryKey(q("p")))!.map((r) => r.modified)).toEqual(["2024-01-01T00:00:00Z"]);
  });

  it("follows at most 20 pages by default", async () => {
    let posts = 0;
    const http: OsvHttp = { postJson: async () => (posts++, { results: [{ vulns: [], next_page_token: `t${posts}` }] }), getJson: async () => ({}) };
    const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 0 });
    await s.query([q("p")]);
    expect(posts).toBe(20);
    expect(s.warnings.map((w) => w.message)).toEqual(["OSV answer for p@1.0.0 has more than 20 pages; rest ignored"]);
  });

  it("waits 500 ms before a retry by default", async () => {
    let posts = 0;
    const http: OsvHttp = { postJson: async () => (posts++, Promise.reject(new Error("HTTP 503"))), getJson: async () => ({}) };
    const started = performance.now();
    await new OsvOnlineSource({ http, cache: cache() }).query([q("p")]);
    expect(posts).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
  });

  it("without its own cache a source shares the process-wide one; a fetch option is used for the calls", async () => {
    const { f, calls } = scripted([() => json({ results: [{ vulns: [{ id: "SHARED-CACHE-1" }] }] }), () => json(rec("SHARED-CACHE-1"))]);
    const s = new OsvOnlineSource({ baseUrl: "http://osv.test", fetch: f, dispatcher: null, retryDelayMs: 0 });
    const map = await s.query([q("shared-cache-probe")]);
    expect(calls.map((c) => [c.init.method, c.url])).toEqual([
      ["POST", "http://osv.test/v1/querybatch"],
      ["GET", "http://osv.test/v1/vulns/SHARED-CACHE-1"],
    ]);
    expect(calls[0].init.dispatcher).toBeUndefined();
    expect(map.get(advisoryQueryKey(q("shared-cache-probe")))!.map((r) => r.id)).toEqual(["SHARED-CACHE-1"]);
    expect(sharedOsvCache.get("SHARED-CACHE-1")?.id).toBe("SHARED-CACHE-1");
    expect(s.name).toBe("osv-online");
  });
});
