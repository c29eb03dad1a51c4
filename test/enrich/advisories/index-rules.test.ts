/**
 * findVulnerabilities rule by rule (issue 18, mutation run of advisories/index.ts): Go's "v" prefix,
 * the advisory fields shown to users (link, summary, date), why a dependency is not checked, duplicate
 * records and warnings, informational advisories, the best score and the one version fixing all.
 * Expected values are worked out by hand from the records in each test.
 */
import { describe, expect, it } from "vitest";
import { findVulnerabilities } from "../../../src/enrich/advisories/index.js";
import { advisoryQueryKey, type AdvisorySource, type AdvisoryWarning, type OsvVulnerability, type PackageQuery } from "../../../src/enrich/advisories/types.js";
import { eco, record, sem } from "./helpers.js";

function source(records: OsvVulnerability[], opts: { warnings?: AdvisoryWarning[]; only?: (q: PackageQuery) => boolean } = {}): AdvisorySource & { asked: PackageQuery[] } {
  const asked: PackageQuery[] = [];
  return {
    name: "fake",
    asked,
    warnings: opts.warnings ?? [],
    async query(pkgs) {
      asked.push(...pkgs);
      return new Map(pkgs.filter((p) => opts.only?.(p) ?? true).map((p) => [advisoryQueryKey(p), records]));
    },
  };
}

const V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"; // 9.8
const V30 = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"; // 7.5

describe("findVulnerabilities: Go versions", () => {
  it("asks without the leading v and shows fixes with it", async () => {
    const rec = record("GO-2024-1", "Go", "golang.org/x/net", [sem({ introduced: "0" }, { fixed: "0.23.0" })]);
    const src = source([rec]);
    const report = await findVulnerabilities([{ datasource: "go", name: "golang.org/x/net", version: " v0.22.0 " }], src);
    expect(src.asked).toEqual([{ ecosystem: "Go", name: "golang.org/x/net", version: "0.22.0" }]);
    expect(report.results[0]).toMatchObject({ checked: true, fixed_version: "v0.23.0", patch_available: true });
    expect(report.results[0].advisories[0].fixed_version).toBe("v0.23.0");
  });

  it("other ecosystems keep their versions as written (trimmed); a 'v' is not stripped", async () => {
    const rec = record("GHSA-npm", "npm", "vite", [sem({ introduced: "0" }, { fixed: "5.0.1" })]);
    const src = source([rec]);
    const report = await findVulnerabilities([{ datasource: "npm", name: "vite", version: " 5.0.0 " }], src);
    expect(src.asked).toEqual([{ ecosystem: "npm", name: "vite", version: "5.0.0" }]);
    expect(report.results[0].fixed_version).toBe("5.0.1");
  });
});

describe("findVulnerabilities: what each advisory shows", () => {
  const affecting = [eco({ introduced: "0" })];

  it("links the ADVISORY reference, else the WEB one, else OSV's page for the id", async () => {
    const refs = (...r: Array<[string, string]>) => ({ references: r.map(([type, url]) => ({ type, url })) });
    const recs = [
      record("A-1", "PyPI", "pkg", affecting, refs(["WEB", "https://web.test/a"], ["ADVISORY", "https://adv.test/a"])),
      record("A-2", "PyPI", "pkg", affecting, refs(["PACKAGE", "https://pkg.test"], ["WEB", "https://web.test/b"])),
      record("A 3/x", "PyPI", "pkg", affecting, refs(["PACKAGE", "https://pkg.test"])),
    ];
    const report = await findVulnerabilities([{ datasource: "pypi", name: "pkg", version: "1.0" }], source(recs));
    expect(report.results[0].advisories.map((a) => a.url)).toEqual(["https://adv.test/a", "https://web.test/b", "https://osv.dev/vulnerability/A%203%2Fx"]);
  });

  it("summary: the summary trimmed, else the first paragraph of the details on one line, cut at 300 characters", async () => {
    const long = "w".repeat(400);
    const recs = [
      record("S-1", "PyPI", "pkg", affecting, { summary: "  short summary  ", details: "ignored" }),
      record("S-2", "PyPI", "pkg", affecting, { details: "First   line\nsame paragraph.\n\nSecond paragraph." }),
      record("S-3", "PyPI", "pkg", affecting, { summary: "   ", details: "from details" }),
      record("S-4", "PyPI", "pkg", affecting, { summary: long }),
      record("S-5", "PyPI", "pkg", affecting, {}),
      record("S-6", "PyPI", "pkg", affecting, { summary: "x".repeat(300) }),
    ];
    const report = await findVulnerabilities([{ datasource: "pypi", name: "pkg", version: "1.0" }], source(recs));
    expect(report.results[0].advisories.map((a) => a.summary)).toEqual([
      "short summary",
      "First line same paragraph.",
      "from details",
      `${"w".repeat(299)}…`,
      "",
      "x".repeat(300),
    ]);
  });

  it("published as an ISO timestamp, null when missing or not a date; aliases copied", async () => {
    const recs = [
      record("P-1", "PyPI", "pkg", affecting, { published: "2024-03-05T10:00:00+02:00", aliases: ["CVE-2024-1"] }),
      record("P-2", "PyPI", "pkg", affecting, { published: "yesterday" }),
      record("P-3", "PyPI", "pkg", affecting, {}),
    ];
    const report = await findVulnerabilities([{ datasource: "pypi", name: "pkg", version: "1.0" }], source(recs));
    const a = report.results[0].advisories;
    expect(a.map((x) => x.published)).toEqual(["2024-03-05T08:00:00.000Z", null, null]);
    expect(a[0].aliases).toEqual(["CVE-2024-1"]);
    expect(a[0]).toMatchObject({ id: "P-1", kind: "vulnerability", score: null, score_estimated: false, cvss_vector: null, fixed_version: null });
  });
});

