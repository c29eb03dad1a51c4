/**
 * pyproject.toml, Pipfile, their lockfiles and .python-version, one behaviour per test (issue 18:
 * mutation survivors of pip.ts and pip/*.ts other than requirements.ts). Oracles: PEP 508, PEP 440,
 * PEP 503 (name normalisation), PEP 518 (build-system.requires), PEP 621 ([project]), PEP 735
 * ([dependency-groups], include-group), Poetry's "Dependency specification" docs (^, ~, *, path /
 * git / url, multiple constraints, groups), Pipenv's Pipfile and Pipfile.lock formats, and pyenv's
 * .python-version. Manifests written here.
 */
import { describe, expect, it } from "vitest";
import { isRequirementsFile, pipManager } from "../../../src/scan/managers/pip.js";
import { nearestAncestorFile, resolveRelative, safeRead } from "../../../src/scan/managers/pip/common.js";
import { parsePipfileLock, parseTomlLock } from "../../../src/scan/managers/pip/lockfiles.js";
import { normalizePyName, parsePep508, truncate, versionFromSpecifier } from "../../../src/scan/managers/pip/pep508.js";
import { poetryConstraintVersion } from "../../../src/scan/managers/pip/pyproject.js";
import { getPath, parseTomlFile } from "../../../src/scan/managers/pip/toml.js";
import { locateToml } from "../../../src/scan/managers/pip/toml-lines.js";
import type { ExtractContext, ExtractedDependency, ManagerResult, ScanWarning } from "../../../src/scan/types.js";

function repo(files: Record<string, string>): ExtractContext {
  return { allFiles: Object.keys(files), readFile: (p) => files[p] };
}
const run = (file: string, files: Record<string, string>): ManagerResult => pipManager.extract(file, files[file], repo(files));
const alone = (file: string, content: string): ManagerResult => run(file, { [file]: content });
const dep = (r: ManagerResult, name: string, type?: string): ExtractedDependency => {
  const d = r.deps.find((x) => x.name === name && (type === undefined || x.dependency_type === type));
  if (!d) throw new Error(`no ${name} in ${r.deps.map((x) => `${x.name}:${x.dependency_type}`).join(", ")}`);
  return d;
};
const messages = (r: ManagerResult): string[] => r.warnings.map((w) => w.message);

describe("file kinds and companions", () => {
  it("requirements files by name or folder", () => {
    for (const f of ["requirements.txt", "dev-requirements.in", "requirements-dev.txt", "requirements/base.txt", "x/Requirements/test.in", "REQUIREMENTS.TXT"]) expect(isRequirementsFile(f), f).toBe(true);
    for (const f of ["requirements.md", "a.requirements.txt", "requirements/base.cfg", "requirements/a.b.txt", "reqs/base.txt"]) expect(isRequirementsFile(f), f).toBe(false);
    for (const f of ["pyproject.toml", "a/Pipfile", ".python-version", "a/.python-version"]) expect(pipManager.matches(f), f).toBe(true);
    for (const f of ["Pipfile.lock", "poetry.lock", "setup.py", "pyproject.toml.bak", "python-version"]) expect(pipManager.matches(f), f).toBe(false);
  });

  it("companions: Pipfile.lock beside a Pipfile; requirements siblings and the compiled .txt of a .in; nothing for others", () => {
    expect(pipManager.companions!("app/Pipfile")).toEqual(["app/Pipfile.lock"]);
    expect(pipManager.companions!("Pipfile")).toEqual(["Pipfile.lock"]);
    expect(pipManager.companions!("app/dev.in".replace("dev.in", "requirements-dev.in"))).toEqual([
      "app/requirements.txt",
      "app/requirements.in",
      "app/constraints.txt",
      "app/requirements-dev.txt",
    ]);
    expect(pipManager.companions!("requirements.txt")).toEqual(["requirements.in", "constraints.txt"]);
    expect(pipManager.companions!(".python-version")).toEqual([]);
    expect(pipManager.companions!("a/b/pyproject.toml")).toEqual(["a/b/poetry.lock", "a/b/uv.lock", "a/uv.lock", "uv.lock"]);
    expect(pipManager.companions!("pyproject.toml")).toEqual(["poetry.lock", "uv.lock"]);
  });

  it("a file of no kind gives an empty result", () => {
    expect(pipManager.extract("setup.cfg", "[metadata]\n", repo({}))).toEqual({ deps: [], warnings: [], meta: { primary: false }, locked: [] });
  });
});

