import { describe, expect, it } from "vitest";
import { applyDeadlines, calendarDate, deadlineCounts, deadlineOf, deadlineText, dueAtOf, overdueAlerts, DEFAULT_SLA } from "../../src/assess/deadlines.js";
import { dispatchAlerts, RecordingChannel } from "../../src/assess/alerts.js";
import { SlaConfig, CowabungaConfig } from "../../src/config/schema.js";
import { transitionIssue } from "../../src/model/lifecycle.js";
import { makeIssue } from "../helpers/factories.js";

describe("sla config", () => {
  it("defaults to FedRAMP's 30/30/90/180 days and validates overrides", () => {
    expect(CowabungaConfig.parse({}).sla).toEqual({ critical: 30, high: 30, medium: 90, low: 180 });
    expect(CowabungaConfig.parse({ sla: { critical: 15 } }).sla).toEqual({ critical: 15, high: 30, medium: 90, low: 180 });
    expect(SlaConfig.safeParse({ high: 0 }).success).toBe(false);
    expect(SlaConfig.safeParse({ low: "soon" }).success).toBe(false);
  });
});

describe("due dates", () => {
  it("counts from first detection across month ends and a leap day", () => {
    const jan31 = makeIssue({ created_at: "2028-01-31T10:00:00.000Z", severity: "critical" });
    expect(dueAtOf(jan31, DEFAULT_SLA)).toBe("2028-03-01T10:00:00.000Z"); // 2028 is a leap year: Feb has 29 days
    expect(dueAtOf({ ...jan31, severity: "medium" }, DEFAULT_SLA)).toBe("2028-04-30T10:00:00.000Z");
    expect(dueAtOf({ ...jan31, severity: "low" }, DEFAULT_SLA)).toBe("2028-07-29T10:00:00.000Z");
    expect(dueAtOf({ ...jan31, type: "dependency" }, DEFAULT_SLA)).toBeNull();
    expect(dueAtOf(jan31, { ...DEFAULT_SLA, critical: 7 })).toBe("2028-02-07T10:00:00.000Z");
  });

  it("shows the due date and days left on the calendar of the schedule's time zone", () => {
    // Detected 23:30 UTC on 30 Nov: already 1 Dec in Tokyo, still 30 Nov in Los Angeles.
    const issue = { ...makeIssue({ created_at: "2026-11-30T23:30:00.000Z", severity: "high" }) };
    const withDue = applyDeadlines([issue], DEFAULT_SLA, new Date("2026-12-01T00:00:00Z"))[0];
    expect(withDue.due_at).toBe("2026-12-30T23:30:00.000Z");
    const now = new Date("2026-12-20T20:00:00Z"); // 21 Dec 05:00 in Tokyo, 20 Dec 12:00 in LA
    expect(deadlineOf(withDue, now, "Asia/Tokyo")).toMatchObject({ due_date: "2026-12-31", days_left: 10, state: "on_track" });
    expect(deadlineOf(withDue, now, "America/Los_Angeles")).toMatchObject({ due_date: "2026-12-30", days_left: 10, state: "on_track" });
    expect(deadlineOf(withDue, now, "UTC")).toMatchObject({ due_date: "2026-12-30", days_left: 10 });
    // Across the year end and DST-free zones: five days before, "due soon".
    expect(deadlineOf(withDue, new Date("2026-12-26T00:00:00Z"), "UTC")).toMatchObject({ days_left: 4, state: "due_soon" });
    expect(deadlineText(deadlineOf(withDue, new Date("2026-12-26T00:00:00Z"), "UTC"))).toBe("due 2026-12-30 (4 days left)");
    // Past the instant: overdue, and the days count up across the new year.
    const late = deadlineOf(withDue, new Date("2027-01-02T08:00:00Z"), "UTC");
    expect(late).toMatchObject({ state: "overdue", days_left: -3 });
    expect(deadlineText(late)).toBe("overdue by 3 days (due 2026-12-30)");
    expect(calendarDate("2026-03-29T01:30:00Z", "Europe/Berlin")).toBe("2026-03-29");
    expect(calendarDate("2026-03-29T01:30:00Z", "Not/AZone")).toBe("2026-03-29");
  });

  it("is not reset by a rescan: due_at follows created_at, which reconciliation keeps", () => {
    const first = applyDeadlines([makeIssue({ created_at: "2026-10-01T00:00:00.000Z" })], DEFAULT_SLA, new Date("2026-10-01T00:00:00Z"))[0];
    // A rescan a month later carries the stored issue (same created_at) with fresh content.
    const rescanned = applyDeadlines([{ ...first, updated_at: "2026-11-01T00:00:00.000Z", title: "new title" }], DEFAULT_SLA, new Date("2026-11-01T00:00:00Z"))[0];
    expect(rescanned.due_at).toBe(first.due_at);
    expect(rescanned.due_at).toBe("2026-10-31T00:00:00.000Z");
  });
});

