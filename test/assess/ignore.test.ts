/**
 * Ignore rules (issue 18: mutation testing of src/assess/ignore.ts), from the config reference: a rule
 * names a package or a glob, optionally a version range, a package manager and an `until` date that
 * holds through that whole UTC day; a draft is covered only when every package behind it is.
 */
import { describe, expect, it } from "vitest";
import { IGNORE_REASON_PREFIX, ignoreReason, ignoreRuleFor, ruleActive, ruleMatches } from "../../src/assess/ignore.js";
import type { IssueDraft } from "../../src/assess/draft.js";

const pkg = (name: string, version = "1.2.3", package_manager = "npm") => ({ package_manager, name, version });

describe("ruleActive", () => {
  it("holds through the until day, inclusive, and forever without one", () => {
    const rule = { package: "x", reason: "r", until: "2026-03-10" };
    expect(ruleActive(rule, new Date("2026-03-10T23:59:59.999Z"))).toBe(true);
    expect(ruleActive(rule, new Date("2026-03-11T00:00:00.000Z"))).toBe(false);
    expect(ruleActive({ package: "x", reason: "r" }, new Date("2099-01-01T00:00:00Z"))).toBe(true);
    // An unreadable date (config validation normally stops it) does not silently end the rule.
    expect(ruleActive({ ...rule, until: "soon" }, new Date("2099-01-01T00:00:00Z"))).toBe(true);
  });
});

describe("ruleMatches", () => {
  it("exact names, or globs that also match dot names", () => {
    expect(ruleMatches({ package: "lodash", reason: "r" }, pkg("lodash"))).toBe(true);
    expect(ruleMatches({ package: "lodash", reason: "r" }, pkg("lodash.merge"))).toBe(false);
    expect(ruleMatches({ package: "@types/*", reason: "r" }, pkg("@types/node"))).toBe(true);
    expect(ruleMatches({ package: "@types/*", reason: "r" }, pkg("@typesx/node"))).toBe(false);
    expect(ruleMatches({ package: "*", reason: "r" }, pkg(".hidden"))).toBe(true);
    // Without glob characters the name is compared as is, not as a pattern.
    expect(ruleMatches({ package: "a.b", reason: "r" }, pkg("aXb"))).toBe(false);
  });

  it("limits to one package manager when given", () => {
    expect(ruleMatches({ package: "requests", reason: "r", package_manager: "pip" }, pkg("requests", "2.0", "pip"))).toBe(true);
    expect(ruleMatches({ package: "requests", reason: "r", package_manager: "pip" }, pkg("requests", "2.0", "poetry"))).toBe(false);
  });

  it("checks the version range in the package's ecosystem; an unreadable range matches nothing", () => {
    expect(ruleMatches({ package: "lodash", versions: "<4.17.21", reason: "r" }, pkg("lodash", "4.17.20"))).toBe(true);
    expect(ruleMatches({ package: "lodash", versions: "<4.17.21", reason: "r" }, pkg("lodash", "4.17.21"))).toBe(false);
    expect(ruleMatches({ package: "requests", versions: "<2.20", reason: "r" }, pkg("requests", "2.19.0", "pip"))).toBe(true);
    expect(ruleMatches({ package: "lodash", versions: "not a range ~~ >>", reason: "r" }, pkg("lodash", "4.17.20"))).toBe(false);
  });
});

describe("ignoreRuleFor", () => {
  const draft = (packages: IssueDraft["packages"]) => ({ packages }) as IssueDraft;
  const now = new Date("2026-03-01T00:00:00Z");

  it("the first active rule that covers every package", () => {
    const expired = { package: "lodash", reason: "old", until: "2026-02-28" };
    const partial = { package: "lodash", versions: "<4.17.21", reason: "only old versions" };
    const all = { package: "lodash", reason: "all versions" };
    const also = { package: "lodash*", reason: "glob" };
    const d = draft([pkg("lodash", "4.17.20"), pkg("lodash", "4.17.21")]);
    expect(ignoreRuleFor(d, [expired, partial, all, also], now)).toBe(all);
    expect(ignoreRuleFor(d, [expired, partial], now)).toBeNull();
    expect(ignoreRuleFor(draft([pkg("lodash", "4.17.20")]), [expired, partial, all], now)).toBe(partial);
  });

  it("never covers a draft without packages", () => {
    expect(ignoreRuleFor(draft([]), [{ package: "*", reason: "everything" }], now)).toBeNull();
  });
});

describe("ignoreReason", () => {
  it("names the reason and the scope", () => {
    expect(IGNORE_REASON_PREFIX).toBe("ignored by config: ");
    expect(ignoreReason({ package: "lodash", reason: "accepted" })).toBe("ignored by config: accepted (lodash)");
    expect(ignoreReason({ package: "lodash", versions: "<5", reason: "accepted" })).toBe("ignored by config: accepted (lodash <5)");
    expect(ignoreReason({ package: "lodash", until: "2026-12-31", reason: "accepted" })).toBe("ignored by config: accepted (lodash until 2026-12-31)");
  });
});
