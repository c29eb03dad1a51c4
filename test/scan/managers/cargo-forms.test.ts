/**
 * Cargo manifests one behaviour per test (issue 18: mutation survivors of cargo.ts and cargo/*.ts).
 * Oracles: the Cargo book, "Specifying Dependencies" (caret by default, `~`, `*`, comparison
 * requirements, comma-separated clauses, `path` / `git` + `tag` / `branch` / `rev`, `package` renames,
 * `registry`, platform-specific `[target.'cfg(..)'.dependencies]`), "Workspaces" (`workspace = true`,
 * `[workspace.dependencies]`, `[workspace.package]`), "The Manifest Format", and rustup's
 * "Overrides" page for rust-toolchain.toml / the legacy rust-toolchain file. Manifests written here.
 */
import { describe, expect, it } from "vitest";
import { cargoManager } from "../../../src/scan/managers/cargo.js";
import { parseCargoReq } from "../../../src/scan/managers/cargo/version-req.js";
import type { ExtractContext, ExtractedDependency, ManagerResult } from "../../../src/scan/types.js";

function repo(files: Record<string, string>): ExtractContext {
  return { allFiles: Object.keys(files), readFile: (p) => files[p] };
}
const run = (file: string, files: Record<string, string>): ManagerResult => cargoManager.extract(file, files[file], repo(files));
const alone = (content: string, file = "Cargo.toml"): ManagerResult => run(file, { [file]: content });
const dep = (r: ManagerResult, name: string): ExtractedDependency => {
  const d = r.deps.find((x) => x.name === name);
  if (!d) throw new Error(`no ${name} in ${r.deps.map((x) => x.name).join(", ")}`);
  return d;
};
const SRC = 'source = "registry+https://github.com/rust-lang/crates.io-index"';

describe("Cargo version requirements", () => {
  it("an empty requirement is an error", () => {
    expect(parseCargoReq("")).toEqual({ lower: null, range: null, error: "empty version requirement" });
    expect(parseCargoReq(" , ")).toMatchObject({ error: "empty version requirement" });
  });

  it("the lower bound is the highest of the clauses' lower bounds, whatever their order", () => {
    expect(parseCargoReq(">=1.2, >=1.5").lower).toBe("1.5.0");
    expect(parseCargoReq(">=1.5, >=1.2").lower).toBe("1.5.0");
    expect(parseCargoReq(">1.2").lower).toBe("1.2.0");
    expect(parseCargoReq("~1").lower).toBe("1.0.0");
    expect(parseCargoReq("^0.3").lower).toBe("0.3.0");
  });

  it("upper bounds alone give no lower bound, but a range", () => {
    expect(parseCargoReq("<2")).toEqual({ lower: null, range: "<2", error: null });
    expect(parseCargoReq("<=1.4")).toEqual({ lower: null, range: "<=1.4", error: null });
  });

  it("ranges: = pins the padded version, wildcards become x, other operators stay", () => {
    expect(parseCargoReq("=1.2").range).toBe("1.2.0");
    expect(parseCargoReq("1.2.*")).toMatchObject({ lower: "1.2.0", range: "1.2.x" });
    expect(parseCargoReq("1.*.*").range).toBe("1.x.x");
    expect(parseCargoReq("~1.2.3").range).toBe("~1.2.3");
    expect(parseCargoReq("*")).toEqual({ lower: null, range: "*", error: null });
    expect(parseCargoReq(">= 1.2").range).toBe(">=1.2");
  });

  it("pre-release and build metadata are kept after the padded core", () => {
    expect(parseCargoReq("1-beta.2").lower).toBe("1.0.0-beta.2");
    expect(parseCargoReq("=1.0.0-alpha.1+build.5").lower).toBe("1.0.0-alpha.1+build.5");
  });

  it("anything else is invalid and quoted", () => {
    for (const bad of ["latest", "1.2.3.4", "v1.2", "^^1", "1.2 3"]) {
      expect(parseCargoReq(bad), bad).toEqual({ lower: null, range: null, error: `invalid Cargo version requirement "${bad}"` });
    }
  });
});

