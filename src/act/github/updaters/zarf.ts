import { type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
import { updateYamlImage } from "./docker.js";
import { updateChartVersion } from "./helm.js";

/** zarf.yaml: `images:` entries are image references; `charts:` entries have a `version:`. */
export function updateZarf(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const chart = updateChartVersion(path, content, dep, newVersion);
  if ("content" in chart) return chart;
  const image = updateYamlImage(path, content, dep, newVersion);
  if ("content" in image) return image;
  // Report the more specific failure: the image one unless the chart map was found.
  return chart.error.includes("not found") ? image : chart;
}

export const zarfUpdater: ManifestUpdater = {
  kind: "zarf.yaml",
  matches: (path) => /(^|\/)zarf\.ya?ml$/.test(path),
  update: updateZarf,
};
