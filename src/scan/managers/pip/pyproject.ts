import { compare as compareVersions } from "@renovatebot/pep440";
import type { DependencyType } from "../../../model/index.js";
import type { ExtractedDependency, ManifestMeta, ScanWarning } from "../../types.js";
import { pyDep, resolveRelative, startTomlManifest, type PyDepFields } from "./common.js";
import { parsePep508, truncate, versionFromSpecifier } from "./pep508.js";
import { requirementToDep } from "./requirements.js";
import { asString, asTable, getPath, isTable, type TomlTable } from "./toml.js";
import type { TomlLocator } from "./toml-lines.js";
import { LineIndex } from "../span.js";
import { pythonRuntimeDep } from "./runtime.js";

export interface PyprojectResult {
  deps: ExtractedDependency[];
  warnings: ScanWarning[];
  meta: ManifestMeta;
  /** True when the project uses Poetry (poetry.lock applies), false for PEP 621 only. */
  poetry: boolean;
}

export function extractPyproject(file: string, content: string, doc: TomlTable): PyprojectResult {
  const { loc, deps, warnings, warn, meta } = startTomlManifest(file, content);
  let lines: LineIndex | undefined;

  const project = asTable(doc.project);
  if (doc.project !== undefined && !project) warn(loc.keyLine([], ["project"]), "[project] is not a table");
  if (project) {
    if (typeof project.name === "string") meta.name = project.name;
    if (typeof project.version === "string") meta.version = project.version;
    if (typeof project.description === "string") meta.description = project.description;
    if (typeof project["requires-python"] === "string") {
      meta.requires_python = project["requires-python"];
      lines ??= new LineIndex(content);
      deps.push(pythonRuntimeDep(file, lines, loc.keyLine(["project"], ["requires-python"]), project["requires-python"], "requires-python", "requires-python"));
    }
    pep508Array(file, loc, project.dependencies, ["project"], ["dependencies"], "prod", undefined, deps, warn);
    const optional = asTable(project["optional-dependencies"]);
    if (optional) {
      for (const [group, list] of Object.entries(optional)) {
        pep508Array(file, loc, list, ["project", "optional-dependencies"], [group], "optional", group, deps, warn);
      }
    }
  }

  const groups = asTable(doc["dependency-groups"]);
  if (groups) dependencyGroups(file, loc, groups, deps, warn);

  const buildReqs = getPath(doc, ["build-system", "requires"]);
  // Stryker disable next-line ConditionalExpression: equivalent; pep508Array returns at once on undefined
  if (buildReqs !== undefined) pep508Array(file, loc, buildReqs, ["build-system"], ["requires"], "build", undefined, deps, warn);

  const poetry = asTable(getPath(doc, ["tool", "poetry"]));
  if (poetry) {
    if (!meta.name && typeof poetry.name === "string") meta.name = poetry.name;
    if (!meta.version && typeof poetry.version === "string") meta.version = poetry.version;
    if (!meta.description && typeof poetry.description === "string") meta.description = poetry.description;
    const sections: Array<[string[], DependencyType, string | undefined]> = [
      [["tool", "poetry", "dependencies"], "prod", undefined],
      [["tool", "poetry", "dev-dependencies"], "dev", undefined],
    ];
    const pgroups = asTable(poetry.group);
    if (pgroups) {
      for (const g of Object.keys(pgroups)) sections.push([["tool", "poetry", "group", g, "dependencies"], "dev", g]);
    }
    for (const [section, type, group] of sections) {
      const table = asTable(getPath(doc, section));
      if (!table) continue;
      for (const [name, value] of Object.entries(table)) {
        const line = loc.keyLine(section, [name]);
        if (name.toLowerCase() === "python") {
          const py = typeof value === "string" ? value : asString(asTable(value)?.version);
          if (py && !meta.requires_python) meta.requires_python = py;
          if (py) {
            lines ??= new LineIndex(content);
            deps.push(pythonRuntimeDep(file, lines, line, py, "poetry", typeof value === "string" ? name : "version"));
          }
          continue;
        }
        const dep = poetryDep(file, line, name, value, type, group, warn);
        if (dep) deps.push(dep);
      }
    }
  }
  return { deps, warnings, meta, poetry: poetry !== undefined };
}