describe(".python-version (pyenv)", () => {
  it("the first version line, comments and blank lines skipped, with its span", () => {
    const r = alone(".python-version", "\uFEFF# project python\n\n 3.12.1 \n3.11.7\n");
    expect(r.warnings).toEqual([]);
    expect(r.deps).toHaveLength(1);
    expect(r.deps[0]).toMatchObject({
      name: "python",
      datasource: "python-version",
      dependency_type: "runtime",
      current_value: "3.12.1",
      version: "3.12.1",
      group: "python-version file",
      skip_reason: null,
      line: 3,
      package_manager: "pip",
    });
    expect(r.deps[0].value_span).toEqual({ line: 3, start_column: 1, end_column: 7, text: "3.12.1" });
    expect(r.locked).toEqual([]);
  });

  it("a minor version, a pre-release; other interpreters are listed, skipped, not warned", () => {
    expect(alone(".python-version", "3.12\n").deps[0]).toMatchObject({ current_value: "3.12", skip_reason: null });
    expect(alone(".python-version", "3.13.0rc1\n").deps[0].skip_reason).toBeNull();
    expect(alone(".python-version", "3\n").deps[0].skip_reason).toBeNull();
    for (const other of ["pypy3.10-7.3.12", "system", "miniconda3-latest", "anaconda3-2023.09", "graalpy-23.1.0", "micropython-1.20.0", "PyPy3.9"]) {
      const r = alone(".python-version", `${other}\n`);
      expect(r.warnings, other).toEqual([]);
      expect(r.deps[0], other).toMatchObject({ current_value: other, skip_reason: "not a CPython version", value_span: null });
    }
  });

  it("pyenv's development builds and other interpreter families are listed, skipped, not warned", () => {
    // pyenv install --list: "3.13-dev", "3.13t-dev", "stackless-3.7.5", "pyston-2.3.5", "jython-2.7.2", ...
    for (const v of ["3.13-dev", "3.13t-dev"]) {
      const r = alone(".python-version", `${v}\n`);
      expect(r.warnings, v).toEqual([]);
      expect(r.deps[0], v).toMatchObject({ current_value: v, skip_reason: "a CPython development build", value_span: null });
    }
    for (const other of ["stackless-3.7.5", "pyston-2.3.5", "jython-2.7.2", "ironpython-3.4.1", "cinder-3.10-dev", "nogil-3.9.10-1", "activepython-3.6.0", "miniforge3-24.3.0-0", "mambaforge-22.9.0-3", "graalpython-22.2.0"]) {
      const r = alone(".python-version", `${other}\n`);
      expect(r.warnings, other).toEqual([]);
      expect(r.deps[0].skip_reason, other).toBe("not a CPython version");
    }
    for (const bad of ["3-dev", "3.12.1-dev", "3.12-devel"]) expect(alone(".python-version", `${bad}\n`).warnings, bad).toHaveLength(1);
  });

  it("anything else is warned, at most 80 characters quoted", () => {
    const r = alone("svc/.python-version", `${"x".repeat(100)}\n`);
    expect(r.deps[0].skip_reason).toBe("not a CPython version");
    expect(r.warnings).toEqual([{ file: "svc/.python-version", line: 1, manager: "pip", message: `svc/.python-version:1: "${"x".repeat(80)}" is not a Python version` }]);
    expect(alone(".python-version", "3.12.1.4\n").warnings).toHaveLength(1);
    expect(alone(".python-version", "v3.12\n").warnings).toHaveLength(1);
  });

  it("no version within the first 1000 lines: one warning", () => {
    const empty = alone(".python-version", "# none\n");
    expect(empty).toEqual({ deps: [], warnings: [{ file: ".python-version", line: 1, manager: "pip", message: ".python-version: no Python version in the file" }], meta: { primary: false }, locked: [] });
    expect(alone(".python-version", `${"\n".repeat(1000)}3.12\n`).deps).toEqual([]);
    expect(alone(".python-version", `${"\n".repeat(999)}3.12\n`).deps[0].line).toBe(1000);
  });
});

