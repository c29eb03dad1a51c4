import { cargoUpdater } from "./cargo.js";
import type { ManifestUpdater, UpdateOptions, UpdateResult, UpdateTarget } from "./common.js";
import { composeUpdater, dockerfileUpdater } from "./docker.js";
import { githubActionsUpdater } from "./github-actions.js";
import { goUpdater } from "./go.js";
import { helmUpdater } from "./helm.js";
import { helmValuesUpdater } from "./helm-values.js";
import { npmUpdater } from "./npm.js";
import { pyprojectUpdater, requirementsUpdater } from "./pip.js";
import { pipfileUpdater } from "./pipfile.js";
import { updateBySpan } from "./span.js";
import { udsBundleUpdater } from "./uds.js";
import { zarfUpdater } from "./zarf.js";

export type { ManifestUpdater, UpdateOptions, UpdateResult, UpdateTarget } from "./common.js";

/** One updater per manifest kind, most specific first. */
export const UPDATERS: readonly ManifestUpdater[] = [
  npmUpdater,
  requirementsUpdater,
  pyprojectUpdater,
  pipfileUpdater,
  cargoUpdater,
  goUpdater,
  githubActionsUpdater,
  helmUpdater,
  zarfUpdater,
  udsBundleUpdater,
  helmValuesUpdater,
  composeUpdater,
  dockerfileUpdater,
];

export function updaterFor(path: string): ManifestUpdater | null {
  return UPDATERS.find((u) => u.matches(path)) ?? null;
}

/**
 * Change one dependency declaration in a manifest to `newVersion`, editing that declaration in place
 * (formatting, comments and line endings kept). Pure; never throws: a problem is `{ error }` naming the
 * file and line. `opts.newDigest` is the digest / commit SHA of `newVersion`, needed to move a digest- or
 * SHA-pinned declaration to a new tag (refused without it, so a pin never silently keeps the old image).
 */
export function updateManifest(path: string, content: string, dep: UpdateTarget, newVersion: string, opts: UpdateOptions = {}): UpdateResult {
  if (newVersion.trim() === "" || /[\s"'`\\]/.test(newVersion)) return { error: `${path}: refusing new version ${JSON.stringify(newVersion.slice(0, 80))}` };
  // Kinds whose scan recorded where the version is written: one generic span edit, verified by re-extraction.
  // (The scan records no span where a digest pins the version, so a span edit never leaves a stale pin.)
  if (dep.value_span) {
    const r = updateBySpan(path, content, dep, newVersion);
    if ("content" in r && r.content === content) return { error: `${path}:${dep.value_span.line}: ${dep.name} is already at ${newVersion}; nothing changed` };
    return r;
  }
  const updater = updaterFor(path);
  if (!updater) return { error: `${path}: no updater for this kind of file` };
  const digest = opts.newDigest;
  if (digest != null && digest !== "" && !/^(?:[a-z0-9]+(?:[.+_-][a-z0-9]+)*:)?[0-9a-fA-F]{32,128}$/.test(digest)) {
    return { error: `${path}: refusing new digest ${JSON.stringify(digest.slice(0, 80))}` };
  }
  try {
    const r = updater.update(path, content, dep, newVersion, opts);
    if ("content" in r && r.content === content) return { error: `${path}${dep.line != null ? `:${dep.line}` : ""}: ${dep.name} is already at ${newVersion}; nothing changed` };
    return r;
  } catch (e) {
    return { error: `${path}: updater ${updater.kind} failed: ${(e as Error).message}` };
  }
}
