import type { ParsedDocuments } from "./documents.js";
import type { ComponentType, DeclarationRef, DependencyType, ValueSpan } from "../model/index.js";

/** The package managers we extract, named as Dependency.package_manager. */
export type PackageManager =
  | "npm"
  | "pip"
  | "cargo"
  | "go"
  | "docker"
  | "github-actions"
  | "helm"
  | "zarf"
  | "uds";

/** Where the latest version of a dependency is looked up. */
export type DatasourceName =
  | "npm"
  | "pypi"
  | "crates"
  | "go"
  | "docker"
  | "github-tags"
  | "helm"
  | "git"
  | "node-version"
  | "python-version"
  | "golang-version"
  | "rust-version"
  | "none";

/** A dependency as found in a manifest, before enrichment. */
export interface ExtractedDependency {
  name: string;
  package_manager: PackageManager;
  datasource: DatasourceName;
  /** File it was declared in, POSIX path relative to the repository root. */
  file: string;
  /** 1-based line of the declaration, when known. */
  line: number | null;
  dependency_type: DependencyType;
  /** The constraint or reference as declared: "^1.2.0", ">=2,<3", "3.11-slim", "v4". */
  current_value: string;
  /**
   * The best-known current version: the locked version, else the exact pin, else the constraint's
   * lower bound, else current_value as declared.
   */
  version: string;
  /** Version resolved by the lockfile, when there is one. */
  locked_version: string | null;
  /** Registry or repository URL: Helm repo, docker registry host, zarf chart URL. */
  registry_url: string | null;
  /** Image or action digest / commit SHA pin, when present. */
  digest: string | null;
  /** Why this dependency cannot be looked up or updated: local path, git URL, unresolved variable... */
  skip_reason: string | null;
  /** For path / workspace / file: dependencies, the target directory (repo-relative POSIX). */
  local_path: string | null;
  /** Filled by component discovery. */
  component: string;
  /** Optional human-readable facts: environment marker, "indirect", "renamed from x", "inherited from workspace". */
  notes?: string[];
  /** Named dependency group, e.g. PEP 621 optional-dependencies extra, PEP 735 / Poetry group. */
  group?: string;
  /**
   * Where the version is written in `file` (line, columns, exact text): an update replaces this span
   * and extracts the file again to check the new value is read back.
   */
  value_span?: ValueSpan | null;
  /** The declaration that points here when it is not in `file`: a package.json `catalog:` reference. */
  declared_by?: DeclarationRef | null;
}

export interface ScanWarning {
  file: string | null;
  line: number | null;
  manager: PackageManager | "source" | "components";
  message: string;
}

/** Facts about a manifest's own project, used for component naming and compatibility checks. */
export interface ManifestMeta {
  /** Project name, e.g. package.json "name", [project].name, [package].name. */
  name?: string;
  version?: string;
  /** Whether this manifest marks a component root (package.json, pyproject.toml, Cargo.toml, go.mod, Chart.yaml, zarf.yaml...). */
  primary: boolean;
  requires_python?: string;
  node_engines?: string;
  rust_version?: string;
  go_version?: string;
  /** npm/pnpm/cargo workspace member globs. */
  workspaces?: string[];
  /** Images this manifest builds or publishes (for Dockerfile → component links). */
  images_built?: string[];
  description?: string;
}

/** Read another file of the repository (already fetched), e.g. a lockfile next to a manifest. */
export interface ExtractContext {
  readFile(path: string): string | undefined;
  /** All file paths in the repository. */
  allFiles: readonly string[];
  /** Parsed lockfiles of this scan, shared with the dependency graph (optional: tests build contexts by hand). */
  documents?: ParsedDocuments;
}

export interface ManagerResult {
  deps: ExtractedDependency[];
  warnings: ScanWarning[];
  meta: ManifestMeta;
  /** Every package pinned in a lockfile (transitive ones too), for vulnerability matching. */
  locked?: Array<{ name: string; version: string; datasource: DatasourceName }>;
  /**
   * The lockfile this manifest resolves through, for the dependency graph (src/scan/graph): `importer`
   * is the project's key in it (directory relative to the lockfile's, or the crate name for Cargo);
   * null when the lockfile does not list this manifest as a project (a virtual workspace root).
   */
  lockfile?: { file: string; importer: string | null };
}

/** One manifest kind. Knows one file format and nothing about GitHub. */
export interface Manager {
  name: PackageManager;
  /** Does this path (repo-relative, POSIX) belong to this manager as a manifest to extract? */
  matches(path: string): boolean;
  /** Companion files this manager may read through ctx (lockfiles, included requirement files). */
  companions?(path: string): string[];
  /** Never throws: a malformed file yields a warning naming the file and line. */
  extract(path: string, content: string, ctx: ExtractContext): ManagerResult;
}

export interface ScannedComponent {
  name: string;
  /** Directory, repo-relative POSIX, "." for the root. */
  path: string;
  type: ComponentType;
  version: string;
  manifests: string[];
  /** Names of other components this one depends on. */
  dependencies: string[];
  /** Names of components that depend on this one. */
  dependent_components: string[];
  meta: Omit<ManifestMeta, "primary">;
}

/** One step of an "introduced through" path: a package and the requirement its parent declares. */
export interface PathStep {
  name: string;
  version: string;
  requirement: string | null;
  /** A workspace member or path package of the repository itself. */
  local?: boolean;
}

/** A lockfile-pinned package as one component reaches it. */
export interface LockedPackage {
  name: string;
  version: string;
  datasource: DatasourceName;
  component: string;
  /** The component's manifest that uses the lockfile. */
  file: string;
  /** The lockfile that pins it; absent when no dependency graph was built. */
  lockfile?: string;
  /** 1 = direct; null = the lockfile records no path to it. Absent when no graph was built. */
  depth?: number | null;
  /** Best scope over every path from the component: a package reached only through dev edges is "dev". */
  scope?: "prod" | "dev" | "optional" | "peer";
  /** Up to 3 shortest paths from a direct dependency (first step) to this package (last step). */
  paths?: PathStep[][];
  /** The packages of this component's graph that require it directly, with their requirement. */
  parents?: PathStep[];
}

export interface ScanResult {
  source: string;
  commit_sha: string | null;
  components: ScannedComponent[];
  dependencies: ExtractedDependency[];
  /** Lockfile-pinned packages by component, for vulnerability matching of transitive deps. */
  locked: LockedPackage[];
  warnings: ScanWarning[];
  files_scanned: number;
  manifests: string[];
}
