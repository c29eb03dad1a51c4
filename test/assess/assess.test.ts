import path from "node:path";
import { describe, expect, it } from "vitest";
import { assess } from "../../src/assess/index.js";
import { Dependency, MaintenanceIssue, ComponentHealth, SystemHealth } from "../../src/model/index.js";
import { LocalSource } from "../../src/source/local.js";
import { scanRepository } from "../../src/scan/index.js";
import type { ExtractedDependency } from "../../src/scan/types.js";
import { makeDependency, makeTestResult } from "../helpers/factories.js";
import { config, makeAdvisory, makeComponent, makeInputs, makeScan, NOW } from "./helpers.js";
import { CORPUS, corpusPathAvailable } from "../helpers/corpus.js";

function rich() {
  const comps = [
    makeComponent({ name: "api", path: "src/api", type: "api", dependent_components: ["ui"] }),
    makeComponent({ name: "ui", path: "src/ui", type: "ui", manifests: ["src/ui/package.json"], dependencies: ["api"] }),
  ];
  return makeInputs({
    scan: makeScan(comps),
    dependencies: [
      makeDependency({ advisories: [makeAdvisory()], component: "api", file: "src/api/requirements.txt" }),
      makeDependency({ name: "svelte", package_manager: "npm", version: "3.0.0", latest_version: "5.0.0", update_type: "major", days_behind: 900, component: "ui", file: "src/ui/package.json", advisories: [] }),
    ],
    textFiles: new Map([
      ["src/api/main.py", "# FIXME: unsafe\n"],
      ["src/ui/README.md", "[x](./nope.md)\n"],
    ]),
    allFiles: ["src/api/main.py", "src/ui/README.md", "src/ui/package.json"],
    testResults: { api: [makeTestResult({ duration_seconds: 10 }), makeTestResult({ duration_seconds: 30 })] },
    failingChecks: [{ name: "ci", url: null, conclusion: "failure" }],
  });
}

