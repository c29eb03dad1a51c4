import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POAM_COLUMNS } from "../../../src/act/report/poam.js";
import { runCli } from "../../../src/cli/program.js";
import type { CliIO } from "../../../src/cli/io.js";
import { FileStore } from "../../../src/store/file-store.js";
import { makeDependency, makeIssue, makeSystemHealth } from "../../helpers/factories.js";

/** RFC 4180 reader for the test: records of fields, quotes and CRLF honoured. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    }
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

const NOW = new Date("2026-03-10T09:00:00.000Z");
const repo = { owner: "acme", repo: "payments" };
let dir: string;

const ADV = {
  id: "GHSA-aaaa-bbbb-cccc",
  kind: "vulnerability" as const,
  aliases: ["CVE-2026-1111"],
  summary: "prototype pollution",
  url: "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc",
  score: 9.8,
  score_estimated: false,
  cvss_vector: null,
  fixed_version: "4.17.21",
  published: "2026-01-01T00:00:00.000Z",
};
const NOFIX = { ...ADV, id: "GHSA-nofx-nofx-nofx", aliases: ["CVE-2026-2222"], url: null, score: 7.5, fixed_version: null };

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-poam-"));
  const store = new FileStore({ root: dir, clock: () => NOW });
  await store.putSystemHealth(repo, makeSystemHealth({ timestamp: "2026-03-10T06:00:00.000Z" }));
  await store.putDependencies(repo, [
    makeDependency({ name: "lodash", version: "4.17.15", package_manager: "npm", component: "api", advisories: [ADV], cve_ids: ["CVE-2026-1111"] }),
    makeDependency({ name: "left-pad", version: "1.0.0", package_manager: "npm", component: "api", advisories: [NOFIX], cve_ids: [] }),
  ]);
  await store.updateIssues(repo, () => [
    // Open, critical, overdue since 31 Jan.
    makeIssue({
      id: "sec-aaaaaaaaaaaa",
      type: "security",
      severity: "critical",
      title: "=HYPERLINK(\"http://evil\") lodash 4.17.15: prototype pollution",
      description: "Prototype pollution in lodash, \"quoted\", two\nlines",
      subject: "security:npm:lodash@4.17.15",
      affected_components: ["api"],
      created_at: "2026-01-01T00:00:00.000Z",
      due_at: "2026-01-31T00:00:00.000Z",
      assignee: "carol",
      estimated_effort: "1 hour",
      resolution_steps: ["upgrade lodash to 4.17.21"],
      lifecycle_state: "prioritized",
      history: [{ from: "assessed", to: "prioritized", at: "2026-01-01T00:00:00.000Z", reason: "p", actor: "cowabunga" }],
      github_issue_number: 42,
    }),
    // Risk-accepted until 30 April, no fixed version published.
    makeIssue({
      id: "sec-bbbbbbbbbbbb",
      type: "security",
      severity: "high",
      status: "deferred",
      lifecycle_state: "deferred",
      title: "left-pad 1.0.0: ReDoS",
      description: "ReDoS",
      subject: "security:npm:left-pad@1.0.0",
      affected_components: ["api"],
      created_at: "2026-02-01T12:00:00.000Z",
      due_at: "2026-03-03T12:00:00.000Z",
      resolution_steps: ["wait for a fixed release"],
      history: [{ from: "prioritized", to: "deferred", at: "2026-02-05T10:00:00.000Z", reason: "deferred until 2026-04-30 by @dave: not reachable", actor: "dave" }],
      defer_reason: "deferred until 2026-04-30 by @dave: not reachable",
      risk_acceptance: { accepted_by: "dave", reason: "not reachable", until: "2026-04-30", accepted_at: "2026-02-05T10:00:00.000Z" },
    }),
    // Closed on 20 Feb.
    makeIssue({
      id: "sec-cccccccccccc",
      type: "security",
      severity: "medium",
      status: "resolved",
      lifecycle_state: "resolved",
      title: "requests 2.19.0: CVE-2018-18074",
      subject: "security:pypi:requests:PYSEC-2018-28",
      created_at: "2026-01-10T00:00:00.000Z",
      due_at: "2026-04-10T00:00:00.000Z",
      resolved_at: "2026-02-20T08:00:00.000Z",
      history: [{ from: "prioritized", to: "resolved", at: "2026-02-20T08:00:00.000Z", reason: "no longer detected: requests 2.32.3", actor: "cowabunga" }],
    }),
    // Not a security weakness: not in the POA&M.
    makeIssue({ id: "dep-dddddddddddd", type: "dependency", severity: "low", subject: "dependency:npm:express" }),
  ]);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function poam(): Promise<{ open: Record<string, string>[]; closed: Record<string, string>[]; raw: string }> {
  const io: CliIO & { out: string; err: string } = { out: "", err: "", stderrIsTTY: false, cwd: dir, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  const code = await runCli(["node", "cowabunga", "report", "--data", dir, "--repo", "acme/payments", "--format", "poam"], { io, clock: () => NOW });
  expect(io.err).toBe("");
  expect(code).toBe(0);
  const rows = parseCsv(io.out);
  const closedAt = rows.findIndex((r) => r[0] === "Closed POA&M Items");
  expect(rows[0]).toEqual(["Open POA&M Items"]);
  expect(rows[1]).toEqual([...POAM_COLUMNS]);
  expect(rows[closedAt - 1]).toEqual([""]);
  expect(rows[closedAt + 1]).toEqual([...POAM_COLUMNS]);
  const obj = (r: string[]) => Object.fromEntries(POAM_COLUMNS.map((c, i) => [c, r[i]]));
  return { open: rows.slice(2, closedAt - 1).map(obj), closed: rows.slice(closedAt + 2).map(obj), raw: io.out };
}

describe("POA&M export from a fixture store", () => {
  it("has the FedRAMP template's columns, open items then closed items, security findings only", async () => {
    const { open, closed } = await poam();
    expect(open.map((r) => r["POA&M ID"])).toEqual(["CWB-acme/payments-sec-aaaaaaaaaaaa", "CWB-acme/payments-sec-bbbbbbbbbbbb"]);
    expect(closed.map((r) => r["POA&M ID"])).toEqual(["CWB-acme/payments-sec-cccccccccccc"]);
  });

  it("fills an open, overdue finding field by field", async () => {
    const [row] = (await poam()).open;
    expect(row).toEqual({
      "POA&M ID": "CWB-acme/payments-sec-aaaaaaaaaaaa",
      Controls: "RA-5, SI-2",
      "Weakness Name": "'=HYPERLINK(\"http://evil\") lodash 4.17.15: prototype pollution",
      "Weakness Description": "Prototype pollution in lodash, \"quoted\", two\nlines",
      "Weakness Detector Source": "Cowabunga Maintainer dependency scan (npm advisories via OSV)",
      "Weakness Source Identifier": "GHSA-aaaa-bbbb-cccc",
      "Asset Identifier": "acme/payments; api; lodash@4.17.15",
      "Point of Contact": "carol",
      "Resources Required": "1 hour",
      "Overall Remediation Plan": "upgrade lodash to 4.17.21",
      "Original Detection Date": "2026-01-01",
      "Scheduled Completion Date": "2026-01-31",
      "Planned Milestones": "2026-01-31: upgrade lodash to 4.17.21 (Cowabunga update pull request), then verify with a rescan",
      "Milestone Changes": "",
      "Status Date": "2026-01-01",
      "Vendor Dependency": "No",
      "Last Vendor Check-in Date": "",
      "Vendor Dependent Product Name": "",
      "Original Risk Rating": "Critical",
      "Adjusted Risk Rating": "",
      "Risk Adjustment": "No",
      "False Positive": "No",
      "Operational Requirement": "No",
      "Deviation Rationale": "",
      "Supporting Documents": "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc https://github.com/acme/payments/issues/42",
      Comments: "CVSS 9.8; lifecycle prioritized",
      "Auto-Approve": "No",
      CVE: "CVE-2026-1111",
      Status: "Open (overdue)",
    });
  });

  it("fills a risk-accepted finding with no fixed version (vendor dependency) field by field", async () => {
    const row = (await poam()).open[1];
    expect(row).toMatchObject({
      "Weakness Source Identifier": "GHSA-nofx-nofx-nofx",
      "Asset Identifier": "acme/payments; api; left-pad@1.0.0",
      "Point of Contact": "acme/payments maintainers",
      "Original Detection Date": "2026-02-01",
      "Scheduled Completion Date": "2026-03-03",
      "Planned Milestones": "2026-03-03: no fixed version published; re-check the vendor on every scan and apply the fix once released",
      "Milestone Changes": "2026-02-05: risk accepted by dave until 2026-04-30",
      "Status Date": "2026-02-05",
      "Vendor Dependency": "Yes",
      "Last Vendor Check-in Date": "2026-03-10",
      "Vendor Dependent Product Name": "left-pad",
      "Original Risk Rating": "High",
      "Operational Requirement": "Yes",
      "Deviation Rationale": "not reachable (accepted by dave until 2026-04-30)",
      "Supporting Documents": "",
      Comments: "CVSS 7.5; lifecycle deferred",
      CVE: "CVE-2026-2222",
      Status: "Risk accepted",
    });
  });

  it("fills a closed finding field by field", async () => {
    const [row] = (await poam()).closed;
    expect(row).toMatchObject({
      "Weakness Name": "requests 2.19.0: CVE-2018-18074",
      "Weakness Detector Source": "Cowabunga Maintainer dependency scan (pypi advisories via OSV)",
      "Weakness Source Identifier": "PYSEC-2018-28",
      // No stored dependency carries the advisory any more: the asset comes from the issue.
      "Asset Identifier": "acme/payments; api; requests",
      "Original Detection Date": "2026-01-10",
      "Scheduled Completion Date": "2026-04-10",
      "Planned Milestones": "2026-02-20: closed (no longer detected: requests 2.32.3)",
      "Status Date": "2026-02-20",
      "Original Risk Rating": "Moderate",
      "Vendor Dependency": "No",
      CVE: "",
      Status: "Closed",
    });
  });

  it("guards every text cell against formula injection", async () => {
    const { raw } = await poam();
    expect(raw).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });
});

describe("cowabunga report --org", () => {
  const run = async (args: string[]) => {
    const io: CliIO & { out: string; err: string } = { out: "", err: "", stderrIsTTY: false, cwd: dir, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    const code = await runCli(["node", "cowabunga", "report", "--data", dir, ...args], { io, clock: () => NOW });
    return { code, ...io };
  };
  it("json, csv and html overviews of every stored repository of the owner, from the store", async () => {
    const j = await run(["--org", "acme", "--format", "json"]);
    expect(j.code).toBe(0);
    const o = JSON.parse(j.out) as { owner: string; repositories: Array<{ repository: string; overdue: number; deferred: number; open_critical: number }>; measures: { closed: number } };
    expect(o.owner).toBe("acme");
    expect(o.repositories).toHaveLength(1);
    expect(o.repositories[0]).toMatchObject({ repository: "acme/payments", overdue: 1, deferred: 1, open_critical: 1 });
    expect(o.measures.closed).toBe(1);
    const c = await run(["--org", "acme", "--format", "csv"]);
    expect(c.out.split("\r\n")[0]).toMatch(/^repository,status,health_score,open_critical,open_high,open_total,overdue,deferred,/);
    expect(c.out.split("\r\n")[1]).toMatch(/^acme\/payments,/);
    const h = await run(["--org", "acme", "--format", "html"]);
    expect(h.out).toContain('data-repository="acme/payments"');
  });
  it("refuses a missing owner, poam with --org, and --org with --repo", async () => {
    expect((await run(["--org", "nobody", "--format", "json"])).code).toBe(2);
    expect((await run(["--org", "acme", "--format", "poam"])).code).toBe(2);
    expect((await run(["--org", "acme", "--repo", "acme/payments"])).code).toBe(2);
  });
});
