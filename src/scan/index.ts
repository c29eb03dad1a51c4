import path from "node:path";
import picomatch from "picomatch";
import type { CowabungaConfig } from "../config/schema.js";
import type { RepoSource } from "../source/types.js";
import { discoverComponents, type ExtractedManifest } from "./components.js";
import { ParsedDocuments } from "./documents.js";
import { attributeLockfiles } from "./graph/index.js";
import type { ExtractContext, Manager, ManagerResult, ScanResult, ScanWarning } from "./types.js";

export { discoverComponents, sanitizeComponentName } from "./components.js";
export type { ExtractedManifest, DiscoverComponentsInput, DiscoverComponentsResult } from "./components.js";

export type ScanPhase = "list" | "read" | "extract" | "components" | "done";

export interface ScanProgress {
  phase: ScanPhase;
  /** Units done and total in this phase (files for read, manifests for extract). */
  done: number;
  total: number;
}

export interface ScanOptions {
  /** Managers to run; default: ALL_MANAGERS (loaded lazily so tests can inject fakes without them). */
  managers?: readonly Manager[];
  /** Only `components` and `ignore_paths` are read. */
  config?: Pick<CowabungaConfig, "components" | "ignore_paths">;
  /** Name of the root component (usually the repository name). */
  repoName?: string | null;
  onProgress?: (p: ScanProgress) => void;
}

/**
 * Files fetched with every scan although no manager names them as companions yet: requirement
 * includes (`-r other.txt`, `-c constraints.txt`) can point anywhere, and ExtractContext.readFile is
 * synchronous, so likely targets are fetched up front in the same batch as the manifests.
 */
const PREFETCH = picomatch(
  ["**/requirements*.txt", "**/requirements*.in", "**/requirements/**/*.txt", "**/requirements/**/*.in", "**/constraints*.txt"],
  { dot: true },
);

/**
 * Dependencies kept from one manifest: far above any real manifest (hundreds at most), while a
 * hostile file with 10^5 images would otherwise flood every later stage.
 */
export const MAX_DEPENDENCIES_PER_FILE = 20_000;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when a path or one of its parent directories matches one of the globs. */
function makePathFilter(globs: readonly string[]): (file: string) => boolean {
  if (!globs.length) return () => false;
  const match = picomatch(
    globs.map((g) => g.replace(/\/+$/, "")),
    { dot: true },
  );
  return (file) => {
    let p = file;
    for (;;) {
      if (match(p)) return true;
      const up = path.posix.dirname(p);
      if (up === "." || up === p) return false;
      p = up;
    }
  };
}

async function defaultManagers(): Promise<readonly Manager[]> {
  const mod = await import("./managers/index.js");
  return mod.ALL_MANAGERS;
}

/**
 * Scan a repository: list its files, extract every manifest with the managers that match it, and
 * group the results into components. Malformed files, manager crashes and unreadable files become
 * warnings. Only a source that cannot list its files at all (missing directory, GitHub outage)
 * rejects: a scan without a file list would look like a repository with no dependencies.
 */