describe("findVulnerabilities: dependencies not checked", () => {
  it("says why, per dependency, in input order", async () => {
    const rec = record("X-1", "npm", "left-pad", [sem({ introduced: "0" }, { fixed: "2.0.0" })]);
    const src = source([rec], { only: (q) => q.name !== "missing" });
    const report = await findVulnerabilities(
      [
        { datasource: "docker", name: "node", version: "20" },
        { datasource: "npm", name: "left-pad", version: "~1.0.0" },
        { datasource: "npm", name: "missing", version: "1.0.0" },
        { datasource: "npm", name: "left-pad", version: "1.0.0" },
      ],
      src,
    );
    expect(report.results.map((r) => [r.checked, r.reason])).toEqual([
      [false, 'no OSV ecosystem for datasource "docker"'],
      [false, '"~1.0.0" is not a concrete npm version'],
      [false, "fake could not be queried for npm/missing"],
      [true, null],
    ]);
    expect(report.results[0]).toEqual({
      checked: false,
      reason: 'no OSV ecosystem for datasource "docker"',
      advisories: [],
      cve_ids: [],
      vulnerability_score: null,
      vulnerability_score_estimated: false,
      patch_available: false,
      fixed_version: null,
    });
  });

  it("a failing source is named in a warning, and the source's own warnings follow", async () => {
    const broken: AdvisorySource = { name: "mirror", warnings: [{ message: "file x.json skipped" }], query: () => Promise.reject(new Error("disk gone")) };
    const report = await findVulnerabilities([{ datasource: "npm", name: "y", version: "1.0.0" }], broken);
    expect(report.warnings).toEqual([{ message: "mirror: advisory query failed: disk gone" }, { message: "file x.json skipped" }]);
    const ok = await findVulnerabilities([{ datasource: "npm", name: "y", version: "1.0.0" }], source([], { warnings: [{ message: "stale mirror" }] }));
    expect(ok.warnings).toEqual([{ message: "stale mirror" }]);
  });
});

