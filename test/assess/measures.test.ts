import { describe, expect, it } from "vitest";
import { bucketOf, percentile, remediationMeasures } from "../../src/assess/measures.js";
import { makeIssue, makeRecord } from "../helpers/factories.js";

const D = (iso: string) => `${iso}T00:00:00.000Z`;
const resolved = (id: string, severity: "critical" | "high" | "medium" | "low", from: string, to: string, due: string) =>
  makeIssue({ id, severity, status: "resolved", lifecycle_state: "resolved", created_at: D(from), resolved_at: D(to), due_at: D(due) });

describe("remediation measures", () => {
  it("mean and nearest-rank p90 per severity, share within deadline, ages, oldest critical; a merged record is the fix time", () => {
    const now = new Date(D("2026-06-01"));
    const issues = [
      resolved("c1", "critical", "2026-01-01", "2026-01-11", "2026-01-31"), // 10 days, on time
      resolved("c2", "critical", "2026-01-01", "2026-02-10", "2026-01-31"), // 40 days by lifecycle, but the record says 20
      resolved("h1", "high", "2026-01-01", "2026-03-02", "2026-01-31"), // 60 days, late
      makeIssue({ id: "open-old", severity: "critical", created_at: D("2025-11-01"), due_at: D("2025-12-01") }), // 212 days, overdue
      makeIssue({ id: "open-new", severity: "critical", created_at: D("2026-05-20"), due_at: D("2026-06-19") }), // 12 days
      makeIssue({ id: "open-mid", severity: "low", created_at: D("2026-03-01"), due_at: D("2026-08-28") }), // 92 days
      makeIssue({ id: "dep", type: "dependency", created_at: D("2020-01-01") }), // not a security finding
      makeIssue({ id: "def", status: "deferred", lifecycle_state: "deferred", created_at: D("2026-01-01"), due_at: D("2026-01-31") }),
    ];
    const records = [
      makeRecord({ id: "r1", success: true, issues_resolved: ["c2"], performed_at: D("2026-01-21") }),
      makeRecord({ id: "r2", success: false, issues_resolved: ["h1"], performed_at: D("2026-01-05") }), // failed: not the fix
    ];
    const m = remediationMeasures([{ issues, records, repository: "acme/app" }], now);
    expect(m.time_to_remediate.critical).toEqual({ resolved: 2, mean_days: 15, p90_days: 20 });
    expect(m.time_to_remediate.high).toEqual({ resolved: 1, mean_days: 60, p90_days: 60 });
    expect(m.time_to_remediate.low).toEqual({ resolved: 0, mean_days: null, p90_days: null });
    expect(m.closed).toBe(3);
    expect(m.closed_within_deadline).toBe(2);
    expect(m.closed_within_deadline_share).toBeCloseTo(2 / 3);
    expect(m.open_by_age).toEqual({ "0-30": 1, "31-90": 0, "91-180": 1, "181+": 1 });
    expect(m.overdue).toBe(1);
    expect(m.deferred).toBe(1);
    expect(m.oldest_open_critical).toEqual({ id: "open-old", title: issues[3].title, detected_at: D("2025-11-01"), age_days: 212, repository: "acme/app" });
  });

  it("pools repositories for an organisation", () => {
    const now = new Date(D("2026-06-01"));
    const a = { issues: [resolved("a", "high", "2026-01-01", "2026-01-02", "2026-01-31")], records: [], repository: "o/a" };
    const b = { issues: Array.from({ length: 9 }, (_, i) => resolved(`b${i}`, "high", "2026-01-01", `2026-01-${String(11 + i).padStart(2, "0")}`, "2026-01-31")), records: [], repository: "o/b" };
    const m = remediationMeasures([a, b], now);
    expect(m.time_to_remediate.high.resolved).toBe(10);
    expect(m.time_to_remediate.high.p90_days).toBe(17); // nearest rank: 9th of [1, 10, 11, …, 18]
    expect(m.closed_within_deadline_share).toBe(1);
  });

  it("helpers", () => {
    expect(percentile([], 90)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect([0, 30, 31, 90, 91, 180, 181].map(bucketOf)).toEqual(["0-30", "0-30", "31-90", "31-90", "91-180", "91-180", "181+"]);
  });
});