describe("rust-toolchain files", () => {
  it("matches Cargo.toml, rust-toolchain.toml and rust-toolchain only", () => {
    for (const f of ["Cargo.toml", "a/Cargo.toml", "rust-toolchain.toml", "x/rust-toolchain"]) expect(cargoManager.matches(f), f).toBe(true);
    for (const f of ["Cargo.lock", "cargo.toml", "rust-toolchain.yaml", "Cargo.toml.orig"]) expect(cargoManager.matches(f), f).toBe(false);
    expect(cargoManager.companions!("rust-toolchain.toml")).toEqual([]);
    expect(cargoManager.companions!("Cargo.toml")).toEqual(["Cargo.lock"]);
  });

  it("rust-toolchain.toml: the channel is the Rust version, with its span", () => {
    const text = '# pinned\n[toolchain]\ncomponents = ["rustfmt"]\nchannel = "1.80.0"\n';
    const r = alone(text, "rust-toolchain.toml");
    expect(r.warnings).toEqual([]);
    expect(r.deps).toHaveLength(1);
    expect(r.deps[0]).toMatchObject({
      name: "rust",
      datasource: "rust-version",
      dependency_type: "runtime",
      current_value: "1.80.0",
      version: "1.80.0",
      group: "rust-toolchain",
      skip_reason: null,
      line: 4,
      package_manager: "cargo",
    });
    expect(r.deps[0].value_span).toEqual({ line: 4, start_column: 11, end_column: 17, text: "1.80.0" });
    expect(r.meta).toEqual({ primary: false });
  });

  it("a two-part version is a version; named channels and dated nightlies are skipped", () => {
    expect(alone('[toolchain]\nchannel = "1.79"\n', "rust-toolchain.toml").deps[0].skip_reason).toBeNull();
    for (const ch of ["stable", "beta", "nightly-2024-01-01", "1.80.0-beta", "1"]) {
      const d = alone(`[toolchain]\nchannel = "${ch}"\n`, "rust-toolchain.toml").deps[0];
      expect(d, ch).toMatchObject({ current_value: ch, skip_reason: "release channel, not a version", value_span: null });
    }
  });

  it("a toolchain file without a channel, or without [toolchain], has nothing to track", () => {
    expect(alone('[toolchain]\npath = "/opt/rust"\n', "rust-toolchain.toml")).toEqual({ deps: [], warnings: [], meta: { primary: false } });
    expect(alone('profile = "minimal"\n', "rust-toolchain.toml").deps).toEqual([]);
  });

  it("broken TOML is one warning", () => {
    const r = alone("[toolchain\nchannel = 1\n", "rust-toolchain.toml");
    expect(r.deps).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "rust-toolchain.toml", manager: "cargo" });
  });

  it("legacy rust-toolchain: the first non-blank line, trimmed", () => {
    const r = alone("\uFEFF\n  1.75.0  \r\nnightly\n", "rust-toolchain");
    expect(r.deps).toHaveLength(1);
    expect(r.deps[0]).toMatchObject({ current_value: "1.75.0", line: 2, skip_reason: null });
    expect(r.deps[0].value_span).toEqual({ line: 2, start_column: 2, end_column: 8, text: "1.75.0" });
    expect(alone("nightly\n", "rust-toolchain").deps[0].skip_reason).toBe("release channel, not a version");
  });

  it("legacy rust-toolchain that is empty: a warning at line 1", () => {
    expect(alone(" \n\n", "rust-toolchain")).toEqual({
      deps: [],
      warnings: [{ file: "rust-toolchain", line: 1, manager: "cargo", message: "rust-toolchain: no toolchain channel in the file" }],
      meta: { primary: false },
    });
  });

  it("a rust-toolchain file written in TOML is read as TOML", () => {
    const r = alone('[toolchain]\nchannel = "1.81.0"\n', "rust-toolchain");
    expect(r.deps[0]).toMatchObject({ current_value: "1.81.0", line: 2 });
  });
});