describe("overdue alerts", () => {
  it("raises one alert at the deadline, never again for the same deadline, and counts overdue apart from deferred", async () => {
    const sla = DEFAULT_SLA;
    let issues = applyDeadlines([makeIssue({ id: "sec-1", created_at: "2026-01-01T00:00:00.000Z", severity: "critical" })], sla, new Date("2026-01-01T00:00:00Z"));
    const channel = new RecordingChannel("slack");
    let sentLog: Record<string, string> = {};
    const sent: string[] = [];
    // Daily runs from 29 Jan to 10 Mar (far past the 24 h quiet period).
    for (let day = 28; day < 28 + 41; day++) {
      const now = new Date(Date.UTC(2026, 0, 1 + day, 6));
      const r = overdueAlerts(applyDeadlines(issues, sla, now), now);
      issues = r.issues;
      const d = await dispatchAlerts(r.alerts, [channel], sentLog, () => now, 24);
      sentLog = d.sentLog;
      sent.push(...d.sent.map((s) => `${now.toISOString().slice(0, 10)} ${s.key}`));
    }
    expect(sent).toEqual(["2026-01-31 overdue:sec-1:2026-01-31T00:00:00.000Z"]);
    expect(channel.sent).toHaveLength(1);
    expect(channel.sent[0]).toMatchObject({ condition: "overdue", level: "critical", issue_ids: ["sec-1"] });
    expect(issues[0].overdue_alerted_for).toBe("2026-01-31T00:00:00.000Z");

    const deferred = { ...transitionIssue(makeIssue({ id: "sec-2", created_at: "2026-01-01T00:00:00.000Z" }), "deferred", { at: "2026-01-02T00:00:00Z", reason: "r", actor: "alice" }) };
    const both = applyDeadlines([issues[0], deferred], sla, new Date("2026-03-01T00:00:00Z"));
    expect(deadlineCounts(both, new Date("2026-03-01T00:00:00Z"))).toEqual({ overdue: 1, due_soon: 0, on_track: 0, deferred: 1 });
    expect(overdueAlerts(both, new Date("2026-03-01T00:00:00Z")).alerts).toEqual([]);
  });

  it("raises a new alert when a changed severity moves the deadline", () => {
    const now = new Date("2026-03-01T00:00:00Z");
    const once = overdueAlerts(applyDeadlines([makeIssue({ created_at: "2026-01-01T00:00:00.000Z", severity: "critical" })], DEFAULT_SLA, now), now);
    expect(once.alerts).toHaveLength(1);
    // Raised to a shorter SLA: still overdue, new due_at, so one new alert.
    const again = overdueAlerts(applyDeadlines(once.issues, { ...DEFAULT_SLA, critical: 15 }, now), now);
    expect(again.alerts.map((a) => a.key)).toEqual(["overdue:issue-1:2026-01-16T00:00:00.000Z"]);
  });
});

describe("risk acceptance", () => {
  it("covers the issue through its until day, then the issue is open and due again (original due date)", () => {
    const base = makeIssue({ id: "sec-3", created_at: "2026-01-01T00:00:00.000Z", severity: "high" });
    const deferred = {
      ...transitionIssue(base, "deferred", { at: "2026-01-20T00:00:00Z", reason: "deferred until 2026-02-28 by @alice: vendor fix pending", actor: "alice" }),
      risk_acceptance: { accepted_by: "alice", reason: "vendor fix pending", until: "2026-02-28", accepted_at: "2026-01-20T00:00:00.000Z" },
    };
    const lastDay = applyDeadlines([deferred], DEFAULT_SLA, new Date("2026-02-28T23:00:00Z"))[0];
    expect(lastDay.status).toBe("deferred");
    expect(deadlineOf(lastDay, new Date("2026-02-28T23:00:00Z")).state).toBe("deferred");
    expect(overdueAlerts([lastDay], new Date("2026-02-28T23:00:00Z")).alerts).toEqual([]);

    const after = applyDeadlines([lastDay], DEFAULT_SLA, new Date("2026-03-01T00:30:00Z"))[0];
    expect(after.status).toBe("open");
    expect(after.lifecycle_state).toBe("reopened");
    expect(after.risk_acceptance).toBeNull();
    expect(after.history.at(-1)).toMatchObject({ from: "deferred", to: "reopened", reason: "risk acceptance by alice expired on 2026-02-28: vendor fix pending" });
    expect(after.due_at).toBe("2026-01-31T00:00:00.000Z");
    const r = overdueAlerts([after], new Date("2026-03-01T00:30:00Z"));
    expect(r.alerts).toHaveLength(1);
    // The until day is read in the schedule's zone: 1 Mar 00:30 UTC is still 28 Feb in New York.
    expect(applyDeadlines([lastDay], DEFAULT_SLA, new Date("2026-03-01T00:30:00Z"), "America/New_York")[0].status).toBe("deferred");
  });

  it("an open-ended deferral stays deferred", () => {
    const deferred = {
      ...transitionIssue(makeIssue(), "deferred", { at: "2026-01-20T00:00:00Z", reason: "r", actor: "bob" }),
      risk_acceptance: { accepted_by: "bob", reason: "r", until: null, accepted_at: "2026-01-20T00:00:00.000Z" },
    };
    expect(applyDeadlines([deferred], DEFAULT_SLA, new Date("2030-01-01T00:00:00Z"))[0].status).toBe("deferred");
  });
});

