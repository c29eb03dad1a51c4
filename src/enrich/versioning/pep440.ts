import * as pep440 from "@renovatebot/pep440";
import type { Versioning } from "../types.js";

/**
 * PEP 440 versioning for PyPI, through @renovatebot/pep440: epochs (`1!2.0`), pre-releases
 * (`1.0a1`, `1.0rc1`), post-releases (`1.0.post1`), dev releases (`1.0.dev1`) and local versions
 * (`1.0+ubuntu1`). Order: 1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 < 1.0+local < 1.0.post1.
 */

const MAX_LEN = 256;

function ok(s: unknown): s is string {
  return typeof s === "string" && s.length > 0 && s.length <= MAX_LEN;
}

export function isValidPep440(version: string): boolean {
  return ok(version) && pep440.valid(version.trim()) !== null;
}

function comparePep440(a: string, b: string): number {
  const va = isValidPep440(a);
  const vb = isValidPep440(b);
  if (va && vb) return pep440.compare(a.trim(), b.trim());
  if (va) return 1;
  if (vb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A bare version as a constraint means "== version" (requirements written without an operator). */
function normaliseSpecifier(constraint: string): string | null {
  if (!ok(constraint)) return null;
  const c = constraint.trim();
  if (c === "" || c === "*") return "";
  if (isValidPep440(c)) return `==${c}`;
  return pep440.validRange(c) ? c : null;
}

function matchesPep440(version: string, constraint: string): boolean {
  if (!isValidPep440(version)) return false;
  const spec = normaliseSpecifier(constraint);
  if (spec === null) return false;
  if (spec === "") return true;
  try {
    // The version is concrete (already chosen), so pre-releases are admitted, as pip does for pins.
    return pep440.satisfies(version.trim(), spec, { prereleases: true });
  } catch {
    return false;
  }
}

function minSatisfyingPep440(constraint: string): string | null {
  const spec = normaliseSpecifier(constraint);
  if (!spec) return null;
  try {
    const candidates = spec
      .split(",")
      .map((clause) => /^\s*(===|==|>=|~=)\s*(\S+?)\s*$/.exec(clause)?.[2]?.replace(/\.\*$/, ""))
      .filter((v): v is string => v !== undefined && isValidPep440(v));
    // The lowest candidate that satisfies every clause.
    candidates.sort(comparePep440);
    for (const cand of candidates) {
      if (pep440.satisfies(cand, spec, { prereleases: true })) return cand;
    }
  } catch {
    return null;
  }
  return null;
}

export const pep440Versioning: Versioning = {
  name: "pep440",
  isValid: isValidPep440,
  isStable: (v) => {
    if (!isValidPep440(v)) return false;
    const e = pep440.explain(v.trim());
    return e !== null && !e.is_prerelease && !e.is_devrelease;
  },
  compare: comparePep440,
  matches: matchesPep440,
  minSatisfying: minSatisfyingPep440,
  parts: (v) => {
    if (!isValidPep440(v)) return null;
    const e = pep440.explain(v.trim());
    if (!e) return null;
    return { major: e.release[0] ?? 0, minor: e.release[1] ?? 0, patch: e.release[2] ?? 0 };
  },
};
