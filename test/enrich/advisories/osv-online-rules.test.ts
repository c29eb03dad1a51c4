/**
 * The OSV.dev client rule by rule (issue 18, mutation run of osv-online.ts): redirects as browsers
 * follow them (RFC 9110 §15.4: 303, and 301/302 after a POST, continue as GET without a body), retries
 * (never for a 4xx other than 429), pagination limits, answers that do not fit, and the detail cache
 * keyed by `modified`. An injected fetch / OsvHttp answers; no network.
 */
import { LRUCache } from "lru-cache";
import { describe, expect, it } from "vitest";
import { fetchHttp, OsvOnlineSource, type OsvHttp } from "../../../src/enrich/advisories/osv-online.js";
import { advisoryQueryKey, type OsvVulnerability, type PackageQuery } from "../../../src/enrich/advisories/types.js";

interface Call {
  url: string;
  method: string | undefined;
  body: unknown;
  redirect: unknown;
  hasSignal: boolean;
}

/** A fetch answering from a script of responses, recording each call. */
function scriptedFetch(answers: Array<(call: Call) => Response>): typeof fetch & { calls: Call[] } {
  const calls: Call[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const call = { url: String(input), method: init?.method, body: init?.body, redirect: init?.redirect, hasSignal: init?.signal instanceof AbortSignal };
    calls.push(call);
    const next = answers.shift();
    if (!next) throw new Error("unexpected call");
    return next(call);
  }) as typeof fetch & { calls: Call[] };
  f.calls = calls;
  return f;
}

const json = (value: unknown, status = 200) => () => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
const redirect = (status: number, location: string | null) => () => new Response(null, { status, headers: location ? { location } : {} });

describe("fetchHttp", () => {
  const noGuard = { redirectGuard: null, dispatcher: null } as const;

  it("POSTs JSON with JSON headers, never letting fetch follow redirects itself, under a timeout signal", async () => {
    const f = scriptedFetch([json({ ok: 1 })]);
    expect(await fetchHttp(f, 1000, noGuard).postJson("http://osv.test/v1/querybatch", { queries: [1] })).toEqual({ ok: 1 });
    expect(f.calls).toEqual([{ url: "http://osv.test/v1/querybatch", method: "POST", body: '{"queries":[1]}', redirect: "manual", hasSignal: true }]);
    const g = scriptedFetch([json([1, 2])]);
    expect(await fetchHttp(g, 1000, noGuard).getJson("http://osv.test/v1/vulns/X")).toEqual([1, 2]);
    expect(g.calls[0]).toMatchObject({ method: "GET", body: undefined, redirect: "manual" });
  });

  it("303, and 301/302 after a POST, continue as GET without a body; 307 and 308 keep the POST", async () => {
    for (const status of [301, 302, 303]) {
      const f = scriptedFetch([redirect(status, "/moved"), json({ status })]);
      expect(await fetchHttp(f, 1000, noGuard).postJson("http://osv.test/v1/querybatch", { q: 1 })).toEqual({ status });
      expect(f.calls.map((c) => [c.url, c.method, c.body])).toEqual([
        ["http://osv.test/v1/querybatch", "POST", '{"q":1}'],
        ["http://osv.test/moved", "GET", undefined],
      ]);
    }
    for (const status of [307, 308]) {
      const f = scriptedFetch([redirect(status, "http://mirror.test/q"), json({ status })]);
      expect(await fetchHttp(f, 1000, noGuard).postJson("http://osv.test/q", { q: 1 })).toEqual({ status });
      expect(f.calls.map((c) => [c.url, c.method, c.body])).toEqual([
        ["http://osv.test/q", "POST", '{"q":1}'],
        ["http://mirror.test/q", "POST", '{"q":1}'],
      ]);
    }
    // A GET stays a GET through a 301.
    const g = scriptedFetch([redirect(301, "http://mirror.test/v"), json({})]);
    await fetchHttp(g, 1000, noGuard).getJson("http://osv.test/v");
    expect(g.calls.map((c) => c.method)).toEqual(["GET", "GET"]);
  });

  it("follows at most 5 redirects", async () => {
    const five = scriptedFetch([...Array.from({ length: 5 }, (_, i) => redirect(302, `/hop${i + 1}`)), json({ done: true })]);
    expect(await fetchHttp(five, 1000, noGuard).getJson("http://osv.test/start")).toEqual({ done: true });
    const six = scriptedFetch(Array.from({ length: 6 }, (_, i) => redirect(302, `/hop${i + 1}`)));
    await expect(fetchHttp(six, 1000, noGuard).getJson("http://osv.test/start")).rejects.toThrow("GET http://osv.test/hop5: more than 5 redirects");
    expect(six.calls).toHaveLength(6);
  });

  it("a 3xx without a location, or any non-2xx, is an error with its status", async () => {
    await expect(fetchHttp(scriptedFetch([redirect(302, null)]), 1000, noGuard).getJson("http://osv.test/a")).rejects.toThrow("HTTP 302");
    await expect(fetchHttp(scriptedFetch([json({}, 500)]), 1000, noGuard).getJson("http://osv.test/a")).rejects.toThrow("HTTP 500");
    await expect(fetchHttp(scriptedFetch([json({}, 404)]), 1000, noGuard).getJson("http://osv.test/a")).rejects.toThrow("HTTP 404");
    // 2xx other than 200 is fine; 399 with a location is still a redirect.
    expect(await fetchHttp(scriptedFetch([json({ a: 1 }, 201)]), 1000, noGuard).getJson("http://osv.test/a")).toEqual({ a: 1 });
  });

  it("every redirect target goes through the guard before it is fetched", async () => {
    const checked: string[] = [];
    const f = scriptedFetch([redirect(302, "http://one.test/x"), redirect(307, "/y"), json({})]);
    await fetchHttp(f, 1000, { redirectGuard: async (u) => void checked.push(u.href), dispatcher: null }).getJson("http://osv.test/start");
    expect(checked).toEqual(["http://one.test/x", "http://one.test/y"]);
    expect(f.calls.map((c) => c.url)).toEqual(["http://osv.test/start", "http://one.test/x", "http://one.test/y"]);
  });

  it("the body is capped, the request named in the error", async () => {
    const f = scriptedFetch([() => new Response("x".repeat(50), { status: 200 })]);
    await expect(fetchHttp(f, 1000, { ...noGuard, maxBodyBytes: 10 }).postJson("http://osv.test/q", {})).rejects.toThrow(/^POST http:\/\/osv\.test\/q: .*over the 10-byte limit/);
    const ok = scriptedFetch([() => new Response('"0123456789"', { status: 200 })]);
    expect(await fetchHttp(ok, 1000, { ...noGuard, maxBodyBytes: 12 }).getJson("http://osv.test/q")).toBe("0123456789");
  });

  it("an answer that is not JSON rejects", async () => {
    await expect(fetchHttp(scriptedFetch([() => new Response("<html>", { status: 200 })]), 1000, noGuard).getJson("http://osv.test/q")).rejects.toThrow(SyntaxError);
  });
});

