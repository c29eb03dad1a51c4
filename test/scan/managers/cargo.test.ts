import { describe, expect, it } from "vitest";
import { cargoManager } from "../../../src/scan/managers/cargo.js";
import { parseCargoReq } from "../../../src/scan/managers/cargo/version-req.js";
import type { ExtractedDependency } from "../../../src/scan/types.js";
import { FIXTURES, fixtureCtx } from "./fixture-ctx.js";

const ctx = fixtureCtx(`${FIXTURES}/cargo`);
const run = (file: string) => cargoManager.extract(file, ctx.readFile(file) ?? "", ctx);
const find = (deps: ExtractedDependency[], name: string) => {
  const d = deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dep ${name}`);
  return d;
};

describe("parseCargoReq", () => {
  it("treats a bare version as a caret requirement and pads the lower bound", () => {
    expect(parseCargoReq("1.2")).toMatchObject({ lower: "1.2.0", range: "^1.2" });
    expect(parseCargoReq("=0.4.20").lower).toBe("0.4.20");
    expect(parseCargoReq("~1.0.83").lower).toBe("1.0.83");
    expect(parseCargoReq(">=1.5, <2")).toMatchObject({ lower: "1.5.0", range: ">=1.5 <2" });
    expect(parseCargoReq("1.*").lower).toBe("1.0.0");
    expect(parseCargoReq("*").lower).toBeNull();
    expect(parseCargoReq("latest").error).toMatch(/invalid Cargo version requirement/);
  });
});

describe("cargoManager", () => {
  it("matches Cargo.toml and names Cargo.lock / ancestor manifests as companions", () => {
    expect(cargoManager.matches("rust/crates/a/Cargo.toml")).toBe(true);
    expect(cargoManager.matches("Cargo.lock")).toBe(false);
    expect(cargoManager.companions?.("a/b/Cargo.toml")).toEqual(["a/b/Cargo.lock", "a/Cargo.toml", "a/Cargo.lock", "Cargo.toml", "Cargo.lock"]);
  });

  const app = run("ws/crates/app/Cargo.toml");
  it("reads package meta, inheriting workspace version and rust-version", () => {
    expect(app.meta).toEqual({ primary: true, name: "app", version: "0.4.0", rust_version: "1.80" });
  });
  it("inherits workspace dependencies and keeps the member's optional flag", () => {
    expect(find(app.deps, "serde")).toMatchObject({ line: 7, dependency_type: "optional", current_value: "1.0", locked_version: "1.0.197", notes: ["inherited from workspace ws/Cargo.toml"] });
    expect(find(app.deps, "util")).toMatchObject({ local_path: "ws/crates/util", skip_reason: "path-dependency" });
  });
  it("picks the lockfile version matching the requirement when several are locked", () => {
    expect(find(app.deps, "rand")).toMatchObject({ current_value: "0.8", locked_version: "0.8.5" });
    const util = run("ws/crates/util/Cargo.toml");
    expect(find(util.deps, "rand")).toMatchObject({ current_value: "0.7", locked_version: "0.7.3" });
    expect(util.locked).toHaveLength(5);
  });
  it("handles renamed, git, exact, range, dev, build, target and header-table deps", () => {
    expect(find(app.deps, "serde_json")).toMatchObject({ current_value: "1", locked_version: "1.0.114", notes: ["renamed as json"] });
    expect(find(app.deps, "mygit")).toMatchObject({ datasource: "git", current_value: "v0.2.0", registry_url: "https://github.com/org/mygit", skip_reason: "git-dependency" });
    expect(find(app.deps, "log")).toMatchObject({ version: "0.4.20", locked_version: null });
    expect(find(app.deps, "regex").version).toBe("1.5.0");
    expect(find(app.deps, "pretty_assertions")).toMatchObject({ dependency_type: "dev", line: 18 });
    expect(find(app.deps, "cc")).toMatchObject({ dependency_type: "build", version: "1.0.83" });
    expect(find(app.deps, "libc")).toMatchObject({ dependency_type: "prod", line: 24, notes: ["target: cfg(unix)"] });
    expect(find(app.deps, "winapi")).toMatchObject({ dependency_type: "dev", line: 27 });
    expect(find(app.deps, "bytes")).toMatchObject({ line: 29, version: "1.5.0" });
  });
  it("warns about a workspace dependency missing from the root", () => {
    expect(find(app.deps, "missing").skip_reason).toBe("workspace-dependency-not-found");
    expect(app.warnings).toEqual([expect.objectContaining({ line: 15, message: expect.stringContaining("missing") })]);
  });
  it("reports the workspace root's members and workspace.dependencies", () => {
    const root = run("ws/Cargo.toml");
    expect(root.meta).toEqual({ primary: true, workspaces: ["crates/*"], rust_version: "1.80" });
    expect(find(root.deps, "tokio")).toMatchObject({ line: 11, locked_version: "1.40.0", notes: ["workspace.dependencies"] });
    expect(root.warnings).toEqual([]);
  });
  it("reports malformed TOML with its line", () => {
    const r = cargoManager.extract("x/Cargo.toml", ctx.readFile("bad.toml") ?? "", ctx);
    expect(r.deps).toEqual([]);
    expect(r.warnings).toEqual([expect.objectContaining({ file: "x/Cargo.toml", line: 6, manager: "cargo" })]);
  });
  it("warns on an invalid version requirement and keeps going", () => {
    const r = cargoManager.extract("Cargo.toml", '[package]\nname = "x"\n[dependencies]\na = "latest"\nb = "1"\n', { readFile: () => undefined, allFiles: [] });
    expect(find(r.deps, "a").skip_reason).toBe("invalid-version");
    expect(find(r.deps, "b").version).toBe("1.0.0");
    expect(r.warnings).toEqual([expect.objectContaining({ line: 4 })]);
  });
});
