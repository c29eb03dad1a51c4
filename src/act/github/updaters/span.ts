/**
 * The generic update (DESIGN.md "Updates: replace what the scan located"): the scan recorded where a
 * version is written (line, columns, exact text); the update replaces that span and extracts the new
 * file again with the same scan manager, to verify the dependency now reads the new value on the same
 * line. Used for every kind whose extraction records a span: pnpm catalog entries and overrides,
 * package.json overrides/resolutions, go `replace` and go/toolchain lines, runtime versions
 * (requires-python, engines.node, .nvmrc, .python-version, rust-toolchain.toml), Dockerfile syntax.
 */
import semver from "semver";
import { ValueSpan } from "../../../model/index.js";
import { ALL_MANAGERS } from "../../../scan/managers/index.js";
import type { ExtractContext, Manager } from "../../../scan/types.js";
import { clip, joinLines, splitLines, stripV, where, type UpdateResult, type UpdateTarget } from "./common.js";
import { rewriteBoundedRange } from "./npm.js";

/**
 * The new text for a version span. Keeps the operator and the precision the author chose:
 * `^3.8` → `^3.9`, `3.14` → `3.15`, `24.14.0` → `24.15.0`, `v0.3.1-0.2026…` → `v0.3.2`,
 * `>=20.18` → `>=22.1`, `>=1.2.0 <2` → `>=2.1.0 <3`, `>=3.14,<4.0` → `>=3.15,<4.0`. Anything else
 * (unions, wildcards, `!=` lists) is refused (null): widening those is the author's choice.
 */
export function rewriteVersionText(current: string, newVersion: string): string | null {
  const target = stripV(newVersion.trim());
  if (!/^\d+(\.\d+)*([-+][0-9A-Za-z.+-]*)?$/.test(target)) return null;
  const simple = /^(\s*)(\^|~>|~=|~|>=|==|===|=)?(\s*)([vV]?)(\d+(?:\.\d+){0,3})([-+][0-9A-Za-z.+-]*)?(\s*)$/.exec(current);
  if (simple) {
    const [, lead, op = "", gap, v, num, suffix, trail] = simple;
    return `${lead}${op}${gap}${v}${keepParts(num, suffix, target)}${trail}`;
  }
  // PEP 440 "lower,<upper": the lower bound moves; the upper bound must still admit the new version.
  const pep = /^(\s*>=\s*)(\d+(?:\.\d+)*)(\s*,\s*<\s*)(\d+(?:\.\d+)*)(\s*)$/.exec(current);
  if (pep) {
    const [, lowOp, low, sep, up, trail] = pep;
    const next = keepParts(low, undefined, target);
    if (compareNumeric(target, up) >= 0) return null;
    return `${lowOp}${next}${sep}${up}${trail}`;
  }
  if (semver.validRange(current)) return rewriteBoundedRange(current, newVersion);
  return null;
}

/** `num` at its own precision when it has fewer than three parts and no suffix, else the full target. */
function keepParts(num: string, suffix: string | undefined, target: string): string {
  const n = num.split(".").length;
  if (suffix === undefined && n < 3 && /^\d+(\.\d+)*$/.test(target)) return target.split(".").slice(0, n).join(".");
  return target;
}

function compareNumeric(a: string, b: string): number {
  const pa = a.split(/[^\d]+/).filter(Boolean).map(Number);
  const pb = b.split(/[^\d]+/).filter(Boolean).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The scan managers that extract this path (the verification re-runs them). */
function managersFor(path: string): Manager[] {
  return ALL_MANAGERS.filter((m) => {
    try {
      return m.matches(path);
    } catch {
      return false;
    }
  });
}

/**
 * Replace the recorded span with the new version and verify by extracting again. Never throws.
 * The span is checked against the file first: a file edited since the scan is refused, not guessed at.
 */
export function updateBySpan(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const parsed = ValueSpan.safeParse(dep.value_span);
  if (!parsed.success) return { error: `${where(path, dep.line)}: the recorded position of ${clip(dep.name)} is not valid` };
  const span = parsed.data;
  const lines = splitLines(content);
  const at = where(path, span.line);
  if (span.line > lines.length) return { error: `${at}: the file has only ${lines.length} lines; ${clip(dep.name)} was not updated` };
  const text = lines[span.line - 1].text;
  const found = text.slice(span.start_column, span.end_column);
  if (span.end_column > text.length || found !== span.text) {
    return { error: `${at}: expected ${clip(span.text)} at column ${span.start_column + 1}, found ${clip(found)}: the file changed since the scan; ${clip(dep.name)} was not updated` };
  }
  const next = rewriteVersionText(span.text, newVersion);
  if (next === null) {
    return { error: `${at}: ${clip(span.text)} of ${clip(dep.name)} is not a simple version or range; update it to ${clip(newVersion)} by hand` };
  }
  lines[span.line - 1] = { ...lines[span.line - 1], text: text.slice(0, span.start_column) + next + text.slice(span.end_column) };
  const out = joinLines(lines);
  const check = verify(path, out, dep.name, span.line, next);
  if (check !== null) return { error: `${at}: the edit of ${clip(dep.name)} to ${clip(next)} was not read back (${check}); not changed` };
  return { content: out };
}

/** null when a manager extracts `name` on `line` with the new value; else why not. */
function verify(path: string, content: string, name: string, line: number, expected: string): string | null {
  const managers = managersFor(path);
  if (managers.length === 0) return "no scan manager reads this file";
  const ctx: ExtractContext = { allFiles: [path], readFile: (p) => (p === path ? content : undefined) };
  for (const m of managers) {
    const r = m.extract(path, content, ctx);
    const hit = r.deps.find((d) => d.name === name && d.line === line);
    if (!hit) continue;
    const value = hit.value_span?.text ?? hit.current_value;
    if (value === expected) return null;
    return `it reads ${clip(value)}`;
  }
  return "the dependency is no longer found on that line";
}
