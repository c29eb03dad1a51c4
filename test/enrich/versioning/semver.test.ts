import { describe, expect, it } from "vitest";
import {
  cargoRangeToNpm,
  cargoVersioning,
  cleanSemver,
  goVersioning,
  isGoPseudoVersion,
  semverVersioning,
} from "../../../src/enrich/versioning/semver.js";

describe("semverVersioning (npm)", () => {
  const v = semverVersioning;
  it("validates versions, tolerating a leading v", () => {
    expect(v.isValid("1.2.3")).toBe(true);
    expect(v.isValid("v1.2.3")).toBe(true);
    expect(v.isValid("1.2.3-beta.1+build.5")).toBe(true);
    expect(v.isValid("1.2")).toBe(false);
    expect(v.isValid("not-a-version")).toBe(false);
    expect(v.isValid("")).toBe(false);
    expect(cleanSemver("v1.2.3")).toBe("1.2.3");
  });
  it("orders by semver precedence, pre-releases first", () => {
    const sorted = ["1.10.0", "1.2.0", "1.2.0-rc.1", "v1.2.0-alpha", "0.9.9"].sort(v.compare);
    expect(sorted).toEqual(["0.9.9", "v1.2.0-alpha", "1.2.0-rc.1", "1.2.0", "1.10.0"]);
    expect(v.compare("1.0.0", "v1.0.0")).toBe(0);
  });
  it("does not throw comparing invalid versions", () => {
    expect(() => v.compare("garbage", "1.0.0")).not.toThrow();
    expect(v.compare("garbage", "1.0.0")).toBeLessThan(0);
  });
  it("isStable excludes pre-releases", () => {
    expect(v.isStable("1.0.0")).toBe(true);
    expect(v.isStable("1.0.0-beta.2")).toBe(false);
    expect(v.isStable("junk")).toBe(false);
  });
  it("matches npm ranges", () => {
    expect(v.matches("1.4.0", "^1.2.0")).toBe(true);
    expect(v.matches("2.0.0", "^1.2.0")).toBe(false);
    expect(v.matches("1.2.9", "~1.2.0")).toBe(true);
    expect(v.matches("1.3.0", "~1.2.0")).toBe(false);
    expect(v.matches("3.0.0", "1.x || >=3")).toBe(true);
    expect(v.matches("1.5.0", "1.2.3 - 2.3.4")).toBe(true);
    expect(v.matches("1.0.0", "*")).toBe(true);
    expect(v.matches("1.0.0", "not a range !!")).toBe(false);
    // a concrete pre-release is checked against the range as written
    expect(v.matches("1.3.0-rc.1", ">=1.2.0 <2.0.0")).toBe(true);
  });
  it("derives the lowest version of a range and parts", () => {
    expect(v.minSatisfying?.("^1.2")).toBe("1.2.0");
    expect(v.minSatisfying?.(">=2.1.3 <3")).toBe("2.1.3");
    expect(v.minSatisfying?.("??")).toBeNull();
    expect(v.parts("v3.4.5-rc.1")).toEqual({ major: 3, minor: 4, patch: 5 });
    expect(v.parts("1.2")).toEqual({ major: 1, minor: 2, patch: 0 });
    expect(v.parts("latest")).toBeNull();
  });
});

describe("cargoVersioning", () => {
  const v = cargoVersioning;
  it("treats a bare requirement as caret", () => {
    expect(v.matches("1.9.0", "1.2")).toBe(true);
    expect(v.matches("2.0.0", "1.2")).toBe(false);
    expect(v.matches("1.1.0", "1.2")).toBe(false);
    expect(v.matches("0.2.9", "0.2.3")).toBe(true);
    expect(v.matches("0.3.0", "0.2.3")).toBe(false);
  });
  it("handles comparison operators, comma lists, tilde, exact and wildcards", () => {
    expect(v.matches("1.5.0", ">=1.2, <1.8")).toBe(true);
    expect(v.matches("1.8.0", ">=1.2, <1.8")).toBe(false);
    expect(v.matches("1.2.7", "~1.2")).toBe(true);
    expect(v.matches("1.3.0", "~1.2")).toBe(false);
    expect(v.matches("1.2.3", "=1.2.3")).toBe(true);
    expect(v.matches("1.2.4", "=1.2.3")).toBe(false);
    expect(v.matches("1.7.0", "1.*")).toBe(true);
    expect(v.matches("2.0.0", "1.*")).toBe(false);
    expect(v.matches("9.9.9", "*")).toBe(true);
  });
  it("rejects malformed requirements", () => {
    expect(cargoRangeToNpm("1.2; rm -rf /")).toBeNull();
    expect(v.matches("1.2.0", "")).toBe(false);
    expect(v.minSatisfying?.("1.2")).toBe("1.2.0");
  });
});

describe("goVersioning", () => {
  const v = goVersioning;
  it("accepts v-prefixed versions, pseudo-versions and +incompatible", () => {
    expect(v.isValid("v1.2.3")).toBe(true);
    expect(v.isValid("v0.0.0-20191109021931-daa7c04131f5")).toBe(true);
    expect(v.isValid("v2.0.0+incompatible")).toBe(true);
    expect(isGoPseudoVersion("v0.0.0-20191109021931-daa7c04131f5")).toBe(true);
    expect(isGoPseudoVersion("v1.2.4-0.20191109021931-daa7c04131f5")).toBe(true);
    expect(isGoPseudoVersion("v1.2.3")).toBe(false);
  });
  it("pseudo-versions are pre-releases ordered before their base tag", () => {
    expect(v.isStable("v0.0.0-20191109021931-daa7c04131f5")).toBe(false);
    expect(v.compare("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4")).toBeLessThan(0);
    expect(v.compare("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3")).toBeGreaterThan(0);
  });
  it("an exact go.mod version constraint matches only itself; ranges also work", () => {
    expect(v.matches("v1.2.3", "v1.2.3")).toBe(true);
    expect(v.matches("v1.2.4", "v1.2.3")).toBe(false);
    expect(v.matches("v1.5.0", ">=v1.2.0 <v2.0.0")).toBe(true);
  });
});
