import semver from "semver";
import type { DatasourceName } from "../../types.js";
import { splitNameAt } from "./types.js";

/** How a package.json dependency value is to be treated. */
export interface NpmValue {
  /** The package to look up (the real name behind an `npm:` alias). */
  name: string;
  datasource: DatasourceName;
  current_value: string;
  skip_reason: string | null;
  /** Repo-relative target of file:/link:/portal:, or the raw protocol path for workspace:. */
  local_path: string | null;
  registry_url: string | null;
  digest: string | null;
  /** Exact or lower-bound version derivable from the value alone. */
  version: string | null;
  kind: "range" | "tag" | "alias" | "workspace" | "local" | "git" | "tarball" | "catalog" | "unknown";
}

const MAX_NAME = 214;

/** npm's package-name rules (validate-npm-package-name, legacy uppercase names allowed). */
export function isValidNpmName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME) return false;
  if (name !== name.trim() || /[\s\u0000-\u001f\u007f]/.test(name)) return false;
  if (name.startsWith(".") || name.startsWith("_")) return false;
  if (name === "node_modules" || name === "favicon.ico") return false;
  const urlSafe = (s: string): boolean => s.length > 0 && encodeURIComponent(s) === s && !/[~'!()*]/.test(s);
  if (name.startsWith("@")) {
    const parts = name.slice(1).split("/");
    return parts.length === 2 && urlSafe(parts[0]) && urlSafe(parts[1]) && !parts[1].startsWith(".") && !parts[1].startsWith("_");
  }
  return urlSafe(name);
}

/** The lowest version a semver range admits, or the exact pin; null when not a semver range. */
export function rangeVersion(value: string): string | null {
  const exact = semver.valid(value, { loose: true });
  if (exact) return exact;
  if (!semver.validRange(value, { loose: true })) return null;
  try {
    return semver.minVersion(value, { loose: true })?.version ?? null;
  } catch {
    return null;
  }
}

const ANY = new Set(["", "*", "x", "X", "latest"]);
const DIST_TAG = /^[a-z][a-z0-9._-]*$/i;

function posixJoin(dir: string, rel: string): string {
  const parts = (dir === "." ? [] : dir.split("/")).concat(rel.replace(/\\/g, "/").split("/"));
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(p);
  }
  return out.length === 0 ? "." : out.join("/");
}

const base = (name: string): Omit<NpmValue, "current_value" | "kind"> => ({
  name,
  datasource: "npm",
  skip_reason: null,
  local_path: null,
  registry_url: null,
  digest: null,
  version: null,
});

/**
 * Classify a dependency value as declared in a package.json found in `manifestDir`.
 * catalog: values must be resolved by the caller first (they need pnpm-workspace.yaml).
 */
export function classifyNpmValue(name: string, raw: string, manifestDir: string): NpmValue {
  const value = raw.trim();
  if (value.startsWith("npm:")) {
    const target = splitNameAt(value.slice(4));
    const realName = target?.name ?? value.slice(4);
    const range = target?.rest ?? "";
    const inner = classifyNpmValue(realName, range, manifestDir);
    return { ...inner, name: realName, kind: inner.kind === "unknown" ? "unknown" : "alias" };
  }
  const proto = /^(workspace|file|link|portal|catalog|patch):/.exec(value)?.[1];
  if (proto === "workspace") {
    return { ...base(name), datasource: "none", current_value: value, skip_reason: "workspace dependency", kind: "workspace" };
  }
  if (proto === "file" || proto === "link" || proto === "portal") {
    const target = value.slice(proto.length + 1).replace(/^\/\/(?=\.)/, "");
    return {
      ...base(name),
      datasource: "none",
      current_value: value,
      local_path: target.startsWith("/") ? target : posixJoin(manifestDir, target),
      skip_reason: `local path (${proto}:)`,
      kind: "local",
    };
  }
  if (proto === "catalog") {
    return { ...base(name), datasource: "none", current_value: value, skip_reason: "catalog entry not found", kind: "catalog" };
  }
  if (proto === "patch") {
    return { ...base(name), datasource: "none", current_value: value, skip_reason: "yarn patch: protocol", kind: "unknown" };
  }
  const git = parseGitSpec(value);
  if (git) return { ...git, name };
  if (/^https?:\/\//i.test(value)) {
    return { ...base(name), datasource: "none", current_value: value, registry_url: value, skip_reason: "tarball URL", kind: "tarball" };
  }
  if (ANY.has(value)) return { ...base(name), current_value: raw, kind: "tag" };
  const v = rangeVersion(value);
  if (v) return { ...base(name), current_value: raw, version: v, kind: "range" };
  if (DIST_TAG.test(value)) return { ...base(name), current_value: raw, kind: "tag" };
  return { ...base(name), current_value: raw, skip_reason: "unrecognized version constraint", kind: "unknown" };
}