describe("pyproject.toml: PEP 621 and PEP 735", () => {
  it("requires-python is the runtime, at its line and span; meta from [project]", () => {
    const text = ['[project]', 'name = "svc"', 'version = "1.2.0"', 'description = "a service"', 'requires-python = ">=3.10,<4"', ""].join("\n");
    const r = alone("pyproject.toml", text);
    expect(r.meta).toEqual({ primary: true, name: "svc", version: "1.2.0", description: "a service", requires_python: ">=3.10,<4" });
    const py = dep(r, "python");
    expect(py).toMatchObject({ datasource: "python-version", dependency_type: "runtime", current_value: ">=3.10,<4", version: "3.10", group: "requires-python", line: 5 });
    expect(py.value_span).toEqual({ line: 5, start_column: 19, end_column: 28, text: ">=3.10,<4" });
  });

  it("[project] that is not a table, dependencies that are not an array, entries that are not strings", () => {
    expect(messages(alone("pyproject.toml", 'project = "x"\n'))).toEqual(["[project] is not a table"]);
    const r = alone("pyproject.toml", '[project]\ndependencies = "requests"\noptional-dependencies = { cli = [1, "click>=8"] }\n');
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [2, "[project] dependencies must be an array of requirement strings"],
      [3, "[project.optional-dependencies] cli: entry 1 is not a string"],
    ]);
    expect(dep(r, "click")).toMatchObject({ dependency_type: "optional", group: "cli", version: "8" });
  });

  it("markers and extras become notes; a bad requirement is warned at its element's line", () => {
    const text = ["[project]", "dependencies = [", '  "requests[socks,security]>=2.31 ; python_version >= \'3.8\'",', '  "not a requirement!",', '  "urllib3==2.2.1",', "]", ""].join("\n");
    const r = alone("pyproject.toml", text);
    expect(dep(r, "requests")).toMatchObject({ line: 3, version: "2.31", notes: ["marker: python_version >= '3.8'", "extras: socks,security"] });
    expect(dep(r, "requests").group).toBeUndefined();
    expect(dep(r, "urllib3")).toMatchObject({ line: 5, version: "2.2.1" });
    expect(r.warnings.map((w) => w.line)).toEqual([4]);
  });

  it("dependency groups: own entries once, include-group noted on the included entries, names normalised", () => {
    const text = [
      "[dependency-groups]", // 1
      'test = ["pytest>=8", { include-group = "Type_Check" }]', // 2
      'type-check = ["mypy==1.10.0"]', // 3
      'all = [{ include-group = "test" }]', // 4
      "",
    ].join("\n");
    const r = alone("pyproject.toml", text);
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.group, d.dependency_type, d.line])).toEqual([
      ["pytest", "test", "dev", 2],
      ["mypy", "type-check", "dev", 3],
    ]);
    expect(dep(r, "mypy").notes).toEqual(["included in group test", "included in group all"]);
    expect(dep(r, "pytest").notes).toEqual(["included in group all"]);
  });

  it("dependency groups: unknown groups, cycles and bad entries are warned", () => {
    const text = [
      "[dependency-groups]", // 1
      'a = [{ include-group = "b" }, "six"]', // 2
      'b = [{ include-group = "a" }]', // 3
      'c = [{ include-group = "nope" }, 3]', // 4
      'd = "x"', // 5
      "",
    ].join("\n");
    const r = alone("pyproject.toml", text);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [4, '[dependency-groups] c: entry 2 is neither a requirement nor {include-group = "..."}'],
      [5, "[dependency-groups] d must be an array"],
      [3, "[dependency-groups] include cycle: a -> b -> a"],
      [2, "[dependency-groups] include cycle: b -> a -> b"],
      [4, '[dependency-groups] c includes unknown group "nope"'],
    ]);
    expect(dep(r, "six").notes).toEqual(["included in group b"]);
  });

  it("build-system.requires are build dependencies", () => {
    const r = alone("pyproject.toml", '[build-system]\nrequires = ["setuptools>=68", "wheel"]\n');
    expect(r.deps.map((d) => [d.name, d.dependency_type, d.version])).toEqual([
      ["setuptools", "build", "68"],
      ["wheel", "build", ""],
    ]);
    expect(messages(alone("pyproject.toml", '[build-system]\nrequires = "setuptools"\n'))).toEqual(["[build-system] requires must be an array of requirement strings"]);
  });
});

