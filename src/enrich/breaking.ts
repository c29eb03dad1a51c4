/**
 * Breaking changes between the current and the target version, from GitHub release notes (or, when those
 * say nothing about the range, the repository's CHANGELOG) when the package's source repository is on
 * GitHub, else one line per major version crossed.
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

/** A version section of a CHANGELOG: the heading's version and the text under it. */
export interface ChangelogSection {
  version: string;
  heading: string;
  body: string;
}

/** Changelog files tried, in order, at the repository root. */
export const CHANGELOG_FILES = ["CHANGELOG.md", "CHANGES.md", "HISTORY.md"] as const;
/** Larger changelogs are not read (the contents API inlines files up to 1 MB). */
export const MAX_CHANGELOG_BYTES = 1024 * 1024;

const VERSION_TOKEN = /(?:^|[\s[(@/_-])v?(\d+(?:\.\d+){1,3}(?:[-.+]?[0-9A-Za-z]+(?:[.+-][0-9A-Za-z]+)*)?)/g;

/**
 * The version a changelog heading names: `[2.0.0] - 2024-01-01`, `v2.0.0`, `2.0.0 (2024-01-01)`,
 * `pkg@2.0.0`, `Version 2.0.0`; the first token the versioning accepts. Dates (`2024-01-01`) have no
 * dots and are not taken. Null for "Unreleased" and other headings.
 */
export function versionOfHeading(heading: string, versioning: Versioning): string | null {
  const text = heading.replace(/[*_`]/g, "");
  for (const m of text.matchAll(VERSION_TOKEN)) {
    let v = m[1];
    // Trailing punctuation belongs to the sentence, not the version: "2.0.0." / "2.0.0-".
    while (v.length > 0 && /[.+-]$/.test(v)) v = v.slice(0, -1);
    if (versioning.isValid(v)) return v;
  }
  return null;
}

/**
 * Split a Markdown changelog into version sections. Headings are ATX (`## …`) or setext (`…\n---`).
 * The section level is the one most version headings use (so a title "# Changelog since 1.0" or a
 * sub-heading "### Upgrading to 2.0" does not split the file wrongly): a version heading at that level
 * opens a section, a heading above it closes the section, deeper headings ("### Breaking changes")
 * stay inside. Code blocks are not scanned for headings.
 */
export function changelogSections(text: string, versioning: Versioning): ChangelogSection[] {
  const lines = text.split(/\r?\n/);
  type Heading = { line: number; level: number; text: string; version: string | null; underline: boolean };
  const headings: Heading[] = [];
  let inCode = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (/^\s*(```|~~~)/.test(raw)) {
      inCode = !inCode;
      continue;
    }
    if (inCode) continue;
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (atx) {
      headings.push({ line: i, level: atx[1].length, text: atx[2], version: versionOfHeading(atx[2], versioning), underline: false });
    } else if (raw.trim() !== "" && /^\s{0,3}(=+|-+)\s*$/.test(lines[i + 1] ?? "") && !/^\s*([-*+]|\d+[.)])\s/.test(raw) && (i === 0 || lines[i - 1].trim() === "")) {
      const text2 = raw.trim();
      headings.push({ line: i, level: (lines[i + 1] ?? "").trim().startsWith("=") ? 1 : 2, text: text2, version: versionOfHeading(text2, versioning), underline: true });
      i++;
    }
  }
  const counts = new Map<number, number>();
  for (const h of headings) if (h.version) counts.set(h.level, (counts.get(h.level) ?? 0) + 1);
  if (counts.size === 0) return [];
  const level = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  const out: ChangelogSection[] = [];
  let open: { h: Heading; from: number } | null = null;
  const close = (to: number): void => {
    if (open) out.push({ version: open.h.version as string, heading: open.h.text, body: lines.slice(open.from, to).join("\n") });
    open = null;
  };
  for (const h of headings) {
    if (h.level > level) continue;
    close(h.line);
    if (h.level === level && h.version) open = { h, from: h.line + (h.underline ? 2 : 1) };
  }
  close(lines.length);
  return out;
}

/**
 * Breaking changes from a CHANGELOG's sections above `current` and up to `target`, newest first,
 * each prefixed with the version ("2.0.0: drop Node 16"); same caps as the release notes.
 */
export function breakingChangesFromChangelog(text: string, current: string, target: string, versioning: Versioning): string[] {
  if (!versioning.isValid(current) || !versioning.isValid(target)) return [];
  const notes: ReleaseNoteLike[] = changelogSections(text, versioning).map((s) => ({ tag: s.version, name: null, body: s.body }));
  return breakingChangesFromNotes(notes, current, target, versioning).map((l) => l.replace(/…and (\d+) more in the release notes$/, "…and $1 more in the changelog"));
}

/**
 * Whether the release notes say anything about the range: some release above `current` and up to
 * `target` has a non-empty body. When none does, the CHANGELOG is worth reading.
 */
export function notesCoverRange(notes: readonly ReleaseNoteLike[] | null, current: string, target: string, versioning: Versioning, packageName?: string): boolean {
  if (!notes || !versioning.isValid(current) || !versioning.isValid(target)) return false;
  return notes.some((n) => {
    const v = versionFromTag(n.tag, versioning, packageName);
    return v !== null && versioning.compare(v, current) > 0 && versioning.compare(v, target) <= 0 && (n.body ?? "").trim() !== "";
  });
}

/** The slice of Octokit the changelog reader needs (src/enrich/datasources/github.ts OctokitLike fits). */
export interface ChangelogOctokit {
  request(route: string, params?: Record<string, unknown>): Promise<{ data: unknown; status?: number }>;
}

export interface ChangelogFile {
  path: string;
  text: string;
}

/**
 * The repository's root changelog through the contents API (`GET /repos/{owner}/{repo}/contents/{path}`),
 * trying CHANGELOG_FILES in order: null when none exists (404s) or it is too large; throws on other
 * errors (the caller turns them into a warning naming the request).
 */
export async function fetchChangelog(octokit: ChangelogOctokit, owner: string, repo: string): Promise<ChangelogFile | null> {
  for (const file of CHANGELOG_FILES) {
    let data: unknown;
    try {
      data = (await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path: file })).data;
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (status === 404) continue;
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`GET /repos/${owner}/${repo}/contents/${file}: ${typeof status === "number" ? `HTTP ${status} ` : ""}${msg}`.slice(0, 500));
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) continue; // a directory named CHANGELOG.md
    const d = data as { type?: unknown; size?: unknown; encoding?: unknown; content?: unknown };
    if (d.type !== undefined && d.type !== "file") continue;
    if (typeof d.size === "number" && d.size > MAX_CHANGELOG_BYTES) return null;
    if (d.encoding !== "base64" || typeof d.content !== "string") return null;
    const buf = Buffer.from(d.content, "base64");
    if (buf.length > MAX_CHANGELOG_BYTES) return null;
    return { path: file, text: buf.toString("utf8") };
  }
  return null;
}
