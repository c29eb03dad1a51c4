import { clip, keepPrecision, stripV, where, type ManifestUpdater, type UpdateOptions, type UpdateResult, type UpdateTarget } from "./common.js";
import { updateYamlImage } from "./docker.js";
import { indexYaml, replaceScalar, reparseError } from "./yaml-edit.js";

const SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/** `owner/repo[/path]@ref` → the parts; null when the value is not such a reference. */
function usesRef(value: string): { repo: string; ref: string } | null {
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(value.trim());
  if (!m || m[1].startsWith("./") || m[1].startsWith("docker://")) return null;
  const repo = m[1].split("/").slice(0, 2).join("/");
  return { repo, ref: m[2] };
}

/** The version inside a pin comment: `# v4.1.0`, `# tag=v4.1.0`, `# pin @v4`, `# renovate: tag=v4.1.0`. */
const COMMENT_VERSION = /^(\s*(?:renovate:\s*)?(?:tag\s*[=:]\s*|pin\s*@?\s*)?)([vV]?)(\d[\w.+-]*)(\s*)$/;

/**
 * After the scalar ending at `end`, rewrite the version in a trailing `# v4.1.0` comment on the same line.
 * Returns the content unchanged when there is no such comment.
 */
function rewriteTrailingComment(content: string, end: number, newVersion: string): string {
  const nl = content.slice(end).search(/\r\n|\n|\r/);
  const lineEnd = nl < 0 ? content.length : end + nl;
  const rest = content.slice(end, lineEnd);
  const c = /^(\s+#)(.*)$/.exec(rest);
  if (!c) return content;
  const m = COMMENT_VERSION.exec(c[2]);
  if (!m) return content;
  const version = m[2] !== "" ? `${m[2]}${stripV(newVersion)}` : stripV(newVersion);
  const comment = `${c[1]}${m[1]}${version}${m[4]}`;
  return content.slice(0, end) + comment + content.slice(lineEnd);
}

export function updateWorkflow(path: string, content: string, dep: UpdateTarget, newVersion: string, opts: UpdateOptions = {}): UpdateResult {
  const idx = indexYaml(path, content);
  if (!idx.ok) return { error: idx.error };
  const hits = idx.scalars.filter((s) => (dep.line == null || s.line === dep.line) && usesRef(s.value)?.repo.toLowerCase() === dep.name.toLowerCase());
  if (hits.length === 0) {
    // Container and service images in workflows are docker dependencies.
    if (dep.package_manager === "docker" || dep.name.includes(".") || dep.name.includes(":")) return updateYamlImage(path, content, dep, newVersion, opts);
    return { error: `${where(path, dep.line)}: uses: ${clip(dep.name)} not found` };
  }
  if (hits.length > 1 && dep.line == null) return { error: `${path}: ${clip(dep.name)} is used ${hits.length} times; the scan gave no line to choose one` };
  const s = hits[0];
  const ref = usesRef(s.value)!.ref;
  let newRef: string;
  let retag = false;
  if (SHA.test(ref)) {
    if (SHA.test(newVersion)) newRef = newVersion;
    else {
      const sha = opts.newDigest?.trim().toLowerCase() ?? "";
      if (sha === "") return { error: `${where(path, s.line)}: ${clip(dep.name)} is pinned to a commit SHA; moving it to ${clip(newVersion)} needs that tag's commit SHA (none was given), update by hand` };
      if (!SHA.test(sha)) return { error: `${where(path, s.line)}: new commit SHA ${clip(sha)} for ${clip(dep.name)} is not 40 (or 64) hex digits` };
      newRef = sha;
      retag = true;
    }
  } else {
    newRef = keepPrecision(ref, newVersion);
    if (/^[vV]/.test(ref) && !/^[vV]/.test(newRef)) newRef = `v${newRef}`;
  }
  let out = replaceScalar(content, s, `@${ref}`, `@${newRef}`, true);
  if (out == null) return { error: `${where(path, s.line)}: could not locate ${clip(s.value)} in the source` };
  // A SHA pin moved to a new tag: its `# v4.1.0` comment names the new tag too.
  if (retag) out = rewriteTrailingComment(out, s.end + newRef.length - ref.length, newVersion);
  const err = reparseError(path, out);
  return err ? { error: `${where(path, s.line)}: ${err}` } : { content: out };
}

export const githubActionsUpdater: ManifestUpdater = {
  kind: "workflow",
  matches: (path) => /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path) || /(^|\/)action\.ya?ml$/.test(path),
  update: updateWorkflow,
};
