import { type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
import { updateYamlImage } from "./docker.js";
import { updateChartVersion } from "./helm.js";

/** zarf.yaml: `images:` entries are image references; `charts:` entries have a `version:`. */
export function updateZarf(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const chart = updateChartVersion(path, content, dep, newVersion);
  if ("content" in chart) return chart;
  // The chart entry exists but refused (e.g. its version is a ###ZARF_CONST_X### template): never fall back
  // to the image rewriter, which would turn `- name: podinfo` into an image reference.
  if (!chart.error.includes("not found")) return chart;
  const image = updateYamlImage(path, content, dep, newVersion);
  if ("content" in image) return image;
  return image;
}

export const zarfUpdater: ManifestUpdater = {
  kind: "zarf.yaml",
  matches: (path) => /(^|\/)zarf\.ya?ml$/.test(path),
  update: updateZarf,
};
