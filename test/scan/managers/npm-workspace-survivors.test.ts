/**
 * pnpm-workspace.yaml and .nvmrc corners left by the mutation run of
 * src/scan/managers/npm/workspace-manifest.ts (issue 18). Oracles: pnpm's catalogs docs
 * (https://pnpm.io/catalogs: a package.json refers to an entry with `catalog:`; the workspace file
 * that governs a package is the one of its workspace), nvm's README (.nvmrc holds one version),
 * the byte order mark being a file-start marker only, and hand-written repositories.
 */
import { describe, expect, it } from "vitest";
import { npmManager } from "../../../src/scan/managers/npm.js";
import type { ExtractContext, ManagerResult } from "../../../src/scan/types.js";

function repo(files: Record<string, string>): ExtractContext {
  return { allFiles: Object.keys(files), readFile: (p) => files[p] };
}
const extract = (path: string, content: string, ctx: ExtractContext): ManagerResult => npmManager.extract(path, content, ctx);

const WS = "catalog:\n  react: ^18.3.1\n  zod: 3.23.8\n";
const USES_REACT = JSON.stringify({ dependencies: { react: "catalog:" } });

describe("pnpm-workspace.yaml catalog references", () => {
  it("the root workspace file: the root package.json's reference hides its entry", () => {
    const r = extract("pnpm-workspace.yaml", WS, repo({ "pnpm-workspace.yaml": WS, "package.json": USES_REACT }));
    expect(r.deps.map((d) => d.name)).toEqual(["zod"]);
  });

  it("a workspace file the repository does not list governs no package.json: every entry is listed", () => {
    const r = extract("pnpm-workspace.yaml", WS, repo({ "package.json": USES_REACT, "apps/a/package.json": USES_REACT }));
    expect(r.deps.map((d) => [d.name, d.line])).toEqual([
      ["react", 2],
      ["zod", 3],
    ]);
  });

  it("a package.json that is not JSON refers to nothing", () => {
    const r = extract("pnpm-workspace.yaml", WS, repo({ "pnpm-workspace.yaml": WS, "package.json": '{ "dependencies": { "react": "catalog:" ' }));
    expect(r.deps.map((d) => d.name)).toEqual(["react", "zod"]);
  });

  it("a warning without a line names the file alone", () => {
    // A syntax error first sends the file to the fallback parser, whose depth pre-scan has no line.
    const text = `a: b: c\nx: ${"[".repeat(300)}${"]".repeat(300)}\n`;
    const r = extract("pnpm-workspace.yaml", text, repo({ "pnpm-workspace.yaml": text }));
    expect(r.deps).toEqual([]);
    expect(r.warnings).toEqual([{ file: "pnpm-workspace.yaml", line: null, manager: "npm", message: "pnpm-workspace.yaml: YAML is nested deeper than 200 levels; file skipped" }]);
  });
});

describe(".nvmrc byte order mark", () => {
  it("only a mark at the start of the file is dropped; one inside the version stays in its text", () => {
    expect(extract(".nvmrc", "\uFEFF20.1.0\n", repo({})).deps[0]).toMatchObject({ current_value: "20.1.0", version: "20.1.0", skip_reason: null });
    expect(extract(".nvmrc", "20.\uFEFF1.0\n", repo({})).deps[0].current_value).toBe("20.\uFEFF1.0");
  });
});