describe("pyproject.toml: Poetry", () => {
  it("constraints: ^, ~, *, exact, wildcard, comparison, alternatives", () => {
    expect(poetryConstraintVersion("^1.2")).toEqual({ version: "1.2", error: null });
    expect(poetryConstraintVersion("~ 1.4.2")).toEqual({ version: "1.4.2", error: null });
    expect(poetryConstraintVersion("~=1.4")).toEqual({ version: "1.4", error: null });
    expect(poetryConstraintVersion("*")).toEqual({ version: null, error: null });
    expect(poetryConstraintVersion(" ")).toEqual({ version: null, error: null });
    expect(poetryConstraintVersion("2.0.1")).toEqual({ version: "2.0.1", error: null });
    expect(poetryConstraintVersion("=2.0.1")).toEqual({ version: "2.0.1", error: null });
    expect(poetryConstraintVersion("1.2.*")).toEqual({ version: "1.2", error: null });
    expect(poetryConstraintVersion(">=1.5,<2")).toEqual({ version: "1.5", error: null });
    expect(poetryConstraintVersion(">=1.5 <2")).toEqual({ version: "1.5", error: null });
    expect(poetryConstraintVersion("^2.0 || ^1.4")).toEqual({ version: "1.4", error: null });
    expect(poetryConstraintVersion("^1.4 || ^2.0")).toEqual({ version: "1.4", error: null });
    expect(poetryConstraintVersion("<3 || ^2.0")).toEqual({ version: "2.0", error: null });
    expect(poetryConstraintVersion("banana")).toEqual({ version: null, error: 'invalid Poetry constraint "banana"' });
    expect(poetryConstraintVersion("===foo").error).toMatch(/^invalid Poetry constraint/);
  });

  it("every dependency form, with lines, groups and notes", () => {
    const text = [
      "[tool.poetry]", // 1
      'name = "poet"', // 2
      'version = "0.3.0"', // 3
      'description = "verses"', // 4
      "[tool.poetry.dependencies]", // 5
      'python = "^3.9"', // 6
      'requests = { version = "^2.31", extras = ["socks"], markers = "sys_platform == \'linux\'", python = ">=3.9", optional = true }', // 7
      'local = { path = "../local", develop = true }', // 8
      'forked = { git = "https://github.com/o/forked.git", branch = "main" }', // 9
      'tagged = { git = "https://github.com/o/tagged.git", tag = "v1.0" }', // 10
      'wheel = { url = "https://example.com/w-1.0-py3-none-any.whl" }', // 11
      'multi = [{ version = "^1.0", python = "<3.10" }, { version = "^2.0", python = ">=3.10" }]', // 12
      "bad = 3", // 13
      'empty = { extras = ["x"] }', // 14
      'odd = "banana"', // 15
      "[tool.poetry.dev-dependencies]", // 16
      'black = "23.12.1"', // 17
      "[tool.poetry.group.lint.dependencies]", // 18
      'ruff = "~0.4"', // 19
      "",
    ].join("\n");
    const r = alone("svc/pyproject.toml", text);
    expect(r.meta).toEqual({ primary: true, name: "poet", version: "0.3.0", description: "verses", requires_python: "^3.9" });
    const py = dep(r, "python");
    expect(py).toMatchObject({ group: "poetry", line: 6, version: "3.9" });
    expect(py.value_span).toMatchObject({ line: 6, text: "^3.9" });
    expect(dep(r, "requests")).toMatchObject({
      line: 7,
      dependency_type: "optional",
      current_value: "^2.31",
      version: "2.31",
      notes: ["extras: socks", "marker: sys_platform == 'linux'", "python: >=3.9"],
    });
    expect(dep(r, "local")).toMatchObject({ local_path: "local", skip_reason: "local-path", current_value: "../local", version: "" });
    expect(dep(r, "forked")).toMatchObject({ datasource: "git", current_value: "main", registry_url: "https://github.com/o/forked.git", skip_reason: "git-dependency" });
    expect(dep(r, "tagged").current_value).toBe("v1.0");
    expect(dep(r, "wheel")).toMatchObject({ skip_reason: "direct-url", current_value: "https://example.com/w-1.0-py3-none-any.whl", version: "" });
    expect(dep(r, "multi")).toMatchObject({ current_value: "^1.0", version: "1.0", notes: ["multiple constraints (2)", "python: <3.10"] });
    expect(r.deps.some((d) => d.name === "bad")).toBe(false);
    expect(dep(r, "empty")).toMatchObject({ current_value: "", skip_reason: null, notes: ["extras: x"] });
    expect(dep(r, "odd")).toMatchObject({ skip_reason: "invalid-version", version: "banana" });
    expect(dep(r, "black")).toMatchObject({ dependency_type: "dev", line: 17, version: "23.12.1" });
    expect(dep(r, "black").group).toBeUndefined();
    expect(dep(r, "ruff")).toMatchObject({ dependency_type: "dev", group: "lint", line: 19, version: "0.4" });
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [13, "bad: unsupported Poetry dependency value"],
      [14, "empty: Poetry dependency has no version, path, git or url"],
      [15, 'odd: invalid Poetry constraint "banana"'],
    ]);
  });

  it("[project] wins over [tool.poetry] for meta; a table python entry; a missing python version", () => {
    const text = ['[project]', 'name = "pep"', 'requires-python = ">=3.11"', "[tool.poetry]", 'name = "poet"', 'version = "9"', "[tool.poetry.dependencies]", 'Python = { version = "^3.8" }', ""].join("\n");
    const r = alone("pyproject.toml", text);
    expect(r.meta).toMatchObject({ name: "pep", version: "9", requires_python: ">=3.11" });
    const pys = r.deps.filter((d) => d.name === "python");
    expect(pys.map((d) => [d.group, d.line, d.version])).toEqual([
      ["requires-python", 3, "3.11"],
      ["poetry", 8, "3.8"],
    ]);
    expect(pys[1].value_span).toMatchObject({ line: 8, text: "^3.8" });
    expect(alone("pyproject.toml", "[tool.poetry.dependencies]\npython = { markers = \"x\" }\n").deps).toEqual([]);
  });

  it("poetry.lock beside the file and uv.lock in an ancestor fill the versions; the importer is relative to the lock", () => {
    const lock = (pkgs: Array<[string, string]>) => pkgs.map(([n, v]) => `[[package]]\nname = "${n}"\nversion = "${v}"\n`).join("\n");
    const files = {
      "pkgs/api/pyproject.toml": '[project]\nname = "api"\ndependencies = ["Flask_Cors>=4", "gitdep @ git+https://g/x"]\n',
      "uv.lock": lock([["flask-cors", "4.0.1"], ["gitdep", "1.0.0"]]),
    };
    const r = run("pkgs/api/pyproject.toml", files);
    expect(dep(r, "Flask_Cors")).toMatchObject({ locked_version: "4.0.1", version: "4.0.1" });
    expect(dep(r, "gitdep").locked_version).toBeNull();
    expect(r.lockfile).toEqual({ file: "uv.lock", importer: "pkgs/api" });
    expect(r.locked).toEqual([
      { name: "flask-cors", version: "4.0.1", datasource: "pypi" },
      { name: "gitdep", version: "1.0.0", datasource: "pypi" },
    ]);
    const mid = run("pkgs/api/pyproject.toml", { "pkgs/api/pyproject.toml": files["pkgs/api/pyproject.toml"], "pkgs/uv.lock": lock([["flask-cors", "4.0.0"]]) });
    expect(mid.lockfile).toEqual({ file: "pkgs/uv.lock", importer: "api" });
    const own = run("pkgs/api/pyproject.toml", { "pkgs/api/pyproject.toml": files["pkgs/api/pyproject.toml"], "pkgs/api/poetry.lock": lock([["flask-cors", "4.0.2"]]) });
    expect(own.lockfile).toEqual({ file: "pkgs/api/poetry.lock", importer: "." });
    expect(dep(own, "Flask_Cors").locked_version).toBe("4.0.2");
    const none = run("pkgs/api/pyproject.toml", { "pkgs/api/pyproject.toml": files["pkgs/api/pyproject.toml"] });
    expect(none.lockfile).toBeUndefined();
    expect(none.locked).toEqual([]);
  });

  it("a lock listed but unreadable is passed over", () => {
    const ctx: ExtractContext = { allFiles: ["pyproject.toml", "poetry.lock"], readFile: (p) => (p === "poetry.lock" ? undefined : '[project]\ndependencies = ["a==1"]\n') };
    const r = pipManager.extract("pyproject.toml", '[project]\ndependencies = ["a==1"]\n', ctx);
    expect(r.lockfile).toBeUndefined();
    const throwing: ExtractContext = {
      allFiles: ["pyproject.toml", "poetry.lock"],
      readFile: (p) => {
        if (p === "poetry.lock") throw new Error("io");
        return undefined;
      },
    };
    expect(pipManager.extract("pyproject.toml", '[project]\ndependencies = ["a==1"]\n', throwing).lockfile).toBeUndefined();
  });
});