describe("Cargo.toml dependency forms", () => {
  it("path, git (tag, rev, branch, none), renamed and registry dependencies", () => {
    const text = [
      "[package]", // 1
      'name = "app"', // 2
      "[dependencies]", // 3
      'local = { path = "../local", version = "0.3" }', // 4
      'tagged = { git = "https://github.com/o/tagged", tag = "v1.2.0" }', // 5
      'pinned = { git = "https://github.com/o/pinned", rev = "9f1c2ab" }', // 6
      'branchy = { git = "https://github.com/o/branchy", branch = "dev" }', // 7
      'bare = { git = "https://github.com/o/bare" }', // 8
      'alias = { package = "real-name", version = "2" }', // 9
      'private = { version = "1.1", registry = "my-registry" }', // 10
      "",
    ].join("\n");
    const r = alone(text, "crates/app/Cargo.toml");
    expect(r.warnings).toEqual([]);
    expect(dep(r, "local")).toMatchObject({ line: 4, local_path: "crates/local", skip_reason: "path-dependency", current_value: "0.3", version: "0.3", datasource: "crates" });
    expect(dep(r, "tagged")).toMatchObject({ line: 5, datasource: "git", current_value: "v1.2.0", registry_url: "https://github.com/o/tagged", digest: null, skip_reason: "git-dependency" });
    expect(dep(r, "pinned")).toMatchObject({ current_value: "9f1c2ab", digest: "9f1c2ab" });
    expect(dep(r, "branchy")).toMatchObject({ current_value: "dev", digest: null });
    expect(dep(r, "bare")).toMatchObject({ current_value: "", version: "" });
    expect(dep(r, "real-name")).toMatchObject({ line: 9, version: "2.0.0", notes: ["renamed as alias"] });
    expect(dep(r, "private")).toMatchObject({ skip_reason: "custom-registry", notes: ["registry: my-registry"], version: "1.1.0" });
    expect(dep(r, "local").notes).toBeUndefined();
  });

  it("a path dependency without a version has empty values", () => {
    expect(dep(alone('[dependencies]\nx = { path = "x" }\n'), "x")).toMatchObject({ current_value: "", version: "", local_path: "x" });
  });

  it("a dependency with no version, path, git or workspace is warned and skipped", () => {
    const r = alone('[dependencies]\nfeat = { features = ["a"] }\n');
    expect(dep(r, "feat")).toMatchObject({ skip_reason: "no-version", current_value: "", line: 2 });
    expect(r.warnings).toEqual([{ file: "Cargo.toml", line: 2, manager: "cargo", message: "feat: no version, path, git or workspace" }]);
  });

  it("a value that is neither a string nor a table is warned and dropped", () => {
    const r = alone("[dependencies]\nnum = 3\nok = \"1\"\n");
    expect(r.deps.map((d) => d.name)).toEqual(["ok"]);
    expect(r.warnings).toEqual([{ file: "Cargo.toml", line: 2, manager: "cargo", message: "num: dependency must be a version string or a table" }]);
  });

  it("an invalid requirement is quoted in the warning and bounded", () => {
    const long = "x".repeat(400);
    const r = alone(`[dependencies]\nbad = "${long}"\n`);
    expect(dep(r, "bad")).toMatchObject({ skip_reason: "invalid-version", version: long });
    expect(r.warnings[0].message.length).toBeLessThan(300);
    expect(r.warnings[0].message.startsWith("bad: invalid Cargo version requirement")).toBe(true);
  });

  it("a section that is not a table is warned with its dotted name", () => {
    const r = alone('dependencies = "serde"\n[target.x]\ndev-dependencies = 1\n');
    expect(r.deps).toEqual([]);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [1, "[dependencies] must be a table"],
      [3, "[target.x.dev-dependencies] must be a table"],
    ]);
  });

  it("underscore spellings of dev and build sections, optional dependencies, target notes", () => {
    const text = [
      "[dev_dependencies]",
      'a = "1"',
      "[build_dependencies]",
      'b = "1"',
      "[build-dependencies]",
      'c = "1"',
      "[dependencies]",
      'd = { version = "1", optional = true }',
      'e = { version = "1", optional = false }',
      "[target.'cfg(windows)'.build-dependencies]",
      'f = "1"',
      "",
    ].join("\n");
    const r = alone(text);
    expect(r.deps.map((d) => [d.name, d.dependency_type, d.line])).toEqual([
      ["d", "optional", 8],
      ["e", "prod", 9],
      ["a", "dev", 2],
      ["c", "build", 6],
      ["b", "build", 4],
      ["f", "build", 11],
    ]);
    expect(dep(r, "f").notes).toEqual(["target: cfg(windows)"]);
  });
});

