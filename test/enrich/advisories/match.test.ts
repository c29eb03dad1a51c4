import { describe, expect, it } from "vitest";
import { evaluateRecord, isAffected, lowestFixedAtOrAbove } from "../../../src/enrich/advisories/match.js";
import { OsvVulnerability } from "../../../src/enrich/advisories/types.js";
import { eco, record, sem } from "./helpers.js";

describe("isAffected: range events", () => {
  const r = record("T-1", "PyPI", "requests", [eco({ introduced: "0" }, { fixed: "2.31.0" })]);
  it("introduced 0 means from the beginning; fixed is exclusive", () => {
    expect(isAffected(r, "PyPI", "requests", "0.1")).toBe(true);
    expect(isAffected(r, "PyPI", "requests", "2.30.0")).toBe(true);
    expect(isAffected(r, "PyPI", "requests", "2.31.0rc1")).toBe(true);
    expect(isAffected(r, "PyPI", "requests", "2.31.0")).toBe(false);
    expect(isAffected(r, "PyPI", "requests", "2.32.3")).toBe(false);
  });
  it("introduced is inclusive", () => {
    const r2 = record("T-2", "npm", "lodash", [sem({ introduced: "4.0.0" }, { fixed: "4.17.21" })]);
    expect(isAffected(r2, "npm", "lodash", "3.10.1")).toBe(false);
    expect(isAffected(r2, "npm", "lodash", "4.0.0")).toBe(true);
    expect(isAffected(r2, "npm", "lodash", "4.17.20")).toBe(true);
    expect(isAffected(r2, "npm", "lodash", "4.17.21")).toBe(false);
  });
  it("last_affected is inclusive", () => {
    const r3 = record("T-3", "PyPI", "pyyaml", [eco({ introduced: "5.1" }, { last_affected: "5.3.1" })]);
    expect(isAffected(r3, "PyPI", "pyyaml", "5.3.1")).toBe(true);
    expect(isAffected(r3, "PyPI", "pyyaml", "5.3.1.post1")).toBe(false);
    expect(isAffected(r3, "PyPI", "pyyaml", "5.4")).toBe(false);
    expect(isAffected(r3, "PyPI", "pyyaml", "5.0")).toBe(false);
  });
  it("limit caps an open range", () => {
    const r4 = record("T-4", "crates.io", "tokio", [sem({ introduced: "1.0.0" }, { limit: "1.8.0" })]);
    expect(isAffected(r4, "crates.io", "tokio", "1.7.9")).toBe(true);
    expect(isAffected(r4, "crates.io", "tokio", "1.8.0")).toBe(false);
    const r5 = record("T-5", "crates.io", "tokio", [sem({ introduced: "1.0.0" }, { limit: "*" })]);
    expect(isAffected(r5, "crates.io", "tokio", "99.0.0")).toBe(true);
  });
  it("unordered events and several intervals in one range", () => {
    const r6 = record("T-6", "PyPI", "django", [
      eco({ fixed: "3.2.5" }, { introduced: "4.0" }, { introduced: "3.2" }, { fixed: "4.0.2" }),
    ]);
    expect(isAffected(r6, "PyPI", "django", "3.1")).toBe(false);
    expect(isAffected(r6, "PyPI", "django", "3.2.4")).toBe(true);
    expect(isAffected(r6, "PyPI", "django", "3.2.5")).toBe(false);
    expect(isAffected(r6, "PyPI", "django", "3.3")).toBe(false);
    expect(isAffected(r6, "PyPI", "django", "4.0.1")).toBe(true);
    expect(isAffected(r6, "PyPI", "django", "4.0.2")).toBe(false);
  });
  it("multiple ranges and multiple affected entries", () => {
    const r7 = OsvVulnerability.parse({
      id: "T-7",
      affected: [
        { package: { ecosystem: "npm", name: "a" }, ranges: [sem({ introduced: "0" }, { fixed: "1.0.1" })] },
        {
          package: { ecosystem: "npm", name: "a" },
          ranges: [sem({ introduced: "2.0.0" }, { fixed: "2.0.5" }), sem({ introduced: "3.0.0" }, { fixed: "3.1.0" })],
        },
        { package: { ecosystem: "npm", name: "b" }, ranges: [sem({ introduced: "0" })] },
      ],
    });
    expect(isAffected(r7, "npm", "a", "1.0.0")).toBe(true);
    expect(isAffected(r7, "npm", "a", "1.5.0")).toBe(false);
    expect(isAffected(r7, "npm", "a", "2.0.4")).toBe(true);
    expect(isAffected(r7, "npm", "a", "3.0.9")).toBe(true);
    expect(isAffected(r7, "npm", "a", "3.1.0")).toBe(false);
    expect(isAffected(r7, "npm", "b", "9.9.9")).toBe(true);
    expect(isAffected(r7, "npm", "c", "1.0.0")).toBe(false);
    expect(isAffected(r7, "PyPI", "a", "1.0.0")).toBe(false);
  });
});

