/**
 * CVSS vector checks, the choice of a record's score and the advisory kind, rule by rule (issue 18,
 * mutation run of cvss.ts and kind.ts). Scores are FIRST's published base scores; error texts are the
 * documented messages a warning shows.
 */
import { describe, expect, it } from "vitest";
import { scoreAdvisory, scoreCvssVector } from "../../../src/enrich/advisories/cvss.js";
import { advisoryKind } from "../../../src/enrich/advisories/kind.js";
import { OsvVulnerability } from "../../../src/enrich/advisories/types.js";

const V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"; // 9.8
const V31_LOW = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N"; // 3.7
const V30 = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"; // 7.5
const V2 = "AV:N/AC:M/Au:N/C:N/I:P/A:N"; // 4.3
const V40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"; // 9.3

const err = (v: unknown): string => {
  const r = scoreCvssVector(v);
  if (r.ok) throw new Error(`expected an error for ${String(v)}`);
  return r.error;
};

describe("scoreCvssVector: what each refusal says", () => {
  it("type and length", () => {
    expect(err(null)).toBe("CVSS vector is not a string");
    expect(err("   ")).toBe("CVSS vector has a bad length (0)");
    const long = `${V31}/${"E:U/".repeat(64)}`.slice(0, 301);
    expect(err(long)).toBe("CVSS vector has a bad length (301)");
  });

  it("a vector of exactly 300 characters is not refused for its length", () => {
    const padded = `${V31}${"/X:Y".repeat(100)}`.slice(0, 300);
    expect(padded).toHaveLength(300);
    expect(err(padded)).not.toMatch(/bad length/);
  });

  it("surrounding blanks are trimmed before scoring", () => {
    expect(scoreCvssVector(`  ${V31}\n`)).toEqual({ ok: true, score: 9.8, version: "3.1", vector: V31 });
  });

  it("characters, prefix, metrics", () => {
    expect(err(`${V31} `.replace("A:H ", "A:H;"))).toBe(`CVSS vector "${V31};" has illegal characters`);
    expect(err("CVSS:2.0/AV:N/AC:L")).toBe('CVSS vector "CVSS:2.0/AV:N/AC:L" has no known version prefix');
    expect(err("AV:X/AC:L")).toBe('CVSS vector "AV:X/AC:L" has no known version prefix');
    expect(err("CVSS:3.1/AV:N/AC:L/PR")).toBe('CVSS vector "CVSS:3.1/AV:N/AC:L/PR": malformed metric "PR"');
    expect(err("CVSS:3.1/AV:N/AV:N")).toBe('CVSS vector "CVSS:3.1/AV:N/AV:N": metric AV repeated');
    expect(err("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H")).toBe('CVSS vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H": base metric A missing');
    expect(err("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H")).toBe('CVSS vector "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H": S:X is not a legal value');
  });

  it("each version has its own base metrics", () => {
    // Au is a v2 metric: a v3.1 vector with it misses PR.
    expect(err("CVSS:3.1/AV:N/AC:L/Au:N/UI:N/S:U/C:H/I:H/A:H")).toMatch(/base metric PR missing$/);
    // v4 has VC/VI/VA, not C/I/A.
    expect(err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/C:H/I:H/A:H/SC:N/SI:N/SA:N")).toMatch(/base metric VC missing$/);
    // v2 vectors in parentheses, and v2 metrics are checked against v2 values.
    expect(err("(AV:N/AC:L/Au:X/C:P/I:P/A:P)")).toBe('CVSS vector "AV:N/AC:L/Au:X/C:P/I:P/A:P": Au:X is not a legal value');
    expect(scoreCvssVector(`(${V2})`)).toEqual({ ok: true, score: 4.3, version: "2.0", vector: V2 });
    expect(scoreCvssVector(V30)).toEqual({ ok: true, score: 7.5, version: "3.0", vector: V30 });
    expect(scoreCvssVector(V40)).toEqual({ ok: true, score: 9.3, version: "4.0", vector: V40 });
  });

  it("a metric the calculator does not know is reported, not thrown", () => {
    expect(err(`${V31}/E:Q`)).toBe(`CVSS vector "${V31}/E:Q": Unknown component value Q for component E`);
  });

  it("long or unprintable vectors are shortened in messages", () => {
    const long = `CVSS:3.1/${"AV:N/".repeat(30)}`;
    const e = err(long);
    expect(e).toBe(`CVSS vector "${long.slice(0, 77)}...": metric AV repeated`);
    const weird = scoreCvssVector("CVSS:3.1/AV:N\u0007");
    expect(weird).toEqual({ ok: false, error: 'CVSS vector "CVSS:3.1/AV:N?" has illegal characters' });
  });

  it("an 80-character text is shown whole", () => {
    const v = `CVSS:3.1/AV:N/AV:N/${"X".repeat(61)}`;
    expect(v).toHaveLength(80);
    expect(err(v)).toBe(`CVSS vector "${v}": metric AV repeated`);
  });
});

describe("scoreAdvisory: which score a record gets", () => {
  it("among vectors of one version, the highest score", () => {
    const s = scoreAdvisory({ id: "X", severity: [{ type: "CVSS_V3", score: V31_LOW }, { type: "CVSS_V3", score: V31 }] });
    expect(s).toEqual({ score: 9.8, score_estimated: false, cvss_vector: V31, cvss_version: "3.1" });
    const s2 = scoreAdvisory({ id: "X", severity: [{ type: "CVSS_V3", score: V31 }, { type: "CVSS_V3", score: V31_LOW }] });
    expect(s2.score).toBe(9.8);
  });

  it("a v2 vector alone, and a v3.0 over a v2", () => {
    expect(scoreAdvisory({ id: "X", severity: [{ type: "CVSS_V2", score: V2 }] })).toEqual({ score: 4.3, score_estimated: false, cvss_vector: V2, cvss_version: "2.0" });
    expect(scoreAdvisory({ id: "X", severity: [{ type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:C/I:C/A:C" }, { type: "CVSS_V3", score: V30 }] }).cvss_version).toBe("3.0");
  });

  it("entries of other types are severity words, read after every other place", () => {
    expect(scoreAdvisory({ id: "U", severity: [{ type: "Ubuntu", score: " high " }] })).toEqual({ score: 7.5, score_estimated: true, cvss_vector: null, cvss_version: null });
    // CVSS_V5 is no CVSS type we score: its text is read as a word (and is none).
    expect(scoreAdvisory({ id: "U", severity: [{ type: "CVSS_V5", score: "CRITICAL" }] }).score).toBe(9.0);
    expect(
      scoreAdvisory({ id: "U", severity: [{ type: "Ubuntu", score: "LOW" }], affected: [{ ranges: [], versions: [], ecosystem_specific: { severity: "HIGH" } }] }).score,
    ).toBe(7.5);
  });

  it("the record's word first, then each affected entry's database word, then its ecosystem word", () => {
    const affected = (db: unknown, ecosystem: unknown) => ({ ranges: [], versions: [], database_specific: { severity: db }, ecosystem_specific: { severity: ecosystem } });
    expect(scoreAdvisory({ id: "A", severity: [], database_specific: { severity: "LOW" }, affected: [affected("HIGH", "CRITICAL")] }).score).toBe(2.5);
    expect(scoreAdvisory({ id: "A", severity: [], affected: [affected("HIGH", "LOW")] }).score).toBe(7.5);
    expect(scoreAdvisory({ id: "A", severity: [], affected: [affected(undefined, "LOW"), affected("CRITICAL", undefined)] }).score).toBe(2.5);
    // Unknown words and non-strings are passed over.
    expect(scoreAdvisory({ id: "A", severity: [], database_specific: { severity: "SEVERE" }, affected: [affected(7, "moderate")] }).score).toBe(5.5);
    expect(scoreAdvisory({ id: "A", severity: [], database_specific: { severity: "unknown" } })).toEqual({ score: null, score_estimated: false, cvss_vector: null, cvss_version: null });
  });

  it("a broken vector is skipped with a warning naming the record, even without a word; no warnings list is fine", () => {
    const warnings: string[] = [];
    const s = scoreAdvisory({ id: "GHSA-1", severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N" }, { type: "CVSS_V3", score: V30 }] }, warnings);
    expect(s.score).toBe(7.5);
    expect(warnings).toEqual(['GHSA-1: CVSS vector "CVSS:3.1/AV:N": base metric AC missing']);
    expect(scoreAdvisory({ id: "GHSA-2", severity: [{ type: "CVSS_V4", score: "nonsense" }] })).toEqual({ score: null, score_estimated: false, cvss_vector: null, cvss_version: null });
  });
});

describe("advisoryKind", () => {
  const rec = (top: Record<string, unknown> | undefined, ...affected: Array<Record<string, unknown> | undefined>): OsvVulnerability =>
    OsvVulnerability.parse({ id: "RUSTSEC-1", ...(top ? { database_specific: top } : {}), affected: affected.map((db) => ({ ranges: [], ...(db ? { database_specific: db } : {}) })) });

  it("RustSec's informational word, trimmed and case-folded; an unknown word is a notice", () => {
    expect(advisoryKind(rec({ informational: "unmaintained" }))).toBe("unmaintained");
    expect(advisoryKind(rec({ informational: " Unsound " }))).toBe("unsound");
    expect(advisoryKind(rec({ informational: "notice" }))).toBe("notice");
    expect(advisoryKind(rec({ informational: "something-else" }))).toBe("notice");
  });

  it("blank or non-string words are no flag; boolean flags of other databases are", () => {
    expect(advisoryKind(rec({ informational: "  " }))).toBe("vulnerability");
    expect(advisoryKind(rec({ informational: true }))).toBe("vulnerability");
    expect(advisoryKind(rec({ unmaintained: true }))).toBe("unmaintained");
    expect(advisoryKind(rec({ unsound: true }))).toBe("unsound");
    expect(advisoryKind(rec({ unmaintained: "yes", unsound: 1 }))).toBe("vulnerability");
    expect(advisoryKind(rec({ informational: "  ", unsound: true }))).toBe("unsound");
  });

  it("the record's flag wins; otherwise the first affected entry that has one", () => {
    expect(advisoryKind(rec({ informational: "unsound" }, { informational: "unmaintained" }))).toBe("unsound");
    expect(advisoryKind(rec(undefined, undefined, { severity: "HIGH" }, { unsound: true }, { informational: "unmaintained" }))).toBe("unsound");
    expect(advisoryKind(rec({ severity: "HIGH" }, { informational: "unmaintained" }))).toBe("unmaintained");
    expect(advisoryKind(rec(undefined))).toBe("vulnerability");
    expect(advisoryKind(rec({}, {}))).toBe("vulnerability");
  });
});