describe("Cargo workspaces", () => {
  it("a member inherits a string or a table entry; its optional flag wins, the root's applies otherwise", () => {
    const files = {
      "Cargo.toml": [
        "[workspace]",
        'members = ["m", 3]',
        "[workspace.package]",
        'version = "2.1.0"',
        'description = "shared"',
        "[workspace.dependencies]",
        'anyhow = "1.0.80"',
        'tokio = { version = "1.36", optional = true }',
        'shared = { path = "libs/shared" }',
        'odd = 5',
        "",
      ].join("\n"),
      "m/Cargo.toml": [
        "[package]",
        'name = "m"',
        "version.workspace = true",
        "description = { workspace = true }",
        'rust-version = { workspace = false }',
        "[dependencies]",
        "anyhow = { workspace = true, optional = true }",
        "tokio = { workspace = true }",
        "shared.workspace = true",
        "odd = { workspace = true }",
        "",
      ].join("\n"),
    };
    const m = run("m/Cargo.toml", files);
    expect(m.meta).toEqual({ primary: true, name: "m", version: "2.1.0", description: "shared" });
    expect(dep(m, "anyhow")).toMatchObject({ dependency_type: "optional", current_value: "1.0.80", notes: ["inherited from workspace Cargo.toml"] });
    expect(dep(m, "tokio")).toMatchObject({ dependency_type: "optional", version: "1.36.0" });
    // A path in [workspace.dependencies] is relative to the workspace root.
    expect(dep(m, "shared")).toMatchObject({ local_path: "libs/shared", skip_reason: "path-dependency" });
    expect(dep(m, "odd")).toMatchObject({ skip_reason: "no-version" });

    const root = run("Cargo.toml", files);
    expect(root.meta).toEqual({ primary: true, workspaces: ["m"] });
    expect(dep(root, "anyhow")).toMatchObject({ notes: ["workspace.dependencies"], dependency_type: "prod" });
    expect(dep(root, "tokio").dependency_type).toBe("optional");
    expect(root.warnings.map((w) => w.message)).toEqual(["odd: dependency must be a version string or a table"]);
  });

  it("workspace = true without a workspace root is warned", () => {
    const r = alone('[package]\nname = "lonely"\n[dependencies]\nserde = { workspace = true }\n');
    expect(dep(r, "serde")).toMatchObject({ skip_reason: "workspace-root-not-found", current_value: "" });
    expect(r.warnings).toEqual([{ file: "Cargo.toml", line: 4, manager: "cargo", message: 'serde: "workspace = true" but no workspace root Cargo.toml was found' }]);
    expect(r.meta).toEqual({ primary: true, name: "lonely" });
  });

  it("the nearest ancestor with [workspace] is the root; a broken or workspace-less ancestor is passed over", () => {
    const member = '[package]\nname = "c"\n[dependencies]\nlog = { workspace = true }\n';
    const files: Record<string, string> = {
      "Cargo.toml": '[workspace]\n[workspace.dependencies]\nlog = "0.4.21"\n',
      "a/Cargo.toml": '[package]\nname = "a"\n',
      "a/b/Cargo.toml": "[workspace\n",
      "a/b/c/Cargo.toml": member,
    };
    const r = run("a/b/c/Cargo.toml", files);
    expect(dep(r, "log")).toMatchObject({ current_value: "0.4.21", notes: ["inherited from workspace Cargo.toml"] });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "a/b/c/Cargo.toml", line: 1 });
    expect(r.warnings[0].message.startsWith("workspace candidate a/b/Cargo.toml: ")).toBe(true);
    // An ancestor not in the file list, or not readable, is not a candidate.
    const unlisted = repo({ "a/b/c/Cargo.toml": member });
    const r2 = cargoManager.extract("a/b/c/Cargo.toml", member, { ...unlisted, readFile: (p) => (p === "Cargo.toml" ? files["Cargo.toml"] : unlisted.readFile(p)) });
    expect(dep(r2, "log").skip_reason).toBe("workspace-root-not-found");
    const unreadable: ExtractContext = { allFiles: ["Cargo.toml", "a/b/c/Cargo.toml"], readFile: (p) => (p === "Cargo.toml" ? undefined : member) };
    expect(dep(cargoManager.extract("a/b/c/Cargo.toml", member, unreadable), "log").skip_reason).toBe("workspace-root-not-found");
  });

  it("a workspace root without the entry names itself in the warning", () => {
    const files = { "Cargo.toml": "[workspace]\n", "m/Cargo.toml": "[dependencies]\nrand = { workspace = true }\n" };
    const r = run("m/Cargo.toml", files);
    expect(dep(r, "rand").skip_reason).toBe("workspace-dependency-not-found");
    expect(r.warnings[0].message).toBe('rand: "workspace = true" but Cargo.toml has no [workspace.dependencies] rand');
    expect(r.meta).toEqual({ primary: false });
  });

  it("rust-version: the package's own, else the workspace's [workspace.package]", () => {
    expect(alone('[workspace]\n[workspace.package]\nrust-version = "1.70"\n').meta.rust_version).toBe("1.70");
    expect(alone('[package]\nname = "p"\nrust-version = "1.74"\n[workspace]\n[workspace.package]\nrust-version = "1.70"\n').meta.rust_version).toBe("1.74");
    expect(alone('[package]\nname = "p"\nversion = { workspace = true }\n').meta).toEqual({ primary: true, name: "p" });
  });
});