const SHA = /^[0-9a-f]{40}$/i;
const TAG_LIKE = /^v?\d+(\.\d+)*([-+.][0-9A-Za-z.-]+)?$/;

/** github:o/r#ref, o/r#ref, git+https://host/o/r.git#ref, git@host:o/r.git, gitlab:/bitbucket: shorthands. */
export function parseGitSpec(value: string): (Omit<NpmValue, "name"> & { name?: undefined }) | null {
  const hashAt = value.indexOf("#");
  const spec = hashAt >= 0 ? value.slice(0, hashAt) : value;
  const ref = hashAt >= 0 ? value.slice(hashAt + 1) : "";
  let host: string | null = null;
  let repoPath: string | null = null;
  let url: string | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(github|gitlab|bitbucket|gist):(.+)$/.exec(spec))) {
    host = { github: "github.com", gitlab: "gitlab.com", bitbucket: "bitbucket.org", gist: "gist.github.com" }[m[1]] ?? null;
    repoPath = m[2];
  } else if ((m = /^git\+ssh:\/\/(?:[^@/]+@)?([^/:]+)[:/](.+)$/.exec(spec)) || (m = /^(?:ssh:\/\/)?git@([^/:]+)[:/](.+)$/.exec(spec))) {
    host = m[1];
    repoPath = m[2];
  } else if ((m = /^(?:git\+)?(?:https?|git):\/\/(?:[^@/]+@)?([^/]+)\/(.+)$/.exec(spec))) {
    const isGit = /^git[+:]/.test(spec) || /\.git$/.test(m[2]) || (m[1] === "github.com" && /^[^/]+\/[^/]+\/?$/.test(m[2]));
    if (!isGit) return null;
    host = m[1];
    repoPath = m[2];
  } else if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(spec) && !spec.startsWith(".")) {
    host = "github.com";
    repoPath = spec;
  } else {
    return null;
  }
  if (!host || !repoPath) return null;
  repoPath = repoPath.replace(/\.git$/, "").replace(/\/+$/, "");
  url = `https://${host}/${repoPath}`;
  const common = { local_path: null, registry_url: url, kind: "git" as const };
  const semverRef = ref.startsWith("semver:") ? ref.slice("semver:".length) : null;
  const isGithub = host === "github.com";
  if (ref === "") {
    return { ...common, datasource: "git", current_value: value, version: null, digest: null, skip_reason: "git dependency without a ref (tracks the default branch)" };
  }
  if (SHA.test(ref)) {
    return { ...common, datasource: "git", current_value: ref, version: ref, digest: ref, skip_reason: "pinned to a git commit" };
  }
  if (semverRef !== null) {
    return { ...common, datasource: isGithub ? "github-tags" : "git", current_value: semverRef, version: rangeVersion(semverRef), digest: null, skip_reason: null };
  }
  if (TAG_LIKE.test(ref)) {
    return { ...common, datasource: isGithub ? "github-tags" : "git", current_value: ref, version: ref, digest: null, skip_reason: null };
  }
  return { ...common, datasource: "git", current_value: ref, version: ref, digest: null, skip_reason: "git branch reference" };
}

export { posixJoin };
