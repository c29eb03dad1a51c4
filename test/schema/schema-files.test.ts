import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SCHEMA_DIR, buildSchemaFiles } from "../../scripts/generate-schema.js";
import {
  makeComponentHealth,
  makeDependency,
  makeIssue,
  makeRecord,
  makeRiskLevel,
  makeSystemHealth,
  makeTestResult,
} from "../helpers/factories.js";

const STALE = "schema/ is stale: run `npm run schema` and commit the result";
const generated = buildSchemaFiles();

describe("committed JSON Schema files", () => {
  it("exist for exactly the generated set", () => {
    const committed = existsSync(SCHEMA_DIR) ? readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".schema.json")).sort() : [];
    expect(committed, STALE).toEqual([...generated.keys()].sort());
  });

  it.each([...generated.keys()])("%s is up to date", (name) => {
    const file = path.join(SCHEMA_DIR, name);
    const text = existsSync(file) ? readFileSync(file, "utf8") : "(missing)";
    expect(text === generated.get(name), `${name}: ${STALE}`).toBe(true);
  });

  it("generation is deterministic", () => {
    expect([...buildSchemaFiles()]).toEqual([...generated]);
  });
});

describe("generated schemas agree with the zod schemas", () => {
  // ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const load = (name: string) => ajv.compile(JSON.parse(generated.get(name) ?? "{}") as object);

  const cases: [string, unknown][] = [
    ["system_health.schema.json", makeSystemHealth({ components: [{ name: "a", status: "warning", health_score: 0.5, issues: [makeIssue()], last_check: "2026-01-01T00:00:00Z", dependencies: [] }], last_maintenance: makeRecord() })],
    ["component_health.schema.json", makeComponentHealth()],
    ["maintenance_issue.schema.json", makeIssue()],
    ["dependency.schema.json", makeDependency()],
    ["maintenance_record.schema.json", makeRecord()],
    ["test_result.schema.json", makeTestResult()],
    ["risk_level.schema.json", makeRiskLevel()],
  ];

  it.each(cases)("%s accepts the factory document and rejects a broken one", (name, doc) => {
    const validate = load(name);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const broken = { ...(doc as Record<string, unknown>), unexpected_field: 1 };
    expect(validate(broken)).toBe(false);
  });

  it("the config schema accepts the complete example", () => {
    const example = parseYaml(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/foundation/cowabunga.full.yml"), "utf8"));
    const validate = load("cowabunga_config.schema.json");
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ updates: { max_open_prs: "five" } })).toBe(false);
  });
});
