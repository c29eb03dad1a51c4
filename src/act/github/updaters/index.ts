import { cargoUpdater } from "./cargo.js";
import type { ManifestUpdater, UpdateResult, UpdateTarget } from "./common.js";
import { composeUpdater, dockerfileUpdater } from "./docker.js";
import { githubActionsUpdater } from "./github-actions.js";
import { goUpdater } from "./go.js";
import { helmUpdater } from "./helm.js";
import { npmUpdater } from "./npm.js";
import { pyprojectUpdater, requirementsUpdater } from "./pip.js";
import { zarfUpdater } from "./zarf.js";

export type { ManifestUpdater, UpdateResult, UpdateTarget } from "./common.js";

/** One updater per manifest kind, most specific first. */
export const UPDATERS: readonly ManifestUpdater[] = [
  npmUpdater,
  requirementsUpdater,
  pyprojectUpdater,
  cargoUpdater,
  goUpdater,
  githubActionsUpdater,
  helmUpdater,
  zarfUpdater,
  composeUpdater,
  dockerfileUpdater,
];

export function updaterFor(path: string): ManifestUpdater | null {
  return UPDATERS.find((u) => u.matches(path)) ?? null;
}

/**
 * Change one dependency declaration in a manifest to `newVersion`, editing that declaration in place
 * (formatting, comments and line endings kept). Pure; never throws: a problem is `{ error }` naming the
 * file and line.
 */
export function updateManifest(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  const updater = updaterFor(path);
  if (!updater) return { error: `${path}: no updater for this kind of file` };
  if (newVersion.trim() === "" || /[\s"'`\\]/.test(newVersion)) return { error: `${path}: refusing new version ${JSON.stringify(newVersion.slice(0, 80))}` };
  try {
    const r = updater.update(path, content, dep, newVersion);
    if ("content" in r && r.content === content) return { error: `${path}${dep.line != null ? `:${dep.line}` : ""}: ${dep.name} is already at ${newVersion}; nothing changed` };
    return r;
  } catch (e) {
    return { error: `${path}: updater ${updater.kind} failed: ${(e as Error).message}` };
  }
}
