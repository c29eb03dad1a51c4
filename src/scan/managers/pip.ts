import path from "node:path";
import type { ExtractContext, ExtractedDependency, Manager, ManagerResult, ScanWarning } from "../types.js";
import { nearestAncestorFile, safeRead, siblingPath } from "./pip/common.js";
import { parsePipfileLock, parseTomlLock, type PyLock } from "./pip/lockfiles.js";
import { normalizePyName } from "./pip/pep508.js";
import { extractPipfile } from "./pip/pipfile.js";
import { extractPyproject } from "./pip/pyproject.js";
import { extractRequirements } from "./pip/requirements.js";
import { extractPythonVersionFile } from "./pip/runtime.js";
import { parseTomlFile } from "./pip/toml.js";

/** requirements*.txt / *requirements*.in anywhere, and any .txt / .in directly under a requirements/ folder. */
export function isRequirementsFile(file: string): boolean {
  const base = path.posix.basename(file);
  const dir = path.posix.basename(path.posix.dirname(file));
  if (/^[^.]*requirements[^/]*\.(txt|in)$/i.test(base)) return true;
  return dir.toLowerCase() === "requirements" && /^[^.]+\.(txt|in)$/i.test(base);
}

function kind(file: string): "requirements" | "pyproject" | "pipfile" | "python-version" | null {
  const base = path.posix.basename(file);
  if (base === ".python-version") return "python-version";
  if (base === "pyproject.toml") return "pyproject";
  if (base === "Pipfile") return "pipfile";
  if (isRequirementsFile(file)) return "requirements";
  return null;
}

function emptyResult(warnings: ScanWarning[] = []): ManagerResult {
  return { deps: [], warnings, meta: { primary: false }, locked: [] };
}

function applyLock(deps: ExtractedDependency[], lock: PyLock): void {
  for (const d of deps) {
    if (d.datasource !== "pypi" || d.skip_reason) continue;
    const v = lock.versions.get(normalizePyName(d.name));
    if (v) {
      d.locked_version = v;
      d.version = v;
    }
  }
}

function extract(file: string, content: string, ctx: ExtractContext): ManagerResult {
  const k = kind(file);
  if (k === null) return emptyResult();
  if (k === "python-version") return extractPythonVersionFile(file, content);
  if (k === "requirements") {
    const r = extractRequirements(file, content, ctx);
    return {
      deps: r.deps,
      warnings: r.warnings,
      meta: { primary: false },
      locked: r.locked.map((l) => ({ ...l, datasource: "pypi" as const })),
    };
  }
  const parsed = parseTomlFile(file, content, "pip");
  if (!parsed.ok) return emptyResult([parsed.warning]);

  const warnings: ScanWarning[] = [];
  let deps: ExtractedDependency[];
  let meta: ManagerResult["meta"];
  const locks: PyLock[] = [];
  if (k === "pipfile") {
    const r = extractPipfile(file, content, parsed.value);
    deps = r.deps;
    meta = r.meta;
    warnings.push(...r.warnings);
    const lockPath = siblingPath(file, "Pipfile.lock");
    const lockText = ctx.allFiles.includes(lockPath) ? safeRead(ctx, lockPath) : undefined;
    if (lockText !== undefined) {
      const lock = parsePipfileLock(lockPath, lockText, warnings, ctx.documents);
      if (lock) locks.push(lock);
    }
  } else {
    const r = extractPyproject(file, content, parsed.value);
    deps = r.deps;
    meta = r.meta;
    warnings.push(...r.warnings);
    const poetryLock = siblingPath(file, "poetry.lock");
    // uv workspaces keep one uv.lock at the workspace root: the nearest ancestor.
    const uvLock = nearestAncestorFile(ctx, file, "uv.lock");
    for (const lockPath of [poetryLock, uvLock]) {
      if (!lockPath || !ctx.allFiles.includes(lockPath)) continue;
      const text = safeRead(ctx, lockPath);
      if (text === undefined) continue;
      const lock = parseTomlLock(lockPath, text, warnings, ctx.documents);
      if (lock) locks.push(lock);
    }
  }
  const locked: NonNullable<ManagerResult["locked"]> = [];
  for (const lock of locks) {
    applyLock(deps, lock);
    for (const p of lock.packages) locked.push({ name: p.name, version: p.version, datasource: "pypi" });
  }
  const lock = locks[0];
  if (!lock) return { deps, warnings, meta, locked };
  const lockDir = path.posix.dirname(lock.file);
  const ownDir = path.posix.dirname(file);
  const importer = lockDir === ownDir ? "." : lockDir === "." ? ownDir : ownDir.slice(lockDir.length + 1);
  return { deps, warnings, meta, locked, lockfile: { file: lock.file, importer } };
}

export const pipManager: Manager = {
  name: "pip",
  matches(file: string): boolean {
    return kind(file) !== null;
  },
  companions(file: string): string[] {
    const k = kind(file);
    const dir = path.posix.dirname(file);
    const inDir = (name: string): string => (dir === "." ? name : `${dir}/${name}`);
    if (k === "pyproject") {
      // uv.lock may sit in any ancestor (uv workspace root).
      const out = [inDir("poetry.lock")];
      let d = dir;
      for (;;) {
        out.push(d === "." ? "uv.lock" : `${d}/uv.lock`);
        if (d === ".") break;
        d = path.posix.dirname(d);
      }
      return out;
    }
    if (k === "pipfile") return [inDir("Pipfile.lock")];
    if (k === "requirements") {
      return [inDir("requirements.txt"), inDir("requirements.in"), inDir("constraints.txt"), file.replace(/\.in$/, ".txt")].filter(
        (p, i, a) => p !== file && a.indexOf(p) === i,
      );
    }
    return [];
  },
  extract(file: string, content: string, ctx: ExtractContext): ManagerResult {
    try {
      return extract(file, content, ctx);
    } catch (err) {
      // A bug must not stop the scan: report it against the file.
      return emptyResult([{ file, line: null, manager: "pip", message: `internal error while reading ${file}: ${String(err)}` }]);
    }
  },
};
