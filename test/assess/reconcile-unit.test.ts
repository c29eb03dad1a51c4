/**
 * reconcileIssues on hand-built findings and stored issues (issue 18: mutation testing of
 * src/assess/reconcile.ts). The expected states follow the seed's lifecycle (data-model.md) and the
 * rules written in reconcile.ts's doc comment; every reason text is spelled out here.
 */
import { describe, expect, it } from "vitest";
import { ACTOR, compareIssues, reconcileIssues, type CurrentIssue, type IssueContent } from "../../src/assess/reconcile.js";
import type { DetectorResult } from "../../src/assess/detect/context.js";
import type { IssueType, LifecycleState, MaintenanceIssue } from "../../src/model/index.js";
import { makeIssue, makeRiskLevel } from "../helpers/factories.js";
import { NOW } from "./helpers.js";

const T1 = new Date(NOW.getTime() + 86_400_000);
const EARLIER = "2026-02-01T00:00:00.000Z";

function content(over: Partial<IssueContent> = {}): IssueContent {
  return {
    id: "bug-1",
    title: "TODO in src/api/a.py:3",
    description: "A TODO marker",
    type: "bug",
    severity: "low",
    priority: "low",
    affected_components: ["api"],
    files_affected: ["src/api/a.py"],
    estimated_effort: "1 hour",
    resolution_steps: ["Resolve the TODO"],
    testing_requirements: ["pytest api"],
    risk_assessment: makeRiskLevel({ level: "low", score: 1.2 }),
    subject: "bug:marker:src/api/a.py:3",
    ...over,
  };
}

const cur = (over: Partial<IssueContent> = {}, extra: Partial<CurrentIssue> = {}): CurrentIssue => ({ content: content(over), ignore: null, priorityReason: "priority low: severity low", ...extra });

/** A stored issue in a given state, with the given content. */
function stored(state: LifecycleState, over: Partial<MaintenanceIssue> = {}): MaintenanceIssue {
  const status = ({ resolved: "resolved", deferred: "deferred", in_progress: "in_progress" } as Record<string, MaintenanceIssue["status"]>)[state] ?? "open";
  return makeIssue({
    ...content(),
    status,
    lifecycle_state: state,
    created_at: EARLIER,
    updated_at: EARLIER,
    resolved_at: state === "resolved" ? EARLIER : null,
    history: [{ from: null, to: "detected", at: EARLIER, reason: "first seen", actor: ACTOR }],
    assignee: "alice",
    github_issue_number: 7,
    ...over,
  });
}

function detector(over: Partial<DetectorResult> = {}): DetectorResult {
  return { drafts: [], covers: () => true, goneReason: (p) => `${p.subject} is gone`, ...over };
}
const detectors = (over: Partial<Record<IssueType, DetectorResult>> = {}) => over as Record<IssueType, DetectorResult>;
const transitions = (i: MaintenanceIssue) => i.history.map((h) => [h.from, h.to, h.reason]);

describe("a new finding", () => {
  it("is detected, assessed and prioritized, with the reasons of each step", () => {
    const [issue] = reconcileIssues([cur()], [], detectors(), NOW);
    const iso = NOW.toISOString();
    expect(issue).toMatchObject({
      status: "open",
      lifecycle_state: "prioritized",
      assignee: null,
      created_at: iso,
      updated_at: iso,
      resolved_at: null,
      defer_reason: null,
      github_issue_number: null,
      due_at: null,
      risk_acceptance: null,
      overdue_alerted_for: null,
      duplicate_of: null,
      title: "TODO in src/api/a.py:3",
    });
    expect(issue.history).toEqual([
      { from: null, to: "detected", at: iso, reason: "detected by the bug detector: bug:marker:src/api/a.py:3", actor: "cowabunga" },
      { from: "detected", to: "assessed", at: iso, reason: "severity low, risk low (1.2)", actor: "cowabunga" },
      { from: "assessed", to: "prioritized", at: iso, reason: "priority low: severity low", actor: "cowabunga" },
    ]);
  });

  it("covered by an ignore rule: detected, then deferred with the rule as reason", () => {
    const [issue] = reconcileIssues([cur({}, { ignore: { package: "lib*", versions: "<2", until: "2026-04-01", reason: "vendored" } })], [], detectors(), NOW);
    expect(issue.status).toBe("deferred");
    expect(issue.defer_reason).toBe("ignored by config: vendored (lib* <2 until 2026-04-01)");
    expect(transitions(issue)).toEqual([
      [null, "detected", "detected by the bug detector: bug:marker:src/api/a.py:3"],
      ["detected", "deferred", "ignored by config: vendored (lib* <2 until 2026-04-01)"],
    ]);
  });

  it("the same id twice in one run: the first finding wins", () => {
    const out = reconcileIssues([cur({ title: "first" }), cur({ title: "second" })], [], detectors(), NOW);
    expect(out.map((i) => i.title)).toEqual(["first"]);
  });
});

