/**
 * pip manager edges (issue 18: mutation survivors of pip.ts, pip/common.ts, pip/lockfiles.ts,
 * pip/pep508.ts, pip/pipfile.ts, pip/pyproject.ts and pip/runtime.ts). Oracles: PEP 508
 * (requirement grammar), PEP 440 (version specifiers, `1.0 == 1.0.0`), PEP 621 / PEP 735,
 * Poetry's dependency specification (^, ~, git tag / rev / branch), Pipenv's Pipfile and
 * Pipfile.lock formats, pyenv's .python-version (one version per line, `#` comments, free-threaded
 * `3.13t`), and lines counted by hand in the documents written here.
 */
import { describe, expect, it } from "vitest";
import { isRequirementsFile, pipManager } from "../../../src/scan/managers/pip.js";
import { pyDep } from "../../../src/scan/managers/pip/common.js";
import { parsePipfileLock, parseTomlLock } from "../../../src/scan/managers/pip/lockfiles.js";
import { parsePep508, versionFromSpecifier } from "../../../src/scan/managers/pip/pep508.js";
import { extractPyproject, poetryConstraintVersion } from "../../../src/scan/managers/pip/pyproject.js";
import type { ExtractContext, ExtractedDependency, ManagerResult, ScanWarning } from "../../../src/scan/types.js";

function repo(files: Record<string, string>): ExtractContext {
  return { allFiles: Object.keys(files), readFile: (p) => files[p] };
}
const run = (file: string, files: Record<string, string>): ManagerResult => pipManager.extract(file, files[file], repo(files));
const alone = (file: string, content: string): ManagerResult => run(file, { [file]: content });
const dep = (r: ManagerResult, name: string): ExtractedDependency => {
  const d = r.deps.find((x) => x.name === name);
  if (!d) throw new Error(`no ${name} in ${r.deps.map((x) => x.name).join(", ")}`);
  return d;
};

describe("pip.ts", () => {
  it("requirements files: the extension ends the name; only files directly under requirements/", () => {
    for (const f of ["requirements.txt.bak", "requirements.in.orig", "requirements/base.txt.bak", "requirements/sub/base.txt", "requirements/.txt"]) {
      expect(isRequirementsFile(f), f).toBe(false);
    }
    for (const f of ["requirements/base.in", "src/requirements/prod.txt", "requirements-test.in"]) expect(isRequirementsFile(f), f).toBe(true);
  });

  it("a lock does not pin a dependency that is not a registry release (direct URL, path, git)", () => {
    const lock = ["w", "mine", "g", "a"].map((n) => `[[package]]\nname = "${n}"\nversion = "9.9"\n`).join("\n");
    const files = {
      "pyproject.toml": '[project]\ndependencies = ["w @ https://example.com/w-1.0-py3-none-any.whl", "a>=1"]\n',
      "uv.lock": lock,
    };
    const r = run("pyproject.toml", files);
    expect(dep(r, "w")).toMatchObject({ skip_reason: "direct-url", locked_version: null, version: "1.0" });
    expect(dep(r, "a")).toMatchObject({ locked_version: "9.9", version: "9.9" });
    const pipfile = run("Pipfile", {
      Pipfile: '[packages]\nmine = { path = "./lib" }\na = "*"\n',
      "Pipfile.lock": JSON.stringify({ default: { mine: { version: "==9.9" }, a: { version: "==9.9" } } }),
    });
    expect(dep(pipfile, "mine")).toMatchObject({ locked_version: null, version: "" });
    expect(dep(pipfile, "a").locked_version).toBe("9.9");
  });

  it("the Python runtime is not a locked package, even when a lock lists a package named python", () => {
    const r = run("pyproject.toml", { "pyproject.toml": '[project]\nrequires-python = ">=3.10"\n', "uv.lock": '[[package]]\nname = "python"\nversion = "9.9"\n' });
    expect(dep(r, "python")).toMatchObject({ datasource: "python-version", version: "3.10", locked_version: null });
  });

  it("poetry.lock beside the manifest is the lockfile named when a uv.lock is also present", () => {
    const lock = (v: string) => `[[package]]\nname = "a"\nversion = "${v}"\n`;
    const r = run("svc/pyproject.toml", { "svc/pyproject.toml": '[project]\ndependencies = ["a"]\n', "svc/poetry.lock": lock("1.0"), "uv.lock": lock("2.0") });
    expect(r.lockfile).toEqual({ file: "svc/poetry.lock", importer: "." });
    expect(r.locked).toEqual([
      { name: "a", version: "1.0", datasource: "pypi" },
      { name: "a", version: "2.0", datasource: "pypi" },
    ]);
  });

  it("a failure inside an extractor is one warning against the file, not a thrown error", () => {
    const broken = { allFiles: null, readFile: () => undefined } as unknown as ExtractContext;
    const r = pipManager.extract("Pipfile", '[packages]\na = "*"\n', broken);
    expect(r.deps).toEqual([]);
    expect(r.locked).toEqual([]);
    expect(r.meta).toEqual({ primary: false });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "Pipfile", line: null, manager: "pip" });
    expect(r.warnings[0].message).toMatch(/^internal error while reading Pipfile: TypeError/);
  });

  it("an invalid pyproject.toml or Pipfile is one TOML warning and no dependencies", () => {
    for (const f of ["pyproject.toml", "a/Pipfile"]) {
      const r = alone(f, "[packages\n");
      expect(r.deps, f).toEqual([]);
      expect(r.meta, f).toEqual({ primary: false });
      expect(r.warnings.map((w) => [w.file, w.line]), f).toEqual([[f, 1]]);
    }
  });
});

