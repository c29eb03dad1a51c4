import { parse as parseToml } from "smol-toml";
import { escapeRegExp, joinLines, pickLine, splitLines, where, type ManifestUpdater, type UpdateResult, type UpdateTarget } from "./common.js";
import { rewriteTomlDependency } from "./toml-rewrite.js";

function declares(text: string, name: string): boolean {
  const key = /^\s*(?:\[[^\]]*?\.)?["']?([A-Za-z0-9_-]+)["']?\s*(?:=|\])/.exec(text);
  if (key && key[1] === name) return true;
  // Renamed: `alias = { package = "name", ... }`.
  return new RegExp(`\\bpackage\\s*=\\s*["']${escapeRegExp(name)}["']`).test(text);
}

export function updateCargoToml(path: string, content: string, dep: UpdateTarget, newVersion: string): UpdateResult {
  try {
    parseToml(content);
  } catch (e) {
    return { error: `${path}: invalid TOML (${(e as Error).message.split("\n")[0]}); not edited` };
  }
  const lines = splitLines(content);
  const idx = pickLine(path, lines, dep, (text) => declares(text, dep.name));
  if (typeof idx !== "number") return idx;
  const r = rewriteTomlDependency(lines, idx, newVersion, "cargo");
  if (!r.ok) return { error: `${where(path, idx + 1)}: ${r.reason}` };
  const out = joinLines(lines);
  try {
    parseToml(out);
  } catch (e) {
    return { error: `${where(path, idx + 1)}: the edit would break the TOML (${(e as Error).message.split("\n")[0]})` };
  }
  return { content: out };
}

export const cargoUpdater: ManifestUpdater = {
  kind: "Cargo.toml",
  matches: (path) => /(^|\/)Cargo\.toml$/.test(path),
  update: updateCargoToml,
};
