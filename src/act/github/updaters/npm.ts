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
  return rewriteSimpleRange(current, newVersion);
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
    return { error: `${where(path, idx + 1)}: range ${clip(current)} of ${clip(dep.name)} is not a simple version or ^/~/>= range; update it by hand` };
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