describe("common.ts", () => {
  it("a dependency without notes or group has neither field", () => {
    const d = pyDep({ name: "a", file: "f", line: 1, dependency_type: "prod", current_value: "", version: "", notes: [] });
    expect("notes" in d).toBe(false);
    expect("group" in d).toBe(false);
    expect(d).toMatchObject({ datasource: "pypi", locked_version: null, registry_url: null, skip_reason: null, local_path: null, package_manager: "pip" });
    const g = pyDep({ name: "a", file: "f", line: 1, dependency_type: "dev", current_value: "", version: "", notes: ["n"], group: "" });
    expect(g.notes).toEqual(["n"]);
    expect(g.group).toBe("");
  });

  it("TOML manifests warn against their own file and the pip manager", () => {
    const r = alone("a/pyproject.toml", 'project = 1\n');
    expect(r.warnings).toEqual([{ file: "a/pyproject.toml", line: 1, manager: "pip", message: "[project] is not a table" }]);
  });
});

describe("lockfiles.ts", () => {
  it("invalid JSON in Pipfile.lock is warned at the line of the offending character", () => {
    const w: ScanWarning[] = [];
    // The stray "}" after the trailing comma is on line 3.
    expect(parsePipfileLock("Pipfile.lock", '{\n"a": 1,\n}', w)).toBeNull();
    expect(w).toHaveLength(1);
    expect(w[0].line).toBe(3);
    expect(w[0].message).toMatch(/^invalid JSON: /);
    // A document cut short has no offending position: no line.
    const w2: ScanWarning[] = [];
    parsePipfileLock("Pipfile.lock", '{"default":\n', w2);
    expect(w2[0].line).toBeNull();
  });

  it("only == and === pins are locked versions", () => {
    const lock = parsePipfileLock("Pipfile.lock", JSON.stringify({ default: { a: { version: ">=1.0" }, b: { version: "==2.0" }, c: { version: "2" }, d: "==1" }, develop: "x" }), []);
    expect(lock?.packages).toEqual([{ name: "b", version: "2.0" }]);
  });

  it("TOML lock entries need a string name and version", () => {
    const w: ScanWarning[] = [];
    const lock = parseTomlLock("poetry.lock", '[[package]]\nversion = "1"\n[[package]]\nname = 3\nversion = "1"\n[[package]]\nname = "ok"\nversion = 2\n[[package]]\nname = "x"\nversion = "1"\n', w);
    expect(lock?.packages).toEqual([{ name: "x", version: "1" }]);
    expect(w).toEqual([]);
    expect(parseTomlLock("uv.lock", "package = [1, 2]\n", [])?.packages).toEqual([]);
  });
});

