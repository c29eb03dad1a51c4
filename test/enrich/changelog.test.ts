import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  breakingChangesFromChangelog,
  changelogSections,
  fetchChangelog,
  notesCoverRange,
  versionOfHeading,
} from "../../src/enrich/breaking.js";
import { enrichDependencies } from "../../src/enrich/index.js";
import type { Datasource, ReleaseResult } from "../../src/enrich/types.js";
import type { GithubDatasource, ReleaseNote } from "../../src/enrich/datasources/index.js";
import { versioningFor } from "../../src/enrich/versioning/index.js";
import { dep, scanOf } from "./helpers-enrich.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const CHANGELOG = readFileSync(path.join(here, "../fixtures/enrich/changelog/CHANGELOG.md"), "utf8");
const semver = versioningFor("npm");
const pep440 = versioningFor("pypi");
const API = "https://api.github.com";

function octokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });
}

function contents(text: string, name = "CHANGELOG.md"): Record<string, unknown> {
  const buf = Buffer.from(text, "utf8");
  return { type: "file", name, path: name, size: buf.length, encoding: "base64", content: buf.toString("base64").replace(/(.{60})/g, "$1\n") };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe("changelog parsing", () => {
  it("finds the version a heading names, not dates or prose", () => {
    expect(versionOfHeading("[3.0.0] - 2025-06-01", semver)).toBe("3.0.0");
    expect(versionOfHeading("v2.0.0 (2024-09-01)", semver)).toBe("2.0.0");
    expect(versionOfHeading("my-pkg@1.4.2", semver)).toBe("1.4.2");
    expect(versionOfHeading("Version 2.0.0rc1", pep440)).toBe("2.0.0rc1");
    expect(versionOfHeading("[Unreleased]", semver)).toBeNull();
    expect(versionOfHeading("2024-09-01", semver)).toBeNull();
  });

  it("splits sections at the level most version headings use; sub-headings and code stay inside", () => {
    const sections = changelogSections(CHANGELOG, semver);
    // "### Upgrading to 3.0" is deeper than the section level: it does not open a section.
    expect(sections.map((s) => s.version)).toEqual(["3.0.0", "2.1.0", "2.0.0", "1.9.0"]);
    expect(sections[0].body).toContain("Drop Node 16 support");
    expect(sections[0].body).toContain("## 9.9.9 heading inside a code block");
    expect(sections[1].body).not.toContain("BREAKING");
  });

  it("reads setext headings", () => {
    const text = "Changes\n=======\n\n2.0.0\n-----\n\n- removed the v1 API\n\n1.0.0\n-----\n\n- first\n";
    expect(changelogSections(text, semver).map((s) => [s.version, s.body.trim()])).toEqual([
      ["2.0.0", "- removed the v1 API"],
      ["1.0.0", "- first"],
    ]);
  });

  it("lists breaking lines of the versions above current and up to target, newest first", () => {
    expect(breakingChangesFromChangelog(CHANGELOG, "1.9.0", "3.0.0", semver)).toEqual([
      "3.0.0: Drop Node 16 support",
      "3.0.0: `parse()` now returns a Promise",
      "2.0.0: BREAKING CHANGE: the default export was removed.",
    ]);
    expect(breakingChangesFromChangelog(CHANGELOG, "2.0.0", "2.1.0", semver)).toEqual([]);
    expect(breakingChangesFromChangelog("no headings at all\n- BREAKING: x", "1.0.0", "2.0.0", semver)).toEqual([]);
  });

  it("says whether release notes cover the range", () => {
    const notes = [{ tag: "v2.0.0", name: null, body: "" }, { tag: "v1.5.0", name: null, body: "fixes" }];
    expect(notesCoverRange(notes, "1.0.0", "2.0.0", semver)).toBe(true);
    expect(notesCoverRange(notes, "1.5.0", "2.0.0", semver)).toBe(false); // the only note in range is empty
    expect(notesCoverRange(null, "1.0.0", "2.0.0", semver)).toBe(false);
  });
});

describe("fetchChangelog (contents API)", () => {
  it("tries CHANGELOG.md, then CHANGES.md, and decodes the base64 content", async () => {
    const scope = nock(API)
      .get("/repos/acme/lib/contents/CHANGELOG.md")
      .reply(404, { message: "Not Found" })
      .get("/repos/acme/lib/contents/CHANGES.md")
      .reply(200, contents("## 2.0.0\n- BREAKING: x\n", "CHANGES.md"));
    const file = await fetchChangelog(octokit(), "acme", "lib");
    expect(file).toEqual({ path: "CHANGES.md", text: "## 2.0.0\n- BREAKING: x\n" });
    scope.done();
  });

  it("returns null when no changelog exists, and throws naming the request on other errors", async () => {
    const scope = nock(API)
      .get("/repos/acme/none/contents/CHANGELOG.md")
      .reply(404, {})
      .get("/repos/acme/none/contents/CHANGES.md")
      .reply(404, {})
      .get("/repos/acme/none/contents/HISTORY.md")
      .reply(404, {})
      .get("/repos/acme/down/contents/CHANGELOG.md")
      .reply(500, { message: "boom" });
    expect(await fetchChangelog(octokit(), "acme", "none")).toBeNull();
    await expect(fetchChangelog(octokit(), "acme", "down")).rejects.toThrow(/GET \/repos\/acme\/down\/contents\/CHANGELOG\.md: HTTP 500/);
    scope.done();
  });
});

describe("enrichDependencies with the CHANGELOG fallback", () => {
  const releases = (source: string): ReleaseResult => ({
    releases: ["1.9.0", "2.0.0", "2.1.0", "3.0.0"].map((v) => ({ version: v, release_date: "2024-01-01T00:00:00Z", deprecated: false, yanked: false })),
    tag_latest: "3.0.0",
    source_url: source,
    homepage: null,
    deprecated: false,
    deprecation_message: null,
    registry_url: "https://registry.test",
  });
  const npm: Datasource = { name: "npm", getReleases: async (req) => releases(`https://github.com/acme/${req.name}`) };
  const githubWith = (notes: ReleaseNote[] | null): GithubDatasource => ({ name: "github-tags", getReleases: async () => null, getReleaseNotes: async () => notes });
  const clock = () => new Date("2026-01-31T00:00:00Z");

  it("reads CHANGELOG.md once per repository when the repository publishes no release notes", async () => {
    const scope = nock(API).get("/repos/acme/lib/contents/CHANGELOG.md").once().reply(200, contents(CHANGELOG));
    const scan = scanOf([dep("lib", "1.9.0"), dep("lib", "1.9.0", { component: "other", file: "b/package.json" })]);
    const out = await enrichDependencies(scan, { datasources: { npm, "github-tags": githubWith([]) }, octokit: octokit(), advisories: null, clock });
    for (const d of out.dependencies) {
      expect(d.breaking_changes).toEqual([
        "CHANGELOG.md 3.0.0: Drop Node 16 support",
        "CHANGELOG.md 3.0.0: `parse()` now returns a Promise",
        "CHANGELOG.md 2.0.0: BREAKING CHANGE: the default export was removed.",
      ]);
      expect(d.auto_update_safe).toBe(false);
    }
    scope.done();
  });

  it("trusts release notes that cover the range and does not read the changelog", async () => {
    const notes: ReleaseNote[] = [{ tag: "v3.0.0", name: "v3.0.0", body: "Features only", published_at: null, url: null }];
    // No nock scope: any contents request would fail with "Nock: Disallowed net connect".
    const out = await enrichDependencies(scanOf([dep("lib", "1.9.0")]), { datasources: { npm, "github-tags": githubWith(notes) }, octokit: octokit(), advisories: null, clock });
    expect(out.dependencies[0].breaking_changes).toEqual(["major version 2 crossed", "major version 3 crossed"]);
    expect(out.warnings).toEqual([]);
  });

  it("on GitHub Enterprise Server neither release notes nor CHANGELOGs of github.com sources are asked of the GHES host", async () => {
    const ghes = new ProbotOctokit({ auth: { token: "ghs_test" }, baseUrl: "https://ghes.example.com/api/v3", retry: { enabled: false }, throttle: { enabled: false } });
    let asked = 0;
    const github: GithubDatasource = { name: "github-tags", getReleases: async () => null, getReleaseNotes: async () => (asked++, []) };
    // No nock scope for the GHES host: any request to it would fail with "Nock: Disallowed net connect".
    const out = await enrichDependencies(scanOf([dep("lib", "1.9.0")]), { datasources: { npm, "github-tags": github }, octokit: ghes, advisories: null, clock });
    expect(asked).toBe(0);
    expect(out.dependencies[0].breaking_changes).toEqual(["major version 2 crossed", "major version 3 crossed"]);
    expect(out.warnings).toEqual([]);
    // The same on github.com asks for the notes.
    await enrichDependencies(scanOf([dep("lib", "1.9.0")]), { datasources: { npm, "github-tags": github }, octokit: octokit(), advisories: null, clock }).catch(() => undefined);
    expect(asked).toBe(1);
  });

  it("falls back to majors crossed with a warning naming the request when the changelog cannot be read", async () => {
    const scope = nock(API).get("/repos/acme/lib/contents/CHANGELOG.md").reply(403, { message: "Resource not accessible by integration" });
    const out = await enrichDependencies(scanOf([dep("lib", "1.9.0")]), { datasources: { npm, "github-tags": githubWith(null) }, octokit: octokit(), advisories: null, clock });
    expect(out.dependencies[0].breaking_changes).toEqual(["major version 2 crossed", "major version 3 crossed"]);
    expect(out.warnings.map((w) => w.message).join("\n")).toMatch(/changelog of acme\/lib could not be read: GET \/repos\/acme\/lib\/contents\/CHANGELOG\.md: HTTP 403/);
    scope.done();
  });
});
