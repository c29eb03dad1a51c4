import { escapeRegExp, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
import { editTomlManifest, rewriteTomlDependency } from "./toml-rewrite.js";

function declares(text: string, name: string): boolean {
  const key = /^\s*(?:\[[^\]]*?\.)?["']?([A-Za-z0-9_-]+)["']?\s*(?:=|\])/.exec(text);
  if (key && key[1] === name) return true;
  // Renamed: `alias = { package = "name", ... }`.
  return new RegExp(`\\bpackage\\s*=\\s*["']${escapeRegExp(name)}["']`).test(text);
}

export function updateCargoToml(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  return editTomlManifest(
    path,
    content,
    dep,
    (text) => declares(text, dep.name),
    (lines, idx) => rewriteTomlDependency(lines, idx, newVersion, "cargo"),
  );
}

export const cargoUpdater: ManifestUpdater = {
  kind: "Cargo.toml",
  matches: (path) => /(^|\/)Cargo\.toml$/.test(path),
  update: updateCargoToml,
};
