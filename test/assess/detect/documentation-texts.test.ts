/**
 * The documentation detector link by link, and its README and coverage rules (issue 18: mutation
 * testing of src/assess/detect/documentation.ts). Expected texts are written out from the inputs.
 */
import { describe, expect, it } from "vitest";
import { anchorsOf, detectDocumentation, extractLinks, githubSlug } from "../../../src/assess/detect/documentation.js";
import type { MaintenanceIssue } from "../../../src/model/index.js";
import { config, detectContext, makeComponent, makeInputs, makeScan } from "../helpers.js";

const prev = (subject: string) => ({ subject }) as MaintenanceIssue;
const targets = (md: string) => extractLinks(md).map((l) => [l.line, l.target]);

describe("extractLinks", () => {
  it("reads angle-bracket destinations, titles in three quote styles, references and HTML in both quotes", () => {
    expect(
      targets(
        [
          "[a](<my file.md>)",
          "[b](b.md 'single') [c](c.md (paren)) [d]( d.md )",
          "  [ref]: <ref target.md> \"t\"",
          "[ref2]: ./r2.md",
          "<a class=\"x\" href='h1.md'>x</a> <IMG alt=\"y\" SRC=\"i.png\">",
          "<a href = \"h2.md\">",
        ].join("\n"),
      ),
    ).toEqual([
      [1, "my file.md"],
      [2, "b.md"],
      [2, "c.md"],
      [2, "d.md"],
      [3, "ref target.md"],
      [4, "./r2.md"],
      [5, "h1.md"],
      [5, "i.png"],
      [6, "h2.md"],
    ]);
  });

  it("skips ~~~ fences, keeps a ``` line inside them as content, and skips lines over 5,000 characters", () => {
    const md = ["~~~", "```", "[in](fence.md)", "~~~", "[out](after.md)", `[long](long.md)${" ".repeat(4990)}`, `[edge](edge.md)${" ".repeat(4985)}`].join("\n");
    expect(md.split("\n")[5].length).toBe(5005);
    expect(md.split("\n")[6].length).toBe(5000);
    expect(targets(md)).toEqual([
      [5, "after.md"],
      [7, "edge.md"],
    ]);
  });

  it("an indented fence of up to three spaces counts; four spaces do not open one", () => {
    expect(targets("   ```\n[a](a.md)\n   ```\n    ```\n[b](b.md)")).toEqual([[5, "b.md"]]);
  });

  it("skips code spans of any length", () => {
    expect(targets("`[a](a.md)` ``[b](b.md)`` [c](c.md)")).toEqual([[1, "c.md"]]);
  });

  it("reads CRLF documents", () => {
    expect(targets("x\r\n[a](a.md)\r\n")).toEqual([[2, "a.md"]]);
  });
});

describe("githubSlug and anchorsOf", () => {
  it("slugs headings like GitHub", () => {
    expect(githubSlug("  Hello World  ")).toBe("hello-world");
    expect(githubSlug("a-b_c")).toBe("a-b_c");
    expect(githubSlug("Two  spaces")).toBe("two--spaces");
  });

  it("reads setext headings with = or -, not list items or blank lines, and HTML ids lowercased", () => {
    const md = ["Intro", "-----", "- item", "---", "", "===", "1. step", "===", "Para", "text", '<div id="Box"></div><span name=\'Named\'>', "#NoSpace"].join("\n");
    expect([...anchorsOf(md)].sort()).toEqual(["box", "intro", "named"]);
  });

  it("takes heading text without link targets, HTML, emphasis or code marks; keeps underscores", () => {
    expect([...anchorsOf("## **Bold** _under_ `code` ~~gone~~ <em>html</em> [Link](x.md) ![img](i.png)")]).toEqual(["bold-_under_-code-gone-html-link-img"]);
  });

  it("dedupes the second and later copies", () => {
    expect([...anchorsOf("# A\n# A\n# A\n# A-1")]).toEqual(["a", "a-1", "a-2"]);
  });
});

