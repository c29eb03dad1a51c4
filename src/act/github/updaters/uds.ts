import { splitImageRef } from "../../../scan/managers/image-ref.js";
import { clip, where, type ManifestUpdater, type UpdateOptions, type UpdateResult, type UpdateTarget } from "./common.js";
import { isImageOf, rewriteImageRef } from "./image.js";
import { indexYaml, replaceScalar, reparseError, type MapSpot } from "./yaml-edit.js";

/** UDS package flavors published as tag suffixes: `0.13.1-upstream`, `1.2.0-registry1`, `2.0.0-unicorn`. */
const FLAVOR = /-(upstream|registry1|unicorn)$/;

function repoOf(m: MapSpot): string | null {
  const r = m.get("repository")?.value.trim();
  return r ? r.replace(/^oci:\/\//, "") : null;
}

/**
 * uds-bundle.yaml: `packages[*]` with `repository` and `ref` (the Zarf package tag). The dependency's line is
 * the package entry's first line; the `ref:` of that entry changes. A package whose tag is written in the
 * repository (`ghcr.io/x/pkg:1.0.0`) has that tag changed instead.
 */
export function updateUdsBundle(path: string, content: string, dep: UpdateTarget, newVersion: string, opts: UpdateOptions = {}): UpdateResult {
  const idx = indexYaml(path, content);
  if (!idx.ok) return { error: idx.error };
  const maps = idx.maps
    .filter((m) => {
      const repo = repoOf(m);
      return repo != null && isImageOf(repo, dep.name) && (dep.line == null || (m.startLine <= dep.line && dep.line <= m.endLine));
    })
    .sort((a, b) => a.endLine - a.startLine - (b.endLine - b.startLine));
  if (maps.length === 0) return { error: `${where(path, dep.line)}: package ${clip(dep.name)} not found` };
  if (dep.line == null && maps.length > 1) {
    return { error: `${path}: package ${clip(dep.name)} is declared ${maps.length} times (lines ${maps.map((m) => m.startLine).join(", ")}); the scan gave no line to choose one` };
  }
  const m = maps[0];
  const ref = m.get("ref");
  const repo = m.get("repository")!;
  let out: string | null;
  let line: number;
  if (ref && ref.value.trim() !== "") {
    line = ref.line;
    const old = ref.value.trim();
    if (/###ZARF_|\$\{|\{\{/.test(old)) return { error: `${where(path, line)}: ref ${clip(old)} of ${clip(dep.name)} is a variable` };
    const flavor = FLAVOR.exec(old);
    if (flavor && !newVersion.endsWith(flavor[0])) {
      return { error: `${where(path, line)}: ref ${clip(old)} carries the ${flavor[1]} flavor; the new version ${clip(newVersion)} does not, so it would pull another flavor: pass the flavored tag` };
    }
    if (splitImageRef(repo.value.replace(/^oci:\/\//, "")).digest != null) {
      return { error: `${where(path, repo.line)}: repository of ${clip(dep.name)} is pinned by digest; update by hand` };
    }
    out = replaceScalar(content, ref, old, newVersion);
  } else {
    line = repo.line;
    const value = repo.value.trim().replace(/^oci:\/\//, "");
    if (splitImageRef(value).tag == null && splitImageRef(value).digest == null) return { error: `${where(path, line)}: package ${clip(dep.name)} has no ref to change` };
    const r = rewriteImageRef(value, dep.name, newVersion, opts.newDigest);
    if (!r.ok) return { error: `${where(path, line)}: ${r.reason}` };
    out = replaceScalar(content, repo, r.oldTail, r.newTail, true);
  }
  if (out == null) return { error: `${where(path, line)}: could not locate the ref of ${clip(dep.name)} in the source` };
  const err = reparseError(path, out);
  return err ? { error: `${where(path, line)}: ${err}` } : { content: out };
}

export const udsBundleUpdater: ManifestUpdater = {
  kind: "uds-bundle.yaml",
  matches: (path) => /(^|\/)uds-bundle\.ya?ml$/.test(path),
  update: updateUdsBundle,
};
