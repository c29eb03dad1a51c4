import { clip, keepPrecision, where, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
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

export function updateWorkflow(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const idx = indexYaml(path, content);
  if (!idx.ok) return { error: idx.error };
  const hits = idx.scalars.filter((s) => (dep.line == null || s.line === dep.line) && usesRef(s.value)?.repo.toLowerCase() === dep.name.toLowerCase());
  if (hits.length === 0) {
    // Container and service images in workflows are docker dependencies.
    if (dep.package_manager === "docker" || dep.name.includes(".") || dep.name.includes(":")) return updateYamlImage(path, content, dep, newVersion);
    return { error: `${where(path, dep.line)}: uses: ${clip(dep.name)} not found` };
  }
  if (hits.length > 1 && dep.line == null) return { error: `${path}: ${clip(dep.name)} is used ${hits.length} times; the scan gave no line to choose one` };
  const s = hits[0];
  const ref = usesRef(s.value)!.ref;
  let newRef: string;
  if (SHA.test(ref)) {
    if (!SHA.test(newVersion)) return { error: `${where(path, s.line)}: ${clip(dep.name)} is pinned to a commit SHA; the new version's commit SHA is needed, update by hand` };
    newRef = newVersion;
  } else {
    newRef = keepPrecision(ref, newVersion);
    if (/^[vV]/.test(ref) && !/^[vV]/.test(newRef)) newRef = `v${newRef}`;
  }
  const out = replaceScalar(content, s, `@${ref}`, `@${newRef}`, true);
  if (out == null) return { error: `${where(path, s.line)}: could not locate ${clip(s.value)} in the source` };
  const err = reparseError(path, out);
  return err ? { error: `${where(path, s.line)}: ${err}` } : { content: out };
}

export const githubActionsUpdater: ManifestUpdater = {
  kind: "workflow",
  matches: (path) => /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path) || /(^|\/)action\.ya?ml$/.test(path),
  update: updateWorkflow,
};
