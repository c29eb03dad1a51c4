import semver from "semver";
import type { Versioning } from "../types.js";

/**
 * Semantic versioning for npm, Cargo and Go. All three share semver 2.0 ordering; they differ in
 * how a constraint is written:
 * - npm: node-semver ranges (`^1.2.0`, `~1.2`, `>=1 <2`, `1.x`, `1.2.3 - 2.3.4`, `a || b`).
 * - Cargo: comma-separated requirements, and a bare `1.2` means `^1.2` (caret is the default).
 * - Go: versions carry a leading `v`; a go.mod "constraint" is one exact version (MVS picks the
 *   minimum), pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`) are pre-releases.
 * Every variant accepts a leading `v` (or `=`) on versions.
 */

const OPTS = { loose: true, includePrerelease: false } as const;

/** Strip a leading `v`/`V`/`=` and surrounding space; return the canonical semver string or null. */
export function cleanSemver(version: string): string | null {
  if (typeof version !== "string") return null;
  const trimmed = version.trim();
  if (trimmed.length === 0 || trimmed.length > 256) return null;
  const parsed = semver.parse(trimmed.replace(/^[=vV]+/, ""), OPTS);
  return parsed ? parsed.version : null;
}

function compareSemver(a: string, b: string): number {
  const ca = cleanSemver(a);
  const cb = cleanSemver(b);
  if (ca && cb) return semver.compare(ca, cb);
  // Invalid input: keep a total order (invalid sorts first) rather than throwing.
  if (ca) return 1;
  if (cb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function partsOf(version: string): { major: number; minor: number; patch: number } | null {
  const clean = cleanSemver(version);
  if (clean) {
    const p = semver.parse(clean)!;
    return { major: p.major, minor: p.minor, patch: p.patch };
  }
  // Partial versions such as "1", "1.2", "v2.3" (npm x-ranges, Cargo bare requirements).
  const m = /^\s*[=vV]*(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(version);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0) };
}

/** A node-semver range, or null when the constraint is not one. */
function npmRange(constraint: string): string | null {
  if (typeof constraint !== "string" || constraint.length > 1024) return null;
  const c = constraint.trim();
  if (c === "" || c === "latest") return "*";
  return semver.validRange(c, OPTS);
}

function rangeMatches(version: string, range: string | null): boolean {
  const clean = cleanSemver(version);
  if (!clean || range === null) return false;
  // A concrete pre-release version is checked against the range as written: include pre-releases.
  return semver.satisfies(clean, range, { loose: true, includePrerelease: true });
}

function minOf(range: string | null): string | null {
  if (range === null) return null;
  try {
    return semver.minVersion(range, OPTS)?.version ?? null;
  } catch {
    return null;
  }
}

function makeVersioning(name: string, toRange: (constraint: string) => string | null): Versioning {
  return {
    name,
    isValid: (v) => cleanSemver(v) !== null,
    isStable: (v) => {
      const c = cleanSemver(v);
      return c !== null && semver.prerelease(c) === null;
    },
    compare: compareSemver,
    matches: (v, constraint) => rangeMatches(v, toRange(constraint)),
    minSatisfying: (constraint) => minOf(toRange(constraint)),
    parts: partsOf,
  };
}

/** npm (node-semver) ranges; versions may carry a leading `v`. */
export const semverVersioning: Versioning = makeVersioning("semver", npmRange);

/**
 * Convert a Cargo version requirement to a node-semver range.
 * `1.2` → `^1.2`; `=1.2.3`, `>=1, <2`, `~1.2`, `1.*`, `*` keep their meaning.
 */
export function cargoRangeToNpm(constraint: string): string | null {
  if (typeof constraint !== "string" || constraint.length > 1024) return null;
  const parts = constraint
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const converted: string[] = [];
  for (const part of parts) {
    // Cargo allows a space between operator and version ("> = 1" is not allowed, ">= 1" is).
    const m = /^(=|>=|<=|>|<|~|\^)?\s*([0-9*][0-9A-Za-z.*+-]*)$/.exec(part);
    if (!m) return null;
    const op = m[1] ?? "^";
    const ver = m[2];
    if (ver.includes("*")) {
      converted.push(op === "^" || op === "=" ? ver : `${op}${ver}`);
    } else {
      converted.push(`${op}${ver}`);
    }
  }
  return semver.validRange(converted.join(" "), OPTS);
}

export const cargoVersioning: Versioning = makeVersioning("cargo", cargoRangeToNpm);

/**
 * Go modules: a constraint is usually an exact version from go.mod (`v1.2.3`,
 * `v0.0.0-20191109021931-daa7c04131f5`, `v2.0.0+incompatible`); we also accept node-semver
 * ranges so callers can express "at least" checks.
 */
export function goRangeToNpm(constraint: string): string | null {
  if (typeof constraint !== "string") return null;
  const exact = cleanSemver(constraint);
  if (exact) return `=${exact}`;
  return npmRange(constraint.replace(/(^|[\s<>=~^|])v(\d)/g, "$1$2"));
}

export const goVersioning: Versioning = makeVersioning("go", goRangeToNpm);

/** Is this a Go pseudo-version (a commit, not a tag)? */
export function isGoPseudoVersion(version: string): boolean {
  return /^v?\d+\.\d+\.\d+-(?:(?:0\.|[0-9A-Za-z.-]*\.0\.))?\d{14}-[0-9a-f]{12}(?:\+incompatible)?$/.test(version.trim());
}
