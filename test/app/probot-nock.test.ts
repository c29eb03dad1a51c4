import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testPrivateKey } from "../helpers/keys.js";

// Probot 14's Octokit requests go through fetch; nock 14 must intercept them, or every
// GitHub test in this suite would silently hit the network. This test proves it.
describe("nock intercepts Probot's Octokit", () => {
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("answers an installation-authenticated request from a webhook handler", async () => {
    const probot = new Probot({
      appId: 123,
      privateKey: testPrivateKey(),
      Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
    });
    let seen: unknown;
    probot.on("issues.opened", async (context) => {
      const { data } = await context.octokit.request("GET /repos/{owner}/{repo}", context.repo());
      seen = data;
    });

    const scope = nock("https://api.github.com")
      .post("/app/installations/42/access_tokens")
      .reply(200, { token: "ghs_test", permissions: { issues: "write" } })
      .get("/repos/acme/widgets")
      .reply(200, { full_name: "acme/widgets" });

    await probot.receive({
      id: "delivery-1",
      name: "issues",
      payload: {
        action: "opened",
        installation: { id: 42 },
        repository: { name: "widgets", owner: { login: "acme" } },
        issue: { number: 1 },
      },
    } as never);

    expect(seen).toEqual({ full_name: "acme/widgets" });
    scope.done();
  });
});
