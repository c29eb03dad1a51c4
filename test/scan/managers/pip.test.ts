import { describe, expect, it } from "vitest";
import { pipManager } from "../../../src/scan/managers/pip.js";
import { parsePep508, versionFromSpecifier } from "../../../src/scan/managers/pip/pep508.js";
import { poetryConstraintVersion } from "../../../src/scan/managers/pip/pyproject.js";
import { logicalLines, requirementsDependencyType } from "../../../src/scan/managers/pip/requirements.js";
import { locateToml } from "../../../src/scan/managers/pip/toml-lines.js";
import type { ExtractedDependency } from "../../../src/scan/types.js";
import { FIXTURES, fixtureCtx } from "./fixture-ctx.js";

const ctx = fixtureCtx(`${FIXTURES}/pip`);
const run = (file: string) => pipManager.extract(file, ctx.readFile(file) ?? "", ctx);
const find = (deps: ExtractedDependency[], name: string, file?: string) => {
  const d = deps.find((x) => x.name === name && (file === undefined || x.file === file));
  if (!d) throw new Error(`no dep ${name}`);
  return d;
};

describe("pipManager.matches", () => {
  it("matches requirement files, pyproject and Pipfile but not MANIFEST.in or lockfiles", () => {
    for (const p of ["requirements.txt", "a/requirements-dev.txt", "requirements/base.txt", "dev-requirements.in", "requirements/test.in", "pyproject.toml", "svc/Pipfile"]) {
      expect(pipManager.matches(p), p).toBe(true);
    }
    for (const p of ["MANIFEST.in", "config.h.in", "poetry.lock", "Pipfile.lock", "uv.lock", "notes.txt", "docs/requirements.md"]) {
      expect(pipManager.matches(p), p).toBe(false);
    }
  });
  it("names lockfiles as companions, uv.lock in every ancestor", () => {
    expect(pipManager.companions?.("a/b/pyproject.toml")).toEqual(["a/b/poetry.lock", "a/b/uv.lock", "a/uv.lock", "uv.lock"]);
    expect(pipManager.companions?.("Pipfile")).toEqual(["Pipfile.lock"]);
  });
});

describe("PEP 508 and PEP 440 helpers", () => {
  it("splits name, extras, specifier and marker", () => {
    expect(parsePep508('requests[socks, security] (>=2.0, <3) ; python_version < "3.11"')).toEqual({
      name: "requests",
      extras: ["socks", "security"],
      specifier: ">=2.0, <3",
      url: null,
      marker: 'python_version < "3.11"',
    });
    expect(parsePep508("pkg @ https://x.org/a;b.whl ; os_name == 'nt'")).toMatchObject({ url: "https://x.org/a;b.whl", marker: "os_name == 'nt'" });
    expect(parsePep508("not valid!")).toHaveProperty("error");
  });
  it("derives the version from specifiers", () => {
    expect(versionFromSpecifier("==1.2.3").version).toBe("1.2.3");
    expect(versionFromSpecifier(">=1.2,<2").version).toBe("1.2");
    expect(versionFromSpecifier(">=1.0,>=1.5").version).toBe("1.5");
    expect(versionFromSpecifier("~=1.4.2").version).toBe("1.4.2");
    expect(versionFromSpecifier("==1.2.*").version).toBe("1.2");
    expect(versionFromSpecifier("===2.0").version).toBe("2.0");
    expect(versionFromSpecifier("===foo").unsupported).toMatch(/arbitrary equality/);
    expect(versionFromSpecifier("<2").version).toBeNull();
    expect(versionFromSpecifier(">>1").error).toMatch(/invalid PEP 440/);
  });
  it("converts Poetry constraints to a lower bound", () => {
    expect(poetryConstraintVersion("^1.2").version).toBe("1.2");
    expect(poetryConstraintVersion("~1.2.3").version).toBe("1.2.3");
    expect(poetryConstraintVersion("1.2.3").version).toBe("1.2.3");
    expect(poetryConstraintVersion(">=1.0,<2").version).toBe("1.0");
    expect(poetryConstraintVersion("^2.0 || ^1.5").version).toBe("1.5");
    expect(poetryConstraintVersion("*").version).toBeNull();
    expect(poetryConstraintVersion("^^").error).toMatch(/invalid Poetry constraint/);
  });
  it("joins continuation lines and strips comments but keeps #egg fragments", () => {
    const lines = logicalLines("a==1 \\\n  --hash=sha256:x\n# c\n-e git+https://h/r.git#egg=r\nb # trailing\n");
    expect(lines).toEqual([
      { text: "a==1 --hash=sha256:x", line: 1 },
      { text: "-e git+https://h/r.git#egg=r", line: 4 },
      { text: "b", line: 5 },
    ]);
  });
  it("infers dev requirement files from their names", () => {
    expect(requirementsDependencyType("requirements-dev.txt")).toBe("dev");
    expect(requirementsDependencyType("requirements/test.txt")).toBe("dev");
    expect(requirementsDependencyType("requirements.txt")).toBe("prod");
    expect(requirementsDependencyType("requirements/base.txt")).toBe("prod");
  });
});

