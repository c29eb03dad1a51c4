import { marked } from "marked";
import { describe, expect, it } from "vitest";
import type { Assessment } from "../../../src/assess/types.js";
import { GITHUB_BODY_LIMIT, markdownLink, renderMarkdown } from "../../../src/act/report/markdown.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";
import { advisory, hostileAssessment } from "../../fixtures/report/assessment.js";

const ZWJ = "\u200D";

function html(md: string): string {
  return marked.parse(md, { gfm: true, async: false }) as string;
}

/** Every table in the rendered HTML: rows of cell counts. */
function tableShapes(h: string): number[][] {
  return [...h.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((t) => [...t[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<t[hd][ >]/g)].length));
}

/** A big assessment: n issues and 4n dependencies, all open/vulnerable or outdated. */
function big(n: number): Assessment {
  const a = hostileAssessment();
  const prios = ["immediate", "high", "medium", "low"] as const;
  a.issues = Array.from({ length: n }, (_, i) =>
    makeIssue({ id: `i-${i}`, title: `Issue number ${i} with a reasonably long title | pipe`, priority: prios[i % 4], subject: `npm:pkg-${i}@1.0.0` }),
  );
  a.dependencies = Array.from({ length: 4 * n }, (_, i) =>
    makeDependency({ name: `pkg-${i}`, advisories: i % 2 === 0 ? [advisory({ id: `GHSA-${i}` })] : [], cve_ids: i % 2 === 0 ? [`CVE-2020-${i}`] : [], vulnerability_score: i % 2 === 0 ? 5 : null }),
  );
  return a;
}

describe("renderMarkdown", () => {
  const a = hostileAssessment();
  const md = renderMarkdown(a);
  const rendered = html(md);

  it("shows status, components, issues by priority, vulnerable and outdated dependencies", () => {
    expect(md).toMatch(/\*\*Status:\*\* 🔴 critical · health 67% · 2 components · 4 open issues \(1 critical, 1 high, 1 medium, 1 low\)/);
    expect(md).toContain("2 vulnerable, 3 outdated of 5 dependencies");
    expect(md).toContain("### Components");
    expect(md.indexOf("| ui |")).toBeLessThan(md.indexOf("| api |")); // worst component first
    expect(md.indexOf("**immediate** (1)")).toBeLessThan(md.indexOf("**high** (1)"));
    expect(md).toContain("### Vulnerable dependencies (2)");
    expect(md).toContain("### Outdated dependencies (2)"); // react and left-pad; vulnerable ones not repeated
    expect(md).toContain("_2 issues resolved or deferred._");
  });

  it("renders no HTML from hostile text and keeps every table rectangular", () => {
    expect(rendered).not.toMatch(/<(script|img|svg)/i);
    expect(rendered).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    for (const shape of tableShapes(rendered)) expect(new Set(shape).size).toBe(1);
  });

  it("links advisories only to http(s) URLs", () => {
    expect(rendered).toContain('<a href="https://osv.dev/vulnerability/GHSA-x84v-xcm2-53pg">GHSA-x84v-xcm2-53pg</a>');
    expect(rendered).not.toContain("javascript:");
    expect(rendered).toContain("GHSA-evil-0000-0000");
    expect(markdownLink("x|y", "https://e.example/a|b(c)")).toBe("[x\\|y](https://e.example/a%7Cb%28c%29)");
    expect(markdownLink("x", "javascript:alert(1)")).toBe("x");
  });

  it("neutralises @mentions and #refs from untrusted text", () => {
    const b = hostileAssessment();
    b.issues[0] = { ...b.issues[0], title: "ping @octocat about #42", resolution_steps: ["ask @org/team"] };
    const out = renderMarkdown(b);
    expect(out).toContain(`ping @${ZWJ}octocat about #${ZWJ}42`);
    expect(out).toContain(`ask @${ZWJ}org/team`);
    expect(out).not.toMatch(/@octocat|@org/);
  });

  it("honours title and heading level, and collapse=false", () => {
    const out = renderMarkdown(big(30), { title: "Dash <b>board</b>", headingLevel: 1, collapse: false });
    expect(out.startsWith("# Dash &lt;b&gt;board&lt;/b&gt;\n")).toBe(true);
    expect(out).toContain("\n## Components");
    expect(out).not.toContain("<details>");
    expect(renderMarkdown(big(30))).toContain("<details><summary>");
  });

  it("fits GitHub's body limit for a huge assessment, without cutting a table", () => {
    const huge = big(2000);
    const full = renderMarkdown(huge);
    expect(full.length).toBeGreaterThan(GITHUB_BODY_LIMIT);
    const fitted = renderMarkdown(huge, { maxLength: GITHUB_BODY_LIMIT, reportUrl: "https://example.com/report.html" });
    expect(fitted.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(fitted).toMatch(/_…and \d+ more immediate-priority issues \(see the \[full report\]\(https:\/\/example\.com\/report\.html\)\)\._/);
    expect(fitted).toContain("### Vulnerable dependencies (4000)");
    for (const line of fitted.split("\n")) if (line.startsWith("|")) expect(line.endsWith("|")).toBe(true);
    for (const shape of tableShapes(html(fitted))) expect(new Set(shape).size).toBe(1);
    // <details> blocks stay balanced.
    expect(fitted.split("<details>").length).toBe(fitted.split("</details>").length);
  });

  it("degrades step by step: a larger limit never shows fewer issues", () => {
    const huge = big(400);
    const count = (s: string) => (s.match(/^- \*\*\w+\*\* /gm) ?? []).length; // issue lines, not alerts
    let previous = -1;
    for (const limit of [3000, 8000, 20000, 60000, 200000]) {
      const out = renderMarkdown(huge, { maxLength: limit });
      expect(out.length).toBeLessThanOrEqual(limit);
      expect(count(out)).toBeGreaterThanOrEqual(previous);
      previous = count(out);
    }
    expect(previous).toBe(400);
  });

  it("falls back to the summary, then to a clean cut, for tiny limits", () => {
    const summaryOnly = renderMarkdown(big(50), { maxLength: 700 });
    expect(summaryOnly.length).toBeLessThanOrEqual(700);
    expect(summaryOnly).toContain("**Status:**");
    expect(summaryOnly).not.toMatch(/^- /m); // no issue or alert lines left
    expect(summaryOnly).toContain("| ui |"); // the component table survives, whole
    for (const shape of tableShapes(html(summaryOnly))) expect(new Set(shape).size).toBe(1);
    const tiny = renderMarkdown(big(50), { maxLength: 40 });
    expect(tiny.length).toBeLessThanOrEqual(40);
    expect(tiny.endsWith("…")).toBe(true);
  });
});

describe("report URL links (review fix)", () => {
  it("percent-encodes parens in the report URL so it cannot end the link and inject Markdown", () => {
    const reportUrl = "https://example.com/r)![x](https://tracker.example/p.png)";
    const out = renderMarkdown(big(2), { reportUrl });
    const html = marked.parse(out, { async: false }) as string;
    expect(html).not.toContain("<img");
    expect(out).toContain("[Full report](https://example.com/r%29![x]%28https://tracker.example/p.png%29)");
  });
});
