import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  ComponentHealth,
  Dependency,
  MaintenanceIssue,
  MaintenanceRecord,
  RiskLevel,
  SystemHealth,
  TestResult,
} from "../../src/model/index.js";
import { formatPath, parseEntity } from "../../src/model/validate.js";
import {
  makeComponentHealth,
  makeDependency,
  makeIssue,
  makeRecord,
  makeRiskLevel,
  makeSystemHealth,
  makeTestResult,
} from "../helpers/factories.js";

function errorsOf(schema: z.ZodType, data: unknown, label = "doc") {
  const r = parseEntity(schema, data, label);
  if (r.ok) throw new Error("expected validation to fail");
  return r;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

describe("formatPath", () => {
  it("renders keys, indexes and odd keys", () => {
    expect(formatPath(["components", 0, "health_score"])).toBe("components[0].health_score");
    expect(formatPath([])).toBe("(root)");
    expect(formatPath(["a", "x.y"])).toBe('a["x.y"]');
  });
});

describe("parseEntity", () => {
  it("returns the parsed value with defaults applied", () => {
    const raw = clone(makeIssue()) as Record<string, unknown>;
    delete raw.lifecycle_state;
    delete raw.history;
    const r = parseEntity(MaintenanceIssue, raw, "issue");
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.lifecycle_state).toBe("detected");
      expect(r.value.history).toEqual([]);
    }
  });

  it("reports every problem, each naming its field, and a summary naming the label", () => {
    const r = errorsOf(SystemHealth, { ...makeSystemHealth(), version: 3, overall_status: "meh" }, "system_health.json");
    const paths = r.errors.map((e) => e.path).sort();
    expect(paths).toEqual(["overall_status", "version"]);
    expect(r.message).toMatch(/^system_health\.json is invalid: /);
    const version = r.errors.find((e) => e.path === "version");
    expect(version?.message).toBe("expected string, got number 3");
    expect(r.errors.find((e) => e.path === "overall_status")?.message).toContain('"healthy", "warning", "critical"');
  });

  it("says when a required field is missing", () => {
    const raw = clone(makeRecord()) as Record<string, unknown>;
    delete raw.title;
    const r = errorsOf(MaintenanceRecord, raw);
    expect(r.errors).toEqual([expect.objectContaining({ path: "title", message: "expected string, but it is missing" })]);
  });

  it("handles a non-object document", () => {
    const r = errorsOf(RiskLevel, "nope");
    expect(r.errors[0].path).toBe("(root)");
    expect(r.errors[0].message).toContain("expected object");
  });
});

type Case = { name: string; mutate: (d: Record<string, unknown>) => void; path: string; expect: RegExp };