describe("TOML line locator", () => {
  it("assigns a name present in two tables to the right line", () => {
    const text = '[project]\ndependencies = [\n  "a",\n  """b""", # x\n]\n\n[tool.poetry.dependencies]\na = "1"\n\'q.k\' = { version = "2" }\n[dependencies.serde]\nversion = "1"\n';
    const loc = locateToml(text);
    expect(loc.arrayElementLines(["project"], ["dependencies"])).toEqual([3, 4]);
    expect(loc.keyLine(["tool", "poetry", "dependencies"], ["a"])).toBe(8);
    expect(loc.keyLine(["tool", "poetry", "dependencies"], ["q.k"])).toBe(9);
    expect(loc.keyLine(["dependencies"], ["serde"])).toBe(10);
  });
});

describe("requirements files", () => {
  const r = run("reqs/requirements.txt");
  it("reports included files' deps under the included file, cycle-safe", () => {
    const attrs = find(r.deps, "attrs");
    expect(attrs).toMatchObject({ file: "reqs/requirements/base.txt", line: 2, version: "23.2.0" });
    // base.txt includes requirements.txt back: no duplicate.
    expect(r.deps.filter((d) => d.name === "requests")).toHaveLength(1);
  });
  it("applies constraint pins as locked versions", () => {
    expect(find(r.deps, "urllib3")).toMatchObject({ current_value: "", locked_version: "2.2.1", version: "2.2.1" });
    expect(find(r.deps, "requests")).toMatchObject({ current_value: ">=2.31,<3", locked_version: "2.31.0", line: 5 });
    expect(r.locked).toEqual(expect.arrayContaining([{ name: "urllib3", version: "2.2.1", datasource: "pypi" }]));
  });
  it("keeps extras, markers and hashes as notes", () => {
    expect(find(r.deps, "requests").notes).toContain("extras: socks,security");
    expect(find(r.deps, "Django")).toMatchObject({ version: "4.2", notes: ['marker: python_version < "3.11"'] });
    expect(find(r.deps, "numpy")).toMatchObject({ line: 7, version: "1.26.0", notes: ["hash-pinned"] });
  });
  it("records index URLs for following deps", () => {
    expect(find(r.deps, "requests").registry_url).toBe("https://pypi.example.com/simple");
    expect(find(r.deps, "flask").registry_url).toBe("https://extra.example.com/simple");
  });
  it("handles editable VCS and local deps and direct URLs", () => {
    expect(find(r.deps, "tool")).toMatchObject({ datasource: "git", current_value: "v1.2.0", registry_url: "https://github.com/org/tool.git", skip_reason: "git-dependency" });
    expect(find(r.deps, "local_pkg")).toMatchObject({ local_path: "reqs/libs/local_pkg", skip_reason: "local-path" });
    expect(find(r.deps, "mywheel")).toMatchObject({ skip_reason: "direct-url", version: "2.0.0" });
  });
  it("reports unsupported forms and bad lines with their line, and goes on", () => {
    expect(find(r.deps, "legacy-thing").skip_reason).toBe("unsupported-version");
    const lines = r.warnings.map((w) => [w.file, w.line]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ["reqs/requirements.txt", 11],
        ["reqs/requirements.txt", 17],
        ["reqs/requirements.txt", 18],
      ]),
    );
    expect(find(r.deps, "flask").line).toBe(16);
  });
  it("takes pip-compile output next to a .in file as the lock", () => {
    const dev = run("reqs/requirements-dev.in");
    expect(find(dev.deps, "pytest")).toMatchObject({ dependency_type: "dev", current_value: ">=8", locked_version: "8.1.1" });
    expect(dev.locked?.map((l) => l.name)).toContain("iniconfig");
  });
  it("warns about a missing include", () => {
    const res = pipManager.extract("requirements.txt", "-r nope.txt\nx==1\n", { readFile: () => undefined, allFiles: ["requirements.txt"] });
    expect(res.warnings[0]).toMatchObject({ line: 1, message: expect.stringContaining("nope.txt") });
    expect(res.deps.map((d) => d.name)).toEqual(["x"]);
  });
});

