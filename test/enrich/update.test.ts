import { describe, expect, it } from "vitest";
import {
  assessUpdateRisk,
  classifyUpdate,
  isAutoUpdateSafe,
  MANY_RELEASES,
  nextReviewDate,
  pickLatest,
  releasesBetween,
  type UpdateRiskInput,
} from "../../src/enrich/update.js";
import type { Release, ReleaseResult } from "../../src/enrich/types.js";
import { versioningFor } from "../../src/enrich/versioning/index.js";

const semver = versioningFor("npm");
const docker = versioningFor("docker");
const pep440 = versioningFor("pypi");
const NOW = new Date("2026-01-31T00:00:00Z");

function rel(version: string, extra: Partial<Release> = {}): Release {
  return { version, release_date: "2025-01-01T00:00:00Z", deprecated: false, yanked: false, ...extra };
}
function result(releases: Release[], tag_latest: string | null = null): ReleaseResult {
  return { releases, tag_latest, source_url: null, homepage: null, deprecated: false, deprecation_message: null, registry_url: "x" };
}
function risk(over: Partial<UpdateRiskInput>): ReturnType<typeof assessUpdateRisk> {
  return assessUpdateRisk({
    updateType: "patch",
    current: "1.2.3",
    target: "1.2.4",
    versioning: semver,
    targetReleaseDate: "2025-12-01T00:00:00Z",
    releasesCrossed: 1,
    targetDeprecated: false,
    minimumReleaseAgeDays: 3,
    now: NOW,
    ...over,
  });
}

describe("pickLatest", () => {
  it("takes the highest stable, not yanked, not deprecated release", () => {
    const r = result([rel("1.0.0"), rel("1.2.0"), rel("2.0.0-rc.1"), rel("1.3.0", { yanked: true }), rel("1.2.5", { deprecated: true })]);
    expect(pickLatest(r, "1.0.0", semver, "npm")?.version).toBe("1.2.0");
  });
  it("respects npm dist-tags.latest over a higher version", () => {
    const r = result([rel("1.0.0"), rel("1.5.0"), rel("2.0.0")], "1.5.0");
    expect(pickLatest(r, "1.0.0", semver, "npm")?.version).toBe("1.5.0");
    // Other ecosystems ignore tag_latest.
    expect(pickLatest(r, "1.0.0", semver, "crates")?.version).toBe("2.0.0");
  });
  it("keeps the docker tag variant", () => {
    const r = result([rel("3.11-slim"), rel("3.13-slim"), rel("3.14"), rel("3.14-alpine"), rel("3.14.0-slim")]);
    expect(pickLatest(r, "3.11-slim", docker, "docker")?.version).toBe("3.13-slim");
  });
  it("follows pre-releases only when the current version is one", () => {
    const r = result([rel("1.0.0"), rel("2.0.0-rc.1"), rel("2.0.0-rc.2")]);
    expect(pickLatest(r, "1.0.0", semver, "npm")?.version).toBe("1.0.0");
    expect(pickLatest(r, "2.0.0-rc.1", semver, "npm")?.version).toBe("2.0.0-rc.2");
  });
});

describe("classifyUpdate", () => {
  it("major, minor, patch, none, unknown", () => {
    expect(classifyUpdate("1.2.3", "2.0.0", semver)).toBe("major");
    expect(classifyUpdate("1.2.3", "1.3.0", semver)).toBe("minor");
    expect(classifyUpdate("1.2.3", "1.2.9", semver)).toBe("patch");
    expect(classifyUpdate("1.2.3", "1.2.3", semver)).toBe("none");
    expect(classifyUpdate("2.0.0", "1.9.0", semver)).toBe("none");
    expect(classifyUpdate("not-a-version", "1.0.0", semver)).toBe("unknown");
    expect(classifyUpdate("2.31.0", "2.32.3", pep440)).toBe("minor");
  });
  it("counts releases crossed", () => {
    const rs = ["1.0.0", "1.0.1", "1.1.0", "2.0.0", "2.1.0"].map((v) => rel(v));
    expect(releasesBetween(rs, "1.0.0", "2.0.0", semver).map((r) => r.version)).toEqual(["1.0.1", "1.1.0", "2.0.0"]);
  });
});

