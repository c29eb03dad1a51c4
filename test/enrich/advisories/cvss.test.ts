import { describe, expect, it } from "vitest";
import { scoreAdvisory, scoreCvssVector } from "../../../src/enrich/advisories/cvss.js";

describe("scoreCvssVector: official base scores", () => {
  it.each([
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1],
    ["CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5],
    ["CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8],
    ["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7],
    ["AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5],
    ["(AV:N/AC:M/Au:N/C:N/I:P/A:N)", 4.3],
    ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", 9.8],
  ])("%s = %s", (vector, score) => {
    const res = scoreCvssVector(vector);
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.score).toBe(score);
  });
});

describe("scoreCvssVector: hostile or broken vectors", () => {
  it.each([
    ["garbage"],
    [""],
    ["CVSS:3.1/AV:N"],
    ["CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/C:L"],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H<script>"],
    ["CVSS:9.9/AV:N/AC:L"],
    ["CVSS:3.1/" + "AV:N/".repeat(200)],
    ["CVSS:3.1/__proto__:x/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"],
  ])("%s → error", (vector) => {
    const res = scoreCvssVector(vector);
    expect(res.ok).toBe(false);
  });
  it("non-strings are rejected", () => {
    expect(scoreCvssVector(42).ok).toBe(false);
  });
});

describe("scoreAdvisory", () => {
  it("prefers v4 over v3.1 over v3.0 over v2", () => {
    const s = scoreAdvisory({
      id: "X",
      severity: [
        { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:P/I:P/A:P" },
        { type: "CVSS_V3", score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N" },
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N" },
      ],
    });
    expect(s).toMatchObject({ score: 6.1, score_estimated: false, cvss_version: "3.1" });
    const s4 = scoreAdvisory({
      id: "Y",
      severity: [
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
        { type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" },
      ],
    });
    expect(s4.cvss_version).toBe("4.0");
    expect(s4.score).toBe(9.3);
  });
  it("maps severity words to documented midpoints, marked estimated", () => {
    expect(scoreAdvisory({ id: "A", severity: [], database_specific: { severity: "CRITICAL" } })).toMatchObject({ score: 9.0, score_estimated: true });
    expect(scoreAdvisory({ id: "B", severity: [], database_specific: { severity: "moderate" } }).score).toBe(5.5);
    expect(scoreAdvisory({ id: "C", severity: [], database_specific: { severity: "HIGH" } }).score).toBe(7.5);
    expect(scoreAdvisory({ id: "D", severity: [], database_specific: { severity: "LOW" } }).score).toBe(2.5);
    expect(
      scoreAdvisory({
        id: "E",
        severity: [],
        affected: [{ ranges: [], versions: [], ecosystem_specific: { severity: "MEDIUM" } }],
      }).score,
    ).toBe(5.5);
  });
  it("a hostile vector falls back to the word with a warning naming the record", () => {
    const warnings: string[] = [];
    const s = scoreAdvisory(
      { id: "GHSA-bad", severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N\u0000" }], database_specific: { severity: "HIGH" } },
      warnings,
    );
    expect(s).toMatchObject({ score: 7.5, score_estimated: true, cvss_vector: null });
    expect(warnings[0]).toMatch(/GHSA-bad/);
  });
  it("no vector and no word: null score", () => {
    expect(scoreAdvisory({ id: "Z", severity: [] })).toMatchObject({ score: null, score_estimated: false });
  });
});
