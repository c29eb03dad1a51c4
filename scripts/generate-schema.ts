/**
 * Writes schema/<entity>.schema.json (JSON Schema draft 2020-12) for every model entity, from the zod
 * schemas in src/model, plus the config file's schema and the JSON report document's
 * (src/act/report/json.ts). Run `npm run schema` after changing a schema;
 * test/schema/schema-files.test.ts fails while the committed files are stale.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { ReportDocument } from "../src/act/report/json.js";
import { CowabungaConfig } from "../src/config/schema.js";
import {
  ComponentHealth,
  Dependency,
  MaintenanceIssue,
  MaintenanceRecord,
  RiskLevel,
  SystemHealth,
  TestResult,
} from "../src/model/index.js";

/** file stem → [title, schema, io]. Entities describe stored output; the config describes what users write. */
const ENTITIES: Record<string, [string, z.ZodType, "input" | "output"]> = {
  system_health: ["SystemHealth", SystemHealth, "output"],
  component_health: ["ComponentHealth", ComponentHealth, "output"],
  maintenance_issue: ["MaintenanceIssue", MaintenanceIssue, "output"],
  dependency: ["Dependency", Dependency, "output"],
  maintenance_record: ["MaintenanceRecord", MaintenanceRecord, "output"],
  test_result: ["TestResult", TestResult, "output"],
  risk_level: ["RiskLevel", RiskLevel, "output"],
  cowabunga_config: ["CowabungaConfig (.github/cowabunga.yml)", CowabungaConfig, "input"],
  report: ["ReportDocument (cowabunga report --format json; GET /api/v1/repos/{owner}/{repo}/reports/json)", ReportDocument, "output"],
};

/** The generated files, name → exact text (2-space JSON, trailing newline). */
export function buildSchemaFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [stem, [title, schema, io]] of Object.entries(ENTITIES)) {
    const json = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
    const { $schema, ...rest } = json;
    const doc = { $schema, title, ...rest };
    out.set(`${stem}.schema.json`, `${JSON.stringify(doc, null, 2)}\n`);
  }
  return out;
}

export const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../schema");

function main(): void {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [name, text] of buildSchemaFiles()) {
    writeFileSync(path.join(SCHEMA_DIR, name), text);
    console.log(`wrote schema/${name}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
