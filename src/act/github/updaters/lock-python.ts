/**
 * In-place edits of poetry.lock and uv.lock entries from the PyPI JSON API (`/pypi/NAME/VERSION/json`:
 * `urls[].digests.sha256`, `requires_dist`). The `[[package]]` block's version and file hashes move
 * (poetry: `files = [...]`, or the old `[metadata.files]` table; uv: `sdist` and `wheels`, and
 * `{ name = ..., version = ... }` references when several versions are locked). The new version must
 * require the same packages (names; PEP 508 markers for extras left out) or the lockfile needs a
 * relock. Pure, never throws.
 */
import type { ArtefactFacts, PypiFile } from "../../../enrich/datasources/requirements.js";
import { clip } from "./common.js";
import type { LockEditResult } from "./lock-yarn.js";

function pyName(n: string): string {
  return n.toLowerCase().replace(/[-_.]+/g, "-");
}

function relock(path: string, why: string, command: string): { error: string } {
  return { error: `${path}: ${why}; a relock is needed (${command}), the lockfile is not edited in place` };
}

interface PackageBlock {
  start: number;
  end: number;
}

/** `[[package]]` blocks: from the header to the next `[[package]]` or a top-level table that is not `[package.*]`. */
function packageBlocks(lines: readonly string[]): PackageBlock[] {
  const out: PackageBlock[] = [];
  let cur: PackageBlock | null = null;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === "[[package]]") {
      if (cur) out.push({ ...cur, end: i });
      cur = { start: i, end: lines.length };
    } else if (cur && /^\[/.test(t) && !/^\[\[?package\./.test(t)) {
      out.push({ ...cur, end: i });
      cur = null;
    }
  }
  if (cur) out.push(cur);
  return out;
}

function field(lines: readonly string[], b: PackageBlock, key: string): { index: number; value: string } | null {
  const re = new RegExp(`^${key} = "(.*)"\\s*$`);
  for (let i = b.start + 1; i < b.end; i++) {
    if (/^\[/.test(lines[i].trim())) break; // sub-tables come after the block's own keys
    const m = re.exec(lines[i].trim());
    if (m) return { index: i, value: m[1] };
  }
  return null;
}

/** The index range [start, end) of a multi-line `key = [` … `]` array, or a single line. */
function arrayAt(lines: readonly string[], from: number, to: number, key: string): { start: number; end: number } | null {
  for (let i = from; i < to; i++) {
    if (!lines[i].startsWith(`${key} = [`)) continue;
    if (lines[i].trimEnd().endsWith("]")) return { start: i, end: i + 1 };
    for (let j = i + 1; j < to; j++) if (lines[j].trim() === "]") return { start: i, end: j + 1 };
    return null;
  }
  return null;
}

function findBlock(lines: readonly string[], name: string, from: string): PackageBlock | null {
  for (const b of packageBlocks(lines)) {
    const n = field(lines, b, "name");
    const v = field(lines, b, "version");
    if (n && v && pyName(n.value) === pyName(name) && v.value === from) return b;
  }
  return null;
}

function checkRequirements(name: string, to: string, recorded: Set<string>, facts: ArtefactFacts): string | null {
  if (!facts.dependencies) return null;
  for (const dep of facts.dependencies.keys()) if (!recorded.has(pyName(dep))) return `${name} ${to} requires ${dep}, which its entry does not list`;
  for (const dep of recorded) if (!facts.dependencies.has(dep)) return `${name} ${to} no longer requires ${dep}`;
  return null;
}

const q = (s: string): string => JSON.stringify(s);

export function updatePoetryLockEntry(path: string, content: string, name: string, from: string, facts: ArtefactFacts): LockEditResult {
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  let lines = content.split(/\r?\n/);
  const to = facts.version;
  const cmd = `poetry update ${name}`;
  const b = findBlock(lines, name, from);
  if (!b) return { error: `${path}: no [[package]] ${clip(name)} ${clip(from)}; lockfile not edited` };
  if (!facts.files || facts.files.length === 0) return { error: `${path}: PyPI gave no files for ${clip(name)} ${to}; lockfile not edited` };
  if (findBlock(lines, name, to)) return relock(path, `${name} ${to} is already locked`, cmd);
  // [package.dependencies]: required names (optional ones serve extras).
  const recorded = new Set<string>();
  let inDeps = false;
  for (let i = b.start + 1; i < b.end; i++) {
    const t = lines[i].trim();
    if (t.startsWith("[")) {
      inDeps = t === "[package.dependencies]";
      continue;
    }
    const m = inDeps ? /^("?)([A-Za-z0-9._-]+)\1\s*=\s*(.*)$/.exec(t) : null;
    if (m && !/optional\s*=\s*true/.test(m[3])) recorded.add(pyName(m[2]));
  }
  const why = checkRequirements(name, to, recorded, facts);
  if (why) return relock(path, why, cmd);
  const fileLines = (indent: string): string[] => facts.files!.map((f) => `${indent}{file = ${q(f.filename)}, hash = ${q(`sha256:${f.sha256}`)}},`);
  const ver = field(lines, b, "version")!;
  lines[ver.index] = `version = ${q(to)}`;
  const files = arrayAt(lines, b.start + 1, b.end, "files");
  if (files) {
    lines = [...lines.slice(0, files.start), "files = [", ...fileLines("    "), "]", ...lines.slice(files.end)];
  } else {
    // Poetry before 1.2: a [metadata.files] table keyed by package name.
    const meta = lines.findIndex((l) => l.trim() === "[metadata.files]");
    if (meta < 0) return { error: `${path}: the entry of ${clip(name)} has no file hashes to replace; lockfile not edited` };
    let end = lines.length;
    for (let i = meta + 1; i < lines.length; i++) if (/^\[/.test(lines[i].trim())) { end = i; break; }
    let arr: { start: number; end: number } | null = null;
    for (let i = meta + 1; i < end && !arr; i++) {
      const m = /^("?)([A-Za-z0-9._-]+)\1 = \[/.exec(lines[i]);
      if (m && pyName(m[2]) === pyName(name)) arr = arrayAt(lines, i, end, lines[i].slice(0, lines[i].indexOf(" = [")));
    }
    if (!arr) return { error: `${path}: [metadata.files] has no hashes for ${clip(name)}; lockfile not edited` };
    const key = lines[arr.start].slice(0, lines[arr.start].indexOf(" = ["));
    lines = [...lines.slice(0, arr.start), `${key} = [`, ...fileLines("    "), "]", ...lines.slice(arr.end)];
  }
  return { content: lines.join(eol) };
}

function uvFile(f: PypiFile, withTime: boolean): string {
  const parts = [`url = ${q(f.url)}`, `hash = ${q(`sha256:${f.sha256}`)}`];
  if (f.size !== null) parts.push(`size = ${f.size}`);
  if (withTime && f.upload_time) parts.push(`upload-time = ${q(f.upload_time.replace(/\.(\d{3})\d*Z$/, ".$1Z"))}`);
  return `{ ${parts.join(", ")} }`;
}

export function updateUvLockEntry(path: string, content: string, name: string, from: string, facts: ArtefactFacts): LockEditResult {
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  let lines = content.split(/\r?\n/);
  const to = facts.version;
  const cmd = `uv lock --upgrade-package ${name}==${to}`;
  const b = findBlock(lines, name, from);
  if (!b) return { error: `${path}: no [[package]] ${clip(name)} ${clip(from)}; lockfile not edited` };
  if (!facts.files || facts.files.length === 0) return { error: `${path}: PyPI gave no files for ${clip(name)} ${to}; lockfile not edited` };
  if (findBlock(lines, name, to)) return relock(path, `${name} ${to} is already locked`, cmd);
  const block = lines.slice(b.start, b.end);
  if (!block.some((l) => /^source = \{ registry = /.test(l))) return relock(path, `${name} ${from} does not come from a registry`, cmd);
  // dependencies = [ { name = "x" }, { name = "y", marker = "..." } ]
  const recorded = new Set<string>();
  const deps = arrayAt(lines, b.start + 1, b.end, "dependencies");
  if (deps) for (let i = deps.start; i < deps.end; i++) for (const m of lines[i].matchAll(/\{ name = "([^"]+)"/g)) recorded.add(pyName(m[1]));
  const why = checkRequirements(name, to, recorded, facts);
  if (why) return relock(path, why, cmd);
  const withTime = block.some((l) => l.includes("upload-time = "));
  const sdist = facts.files.find((f) => f.packagetype === "sdist");
  const wheels = facts.files.filter((f) => f.packagetype === "bdist_wheel");
  const hadSdist = block.some((l) => l.startsWith("sdist = "));
  const hadWheels = block.some((l) => l.startsWith("wheels = ["));
  if (hadSdist && !sdist) return relock(path, `PyPI lists no sdist for ${name} ${to}`, cmd);
  if (hadWheels && wheels.length === 0) return relock(path, `PyPI lists no wheels for ${name} ${to}`, cmd);
  const ver = field(lines, b, "version")!;
  lines[ver.index] = `version = ${q(to)}`;
  const sd = lines.findIndex((l, i) => i > b.start && i < b.end && l.startsWith("sdist = "));
  if (sd >= 0 && sdist) lines[sd] = `sdist = ${uvFile(sdist, withTime)}`;
  const wh = arrayAt(lines, b.start + 1, b.end, "wheels");
  if (wh) lines = [...lines.slice(0, wh.start), "wheels = [", ...wheels.map((w) => `    ${uvFile(w, withTime)},`), "]", ...lines.slice(wh.end)];
  // References that name the version (uv writes it when several versions of a package are locked).
  const ref = new RegExp(`(\\{ name = "${name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}", version = )"${from.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}"`, "gi");
  lines = lines.map((l) => l.replace(ref, `$1${q(to)}`));
  return { content: lines.join(eol) };
}
