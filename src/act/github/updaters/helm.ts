import { clip, rewriteSimpleRange, stripV, where, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
import { indexYaml, replaceScalar, reparseError, type MapSpot } from "./yaml-edit.js";

/** Does this map (a Chart.yaml dependency or a zarf chart) declare the chart the dependency names? */
function chartMatches(m: MapSpot, depName: string): boolean {
  const names = ["name", "repoName"].map((k) => m.get(k)?.value).filter((v): v is string => v != null);
  const url = m.get("url")?.value ?? m.get("repository")?.value ?? "";
  return names.some((n) => n === depName || depName.endsWith(`/${n}`)) || (url !== "" && url.replace(/^oci:\/\//, "").replace(/@.*$/, "") === depName);
}

/**
 * Set `version:` of the chart map that covers the dependency's line (innermost first), keeping a range
 * operator (`~12.1.0` → `~13.0.1`). Used for Chart.yaml / requirements.yaml and zarf `charts:`.
 */
export function updateChartVersion(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const idx = indexYaml(path, content);
  if (!idx.ok) return { error: idx.error };
  const maps = idx.maps
    .filter((m) => m.get("version") != null && chartMatches(m, dep.name))
    .filter((m) => dep.line == null || (m.startLine <= dep.line && dep.line <= m.endLine))
    .sort((a, b) => a.endLine - a.startLine - (b.endLine - b.startLine));
  if (maps.length === 0) return { error: `${where(path, dep.line)}: chart ${clip(dep.name)} with a version not found` };
  if (dep.line == null && maps.length > 1) return { error: `${path}: chart ${clip(dep.name)} is declared ${maps.length} times; the scan gave no line to choose one` };
  const v = maps[0].get("version")!;
  const raw = v.value;
  const hadV = /^v\d/.test(raw);
  const next = rewriteSimpleRange(raw, hadV ? newVersion : stripV(newVersion));
  if (next == null) return { error: `${where(path, v.line)}: version ${clip(raw)} of ${clip(dep.name)} is not a simple version or range; update it by hand` };
  const out = replaceScalar(content, v, raw, hadV && !next.includes("v") ? `v${next}` : next);
  if (out == null) return { error: `${where(path, v.line)}: could not locate ${clip(raw)} in the source` };
  const err = reparseError(path, out);
  return err ? { error: `${where(path, v.line)}: ${err}` } : { content: out };
}

export const helmUpdater: ManifestUpdater = {
  kind: "Chart.yaml",
  matches: (path) => /(^|\/)(Chart|requirements)\.ya?ml$/.test(path),
  update: updateChartVersion,
};