describe("a finding already stored", () => {
  it("keeps created_at, history, assignee and GitHub number; same content keeps updated_at", () => {
    const prev = stored("prioritized");
    const [issue] = reconcileIssues([cur()], [prev], detectors(), T1);
    expect(issue).toEqual({ ...prev, duplicate_of: null });
  });

  it("compares content whatever the key order of stored objects", () => {
    const risk = makeRiskLevel({ level: "low", score: 1.2 });
    const reordered = Object.fromEntries(Object.entries(risk).reverse()) as typeof risk;
    const prev = stored("prioritized", { risk_assessment: reordered });
    expect(reconcileIssues([cur()], [prev], detectors(), T1)[0].updated_at).toBe(EARLIER);
  });

  it("changed content: fresh fields and updated_at", () => {
    const prev = stored("prioritized");
    for (const change of [{ title: "TODO in src/api/a.py:4" }, { files_affected: ["src/api/b.py"] }, { risk_assessment: makeRiskLevel({ level: "low", score: 1.3 }) }, { subject: "bug:x" }] as Array<Partial<IssueContent>>) {
      const [issue] = reconcileIssues([cur(change)], [prev], detectors(), T1);
      expect(issue, JSON.stringify(change)).toMatchObject({ ...change, updated_at: T1.toISOString(), created_at: EARLIER, assignee: "alice", github_issue_number: 7 });
    }
  });

  it("clears a stale duplicate_of when the issue is found again", () => {
    const [issue] = reconcileIssues([cur()], [stored("prioritized", { duplicate_of: "bug-0" })], detectors(), T1);
    expect(issue.duplicate_of).toBeNull();
  });

  it("a resolved issue found again is reopened, assessed and prioritized", () => {
    const [issue] = reconcileIssues([cur()], [stored("resolved")], detectors(), T1);
    expect(issue.status).toBe("open");
    expect(issue.resolved_at).toBeNull();
    expect(transitions(issue).slice(1)).toEqual([
      ["resolved", "reopened", "detected again: TODO in src/api/a.py:3"],
      ["reopened", "assessed", "severity low, risk low (1.2)"],
      ["assessed", "prioritized", "priority low: severity low"],
    ]);
  });

  it("an issue in progress or scheduled stays where it is", () => {
    for (const state of ["in_progress", "scheduled"] as const) {
      const [issue] = reconcileIssues([cur()], [stored(state)], detectors(), T1);
      expect(issue.lifecycle_state).toBe(state);
      expect(issue.history).toHaveLength(1);
    }
  });

  it("an issue stuck in detected or assessed is taken on to prioritized", () => {
    const [a] = reconcileIssues([cur()], [stored("detected")], detectors(), T1);
    expect(transitions(a).slice(1).map((t) => t[1])).toEqual(["assessed", "prioritized"]);
    const [b] = reconcileIssues([cur()], [stored("assessed")], detectors(), T1);
    expect(transitions(b).slice(1)).toEqual([["assessed", "prioritized", "priority low: severity low"]]);
  });
});

describe("ignore rules and deferrals", () => {
  const rule = { package: "requests", reason: "accepted risk" };

  it("a rule now covering an open issue defers it", () => {
    const [issue] = reconcileIssues([cur({}, { ignore: rule })], [stored("prioritized")], detectors(), T1);
    expect(issue.status).toBe("deferred");
    expect(transitions(issue).slice(1)).toEqual([["prioritized", "deferred", "ignored by config: accepted risk (requests)"]]);
  });

  it("a rule covering a resolved issue that came back: reopened, then deferred", () => {
    const [issue] = reconcileIssues([cur({}, { ignore: rule })], [stored("resolved")], detectors(), T1);
    expect(transitions(issue).slice(1)).toEqual([
      ["resolved", "reopened", "detected again: TODO in src/api/a.py:3"],
      ["reopened", "deferred", "ignored by config: accepted risk (requests)"],
    ]);
  });

  it("an issue already deferred stays deferred under a rule, with no new transition", () => {
    const prev = stored("deferred", { defer_reason: "waiting for upstream" });
    const [issue] = reconcileIssues([cur({}, { ignore: rule })], [prev], detectors(), T1);
    expect(issue).toEqual({ ...prev, duplicate_of: null });
  });

  it("a maintainer's deferral stands without a rule", () => {
    const prev = stored("deferred", { defer_reason: "waiting for upstream" });
    expect(reconcileIssues([cur()], [prev], detectors(), T1)[0]).toEqual({ ...prev, duplicate_of: null });
    const noReason = stored("deferred", { defer_reason: null });
    expect(reconcileIssues([cur()], [noReason], detectors(), T1)[0].lifecycle_state).toBe("deferred");
  });

  it("a deferral by a rule that no longer applies is lifted", () => {
    const prev = stored("deferred", { defer_reason: "ignored by config: accepted risk (requests until 2026-02-28)" });
    const [issue] = reconcileIssues([cur()], [prev], detectors(), T1);
    expect(issue.status).toBe("open");
    expect(issue.defer_reason).toBeNull();
    expect(transitions(issue).slice(1)).toEqual([
      ["deferred", "reopened", "the ignore rule lapsed or was removed"],
      ["reopened", "assessed", "severity low, risk low (1.2)"],
      ["assessed", "prioritized", "priority low: severity low"],
    ]);
  });
});

