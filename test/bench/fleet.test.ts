/**
 * `npm run bench:fleet` (issue 11, item 9) in small: the generator against the corpus it reads, the fake
 * registries against the app's own parsers, and a tiny fleet end to end (3 repositories, serve + 1 worker,
 * real child processes over a PostgreSQL database of its own). The benchmark itself is not a test.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeRegistries, releasesOf } from "../../bench/fleet/fake-registries.js";
import { FLEET_CONFIG, describeFleet, generateFleet, loadCorpus } from "../../bench/fleet/generate.js";
import { runFleet } from "../../bench/fleet/run.js";
import { parseNpmPackument } from "../../src/enrich/datasources/npm.js";
import { parsePypiProject } from "../../src/enrich/datasources/pypi.js";
import { CORPUS, CORPUS_REPOS, corpusReposAvailable } from "../helpers/corpus.js";
import { postgresAvailable } from "../helpers/services.js";

const corpusOk = corpusReposAvailable("bench:fleet generator");
const pgOk = corpusOk && (await postgresAvailable("bench:fleet tiny fleet"));

describe.skipIf(!corpusOk)("bench:fleet: the generated fleet", () => {
  const sources = corpusOk ? loadCorpus(CORPUS_REPOS) : [];

  it("is the same for the same size, in three size classes, every file as it is in its corpus repository", () => {
    const a = generateFleet(sources, { count: 200 });
    const b = generateFleet(sources, { count: 200 });
    expect(a.map((r) => [r.fullName, Object.keys(r.files).length])).toEqual(b.map((r) => [r.fullName, Object.keys(r.files).length]));
    expect(new Set(a.map((r) => r.fullName)).size).toBe(200);
    const shape = describeFleet(a);
    // 50/35/15 % by a seeded draw: each class well represented.
    expect(shape.bySize.small).toBeGreaterThan(70);
    expect(shape.bySize.medium).toBeGreaterThan(45);
    expect(shape.bySize.large).toBeGreaterThan(12);
    expect(shape.files.max).toBeGreaterThan(shape.files.median);
    expect(new Set(a.map((r) => r.source)).size).toBe(readdirSync(CORPUS_REPOS).length);
    for (const r of a.slice(0, 40)) {
      expect(r.files[".github/cowabunga.yml"]).toBe(FLEET_CONFIG);
      expect(r.files["README.md"]).toMatch(/^# r\d+/);
      for (const [p, content] of Object.entries(r.files)) {
        if (p === "README.md" || p === ".github/cowabunga.yml") continue;
        expect(content, `${r.fullName}: ${p}`).toBe(readFileSync(path.join(CORPUS_REPOS, r.source, p), "utf8"));
      }
    }
  });
});

describe.skipIf(!corpusOk)("bench:fleet: the fake registries", () => {
  const reg = new FakeRegistries({ latencyMs: 1, osvDir: path.join(CORPUS, "osv") });
  beforeAll(() => reg.start());
  afterAll(() => reg.stop());

  it("answer in the registries' own formats, as the app's parsers read them", async () => {
    const npm = parseNpmPackument(await (await fetch(`${reg.env().COWABUNGA_REGISTRY_NPM}/left-pad`)).json(), "GET left-pad", reg.base);
    expect(npm.tag_latest).toBe(releasesOf("npm:left-pad").latest);
    expect(npm.releases).toHaveLength(24);
    const pypi = parsePypiProject(await (await fetch(`${reg.env().COWABUNGA_REGISTRY_PYPI}/pypi/flask/json`)).json(), "GET flask", reg.base);
    expect(pypi.tag_latest).toBe(releasesOf("pypi:flask").latest);
    expect(reg.requests.npm).toBe(1);
    expect(reg.requests.pypi).toBe(1);
  });

  it("OSV: a querybatch names the corpus records of the package, and each record can be fetched", async () => {
    // Oracle: one PyPI record of the corpus, read here directly.
    const dir = path.join(CORPUS, "osv", "PyPI");
    const file = readdirSync(dir).find((n) => n.endsWith(".json"))!;
    const rec = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { id: string; affected: Array<{ package: { name: string } }> };
    const res = await fetch(`${reg.env().COWABUNGA_REGISTRY_OSV}/v1/querybatch`, {
      method: "POST",
      body: JSON.stringify({ queries: [{ package: { ecosystem: "PyPI", name: rec.affected[0]!.package.name }, version: "0.0.1" }, { package: { ecosystem: "npm", name: "no-such-package-xyz" }, version: "1.0.0" }] }),
    });
    const body = (await res.json()) as { results: Array<{ vulns?: Array<{ id: string }> }> };
    expect(body.results).toHaveLength(2);
    expect(body.results[0]!.vulns?.map((v) => v.id)).toContain(rec.id);
    expect(body.results[1]!.vulns).toBeUndefined();
    const got = (await (await fetch(`${reg.env().COWABUNGA_REGISTRY_OSV}/v1/vulns/${rec.id}`)).json()) as { id: string };
    expect(got.id).toBe(rec.id);
  });
});

describe.skipIf(!pgOk)("bench:fleet: a tiny fleet end to end", () => {
  it("serve + 1 worker scan 3 small generated repositories; unchanged scans cost 1 read; each package is asked for once", async () => {
    const lines: string[] = [];
    const f = await runFleet({ repos: 3, shares: { small: 1 }, workers: 1, ackRate: 5, latencyMs: 5, timeoutMs: 150_000, progress: (l) => lines.push(l) });
    const context = lines.join("\n");
    expect(f.firstScan.complete, context).toBe(true);
    expect(f.firstScan.scanned).toBe(3);
    expect(f.firstScan.failedJobs).toBe(0);
    expect(f.firstScan.github.readsPerRepo).toBeGreaterThanOrEqual(3); // head, tree, contents at least
    expect(f.unchanged?.complete).toBe(true);
    expect(f.unchanged?.outcomes).toEqual({ unchanged: 3 });
    expect(f.unchanged?.github.readsPerRepo).toBe(1);
    expect(f.unchanged?.github.writesPerRepo).toBe(0);
    // The fleet shares one cache: no registry URL is fetched twice.
    expect(Object.values(f.registries.repeats).reduce((a, b) => a + b, 0)).toBe(0);
    expect(f.registries.requests.npm + f.registries.requests.pypi + f.registries.requests.go + f.registries.requests.crates).toBeGreaterThan(0);
    expect(f.ack.count).toBeGreaterThan(0);
    expect(f.ack.statuses).toEqual({ "200": f.ack.count });
    expect(f.database.bytesAfterFirst).toBeGreaterThan(0);
    expect(f.peakRss.serve).toBeGreaterThan(20 * 1024 * 1024);
    expect(f.peakRss["worker-a"]).toBeGreaterThan(20 * 1024 * 1024);
    expect(f.violations).toBe(0);
  }, 240_000);
});