describe("Pipfile", () => {
  it("sources, indexes, every value form and [requires]", () => {
    const text = [
      "[[source]]", // 1
      'url = "https://pypi.org/simple"', // 2
      'name = "pypi"', // 3
      "[[source]]", // 4
      'url = "https://internal.example/simple"', // 5
      'name = "internal"', // 6
      "[packages]", // 7
      'requests = "==2.31.0"', // 8
      'anything = "*"', // 9
      'inhouse = { version = ">=1.2", index = "internal" }', // 10
      'lost = { version = "==1", index = "nowhere" }', // 11
      'mine = { path = "./lib", editable = true }', // 12
      'forked = { git = "https://github.com/o/f.git", ref = "v2.0" }', // 13
      'wheel = { file = "https://example.com/w.whl" }', // 14
      'extra = { version = "~=3.1", extras = ["socks"], markers = "os_name == \'nt\'" }', // 15
      "weird = 3", // 16
      'arbitrary = "===foobar"', // 17
      'broken = ">>1"', // 18
      'bare = { extras = ["a"] }', // 19
      "[dev-packages]", // 20
      'pytest = ">=8"', // 21
      "[requires]", // 22
      'python_version = "3.12"', // 23
      "",
    ].join("\n");
    const r = alone("app/Pipfile", text);
    expect(r.meta).toEqual({ primary: true, requires_python: "==3.12.*" });
    expect(dep(r, "python")).toMatchObject({ group: "pipenv", line: 23, current_value: "3.12", version: "3.12" });
    expect(dep(r, "requests")).toMatchObject({ line: 8, version: "2.31.0", registry_url: "https://pypi.org/simple", dependency_type: "prod" });
    expect(dep(r, "anything")).toMatchObject({ current_value: "*", version: "*", skip_reason: null });
    expect(dep(r, "inhouse")).toMatchObject({ registry_url: "https://internal.example/simple", version: "1.2" });
    expect(dep(r, "lost")).toMatchObject({ registry_url: null });
    expect(dep(r, "mine")).toMatchObject({ local_path: "app/lib", skip_reason: "local-path", notes: ["editable"], version: "" });
    expect(dep(r, "forked")).toMatchObject({ datasource: "git", current_value: "v2.0", registry_url: "https://github.com/o/f.git", skip_reason: "git-dependency" });
    expect(dep(r, "wheel")).toMatchObject({ skip_reason: "direct-url", current_value: "https://example.com/w.whl" });
    expect(dep(r, "extra")).toMatchObject({ version: "3.1", notes: ["extras: socks", "marker: os_name == 'nt'"] });
    expect(dep(r, "arbitrary")).toMatchObject({ skip_reason: "unsupported-version", version: "===foobar" });
    expect(dep(r, "broken")).toMatchObject({ skip_reason: "invalid-version" });
    expect(dep(r, "bare")).toMatchObject({ current_value: "*", skip_reason: null });
    expect(dep(r, "pytest")).toMatchObject({ dependency_type: "dev", line: 21, version: "8" });
    expect(r.deps.some((d) => d.name === "weird")).toBe(false);
    expect(r.warnings.map((w) => [w.line, w.message.slice(0, 40)])).toEqual([
      [11, 'lost: unknown index "nowhere"'],
      [16, "weird: unsupported Pipfile value"],
      [17, 'arbitrary: arbitrary equality "===foobar'],
      [18, 'broken: invalid PEP 440 specifier ">>1"'],
    ]);
  });

  it("python_full_version wins over python_version; no source means no registry", () => {
    const r = alone("Pipfile", '[packages]\na = "==1.0"\n[requires]\npython_version = "3.11"\npython_full_version = "3.11.4"\n');
    expect(r.meta.requires_python).toBe("==3.11.4");
    expect(dep(r, "python")).toMatchObject({ current_value: "3.11.4", line: 5 });
    expect(dep(r, "python").value_span).toMatchObject({ line: 5, text: "3.11.4" });
    expect(dep(r, "a").registry_url).toBeNull();
    expect(alone("Pipfile", "[packages]\n").meta).toEqual({ primary: true });
  });

  it("Pipfile.lock pins fill locked versions, from default and develop", () => {
    const lock = JSON.stringify({ _meta: {}, default: { requests: { version: "==2.31.0" }, odd: { version: "2.0" }, nov: {} }, develop: { PyTest: { version: "===8.1.1" } } });
    const files = { "Pipfile": '[packages]\nrequests = "*"\nodd = "*"\n[dev-packages]\npytest = "*"\n', "Pipfile.lock": lock };
    const r = run("Pipfile", files);
    expect(dep(r, "requests")).toMatchObject({ locked_version: "2.31.0", version: "2.31.0" });
    expect(dep(r, "pytest").locked_version).toBe("8.1.1");
    expect(dep(r, "odd").locked_version).toBeNull();
    expect(r.lockfile).toEqual({ file: "Pipfile.lock", importer: "." });
    // Listed in the scan only: a lock the context cannot list is not read.
    const unlisted = pipManager.extract("Pipfile", files.Pipfile, { allFiles: ["Pipfile"], readFile: (p) => (files as Record<string, string>)[p] });
    expect(unlisted.lockfile).toBeUndefined();
  });
});

