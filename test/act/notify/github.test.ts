import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubChannel, alertMarker, renderAlertMarkdown } from "../../../src/act/notify/index.js";
import { FileStore } from "../../../src/store/index.js";
import { makeIssue } from "../../helpers/factories.js";
import { HOSTILE, makeAlert } from "./peers.js";

function fakeGitHub() {
  const calls: Array<{ kind: "comment" | "issue"; number?: number; title?: string; body: string }> = [];
  return {
    calls,
    async postComment(number: number, body: string) {
      calls.push({ kind: "comment", number, body });
    },
    async createIssue(title: string, body: string) {
      calls.push({ kind: "issue", title, body });
      return { number: 99 };
    },
  };
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-notify-gh-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});
const repo = { owner: "acme", repo: "app" };

describe("GitHubChannel", () => {
  it("comments on the maintenance issue's GitHub issue when it has one", async () => {
    const store = new FileStore({ root });
    await store.updateIssues(repo, () => [makeIssue({ id: "issue-1", github_issue_number: 42 })]);
    const gh = fakeGitHub();
    await new GitHubChannel(gh, { store, repo, mention: ["@octocat", "acme/security", "bad name!"] }).send(makeAlert());
    expect(gh.calls).toHaveLength(1);
    expect(gh.calls[0]).toMatchObject({ kind: "comment", number: 42 });
    expect(gh.calls[0].body.startsWith(alertMarker(makeAlert()))).toBe(true);
    expect(gh.calls[0].body).toContain("cc @octocat @acme/security\n");
    expect(gh.calls[0].body).toContain("[Report](<https://example.com/report/acme/app>)");
    expect(gh.calls[0].body).not.toContain("javascript:");
  });

  it("opens a new issue when the alert's issue has no GitHub number", async () => {
    const store = new FileStore({ root });
    await store.updateIssues(repo, () => [makeIssue({ id: "issue-1", github_issue_number: null })]);
    const gh = fakeGitHub();
    await new GitHubChannel(gh, { store, repo }).send(makeAlert({ title: "line1\nline2" }));
    expect(gh.calls[0]).toMatchObject({ kind: "issue", title: "[Cowabunga] CRITICAL: line1 line2" });
  });

  it("uses an injected issue finder", async () => {
    const gh = fakeGitHub();
    await new GitHubChannel(gh, { findIssueNumber: async (a) => (a.component === "api" ? 7 : null) }).send(makeAlert());
    expect(gh.calls[0]).toMatchObject({ kind: "comment", number: 7 });
  });

  it("propagates GitHub errors (the outbox retries)", async () => {
    const ch = new GitHubChannel({ postComment: async () => undefined, createIssue: () => Promise.reject(new Error("HTTP 502 from POST /repos/acme/app/issues")) });
    await expect(ch.send(makeAlert({ issue_ids: [] }))).rejects.toThrow("HTTP 502");
  });
});

describe("renderAlertMarkdown", () => {
  it("escapes HTML, mentions and issue references in untrusted text", () => {
    const md = renderAlertMarkdown(makeAlert({ title: HOSTILE, message: HOSTILE, component: "@evil" }));
    const afterMarker = md.slice(md.indexOf("\n") + 1);
    expect(afterMarker).not.toMatch(/<script>|<!channel>/);
    expect(afterMarker).toContain("&lt;script&gt;");
    expect(afterMarker).not.toMatch(/@here|@evil|#1\b/); // mentions and #1 neutralised (zero-width joiner)
    expect(afterMarker).toContain("@\u200Dhere");
  });
  it("the marker cannot be closed early by a hostile key", () => {
    expect(alertMarker(makeAlert({ key: "x --> <img>" }))).toBe("<!-- cowabunga-alert: x - img@2026-01-15T12:00:00.000Z -->");
  });
});
