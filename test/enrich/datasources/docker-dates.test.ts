import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDockerDatasource, hubTagDate, hubTagUrl, parseImageName } from "../../../src/enrich/datasources/docker.js";
import { createHttpClient } from "../../../src/enrich/http.js";
import { enrichDependencies } from "../../../src/enrich/index.js";
import { DatasourceError } from "../../../src/enrich/types.js";
import { dep, scanOf } from "../helpers-enrich.js";
import { lookup, testClient } from "./helpers.js";

const HUB = "https://registry-1.docker.io";
const API = "https://hub.docker.com";
const CHALLENGE = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

function hubTag(name: string, pushed: string | null, updated: string | null = pushed) {
  return { name, last_updated: updated, tag_last_pushed: pushed, full_size: 1, images: [] };
}

describe("Docker Hub tag dates", () => {
  it("builds the hub API URL for Docker Hub images only", () => {
    expect(hubTagUrl(parseImageName("nginx", null), "1.25")).toBe(`${API}/v2/namespaces/library/repositories/nginx/tags/1.25`);
    expect(hubTagUrl(parseImageName("docker.io/bitnami/redis", null), "7.2")).toBe(`${API}/v2/namespaces/bitnami/repositories/redis/tags/7.2`);
    expect(hubTagUrl(parseImageName("ghcr.io/acme/app", null), "1.0")).toBeNull();
    expect(hubTagUrl(parseImageName("quay.io/prometheus/node-exporter", null), "v1.8.0")).toBeNull();
    // Unqualified names on a configured mirror are not Docker Hub.
    expect(hubTagUrl(parseImageName("nginx", null, "mirror.example.com"), "1.25")).toBeNull();
  });

  it("prefers tag_last_pushed, falls back to last_updated, ignores junk", () => {
    expect(hubTagDate(hubTag("a", "2024-02-14T18:40:12.123456Z", "2024-03-01T00:00:00Z"))).toBe("2024-02-14T18:40:12.123Z");
    expect(hubTagDate(hubTag("a", null, "2024-03-01T00:00:00Z"))).toBe("2024-03-01T00:00:00.000Z");
    expect(hubTagDate(hubTag("a", "not a date", null))).toBeNull();
    expect(hubTagDate(["x"])).toBeNull();
  });

  it("reads the dates of the asked tags, one request each, cached", async () => {
    const scope = nock(API)
      .get("/v2/namespaces/library/repositories/nginx/tags/1.25.3")
      .once()
      .reply(200, hubTag("1.25.3", "2023-10-25T10:00:00Z"))
      .get("/v2/namespaces/library/repositories/nginx/tags/1.27.0")
      .once()
      .reply(200, hubTag("1.27.0", "2024-05-29T12:00:00Z"))
      .get("/v2/namespaces/library/repositories/nginx/tags/gone")
      .reply(404, { message: "tag not found" });
    const { http } = testClient();
    const ds = createDockerDatasource({ http });
    const dates = await ds.releaseDates(lookup("docker", "nginx"), ["1.25.3", "1.27.0", "gone"]);
    expect(Object.fromEntries(dates)).toEqual({ "1.25.3": "2023-10-25T10:00:00.000Z", "1.27.0": "2024-05-29T12:00:00.000Z", gone: null });
    // Same image, another spelling: answered from the shared cache.
    const again = await ds.releaseDates(lookup("docker", "docker.io/library/nginx"), ["1.27.0"]);
    expect(again.get("1.27.0")).toBe("2024-05-29T12:00:00.000Z");
    expect(http.requestCount("hub.docker.com")).toBe(3);
    scope.done();
  });

  it("makes no request for other registries", async () => {
    const { http } = testClient();
    const dates = await createDockerDatasource({ http }).releaseDates(lookup("docker", "ghcr.io/acme/app"), ["1.0.0"]);
    expect(Object.fromEntries(dates)).toEqual({ "1.0.0": null });
    expect(http.requestCount("hub.docker.com")).toBe(0);
  });

  it("propagates a hub API outage as a DatasourceError naming the request", async () => {
    nock(API).get("/v2/namespaces/library/repositories/nginx/tags/1.25.3").times(2).reply(503, "down");
    const { http } = testClient({ retries: 1 });
    const err = await createDockerDatasource({ http })
      .releaseDates(lookup("docker", "nginx"), ["1.25.3"])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect((err as Error).message).toContain("hub.docker.com/v2/namespaces/library/repositories/nginx/tags/1.25.3");
  });

  it("offline mode: the hub API is not asked", async () => {
    const http = createHttpClient({ offline: true, urlGuard: null });
    const err = await createDockerDatasource({ http })
      .releaseDates(lookup("docker", "nginx"), ["1.25.3"])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect(http.requestCount("hub.docker.com")).toBe(0);
  });
});

