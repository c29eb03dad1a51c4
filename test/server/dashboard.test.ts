import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SESSION_COOKIE, STATE_COOKIE } from "../../src/server/session.js";
import { githubRepo, NOW, startServer, type TestServer } from "./helpers.js";

let srv: TestServer;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => nock.enableNetConnect());
beforeEach(async () => {
  srv = await startServer();
});
afterEach(async () => {
  await srv.close();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    out[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1));
  }
  return out;
}

describe("dashboard sign-in", () => {
  it("unauthenticated dashboard → login → GitHub authorize URL with client_id, state and redirect_uri", async () => {
    const a = await fetch(`${srv.base}/dashboard/octo/app`, { redirect: "manual" });
    expect(a.status).toBe(302);
    expect(a.headers.get("location")).toBe("/dashboard/login?return_to=%2Fdashboard%2Focto%2Fapp");
    const b = await fetch(`${srv.base}${a.headers.get("location")}`, { redirect: "manual" });
    expect(b.status).toBe(302);
    const url = new URL(b.headers.get("location") ?? "");
    expect(url.origin + url.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(url.searchParams.get("client_id")).toBe("Iv1.testclient");
    expect(url.searchParams.get("redirect_uri")).toBe(`${srv.base}/dashboard/callback`);
    const state = url.searchParams.get("state") ?? "";
    expect(state.length).toBeGreaterThan(20);
    const setCookie = b.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/cowabunga_oauth_state=.*HttpOnly; SameSite=Lax/);
    expect(srv.sessions.verify(cookiesOf(b)[STATE_COOKIE])).toMatchObject({ state, return_to: "/dashboard/octo/app" });
  });

  it("callback checks state, exchanges the code on the GitHub host, sets an encrypted session and returns", async () => {
    const login = await fetch(`${srv.base}/dashboard/login?return_to=/dashboard/octo/app`, { redirect: "manual" });
    const state = new URL(login.headers.get("location") ?? "").searchParams.get("state") ?? "";
    const stateCookie = `${STATE_COOKIE}=${encodeURIComponent(cookiesOf(login)[STATE_COOKIE])}`;

    // A wrong state is refused without calling GitHub.
    const wrong = await fetch(`${srv.base}/dashboard/callback?code=abc&state=forged`, { redirect: "manual", headers: { cookie: stateCookie } });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/state is missing, expired or does not match/);
    // No cookie at all: refused too.
    expect((await fetch(`${srv.base}/dashboard/callback?code=abc&state=${state}`, { redirect: "manual" })).status).toBe(400);

    const exchange = nock("https://github.com")
      .post("/login/oauth/access_token", (body: Record<string, string>) => body.code === "abc" && body.client_id === "Iv1.testclient" && body.client_secret === "client-secret")
      .reply(200, { access_token: "ghu_user_token", token_type: "bearer" });
    const user = nock("https://api.github.com").get("/user").matchHeader("authorization", "Bearer ghu_user_token").reply(200, { login: "mona" });
    const ok = await fetch(`${srv.base}/dashboard/callback?code=abc&state=${state}`, { redirect: "manual", headers: { cookie: stateCookie } });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/dashboard/octo/app");
    exchange.done();
    user.done();
    const session = cookiesOf(ok)[SESSION_COOKIE];
    expect(session).not.toContain("ghu_user_token");
    expect(Buffer.from(session.split(".")[0], "base64url").toString("latin1")).not.toContain("ghu_user_token");
    expect(srv.sessions.readSession(session)).toMatchObject({ token: "ghu_user_token", login: "mona" });
    expect(ok.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it("GHES: the authorize URL uses GHE_HOST", async () => {
    const { githubHostsFromEnv } = await import("../../src/server/index.js");
    await srv.close();
    srv = await startServer({}, githubHostsFromEnv({ GHE_HOST: "ghe.example.com" }));
    const r = await fetch(`${srv.base}/dashboard/login`, { redirect: "manual" });
    expect(r.headers.get("location")).toMatch(/^https:\/\/ghe\.example\.com\/login\/oauth\/authorize\?/);
  });

  it("a forged or tampered session cookie is treated as signed out", async () => {
    const good = srv.sessions.createSession("ghu_x", "mona");
    const tampered = `${good.slice(0, 10)}${good[10] === "A" ? "B" : "A"}${good.slice(11)}`;
    const r = await fetch(`${srv.base}/dashboard/octo/app`, { redirect: "manual", headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(tampered)}` } });
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toMatch(/^\/dashboard\/login/);
  });

  it("signed in without access → 404 page; with read access → the dashboard with security headers", async () => {
    const noAccess = srv.sessions.createSession("ghu_none", "eve");
    githubRepo("ghu_none", "none");
    const a = await fetch(`${srv.base}/dashboard/octo/app`, { headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(noAccess)}` } });
    expect(a.status).toBe(404);
    const reader = srv.sessions.createSession("ghu_reader", "mona");
    githubRepo("ghu_reader", "read");
    const b = await fetch(`${srv.base}/dashboard/octo/app`, { headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(reader)}` } });
    expect(b.status).toBe(200);
    const html = await b.text();
    expect(html).toContain("Cowabunga dashboard: octo/app");
    expect(html).toContain('id="records"');
    expect(html).toContain("fedcba987654");
    expect(html).toContain("revert PR #15");
    expect(b.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(b.headers.get("content-security-policy")).not.toMatch(/https?:/);
    expect(b.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("without OAuth configuration the login page says what to set", async () => {
    await srv.close();
    srv = await startServer({ GITHUB_CLIENT_ID: undefined });
    const r = await fetch(`${srv.base}/dashboard/login`);
    expect(r.status).toBe(503);
    expect(await r.text()).toMatch(/GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
  });

  it("an expired session is signed out", async () => {
    const { SessionCodec } = await import("../../src/server/session.js");
    const past = new SessionCodec("test-session-secret", () => new Date(NOW.getTime() - 9 * 3600_000));
    const old = past.createSession("ghu_old", "mona");
    expect(srv.sessions.readSession(old)).toBeNull();
  });
});

