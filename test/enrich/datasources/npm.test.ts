import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createNpmDatasource, npmPackageUrl } from "../../../src/enrich/datasources/npm.js";
import { DatasourceError } from "../../../src/enrich/types.js";
import { fixture, lookup, testClient } from "./helpers.js";

const REG = "https://registry.npmjs.org";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe("npm datasource", () => {
  it("fetches the full packument of a scoped package with @scope%2fname", async () => {
    const scope = nock(REG)
      .get("/@acme%2fwidgets")
      .matchHeader("accept", "application/json")
      .reply(200, fixture("npm-scoped-pkg.json"), { "content-type": "application/json" });
    const { http } = testClient();
    const ds = createNpmDatasource({ http });
    const r = (await ds.getReleases(lookup("npm", "@acme/widgets", "^1.0.0")))!;
    expect(r.tag_latest).toBe("2.1.0");
    expect(r.source_url).toBe("https://github.com/acme/widgets");
    expect(r.homepage).toBe("https://acme.example/widgets");
    expect(r.deprecated).toBe(false);
    const v1 = r.releases.find((x) => x.version === "1.0.0")!;
    expect(v1.deprecated).toBe(true);
    expect(v1.deprecation_message).toMatch(/unsupported/);
    expect(v1.node_engines).toBe(">=14");
    expect(r.releases.find((x) => x.version === "2.1.0")!.release_date).toBe("2024-05-01T10:00:00.000Z");
    expect(r.releases).toHaveLength(4);
    scope.done();
  });

  it("encodes names", () => {
    expect(npmPackageUrl("https://r.example/", "@types/node")).toBe("https://r.example/@types%2fnode");
    expect(npmPackageUrl("https://r.example", "lodash")).toBe("https://r.example/lodash");
  });

  it("returns null for an unknown package (404)", async () => {
    const scope = nock(REG).get("/no-such-pkg-xyz").reply(404, { error: "Not found" });
    const { http } = testClient();
    expect(await createNpmDatasource({ http }).getReleases(lookup("npm", "no-such-pkg-xyz"))).toBeNull();
    scope.done();
  });

  it("uses a configured mirror and shares one fetch between repositories", async () => {
    const scope = nock("https://npm.mirror.example").get("/leftpad").once().reply(200, { name: "leftpad", "dist-tags": { latest: "1.0.0" }, versions: { "1.0.0": {} }, time: {} });
    const { http } = testClient();
    const ds = createNpmDatasource({ http, registry: "https://npm.mirror.example/" });
    const [a, b] = await Promise.all([ds.getReleases(lookup("npm", "leftpad")), ds.getReleases(lookup("npm", "leftpad"))]);
    const c = await ds.getReleases(lookup("npm", "leftpad"));
    expect(a!.tag_latest).toBe("1.0.0");
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a!.registry_url).toBe("https://npm.mirror.example");
    expect(http.requestCount("npm.mirror.example")).toBe(1);
    scope.done();
  });

  it("retries a 5xx then succeeds", async () => {
    const scope = nock(REG).get("/flaky").reply(502).get("/flaky").reply(200, { "dist-tags": { latest: "1.0.0" }, versions: { "1.0.0": {} } });
    const { http, sleeps } = testClient();
    expect((await createNpmDatasource({ http }).getReleases(lookup("npm", "flaky")))!.tag_latest).toBe("1.0.0");
    expect(sleeps).toHaveLength(1);
    scope.done();
  });

  it("reports a malformed body naming the URL", async () => {
    const scope = nock(REG).get("/broken").reply(200, "<html>oops</html>");
    const { http } = testClient();
    const err = (await createNpmDatasource({ http }).getReleases(lookup("npm", "broken")).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.message).toContain("GET https://registry.npmjs.org/broken");
    scope.done();
  });

  it("refuses a configured registry on a private address (URL guard)", async () => {
    const { http } = testClient({ urlGuard: undefined, resolve: async () => [{ address: "10.0.0.7", family: 4 }] });
    const ds = createNpmDatasource({ http });
    const err = (await ds.getReleases(lookup("npm", "x", "1", "https://npm.corp.example")).catch((e: unknown) => e)) as DatasourceError;
    expect(err).toBeInstanceOf(DatasourceError);
    expect(err.message).toMatch(/npm\.corp\.example resolves to 10\.0\.0\.7/);
    expect(http.requestCount()).toBe(0);
  });

  it("makes zero requests offline", async () => {
    const { http } = testClient({ offline: true });
    await expect(createNpmDatasource({ http }).getReleases(lookup("npm", "react"))).rejects.toThrow(/offline mode/);
    expect(http.requestCount()).toBe(0);
  });
});