describe("pyproject.toml", () => {
  it("extracts PEP 621, optional groups, dependency groups and build requires with lines", () => {
    const r = run("pep621/pyproject.toml");
    expect(r.meta).toEqual({ primary: true, name: "demo-svc", version: "1.4.0", requires_python: ">=3.11" });
    const prodRequests = r.deps.find((d) => d.name === "requests" && d.dependency_type === "prod");
    const optRequests = r.deps.find((d) => d.name === "requests" && d.dependency_type === "optional");
    expect(prodRequests).toMatchObject({ line: 7, version: "2.31" });
    expect(optRequests).toMatchObject({ line: 13, version: "2.32.0", group: "server" });
    expect(find(r.deps, "tomli").notes).toEqual(["marker: python_version < '3.11'"]);
    expect(find(r.deps, "git-pkg")).toMatchObject({ datasource: "git", current_value: "abc123", skip_reason: "git-dependency" });
    expect(find(r.deps, "pytest")).toMatchObject({ dependency_type: "dev", group: "test", line: 16, notes: ["included in group all"] });
    expect(find(r.deps, "mypy")).toMatchObject({ group: "all", line: 18 });
    expect(find(r.deps, "setuptools")).toMatchObject({ dependency_type: "build", line: 22 });
    expect(r.warnings).toEqual([expect.objectContaining({ line: 19, message: expect.stringContaining('unknown group "missing"') })]);
  });
  it("extracts Poetry tables and fills versions from poetry.lock", () => {
    const r = run("poetry/pyproject.toml");
    expect(r.meta).toMatchObject({ name: "poetry-app", version: "0.3.0", requires_python: "^3.10" });
    // Poetry's python constraint is the runtime dependency, with the span an update replaces.
    expect(find(r.deps, "python")).toMatchObject({ datasource: "python-version", dependency_type: "runtime", current_value: "^3.10", version: "3.10", line: 6, group: "poetry" });
    expect(find(r.deps, "python").value_span).toEqual({ line: 6, start_column: 10, end_column: 15, text: "^3.10" });
    expect(find(r.deps, "requests")).toMatchObject({ line: 7, current_value: "^2.31", locked_version: "2.31.0" });
    expect(find(r.deps, "httpx")).toMatchObject({ notes: ["extras: http2"], locked_version: "0.27.2" });
    expect(find(r.deps, "boto3")).toMatchObject({ dependency_type: "optional", version: "1.28" });
    expect(find(r.deps, "mylib")).toMatchObject({ local_path: "mylib", skip_reason: "local-path" });
    expect(find(r.deps, "gitdep")).toMatchObject({ datasource: "git", current_value: "v1.0.0" });
    expect(find(r.deps, "pytest")).toMatchObject({ dependency_type: "dev", version: "8.0", line: 15 });
    expect(find(r.deps, "mkdocs")).toMatchObject({ dependency_type: "dev", group: "docs", version: "1.5" });
    expect(r.locked?.map((l) => l.name)).toEqual(["requests", "httpx", "certifi"]);
    expect(r.warnings).toEqual([]);
  });
  it("finds uv.lock at the workspace root and matches normalised names", () => {
    const r = run("uvws/packages/lib/pyproject.toml");
    expect(find(r.deps, "Pydantic_Core")).toMatchObject({ locked_version: "2.18.4", version: "2.18.4" });
  });
  it("reports malformed TOML with its line and returns no deps", () => {
    expect(pipManager.matches("bad-pyproject.toml")).toBe(false);
    const content = ctx.readFile("bad-pyproject.toml") ?? "";
    const bad = pipManager.extract("svc/pyproject.toml", content, ctx);
    expect(bad.deps).toEqual([]);
    expect(bad.warnings).toHaveLength(1);
    expect(bad.warnings[0]).toMatchObject({ file: "svc/pyproject.toml", manager: "pip", line: expect.any(Number) });
    expect(bad.warnings[0].message).toMatch(/invalid TOML at line \d+/);
  });
  it("warns for a non-string dependency entry and keeps the rest", () => {
    const r = pipManager.extract("pyproject.toml", '[project]\nname="x"\ndependencies = [\n  1,\n  "ok>=1",\n]\n', ctx);
    expect(r.warnings).toEqual([expect.objectContaining({ line: 4 })]);
    expect(find(r.deps, "ok").line).toBe(5);
  });
});

