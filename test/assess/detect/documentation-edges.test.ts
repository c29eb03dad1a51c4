/**
 * Edges of the documentation detector (issue 18: survivors of the mutation run of
 * src/assess/detect/documentation.ts), from CommonMark's rules for fences, ATX and setext headings,
 * link destinations and titles, reference definitions, and GitHub's anchors. Expected values are
 * written out by hand.
 */
import { describe, expect, it } from "vitest";
import { anchorsOf, detectDocumentation, extractLinks } from "../../../src/assess/detect/documentation.js";
import type { MaintenanceIssue } from "../../../src/model/index.js";
import { config, detectContext, makeComponent, makeInputs, makeScan } from "../helpers.js";

const targets = (md: string) => extractLinks(md).map((l) => [l.line, l.target]);
const prev = (subject: string) => ({ subject }) as MaintenanceIssue;
const run = (textFiles: Array<[string, string]>, allFiles?: string[], comps = [makeComponent({ name: "docs", path: "docs", type: "infrastructure", manifests: [] })]) =>
  detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), textFiles: new Map(textFiles), allFiles }), config()));
const broken = (md: string, allFiles: string[] = ["docs/a.md"]) => run([["docs/a.md", md]], allFiles).drafts.find((d) => d.subject === "documentation:links:docs/a.md")?.description.split("\n").slice(1) ?? [];

describe("extractLinks: fences and destinations", () => {
  it("a single ~ or two backticks do not open a fence", () => {
    expect(targets("~ about\n[a](a.md)\n``\n[b](b.md)")).toEqual([
      [2, "a.md"],
      [4, "b.md"],
    ]);
  });

  it("parentheses of several characters in a destination; titles after several spaces; double-quoted titles", () => {
    expect(targets('[f](./y_(12).md) [b](b.md  "a title") [c](c.md "long title")')).toEqual([
      [1, "./y_(12).md"],
      [1, "b.md"],
      [1, "c.md"],
    ]);
  });

  it("strips only the angle brackets that enclose a destination", () => {
    expect(targets("[x](<a<b.md>) [y](a>b.md) [z](c<d.md)")).toEqual([
      [1, "a<b.md"],
      [1, "a>b.md"],
      [1, "c<d.md"],
    ]);
    expect(targets("[r]: <a<b.md>\n[s]: a>b.md")).toEqual([
      [1, "a<b.md"],
      [2, "a>b.md"],
    ]);
  });

  it("links inside a link's text, once each, on their line", () => {
    expect(targets("intro\n[[doc](a.md)](b.md)")).toEqual([
      [2, "b.md"],
      [2, "a.md"],
    ]);
    expect(targets("![see [doc](a.md)](b.png)")).toEqual([
      [1, "b.png"],
      [1, "a.md"],
    ]);
    expect(targets("[[x](<a<b.md>)](c.md)")).toEqual([
      [1, "c.md"],
      [1, "a<b.md"],
    ]);
    // An escaped bracket opens no nested link: the one link is listed once.
    expect(targets("[a \\[b](c.md)")).toEqual([[1, "c.md"]]);
  });

  it("a reference definition starts its line (up to three spaces) and may omit the space after the colon", () => {
    expect(targets("see [id]: x.md\n[id]:y.md\n   [k]: z.md")).toEqual([
      [2, "y.md"],
      [3, "z.md"],
    ]);
  });
});