/** An OsvHttp answering querybatch and vulns calls from functions, counting calls. */
function fakeHttp(batch: (queries: Array<PackageQuery & { page_token?: string; package: { ecosystem: string; name: string } }>) => unknown, vuln: (id: string) => unknown = (id) => rec(id)) {
  const posts: unknown[][] = [];
  const gets: string[] = [];
  const http: OsvHttp = {
    postJson: async (_url, body) => {
      const queries = (body as { queries: unknown[] }).queries;
      posts.push(queries);
      const answer = batch(queries as never);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    getJson: async (url) => {
      gets.push(url);
      const id = decodeURIComponent(url.slice(url.lastIndexOf("/") + 1));
      const answer = vuln(id);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { http, posts, gets };
}

const rec = (id: string, modified = "2025-01-01T00:00:00Z") => ({ id, modified, affected: [{ package: { ecosystem: "npm", name: "p" }, versions: ["1.0.0"] }] });
const q = (name: string, version = "1.0.0"): PackageQuery => ({ ecosystem: "npm", name, version });
const cache = () => new LRUCache<string, OsvVulnerability>({ max: 100 });

describe("OsvOnlineSource", () => {
  it("trims trailing slashes of the base URL and encodes ids in detail URLs", async () => {
    const { http, gets } = fakeHttp((qs) => ({ results: qs.map(() => ({ vulns: [{ id: "A/B 1" }] })) }));
    const s = new OsvOnlineSource({ baseUrl: "https://m.test/osv///", http, cache: cache(), retryDelayMs: 0 });
    expect(s.baseUrl).toBe("https://m.test/osv");
    await s.query([q("p")]);
    expect(gets).toEqual(["https://m.test/osv/v1/vulns/A%2FB%201"]);
  });

  it("batches at most batchSize queries (1 at least, 1000 at most)", async () => {
    const sizes = async (batchSize: number | undefined, n: number): Promise<number[]> => {
      const { http, posts } = fakeHttp((qs) => ({ results: qs.map(() => ({})) }));
      await new OsvOnlineSource({ http, cache: cache(), batchSize, retryDelayMs: 0 }).query(Array.from({ length: n }, (_, i) => q(`p${i}`)));
      return posts.map((p) => p.length);
    };
    expect(await sizes(2, 5)).toEqual([2, 2, 1]);
    expect(await sizes(0, 3)).toEqual([1, 1, 1]);
    expect(await sizes(5000, 1001)).toEqual([1000, 1]);
  });

  it("retries a failed call once by default; never a 4xx other than 429", async () => {
    const attempts = async (err: Error, retries?: number): Promise<number> => {
      const { http, posts } = fakeHttp(() => err);
      const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 0, retries });
      const map = await s.query([q("p")]);
      expect(map.size).toBe(0);
      expect(s.warnings).toEqual([{ request: "POST https://api.osv.dev/v1/querybatch (1 queries)", message: `OSV querybatch failed: ${err.message}; 1 packages not checked` }]);
      return posts.length;
    };
    expect(await attempts(new Error("HTTP 503"))).toBe(2);
    expect(await attempts(new Error("HTTP 429"))).toBe(2);
    expect(await attempts(new Error("HTTP 404"))).toBe(1);
    expect(await attempts(new Error("HTTP 400"))).toBe(1);
    expect(await attempts(new Error("socket hang up"), 3)).toBe(4);
    expect(await attempts(new Error("HTTP 500"), -2)).toBe(1);
  });

  it("a retry that succeeds is silent; a timeout is reported as such", async () => {
    let n = 0;
    const { http } = fakeHttp((qs) => (n++ === 0 ? new Error("HTTP 502") : { results: qs.map(() => ({})) }));
    const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 0 });
    expect((await s.query([q("p")])).get(advisoryQueryKey(q("p")))).toEqual([]);
    expect(s.warnings).toEqual([]);

    const timeout = Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
    const t = fakeHttp(() => timeout);
    const st = new OsvOnlineSource({ http: t.http, cache: cache(), retryDelayMs: 0, retries: 0 });
    await st.query([q("p")]);
    expect(st.warnings[0].message).toBe("OSV querybatch failed: timed out; 1 packages not checked");
    const s2 = fakeHttp(() => {
      throw "plain text";
    });
    const src2 = new OsvOnlineSource({ http: s2.http, cache: cache(), retryDelayMs: 0, retries: 0 });
    await src2.query([q("p")]);
    expect(src2.warnings[0].message).toBe("OSV querybatch failed: plain text; 1 packages not checked");
  });

  it("an answer whose results do not match the queries marks the chunk not checked", async () => {
    for (const answer of [{ results: [] }, { results: [{}, {}] }, {}, null, { results: "x" }]) {
      const { http } = fakeHttp(() => answer);
      const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 0 });
      expect((await s.query([q("p")])).size).toBe(0);
      expect(s.warnings).toEqual([{ request: "POST https://api.osv.dev/v1/querybatch (1 queries)", message: "OSV querybatch answer has no results list matching the queries; packages not checked" }]);
    }
  });

  it("keeps only sane ids; an entry that is not an object lists nothing", async () => {
    const long = "X".repeat(201);
    const max = "Y".repeat(200);
    const { http, gets } = fakeHttp(() => ({ results: [{ vulns: [{ id: "" }, { id: 5 }, null, { id: long }, { id: max }, { id: "OK-1" }] }, null, { vulns: "no" }] }));
    const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 0 });
    const map = await s.query([q("a"), q("b"), q("c")]);
    expect(gets.map((u) => u.slice(u.lastIndexOf("/") + 1)).sort()).toEqual(["OK-1", max]);
    expect(map.get(advisoryQueryKey(q("a")))!.map((r) => r.id)).toEqual([max, "OK-1"]);
    expect(map.get(advisoryQueryKey(q("b")))).toEqual([]);
    expect(map.get(advisoryQueryKey(q("c")))).toEqual([]);
  });

  it("follows pages up to maxPages, then warns", async () => {
    const { http, posts } = fakeHttp((qs) => ({ results: qs.map((x) => ({ vulns: [{ id: `V-${x.page_token ?? "0"}` }], next_page_token: `${Number(x.page_token ?? 0) + 1}` })) }));
    const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 0, maxPages: 3 });
    const map = await s.query([q("p")]);
    expect(posts.map((p) => (p[0] as { page_token?: string }).page_token)).toEqual([undefined, "1", "2"]);
    expect(map.get(advisoryQueryKey(q("p")))!.map((r) => r.id)).toEqual(["V-0", "V-1", "V-2"]);
    expect(s.warnings).toEqual([{ request: "POST https://api.osv.dev/v1/querybatch (1 queries)", message: "OSV answer for p@1.0.0 has more than 3 pages; rest ignored" }]);
    // An empty or non-string token ends the chain.
    for (const token of ["", 7, null]) {
      const h = fakeHttp((qs) => ({ results: qs.map(() => ({ vulns: [], next_page_token: token })) }));
      const src = new OsvOnlineSource({ http: h.http, cache: cache(), retryDelayMs: 0 });
      await src.query([q("p")]);
      expect(h.posts).toHaveLength(1);
      expect(src.warnings).toEqual([]);
    }
    // maxPages below 1 still asks once.
    const one = fakeHttp((qs) => ({ results: qs.map(() => ({ vulns: [], next_page_token: "t" })) }));
    const src1 = new OsvOnlineSource({ http: one.http, cache: cache(), retryDelayMs: 0, maxPages: 0 });
    await src1.query([q("p")]);
    expect(one.posts).toHaveLength(1);
    expect(src1.warnings[0].message).toBe("OSV answer for p@1.0.0 has more than 1 pages; rest ignored");
  });

  it("details are cached by id and fetched again only when the batch answer names a different modified time", async () => {
    const c = cache();
    let modified: unknown = "2025-01-01T00:00:00Z";
    const { http, gets } = fakeHttp(() => ({ results: [{ vulns: [{ id: "C-1", modified }] }] }), (id) => rec(id, String(modified)));
    const s = new OsvOnlineSource({ http, cache: c, retryDelayMs: 0 });
    await s.query([q("p")]);
    await s.query([q("p")]);
    expect(gets).toHaveLength(1);
    modified = "2025-02-01T00:00:00Z";
    await s.query([q("p")]);
    expect(gets).toHaveLength(2);
    expect(c.get("C-1")?.modified).toBe("2025-02-01T00:00:00Z");
    // No modified time in the answer: the cached copy is used.
    modified = undefined;
    await s.query([q("p")]);
    expect(gets).toHaveLength(2);
  });

  it("a detail that fails or is invalid is warned about by id; the warnings are those of the last query", async () => {
    const { http } = fakeHttp(
      () => ({ results: [{ vulns: [{ id: "BAD-1" }, { id: "ERR-1" }, { id: "OK-1" }] }] }),
      (id) => (id === "BAD-1" ? { id, affected: "x" } : id === "ERR-1" ? new Error("HTTP 404") : rec(id)),
    );
    const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 0 });
    const map = await s.query([q("p")]);
    expect(map.get(advisoryQueryKey(q("p")))!.map((r) => r.id)).toEqual(["OK-1"]);
    expect(s.warnings).toEqual([
      { request: "GET https://api.osv.dev/v1/vulns/BAD-1", id: "BAD-1", message: expect.stringMatching(/^invalid OSV record BAD-1 skipped: affected: /) },
      { request: "GET https://api.osv.dev/v1/vulns/ERR-1", id: "ERR-1", message: "OSV record ERR-1 not fetched: HTTP 404" },
    ]);
    const quiet = fakeHttp(() => ({ results: [{}] }));
    const s2 = new OsvOnlineSource({ http: quiet.http, cache: cache(), retryDelayMs: 0 });
    await s2.query([q("p")]);
    expect(s2.warnings).toEqual([]);
  });

  it("waits between retries, longer each time; no wait with retryDelayMs 0", async () => {
    const { http, posts } = fakeHttp(() => new Error("HTTP 503"));
    const s = new OsvOnlineSource({ http, cache: cache(), retryDelayMs: 5, retries: 2 });
    const started = performance.now();
    await s.query([q("p")]);
    expect(posts).toHaveLength(3);
    // 5 ms, then 10 ms: at least 15 ms in all.
    expect(performance.now() - started).toBeGreaterThanOrEqual(14);
  });
});
