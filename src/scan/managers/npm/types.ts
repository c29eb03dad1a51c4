/** What the npm manager needs from any lockfile format. */

export interface LockedPackage {
  name: string;
  version: string;
}

export interface NpmLockfile {
  /** Repo-relative path of the lockfile. */
  file: string;
  /** Human-readable format, e.g. "package-lock.json v3", "yarn.lock (berry)", "pnpm-lock.yaml v9.0". */
  format: string;
  /**
   * Locked version of a direct dependency of the project at `projectDir` (POSIX, relative to the
   * lockfile's directory, "." for the same directory), declared as `declared`. null when unknown.
   */
  lookup(projectDir: string, name: string, declared: string): string | null;
  /** Does the lockfile have an entry for this project directory? null when the format cannot tell. */
  hasProject(projectDir: string): boolean | null;
  /** Every package pinned by the lockfile (registry versions only), deduplicated. */
  packages: LockedPackage[];
}

export type LockfileParse = { ok: true; lock: NpmLockfile } | { ok: false; message: string; line: number | null };

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Dedupe name@version pairs, keeping first-seen order. */
export function dedupePackages(pkgs: Iterable<LockedPackage>): LockedPackage[] {
  const seen = new Set<string>();
  const out: LockedPackage[] = [];
  for (const p of pkgs) {
    const k = `${p.name}\u0000${p.version}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

/** Split "name@range" at the version separator (not the scope's leading @). */
export function splitNameAt(spec: string): { name: string; rest: string } | null {
  const idx = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  if (idx <= 0) return null;
  return { name: spec.slice(0, idx), rest: spec.slice(idx + 1) };
}
