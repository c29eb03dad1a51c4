/**
 * The HTML report in headless Chromium (Debian's, via playwright-core): served from 127.0.0.1, it
 * must run its one script under its own CSP, execute nothing hostile, fetch nothing, and filter rows.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { renderHtml } from "../../../src/act/report/html.js";
import { chromiumAvailable, chromiumMissingReason, launchChromium, type LaunchedChromium } from "../../helpers/browser.js";
import { HOSTILE_IMG, HOSTILE_PACKAGE, HOSTILE_SCRIPT, history, hostileAssessment } from "../../fixtures/report/assessment.js";

const available = chromiumAvailable();
if (!available) console.warn(`SKIPPING HTML report browser tests: ${chromiumMissingReason()}`);

describe.skipIf(!available)("HTML report in Chromium", () => {
  let browser: LaunchedChromium;
  let server: Server;
  let page: Page;
  let url: string;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const html = renderHtml(hostileAssessment(), { history: history(), clock: () => new Date("2026-01-16T08:30:00Z") });
    server = createServer((req, res) => {
      requests.push(req.url ?? "");
      if (req.url === "/report.html") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(html);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report.html`;
    browser = await launchChromium();
    page = await browser.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(url, { waitUntil: "load" });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const visibleIssues = () => page.locator("#issues tbody tr.issue:visible").count();
  const visibleDeps = () => page.locator("#dependencies tbody tr.dep:visible").count();
  async function setFilters(severity: string, type: string, status: string): Promise<void> {
    await page.selectOption("#f-severity", severity);
    await page.selectOption("#f-type", type);
    await page.selectOption("#f-status", status);
  }

  it("loads with no console errors, no page errors, and no request but the page itself", () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((r) => r !== "/favicon.ico")).toEqual(["/report.html"]);
  });

  it("runs nothing hostile and shows hostile text as text", async () => {
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator("script").count()).toBe(2); // the data block and the page's own script
    expect(await page.locator("img, iframe, object, embed, svg[onload], [onerror], [onload]").count()).toBe(0);
    const issueTitle = page.locator("#issues tr.issue td.title strong").first();
    expect(await issueTitle.textContent()).toBe(`${HOSTILE_SCRIPT} in ${HOSTILE_PACKAGE}`);
    await expect.poll(() => issueTitle.isVisible()).toBe(true);
    expect(await page.locator("#dependencies tr.dep").first().locator("strong").textContent()).toBe(HOSTILE_PACKAGE);
    const text = await page.locator("body").innerText();
    expect(text).toContain(HOSTILE_IMG);
  });

  it("renders a link only for http(s) advisory URLs", async () => {
    const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(h).toMatch(/^https?:\/\//);
    expect(hrefs).toContain("https://osv.dev/vulnerability/GHSA-x84v-xcm2-53pg");
  });

  it("draws the health chart with a point per assessment", async () => {
    expect(await page.locator("svg#health-chart").count()).toBe(1);
    expect(await page.locator("svg#health-chart g.overall circle").count()).toBe(4); // 3 history + current
    expect(await page.locator("svg#health-chart g.component").count()).toBe(2);
  });

  it("filters issues by severity, type and status, counting visible rows", async () => {
    await expect.poll(() => page.locator("#issues .filters").isVisible()).toBe(true);
    await setFilters("all", "all", "all");
    expect(await visibleIssues()).toBe(6);
    expect(await page.locator("#issue-count").textContent()).toBe("6 of 6 shown");

    await setFilters("critical", "all", "all");
    expect(await visibleIssues()).toBe(1);
    await setFilters("low", "all", "all");
    expect(await visibleIssues()).toBe(2);
    await setFilters("all", "security", "all");
    expect(await visibleIssues()).toBe(2);
    await setFilters("all", "dependency", "all");
    expect(await visibleIssues()).toBe(2);
    await setFilters("low", "dependency", "all");
    expect(await visibleIssues()).toBe(1);
    await setFilters("all", "all", "active");
    expect(await visibleIssues()).toBe(4);
    await setFilters("all", "all", "resolved");
    expect(await visibleIssues()).toBe(1);
    await setFilters("high", "bug", "all");
    expect(await visibleIssues()).toBe(0);
    expect(await page.locator("#issue-count").textContent()).toBe("0 of 6 shown");

    await setFilters("all", "all", "all");
    await page.fill("#f-text", "readme");
    expect(await visibleIssues()).toBe(1);
    await page.fill("#f-text", "");
    expect(await visibleIssues()).toBe(6);
  });

  it("filters dependencies, vulnerable and outdated first", async () => {
    expect(await visibleDeps()).toBe(5);
    const first = await page.locator("#dependencies tbody tr.dep").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-vulnerable")));
    expect(first).toEqual(["1", "1", "0", "0", "0"]);
    await page.selectOption("#f-dep", "vulnerable");
    expect(await visibleDeps()).toBe(2);
    await page.selectOption("#f-dep", "outdated");
    expect(await visibleDeps()).toBe(3); // requests (also vulnerable), react, left-pad
    await page.selectOption("#f-dep", "attention");
    expect(await visibleDeps()).toBe(4);
    await page.selectOption("#f-dep", "all");
    expect(await visibleDeps()).toBe(5);
  });

  it("shows every row with filters hidden when JavaScript is off", async () => {
    const noJs = await launchChromium({ javaScriptEnabled: false });
    try {
      const p = await noJs.newPage();
      await p.goto(url, { waitUntil: "load" });
      expect(await p.locator("#issues tbody tr.issue:visible").count()).toBe(6);
      expect(await p.locator("#dependencies tbody tr.dep:visible").count()).toBe(5);
      expect(await p.locator("#issues .filters").isVisible()).toBe(false);
      expect(await p.locator("#issue-count").textContent()).toBe("");
    } finally {
      await noJs.close();
    }
  });
});
