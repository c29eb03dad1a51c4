import { clip, joinLines, pickLine, splitLines, where, type Line, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
import { normalizePyName, rewritePep508 } from "./pep508-rewrite.js";
import { editTomlManifest, rewriteTomlDependency } from "./toml-rewrite.js";

/** The requirement part of a requirements.txt line: before ` #` comments and ` --option`s. */
function requirementSpan(text: string): { start: number; end: number } {
  const comment = text.search(/(^|\s)#/);
  let end = comment < 0 ? text.length : comment;
  const opt = text.slice(0, end).search(/\s--?[a-z]/);
  if (opt >= 0) end = opt;
  return { start: 0, end };
}

function lineNames(text: string, name: string): boolean {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(text);
  return m != null && !text.trimStart().startsWith("-") && normalizePyName(m[1]) === normalizePyName(name);
}

export function updateRequirements(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const lines = splitLines(content);
  const idx = pickLine(path, lines, dep, (text) => lineNames(text, dep.name));
  if (typeof idx !== "number") return idx;
  const text = lines[idx].text;
  if (/--hash[=\s]/.test(text) || (lines[idx + 1] && /^\s*--hash/.test(lines[idx + 1].text) && /\\\s*$/.test(text))) {
    return { error: `${where(path, idx + 1)}: ${clip(dep.name)} is hash-pinned; regenerate the file with pip-compile --generate-hashes` };
  }
  const span = requirementSpan(text);
  const req = text.slice(span.start, span.end).replace(/\\\s*$/, "");
  const r = rewritePep508(req, dep.name, newVersion);
  if (!r.ok) return { error: `${where(path, idx + 1)}: ${r.reason}` };
  lines[idx] = { ...lines[idx], text: r.text + text.slice(req.length) };
  return { content: joinLines(lines) };
}

/** A PEP 621 / PEP 735 array element `"requests>=2"` on this line, with its quote. */
function quotedRequirement(text: string, name: string): { start: number; end: number; value: string } | null {
  const re = /(["'])((?:(?!\1)[^\\]|\\.)*)\1/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (lineNames(m[2], name)) return { start: m.index + 1, end: m.index + 1 + m[2].length, value: m[2] };
  }
  return null;
}

function tryPep621(lines: Line[], idx: number, dep: UpdateTarget, newVersion: string): { ok: true } | { ok: false; reason: string } | null {
  const q = quotedRequirement(lines[idx].text, dep.name);
  if (!q) return null;
  const r = rewritePep508(q.value, dep.name, newVersion);
  if (!r.ok) return r;
  const t = lines[idx].text;
  lines[idx] = { ...lines[idx], text: t.slice(0, q.start) + r.text + t.slice(q.end) };
  return { ok: true };
}

export function updatePyproject(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  return editTomlManifest(
    path,
    content,
    dep,
    (text) => quotedRequirement(text, dep.name) != null || tomlKeyNames(text, dep.name),
    (lines, idx) =>
      // PEP 621 `"name>=1.2"` strings; else Poetry: `name = "^1.2"`, `name = { version = "^1.2" }` or a `[tool.poetry.dependencies.name]` table.
      tryPep621(lines, idx, dep, newVersion) ?? rewriteTomlDependency(lines, idx, newVersion, "poetry"),
  );
}

function tomlKeyNames(text: string, name: string): boolean {
  const m = /^\s*(?:\[[^\]]*\.)?["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?\s*(?:=|\])/.exec(text);
  return m != null && normalizePyName(m[1]) === normalizePyName(name);
}

export const requirementsUpdater: ManifestUpdater = {
  kind: "requirements",
  matches: (path) => /(^|\/)[^/]*requirements[^/.]*\.(txt|in)$/.test(path) || /(^|\/)requirements\/[^/]+\.(txt|in)$/.test(path),
  update: updateRequirements,
};

export const pyprojectUpdater: ManifestUpdater = {
  kind: "pyproject.toml",
  matches: (path) => /(^|\/)pyproject\.toml$/.test(path),
  update: updatePyproject,
};
