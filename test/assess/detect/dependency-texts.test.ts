/**
 * The dependency detector's thresholds, full texts and steps (issue 18: mutation testing of
 * src/assess/detect/dependency.ts). Thresholds are the documented defaults (outdated_months 6 →
 * 182.64 days, twice that for medium; unmaintained_years 2 → 730.5 days); texts are written out here.
 */
import { describe, expect, it } from "vitest";
import { detectDependency, evaluateDependency } from "../../../src/assess/detect/dependency.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { makeDependency } from "../../helpers/factories.js";
import { config, detectContext, makeAdvisory, makeInputs, NOW } from "../helpers.js";

const DAY = 86_400_000;
const quiet = (over: Partial<Dependency> = {}) => makeDependency({ advisories: [], update_type: "minor", days_behind: 10, latest_release_date: "2026-01-01T00:00:00Z", deprecated: false, ...over });
const run = (deps: Dependency[], over: Parameters<typeof makeInputs>[0] = {}, cfg = config()) => detectDependency(detectContext(makeInputs({ dependencies: deps, ...over }), cfg));
const evaluate = (dep: Dependency, cfg = config(), over: Parameters<typeof makeInputs>[0] = {}) => evaluateDependency(dep, detectContext(makeInputs(over), cfg));

describe("evaluateDependency thresholds", () => {
  it("nothing wrong: null", () => {
    expect(evaluate(quiet())).toBeNull();
  });

  it("unmaintained past unmaintained_years × 365.25 days since the latest release", () => {
    const released = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
    expect(evaluate(quiet({ latest_release_date: released(730) }))).toBeNull();
    const f = evaluate(quiet({ latest_release_date: "2023-01-01T00:00:00Z" }))!;
    expect(f).toMatchObject({ reasons: ["unmaintained"], severity: "medium", notes: ["no release since 2023-01-01 (3.2 years, threshold 2)"] });
    expect(evaluate(quiet({ latest_release_date: released(731) }))?.reasons).toEqual(["unmaintained"]);
    expect(evaluate(quiet({ latest_release_date: "not a date" }))).toBeNull();
    expect(evaluate(quiet({ latest_release_date: released(400) }), config((c) => (c.thresholds.unmaintained_years = 1)))?.reasons).toEqual(["unmaintained"]);
  });

  it("outdated past outdated_months × 30.44 days; medium past twice that for a runtime dependency", () => {
    expect(evaluate(quiet({ days_behind: 182.64 }))).toBeNull();
    expect(evaluate(quiet({ days_behind: 182.65 }))).toMatchObject({ reasons: ["outdated"], severity: "low" });
    expect(evaluate(quiet({ days_behind: 365.28 }))?.severity).toBe("low");
    expect(evaluate(quiet({ days_behind: 365.29 }))?.severity).toBe("medium");
    for (const t of ["peer", "optional", "override", "runtime"] as const) expect(evaluate(quiet({ days_behind: 400, dependency_type: t }))?.severity, t).toBe("medium");
    for (const t of ["dev", "build"] as const) expect(evaluate(quiet({ days_behind: 400, dependency_type: t }))?.severity, t).toBe("low");
    expect(evaluate(quiet({ days_behind: 400, latest_version: null }))?.notes).toEqual(["13.1 months behind latest ? (threshold 6)"]);
    expect(evaluate(quiet({ days_behind: null }))).toBeNull();
  });

  it("a major version behind: medium at runtime, low otherwise", () => {
    expect(evaluate(quiet({ update_type: "major", version: "1.0", latest_version: null }))).toMatchObject({ reasons: ["major"], severity: "medium", notes: ["a major version behind: 1.0 → ?"] });
    expect(evaluate(quiet({ update_type: "major", dependency_type: "dev" }))?.severity).toBe("low");
  });

  it("judges nothing from registry data when the lookup failed", () => {
    expect(evaluate(quiet({ lookup: { status: "unknown", reason: "503" }, update_type: "major", days_behind: 900, latest_release_date: "2001-01-01T00:00:00Z" }))).toBeNull();
    expect(evaluate(quiet({ lookup: { status: "unknown", reason: "503" }, deprecated: true }))?.reasons).toEqual(["deprecated"]);
  });

  it("yanked only for the same manager, name and version", () => {
    const y = (package_manager: string, name: string, version: string, reason: string | null = null) => ({ yanked: [{ package_manager, name, version, reason }] });
    expect(evaluate(quiet(), config(), y("pip", "requests", "2.19.0"))).toMatchObject({ reasons: ["yanked"], severity: "high", notes: ["2.19.0 was yanked from the registry"] });
    expect(evaluate(quiet(), config(), y("npm", "requests", "2.19.0"))).toBeNull();
    expect(evaluate(quiet(), config(), y("pip", "flask", "2.19.0"))).toBeNull();
    expect(evaluate(quiet(), config(), y("pip", "requests", "2.19.1"))).toBeNull();
  });

  it("informational advisories: unsound high, unmaintained medium, notice low, each reason once; paths up to three", () => {
    const step = (name: string, local = false) => ({ name, version: "1.0.0", requirement: null, local });
    const dep = quiet({
      advisories: [
        makeAdvisory({ id: "N-1", kind: "notice", summary: "" }),
        makeAdvisory({ id: "U-1", kind: "unmaintained", summary: "gone quiet" }),
        makeAdvisory({ id: "U-2", kind: "unmaintained", summary: "really" }),
        makeAdvisory({ id: "V-1", kind: "vulnerability" }),
      ],
      introduced_through: [[step("a")], [step("b")], [step("c")], [step("d")]],
    });
    expect(evaluate(dep)).toMatchObject({
      reasons: ["notice", "unmaintained"],
      severity: "medium",
      notes: ["N-1", "U-1: gone quiet", "U-2: really", "introduced through api → a 1.0.0", "introduced through api → b 1.0.0", "introduced through api → c 1.0.0"],
    });
    expect(evaluate(quiet({ advisories: [makeAdvisory({ id: "S-1", kind: "unsound" })] }))?.severity).toBe("high");
    expect(evaluate(quiet({ advisories: [makeAdvisory({ id: "N-1", kind: "notice" })] }))?.severity).toBe("low");
    // A vulnerability is the security detector's; an advisory stored without a kind is a vulnerability too.
    expect(evaluate(quiet({ advisories: [makeAdvisory({ kind: undefined as never })] }))).toBeNull();
    // Reached only through dev dependencies, with include_dev_only off: not reported.
    const devOnly = quiet({ dev_only: true, advisories: [makeAdvisory({ kind: "unmaintained" })] });
    expect(evaluate(devOnly, config((c) => (c.issues.include_dev_only = false)))).toBeNull();
    expect(evaluate(devOnly)?.reasons).toEqual(["unmaintained"]);
  });

  it("skipped dependencies are never judged", () => {
    expect(evaluate(quiet({ skip_reason: "git source", deprecated: true }))).toBeNull();
  });
});

