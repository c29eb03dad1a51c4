import { parseSyml } from "@yarnpkg/parsers";
import semver from "semver";
import { parsedDocument, type ParsedDocuments } from "../../documents.js";
import { dedupePackages, isRecord, splitNameAt, type LockedPackage, type LockfileParse } from "./types.js";

/** A yarn.lock (classic or berry) as @yarnpkg/parsers reads it, or why it cannot be read (with its line). */
export function readYarnLockDocument(content: string, docs: ParsedDocuments | undefined, file: string): { ok: true; doc: Record<string, unknown> } | { ok: false; message: string; line: number | null } {
  // Stryker disable next-line StringLiteral: the cache kind; every reader of a yarn.lock asks through this function, so any one name keeps them apart from other formats
  return parsedDocument(docs, "syml", file, content, () => readYarnLockUncached(content));
}

function readYarnLockUncached(content: string): { ok: true; doc: Record<string, unknown> } | { ok: false; message: string; line: number | null } {
  let doc: unknown;
  try {
    doc = parseSyml(content);
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    // js-yaml (berry) ends its message with "(line:column)"; the v1 grammar's SyntaxError carries a location instead.
    const m = /\((\d+):\d+\)/.exec(msg);
    return { ok: false, message: `cannot parse: ${msg}`, line: m ? Number(m[1]) : ((e as { location?: { start: { line: number } } }).location?.start.line ?? null) };
  }
  // Stryker disable next-line ConditionalExpression,ObjectLiteral,BooleanLiteral,StringLiteral: parseSyml returns a map or throws (its js-yaml path rejects lists and scalars, the v1 grammar yields a map); a guard in case that changes
  if (!isRecord(doc)) return { ok: false, message: "not a yarn lockfile", line: null };
  return { ok: true, doc };
}

/** yarn.lock, classic (v1 format) and berry (has `__metadata`), both read with @yarnpkg/parsers. */
export function parseYarnLock(file: string, content: string, docs?: ParsedDocuments): LockfileParse {
  const read = readYarnLockDocument(content, docs, file);
  if (!read.ok) return read;
  const doc = read.doc;
  const berry = isRecord(doc.__metadata);

  /** descriptor ("lodash@^4.17.0", "lodash@npm:^4.17.0") -> locked version */
  const byDescriptor = new Map<string, string>();
  /** package name -> set of locked versions */
  const versionsByName = new Map<string, Set<string>>();
  /** workspace dir -> its dependency ranges (berry only) */
  const workspaces = new Map<string, Record<string, unknown>>();
  const pkgs: LockedPackage[] = [];

  for (const [key, entry] of Object.entries(doc)) {
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: __metadata and non-map entries have no resolution or version and are skipped below anyway
    if (key === "__metadata" || !isRecord(entry)) continue;
    // Stryker disable next-line MethodExpression: an empty descriptor has no name and is never looked up
    const descriptors = key.split(",").map((d) => d.trim()).filter(Boolean);
    let locked: LockedPackage | null = null;
    if (berry) {
      const resolution = typeof entry.resolution === "string" ? splitNameAt(entry.resolution) : null;
      if (resolution?.rest.startsWith("workspace:")) {
        const deps: Record<string, unknown> = {};
        for (const field of ["dependencies", "peerDependencies"]) {
          const d = entry[field];
          if (isRecord(d)) Object.assign(deps, d);
        }
        workspaces.set(resolution.rest.slice("workspace:".length) || ".", deps);
        continue;
      }
      if (resolution?.rest.startsWith("npm:") && semver.valid(resolution.rest.slice(4))) {
        locked = { name: resolution.name, version: resolution.rest.slice(4) };
      }
    } else if (
      // Stryker disable next-line ConditionalExpression: semver.valid gives null for a version that is not a string too
      typeof entry.version === "string" &&
      semver.valid(entry.version)
    ) {
      const first = descriptors[0] ? splitNameAt(descriptors[0]) : null;
      if (first) {
        const alias = first.rest.startsWith("npm:") ? splitNameAt(first.rest.slice(4)) : null;
        locked = { name: alias?.name ?? first.name, version: entry.version };
      }
    }
    if (!locked) continue;
    pkgs.push(locked);
    for (const d of descriptors) {
      byDescriptor.set(d, locked.version);
      const s = splitNameAt(d);
      if (!s) continue;
      const set = versionsByName.get(s.name) ?? new Set<string>();
      set.add(locked.version);
      versionsByName.set(s.name, set);
    }
  }

  return {
    ok: true,
    lock: {
      file,
      format: berry ? "yarn.lock (berry)" : "yarn.lock (classic v1)",
      packages: dedupePackages(pkgs),
      hasProject: (dir: string) => (berry ? workspaces.has(dir) || (dir === "." && workspaces.size === 0) : dir === "." ? true : null),
      lookup(dir: string, name: string, declared: string): string | null {
        // Stryker disable next-line ArrayDeclaration: a placeholder candidate matches no descriptor
        const candidates: string[] = [];
        const wsRange = workspaces.get(dir)?.[name];
        // Stryker disable next-line ConditionalExpression: "name@undefined" matches no descriptor
        if (typeof wsRange === "string") candidates.push(`${name}@${wsRange}`);
        candidates.push(`${name}@${declared}`, `${name}@npm:${declared}`);
        for (const c of candidates) {
          const v = byDescriptor.get(c);
          if (v) return v;
        }
        // One version of the package in the whole lock: it is the one.
        const set = versionsByName.get(name);
        return set && set.size === 1 ? [...set][0] : null;
      },
    },
  };
}
