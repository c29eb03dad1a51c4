import { splitImageRef } from "../../../scan/managers/image-ref.js";
import { clip } from "./common.js";

const HEX_DIGEST = /^[a-z0-9]+:[0-9a-f]{32,}$/;

/**
 * The new `name:tag[@digest]` for an image reference. A digest pin is kept only when the new version is
 * itself a digest (we cannot know the digest of a new tag without the registry); otherwise it is an error.
 */
export function rewriteImageRef(ref: string, depName: string, newVersion: string): { ok: true; ref: string; oldTail: string; newTail: string } | { ok: false; reason: string } {
  const parts = splitImageRef(ref);
  if (!sameImage(parts.name, depName)) return { ok: false, reason: `image ${clip(ref)} is not ${clip(depName)}` };
  const nameLen = parts.name.length;
  const oldTail = ref.trim().slice(nameLen);
  if (HEX_DIGEST.test(newVersion)) {
    const newTail = `${parts.tag != null ? `:${parts.tag}` : ""}@${newVersion}`;
    return { ok: true, ref: parts.name + newTail, oldTail, newTail };
  }
  if (parts.digest != null) {
    return { ok: false, reason: `${clip(ref)} is pinned by digest; a new tag needs its digest from the registry, update by hand` };
  }
  if (parts.tag != null && /\$\{?|###ZARF_/.test(parts.tag)) return { ok: false, reason: `the tag of ${clip(ref)} is a variable` };
  const newTail = `:${newVersion}`;
  return { ok: true, ref: parts.name + newTail, oldTail, newTail };
}

function sameImage(written: string, depName: string): boolean {
  if (written === depName) return true;
  const norm = (s: string): string => s.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "").replace(/^library\//, "");
  return norm(written) === norm(depName);
}
