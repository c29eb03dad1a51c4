import { LRUCache } from "lru-cache";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findVulnerabilities } from "../../../src/enrich/advisories/index.js";
import { fetchHttp, OsvOnlineSource } from "../../../src/enrich/advisories/osv-online.js";
import { advisoryQueryKey, type OsvVulnerability } from "../../../src/enrich/advisories/types.js";

const BASE = "http://osv.test";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

interface Q {
  package: { ecosystem: string; name: string };
  version: string;
  page_token?: string;
}

function vulnRecord(id: string, name: string, fixed: string): Record<string, unknown> {
  return {
    id,
    modified: "2024-05-01T00:00:00Z",
    published: "2024-04-01T00:00:00Z",
    aliases: [`CVE-2024-${id.slice(-4)}`],
    summary: `problem in ${name}`,
    affected: [{ package: { ecosystem: "npm", name }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed }] }] }],
    severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    references: [{ type: "ADVISORY", url: `https://example.test/${id}` }],
  };
}

function newSource(cache = new LRUCache<string, OsvVulnerability>({ max: 100 })): OsvOnlineSource {
  return new OsvOnlineSource({ baseUrl: BASE, cache, retryDelayMs: 0 });
}

describe("OsvOnlineSource batching and caching", () => {
  // 2500 packages; every 500th one (5 packages) is vulnerable, all sharing two advisory ids.
  const deps = Array.from({ length: 2500 }, (_, i) => ({ datasource: "npm" as const, name: `pkg-${i}`, version: "1.0.0" }));
  const vulnerable = (name: string): boolean => Number(name.slice(4)) % 500 === 0;
  const idFor = (name: string): string => (Number(name.slice(4)) < 1000 ? "GHSA-0001" : "GHSA-0002");

  function batchScope(batchSizes: number[]): nock.Scope {
    return nock(BASE)
      .post("/v1/querybatch")
      .times(3)
      .reply(200, (_uri, body) => {
        const queries = (body as { queries: Q[] }).queries;
        batchSizes.push(queries.length);
        return {
          results: queries.map((q) =>
            vulnerable(q.package.name) ? { vulns: [{ id: idFor(q.package.name), modified: "2024-05-01T00:00:00Z" }] } : {},
          ),
        };
      });
  }

  it("2500 deps cost 3 querybatch calls; details are fetched once and cached across runs", async () => {
    const cache = new LRUCache<string, OsvVulnerability>({ max: 100 });
    const sizes: number[] = [];
    const batches = batchScope(sizes);
    const details = nock(BASE)
      .get("/v1/vulns/GHSA-0001")
      .once()
      .reply(200, vulnRecord("GHSA-0001", "pkg-0", "9.0.0"))
      .get("/v1/vulns/GHSA-0002")
      .once()
      .reply(200, vulnRecord("GHSA-0002", "pkg-1000", "9.0.0"));

    const source = newSource(cache);
    const first = await findVulnerabilities(deps, source);
    batches.done();
    details.done();
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(first.warnings).toEqual([]);
    // GHSA-0001's record names pkg-0 only, so pkg-500 is listed by the API but not matched by us.
    const hits = first.results.map((r, i) => (r.advisories.length ? deps[i].name : null)).filter(Boolean);
    expect(hits).toEqual(["pkg-0", "pkg-1000"]);
    expect(first.results[0]).toMatchObject({
      checked: true,
      cve_ids: ["CVE-2024-0001"],
      vulnerability_score: 9.8,
      patch_available: true,
      fixed_version: "9.0.0",
    });
    expect(first.results[0].advisories[0]).toMatchObject({ id: "GHSA-0001", url: "https://example.test/GHSA-0001", score_estimated: false });
    expect(first.results[1]).toMatchObject({ checked: true, advisories: [] });

    // Second run, new source object, same cache: batch calls again, no detail fetches.
    const sizes2: number[] = [];
    const batches2 = batchScope(sizes2);
    const second = await findVulnerabilities(deps, newSource(cache));
    batches2.done();
    expect(sizes2).toEqual([1000, 1000, 500]);
    expect(second.warnings).toEqual([]);
    expect(second.results[0].advisories.map((a) => a.id)).toEqual(["GHSA-0001"]);
  });

  it("identical packages are queried once", async () => {
    const sizes: number[] = [];
    const scope = nock(BASE)
      .post("/v1/querybatch")
      .reply(200, (_u, body) => {
        const queries = (body as { queries: Q[] }).queries;
        sizes.push(queries.length);
        return { results: queries.map(() => ({})) };
      });
    const source = newSource();
    const map = await source.query([
      { ecosystem: "PyPI", name: "Django", version: "4.0" },
      { ecosystem: "PyPI", name: "django", version: "4.0" },
    ]);
    scope.done();
    expect(sizes).toEqual([1]);
    expect(map.get(advisoryQueryKey({ ecosystem: "PyPI", name: "DJANGO", version: "4.0" }))).toEqual([]);
  });
});

