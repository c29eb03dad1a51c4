import nock from "nock";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { enrichDependencies } from "../../src/enrich/index.js";
import { createDatasources } from "../../src/enrich/datasources/index.js";
import { HttpClient } from "../../src/enrich/http.js";
import { dep, scanOf } from "./helpers-enrich.js";

const REGISTRY = "https://registry.cache.test";
const clock = (): Date => new Date("2026-01-31T00:00:00Z");

function packument(name: string): object {
  return {
    name,
    "dist-tags": { latest: "1.1.0" },
    versions: { "1.0.0": {}, "1.1.0": {} },
    time: { "1.0.0": "2024-01-01T00:00:00.000Z", "1.1.0": "2025-01-01T00:00:00.000Z" },
  };
}

/** 10 repositories; each uses 8 shared packages (80%) and 2 of its own. */
function repositories(): { scans: ReturnType<typeof scanOf>[]; unique: string[] } {
  const shared = Array.from({ length: 8 }, (_, i) => `shared-${i}`);
  const unique = new Set(shared);
  const scans = Array.from({ length: 10 }, (_, r) => {
    const own = [`own-${r}-a`, `own-${r}-b`];
    own.forEach((n) => unique.add(n));
    return scanOf([...shared, ...own].map((n) => dep(n, "1.0.0")), { source: `repo-${r}` });
  });
  return { scans, unique: [...unique] };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe("cache measure: one shared HttpClient across repositories", () => {
  for (const mode of ["one after another", "all at once"] as const) {
    it(`10 repositories sharing 80% of their dependencies cost one registry request per unique package (${mode})`, async () => {
      const { scans, unique } = repositories();
      expect(unique).toHaveLength(28);
      const scope = nock(REGISTRY);
      for (const name of unique) scope.get(`/${name}`).once().reply(200, packument(name));
      const http = new HttpClient({ urlGuard: null, retries: 0 });
      const datasources = createDatasources({ http, registries: { npm: REGISTRY } });
      const run = (s: (typeof scans)[number]) => enrichDependencies(s, { http, datasources, advisories: null, clock });
      const results = mode === "all at once" ? await Promise.all(scans.map(run)) : await scans.reduce(async (acc, s) => [...(await acc), await run(s)], Promise.resolve([] as Awaited<ReturnType<typeof run>>[]));
      scope.done();
      expect(http.requestCount()).toBe(unique.length);
      expect(http.requestCount("registry.cache.test")).toBe(28);
      for (const r of results) {
        expect(r.dependencies).toHaveLength(10);
        for (const d of r.dependencies) expect(d).toMatchObject({ latest_version: "1.1.0", update_type: "minor", lookup: { status: "ok" } });
      }
    });
  }
});
