import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDockerDatasource, nextLink, parseImageName, parseWwwAuthenticate } from "../../../src/enrich/datasources/docker.js";
import { dockerVersioning } from "../../../src/enrich/versioning/docker.js";
import { DatasourceError } from "../../../src/enrich/types.js";
import { lookup, testClient } from "./helpers.js";

const HUB = "https://registry-1.docker.io";
const CHALLENGE = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull"';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe("docker image names", () => {
  it.each([
    ["python", null, "registry-1.docker.io", "library/python"],
    ["docker.io/python", null, "registry-1.docker.io", "library/python"],
    ["bitnami/redis", null, "registry-1.docker.io", "bitnami/redis"],
    ["ghcr.io/owner/app", null, "ghcr.io", "owner/app"],
    ["localhost:5000/x", null, "localhost:5000", "x"],
    ["quay.io/prometheus/node-exporter:v1.8.0", null, "quay.io", "prometheus/node-exporter"],
    ["app", "https://registry.example.com", "registry.example.com", "app"],
    ["charts/redis", "oci://ghcr.io/acme", "ghcr.io", "acme/charts/redis"],
  ])("%s (registry %s) → %s %s", (name, reg, registry, repository) => {
    const ref = parseImageName(name, reg);
    expect(ref.registry).toBe(registry);
    expect(ref.repository).toBe(repository);
  });

  it("parses challenges and Link headers", () => {
    expect(parseWwwAuthenticate(CHALLENGE)).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/python:pull" },
    });
    expect(nextLink('</v2/x/tags/list?last=b&n=2>; rel="next"', "https://r.example/v2/x/tags/list")).toBe("https://r.example/v2/x/tags/list?last=b&n=2");
  });
});

describe("docker datasource", () => {
  it("does the anonymous token flow, follows pagination and keeps the tag variant", async () => {
    const registry = nock(HUB)
      .get("/v2/library/python/tags/list")
      .query({ n: "1000" })
      .reply(401, { errors: [{ code: "UNAUTHORIZED" }] }, { "WWW-Authenticate": CHALLENGE })
      .get("/v2/library/python/tags/list")
      .query({ n: "1000" })
      .matchHeader("authorization", "Bearer tok-1")
      .reply(200, { name: "library/python", tags: ["3.11-slim", "3.12", "3.12-slim"] }, { Link: '</v2/library/python/tags/list?last=3.12-slim&n=1000>; rel="next"' })
      .get("/v2/library/python/tags/list")
      .query({ last: "3.12-slim", n: "1000" })
      .matchHeader("authorization", "Bearer tok-1")
      .reply(200, { name: "library/python", tags: ["3.12-alpine", "3.13-slim", "latest", "3.14.0rc1-slim"] });
    const auth = nock("https://auth.docker.io")
      .get("/token")
      .query({ service: "registry.docker.io", scope: "repository:library/python:pull" })
      .once()
      .reply(200, { token: "tok-1", expires_in: 300 });
    const { http } = testClient();
    const ds = createDockerDatasource({ http });
    const r = (await ds.getReleases(lookup("docker", "python", "3.11-slim")))!;
    const tags = r.releases.map((x) => x.version);
    expect(tags).toEqual(["3.11-slim", "3.12", "3.12-slim", "3.12-alpine", "3.13-slim", "latest", "3.14.0rc1-slim"]);
    expect(r.releases.every((x) => x.release_date === null)).toBe(true);
    expect(r.homepage).toBe("https://hub.docker.com/_/python");
    const candidates = tags.filter((t) => dockerVersioning.isCompatible!(t, "3.11-slim") && dockerVersioning.isStable(t)).sort(dockerVersioning.compare);
    expect(candidates.at(-1)).toBe("3.13-slim");
    // A second repository using the same image: served from cache, no token, no registry call.
    const again = await ds.getReleases(lookup("docker", "docker.io/library/python", "3.12"));
    expect(again!.releases).toHaveLength(7);
    expect(http.requestCount("registry-1.docker.io")).toBe(3);
    expect(http.requestCount("auth.docker.io")).toBe(1);
    registry.done();
    auth.done();
  });

  it("returns null for an unknown repository", async () => {
    const scope = nock("https://ghcr.io").get("/v2/acme/none/tags/list").query(true).reply(404, { errors: [{ code: "NAME_UNKNOWN" }] });
    const { http } = testClient();
    expect(await createDockerDatasource({ http }).getReleases(lookup("docker", "ghcr.io/acme/none"))).toBeNull();
    scope.done();
  });

  it("explains a registry that wants Basic credentials", async () => {
    const scope = nock("https://private.example.com").get("/v2/app/tags/list").query(true).reply(401, "", { "WWW-Authenticate": 'Basic realm="private"' });
    const { http } = testClient();
    const err = (await createDockerDatasource({ http }).getReleases(lookup("docker", "private.example.com/app")).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/basic authentication/);
    scope.done();
  });
});
