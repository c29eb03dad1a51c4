import semver from "semver";
import { parseJsonText, rawParse, type ParsedDocuments } from "../../documents.js";
import { scanJson } from "./json-lines.js";
import { dedupePackages, isRecord, splitNameAt, type LockedPackage, type LockfileParse } from "./types.js";

/** package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (dependencies tree) and 2/3 (packages map). */
export function parsePackageLock(file: string, content: string, docs?: ParsedDocuments): LockfileParse {
  const raw = rawParse(docs, "json", file, content, parseJsonText);
  if (!raw.ok) {
    const scan = scanJson(content);
    const line = scan.error?.line ?? null;
    return { ok: false, message: `invalid JSON: ${scan.error?.message ?? (raw.error as Error).message}`, line };
  }
  const doc = raw.doc;
  if (!isRecord(doc)) return { ok: false, message: "not a JSON object", line: 1 };
  // Wrong types would otherwise read as "an empty lockfile", and ranges would pass for resolved versions.
  const wrongType = (key: string): string | null => {
    const v = doc[key];
    if (v === undefined || isRecord(v)) return null;
    return `"${key}" is ${Array.isArray(v) ? "an array" : v === null ? "null" : `a ${typeof v}`}, expected an object; the lockfile is ignored`;
  };
  const typeProblem = wrongType("packages") ?? wrongType("dependencies");
  if (typeProblem) return { ok: false, message: typeProblem, line: null };
  if (doc.lockfileVersion !== undefined && (typeof doc.lockfileVersion !== "number" || !Number.isInteger(doc.lockfileVersion))) {
    return { ok: false, message: `"lockfileVersion" is ${JSON.stringify(doc.lockfileVersion).slice(0, 40)}, expected 1, 2 or 3; the lockfile is ignored`, line: null };
  }
  const lockfileVersion = typeof doc.lockfileVersion === "number" ? doc.lockfileVersion : 1;
  const name = file.split("/").pop() ?? file;
  if (isRecord(doc.packages)) return { ok: true, lock: fromPackagesMap(file, `${name} v${lockfileVersion}`, doc.packages) };
  if (isRecord(doc.dependencies) || doc.dependencies === undefined) {
    return { ok: true, lock: fromDependencyTree(file, `${name} v${lockfileVersion}`, isRecord(doc.dependencies) ? doc.dependencies : {}) };
  }
  return { ok: false, message: "neither a \"packages\" map nor a \"dependencies\" tree", line: null };
}

function registryVersion(v: unknown): string | null {
  return typeof v === "string" && semver.valid(v) ? v : null;
}

/** v1 alias versions look like "npm:real-name@1.2.3". */
function aliasTarget(version: string): { name: string; version: string } | null {
  if (!version.startsWith("npm:")) return null;
  const s = splitNameAt(version.slice(4));
  if (!s || !semver.valid(s.rest)) return null;
  return { name: s.name, version: s.rest };
}

function fromPackagesMap(file: string, format: string, packages: Record<string, unknown>) {
  const pkgs: LockedPackage[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    if (!isRecord(entry) || entry.link === true) continue;
    const at = key.lastIndexOf("node_modules/");
    if (at < 0) continue; // the root or a workspace's own entry
    const version = registryVersion(entry.version);
    if (!version) continue;
    const name = typeof entry.name === "string" ? entry.name : key.slice(at + "node_modules/".length);
    pkgs.push({ name, version });
  }
  const resolveEntry = (key: string, depth = 0): string | null => {
    const entry = packages[key];
    if (!isRecord(entry)) return null;
    if (entry.link === true && typeof entry.resolved === "string" && depth < 4) return resolveEntry(entry.resolved, depth + 1);
    return registryVersion(entry.version);
  };
  return {
    file,
    format,
    packages: dedupePackages(pkgs),
    hasProject: (dir: string) => dir === "." || isRecord(packages[dir]),
    lookup(dir: string, name: string): string | null {
      const prefix = dir === "." ? "" : `${dir}/`;
      for (const key of [`${prefix}node_modules/${name}`, `node_modules/${name}`]) {
        if (packages[key] !== undefined) return resolveEntry(key);
      }
      return null;
    },
  };
}

function fromDependencyTree(file: string, format: string, deps: Record<string, unknown>) {
  const pkgs: LockedPackage[] = [];
  const stack: Array<Record<string, unknown>> = [deps];
  while (stack.length > 0) {
    const level = stack.pop() as Record<string, unknown>;
    for (const [name, entry] of Object.entries(level)) {
      if (!isRecord(entry) || typeof entry.version !== "string") continue;
      const alias = aliasTarget(entry.version);
      if (alias) pkgs.push(alias);
      else if (semver.valid(entry.version)) pkgs.push({ name, version: entry.version });
      if (isRecord(entry.dependencies)) stack.push(entry.dependencies);
    }
  }
  return {
    file,
    format,
    packages: dedupePackages(pkgs),
    // npm 6 had no workspaces: a v1 lock only describes the project in its own directory.
    hasProject: (dir: string) => dir === ".",
    lookup(dir: string, name: string): string | null {
      if (dir !== ".") return null;
      const entry = deps[name];
      if (!isRecord(entry) || typeof entry.version !== "string") return null;
      return aliasTarget(entry.version)?.version ?? registryVersion(entry.version);
    },
  };
}
