/**
 * Deadline states at their boundaries, the texts users read, and the overdue alert (issue 18: mutation
 * testing of src/assess/deadlines.ts). Rules from docs/notes/deadlines.md: due = created_at + sla days;
 * overdue once now >= due_at; "due soon" within 7 calendar days. Texts are written out here.
 */
import { describe, expect, it } from "vitest";
import { applyDeadlines, daysBetween, deadlineCounts, deadlineOf, deadlineText, DEFAULT_SLA, dueAtOf, hasDeadline, isOpen, overdueAlerts, slaDays, type Deadline } from "../../src/assess/deadlines.js";
import { makeIssue } from "../helpers/factories.js";

const due = "2026-03-31T12:00:00.000Z";
const at = (iso: string) => new Date(iso);

describe("due dates", () => {
  it("only security issues have one; an unreadable created_at has none", () => {
    expect(hasDeadline({ type: "security" })).toBe(true);
    for (const type of ["dependency", "bug", "documentation", "performance"] as const) expect(hasDeadline({ type })).toBe(false);
    expect(dueAtOf({ type: "security", severity: "high", created_at: "yesterday" })).toBeNull();
    expect(dueAtOf({ type: "security", severity: "high", created_at: "2026-03-01T12:00:00.000Z" })).toBe(due);
    expect([slaDays("critical"), slaDays("high"), slaDays("medium"), slaDays("low")]).toEqual([30, 30, 90, 180]);
    expect(slaDays("low", { ...DEFAULT_SLA, low: 5 })).toBe(5);
  });

  it("days between calendar dates", () => {
    expect(daysBetween("2026-02-27", "2026-03-02")).toBe(3);
    expect(daysBetween("2026-03-02", "2026-02-27")).toBe(-3);
    expect(daysBetween("2026-03-02", "2026-03-02")).toBe(0);
  });

  it("open means open or in progress", () => {
    expect([isOpen({ status: "open" }), isOpen({ status: "in_progress" }), isOpen({ status: "resolved" }), isOpen({ status: "deferred" })]).toEqual([true, true, false, false]);
  });
});

describe("deadlineOf boundaries", () => {
  const issue = makeIssue({ due_at: due, status: "open" });

  it("no due date: none", () => {
    expect(deadlineOf(makeIssue({ due_at: null }), at(due))).toEqual({ state: "none", due_at: null, due_date: null, days_left: null, deferred_until: null });
  });

  it("overdue from the due instant on, not a millisecond before", () => {
    expect(deadlineOf(issue, at("2026-03-31T11:59:59.999Z"))).toEqual({ state: "due_soon", due_at: due, due_date: "2026-03-31", days_left: 0, deferred_until: null });
    expect(deadlineOf(issue, at(due)).state).toBe("overdue");
  });

  it("due soon within 7 calendar days, on track from 8", () => {
    expect(deadlineOf(issue, at("2026-03-24T00:00:00Z"))).toMatchObject({ state: "due_soon", days_left: 7 });
    expect(deadlineOf(issue, at("2026-03-23T23:59:00Z"))).toMatchObject({ state: "on_track", days_left: 8 });
  });

  it("resolved: closed; deferred: deferred with the acceptance's last day, even past the due date", () => {
    expect(deadlineOf(makeIssue({ due_at: due, status: "resolved" }), at("2026-05-01T00:00:00Z")).state).toBe("closed");
    const ra = { accepted_by: "alice", reason: "r", until: "2026-06-30", accepted_at: "2026-03-01T00:00:00.000Z" };
    expect(deadlineOf(makeIssue({ due_at: due, status: "deferred", risk_acceptance: ra }), at("2026-05-01T00:00:00Z"))).toMatchObject({ state: "deferred", deferred_until: "2026-06-30", days_left: -31 });
    expect(deadlineOf(makeIssue({ due_at: due, status: "in_progress" }), at("2026-05-01T00:00:00Z")).state).toBe("overdue");
  });
});

describe("deadlineText", () => {
  const d = (over: Partial<Deadline>): Deadline => ({ state: "on_track", due_at: due, due_date: "2026-03-31", days_left: 12, deferred_until: null, ...over });
  it("says each state in words", () => {
    expect(deadlineText(d({}))).toBe("due 2026-03-31 (12 days left)");
    expect(deadlineText(d({ state: "due_soon", days_left: 1 }))).toBe("due 2026-03-31 (1 day left)");
    expect(deadlineText(d({ state: "due_soon", days_left: 0 }))).toBe("due today (2026-03-31)");
    expect(deadlineText(d({ state: "overdue", days_left: -1 }))).toBe("overdue by 1 day (due 2026-03-31)");
    expect(deadlineText(d({ state: "overdue", days_left: 0 }))).toBe("overdue (due 2026-03-31)");
    expect(deadlineText(d({ state: "closed", days_left: -4 }))).toBe("was due 2026-03-31");
    expect(deadlineText(d({ state: "deferred", deferred_until: "2026-06-30" }))).toBe("deferred until 2026-06-30 (due 2026-03-31)");
    expect(deadlineText(d({ state: "deferred" }))).toBe("deferred (due 2026-03-31)");
    expect(deadlineText(d({ state: "none" }))).toBe("");
    expect(deadlineText(d({ due_date: null }))).toBe("");
    expect(deadlineText(d({ days_left: null }))).toBe("");
  });
});

