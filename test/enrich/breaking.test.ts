import { describe, expect, it } from "vitest";
import { breakingChangesFromNotes, breakingLinesOf, majorsCrossed, versionFromTag } from "../../src/enrich/breaking.js";
import { versioningFor } from "../../src/enrich/versioning/index.js";

const semver = versioningFor("npm");
const loose = versioningFor("github-tags");

const NOTES = [
  { tag: "v3.0.0", name: "v3.0.0", body: "## ⚠ BREAKING CHANGES\n\n* drop Node 16\n* `parse()` now returns a Promise\n\n## Features\n\n* add streaming\n" },
  { tag: "v2.1.0", name: "v2.1.0", body: "### Features\n- faster\n\n```\nBREAKING inside code is ignored\n```\n" },
  { tag: "v2.0.0", name: "Release 2.0", body: "**BREAKING CHANGE**: the default export was removed.\n\nOther fixes." },
  { tag: "v1.9.0", name: "v1.9.0", body: "BREAKING: older than current, not listed" },
  { tag: "other-pkg@2.5.0", name: null, body: "BREAKING: another package of the monorepo" },
];

describe("breaking changes from release notes", () => {
  it("collects lines under breaking headings and lines that say BREAKING/removed, newest first, within the range", () => {
    const lines = breakingChangesFromNotes(NOTES, "1.9.0", "3.0.0", semver, "my-pkg");
    expect(lines).toEqual([
      "v3.0.0: drop Node 16",
      "v3.0.0: `parse()` now returns a Promise",
      "v2.0.0: BREAKING CHANGE: the default export was removed.",
    ]);
  });
  it("is empty when no release in range says anything", () => {
    expect(breakingChangesFromNotes(NOTES, "2.0.0", "2.1.0", semver)).toEqual([]);
  });
  it("reads monorepo tags of the same package only", () => {
    expect(versionFromTag("my-pkg@2.5.0", semver, "my-pkg")).toBe("2.5.0");
    expect(versionFromTag("other-pkg@2.5.0", semver, "my-pkg")).toBeNull();
    expect(versionFromTag("@scope/my-pkg@1.0.0", semver, "@scope/my-pkg")).toBe("1.0.0");
    expect(versionFromTag("release-1.2.3", semver, "x")).toBe("1.2.3");
    expect(versionFromTag("v4", loose)).toBe("v4");
  });
  it("caps the list and sanitises control characters", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ tag: `v${i + 2}.0.0`, name: null, body: `BREAKING: change ${i}\u001b[31m` }));
    const lines = breakingChangesFromNotes(many, "1.0.0", "40.0.0", semver);
    expect(lines).toHaveLength(20);
    expect(lines.at(-1)).toMatch(/and 11 more/);
    expect(lines.join("")).not.toMatch(/\u001b/);
    expect(breakingLinesOf("# Breaking\n- one\n# Fixes\n- two")).toEqual(["one"]);
  });
});

describe("major-crossed fallback", () => {
  it("one line per major crossed", () => {
    expect(majorsCrossed("1.4.0", "3.1.0", semver)).toEqual(["major version 2 crossed", "major version 3 crossed"]);
    expect(majorsCrossed("0.2.0", "0.4.1", semver)).toEqual(["0.3 minor version crossed (0.x minors may break)", "0.4 minor version crossed (0.x minors may break)"]);
    expect(majorsCrossed("1.0.0", "1.5.0", semver)).toEqual([]);
    expect(majorsCrossed("2019.1.0", "2025.1.0", semver)).toHaveLength(6);
    expect(majorsCrossed("1.0.0", "20.0.0", semver)).toEqual(["major versions 2 to 20 crossed"]);
  });
});
