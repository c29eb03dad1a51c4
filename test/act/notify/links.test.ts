import { describe, expect, it } from "vitest";
import { alertLinks, dashboardPageUrl, linkContext, originOfHost, withLinks } from "../../../src/act/notify/index.js";
import { makeAlert } from "./peers.js";

const repo = { owner: "acme", repo: "app" };
const record = (pr: number, status: "pending" | "failed" | "merged" | "closed", issues: string[], at: string) => ({
  pull_request: pr,
  attempt_status: status,
  issues_resolved: issues,
  performed_at: at,
});

describe("alert links (one builder for every channel)", () => {
  it("uses the GitHub host the app runs against: github.com, a GHES host, a plain-http GHES with its port", () => {
    expect(originOfHost("github.com")).toBe("https://github.com");
    expect(originOfHost("ghe.corp.example")).toBe("https://ghe.corp.example");
    expect(originOfHost("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    const ctx = linkContext({ host: "ghe.corp.example", repo, issues: [{ id: "i1", github_issue_number: 5 }], records: [], publicUrl: null });
    expect(alertLinks(makeAlert({ issue_ids: ["i1"] }), ctx)).toEqual([{ label: "GitHub issue #5", url: "https://ghe.corp.example/acme/app/issues/5" }]);
  });

  it("links the open update PR (scan markers first, then pending or failed records, newest first), never a merged or closed one", () => {
    const records = [
      record(10, "merged", ["i1"], "2026-01-03T00:00:00Z"),
      record(11, "pending", ["i1"], "2026-01-01T00:00:00Z"),
      record(12, "failed", ["i1"], "2026-01-02T00:00:00Z"),
      record(13, "closed", ["i2"], "2026-01-04T00:00:00Z"),
    ];
    const ctx = linkContext({ host: "github.com", repo, issues: [], records, publicUrl: null });
    expect(alertLinks(makeAlert({ issue_ids: ["i1"] }), ctx)).toEqual([{ label: "Update PR #12", url: "https://github.com/acme/app/pull/12" }]);
    expect(alertLinks(makeAlert({ issue_ids: ["i2"] }), ctx)).toEqual([]);
    const fromScan = linkContext({ host: "github.com", repo, issues: [], records, openPulls: new Map([["i1", 20]]), publicUrl: null });
    expect(alertLinks(makeAlert({ issue_ids: ["i1"] }), fromScan).map((l) => l.url)).toEqual(["https://github.com/acme/app/pull/20"]);
  });

  it("links the dashboard page only for an http(s) public URL, and encodes the repository", () => {
    expect(dashboardPageUrl("https://c.example.org/base/", repo)).toBe("https://c.example.org/base/dashboard/acme/app");
    expect(dashboardPageUrl("javascript:alert(1)", repo)).toBeNull();
    expect(dashboardPageUrl("https://user:pw@c.example.org", repo)).toBeNull();
    expect(dashboardPageUrl(null, repo)).toBeNull();
    expect(dashboardPageUrl("https://c.example.org", { owner: "a b", repo: "x?y" })).toBe("https://c.example.org/dashboard/a%20b/x%3Fy");
  });

  it("caps issue links at three, and replaces whatever links an alert had", () => {
    const issues = ["a", "b", "c", "d"].map((id, i) => ({ id, github_issue_number: i + 1 }));
    const ctx = linkContext({ host: "github.com", repo, issues, records: [], publicUrl: "https://c.example.org" });
    const [a] = withLinks([makeAlert({ issue_ids: ["a", "b", "c", "d"] })], ctx);
    expect(a!.links.map((l) => l.label)).toEqual(["GitHub issue #1", "GitHub issue #2", "GitHub issue #3", "Dashboard"]);
    expect(a!.links.some((l) => l.url.startsWith("javascript:"))).toBe(false);
  });
});
