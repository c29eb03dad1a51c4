/**
 * The assess() pipeline around the detectors (issue 18: mutation testing of src/assess/index.ts),
 * against docs/assess.md: a detector that throws is a warning and resolves nothing; invalid stored
 * issues are skipped with a warning; CI suites and coverage reach the drafts and the risk; update_risk
 * (critical maps to high) and auto_update_safe (risk none/low, not major, not deprecated, no breaking
 * changes, release older than the minimum age) of each dependency with a proposed update; the text
 * findings kept for a re-assessment and replayed by one. Expected values are written out by hand.
 */
import { describe, expect, it } from "vitest";
import { assess } from "../../src/assess/index.js";
import { issueId } from "../../src/assess/draft.js";
import type { Dependency, MaintenanceIssue } from "../../src/model/index.js";
import { makeDependency, makeIssue, makeTestResult } from "../helpers/factories.js";
import { config, makeAdvisory, makeComponent, makeInputs, makeScan, NOW } from "./helpers.js";

const api = makeComponent({ name: "api", path: "src/api", type: "api", manifests: ["src/api/pyproject.toml"] });
const ui = makeComponent({ name: "ui", path: "src/ui", type: "ui", manifests: ["src/ui/package.json"] });
const clock = () => new Date(NOW.getTime());
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();

/** A stored open issue of a subject, as an earlier run would have left it. */
function stored(type: MaintenanceIssue["type"], subject: string): MaintenanceIssue {
  return makeIssue({ id: issueId(type, subject), type, subject, lifecycle_state: "prioritized", status: "open", history: [] });
}

/** A dependency that is up to date (no dependency issue) and has no proposed update. */
const quiet = (over: Partial<Dependency> = {}) => makeDependency({ update_type: "none", days_behind: 0, latest_version: "2.19.0", cve_ids: [], vulnerability_score: null, ...over });

function throwingOn<T extends object>(obj: T, key: keyof T, thrown: unknown): T {
  Object.defineProperty(obj, key, {
    get() {
      throw thrown;
    },
  });
  return obj;
}

describe("a detector that throws", () => {
  const flask = stored("security", "security:pypi:flask@1.0");

  it("control: a working security detector resolves the stored issue of a package that is gone", () => {
    const a = assess(makeInputs({ scan: makeScan([api]), dependencies: [quiet()], previousIssues: [flask] }), config(), clock);
    expect(a.issues.find((i) => i.id === flask.id)?.status).toBe("resolved");
    expect(a.warnings).toEqual([]);
  });

  it("is reported as a warning with its message, and its type resolves nothing this run", () => {
    const bad = throwingOn(quiet({ advisories: [makeAdvisory()] }), "locked_version", new Error("boom"));
    const marker = new Map([["src/api/x.py", "# TODO later\n"]]);
    const a = assess(makeInputs({ scan: makeScan([api]), dependencies: [bad], previousIssues: [flask], textFiles: marker }), config(), clock);
    expect(a.warnings).toEqual([{ file: null, line: null, manager: "source", message: "the security detector failed: boom" }]);
    const kept = a.issues.find((i) => i.id === flask.id);
    expect(kept?.status).toBe("open");
    expect(kept?.history).toEqual([]);
    expect(a.issues.filter((i) => i.type === "security")).toHaveLength(1);
    // The other detectors still ran.
    expect(a.issues.map((i) => i.subject)).toContain("bug:markers:src/api/x.py");
  });

  it("a thrown value that is not an Error is reported as text", () => {
    const bad = throwingOn(quiet({ advisories: [makeAdvisory()] }), "locked_version", "plain text");
    const a = assess(makeInputs({ scan: makeScan([api]), dependencies: [bad] }), config(), clock);
    expect(a.warnings.map((w) => w.message)).toEqual(["the security detector failed: plain text"]);
  });
});

