/**
 * The offline OSV index rule by rule (issue 18, mutation run of osv-offline.ts): what a record keeps
 * through packing (every field a match or a report reads, and nothing else), what is refused and why,
 * duplicates, the warning cap and the stats. Expected records are written by hand from the OSV schema
 * (https://ossf.github.io/osv-schema/) and the module's documented packing rules.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OSV_MAX_INFLATED_BYTES_ENV, OSV_MAX_ZIP_RATIO_ENV, OsvOfflineIndex } from "../../../src/enrich/advisories/osv-offline.js";
import { advisoryQueryKey } from "../../../src/enrich/advisories/types.js";
import { writeZip } from "./zip.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "osv-rules-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
};

const load = (opts: Parameters<typeof OsvOfflineIndex.load>[1] = {}) => OsvOfflineIndex.load(dir, { env: {}, ...opts });

describe("OsvOfflineIndex: what a record keeps", () => {
  it("every field matching and reporting read survives packing, restricted to the package", async () => {
    put("GHSA-full.json", {
      id: "GHSA-full",
      modified: "2025-02-01T00:00:00Z",
      published: "2025-01-01T00:00:00Z",
      withdrawn: "2025-03-01T00:00:00Z",
      aliases: ["CVE-2025-1", "PYSEC-9"],
      summary: "  Header injection  ",
      details: "not kept",
      severity: [
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
        { type: "Ubuntu", score: "medium" },
      ],
      database_specific: { severity: "HIGH", other: "dropped" },
      references: [
        { type: "WEB", url: "https://web.test" },
        { type: "ADVISORY", url: "https://adv.test" },
      ],
      affected: [
        {
          package: { ecosystem: "PyPI", name: "Example_Pkg" },
          ranges: [
            { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.2" }, { introduced: "2.0" }, { last_affected: "2.1" }] },
            { type: "SEMVER", events: [{ introduced: "3.0.0" }, { limit: "3.5.0" }] },
          ],
          versions: ["1.0", "1.1"],
          ecosystem_specific: { severity: "LOW" },
        },
        { package: { ecosystem: "PyPI", name: "example-pkg" }, ranges: [], versions: ["9.9"], database_specific: { severity: "CRITICAL" } },
        { package: { ecosystem: "npm", name: "other" }, versions: ["1.0.0"] },
      ],
    });
    const index = await load();
    expect(index.lookup("PyPI", "example.pkg")).toEqual([
      {
        id: "GHSA-full",
        aliases: ["CVE-2025-1", "PYSEC-9"],
        summary: "Header injection",
        published: "2025-01-01T00:00:00Z",
        modified: "2025-02-01T00:00:00Z",
        withdrawn: "2025-03-01T00:00:00Z",
        severity: [
          { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
          { type: "Ubuntu", score: "medium" },
        ],
        database_specific: { severity: "HIGH" },
        references: [{ type: "ADVISORY", url: "https://adv.test" }],
        affected: [
          {
            package: { ecosystem: "PyPI", name: "Example_Pkg" },
            ranges: [
              { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.2" }, { introduced: "2.0" }, { last_affected: "2.1" }] },
              { type: "SEMVER", events: [{ introduced: "3.0.0" }, { limit: "3.5.0" }] },
            ],
            versions: ["1.0", "1.1"],
            database_specific: { severity: "LOW" },
          },
          { package: { ecosystem: "PyPI", name: "Example_Pkg" }, ranges: [], versions: ["9.9"], database_specific: { severity: "CRITICAL" } },
        ],
      },
    ]);
    expect(index.lookup("npm", "other")[0].affected).toEqual([{ package: { ecosystem: "npm", name: "other" }, ranges: [], versions: ["1.0.0"] }]);
    expect(index.stats).toMatchObject({ files: 1, records: 1, skipped: 0, packages: 2 });
  });

  it("a bare record: no optional field invented", async () => {
    put("a/B-1.json", { id: "B-1", affected: [{ package: { ecosystem: "npm", name: "bare" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }] }] }] });
    const index = await load();
    expect(index.lookup("npm", "bare")).toEqual([
      { id: "B-1", aliases: [], summary: "", severity: [], references: [], affected: [{ package: { ecosystem: "npm", name: "bare" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }] }], versions: [] }] },
    ]);
  });

  it("summary: from the details' first paragraph when missing, on one line, cut at 160 characters", async () => {
    put("S-1.json", { id: "S-1", details: "  First\tline\n  goes on.\n\nSecond.", affected: [{ package: { ecosystem: "npm", name: "s1" } }] });
    put("S-2.json", { id: "S-2", summary: "x".repeat(161), affected: [{ package: { ecosystem: "npm", name: "s2" } }] });
    put("S-3.json", { id: "S-3", summary: "y".repeat(160), affected: [{ package: { ecosystem: "npm", name: "s3" } }] });
    put("S-4.json", { id: "S-4", summary: "line\u0001one", affected: [{ package: { ecosystem: "npm", name: "s4" } }] });
    const index = await load();
    expect(["s1", "s2", "s3", "s4"].map((n) => index.lookup("npm", n)[0].summary)).toEqual(["First line goes on.", `${"x".repeat(159)}…`, "y".repeat(160), "line one"]);
  });

  it("the link is the ADVISORY reference, else the WEB one, else none", async () => {
    put("L-1.json", { id: "L-1", references: [{ type: "PACKAGE", url: "https://p.test" }, { type: "WEB", url: "https://w.test" }], affected: [{ package: { ecosystem: "npm", name: "l1" } }] });
    put("L-2.json", { id: "L-2", references: [{ type: "PACKAGE", url: "https://p.test" }], affected: [{ package: { ecosystem: "npm", name: "l2" } }] });
    const index = await load();
    expect(index.lookup("npm", "l1")[0].references).toEqual([{ type: "ADVISORY", url: "https://w.test" }]);
    expect(index.lookup("npm", "l2")[0].references).toEqual([]);
  });

  it("the informational flag survives, on the record, beside the severity word", async () => {
    put("RUSTSEC-1.json", {
      id: "RUSTSEC-1",
      database_specific: { severity: "LOW" },
      affected: [{ package: { ecosystem: "crates.io", name: "bincode" }, database_specific: { informational: "unmaintained" } }],
    });
    put("RUSTSEC-2.json", { id: "RUSTSEC-2", affected: [{ package: { ecosystem: "crates.io", name: "plain" } }] });
    const index = await load();
    expect(index.lookup("crates.io", "bincode")[0].database_specific).toEqual({ severity: "LOW", informational: "unmaintained" });
    expect(index.lookup("crates.io", "plain")[0].database_specific).toBeUndefined();
  });

  it("a non-string severity word is dropped; the entry's database word wins over its ecosystem word", async () => {
    put("W-1.json", {
      id: "W-1",
      database_specific: { severity: 7 },
      affected: [{ package: { ecosystem: "npm", name: "w" }, database_specific: { severity: "HIGH" }, ecosystem_specific: { severity: "LOW" } }],
    });
    put("W-2.json", { id: "W-2", affected: [{ package: { ecosystem: "npm", name: "w" }, database_specific: { severity: 3 } }] });
    const index = await load();
    const [w1, w2] = index.lookup("npm", "w");
    expect(w1.database_specific).toBeUndefined();
    expect(w1.affected[0].database_specific).toEqual({ severity: "HIGH" });
    expect(w2.affected[0].database_specific).toBeUndefined();
  });
});

describe("OsvOfflineIndex: what is refused", () => {
  it("separator characters in ranges, versions or the id are refused with a warning; in free text they become spaces", async () => {
    put("C-1.json", {
      id: "C-1",
      aliases: ["CVE-2025-\u001f1"],
      affected: [
        { package: { ecosystem: "npm", name: "bad-version" }, versions: ["1.0\n0"] },
        { package: { ecosystem: "npm", name: "bad-range" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0\u001e" }] }] },
        { package: { ecosystem: "npm", name: "bad-type" }, ranges: [{ type: "SEM\u001dVER", events: [] }] },
        { package: { ecosystem: "npm", name: "good" }, versions: ["1.0.0"] },
      ],
      severity: [{ type: "CVSS_V3", score: "CVSS:3.1/\n" }, { type: "Ubuntu", score: "low" }],
    });
    put("C-2.json", { id: "C-2\u001f", affected: [{ package: { ecosystem: "npm", name: "good" }, versions: ["1.0.0"] }] });
    const index = await load();
    expect(index.lookup("npm", "good").map((r) => [r.id, r.aliases, r.severity])).toEqual([["C-1", ["CVE-2025- 1"], [{ type: "Ubuntu", score: "low" }]]]);
    for (const n of ["bad-version", "bad-range", "bad-type"]) expect(index.lookup("npm", n)).toEqual([]);
    const file = path.join(dir, "C-1.json");
    expect(index.warnings).toEqual([
      { file, id: "C-1", message: "OSV record C-1: affected entry for bad-version has control characters; skipped" },
      { file, id: "C-1", message: "OSV record C-1: affected entry for bad-range has control characters; skipped" },
      { file, id: "C-1", message: "OSV record C-1: affected entry for bad-type has control characters; skipped" },
      { file: path.join(dir, "C-2.json"), message: "OSV record with control characters in its id skipped" },
    ]);
    expect(index.stats).toMatchObject({ files: 2, records: 1, skipped: 1 });
  });

  it("records without a package, or only of other ecosystems, are counted as skipped without a warning", async () => {
    put("N-1.json", { id: "N-1", affected: [{ ranges: [] }] });
    put("N-2.json", { id: "N-2", affected: [{ package: { ecosystem: "Go", name: "x" } }] });
    put("N-3.json", { id: "N-3", affected: [{ package: { ecosystem: "npm", name: "kept" } }, { package: { ecosystem: "Go", name: "dropped" } }] });
    const index = await load({ ecosystems: ["npm"] });
    expect(index.warnings).toEqual([]);
    expect(index.stats).toMatchObject({ files: 3, records: 1, skipped: 2, packages: 1 });
    expect([...index.packages()]).toEqual([{ ecosystem: "npm", name: "kept" }]);
    expect(index.hasEcosystem("npm")).toBe(true);
    expect(index.hasEcosystem("Go")).toBe(false);
  });

  it("invalid records name their id when they have one; a file may hold a list of records", async () => {
    const file = put("list.json", [
      { id: "OK-1", affected: [{ package: { ecosystem: "npm", name: "ok" } }] },
      { id: "BAD-1", affected: "nope" },
      { summary: "no id" },
    ]);
    const index = await load();
    expect(index.lookup("npm", "ok").map((r) => r.id)).toEqual(["OK-1"]);
    expect(index.warnings.map((w) => [w.file, w.id, w.message.replace(/: .*$/, "")])).toEqual([
      [file, "BAD-1", "invalid OSV record BAD-1 skipped"],
      [file, undefined, "invalid OSV record skipped"],
    ]);
    expect("id" in index.warnings[1]).toBe(false);
    expect(index.stats).toMatchObject({ files: 1, records: 1, skipped: 2 });
  });

  it("only .json and .zip files are read from a directory; a single file path is read whatever its name", async () => {
    put("README.md", "not osv");
    put("sub/R-1.json", { id: "R-1", affected: [{ package: { ecosystem: "npm", name: "r" } }] });
    const index = await load();
    expect(index.stats.files).toBe(1);
    const single = put("record.txt", { id: "T-1", affected: [{ package: { ecosystem: "npm", name: "t" } }] });
    const one = await OsvOfflineIndex.load(single, { env: {} });
    expect(one.lookup("npm", "t").map((r) => r.id)).toEqual(["T-1"]);
  });

  it("keeps at most 500 warnings and says how many more there were", async () => {
    for (let i = 0; i < 503; i++) put(`bad-${String(i).padStart(3, "0")}.json`, "{");
    const index = await load();
    expect(index.warnings).toHaveLength(501);
    expect(index.warnings[500]).toEqual({ message: "3 more warnings not shown" });
    expect(index.stats).toMatchObject({ files: 503, skipped: 503, records: 0 });
  });

  it("exactly 500 warnings: no extra line", async () => {
    for (let i = 0; i < 500; i++) put(`bad-${String(i).padStart(3, "0")}.json`, "{");
    const index = await load();
    expect(index.warnings).toHaveLength(500);
    expect(index.warnings.every((w) => w.message.startsWith("OSV file is not valid JSON"))).toBe(true);
  });
});

describe("OsvOfflineIndex: duplicates and queries", () => {
  const rec = (modified: string | undefined, summary: string) => ({ id: "D-1", ...(modified ? { modified } : {}), summary, affected: [{ package: { ecosystem: "npm", name: "dup" } }] });

  it("a record present twice keeps its latest copy, whichever is read first", async () => {
    put("a.json", rec("2025-01-01T00:00:00Z", "old"));
    put("b.json", rec("2025-06-01T00:00:00Z", "new"));
    expect((await load()).lookup("npm", "dup").map((r) => r.summary)).toEqual(["new"]);
    rmSync(path.join(dir, "a.json"));
    put("c.json", rec("2025-01-01T00:00:00Z", "old"));
    expect((await load()).lookup("npm", "dup").map((r) => r.summary)).toEqual(["new"]);
  });

  it("equal dates: the copy read last wins; another id with a common prefix is another record", async () => {
    put("a.json", rec("2025-01-01T00:00:00Z", "first"));
    put("b.json", rec("2025-01-01T00:00:00Z", "second"));
    put("c.json", { id: "D-10", summary: "other", affected: [{ package: { ecosystem: "npm", name: "dup" } }] });
    expect((await load()).lookup("npm", "dup").map((r) => [r.id, r.summary])).toEqual([["D-1", "second"], ["D-10", "other"]]);
  });

  it("a zip and a directory copy of a record are one record", async () => {
    put("x/D-1.json", rec("2025-01-01T00:00:00Z", "dir"));
    await writeZip(path.join(dir, "all.zip"), { "D-1.json": JSON.stringify(rec("2025-02-01T00:00:00Z", "zip")), "readme.txt": "x" });
    const index = await load();
    expect(index.lookup("npm", "dup").map((r) => r.summary)).toEqual(["zip"]);
    expect(index.stats.files).toBe(2);
  });

  it("query answers every package once, by normalised name, an empty list for unknown ones", async () => {
    put("Q-1.json", { id: "Q-1", affected: [{ package: { ecosystem: "PyPI", name: "Flask_Login" } }] });
    const index = await load();
    const q = (name: string) => ({ ecosystem: "PyPI", name, version: "1.0" });
    const out = await index.query([q("flask-login"), q("Flask.Login"), q("django")]);
    expect([...out.keys()]).toEqual([advisoryQueryKey(q("flask-login")), advisoryQueryKey(q("django"))]);
    expect(out.get(advisoryQueryKey(q("flask-login")))!.map((r) => r.id)).toEqual(["Q-1"]);
    expect(out.get(advisoryQueryKey(q("django")))).toEqual([]);
    expect([...index.packages()]).toEqual([{ ecosystem: "PyPI", name: "Flask_Login" }]);
    expect(index.size).toBe(1);
  });
});

describe("OsvOfflineIndex: limits from the environment", () => {
  async function bigEntryZip(): Promise<string> {
    // Over 1 MiB of one repeated version: compresses far over 100:1.
    const body = JSON.stringify([{ id: "Z-1", affected: [{ package: { ecosystem: "npm", name: "z" }, versions: Array(250_000).fill("1.0.0") }] }]);
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const file = path.join(dir, "z.zip");
    await writeZip(file, { "Z-1.json": body });
    return file;
  }

  it("COWABUNGA_OSV_MAX_ZIP_RATIO: a positive number is the ratio; blank, zero or garbage keep 100:1", async () => {
    const file = await bigEntryZip();
    const strict = await OsvOfflineIndex.load(file, { env: { [OSV_MAX_ZIP_RATIO_ENV]: " 10 " } });
    expect(strict.stats.records).toBe(0);
    expect(strict.warnings[0].message).toMatch(/over the 10:1 ratio limit/);
    for (const v of ["", "  ", "0", "-5", "lots"]) {
      const idx = await OsvOfflineIndex.load(file, { env: { [OSV_MAX_ZIP_RATIO_ENV]: v } });
      // 100:1 refuses this entry too (it compresses about 1000:1): the message names the default.
      expect(idx.warnings[0].message).toMatch(/over the 100:1 ratio limit/);
    }
    // An explicit option wins over the environment.
    const loose = await OsvOfflineIndex.load(file, { maxZipRatio: 100_000, env: { [OSV_MAX_ZIP_RATIO_ENV]: "10" } });
    expect(loose.lookup("npm", "z").map((r) => r.id)).toEqual(["Z-1"]);
  });

  it("COWABUNGA_OSV_MAX_INFLATED_BYTES caps the whole archive", async () => {
    const file = await bigEntryZip();
    const idx = await OsvOfflineIndex.load(file, { maxZipRatio: 100_000, env: { [OSV_MAX_INFLATED_BYTES_ENV]: "1000" } });
    expect(idx.stats.records).toBe(0);
    expect(idx.warnings[0].message).toBe("OSV zip: the rest of the archive is skipped from Z-1.json: it would inflate past the 1000-byte limit per archive");
  });
});
