/**
 * Updates of the kinds added by issue 14, through the generic span edit: the scan records where the
 * version is written, updateManifest replaces that span and extracts the file again to check it.
 * Dependencies come from a real scan of test/fixtures/scan/fidelity2 and test/fixtures/scan/go/forks.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { updateManifest } from "../../../../src/act/github/updaters/index.js";
import { rewriteVersionText } from "../../../../src/act/github/updaters/span.js";
import { scanRepository } from "../../../../src/scan/index.js";
import type { ExtractedDependency } from "../../../../src/scan/types.js";
import { LocalSource } from "../../../../src/source/local.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../fixtures/scan");
const deps = new Map<string, ExtractedDependency[]>();
beforeAll(async () => {
  for (const dir of ["fidelity2", "go/forks"]) deps.set(dir, (await scanRepository(new LocalSource(path.join(FIXTURES, dir)))).dependencies);
});

function dep(dir: string, file: string, name: string, pick: (d: ExtractedDependency) => boolean = () => true): ExtractedDependency {
  const hits = deps.get(dir)!.filter((d) => d.file === file && d.name === name && pick(d));
  expect(hits.length, `${file} ${name}`).toBeGreaterThan(0);
  return hits[0];
}
const read = (dir: string, file: string): string => readFileSync(path.join(FIXTURES, dir, file), "utf8");

/** Update and return the changed line of the result. */
function update(dir: string, d: ExtractedDependency, to: string, content = read(dir, d.file)): string {
  const r = updateManifest(d.file, content, d, to);
  if ("error" in r) throw new Error(r.error);
  const before = content.split("\n");
  const after = r.content.split("\n");
  expect(after.length).toBe(before.length);
  const changed = after.filter((l, i) => l !== before[i]);
  expect(changed, "exactly one line changes").toHaveLength(1);
  return changed[0];
}

