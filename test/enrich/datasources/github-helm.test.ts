import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatasources } from "../../../src/enrich/datasources/index.js";
import { createGithubDatasource, parseGithubRepo, type OctokitLike } from "../../../src/enrich/datasources/github.js";
import { createHelmDatasource } from "../../../src/enrich/datasources/helm.js";
import { DatasourceError } from "../../../src/enrich/types.js";
import { fixture, lookup, testClient } from "./helpers.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

/** A recording fake of Octokit's request(route, params). */
function fakeOctokit(routes: Record<string, unknown | ((p: Record<string, unknown>) => unknown)>, baseUrl?: string) {
  const calls: string[] = [];
  const request = Object.assign(
    async (route: string, params: Record<string, unknown> = {}) => {
      const path = route.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k]));
      calls.push(`${path} page=${String(params.page)}`);
      const handler = routes[path];
      if (handler === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
      const data = typeof handler === "function" ? (handler as (p: Record<string, unknown>) => unknown)(params) : handler;
      if (data instanceof Error) throw data;
      return { data, status: 200 };
    },
    baseUrl ? { endpoint: { DEFAULTS: { baseUrl } } } : {},
  );
  const octokit: OctokitLike = { request };
  return { octokit, calls };
}

describe("github-tags datasource", () => {
  it("maps releases (drafts skipped), latest stable, and release notes; caches per repository", async () => {
    const { octokit, calls } = fakeOctokit({ "GET /repos/actions/checkout/releases": JSON.parse(fixture("github-releases.json")) });
    const ds = createGithubDatasource({ octokit });
    const r = (await ds.getReleases(lookup("github-tags", "actions/checkout", "v4")))!;
    expect(r.releases.map((x) => x.version)).toEqual(["v4.2.0-rc.1", "v4.1.7", "v3.6.0"]);
    expect(r.releases[1].release_date).toBe("2024-06-12T00:00:00.000Z");
    expect(r.tag_latest).toBe("v4.1.7");
    expect(r.source_url).toBe("https://github.com/actions/checkout");
    const notes = (await ds.getReleaseNotes("actions", "checkout"))!;
    expect(notes[1]).toEqual({
      tag: "v4.1.7",
      name: "v4.1.7",
      body: "## Breaking\n- nothing",
      published_at: "2024-06-12T00:00:00.000Z",
      url: "https://github.com/actions/checkout/releases/tag/v4.1.7",
    });
    await ds.getReleases(lookup("github-tags", "actions/checkout/sub-action", "v3"));
    expect(calls).toEqual(["GET /repos/actions/checkout/releases page=1"]);
  });

  it("falls back to tags when there are no releases, on GHES", async () => {
    const { octokit, calls } = fakeOctokit(
      { "GET /repos/org/tool/releases": [], "GET /repos/org/tool/tags": [{ name: "v1.0.0" }, { name: "v1.1.0" }] },
      "https://ghe.example.com/api/v3",
    );
    const r = (await createGithubDatasource({ octokit }).getReleases(lookup("github-tags", "org/tool")))!;
    expect(r.releases.map((x) => x.version)).toEqual(["v1.0.0", "v1.1.0"]);
    expect(r.releases[0].release_date).toBeNull();
    expect(r.source_url).toBe("https://ghe.example.com/org/tool");
    expect(calls).toEqual(["GET /repos/org/tool/releases page=1", "GET /repos/org/tool/tags page=1"]);
  });

  it("returns null for a missing repository and wraps other errors", async () => {
    const { octokit } = fakeOctokit({ "GET /repos/o/broken/releases": Object.assign(new Error("Server Error"), { status: 502 }) });
    const ds = createGithubDatasource({ octokit });
    expect(await ds.getReleases(lookup("github-tags", "o/missing"))).toBeNull();
    const err = (await ds.getReleases(lookup("github-tags", "o/broken")).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.status).toBe(502);
    expect(err.request).toBe("GET https://api.github.com/repos/o/broken/releases");
    expect(parseGithubRepo("https://github.com/a/b.git")).toEqual({ owner: "a", repo: "b" });
  });
});

describe("helm datasource", () => {
  it("reads index.yaml once for many charts and maps versions, dates, deprecation, sources", async () => {
    const scope = nock("https://charts.example.com").get("/stable/index.yaml").once().reply(200, fixture("helm-index.yaml"));
    const { http } = testClient();
    const ds = createHelmDatasource({ http });
    const redis = (await ds.getReleases(lookup("helm", "redis", "18.0.0", "https://charts.example.com/stable/")))!;
    expect(redis.releases.map((r) => r.version)).toEqual(["19.1.0", "18.0.0"]);
    expect(redis.releases[0].release_date).toBe("2024-04-10T12:00:00.000Z");
    expect(redis.source_url).toBe("https://github.com/example/charts");
    expect(redis.homepage).toBe("https://example.com/charts/redis");
    const old = (await ds.getReleases(lookup("helm", "oldchart", "1.0.0", "https://charts.example.com/stable")))!;
    expect(old.deprecated).toBe(true);
    expect(await ds.getReleases(lookup("helm", "nothere", "1.0.0", "https://charts.example.com/stable"))).toBeNull();
    expect(await ds.getReleases(lookup("helm", "__proto__", "1.0.0", "https://charts.example.com/stable"))).toBeNull();
    expect(http.requestCount()).toBe(1);
    scope.done();
  });

  it("reports malformed YAML naming the URL, and a missing repository URL", async () => {
    const scope = nock("https://charts.example.com").get("/bad/index.yaml").reply(200, "entries: [unclosed");
    const { http } = testClient();
    const ds = createHelmDatasource({ http });
    await expect(ds.getReleases(lookup("helm", "x", "1", "https://charts.example.com/bad"))).rejects.toThrow(/GET https:\/\/charts\.example\.com\/bad\/index\.yaml/);
    await expect(ds.getReleases(lookup("helm", "x", "1", null))).rejects.toThrow(/no repository URL/);
    scope.done();
  });

  it("routes oci:// chart repositories through the docker datasource", async () => {
    const scope = nock("https://ghcr.io").get("/v2/acme/charts/app/tags/list").query(true).reply(200, { tags: ["1.0.0", "1.1.0"] });
    const { http } = testClient();
    const all = createDatasources({ http });
    const r = (await all.helm!.getReleases(lookup("helm", "app", "1.0.0", "oci://ghcr.io/acme/charts")))!;
    expect(r.releases.map((x) => x.version)).toEqual(["1.0.0", "1.1.0"]);
    expect(all["github-tags"]).toBeUndefined();
    expect(all.git).toBeUndefined();
    scope.done();
  });
});

describe("OctokitLike", () => {
  it("is satisfied by Probot's Octokit", async () => {
    const { ProbotOctokit } = await import("probot");
    const octokit: OctokitLike = new ProbotOctokit();
    expect(octokit.request.endpoint?.DEFAULTS?.baseUrl).toBe("https://api.github.com");
  });
});