describe("findVulnerabilities: combining records", () => {
  it("a record listed twice counts once; a match warning is reported once for all dependencies", async () => {
    const rec = record("D-1", "npm", "dup", [sem({ introduced: "0" }, { fixed: "2.0.0" })], { severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N" }] });
    const report = await findVulnerabilities(
      [
        { datasource: "npm", name: "dup", version: "1.0.0" },
        { datasource: "npm", name: "dup", version: "1.5.0" },
      ],
      source([rec, rec]),
    );
    expect(report.results.map((r) => r.advisories.map((a) => a.id))).toEqual([["D-1"], ["D-1"]]);
    expect(report.warnings).toEqual([{ message: 'D-1: CVSS vector "CVSS:3.1/AV:N": base metric AC missing' }]);
  });

  it("a record that does not affect the version is not listed, even when its id repeats one that does", async () => {
    const affects = record("R-1", "npm", "p", [sem({ introduced: "0" }, { fixed: "2.0.0" })]);
    const other = record("R-2", "npm", "p", [sem({ introduced: "3.0.0" })]);
    const report = await findVulnerabilities([{ datasource: "npm", name: "p", version: "1.0.0" }], source([other, affects]));
    expect(report.results[0].advisories.map((a) => a.id)).toEqual(["R-1"]);
  });

  it("informational advisories are listed, but give no CVE, no score and no fix", async () => {
    const info = record("RUSTSEC-2025-1", "crates.io", "bincode", [sem({ introduced: "0" }, { fixed: "3.0.0" })], {
      aliases: ["CVE-2025-1111"],
      database_specific: { informational: "unmaintained", severity: "HIGH" },
    });
    const report = await findVulnerabilities([{ datasource: "crates", name: "bincode", version: "1.3.3" }], source([info]));
    expect(report.results[0]).toMatchObject({ checked: true, cve_ids: [], vulnerability_score: null, vulnerability_score_estimated: false, patch_available: false, fixed_version: null });
    expect(report.results[0].advisories.map((a) => [a.id, a.kind, a.fixed_version])).toEqual([["RUSTSEC-2025-1", "unmaintained", "3.0.0"]]);
  });

  it("CVE ids from ids and aliases, well-formed only, sorted and unique", async () => {
    const a = record("CVE-2024-0002", "npm", "p", [sem({ introduced: "0" })], { aliases: ["CVE-2023-12345", "GHSA-xxxx", "CVE-24-1", "cve-2024-0003"] });
    const b = record("GHSA-b", "npm", "p", [sem({ introduced: "0" })], { aliases: ["CVE-2023-12345", "CVE-2024-0001 "] });
    const report = await findVulnerabilities([{ datasource: "npm", name: "p", version: "1.0.0" }], source([a, b]));
    expect(report.results[0].cve_ids).toEqual(["CVE-2023-12345", "CVE-2024-0002"]);
  });

  it("the highest score is the dependency's, with its estimated flag; unscored records do not count", async () => {
    const word = record("W-1", "npm", "p", [sem({ introduced: "0" })], { database_specific: { severity: "CRITICAL" } }); // 9.0, estimated
    const vec = record("V-1", "npm", "p", [sem({ introduced: "0" })], { severity: [{ type: "CVSS_V3", score: V31 }] }); // 9.8
    const low = record("V-2", "npm", "p", [sem({ introduced: "0" })], { severity: [{ type: "CVSS_V3", score: V30 }] }); // 7.5
    const none = record("N-1", "npm", "p", [sem({ introduced: "0" })]);
    const q = [{ datasource: "npm" as const, name: "p", version: "1.0.0" }];
    expect((await findVulnerabilities(q, source([none, low, vec, word]))).results[0]).toMatchObject({ vulnerability_score: 9.8, vulnerability_score_estimated: false });
    expect((await findVulnerabilities(q, source([low, word, none]))).results[0]).toMatchObject({ vulnerability_score: 9.0, vulnerability_score_estimated: true });
    expect((await findVulnerabilities(q, source([word, low]))).results[0]).toMatchObject({ vulnerability_score: 9.0, vulnerability_score_estimated: true });
    expect((await findVulnerabilities(q, source([none]))).results[0]).toMatchObject({ vulnerability_score: null, vulnerability_score_estimated: false });
  });
});

describe("findVulnerabilities: the one version that fixes every fixable advisory", () => {
  const q = [{ datasource: "npm" as const, name: "p", version: "1.0.0" }];

  it("the lowest fix at or above every advisory's own fix that none of them affects", async () => {
    // A: fixed in 1.2.0 (and 2.1.0 on the 2.x line, affected from 2.0.0). B: fixed in 1.1.0, affected again 1.5.0–1.6.0.
    const a = record("A", "npm", "p", [sem({ introduced: "0" }, { fixed: "1.2.0" }, { introduced: "2.0.0" }, { fixed: "2.1.0" })]);
    const b = record("B", "npm", "p", [sem({ introduced: "0" }, { fixed: "1.1.0" }, { introduced: "1.1.5" }, { fixed: "1.6.0" })]);
    // 1.2.0 is B's second affected range (1.1.5–1.6.0): the answer is 1.6.0.
    expect((await findVulnerabilities(q, source([a, b]))).results[0]).toMatchObject({ fixed_version: "1.6.0", patch_available: true });
    expect((await findVulnerabilities(q, source([a]))).results[0].fixed_version).toBe("1.2.0");
  });

  it("advisories without a fix, and informational ones, do not hold the fix back", async () => {
    const fixable = record("F", "npm", "p", [sem({ introduced: "0" }, { fixed: "1.3.0" })]);
    const noFix = record("NF", "npm", "p", [sem({ introduced: "0" })]);
    const info = record("I", "npm", "p", [sem({ introduced: "0" }, { fixed: "9.0.0" })], { database_specific: { informational: "unsound" } });
    expect((await findVulnerabilities(q, source([noFix, info, fixable]))).results[0]).toMatchObject({ fixed_version: "1.3.0", patch_available: true });
    expect((await findVulnerabilities(q, source([noFix, info]))).results[0]).toMatchObject({ fixed_version: null, patch_available: false });
  });

  it("no candidate clears them all: no fixed version", async () => {
    // A's fix 2.0.0 is inside B's range, B's fix 1.5.0 is below A's: every candidate ≥ 2.0.0 is affected by B.
    const a = record("A", "npm", "p", [sem({ introduced: "0" }, { fixed: "2.0.0" })]);
    const b = record("B", "npm", "p", [sem({ introduced: "0" }, { fixed: "1.5.0" }, { introduced: "1.8.0" })]);
    expect((await findVulnerabilities(q, source([a, b]))).results[0]).toMatchObject({ fixed_version: null, patch_available: false });
  });

  it("fix candidates that are not versions are ignored", async () => {
    const a = record("A", "npm", "p", [sem({ introduced: "0" }, { fixed: "1.4.0" })]);
    const b = record("B", "npm", "p", [sem({ introduced: "0" }, { fixed: "1.2.0" })], {});
    const odd = record("C", "npm", "p", [{ type: "GIT", events: [{ introduced: "0" }, { fixed: "abcdef1" }] }, sem({ introduced: "0" }, { fixed: "1.3.0" })]);
    expect((await findVulnerabilities(q, source([a, b, odd]))).results[0].fixed_version).toBe("1.4.0");
  });
});