describe("stored issues that do not validate", () => {
  it("are skipped with a warning naming their id, or their position when they have none", () => {
    const good = stored("bug", "bug:markers:src/api/old.py");
    const previousIssues = [good, { id: "bad-1", title: 3 }, null, { title: "no id" }, { id: 7 }] as unknown as MaintenanceIssue[];
    const a = assess(makeInputs({ scan: makeScan([api]), previousIssues }), config(), clock);
    const messages = a.warnings.map((w) => w.message);
    expect(messages).toHaveLength(4);
    expect(messages[0]).toMatch(/^stored issue bad-1 is invalid and was skipped: \S/);
    expect(messages[1]).toMatch(/^stored issue #2 is invalid and was skipped: \S/);
    expect(messages[2]).toMatch(/^stored issue #3 is invalid and was skipped: \S/);
    expect(messages[3]).toMatch(/^stored issue 7 is invalid and was skipped: \S/);
    for (const w of a.warnings) expect(w).toMatchObject({ file: null, line: null, manager: "source" });
    for (const m of messages) expect(m).not.toContain("unknown error");
    // The valid one is kept (no file contents were read, so it is not resolved).
    expect(a.issues.map((i) => i.id)).toEqual([good.id]);
  });
});

describe("CI suites, coverage and priority reach the issues", () => {
  it("names the CI suites of a component in its testing requirements, sorted", () => {
    const a = assess(
      makeInputs({
        scan: makeScan([api]),
        textFiles: new Map([["src/api/x.py", "# FIXME now\n"]]),
        testResults: { api: [makeTestResult({ test_suite: "unit" }), makeTestResult({ test_suite: "integration" }), makeTestResult({ test_suite: "unit" })] },
      }),
      config(),
      clock,
    );
    const bug = a.issues.find((i) => i.subject === "bug:markers:src/api/x.py")!;
    expect(bug.testing_requirements).toEqual(['CI suite "integration" for api', 'CI suite "unit" for api', "pytest for api"]);
  });

  it("records why an issue got its priority", () => {
    const a = assess(makeInputs({ scan: makeScan([api]), dependencies: [quiet({ advisories: [makeAdvisory()] })] }), config(), clock);
    const sec = a.issues.find((i) => i.type === "security")!;
    expect(sec.priority).toBe("immediate");
    expect(sec.history.at(-1)).toMatchObject({
      to: "prioritized",
      reason: "priority immediate: severity high × exposure high (runtime dependency (+2), component exposure +2, breadth +0 (1 affected, 0 dependent)), fix risk low",
    });
  });

  it("takes each component's line coverage into the risk of its issues", () => {
    const inputs = (coverage: number | null) =>
      makeInputs({
        scan: makeScan([api]),
        textFiles: new Map([["src/api/x.py", "# TODO x\n"]]),
        ...(coverage === null ? {} : { testResults: { api: [makeTestResult({ line_coverage: coverage })] } }),
      });
    const factor = (coverage: number | null) =>
      assess(inputs(coverage), config(), clock).issues.find((i) => i.type === "bug")!.risk_assessment.factors.find((f) => f.name === "test_coverage")?.score;
    expect(factor(100)).toBe(0);
    expect(factor(40)).toBe(6);
    expect(factor(90)).toBe(1);
    expect(factor(null)).toBe(6);
  });

  it("raises a critical-CVSS alert from a security issue's score", () => {
    const a = assess(makeInputs({ scan: makeScan([api]), dependencies: [quiet({ advisories: [makeAdvisory({ score: 9.8 })] })] }), config(), clock);
    const sec = a.issues.find((i) => i.type === "security")!;
    expect(a.alerts.filter((x) => x.condition === "critical_cvss").map((x) => x.key)).toEqual([`critical_cvss:${sec.id}`]);
  });

  it("applies ignore rules to security and dependency issues", () => {
    const cfg = config((c) => (c.ignore = [{ package: "requests", reason: "accepted" } as (typeof c.ignore)[number]]));
    const a = assess(makeInputs({ scan: makeScan([api]), dependencies: [quiet({ advisories: [makeAdvisory()], deprecated: true })] }), cfg, clock);
    expect(a.issues.map((i) => [i.type, i.lifecycle_state]).sort()).toEqual([
      ["dependency", "deferred"],
      ["security", "deferred"],
    ]);
  });

  it("raises an overdue alert once for a security issue past its SLA, and records it on the issue", () => {
    const subject = "security:pypi:requests@2.19.0";
    const old = { ...stored("security", subject), severity: "high" as const, created_at: daysAgo(40), updated_at: daysAgo(40) };
    const inputs = makeInputs({ scan: makeScan([api]), dependencies: [quiet({ advisories: [makeAdvisory()] })], previousIssues: [old] });
    const a = assess(inputs, config(), clock);
    // high: 30 days from the first detection
    const due = new Date(NOW.getTime() - 10 * DAY).toISOString();
    const issue = a.issues.find((i) => i.subject === subject)!;
    expect(issue.due_at).toBe(due);
    expect(issue.overdue_alerted_for).toBe(due);
    expect(a.alerts.filter((x) => x.condition === "overdue").map((x) => [x.key, x.level])).toEqual([[`overdue:${issue.id}:${due}`, "high"]]);
    // The next run does not raise it again; a longer SLA for high issues means not overdue yet.
    expect(assess({ ...inputs, previousIssues: a.issues }, config(), clock).alerts.filter((x) => x.condition === "overdue")).toEqual([]);
    const relaxed = assess(inputs, config((c) => (c.sla.high = 60)), clock);
    expect(relaxed.alerts.filter((x) => x.condition === "overdue")).toEqual([]);
    expect(relaxed.issues.find((i) => i.subject === subject)?.due_at).toBe(new Date(NOW.getTime() + 20 * DAY).toISOString());
  });

  it("sorts component health by name and keeps the last maintenance", () => {
    const a = assess(makeInputs({ scan: makeScan([ui, api]) }), config(), clock);
    expect(a.components.map((c) => c.name)).toEqual(["api", "ui"]);
    expect(a.system.last_maintenance).toBeNull();
  });
});

describe("update_risk and auto_update_safe of proposed updates", () => {
  /** A package with no advisory, released long ago, in a prod dependency of api (no other dependents). */
  const dep = (over: Partial<Dependency>) =>
    makeDependency({ name: "pkg", version: "1.0.0", latest_version: "1.0.1", update_type: "patch", days_behind: 10, cve_ids: [], vulnerability_score: null, fixed_version: null, latest_release_date: daysAgo(400), ...over });
  const run = (d: Dependency, coverage: number | null = null) =>
    assess(
      makeInputs({ scan: makeScan([api]), dependencies: [d], ...(coverage === null ? {} : { testResults: { api: [makeTestResult({ line_coverage: coverage })] } }) }),
      config(),
      clock,
    ).dependencies[0];

  it("a patch of a prod dependency released long ago: low risk, safe", () => {
    // 0.25·2 (patch) + 0.10·7 (runtime) + 0.10·6 (coverage unknown) = 1.8 → low
    expect(run(dep({}))).toMatchObject({ update_risk: "low", auto_update_safe: true });
  });

  it("a digest of a dev dependency: none with full coverage, low without", () => {
    // 0.25·1 + 0.10·1 + 0.10·0 = 0.35 → none; with coverage unknown +0.6 → low
    const d = dep({ update_type: "digest", dependency_type: "dev" });
    expect(run(d, 100)).toMatchObject({ update_risk: "none", auto_update_safe: true });
    expect(run(d)).toMatchObject({ update_risk: "low", auto_update_safe: true });
  });

  it("not safe when released within the minimum age, or when the release date is unknown", () => {
    expect(run(dep({ latest_release_date: daysAgo(1) }))).toMatchObject({ update_risk: "low", auto_update_safe: false });
    expect(run(dep({ latest_release_date: null }))).toMatchObject({ update_risk: "low", auto_update_safe: false });
  });

  it("not safe when deprecated, or with breaking changes, even at low risk", () => {
    expect(run(dep({ deprecated: true }))).toMatchObject({ update_risk: "low", auto_update_safe: false });
    expect(run(dep({ breaking_changes: ["renames x"] }))).toMatchObject({ update_risk: "low", auto_update_safe: false });
  });

  it("a major update: medium, high, or critical reported as high; never safe", () => {
    // 0.25·8 + 0.70 + 0.60 = 3.3 → medium
    expect(run(dep({ update_type: "major", latest_version: "2.0.0" }))).toMatchObject({ update_risk: "medium", auto_update_safe: false });
    // + 0.15·9.8 (cvss) + 0.15·6 (two breaking changes) = 5.67 → high
    const high = dep({ update_type: "major", latest_version: "2.0.0", vulnerability_score: 9.8, breaking_changes: ["a", "b"] });
    expect(run(high)).toMatchObject({ update_risk: "high", auto_update_safe: false });
    // + 0.15·10 (cvss) + 0.15·10 (four breaking) + 0.10·8 (released today) + 0.05·10 (deprecated) = 7.6 → critical → high
    const critical = dep({ update_type: "major", latest_version: "2.0.0", vulnerability_score: 10, breaking_changes: ["a", "b", "c", "d"], latest_release_date: daysAgo(0), deprecated: true });
    expect(run(critical)).toMatchObject({ update_risk: "high", auto_update_safe: false });
  });

  it("not safe at medium risk, nor for a major update at low risk", () => {
    // 0.25·4 (minor) + 0.15·9.8 (cvss) + 0.70 + 0.60 = 3.77 → medium
    expect(run(dep({ update_type: "minor", latest_version: "1.1.0", vulnerability_score: 9.8 }))).toMatchObject({ update_risk: "medium", auto_update_safe: false });
    // 0.25·8 + 0.10·1 (dev) + 0 (full coverage) = 2.1 → low, but major
    expect(run(dep({ update_type: "major", latest_version: "2.0.0", dependency_type: "dev" }), 100)).toMatchObject({ update_risk: "low", auto_update_safe: false });
  });

  it("counts the dependents of the dependency's own component, and the configured minimum release age", () => {
    const shared = makeComponent({ name: "api", path: "src/api", type: "api", dependent_components: ["ui", "worker"] });
    const digest = dep({ update_type: "digest", dependency_type: "dev" });
    const assessIn = (d: Dependency, cfg = config()) =>
      assess(makeInputs({ scan: makeScan([ui, shared]), dependencies: [d], testResults: { api: [makeTestResult({ line_coverage: 100 })], ui: [makeTestResult({ line_coverage: 100 })] } }), cfg, clock).dependencies[0];
    // + 0.10·2.5·2 (two other dependents) = 0.85 → low
    expect(assessIn(digest).update_risk).toBe("low");
    // ui has no dependents: 0.35 → none
    expect(assessIn({ ...digest, component: "ui" }).update_risk).toBe("none");
    // Released yesterday: too young for the default 3 days, old enough for 0.
    const young = dep({ latest_release_date: daysAgo(1) });
    expect(assessIn(young).auto_update_safe).toBe(false);
    expect(assessIn(young, config((c) => (c.updates.minimum_release_age_days = 0))).auto_update_safe).toBe(true);
  });

  it("leaves a dependency without a proposed update as it was", () => {
    for (const d of [
      dep({ lookup: { status: "unknown", reason: "offline" } }),
      dep({ latest_version: null }),
      dep({ update_type: "none" }),
      dep({ update_type: "unknown" }),
      dep({ skip_reason: "local" }),
    ]) {
      expect(run({ ...d, update_risk: "medium", auto_update_safe: true })).toEqual({ ...d, update_risk: "medium", auto_update_safe: true });
    }
  });
});

describe("text findings kept for a re-assessment", () => {
  const textFiles = new Map([
    ["src/api/x.py", "# TODO later\n"],
    ["src/api/README.md", "[gone](./nope.md)\n"],
  ]);
  const full = () =>
    assess(
      makeInputs({
        scan: makeScan([api]),
        dependencies: [quiet({ advisories: [makeAdvisory()] })],
        textFiles,
        allFiles: ["src/api/x.py", "src/api/README.md"],
        failingChecks: [{ name: "ci", url: null, conclusion: "failure" }],
      }),
      config(),
      clock,
    );

  it("are the bug-marker and documentation drafts, and the paths read", () => {
    const textFindings = full().textFindings!;
    expect(textFindings.drafts.map((d) => d.subject)).toEqual(["bug:markers:src/api/x.py", "documentation:links:src/api/README.md"]);
    expect(textFindings.examined).toEqual(["src/api/x.py", "src/api/README.md"]);
  });

  it("a re-assessment without file contents replays them, keeps the live failing checks, and resolves none of their subjects", () => {
    const first = full();
    const oldDoc = stored("documentation", "documentation:links:src/api/OLD.md");
    const oldMarker = stored("bug", "bug:markers:src/api/old.py");
    const again = assess(
      makeInputs({
        scan: makeScan([api]),
        dependencies: [quiet({ advisories: [makeAdvisory()] })],
        previousIssues: [...first.issues, oldDoc, oldMarker],
        textFindings: first.textFindings,
        failingChecks: [],
      }),
      config(),
      clock,
    );
    const byId = new Map(again.issues.map((i) => [i.subject, i]));
    expect(byId.get("bug:markers:src/api/x.py")?.status).toBe("open");
    expect(byId.get("documentation:links:src/api/README.md")?.status).toBe("open");
    expect(byId.get("documentation:links:src/api/OLD.md")?.status).toBe("open");
    expect(byId.get("bug:markers:src/api/old.py")?.status).toBe("open");
    // The failing checks were read again (none): that issue resolves.
    expect(byId.get("bug:failing-checks:default-branch")?.status).toBe("resolved");
    expect(again.textFindings).toBe(first.textFindings);
  });

  it("a re-assessment with no stored issue creates the replayed ones; a stored non-text draft is not replayed", () => {
    const first = full();
    const frozen = first.textFindings!;
    const failing = first.issues.find((i) => i.subject === "bug:failing-checks:default-branch");
    expect(failing).toBeDefined();
    const again = assess(
      makeInputs({
        scan: makeScan([api]),
        textFindings: { ...frozen, drafts: [...frozen.drafts, { ...frozen.drafts[0], subject: "bug:failing-checks:default-branch", title: "stale red branch" }] },
        failingChecks: [],
      }),
      config(),
      clock,
    );
    expect(again.issues.map((i) => [i.subject, i.title, i.status]).sort()).toEqual([
      ["bug:markers:src/api/x.py", "1 TODO marker in src/api/x.py", "open"],
      ["documentation:links:src/api/README.md", "1 broken link in src/api/README.md", "open"],
    ]);
  });

  it("a bug replay with no marker drafts is the live detector", () => {
    const again = assess(
      makeInputs({ scan: makeScan([api]), textFindings: { drafts: [], examined: [] }, failingChecks: [{ name: "lint", url: null, conclusion: "failure" }] }),
      config(),
      clock,
    );
    expect(again.issues.map((i) => i.subject)).toEqual(["bug:failing-checks:default-branch"]);
  });

  it("file contents, when given, win over stored text findings", () => {
    const first = full();
    const live = assess(makeInputs({ scan: makeScan([api]), textFiles: new Map([["src/api/y.py", "# HACK y\n"]]), textFindings: first.textFindings }), config(), clock);
    expect(live.issues.map((i) => i.subject).sort()).toEqual(["bug:markers:src/api/y.py", "documentation:readme:api"]);
    expect(live.textFindings?.examined).toEqual(["src/api/y.py"]);
  });
});

describe("edges left by the mutation run of 6 December 2026", () => {
  it("a stored issue that is not an object is named by its position", () => {
    const a = assess(makeInputs({ scan: makeScan([api]), previousIssues: ["text", 5] as unknown as MaintenanceIssue[] }), config(), clock);
    expect(a.warnings.map((w) => w.message.replace(/: .*$/, ""))).toEqual(["stored issue #0 is invalid and was skipped", "stored issue #1 is invalid and was skipped"]);
  });

  it("a minor update of a prod dependency released long ago: low risk, safe", () => {
    const d = makeDependency({ name: "pkg", version: "1.0.0", latest_version: "1.1.0", update_type: "minor", days_behind: 10, cve_ids: [], vulnerability_score: null, fixed_version: null, latest_release_date: daysAgo(400) });
    // 0.25·4 (minor) + 0.10·7 (runtime) + 0.10·6 (coverage unknown) = 2.3 → low
    const out = assess(makeInputs({ scan: makeScan([api]), dependencies: [d] }), config(), clock).dependencies[0];
    expect(out).toMatchObject({ update_risk: "low", auto_update_safe: true });
  });

  it("without file contents or stored text findings, the text findings are empty", () => {
    const a = assess(makeInputs({ scan: makeScan([api]) }), config(), clock);
    expect(a.textFindings).toEqual({ drafts: [], examined: [] });
  });

  it("a re-assessment given only the workflow files resolves no documentation issue and makes no README issue", () => {
    // As src/pipeline/reassess.ts calls it: allFiles is the stored workflow list, no file contents.
    const first = assess(
      makeInputs({
        scan: makeScan([api]),
        textFiles: new Map([["src/api/README.md", "[gone](./nope.md)\n"]]),
        allFiles: ["src/api/README.md", ".github/workflows/ci.yml"],
      }),
      config(),
      clock,
    );
    expect(first.issues.map((i) => i.subject)).toEqual(["documentation:links:src/api/README.md"]);
    const oldLinks = stored("documentation", "documentation:links:src/api/OLD.md");
    const oldReadme = stored("documentation", "documentation:readme:api");
    const again = assess(
      makeInputs({ scan: makeScan([api]), previousIssues: [...first.issues, oldLinks, oldReadme], textFindings: first.textFindings, allFiles: [".github/workflows/ci.yml"] }),
      config(),
      clock,
    );
    expect(again.issues.map((i) => [i.subject, i.status]).sort()).toEqual([
      ["documentation:links:src/api/OLD.md", "open"],
      ["documentation:links:src/api/README.md", "open"],
      ["documentation:readme:api", "open"],
    ]);
    expect(again.issues.find((i) => i.subject === "documentation:readme:api")?.history).toEqual([]);
  });
});
