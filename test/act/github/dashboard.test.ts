import { describe, expect, it } from "vitest";
import { ISSUE_BODY_LIMIT, renderDashboard, type DashboardInput } from "../../../src/act/github/dashboard.js";
import { DASHBOARD_MARKER } from "../../../src/act/github/markers.js";
import type { Priority } from "../../../src/model/index.js";
import { assess } from "../../../src/assess/index.js";
import { makeComponentHealth, makeDependency, makeIssue, makeRecord, makeSystemHealth } from "../../helpers/factories.js";
import { config as assessConfig, makeAdvisory, makeComponent, makeInputs, makeScan, NOW as ASSESS_NOW } from "../../assess/helpers.js";

/** Every GFM table: header, delimiter with the same number of cells, rows with that many cells. */
function assertTablesValid(md: string): number {
  const lines = md.split("\n");
  let tables = 0;
  const cells = (l: string): number => l.replace(/\\\|/g, "").split("|").length - 2;
  for (let i = 0; i < lines.length; i++) {
    if (!/^\| --- /.test(lines[i])) continue;
    tables++;
    const n = cells(lines[i - 1]);
    expect(cells(lines[i])).toBe(n);
    let j = i + 1;
    while (j < lines.length && lines[j].startsWith("|")) {
      expect(cells(lines[j]), `row ${j}: ${lines[j]}`).toBe(n);
      j++;
    }
    expect(lines[j] === undefined || lines[j] === "" || !lines[j].startsWith("|")).toBe(true);
  }
  return tables;
}

function bigInput(components: number, issues: number): DashboardInput {
  const priorities: Priority[] = ["immediate", "high", "medium", "low"];
  const comps = Array.from({ length: components }, (_, i) => makeComponentHealth({ name: `component-${i}-${"x".repeat(30)}|pipe`, health_score: (i % 100) / 100 }));
  const iss = Array.from({ length: issues }, (_, i) =>
    makeIssue({ id: `i-${i}`, title: `dependency-${i} 1.0.${i} is vulnerable to a very long advisory title ${"y".repeat(80)}`, priority: priorities[i % 4] }),
  );
  return {
    assessment: { system: makeSystemHealth(), components: comps, issues: iss },
    numbers: new Map(iss.slice(0, 100).map((x, n) => [x.id, n + 1])),
    notOpened: iss.slice(100),
    records: [makeRecord({ success: false })],
    headSha: "c".repeat(40),
    maintenanceMode: false,
    publicUrl: "https://cowabunga.example.com/dashboard",
  };
}

describe("renderDashboard", () => {
  it("small repositories get the whole dashboard", () => {
    const body = renderDashboard(bigInput(3, 5));
    expect(body.startsWith(DASHBOARD_MARKER)).toBe(true);
    expect(body).toContain("### Component health");
    expect(body).toContain("#1 dependency-0");
    expect(body).toContain("- Failed: 1");
    expect(assertTablesValid(body)).toBe(2);
  });

  it("2,000 components and 600 issues fit GitHub's 65,536-character limit with valid tables", () => {
    const input = bigInput(2000, 600);
    const body = renderDashboard(input);
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    expect(assertTablesValid(body)).toBeGreaterThanOrEqual(1);
    expect(body).toContain("https://cowabunga.example.com/dashboard");
    expect(body.split("<details").length).toBe(body.split("</details>").length);
    // It degrades rather than dropping everything: the status table is always there.
    expect(body).toContain("| Overall | Components | Open issues |");
  });

  it("a repository with 2,000 dependencies: ≤ 65,536 characters, valid tables, and the not-yet-opened section", () => {
    // Assess a real 2,000-dependency repository (40 components × 50 dependencies): every third
    // dependency a major version behind, every seventh with an advisory.
    const components = Array.from({ length: 40 }, (_, c) =>
      makeComponent({ name: `service-${c}`, path: `services/service-${c}`, manifests: [`services/service-${c}/package.json`] }),
    );
    const deps = Array.from({ length: 2000 }, (_, i) => {
      const c = i % 40;
      const major = i % 3 === 0;
      return makeDependency({
        name: `package-${i}-${"n".repeat(20)}`,
        package_manager: "npm",
        version: "1.0.0",
        current_value: "1.0.0",
        latest_version: major ? "2.0.0" : "1.0.0",
        update_type: major ? "major" : "none",
        component: `service-${c}`,
        file: `services/service-${c}/package.json`,
        line: 5 + Math.floor(i / 40),
        cve_ids: [],
        fixed_version: null,
        advisories: i % 7 === 0 ? [makeAdvisory({ id: `GHSA-test-${i}`, aliases: [`CVE-2025-${10000 + i}`], fixed_version: "1.0.1", score: 5 + (i % 5) })] : [],
      });
    });
    const a = assess(makeInputs({ scan: makeScan(components), dependencies: deps }), assessConfig(), () => ASSESS_NOW);
    const open = a.issues.filter((i) => i.status === "open");
    // One security issue per (advisory, package): 286 of the 2,000 dependencies have one.
    expect(a.system.metrics.security_issues).toBe(286);
    expect(open.length).toBeGreaterThan(286 + 600); // plus the major-behind dependency issues
    // max_new_per_run = 10: ten issues are on GitHub, the rest wait.
    const opened = open.slice(0, 10);
    const input: DashboardInput = {
      assessment: { system: a.system, components: a.components, issues: a.issues },
      numbers: new Map(opened.map((x, n) => [x.id, 100 + n])),
      notOpened: open.slice(10),
      records: [makeRecord({ success: false })],
      headSha: "d".repeat(40),
      maintenanceMode: false,
      publicUrl: "https://cowabunga.example.com/dashboard/acme/big",
    };
    const body = renderDashboard(input);
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    expect(assertTablesValid(body)).toBeGreaterThanOrEqual(2); // system status + component health
    expect(body.split("<details").length).toBe(body.split("</details>").length);
    expect(body).toContain("### Not yet opened as issues");
    expect(body).toContain(`${open.length - 10} issue(s) wait for the next runs`);
    expect(body).toContain("#100 ");
    expect(body).toContain(`| ${a.system.overall_status === "critical" ? "🔴" : a.system.overall_status === "warning" ? "🟡" : "🟢"} ${a.system.overall_status} | 40 | ${open.length} |`);
    expect(body).toContain("https://cowabunga.example.com/dashboard/acme/big");
  });

  it("a tiny limit still gives a marker and counts", () => {
    const body = renderDashboard(bigInput(50, 50), 200);
    expect(body.length).toBeLessThanOrEqual(200);
    expect(body.startsWith(DASHBOARD_MARKER)).toBe(true);
  });
});
