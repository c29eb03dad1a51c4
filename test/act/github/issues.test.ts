import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, webHostOf, type GitHubOctokit } from "../../../src/act/github/client.js";
import { parseCodeowners } from "../../../src/act/github/codeowners.js";
import { fileUrl, indexAppIssues, keepTickedBoxes, renderIssue, sameBody, syncIssues, type GitHubIssue } from "../../../src/act/github/issues.js";
import { LabelManager } from "../../../src/act/github/labels.js";
import { issueIdFromBody, issueMarker } from "../../../src/act/github/markers.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";

const API = "https://api.github.com";
const repo = { owner: "acme", repo: "widgets" };
const SHA = "a".repeat(40);

function octokit(): GitHubOctokit {
  return new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } }) as GitHubOctokit;
}

const ctx = { owner: "acme", repo: "widgets", host: "github.com", sha: SHA, dependencies: [makeDependency()] };

describe("renderIssue", () => {
  it("escapes hostile text, links files at the scanned commit and keeps the marker", () => {
    const issue = makeIssue({
      id: "x-1",
      title: "evil\u0007 title @everyone",
      description: "<img src=x onerror=alert(1)> [click](javascript:alert(1)) @team #12",
      resolution_steps: ["run `rm -rf /`"],
    });
    const { title, body, labels } = renderIssue(issue, ctx);
    expect(title).toBe("evil title @everyone");
    expect(body.startsWith(issueMarker("x-1"))).toBe(true);
    expect(body).not.toMatch(/<img/);
    expect(body).not.toContain("](javascript:");
    expect(body).toContain("@\u200Dteam");
    expect(body).toContain(`https://github.com/acme/widgets/blob/${SHA}/api/requirements.txt#L3`);
    expect(body).toContain("- [ ] run \\`rm -rf /\\`");
    expect(labels).toEqual(["cowabunga", "type:security", "severity:high", "priority:high"]);
  });

  it("uses the GHES host for links", () => {
    const { body } = renderIssue(makeIssue(), { ...ctx, host: "ghe.example.com" });
    expect(body).toContain(`https://ghe.example.com/acme/widgets/blob/${SHA}/`);
  });

  it("a marker cannot be broken by a hostile id", () => {
    const m = issueMarker("a --> <script>");
    expect(m).toBe("<!-- cowabunga:issue:a_--___script_ -->");
    expect(issueIdFromBody(`x\n${m}`)).toBe("a_--___script_");
  });

  it("body comparison ignores line endings and the commit in links; ticked boxes are kept", () => {
    const a = renderIssue(makeIssue(), ctx).body;
    const b = renderIssue(makeIssue(), { ...ctx, sha: "b".repeat(40) }).body;
    expect(sameBody(a, b.replace(/\n/g, "\r\n"))).toBe(true);
    expect(sameBody(a, a.replace("Summary", "Summery"))).toBe(false);
    const ticked = a.replace("- [ ] bump requests to 2.20.0", "- [x] bump requests to 2.20.0");
    expect(keepTickedBoxes(a, ticked)).toBe(ticked);
  });
});