describe("applyDeadlines", () => {
  it("sets due_at on security issues, clears it elsewhere", () => {
    const [sec, bug] = applyDeadlines(
      [makeIssue({ type: "security", severity: "medium", created_at: "2026-01-01T00:00:00.000Z" }), makeIssue({ type: "bug", due_at: "2026-01-02T00:00:00.000Z" })],
      DEFAULT_SLA,
      at("2026-01-01T00:00:00Z"),
    );
    expect(sec.due_at).toBe("2026-04-01T00:00:00.000Z");
    expect(bug.due_at).toBeNull();
  });

  it("drops the acceptance of an issue no longer deferred; keeps it through its last day", () => {
    const ra = { accepted_by: "alice", reason: "vendor", until: "2026-03-10", accepted_at: "2026-03-01T00:00:00.000Z" };
    const open = applyDeadlines([makeIssue({ lifecycle_state: "prioritized", status: "open", risk_acceptance: ra })], DEFAULT_SLA, at("2026-03-05T00:00:00Z"))[0];
    expect(open.risk_acceptance).toBeNull();
    expect(open.history).toEqual([]);
    const deferred = makeIssue({ lifecycle_state: "deferred", status: "deferred", risk_acceptance: ra });
    const lastDay = applyDeadlines([deferred], DEFAULT_SLA, at("2026-03-10T23:59:59Z"))[0];
    expect(lastDay).toMatchObject({ lifecycle_state: "deferred", risk_acceptance: ra });
    const after = applyDeadlines([deferred], DEFAULT_SLA, at("2026-03-11T00:00:00Z"), "UTC", "scheduler")[0];
    expect(after).toMatchObject({ lifecycle_state: "reopened", status: "open", risk_acceptance: null });
    expect(after.history.at(-1)).toEqual({ from: "deferred", to: "reopened", at: "2026-03-11T00:00:00.000Z", reason: "risk acceptance by alice expired on 2026-03-10: vendor", actor: "scheduler" });
  });

  it("an expired acceptance on an issue that is not deferred reopens nothing: it is only dropped (mutation survivor)", () => {
    const ra = { accepted_by: "alice", reason: "vendor", until: "2026-03-10", accepted_at: "2026-03-01T00:00:00.000Z" };
    const [issue] = applyDeadlines([makeIssue({ lifecycle_state: "prioritized", status: "open", risk_acceptance: ra })], DEFAULT_SLA, at("2026-03-11T00:00:00Z"));
    expect(issue).toMatchObject({ lifecycle_state: "prioritized", status: "open", risk_acceptance: null, history: [] });
  });
});

describe("overdueAlerts", () => {
  it("the alert of a high issue in two components", () => {
    const issue = makeIssue({ id: "sec-9", title: "requests 2.19.0: PYSEC-2018-28", severity: "high", status: "open", created_at: "2026-01-01T23:30:00.000Z", due_at: "2026-01-31T23:30:00.000Z", affected_components: ["api", "ui"], overdue_alerted_for: null });
    const now = at("2026-02-03T00:00:00Z");
    const r = overdueAlerts([issue], now, "Asia/Tokyo");
    expect(r.alerts).toEqual([
      {
        key: "overdue:sec-9:2026-01-31T23:30:00.000Z",
        condition: "overdue",
        level: "high",
        title: "Overdue: requests 2.19.0: PYSEC-2018-28",
        // In Tokyo: detected 2 Jan, due 1 Feb, today 3 Feb.
        message: "This high security issue was first detected 2026-01-02 and overdue by 2 days (due 2026-02-01). Fix it, or record a risk acceptance with `/cowabunga defer <YYYY-MM-DD> <reason>`.",
        component: null,
        issue_ids: ["sec-9"],
        created_at: now.toISOString(),
        links: [],
      },
    ]);
    expect(r.issues[0].overdue_alerted_for).toBe("2026-01-31T23:30:00.000Z");
    expect(overdueAlerts(r.issues, now).alerts).toEqual([]);
    // Not yet due: no alert, issue untouched.
    const early = overdueAlerts([issue], at("2026-01-31T23:29:59Z"));
    expect(early.alerts).toEqual([]);
    expect(early.issues[0]).toBe(issue);
  });

  it("one component: named", () => {
    const issue = makeIssue({ severity: "low", status: "open", due_at: "2026-01-31T00:00:00.000Z", affected_components: ["api"] });
    expect(overdueAlerts([issue], at("2026-02-01T00:00:00Z")).alerts[0]).toMatchObject({ component: "api", level: "high" });
  });
});

describe("deadlineCounts", () => {
  it("counts open issues by state and deferred apart; closed and undated are not counted", () => {
    const now = at("2026-03-01T00:00:00Z");
    const issues = [
      makeIssue({ status: "open", due_at: "2026-02-01T00:00:00.000Z" }),
      makeIssue({ status: "open", due_at: "2026-03-05T00:00:00.000Z" }),
      makeIssue({ status: "in_progress", due_at: "2026-03-05T00:00:00.000Z" }),
      makeIssue({ status: "open", due_at: "2026-06-01T00:00:00.000Z" }),
      makeIssue({ status: "deferred", due_at: "2026-02-01T00:00:00.000Z" }),
      makeIssue({ status: "resolved", due_at: "2026-02-01T00:00:00.000Z" }),
      makeIssue({ status: "open", due_at: null }),
    ];
    expect(deadlineCounts(issues, now)).toEqual({ overdue: 1, due_soon: 2, on_track: 1, deferred: 1 });
  });
});