describe("enrichment of Docker Hub images", () => {
  function registryScope() {
    return nock(HUB)
      .get("/v2/library/nginx/tags/list")
      .query({ n: "1000" })
      .reply(401, {}, { "WWW-Authenticate": CHALLENGE })
      .get("/v2/library/nginx/tags/list")
      .query({ n: "1000" })
      .reply(200, { name: "library/nginx", tags: ["1.25.3", "1.26.1", "1.27.0", "1.27.0-alpine", "latest"] });
  }
  function authScope() {
    return nock("https://auth.docker.io").get("/token").query(true).reply(200, { token: "t", expires_in: 300 });
  }
  const nginx = () =>
    dep("nginx", "1.25.3", { package_manager: "docker", datasource: "docker", file: "Dockerfile", registry_url: null });

  it("fills last_updated, latest_release_date and days_behind from the current and latest tag only", async () => {
    const registry = registryScope();
    const auth = authScope();
    const hub = nock(API)
      .get("/v2/namespaces/library/repositories/nginx/tags/1.25.3")
      .reply(200, hubTag("1.25.3", "2023-10-25T00:00:00Z"))
      .get("/v2/namespaces/library/repositories/nginx/tags/1.27.0")
      .reply(200, hubTag("1.27.0", "2024-05-29T00:00:00Z"));
    const { http } = testClient();
    const out = await enrichDependencies(scanOf([nginx()]), { http, advisories: null, clock: () => new Date("2026-01-31T00:00:00Z") });
    const d = out.dependencies[0];
    expect(out.warnings).toEqual([]);
    expect(d.datasource).toBe("docker");
    expect(d.latest_version).toBe("1.27.0");
    expect(d.last_updated).toBe("2023-10-25T00:00:00.000Z");
    expect(d.latest_release_date).toBe("2024-05-29T00:00:00.000Z");
    expect(d.days_behind).toBe(217);
    expect(http.requestCount("hub.docker.com")).toBe(2);
    registry.done();
    auth.done();
    hub.done();
  });

  it("a hub API failure is a warning naming the image; the dependency keeps its update and unknown dates", async () => {
    const registry = registryScope();
    const auth = authScope();
    nock(API).get(/\/v2\/namespaces\/library\/repositories\/nginx\/tags\/.*/).times(4).reply(500, "boom");
    const { http } = testClient({ retries: 1 });
    const out = await enrichDependencies(scanOf([nginx()]), { http, advisories: null, clock: () => new Date("2026-01-31T00:00:00Z") });
    const d = out.dependencies[0];
    expect(d.lookup.status).toBe("ok");
    expect(d.latest_version).toBe("1.27.0");
    expect(d.update_type).toBe("minor");
    expect(d.last_updated).toBeNull();
    expect(d.days_behind).toBeNull();
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ file: "Dockerfile", line: 3, manager: "docker" });
    expect(out.warnings[0].message).toMatch(/^nginx: release dates could not be read: .*hub\.docker\.com/);
    registry.done();
    auth.done();
  });
});
