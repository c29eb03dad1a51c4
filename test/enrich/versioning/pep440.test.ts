import { describe, expect, it } from "vitest";
import { pep440Versioning as v } from "../../../src/enrich/versioning/pep440.js";

describe("pep440Versioning", () => {
  it("validates PEP 440 versions", () => {
    for (const ok of ["1.0", "1.0rc1", "1.0.post1", "1.0.dev3", "1!2.0", "1.0+ubuntu.1", "2024.1"]) {
      expect(v.isValid(ok), ok).toBe(true);
    }
    for (const bad of ["", "1.0-foo-bar-baz!", "latest", "x".repeat(500)]) {
      expect(v.isValid(bad), bad).toBe(false);
    }
  });
  it("orders dev < pre < final < local < post", () => {
    const input = ["1.0.post1", "1.0", "1.0rc1", "1.0.dev1", "1.0a1", "1.0+local", "0.9"];
    expect([...input].sort(v.compare)).toEqual(["0.9", "1.0.dev1", "1.0a1", "1.0rc1", "1.0", "1.0+local", "1.0.post1"]);
    expect(v.compare("1.0rc1", "1.0")).toBeLessThan(0);
    expect(v.compare("1.0", "1.0.post1")).toBeLessThan(0);
    expect(v.compare("1.0", "1.0.0")).toBe(0);
  });
  it("epochs dominate the release number", () => {
    expect(v.compare("1!0.5", "2.0")).toBeGreaterThan(0);
    expect(v.compare("2013.10", "1!1.0")).toBeLessThan(0);
  });
  it("isStable excludes pre and dev releases but not post releases", () => {
    expect(v.isStable("1.0")).toBe(true);
    expect(v.isStable("1.0.post2")).toBe(true);
    expect(v.isStable("1.0rc1")).toBe(false);
    expect(v.isStable("1.0.dev1")).toBe(false);
    expect(v.isStable("1.0b2.post1")).toBe(false);
  });
  it("compatible release ~=", () => {
    expect(v.matches("1.3", "~=1.2")).toBe(true);
    expect(v.matches("2.0", "~=1.2")).toBe(false);
    expect(v.matches("1.2.9", "~=1.2.3")).toBe(true);
    expect(v.matches("1.3.0", "~=1.2.3")).toBe(false);
  });
  it("prefix match ==1.2.* and exclusion !=", () => {
    expect(v.matches("1.2.5", "==1.2.*")).toBe(true);
    expect(v.matches("1.2", "==1.2.*")).toBe(true);
    expect(v.matches("1.3.0", "==1.2.*")).toBe(false);
    expect(v.matches("1.2.5", ">=1.0,!=1.2.5")).toBe(false);
    expect(v.matches("1.2.6", ">=1.0,!=1.2.5")).toBe(true);
  });
  it("a pinned pre-release satisfies a range that contains it", () => {
    expect(v.matches("2.0rc1", ">=1.5,<3")).toBe(true);
  });
  it("a bare version constraint means ==", () => {
    expect(v.matches("1.4", "1.4")).toBe(true);
    expect(v.matches("1.4.1", "1.4")).toBe(false);
  });
  it("malformed constraints never match and never throw", () => {
    expect(v.matches("1.0", ">>>1.0")).toBe(false);
    expect(v.matches("nope", ">=1.0")).toBe(false);
  });
  it("minSatisfying and parts", () => {
    expect(v.minSatisfying?.(">=1.4,<2")).toBe("1.4");
    expect(v.minSatisfying?.("~=2.2")).toBe("2.2");
    expect(v.minSatisfying?.("<2")).toBeNull();
    expect(v.parts("1!3.4.post1")).toEqual({ major: 3, minor: 4, patch: 0 });
    expect(v.parts("5")).toEqual({ major: 5, minor: 0, patch: 0 });
  });
});
