/**
 * A security issue left by a withdrawn advisory says so (issue 18: survivors of
 * src/assess/detect/security.ts). The advisories a stored issue listed come from its "Advisories: "
 * description line ("id (CVSS n.n), id, ... (aliases: ...)") or from a former per-advisory subject.
 * Expected reasons are written out by hand.
 */
import { describe, expect, it } from "vitest";
import { detectSecurity, severityFromCvss } from "../../../src/assess/detect/security.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";
import { detectContext, makeAdvisory, makeInputs } from "../helpers.js";

const gone = (withdrawn: readonly string[] | undefined, subject: string, description: string) =>
  detectSecurity(detectContext(makeInputs({ dependencies: [], withdrawnAdvisories: withdrawn }))).goneReason(makeIssue({ type: "security", subject, description }));

const SUBJECT = "security:pypi:requests@2.19.0";
const DEFAULT = "no advisory matches requests 2.19.0 any more (upgraded, removed, or the advisories were withdrawn)";
const DESC = [
  "2 advisories affect requests 2.19.0; one upgrade removes them all.",
  "",
  "Advisories: GHSA-9wx4-h78v-vm56 (CVSS 9.8), PYSEC-2018-28 (CVSS 7.5), GO-2024:1 (CVSS 10.0), RUSTSEC-2020.0071, a_b.c (aliases: CVE-2018-18074, CVE-2024-35195)",
  "CVSS score: 9.8",
].join("\n");

describe("goneReason of a withdrawn advisory", () => {
  it("names each listed advisory that was withdrawn, sorted, whatever its place in the line", () => {
    expect(gone(["PYSEC-2018-28"], SUBJECT, DESC)).toBe("advisory PYSEC-2018-28 was withdrawn");
    expect(gone(["GHSA-9wx4-h78v-vm56"], SUBJECT, DESC)).toBe("advisory GHSA-9wx4-h78v-vm56 was withdrawn");
    expect(gone(["GO-2024:1"], SUBJECT, DESC)).toBe("advisory GO-2024:1 was withdrawn");
    expect(gone(["RUSTSEC-2020.0071"], SUBJECT, DESC)).toBe("advisory RUSTSEC-2020.0071 was withdrawn");
    expect(gone(["a_b.c"], SUBJECT, DESC)).toBe("advisory a_b.c was withdrawn");
    expect(gone(["PYSEC-2018-28", "OTHER-1", "GHSA-9wx4-h78v-vm56"], SUBJECT, DESC)).toBe("advisory GHSA-9wx4-h78v-vm56, PYSEC-2018-28 was withdrawn");
  });

  it("the last advisory of a line without aliases, with or without a score", () => {
    expect(gone(["B-2"], SUBJECT, "x\n\nAdvisories: A-1 (CVSS 5.0), B-2\nmore")).toBe("advisory B-2 was withdrawn");
    expect(gone(["B-2"], SUBJECT, "Advisories: A-1, B-2 (CVSS 4.3)")).toBe("advisory B-2 was withdrawn");
    expect(gone(["A-1"], SUBJECT, "Advisories: A-1")).toBe("advisory A-1 was withdrawn");
  });

  it("only whole ids count: not a prefix, not a longer id, not an id on another line", () => {
    expect(gone(["PYSEC-2018"], SUBJECT, DESC)).toBe(DEFAULT);
    expect(gone(["PYSEC-2018-28-1"], SUBJECT, DESC)).toBe(DEFAULT);
    expect(gone(["A-1"], SUBJECT, "Advisories: A-1x, B-2")).toBe(DEFAULT);
    expect(gone(["A-1"], SUBJECT, "Advisories: XA-1, B-2")).toBe(DEFAULT);
    expect(gone(["A-1"], SUBJECT, "Summary: A-1, B-2\nSee Advisories: A-1")).toBe(DEFAULT);
    expect(gone(["CVSS"], SUBJECT, "Advisories: A-1 (CVSS 5.0), B-2")).toBe(DEFAULT);
  });

  it("an alias id in the (aliases: …) part is not one of the issue's advisories", () => {
    expect(gone(["CVE-2018-18074"], SUBJECT, DESC)).toBe(DEFAULT);
    expect(gone(["CVE-2024-35195"], SUBJECT, DESC)).toBe(DEFAULT);
    expect(gone(["CVE-1", "A-1"], SUBJECT, "Advisories: A-1 (CVSS 5.0) (aliases: CVE-1, CVE-2)")).toBe("advisory A-1 was withdrawn");
  });

  it("the advisory of a former per-advisory subject counts without a description line", () => {
    expect(gone(["PYSEC-2018-28"], "security:pypi:requests:PYSEC-2018-28", "old text")).toBe("advisory PYSEC-2018-28 was withdrawn");
    expect(gone(["GO-2024:1"], "security:go:golang.org/x/net:GO-2024:1", "old text")).toBe("advisory GO-2024:1 was withdrawn");
  });

  it("nothing withdrawn, or nothing the issue listed: the usual reason", () => {
    expect(gone(undefined, SUBJECT, DESC)).toBe(DEFAULT);
    expect(gone([], SUBJECT, DESC)).toBe(DEFAULT);
    expect(gone(["OTHER-1"], SUBJECT, DESC)).toBe(DEFAULT);
    expect(gone(["PYSEC-2018-28"], SUBJECT, "no advisories line")).toBe(DEFAULT);
    expect(gone(["PYSEC-2018-28"], "security:pypi:requests:OTHER-2", "old text")).toBe("OTHER-2 no longer matches requests (upgraded, removed, or the advisory was withdrawn)");
  });

  it("round trip: the description this detector writes names its advisories for a later withdrawal", () => {
    const r = detectSecurity(
      detectContext(makeInputs({ dependencies: [makeDependency({ advisories: [makeAdvisory(), makeAdvisory({ id: "PYSEC-2023-74", score: null, aliases: [] })] })] })),
    );
    const [d] = r.drafts;
    const later = detectSecurity(detectContext(makeInputs({ dependencies: [], withdrawnAdvisories: ["PYSEC-2023-74", "PYSEC-2018-28"] })));
    expect(later.goneReason(makeIssue({ type: "security", subject: d.subject, description: d.description }))).toBe("advisory PYSEC-2018-28, PYSEC-2023-74 was withdrawn");
  });
});

describe("remediation plans named in the affected list", () => {
  const planned = (kind: "in_place" | "override" | "direct_update", target: string | null) =>
    detectSecurity(
      detectContext(
        makeInputs({
          dependencies: [
            makeDependency({
              advisories: [makeAdvisory()],
              remediation: { kind, target_version: target, file: "api/requirements.txt", action: "Do the planned thing", parent: null, risk: null, removes: [], reasons: [] },
            }),
          ],
        }),
      ),
    ).drafts[0];

  it("labels each kind of plan, with its target version when it has one", () => {
    expect(planned("in_place", "2.20.0").description).toContain("\n  - fix: in place (lockfile only) → 2.20.0");
    expect(planned("override", "2.20.0").description).toContain("\n  - fix: override the resolved version → 2.20.0");
    expect(planned("direct_update", null).description.split("\n").at(-1)).toBe("  - fix: upgrade the declaration");
    expect(planned("in_place", "2.20.0").resolution_steps[0]).toBe("Do the planned thing");
  });
});

describe("a score that is not a number", () => {
  it("is treated as unknown: medium", () => {
    expect([severityFromCvss(Number.NaN), severityFromCvss(Number.POSITIVE_INFINITY), severityFromCvss(Number.NEGATIVE_INFINITY)]).toEqual(["medium", "medium", "medium"]);
  });
});