describe("Cargo.lock", () => {
  const lockOf = (...pkgs: Array<[string, string, boolean?]>) =>
    pkgs.map(([n, v, local]) => `[[package]]\nname = "${n}"\nversion = "${v}"\n${local ? "" : `${SRC}\n`}`).join("\n");

  it("locks a registry dependency at its only version, or the highest matching one of several", () => {
    const files = {
      "Cargo.toml": '[package]\nname = "app"\n[dependencies]\nrand = "0.7"\nserde = "1"\nitoa = "2"\nlocal = { path = "l", version = "0.1" }\ngitdep = { git = "https://g/x", tag = "v1" }\n',
      "Cargo.lock": lockOf(["rand", "0.7.3"], ["rand", "0.7.1"], ["rand", "0.8.5"], ["serde", "1.0.197"], ["itoa", "0.4.8"], ["itoa", "1.0.11"], ["local", "0.1.0", true], ["gitdep", "1.0.0"]),
    };
    const r = run("Cargo.toml", files);
    expect(dep(r, "rand")).toMatchObject({ locked_version: "0.7.3", version: "0.7.3" });
    expect(dep(r, "serde")).toMatchObject({ locked_version: "1.0.197" });
    // Several versions, none matching: no answer.
    expect(dep(r, "itoa")).toMatchObject({ locked_version: null, version: "2.0.0" });
    // Path and git dependencies are not looked up; a crate without source is not a registry package.
    expect(dep(r, "local").locked_version).toBeNull();
    expect(dep(r, "gitdep").locked_version).toBeNull();
    expect(r.locked!.map((p) => p.name)).not.toContain("local");
    expect(r.locked).toContainEqual({ name: "gitdep", version: "1.0.0", datasource: "crates" });
    expect(r.lockfile).toEqual({ file: "Cargo.lock", importer: "app" });
  });

  it("the nearest Cargo.lock at or above the manifest, read only when listed", () => {
    const toml = '[dependencies]\nserde = "1"\n';
    const files = { "a/b/Cargo.toml": toml, "a/Cargo.lock": lockOf(["serde", "1.0.1"]), "Cargo.lock": lockOf(["serde", "1.0.2"]) };
    const r = run("a/b/Cargo.toml", files);
    expect(dep(r, "serde").locked_version).toBe("1.0.1");
    expect(r.lockfile).toEqual({ file: "a/Cargo.lock", importer: null });
    const none = cargoManager.extract("a/b/Cargo.toml", toml, { allFiles: ["a/b/Cargo.toml"], readFile: (p) => (files as Record<string, string>)[p] });
    expect(none.locked).toEqual([]);
    expect(none.lockfile).toBeUndefined();
    const unread = cargoManager.extract("a/b/Cargo.toml", toml, { allFiles: Object.keys(files), readFile: (p) => (p.endsWith(".lock") ? undefined : toml) });
    expect(unread.lockfile).toBeUndefined();
    expect(dep(unread, "serde").locked_version).toBeNull();
  });

  it("lock entries without a name or version, or that are not tables, are ignored", () => {
    const files = {
      "Cargo.toml": '[dependencies]\nserde = "1"\n',
      "Cargo.lock": `package = [{ name = "serde", ${SRC.replace(" = ", " = ")} }, { version = "1.0.0", ${SRC} }, { name = "serde", version = "1.0.5", ${SRC} }]\n`,
    };
    const r = run("Cargo.toml", files);
    expect(r.locked).toEqual([{ name: "serde", version: "1.0.5", datasource: "crates" }]);
    const notList = run("Cargo.toml", { ...files, "Cargo.lock": 'package = "x"\n' });
    expect(notList.locked).toEqual([]);
  });

  it("broken Cargo.toml: one warning, no deps, not primary", () => {
    const r = alone("[package\n");
    expect(r.deps).toEqual([]);
    expect(r.locked).toEqual([]);
    expect(r.meta).toEqual({ primary: false });
    expect(r.warnings).toHaveLength(1);
  });
});

