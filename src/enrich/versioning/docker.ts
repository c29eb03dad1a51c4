import type { Versioning } from "../types.js";

/**
 * Docker tags: a numeric prefix and a variant suffix. `3.11-slim` → [3, 11] + "-slim";
 * `1.25.3-alpine3.19` → [1, 25, 3] + "-alpine3.19"; `22.04` → [22, 4] + "". A tag is only
 * compared with tags of the same suffix and the same number of numeric parts, so `3.11-slim` moves
 * to `3.12-slim`, never to `3.12` or `3.12-alpine`. `latest` and other non-numeric tags are not
 * valid versions. A leading "v" is kept as part of the variant (v1.2 and 1.2 are different series).
 */
export interface DockerTag {
  prefix: string;
  numbers: number[];
  suffix: string;
}

const TAG = /^(v?)(\d{1,9}(?:\.\d{1,9}){0,4})(.*)$/;
const PRERELEASE = /(^|[-._])(alpha|beta|rc|pre|preview|dev|nightly|snapshot|canary|edge|insiders)\d*([-._]|$)|^[ab]\d/i;

export function parseDockerTag(tag: string): DockerTag | null {
  if (typeof tag !== "string" || tag.length > 128) return null;
  const m = TAG.exec(tag.trim());
  if (!m) return null;
  const suffix = m[3];
  // "1.2.3" followed directly by a digit-less letter run is still a suffix ("3.13.0rc1"); but a
  // suffix must not continue the number ("1.2." or "1.2.x").
  if (/^\.\d/.test(suffix) || suffix.startsWith(".")) return null;
  return { prefix: m[1], numbers: m[2].split(".").map(Number), suffix };
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const dockerVersioning: Versioning = {
  name: "docker",
  isValid: (v) => parseDockerTag(v) !== null,
  isStable(v) {
    const t = parseDockerTag(v);
    return t !== null && !PRERELEASE.test(t.suffix);
  },
  compare(a, b) {
    const ta = parseDockerTag(a);
    const tb = parseDockerTag(b);
    if (!ta || !tb) return ta ? 1 : tb ? -1 : a < b ? -1 : a > b ? 1 : 0;
    const n = compareNumbers(ta.numbers, tb.numbers);
    if (n !== 0) return n;
    // Same numbers: more specific first-class parts (3.11.1 vs 3.11) already differ above; order by suffix.
    if (ta.numbers.length !== tb.numbers.length) return ta.numbers.length - tb.numbers.length;
    return ta.suffix < tb.suffix ? -1 : ta.suffix > tb.suffix ? 1 : 0;
  },
  isCompatible(version, current) {
    const v = parseDockerTag(version);
    const c = parseDockerTag(current);
    return !!v && !!c && v.prefix === c.prefix && v.suffix === c.suffix && v.numbers.length === c.numbers.length;
  },
  /** A tag "matches" a tag constraint when it is in the same series: `3.11-slim` admits `3.11.4-slim`. */
  matches(version, constraint) {
    const v = parseDockerTag(version);
    const c = parseDockerTag(constraint);
    if (!v || !c) return version === constraint;
    if (v.prefix !== c.prefix || v.suffix !== c.suffix || v.numbers.length < c.numbers.length) return false;
    return c.numbers.every((n, i) => v.numbers[i] === n);
  },
  minSatisfying(constraint) {
    return parseDockerTag(constraint) ? constraint : null;
  },
  parts(v) {
    const t = parseDockerTag(v);
    if (!t) return null;
    return { major: t.numbers[0], minor: t.numbers[1] ?? 0, patch: t.numbers[2] ?? 0 };
  },
};