export async function scanRepository(source: RepoSource, opts: ScanOptions = {}): Promise<ScanResult> {
  const managers = opts.managers ?? (await defaultManagers());
  const progress = opts.onProgress ?? (() => {});
  const warnings: ScanWarning[] = [];

  progress({ phase: "list", done: 0, total: 1 });
  const listed = await source.listFiles();
  const isIgnored = makePathFilter(opts.config?.ignore_paths ?? []);
  const files = listed.map((f) => f.path).filter((p) => !isIgnored(p)).sort(cmp);
  const fileSet = new Set(files);
  progress({ phase: "list", done: 1, total: 1 });

  // Manifests: every (manager, file) pair the manager claims.
  const jobs: Array<{ manager: Manager; path: string }> = [];
  for (const file of files) {
    for (const manager of managers) {
      let claims = false;
      try {
        claims = manager.matches(file);
      } catch (err) {
        warnings.push({ file, line: null, manager: manager.name, message: `${manager.name} manager failed to match ${file}: ${errorText(err)}` });
      }
      if (claims) jobs.push({ manager, path: file });
    }
  }

  // Round 1: manifests, their companions and likely includes, in one batched read.
  const wanted = new Set<string>();
  for (const job of jobs) {
    wanted.add(job.path);
    let companions: string[] = [];
    try {
      companions = job.manager.companions?.(job.path) ?? [];
    } catch (err) {
      warnings.push({ file: job.path, line: null, manager: job.manager.name, message: `${job.manager.name} manager failed to list companions of ${job.path}: ${errorText(err)}` });
    }
    for (const c of companions) {
      const n = normalise(c);
      if (fileSet.has(n)) wanted.add(n);
    }
  }
  for (const f of files) if (PREFETCH(f)) wanted.add(f);
  const contents = new Map<string, string>();
  const total = wanted.size;
  progress({ phase: "read", done: 0, total });
  await readInto(source, [...wanted].sort(cmp), contents, warnings);
  progress({ phase: "read", done: contents.size, total });

  // Lockfiles parsed by the managers, reused by the dependency graph (one parse per lockfile per scan).
  const documents = new ParsedDocuments();
  const run = (job: { manager: Manager; path: string }, misses: Set<string>): { result: ManagerResult | null; warning?: ScanWarning } => {
    const content = contents.get(job.path);
    if (content === undefined) return { result: null }; // the source already warned (oversized, unreadable)
    const ctx: ExtractContext = {
      allFiles: files,
      documents,
      readFile(p: string): string | undefined {
        const n = normalise(p);
        const text = contents.get(n);
        if (text === undefined && fileSet.has(n)) misses.add(n);
        return text;
      },
    };
    try {
      return { result: capDependencies(job.path, job.manager.name, job.manager.extract(job.path, content, ctx)) };
    } catch (err) {
      return {
        result: null,
        warning: {
          file: job.path,
          line: null,
          manager: job.manager.name,
          message: `${job.manager.name} manager crashed on ${job.path}, its dependencies are missing from this scan: ${errorText(err)}`,
        },
      };
    }
  };

  progress({ phase: "extract", done: 0, total: jobs.length });
  const results: Array<{ result: ManagerResult | null; warning?: ScanWarning; misses: Set<string> }> = jobs.map((job) => {
    const misses = new Set<string>();
    return { ...run(job, misses), misses };
  });

  // Round 2 (at most one): files managers asked for that were not fetched; re-run those managers.
  const missing = new Set<string>();
  for (const r of results) for (const m of r.misses) missing.add(m);
  if (missing.size) {
    await readInto(source, [...missing].sort(cmp), contents, warnings);
    jobs.forEach((job, i) => {
      if (results[i].misses.size === 0) return;
      const again = new Set<string>();
      results[i] = { ...run(job, again), misses: again };
    });
  }
  progress({ phase: "extract", done: jobs.length, total: jobs.length });

  const extracted: ExtractedManifest[] = [];
  jobs.forEach((job, i) => {
    const r = results[i];
    if (r.warning) warnings.push(r.warning);
    if (!r.result) return;
    extracted.push({ path: job.path, manager: job.manager.name, result: r.result });
    for (const w of r.result.warnings ?? []) warnings.push(w);
  });

  progress({ phase: "components", done: 0, total: 1 });
  const discovered = discoverComponents({
    manifests: extracted,
    files,
    configComponents: opts.config?.components ?? [],
    repoName: opts.repoName ?? null,
  });
  for (const w of discovered.warnings) warnings.push(w);

  // Lockfile packages: attributed through each lockfile's dependency graph to the components that
  // reach them; manifests without a graph keep the flat list (every pinned package, no path).
  const attributed = attributeLockfiles({
    manifests: extracted,
    dependencies: discovered.dependencies,
    read: (f) => contents.get(normalise(f)),
    componentOf: (p) => discovered.componentOf(p),
    documents,
  });
  warnings.push(...attributed.warnings);
  const locked: ScanResult["locked"] = [...attributed.locked];
  for (const m of extracted) {
    if (attributed.covered.has(m.path)) continue;
    const component = discovered.componentOf(m.path);
    for (const l of m.result.locked ?? []) locked.push({ name: l.name, version: l.version, datasource: l.datasource, component, file: m.path });
  }
  for (const w of source.warnings) warnings.push({ file: w.file, line: null, manager: "source", message: w.message });

  const dependencies = [...discovered.dependencies].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      cmp(a.name, b.name) ||
      cmp(a.package_manager, b.package_manager) ||
      cmp(a.current_value, b.current_value),
  );
  locked.sort((a, b) => cmp(a.file, b.file) || cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.datasource, b.datasource));
  const seen = new Set<string>();
  const uniqueWarnings = warnings
    .map(withoutRepeatedLocation)
    .sort(
      (a, b) =>
        cmp(a.file ?? "", b.file ?? "") ||
        (a.line ?? 0) - (b.line ?? 0) ||
        cmp(a.manager, b.manager) ||
        cmp(a.message, b.message),
    )
    .filter((w) => {
      const key = `${w.file}\u0000${w.line}\u0000${w.manager}\u0000${w.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  progress({ phase: "done", done: 1, total: 1 });

  return {
    source: source.description,
    commit_sha: source.commitSha,
    components: discovered.components,
    dependencies,
    locked,
    warnings: uniqueWarnings,
    files_scanned: files.length,
    manifests: [...new Set(jobs.map((j) => j.path))].sort(cmp),
  };
}

/** Keep at most MAX_DEPENDENCIES_PER_FILE dependencies of a manifest, with a warning naming the file. */
function capDependencies(file: string, manager: Manager["name"], result: ManagerResult): ManagerResult {
  if (result.deps.length <= MAX_DEPENDENCIES_PER_FILE) return result;
  const warning: ScanWarning = {
    file,
    line: null,
    manager,
    message: `${result.deps.length} dependencies found; only the first ${MAX_DEPENDENCIES_PER_FILE} are kept`,
  };
  return { ...result, deps: result.deps.slice(0, MAX_DEPENDENCIES_PER_FILE), warnings: [...(result.warnings ?? []).slice(0, MAX_DEPENDENCIES_PER_FILE), warning] };
}

/** A source that breaks its promise and throws still leaves the scan standing. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Messages that start with their own location ("package.json:1: invalid JSON") would print it
 * twice beside the warning's file and line: drop the prefix, keeping its line when the warning has none.
 */
export function withoutRepeatedLocation(w: ScanWarning): ScanWarning {
  if (!w.file) return w;
  const m = new RegExp(`^${escapeRegExp(w.file)}(?::(\\d+))?: `).exec(w.message);
  if (!m) return w;
  const line = m[1] === undefined ? null : Number(m[1]);
  if (line !== null && w.line !== null && line !== w.line) return w;
  return { ...w, line: w.line ?? line, message: w.message.slice(m[0].length) };
}

async function readInto(source: RepoSource, paths: string[], into: Map<string, string>, warnings: ScanWarning[]): Promise<void> {
  if (!paths.length) return;
  try {
    for (const [k, v] of await source.readFiles(paths)) into.set(k, v);
  } catch (err) {
    warnings.push({ file: null, line: null, manager: "source", message: `reading ${paths.length} files from ${source.description} failed: ${errorText(err)}` });
  }
}

function normalise(p: string): string {
  const n = path.posix.normalize(p.replace(/\\/g, "/")).replace(/^\.\//, "");
  return n;
}