describe("pep508.ts", () => {
  it("names: one character, dots, underscores and dashes inside; not at the start", () => {
    expect(parsePep508("a")).toEqual({ name: "a", extras: [], specifier: "", url: null, marker: null });
    expect(parsePep508("Zope.Interface_x-y>=1")).toMatchObject({ name: "Zope.Interface_x-y", specifier: ">=1" });
    expect(parsePep508(".a")).toHaveProperty("error");
    expect(parsePep508("  b  ==1  ")).toMatchObject({ name: "b", specifier: "==1" });
  });

  it("every comparison operator may start a specifier", () => {
    for (const s of ["<2", ">1", "==1", "!=1", "~=1.1", "<=2", ">=1", "===1"]) expect(parsePep508(`n${s}`), s).toMatchObject({ name: "n", specifier: s });
  });

  it("parentheses must be balanced around a specifier", () => {
    expect(parsePep508("n (>=1.0")).toHaveProperty("error");
    expect(parsePep508("n ( >=1.0 ) ; python_version<'3'")).toMatchObject({ specifier: ">=1.0", marker: "python_version<'3'" });
  });

  it("a direct reference: the marker needs whitespace before ';'; extras before '@'", () => {
    expect(parsePep508("n[x] @ file:///a/b ;  os_name=='nt'  ")).toEqual({ name: "n", extras: ["x"], specifier: "", url: "file:///a/b", marker: "os_name=='nt'" });
    expect(parsePep508("n @ https://h/a.whl;x")).toMatchObject({ url: "https://h/a.whl;x", marker: null });
    expect(parsePep508("n @ https://h/a.whl ;")).toMatchObject({ url: "https://h/a.whl", marker: null });
  });

  it("specifier versions: upper bounds and exclusions give none; equal lower bounds keep the first", () => {
    expect(versionFromSpecifier("<=1.0")).toEqual({ version: null, unsupported: null, error: null });
    expect(versionFromSpecifier("!=1.0")).toEqual({ version: null, unsupported: null, error: null });
    expect(versionFromSpecifier(",").error).toBe('invalid PEP 440 specifier ","');
    expect(versionFromSpecifier(" >=1.0 ")).toEqual({ version: "1.0", unsupported: null, error: null });
    expect(versionFromSpecifier("==1.0.*,==1.5.*").version).toBe("1.5");
    expect(versionFromSpecifier("==2.0,>=3.0").version).toBe("2.0");
    expect(versionFromSpecifier("===foo")).toEqual({ version: null, unsupported: 'arbitrary equality "===foo" is not a PEP 440 version', error: null });
  });
});

describe("runtime.ts", () => {
  it("the lowest Python a constraint admits", () => {
    const py = (c: string) => dep(alone("pyproject.toml", `[tool.poetry.dependencies]\npython = "${c}"\n`), "python").version;
    expect(py("^3")).toBe("3");
    expect(py("^3.8.1")).toBe("3.8.1");
    expect(py("~3.9")).toBe("3.9");
    expect(py(">=3.10,<4.0")).toBe("3.10");
    expect(py("*")).toBe("*");
  });

  it(".python-version: trailing comments, CRLF and CR line ends, free-threaded builds", () => {
    expect(alone(".python-version", "3.12 # main\n").deps[0]).toMatchObject({ current_value: "3.12", line: 1 });
    expect(alone(".python-version", "# c\r\n3.11\r\n").deps[0]).toMatchObject({ current_value: "3.11", line: 2 });
    expect(alone(".python-version", "# c\r3.10\r").deps[0]).toMatchObject({ current_value: "3.10", line: 2 });
    const t = alone(".python-version", "3.13t\n");
    expect(t.warnings).toEqual([]);
    expect(t.deps[0]).toMatchObject({ current_value: "3.13t", skip_reason: null });
    expect(alone(".python-version", "3.13.0rc12\n").deps[0].skip_reason).toBeNull();
    expect(alone(".python-version", "not-pypy\n").warnings).toHaveLength(1);
  });
});