function pep508Array(
  file: string,
  loc: TomlLocator,
  value: unknown,
  table: string[],
  key: string[],
  type: DependencyType,
  group: string | undefined,
  deps: ExtractedDependency[],
  warn: (line: number | null, message: string) => void,
): void {
  if (value === undefined) return;
  const keyLine = loc.keyLine(table, key);
  const section = table.join(".");
  // Stryker disable next-line StringLiteral: equivalent; every caller passes a one-part key
  const keyName = key.join(".");
  if (!Array.isArray(value)) {
    warn(keyLine, `[${section}] ${keyName} must be an array of requirement strings`);
    return;
  }
  const lines = loc.arrayElementLines(table, key);
  value.forEach((item, idx) => {
    const line = lines[idx] ?? keyLine;
    if (typeof item !== "string") {
      warn(line, `[${section}] ${keyName}: entry ${idx + 1} is not a string`);
      return;
    }
    const dep = pep508ToDep(file, line, item, type, group, warn);
    if (dep) deps.push(dep);
  });
}

function pep508ToDep(
  file: string,
  line: number | null,
  item: string,
  type: DependencyType,
  group: string | undefined,
  warn: (line: number | null, message: string) => void,
): ExtractedDependency | null {
  const req = parsePep508(item);
  if ("error" in req) {
    warn(line, req.error);
    return null;
  }
  const notes: string[] = [];
  if (req.marker) notes.push(`marker: ${req.marker}`);
  if (req.extras.length) notes.push(`extras: ${req.extras.join(",")}`);
  const dep = requirementToDep(req, file, line, type, notes, null, (l, m) => warn(l, m));
  if (group !== undefined) dep.group = group;
  return dep;
}

/** PEP 735: each string entry reported once under its own group; include-group entries checked. */
function dependencyGroups(
  file: string,
  loc: TomlLocator,
  groups: TomlTable,
  deps: ExtractedDependency[],
  warn: (line: number | null, message: string) => void,
): void {
  const byGroup = new Map<string, ExtractedDependency[]>();
  const includes = new Map<string, Array<{ target: string; line: number | null }>>();
  for (const [group, list] of Object.entries(groups)) {
    const keyLine = loc.keyLine(["dependency-groups"], [group]);
    if (!Array.isArray(list)) {
      warn(keyLine, `[dependency-groups] ${group} must be an array`);
      continue;
    }
    const lines = loc.arrayElementLines(["dependency-groups"], [group]);
    const own: ExtractedDependency[] = [];
    const inc: Array<{ target: string; line: number | null }> = [];
    list.forEach((item, idx) => {
      const line = lines[idx] ?? keyLine;
      if (typeof item === "string") {
        const dep = pep508ToDep(file, line, item, "dev", group, warn);
        if (dep) own.push(dep);
      } else if (isTable(item) && typeof item["include-group"] === "string") {
        inc.push({ target: item["include-group"], line });
      } else {
        warn(line, `[dependency-groups] ${group}: entry ${idx + 1} is neither a requirement nor {include-group = "..."}`);
      }
    });
    byGroup.set(group, own);
    includes.set(group, inc);
    deps.push(...own);
  }
  // Group names compare normalised (PEP 735).
  // Stryker disable next-line MethodExpression: equivalent; upper or lower case, both sides are folded the same way
  const norm = (g: string): string => g.toLowerCase().replace(/[-_.]+/g, "-");
  const byNorm = new Map([...byGroup.keys()].map((g) => [norm(g), g]));
  const resolve = (group: string, stack: string[]): ExtractedDependency[] => {
    // Stryker disable next-line ArrayDeclaration: equivalent; resolve is only called with names of byGroup
    const out = [...(byGroup.get(group) ?? [])];
    // Stryker disable next-line ArrayDeclaration: equivalent; includes has an entry for every name of byGroup
    for (const { target, line } of includes.get(group) ?? []) {
      const real = byNorm.get(norm(target));
      if (!real) {
        warn(line, `[dependency-groups] ${group} includes unknown group "${truncate(target)}"`);
        continue;
      }
      if (stack.includes(real)) {
        warn(line, `[dependency-groups] include cycle: ${[...stack, real].join(" -> ")}`);
        continue;
      }
      out.push(...resolve(real, [...stack, real]));
    }
    return out;
  };
  for (const group of byGroup.keys()) {
    for (const dep of resolve(group, [group])) {
      if (dep.group !== group) {
        const note = `included in group ${group}`;
        dep.notes = [...(dep.notes ?? []).filter((n) => n !== note), note];
      }
    }
  }
}

