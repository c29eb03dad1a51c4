import type { Dependency } from "../../../model/index.js";

/** What an updater needs to know about the dependency it rewrites. */
export type UpdateTarget = Pick<Dependency, "name" | "current_value" | "version" | "line" | "package_manager"> &
  Partial<Pick<Dependency, "file" | "value_span">>;

/**
 * Extra facts for one update. `newDigest`: the digest (`sha256:...`) or commit SHA that the new version
 * resolves to. Needed when the declaration is pinned by digest/SHA and the update moves the tag: without it
 * the pin would go stale, so the updater refuses.
 */
export interface UpdateOptions {
  newDigest?: string | null;
}

export type UpdateResult = { content: string } | { error: string };

/** One manifest kind. Pure: text in, text out; never throws. */
export interface ManifestUpdater {
  readonly kind: string;
  matches(path: string): boolean;
  update(path: string, content: string, dep: UpdateTarget, newVersion: string, opts?: UpdateOptions): UpdateResult;
}

export interface Line {
  text: string;
  /** The line ending that followed this line ("" for the last line without one). */
  eol: string;
}

/** Split text into lines, keeping each line's own ending so a rewrite preserves CRLF/LF as found. */
export function splitLines(content: string): Line[] {
  const out: Line[] = [];
  const re = /\r\n|\n|\r/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(content)) !== null) {
    out.push({ text: content.slice(last, m.index), eol: m[0] });
    last = m.index + m[0].length;
  }
  out.push({ text: content.slice(last), eol: "" });
  return out;
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join("");
}

/** Short, single-line, quoted rendering of untrusted text for error messages. */
export function clip(value: string, max = 80): string {
  const one = value.replace(/[\u0000-\u001f\u007f]/g, " ");
  return JSON.stringify(one.length > max ? `${one.slice(0, max - 1)}…` : one);
}

export function where(path: string, line: number | null): string {
  return line == null ? path : `${path}:${line}`;
}

export function notFound(path: string, dep: UpdateTarget, detail = ""): { error: string } {
  return { error: `${where(path, dep.line)}: declaration of ${clip(dep.name)} not found${detail ? ` (${detail})` : ""}` };
}

/**
 * Choose the line(s) to edit: the dependency's own line when the scan recorded one (checked with
 * `accept`), else every line `accept` takes, which must then be exactly one.
 * Returns a 0-based index or an error naming the file.
 */
export function pickLine(
  path: string,
  lines: readonly Line[],
  dep: UpdateTarget,
  accept: (text: string, index: number) => boolean,
): number | { error: string } {
  if (dep.line != null) {
    const i = dep.line - 1;
    if (i >= 0 && i < lines.length && accept(lines[i].text, i)) return i;
    return notFound(path, dep, `line ${dep.line} does not declare it`);
  }
  const hits: number[] = [];
  lines.forEach((l, i) => {
    if (accept(l.text, i)) hits.push(i);
  });
  if (hits.length === 1) return hits[0];
  if (hits.length === 0) return notFound(path, dep);
  return { error: `${path}: ${clip(dep.name)} is declared ${hits.length} times (lines ${hits.map((h) => h + 1).join(", ")}); the scan gave no line to choose one` };
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** "v1.2.3" → "1.2.3". */
export function stripV(v: string): string {
  return v.replace(/^[vV](?=\d)/, "");
}

/**
 * Rewrite a simple range keeping its operator: `^1.2.3` → `^1.4.0`, `~1.2` → `~1.4.0`, `>=1` → `>=1.4.0`,
 * `1.2.3` → `1.4.0`, `=1.2.3` → `=1.4.0`, `v1.2.3` → `v1.4.0`. Anything else (unions, hyphen and x-ranges,
 * upper bounds) is refused: guessing there would change what the project accepts.
 */
export function rewriteSimpleRange(current: string, newVersion: string): string | null {
  const m = /^(\s*)(\^|~>|~|>=|==|=|v)?(\s*)(\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z.+-]*)?)(\s*)$/.exec(current);
  if (!m) return null;
  const [, lead, op = "", gap, , trail] = m;
  return `${lead}${op}${gap}${stripV(newVersion)}${trail}`;
}

/** Keep the precision of a short version: current `v4` + new `v5.1.0` → `v5`; `3.11` + `3.12.1` → `3.12`. */
export function keepPrecision(current: string, newVersion: string): string {
  const cur = stripV(current);
  const nv = stripV(newVersion);
  if (!/^\d+(\.\d+)*$/.test(cur) || !/^\d+(\.\d+)*$/.test(nv)) return newVersion;
  const n = cur.split(".").length;
  const parts = nv.split(".");
  const kept = parts.slice(0, Math.max(n, 1)).join(".");
  const vPrefix = /^[vV]/.test(current) ? current[0] : "";
  return vPrefix + kept;
}

/** Replace the `index`-th occurrence span [start, end) in a string. */
export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}