describe("isAffected: versions lists, names, withdrawn, GIT", () => {
  it("an explicit versions[] entry matches even without ranges", () => {
    const r = record("T-10", "PyPI", "pillow", [], {}, ["8.1.0", "8.1.1"]);
    expect(isAffected(r, "PyPI", "pillow", "8.1.1")).toBe(true);
    expect(isAffected(r, "PyPI", "pillow", "8.1.2")).toBe(false);
    // PEP 440 equal spelling
    expect(isAffected(r, "PyPI", "pillow", "8.1.1.0")).toBe(true);
  });
  it("GIT ranges are skipped with a note but versions[] still applies", () => {
    const r = record(
      "T-11",
      "PyPI",
      "jinja2",
      [{ type: "GIT", repo: "https://github.com/pallets/jinja", events: [{ introduced: "0" }, { fixed: "abc123" }] } as never],
      {},
      ["2.10"],
    );
    const res = evaluateRecord(r, "PyPI", "jinja2", "2.10");
    expect(res.affected).toBe(true);
    const res2 = evaluateRecord(r, "PyPI", "jinja2", "2.9");
    expect(res2.affected).toBe(false);
    expect(res2.notes.join()).toMatch(/GIT range skipped/);
    expect(res2.warnings).toEqual([]);
  });
  it("PyPI names are normalised per PEP 503; npm names are exact", () => {
    const r = record("T-12", "PyPI", "Foo_Bar.baz", [eco({ introduced: "0" }, { fixed: "2" })]);
    expect(isAffected(r, "PyPI", "foo-bar-baz", "1.0")).toBe(true);
    expect(isAffected(r, "PyPI", "FOO__bar-Baz", "1.0")).toBe(true);
    const n = record("T-13", "npm", "Foo", [sem({ introduced: "0" }, { fixed: "2.0.0" })]);
    expect(isAffected(n, "npm", "foo", "1.0.0")).toBe(false);
  });
  it("withdrawn records never match and offer no fix", () => {
    // Without `withdrawn` this record matches 1.0.0 (listed and in range) and offers the fix 2.0.0:
    // both answers below depend on the withdrawn guards alone.
    const live = record("T-14", "npm", "x", [sem({ introduced: "0" }, { fixed: "2.0.0" })], {}, ["1.0.0"]);
    expect(isAffected(live, "npm", "x", "1.0.0")).toBe(true);
    expect(lowestFixedAtOrAbove(live, "npm", "x", "1.0.0")).toBe("2.0.0");
    const r = record("T-14", "npm", "x", [sem({ introduced: "0" }, { fixed: "2.0.0" })], { withdrawn: "2024-02-01T00:00:00Z" }, ["1.0.0"]);
    expect(isAffected(r, "npm", "x", "1.0.0")).toBe(false);
    expect(evaluateRecord(r, "npm", "x", "1.0.0").affected).toBe(false);
    expect(lowestFixedAtOrAbove(r, "npm", "x", "1.0.0")).toBeNull();
  });
  it("Go versions with and without the v prefix", () => {
    const r = record("GO-1", "Go", "golang.org/x/net", [sem({ introduced: "0" }, { fixed: "0.23.0" })]);
    expect(isAffected(r, "Go", "golang.org/x/net", "v0.22.0")).toBe(true);
    expect(isAffected(r, "Go", "golang.org/x/net", "0.23.0")).toBe(false);
    expect(isAffected(r, "Go", "golang.org/x/net", "v0.0.0-20220127200216-cd36cc0744dd")).toBe(true);
  });
});

describe("isAffected: unparseable input never silently matches", () => {
  it("an invalid current version gives no match and a warning", () => {
    const r = record("T-20", "npm", "x", [sem({ introduced: "0" }, { fixed: "2.0.0" })]);
    const warnings: string[] = [];
    expect(isAffected(r, "npm", "x", "not-a-version", warnings)).toBe(false);
    expect(warnings[0]).toMatch(/T-20.*not-a-version/);
  });
  it("an invalid event version drops the range with a warning", () => {
    const r = record("T-21", "PyPI", "x", [eco({ introduced: "0" }, { fixed: "$$garbage$$" })]);
    const res = evaluateRecord(r, "PyPI", "x", "1.0");
    expect(res.affected).toBe(false);
    expect(res.warnings[0]).toMatch(/garbage/);
  });
  it("an unsupported ecosystem's range is skipped with a warning", () => {
    const r = record("T-22", "Maven", "org.x:y", [eco({ introduced: "0" }, { fixed: "2.0" })], {}, ["1.5"]);
    expect(isAffected(r, "Maven", "org.x:y", "1.5")).toBe(true);
    const res = evaluateRecord(r, "Maven", "org.x:y", "1.0");
    expect(res.affected).toBe(false);
    expect(res.warnings[0]).toMatch(/not supported/);
  });
});

