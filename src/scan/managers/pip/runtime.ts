/**
 * The Python version a project runs on, as a dependency (datasource python-version, type runtime),
 * as Renovate tracks it: `requires-python`, Poetry's `python = "^3.8"`, Pipfile `python_version`,
 * and `.python-version` files (pyenv, uv).
 */
import type { ExtractedDependency, ManagerResult, ScanWarning } from "../../types.js";
import { baseDependency } from "../dependency.js";
import { LineIndex, locateValue } from "../span.js";
import { versionFromSpecifier } from "./pep508.js";

/** Lowest version a constraint admits: "^3.8" → 3.8, ">=3.14,<4.0" → 3.14, "3.12" → 3.12. */
function lowest(value: string): string {
  const m = /\d+(?:\.\d+)*/.exec(value);
  const pep = versionFromSpecifier(value);
  return pep.version ?? (m ? m[0] : value);
}

export function pythonRuntimeDep(
  file: string,
  content: LineIndex,
  line: number | null,
  value: string,
  group: string,
  key: string,
): ExtractedDependency {
  return baseDependency(
    { file, line, package_manager: "pip", dependency_type: "runtime" },
    {
      name: "python",
      datasource: "python-version",
      current_value: value,
      version: lowest(value),
      group,
      value_span: locateValue(content, line, value, key),
    },
  );
}

/** `.python-version`: one version per line (pyenv allows several); the first is the one used. */
export function extractPythonVersionFile(file: string, content: string): ManagerResult {
  const warnings: ScanWarning[] = [];
  const index = new LineIndex(content);
  // A byte-order mark is whitespace to trim() below.
  const lines = content.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length && i < 1000; i++) {
    // Stryker disable next-line Regex: equivalent; a line has no newline, so `.*` already runs to its end
    const raw = lines[i].replace(/#.*$/, "").trim();
    if (raw === "") continue;
    const line = i + 1;
    const cpython = /^\d+(\.\d+){0,2}([a-z]+\d*)?$/.test(raw);
    // pyenv's CPython development builds (`3.13-dev`, `3.13t-dev`) and its other interpreter families.
    const dev = /^\d+\.\d+t?-dev$/.test(raw);
    if (!cpython && !dev && !/^(pypy|graalpy|graalpython|micropython|anaconda|miniconda|miniforge|mambaforge|activepython|cinder|ironpython|jython|nogil|pyston|stackless|system)/i.test(raw))
      warnings.push({ file, line, manager: "pip", message: `${file}:${line}: ${JSON.stringify(raw.slice(0, 80))} is not a Python version` });
    const dep = baseDependency(
      { file, line, package_manager: "pip", dependency_type: "runtime" },
      {
        name: "python",
        datasource: "python-version",
        current_value: raw,
        version: raw,
        group: "python-version file",
        skip_reason: cpython ? null : dev ? "a CPython development build" : "not a CPython version",
        value_span: cpython ? locateValue(index, line, raw) : null,
      },
    );
    return { deps: [dep], warnings, meta: { primary: false }, locked: [] };
  }
  warnings.push({ file, line: 1, manager: "pip", message: `${file}: no Python version in the file` });
  return { deps: [], warnings, meta: { primary: false }, locked: [] };
}
