import type { DependencyType } from "../../../model/index.js";
import type { ExtractedDependency, ManifestMeta, ScanWarning } from "../../types.js";
import { pyDep, resolveRelative, startTomlManifest } from "./common.js";
import { truncate, versionFromSpecifier } from "./pep508.js";
import { asString, asTable, isTable, type TomlTable } from "./toml.js";
import { LineIndex } from "../span.js";
import { pythonRuntimeDep } from "./runtime.js";

/** Pipfile: [packages] (prod), [dev-packages] (dev), [[source]] registries, [requires] python. */
export function extractPipfile(
  file: string,
  content: string,
  doc: TomlTable,
): { deps: ExtractedDependency[]; warnings: ScanWarning[]; meta: ManifestMeta } {
  const { loc, deps, warnings, warn, meta } = startTomlManifest(file, content);
  const requires = asTable(doc.requires);
  const py = asString(requires?.python_full_version) ?? asString(requires?.python_version);
  if (py) {
    // Stryker disable next-line OptionalChaining: equivalent; py is set only when [requires] is a table
    meta.requires_python = requires?.python_full_version ? `==${py}` : `==${py}.*`;
    // Stryker disable next-line OptionalChaining: equivalent; py is set only when [requires] is a table
    const key = asString(requires?.python_full_version) ? "python_full_version" : "python_version";
    deps.push(pythonRuntimeDep(file, new LineIndex(content), loc.keyLine(["requires"], [key]), py, "pipenv", key));
  }

  const sources = new Map<string, string>();
  let defaultSource: string | null = null;
  if (Array.isArray(doc.source)) {
    for (const s of doc.source) {
      if (isTable(s) && typeof s.url === "string") {
        if (defaultSource === null) defaultSource = s.url;
        // Stryker disable next-line ConditionalExpression: equivalent; a source stored under a name that is no string is never found by a string `index`
        if (typeof s.name === "string") sources.set(s.name, s.url);
      }
    }
  }

  const sections: Array<[string, DependencyType]> = [
    ["packages", "prod"],
    ["dev-packages", "dev"],
  ];
  for (const [section, type] of sections) {
    const table = asTable(doc[section]);
    if (!table) continue;
    for (const [name, value] of Object.entries(table)) {
      const line = loc.keyLine([section], [name]);
      const notes: string[] = [];
      let spec: string;
      let registry = defaultSource;
      if (typeof value === "string") {
        spec = value;
      } else if (isTable(value)) {
        if (Array.isArray(value.extras) && value.extras.length) notes.push(`extras: ${value.extras.join(",")}`);
        if (typeof value.markers === "string") notes.push(`marker: ${value.markers}`);
        if (value.editable === true) notes.push("editable");
        if (typeof value.index === "string") {
          registry = sources.get(value.index) ?? null;
          if (!registry) warn(line, `${name}: unknown index "${truncate(value.index)}"`);
        }
        if (typeof value.path === "string") {
          deps.push(
            pyDep({ name, file, line, dependency_type: type, current_value: value.path, version: "", local_path: resolveRelative(file, value.path), skip_reason: "local-path", notes }),
          );
          continue;
        }
        if (typeof value.git === "string") {
          const ref = asString(value.ref) ?? "";
          deps.push(
            pyDep({ name, file, line, dependency_type: type, current_value: ref, version: ref, datasource: "git", registry_url: value.git, skip_reason: "git-dependency", notes }),
          );
          continue;
        }
        if (typeof value.file === "string") {
          deps.push(pyDep({ name, file, line, dependency_type: type, current_value: value.file, version: "", skip_reason: "direct-url", notes }));
          continue;
        }
        spec = asString(value.version) ?? "*";
      } else {
        warn(line, `${name}: unsupported Pipfile value`);
        continue;
      }
      // Stryker disable next-line MethodExpression: equivalent for the second trim; versionFromSpecifier trims its input
      const specifier = spec.trim() === "*" ? "" : spec.trim();
      const sv = versionFromSpecifier(specifier);
      if (sv.error) warn(line, `${name}: ${sv.error}`);
      if (sv.unsupported) warn(line, `${name}: ${sv.unsupported}`);
      deps.push(
        pyDep({
          name,
          file,
          line,
          dependency_type: type,
          current_value: spec,
          version: sv.version ?? spec,
          registry_url: registry,
          skip_reason: sv.error ? "invalid-version" : sv.unsupported ? "unsupported-version" : null,
          notes,
        }),
      );
    }
  }
  return { deps, warnings, meta };
}