describe("overdue in the digest, and /cowabunga defer", () => {
  it("the digest lists overdue issues and counts deferred ones apart", async () => {
    const { summaryFromAssessment } = await import("../../src/act/notify/summary.js");
    const { renderDigestEmail } = await import("../../src/act/notify/email.js");
    const { makeSystemHealth } = await import("../helpers/factories.js");
    const now = new Date("2026-03-01T00:00:00Z");
    const issues = applyDeadlines(
      [
        makeIssue({ id: "late", title: "lodash prototype pollution", created_at: "2026-01-01T00:00:00.000Z", severity: "critical", github_issue_number: 7 }),
        { ...transitionIssue(makeIssue({ id: "ok", created_at: "2026-01-01T00:00:00.000Z" }), "deferred", { at: now, reason: "r", actor: "a" }) },
      ],
      DEFAULT_SLA,
      now,
    );
    const summary = summaryFromAssessment({ system: makeSystemHealth(), components: [], issues, dependencies: [], alerts: [], warnings: [] }, { repo: "acme/app", generated_at: now.toISOString(), issueUrl: (i) => (i.github_issue_number != null ? `https://github.com/acme/app/issues/${i.github_issue_number}` : null) });
    expect(summary.deadlines).toEqual({ overdue: 1, deferred: 1, overdue_issues: [{ title: "lodash prototype pollution", severity: "critical", due_date: "2026-01-31", url: "https://github.com/acme/app/issues/7" }] });
    const mail = renderDigestEmail(summary, "weekly");
    expect(mail.text).toContain("Past remediation deadline: 1 overdue; 1 deferred (risk accepted)");
    expect(mail.text).toContain("- [critical] lodash prototype pollution (due 2026-01-31) https://github.com/acme/app/issues/7");
    expect(mail.html).toContain("<h3>Overdue</h3>");
  });

  it("/cowabunga defer <date> <reason> records who, why and until when; a past date is refused", async () => {
    const { runCommand, parseCommand } = await import("../../src/act/github/commands.js");
    const { FileStore } = await import("../../src/store/file-store.js");
    const os = await import("node:os");
    const fsp = await import("node:fs/promises");
    const path = await import("node:path");
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "cowabunga-defer-"));
    try {
      const repo = { owner: "acme", repo: "app" };
      const store = new FileStore({ root: dir });
      await store.updateIssues(repo, () => [makeIssue({ id: "sec-1", lifecycle_state: "prioritized" })]);
      const calls: Array<{ route: string; body?: unknown }> = [];
      const octokit = { request: async (route: string, params?: Record<string, unknown>) => (calls.push({ route, body: params?.body ?? params?.state }), { data: {} }) };
      const log = { info() {}, warn() {}, error() {}, debug() {} };
      const ctx = { octokit, repo, store, issueNumber: 5, issueId: "sec-1", user: "alice", clock: () => new Date("2026-02-10T09:00:00Z"), log, rescan() {}, openUpdate: async () => "" };
      const past = await runCommand(parseCommand("/cowabunga defer 2026-01-01 too late")!, ctx as never);
      expect(past.reply).toMatch(/2026-01-01 is in the past/);
      expect((await store.getIssues(repo))[0].status).toBe("open");
      const r = await runCommand(parseCommand("/cowabunga defer 2026-04-30 waiting for the vendor's fix")!, ctx as never);
      expect(r.reply).toMatch(/^Deferred \(risk accepted\): deferred until 2026-04-30 by .*alice.*waiting for the vendor.*Cowabunga reopens it after 2026-04-30/);
      const [stored] = await store.getIssues(repo);
      expect(stored.status).toBe("deferred");
      expect(stored.risk_acceptance).toEqual({ accepted_by: "alice", reason: "waiting for the vendor's fix", until: "2026-04-30", accepted_at: "2026-02-10T09:00:00.000Z" });
      expect(calls.map((c) => c.route)).toContain("PATCH /repos/{owner}/{repo}/issues/{issue_number}");
      // After the acceptance lapses, the next assessment reopens it.
      expect(applyDeadlines([stored], DEFAULT_SLA, new Date("2026-05-01T12:00:00Z"))[0].status).toBe("open");
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
