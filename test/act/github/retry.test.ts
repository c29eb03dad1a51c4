import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubRefusedError, rateLimitWaitSeconds, SECONDARY_FALLBACK_SECONDS } from "../../../src/act/github/retry.js";
import { appOctokitClass } from "../../../src/server/octokit.js";

const API = "https://api.github.com";
const secondary = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };

function err(status: number, headers: Record<string, string> = {}, message = "Forbidden"): unknown {
  return { status, message, response: { headers, data: { message } } };
}

describe("rateLimitWaitSeconds (GitHub's documented waits)", () => {
  const now = Date.parse("2026-01-15T12:00:00Z");
  it("retry-after, in seconds or as a date", () => {
    expect(rateLimitWaitSeconds(err(403, { "retry-after": "42" }), 0, now)).toBe(42);
    expect(rateLimitWaitSeconds(err(429, { "retry-after": "Thu, 15 Jan 2026 12:00:30 GMT" }), 0, now)).toBe(30);
  });
  it("primary limit: until x-ratelimit-reset, plus one second", () => {
    expect(rateLimitWaitSeconds(err(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 100) }), 0, now)).toBe(101);
  });
  it("secondary limit without headers: one minute, then exponentially longer", () => {
    expect(rateLimitWaitSeconds(err(403, {}, secondary.message), 0, now)).toBe(SECONDARY_FALLBACK_SECONDS);
    expect(rateLimitWaitSeconds(err(403, {}, secondary.message), 2, now)).toBe(SECONDARY_FALLBACK_SECONDS * 4);
  });
  it("a plain 403 (no permission), a 404 or a 502 is not a rate limit", () => {
    expect(rateLimitWaitSeconds(err(403, {}, "Resource not accessible by integration"), 0, now)).toBeNull();
    expect(rateLimitWaitSeconds(err(404), 0, now)).toBeNull();
    expect(rateLimitWaitSeconds(err(502), 0, now)).toBeNull();
  });
});

describe("the app's Octokit: capped rate-limit retries, no blind re-POST", () => {
  let sleeps: number[];
  const make = () => {
    const C = appOctokitClass({ throttle: false, retry: { sleep: async (ms) => void sleeps.push(ms), maxRetries: 2, log: { warn() {} } } });
    return new C({ auth: { token: "t" }, retry: { retryAfterBaseValue: 0 } } as never);
  };
  beforeEach(() => {
    sleeps = [];
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("waits retry-after (through the injected sleep) and retries the write", async () => {
    const scope = nock(API).post("/repos/a/b/issues").reply(403, secondary, { "retry-after": "5" }).post("/repos/a/b/issues").reply(201, { number: 1 });
    const res = await make().request("POST /repos/{owner}/{repo}/issues", { owner: "a", repo: "b", title: "t" });
    scope.done();
    expect(res.data.number).toBe(1);
    expect(sleeps).toEqual([5000]);
  });

  it("gives up after the cap with GitHubRefusedError (status kept)", async () => {
    const scope = nock(API).patch("/repos/a/b/issues/1").times(3).reply(403, secondary, { "retry-after": "1" });
    const p = make().request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: "a", repo: "b", issue_number: 1, title: "x" });
    await expect(p).rejects.toBeInstanceOf(GitHubRefusedError);
    await expect(p).rejects.toMatchObject({ status: 403 });
    scope.done();
    expect(sleeps).toEqual([1000, 1000]);
  });

  it("a POST answered 502 is not repeated (the create may have happened); a GET still is", async () => {
    const post = nock(API).post("/repos/a/b/issues").reply(502, { message: "Server Error" });
    await expect(make().request("POST /repos/{owner}/{repo}/issues", { owner: "a", repo: "b", title: "t" })).rejects.toMatchObject({ status: 502 });
    post.done();
    expect(nock.pendingMocks()).toEqual([]);
    const get = nock(API).get("/repos/a/b").reply(502, {}).get("/repos/a/b").reply(200, { id: 1 });
    const res = await make().request("GET /repos/{owner}/{repo}", { owner: "a", repo: "b" });
    get.done();
    expect(res.data.id).toBe(1);
  });
});