describe("span updates of the new kinds", () => {
  it("a pnpm catalog entry (the line a catalog: reference resolves to)", () => {
    const d = dep("fidelity2", "pnpm-workspace.yaml", "@antfu/eslint-config");
    expect(update("fidelity2", d, "9.4.1")).toBe("    '@antfu/eslint-config': ^9.4.1");
    expect(update("fidelity2", dep("fidelity2", "pnpm-workspace.yaml", "react"), "19.3.0")).toBe("  react: 19.3.0");
    expect(update("fidelity2", dep("fidelity2", "pnpm-workspace.yaml", "unused-tool"), "1.2.0")).toBe("    unused-tool: ^1.2.0");
  });

  it("overrides: pnpm-workspace.yaml, pnpm.overrides, resolutions with a selector, npm nested", () => {
    expect(update("fidelity2", dep("fidelity2", "pnpm-workspace.yaml", "cheerio"), "1.0.0")).toBe("  enzyme>cheerio: 1.0.0");
    expect(update("fidelity2", dep("fidelity2", "pnpm-workspace.yaml", "protobufjs"), "8.7.0")).toBe("  'protobufjs@8': 8.7.0");
    expect(update("fidelity2", dep("fidelity2", "package.json", "cheerio"), "1.0.0")).toBe('      "enzyme>cheerio": "1.0.0",');
    expect(update("fidelity2", dep("fidelity2", "package.json", "lru-cache"), "10.4.4")).toBe('    "lru-cache@^10.0.1": "10.4.4",');
    expect(update("fidelity2", dep("fidelity2", "packages/core/package.json", "cheerio"), "1.0.0")).toBe('      "cheerio": "1.0.0"');
  });

  it("Node runtime: engines.node, .nvmrc, .node-version, packageManager", () => {
    expect(update("fidelity2", dep("fidelity2", "package.json", "node"), "22.12.0")).toBe('    "node": ">=22.12"');
    expect(update("fidelity2", dep("fidelity2", ".nvmrc", "node"), "24.15.0")).toBe("24.15.0");
    expect(update("fidelity2", dep("fidelity2", "tools/.node-version", "node"), "24.15.0")).toBe("v24");
    expect(update("fidelity2", dep("fidelity2", "package.json", "pnpm"), "11.2.3")).toBe('  "packageManager": "pnpm@11.2.3",');
  });

  it("Python runtime: requires-python keeps its upper bound, Poetry ^, .python-version, Pipfile", () => {
    expect(update("fidelity2", dep("fidelity2", "api/pyproject.toml", "python"), "3.15.0")).toBe('requires-python = ">=3.15,<4.0"');
    expect(update("fidelity2", dep("fidelity2", "legacy/pyproject.toml", "python"), "3.9")).toBe('python = "^3.9"');
    expect(update("fidelity2", dep("fidelity2", "api/.python-version", "python"), "3.15.1")).toBe("3.15");
    expect(update("fidelity2", dep("fidelity2", "svc/Pipfile", "python"), "3.12.4")).toBe('python_version = "3.12"');
    // Past the upper bound is a human decision.
    const r = updateManifest("api/pyproject.toml", read("fidelity2", "api/pyproject.toml"), dep("fidelity2", "api/pyproject.toml", "python"), "4.0.0");
    expect(r).toEqual({ error: expect.stringMatching(/^api\/pyproject\.toml:5: ">=3\.14,<4\.0" of "python" is not a simple version or range/) });
  });

  it("Rust toolchain and the Dockerfile syntax directive", () => {
    expect(update("fidelity2", dep("fidelity2", "rust/rust-toolchain.toml", "rust"), "1.82.0")).toBe('channel = "1.82.0"');
    // The major-only tag keeps its precision: 1 → 2; a 1.x release is already what "1" means.
    const syntax = dep("fidelity2", "svc/Dockerfile", "docker/dockerfile");
    expect(update("fidelity2", syntax, "2.0.0")).toBe("# syntax=docker/dockerfile:2");
    expect(updateManifest(syntax.file, read("fidelity2", syntax.file), syntax, "1.9.0")).toEqual({ error: expect.stringMatching(/already at 1\.9\.0/) });
  });

  it("Go: a versioned replace, the go line and the toolchain line", () => {
    const fork = dep("go/forks", "go.mod", "github.com/example/memberlist");
    expect(update("go/forks", fork, "v0.4.0")).toBe("\tgithub.com/hashicorp/memberlist => github.com/example/memberlist v0.4.0");
    const [goLine, toolchain] = deps.get("go/forks")!.filter((d) => d.file === "go.mod" && d.name === "go");
    expect(update("go/forks", goLine, "1.26.0")).toBe("go 1.26.0");
    expect(update("go/forks", toolchain, "1.26.7")).toBe("toolchain go1.26.7");
    expect(update("go/forks", dep("go/forks", "go.mod", "k8s.io/client-go"), "v0.32.1")).toBe("\tk8s.io/client-go v0.32.1");
  });

  it("keeps CRLF line endings", () => {
    const d = dep("fidelity2", "pnpm-workspace.yaml", "zod");
    const crlf = read("fidelity2", "pnpm-workspace.yaml").replace(/\n/g, "\r\n");
    const r = updateManifest(d.file, crlf, d, "4.2.0");
    expect("content" in r && r.content).toBe(crlf.replace("zod: ^4.1.0", "zod: ^4.2.0"));
  });

  it("refuses when the file changed since the scan, naming file and line", () => {
    const d = dep("fidelity2", "pnpm-workspace.yaml", "zod");
    const changed = read("fidelity2", "pnpm-workspace.yaml").replace("zod: ^4.1.0", "zod: ^4.1.5");
    expect(updateManifest(d.file, changed, d, "4.2.0")).toEqual({ error: expect.stringMatching(/^pnpm-workspace\.yaml:16: expected "\^4\.1\.0" at column 8, found "\^4\.1\.5": the file changed since the scan/) });
  });

  it("refuses a span that does not hold a version of that dependency (a hostile marker)", () => {
    const d = dep("fidelity2", "pnpm-workspace.yaml", "zod");
    // The span points at another entry's text: the re-extraction does not read zod's new value there.
    const other = { ...d, value_span: { line: 15, start_column: 9, end_column: 15, text: "19.2.1" } };
    expect(updateManifest(d.file, read("fidelity2", d.file), other, "4.2.0")).toEqual({ error: expect.stringMatching(/was not read back/) });
    const bad = { ...d, value_span: { line: -1, start_column: 0, end_column: 1, text: "x" } };
    expect(updateManifest(d.file, read("fidelity2", d.file), bad, "4.2.0")).toEqual({ error: expect.stringMatching(/recorded position .* is not valid/) });
  });

  it("already at the version: nothing to change", () => {
    const d = dep("fidelity2", ".nvmrc", "node");
    expect(updateManifest(d.file, read("fidelity2", d.file), d, "24.14.0")).toEqual({ error: ".nvmrc:1: node is already at 24.14.0; nothing changed" });
  });
});

describe("rewriteVersionText", () => {
  it.each([
    ["^3.8", "3.9.2", "^3.9"],
    ["3.14", "3.15.1", "3.15"],
    ["24.14.0", "24.15.0", "24.15.0"],
    ["~5.9.3", "5.10.0", "~5.10.0"],
    [">=20.18", "22.12.0", ">=22.12"],
    ["v0.3.1-0.20260515134459-1798cf41aca7", "v0.4.0", "v0.4.0"],
    ["1.0.0-rc.12", "1.0.0", "1.0.0"],
    ["==3.12.1", "3.13.0", "==3.13.0"],
    [">=3.14,<4.0", "3.15.0", ">=3.15,<4.0"],
    [">=1.2.0 <2", "2.1.0", ">=2.1.0 <3"],
  ])("%s → %s gives %s", (cur, to, want) => {
    expect(rewriteVersionText(cur, to)).toBe(want);
  });
  it.each([["^1 || ^2"], ["*"], [">=3.8,!=3.9.*"], ["latest"]])("refuses %s", (cur) => {
    expect(rewriteVersionText(cur, "3.0.0")).toBeNull();
  });
  it("refuses a target that is not a version", () => {
    expect(rewriteVersionText("^1.0.0", "next")).toBeNull();
  });
});
