import { splitImageRef } from "../../../scan/managers/image-ref.js";
import { clip, joinLines, pickLine, splitLines, where, type ManifestUpdater, type UpdateOptions, type UpdateResult, type UpdateTarget } from "./common.js";
import { isImageOf, rewriteImageRef } from "./image.js";
import { indexYaml, replaceScalar, reparseError } from "./yaml-edit.js";

const FROM = /^(\s*FROM\s+)((?:--\S+\s+)*)(\S+)/i;

function fromImage(text: string): { start: number; ref: string } | null {
  const m = FROM.exec(text);
  if (!m) return null;
  return { start: m[1].length + m[2].length, ref: m[3] };
}

/** `${VAR}` / `$VAR` / `${VAR:-x}` holding the whole tag, e.g. `python:${PY_VERSION}`. */
function tagVariable(ref: string): string | null {
  const tag = splitImageRef(ref).tag;
  const m = tag ? /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}?$/.exec(tag) : null;
  return m ? m[1] : null;
}

export function updateDockerfile(path: string, content: string, dep: UpdateTarget, newVersion: string, opts: UpdateOptions = {}): UpdateResult {
  const lines = splitLines(content);
  const idx = pickLine(path, lines, dep, (t) => {
    const f = fromImage(t);
    return f != null && (splitImageRef(f.ref).name === dep.name || isImageOf(f.ref, dep.name) || tagVariable(f.ref) != null && f.ref.startsWith(dep.name));
  });
  if (typeof idx !== "number") return idx;
  const f = fromImage(lines[idx].text);
  if (!f) return { error: `${where(path, idx + 1)}: no FROM instruction` };
  const variable = tagVariable(f.ref);
  if (variable) {
    // The tag comes from a global ARG default: change the ARG, not the FROM line.
    const firstFrom = lines.findIndex((l) => FROM.test(l.text));
    const argRe = new RegExp(`^(\\s*ARG\\s+(?:.*\\s)?${variable}=)(["']?)([^\\s"']*)\\2`, "i");
    for (let i = 0; i < (firstFrom < 0 ? lines.length : firstFrom); i++) {
      const m = argRe.exec(lines[i].text);
      if (m) {
        const start = m[1].length + m[2].length;
        const t = lines[i].text;
        lines[i] = { ...lines[i], text: t.slice(0, start) + newVersion + t.slice(start + m[3].length) };
        return { content: joinLines(lines) };
      }
    }
    return { error: `${where(path, idx + 1)}: the tag of ${clip(f.ref)} comes from ARG ${variable}, which has no default before the first FROM` };
  }
  const r = rewriteImageRef(f.ref, dep.name, newVersion, opts.newDigest);
  if (!r.ok) return { error: `${where(path, idx + 1)}: ${r.reason}` };
  const t = lines[idx].text;
  lines[idx] = { ...lines[idx], text: t.slice(0, f.start) + r.ref + t.slice(f.start + f.ref.length) };
  return { content: joinLines(lines) };
}

/** Images written as YAML strings: compose `image:`, zarf `images:` entries. */
export function updateYamlImage(path: string, content: string, dep: UpdateTarget, newVersion: string, opts: UpdateOptions = {}): UpdateResult {
  const idx = indexYaml(path, content);
  if (!idx.ok) return { error: idx.error };
  const candidates = idx.scalars.filter((s) => (dep.line == null || s.line === dep.line) && isImageOf(s.value, dep.name));
  if (candidates.length === 0) return { error: `${where(path, dep.line)}: image ${clip(dep.name)} not found` };
  if (candidates.length > 1 && dep.line == null) return { error: `${path}: image ${clip(dep.name)} appears ${candidates.length} times; the scan gave no line to choose one` };
  let out = content;
  // Last first, so earlier offsets stay valid.
  for (const s of [...candidates].sort((a, b) => b.start - a.start)) {
    const r = rewriteImageRef(s.value, dep.name, newVersion, opts.newDigest);
    if (!r.ok) return { error: `${where(path, s.line)}: ${r.reason}` };
    const next = r.oldTail === "" ? replaceScalar(out, s, s.value, r.ref) : replaceScalar(out, s, r.oldTail, r.newTail, true);
    if (next == null) return { error: `${where(path, s.line)}: could not locate ${clip(s.value)} in the source` };
    out = next;
  }
  const err = reparseError(path, out);
  return err ? { error: `${where(path, dep.line)}: ${err}` } : { content: out };
}

export const dockerfileUpdater: ManifestUpdater = {
  kind: "Dockerfile",
  matches: (path) => /(^|\/)(Dockerfile|Containerfile)([._-][^/]*)?$|\.(Dockerfile|dockerfile|Containerfile)$/.test(path) && !/\.(md|txt|dockerignore)$/.test(path),
  update: updateDockerfile,
};

export const composeUpdater: ManifestUpdater = {
  kind: "compose",
  matches: (path) => /(^|\/)(docker-)?compose[^/]*\.ya?ml$/.test(path),
  update: updateYamlImage,
};
