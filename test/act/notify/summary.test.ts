import { describe, expect, it } from "vitest";
import { renderDigestEmail, summaryFromAssessment } from "../../../src/act/notify/index.js";
import type { Assessment } from "../../../src/assess/types.js";
import { makeDependency, makeIssue, makeSystemHealth } from "../../helpers/factories.js";
import { makeAlert } from "./peers.js";

describe("summaryFromAssessment", () => {
  it("counts open issues by severity, resolved since the last digest, and lists top issues with GitHub links", () => {
    const a: Assessment = {
      system: makeSystemHealth({ overall_status: "critical" }),
      components: [],
      issues: [
        makeIssue({ id: "i1", severity: "medium", priority: "medium", title: "medium one", github_issue_number: 3 }),
        makeIssue({ id: "i2", severity: "critical", priority: "immediate", title: "critical one" }),
        makeIssue({ id: "i3", status: "resolved", lifecycle_state: "resolved", resolved_at: "2026-01-14T00:00:00.000Z" }),
        makeIssue({ id: "i4", status: "resolved", lifecycle_state: "resolved", resolved_at: "2026-01-01T00:00:00.000Z" }),
      ],
      dependencies: [makeDependency()],
      alerts: [makeAlert({ created_at: "2026-01-14T00:00:00.000Z" }), makeAlert({ key: "old", created_at: "2026-01-01T00:00:00.000Z" })],
      warnings: [],
    };
    const s = summaryFromAssessment(a, { repo: "acme/app", generated_at: "2026-01-15T06:00:00.000Z", since: "2026-01-08T06:00:00.000Z" });
    expect(s.overall_status).toBe("critical");
    expect(s.counts.issues_open).toBe(2);
    expect(s.counts.open_by_severity).toEqual({ critical: 1, high: 0, medium: 1, low: 0 });
    expect(s.counts.resolved_in_period).toBe(1);
    expect(s.top_issues.map((i) => [i.title, i.url])).toEqual([
      ["critical one", null],
      ["medium one", "https://github.com/acme/app/issues/3"],
    ]);
    expect(s.alerts.map((x) => x.key)).toEqual([makeAlert().key]);
    expect(renderDigestEmail(s, "weekly").text).toContain("Open issues: 2 (critical 1, high 0, medium 1, low 0)");
  });
});
