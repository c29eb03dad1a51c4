import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Start-up time of `cowabunga scan --no-enrich`: the modules it statically imports (from the CLI's
// entry, following every non-type import) must not include the heavy ones that only the enriched,
// report and store paths use. Those are loaded with `await import()` where needed.

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.resolve(here, "../..");

/** Value imports and re-exports of a TS module: `import type` and `export type` cost nothing at run time. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gms;
  for (const m of text.matchAll(re)) {
    if (m[5]) {
      out.push(m[5]);
      continue;
    }
    if (m[2]) continue;
    const clause = m[3].trim();
    // `import { type A, type B } from` is type-only too.
    if (/^\{[^}]*\}$/.test(clause) && clause.slice(1, -1).split(",").every((p) => p.trim() === "" || /^type\s/.test(p.trim()))) continue;
    out.push(m[4]);
  }
  return out;
}

function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith(".")) todo.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
      else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    }
  }
  return { files, packages };
}

describe("CLI start-up imports", () => {
  const { files, packages } = closure(path.join(project, "src", "cli", "main.ts"));
  const rel = [...files].map((f) => path.relative(project, f).split(path.sep).join("/"));

  it("walks the scan-only path (sanity: the walk finds the scan and the CLI commands)", () => {
    expect(rel).toContain("src/cli/commands/scan.ts");
    expect(rel).toContain("src/cli/commands/report.ts");
    expect(rel).toContain("src/scan/index.ts");
    expect(packages.has("commander")).toBe(true);
  });

  it("loads no pipeline, enrichment, report, store, assessment table or config loader at start-up", () => {
    const heavy = rel.filter((f) =>
      /^src\/(pipeline\/|enrich\/|act\/report\/|assess\/(?!types\.ts)|store\/file-store\.ts|config\/(load|schema)\.ts|cli\/format\/assessment-table\.ts)/.test(f),
    );
    expect(heavy).toEqual([]);
  });

  it("loads neither zod nor cli-progress at start-up", () => {
    expect(packages.has("zod")).toBe(false);
    expect(packages.has("cli-progress")).toBe(false);
  });
});
