/**
 * OSV range evaluation cases left open by the mutation run of src/enrich/advisories/match.ts (issue 18).
 * Oracles: the OSV schema's evaluation (https://ossf.github.io/osv-schema/#evaluation): events need not be
 * sorted, intervals are [introduced, fixed) or [introduced, last_affected], a version below any `limit`
 * may be affected; equal spellings of one version (PEP 440 epoch 0, Go's "v" prefix) are the same version.
 * Expected answers are worked out by hand from each record below.
 */
import { describe, expect, it } from "vitest";
import { evaluateRecord, isAffected, lowestFixedAtOrAbove, versioningForEcosystem } from "../../../src/enrich/advisories/match.js";
import { OsvVulnerability } from "../../../src/enrich/advisories/types.js";
import { cargoVersioning, goVersioning, semverVersioning } from "../../../src/enrich/versioning/semver.js";
import { pep440Versioning } from "../../../src/enrich/versioning/pep440.js";
import { eco, record, sem } from "./helpers.js";

describe("versioningForEcosystem", () => {
  it("one version order per supported ecosystem, null for the rest", () => {
    expect(versioningForEcosystem("PyPI")).toBe(pep440Versioning);
    expect(versioningForEcosystem("npm")).toBe(semverVersioning);
    expect(versioningForEcosystem("crates.io")).toBe(cargoVersioning);
    expect(versioningForEcosystem("Go")).toBe(goVersioning);
    expect(versioningForEcosystem("Maven")).toBeNull();
    expect(versioningForEcosystem("")).toBeNull();
  });

  it("an unparseable event version is reported in the ecosystem's own version scheme", () => {
    const bad = (ecosystem: string, range: typeof eco) => evaluateRecord(record("T-40", ecosystem, "p", [range({ introduced: "0" }, { fixed: "not.a.version!" })]), ecosystem, "p", "1.0.0");
    expect(bad("npm", eco).warnings).toEqual(['T-40: ECOSYSTEM range skipped, fixed version "not.a.version!" is not a valid semver version']);
    expect(bad("crates.io", eco).warnings).toEqual(['T-40: ECOSYSTEM range skipped, fixed version "not.a.version!" is not a valid cargo version']);
    // SEMVER ranges: Go's own order for Go, plain SemVer elsewhere.
    expect(bad("Go", sem).warnings).toEqual(['T-40: SEMVER range skipped, fixed version "not.a.version!" is not a valid go version']);
    expect(bad("npm", sem).warnings).toEqual(['T-40: SEMVER range skipped, fixed version "not.a.version!" is not a valid semver version']);
    expect(bad("crates.io", sem).warnings).toEqual(['T-40: SEMVER range skipped, fixed version "not.a.version!" is not a valid semver version']);
  });
});