describe("anchorsOf: headings and ids", () => {
  it("an ATX heading starts its line (up to three spaces)", () => {
    expect([...anchorsOf("see # not a heading\nab# no\n  # Two spaces")]).toEqual(["two-spaces"]);
  });

  it("a setext underline is only = or - (up to three spaces before, spaces after)", () => {
    expect([...anchorsOf("Title\nnot ---")]).toEqual([]);
    expect([...anchorsOf("Title\nab---")]).toEqual([]);
    expect([...anchorsOf("Title\n---x")]).toEqual([]);
    expect([...anchorsOf("Indented\n  ---")]).toEqual(["indented"]);
    expect([...anchorsOf("Trailing\n=== ")]).toEqual(["trailing"]);
    expect([...anchorsOf("   \n===")]).toEqual([]);
  });

  it("list items are not setext headings; text with a dash inside is", () => {
    expect([...anchorsOf("10. step\n---")]).toEqual([]);
    expect([...anchorsOf("Pros - cons\n---")]).toEqual(["pros---cons"]);
    expect([...anchorsOf("ab- x\n---")]).toEqual(["ab--x"]);
  });

  it("HTML ids: the attribute name exactly, spaces around '=' allowed", () => {
    expect([...anchorsOf('<div idx="a"></div>\n<div id= "b"></div>\n<p name =\'c\'>')]).toEqual(["b", "c"]);
  });

  it("closing hashes go only after a space; a heading of hashes is empty", () => {
    expect([...anchorsOf("# Title #\n# C#\n## ##\n# Tab\t#")]).toEqual(["title", "c", "", "tab"]);
  });
});

describe("detectDocumentation: resolution", () => {
  it("a scheme needs to start the target; a colon later is part of a path", () => {
    expect(broken("[x](gone/x:y.md) [y](mailto:a@b.c)")).toEqual(["- line 1: gone/x:y.md (docs/gone/x:y.md does not exist)"]);
  });

  it("a target trimmed of spaces; an empty target is the file itself", () => {
    expect(broken("[x](< gone.md >) [e](<>) [s](<   >)")).toEqual(["- line 1: gone.md (docs/gone.md does not exist)"]);
  });

  it("'..' from the root points outside the repository", () => {
    const [d] = run([["README.md", "[up](..) [up2](../)"]], ["README.md"], []).drafts;
    expect(d.description.split("\n").slice(1)).toEqual(["- line 1: .. (points outside the repository)", "- line 1: ../ (points outside the repository)"]);
  });

  it("the root and directories of known files exist", () => {
    expect(broken("[root](/) [here](./) [docs](/docs) [deep](../src/a/b)", ["docs/a.md", "src/a/b/c/x.py"])).toEqual([]);
  });

  it("link issues in path order whatever order the files were read in", () => {
    const r = run([["docs/b.md", "[x](gone.md)"], ["docs/a.md", "[x](gone.md)"]], ["docs/a.md", "docs/b.md"]);
    expect(r.drafts.filter((d) => d.type === "documentation" && d.subject.startsWith("documentation:links:")).map((d) => d.subject)).toEqual([
      "documentation:links:docs/a.md",
      "documentation:links:docs/b.md",
    ]);
  });
});

describe("detectDocumentation: READMEs and coverage", () => {
  it("a component path with several trailing slashes; README drafts in name order; every manifest named", () => {
    const comps = [
      makeComponent({ name: "web", path: "web", manifests: ["web/package.json", "web/Dockerfile"] }),
      makeComponent({ name: "api", path: "src/api//", manifests: [] }),
      makeComponent({ name: "cli", path: "cli", manifests: [] }),
    ];
    const r = detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), allFiles: ["src/api/README.md", "web/x.ts", "cli/x.ts"] })));
    expect(r.drafts.map((d) => d.subject)).toEqual(["documentation:readme:cli", "documentation:readme:web"]);
    expect(r.drafts[1].resolution_steps[1]).toBe("Document how to install, run and test web (manifests: web/package.json, web/Dockerfile)");
  });

  it("without file contents, a link issue of a file gone from the list is covered", () => {
    const r = detectDocumentation(detectContext(makeInputs({ allFiles: ["docs/a.md"] })));
    expect(r.covers(prev("documentation:links:gone.md"))).toBe(true);
    expect(r.covers(prev("documentation:links:docs/a.md"))).toBe(false);
    expect(r.goneReason(prev("documentation:links:gone.md"))).toBe("every link in gone.md resolves (or the file is gone)");
    expect(r.goneReason(prev("documentation:readme:api"))).toBe("api has a README (or is no longer a component)");
  });
});
