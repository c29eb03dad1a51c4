/**
 * CVSS vector grammar at its edges (issue 18, survivors of the focused mutation run of cvss.ts):
 * each pattern is anchored at both ends. Expected scores are FIRST's published base scores
 * (AV:N/AC:L/Au:N/C:P/I:P/A:P is 7.5 in CVSS 2.0; AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H is 9.8 in 3.1).
 */
import { describe, expect, it } from "vitest";
import { scoreAdvisory, scoreCvssVector } from "../../../src/enrich/advisories/cvss.js";

const V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

describe("scoreCvssVector: every pattern is anchored", () => {
  it("an illegal character at the very start is an illegal character, not a missing prefix", () => {
    expect(scoreCvssVector(`#${V31}`)).toEqual({ ok: false, error: `CVSS vector "#${V31}" has illegal characters` });
  });

  it("only parentheses around the whole v2 vector are removed", () => {
    // The base metrics alone, in parentheses, score 7.5.
    expect(scoreCvssVector("(AV:N/AC:L/Au:N/C:P/I:P/A:P)")).toMatchObject({ ok: true, score: 7.5, version: "2.0" });
    // A parenthesised last metric or a parenthesised head is malformed.
    expect(scoreCvssVector("AV:N/AC:L/Au:N/C:P/I:P/(A:P)")).toEqual({
      ok: false,
      error: 'CVSS vector "AV:N/AC:L/Au:N/C:P/I:P/(A:P)": malformed metric "(A:P)"',
    });
    expect(scoreCvssVector("(AV:N/AC:L/Au:N/C:P/I:P)/A:P")).toEqual({
      ok: false,
      error: 'CVSS vector "(AV:N/AC:L/Au:N/C:P/I:P)/A:P": malformed metric "(AV:N"',
    });
  });

  it("a metric is letters, a colon and letters, nothing before or after", () => {
    const head = "CVSS:3.1/9AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    expect(scoreCvssVector(head)).toEqual({ ok: false, error: `CVSS vector "${head}": malformed metric "9AV:N"` });
    const tail = "CVSS:3.1/AV:N9/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    expect(scoreCvssVector(tail)).toEqual({ ok: false, error: `CVSS vector "${tail}": malformed metric "AV:N9"` });
    // A value of several letters is well-formed; it is then refused as an illegal base value.
    const long = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HX";
    expect(scoreCvssVector(long)).toEqual({ ok: false, error: `CVSS vector "${long}": A:HX is not a legal value` });
  });
});

describe("scoreAdvisory: only the exact CVSS_V2/V3/V4 types are vectors", () => {
  it("a type with a prefix or suffix is a severity word (here no known word), not a vector", () => {
    for (const type of ["CVSS_V3X", "XCVSS_V3"]) {
      expect(scoreAdvisory({ id: "GHSA-x", severity: [{ type, score: V31 }] })).toEqual({
        score: null,
        score_estimated: false,
        cvss_vector: null,
        cvss_version: null,
      });
    }
    expect(scoreAdvisory({ id: "GHSA-x", severity: [{ type: "CVSS_V3", score: V31 }] })).toMatchObject({ score: 9.8, cvss_version: "3.1" });
  });
});
