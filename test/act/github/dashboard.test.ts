import { describe, expect, it } from "vitest";
import { ISSUE_BODY_LIMIT, renderDashboard, type DashboardInput } from "../../../src/act/github/dashboard.js";
import { DASHBOARD_MARKER } from "../../../src/act/github/markers.js";
import type { Priority } from "../../../src/model/index.js";
import { makeComponentHealth, makeIssue, makeRecord, makeSystemHealth } from "../../helpers/factories.js";

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

  it("a tiny limit still gives a marker and counts", () => {
    const body = renderDashboard(bigInput(50, 50), 200);
    expect(body.length).toBeLessThanOrEqual(200);
    expect(body.startsWith(DASHBOARD_MARKER)).toBe(true);
  });
});
