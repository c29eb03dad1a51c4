import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { findVulnerabilities } from "../../../src/enrich/advisories/index.js";
import { isAffected } from "../../../src/enrich/advisories/match.js";
import { OsvOfflineIndex } from "../../../src/enrich/advisories/osv-offline.js";
import { writeZip } from "./zip.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const MIRROR = path.resolve(here, "../../fixtures/enrich/osv/mirror");
const tmp = mkdtempSync(path.join(tmpdir(), "osv-offline-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("OsvOfflineIndex from a directory tree", () => {
  it("indexes valid records recursively and warns about the bad files by name", async () => {
    const index = await OsvOfflineIndex.load(MIRROR);
    expect(index.stats.records).toBe(4);
    expect(index.stats.skipped).toBe(2);
    const files = index.warnings.map((w) => path.basename(w.file ?? ""));
    expect(files.sort()).toEqual(["BROKEN-1.json", "INVALID-1.json"]);
    expect(index.warnings.find((w) => w.file?.endsWith("BROKEN-1.json"))?.message).toMatch(/not valid JSON/);
    expect(index.warnings.find((w) => w.file?.endsWith("INVALID-1.json"))?.message).toMatch(/INVALID-1.*exactly one/);
  });

  it("looks packages up by PEP 503 name and keeps only what matching needs", async () => {
    const index = await OsvOfflineIndex.load(MIRROR);
    const recs = index.lookup("PyPI", "EXAMPLE.pkg");
    expect(recs.map((r) => r.id).sort()).toEqual(["TEST-PY-1", "TEST-PY-2"]);
    const r1 = recs.find((r) => r.id === "TEST-PY-1")!;
    expect(r1.details).toBeUndefined();
    expect(r1.summary).toBe("Example-Pkg before 2.3.1 mishandles headers.");
    expect(r1.references).toEqual([{ type: "ADVISORY", url: "https://example.test/advisory/TEST-PY-1" }]);
    expect(r1.affected[0].ranges.map((r) => r.type)).toEqual(["GIT", "ECOSYSTEM"]);
    expect(r1.affected[0].versions).toEqual(["2.0", "2.3.0"]);
    // A record naming two packages is indexed under each, restricted to that package.
    const py = index.lookup("PyPI", "tiny_lib_py");
    expect(py.map((r) => r.id)).toEqual(["TEST-NPM-1"]);
    expect(py[0].affected).toHaveLength(1);
    expect(index.lookup("npm", "Tiny-Lib")).toEqual([]);
  });

  it("answers findVulnerabilities with no network", async () => {
    const index = await OsvOfflineIndex.load(MIRROR);
    const report = await findVulnerabilities(
      [
        { datasource: "pypi", name: "example-pkg", version: "2.3.0" },
        { datasource: "pypi", name: "example-pkg", version: "2.3.1" },
        { datasource: "pypi", name: "gitonly", version: "1.0" },
        { datasource: "pypi", name: "gitonly", version: "1.1" },
        { datasource: "npm", name: "tiny-lib", version: "2.1.0" },
        { datasource: "npm", name: "tiny-lib", version: "2.1.1" },
        { datasource: "npm", name: "tiny-lib", version: "1.0.0" },
        { datasource: "docker", name: "python", version: "3.12" },
        { datasource: "npm", name: "tiny-lib", version: "^1.0.0" },
      ],
      index,
    );
    const [a, b, c, d, e, f, g, h, i] = report.results;
    expect(a.advisories.map((x) => x.id)).toEqual(["TEST-PY-1"]); // TEST-PY-2 is withdrawn
    expect(a).toMatchObject({ checked: true, cve_ids: ["CVE-2024-11111"], vulnerability_score: 6.1, patch_available: true, fixed_version: "2.3.1" });
    expect(a.advisories[0]).toMatchObject({ id: "TEST-PY-1", cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", published: "2024-02-01T00:00:00.000Z" });
    expect(b.advisories).toEqual([]);
    expect(c.advisories.map((x) => x.id)).toEqual(["TEST-PY-3"]);
    expect(c).toMatchObject({ patch_available: false, fixed_version: null, vulnerability_score: null });
    expect(d.advisories).toEqual([]);
    // last_affected 2.1.0 with no fix: affected, no patch
    expect(e).toMatchObject({ vulnerability_score: 7.5, vulnerability_score_estimated: true, patch_available: false });
    expect(f.advisories).toEqual([]);
    expect(g).toMatchObject({ fixed_version: "1.2.4", patch_available: true });
    expect(h).toMatchObject({ checked: false, reason: expect.stringMatching(/no OSV ecosystem/) });
    expect(i).toMatchObject({ checked: false, reason: expect.stringMatching(/not a concrete/) });
  });

  it("a missing path gives a warning, not an exception", async () => {
    const index = await OsvOfflineIndex.load(path.join(tmp, "nope"));
    expect(index.size).toBe(0);
    expect(index.warnings[0].message).toMatch(/not readable/);
  });
});

describe("OsvOfflineIndex from all.zip exports", () => {
  it("streams JSON entries out of a zip and warns about corrupt entries", async () => {
    const dir = path.join(tmp, "zips", "crates.io");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    const rec = (id: string, name: string, fixed: string): string =>
      JSON.stringify({
        id,
        modified: "2024-01-01T00:00:00Z",
        affected: [{ package: { ecosystem: "crates.io", name }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed }] }] }],
      });
    await writeZip(path.join(dir, "all.zip"), {
      "RUSTSEC-2024-0001.json": rec("RUSTSEC-2024-0001", "smallvec", "1.6.1"),
      "RUSTSEC-2024-0002.json": rec("RUSTSEC-2024-0002", "smallvec", "0.6.14"),
      "RUSTSEC-2024-0003.json": "{ truncated",
      "README.md": "ignored",
    });
    const index = await OsvOfflineIndex.load(path.join(tmp, "zips"));
    expect(index.stats.records).toBe(2);
    expect(index.warnings).toHaveLength(1);
    expect(index.warnings[0].file).toMatch(/all\.zip!RUSTSEC-2024-0003\.json$/);
    const recs = index.lookup("crates.io", "smallvec");
    expect(recs.map((r) => r.id).sort()).toEqual(["RUSTSEC-2024-0001", "RUSTSEC-2024-0002"]);
    expect(recs.filter((r) => isAffected(r, "crates.io", "smallvec", "1.6.0")).map((r) => r.id)).toEqual(["RUSTSEC-2024-0001"]);
  });

  it("streams large zips through yauzl with the same result", async () => {
    const file = path.join(tmp, "stream.zip");
    const rec = (id: string, fixed: string): string =>
      JSON.stringify({
        id,
        affected: [{ package: { ecosystem: "Go", name: "golang.org/x/text" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed }] }] }],
      });
    await writeZip(file, { "GO-1.json": rec("GO-1", "0.3.8"), "GO-2.json": rec("GO-2", "0.3.3"), "bad.json": "[1," });
    const index = await OsvOfflineIndex.load(file, { maxBufferedZipBytes: 0 });
    expect(index.stats.records).toBe(2);
    expect(index.warnings.map((w) => w.file)).toEqual([`${file}!bad.json`]);
    const report = await findVulnerabilities([{ datasource: "go", name: "golang.org/x/text", version: "v0.3.5" }], index);
    expect(report.results[0].advisories.map((a) => a.id)).toEqual(["GO-1"]);
    expect(report.results[0].fixed_version).toBe("v0.3.8");
  });

  it("a file that is not a zip is reported by name", async () => {
    const bad = path.join(tmp, "bad.zip");
    writeFileSync(bad, "PK not really");
    const index = await OsvOfflineIndex.load(bad);
    expect(index.size).toBe(0);
    expect(index.warnings[0]).toMatchObject({ file: bad, message: expect.stringMatching(/zip not readable/) });
  });

  it("restricts to the requested ecosystems", async () => {
    const index = await OsvOfflineIndex.load(MIRROR, { ecosystems: ["npm"] });
    expect(index.lookup("PyPI", "example-pkg")).toEqual([]);
    expect(index.lookup("npm", "tiny-lib").map((r) => r.id)).toEqual(["TEST-NPM-1"]);
  });
});
