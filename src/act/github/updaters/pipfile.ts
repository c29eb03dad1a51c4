import { parse as parseToml } from "smol-toml";
import { clip, joinLines, pickLine, splitLines, where, type Line, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
import { normalizePyName, rewritePep508 } from "./pep508-rewrite.js";

const SECTIONS = new Set(["packages", "dev-packages"]);
/** `name = ...` with a bare or quoted key. */
const KEY = /^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.-]+))\s*=/;
/** `[packages]`, `[dev-packages]`, `[packages.name]` (with optional quotes on the name). */
const HEADER = /^\s*\[\s*([A-Za-z0-9_-]+)(?:\s*\.\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.-]+)))?\s*\]\s*(?:#.*)?$/;
const QUOTED = /(["'])((?:(?!\1)[^\\]|\\.)*)\1/;
const VERSION_KEY = /(\bversion\s*=\s*)(["'])((?:(?!\2)[^\\]|\\.)*)\2/;

/** For each line, the table it is in: `{ section, pkg }` (`pkg` set inside `[packages.name]`). */
function tablesOf(lines: readonly Line[]): Array<{ section: string | null; pkg: string | null }> {
  let section: string | null = null;
  let pkg: string | null = null;
  return lines.map((l) => {
    if (/^\s*\[/.test(l.text)) {
      const h = HEADER.exec(l.text);
      section = h ? h[1] : null;
      pkg = h ? (h[2] ?? h[3] ?? h[4] ?? null) : null;
      return { section, pkg: null };
    }
    return { section, pkg };
  });
}

/** Rewrite a Pipfile specifier (`==2.31.0`, `>=2,<3`, `~=1.4`) through the PEP 508 rewrite. */
function rewriteSpec(spec: string, name: string, newVersion: string): { ok: true; text: string } | { ok: false; reason: string } {
  const s = spec.trim();
  if (s === "*" || s === "") return { ok: false, reason: `${clip(name)} accepts any version ("*"); there is no version to change` };
  if (!/^(===|==|~=|!=|>=|<=|>|<)/.test(s)) return { ok: false, reason: `specifier ${clip(spec)} of ${clip(name)} does not start with a PEP 440 operator; update it by hand` };
  const r = rewritePep508(`${name}${spec}`, name, newVersion);
  if (!r.ok) return r;
  return { ok: true, text: r.text.slice(name.length) };
}

function rewriteQuoted(line: Line, re: RegExp, group: number, name: string, newVersion: string): { ok: true; line: Line } | { ok: false; reason: string } | null {
  const m = re.exec(line.text);
  if (!m || m.index === undefined) return null;
  const value = m[group];
  const r = rewriteSpec(value, name, newVersion);
  if (!r.ok) return r;
  const start = m.index + m[0].length - 1 - value.length;
  return { ok: true, line: { ...line, text: line.text.slice(0, start) + r.text + line.text.slice(start + value.length) } };
}

/**
 * Pipfile `[packages]` / `[dev-packages]`: `name = "==1.2"`, `name = { version = ">=1.2", extras = [...] }`, or a
 * `[packages.name]` table with `version = "..."`. Specifiers are rewritten like requirements.txt ones
 * (pins moved, lower bounds raised, upper bounds kept only when the new version satisfies them).
 */
export function updatePipfile(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  try {
    parseToml(content);
  } catch (e) {
    return { error: `${path}: invalid TOML (${(e as Error).message.split("\n")[0]}); not edited` };
  }
  const lines = splitLines(content);
  const tables = tablesOf(lines);
  const want = normalizePyName(dep.name);
  const idx = pickLine(path, lines, dep, (text, i) => {
    const h = HEADER.exec(text);
    if (h && SECTIONS.has(h[1])) {
      const pkg = h[2] ?? h[3] ?? h[4];
      return pkg != null && normalizePyName(pkg) === want;
    }
    const t = tables[i];
    if (t.section == null || !SECTIONS.has(t.section) || t.pkg != null) return false;
    const k = KEY.exec(text);
    const key = k ? (k[1] ?? k[2] ?? k[3]) : null;
    return key != null && normalizePyName(key) === want;
  });
  if (typeof idx !== "number") return idx;
  const at = where(path, idx + 1);
  let r: { ok: true; line: Line } | { ok: false; reason: string } | null = null;
  let edited = idx;
  if (/^\s*\[/.test(lines[idx].text)) {
    // [packages.name] table: its version = "..." line.
    for (let i = idx + 1; i < lines.length && !/^\s*\[/.test(lines[i].text); i++) {
      if (/^\s*version\s*=/.test(lines[i].text)) {
        r = rewriteQuoted(lines[i], VERSION_KEY, 3, dep.name, newVersion);
        edited = i;
        break;
      }
    }
    if (r == null) return { error: `${at}: the table of ${clip(dep.name)} has no version = "..." to change` };
  } else {
    const text = lines[idx].text;
    const afterKey = text.slice(KEY.exec(text)![0].length);
    if (/^\s*\{/.test(afterKey)) {
      if (/\b(path|git|file|ref)\s*=/.test(afterKey)) return { error: `${at}: ${clip(dep.name)} comes from a path, git or file source; there is no version to change` };
      r = rewriteQuoted(lines[idx], VERSION_KEY, 3, dep.name, newVersion);
      if (r == null) return { error: `${at}: the inline table of ${clip(dep.name)} has no version = "..." (any version); nothing to change` };
    } else {
      const keyLen = KEY.exec(text)![0].length;
      const rest: Line = { ...lines[idx], text: text.slice(keyLen) };
      const q = rewriteQuoted(rest, QUOTED, 2, dep.name, newVersion);
      if (q == null) return { error: `${at}: no version string for ${clip(dep.name)} on this line` };
      r = q.ok ? { ok: true, line: { ...lines[idx], text: text.slice(0, keyLen) + q.line.text } } : q;
    }
  }
  if (!r.ok) return { error: `${where(path, edited + 1)}: ${r.reason}` };
  lines[edited] = r.line;
  const out = joinLines(lines);
  try {
    parseToml(out);
  } catch (e) {
    return { error: `${where(path, edited + 1)}: the edit would break the TOML (${(e as Error).message.split("\n")[0]})` };
  }
  return { content: out };
}

export const pipfileUpdater: ManifestUpdater = {
  kind: "Pipfile",
  matches: (path) => /(^|\/)Pipfile$/.test(path),
  update: updatePipfile,
};
