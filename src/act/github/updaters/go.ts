import { clip, joinLines, pickLine, splitLines, where, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";

const VERSION = /^v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;

function majorOf(v: string): number {
  return Number(/^v?(\d+)/.exec(v)?.[1] ?? 0);
}

/** Module path, version and their offsets on a `require` line (single or inside a block). */
function requireTokens(text: string, name: string): { start: number; version: string } | null {
  const body = text.replace(/\/\/.*$/, "");
  const re = /^(\s*(?:require\s+)?)("?)(\S+?)\2(\s+)(\S+)/.exec(body);
  if (!re || re[3] !== name) return null;
  return { start: re[1].length + re[2].length * 2 + re[3].length + re[4].length, version: re[5] };
}

export function updateGoMod(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const lines = splitLines(content);
  if (dep.name === "go" || dep.name === "toolchain") {
    const re = dep.name === "go" ? /^(\s*go\s+)(\S+)/ : /^(\s*toolchain\s+go)(\S+)/;
    const idx = pickLine(path, lines, dep, (t) => re.test(t));
    if (typeof idx !== "number") return idx;
    const m = re.exec(lines[idx].text);
    if (!m) return { error: `${where(path, idx + 1)}: no ${dep.name} directive` };
    const t = lines[idx].text;
    lines[idx] = { ...lines[idx], text: m[1] + newVersion.replace(/^v|^go/, "") + t.slice(m[0].length) };
    return { content: joinLines(lines) };
  }
  const nv = newVersion.startsWith("v") ? newVersion : `v${newVersion}`;
  if (!VERSION.test(nv)) return { error: `${path}: ${clip(newVersion)} is not a Go module version (vMAJOR.MINOR.PATCH)` };
  const idx = pickLine(path, lines, dep, (t) => requireTokens(t, dep.name) != null && !/^\s*(replace|exclude|retract)\b/.test(t));
  if (typeof idx !== "number") return idx;
  const tok = requireTokens(lines[idx].text, dep.name);
  if (!tok) return { error: `${where(path, idx + 1)}: no requirement of ${clip(dep.name)}` };
  const oldMajor = majorOf(tok.version);
  const newMajor = majorOf(nv);
  if (newMajor !== oldMajor && newMajor >= 2 && !/\/v\d+$/.test(dep.name)) {
    return { error: `${where(path, idx + 1)}: ${clip(dep.name)} ${nv} is a new major version with its own module path (/v${newMajor}); imports must change, update by hand` };
  }
  if (/\/v\d+$/.test(dep.name) && newMajor !== oldMajor) {
    return { error: `${where(path, idx + 1)}: ${clip(dep.name)} ${nv} changes the module path's major suffix; update by hand` };
  }
  const t = lines[idx].text;
  lines[idx] = { ...lines[idx], text: t.slice(0, tok.start) + nv + t.slice(tok.start + tok.version.length) };
  return { content: joinLines(lines) };
}

export const goUpdater: ManifestUpdater = {
  kind: "go.mod",
  matches: (path) => /(^|\/)go\.mod$/.test(path),
  update: updateGoMod,
};
