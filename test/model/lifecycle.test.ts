import { describe, expect, it } from "vitest";
import {
  IllegalTransitionError,
  ISSUE_TRANSITIONS,
  STATUS_OF_STATE,
  SYSTEM_STATES,
  SYSTEM_TRANSITIONS,
  canTransitionIssue,
  systemStateOf,
  transitionIssue,
  transitionSystem,
  tryTransitionIssue,
  type SystemState,
} from "../../src/model/lifecycle.js";
import { LifecycleState, MaintenanceIssue, SystemHealth } from "../../src/model/index.js";
import { makeIssue, makeSystemHealth } from "../helpers/factories.js";

const STATES = LifecycleState.options;
const AT = "2026-02-01T10:00:00.000Z";
const opts = { at: AT, reason: "test", actor: "octocat" };

// The legal moves, written out independently of the implementation's table.
const OPEN = ["detected", "assessed", "prioritized", "scheduled", "in_progress", "reopened"];
const FORWARD: Record<string, string> = {
  detected: "assessed",
  assessed: "prioritized",
  prioritized: "scheduled",
  scheduled: "in_progress",
  reopened: "assessed",
};
function expectedLegal(from: string, to: string): boolean {
  if (from === to) return false;
  if (OPEN.includes(from)) return FORWARD[from] === to || to === "resolved" || to === "deferred";
  if (from === "resolved") return to === "reopened";
  if (from === "deferred") return to === "reopened" || to === "resolved";
  return false;
}

const matrix = STATES.flatMap((from) => STATES.map((to) => ({ from, to, legal: expectedLegal(from, to) })));

describe("issue lifecycle matrix", () => {
  it("covers all 64 pairs and the table agrees with the documented rules", () => {
    expect(matrix).toHaveLength(64);
    for (const { from, to, legal } of matrix) expect(canTransitionIssue(from, to), `${from}→${to}`).toBe(legal);
  });

  it.each(matrix.filter((m) => m.legal))("allows $from → $to", ({ from, to }) => {
    const issue = makeIssue({ lifecycle_state: from, status: STATUS_OF_STATE[from] });
    const next = transitionIssue(issue, to, opts);
    expect(next.lifecycle_state).toBe(to);
    expect(next.status).toBe(STATUS_OF_STATE[to]);
    expect(next.updated_at).toBe(AT);
    expect(next.history.at(-1)).toEqual({ from, to, at: AT, reason: "test", actor: "octocat" });
    expect(MaintenanceIssue.safeParse(next).success).toBe(true);
    // the input is not modified
    expect(issue.lifecycle_state).toBe(from);
    expect(issue.history).toHaveLength(0);
  });

  it.each(matrix.filter((m) => !m.legal))("refuses $from → $to with a clear message", ({ from, to }) => {
    const issue = makeIssue({ id: "abc", lifecycle_state: from });
    expect(() => transitionIssue(issue, to, opts)).toThrow(IllegalTransitionError);
    try {
      transitionIssue(issue, to, opts);
    } catch (e) {
      expect((e as Error).message).toBe(`cannot move issue abc from ${from} to ${to}; allowed: ${ISSUE_TRANSITIONS[from].join(", ")}`);
    }
    const r = tryTransitionIssue(issue, to, opts);
    expect(r.ok).toBe(false);
  });

  it("gives the documented message for resolved → in_progress", () => {
    expect(() => transitionIssue(makeIssue({ id: "X", lifecycle_state: "resolved" }), "in_progress", opts)).toThrow(
      "cannot move issue X from resolved to in_progress; allowed: reopened",
    );
  });

  it("refuses an unknown target state", () => {
    expect(() => transitionIssue(makeIssue(), "closed" as LifecycleState, opts)).toThrow(IllegalTransitionError);
  });
});

describe("STATUS_OF_STATE", () => {
  it("maps every lifecycle state to the seed status", () => {
    expect(STATUS_OF_STATE).toEqual({
      detected: "open",
      assessed: "open",
      prioritized: "open",
      scheduled: "open",
      reopened: "open",
      in_progress: "in_progress",
      resolved: "resolved",
      deferred: "deferred",
    });
  });
});