describe("malformed Python lockfiles", () => {
  const pyproject = '[project]\nname = "svc"\nversion = "1.0.0"\ndependencies = ["requests>=2"]\n';
  const extractWith = (lockPath: string, lockText: string) =>
    pipManager.extract("svc/pyproject.toml", pyproject, {
      readFile: (p: string) => (p === lockPath ? lockText : p === "svc/pyproject.toml" ? pyproject : undefined),
      allFiles: ["svc/pyproject.toml", lockPath],
    });

  it("warns on a malformed poetry.lock naming the file and line, and still reports pyproject's dependencies", () => {
    const r = extractWith("svc/poetry.lock", '[[package]]\nname = "requests"\nversion = "2.31.0"\n\n[[package]]\nname = "broken\nversion = "1.0"\n');
    expect(r.warnings).toEqual([expect.objectContaining({ file: "svc/poetry.lock", line: 6, manager: "pip" })]);
    expect(r.warnings[0].message).toMatch(/invalid TOML at line 6/);
    expect(r.deps.map((d) => [d.name, d.locked_version])).toEqual([["requests", null]]);
  });

  it("warns on a malformed uv.lock at the workspace root naming the file and line", () => {
    const r = extractWith("uv.lock", 'version = 1\n\n[[package]]\nname = "requests"\nversion = = "2.32.0"\n');
    expect(r.warnings).toEqual([expect.objectContaining({ file: "uv.lock", line: 5, manager: "pip" })]);
    expect(r.warnings[0].message).toMatch(/invalid TOML at line 5/);
    expect(r.deps.map((d) => d.name)).toEqual(["requests"]);
    expect(r.locked ?? []).toEqual([]);
  });
});

describe("Pipfile", () => {
  it("extracts packages and dev-packages with Pipfile.lock versions", () => {
    const r = run("pipenv/Pipfile");
    expect(r.meta).toEqual({ primary: true, requires_python: "==3.11.*" });
    expect(find(r.deps, "requests")).toMatchObject({ current_value: "*", locked_version: "2.32.3", line: 7, registry_url: "https://pypi.org/simple" });
    expect(find(r.deps, "pytest")).toMatchObject({ dependency_type: "dev", locked_version: "8.2.0", notes: ["extras: testing"] });
    expect(find(r.deps, "local")).toMatchObject({ local_path: "pipenv/local", skip_reason: "local-path" });
    expect(r.locked).toHaveLength(4);
  });
  it("warns on a malformed Pipfile.lock and still reports the Pipfile", () => {
    const c = { readFile: (p: string) => (p === "Pipfile.lock" ? "{ nope" : undefined), allFiles: ["Pipfile", "Pipfile.lock"] };
    const r = pipManager.extract("Pipfile", '[packages]\nflask = "==3.0.0"\n', c);
    expect(r.deps).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "Pipfile.lock", message: expect.stringMatching(/invalid JSON/) });
  });
});