describe("pipfile.ts", () => {
  it("sources: the first with a url is the default; nameless sources count; a [source] table is not a list", () => {
    const r = alone(
      "Pipfile",
      '[[source]]\nname = "nourl"\n[[source]]\nurl = "https://first/simple"\n[[source]]\nurl = "https://second/simple"\nname = "second"\n[packages]\na = "==1"\nb = { version = "==1", index = "second" }\n',
    );
    expect(dep(r, "a").registry_url).toBe("https://first/simple");
    expect(dep(r, "b").registry_url).toBe("https://second/simple");
    expect(r.warnings).toEqual([]);
    const table = alone("Pipfile", '[source]\nurl = "https://x/simple"\nname = "x"\n[packages]\na = "==1"\n');
    expect(dep(table, "a").registry_url).toBeNull();
  });

  it("empty extras, editable = false and a git dependency without ref add nothing", () => {
    const r = alone("Pipfile", '[packages]\na = { version = "==1", extras = [], editable = false }\ng = { git = "https://g/r.git" }\n');
    expect(dep(r, "a").notes).toBeUndefined();
    expect(dep(r, "a")).toMatchObject({ version: "1", skip_reason: null });
    expect(dep(r, "g")).toMatchObject({ current_value: "", version: "", datasource: "git", registry_url: "https://g/r.git" });
    expect(r.warnings).toEqual([]);
  });

  it("an unknown index is warned at the package's line and still listed", () => {
    const r = alone("Pipfile", '[packages]\n\nx = { version = "==2", index = "gone" }\n');
    expect(r.warnings).toEqual([{ file: "Pipfile", line: 3, manager: "pip", message: 'x: unknown index "gone"' }]);
    expect(dep(r, "x")).toMatchObject({ version: "2", registry_url: null });
  });

  it("Pipfile.lock beside a Pipfile in a folder", () => {
    const r = run("app/Pipfile", { "app/Pipfile": '[packages]\na = "*"\n', "app/Pipfile.lock": JSON.stringify({ default: { a: { version: "==3.0" } } }) });
    expect(r.lockfile).toEqual({ file: "app/Pipfile.lock", importer: "." });
    expect(r.locked).toEqual([{ name: "a", version: "3.0", datasource: "pypi" }]);
  });
});

