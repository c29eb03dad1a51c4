import semver from "semver";
import { clip, escapeRegExp, joinLines, pickLine, rewriteSimpleRange, splitLines, where, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";

/** `"name": "value"` on one line; group 1 is the value (JSON strings have no raw newlines). */
function entryPattern(key: string): RegExp {
  return new RegExp(`("${escapeRegExp(JSON.stringify(key).slice(1, -1))}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`);
}

/** Rewrite a package.json range, keeping its operator; `npm:other@^1` aliases keep their alias part. */
export function rewriteNpmRange(current: string, newVersion: string): string | null {
  const alias = /^(npm:(?:@[^/@]+\/)?[^@]+@)(.*)$/.exec(current);
  if (alias) {
    const inner = rewriteSimpleRange(alias[2], newVersion);
    return inner == null ? null : alias[1] + inner;
  }
  return rewriteSimpleRange(current, newVersion) ?? rewriteBoundedRange(current, newVersion);
}

/**
 * A bounded range `>=1.2.0 <2` (Renovate's "replace" strategy, keeping the operator style): the lower bound
 * moves to the new version; the upper bound is kept when the new version is below it, otherwise it moves
 * past the new version at its own precision (`<2` → `<3`, `<1.5` → `<1.8`, `<2.0.0` → `<3.0.0`,
 * `<1.5.0` → `<1.8.0`). `<=` upper bounds that the new version exceeds, `>` lower bounds, unions (`||`),
 * hyphen ranges and anything semver does not read are refused (null): widening those is a human choice.
 */
export function rewriteBoundedRange(current: string, newVersion: string): string | null {
  const m = /^(\s*)(>=)(\s*)(v?\d+(?:\.\d+){0,2})(\s+)(<=|<)(\s*)(v?\d+(?:\.\d+){0,2})(\s*)$/.exec(current);
  const nv = semver.valid(newVersion.replace(/^[vV]/, ""));
  if (!m || !nv) return null;
  const [, lead, lowOp, gap1, low, sep, upOp, gap2, up, trail] = m;
  if (semver.prerelease(nv)) return null;
  let upper = up;
  const upV = semver.coerce(up)?.version;
  if (!upV) return null;
  if (!semver.lt(nv, upV)) {
    if (upOp === "<=" && !semver.eq(nv, upV)) return null;
    if (upOp === "<") {
      const parts = up.replace(/^v/, "").split(".").map(Number);
      const n = semver.parse(nv)!;
      const prefix = up.startsWith("v") ? "v" : "";
      if (parts.length === 1) upper = `${prefix}${n.major + 1}`;
      else if (parts.length === 2) upper = parts[1] === 0 ? `${prefix}${n.major + 1}.0` : `${prefix}${n.major}.${n.minor + 1}`;
      else if (parts[2] !== 0) return null;
      else upper = parts[1] === 0 ? `${prefix}${n.major + 1}.0.0` : `${prefix}${n.major}.${n.minor + 1}.0`;
    }
  }
  const lowPrefix = low.startsWith("v") ? "v" : "";
  const out = `${lead}${lowOp}${gap1}${lowPrefix}${nv}${sep}${upOp}${gap2}${upper}${trail}`;
  // The new range must be valid, accept the new version, and still exclude what the old upper bound excluded in spirit.
  if (!semver.validRange(out) || !semver.satisfies(nv, out)) return null;
  return out;
}

export function updatePackageJson(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (e) {
    return { error: `${path}: not valid JSON (${(e as Error).message}); not edited` };
  }
  if (parsed === null || typeof parsed !== "object") return { error: `${path}: expected a JSON object` };
  const lines = splitLines(content);
  // An alias is declared under its own key; the dependency's name may be the target package.
  const keys = [dep.name];
  const idx = pickLine(path, lines, dep, (text) => keys.some((k) => entryPattern(k).test(text)) || (/"\s*:\s*"npm:/.test(text) && text.includes(dep.name)));
  if (typeof idx !== "number") return idx;
  const text = lines[idx].text;
  const m = entryPattern(dep.name).exec(text) ?? /("[^"]+"\s*:\s*")((?:[^"\\]|\\.)*)(")/.exec(text);
  if (!m || m.index === undefined) return { error: `${where(path, idx + 1)}: no "name": "range" entry for ${clip(dep.name)}` };
  const current = m[2];
  const next = rewriteNpmRange(current, newVersion);
  if (next == null) {
    return { error: `${where(path, idx + 1)}: range ${clip(current)} of ${clip(dep.name)} is not a simple version, ^/~/>= range or >=x <y bounded range; update it by hand` };
  }
  const start = m.index + m[1].length;
  lines[idx] = { ...lines[idx], text: text.slice(0, start) + next + text.slice(start + current.length) };
  const out = joinLines(lines);
  try {
    JSON.parse(out);
  } catch (e) {
    return { error: `${where(path, idx + 1)}: the edit would break the JSON (${(e as Error).message})` };
  }
  return { content: out };
}

export const npmUpdater: ManifestUpdater = {
  kind: "package.json",
  matches: (path) => /(^|\/)package\.json$/.test(path),
  update: updatePackageJson,
};
