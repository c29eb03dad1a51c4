import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatasources } from "../../../src/enrich/datasources/index.js";
import { createDockerDatasource, parseImageName } from "../../../src/enrich/datasources/docker.js";
import { lookup, testClient } from "./helpers.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe("Docker Hub aliases (registry-1.docker.io, index.docker.io)", () => {
  it("never puts the host twice in the repository path", () => {
    // What the scan gives for `repository: oci://registry-1.docker.io/bitnamicharts` + `name: redis`.
    expect(parseImageName("registry-1.docker.io/bitnamicharts/redis", "docker.io")).toEqual({
      registry: "registry-1.docker.io",
      base: "https://registry-1.docker.io",
      repository: "bitnamicharts/redis",
    });
    expect(parseImageName("index.docker.io/library/nginx", "docker.io").repository).toBe("library/nginx");
    expect(parseImageName("index.docker.io/nginx", null).repository).toBe("library/nginx");
    expect(parseImageName("docker.io/bitnami/redis", "registry-1.docker.io").repository).toBe("bitnami/redis");
    // Another registry's host in the name is kept: it is part of that name, not an alias.
    expect(parseImageName("ghcr.io/acme/app", "docker.io").repository).toBe("ghcr.io/acme/app");
  });

  it("looks an OCI chart written with registry-1.docker.io up on Docker Hub", async () => {
    const scope = nock("https://registry-1.docker.io").get("/v2/bitnamicharts/redis/tags/list").query(true).reply(200, { tags: ["20.11.2", "21.0.0"] });
    const { http } = testClient();
    const ds = createDockerDatasource({ http });
    const r = (await ds.getReleases(lookup("docker", "registry-1.docker.io/bitnamicharts/redis", "20.11.2", "docker.io")))!;
    expect(r.releases.map((x) => x.version)).toEqual(expect.arrayContaining(["20.11.2", "21.0.0"]));
    expect(r.registry_url).toBe("https://registry-1.docker.io/v2/bitnamicharts/redis");
    scope.done();
  });

  it("an oci:// helm repository on index.docker.io goes to Docker Hub", async () => {
    const scope = nock("https://registry-1.docker.io").get("/v2/bitnamicharts/postgresql/tags/list").query(true).reply(200, { tags: ["16.4.16"] });
    const { http } = testClient();
    const all = createDatasources({ http });
    const r = (await all.helm!.getReleases(lookup("helm", "postgresql", "16.4.16", "oci://index.docker.io/bitnamicharts")))!;
    expect(r.releases.map((x) => x.version)).toEqual(["16.4.16"]);
    scope.done();
  });
});
