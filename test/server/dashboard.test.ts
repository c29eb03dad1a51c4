import { request as httpRequest } from "node:http";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SESSION_COOKIE, STATE_COOKIE } from "../../src/server/session.js";
import { isLoopbackHost } from "../../src/server/dashboard.js";
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


/** A GET with a chosen Host header (fetch would not let the test set it). */
function getWithHost(base: string, pathname: string, host: string): Promise<{ status: number; location: string | undefined; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname: u.hostname, port: u.port, path: pathname, method: "GET", headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("OAuth redirect_uri and the Host header", () => {
  it("recognises loopback hosts only", () => {
    for (const h of ["localhost", "localhost:3000", "127.0.0.1", "127.0.0.1:8080", "[::1]:3000", "app.localhost:80", "LOCALHOST"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [undefined, "", "evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "127.0.0.999", "[::2]", "10.0.0.1:80", "user@localhost", "localhost:80/x"]) expect(isLoopbackHost(h), String(h)).toBe(false);
  });

  it("a non-loopback Host without COWABUNGA_PUBLIC_URL is refused with a message for the operator, not redirected", async () => {
    const r = await getWithHost(srv.base, "/dashboard/login", "attacker.example");
    expect(r.status).toBe(400);
    expect(r.location).toBeUndefined();
    expect(r.body).toMatch(/COWABUNGA_PUBLIC_URL/);
    expect(r.body).not.toContain("attacker.example");
    expect(srv.logs.some((l) => l.level === "warn" && /COWABUNGA_PUBLIC_URL/.test(l.msg))).toBe(true);
    // The callback refuses too (the code exchange would send the forged redirect_uri).
    const cb = await getWithHost(srv.base, "/dashboard/callback?code=abc&state=x", "attacker.example");
    expect(cb.status).toBe(400);
  });

  it("localhost works out of the box and keeps its port", async () => {
    const port = new URL(srv.base).port;
    const r = await getWithHost(srv.base, "/dashboard/login", `localhost:${port}`);
    expect(r.status).toBe(302);
    expect(new URL(r.location ?? "").searchParams.get("redirect_uri")).toBe(`http://localhost:${port}/dashboard/callback`);
  });

  it("COWABUNGA_PUBLIC_URL wins over any Host; an invalid one is reported", async () => {
    await srv.close();
    srv = await startServer({ COWABUNGA_PUBLIC_URL: "https://cowabunga.example.com/" });
    const r = await getWithHost(srv.base, "/dashboard/login", "attacker.example");
    expect(r.status).toBe(302);
    expect(new URL(r.location ?? "").searchParams.get("redirect_uri")).toBe("https://cowabunga.example.com/dashboard/callback");
    await srv.close();
    srv = await startServer({ COWABUNGA_PUBLIC_URL: "javascript:alert(1)" });
    const bad = await fetch(`${srv.base}/dashboard/login`, { redirect: "manual" });
    expect(bad.status).toBe(503);
    expect(await bad.text()).toMatch(/COWABUNGA_PUBLIC_URL must be an http\(s\) URL/);
  });
});

describe("sign-out", () => {
  const clearsSession = (res: Response): boolean => res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=;`) && /Max-Age=0/.test(c));

  it("GET shows a POST form with the session's CSRF token and signs nobody out", async () => {
    const session = srv.sessions.createSession("ghu_x", "mona");
    const page = await fetch(`${srv.base}/dashboard/logout`, { headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(session)}` } });
    expect(page.status).toBe(200);
    expect(clearsSession(page)).toBe(false);
    const html = await page.text();
    expect(html).toMatch(/<form method="post" action="\/dashboard\/logout">/);
    const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    expect(token).toBe(srv.sessions.csrfToken(session));
    expect(page.headers.get("content-security-policy")).toMatch(/form-action 'self'/);
  });

  it("POST with the right token clears the session; a missing or foreign token is refused", async () => {
    const session = srv.sessions.createSession("ghu_x", "mona");
    const other = srv.sessions.createSession("ghu_y", "eve");
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(session)}`;
    const post = (body: string | null) =>
      fetch(`${srv.base}/dashboard/logout`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: body ?? "" });
    const none = await post(null);
    expect(none.status).toBe(403);
    expect(clearsSession(none)).toBe(false);
    expect(await none.text()).toMatch(/missing its token or it does not match/);
    const foreign = await post(`csrf=${encodeURIComponent(srv.sessions.csrfToken(other))}`);
    expect(foreign.status).toBe(403);
    expect(clearsSession(foreign)).toBe(false);
    const ok = await post(`csrf=${encodeURIComponent(srv.sessions.csrfToken(session))}`);
    expect(ok.status).toBe(200);
    expect(clearsSession(ok)).toBe(true);
    expect(await ok.text()).toMatch(/You are signed out/);
  });

  it("GET without a session says so; POST without a session just clears the cookie", async () => {
    const page = await fetch(`${srv.base}/dashboard/logout`);
    expect(await page.text()).toMatch(/not signed in/);
    const post = await fetch(`${srv.base}/dashboard/logout`, { method: "POST" });
    expect(post.status).toBe(200);
    expect(clearsSession(post)).toBe(true);
  });
});