describe("pyproject.ts", () => {
  it("Poetry or not: [tool.poetry] present", () => {
    expect(extractPyproject("pyproject.toml", "", { tool: { poetry: {} } }).poetry).toBe(true);
    expect(extractPyproject("pyproject.toml", "", { tool: { uv: {} } }).poetry).toBe(false);
    expect(extractPyproject("pyproject.toml", "", {}).poetry).toBe(false);
  });

  it("[project] meta wins field by field over [tool.poetry]", () => {
    const r = alone("pyproject.toml", '[project]\ndescription = "pep"\n[tool.poetry]\nname = "poet"\ndescription = "poetry"\nversion = "2"\n');
    expect(r.meta).toEqual({ primary: true, name: "poet", version: "2", description: "pep" });
    const n = alone("pyproject.toml", '[project]\nname = 1\nversion = 2\ndescription = 3\nrequires-python = 4\n');
    expect(n.meta).toEqual({ primary: true });
    expect(n.deps).toEqual([]);
  });

  it("Poetry git references: tag, then rev, then branch", () => {
    const text = [
      "[tool.poetry.dependencies]",
      'a = { git = "https://g/a.git", rev = "abc123", branch = "main" }',
      'b = { git = "https://g/b.git", tag = "v1", rev = "abc" }',
      'c = { git = "https://g/c.git" }',
      'd = { version = "^1.0", extras = [] }',
      "",
    ].join("\n");
    const r = alone("pyproject.toml", text);
    expect(dep(r, "a").current_value).toBe("abc123");
    expect(dep(r, "b").current_value).toBe("v1");
    expect(dep(r, "c")).toMatchObject({ current_value: "", version: "" });
    expect(dep(r, "d").notes).toBeUndefined();
    expect(dep(r, "a").dependency_type).toBe("prod");
  });

  it("Poetry python: a table without a version gives nothing; requires-python of [project] is kept", () => {
    const r = alone("pyproject.toml", '[project]\nrequires-python = ">=3.9"\n[tool.poetry.dependencies]\npython = "^3.11"\n');
    expect(r.meta.requires_python).toBe(">=3.9");
    expect(r.deps.filter((d) => d.name === "python").map((d) => d.version)).toEqual(["3.9", "3.11"]);
  });

  it("Poetry constraints: a comparison list with spaces, exact == pins, tilde-equals", () => {
    expect(poetryConstraintVersion(">= 1.2 , < 2.0")).toEqual({ version: "1.2", error: null });
    expect(poetryConstraintVersion("==2.0.1")).toEqual({ version: "2.0.1", error: null });
    expect(poetryConstraintVersion("!=1.5")).toEqual({ version: null, error: null });
    expect(poetryConstraintVersion("^1.0 || banana")).toEqual({ version: null, error: 'invalid Poetry constraint "^1.0 || banana"' });
    expect(poetryConstraintVersion(">=1.2 ^1.5").version).toBe("1.5");
    expect(poetryConstraintVersion("^1.5||^1.2").version).toBe("1.2");
  });

  it("dependency-group entries keep the group and are dev dependencies; optional dependencies carry their group", () => {
    const r = alone("pyproject.toml", '[project]\noptional-dependencies.docs = ["sphinx>=7"]\n[dependency-groups]\nlint = ["ruff==0.4.0"]\n');
    expect(dep(r, "sphinx")).toMatchObject({ dependency_type: "optional", group: "docs", line: 2 });
    expect(dep(r, "ruff")).toMatchObject({ dependency_type: "dev", group: "lint", line: 4, version: "0.4.0" });
    expect(dep(r, "ruff").notes).toBeUndefined();
  });
});

describe("pip.ts: results and companions", () => {
  it("a requirements file is no primary manifest", () => {
    expect(alone("requirements.txt", "a==1\n").meta).toEqual({ primary: false });
    expect(alone(".python-version", "3.12\n").meta).toEqual({ primary: false });
  });

  it("a lock the scan does not list is not read, even when the reader has it; an unreadable one is no warning", () => {
    const files: Record<string, string> = { "pyproject.toml": '[project]\ndependencies = ["a"]\n', "poetry.lock": '[[package]]\nname = "a"\nversion = "1.0"\n' };
    const r = pipManager.extract("pyproject.toml", files["pyproject.toml"], { allFiles: ["pyproject.toml"], readFile: (p) => files[p] });
    expect(r.lockfile).toBeUndefined();
    expect(dep(r, "a").locked_version).toBeNull();
    const unreadable = pipManager.extract("pyproject.toml", files["pyproject.toml"], { allFiles: ["pyproject.toml", "poetry.lock"], readFile: (p) => (p === "poetry.lock" ? undefined : files[p]) });
    expect(unreadable.warnings).toEqual([]);
    expect(unreadable.lockfile).toBeUndefined();
  });

  it("companions: the compiled .txt of a .in only for the file's own extension; no file twice", () => {
    expect(pipManager.companions!("cfg.in/requirements.txt")).toEqual(["cfg.in/requirements.in", "cfg.in/constraints.txt"]);
    expect(pipManager.companions!("requirements.in")).toEqual(["requirements.txt", "constraints.txt"]);
  });
});

