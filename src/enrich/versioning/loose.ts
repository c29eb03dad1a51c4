import semver from "semver";
import type { Versioning } from "../types.js";

/**
 * Loose versions: git tags and chart versions such as `v1.2.3`, `1.2`, `v4`, `2.0.0-rc.1`,
 * `1.2.3.4`. Numbers compare numerically with missing parts as 0; a pre-release suffix sorts before
 * the release. A constraint that is itself a loose version is a floating prefix (`v4` admits
 * `v4.2.1`, as GitHub Actions major tags do); otherwise it is tried as a semver range (Helm).
 */
export interface LooseVersion {
  numbers: number[];
  prerelease: string | null;
}

// A pre-release is "-anything" or letters straight after the numbers ("3.13.0rc1"); never digits
// glued to the numbers, so "12.x" is not read as 1 + "2.x".
const LOOSE = /^[vV]?(\d{1,9}(?:\.\d{1,9}){0,3})(?:-([0-9A-Za-z][0-9A-Za-z.-]*)|([A-Za-z][0-9A-Za-z.-]*))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseLoose(version: string): LooseVersion | null {
  if (typeof version !== "string" || version.length > 128) return null;
  const m = LOOSE.exec(version.trim());
  if (!m) return null;
  return { numbers: m[1].split(".").map(Number), prerelease: m[2] ?? m[3] ?? null };
}

function comparePre(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function compareLoose(a: string, b: string): number {
  const x = parseLoose(a);
  const y = parseLoose(b);
  if (!x || !y) return x ? 1 : y ? -1 : a < b ? -1 : a > b ? 1 : 0;
  for (let i = 0; i < Math.max(x.numbers.length, y.numbers.length); i++) {
    const d = (x.numbers[i] ?? 0) - (y.numbers[i] ?? 0);
    if (d !== 0) return d;
  }
  return comparePre(x.prerelease, y.prerelease);
}

function toSemver(v: LooseVersion): string {
  const [ma, mi = 0, pa = 0] = v.numbers;
  return `${ma}.${mi}.${pa}${v.prerelease ? `-${v.prerelease}` : ""}`;
}

export const looseVersioning: Versioning = {
  name: "loose",
  isValid: (v) => parseLoose(v) !== null,
  isStable: (v) => {
    const p = parseLoose(v);
    return p !== null && p.prerelease === null;
  },
  compare: compareLoose,
  matches(version, constraint) {
    const v = parseLoose(version);
    if (!v) return false;
    const c = parseLoose(constraint);
    if (c) {
      if (c.prerelease !== null) return compareLoose(version, constraint) === 0;
      return v.prerelease === null && c.numbers.every((n, i) => (v.numbers[i] ?? 0) === n);
    }
    const range = semver.validRange(constraint.trim(), { loose: true });
    if (!range || v.numbers.length > 3) return false;
    const sv = semver.valid(toSemver(v), { loose: true });
    return sv !== null && semver.satisfies(sv, range, { loose: true, includePrerelease: v.prerelease !== null });
  },
  minSatisfying(constraint) {
    if (parseLoose(constraint)) return constraint;
    try {
      const min = semver.minVersion(constraint.trim(), { loose: true });
      return min ? min.version : null;
    } catch {
      return null;
    }
  },
  parts(v) {
    const p = parseLoose(v);
    if (!p) return null;
    return { major: p.numbers[0], minor: p.numbers[1] ?? 0, patch: p.numbers[2] ?? 0 };
  },
};
