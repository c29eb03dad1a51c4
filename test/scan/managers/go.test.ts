import { describe, expect, it } from "vitest";
import { goManager } from "../../../src/scan/managers/go.js";
import type { ExtractedDependency } from "../../../src/scan/types.js";
import { FIXTURES, fixtureCtx } from "./fixture-ctx.js";

const ctx = fixtureCtx(`${FIXTURES}/go`);
const run = (file: string) => goManager.extract(file, ctx.readFile(file) ?? "", ctx);
const find = (deps: ExtractedDependency[], name: string) => {
  const d = deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dep ${name}`);
  return d;
};

describe("goManager", () => {
  it("matches go.mod only", () => {
    expect(goManager.matches("website/go.mod")).toBe(true);
    expect(goManager.matches("go.sum")).toBe(false);
    expect(goManager.companions?.("website/go.mod")).toEqual(["website/go.sum"]);
  });

  const r = run("app/go.mod");
  it("reads module, go and toolchain", () => {
    expect(r.meta).toEqual({ primary: true, name: "github.com/example/app", go_version: "1.22.1" });
    expect(find(r.deps, "go")).toMatchObject({ datasource: "none", dependency_type: "build", current_value: "1.22.1", line: 3 });
    expect(find(r.deps, "toolchain")).toMatchObject({ datasource: "none", current_value: "go1.22.4", version: "1.22.4" });
  });
  it("reads single and block requires, quoted paths, indirect and pseudo-versions", () => {
    expect(find(r.deps, "github.com/single/dep")).toMatchObject({ line: 7, version: "v1.0.0", datasource: "go", dependency_type: "prod" });
    expect(find(r.deps, "github.com/pkg/errors").line).toBe(10);
    expect(find(r.deps, "golang.org/x/net")).toMatchObject({ version: "v0.0.0-20240101120000-abcdef123456", notes: ["indirect", "pseudo-version"] });
    expect(find(r.deps, "github.com/twbs/bootstrap")).toMatchObject({ version: "v5.3.3+incompatible", notes: ["indirect"] });
    expect(find(r.deps, "github.com/quoted/mod").line).toBe(15);
  });
  it("applies replace directives", () => {
    expect(find(r.deps, "github.com/local/mod")).toMatchObject({ local_path: "mod", skip_reason: "local-replace" });
    expect(find(r.deps, "github.com/swap/me").notes).toEqual(["replaced by github.com/fork/me v1.1.1"]);
    expect(r.deps.find((d) => d.name === "github.com/only/transitive")).toBeUndefined();
    expect(r.deps.find((d) => d.name === "github.com/pkg/errors" && d.version === "v0.8.0")).toBeUndefined();
  });
  it("lists required modules as locked, except local replacements", () => {
    expect(r.locked?.map((l) => l.name)).not.toContain("github.com/local/mod");
    expect(r.locked).toContainEqual({ name: "golang.org/x/net", version: "v0.0.0-20240101120000-abcdef123456", datasource: "go" });
    expect(r.warnings).toEqual([]);
  });
  it("warns on malformed lines, an unclosed block and a missing go.sum, and keeps the rest", () => {
    const bad = run("nosum/go.mod");
    expect(bad.deps.map((d) => d.name)).toEqual(["go", "example.com/x", "example.com/z"]);
    expect(bad.warnings.map((w) => w.line)).toEqual([6, 7, 8, null]);
    expect(bad.warnings[3].message).toMatch(/nosum\/go.sum is missing/);
  });
  it("survives hostile input", () => {
    const res = goManager.extract("go.mod", 'module "unterminated\nrequire (\n\u0000\u0007 v1\n', { readFile: () => undefined, allFiles: [] });
    expect(res.warnings.length).toBeGreaterThan(0);
    expect(res.warnings.every((w) => w.file === "go.mod")).toBe(true);
  });
});