describe("assess", () => {
  it("is deterministic: the same input gives the same output", () => {
    const a = assess(rich(), config(), () => NOW);
    const b = assess(rich(), config(), () => NOW);
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("produces valid entities with every seed field filled", () => {
    const a = assess(rich(), config(), () => NOW);
    expect(new Set(a.issues.map((i) => i.type))).toEqual(new Set(["security", "dependency", "bug", "documentation", "performance"]));
    for (const issue of a.issues) {
      expect(MaintenanceIssue.safeParse(issue).success, issue.id).toBe(true);
      expect(issue.title.length, issue.id).toBeGreaterThan(5);
      expect(issue.description.length, issue.id).toBeGreaterThan(10);
      expect(issue.resolution_steps.length, issue.id).toBeGreaterThan(0);
      expect(issue.testing_requirements.length, issue.id).toBeGreaterThan(0);
      expect(issue.estimated_effort, issue.id).toMatch(/^\d+ (minutes|hours?|days?)$/);
      expect(issue.risk_assessment.factors.length, issue.id).toBeGreaterThan(0);
      expect(issue.id).toMatch(/^(sec|dep|bug|doc|perf)-[0-9a-f]{12}$/);
    }
    expect(new Set(a.issues.map((i) => i.id)).size).toBe(a.issues.length);
    for (const c of a.components) expect(ComponentHealth.safeParse(c).success).toBe(true);
    expect(SystemHealth.safeParse(a.system).success).toBe(true);
    for (const d of a.dependencies) expect(Dependency.safeParse(d).success).toBe(true);
    const svelte = a.dependencies.find((d) => d.name === "svelte")!;
    expect(svelte.auto_update_safe).toBe(false); // major
  });

  it("survives hostile strings without throwing", () => {
    const evil = "<script>alert(1)</script>\u0000\u202e" + "x".repeat(10_000);
    const inputs = makeInputs({
      scan: makeScan([makeComponent({ name: evil.slice(0, 40) })]),
      dependencies: [makeDependency({ name: evil, component: evil.slice(0, 40), advisories: [makeAdvisory({ id: evil, summary: evil, fixed_version: evil })] })],
      textFiles: new Map([[`${evil.slice(0, 20)}.md`, `[a](${evil})\n# ${evil}\n`], ["a.ts", `// TODO ${evil}\n${"y".repeat(100_000)}`]]),
    });
    const a = assess(inputs, config(), () => NOW);
    // The hostile advisory and the hostile link each still give a finding.
    expect(a.issues.map((i) => i.type).sort()).toEqual(expect.arrayContaining(["documentation", "security"]));
    for (const issue of a.issues) expect(MaintenanceIssue.safeParse(issue).success).toBe(true);
    const sec = a.issues.find((i) => i.type === "security")!;
    expect(sec.description).toContain("<script>");
  });
});

const corpus = CORPUS;
const corpusExists = corpusPathAvailable("[assess]", path.join(corpus, "repos"));

function toDependency(e: ExtractedDependency): Dependency {
  return Dependency.parse({
    name: e.name,
    version: e.version,
    latest_version: null,
    package_manager: e.package_manager,
    component: e.component,
    cve_ids: [],
    vulnerability_score: null,
    patch_available: false,
    compatibility: { status: "unknown", reasons: [], target_version: null },
    breaking_changes: [],
    deprecated: false,
    auto_update_safe: false,
    update_risk: "none",
    last_updated: null,
    next_review_date: null,
    file: e.file,
    line: e.line,
    dependency_type: e.dependency_type,
    current_value: e.current_value,
    locked_version: e.locked_version,
    skip_reason: e.skip_reason,
  });
}

function npm0(deps: Dependency[]): number {
  return deps.findIndex((d) => d.package_manager === "npm" && !d.skip_reason);
}

describe.skipIf(!corpusExists)("assess on the corpus repositories", () => {
  for (const repo of ["defenseunicorns__leapfrogai", "awdemos__cowabungaai"]) {
    it(`assesses ${repo} without throwing, deterministically, with truthful findings`, async () => {
      const source = new LocalSource(path.join(corpus, "repos", repo));
      const scan = await scanRepository(source, { repoName: repo });
      const allFiles = (await source.listFiles()).map((f) => f.path);
      const deps = scan.dependencies.map(toDependency);
      // A synthetic advisory on the first pip dependency, and made-up registry facts on the first npm one.
      const pip = deps.findIndex((d) => d.package_manager === "pip" && !d.skip_reason);
      expect(pip, "the corpus repository has pip dependencies").toBeGreaterThanOrEqual(0);
      expect(npm0(deps), "the corpus repository has npm dependencies").toBeGreaterThanOrEqual(0);
      if (pip >= 0) deps[pip] = { ...deps[pip], advisories: [makeAdvisory({ id: "PYSEC-TEST-1", fixed_version: null, score: 9.1 })] };
      const npm = deps.findIndex((d) => d.package_manager === "npm" && !d.skip_reason);
      if (npm >= 0) deps[npm] = { ...deps[npm], lookup: { status: "ok", reason: null }, latest_version: "99.0.0", update_type: "major", days_behind: 400 };
      const inputs = { scan, dependencies: deps, previousIssues: [], allFiles };
      const a = assess(inputs, config(), () => NOW);
      expect(assess(inputs, config(), () => NOW)).toEqual(a);
      expect(a.components.length).toBe(scan.components.length);
      expect(a.components.length).toBeGreaterThan(1);
      expect(a.issues.length).toBeGreaterThan(0);
      for (const issue of a.issues) expect(MaintenanceIssue.safeParse(issue).success).toBe(true);
      expect(SystemHealth.safeParse(a.system).success).toBe(true);
      // Every "no README" finding is true of the file list.
      for (const issue of a.issues.filter((i) => i.subject.startsWith("documentation:readme:"))) {
        const comp = scan.components.find((c) => c.name === issue.affected_components[0])!;
        const dir = comp.path === "." ? "" : `${comp.path}/`;
        expect(allFiles.some((f) => f.toLowerCase().startsWith(`${dir}readme`.toLowerCase()) && !f.slice(dir.length).includes("/"))).toBe(false);
      }
      if (pip >= 0) {
        const sec = a.issues.find((i) => i.type === "security")!;
        expect(sec.severity).toBe("critical");
        expect(sec.files_affected).toContain(deps[pip].file);
        expect(a.alerts.some((x) => x.condition === "critical_cvss")).toBe(true);
      }
      // Components without any signal stay unknown, never healthy.
      const silent = a.components.filter((c) => Object.keys(c.score_breakdown).length === 0);
      for (const c of silent) expect(c.status).toBe("unknown");
      // The synthetic critical advisory makes its component's status critical; the made-up major update is a dependency finding.
      const secComp = a.components.find((c) => c.name === deps[pip].component)!;
      expect(secComp.status).toBe("critical");
      expect(a.issues.some((i) => i.type === "dependency" && i.title.includes(deps[npm0(deps)].name))).toBe(true);
    });
  }
});