describe("OsvOnlineSource pagination and errors", () => {
  it("follows next_page_token for the query that has one", async () => {
    const seen: Q[][] = [];
    const scope = nock(BASE)
      .post("/v1/querybatch")
      .twice()
      .reply(200, (_u, body) => {
        const queries = (body as { queries: Q[] }).queries;
        seen.push(queries);
        if (queries[0].page_token === undefined) {
          return { results: [{ vulns: [{ id: "GHSA-a" }], next_page_token: "tok-1" }, {}] };
        }
        return { results: [{ vulns: [{ id: "GHSA-b" }] }] };
      })
      .get("/v1/vulns/GHSA-a")
      .reply(200, vulnRecord("GHSA-a", "left-pad", "2.0.0"))
      .get("/v1/vulns/GHSA-b")
      .reply(200, vulnRecord("GHSA-b", "left-pad", "3.0.0"));
    const source = newSource();
    const map = await source.query([
      { ecosystem: "npm", name: "left-pad", version: "1.0.0" },
      { ecosystem: "npm", name: "other", version: "1.0.0" },
    ]);
    scope.done();
    expect(seen[1]).toEqual([{ package: { ecosystem: "npm", name: "left-pad" }, version: "1.0.0", page_token: "tok-1" }]);
    const ids = map.get(advisoryQueryKey({ ecosystem: "npm", name: "left-pad", version: "1.0.0" }))!.map((r) => r.id);
    expect(ids.sort()).toEqual(["GHSA-a", "GHSA-b"]);
  });

  it("a failing querybatch is retried, then reported; the packages are marked not checked", async () => {
    const scope = nock(BASE).post("/v1/querybatch").twice().reply(503, "unavailable");
    const report = await findVulnerabilities([{ datasource: "pypi", name: "flask", version: "2.0.0" }], newSource());
    scope.done();
    expect(report.results[0].checked).toBe(false);
    expect(report.warnings[0].request).toMatch(/POST http:\/\/osv\.test\/v1\/querybatch/);
    expect(report.warnings[0].message).toMatch(/HTTP 503/);
  });

  it("an invalid record is skipped with a warning naming its id; a 404 too", async () => {
    const scope = nock(BASE)
      .post("/v1/querybatch")
      .reply(200, { results: [{ vulns: [{ id: "BAD-1" }, { id: "GONE-1" }, { id: "GHSA-ok" }] }] })
      .get("/v1/vulns/BAD-1")
      .reply(200, { id: "BAD-1", affected: "not a list" })
      .get("/v1/vulns/GONE-1")
      .reply(404, { code: 5 })
      .get("/v1/vulns/GHSA-ok")
      .reply(200, vulnRecord("GHSA-ok", "lib", "1.5.0"));
    const report = await findVulnerabilities([{ datasource: "npm", name: "lib", version: "1.0.0" }], newSource());
    scope.done();
    expect(report.results[0].advisories.map((a) => a.id)).toEqual(["GHSA-ok"]);
    const messages = report.warnings.map((w) => w.message).join("\n");
    expect(messages).toMatch(/invalid OSV record BAD-1/);
    expect(messages).toMatch(/GONE-1 not fetched: HTTP 404/);
  });

  it("a malformed answer does not throw", async () => {
    const scope = nock(BASE).post("/v1/querybatch").reply(200, "<html>oops</html>");
    const source = newSource();
    const map = await source.query([{ ecosystem: "npm", name: "x", version: "1.0.0" }]);
    scope.done();
    expect(map.size).toBe(0);
    expect(source.warnings.length).toBe(1);
  });

  it("works over an injected OsvHttp pair, with Go versions queried without v", async () => {
    const posts: unknown[] = [];
    const source = new OsvOnlineSource({
      baseUrl: "https://mirror.example/osv/",
      cache: new LRUCache({ max: 10 }),
      http: {
        postJson: async (url, body) => {
          posts.push({ url, body });
          return { results: [{ vulns: [{ id: "GO-2024-1" }] }] };
        },
        getJson: async () => ({
          id: "GO-2024-1",
          affected: [{ package: { ecosystem: "Go", name: "golang.org/x/net" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "0.23.0" }] }] }],
          database_specific: { severity: "HIGH" },
        }),
      },
    });
    const report = await findVulnerabilities([{ datasource: "go", name: "golang.org/x/net", version: "v0.22.0" }], source);
    expect(posts).toEqual([
      { url: "https://mirror.example/osv/v1/querybatch", body: { queries: [{ package: { ecosystem: "Go", name: "golang.org/x/net" }, version: "0.22.0" }] } },
    ]);
    expect(report.results[0]).toMatchObject({ fixed_version: "v0.23.0", vulnerability_score: 7.5, vulnerability_score_estimated: true });
  });
});

