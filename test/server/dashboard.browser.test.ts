/**
 * The dashboard in headless Chromium (Debian's, via playwright-core): the sign-in redirect chain up to
 * GitHub's authorize URL (intercepted, never fetched), and a signed-in view whose filters work.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { SESSION_COOKIE } from "../../src/server/session.js";
import { chromiumAvailable, chromiumMissingReason, launchChromium, type LaunchedChromium } from "../helpers/browser.js";
import { startServer, type TestServer } from "./helpers.js";

const available = chromiumAvailable();
if (!available) console.warn(`SKIPPING dashboard browser tests: ${chromiumMissingReason()}`);

describe.skipIf(!available)("dashboard in Chromium", () => {
  let srv: TestServer;
  let browser: LaunchedChromium;
  const consoleErrors: string[] = [];
  const offsite: string[] = [];
  const authorizeSeen: URL[] = [];
  let gh: Server;

  const watch = (page: Page): void => {
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
  };

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    // A stub GitHub (Enterprise-style host on 127.0.0.1): authorize, token exchange, /user, repo permissions.
    gh = createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      if (u.pathname === "/login/oauth/authorize") {
        authorizeSeen.push(u);
        const back = new URL(u.searchParams.get("redirect_uri") ?? "");
        back.searchParams.set("code", "stub-code");
        back.searchParams.set("state", u.searchParams.get("state") ?? "");
        res.writeHead(302, { location: back.toString() }).end();
      } else if (u.pathname === "/login/oauth/access_token" && req.method === "POST") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "ghu_from_oauth" }));
      } else if (u.pathname === "/api/v3/user" && req.headers.authorization === "Bearer ghu_from_oauth") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ login: "octocat" }));
      } else if (u.pathname === "/api/v3/repos/octo/app" && req.headers.authorization === "Bearer ghu_from_oauth") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ permissions: { pull: true, push: false } }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => gh.listen(0, "127.0.0.1", resolve));
    const ghHost = `127.0.0.1:${(gh.address() as AddressInfo).port}`;
    srv = await startServer({}, { apiBase: `http://${ghHost}/api/v3`, webBase: `http://${ghHost}` });
    browser = await launchChromium();
    // Nothing may leave 127.0.0.1; GitHub's authorize page is answered locally.
    await browser.context.route(/^https?:\/\/(?!127\.0\.0\.1)/, async (route) => {
      offsite.push(route.request().url());
      await route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>GitHub authorize (stub)</title><p>stub</p>" });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await new Promise<void>((resolve) => (gh ? gh.close(() => resolve()) : resolve()));
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("signs in through the OAuth web flow: dashboard → login → authorize (client_id, state) → callback → dashboard", async () => {
    const page = await browser.newPage();
    watch(page);
    await page.goto(`${srv.base}/dashboard/octo/app`);
    // The stub GitHub's authorize page saw client_id, state and our callback, and sent the browser back.
    expect(authorizeSeen).toHaveLength(1);
    const url = authorizeSeen[0];
    expect(url.pathname).toBe("/login/oauth/authorize");
    expect(url.searchParams.get("client_id")).toBe("Iv1.testclient");
    expect(url.searchParams.get("state")?.length).toBeGreaterThan(20);
    expect(url.searchParams.get("redirect_uri")).toBe(`${srv.base}/dashboard/callback`);
    expect(page.url()).toBe(`${srv.base}/dashboard/octo/app`);
    expect(await page.locator("#login").textContent()).toBe("octocat");
    const cookies = await browser.context.cookies(srv.base);
    expect(cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    expect(cookies.find((c) => c.name === "cowabunga_oauth_state")).toBeUndefined();
    expect(consoleErrors).toEqual([]);
    await page.close();
    await browser.context.clearCookies();
  });

  it("signed in: renders status, components, records; severity/type/status filters work; no console errors", async () => {
    offsite.length = 0;
    const scope = nock(srv.deps.access!.hosts.apiBase).get("/repos/octo/app").matchHeader("authorization", "Bearer ghu_browser").reply(200, { permissions: { pull: true } });
    const cookie = srv.sessions.createSession("ghu_browser", "mona");
    await browser.context.addCookies([{ name: SESSION_COOKIE, value: encodeURIComponent(cookie), domain: "127.0.0.1", path: "/", httpOnly: true, sameSite: "Lax" }]);
    const page = await browser.newPage();
    watch(page);
    const res = await page.goto(`${srv.base}/dashboard/octo/app`);
    expect(res?.status()).toBe(200);
    scope.done();
    await expect(page.title()).resolves.toBe("Cowabunga dashboard: octo/app");
    expect(await page.locator("#login").textContent()).toBe("mona");
    expect(await page.locator("#records tbody tr").count()).toBe(2);
    expect(await page.locator("#health-chart").count()).toBe(1);

    const visibleIds = async (): Promise<number> => page.locator("#issues tbody tr.issue:visible").count();
    const total = await page.locator("#issues tbody tr.issue").count();
    expect(total).toBe(3);
    await page.selectOption("#f-status", "all");
    expect(await visibleIds()).toBe(3);
    await page.selectOption("#f-severity", "high");
    expect(await visibleIds()).toBe(1);
    await page.selectOption("#f-severity", "all");
    await page.selectOption("#f-type", "documentation");
    expect(await visibleIds()).toBe(1);
    await page.selectOption("#f-type", "all");
    await page.selectOption("#f-status", "resolved");
    expect(await visibleIds()).toBe(1);
    expect(await page.locator("#issues tbody tr.issue:visible").getAttribute("data-status")).toBe("resolved");

    expect(consoleErrors).toEqual([]);
    expect(offsite).toEqual([]);
    await page.close();
  });
});
