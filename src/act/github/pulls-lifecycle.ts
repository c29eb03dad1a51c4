/**
 * Where an open update PR stands against the base branch as the scan just read it (Renovate/Dependabot
 * behaviour, docs/notes/convergence.md): each of its dependencies is still behind its target, already
 * at or past it (updated by hand, or by another PR), or no longer declared.
 */
import type { Dependency } from "../../model/index.js";
import { compareLoose, versioningFor } from "../../enrich/versioning/index.js";
import type { DatasourceName } from "../../scan/types.js";
import type { MarkerDep } from "./pulls-plan.js";

function datasourceOf(packageManager: string): DatasourceName {
  const pm = packageManager.toLowerCase();
  if (/^(npm|yarn|pnpm|bun)$/.test(pm)) return "npm";
  if (/^(pip|pipenv|poetry|uv|pdm|pypi|requirements|pyproject)/.test(pm)) return "pypi";
  if (/^cargo/.test(pm)) return "crates";
  if (/^go/.test(pm)) return "go";
  if (/docker|compose|kubernetes|zarf/.test(pm)) return "docker";
  if (/helm/.test(pm)) return "helm";
  return "none";
}

/** Compare two versions of a dependency with its ecosystem's scheme; loose comparison when not valid there. */
export function compareDepVersions(packageManager: string, a: string, b: string): number {
  const v = versioningFor(datasourceOf(packageManager));
  const strip = (s: string): string => s.trim().replace(/^[=v]+/, "");
  try {
    if (v.isValid(a) && v.isValid(b)) return v.compare(a, b);
  } catch {
    // fall through to the loose order
  }
  return compareLoose(strip(a), strip(b));
}

export type DepStanding =
  | { kind: "behind"; current: Dependency }
  | { kind: "done"; current: Dependency }
  | { kind: "gone" };

/** The declaration the marker's dependency names, as the scan found it on the base branch. */
export function currentDeclaration(d: Pick<MarkerDep, "name" | "file" | "package_manager" | "line">, deps: readonly Dependency[]): Dependency | null {
  const same = deps.filter((x) => x.name === d.name && x.file === d.file && x.package_manager === d.package_manager);
  if (same.length === 0) return null;
  return same.find((x) => x.line === d.line) ?? same[0];
}

export function standingOf(d: MarkerDep, deps: readonly Dependency[]): DepStanding {
  const current = currentDeclaration(d, deps);
  if (!current) return { kind: "gone" };
  const version = current.locked_version ?? current.version;
  return compareDepVersions(d.package_manager, version, d.to) >= 0 ? { kind: "done", current } : { kind: "behind", current };
}

/** The marker dependency moved to where the base branch now declares it (line, value and version). */
export function refreshFromBase(d: MarkerDep, current: Dependency): MarkerDep {
  return { ...d, line: current.line, current_value: current.current_value, from: current.version };
}