describe("assessUpdateRisk", () => {
  it("patch is low, minor low, minor across many minors medium, major high, 0.x minor high", () => {
    expect(risk({}).risk).toBe("low");
    expect(risk({ updateType: "minor", current: "1.2.3", target: "1.3.0" }).risk).toBe("low");
    expect(risk({ updateType: "minor", current: "1.2.3", target: "1.6.0" }).risk).toBe("medium");
    expect(risk({ updateType: "major", current: "1.2.3", target: "2.0.0" }).risk).toBe("high");
    const zero = risk({ updateType: "minor", current: "0.2.3", target: "0.3.0" });
    expect(zero.risk).toBe("high");
    expect(zero.factors.join()).toMatch(/0\.x/);
    expect(risk({ updateType: "none", current: "1.0.0", target: "1.0.0" }).risk).toBe("none");
    expect(risk({ updateType: "unknown" }).risk).toBe("medium");
  });
  it("a release younger than the minimum age raises one level and is flagged", () => {
    const r = risk({ targetReleaseDate: "2026-01-30T00:00:00Z" });
    expect(r.risk).toBe("medium");
    expect(r.tooYoung).toBe(true);
    expect(r.factors.join()).toMatch(/minimum release age/);
    // Age 0 disables the rule.
    expect(risk({ targetReleaseDate: "2026-01-30T00:00:00Z", minimumReleaseAgeDays: 0 }).risk).toBe("low");
    // No date: not raised, but cannot be proven old enough.
    const undated = risk({ targetReleaseDate: null });
    expect(undated.risk).toBe("low");
    expect(undated.tooYoung).toBe(true);
  });
  it(`a jump across more than ${MANY_RELEASES} releases raises one level`, () => {
    expect(risk({ releasesCrossed: MANY_RELEASES }).risk).toBe("low");
    expect(risk({ releasesCrossed: MANY_RELEASES + 1 }).risk).toBe("medium");
  });
  it("a deprecated target raises one level; the levels cap at high", () => {
    expect(risk({ targetDeprecated: true }).risk).toBe("medium");
    expect(risk({ targetDeprecated: true, releasesCrossed: 50, targetReleaseDate: "2026-01-30T00:00:00Z" }).risk).toBe("high");
    expect(risk({ updateType: "major", current: "1.0.0", target: "2.0.0", targetDeprecated: true }).risk).toBe("high");
  });
});

describe("isAutoUpdateSafe", () => {
  const ok = { updateType: "minor" as const, zeroMinor: false, breakingChanges: [], deprecated: false, tooYoung: false, incompatible: false };
  it("patch and minor updates with nothing against them are safe", () => {
    expect(isAutoUpdateSafe(ok)).toBe(true);
    expect(isAutoUpdateSafe({ ...ok, updateType: "patch" })).toBe(true);
  });
  it("each disqualifier alone makes it unsafe", () => {
    expect(isAutoUpdateSafe({ ...ok, updateType: "major" })).toBe(false);
    expect(isAutoUpdateSafe({ ...ok, updateType: "unknown" })).toBe(false);
    expect(isAutoUpdateSafe({ ...ok, zeroMinor: true })).toBe(false);
    expect(isAutoUpdateSafe({ ...ok, breakingChanges: ["v1.3.0: removed foo"] })).toBe(false);
    expect(isAutoUpdateSafe({ ...ok, deprecated: true })).toBe(false);
    expect(isAutoUpdateSafe({ ...ok, tooYoung: true })).toBe(false);
    expect(isAutoUpdateSafe({ ...ok, incompatible: true })).toBe(false);
  });
});

describe("nextReviewDate", () => {
  it("7 days when vulnerable or a major behind, else 30", () => {
    expect(nextReviewDate(NOW, true, "patch")).toBe("2026-02-07T00:00:00.000Z");
    expect(nextReviewDate(NOW, false, "major")).toBe("2026-02-07T00:00:00.000Z");
    expect(nextReviewDate(NOW, false, "minor")).toBe("2026-03-02T00:00:00.000Z");
  });
});