describe("one package in two components", () => {
  const latest = { latest_version: "3.0.3", latest_release_date: "2024-04-07T00:00:00Z" };
  const worker = makeDependency({ ...latest, name: "flask", advisories: [], component: "worker", file: "worker/requirements.txt", line: 4, version: "1.0", update_type: "major", days_behind: 400, dependency_type: "prod", breaking_changes: ["drops Python 3.7", "removes flask.json.JSONEncoder"] });
  const api = makeDependency({ ...latest, name: "flask", advisories: [], component: "api", file: "api/pyproject.toml", line: null, version: "2.0", update_type: "major", days_behind: 200, dependency_type: "dev", breaking_changes: ["removes flask.json.JSONEncoder"] });

  it("is one issue with every field", () => {
    const r = run([worker, api]);
    expect(r.drafts).toEqual([
      {
        type: "dependency",
        subject: "dependency:pypi:flask",
        title: "flask 1.0, 2.0: major version behind, outdated (latest 3.0.3) in api, worker",
        description: [
          "flask (pip) needs attention: major version behind, outdated.",
          "Latest version: 3.0.3 (released 2024-04-07)",
          "",
          "Found in:",
          "- api: flask 2.0 in api/pyproject.toml (dev): a major version behind: 2.0 → 3.0.3; 6.6 months behind latest 3.0.3 (threshold 6)",
          "- worker: flask 1.0 in worker/requirements.txt line 4 (prod): a major version behind: 1.0 → 3.0.3; 13.1 months behind latest 3.0.3 (threshold 6)",
        ].join("\n"),
        severity: "medium",
        affected_components: ["api", "worker"],
        files_affected: ["api/pyproject.toml", "worker/requirements.txt"],
        estimated_effort: "1 day",
        resolution_steps: [
          "Upgrade flask from 2.0 to 3.0.3 in api/pyproject.toml",
          "Upgrade flask from 1.0 to 3.0.3 in worker/requirements.txt (line 4)",
          "Review the breaking changes: drops Python 3.7; removes flask.json.JSONEncoder",
          "Run the tests listed under testing requirements for api, worker",
        ],
        testing_requirements: ["pytest for api", "the test suite of worker (no runner detected: run its build and smoke tests)"],
        facts: {
          dependency_types: ["dev", "prod"],
          update_type: "major",
          breaking_changes: 2,
          cvss: null,
          cvss_estimated: false,
          fix_available: true,
          deprecated_target: false,
          release_age_days: 693, // 2024-04-07 → 2026-03-01T12:00Z
          change_kind: "dependency",
        },
        packages: [
          { package_manager: "pip", name: "flask", version: "2.0", datasource: "none" },
          { package_manager: "pip", name: "flask", version: "1.0", datasource: "none" },
        ],
      },
    ]);
  });

  it("the biggest update sets the effort: major > minor > patch, else the first one's", () => {
    const d = (update_type: Dependency["update_type"], component: string, days_behind = 200) => makeDependency({ name: "x", advisories: [], update_type, component, file: `${component}/req.txt`, days_behind });
    expect(run([d("patch", "a"), d("minor", "b")]).drafts[0].facts.update_type).toBe("minor");
    expect(run([d("patch", "a"), d("minor", "b")]).drafts[0].estimated_effort).toBe("1 hour");
    expect(run([d("none", "a"), d("patch", "b")]).drafts[0].facts.update_type).toBe("patch");
    expect(run([d("unknown", "a"), d("digest", "b")]).drafts[0].facts.update_type).toBe("unknown");
    expect(run([d("unknown", "a"), d("digest", "b")]).drafts[0].estimated_effort).toBe("2 hours");
  });

  it("orders drafts by subject and covers every subject whose lookups worked", () => {
    const r = run([makeDependency({ name: "zed", advisories: [], days_behind: 400 }), makeDependency({ name: "abc", advisories: [], days_behind: 400 }), makeDependency({ name: "lost", lookup: { status: "unknown", reason: "x" } }), makeDependency({ name: "skipped", lookup: { status: "unknown", reason: "x" }, skip_reason: "local" })]);
    expect(r.drafts.map((x) => x.subject)).toEqual(["dependency:pypi:abc", "dependency:pypi:zed"]);
    expect(r.covers({ subject: "dependency:pypi:lost" } as MaintenanceIssue)).toBe(false);
    expect(r.covers({ subject: "dependency:pypi:skipped" } as MaintenanceIssue)).toBe(true);
    expect(r.covers({ subject: "dependency:pypi:abc" } as MaintenanceIssue)).toBe(true);
    expect(r.goneReason({ subject: "dependency:npm:@scope/pkg" } as MaintenanceIssue)).toBe("@scope/pkg is up to date, no longer deprecated, or no longer used");
  });
});

