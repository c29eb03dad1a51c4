import { parse as parseYamlValue } from "yaml";
import { clip, where, type ManifestUpdater, type UpdateOptions, type UpdateResult, type UpdateTarget } from "./common.js";
import { HEX_DIGEST, isImageOf, rewriteImageRef } from "./image.js";
import { indexYaml, replaceScalar, reparseError, type MapSpot, type ScalarSpot } from "./yaml-edit.js";

/** Same file names the helm scanner reads as values files. */
const VALUES = /^(?:values|[\w.-]+[-_.]values|values[-_.][\w.-]+)\.ya?ml$/i;

/** The text to write for a new tag/digest: plain if the old one was plain and YAML still reads a string, else quoted. */
function scalarText(content: string, s: ScalarSpot, value: string): string {
  const quoted = /^["']/.test(content.slice(s.start, s.end));
  if (quoted) return value;
  let kind: string;
  try {
    kind = typeof parseYamlValue(value);
  } catch {
    kind = "other";
  }
  // `tag: 1.10` would be read back as the number 1.1: quote anything YAML would not read as a string.
  return kind === "string" && !/^[\s#&*!|>'"%@`{[]/.test(value) && !/:\s|\s#/.test(value) ? value : JSON.stringify(value);
}

/** Replace a scalar's whole value (inside its quotes when quoted). */
function setScalar(content: string, s: ScalarSpot, value: string): string | null {
  const src = content.slice(s.start, s.end);
  const q = /^["']/.test(src);
  const next = scalarText(content, s, value);
  if (q) return replaceScalar(content, s, s.value, next);
  return content.slice(0, s.start) + next + content.slice(s.end);
}

function imageMapName(m: MapSpot): string | null {
  const repo = m.get("repository")?.value.trim();
  if (!repo) return null;
  const registry = m.get("registry")?.value.trim();
  return registry ? `${registry.replace(/\/+$/, "")}/${repo}` : repo;
}

/** `image: { registry?, repository, tag | version, digest? }`: the dependency's line is the `repository:` line. */
function updateImageMap(path: string, content: string, m: MapSpot, dep: UpdateTarget, newVersion: string, opts: UpdateOptions): UpdateResult {
  const tag = m.get("tag") ?? m.get("version");
  const digestSpot = m.get("digest");
  const digest = digestSpot && digestSpot.value.trim() !== "" ? digestSpot : null;
  const at = where(path, m.get("repository")?.line ?? dep.line);
  const edits: Array<{ s: ScalarSpot; value: string }> = [];
  if (tag && /\{\{|\$\{|###ZARF_/.test(tag.value)) return { error: `${at}: the tag of ${clip(dep.name)} is a template variable` };
  if (HEX_DIGEST.test(newVersion)) {
    if (!digest) return { error: `${at}: ${clip(dep.name)} has no digest: key to set ${clip(newVersion)} in` };
    edits.push({ s: digest, value: newVersion });
  } else {
    if (!tag) return { error: `${at}: ${clip(dep.name)} has no tag: key to change` };
    edits.push({ s: tag, value: newVersion });
    if (digest) {
      const nd = opts.newDigest?.trim() ?? "";
      if (nd === "") return { error: `${where(path, digest.line)}: ${clip(dep.name)} is pinned by digest; moving it to ${clip(newVersion)} needs that tag's digest (none was given), update by hand` };
      if (!HEX_DIGEST.test(nd)) return { error: `${where(path, digest.line)}: new digest ${clip(nd)} is not a digest like sha256:<hex>` };
      edits.push({ s: digest, value: nd });
    }
  }
  let out: string | null = content;
  // Last first, so earlier offsets stay valid.
  for (const e of edits.sort((a, b) => b.s.start - a.s.start)) {
    out = out == null ? null : setScalar(out, e.s, e.value);
  }
  if (out == null) return { error: `${at}: could not locate the tag of ${clip(dep.name)} in the source` };
  const err = reparseError(path, out);
  return err ? { error: `${at}: ${err}` } : { content: out };
}

/** Does the source before this scalar, on its line, read `<something>image:`? */
function isImageValue(content: string, s: ScalarSpot): boolean {
  const lineStart = Math.max(content.lastIndexOf("\n", s.start - 1), content.lastIndexOf("\r", s.start - 1)) + 1;
  return /(?:^|[\s{,])["']?[\w.-]*image["']?\s*:\s*$/i.test(content.slice(lineStart, s.start));
}

/**
 * Helm values files: container images as `image: { repository, tag }` maps (also `registry`, `version` and
 * `digest` keys) and `image: repo:tag` strings. The dependency's line selects the exact occurrence.
 */
export function updateHelmValues(path: string, content: string, dep: UpdateTarget, newVersion: string, opts: UpdateOptions = {}): UpdateResult {
  const idx = indexYaml(path, content);
  if (!idx.ok) return { error: idx.error };
  const maps = idx.maps.filter((m) => {
    const name = imageMapName(m);
    const repoLine = m.get("repository")?.line;
    return name != null && (m.get("tag") || m.get("version") || m.get("digest")) && isImageOf(name, dep.name) && (dep.line == null || repoLine === dep.line);
  });
  const strings = idx.scalars.filter((s) => (dep.line == null || s.line === dep.line) && isImageValue(content, s) && isImageOf(s.value, dep.name));
  const found = maps.length + strings.length;
  if (found === 0) return { error: `${where(path, dep.line)}: image ${clip(dep.name)} not found` };
  if (found > 1) {
    const lines = [...maps.map((m) => m.get("repository")!.line), ...strings.map((s) => s.line)].sort((a, b) => a - b);
    return { error: `${where(path, dep.line)}: image ${clip(dep.name)} appears ${found} times (lines ${lines.join(", ")}); the scan gave no single line to choose one` };
  }
  if (maps.length === 1) return updateImageMap(path, content, maps[0], dep, newVersion, opts);
  const s = strings[0];
  const r = rewriteImageRef(s.value, dep.name, newVersion, opts.newDigest);
  if (!r.ok) return { error: `${where(path, s.line)}: ${r.reason}` };
  const out = r.oldTail === "" ? replaceScalar(content, s, s.value, r.ref) : replaceScalar(content, s, r.oldTail, r.newTail, true);
  if (out == null) return { error: `${where(path, s.line)}: could not locate ${clip(s.value)} in the source` };
  const err = reparseError(path, out);
  return err ? { error: `${where(path, s.line)}: ${err}` } : { content: out };
}

export const helmValuesUpdater: ManifestUpdater = {
  kind: "helm values",
  matches: (path) => VALUES.test(path.slice(path.lastIndexOf("/") + 1)),
  update: updateHelmValues,
};