describe("fetchHttp redirect guard and size cap (review fix)", () => {
  const refuseInternal = async (u: URL): Promise<void> => {
    if (u.hostname === "169.254.169.254") throw new Error(`refusing ${u.href}: link-local metadata address`);
  };

  it("checks a redirect target before following it: a mirror cannot bounce us to the metadata address", async () => {
    const scope = nock(BASE).post("/v1/querybatch").reply(307, "", { location: "http://169.254.169.254/latest/meta-data/" });
    const http = fetchHttp(globalThis.fetch, 5_000, { redirectGuard: refuseInternal });
    await expect(http.postJson(`${BASE}/v1/querybatch`, { queries: [] })).rejects.toThrow(/refusing http:\/\/169\.254\.169\.254\/latest\/meta-data\/: link-local/);
    scope.done();
  });

  it("the default guard refuses a redirect to a loopback address", async () => {
    const scope = nock(BASE).get("/v1/vulns/X").reply(302, "", { location: "http://127.0.0.1:8080/admin" });
    await expect(fetchHttp().getJson(`${BASE}/v1/vulns/X`)).rejects.toThrow(/127\.0\.0\.1 is a loopback/);
    scope.done();
  });

  it("follows an allowed redirect (307 keeps POST and its body) and returns the JSON", async () => {
    const scope = nock(BASE)
      .post("/v1/querybatch", { queries: [] })
      .reply(307, "", { location: "http://osv-mirror.test/v1/querybatch" });
    const mirror = nock("http://osv-mirror.test").post("/v1/querybatch", { queries: [] }).reply(200, { results: [] });
    const http = fetchHttp(globalThis.fetch, 5_000, { redirectGuard: refuseInternal });
    expect(await http.postJson(`${BASE}/v1/querybatch`, { queries: [] })).toEqual({ results: [] });
    scope.done();
    mirror.done();
  });

  it("refuses a body over the size limit", async () => {
    const scope = nock(BASE).get("/v1/vulns/BIG").reply(200, JSON.stringify({ id: "BIG", details: "x".repeat(5000) }));
    const http = fetchHttp(globalThis.fetch, 5_000, { redirectGuard: null, maxBodyBytes: 1000 });
    await expect(http.getJson(`${BASE}/v1/vulns/BIG`)).rejects.toThrow(/GET http:\/\/osv\.test\/v1\/vulns\/BIG: response body .*over the 1000-byte limit/);
    scope.done();
  });
});