describe("lockfiles.ts: more", () => {
  it("the JSON error line counts only the text before the offending character", () => {
    const w: ScanWarning[] = [];
    parsePipfileLock("Pipfile.lock", '{\n"a": 1,\n}\n\n', w);
    expect(w[0].line).toBe(3);
  });

  it("null and malformed entries", () => {
    const w: ScanWarning[] = [];
    expect(parsePipfileLock("Pipfile.lock", "null", w)?.packages).toEqual([]);
    expect(w).toEqual([{ file: "Pipfile.lock", line: null, manager: "pip", message: "Pipfile.lock is not a JSON object" }]);
    const lock = parsePipfileLock("Pipfile.lock", JSON.stringify({ default: { a: { version: ["==1"] }, b: { version: ">=1.0,==2.0" } } }), []);
    expect(lock?.packages).toEqual([]);
    const w2: ScanWarning[] = [];
    expect(parseTomlLock("uv.lock", 'version = 1\n', w2)?.packages).toEqual([]);
    expect(w2).toEqual([]);
  });
});

describe("pep508.ts: more", () => {
  it("a URI reference after '@' may start with ';' when no blank precedes it (PEP 508 urlspec)", () => {
    expect(parsePep508("n @ ;x")).toMatchObject({ url: ";x", marker: null });
  });

  it("an unpaired closing parenthesis stays in the specifier", () => {
    expect(parsePep508("n >=1)")).toMatchObject({ specifier: ">=1)" });
  });

  it("blank specifiers, a strict lower bound, equal lower bounds", () => {
    expect(versionFromSpecifier("   ")).toEqual({ version: null, unsupported: null, error: null });
    expect(versionFromSpecifier(">1.0").version).toBe("1.0");
    expect(versionFromSpecifier(">=1.0,>=1.0.0").version).toBe("1.0");
  });
});

describe("pipfile.ts: more", () => {
  it("several extras, a file dependency's version, a blank-padded star", () => {
    const r = alone("Pipfile", '[packages]\na = { version = "==1", extras = ["x", "y"] }\nw = { file = "https://h/w.whl" }\nany = " * "\n');
    expect(dep(r, "a").notes).toEqual(["extras: x,y"]);
    expect(dep(r, "w").version).toBe("");
    expect(dep(r, "any")).toMatchObject({ skip_reason: null, current_value: " * " });
    expect(r.warnings).toEqual([]);
  });
});

