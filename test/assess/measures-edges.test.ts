/**
 * Remediation measures at their edges (issue 18: mutation testing of src/assess/measures.ts): which
 * record is the fix, the deadline boundary, ages, rounding and the nearest-rank percentile. Figures are
 * computed by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import { fixedAt, percentile, remediationMeasures } from "../../src/assess/measures.js";
import { makeIssue, makeRecord } from "../helpers/factories.js";

const D = (iso: string) => `${iso}T00:00:00.000Z`;
const now = new Date(D("2026-06-01"));

describe("fixedAt", () => {
  const issue = makeIssue({ id: "s", status: "resolved", created_at: D("2026-01-10"), resolved_at: D("2026-03-01") });

  it("the earliest successful record naming the issue, from its detection on", () => {
    const records = [
      makeRecord({ id: "late", success: true, issues_resolved: ["s"], performed_at: D("2026-02-20") }),
      makeRecord({ id: "early", success: true, issues_resolved: ["x", "s"], performed_at: D("2026-02-01") }),
      makeRecord({ id: "before", success: true, issues_resolved: ["s"], performed_at: D("2026-01-09") }),
      makeRecord({ id: "other", success: true, issues_resolved: ["t"], performed_at: D("2026-01-15") }),
      makeRecord({ id: "failed", success: false, issues_resolved: ["s"], performed_at: D("2026-01-20") }),
    ];
    expect(fixedAt(issue, records)).toBe(D("2026-02-01"));
    // A record at the detection instant counts.
    expect(fixedAt(issue, [makeRecord({ success: true, issues_resolved: ["s"], performed_at: D("2026-01-10") })])).toBe(D("2026-01-10"));
  });

  it("else resolved_at; nothing for an issue that is not resolved", () => {
    expect(fixedAt(issue, [])).toBe(D("2026-03-01"));
    expect(fixedAt({ ...issue, status: "open" }, [makeRecord({ success: true, issues_resolved: ["s"], performed_at: D("2026-02-01") })])).toBeNull();
  });
});

describe("percentile", () => {
  it("nearest rank, at least the first", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
  });
});

describe("remediationMeasures edges", () => {
  const sec = (over: Parameters<typeof makeIssue>[0]) => makeIssue({ type: "security", ...over });

  it("a fix exactly at the deadline is on time; without a due date it is not; without a fix time it is not closed", () => {
    const issues = [
      sec({ id: "a", severity: "medium", status: "resolved", created_at: D("2026-01-01"), resolved_at: D("2026-01-31"), due_at: D("2026-01-31") }),
      sec({ id: "b", severity: "medium", status: "resolved", created_at: D("2026-01-01"), resolved_at: D("2026-01-04"), due_at: null }),
      sec({ id: "c", severity: "medium", status: "resolved", created_at: D("2026-01-01"), resolved_at: null, due_at: D("2026-01-31") }),
    ];
    const m = remediationMeasures([{ issues, records: [] }], now);
    expect(m.closed).toBe(2);
    expect(m.closed_within_deadline).toBe(1);
    expect(m.closed_within_deadline_share).toBe(0.5);
    // (30 + 3) / 2 = 16.5; nearest-rank p90 of [3, 30] is the 2nd.
    expect(m.time_to_remediate.medium).toEqual({ resolved: 2, mean_days: 16.5, p90_days: 30 });
  });

  it("rounds to one decimal: 1/3 of a day", () => {
    const issues = [
      sec({ id: "a", severity: "low", status: "resolved", created_at: D("2026-01-01"), resolved_at: "2026-01-01T08:00:00.000Z" }),
      sec({ id: "b", severity: "low", status: "resolved", created_at: D("2026-01-01"), resolved_at: "2026-01-01T08:00:00.000Z" }),
    ];
    expect(remediationMeasures([{ issues, records: [] }], now).time_to_remediate.low).toEqual({ resolved: 2, mean_days: 0.3, p90_days: 0.3 });
  });

  it("nothing closed: no share; open and in-progress issues by age, a future detection as age 0", () => {
    const issues = [
      sec({ id: "o1", status: "open", severity: "high", created_at: D("2026-06-05") }),
      sec({ id: "o2", status: "in_progress", severity: "high", created_at: D("2026-03-02") }), // 91 days
      sec({ id: "o3", status: "open", severity: "high", created_at: D("2026-03-03") }), // 90 days
    ];
    const m = remediationMeasures([{ issues, records: [] }], now);
    expect(m.closed_within_deadline_share).toBeNull();
    expect(m.open_by_age).toEqual({ "0-30": 1, "31-90": 1, "91-180": 1, "181+": 0 });
    expect(m.oldest_open_critical).toBeNull();
  });

  it("the oldest open critical across repositories; the first one found wins a tie; no repository name when none given", () => {
    const crit = (id: string, created: string, status: "open" | "in_progress" | "resolved" = "open") => sec({ id, title: id, severity: "critical", status, created_at: D(created), resolved_at: status === "resolved" ? D("2026-05-01") : null });
    const m = remediationMeasures(
      [
        { issues: [crit("a-new", "2026-05-01"), crit("a-resolved", "2025-01-01", "resolved")], records: [] },
        { issues: [crit("b-old", "2026-02-01", "in_progress"), crit("b-tie", "2026-02-01")], records: [] },
      ],
      now,
    );
    expect(m.oldest_open_critical).toEqual({ id: "b-old", title: "b-old", detected_at: D("2026-02-01"), age_days: 120 });
    const named = remediationMeasures([{ issues: [crit("x", "2026-05-01")], records: [], repository: "acme/x" }], now);
    expect(named.oldest_open_critical?.repository).toBe("acme/x");
  });
});