describe("transitionIssue side fields", () => {
  it("walks the full happy path, then reopen, keeping the whole history", () => {
    let issue = makeIssue();
    const path: LifecycleState[] = ["assessed", "prioritized", "scheduled", "in_progress", "resolved", "reopened", "assessed"];
    path.forEach((to, i) => {
      issue = transitionIssue(issue, to, { at: new Date(Date.parse(AT) + i * 1000), reason: `step ${i}`, actor: "cowabunga" });
    });
    expect(issue.history.map((h) => h.to)).toEqual(path);
    expect(issue.history[0].from).toBe("detected");
    expect(issue.updated_at).toBe(new Date(Date.parse(AT) + 6000).toISOString());
    expect(issue.status).toBe("open");
  });

  it("sets resolved_at on resolve and clears it on reopen", () => {
    const resolved = transitionIssue(makeIssue(), "resolved", opts);
    expect(resolved.resolved_at).toBe(AT);
    const reopened = transitionIssue(resolved, "reopened", { ...opts, at: "2026-02-02T00:00:00Z" });
    expect(reopened.resolved_at).toBeNull();
    expect(reopened.updated_at).toBe("2026-02-02T00:00:00.000Z");
  });

  it("sets defer_reason on defer, clears it on reopen and on resolve", () => {
    const deferred = transitionIssue(makeIssue({ lifecycle_state: "prioritized" }), "deferred", { ...opts, reason: "waiting for upstream" });
    expect(deferred.defer_reason).toBe("waiting for upstream");
    expect(deferred.status).toBe("deferred");
    expect(deferred.resolved_at).toBeNull();
    expect(transitionIssue(deferred, "reopened", opts).defer_reason).toBeNull();
    const resolved = transitionIssue(deferred, "resolved", opts);
    expect(resolved.defer_reason).toBeNull();
    expect(resolved.resolved_at).toBe(AT);
  });

  it("rejects an invalid time", () => {
    expect(() => transitionIssue(makeIssue(), "assessed", { ...opts, at: "not a date" })).toThrow(/invalid transition time/);
  });
});

describe("system health machine", () => {
  const sysMatrix = SYSTEM_STATES.flatMap((from) => SYSTEM_STATES.map((to) => ({ from, to })));
  const healthIn = (s: SystemState): SystemHealth =>
    s === "maintenance" ? makeSystemHealth({ overall_status: "critical", maintenance_mode: true }) : makeSystemHealth({ overall_status: s });

  it("has the seed cycle healthy → warning → critical → maintenance → healthy", () => {
    let h = makeSystemHealth();
    for (const to of ["warning", "critical", "maintenance", "healthy"] as const) h = transitionSystem(h, to, opts).health;
    expect(systemStateOf(h)).toBe("healthy");
  });

  it.each(sysMatrix.filter((m) => m.from !== m.to))("$from → $to is legal and applied", ({ from, to }) => {
    expect(SYSTEM_TRANSITIONS[from]).toContain(to);
    const r = transitionSystem(healthIn(from), to, opts);
    expect(r.changed).toBe(true);
    expect(systemStateOf(r.health)).toBe(to);
    expect(r.record).toEqual({ from, to, at: AT, reason: "test", actor: "octocat" });
    expect(SystemHealth.safeParse(r.health).success).toBe(true);
    if (to === "maintenance") expect(r.health.overall_status).toBe(healthIn(from).overall_status);
  });

  it.each(SYSTEM_STATES)("%s → %s is not a transition (unchanged)", (s) => {
    const h = healthIn(s);
    const r = transitionSystem(h, s, opts);
    expect(r).toEqual({ health: h, changed: false, record: null });
  });

  it("refuses an unknown state", () => {
    expect(() => transitionSystem(makeSystemHealth(), "unknown" as SystemState, opts)).toThrow(
      "cannot move system from healthy to unknown; allowed: warning, critical, maintenance",
    );
  });
});
