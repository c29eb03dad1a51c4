import { describe, expect, it } from "vitest";
import { addedLinesOfFiles, addedLinesOfPatch } from "../../../src/act/github/compare.js";

describe("added lines from compare patches", () => {
  it("tracks new-file line numbers across hunks", () => {
    const patch = ["@@ -1,3 +1,4 @@", " a", "-b", "+B", "+// TODO: fix", " c", "@@ -10,2 +11,3 @@", " x", "+// FIXME", "\\ No newline at end of file"].join("\n");
    expect([...addedLinesOfPatch(patch)]).toEqual([
      [2, "B"],
      [3, "// TODO: fix"],
      [12, "// FIXME"],
    ]);
  });

  it("skips removed files and files without a patch (binary, too large)", () => {
    const r = addedLinesOfFiles([
      { filename: "gone.md", status: "removed", patch: "@@ -1 +0,0 @@\n-x" },
      { filename: "img.png", status: "modified" },
      { filename: "README.md", status: "modified", patch: "@@ -0,0 +1,2 @@\n+# Title\n+TODO" },
    ]);
    expect([...r.addedLines.keys()]).toEqual(["README.md"]);
    expect(r.textFiles.get("README.md")).toBe("# Title\nTODO");
  });
});
