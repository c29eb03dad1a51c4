import { describe, expect, it } from "vitest";
import { ownersOf, ownersOfFiles, parseCodeowners, pickCodeowners } from "../../../src/act/github/codeowners.js";

describe("CODEOWNERS", () => {
  const co = parseCodeowners(
    ["# owners", "*       @lead", "*.js    @js-owner", "/docs/  @docs @acme/writers", "apps/**/package.json @pkg", "/build/logs/", "[abc].txt @x", "api/ @alice # inline comment"].join("\n"),
    ".github/CODEOWNERS",
  );

  it("the last matching pattern wins; teams are skipped; an ownerless rule means nobody", () => {
    expect(ownersOf(co, "README.md")).toEqual(["lead"]);
    expect(ownersOf(co, "src/a.js")).toEqual(["js-owner"]);
    expect(ownersOf(co, "docs/guide.md")).toEqual(["docs"]);
    expect(ownersOf(co, "apps/web/package.json")).toEqual(["pkg"]);
    expect(ownersOf(co, "build/logs/x.log")).toEqual([]);
    expect(ownersOf(co, "api/requirements.txt")).toEqual(["alice"]);
    expect(ownersOf(co, "x/api/requirements.txt")).toEqual(["alice"]); // unanchored, like gitignore
  });

  it("reports unsupported lines with file and line", () => {
    expect(co.warnings).toEqual([{ file: ".github/CODEOWNERS", line: 7, message: expect.stringContaining(".github/CODEOWNERS:7") }]);
  });

  it("owners of several files, deduplicated; GitHub's file precedence", () => {
    expect(ownersOfFiles(co, ["src/a.js", "api/x", "lib/b.js"])).toEqual(["js-owner", "alice"]);
    const picked = pickCodeowners(new Map([["docs/CODEOWNERS", "* @c"], ["CODEOWNERS", "* @b"]]));
    expect(picked?.file).toBe("CODEOWNERS");
    expect(pickCodeowners(new Map())).toBeNull();
  });
});
