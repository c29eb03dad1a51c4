import path from "node:path";
import type { DependencyType } from "../../../model/index.js";
import type { DatasourceName, ExtractedDependency, ExtractContext, ManifestMeta, ScanWarning } from "../../types.js";
import { baseDependency } from "../dependency.js";
import { locateToml, type TomlLocator } from "./toml-lines.js";

export interface PyDepInit {
  name: string;
  file: string;
  line: number | null;
  dependency_type: DependencyType;
  current_value: string;
  version: string;
  datasource?: DatasourceName;
  locked_version?: string | null;
  registry_url?: string | null;
  skip_reason?: string | null;
  local_path?: string | null;
  notes?: string[];
  group?: string;
}

/** The fields of a PyDepInit that vary between the forms of one requirement (path, git, url, version). */
export type PyDepFields = Omit<PyDepInit, "name" | "file" | "line" | "dependency_type">;

export function pyDep(init: PyDepInit): ExtractedDependency {
  const dep = baseDependency(
    { file: init.file, line: init.line, package_manager: "pip", dependency_type: init.dependency_type },
    {
      name: init.name,
      datasource: init.datasource ?? "pypi",
      current_value: init.current_value,
      version: init.version,
      locked_version: init.locked_version ?? null,
      registry_url: init.registry_url ?? null,
      skip_reason: init.skip_reason ?? null,
      local_path: init.local_path ?? null,
    },
  );
  if (init.notes && init.notes.length > 0) dep.notes = init.notes;
  if (init.group !== undefined) dep.group = init.group;
  return dep;
}

/** Resolve `rel` against the directory of `fromFile`, as a repo-relative POSIX path. */
export function resolveRelative(fromFile: string, rel: string): string {
  const dir = path.posix.dirname(fromFile);
  const joined = rel.startsWith("/") ? rel.slice(1) : path.posix.join(dir, rel);
  // normalize() never returns "": an empty path is ".".
  return path.posix.normalize(joined).replace(/\/$/, "");
}

/** Read a file through the context without letting a faulty reader throw out of a scan. */
export function safeRead(ctx: ExtractContext, file: string): string | undefined {
  try {
    return ctx.readFile(file);
  } /* Stryker disable next-line BlockStatement: equivalent; a function whose catch block is empty returns undefined too */ catch {
    return undefined;
  }
}

export function fileExists(ctx: ExtractContext, file: string): boolean {
  return ctx.allFiles.includes(file);
}

/** The nearest file named `name` in the directory of `fromFile` or any ancestor directory. */
export function nearestAncestorFile(ctx: ExtractContext, fromFile: string, name: string): string | null {
  // dirname() never returns "", and ends at "." (relative) or "/" (absolute), its own parent.
  let dir = path.posix.dirname(fromFile);
  for (;;) {
    const candidate = dir === "." ? name : `${dir}/${name}`;
    if (fileExists(ctx, candidate)) return candidate;
    const parent = path.posix.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function siblingPath(file: string, name: string): string {
  const dir = path.posix.dirname(file);
  return dir === "." ? name : `${dir}/${name}`;
}

/** What a TOML manifest extractor (Pipfile, pyproject.toml) starts with: a line locator, empty results and a warn helper. */
export function startTomlManifest(
  file: string,
  content: string,
): { loc: TomlLocator; deps: ExtractedDependency[]; warnings: ScanWarning[]; warn: (line: number | null, message: string) => void; meta: ManifestMeta } {
  const warnings: ScanWarning[] = [];
  const warn = (line: number | null, message: string): void => {
    warnings.push({ file, line, manager: "pip", message });
  };
  return { loc: locateToml(content), deps: [], warnings, warn, meta: { primary: true } };
}
