/**
 * Update assessment of one dependency: which release is "latest", how big the jump is, how risky,
 * whether it is safe to apply automatically, and when to look again. Pure functions; time is passed in.
 */
import type { DatasourceName } from "../scan/types.js";
import type { UpdateRisk, UpdateType } from "../model/index.js";
import type { Release, ReleaseResult, Versioning } from "./types.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A jump across more releases than this raises the update risk one level. */
export const MANY_RELEASES = 10;
/** A minor update across at least this many minor versions is medium risk rather than low. */
export const MANY_MINORS = 3;
/** Days to the next review: vulnerable or a major version behind → soon; otherwise monthly. */
export const REVIEW_SOON_DAYS = 7;
export const REVIEW_LATER_DAYS = 30;

/**
 * The release to propose: the latest stable, valid, not yanked, not deprecated release under the
 * ecosystem's versioning. npm's `dist-tags.latest` wins when it names a stable release (publishers use
 * it to hold back a release line). Docker keeps the tag variant (`3.11-slim` → `*-slim` tags) through
 * `Versioning.isCompatible`. When the current version is itself a pre-release, pre-releases above it
 * are candidates too.
 */
export function pickLatest(
  result: ReleaseResult,
  current: string | null,
  versioning: Versioning,
  datasource: DatasourceName,
): Release | null {
  const currentValid = current !== null && versioning.isValid(current);
  const allowUnstable = currentValid && !versioning.isStable(current);
  const candidates = result.releases.filter((r) => {
    if (!versioning.isValid(r.version) || r.yanked) return false;
    if (!versioning.isStable(r.version) && !(allowUnstable && versioning.compare(r.version, current) > 0)) return false;
    if (currentValid && versioning.isCompatible && !versioning.isCompatible(r.version, current)) return false;
    return true;
  });
  if (candidates.length === 0) return null;

  if (datasource === "npm" && result.tag_latest) {
    const tagged = candidates.find((r) => r.version === result.tag_latest);
    // A pre-release current version ahead of the tag keeps following its own line.
    if (tagged && versioning.isStable(tagged.version) && !(allowUnstable && versioning.compare(current, tagged.version) > 0)) {
      return tagged;
    }
  }
  const notDeprecated = candidates.filter((r) => !r.deprecated);
  const pool = notDeprecated.length > 0 ? notDeprecated : candidates;
  return pool.reduce((best, r) => (versioning.compare(r.version, best.version) > 0 ? r : best));
}

/** The release entry of a version, matched exactly, else by versioning equality (`v1.2.3` = `1.2.3`). */
export function findRelease(releases: readonly Release[], version: string | null, versioning: Versioning): Release | null {
  if (version === null) return null;
  const exact = releases.find((r) => r.version === version);
  if (exact) return exact;
  if (!versioning.isValid(version)) return null;
  return releases.find((r) => versioning.isValid(r.version) && versioning.compare(r.version, version) === 0) ?? null;
}

/** major / minor / patch from the version parts; none when the target is not newer; unknown when parts are not derivable. */
export function classifyUpdate(current: string | null, target: string | null, versioning: Versioning): UpdateType {
  if (current === null || target === null) return "unknown";
  if (!versioning.isValid(current) || !versioning.isValid(target)) return "unknown";
  if (versioning.compare(target, current) <= 0) return "none";
  const a = versioning.parts(current);
  const b = versioning.parts(target);
  if (!a || !b) return "unknown";
  if (b.major !== a.major) return "major";
  if (b.minor !== a.minor) return "minor";
  return "patch";
}

/** A minor update inside 0.x: semver treats it as breaking. */
export function isZeroMinor(current: string | null, target: string | null, versioning: Versioning): boolean {
  if (current === null || target === null) return false;
  const a = versioning.parts(current);
  const b = versioning.parts(target);
  return a !== null && b !== null && a.major === 0 && b.major === 0 && b.minor !== a.minor;
}

/** Releases strictly above current and at or below target (valid versions only). */
export function releasesBetween(releases: readonly Release[], current: string | null, target: string | null, versioning: Versioning): Release[] {
  if (current === null || target === null || !versioning.isValid(current) || !versioning.isValid(target)) return [];
  return releases.filter(
    (r) => versioning.isValid(r.version) && versioning.compare(r.version, current) > 0 && versioning.compare(r.version, target) <= 0,
  );
}

export function daysBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.max(0, Math.floor((b - a) / DAY_MS));
}