describe("Python lockfile parsers", () => {
  it("Pipfile.lock: invalid JSON is warned with its line; a non-object is empty", () => {
    const w: ScanWarning[] = [];
    expect(parsePipfileLock("Pipfile.lock", '{\n  "default": {\n    "a": nope\n  }\n}', w)).toBeNull();
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ file: "Pipfile.lock", manager: "pip" });
    expect(w[0].message.startsWith("invalid JSON: ")).toBe(true);
    const w2: ScanWarning[] = [];
    expect(parsePipfileLock("Pipfile.lock", "[1]", w2)).toMatchObject({ packages: [] });
    const w3: ScanWarning[] = [];
    expect(parsePipfileLock("Pipfile.lock", "3", w3)?.packages).toEqual([]);
    expect(w3).toEqual([{ file: "Pipfile.lock", line: null, manager: "pip", message: "Pipfile.lock is not a JSON object" }]);
    const w4: ScanWarning[] = [];
    expect(parsePipfileLock("Pipfile.lock", '{"default": null, "develop": {"x": null, "y": {"version": "== 1.0 "}}}', w4)?.packages).toEqual([{ name: "y", version: "1.0" }]);
    expect(w4).toEqual([]);
  });

  it("poetry.lock / uv.lock: first version of a normalised name wins; every package is listed", () => {
    const w: ScanWarning[] = [];
    const lock = parseTomlLock("uv.lock", '[[package]]\nname = "Zope.Interface"\nversion = "6.0"\n[[package]]\nname = "zope-interface"\nversion = "5.0"\n[[package]]\nname = "noversion"\n', w);
    expect(w).toEqual([]);
    expect(lock?.versions.get("zope-interface")).toBe("6.0");
    expect(lock?.packages).toEqual([
      { name: "Zope.Interface", version: "6.0" },
      { name: "zope-interface", version: "5.0" },
    ]);
    const w2: ScanWarning[] = [];
    expect(parseTomlLock("poetry.lock", 'package = "x"\n', w2)?.packages).toEqual([]);
    expect(w2).toEqual([{ file: "poetry.lock", line: null, manager: "pip", message: "package must be an array of tables" }]);
    const w3: ScanWarning[] = [];
    expect(parseTomlLock("poetry.lock", "[[package]\n", w3)).toBeNull();
    expect(w3[0]).toMatchObject({ file: "poetry.lock", line: 1 });
    expect(parseTomlLock("poetry.lock", "", [])?.packages).toEqual([]);
  });
});

