import { describe, expect, it } from "vitest";
import { renderDashboard } from "../../../src/act/github/dashboard.js";
import { renderCsv } from "../../../src/act/report/csv.js";
import { renderHtml } from "../../../src/act/report/html.js";
import { renderMarkdown } from "../../../src/act/report/markdown.js";
import type { Assessment } from "../../../src/assess/types.js";
import type { Dependency } from "../../../src/model/index.js";
import { advisory, hostileAssessment } from "../../fixtures/report/assessment.js";
import { makeDependency, makeRecord } from "../../helpers/factories.js";

function h2(over: Partial<Dependency> = {}): Dependency {
  return makeDependency({
    name: "h2",
    version: "0.4.15",
    locked_version: "0.4.15",
    package_manager: "cargo",
    datasource: "crates",
    component: "api",
    current_value: "(transitive)",
    file: "Cargo.lock",
    line: null,
    lockfile: "Cargo.lock",
    depth: 3,
    introduced_through: [
      [
        { name: "axum", version: "0.7.5", requirement: "0.7" },
        { name: "hyper", version: "1.4.1", requirement: "^1.4" },
        { name: "h2", version: "0.4.15", requirement: "^0.4.2" },
      ],
      [
        { name: "tonic", version: "0.12.0", requirement: "0.12" },
        { name: "<b>h2</b>", version: "0.4.15", requirement: null },
      ],
    ],
    fixed_version: "0.4.16",
    advisories: [advisory({ id: "RUSTSEC-2099-0001", fixed_version: "0.4.16" }), advisory({ id: "RUSTSEC-2099-0002", fixed_version: "0.4.16" })],
    remediation: {
      kind: "in_place",
      target_version: "0.4.16",
      file: "Cargo.lock",
      action: "Update h2 from 0.4.15 to 0.4.16 in Cargo.lock only (cargo update -p h2@0.4.15 --precise 0.4.16)",
      parent: null,
      risk: null,
      removes: ["RUSTSEC-2099-0001", "RUSTSEC-2099-0002"],
      reasons: [],
    },
    ...over,
  });
}

function withGraph(): Assessment {
  const a = hostileAssessment();
  return { ...a, dependencies: [...a.dependencies, h2(), h2({ component: "worker", introduced_through: [] , depth: null })] };
}

describe("reports show where a transitive package comes from and the fix plan", () => {
  it("markdown: the introducing path and the fix in the vulnerable table, and the ranked fix plan", () => {
    const md = renderMarkdown(withGraph());
    expect(md).toContain("| Introduced through | Fix |");
    expect(md).toContain("api → axum 0.7.5 → hyper 1.4.1 → h2 0.4.15 (+1)");
    expect(md).toContain("in place \\(lockfile only\\) → 0.4.16");
    // One change fixes both components' copies: listed once, with both advisories.
    expect(md).toContain("1. Update h2 from 0.4.15 to 0.4.16 in Cargo.lock only");
    expect(md).toContain("— removes 2 advisories \\(RUSTSEC-2099-0001, RUSTSEC-2099-0002\\) in h2 0.4.15 \\(api, worker\\)");
  });

  it("html: paths escaped, depth and fix shown, fix plan section", () => {
    const html = renderHtml(withGraph());
    expect(html).toContain("<li>api → axum 0.7.5 → hyper 1.4.1 → h2 0.4.15</li>");
    expect(html).toContain("api → tonic 0.12.0 → &lt;b&gt;h2&lt;/b&gt; 0.4.15");
    expect(html).not.toContain("<b>h2</b>");
    expect(html).toContain("transitive (depth 3)");
    expect(html).toContain('<section id="fix-plan"><h2>Security fix plan (1)</h2>');
  });

  it("csv: depth, dev_only, lockfile, paths and the plan as columns", () => {
    const csv = renderCsv(withGraph(), "dependencies");
    const header = csv.split("\r\n")[0];
    expect(header.endsWith("depth,dev_only,lockfile,introduced_through,remediation_kind,remediation_target,remediation_action")).toBe(true);
    const row = csv.split("\r\n").find((l) => l.startsWith("h2,") && l.includes(",api,"));
    expect(row).toContain("3,false,Cargo.lock,");
    expect(row).toContain("api → axum 0.7.5 → hyper 1.4.1 → h2 0.4.15");
    expect(row).toContain(",in_place,0.4.16,");
  });

  it("dashboard issue: the security fix plan, most advisories removed first", () => {
    const a = withGraph();
    const body = renderDashboard({ assessment: a, numbers: new Map(), notOpened: [], records: [makeRecord()], headSha: null, maintenanceMode: false });
    expect(body).toContain("### Security fix plan");
    expect(body).toContain("1. Update h2 from 0.4.15 to 0.4.16 in Cargo.lock only");
  });
});