describe("issue 18 survivors of cargo.ts and cargo/toolchain.ts", () => {
  it("a legacy rust-toolchain file keeps meta non-primary; an indented TOML header is still TOML", () => {
    expect(alone("1.75.0\n", "rust-toolchain").meta).toEqual({ primary: false });
    const r = alone('  [toolchain]\n  channel = "1.81.0"\n', "rust-toolchain");
    expect(r.deps[0]).toMatchObject({ current_value: "1.81.0", line: 2 });
  });

  it("broken TOML is reported as TOML, not as an internal error; a file without [toolchain] is silent", () => {
    const r = alone("[toolchain\nchannel = 1\n", "rust-toolchain.toml");
    expect(r.warnings[0].message).toMatch(/^invalid TOML at line 1/);
    expect(r.meta).toEqual({ primary: false });
    expect(alone('profile = "minimal"\n', "rust-toolchain.toml").warnings).toEqual([]);
  });

  it("a root that is its own workspace inherits from itself, without a note", () => {
    const r = alone('[package]\nname = "root"\n[workspace]\n[workspace.dependencies]\nserde = "1.0.200"\n[dependencies]\nserde = { workspace = true }\n');
    const member = r.deps.find((d) => d.line === 7);
    expect(member).toMatchObject({ name: "serde", current_value: "1.0.200", skip_reason: null, package_manager: "cargo" });
    expect(member?.notes).toBeUndefined();
  });

  it("unfound workspace entries and versionless dependencies have empty current value and version", () => {
    expect(dep(alone("[dependencies]\na = { workspace = true }\n"), "a")).toMatchObject({ current_value: "", version: "" });
    expect(dep(alone('[dependencies]\nb = { features = ["x"] }\n'), "b")).toMatchObject({ current_value: "", version: "" });
  });

  it("warnings of a broken workspace candidate and of a broken Cargo.lock are the cargo manager's", () => {
    const files = { "Cargo.toml": "[workspace\n", "m/Cargo.toml": '[dependencies]\nserde = "1"\n', "m/Cargo.lock": "[[package]\nname =" };
    const r = run("m/Cargo.toml", files);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings.every((w) => w.manager === "cargo")).toBe(true);
    expect(r.warnings.map((w) => w.file).sort()).toEqual(["m/Cargo.lock", "m/Cargo.toml"]);
  });

  it("an unreadable ancestor or Cargo.lock adds no warning", () => {
    const member = '[dependencies]\nserde = "1"\n';
    const ctx: ExtractContext = { allFiles: ["Cargo.toml", "Cargo.lock", "m/Cargo.toml"], readFile: (p) => (p === "m/Cargo.toml" ? member : undefined) };
    const r = cargoManager.extract("m/Cargo.toml", member, ctx);
    expect(r.warnings).toEqual([]);
    expect(r.lockfile).toBeUndefined();
  });

  it("the only locked version of a crate is used even when the requirement names another; a crate not in the lock has none", () => {
    const files = {
      "Cargo.toml": '[dependencies]\nserde = "2"\nabsent = "1"\nprivate = { version = "1.1", registry = "corp" }\n',
      "Cargo.lock": `[[package]]\nname = "serde"\nversion = "1.0.0"\n${SRC}\n[[package]]\nname = "private"\nversion = "1.1.5"\n${SRC}\n`,
    };
    const r = run("Cargo.toml", files);
    expect(dep(r, "serde").locked_version).toBe("1.0.0");
    expect(dep(r, "absent").locked_version).toBeNull();
    // A crate of another registry is not looked up in crates.io's entries.
    expect(dep(r, "private").locked_version).toBeNull();
  });

  it("[workspace.package] fields reach a member only when it asks for them", () => {
    const files = {
      "Cargo.toml": '[workspace]\n[workspace.package]\nrust-version = "1.70"\ndescription = "shared"\n',
      "m/Cargo.toml": '[package]\nname = "m"\nrust-version = { workspace = false }\n',
    };
    const r = run("m/Cargo.toml", files);
    expect(r.meta).toEqual({ primary: true, name: "m" });
    expect(Object.keys(r.meta).sort()).toEqual(["name", "primary"]);
    expect(Object.keys(alone("[package]\n").meta)).toEqual(["primary"]);
  });

  it("a target table that is not a table of sections is passed over; every workspace dependency is kept or dropped, never null", () => {
    const r = alone('[target]\n"cfg(unix)" = 3\n[workspace]\n[workspace.dependencies]\na = "1"\nodd = 5\nb = "2"\n');
    expect(r.deps.map((d) => d.name)).toEqual(["a", "b"]);
  });

  it("a faulty context becomes an internal-error warning, never an exception", () => {
    const ctx = {
      get allFiles(): string[] {
        throw new Error("listing failed");
      },
      readFile: () => undefined,
    } as unknown as ExtractContext;
    const r = cargoManager.extract("m/Cargo.toml", '[dependencies]\nserde = "1"\n', ctx);
    expect(r).toEqual({
      deps: [],
      warnings: [{ file: "m/Cargo.toml", line: null, manager: "cargo", message: "internal error while reading m/Cargo.toml: Error: listing failed" }],
      meta: { primary: false },
      locked: [],
    });
  });
});