describe("pyproject.ts: more", () => {
  it("Poetry meta fields that are not strings are not taken; [project] version wins", () => {
    expect(alone("pyproject.toml", "[tool.poetry]\nname = 1\nversion = 2\ndescription = 3\n").meta).toEqual({ primary: true });
    expect(alone("pyproject.toml", '[project]\nversion = "1"\n[tool.poetry]\nversion = "2"\n').meta).toEqual({ primary: true, version: "1" });
  });

  it("a Poetry python entry that is neither a string nor a table, or a table without version, is passed over quietly", () => {
    for (const v of ["3", '{ markers = "x" }']) {
      const r = alone("pyproject.toml", `[tool.poetry.dependencies]\npython = ${v}\n`);
      expect(r.deps, v).toEqual([]);
      expect(r.warnings, v).toEqual([]);
    }
  });

  it("the span of a Poetry python version is found after its `version` key", () => {
    const r = alone("pyproject.toml", '[tool.poetry]\ndependencies = { foo = "^3.8", python = { version = "^3.8" } }\n');
    expect(dep(r, "python").value_span).toEqual({ line: 2, start_column: 53, end_column: 57, text: "^3.8" });
  });

  it("no dependencies key, no warning; a table of optional dependencies that are not arrays is warned with its section", () => {
    expect(alone("pyproject.toml", '[project]\nname = "x"\n').warnings).toEqual([]);
    const r = alone("pyproject.toml", '[project]\noptional-dependencies = { cli = "click" }\n');
    expect(r.warnings.map((w) => w.message)).toEqual(["[project.optional-dependencies] cli must be an array of requirement strings"]);
  });

  it("an invalid specifier in [project] dependencies is warned at its line; a dependency of no group has no group field", () => {
    const r = alone("pyproject.toml", '[project]\ndependencies = [\n  "a>>1",\n  "b==1",\n]\n');
    expect(r.warnings).toEqual([{ file: "pyproject.toml", line: 3, manager: "pip", message: 'a: invalid PEP 440 specifier ">>1"' }]);
    expect("group" in dep(r, "b")).toBe(false);
  });

  it("dependency groups over several lines, with a bad requirement and an include-group that is not a string", () => {
    const text = [
      "[dependency-groups]", // 1
      "test = [", // 2
      '  "pytest>=8",', // 3
      '  "not valid!",', // 4
      "  { include-group = 3 },", // 5
      '  "coverage==7.5",', // 6
      "]", // 7
      "",
    ].join("\n");
    const r = alone("pyproject.toml", text);
    expect(r.deps.map((d) => [d.name, d.line])).toEqual([
      ["pytest", 3],
      ["coverage", 6],
    ]);
    expect(r.warnings.map((w) => w.line)).toEqual([4, 5]);
    expect(r.warnings[1].message).toBe('[dependency-groups] test: entry 3 is neither a requirement nor {include-group = "..."}');
  });

  it("group names normalise runs of -, _ and . to one dash (PEP 735), and nothing else", () => {
    const r = alone("pyproject.toml", '[dependency-groups]\ntype-check = ["mypy"]\nall = [{ include-group = "Type__Check" }]\n');
    expect(r.warnings).toEqual([]);
    expect(dep(r, "mypy").notes).toEqual(["included in group all"]);
    const apart = alone("pyproject.toml", '[dependency-groups]\nab = ["x"]\nall = [{ include-group = "a_b" }]\n');
    expect(apart.warnings.map((w) => w.message)).toEqual(['[dependency-groups] all includes unknown group "a_b"']);
  });

  it("a dependency included twice into one group is noted once", () => {
    const r = alone("pyproject.toml", '[dependency-groups]\na = ["x"]\nb = [{ include-group = "a" }]\nall = [{ include-group = "a" }, { include-group = "b" }]\n');
    expect(dep(r, "x").notes).toEqual(["included in group b", "included in group all"]);
  });

  it("Poetry constraints: padded star, spaced alternatives of exact versions, upper bound first, equal alternatives", () => {
    expect(poetryConstraintVersion(" * ")).toEqual({ version: null, error: null });
    expect(poetryConstraintVersion("1.2 || 1.3")).toEqual({ version: "1.2", error: null });
    expect(poetryConstraintVersion("<2,>=1.5")).toEqual({ version: "1.5", error: null });
    expect(poetryConstraintVersion(">=1.2, <2")).toEqual({ version: "1.2", error: null });
    expect(poetryConstraintVersion("^1.0 || ^1.0.0").version).toBe("1.0");
    expect(poetryConstraintVersion("<2,^1.2")).toEqual({ version: "1.2", error: null });
  });

  it("a Poetry table dependency is not optional unless it says so; several extras", () => {
    const r = alone("pyproject.toml", '[tool.poetry.dependencies]\nd = { version = "^1.0", extras = ["a", "b"], optional = false }\n');
    expect(dep(r, "d")).toMatchObject({ dependency_type: "prod", notes: ["extras: a,b"] });
  });
});

describe("runtime.ts: more", () => {
  it("a two-digit major version; the runtime dependency belongs to pip", () => {
    const r = alone("pyproject.toml", '[tool.poetry.dependencies]\npython = "^10.2"\n');
    expect(dep(r, "python")).toMatchObject({ version: "10.2", package_manager: "pip" });
    expect(alone(".python-version", "10.0\n").warnings).toEqual([]);
  });
});