describe("lowestFixedAtOrAbove", () => {
  const r = record("T-30", "PyPI", "django", [
    eco({ introduced: "3.2" }, { fixed: "3.2.5" }, { introduced: "4.0" }, { fixed: "4.0.2" }),
  ]);
  it("picks the fix of the interval holding the version", () => {
    expect(lowestFixedAtOrAbove(r, "PyPI", "django", "3.2.1")).toBe("3.2.5");
    expect(lowestFixedAtOrAbove(r, "PyPI", "django", "4.0")).toBe("4.0.2");
  });
  it("is null when no fix exists", () => {
    const open = record("T-31", "npm", "x", [sem({ introduced: "1.0.0" })]);
    expect(lowestFixedAtOrAbove(open, "npm", "x", "1.2.0")).toBeNull();
  });
  it("skips a fix that another range of the record still affects", () => {
    const r2 = OsvVulnerability.parse({
      id: "T-32",
      affected: [
        { package: { ecosystem: "npm", name: "x" }, ranges: [sem({ introduced: "0" }, { fixed: "1.0.1" })] },
        { package: { ecosystem: "npm", name: "x" }, ranges: [sem({ introduced: "1.0.1" }, { fixed: "1.2.0" })] },
      ],
    });
    expect(lowestFixedAtOrAbove(r2, "npm", "x", "0.9.0")).toBe("1.2.0");
  });
  it("returns the lowest of several fixes, whatever their order in the record", () => {
    // Three independent fix lines, listed highest first: any of them clears 1.0.0 of this record.
    const r3 = OsvVulnerability.parse({
      id: "T-33",
      affected: [
        { package: { ecosystem: "npm", name: "x" }, ranges: [sem({ introduced: "0" }, { fixed: "3.0.0" })] },
        { package: { ecosystem: "npm", name: "x" }, ranges: [sem({ introduced: "0" }, { fixed: "1.5.0" })] },
        { package: { ecosystem: "npm", name: "x" }, ranges: [sem({ introduced: "0" }, { fixed: "2.0.0" })] },
      ],
    });
    // Every range affects 1.0.0; 1.5.0 is still inside the 2.0.0 and 3.0.0 lines' intervals, so the
    // lowest version this record does not affect is 3.0.0. With ordered intervals the lowest fix wins:
    expect(lowestFixedAtOrAbove(r3, "npm", "x", "1.0.0")).toBe("3.0.0");
    const r4 = record("T-34", "PyPI", "p", [eco({ introduced: "0" }, { fixed: "1.4" }, { introduced: "2.0" }, { fixed: "2.3" }, { introduced: "1.9" }, { fixed: "1.9.5" })]);
    expect(lowestFixedAtOrAbove(r4, "PyPI", "p", "1.0")).toBe("1.4");
    expect(lowestFixedAtOrAbove(r4, "PyPI", "p", "1.9.1")).toBe("1.9.5");
    expect(lowestFixedAtOrAbove(r4, "PyPI", "p", "2.1")).toBe("2.3");
  });
  it("never offers another package's fix from the same record", () => {
    const r5 = OsvVulnerability.parse({
      id: "T-35",
      affected: [
        { package: { ecosystem: "npm", name: "other" }, ranges: [sem({ introduced: "0" }, { fixed: "1.1.0" })] },
        { package: { ecosystem: "PyPI", name: "x" }, ranges: [eco({ introduced: "0" }, { fixed: "1.2.0" })] },
        { package: { ecosystem: "npm", name: "x" }, ranges: [sem({ introduced: "0" }, { fixed: "1.3.0" })] },
      ],
    });
    expect(lowestFixedAtOrAbove(r5, "npm", "x", "1.0.0")).toBe("1.3.0");
    expect(lowestFixedAtOrAbove(r5, "npm", "other", "1.0.0")).toBe("1.1.0");
    expect(lowestFixedAtOrAbove(r5, "npm", "nobody", "1.0.0")).toBeNull();
  });
  it("ignores fixes below the current version", () => {
    const r6 = record("T-36", "npm", "x", [sem({ introduced: "0" }, { fixed: "1.0.0" }), sem({ introduced: "2.0.0" }, { fixed: "2.5.0" })]);
    expect(lowestFixedAtOrAbove(r6, "npm", "x", "2.1.0")).toBe("2.5.0");
  });
});