describe("syncIssues", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  function existing(issue: ReturnType<typeof makeIssue>, number: number, over: Partial<GitHubIssue> = {}): GitHubIssue {
    const r = renderIssue(issue, ctx);
    return { number, title: r.title, body: r.body, state: "open", labels: r.labels.map((name) => ({ name })), ...over };
  }

  it("creates labels once, respects max_new_per_run and assigns CODEOWNERS users", async () => {
    const issues = ["a", "b", "c"].map((id) => makeIssue({ id, title: `issue ${id}`, subject: id }));
    const labels: string[] = [];
    const scope = nock(API)
      .post("/repos/acme/widgets/labels", (b: { name: string }) => (labels.push(b.name), true))
      .times(3)
      .reply(201, {})
      .post("/repos/acme/widgets/labels")
      .reply(422, { message: "Validation Failed", errors: [{ code: "already_exists", field: "name" }] })
      .post("/repos/acme/widgets/issues", (b: { assignees?: string[] }) => b.assignees?.[0] === "alice")
      .times(2)
      .reply(201, { number: 5 });
    const lm = new LabelManager(octokit(), repo, [], silentLogger);
    const res = await syncIssues({
      octokit: octokit(),
      repo,
      issues,
      index: indexAppIssues([]),
      render: ctx,
      labels: lm,
      codeowners: parseCodeowners("api/ @alice\n"),
      maxNew: 2,
      baseLabels: ["cowabunga"],
      log: silentLogger,
    });
    scope.done();
    expect(labels).toEqual(["cowabunga", "type:security", "severity:high"]);
    expect(lm.knownLabels()).toContain("priority:high"); // 422 already_exists counts as existing
    expect(res.created).toHaveLength(2);
    expect(res.overflow.map((i) => i.id)).toEqual(["c"]);
  });

  it("edits only when title, body or labels differ, and keeps labels a person added", async () => {
    const same = makeIssue({ id: "same" });
    const changed = makeIssue({ id: "changed", severity: "critical" });
    const patches: Array<Record<string, unknown>> = [];
    const created: string[] = [];
    const scope = nock(API)
      .post("/repos/acme/widgets/labels", (b: { name: string }) => (created.push(b.name), true))
      .reply(201, {})
      .patch("/repos/acme/widgets/issues/2", (b: Record<string, unknown>) => (patches.push(b), true))
      .reply(200, {});
    const index = indexAppIssues([
      existing(same, 1, { labels: [{ name: "cowabunga" }, { name: "type:security" }, { name: "severity:high" }, { name: "priority:high" }, { name: "team:web" }] }),
      existing(makeIssue({ id: "changed" }), 2, { labels: ["cowabunga", "type:security", "severity:high", "priority:high", "team:web"] }),
    ]);
    const res = await syncIssues({
      octokit: octokit(),
      repo,
      issues: [same, changed],
      index,
      render: ctx,
      labels: new LabelManager(octokit(), repo, index.labelsSeen, silentLogger),
      codeowners: null,
      maxNew: 10,
      baseLabels: ["cowabunga"],
      log: silentLogger,
    });
    expect(created).toEqual(["severity:critical"]); // new: created on first use, the others were seen
    expect(res.updated).toEqual([2]);
    expect(patches[0].labels).toEqual(["team:web", "cowabunga", "type:security", "severity:critical", "priority:high"]);
    expect(String(patches[0].body)).toContain("| security | critical |");
    scope.done();
  });

  it("merged issues: the survivor adopts the oldest open GitHub issue, the others are closed as its duplicates; a second run changes nothing", async () => {
    const survivor = makeIssue({ id: "sec-new", subject: "security:pypi:requests@2.19.0", title: "requests 2.19.0: 2 advisories (PYSEC-2018-28, PYSEC-2023-74) in api" });
    const resolved = { status: "resolved" as const, lifecycle_state: "resolved" as const, duplicate_of: "sec-new" };
    const oldA = makeIssue({ id: "sec-old-a", subject: "security:pypi:requests:PYSEC-2018-28", ...resolved });
    const oldB = makeIssue({ id: "sec-old-b", subject: "security:pypi:requests:PYSEC-2023-74", ...resolved });
    const patches: Array<{ n: number; body: Record<string, unknown> }> = [];
    const comments: Array<{ n: number; body: string }> = [];
    const scope = nock(API)
      .patch(/\/repos\/acme\/widgets\/issues\/\d+$/)
      .times(2)
      .reply(function (uri, body) {
        patches.push({ n: Number(uri.split("/").pop()), body: body as Record<string, unknown> });
        return [200, {}];
      })
      .post(/\/repos\/acme\/widgets\/issues\/\d+\/comments$/)
      .reply(function (uri, body) {
        comments.push({ n: Number(uri.split("/").at(-2)), body: (body as { body: string }).body });
        return [201, {}];
      });
    const index = indexAppIssues([existing(makeIssue({ id: "sec-old-a" }), 11), existing(makeIssue({ id: "sec-old-b" }), 12)]);
    const run = (idx: ReturnType<typeof indexAppIssues>) =>
      syncIssues({
        octokit: octokit(),
        repo,
        issues: [survivor, oldA, oldB],
        index: idx,
        render: ctx,
        labels: new LabelManager(octokit(), repo, idx.labelsSeen, silentLogger),
        codeowners: null,
        maxNew: 10,
        baseLabels: ["cowabunga"],
        log: silentLogger,
      });
    const res = await run(index);
    scope.done();
    // #11 (the oldest) now tracks the survivor: rewritten with its marker, not closed.
    expect(res.numbers.get("sec-new")).toBe(11);
    expect(res.created).toEqual([]);
    const adopted = patches.find((p) => p.n === 11)!;
    expect(String(adopted.body.body)).toContain(issueMarker("sec-new"));
    expect(adopted.body.title).toBe(survivor.title);
    // #12 closed as a duplicate of #11.
    expect(comments).toEqual([{ n: 12, body: expect.stringMatching(/^Duplicate of #11: Cowabunga now files one issue per vulnerable package version/) }]);
    expect(patches.find((p) => p.n === 12)?.body).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(res.closed).toEqual([12]);
    // Second run: GitHub now shows #11 with the survivor's marker and #12 closed; nothing to do.
    const after = indexAppIssues([
      { ...existing(survivor, 11) },
      { ...existing(makeIssue({ id: "sec-old-b" }), 12), state: "closed" },
    ]);
    const again = await run(after);
    expect(again.updated).toEqual([]);
    expect(again.closed).toEqual([]);
    expect(again.numbers.get("sec-new")).toBe(11);
  });

  it("reopens an issue that came back, with a comment", async () => {
    const issue = makeIssue({ id: "back", lifecycle_state: "reopened" });
    const scope = nock(API)
      // The reopening comment is keyed: the issue's comments are read first, so a retry never posts it twice.
      .get("/repos/acme/widgets/issues/3/comments")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/widgets/issues/3/comments", (b: { body: string }) => /Detected again/.test(b.body) && b.body.includes("<!-- cowabunga:comment:reopened:"))
      .reply(201, {})
      .patch("/repos/acme/widgets/issues/3", { state: "open" })
      .reply(200, {});
    const index = indexAppIssues([existing(issue, 3, { state: "closed" })]);
    const res = await syncIssues({
      octokit: octokit(),
      repo,
      issues: [issue],
      index,
      render: ctx,
      labels: new LabelManager(octokit(), repo, index.labelsSeen),
      codeowners: null,
      maxNew: 10,
      baseLabels: ["cowabunga"],
      log: silentLogger,
    });
    scope.done();
    expect(res.reopened).toEqual([3]);
  });

  it("a failed write is reported with the request and the run goes on", async () => {
    // A 5xx may hide a create that happened: the issue is looked for by its marker before each new try.
    const scope = nock(API)
      .post("/repos/acme/widgets/issues", (b: { title: string }) => b.title === "one")
      .reply(500, { message: "boom" })
      .get("/repos/acme/widgets/issues")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/widgets/issues", (b: { title: string }) => b.title === "one")
      .reply(500, { message: "boom" })
      .get("/repos/acme/widgets/issues")
      .query(true)
      .reply(200, [])
      .post("/repos/acme/widgets/issues", (b: { title: string }) => b.title === "two")
      .reply(201, { number: 9 });
    const res = await syncIssues({
      octokit: octokit(),
      repo,
      issues: [makeIssue({ id: "one", title: "one" }), makeIssue({ id: "two", title: "two" })],
      index: indexAppIssues([]),
      render: ctx,
      labels: new LabelManager(octokit(), repo, ["cowabunga", "type:security", "severity:high", "priority:high"]),
      codeowners: null,
      maxNew: 10,
      baseLabels: ["cowabunga"],
      log: silentLogger,
    });
    scope.done();
    expect(res.errors[0]).toMatch(/^POST \/repos\/acme\/widgets\/issues \("one"\) failed/);
    expect(res.created).toEqual([9]);
  });
});

describe("links on a GitHub Enterprise Server served over http", () => {
  it("keep the server's scheme", () => {
    const host = webHostOf("http://ghe.internal:8080/api/v3");
    expect(fileUrl({ host, owner: "acme", repo: "w", sha: "a".repeat(40) }, "api/x.txt", 3)).toBe(
      `http://ghe.internal:8080/acme/w/blob/${"a".repeat(40)}/api/x.txt#L3`,
    );
    expect(webHostOf("https://ghe.example.com/api/v3")).toBe("ghe.example.com");
    expect(webHostOf("https://api.github.com")).toBe("github.com");
  });
});
