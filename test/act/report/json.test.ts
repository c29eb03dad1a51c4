import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ReportDocument, ReportValidationError, buildReportDocument, renderJson } from "../../../src/act/report/json.js";
import { ComponentHealth, Dependency, MaintenanceIssue, SystemHealth } from "../../../src/model/index.js";
import { hostileAssessment } from "../../fixtures/report/assessment.js";

const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../schema");
const clock = () => new Date("2026-01-16T08:30:00Z");

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv2020) => Ajv2020;

function ajv(): Ajv2020 {
  const a = new Ajv2020({ allErrors: true, strict: false });
  addFormats(a);
  return a;
}

/** The committed schema/<stem>.schema.json, or one generated from the zod schema when it is not there yet. */
function entitySchema(stem: string, zodSchema: z.ZodType): object {
  const file = path.join(SCHEMA_DIR, `${stem}.schema.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as object;
  console.warn(`${file} is missing; generating the schema from zod for this test`);
  return z.toJSONSchema(zodSchema, { io: "output", target: "draft-2020-12", unrepresentable: "any" }) as object;
}

describe("renderJson", () => {
  const a = hostileAssessment();
  const text = renderJson(a, { clock });
  const doc = JSON.parse(text) as Record<string, unknown>;

  it("writes the documented top-level shape with generated_at from the clock", () => {
    expect(Object.keys(doc)).toEqual(["report_version", "generated_at", "system_health", "component_health", "maintenance_issues", "dependencies", "alerts", "warnings"]);
    expect(doc.generated_at).toBe("2026-01-16T08:30:00.000Z");
    expect((doc.maintenance_issues as unknown[]).length).toBe(a.issues.length);
    expect((doc.dependencies as unknown[]).length).toBe(a.dependencies.length);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("keeps hostile strings as data (JSON needs no HTML escaping)", () => {
    const issues = doc.maintenance_issues as Array<{ title: string }>;
    expect(issues.some((i) => i.title.includes("<script>window.__pwned=1</script>"))).toBe(true);
  });

  it.each([
    ["system_health", SystemHealth, (d: Record<string, unknown>) => [d.system_health]],
    ["component_health", ComponentHealth, (d: Record<string, unknown>) => d.component_health as unknown[]],
    ["maintenance_issue", MaintenanceIssue, (d: Record<string, unknown>) => d.maintenance_issues as unknown[]],
    ["dependency", Dependency, (d: Record<string, unknown>) => d.dependencies as unknown[]],
  ] as const)("validates against schema/%s.schema.json with ajv", (stem, zodSchema, pick) => {
    const validate = ajv().compile(entitySchema(stem, zodSchema));
    for (const item of pick(doc)) {
      const ok = validate(item);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("validates as a whole against the committed schema/report.schema.json", () => {
    const file = path.join(SCHEMA_DIR, "report.schema.json");
    expect(existsSync(file), `${file} is missing: run \`npm run schema\``).toBe(true);
    const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    // The committed file is the zod schema's export (test/schema/schema-files.test.ts checks staleness).
    expect(schema.title).toMatch(/^ReportDocument/);
    expect(Object.keys(schema.properties as object)).toEqual(Object.keys(ReportDocument.shape));
    const validate = ajv().compile(schema);
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(validate({ ...doc, report_version: 2 })).toBe(false);
    expect(validate({ ...doc, unexpected_field: 1 })).toBe(false);
    const { alerts: _alerts, ...withoutAlerts } = doc;
    expect(validate(withoutAlerts)).toBe(false);
    const deps = doc.dependencies as Array<Record<string, unknown>>;
    expect(validate({ ...doc, dependencies: [{ ...deps[0], advisories_checked: "yes" }] })).toBe(false);
  });

  it("throws ReportValidationError naming the field path when the assessment is invalid", () => {
    const bad = hostileAssessment();
    bad.components[1] = { ...bad.components[1], health_score: 1.7 };
    bad.issues[2] = { ...bad.issues[2], severity: "urgent" as never };
    let err: unknown;
    try {
      buildReportDocument(bad, { clock });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReportValidationError);
    const paths = (err as ReportValidationError).errors.map((e) => e.path);
    expect(paths).toContain("component_health[1].health_score");
    expect(paths).toContain("maintenance_issues[2].severity");
    expect((err as Error).message).toContain("component_health[1].health_score");
  });

  it("writes one line with indent 0", () => {
    expect(renderJson(a, { clock, indent: 0 }).trimEnd()).not.toContain("\n");
  });
});
