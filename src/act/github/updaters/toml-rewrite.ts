import { parse as parseToml } from "smol-toml";
import { joinLines, pickLine, rewriteSimpleRange, splitLines, where, type Line, type UpdateResult, type UpdateTarget } from "./common.js";

const VERSION_KEY = /(\bversion\s*=\s*)(["'])((?:(?!\2)[^\\]|\\.)*)\2/;
const KEY_STRING = /^(\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*)(["'])((?:(?!\2)[^\\]|\\.)*)\2/;

function rewriteAt(lines: Line[], i: number, re: RegExp, newVersion: string): { ok: true } | { ok: false; reason: string } | null {
  const t = lines[i].text;
  const m = re.exec(t);
  if (!m || m.index === undefined) return null;
  const next = rewriteSimpleRange(m[3], newVersion);
  if (next == null) return { ok: false, reason: `requirement "${m[3]}" is not a simple version or ^/~/>=/= range; update it by hand` };
  const start = m.index + m[1].length + 1;
  lines[i] = { ...lines[i], text: t.slice(0, start) + next + t.slice(start + m[3].length) };
  return { ok: true };
}

/**
 * Rewrite the version of a TOML dependency declared at line `idx` (Cargo and Poetry share the shapes):
 * `name = "1.2"`, `name = { version = "1.2", ... }` (also spread over several lines), or a
 * `[dependencies.name]` table whose `version = "1.2"` follows. Mutates `lines`; one line changes.
 * Line-by-line only: the caller parses the whole document with smol-toml before and after.
 */
export function rewriteTomlDependency(lines: Line[], idx: number, newVersion: string, flavor: "cargo" | "poetry"): { ok: true } | { ok: false; reason: string } {
  const text = lines[idx].text;
  if (/^\s*\[/.test(text)) {
    for (let i = idx + 1; i < lines.length && !/^\s*\[/.test(lines[i].text); i++) {
      if (/^\s*version\s*=/.test(lines[i].text)) {
        const r = rewriteAt(lines, i, VERSION_KEY, newVersion);
        if (r) return r;
      }
    }
    return { ok: false, reason: `the [${text.trim().slice(1, -1)}] table has no version = "..." to change` };
  }
  const inline = rewriteAt(lines, idx, VERSION_KEY, newVersion);
  if (inline) return inline;
  if (/=\s*\{/.test(text)) {
    if (/\b(workspace|path|git|url)\s*=/.test(text)) return { ok: false, reason: `a ${flavor} dependency declared by workspace/path/git/url has no version here` };
    // Multi-line inline table (TOML 1.1 / Poetry style): look ahead to the closing brace.
    for (let i = idx + 1; i < lines.length && i < idx + 50; i++) {
      const r = rewriteAt(lines, i, VERSION_KEY, newVersion);
      if (r) return r;
      if (lines[i].text.includes("}")) break;
    }
    return { ok: false, reason: "the inline table has no version = \"...\"" };
  }
  const simple = rewriteAt(lines, idx, KEY_STRING, newVersion);
  if (simple) return simple;
  return { ok: false, reason: "no version string on this line" };
}

const firstLine = (e: unknown): string => (e as Error).message.split("\n")[0];

/**
 * Edit one dependency line of a TOML manifest (Cargo.toml, pyproject.toml): refuse a file that does
 * not parse, pick the line `declares` accepts, let `edit` rewrite it, and refuse an edit whose result
 * does not parse. Errors name the file (and line).
 */
export function editTomlManifest(
  path: string,
  content: string,
  dep: UpdateTarget,
  declares: (text: string) => boolean,
  edit: (lines: Line[], idx: number) => { ok: true } | { ok: false; reason: string },
): UpdateResult {
  try {
    parseToml(content);
  } catch (e) {
    return { error: `${path}: invalid TOML (${firstLine(e)}); not edited` };
  }
  const lines = splitLines(content);
  const idx = pickLine(path, lines, dep, declares);
  if (typeof idx !== "number") return idx;
  const r = edit(lines, idx);
  if (!r.ok) return { error: `${where(path, idx + 1)}: ${r.reason}` };
  const out = joinLines(lines);
  try {
    parseToml(out);
  } catch (e) {
    return { error: `${where(path, idx + 1)}: the edit would break the TOML (${firstLine(e)})` };
  }
  return { content: out };
}
