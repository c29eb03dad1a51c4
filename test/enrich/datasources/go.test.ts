import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGoDatasource, escapeModulePath } from "../../../src/enrich/datasources/go.js";
import { lookup, testClient } from "./helpers.js";

const PROXY = "https://proxy.golang.org";
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe("go datasource", () => {
  it("escapes upper-case letters", () => {
    expect(escapeModulePath("github.com/BurntSushi/toml")).toBe("github.com/!burnt!sushi/toml");
  });

  it("lists versions and fetches .info only for latest and current", async () => {
    const scope = nock(PROXY)
      .get("/github.com/!burnt!sushi/toml/@v/list")
      .reply(200, "v1.2.0\nv1.3.2\nv1.10.0\nv1.11.0-rc.1\n\n")
      .get("/github.com/!burnt!sushi/toml/@v/v1.10.0.info")
      .reply(200, { Version: "v1.10.0", Time: "2024-05-01T00:00:00Z" })
      .get("/github.com/!burnt!sushi/toml/@v/v1.2.0.info")
      .reply(200, { Version: "v1.2.0", Time: "2022-01-01T00:00:00Z" });
    const { http } = testClient();
    const r = (await createGoDatasource({ http }).getReleases(lookup("go", "github.com/BurntSushi/toml", "v1.2.0")))!;
    expect(r.tag_latest).toBe("v1.10.0");
    expect(r.source_url).toBe("https://github.com/BurntSushi/toml");
    expect(r.releases).toHaveLength(4);
    expect(r.releases.find((x) => x.version === "v1.10.0")!.release_date).toBe("2024-05-01T00:00:00.000Z");
    expect(r.releases.find((x) => x.version === "v1.2.0")!.release_date).toBe("2022-01-01T00:00:00.000Z");
    expect(r.releases.find((x) => x.version === "v1.3.2")!.release_date).toBeNull();
    expect(http.requestCount("proxy.golang.org")).toBe(3);
    scope.done();
  });

  it("falls back to @latest when the list is empty", async () => {
    const scope = nock(PROXY)
      .get("/example.com/pseudo/@v/list")
      .reply(200, "")
      .get("/example.com/pseudo/@latest")
      .reply(200, { Version: "v0.0.0-20240101000000-abcdefabcdef", Time: "2024-01-01T00:00:00Z" });
    const { http } = testClient();
    const r = (await createGoDatasource({ http }).getReleases(lookup("go", "example.com/pseudo")))!;
    expect(r.releases.map((x) => x.version)).toEqual(["v0.0.0-20240101000000-abcdefabcdef"]);
    expect(r.source_url).toBeNull();
    scope.done();
  });

  it("returns null for 410 Gone / 404", async () => {
    const scope = nock(PROXY).get("/example.com/missing/@v/list").reply(410, "not found: module example.com/missing");
    const { http } = testClient();
    expect(await createGoDatasource({ http }).getReleases(lookup("go", "example.com/missing"))).toBeNull();
    scope.done();
  });
});
