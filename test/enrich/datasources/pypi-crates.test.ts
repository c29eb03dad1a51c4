import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCratesDatasource } from "../../../src/enrich/datasources/crates.js";
import { createPypiDatasource, normalizePypiName } from "../../../src/enrich/datasources/pypi.js";
import { fixture, lookup, testClient } from "./helpers.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe("pypi datasource", () => {
  it("uses the PEP 503 name and reads upload times, yanked, requires_python, source and Inactive", async () => {
    const scope = nock("https://pypi.org").get("/pypi/fancy-lib/json").reply(200, fixture("pypi-requests-like.json"));
    const { http } = testClient();
    const r = (await createPypiDatasource({ http }).getReleases(lookup("pypi", "Fancy_Lib", "==1.0.0")))!;
    expect(r.tag_latest).toBe("2.0.0");
    expect(r.releases.map((x) => x.version)).toEqual(["1.0.0", "1.1.0", "2.0.0"]); // 1.2.0 has no files
    const v1 = r.releases[0];
    expect(v1.release_date).toBe("2021-02-03T03:00:00.000Z"); // earliest file
    expect(v1.requires_python).toBe(">=3.7");
    expect(r.releases[1].yanked).toBe(true);
    expect(r.releases[1].deprecation_message).toBe("broken build");
    expect(r.source_url).toBe("https://github.com/fancy/fancy-lib");
    expect(r.homepage).toBe("https://fancy.example");
    expect(r.deprecated).toBe(true);
    scope.done();
  });

  it("normalises names and accepts a /simple index URL as the base", async () => {
    expect(normalizePypiName("Zope.Interface__x")).toBe("zope-interface-x");
    const scope = nock("https://pypi.mirror.example").get("/pypi/requests/json").reply(200, { info: { version: "2.0" }, releases: {} });
    const { http } = testClient();
    const r = await createPypiDatasource({ http }).getReleases(lookup("pypi", "requests", "", "https://pypi.mirror.example/simple/"));
    expect(r!.registry_url).toBe("https://pypi.mirror.example");
    scope.done();
  });

  it("returns null on 404 and honours Retry-After on 429", async () => {
    const scope = nock("https://pypi.org")
      .get("/pypi/nope/json")
      .reply(404)
      .get("/pypi/busy/json")
      .reply(429, "", { "Retry-After": "2" })
      .get("/pypi/busy/json")
      .reply(200, { info: { version: "1.0" }, releases: { "1.0": [{ upload_time_iso_8601: "2020-01-01T00:00:00Z" }] } });
    const { http, sleeps } = testClient();
    const ds = createPypiDatasource({ http });
    expect(await ds.getReleases(lookup("pypi", "nope"))).toBeNull();
    expect((await ds.getReleases(lookup("pypi", "busy")))!.releases).toHaveLength(1);
    expect(sleeps).toEqual([2000]);
    scope.done();
  });
});

describe("crates datasource", () => {
  it("reads versions, yanked, rust_version and the repository", async () => {
    const scope = nock("https://crates.io")
      .get("/api/v1/crates/tinyser")
      .matchHeader("user-agent", /^cowabunga-maintainer\//)
      .reply(200, fixture("crates-serde-like.json"));
    const { http } = testClient();
    const r = (await createCratesDatasource({ http }).getReleases(lookup("crates", "tinyser", "1.0")))!;
    expect(r.tag_latest).toBe("1.0.2");
    expect(r.source_url).toBe("https://github.com/tiny/tinyser");
    expect(r.releases.find((v) => v.version === "1.0.1")!.yanked).toBe(true);
    expect(r.releases.find((v) => v.version === "1.0.2")!.rust_version).toBe("1.60");
    expect(r.releases.find((v) => v.version === "1.0.2")!.release_date).toBe("2024-02-01T00:00:00.000Z");
    scope.done();
  });

  it("returns null for an unknown crate", async () => {
    const scope = nock("https://crates.io").get("/api/v1/crates/nope").reply(404, { errors: [{ detail: "Not Found" }] });
    const { http } = testClient();
    expect(await createCratesDatasource({ http }).getReleases(lookup("crates", "nope"))).toBeNull();
    scope.done();
  });
});