describe("replacements, yanked versions and transitive packages", () => {
  it("deprecated and yanked: replace it and move off the yanked version; no 'latest' in the title", () => {
    const dep = quiet({ name: "left-pad", package_manager: "npm", version: "1.0.0", file: "package.json", line: 3, deprecated: true, latest_version: "1.3.0", latest_release_date: null });
    const [d] = run([dep], { yanked: [{ package_manager: "npm", name: "left-pad", version: "1.0.0", reason: "broken tarball" }] }).drafts;
    expect(d.title).toBe("left-pad 1.0.0: deprecated, yanked version in api");
    expect(d.severity).toBe("high");
    expect(d.estimated_effort).toBe("2 days");
    expect(d.description.split("\n").slice(0, 2)).toEqual(["left-pad (npm) needs attention: deprecated, yanked version.", "Latest version: 1.3.0"]);
    expect(d.description).toContain("(prod): 1.0.0 was yanked from the registry: broken tarball; left-pad is marked deprecated by its registry");
    expect(d.resolution_steps.slice(0, 2)).toEqual([
      "Replace left-pad in package.json (line 3) with a maintained alternative (check its README or registry page for a successor)",
      "Move left-pad off the yanked 1.0.0 in package.json (line 3) and regenerate the lockfile",
    ]);
    expect(d.facts).toMatchObject({ update_type: null, fix_available: false, deprecated_target: true, release_age_days: null });
  });

  it("a yanked version with an upgrade: upgrade, then move off the yanked one", () => {
    const [d] = run([quiet({ version: "2.19.0", latest_version: "2.32.3" })], { yanked: [{ package_manager: "pip", name: "requests", version: "2.19.0", reason: null }] }).drafts;
    expect(d.resolution_steps).toEqual([
      "Upgrade requests from 2.19.0 to 2.32.3 in api/requirements.txt (line 3)",
      "Move requests off the yanked 2.19.0 in api/requirements.txt (line 3) and regenerate the lockfile",
      "Run the tests listed under testing requirements for api",
    ]);
    expect(d.title).toBe("requests 2.19.0: yanked version (latest 2.32.3) in api");
    expect(d.facts.fix_available).toBe(true);
  });

  it("a transitive package with informational advisories names the dependencies that bring it in", () => {
    const step = (name: string, local = false) => ({ name, version: "1.0.0", requirement: null, local });
    const base = {
      name: "atty",
      package_manager: "cargo",
      datasource: "crates" as const,
      version: "0.2.14",
      current_value: "(transitive)",
      depth: null,
      file: "Cargo.lock",
      line: null,
      lockfile: null,
      latest_version: null,
      lookup: { status: "skipped" as const, reason: "transitive" },
      advisories: [makeAdvisory({ id: "RUSTSEC-2024-0375", kind: "unmaintained", summary: "atty is unmaintained" })],
    };
    const many = makeDependency({ ...base, introduced_through: [[step("app", true), step("clap"), step("atty")], [step("app", true), step("env_logger"), step("atty")], [step("app", true), step("atty")], [step("criterion"), step("atty")]] });
    const [d] = run([many]).drafts;
    expect(d.subject).toBe("dependency:crates:atty");
    expect(d.title).toBe("atty 0.2.14: unmaintained in api");
    expect(d.description.split("\n")[1]).toBe("Latest version: unknown");
    expect(d.resolution_steps[0]).toBe(
      "atty 0.2.14 is not declared by api; it comes in through clap, criterion, env_logger: upgrade or replace those dependencies to one that no longer needs atty (pinned in Cargo.lock)",
    );
    const one = makeDependency({ ...base, lockfile: "rust/Cargo.lock", introduced_through: [[step("app", true), step("clap"), step("atty")]] });
    expect(run([one]).drafts[0].resolution_steps[0]).toBe("atty 0.2.14 is not declared by api; it comes in through clap: upgrade or replace that dependency to one that no longer needs atty (pinned in rust/Cargo.lock)");
    const noPath = makeDependency({ ...base, depth: 2, current_value: "^0.2" });
    expect(run([noPath]).drafts[0].resolution_steps[0]).toBe("atty 0.2.14 is pinned in Cargo.lock; find the dependency that brings it in and upgrade or replace it");
    // A direct dependency (depth 1) with the same advisory is replaced where it is declared.
    const direct = makeDependency({ ...base, depth: 1, file: "Cargo.toml", line: 12 });
    expect(run([direct]).drafts[0].resolution_steps[0]).toBe("Replace atty in Cargo.toml (line 12) with a maintained alternative (check its README or registry page for a successor)");
  });

  it("without a latest version or a reason to replace it, only the test step is left", () => {
    const dep = quiet({ latest_version: null, deprecated: false, update_type: "major" });
    expect(run([dep]).drafts[0].resolution_steps).toEqual(["Run the tests listed under testing requirements for api"]);
    expect(run([dep]).drafts[0].facts.fix_available).toBe(false);
  });
});
