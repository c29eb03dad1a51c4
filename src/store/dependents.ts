import type { Dependency } from "../model/dependency.js";
import { ecosystemForDatasource, normalisePackageName } from "../enrich/advisories/types.js";
import type { DatasourceName } from "../scan/types.js";
import type { RepoRef } from "./types.js";

/**
 * The reverse dependency index (issue 16): (ecosystem, package, version) → repositories, components,
 * files. Kept by both stores on every putDependencies, so a new advisory is matched against the fleet
 * without reading anything from GitHub.
 */
export interface DependentRef {
  repo: RepoRef;
  /** OSV ecosystem name (npm, PyPI, crates.io, Go) when the datasource has one, else the datasource. */
  ecosystem: string;
  /** The name as the manifest writes it. */
  name: string;
  version: string;
  component: string;
  file: string;
  dependency_type: string;
  /** False for a lockfile-only (transitive) package. */
  direct: boolean;
}

export interface DependentsQuery {
  ecosystem: string;
  /** Compared after the ecosystem's normalisation (PEP 503 for PyPI). */
  name: string;
}

/** OSV's ecosystem for a datasource; the datasource itself when OSV has none (kept in step with enrich). */
export function indexEcosystem(datasource: string): string {
  return ecosystemForDatasource(datasource as DatasourceName) ?? datasource;
}

/** The index key of one dependency: ecosystem and normalised name. */
export function dependentKey(d: Pick<Dependency, "datasource" | "name">): { ecosystem: string; norm_name: string } {
  const ecosystem = indexEcosystem(d.datasource);
  return { ecosystem, norm_name: normalisePackageName(ecosystem, d.name) };
}

/** Whether the stored dependency is a lockfile-only package rather than one a manifest declares. */
export function isDirectDependency(d: Pick<Dependency, "current_value"> & { transitive?: unknown }): boolean {
  if (d.transitive === true) return false;
  return d.current_value !== "(transitive)";
}

/** What the index reads of a dependency (a stored Dependency, or a lockfile package of the reassess basis). */
export interface IndexedDependency {
  datasource: string;
  name: string;
  version: string;
  component: string;
  file: string;
  dependency_type: string;
  current_value: string;
  transitive?: unknown;
}

export function dependentRef(repo: RepoRef, d: IndexedDependency): DependentRef {
  return {
    repo: { owner: repo.owner.toLowerCase(), repo: repo.repo.toLowerCase() },
    ecosystem: indexEcosystem(d.datasource),
    name: d.name,
    version: d.version,
    component: d.component,
    file: d.file,
    dependency_type: d.dependency_type,
    direct: isDirectDependency(d),
  };
}

/** Stable order for lookups: repository, then component, file, name, version. */
export function compareDependents(a: DependentRef, b: DependentRef): number {
  const ka = `${a.repo.owner}/${a.repo.repo}\u0000${a.component}\u0000${a.file}\u0000${a.name}\u0000${a.version}`;
  const kb = `${b.repo.owner}/${b.repo.repo}\u0000${b.component}\u0000${b.file}\u0000${b.name}\u0000${b.version}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The datasource whose ecosystem this is (to normalise a queried name the way stored names were). */
export function datasourceForEcosystem(ecosystem: string): string {
  switch (ecosystem) {
    case "PyPI":
      return "pypi";
    case "crates.io":
      return "crates";
    case "Go":
      return "go";
    default:
      return ecosystem;
  }
}
