/**
 * Property-based fuzzing of every manager (manifests and their lockfiles), at the manager's
 * boundary: `extract` must never throw, must answer within a time budget, and must return a
 * well-formed result whatever the file holds. Seeds are the scan fixtures; inputs are mutations
 * of them (and of their lockfiles) plus text from scratch. Seeded and bounded: see helpers.ts.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALL_MANAGERS } from "../../src/scan/managers/index.js";
import type { ExtractContext, Manager, ManagerResult } from "../../src/scan/types.js";
import { FIXTURES, fixture, fuzzParams, hostileText, withinBudget } from "./helpers.js";

/** Per input: generous for a shared, loaded CI machine; an alias or backtracking blow-up takes seconds to minutes. */
const BUDGET_MS = 2_000;

interface Case {
  manager: Manager["name"];
  /** Fixture folder standing for the repository root. */
  dir: string;
  manifest: string;
  /** Other files of the repository the manager may read (lockfiles, includes, workspace members). */
  companions: string[];
}

const CASES: Case[] = [
  { manager: "npm", dir: "scan/npm/basic", manifest: "package.json", companions: ["package-lock.json"] },
  { manager: "npm", dir: "scan/npm/lock-v1", manifest: "package.json", companions: ["package-lock.json"] },
  { manager: "npm", dir: "scan/npm/yarn-classic", manifest: "package.json", companions: ["yarn.lock", "packages/app/package.json"] },
  { manager: "npm", dir: "scan/npm/yarn-berry", manifest: "package.json", companions: ["yarn.lock", "packages/lib/package.json"] },
  { manager: "npm", dir: "scan/npm/pnpm-v5", manifest: "package.json", companions: ["pnpm-lock.yaml"] },
  { manager: "npm", dir: "scan/npm/pnpm-v9", manifest: "package.json", companions: ["pnpm-lock.yaml", "pnpm-workspace.yaml", "packages/ui/package.json"] },
  { manager: "pip", dir: "scan/pip/reqs", manifest: "requirements.txt", companions: ["requirements/base.txt", "constraints.txt"] },
  { manager: "pip", dir: "scan/pip/pep621", manifest: "pyproject.toml", companions: [] },
  { manager: "pip", dir: "scan/pip/poetry", manifest: "pyproject.toml", companions: ["poetry.lock"] },
  { manager: "pip", dir: "scan/pip/pipenv", manifest: "Pipfile", companions: ["Pipfile.lock"] },
  { manager: "pip", dir: "scan/pip/uvws", manifest: "packages/lib/pyproject.toml", companions: ["uv.lock"] },
  { manager: "cargo", dir: "scan/cargo/ws", manifest: "Cargo.toml", companions: ["Cargo.lock", "crates/app/Cargo.toml"] },
  { manager: "go", dir: "scan/go/app", manifest: "go.mod", companions: ["go.sum"] },
  { manager: "docker", dir: "scan/docker", manifest: "Dockerfile.multistage", companions: [] },
  { manager: "docker", dir: "scan/docker", manifest: "docker-compose.yml", companions: [".env"] },
  { manager: "github-actions", dir: "scan/actions", manifest: ".github/workflows/ci.yml", companions: [] },
  { manager: "github-actions", dir: "scan/actions", manifest: ".github/actions/setup/action.yml", companions: [] },
  { manager: "helm", dir: "scan/helm/mychart", manifest: "Chart.yaml", companions: ["values.yaml"] },
  { manager: "helm", dir: "scan/helm/mychart", manifest: "values.yaml", companions: ["Chart.yaml"] },
  { manager: "helm", dir: "scan/helm/legacy", manifest: "Chart.yaml", companions: ["requirements.yaml"] },
  { manager: "zarf", dir: "scan/zarf/pkg", manifest: "zarf.yaml", companions: [] },
  { manager: "uds", dir: "scan/uds/bundles/dev", manifest: "uds-bundle.yaml", companions: [] },
];

function managerOf(name: Manager["name"]): Manager {
  const m = ALL_MANAGERS.find((x) => x.name === name);
  if (!m) throw new Error(`no manager ${name}`);
  return m;
}

function checkResult(r: ManagerResult, manifest: string): void {
  expect(Array.isArray(r.deps)).toBe(true);
  expect(Array.isArray(r.warnings)).toBe(true);
  for (const w of r.warnings) {
    expect(typeof w.message).toBe("string");
    expect(w.message.length).toBeGreaterThan(0);
  }
  for (const d of r.deps) {
    expect(typeof d.name).toBe("string");
    expect(typeof d.version).toBe("string");
    expect(typeof d.file).toBe("string");
  }
  void manifest;
}

describe("fuzz: managers never throw and stay within a time budget (issue 10, item 11)", () => {
  it("every case's manifest is one its manager extracts, and its files exist", () => {
    for (const c of CASES) {
      expect(managerOf(c.manager).matches(c.manifest), `${c.manager} ${c.manifest}`).toBe(true);
      for (const f of [c.manifest, ...c.companions]) expect(existsSync(path.join(FIXTURES, c.dir, f)), `${c.dir}/${f}`).toBe(true);
    }
  });

  for (const c of CASES) {
    it(`${c.manager}: ${c.dir}/${c.manifest} and its companions`, () => {
      const manager = managerOf(c.manager);
      const files = [c.manifest, ...c.companions];
      const originals = new Map(files.map((f) => [f, fixture(`${c.dir}/${f}`)] as const));
      const input = fc.integer({ min: 0, max: files.length - 1 }).chain((i) => hostileText([originals.get(files[i]) as string]).map((text) => ({ file: files[i], text })));
      fc.assert(
        fc.property(input, ({ file, text }) => {
          const contents = new Map(originals);
          contents.set(file, text);
          const ctx: ExtractContext = { allFiles: files, readFile: (p) => contents.get(path.posix.normalize(p)) };
          const r = withinBudget(BUDGET_MS, `${c.manager} on ${file}`, () => manager.extract(c.manifest, contents.get(c.manifest) as string, ctx));
          checkResult(r, c.manifest);
        }),
        fuzzParams(files.length > 1 ? 20 : 12),
      );
    });
  }
});
