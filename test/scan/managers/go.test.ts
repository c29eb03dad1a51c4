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
    const go = r.deps.filter((d) => d.name === "go");
    expect(go).toHaveLength(2);
    expect(go[0]).toMatchObject({ datasource: "golang-version", dependency_type: "runtime", current_value: "1.22.1", line: 3, group: "go" });
    expect(go[0].value_span).toEqual({ line: 3, start_column: 3, end_column: 9, text: "1.22.1" });
    // toolchain go1.22.4: the version without "go", the span on the digits only.
    expect(go[1]).toMatchObject({ datasource: "golang-version", dependency_type: "runtime", current_value: "1.22.4", version: "1.22.4", line: 5, group: "toolchain" });
    expect(go[1].value_span).toEqual({ line: 5, start_column: 12, end_column: 18, text: "1.22.4" });
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
    expect(find(r.deps, "github.com/swap/me")).toMatchObject({
      skip_reason: "replaced",
      notes: ["replaced by github.com/fork/me v1.1.1 (line 20): that is the version built"],
    });
    expect(find(r.deps, "github.com/swap/me").value_span ?? null).toBeNull();
    expect(find(r.deps, "github.com/fork/me")).toMatchObject({ current_value: "v1.1.1", dependency_type: "override", line: 20, group: "replace", notes: ["replaces github.com/swap/me v1.1.0"] });
    expect(r.deps.find((d) => d.name === "github.com/only/transitive")).toBeUndefined();
    expect(r.deps.find((d) => d.name === "github.com/pkg/errors" && d.version === "v0.8.0")).toBeUndefined();
  });
  it("lists required modules as locked, except local replacements", () => {
    expect(r.locked?.map((l) => l.name)).not.toContain("github.com/local/mod");
    // What is built: the fork, not the replaced module.
    expect(r.locked?.map((l) => l.name)).not.toContain("github.com/swap/me");
    expect(r.locked).toContainEqual({ name: "github.com/fork/me", version: "v1.1.1", datasource: "go" });
    expect(r.locked).toContainEqual({ name: "golang.org/x/net", version: "v0.0.0-20240101120000-abcdef123456", datasource: "go" });
    expect(r.warnings).toEqual([]);
  });
  it("forks: versioned replaces are dependencies, the replaced require reports the version built, local replaces are noted", () => {
    const f = run("forks/go.mod");
    expect(f.warnings).toEqual([]);
    const text = ctx.readFile("forks/go.mod")!.split("\n");
    const fork = find(f.deps, "github.com/example/memberlist");
    expect(fork).toMatchObject({ current_value: "v0.3.1-0.20260515134459-1798cf41aca7", dependency_type: "override", datasource: "go", line: 17 });
    expect(fork.notes).toEqual(["replaces github.com/hashicorp/memberlist", "pseudo-version"]);
    const sp = fork.value_span!;
    expect(text[sp.line - 1].slice(sp.start_column, sp.end_column)).toBe(fork.current_value);
    expect(find(f.deps, "github.com/hashicorp/memberlist")).toMatchObject({ skip_reason: "replaced", version: "v0.5.1" });
    // Same module path: the require's effective version is the replacement's.
    const syslog = f.deps.filter((d) => d.name === "github.com/leodido/go-syslog/v4");
    expect(syslog.map((d) => [d.line, d.current_value, d.version, d.dependency_type])).toEqual([
      [11, "v4.1.0", "v4.6.0", "prod"],
      [22, "v4.6.0", "v4.6.0", "override"],
    ]);
    expect(find(f.deps, "./pkg/push")).toMatchObject({ skip_reason: "local-replace", local_path: "forks/pkg/push", dependency_type: "override", line: 24 });
    expect(find(f.deps, "github.com/example/logs/pkg/push").notes).toEqual(["pseudo-version", "replaced by local path ./pkg/push"]);
    // An unreplaced require carries its span too.
    const client = find(f.deps, "k8s.io/client-go");
    expect(client.value_span).toEqual({ line: 12, start_column: 18, end_column: 25, text: "v0.31.0" });
    expect(f.deps.filter((d) => d.name === "go").map((d) => [d.group, d.current_value])).toEqual([
      ["go", "1.25.7"],
      ["toolchain", "1.26.6"],
    ]);
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
