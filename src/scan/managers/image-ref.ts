/**
 * Shared helpers of the infrastructure managers (docker, github-actions, helm, zarf, uds):
 * - container image references (`registry/repo:tag@sha256:...`) and their ExtractedDependency;
 * - small YAML tree helpers (line numbers, typed access) over ./yaml-ast.ts (js-yaml fast path, `yaml` fallback).
 */
import { isYMap, isYScalar, isYSeq } from "./yaml-ast.js";
import type { YMap, YNode, YPair, YScalar, YSeq } from "./yaml-ast.js";
import type { ExtractedDependency } from "../types.js";
import { baseDependency, type DependencyBase } from "./dependency.js";

// ---------------------------------------------------------------------------------------------
// Image references
// ---------------------------------------------------------------------------------------------

export const DOCKER_HUB = "docker.io";

export interface ImageReference {
  /** The image as written, without tag and digest: "python", "ghcr.io/org/app". */
  name: string;
  /** Registry host (with port when given); "docker.io" when the reference names none. */
  registry: string;
  /** Path inside the registry; Docker Hub official images get "library/": "library/python". */
  repository: string;
  /** `registry/repository`, the canonical form: "docker.io/library/python". */
  canonical: string;
  tag: string | null;
  /** "sha256:<hex>" when pinned. */
  digest: string | null;
}

export type ImageParseResult = { ok: true; ref: ImageReference } | { ok: false; error: string };

// docker/distribution reference grammar (lower-case path components, tag and digest shapes).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