describe("range events", () => {
  it("unsorted events with an open start: [0, 1.0) and [2.0, 3.0)", () => {
    const r = record("T-41", "PyPI", "p", [eco({ introduced: "2.0" }, { fixed: "3.0" }, { introduced: "0" }, { fixed: "1.0" })]);
    expect(isAffected(r, "PyPI", "p", "0.5")).toBe(true);
    expect(isAffected(r, "PyPI", "p", "1.5")).toBe(false);
    expect(isAffected(r, "PyPI", "p", "2.5")).toBe(true);
    expect(isAffected(r, "PyPI", "p", "3.0")).toBe(false);
  });

  it("introduced and fixed at the same version is an empty interval", () => {
    const r = record("T-42", "PyPI", "p", [eco({ fixed: "2.0" }, { introduced: "2.0" })]);
    expect(isAffected(r, "PyPI", "p", "2.0")).toBe(false);
    expect(isAffected(r, "PyPI", "p", "1.0")).toBe(false);
    expect(isAffected(r, "PyPI", "p", "3.0")).toBe(false);
  });

  it('fixed "0" means nothing is affected; "0" is open only for introduced', () => {
    const r = record("T-43", "PyPI", "p", [eco({ introduced: "0" }, { fixed: "0" })]);
    expect(isAffected(r, "PyPI", "p", "0.5")).toBe(false);
    expect(isAffected(r, "PyPI", "p", "5.0")).toBe(false);
  });

  it('last_affected "0": only version 0 itself is affected', () => {
    const r = record("T-55", "PyPI", "p", [eco({ introduced: "0" }, { last_affected: "0" })]);
    expect(isAffected(r, "PyPI", "p", "0")).toBe(true);
    expect(isAffected(r, "PyPI", "p", "0.0")).toBe(true);
    expect(isAffected(r, "PyPI", "p", "0.1")).toBe(false);
  });

  it('limit "*" caps nothing (PEP 440 order)', () => {
    const r = record("T-56", "PyPI", "p", [eco({ introduced: "1.0" }, { limit: "*" })]);
    expect(isAffected(r, "PyPI", "p", "0.9")).toBe(false);
    expect(isAffected(r, "PyPI", "p", "1.0")).toBe(true);
    expect(isAffected(r, "PyPI", "p", "99.0")).toBe(true);
  });

  it('"*" is open only for limit: a fixed "*" is no version, and the range is skipped', () => {
    const r = record("T-44", "PyPI", "p", [eco({ introduced: "1.0" }, { fixed: "*" })]);
    const res = evaluateRecord(r, "PyPI", "p", "1.5");
    expect(res.affected).toBe(false);
    expect(res.warnings).toEqual(['T-44: ECOSYSTEM range skipped, fixed version "*" is not a valid pep440 version']);
  });

  it("with several limits a version below any of them is in range", () => {
    const r = record("T-45", "npm", "x", [sem({ introduced: "1.0.0" }, { limit: "1.5.0" }, { limit: "2.0.0" })]);
    expect(isAffected(r, "npm", "x", "1.2.0")).toBe(true);
    expect(isAffected(r, "npm", "x", "1.8.0")).toBe(true);
    expect(isAffected(r, "npm", "x", "2.0.0")).toBe(false);
  });

  it("an unknown range type is skipped with a warning, not read as ECOSYSTEM", () => {
    const r = record("T-46", "PyPI", "p", [{ type: "CUSTOM", events: [{ introduced: "0" }] }]);
    const res = evaluateRecord(r, "PyPI", "p", "1.0");
    expect(res).toEqual({ affected: false, warnings: ['T-46: CUSTOM range for ecosystem "PyPI" not supported; skipped'], notes: [] });
  });

  it("an invalid current version is reported once per record, however many ranges it has", () => {
    const r = record("T-47", "npm", "x", [sem({ introduced: "0" }, { fixed: "2.0.0" }), sem({ introduced: "3.0.0" }, { fixed: "4.0.0" })]);
    expect(evaluateRecord(r, "npm", "x", "not-a-version")).toEqual({
      affected: false,
      warnings: ['T-47: version "not-a-version" of x is not a valid semver version; ranges not evaluated'],
      notes: [],
    });
  });

  it("notes hold only the GIT ranges skipped", () => {
    const plain = record("T-48", "npm", "x", [sem({ introduced: "0" }, { fixed: "2.0.0" })]);
    expect(evaluateRecord(plain, "npm", "x", "1.0.0")).toEqual({ affected: true, warnings: [], notes: [] });
    const git = record("T-49", "npm", "x", [{ type: "GIT", events: [{ introduced: "0" }] }]);
    expect(evaluateRecord(git, "npm", "x", "1.0.0")).toEqual({
      affected: false,
      warnings: [],
      notes: ["T-49: GIT range skipped (commit ranges are not versions); versions[] still applies"],
    });
  });
});

describe("versions[]: the same version spelled differently", () => {
  it("PEP 440: an explicit epoch 0 is the default epoch", () => {
    const r = record("T-50", "PyPI", "p", [], {}, ["2.0"]);
    expect(isAffected(r, "PyPI", "p", "0!2.0")).toBe(true);
    expect(isAffected(r, "PyPI", "p", "1!2.0")).toBe(false);
  });

  it("PEP 440: leading zeros of a release number do not count", () => {
    const r = record("T-57", "PyPI", "p", [], {}, ["1.0"]);
    expect(isAffected(r, "PyPI", "p", "01.0")).toBe(true);
    expect(isAffected(r, "PyPI", "p", "01.1")).toBe(false);
  });

  it("Go: with or without the v prefix", () => {
    const r = record("T-51", "Go", "example.com/m", [], {}, ["1.2.3"]);
    expect(isAffected(r, "Go", "example.com/m", "v1.2.3")).toBe(true);
    expect(isAffected(r, "Go", "example.com/m", "v1.2.4")).toBe(false);
  });

  it("an unparseable listed version matches only itself", () => {
    const r = record("T-52", "PyPI", "p", [], {}, ["1.0.foo"]);
    expect(isAffected(r, "PyPI", "p", "1.0")).toBe(false);
    expect(isAffected(r, "PyPI", "p", "1.0.foo")).toBe(true);
  });
});

describe("lowestFixedAtOrAbove: edges", () => {
  it("a fix equal to the current version is that version", () => {
    const r = record("T-53", "npm", "x", [sem({ introduced: "0" }, { fixed: "2.0.0" })]);
    expect(lowestFixedAtOrAbove(r, "npm", "x", "2.0.0")).toBe("2.0.0");
  });

  it("an unparseable fixed version is never offered", () => {
    const r = OsvVulnerability.parse({
      id: "T-54",
      affected: [
        { package: { ecosystem: "PyPI", name: "p" }, ranges: [eco({ introduced: "0" }, { fixed: "1.5.garbage!" })] },
        { package: { ecosystem: "PyPI", name: "p" }, ranges: [eco({ introduced: "0" }, { fixed: "2.0" })] },
      ],
    });
    expect(lowestFixedAtOrAbove(r, "PyPI", "p", "1.0")).toBe("2.0");
  });
});
