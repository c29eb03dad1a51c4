/**
 * Property-based fuzzing of the parsers outside the managers: the YAML front-end, the config
 * loader, test reports (JUnit, Cobertura, LCOV, Istanbul) and OSV records (parsing, matching,
 * scoring, loading a mirror). None may throw past its boundary or run past a time budget.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "../../src/config/load.js";
import { CowabungaConfig } from "../../src/config/schema.js";
import { parseReport } from "../../src/act/github/test-reports/index.js";
import { OsvOfflineIndex } from "../../src/enrich/advisories/osv-offline.js";
import { evaluateRecord, lowestFixedAtOrAbove } from "../../src/enrich/advisories/match.js";
import { scoreAdvisory } from "../../src/enrich/advisories/cvss.js";
import { parseOsvRecord } from "../../src/enrich/advisories/types.js";
import { parseYaml } from "../../src/scan/managers/yaml-ast.js";
import { fixture, fuzzParams, hostileText, mutated, withinBudget, withinBudgetAsync } from "./helpers.js";

const BUDGET_MS = 2_000;

const YAML_SEEDS = [
  fixture("scan/helm/mychart/values.yaml"),
  fixture("scan/actions/.github/workflows/ci.yml"),
  fixture("scan/zarf/pkg/zarf.yaml"),
  fixture("scan/npm/pnpm-v9/pnpm-lock.yaml"),
  "a: &x [1, 2]\nb: *x\nc: {<<: *x}\n---\n- &y {k: v}\n- *y\n",
];

describe("fuzz: YAML front-end (issue 10, item 11)", () => {
  it("parseYaml never throws: syntax problems come back as warnings with a line", () => {
    fc.assert(
      fc.property(hostileText(YAML_SEEDS), (text) => {
        const r = withinBudget(BUDGET_MS, "parseYaml", () => parseYaml("values.yaml", text, "helm"));
        expect(Array.isArray(r.docs)).toBe(true);
        for (const w of r.warnings) expect(w.file).toBe("values.yaml");
      }),
      fuzzParams(60),
    );
  });
});

describe("fuzz: config loader", () => {
  const seeds = [fixture("foundation/cowabunga.full.yml"), "schedule:\n  cron: '0 6 * * *'\ncomponents:\n  - name: api\n    paths: [api/**]\n"];
  it("parseConfigYaml never throws and always returns a complete, valid config", () => {
    fc.assert(
      fc.property(hostileText(seeds), (text) => {
        const { config, errors } = withinBudget(BUDGET_MS, "parseConfigYaml", () => parseConfigYaml(text, ".github/cowabunga.yml"));
        expect(CowabungaConfig.safeParse(config).success).toBe(true);
        for (const e of errors) {
          expect(e.file).toBe(".github/cowabunga.yml");
          expect(e.line === null || (Number.isInteger(e.line) && e.line >= 1)).toBe(true);
        }
      }),
      fuzzParams(50),
    );
  });
});

describe("fuzz: test reports", () => {
  const reports: Array<[string, string]> = [
    ["junit.xml", fixture("github-pr/reports/jest-junit.xml")],
    ["pytest-junit.xml", fixture("github-pr/reports/pytest-junit.xml")],
    ["cobertura.xml", fixture("github-pr/reports/cobertura.xml")],
    ["lcov.info", fixture("github-pr/reports/lcov.info")],
    ["coverage-summary.json", fixture("github-pr/reports/coverage-summary.json")],
  ];
  it("parseReport never throws: a bad report is an error result", () => {
    const input = fc.constantFrom(...reports).chain(([name, text]) => hostileText([text]).map((t) => [name, t] as const));
    fc.assert(
      fc.property(input, ([name, text]) => {
        const r = withinBudget(BUDGET_MS, `parseReport ${name}`, () => parseReport(name, text));
        if (r?.kind === "error") expect(r.error.length).toBeGreaterThan(0);
        if (r?.kind === "coverage") {
          // A percentage or null, never NaN or out of range: it feeds the health score.
          for (const v of [r.coverage.line_coverage, r.coverage.branch_coverage, r.coverage.function_coverage]) {
            expect(v === null || (Number.isFinite(v) && v >= 0 && v <= 100), String(v)).toBe(true);
          }
        }
      }),
      fuzzParams(150),
    );
  });
});

describe("fuzz: OSV records", () => {
  const seeds = [fixture("enrich/osv/mirror/PyPI/TEST-PY-1.json"), fixture("enrich/osv/mirror/PyPI/TEST-PY-2.json"), fixture("enrich/osv/mirror/npm/nested/TEST-NPM-1.json")];
  const seedObjects = seeds.map((s) => JSON.parse(s) as unknown);
  /** Records: mutated JSON text that still parses, or the seed objects with fields swapped for anything. */
  const record = fc.oneof(
    hostileText(seeds).map((t) => {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t;
      }
    }),
    fc.record({ base: fc.constantFrom(...seedObjects), key: fc.constantFrom("affected", "severity", "ranges", "events", "versions", "package", "id", "aliases", "database_specific"), value: fc.anything({ maxDepth: 3 }) }).map(({ base, key, value }) => {
      const copy = structuredClone(base) as Record<string, unknown>;
      const affected = (copy.affected as Array<Record<string, unknown>> | undefined)?.[0];
      if (key in copy) copy[key] = value;
      else if (affected && (key === "ranges" || key === "versions" || key === "package")) affected[key] = value;
      else if (affected && key === "events") (affected.ranges as Array<Record<string, unknown>> | undefined)?.forEach((r) => (r.events = value));
      return copy;
    }),
  );
  const version = fc.oneof(fc.constantFrom("2.3.0", "0", "1.0.0-rc.1", "v1.2.3", "1!2.0.post1", "", "latest"), fc.string({ maxLength: 12 }));

  it("parsing, matching, fixed-version search and scoring never throw", () => {
    fc.assert(
      fc.property(record, version, fc.constantFrom("PyPI", "npm", "Go", "crates.io", "Nope"), (value, v, eco) => {
        withinBudget(BUDGET_MS, "OSV record", () => {
          const r = parseOsvRecord(value);
          if (!r.ok) {
            expect(r.error.length).toBeGreaterThan(0);
            return;
          }
          const name = r.record.affected[0]?.package?.name ?? "x";
          const m = evaluateRecord(r.record, eco, name, v);
          expect(typeof m.affected).toBe("boolean");
          lowestFixedAtOrAbove(r.record, eco, name, v);
          scoreAdvisory(r.record, []);
        });
      }),
      fuzzParams(200),
    );
  });

  it("loading a mirror of hostile files never throws; bad files become warnings", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-fuzz-osv-"));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(hostileText(seeds), fc.constantFrom(...seeds).chain(mutated)), { minLength: 1, maxLength: 6 }), async (files) => {
          const dir = mkdtempSync(path.join(root, "m-"));
          files.forEach((text, i) => writeFileSync(path.join(dir, `R-${i}.json`), text));
          const index = await withinBudgetAsync(BUDGET_MS, "OsvOfflineIndex.load", () => OsvOfflineIndex.load(dir));
          expect(index.stats.files).toBe(files.length);
          const answers = await index.query([{ ecosystem: "PyPI", name: "example-pkg", version: "2.3.0" }]);
          expect(answers.size).toBe(1);
        }),
        fuzzParams(15),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