export interface UpdateRiskInput {
  updateType: UpdateType;
  current: string | null;
  target: string | null;
  versioning: Versioning;
  /** Release date of the target, to compare with the minimum release age. */
  targetReleaseDate: string | null;
  /** Number of releases between current (exclusive) and target (inclusive). */
  releasesCrossed: number;
  targetDeprecated: boolean;
  minimumReleaseAgeDays: number;
  now: Date;
}

export interface UpdateRiskResult {
  risk: UpdateRisk;
  /** One sentence per rule that applied, for reports. */
  factors: string[];
  /** The target is younger than updates.minimum_release_age_days (or its date is unknown). */
  tooYoung: boolean;
}

const LEVELS: UpdateRisk[] = ["none", "low", "medium", "high"];

function raise(r: UpdateRisk): UpdateRisk {
  return LEVELS[Math.min(LEVELS.length - 1, LEVELS.indexOf(r) + 1)];
}

/**
 * Base level from the update type: patch low; minor low (medium across ≥ MANY_MINORS minor versions);
 * major, or a minor inside 0.x, high; unknown (versions not comparable) medium; none none.
 * Raised one level each (capped at high) by: a target younger than the minimum release age, a jump
 * across more than MANY_RELEASES releases, a deprecated target.
 */
export function assessUpdateRisk(input: UpdateRiskInput): UpdateRiskResult {
  const { updateType, current, target, versioning } = input;
  const factors: string[] = [];
  if (updateType === "none") return { risk: "none", factors: ["already on the latest version"], tooYoung: false };
  let risk: UpdateRisk;
  switch (updateType) {
    case "patch":
    case "digest":
      risk = "low";
      factors.push(`${updateType} update`);
      break;
    case "minor": {
      if (isZeroMinor(current, target, versioning)) {
        risk = "high";
        factors.push("minor update inside 0.x, which semver allows to break");
      } else {
        const a = versioning.parts(current ?? "");
        const b = versioning.parts(target ?? "");
        const span = a && b ? b.minor - a.minor : 0;
        risk = span >= MANY_MINORS ? "medium" : "low";
        factors.push(span >= MANY_MINORS ? `minor update across ${span} minor versions` : "minor update");
      }
      break;
    }
    case "major":
      risk = "high";
      factors.push("major update");
      break;
    default:
      risk = "medium";
      factors.push("update size unknown (versions not comparable)");
  }
  let tooYoung = false;
  const released = input.targetReleaseDate ? Date.parse(input.targetReleaseDate) : Number.NaN;
  if (input.minimumReleaseAgeDays > 0) {
    if (Number.isNaN(released)) {
      // No date (docker tags, git tags): we cannot prove the release has aged; not a risk factor, but not auto-safe.
      tooYoung = true;
    } else {
      const ageDays = (input.now.getTime() - released) / DAY_MS;
      if (ageDays < input.minimumReleaseAgeDays) {
        tooYoung = true;
        risk = raise(risk);
        factors.push(`released ${Math.max(0, Math.floor(ageDays))} days ago, under the ${input.minimumReleaseAgeDays}-day minimum release age`);
      }
    }
  }
  if (input.releasesCrossed > MANY_RELEASES) {
    risk = raise(risk);
    factors.push(`jumps across ${input.releasesCrossed} releases (more than ${MANY_RELEASES})`);
  }
  if (input.targetDeprecated) {
    risk = raise(risk);
    factors.push("the target release is deprecated");
  }
  return { risk, factors, tooYoung };
}

export interface AutoUpdateInput {
  updateType: UpdateType;
  zeroMinor: boolean;
  breakingChanges: readonly string[];
  deprecated: boolean;
  tooYoung: boolean;
  incompatible: boolean;
}

/**
 * Safe to merge without a human: a patch or minor update (not a 0.x minor), no breaking change known,
 * neither the package nor the target deprecated, the target older than the minimum release age, and
 * no incompatibility with the component's declared runtime.
 */
export function isAutoUpdateSafe(input: AutoUpdateInput): boolean {
  return (
    (input.updateType === "patch" || input.updateType === "minor") &&
    !input.zeroMinor &&
    input.breakingChanges.length === 0 &&
    !input.deprecated &&
    !input.tooYoung &&
    !input.incompatible
  );
}

/** now + 7 days when vulnerable or a major version behind, + 30 days otherwise. */
export function nextReviewDate(now: Date, vulnerable: boolean, updateType: UpdateType): string {
  const days = vulnerable || updateType === "major" ? REVIEW_SOON_DAYS : REVIEW_LATER_DAYS;
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}
