import { describe, expect, it } from "vitest";
import { detectDependency } from "../../../src/assess/detect/dependency.js";
import { makeDependency } from "../../helpers/factories.js";
import { config, detectContext, makeAdvisory, makeComponent, makeInputs, makeScan } from "../helpers.js";

const comps = [makeComponent({ name: "api" }), makeComponent({ name: "ui", path: "src/ui", type: "ui", manifests: ["src/ui/package.json"] })];
const fresh = { update_type: "minor" as const, days_behind: 30, advisories: [], latest_release_date: "2026-01-01T00:00:00Z" };

function run(deps: Parameters<typeof makeDependency>[0][], cfg = config()) {
  return detectDependency(detectContext(makeInputs({ scan: makeScan(comps), dependencies: deps.map((d) => makeDependency({ ...fresh, ...d })) }), cfg));
}

describe("detectDependency", () => {
  it("ignores dependencies within the thresholds", () => {
    expect(run([{}]).drafts).toEqual([]);
  });

  it("flags a major version behind; prod is medium, dev is low", () => {
    const prod = run([{ name: "fastapi", version: "0.99.0", latest_version: "1.0.0", update_type: "major" }]).drafts[0];
    expect(prod.subject).toBe("dependency:pypi:fastapi");
    expect(prod.severity).toBe("medium");
    expect(prod.title).toBe("fastapi 0.99.0: major version behind (latest 1.0.0) in api");
    expect(prod.resolution_steps[0]).toBe("Upgrade fastapi from 0.99.0 to 1.0.0 in api/requirements.txt (line 3)");
    expect(prod.estimated_effort).toBe("4 hours");
    const dev = run([{ name: "pytest", update_type: "major", dependency_type: "dev" }]).drafts[0];
    expect(dev.severity).toBe("low");
  });

  it("flags months behind only past outdated_months", () => {
    expect(run([{ days_behind: 180 }]).drafts).toEqual([]); // 180 < 6 × 30.44
    const d = run([{ days_behind: 200 }]).drafts[0];
    expect(d.title).toContain("outdated");
    expect(d.description).toMatch(/6\.6 months behind latest 2\.32\.3 \(threshold 6\)/);
    expect(run([{ days_behind: 200 }], config((c) => (c.thresholds.outdated_months = 12))).drafts).toEqual([]);
  });

  it("flags deprecated and unmaintained packages as replacements", () => {
    const d = run([{ name: "request", deprecated: true, latest_release_date: "2020-02-11T00:00:00Z" }]).drafts[0];
    expect(d.title).toContain("deprecated, unmaintained");
    expect(d.estimated_effort).toBe("2 days");
    expect(d.resolution_steps[0]).toMatch(/^Replace request in api\/requirements.txt/);
    expect(d.description).toMatch(/no release since 2020-02-11/);
  });

  it("flags yanked versions as high", () => {
    const inputs = makeInputs({
      scan: makeScan(comps),
      dependencies: [makeDependency({ ...fresh })],
      yanked: [{ package_manager: "pip", name: "requests", version: "2.19.0", reason: "broken wheel" }],
    });
    const d = detectDependency(detectContext(inputs)).drafts[0];
    expect(d.severity).toBe("high");
    expect(d.description).toContain("2.19.0 was yanked from the registry: broken wheel");
  });

  it("groups one package across components into one issue", () => {
    const { drafts } = run([
      { name: "lodash", package_manager: "npm", version: "3.0.0", update_type: "major", component: "ui", file: "src/ui/package.json" },
      { name: "lodash", package_manager: "npm", version: "3.1.0", update_type: "major", component: "api", file: "src/api/package.json" },
    ]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0].affected_components).toEqual(["api", "ui"]);
    expect(drafts[0].files_affected).toEqual(["src/api/package.json", "src/ui/package.json"]);
  });

  it("does not judge dependencies whose lookup failed, and does not claim their issues resolved", () => {
    const r = run([{ update_type: "major", lookup: { status: "unknown", reason: "registry 503" } }]);
    expect(r.drafts).toEqual([]);
    expect(r.covers({ subject: "dependency:pypi:requests" } as never)).toBe(false);
    expect(r.covers({ subject: "dependency:pypi:other" } as never)).toBe(true);
  });

  it("skips dependencies that cannot be looked up", () => {
    expect(run([{ update_type: "major", skip_reason: "local path" }]).drafts).toEqual([]);
  });
  it("files informational advisories (RustSec unmaintained / unsound) as dependency-health issues naming the path", () => {
    const bincode = makeDependency({
      name: "bincode",
      package_manager: "cargo",
      datasource: "crates",
      version: "1.3.3",
      locked_version: "1.3.3",
      current_value: "(transitive)",
      file: "Cargo.lock",
      line: null,
      lockfile: "Cargo.lock",
      depth: 3,
      lookup: { status: "skipped", reason: "transitive dependency from the lockfile: only advisories are checked" },
      introduced_through: [[
        { name: "cowabunga-db", version: "0.1.0", requirement: null },
        { name: "libsql", version: "0.9.30", requirement: "0.9" },
        { name: "bincode", version: "1.3.3", requirement: null },
      ]],
      advisories: [
        makeAdvisory({ id: "RUSTSEC-2025-0141", kind: "unmaintained", summary: "Bincode is unmaintained", score: null, fixed_version: null }),
        makeAdvisory({ id: "RUSTSEC-2099-0002", kind: "unsound", summary: "unsound cast", score: null, fixed_version: null }),
      ],
    });
    const { drafts } = detectDependency(detectContext(makeInputs({ dependencies: [bincode] })));
    expect(drafts).toHaveLength(1);
    const d = drafts[0];
    expect(d.subject).toBe("dependency:crates:bincode");
    expect(d.severity).toBe("high");
    expect(d.title).toBe("bincode 1.3.3: unmaintained, unsound (advisory) in api");
    expect(d.description).toContain("RUSTSEC-2025-0141: Bincode is unmaintained");
    expect(d.description).toContain("introduced through api → cowabunga-db 0.1.0 → libsql 0.9.30 → bincode 1.3.3");
    expect(d.files_affected).toEqual(["Cargo.lock"]);
    expect(d.resolution_steps[0]).toBe(
      "bincode 1.3.3 is not declared by api; it comes in through cowabunga-db: upgrade or replace that dependency to one that no longer needs bincode (pinned in Cargo.lock)",
    );
  });
});
