import { describe, expect, it } from "vitest";
import { ecosystemForDatasource, findVulnerabilities } from "../../../src/enrich/advisories/index.js";
import { advisoryQueryKey, type AdvisorySource, type AdvisoryWarning, type OsvVulnerability, type PackageQuery } from "../../../src/enrich/advisories/types.js";
import { eco, record } from "./helpers.js";

/** An in-memory source returning the given records for every package. */
function fakeSource(records: OsvVulnerability[]): AdvisorySource & { asked: PackageQuery[] } {
  const asked: PackageQuery[] = [];
  return {
    name: "fake",
    asked,
    warnings: [] as AdvisoryWarning[],
    async query(pkgs) {
      asked.push(...pkgs);
      return new Map(pkgs.map((p) => [advisoryQueryKey(p), records]));
    },
  };
}

describe("findVulnerabilities", () => {
  it("maps datasources to OSV ecosystems", () => {
    expect(["npm", "pypi", "crates", "go", "docker", "helm"].map((d) => ecosystemForDatasource(d as never))).toEqual([
      "npm",
      "PyPI",
      "crates.io",
      "Go",
      null,
      null,
    ]);
  });

  it("combines several advisories: CVE ids, max score, one version fixing all fixable ones", async () => {
    const a = record("PYSEC-1", "PyPI", "jinja2", [eco({ introduced: "0" }, { fixed: "2.10.1" })], {
      aliases: ["CVE-2019-10906", "GHSA-x"],
      severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N" }],
    });
    const b = record("CVE-2020-28493", "PyPI", "jinja2", [eco({ introduced: "0" }, { fixed: "2.11.3" })], {
      database_specific: { severity: "MODERATE" },
    });
    const c = record("PYSEC-3", "PyPI", "jinja2", [eco({ introduced: "2.0" })], { database_specific: { severity: "LOW" } });
    const report = await findVulnerabilities([{ datasource: "pypi", name: "Jinja2", version: "2.10" }], fakeSource([a, b, c]));
    const r = report.results[0];
    expect(r.advisories.map((x) => [x.id, x.fixed_version])).toEqual([
      ["PYSEC-1", "2.10.1"],
      ["CVE-2020-28493", "2.11.3"],
      ["PYSEC-3", null],
    ]);
    expect(r.cve_ids).toEqual(["CVE-2019-10906", "CVE-2020-28493"]);
    expect(r.vulnerability_score).toBe(7.5);
    expect(r.vulnerability_score_estimated).toBe(false);
    expect(r.fixed_version).toBe("2.11.3");
    expect(r.patch_available).toBe(true);
    expect(r.advisories[0].url).toBe("https://osv.dev/vulnerability/PYSEC-1");
  });

  it("a version not yet affected gets nothing", async () => {
    const a = record("X-1", "npm", "minimist", [{ type: "SEMVER", events: [{ introduced: "1.0.0" }, { fixed: "1.2.6" }] }]);
    const report = await findVulnerabilities([{ datasource: "npm", name: "minimist", version: "0.2.4" }], fakeSource([a]));
    expect(report.results[0]).toMatchObject({ checked: true, advisories: [], cve_ids: [], vulnerability_score: null, patch_available: false });
  });

  it("does not query what cannot be matched, and survives a throwing source", async () => {
    const src = fakeSource([]);
    await findVulnerabilities(
      [
        { datasource: "docker", name: "node", version: "20" },
        { datasource: "npm", name: "x", version: "^1.0.0" },
        { datasource: "npm", name: "y", version: "1.0.0" },
      ],
      src,
    );
    expect(src.asked).toEqual([{ ecosystem: "npm", name: "y", version: "1.0.0" }]);

    const broken: AdvisorySource = {
      name: "broken",
      warnings: [],
      query: () => Promise.reject(new Error("boom")),
    };
    const report = await findVulnerabilities([{ datasource: "npm", name: "y", version: "1.0.0" }], broken);
    expect(report.results[0].checked).toBe(false);
    expect(report.warnings[0].message).toMatch(/broken.*boom/);
  });

  it("hostile strings in records do not throw and are reported", async () => {
    const a = record("EVIL-1", "npm", "z", [{ type: "SEMVER", events: [{ introduced: "0" }] }], {
      severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/../../etc/passwd" }],
      summary: "<img src=x onerror=alert(1)>",
      published: "not a date",
    });
    const report = await findVulnerabilities([{ datasource: "npm", name: "z", version: "1.0.0" }], fakeSource([a]));
    expect(report.results[0].advisories[0]).toMatchObject({ id: "EVIL-1", score: null, published: null, summary: "<img src=x onerror=alert(1)>" });
    expect(report.warnings.map((w) => w.message).join()).toMatch(/EVIL-1/);
  });
});