describe("broken links", () => {
  const comps = [makeComponent({ name: "docs", path: "docs", type: "infrastructure", manifests: [] })];
  const run = (textFiles: Array<[string, string]>, allFiles?: string[], cfg = config()) =>
    detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), textFiles: new Map(textFiles), allFiles }), cfg));

  it("every field of a links issue, and the link forms that resolve", () => {
    const md = [
      "# Guide",
      "[ok](other.md) [dir](sub) [dir/](sub/) [abs](/README.md) [self](#guide) [query](other.md?plain=1#part-two) [encoded](my%20file.md)",
      "[ext](https://x.y/z.md) [mail](mailto:a@b.c) [proto](//cdn.x/y.js) [empty]() [root](/)",
      "[gone](gone.md) [bad anchor](other.md#nope) [up](../../x.md) [upper](#GUIDE)",
    ].join("\n");
    const files: Array<[string, string]> = [
      ["docs/guide.md", md],
      ["docs/other.md", "# Other\n## Part Two\n"],
    ];
    const r = run(files, ["README.md", "docs/guide.md", "docs/other.md", "docs/sub/x.py", "docs/my file.md"]);
    expect(r.drafts.filter((d) => d.subject.startsWith("documentation:links:"))).toEqual([
      {
        type: "documentation",
        subject: "documentation:links:docs/guide.md",
        title: "3 broken links in docs/guide.md",
        description: [
          "docs/guide.md has links that do not resolve:",
          "- line 4: gone.md (docs/gone.md does not exist)",
          '- line 4: other.md#nope (no heading or anchor "nope" in docs/other.md)',
          "- line 4: ../../x.md (points outside the repository)",
        ].join("\n"),
        severity: "low",
        affected_components: ["docs"],
        files_affected: ["docs/guide.md"],
        estimated_effort: "30 minutes",
        resolution_steps: [
          "Fix the link at docs/guide.md:4 (gone.md): docs/gone.md does not exist; point it at the moved file or heading, or remove it",
          'Fix the link at docs/guide.md:4 (other.md#nope): no heading or anchor "nope" in docs/other.md; point it at the moved file or heading, or remove it',
          "Fix the link at docs/guide.md:4 (../../x.md): points outside the repository; point it at the moved file or heading, or remove it",
        ],
        testing_requirements: ["Render docs/guide.md on GitHub and follow every changed link", "Re-run the Cowabunga scan and confirm this issue resolves"],
        facts: { dependency_types: [], update_type: null, breaking_changes: 0, cvss: null, cvss_estimated: false, fix_available: null, deprecated_target: false, release_age_days: null, change_kind: "documentation" },
        packages: [],
      },
    ]);
  });

  it("one broken link: singular; five: medium; eleven: two hours; outside components: none named", () => {
    const links = (n: number) => Array.from({ length: n }, (_, i) => `[x](missing-${i}.md)`).join("\n");
    const one = run([["notes/a.md", links(1)]], ["notes/a.md"]).drafts.find((d) => d.subject === "documentation:links:notes/a.md")!;
    expect(one.title).toBe("1 broken link in notes/a.md");
    expect(one.affected_components).toEqual([]);
    const sev = (n: number) => run([["docs/a.md", links(n)]], ["docs/a.md"]).drafts.find((d) => d.subject === "documentation:links:docs/a.md")!;
    expect([sev(4).severity, sev(5).severity]).toEqual(["low", "medium"]);
    expect([sev(10).estimated_effort, sev(11).estimated_effort]).toEqual(["30 minutes", "2 hours"]);
  });

  it("an anchor into a Markdown file it has not read, or into a non-Markdown file, is not judged", () => {
    const r = run([["docs/a.md", "[x](b.md#anything) [y](code.py#L10) [z](#Top)\n# Top"]], ["docs/a.md", "docs/b.md", "docs/code.py"]);
    expect(r.drafts.filter((d) => d.subject.startsWith("documentation:links:"))).toEqual([]);
  });

  it("an undecodable escape is kept as written", () => {
    const r = run([["docs/a.md", "[x](bad%E0%A4%A.md) [y](#bad%E0%A4%A)"]], ["docs/a.md"]);
    expect(r.drafts[0].description).toBe(
      'docs/a.md has links that do not resolve:\n- line 1: bad%E0%A4%A.md (docs/bad%E0%A4%A.md does not exist)\n- line 1: #bad%E0%A4%A (no heading or anchor "bad%E0%A4%A" in docs/a.md)',
    );
  });

  it("reads only Markdown files, and nothing when documentation issues are off", () => {
    expect(run([["docs/a.txt", "[x](gone.md)"], ["docs/README.MD", "[y](gone.md)"]], ["docs/a.txt", "docs/README.MD"]).drafts.map((d) => d.subject)).toEqual(["documentation:links:docs/README.MD"]);
    const off = run([["docs/a.md", "[x](gone.md)"]], ["docs/a.md"], config((c) => (c.issues.documentation = false)));
    expect(off.drafts).toEqual([]);
    expect(off.covers(prev("documentation:links:docs/a.md"))).toBe(false);
    expect(off.covers(prev("documentation:readme:docs"))).toBe(false);
  });
});

