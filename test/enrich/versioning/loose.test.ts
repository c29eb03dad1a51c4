import { describe, expect, it } from "vitest";
import { looseVersioning as lv, parseLoose } from "../../../src/enrich/versioning/loose.js";

describe("looseVersioning", () => {
  it("parses tags with or without v and with 1-4 parts", () => {
    expect(parseLoose("v1.2.3")).toEqual({ numbers: [1, 2, 3], prerelease: null });
    expect(parseLoose("1.2")).toEqual({ numbers: [1, 2], prerelease: null });
    expect(parseLoose("v4")).toEqual({ numbers: [4], prerelease: null });
    expect(parseLoose("2.0.0-rc.1")).toEqual({ numbers: [2, 0, 0], prerelease: "rc.1" });
    expect(parseLoose("3.13.0rc1")).toEqual({ numbers: [3, 13, 0], prerelease: "rc1" });
    expect(parseLoose("12.x")).toBeNull();
    expect(parseLoose("main")).toBeNull();
    expect(parseLoose("release-1.2")).toBeNull();
  });

  it("orders numerically, missing parts as zero, pre-releases before releases", () => {
    const tags = ["v1.10.0", "v1.9.0", "v2", "v2.0.0-beta.2", "v2.0.0-beta.10", "v1.2"];
    expect([...tags].sort(lv.compare)).toEqual(["v1.2", "v1.9.0", "v1.10.0", "v2.0.0-beta.2", "v2.0.0-beta.10", "v2"]);
    expect(lv.compare("v2", "2.0.0")).toBe(0);
    expect(lv.isStable("v2.0.0-beta.2")).toBe(false);
    expect(lv.isStable("v4.1.1")).toBe(true);
  });

  it("treats a version constraint as a floating prefix (actions major tags)", () => {
    expect(lv.matches("v4.2.1", "v4")).toBe(true);
    expect(lv.matches("v5.0.0", "v4")).toBe(false);
    expect(lv.matches("v4.2.1", "v4.2")).toBe(true);
    expect(lv.matches("v4.2.0-rc.1", "v4")).toBe(false);
  });

  it("accepts semver ranges (Helm charts)", () => {
    expect(lv.matches("1.4.2", "^1.2.0")).toBe(true);
    expect(lv.matches("2.0.0", "^1.2.0")).toBe(false);
    expect(lv.matches("1.5.0", ">=1.0.0 <2.0.0")).toBe(true);
    expect(lv.minSatisfying!("~1.2.0")).toBe("1.2.0");
    expect(lv.parts("v3.1")).toEqual({ major: 3, minor: 1, patch: 0 });
  });
});
