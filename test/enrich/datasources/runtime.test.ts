import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatasources } from "../../../src/enrich/datasources/index.js";
import { DatasourceError } from "../../../src/enrich/types.js";
import { lookup, testClient } from "./helpers.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

const NOW = Date.parse("2026-12-01T00:00:00Z");
// The shape endoflife.date answers (newest cycle first), trimmed.
const NODE = [
  { cycle: "25", releaseDate: "2025-10-15", eol: "2026-06-01", latest: "25.2.1", latestReleaseDate: "2025-11-17", lts: false },
  { cycle: "24", releaseDate: "2025-05-06", eol: "2028-04-30", latest: "24.14.0", latestReleaseDate: "2026-10-01", lts: "2025-10-28" },
  { cycle: "22", releaseDate: "2024-04-24", eol: "2027-04-30", latest: "22.21.1", latestReleaseDate: "2026-09-01", lts: "2024-10-29" },
  { cycle: "18", releaseDate: "2022-04-19", eol: "2025-04-30", latest: "18.20.8", latestReleaseDate: "2025-03-27", lts: "2022-10-25" },
];
const PYTHON = [
  { cycle: "3.14", releaseDate: "2025-10-07", eol: "2030-10-31", latest: "3.14.2", latestReleaseDate: "2026-11-01" },
  { cycle: "3.8", releaseDate: "2019-10-14", eol: "2024-10-07", latest: "3.8.20", latestReleaseDate: "2024-09-06" },
  { cycle: "bogus", latest: "not-a-version" },
];

describe("runtime version datasources (endoflife.date)", () => {
  it("node-version: every cycle's latest patch; tag_latest is the newest LTS, not the odd Current line", async () => {
    const scope = nock("https://endoflife.date").get("/api/nodejs.json").reply(200, NODE);
    const { http } = testClient();
    const ds = createDatasources({ http, now: () => NOW })["node-version"]!;
    const r = (await ds.getReleases(lookup("node-version", "node", "24.14.0")))!;
    expect(r.releases.map((x) => [x.version, x.deprecated])).toEqual([
      ["25.2.1", true],
      ["24.14.0", false],
      ["22.21.1", false],
      ["18.20.8", true],
    ]);
    expect(r.tag_latest).toBe("24.14.0");
    expect(r.releases[1].release_date).toBe("2026-10-01T00:00:00.000Z");
    expect(r.source_url).toBe("https://github.com/nodejs/node");
    scope.done();
  });

  it("python-version: end-of-life cycles are deprecated, junk entries skipped; one request is shared", async () => {
    const scope = nock("https://endoflife.date").get("/api/python.json").once().reply(200, PYTHON);
    const { http } = testClient();
    const ds = createDatasources({ http, now: () => NOW })["python-version"]!;
    const r = (await ds.getReleases(lookup("python-version", "python", ">=3.14,<4.0")))!;
    expect(r.releases.map((x) => x.version)).toEqual(["3.14.2", "3.8.20"]);
    expect(r.releases[1]).toMatchObject({ deprecated: true, deprecation_message: "python 3.8 reached its end of life" });
    expect(r.tag_latest).toBe("3.14.2");
    await ds.getReleases(lookup("python-version", "python", "3.14"));
    scope.done();
  });

  it("golang-version and rust-version ask their products; a bad answer is an error naming the request", async () => {
    nock("https://endoflife.date").get("/api/go.json").reply(200, [{ cycle: "1.26", eol: false, latest: "1.26.7", latestReleaseDate: "2026-11-05" }]);
    nock("https://endoflife.date").get("/api/rust.json").reply(200, { not: "a list" });
    const { http } = testClient();
    const all = createDatasources({ http, now: () => NOW });
    expect((await all["golang-version"]!.getReleases(lookup("golang-version", "go", "1.26.6")))!.tag_latest).toBe("1.26.7");
    const err = await all["rust-version"]!.getReleases(lookup("rust-version", "rust", "1.80.0")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect((err as Error).message).toMatch(/GET https:\/\/endoflife\.date\/api\/rust\.json: unexpected response/);
  });
});