/**
 * Poetry constraint → version: `^1.2` / `~1.2` / `1.2.*` → 1.2, `>=1,<2` → 1, `1.2.3` → 1.2.3,
 * `*` → none. `||` alternatives: the lowest alternative's bound.
 */
export function poetryConstraintVersion(constraint: string): { version: string | null; error: string | null } {
  const c = constraint.trim();
  // "" needs no case: its one empty alternative gives no version and no error.
  if (c === "*") return { version: null, error: null };
  const alternatives = c.split("||").map((a) => a.trim());
  let best: string | null = null;
  for (const alt of alternatives) {
    const parts = alt.split(/\s*,\s*|\s+(?=[<>=!~^])/).filter(Boolean);
    const pep: string[] = [];
    for (const p of parts) {
      // Stryker disable next-line Regex: equivalent; `.+` runs to the end, and a constraint part has "^" or a lone "~" only in front
      const m = /^(\^|~(?!=))\s*(.+)$/.exec(p);
      if (m) pep.push(`>=${m[2]}`);
      else if (/^[0-9]/.test(p)) pep.push(`==${p}`);
      else pep.push(p.replace(/^=(?!=)/, "=="));
    }
    const sv = versionFromSpecifier(pep.join(","));
    if (sv.error || sv.unsupported) return { version: null, error: `invalid Poetry constraint "${truncate(constraint)}"` };
    if (sv.version && (best === null || safeCompare(sv.version, best) < 0)) best = sv.version;
  }
  return { version: best, error: null };
}

function safeCompare(a: string, b: string): number {
  try {
    return compareVersions(a, b);
  } /* Stryker disable next-line BlockStatement: unreachable; both versions come from the PEP 440 parser, which compare never refuses */ catch {
    return 0;
  }
}

function poetryDep(
  file: string,
  line: number | null,
  name: string,
  value: unknown,
  type: DependencyType,
  group: string | undefined,
  warn: (line: number | null, message: string) => void,
): ExtractedDependency | null {
  const notes: string[] = [];
  let spec: unknown = value;
  if (Array.isArray(value)) {
    // Multiple-constraint form: the first entry stands for the dependency.
    notes.push(`multiple constraints (${value.length})`);
    spec = value[0];
  }
  let depType = type;
  const dep = (fields: PyDepFields): ExtractedDependency => pyDep({ name, file, line, dependency_type: depType, notes, group, ...fields });
  let constraint: string | undefined;
  if (typeof spec === "string") {
    constraint = spec;
  } else if (isTable(spec)) {
    if (spec.optional === true) depType = "optional";
    if (Array.isArray(spec.extras) && spec.extras.length) notes.push(`extras: ${spec.extras.join(",")}`);
    if (typeof spec.markers === "string") notes.push(`marker: ${spec.markers}`);
    if (typeof spec.python === "string") notes.push(`python: ${spec.python}`);
    if (typeof spec.path === "string") {
      return dep({
        current_value: spec.path,
        version: "",
        local_path: resolveRelative(file, spec.path),
        skip_reason: "local-path",
      });
    }
    if (typeof spec.git === "string") {
      const ref = asString(spec.tag) ?? asString(spec.rev) ?? asString(spec.branch) ?? "";
      return dep({
        current_value: ref,
        version: ref,
        datasource: "git",
        registry_url: spec.git,
        skip_reason: "git-dependency",
      });
    }
    if (typeof spec.url === "string") {
      return dep({
        current_value: spec.url,
        version: "",
        skip_reason: "direct-url",
      });
    }
    constraint = asString(spec.version);
    if (constraint === undefined) {
      warn(line, `${name}: Poetry dependency has no version, path, git or url`);
      constraint = "";
    }
  } else {
    warn(line, `${name}: unsupported Poetry dependency value`);
    return null;
  }
  const pv = poetryConstraintVersion(constraint);
  if (pv.error) warn(line, `${name}: ${pv.error}`);
  return dep({
    current_value: constraint,
    version: pv.version ?? constraint,
    skip_reason: pv.error ? "invalid-version" : null,
  });
}
