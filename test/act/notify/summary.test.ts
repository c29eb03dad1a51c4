import { describe, expect, it } from "vitest";
import { linkContext, renderDigestEmail, summaryFromAssessment } from "../../../src/act/notify/index.js";
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
    const repo = { owner: "acme", repo: "app" };
    const linkCtx = linkContext({ host: "github.com", repo, issues: a.issues, records: [], publicUrl: null });
    const s = summaryFromAssessment(a, { repo: "acme/app", generated_at: "2026-01-15T06:00:00.000Z", since: "2026-01-08T06:00:00.000Z", linkContext: linkCtx });
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

  it("links to the GitHub Enterprise host it is given, never to github.com, and has no links without a context", () => {
    const a: Assessment = {
      system: makeSystemHealth(),
      components: [],
      issues: [makeIssue({ id: "i1", title: "one" })],
      dependencies: [],
      alerts: [],
      warnings: [],
    };
    const repo = { owner: "acme", repo: "app" };
    // Numbers known only from the sync (the assessment's issue has none yet): the first digest still links.
    const ctx = linkContext({ host: "http://ghe.internal:8080", repo, issues: [{ id: "i1", github_issue_number: 41 }], records: [], publicUrl: "https://cowabunga.example.org/" });
    const s = summaryFromAssessment(a, { repo: "acme/app", generated_at: "2026-01-15T06:00:00.000Z", linkContext: ctx });
    expect(s.top_issues[0]!.url).toBe("http://ghe.internal:8080/acme/app/issues/41");
    expect(s.links.map((l) => l.url)).toEqual([
      "https://cowabunga.example.org/dashboard/acme/app",
      `http://ghe.internal:8080/acme/app/issues?q=${encodeURIComponent('is:issue is:open label:"cowabunga"')}`,
    ]);
    const text = renderDigestEmail(s, "6h").text;
    expect(text).not.toContain("github.com");
    const bare = summaryFromAssessment({ ...a, issues: [makeIssue({ id: "i1", github_issue_number: 41 })] }, { repo: "acme/app", generated_at: "2026-01-15T06:00:00.000Z" });
    expect(bare.top_issues[0]!.url).toBeNull();
    expect(bare.links).toEqual([]);
  });
});
