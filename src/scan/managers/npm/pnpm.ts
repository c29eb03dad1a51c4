import semver from "semver";
import { rawParse, type ParsedDocuments } from "../../documents.js";
import { parseYamlData } from "../yaml-ast.js";

/** The YAML document of a pnpm-lock.yaml (shared by the manager and the graph builder). */
export function parsePnpmLockYaml(content: string): unknown {
  return parseYamlData(content, { maxAliasCount: 1000 });
}
import { dedupePackages, isRecord, type LockedPackage, type LockfileParse } from "./types.js";

/** pnpm-lock.yaml: lockfileVersion 5.x (`/name/1.0.0_peer`), 6.x/7.x (`/name@1.0.0(peer)`), 9.x (`name@1.0.0`). */
export function parsePnpmLock(file: string, content: string, docs?: ParsedDocuments): LockfileParse {
  const raw = rawParse(docs, "yaml", file, content, parsePnpmLockYaml);
  if (!raw.ok) return { ok: false, message: `invalid YAML: ${(raw.error as Error).message.split("\n")[0]}`, line: yamlErrorLine(raw.error) };
  const doc = raw.doc;
  if (!isRecord(doc)) return { ok: false, message: "not a YAML mapping", line: null };
  const lockfileVersion = String(doc.lockfileVersion ?? "");
  const major = Number.parseInt(lockfileVersion, 10);
  if (!Number.isFinite(major)) return { ok: false, message: "missing lockfileVersion", line: null };
  const v5 = major < 6;

  const importers = new Map<string, Record<string, unknown>>();
  if (isRecord(doc.importers)) {
    for (const [dir, imp] of Object.entries(doc.importers)) if (isRecord(imp)) importers.set(normalizeDir(dir), imp);
  } else {
    importers.set(".", doc);
  }

  const pkgs: LockedPackage[] = [];
  for (const section of ["packages", "snapshots"]) {
    const map = doc[section];
    if (!isRecord(map)) continue;
    for (const key of Object.keys(map)) {
      const p = parsePnpmKey(key, v5);
      if (p) pkgs.push(p);
    }
  }

  return {
    ok: true,
    lock: {
      file,
      format: `pnpm-lock.yaml v${lockfileVersion}`,
      packages: dedupePackages(pkgs),
      hasProject: (dir: string) => importers.has(dir),
      lookup(dir: string, name: string): string | null {
        const imp = importers.get(dir);
        if (!imp) return null;
        for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
          const deps = imp[field];
          if (!isRecord(deps)) continue;
          const entry = deps[name];
          if (entry === undefined) continue;
          const raw = isRecord(entry) ? entry.version : entry;
          if (typeof raw !== "string") return null;
          return importerVersion(raw, v5);
        }
        return null;
      },
    },
  };
}

function normalizeDir(dir: string): string {
  const d = dir.replace(/^\.\//, "").replace(/\/+$/, "");
  return d === "" ? "." : d;
}

/** "1.0.0(react@18.0.0)", "1.0.0_react@18.0.0" (v5), "/real@1.0.0" or "real@1.0.0" (alias), "link:../a". */
function importerVersion(raw: string, v5: boolean): string | null {
  if (/^(link|file|workspace):/.test(raw)) return null;
  const plain = stripPeers(raw, v5);
  if (semver.valid(plain)) return plain;
  return parsePnpmKey(raw, v5)?.version ?? null;
}

function stripPeers(s: string, v5: boolean): string {
  const paren = s.indexOf("(");
  let out = paren >= 0 ? s.slice(0, paren) : s;
  if (v5) {
    const us = out.indexOf("_");
    if (us >= 0) out = out.slice(0, us);
  }
  return out;
}

/** A `packages`/`snapshots` key to name + registry version, or null for git/tarball/local keys. */
export function parsePnpmKey(key: string, v5: boolean): LockedPackage | null {
  let k = key.startsWith("/") ? key.slice(1) : key;
  if (v5) {
    // "@scope/name/1.0.0_peer@2" — the version is the last path segment before any peer suffix.
    const paren = k.indexOf("(");
    if (paren >= 0) k = k.slice(0, paren);
    const slash = k.lastIndexOf("/");
    if (slash <= 0) return null;
    const version = stripPeers(k.slice(slash + 1), true);
    const name = k.slice(0, slash);
    return semver.valid(version) && name ? { name, version } : null;
  }
  k = stripPeers(k, false);
  const at = k.lastIndexOf("@");
  if (at <= 0) return null;
  const name = k.slice(0, at);
  const version = k.slice(at + 1);
  return semver.valid(version) ? { name, version } : null;
}

export interface PnpmWorkspace {
  packages: string[];
  catalog: Record<string, string>;
  catalogs: Record<string, Record<string, string>>;
}

export type PnpmWorkspaceParse = { ok: true; workspace: PnpmWorkspace } | { ok: false; message: string; line: number | null };

export function parsePnpmWorkspace(content: string): PnpmWorkspaceParse {
  let doc: unknown;
  try {
    doc = parseYamlData(content, { maxAliasCount: 1000 });
  } catch (e) {
    return { ok: false, message: `invalid YAML: ${(e as Error).message.split("\n")[0]}`, line: yamlErrorLine(e) };
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isRecord(doc)) return { ok: false, message: "not a YAML mapping", line: null };
  const strings = (v: unknown): Record<string, string> => {
    const out: Record<string, string> = {};
    if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === "string" || typeof x === "number") out[k] = String(x);
    return out;
  };
  const catalogs: Record<string, Record<string, string>> = {};
  if (isRecord(doc.catalogs)) for (const [k, v] of Object.entries(doc.catalogs)) catalogs[k] = strings(v);
  return {
    ok: true,
    workspace: {
      packages: Array.isArray(doc.packages) ? doc.packages.filter((p): p is string => typeof p === "string") : [],
      catalog: strings(doc.catalog),
      catalogs,
    },
  };
}

/** Resolve "catalog:" / "catalog:default" / "catalog:name" for a package. */
export function resolveCatalog(ws: PnpmWorkspace, catalogRef: string, name: string): string | null {
  const which = catalogRef.slice("catalog:".length).trim();
  if (which === "" || which === "default") return ws.catalog[name] ?? ws.catalogs.default?.[name] ?? null;
  return ws.catalogs[which]?.[name] ?? null;
}

function yamlErrorLine(e: unknown): number | null {
  const linePos = (e as { linePos?: Array<{ line: number }> }).linePos;
  return Array.isArray(linePos) && linePos[0] ? linePos[0].line : null;
}
