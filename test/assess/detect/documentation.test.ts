import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { anchorsOf, detectDocumentation, extractLinks, githubSlug } from "../../../src/assess/detect/documentation.js";
import { detectContext, makeComponent, makeInputs, makeScan } from "../helpers.js";

const guide = readFileSync(fileURLToPath(new URL("../../fixtures/assess/guide.md", import.meta.url)), "utf8");

describe("githubSlug and anchorsOf", () => {
  it("follows GitHub's rules", () => {
    expect(githubSlug("Setup steps!")).toBe("setup-steps");
    expect(githubSlug("What's new in v2.0?")).toBe("whats-new-in-v20");
    expect(githubSlug("snake_case & more")).toBe("snake_case--more");
    expect(githubSlug("Ünïcode Überschrift")).toBe("ünïcode-überschrift");
  });
  it("dedupes repeated headings with -1, -2 and reads setext headings and HTML ids", () => {
    const a = anchorsOf("# FAQ\n## FAQ\n### FAQ\nTitle\n=====\n<a name=\"Custom\"></a>\n```\n# not a heading\n```\n## `code` and [link](x)");
    expect([...a].sort()).toEqual(["code-and-link", "custom", "faq", "faq-1", "faq-2", "title"]);
  });
});

describe("extractLinks", () => {
  it("skips code spans and fences, reads references and HTML", () => {
    const targets = extractLinks(guide).map((l) => l.target);
    expect(targets).not.toContain("not-checked.md");
    expect(targets).not.toContain("also-not-checked.md");
    expect(targets).toContain("./ref-target.md");
    expect(targets).toContain("img/missing.png");
    expect(targets).toContain("https://example.com/x.md");
  });
});

describe("detectDocumentation", () => {
  const comps = [makeComponent({ name: "api", path: "src/api" }), makeComponent({ name: "docs", path: "docs", type: "infrastructure", manifests: [] })];
  const apiReadme = "# API\n\n## Running it\n";
  const allFiles = ["README.md", "docs/guide.md", "src/api/README.md", "src/api/main.py", "docs/ref-target.md"];

  it("reports broken links and anchors per file with lines", () => {
    const textFiles = new Map([["docs/guide.md", guide], ["src/api/README.md", apiReadme]]);
    const r = detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), textFiles, allFiles })));
    const d = r.drafts.find((x) => x.subject === "documentation:links:docs/guide.md");
    expect(d).toBeDefined();
    const desc = d!.description;
    expect(desc).toContain('line 3: #nowhere (no heading or anchor "nowhere" in docs/guide.md)');
    expect(desc).toContain("line 4: ./old.md (docs/old.md does not exist)");
    expect(desc).toContain("line 5: ../../../etc/passwd (points outside the repository)");
    expect(desc).toContain("img/missing.png (docs/img/missing.png does not exist)");
    expect(desc).not.toContain("#setup-steps");
    expect(desc).not.toContain("#faq-1");
    expect(desc).not.toContain("running-it");
    expect(desc).not.toContain("/README.md");
    expect(desc).not.toContain("../src/api)");
    expect(d!.title).toBe("4 broken links in docs/guide.md");
    expect(d!.affected_components).toEqual(["docs"]);
    expect(d!.files_affected).toEqual(["docs/guide.md"]);
    expect(d!.estimated_effort).toBe("30 minutes");
    expect(d!.resolution_steps).toHaveLength(4);
  });

  it("reports a component without a README as low", () => {
    const r = detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), textFiles: new Map(), allFiles })));
    const d = r.drafts.find((x) => x.subject === "documentation:readme:docs");
    expect(d?.severity).toBe("low");
    expect(d?.files_affected).toEqual(["docs/README.md"]);
    expect(r.drafts.find((x) => x.subject === "documentation:readme:api")).toBeUndefined();
  });

  it("without a file list, only confirms links into files it has", () => {
    const textFiles = new Map([["docs/guide.md", guide]]);
    const r = detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), textFiles })));
    const d = r.drafts.find((x) => x.subject === "documentation:links:docs/guide.md")!;
    expect(d.description).toContain("#nowhere");
    expect(d.description).not.toContain("old.md");
  });
});

describe("links and anchors on hostile Markdown (review fix)", () => {
  it("extracts links from lines built to make the old regex backtrack, quickly", () => {
    // 200 lines of "[a](" repeated took about 280 s with the old link regex.
    const text = `${"[a](".repeat(1249)}\n`.repeat(200) + `${"[".repeat(4900)}\n`.repeat(200);
    expect(extractLinks(text)).toEqual([]);
  });

  it("still finds badges, nested brackets and parens in destinations", () => {
    const targets = extractLinks('[![badge](./ci.svg)](https://ci.example/x) [a [b] c](./x.md) [f](./y_(1).md "t")').map((l) => l.target);
    expect(targets).toEqual(["https://ci.example/x", "./ci.svg", "./x.md", "./y_(1).md"]);
  });

  it("strips closing hashes of headings without a backtracking regex", () => {
    expect(anchorsOf("## Install ##\n# Usage #   \n# C#\n# ##")).toEqual(new Set(["install", "usage", "c", ""]));
    const long = `# a${" ".repeat(4000)}b`;
    expect(anchorsOf(long).size).toBe(1);
  });
});
