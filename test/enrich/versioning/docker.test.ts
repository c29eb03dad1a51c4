import { describe, expect, it } from "vitest";
import { dockerVersioning as dv, parseDockerTag } from "../../../src/enrich/versioning/docker.js";
import { looseVersioning, versioningFor } from "../../../src/enrich/versioning/index.js";

const TAGS = ["latest", "3", "3.11", "3.11-slim", "3.12", "3.12-slim", "3.12-alpine", "3.13-slim", "3.14.0rc1-slim", "3.12.1-slim", "slim", "3.14-rc-slim"];

/** What the lookup stage does: compatible, stable, newer; then the highest. */
function newest(current: string, tags: string[]): string | null {
  const c = tags.filter((t) => dv.isValid(t) && dv.isStable(t) && dv.isCompatible!(t, current) && dv.compare(t, current) > 0);
  c.sort(dv.compare);
  return c.at(-1) ?? null;
}

describe("dockerVersioning", () => {
  it("parses numeric prefix and variant suffix", () => {
    expect(parseDockerTag("3.11-slim")).toEqual({ prefix: "", numbers: [3, 11], suffix: "-slim" });
    expect(parseDockerTag("1.25.3-alpine3.19")).toEqual({ prefix: "", numbers: [1, 25, 3], suffix: "-alpine3.19" });
    expect(parseDockerTag("22.04")).toEqual({ prefix: "", numbers: [22, 4], suffix: "" });
    expect(parseDockerTag("latest")).toBeNull();
    expect(parseDockerTag("slim")).toBeNull();
    expect(parseDockerTag("1.2.")).toBeNull();
  });

  it("keeps the variant: 3.11-slim moves to the newest *-slim with two parts", () => {
    expect(newest("3.11-slim", TAGS)).toBe("3.13-slim");
    expect(newest("3.11", TAGS)).toBe("3.12");
    expect(newest("3.12.0-slim", TAGS)).toBe("3.12.1-slim");
  });

  it("never crosses variants", () => {
    expect(dv.isCompatible!("3.12", "3.11-slim")).toBe(false);
    expect(dv.isCompatible!("3.12-alpine", "3.11-slim")).toBe(false);
    expect(dv.isCompatible!("3.12.1-slim", "3.11-slim")).toBe(false);
    expect(dv.isCompatible!("latest", "3.11-slim")).toBe(false);
    expect(dv.isCompatible!("1.26.0-alpine3.19", "1.25.3-alpine3.19")).toBe(true);
    expect(dv.isCompatible!("1.26.0-alpine3.20", "1.25.3-alpine3.19")).toBe(false);
  });

  it("treats rc/beta variants as unstable", () => {
    expect(dv.isStable("3.14.0rc1-slim")).toBe(false);
    expect(dv.isStable("3.14-rc-slim")).toBe(false);
    expect(dv.isStable("2.0.0-beta.1")).toBe(false);
    expect(dv.isStable("3.12-slim-bookworm")).toBe(true);
    expect(dv.isStable("1.25.3-alpine3.19")).toBe(true);
    expect(dv.isStable("ltsc2022")).toBe(false); // not even valid
  });

  it("compares numerically and matches tag series", () => {
    expect(dv.compare("3.9-slim", "3.11-slim")).toBeLessThan(0);
    expect(dv.compare("22.04", "20.04")).toBeGreaterThan(0);
    expect(dv.matches("3.11.4-slim", "3.11-slim")).toBe(true);
    expect(dv.matches("3.12.0-slim", "3.11-slim")).toBe(false);
    expect(dv.matches("3.11.4", "3.11-slim")).toBe(false);
    expect(dv.parts("1.25.3-alpine")).toEqual({ major: 1, minor: 25, patch: 3 });
  });
});

describe("versioningFor", () => {
  it("maps each datasource to its scheme", () => {
    expect(versioningFor("docker")).toBe(dv);
    expect(versioningFor("github-tags")).toBe(looseVersioning);
    expect(versioningFor("helm")).toBe(looseVersioning);
    expect(versioningFor("npm").name).toMatch(/semver/);
    expect(versioningFor("pypi").name).toMatch(/pep440/);
    expect(versioningFor("go").isValid("v1.2.3")).toBe(true);
    expect(versioningFor("go").compare("v1.10.0", "v1.9.0")).toBeGreaterThan(0);
    expect(versioningFor("crates").isValid("1.0.0")).toBe(true);
  });
});
