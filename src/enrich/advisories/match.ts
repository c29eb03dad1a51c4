import type { Versioning } from "../types.js";
import { pep440Versioning } from "../versioning/pep440.js";
import { cargoVersioning, goVersioning, semverVersioning } from "../versioning/semver.js";
import { normalisePackageName, type OsvAffected, type OsvRange, type OsvVulnerability } from "./types.js";

/**
 * The OSV schema's evaluation of "is version V of package P affected by this record"
 * (https://ossf.github.io/osv-schema/#evaluation): V is affected by an `affected[]` entry for P
 * when V is listed in `versions[]` or lies in one of its SEMVER/ECOSYSTEM ranges. GIT ranges
 * name commits, not versions: they are skipped (with a note) and only `versions[]` applies.
 */

/** The version order used for ECOSYSTEM ranges of an ecosystem; null when we have none. */
export function versioningForEcosystem(ecosystem: string): Versioning | null {
  switch (ecosystem) {
    case "PyPI":
      return pep440Versioning;
    case "npm":
      return semverVersioning;
    case "crates.io":
      return cargoVersioning;
    case "Go":
      return goVersioning;
    default:
      return null;
  }
}

export interface MatchResult {
  affected: boolean;
  /** Something could not be evaluated and may hide a match (unparseable version, unknown range type). */
  warnings: string[];
  /** Informational: parts skipped by design (GIT ranges). */
  notes: string[];
}

type Kind = "introduced" | "fixed" | "last_affected" | "limit";
interface Ev {
  kind: Kind;
  /** null for introduced "0" (−∞) and limit "*" (+∞). */
  version: string | null;
}

const KIND_ORDER: Record<Kind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

function packageMatches(entry: OsvAffected, ecosystem: string, normName: string): boolean {
  const pkg = entry.package;
  if (!pkg || pkg.ecosystem !== ecosystem) return false;
  return normalisePackageName(ecosystem, pkg.name) === normName;
}

function eventsOf(range: OsvRange, v: Versioning, notes: string[], id: string): Ev[] | null {
  // Stryker disable next-line ArrayDeclaration: equivalent; an entry without a kind is skipped by the evaluation loop and the limit filter
  const out: Ev[] = [];
  for (const e of range.events) {
    const kind: Kind | undefined =
      e.introduced !== undefined
        ? "introduced"
        : e.fixed !== undefined
          ? "fixed"
          : e.last_affected !== undefined
            ? "last_affected"
            : e.limit !== undefined
              ? "limit"
              : undefined;
    if (!kind) continue;
    const raw = e[kind] as string;
    if (kind === "introduced" && raw === "0") {
      out.push({ kind, version: null });
      continue;
    }
    if (kind === "limit" && raw === "*") {
      // Stryker disable next-line ObjectLiteral: equivalent; a limit of "*" caps nothing, like no limit, and an event without kind is skipped
      out.push({ kind, version: null });
      continue;
    }
    if (!v.isValid(raw)) {
      // Skipping just this event could widen the range into a false positive: drop the range.
      notes.push(`${id}: ${range.type} range skipped, ${kind} version "${raw}" is not a valid ${v.name} version`);
      return null;
    }
    out.push({ kind, version: raw });
  }
  return out;
}

function cmpEvents(v: Versioning): (a: Ev, b: Ev) => number {
  const pos = (e: Ev): number => (e.version === null ? (e.kind === "introduced" ? -1 : 1) : 0);
  return (a, b) => {
    const pa = pos(a);
    const pb = pos(b);
    if (pa !== 0 || pb !== 0) {
      if (pa !== pb) return pa - pb;
    } else {
      const c = v.compare(a.version as string, b.version as string);
      if (c !== 0) return c;
    }
    return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  };
}

/** Is `version` inside this SEMVER/ECOSYSTEM range? Returns null when the range can't be evaluated. */
function inRange(range: OsvRange, v: Versioning, version: string, notes: string[], id: string): boolean | null {
  const events = eventsOf(range, v, notes, id);
  if (events === null) return null;
  const sorted = [...events].sort(cmpEvents(v));
  let affected = false;
  for (const e of sorted) {
    if (e.kind === "introduced") {
      if (e.version === null || v.compare(version, e.version) >= 0) affected = true;
    } else if (e.kind === "fixed") {
      if (v.compare(version, e.version as string) >= 0) affected = false;
    } else if (e.kind === "last_affected") {
      if (v.compare(version, e.version as string) > 0) affected = false;
    }
  }
  if (!affected) return false;
  const limits = sorted.filter((e) => e.kind === "limit");
  if (limits.length === 0) return true;
  return limits.some((l) => l.version === null || v.compare(version, l.version) < 0);
}

