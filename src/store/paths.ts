import { createHash } from "node:crypto";
import path from "node:path";
import type { RepoRef } from "./types.js";

export class UnsafeNameError extends Error {
  override readonly name = "UnsafeNameError";
}

/** GitHub owners: letters, digits, hyphens (underscores on GitHub Enterprise), at most 39, not starting with a hyphen. */
const OWNER = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,38}$/;
/** GitHub repository names: letters, digits, `.`, `_`, `-`, at most 100. */
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** Throws UnsafeNameError unless owner and repo are names GitHub could have given; returns them lower-cased. */
export function checkRepoRef(ref: RepoRef): RepoRef {
  const { owner, repo } = ref ?? ({} as RepoRef);
  if (typeof owner !== "string" || !OWNER.test(owner)) {
    throw new UnsafeNameError(`refusing repository owner ${JSON.stringify(owner)}: expected 1-39 letters, digits, "-" or "_"`);
  }
  if (typeof repo !== "string" || !REPO.test(repo) || repo === "." || repo.includes("..")) {
    throw new UnsafeNameError(`refusing repository name ${JSON.stringify(repo)}: expected 1-100 letters, digits, ".", "-" or "_", and not "." or ".."`);
  }
  return { owner: owner.toLowerCase(), repo: repo.toLowerCase() };
}

/** A safe file name (without .json) for a component. Names needing changes get a hash suffix so two never collide. */
export function componentFileName(name: string): string {
  if (typeof name !== "string" || name.length === 0 || name.includes("\0")) {
    throw new UnsafeNameError(`refusing component name ${JSON.stringify(name)}: empty or contains NUL`);
  }
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[.]+/, "_")
    .slice(0, 80);
  if (cleaned === name) return cleaned;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${cleaned}-${hash}`;
}

/** Join under root, refusing anything that would land outside it (defence in depth after the checks above). */
export function inside(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new UnsafeNameError(`refusing path ${JSON.stringify(parts.join("/"))}: it leaves the store root`);
  }
  return full;
}
