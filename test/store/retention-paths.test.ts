/** retention.ts and paths.ts one behaviour per test (issue 18: src/store/); oracles from the seed's retention policies and GitHub's naming rules. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETENTION,
  appendIfChanged,
  compactByAge,
  pruneDependencyHistory,
  pruneHealthHistory,
  pruneIssues,
  pruneRecords,
  sameDependencySnapshot,
  sameSystemHealth,
} from "../../src/store/retention.js";
import { UnsafeNameError, checkRepoRef, componentFileName, inside } from "../../src/store/paths.js";
import { makeIssue, makeRecord, makeSystemHealth } from "../helpers/factories.js";

const DAY = 86_400_000;
const NOW = new Date("2026-06-01T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const R = DEFAULT_RETENTION;

describe("retention", () => {
  it("the seed's defaults", () => {
    expect(DEFAULT_RETENTION).toEqual({ health_days: 30, issue_history_days: 365, dependency_history_days: 182, records_days: 0 });
  });

  it("health history: exactly 30 days is kept, a millisecond more is not, the latest always is", () => {
    const h = [ago(30 * DAY + 1), ago(30 * DAY), ago(DAY)].map((t) => makeSystemHealth({ timestamp: t }));
    expect(pruneHealthHistory(h, R, NOW).map((x) => x.timestamp)).toEqual([ago(30 * DAY), ago(DAY)]);
    const old = [makeSystemHealth({ timestamp: ago(100 * DAY) }), makeSystemHealth({ timestamp: ago(90 * DAY) })];
    expect(pruneHealthHistory(old, R, NOW).map((x) => x.timestamp)).toEqual([ago(90 * DAY)]);
  });

  it("an unparseable or missing time is kept", () => {
    const h = [makeSystemHealth({ timestamp: "not a date" }), makeSystemHealth({ timestamp: ago(DAY) })];
    expect(pruneHealthHistory(h, R, NOW)).toHaveLength(2);
  });

  it("issues: open ones stay; resolved and deferred go a year after their latest activity", () => {
    const issues = [
      makeIssue({ id: "open", status: "open", updated_at: ago(900 * DAY) }),
      makeIssue({ id: "res-old", status: "resolved", updated_at: ago(400 * DAY), resolved_at: ago(366 * DAY) }),
      makeIssue({ id: "res-recent-resolve", status: "resolved", updated_at: ago(400 * DAY), resolved_at: ago(10 * DAY) }),
      makeIssue({ id: "res-recent-update", status: "resolved", updated_at: ago(10 * DAY), resolved_at: ago(400 * DAY) }),
      makeIssue({ id: "def-old", status: "deferred", updated_at: ago(366 * DAY), resolved_at: null }),
      makeIssue({ id: "def-edge", status: "deferred", updated_at: ago(365 * DAY), resolved_at: null }),
    ];
    expect(pruneIssues(issues, R, NOW).map((i) => i.id)).toEqual(["open", "res-recent-resolve", "res-recent-update", "def-edge"]);
  });

  it("records: permanent with records_days 0, pruned by performed_at otherwise", () => {
    const records = [makeRecord({ id: "a", performed_at: ago(10 * DAY) }), makeRecord({ id: "b", performed_at: ago(DAY) })];
    expect(pruneRecords(records, R, NOW)).toBe(records);
    expect(pruneRecords(records, { ...R, records_days: 5 }, NOW).map((r) => r.id)).toEqual(["b"]);
  });

  it("dependency history: 182 days, the latest always kept", () => {
    const snap = (t: string) => ({ scanned_at: t, head_sha: null, dependencies: [] });
    expect(pruneDependencyHistory([snap(ago(183 * DAY)), snap(ago(182 * DAY)), snap(ago(DAY))], R, NOW).map((s) => s.scanned_at)).toEqual([ago(182 * DAY), ago(DAY)]);
    expect(pruneDependencyHistory([snap(ago(400 * DAY))], R, NOW)).toHaveLength(1);
  });

  it("appendIfChanged sorts by time, skips an unchanged latest, and appends an older or changed one", () => {
    const t = (x: { t: string }) => x.t;
    const same = (a: { v: number }, b: { v: number }) => a.v === b.v;
    const h = [
      { t: "2026-01-02T00:00:00Z", v: 2 },
      { t: "2026-01-01T00:00:00Z", v: 1 },
    ];
    expect(appendIfChanged(h, { t: "2026-01-03T00:00:00Z", v: 2 }, same, t).map((x) => x.t)).toEqual(["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]);
    expect(appendIfChanged(h, { t: "2026-01-03T00:00:00Z", v: 3 }, same, t).map((x) => x.v)).toEqual([1, 2, 3]);
    // Same content but older than the latest: stored, in time order.
    expect(appendIfChanged(h, { t: "2026-01-01T12:00:00Z", v: 2 }, same, t).map((x) => x.t)).toEqual(["2026-01-01T00:00:00Z", "2026-01-01T12:00:00Z", "2026-01-02T00:00:00Z"]);
    // Same time, same content: not stored.
    expect(appendIfChanged(h, { t: "2026-01-02T00:00:00Z", v: 2 }, same, t)).toHaveLength(2);
    expect(appendIfChanged([], { t: "2026-01-01T00:00:00Z", v: 1 }, same, t)).toHaveLength(1);
  });

  it("compactByAge keeps everything within 7 days and the last of each older UTC day", () => {
    const t = (x: string) => x;
    const h = ["2026-05-01T01:00:00Z", "2026-05-01T23:00:00Z", "2026-05-02T00:00:00Z", "2026-05-24T12:00:00Z", "2026-05-24T12:00:01Z", "2026-05-30T01:00:00Z", "2026-05-30T02:00:00Z"];
    expect(compactByAge(h, t, NOW)).toEqual(["2026-05-01T23:00:00Z", "2026-05-02T00:00:00Z", "2026-05-24T12:00:01Z", "2026-05-30T01:00:00Z", "2026-05-30T02:00:00Z"]);
    // Exactly at the cutoff counts as recent.
    const cutoff = new Date(NOW.getTime() - 7 * DAY).toISOString();
    expect(compactByAge([cutoff, new Date(NOW.getTime() - 7 * DAY + 1000).toISOString()], t, NOW)).toHaveLength(2);
    expect(compactByAge(["x", "y"], t, NOW)).toEqual(["x", "y"]);
    expect(compactByAge(["2026-05-01T01:00:00Z", "2026-05-01T02:00:00Z"], t, NOW, 100)).toHaveLength(2);
  });

  it("sameDependencySnapshot compares versions whatever the order, not time or commit", () => {
    const dep = (name: string, version: string) => ({ name, package_manager: "npm" as const, component: "ui", file: "package.json", version, latest_version: null });
    const a = { scanned_at: "t1", head_sha: "a", dependencies: [dep("x", "1"), dep("y", "2")] };
    expect(sameDependencySnapshot(a, { scanned_at: "t2", head_sha: "b", dependencies: [dep("y", "2"), dep("x", "1")] })).toBe(true);
    expect(sameDependencySnapshot(a, { ...a, dependencies: [dep("x", "1"), dep("y", "3")] })).toBe(false);
    expect(sameDependencySnapshot(a, { ...a, dependencies: [dep("x", "1")] })).toBe(false);
    expect(sameDependencySnapshot(a, { ...a, dependencies: [dep("x", "1"), { ...dep("y", "2"), latest_version: "3" }] })).toBe(false);
    expect(sameDependencySnapshot(a, { ...a, dependencies: [dep("x", "1"), { ...dep("y", "2"), file: "b/package.json" }] })).toBe(false);
  });

  it("sameSystemHealth ignores the snapshot time and component check times only", () => {
    const base = makeSystemHealth({ timestamp: "t1" });
    const h = { ...base, components: [{ ...base.components[0], last_check: "c1" }] };
    expect(sameSystemHealth(h, { ...h, timestamp: "t2", components: [{ ...h.components[0], last_check: "c2" }] })).toBe(true);
    expect(sameSystemHealth(h, { ...h, overall_status: h.overall_status === "healthy" ? "warning" : "healthy" })).toBe(false);
    expect(sameSystemHealth(h, { ...h, components: [{ ...h.components[0], name: "b" }] })).toBe(false);
  });
});

describe("paths", () => {
  it("repository references: GitHub's characters and lengths, lower-cased", () => {
    expect(checkRepoRef({ owner: "Acme_Corp-1", repo: "My.Repo_x-1" })).toEqual({ owner: "acme_corp-1", repo: "my.repo_x-1" });
    expect(checkRepoRef({ owner: "a".repeat(39), repo: "r".repeat(100) })).toEqual({ owner: "a".repeat(39), repo: "r".repeat(100) });
    for (const owner of ["", "-a", "a".repeat(40), "a/b", "a.b", "ä", 5 as unknown as string]) {
      expect(() => checkRepoRef({ owner, repo: "r" })).toThrow(UnsafeNameError);
    }
    for (const repo of ["", ".", "..", "a..b", "r".repeat(101), "a/b", "a b", null as unknown as string]) {
      expect(() => checkRepoRef({ owner: "o", repo })).toThrow(UnsafeNameError);
    }
    expect(() => checkRepoRef(undefined as never)).toThrow(/refusing repository owner undefined/);
    expect(() => checkRepoRef({ owner: "o", repo: ".." })).toThrow('refusing repository name ".."');
  });

  it("component file names: kept when safe, else cleaned with a hash so two never collide", () => {
    expect(componentFileName("api-1.2_x")).toBe("api-1.2_x");
    const slash = componentFileName("src/api");
    expect(slash).toMatch(/^src_api-[0-9a-f]{8}$/);
    expect(componentFileName("src_api")).toBe("src_api");
    expect(componentFileName(".hidden")).toMatch(/^_hidden-[0-9a-f]{8}$/);
    expect(componentFileName("...x")).toMatch(/^_x-[0-9a-f]{8}$/);
    expect(componentFileName("a//b")).toMatch(/^a_b-[0-9a-f]{8}$/);
    expect(componentFileName("x".repeat(100))).toMatch(new RegExp(`^${"x".repeat(80)}-[0-9a-f]{8}$`));
    expect(componentFileName("x".repeat(80))).toBe("x".repeat(80));
    expect(componentFileName("a b")).not.toBe(componentFileName("a/b"));
    expect(() => componentFileName("")).toThrow(UnsafeNameError);
    expect(() => componentFileName("a\0b")).toThrow("refusing component name");
  });

  it("inside joins under the root and refuses to leave it", () => {
    expect(inside("/data", "a", "b.json")).toBe("/data/a/b.json");
    expect(inside("/data")).toBe("/data");
    expect(inside("/data/", ".")).toBe("/data");
    expect(() => inside("/data", "..", "x")).toThrow(UnsafeNameError);
    expect(() => inside("/data", "../data2")).toThrow('refusing path "../data2": it leaves the store root');
    expect(() => inside("/data", "/etc")).toThrow(UnsafeNameError);
  });
});

describe("retention and paths: more cases", () => {
  it("appendIfChanged compares with the latest of a longer history", () => {
    const t = (x: { t: string }) => x.t;
    const same = (a: { v: number }, b: { v: number }) => a.v === b.v;
    const h = [
      { t: "2026-01-01T00:00:00Z", v: 1 },
      { t: "2026-01-02T00:00:00Z", v: 2 },
      { t: "2026-01-03T00:00:00Z", v: 3 },
    ];
    expect(appendIfChanged(h, { t: "2026-01-04T00:00:00Z", v: 3 }, same, t).map((x) => x.v)).toEqual([1, 2, 3]);
    expect(appendIfChanged(h, { t: "2026-01-04T00:00:00Z", v: 2 }, same, t).map((x) => x.v)).toEqual([1, 2, 3, 2]);
  });

  it("compactByAge keeps an old snapshot that is the last of the history, with any accessor", () => {
    const h = [{ at: "2026-05-01T01:00:00Z" }, { at: "2026-05-01T02:00:00Z" }];
    expect(compactByAge(h, (x) => x.at, NOW)).toEqual([{ at: "2026-05-01T02:00:00Z" }]);
  });

  it("refusals are UnsafeNameErrors by name, a non-string component name included, and quote the joined path", () => {
    const err = (() => {
      try {
        checkRepoRef({ owner: "", repo: "r" });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.name).toBe("UnsafeNameError");
    expect(() => componentFileName(5 as unknown as string)).toThrow(UnsafeNameError);
    expect(() => inside("/data", "..", "x")).toThrow('refusing path "../x": it leaves the store root');
  });
});