/** The first run of digits after any epoch / "v" prefix, as a string ("1!2.0" → "2", "v010" → "10"). */
// Stryker disable next-line BlockStatement: equivalent; only a pre-filter before the exact compare (undefined on both sides lets every listed version through to it)
function leadingNumber(version: string): string {
  const m = /^\s*(?:\d+!)?[vV]?0*(\d+)/.exec(version);
  // Stryker disable next-line StringLiteral: equivalent; any constant does, both sides of the comparison come through here
  return m ? m[1] : "";
}

function versionListed(entry: OsvAffected, version: string, v: Versioning | null): boolean {
  if (entry.versions.includes(version)) return true;
  // Same version spelled differently ("1.0" vs "1.0.0" in PEP 440, "v1.2.3" vs "1.2.3" in Go).
  if (v && v.isValid(version)) {
    // Equal versions share their leading release number: only those are worth a full compare.
    const lead = leadingNumber(version);
    for (const listed of entry.versions) {
      if (leadingNumber(listed) === lead && v.isValid(listed) && v.compare(listed, version) === 0) return true;
    }
  }
  return false;
}

function rangeVersioning(range: OsvRange, ecosystem: string): Versioning | null {
  if (range.type === "SEMVER") return ecosystem === "Go" ? goVersioning : semverVersioning;
  if (range.type === "ECOSYSTEM") return versioningForEcosystem(ecosystem);
  return null;
}

/** Evaluate one record for one package version, with notes on anything that could not be evaluated. */
export function evaluateRecord(
  record: OsvVulnerability,
  ecosystem: string,
  name: string,
  version: string,
): MatchResult {
  const notes: string[] = [];
  const warnings: string[] = [];
  if (record.withdrawn) return { affected: false, warnings, notes };
  const normName = normalisePackageName(ecosystem, name);
  const ecoVersioning = versioningForEcosystem(ecosystem);
  let versionNoted = false;
  for (const entry of record.affected) {
    if (!packageMatches(entry, ecosystem, normName)) continue;
    if (versionListed(entry, version, ecoVersioning)) return { affected: true, warnings, notes };
    for (const range of entry.ranges) {
      if (range.type === "GIT") {
        notes.push(`${record.id}: GIT range skipped (commit ranges are not versions); versions[] still applies`);
        continue;
      }
      const v = rangeVersioning(range, ecosystem);
      if (!v) {
        warnings.push(`${record.id}: ${range.type} range for ecosystem "${ecosystem}" not supported; skipped`);
        continue;
      }
      if (!v.isValid(version)) {
        if (!versionNoted) {
          warnings.push(`${record.id}: version "${version}" of ${name} is not a valid ${v.name} version; ranges not evaluated`);
          versionNoted = true;
        }
        continue;
      }
      if (inRange(range, v, version, warnings, record.id) === true) return { affected: true, warnings, notes };
    }
  }
  return { affected: false, warnings, notes };
}

/**
 * Does this record affect `version` of (ecosystem, name)? Withdrawn records never do.
 * Anything that could not be evaluated counts as "not affected" and is pushed onto `warnings`.
 */
export function isAffected(
  record: OsvVulnerability,
  ecosystem: string,
  name: string,
  version: string,
  warnings?: string[],
): boolean {
  const res = evaluateRecord(record, ecosystem, name, version);
  if (warnings) warnings.push(...res.warnings);
  return res.affected;
}

/**
 * The lowest `fixed` version at or above `version` that this record does not itself affect,
 * or null when the record names no such fix.
 */
export function lowestFixedAtOrAbove(
  record: OsvVulnerability,
  ecosystem: string,
  name: string,
  version: string,
): string | null {
  if (record.withdrawn) return null;
  const normName = normalisePackageName(ecosystem, name);
  const candidates: Array<{ fixed: string; v: Versioning }> = [];
  for (const entry of record.affected) {
    if (!packageMatches(entry, ecosystem, normName)) continue;
    for (const range of entry.ranges) {
      const v = rangeVersioning(range, ecosystem);
      if (!v || !v.isValid(version)) continue;
      for (const e of range.events) {
        if (e.fixed !== undefined && v.isValid(e.fixed) && v.compare(e.fixed, version) >= 0) {
          candidates.push({ fixed: e.fixed, v });
        }
      }
    }
  }
  candidates.sort((a, b) => a.v.compare(a.fixed, b.fixed));
  for (const c of candidates) {
    if (!isAffected(record, ecosystem, name, c.fixed)) return c.fixed;
  }
  return null;
}
