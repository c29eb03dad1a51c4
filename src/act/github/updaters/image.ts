import { splitImageRef } from "../../../scan/managers/image-ref.js";
import { clip } from "./common.js";

export const HEX_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-f]{32,}$/;

/**
 * The new `name:tag[@digest]` for an image reference.
 * - New version is a digest: the digest changes, the tag stays (a "digest" update of the same tag).
 * - Digest-pinned reference and a new tag: needs `newDigest` (the new tag's digest from the registry);
 *   both change together. Without it the pin would keep the old image: error.
 * - Otherwise the tag changes.
 */
export function rewriteImageRef(
  ref: string,
  depName: string,
  newVersion: string,
  newDigest?: string | null,
): { ok: true; ref: string; oldTail: string; newTail: string } | { ok: false; reason: string } {
  const parts = splitImageRef(ref);
  if (!sameImage(parts.name, depName)) return { ok: false, reason: `image ${clip(ref)} is not ${clip(depName)}` };
  const nameLen = parts.name.length;
  const oldTail = ref.trim().slice(nameLen);
  if (HEX_DIGEST.test(newVersion)) {
    const newTail = `${parts.tag != null ? `:${parts.tag}` : ""}@${newVersion}`;
    return { ok: true, ref: parts.name + newTail, oldTail, newTail };
  }
  if (parts.tag != null && /\$\{?|###ZARF_/.test(parts.tag)) return { ok: false, reason: `the tag of ${clip(ref)} is a variable` };
  if (parts.digest != null) {
    if (newDigest == null || newDigest === "") {
      return { ok: false, reason: `${clip(ref)} is pinned by digest; moving it to ${clip(newVersion)} needs that tag's digest (none was given), update by hand` };
    }
    if (!HEX_DIGEST.test(newDigest)) return { ok: false, reason: `new digest ${clip(newDigest)} is not a digest like sha256:<hex>` };
    if (parts.tag == null) {
      return { ok: false, reason: `${clip(ref)} is pinned by digest only (no tag); pass the new digest as the new version` };
    }
    const newTail = `:${newVersion}@${newDigest}`;
    return { ok: true, ref: parts.name + newTail, oldTail, newTail };
  }
  const newTail = `:${newVersion}`;
  return { ok: true, ref: parts.name + newTail, oldTail, newTail };
}

/** Does this written reference name the dependency's image (Docker Hub spellings are equal)? */
export function isImageOf(ref: string, depName: string): boolean {
  const name = splitImageRef(ref).name;
  return name !== "" && sameImage(name, depName);
}

function sameImage(written: string, depName: string): boolean {
  if (written === depName) return true;
  const norm = (s: string): string => s.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "").replace(/^library\//, "");
  return norm(written) === norm(depName);
}
