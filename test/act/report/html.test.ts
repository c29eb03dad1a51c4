import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { healthSeries, renderHealthChart } from "../../../src/act/report/chart.js";
import { HTML_CSP, HTML_SCRIPT_HASH, renderHtml } from "../../../src/act/report/html.js";
import { buildReportDocument } from "../../../src/act/report/json.js";
import { advisoriesForIssue } from "../../../src/act/report/summary.js";
import { makeSystemHealth } from "../../helpers/factories.js";
import { HOSTILE_IMG, HOSTILE_PACKAGE, HOSTILE_SCRIPT, history, hostileAssessment } from "../../fixtures/report/assessment.js";

const clock = () => new Date("2026-01-16T08:30:00Z");

describe("renderHtml (static checks)", () => {
  const a = hostileAssessment();
  const page = renderHtml(a, { history: history(), clock, subject: "acme/widgets@abc123" });

  it("declares a strict CSP whose script hash matches the one inline script", () => {
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP.replace(/'/g, "&#39;")}">`);
    expect(HTML_CSP).toContain("default-src 'none'");
    const scripts = [...page.matchAll(/<script(?: [^>]*)?>([\s\S]*?)<\/script>/g)];
    const executable = scripts.filter((m) => !m[0].startsWith('<script type="application/json"'));
    expect(executable).toHaveLength(1);
    const hash = `sha256-${createHash("sha256").update(executable[0][1], "utf8").digest("base64")}`;
    expect(hash).toBe(HTML_SCRIPT_HASH);
  });

  it("loads nothing: no src, no stylesheet links, no external references", () => {
    expect(page).not.toMatch(/<[a-z][^<>]*\ssrc\s*=/i); // no element with a src attribute
    expect(page).not.toMatch(/<link(?![^>]*href="data:,")/i);
    expect(page).not.toMatch(/@import|url\(/i);
  });

  it("escapes every hostile string", () => {
    for (const s of [HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_PACKAGE]) expect(page).not.toContain(s);
    expect(page).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(page).not.toMatch(/href="(?!https?:|data:,)/); // every link is http(s)
    expect(page).not.toMatch(/href="[^"]*javascript/i);
    expect(page).toContain('href="https://osv.dev/vulnerability/GHSA-x84v-xcm2-53pg"');
  });

  it("embeds the report document as inert JSON that parses back", () => {
    const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page);
    expect(m).not.toBeNull();
    expect(m![1]).not.toMatch(/[<>]/);
    expect(JSON.parse(m![1])).toEqual(JSON.parse(JSON.stringify(buildReportDocument(a, { clock }))));
  });

  it("has one row per issue and per dependency, with filter data attributes", () => {
    expect(page.match(/<tr class="issue"/g)).toHaveLength(a.issues.length);
    expect(page.match(/<tr class="dep/g)).toHaveLength(a.dependencies.length);
    expect(page).toContain('data-severity="critical" data-type="security" data-status="open" data-active="1"');
    expect(page).toContain("acme/widgets@abc123");
  });

  it("is deterministic for the same input and clock", () => {
    expect(renderHtml(a, { history: history(), clock, subject: "acme/widgets@abc123" })).toBe(page);
  });

  it("can leave the data out", () => {
    expect(renderHtml(a, { clock, embedData: false })).not.toContain("report-data");
  });
});

describe("advisoriesForIssue", () => {
  const a = hostileAssessment();
  it("links an issue to the advisory its subject names", () => {
    expect(advisoriesForIssue(a.issues[0], a.dependencies).map((x) => x.id)).toEqual(["GHSA-x84v-xcm2-53pg"]);
    expect(advisoriesForIssue(a.issues[1], a.dependencies).map((x) => x.id)).toEqual(["GHSA-evil-0000-0000"]);
  });
  it("links nothing to issues about other things", () => {
    expect(advisoriesForIssue(a.issues[2], a.dependencies)).toEqual([]); // react, no advisories
    expect(advisoriesForIssue(a.issues[4], a.dependencies)).toEqual([]); // documentation
  });
  it("does not match a name that is only a prefix", () => {
    const issue = { ...a.issues[0], subject: "pypi:requests-oauthlib@1.0.0", title: "requests-oauthlib is old" };
    expect(advisoriesForIssue(issue, a.dependencies)).toEqual([]);
  });
});

describe("health chart", () => {
  it("plots the overall mean and one line per component, in time order", () => {
    const series = healthSeries([...history().reverse(), hostileAssessment().system]);
    expect(series.map((s) => s.name)).toEqual(["overall", "ui", "api"]);
    expect(series[0].points.map((p) => p.at)).toEqual([
      "2025-12-25T12:00:00.000Z",
      "2026-01-01T12:00:00.000Z",
      "2026-01-08T12:00:00.000Z",
      "2026-01-15T12:00:00.000Z",
    ]);
    expect(series[0].points[0].score).toBeCloseTo((0.95 + 0.9) / 2);
  });

  it("escapes component names and says so when there is no data", () => {
    const svg = renderHealthChart([
      makeSystemHealth({ components: [{ name: "<b>x</b>", status: "healthy", health_score: 0.5, issues: [], last_check: "2026-01-01T00:00:00Z", dependencies: [] }, { name: "y", status: "healthy", health_score: 0.6, issues: [], last_check: "2026-01-01T00:00:00Z", dependencies: [] }] }),
    ]);
    expect(svg).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(svg).not.toContain("<b>");
    expect(renderHealthChart([])).toContain("No history yet");
  });
});