describe("stored issues not found again", () => {
  it("resolved when this run's input covers them, with the detector's reason", () => {
    const [issue] = reconcileIssues([], [stored("prioritized")], detectors({ bug: detector() }), T1);
    expect(issue.status).toBe("resolved");
    expect(issue.resolved_at).toBe(T1.toISOString());
    expect(transitions(issue).slice(1)).toEqual([["prioritized", "resolved", "no longer detected: bug:marker:src/api/a.py:3 is gone"]]);
  });

  it("a deferred issue whose cause is gone is resolved too", () => {
    const [issue] = reconcileIssues([], [stored("deferred", { defer_reason: "later" })], detectors({ bug: detector() }), T1);
    expect(issue.status).toBe("resolved");
  });

  it("unchanged when not covered, when its detector did not run, or when already resolved", () => {
    const prev = stored("prioritized");
    expect(reconcileIssues([], [prev], detectors({ bug: detector({ covers: () => false }) }), T1)).toEqual([prev]);
    expect(reconcileIssues([], [prev], detectors({ security: detector() }), T1)).toEqual([prev]);
    const done = stored("resolved");
    expect(reconcileIssues([], [done], detectors({ bug: detector() }), T1)).toEqual([done]);
  });

  it("merged into this run's issue: resolved as its duplicate", () => {
    const old = stored("prioritized", { id: "bug-old", type: "bug" });
    const det = detector({ supersededBy: (p) => (p.id === "bug-old" ? "bug-1" : null), covers: () => false });
    const out = reconcileIssues([cur()], [old], detectors({ bug: det }), T1);
    const merged = out.find((i) => i.id === "bug-old")!;
    expect(merged).toMatchObject({ status: "resolved", duplicate_of: "bug-1", resolved_at: T1.toISOString() });
    expect(transitions(merged).slice(1)).toEqual([["prioritized", "resolved", "merged into bug-1: one issue per vulnerable package version lists every advisory"]]);
    // Already resolved: no new transition, still marked as the duplicate.
    const gone = stored("resolved", { id: "bug-old" });
    const again = reconcileIssues([cur()], [gone], detectors({ bug: det }), T1).find((i) => i.id === "bug-old")!;
    expect(again).toEqual({ ...gone, duplicate_of: "bug-1" });
  });

  it("not merged when the issue it would merge into is not in this run", () => {
    const old = stored("prioritized", { id: "bug-old" });
    const det = detector({ supersededBy: () => "bug-elsewhere", covers: () => false });
    expect(reconcileIssues([], [old], detectors({ bug: det }), T1)).toEqual([old]);
    const nullBy = detector({ supersededBy: () => null, covers: () => false });
    expect(reconcileIssues([cur()], [old], detectors({ bug: nullBy }), T1).find((i) => i.id === "bug-old")).toEqual(old);
  });

  it("the first of two stored issues with one id is the one kept", () => {
    const a = stored("prioritized", { title: "kept" });
    const b = stored("prioritized", { title: "dropped" });
    const out = reconcileIssues([], [a, b], detectors(), T1);
    expect(out).toEqual([a]);
  });
});

describe("compareIssues", () => {
  const i = (id: string, over: Partial<MaintenanceIssue>) => makeIssue({ id, priority: "medium", severity: "medium", lifecycle_state: "prioritized", ...over });

  it("open first, then priority, then severity (highest first), then id", () => {
    // g and h are closed: last, and between them the critical h first.
    const list = [
      i("h", { lifecycle_state: "resolved", priority: "immediate", severity: "critical" }),
      i("g", { lifecycle_state: "deferred", priority: "immediate" }),
      i("f", { priority: "low" }),
      i("e", { priority: "medium", severity: "low" }),
      i("d", { priority: "medium", severity: "high" }),
      i("c", { priority: "medium", severity: "high" }),
      i("b", { priority: "high", severity: "low" }),
      i("a", { priority: "immediate", severity: "low" }),
    ];
    expect([...list].sort(compareIssues).map((x) => x.id)).toEqual(["a", "b", "c", "d", "e", "f", "h", "g"]);
    expect([...list].reverse().sort(compareIssues).map((x) => x.id)).toEqual(["a", "b", "c", "d", "e", "f", "h", "g"]);
    expect(compareIssues(list[4], list[4])).toBe(0);
  });

  it("reconcileIssues returns the issues in that order", () => {
    const out = reconcileIssues([cur({ id: "z", priority: "immediate", severity: "critical" }), cur({ id: "y", priority: "low" })], [stored("resolved", { id: "a" })], detectors(), T1);
    expect(out.map((x) => x.id)).toEqual(["z", "y", "a"]);
    // Found in the other order: still sorted.
    const rev = reconcileIssues([cur({ id: "y", priority: "low" }), cur({ id: "z", priority: "immediate", severity: "critical" })], [stored("resolved", { id: "a" })], detectors(), T1);
    expect(rev.map((x) => x.id)).toEqual(["z", "y", "a"]);
  });
});