const entities: { name: string; schema: z.ZodType; make: () => unknown; cases: Case[] }[] = [
  {
    name: "SystemHealth",
    schema: SystemHealth,
    make: () => makeSystemHealth(),
    cases: [
      {
        name: "component health_score above 1",
        mutate: (d) => ((d.components as Record<string, unknown>[])[0].health_score = 1.5),
        path: "components[0].health_score",
        expect: /<= 1, got number 1\.5/,
      },
      { name: "bad timestamp", mutate: (d) => (d.timestamp = "yesterday"), path: "timestamp", expect: /ISO 8601/ },
      {
        name: "negative security_issues",
        mutate: (d) => ((d.metrics as Record<string, unknown>).security_issues = -1),
        path: "metrics.security_issues",
        expect: />= 0/,
      },
      {
        name: "invalid nested issue in a component",
        mutate: (d) => ((d.components as Record<string, unknown>[])[0].issues = [{ ...makeIssue(), severity: "huge" }]),
        path: "components[0].issues[0].severity",
        expect: /"critical", "high", "medium", "low"/,
      },
      {
        name: "last_maintenance with bad type",
        mutate: (d) => (d.last_maintenance = { ...makeRecord(), type: "magic" }),
        path: "last_maintenance.type",
        expect: /expected one of/,
      },
    ],
  },
  {
    name: "ComponentHealth",
    schema: ComponentHealth,
    make: () => makeComponentHealth(),
    cases: [
      { name: "type not in enum", mutate: (d) => (d.type = "database"), path: "type", expect: /"api", "ui", "backend", "sdk", "infrastructure"/ },
      { name: "fractional open_issues", mutate: (d) => (d.open_issues = 1.5), path: "open_issues", expect: /expected int/ },
      { name: "uptime over 100", mutate: (d) => (d.uptime_percentage = 101), path: "uptime_percentage", expect: /<= 100/ },
      { name: "empty name", mutate: (d) => (d.name = ""), path: "name", expect: /at least 1 character/ },
    ],
  },
  {
    name: "MaintenanceIssue",
    schema: MaintenanceIssue,
    make: () => makeIssue(),
    cases: [
      { name: "status not in enum", mutate: (d) => (d.status = "closed"), path: "status", expect: /"open", "in_progress", "resolved", "deferred"/ },
      {
        name: "risk score above 10",
        mutate: (d) => ((d.risk_assessment as Record<string, unknown>).score = 11),
        path: "risk_assessment.score",
        expect: /<= 10/,
      },
      {
        name: "history entry with unknown state",
        mutate: (d) => (d.history = [{ from: null, to: "done", at: "2026-01-01T00:00:00Z", reason: "", actor: "x" }]),
        path: "history[0].to",
        expect: /expected one of/,
      },
      { name: "files_affected not an array", mutate: (d) => (d.files_affected = "a.txt"), path: "files_affected", expect: /expected array/ },
    ],
  },
  {
    name: "Dependency",
    schema: Dependency,
    make: () => makeDependency(),
    cases: [
      { name: "vulnerability_score above 10", mutate: (d) => (d.vulnerability_score = 11), path: "vulnerability_score", expect: /<= 10/ },
      { name: "update_risk not in enum", mutate: (d) => (d.update_risk = "extreme"), path: "update_risk", expect: /"none", "low", "medium", "high"/ },
      {
        name: "compatibility status not in enum",
        mutate: (d) => ((d.compatibility as Record<string, unknown>).status = "maybe"),
        path: "compatibility.status",
        expect: /expected one of/,
      },
      { name: "cve_ids entry not a string", mutate: (d) => (d.cve_ids = ["CVE-1", 2]), path: "cve_ids[1]", expect: /expected string/ },
      { name: "empty name", mutate: (d) => (d.name = ""), path: "name", expect: /at least 1/ },
    ],
  },
  {
    name: "MaintenanceRecord",
    schema: MaintenanceRecord,
    make: () => makeRecord(),
    cases: [
      { name: "negative duration", mutate: (d) => (d.duration_minutes = -5), path: "duration_minutes", expect: />= 0/ },
      { name: "success not boolean", mutate: (d) => (d.success = "yes"), path: "success", expect: /expected boolean/ },
      {
        name: "nested test_results invalid",
        mutate: (d) => ((d.test_results as Record<string, unknown>).tests_run = -1),
        path: "test_results.tests_run",
        expect: />= 0/,
      },
      { name: "bad performed_at", mutate: (d) => (d.performed_at = "2026-01-01"), path: "performed_at", expect: /ISO 8601/ },
    ],
  },
  {
    name: "TestResult",
    schema: TestResult,
    make: () => makeTestResult(),
    cases: [
      { name: "coverage above 100", mutate: (d) => (d.line_coverage = 150), path: "line_coverage", expect: /<= 100/ },
      {
        name: "slowest test with negative duration",
        mutate: (d) => ((d.slowest_tests as Record<string, unknown>[])[0].duration_seconds = -1),
        path: "slowest_tests[0].duration_seconds",
        expect: />= 0/,
      },
      {
        name: "failure line not an integer",
        mutate: (d) => ((d.failures as Record<string, unknown>[])[0].line = "42"),
        path: "failures[0].line",
        expect: /expected number/,
      },
    ],
  },
  {
    name: "RiskLevel",
    schema: RiskLevel,
    make: () => makeRiskLevel(),
    cases: [
      { name: "level not in enum", mutate: (d) => (d.level = "severe"), path: "level", expect: /"none", "low", "medium", "high", "critical"/ },
      {
        name: "factor weight above 1",
        mutate: (d) => ((d.factors as Record<string, unknown>[])[0].weight = 2),
        path: "factors[0].weight",
        expect: /<= 1/,
      },
      { name: "mitigation_steps missing", mutate: (d) => delete d.mitigation_steps, path: "mitigation_steps", expect: /missing/ },
    ],
  },
];

describe.each(entities)("$name", ({ name, schema, make, cases }) => {
  it("accepts the factory's valid document, unchanged", () => {
    const doc = make();
    const r = parseEntity(schema, clone(doc), name);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(doc);
  });

  it.each(cases)("rejects $name, naming $path", (c) => {
    const doc = clone(make()) as Record<string, unknown>;
    c.mutate(doc);
    const r = errorsOf(schema, doc, name);
    const hit = r.errors.find((e) => e.path === c.path);
    expect(hit, `errors were: ${r.message}`).toBeDefined();
    expect(hit?.message).toMatch(c.expect);
    expect(r.message).toContain(`${name} is invalid: `);
    expect(r.message).toContain(c.path);
  });
});