describe("PEP 508 / PEP 440 / TOML helpers", () => {
  it("names normalise per PEP 503", () => {
    expect(normalizePyName("Foo__Bar.-baz")).toBe("foo-bar-baz");
  });

  it("requirement strings", () => {
    expect(parsePep508("name @ https://x/a;b.whl ; python_version<'3.9'")).toEqual({ name: "name", extras: [], specifier: "", url: "https://x/a;b.whl", marker: "python_version<'3.9'" });
    expect(parsePep508("name@https://x/a.whl")).toMatchObject({ url: "https://x/a.whl", marker: null });
    expect(parsePep508("name (>=1.0)")).toMatchObject({ specifier: ">=1.0" });
    expect(parsePep508("name[ a , ,b ] ~=1.1")).toMatchObject({ extras: ["a", "b"], specifier: "~=1.1" });
    expect(parsePep508("name;")).toMatchObject({ marker: null, specifier: "" });
    expect(parsePep508("name[a")).toEqual({ error: 'unclosed extras in "name[a"' });
    expect(parsePep508("name @ ")).toEqual({ error: 'empty direct reference in "name @ "' });
    expect(parsePep508("-e .")).toEqual({ error: 'not a PEP 508 requirement: "-e ."' });
    expect(parsePep508("name 1.0")).toEqual({ error: 'unexpected text after the name in "name 1.0"' });
    // PEP 508: a name ends with a letter or digit.
    expect(parsePep508("a-")).toEqual({ error: 'unexpected text after the name in "a-"' });
  });

  it("specifier versions", () => {
    expect(versionFromSpecifier("")).toEqual({ version: null, unsupported: null, error: null });
    expect(versionFromSpecifier(">1.0,>=1.5")).toMatchObject({ version: "1.5" });
    expect(versionFromSpecifier(">=1.5,>1.0")).toMatchObject({ version: "1.5" });
    expect(versionFromSpecifier("==1.2.*,>=1.2.3")).toMatchObject({ version: "1.2.3" });
    expect(versionFromSpecifier(">=1.0,==1.4")).toMatchObject({ version: "1.4" });
    expect(versionFromSpecifier("===1.0")).toMatchObject({ version: "1.0" });
    expect(versionFromSpecifier("<2,!=1.5")).toEqual({ version: null, unsupported: null, error: null });
  });

  it("truncate replaces control characters and bounds the length", () => {
    expect(truncate("a\nb\u007f")).toBe("a?b?");
    expect(truncate("x".repeat(121))).toBe(`${"x".repeat(120)}…`);
    expect(truncate("x".repeat(120))).toBe("x".repeat(120));
    expect(truncate("abcdef", 3)).toBe("abc…");
  });

  it("paths relative to a file, the nearest ancestor file, a reader that throws", () => {
    expect(resolveRelative("a/b/pyproject.toml", "../c/")).toBe("a/c");
    expect(resolveRelative("a/pyproject.toml", "/abs/x")).toBe("abs/x");
    expect(resolveRelative("a/pyproject.toml", "..")).toBe(".");
    expect(resolveRelative("pyproject.toml", ".")).toBe(".");
    const ctx = repo({ "uv.lock": "", "a/b/uv.lock": "" });
    expect(nearestAncestorFile(ctx, "a/b/c/pyproject.toml", "uv.lock")).toBe("a/b/uv.lock");
    expect(nearestAncestorFile(ctx, "a/pyproject.toml", "uv.lock")).toBe("uv.lock");
    expect(nearestAncestorFile(repo({}), "a/pyproject.toml", "uv.lock")).toBeNull();
    expect(nearestAncestorFile(repo({}), "/abs/pyproject.toml", "uv.lock")).toBeNull();
    expect(
      safeRead(
        {
          allFiles: [],
          readFile: () => {
            throw new Error("x");
          },
        },
        "f",
      ),
    ).toBeUndefined();
  });

  it("TOML: errors name line and column; tables and dates; paths through non-tables", () => {
    const bad = parseTomlFile("p.toml", "a = 1\nb = = 2\n", "pip");
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.warning).toMatchObject({ file: "p.toml", line: 2, manager: "pip" });
      expect(bad.warning.message).toMatch(/^invalid TOML at line 2, column \d+: /);
    }
    const ok = parseTomlFile("p.toml", "d = 1979-05-27\n[t]\nx = 1\n", "pip");
    if (!ok.ok) throw new Error("expected TOML");
    expect(getPath(ok.value, ["t", "x"])).toBe(1);
    expect(getPath(ok.value, ["d", "x"])).toBeUndefined();
    expect(getPath(ok.value, ["t", "x", "y"])).toBeUndefined();
  });

  it("TOML line locator: headers, dotted and quoted keys, strings with brackets, array elements", () => {
    const text = [
      "[project]", // 1
      'name = "a [b] # c"', // 2
      "dependencies = [", // 3
      "  # comment", // 4
      '  "x>=1",  # [not a header]', // 5
      "  '''y", // 6
      "  '''", // 7
      '  """z""",', // 8
      "]", // 9
      '[tool."poetry.x".deps]', // 10
      'a.b = { c = [1, 2] }', // 11
      "'q k' = 1", // 12
      "[[tool.list]]", // 13
      "e = 1", // 14
      "",
    ].join("\n");
    const loc = locateToml(text);
    expect(loc.keyLine(["project"], ["name"])).toBe(2);
    expect(loc.keyLine(["project"], ["dependencies"])).toBe(3);
    expect(loc.arrayElementLines(["project"], ["dependencies"])).toEqual([5, 6, 8]);
    expect(loc.keyLine(["tool", "poetry.x", "deps"], ["a", "b"])).toBe(11);
    expect(loc.keyLine(["tool", "poetry.x", "deps"], ["q k"])).toBe(12);
    expect(loc.keyLine(["tool", "poetry.x"], ["deps"])).toBe(10);
    expect(loc.keyLine(["project"], ["missing"])).toBeNull();
    expect(loc.arrayElementLines(["project"], ["name"])).toEqual([]);
  });
});