describe("missing READMEs", () => {
  it("every field, for a component at the root and one with a trailing slash", () => {
    const comps = [
      makeComponent({ name: "root", path: "", type: "infrastructure", manifests: ["zarf.yaml"] }),
      makeComponent({ name: "api", path: "src/api/", type: "api", manifests: [] }),
      makeComponent({ name: "ui", path: "src/ui", type: "ui", manifests: ["src/ui/package.json"] }),
    ];
    const r = detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), allFiles: ["zarf.yaml", "src/api/main.py", "src/ui/readme.rst"] })));
    expect(r.drafts.map((d) => d.subject)).toEqual(["documentation:readme:api", "documentation:readme:root"]);
    expect(r.drafts[0]).toEqual({
      type: "documentation",
      subject: "documentation:readme:api",
      title: "api has no README",
      description: "Component api (api, src/api) has no README file. New contributors and operators have no entry point: what it does, how to run, test and deploy it.",
      severity: "low",
      affected_components: ["api"],
      files_affected: ["src/api/README.md"],
      estimated_effort: "1 hour",
      resolution_steps: ["Create src/api/README.md describing what api does", "Document how to install, run and test api", "Link src/api/README.md from the repository's root README"],
      testing_requirements: ["Render src/api/README.md on GitHub and check its links"],
      facts: { dependency_types: [], update_type: null, breaking_changes: 0, cvss: null, cvss_estimated: false, fix_available: null, deprecated_target: false, release_age_days: null, change_kind: "documentation" },
      packages: [],
    });
    expect(r.drafts[1]).toMatchObject({
      description: "Component root (infrastructure, .) has no README file. New contributors and operators have no entry point: what it does, how to run, test and deploy it.",
      files_affected: ["README.md"],
      resolution_steps: ["Create README.md describing what root does", "Document how to install, run and test root (manifests: zarf.yaml)", "Link README.md from the repository's root README"],
    });
  });

  it("uses the files read when there is no file list; nothing without either", () => {
    const comps = [makeComponent({ name: "api", path: "src/api" })];
    const read = detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps), textFiles: new Map([["src/api/README", "x"]]) })));
    expect(read.drafts).toEqual([]);
    expect(read.covers(prev("documentation:readme:api"))).toBe(true);
    const none = detectDocumentation(detectContext(makeInputs({ scan: makeScan(comps) })));
    expect(none.drafts).toEqual([]);
    expect(none.covers(prev("documentation:readme:api"))).toBe(false);
  });
});

describe("covers and goneReason", () => {
  const r = detectDocumentation(detectContext(makeInputs({ textFiles: new Map([["docs/a.md", "# A"]]), allFiles: ["docs/a.md", "docs/b.md"] })));

  it("covers link issues of files read again or gone, not of files present but unread", () => {
    expect(r.covers(prev("documentation:links:docs/a.md"))).toBe(true);
    expect(r.covers(prev("documentation:links:docs/b.md"))).toBe(false);
    expect(r.covers(prev("documentation:links:docs/deleted.md"))).toBe(true);
    expect(r.covers(prev("documentation:other:docs/a.md"))).toBe(false);
    const noList = detectDocumentation(detectContext(makeInputs({ textFiles: new Map([["docs/a.md", "# A"]]) })));
    expect(noList.covers(prev("documentation:links:docs/deleted.md"))).toBe(false);
  });

  it("says why an issue is gone", () => {
    expect(r.goneReason(prev("documentation:readme:api"))).toBe("api has a README (or is no longer a component)");
    expect(r.goneReason(prev("documentation:links:docs/a.md"))).toBe("every link in docs/a.md resolves (or the file is gone)");
  });
});
