import { describe, expect, it } from "vitest";
import { assess } from "../../src/assess/index.js";
import { issueId } from "../../src/assess/draft.js";
import type { MaintenanceIssue } from "../../src/model/index.js";
import { makeDependency } from "../helpers/factories.js";
import { config, makeAdvisory, makeInputs, NOW } from "./helpers.js";

const vulnerable = makeDependency({ component: "api", advisories: [makeAdvisory()] });
const SEC_ID = issueId("security", "security:pypi:requests@2.19.0");
const later = (days: number) => () => new Date(NOW.getTime() + days * 86_400_000);
const states = (i: MaintenanceIssue) => i.history.map((h) => h.to);
const byId = (issues: MaintenanceIssue[], id: string) => issues.find((i) => i.id === id)!;

describe("lifecycle reconciliation", () => {
  it("creates new issues detected → assessed → prioritized with a stable id", () => {
    const a = assess(makeInputs({ dependencies: [vulnerable] }), config(), () => NOW);
    const issue = byId(a.issues, SEC_ID);
    expect(SEC_ID).toMatch(/^sec-[0-9a-f]{12}$/);
    expect(issue.lifecycle_state).toBe("prioritized");
    expect(issue.status).toBe("open");
    expect(states(issue)).toEqual(["detected", "assessed", "prioritized"]);
    expect(issue.history.every((h) => h.actor === "cowabunga")).toBe(true);
    expect(issue.created_at).toBe(NOW.toISOString());
    expect(issue.history[2].reason).toMatch(/^priority \w+: severity high × exposure/);
  });

  it("updates a known issue in place, keeping created_at, history, assignee and GitHub number", () => {
    const first = assess(makeInputs({ dependencies: [vulnerable] }), config(), () => NOW);
    const stored = first.issues.map((i) => (i.id === SEC_ID ? { ...i, assignee: "alice", github_issue_number: 42 } : i));
    // A second advisory on the same version joins the same issue.
    const more = makeDependency({ component: "api", advisories: [makeAdvisory(), makeAdvisory({ id: "PYSEC-2023-74", aliases: [], score: 6.1 })] });
    const second = assess(makeInputs({ dependencies: [more], previousIssues: stored }), config(), later(1));
    const issue = byId(second.issues, SEC_ID);
    expect(issue.title).toBe("requests 2.19.0: 2 advisories (PYSEC-2018-28, PYSEC-2023-74) in api");
    expect(issue.created_at).toBe(NOW.toISOString());
    expect(issue.updated_at).toBe(later(1)().toISOString());
    expect(issue.assignee).toBe("alice");
    expect(issue.github_issue_number).toBe(42);
    expect(states(issue)).toEqual(["detected", "assessed", "prioritized"]);
  });

  it("leaves updated_at alone when nothing changed", () => {
    const first = assess(makeInputs({ dependencies: [vulnerable] }), config(), () => NOW);
    const second = assess(makeInputs({ dependencies: [vulnerable], previousIssues: first.issues }), config(), later(1));
    expect(byId(second.issues, SEC_ID)).toEqual(byId(first.issues, SEC_ID));
  });

  it("resolves an open issue that is no longer detected, and reopens it when it returns", () => {
    const first = assess(makeInputs({ dependencies: [vulnerable] }), config(), () => NOW);
    const fixed = makeDependency({ component: "api", version: "2.20.0", advisories: [] });
    const second = assess(makeInputs({ dependencies: [fixed], previousIssues: first.issues }), config(), later(1));
    const resolved = byId(second.issues, SEC_ID);
    expect(resolved.status).toBe("resolved");
    expect(resolved.resolved_at).toBe(later(1)().toISOString());
    expect(resolved.history.at(-1)?.reason).toBe("no longer detected: no advisory matches requests 2.19.0 any more (upgraded, removed, or the advisories were withdrawn)");
    const third = assess(makeInputs({ dependencies: [vulnerable], previousIssues: second.issues }), config(), later(2));
    const reopened = byId(third.issues, SEC_ID);
    expect(states(reopened)).toEqual(["detected", "assessed", "prioritized", "resolved", "reopened", "assessed", "prioritized"]);
    expect(reopened.status).toBe("open");
    expect(reopened.resolved_at).toBeNull();
  });

  it("defers issues an ignore rule covers, and reopens them when the rule lapses", () => {
    const cfg = config((c) => (c.ignore = [{ package: "req*", versions: "<2.20", until: "2026-03-10", reason: "vendor patch applied" }]));
    const first = assess(makeInputs({ dependencies: [vulnerable] }), cfg, () => NOW);
    const deferred = byId(first.issues, SEC_ID);
    expect(deferred.status).toBe("deferred");
    expect(deferred.defer_reason).toBe("ignored by config: vendor patch applied (req* <2.20 until 2026-03-10)");
    expect(states(deferred)).toEqual(["detected", "deferred"]);
    // Still inside the rule: unchanged.
    const second = assess(makeInputs({ dependencies: [vulnerable], previousIssues: first.issues }), cfg, later(5));
    expect(byId(second.issues, SEC_ID).status).toBe("deferred");
    // After `until`: back to work.
    const third = assess(makeInputs({ dependencies: [vulnerable], previousIssues: second.issues }), cfg, later(10));
    const back = byId(third.issues, SEC_ID);
    expect(states(back)).toEqual(["detected", "deferred", "reopened", "assessed", "prioritized"]);
    expect(back.defer_reason).toBeNull();
  });

  it("does not apply a rule whose version range excludes the version", () => {
    const cfg = config((c) => (c.ignore = [{ package: "requests", versions: ">=3", reason: "n/a" }]));
    expect(byId(assess(makeInputs({ dependencies: [vulnerable] }), cfg, () => NOW).issues, SEC_ID).status).toBe("open");
  });

  it("keeps a maintainer's deferral", () => {
    const first = assess(makeInputs({ dependencies: [vulnerable] }), config(), () => NOW);
    const snoozed = first.issues.map((i) => ({ ...i, lifecycle_state: "deferred" as const, status: "deferred" as const, defer_reason: "waiting for upstream" }));
    const second = assess(makeInputs({ dependencies: [vulnerable], previousIssues: snoozed }), config(), later(1));
    expect(byId(second.issues, SEC_ID).defer_reason).toBe("waiting for upstream");
  });

  it("keeps issues whose detector did not cover them this run", () => {
    const textFiles = new Map([["src/api/a.py", "# TODO: x\n"]]);
    const first = assess(makeInputs({ textFiles }), config(), () => NOW);
    const bug = first.issues.find((i) => i.type === "bug")!;
    // A push diff touching other lines proves nothing about the old marker.
    const second = assess(makeInputs({ textFiles, addedLines: new Map([["src/api/a.py", new Set([5])]]), previousIssues: first.issues }), config(), later(1));
    expect(byId(second.issues, bug.id)).toEqual(bug);
    // No text files at all: same.
    const third = assess(makeInputs({ previousIssues: first.issues }), config(), later(1));
    expect(byId(third.issues, bug.id)).toEqual(bug);
    // Full read without the marker: resolved.
    const fourth = assess(makeInputs({ textFiles: new Map([["src/api/a.py", "x = 1\n"]]), previousIssues: first.issues }), config(), later(1));
    expect(byId(fourth.issues, bug.id).status).toBe("resolved");
  });

  it("merges the former per-advisory security issues into the issue of the package version", () => {
    const two = makeDependency({ component: "api", advisories: [makeAdvisory(), makeAdvisory({ id: "PYSEC-2023-74", aliases: [], score: 6.1 })] });
    const first = assess(makeInputs({ dependencies: [two] }), config(), () => NOW);
    const current = byId(first.issues, SEC_ID);
    // What an older version stored: one issue per advisory.
    const old = ["PYSEC-2018-28", "PYSEC-2023-74"].map((adv, i) => ({
      ...current,
      id: issueId("security", `security:pypi:requests:${adv}`),
      subject: `security:pypi:requests:${adv}`,
      github_issue_number: 10 + i,
    }));
    const second = assess(makeInputs({ dependencies: [two], previousIssues: old }), config(), later(1));
    for (const o of old) {
      const merged = byId(second.issues, o.id);
      expect(merged.status).toBe("resolved");
      expect(merged.duplicate_of).toBe(SEC_ID);
      expect(merged.history.at(-1)?.reason).toBe(`merged into ${SEC_ID}: one issue per vulnerable package version lists every advisory`);
    }
    expect(byId(second.issues, SEC_ID).status).toBe("open");
    expect(second.issues.filter((i) => i.type === "security" && i.status === "open")).toHaveLength(1);
    // A third run keeps them merged, without new transitions.
    const third = assess(makeInputs({ dependencies: [two], previousIssues: second.issues }), config(), later(2));
    expect(byId(third.issues, old[0].id)).toEqual(byId(second.issues, old[0].id));
  });

  it("skips invalid stored issues with a warning instead of throwing", () => {
    const a = assess(makeInputs({ previousIssues: [{ id: "broken" } as unknown as MaintenanceIssue] }), config(), () => NOW);
    expect(a.warnings.some((w) => w.message.startsWith("stored issue broken is invalid"))).toBe(true);
  });
});