/** Split `name[:tag][@digest]` without validating: works on references holding variables too. */
export function splitImageRef(input: string): { name: string; tag: string | null; digest: string | null } {
  let rest = input.trim();
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.indexOf(":", lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

/** Parse and validate an image reference. Docker Hub defaults: `docker.io` and `library/`. */
export function parseImageRef(input: string): ImageParseResult {
  const raw = input.trim();
  if (raw === "") return { ok: false, error: "empty image reference" };
  if (raw.length > 512) return { ok: false, error: "image reference longer than 512 characters" };
  const { name, tag, digest } = splitImageRef(raw);
  if (digest !== null && !DIGEST.test(digest)) return { ok: false, error: `invalid digest "${clip(digest)}"` };
  if (tag !== null && !TAG.test(tag)) return { ok: false, error: `invalid tag "${clip(tag)}"` };
  const slash = name.indexOf("/");
  let registry = DOCKER_HUB;
  let path = name;
  if (slash >= 0) {
    const first = name.slice(0, slash);
    // Same rule as docker/distribution: a first component with "." or ":", "localhost", or
    // upper-case letters is a registry host.
    if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
      if (!HOST.test(first)) return { ok: false, error: `invalid registry host "${clip(first)}"` };
      registry = first.toLowerCase();
      path = name.slice(slash + 1);
    }
  }
  if (DOCKER_HUB_ALIASES.has(registry)) registry = DOCKER_HUB;
  const parts = path.split("/");
  if (parts.some((p) => !PATH_COMPONENT.test(p))) {
    return { ok: false, error: `invalid image name "${clip(name)}"` };
  }
  if (registry === DOCKER_HUB && parts.length === 1) path = `library/${path}`;
  return {
    ok: true,
    ref: { name, registry, repository: path, canonical: `${registry}/${path}`, tag, digest },
  };
}

export { baseDependency, type DependencyBase } from "./dependency.js";

/** The note on an image reference that names no tag and no digest. */
export const UNTAGGED_NOTE = "untagged: the registry's default tag is pulled";

/**
 * Build the docker dependency for an image reference. `skipReason` is set by callers that know the
 * reference holds a variable: name/tag are then split best-effort and the dependency is skipped.
 * Returns a warning message when the reference is not a valid image reference.
 */
export function imageDependency(
  raw: string,
  base: DependencyBase,
  skipReason: string | null = null,
): { dep: ExtractedDependency; warning: string | null } {
  const text = raw.trim();
  if (skipReason === null) {
    const parsed = parseImageRef(text);
    if (parsed.ok) {
      const { ref } = parsed;
      // Digest-only pins have no tag to compare: current_value is the digest, update type "digest".
      // No tag and no digest: untagged, never reported as "latest" (a version nobody wrote).
      const value = ref.tag ?? (ref.digest !== null ? ref.digest : "");
      return {
        dep: baseDependency(base, {
          name: ref.name,
          datasource: "docker",
          current_value: value,
          version: value,
          registry_url: ref.registry,
          digest: ref.digest,
          ...(ref.tag === null && ref.digest === null ? { notes: [UNTAGGED_NOTE] } : {}),
        }),
        warning: null,
      };
    }
    const split = splitImageRef(text);
    return {
      dep: baseDependency(base, {
        name: split.name || text,
        datasource: "docker",
        current_value: split.tag ?? "",
        skip_reason: "invalid image reference",
      }),
      warning: `${parsed.error} in image reference "${clip(text)}"`,
    };
  }
  const split = splitImageRef(text);
  // A variable inside the name makes the split unreliable: keep the whole reference as the name.
  const nameHasVariable = VARIABLE_MARKERS.some((m) => split.name.includes(m));
  const parsedName = nameHasVariable ? null : parseImageRef(split.name);
  return {
    dep: baseDependency(base, {
      name: nameHasVariable ? text : split.name,
      datasource: "docker",
      current_value: nameHasVariable ? text : (split.tag ?? ""),
      registry_url: parsedName?.ok ? parsedName.ref.registry : null,
      digest: !nameHasVariable && split.digest !== null && DIGEST.test(split.digest) ? split.digest : null,
      skip_reason: skipReason,
    }),
    warning: null,
  };
}

/** An OCI artifact reference (Zarf package, Helm chart): `[oci://]registry/path[:tag][@digest]`. */
export interface OciReference {
  name: string;
  tag: string | null;
  digest: string | null;
  /** Registry host; null when the name is not a valid reference. */
  registry: string | null;
  /** Why the name is not a valid reference; null when it is. */
  error: string | null;
}

export function parseOciReference(input: string): OciReference {
  const split = splitImageRef(input.trim().replace(/^oci:\/\//, ""));
  const parsed = parseImageRef(split.name);
  return { name: split.name, tag: split.tag, digest: split.digest, registry: parsed.ok ? parsed.ref.registry : null, error: parsed.ok ? null : parsed.error };
}

/** The docker-datasource dependency of an OCI artifact; the caller decides its version and skip reason. */
export function ociDependency(base: DependencyBase, oci: OciReference, currentValue: string, skipReason: string | null): ExtractedDependency {
  return baseDependency(base, {
    name: oci.name,
    datasource: "docker",
    current_value: currentValue,
    registry_url: oci.registry,
    digest: oci.digest,
    skip_reason: skipReason,
  });
}

const VARIABLE_MARKERS = ["$", "{{", "###"];

/** Zarf package templates and variables: `###ZARF_PKG_TMPL_X###`, `###ZARF_VAR_X###`, `###ZARF_CONST_X###`. */
export const ZARF_TEMPLATE = /###ZARF_[A-Z0-9_]+###/;
/** GitHub Actions expressions. */
export const GHA_EXPRESSION = /\$\{\{.*?\}\}/;

/** Shorten hostile or very long strings for messages. */
export function clip(s: string, max = 80): string {
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** POSIX join of a repo-relative directory and a relative path, normalising "." and "..". */
export function resolveRepoPath(fromDir: string, rel: string): string {
  const out: string[] = [];
  const isAbs = rel.startsWith("/");
  const parts = [...(isAbs ? [] : fromDir.split("/")), ...rel.split("/")];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else out.push("..");
    } else out.push(p);
  }
  return out.length === 0 ? "." : out.join("/");
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

// ---------------------------------------------------------------------------------------------
// YAML helpers over the line-annotated tree of ./yaml-ast.ts (js-yaml fast path, `yaml` fallback;
// never regex over a document)
// ---------------------------------------------------------------------------------------------

export { parseYaml, isYMap, isYScalar, isYSeq } from "./yaml-ast.js";
export type { ParsedYaml, YDoc, YMap, YNode, YPair, YScalar, YSeq } from "./yaml-ast.js";

/** 1-based line where a node starts; null for anything that is not a node. */
export function lineOf(node: unknown): number | null {
  if (isYScalar(node) || isYMap(node) || isYSeq(node)) return node.line;
  return null;
}

/** A key/value pair of a map by string key (the first one). */
export function getPair(map: unknown, key: string): YPair | undefined {
  if (!isYMap(map)) return undefined;
  for (const item of map.items) {
    if (String(item.key.value) === key) return item;
  }
  return undefined;
}

export function getNode(map: unknown, key: string): YNode | undefined {
  return getPair(map, key)?.value ?? undefined;
}

/**
 * The string form of a scalar as written: plain scalars keep their source ("1.10" stays "1.10",
 * not 1.1). Null for non-scalars and null values.
 */
export function scalarText(node: unknown): string | null {
  if (!isYScalar(node)) return null;
  if (node.value === null) return null;
  if (typeof node.value === "string") return node.value;
  if (node.source !== null && node.source !== "") return node.source;
  return String(node.value);
}

export function asMap(node: unknown): YMap | null {
  return isYMap(node) ? node : null;
}

export function asSeq(node: unknown): YSeq | null {
  return isYSeq(node) ? node : null;
}

/** Map entries with string keys, in order. */
export function mapEntries(map: unknown): Array<{ key: string; keyNode: YScalar; value: YNode }> {
  if (!isYMap(map)) return [];
  return map.items.map((item) => ({ key: String(item.key.value), keyNode: item.key, value: item.value }));
}

/** Human name of a node's kind for shape warnings. */
export function kindOf(node: unknown): string {
  if (node === undefined) return "missing";
  if (isYMap(node)) return "a map";
  if (isYSeq(node)) return "a list";
  if (isYScalar(node)) return node.value === null ? "null" : `a ${typeof node.value}`;
  return "an unsupported node";
}

/** Line of a map key, falling back to the value's line. */
export function pairLine(pair: YPair | undefined): number | null {
  if (!pair) return null;
  return lineOf(pair.key) ?? lineOf(pair.value);
}
