import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { collapseLineBreaks, escapeAttr, escapeHtml, escapeMarkdown, escapeMarkdownCell, jsonForScript, neutraliseAutolinks, neutraliseMentions, safeHttpUrl } from "../../../src/act/report/escape.js";

const ZWJ = "\u200D";

/** Hostile and awkward strings from repositories and advisories. */
const FUZZ = [
  "plain text",
  "<script>alert(1)</script>",
  `<img src=x onerror="alert(1)">`,
  "<!-- comment --> & &amp; &lt;b&gt;",
  "**bold** _em_ `code` ~~strike~~",
  "[link](javascript:alert(1)) ![img](http://x/y.png)",
  "# heading",
  "- list item",
  "+ plus item",
  "1. ordered",
  "2) ordered paren",
  "> quote",
  "=== setext",
  "a | b | c",
  "back\\slash \\| escaped pipe",
  "ping @octocat and @org/team, see #123 and GH-7",
  "email me at a@b.example",
  "line one\nline two\r\n\r\nline three",
  "```\ncode fence\n```",
  "<details><summary>x</summary>y</details>",
  "https://example.com/a_b*c",
  "unicode: café 日本 🚀 \u2028 \u2029",
  "trailing backslash \\",
  "*",
  "",
];

/** Decode the few entities marked emits in text. */
function decode(html: string): string {
  return html
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function expectedInline(s: string): string {
  return neutraliseAutolinks(neutraliseMentions(s.replace(/\s*[\r\n]+\s*/g, " ").trim()));
}

describe("escapeHtml / escapeAttr", () => {
  it.each([
    ["<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"],
    [`" onmouseover='x'`, "&quot; onmouseover=&#39;x&#39;"],
    ["a & b", "a &amp; b"],
    ["`tick`", "&#96;tick&#96;"],
    [null, ""],
    [42, "42"],
  ])("escapes %j", (input, want) => {
    expect(escapeHtml(input)).toBe(want);
  });

  it("replaces control characters and keeps newlines in content", () => {
    expect(escapeHtml("a\u0000b\nc")).toBe("a\uFFFDb\nc");
  });

  it("keeps attribute values on one line", () => {
    expect(escapeAttr('x"\ny\tz')).toBe("x&quot;&#10;y&#9;z");
  });

  it.each(FUZZ)("leaves no markup-significant character in %j", (s) => {
    expect(escapeHtml(s)).not.toMatch(/[<>"'`]/);
    expect(escapeHtml(s).replace(/&(amp|lt|gt|quot|#39|#96);/g, "")).not.toContain("&");
  });
});

describe("jsonForScript", () => {
  it("round-trips and cannot close the script element", () => {
    const value = { a: "</script><script>alert(1)</script>", b: "<!-- x -->", c: "a & b", d: "\u2028\u2029", e: [1, null, true] };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe("safeHttpUrl", () => {
  it.each([
    ["https://osv.dev/vulnerability/GHSA-1", "https://osv.dev/vulnerability/GHSA-1"],
    ["http://example.com/a?b=c", "http://example.com/a?b=c"],
    ["  https://example.com  ", "https://example.com/"],
    ["javascript:alert(1)", null],
    ["JaVaScRiPt:alert(1)", null],
    ["data:text/html,<script>", null],
    ["vbscript:x", null],
    ["/relative/path", null],
    ["//evil.example/x", null],
    ["https://user:pass@example.com/", null],
    ["https://exa mple.com", null],
    ["", null],
    [null, null],
  ])("%j → %j", (input, want) => {
    expect(safeHttpUrl(input)).toBe(want);
  });
});

describe("neutraliseMentions", () => {
  it("breaks mentions and issue references with a zero-width joiner", () => {
    expect(neutraliseMentions("hi @octocat, see #12 and gh-3")).toBe(`hi @${ZWJ}octocat, see #${ZWJ}12 and gh-${ZWJ}3`);
  });
  it("leaves other # and @ alone", () => {
    expect(neutraliseMentions("C# @ 3pm, #hashtag")).toBe("C# @ 3pm, #hashtag");
  });
});

describe("neutraliseAutolinks", () => {
  it("breaks bare URLs and www. links without changing how they read", () => {
    expect(neutraliseAutolinks("see https://x.example and www.y.example")).toBe(`see https:${ZWJ}//x.example and www${ZWJ}.y.example`);
  });
});

describe("escapeMarkdown (checked by rendering with marked, GFM)", () => {
  it.each(FUZZ)("renders %j as literal text in a paragraph", (s) => {
    const md = escapeMarkdown(s);
    const html = (marked.parse(`before ${md}`, { gfm: true, async: false }) as string).trim();
    expect(html.startsWith("<p>") && html.endsWith("</p>")).toBe(true);
    const inner = html.slice(3, -4);
    expect(inner).not.toMatch(/<(?!br>)/); // no element of any kind
    expect(decode(inner).trimEnd()).toBe(`before ${expectedInline(s)}`.trimEnd());
  });

  it.each(FUZZ)("keeps a GFM table intact with %j in a cell", (s) => {
    const md = `| name | other |\n| --- | --- |\n| ${escapeMarkdownCell(s) || " "} | x |\n`;
    const html = marked.parse(md, { gfm: true, async: false }) as string;
    const cells = [...html.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
    expect(cells).toHaveLength(2);
    expect(cells[0]).not.toContain("<");
    expect(decode(cells[0])).toBe(expectedInline(s));
    expect(cells[1]).toBe("x");
  });

  it("keeps line breaks when not inline, escaping each line's start", () => {
    const md = escapeMarkdown("# not a heading\n- not a list", { inline: false });
    expect(md).toBe("\\# not a heading\n\\- not a list");
    const html = marked.parse(md, { gfm: true, async: false }) as string;
    expect(html).not.toMatch(/<h1|<ul/);
  });

  it("can leave mentions alone when asked", () => {
    expect(escapeMarkdown("@octocat", { mentions: false })).toBe("@octocat");
  });
});

describe("escapeMarkdown on hostile sizes (review fix)", () => {
  // The old /\s*[\r\n]+\s*/ collapse was quadratic: 300k spaces took about 40 s. Now linear.
  it("collapses line breaks in linear time on long runs of spaces", () => {
    const text = `a${" ".repeat(300_000)}b`;
    expect(escapeMarkdown(text)).toBe(text);
    expect(escapeMarkdown(`x ${" ".repeat(300_000)}\n \n  y`)).toBe("x y");
  });

  it("collapses every line break with its surrounding whitespace to one space", () => {
    expect(collapseLineBreaks("  a \r\n\r\n  b\t\n\nc  ")).toBe("a b c");
    expect(collapseLineBreaks("\n\n")).toBe("");
    expect(escapeMarkdown("one\n   \ntwo")).toBe("one two");
  });
});
