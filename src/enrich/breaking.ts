/**
 * Breaking changes between the current and the target version, from GitHub release notes when the
 * package's source repository is on GitHub, else one line per major version crossed.
 */
import type { Versioning } from "./types.js";

/** The fields of a GitHub release note we read (the github datasource's ReleaseNote fits). */
export interface ReleaseNoteLike {
  tag: string;
  name: string | null;
  body: string | null;
}

export const MAX_LINES_PER_RELEASE = 5;
export const MAX_BREAKING_LINES = 20;
const MAX_LINE_CHARS = 200;

/** A line that announces a breaking change: BREAKING, "breaking change", ⚠, removed/drops support. */
const BREAKING_LINE = /\bBREAKING\b|breaking[ -]changes?|⚠|:warning:|\bremoved?\b|\bdrop(?:ped|s)? support\b|\bno longer supported\b/i;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;
const BREAKING_HEADING = /breaking|⚠|:warning:|removed|incompatib/i;
const BULLET = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/;

/**
 * The version a release tag names: `v1.2.3`, `1.2.3`, `release-1.2.3`, `pkg@1.2.3`, `pkg-v1.2.3`.
 * When the tag carries a package name (monorepo tags such as `@scope/pkg@1.2.3`, `pkg-v1.2.3`) and
 * `packageName` is given, other packages' tags are rejected (null).
 */
export function versionFromTag(tag: string, versioning: Versioning, packageName?: string): string | null {
  const t = tag.trim();
  if (versioning.isValid(t)) return t;
  const m = /^(.*?)[@/_-]?v?(\d+(?:\.\d+)*(?:[-.+]?[0-9A-Za-z.+-]*)?)$/.exec(t);
  if (!m) return null;
  const prefix = m[1].replace(/[@/_-]+$/, "");
  const version = m[2];
  if (!versioning.isValid(version)) return null;
  if (prefix && packageName && !/^(release|version|rel|ver|v)$/i.test(prefix)) {
    const norm = (s: string): string => s.toLowerCase().replace(/^@/, "").replace(/[-_.]+/g, "-");
    const short = packageName.split("/").pop() ?? packageName;
    if (norm(prefix) !== norm(packageName) && norm(prefix) !== norm(short)) return null;
  }
  return version;
}

function clean(line: string): string {
  const s = line.replace(/[\u0000-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim();
  return s.length > MAX_LINE_CHARS ? `${s.slice(0, MAX_LINE_CHARS - 1)}…` : s;
}

/**
 * Breaking-change lines of one release note: lines matching BREAKING_LINE, and every bullet under a
 * heading that says "breaking"/"removed"/⚠. Code blocks are skipped.
 */
export function breakingLinesOf(body: string): string[] {
  const out: string[] = [];
  let inBreakingSection = false;
  let inCode = false;
  for (const raw of body.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(raw)) {
      inCode = !inCode;
      continue;
    }
    if (inCode) continue;
    const heading = HEADING.exec(raw);
    if (heading) {
      inBreakingSection = BREAKING_HEADING.test(heading[1]);
      continue;
    }
    const bullet = BULLET.exec(raw);
    const text = clean((bullet ? bullet[1] : raw).replace(/^\*\*(.+?)\*\*:?\s*/, "$1: "));
    if (!text) continue;
    if ((inBreakingSection && bullet) || BREAKING_LINE.test(raw)) {
      if (!out.includes(text)) out.push(text);
    }
  }
  return out;
}

/**
 * Breaking changes from the release notes of every release above `current` and up to `target`,
 * prefixed with the release's tag, newest first; at most MAX_LINES_PER_RELEASE per release and
 * MAX_BREAKING_LINES in all (the last line then says how many were left out).
 */
export function breakingChangesFromNotes(
  notes: readonly ReleaseNoteLike[],
  current: string,
  target: string,
  versioning: Versioning,
  packageName?: string,
): string[] {
  if (!versioning.isValid(current) || !versioning.isValid(target)) return [];
  const inRange = notes
    .map((n) => ({ n, v: versionFromTag(n.tag, versioning, packageName) }))
    .filter((x): x is { n: ReleaseNoteLike; v: string } => x.v !== null)
    .filter((x) => versioning.compare(x.v, current) > 0 && versioning.compare(x.v, target) <= 0)
    .sort((a, b) => versioning.compare(b.v, a.v));
  const all: string[] = [];
  for (const { n } of inRange) {
    const lines = breakingLinesOf(`${n.name ?? ""}\n${n.body ?? ""}`).slice(0, MAX_LINES_PER_RELEASE);
    for (const l of lines) all.push(`${n.tag}: ${l}`);
  }
  if (all.length > MAX_BREAKING_LINES) {
    const left = all.length - (MAX_BREAKING_LINES - 1);
    return [...all.slice(0, MAX_BREAKING_LINES - 1), `…and ${left} more in the release notes`];
  }
  return all;
}

/**
 * The fallback when no release notes say anything: "major version N crossed" for each major above the
 * current one up to the target's; inside 0.x, "0.N minor version crossed (0.x minors may break)".
 */
export function majorsCrossed(current: string, target: string, versioning: Versioning): string[] {
  const a = versioning.parts(current);
  const b = versioning.parts(target);
  if (!a || !b || !versioning.isValid(current) || !versioning.isValid(target) || versioning.compare(target, current) <= 0) return [];
  const out: string[] = [];
  if (b.major > a.major) {
    // Cap: a calendar-versioned package (2019 → 2025) would otherwise list every year.
    const first = a.major + 1;
    const last = b.major;
    if (last - first >= 10) out.push(`major versions ${first} to ${last} crossed`);
    else for (let m = first; m <= last; m++) out.push(`major version ${m} crossed`);
  } else if (a.major === 0 && b.major === 0 && b.minor > a.minor) {
    const first = a.minor + 1;
    if (b.minor - first >= 10) out.push(`0.x minor versions 0.${first} to 0.${b.minor} crossed (0.x minors may break)`);
    else for (let m = first; m <= b.minor; m++) out.push(`0.${m} minor version crossed (0.x minors may break)`);
  }
  return out;
}
