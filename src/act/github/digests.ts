/**
 * Digests and commit SHAs for pinned declarations.
 *
 * A SHA-pinned action (`uses: actions/checkout@<40 hex> # v4.1.6`) or a digest-pinned image
 * (`python:3.12@sha256:…`) can only move to a new tag together with that tag's SHA / digest: the updaters
 * refuse otherwise (see updaters/index.ts `UpdateOptions.newDigest`). This module tells whether a
 * declaration is pinned (`detectPin`, from the file itself: it is the source of truth) and looks up the
 * new tag's SHA / digest (`resolveNewDigest`): the tag's commit through the installation Octokit, the
 * manifest digest through the registry (`digestOf` of the docker datasource).
 */
import { createDockerDatasource, parseImageName, type ImageRef } from "../../enrich/datasources/docker.js";
import { createHttpClient } from "../../enrich/http.js";
import { describeError, statusOf, type GitHubClient } from "./pulls-git.js";

const COMMIT_SHA = /^[0-9a-f]{40}$/i;
const IMAGE_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-f]{32,128}$/i;
/** An action ref pinned by SHA on one line: `owner/repo[/path]@<40 hex>` (not followed by more hex). */
const USES_SHA = /([\w.-]+\/[\w.-]+)(?:\/[^\s@'"]*)?@([0-9a-f]{40})(?![0-9a-f])/i;
/** An image digest on one line: `@sha256:<hex>` in a reference, or a helm values `digest: sha256:<hex>` key. */
const LINE_DIGEST = /@(sha256:[0-9a-f]{64})(?![0-9a-f])/i;
const DIGEST_KEY = /^\s*(?:-\s+)?["']?digest["']?\s*:\s*["']?(sha256:[0-9a-f]{64})["']?\s*(?:#.*)?$/i;
/** How far from the declaration's line a helm values `digest:` sibling key is looked for. */
const SIBLING_WINDOW = 12;

export type PinKind = "commit" | "image";

/** The pin found on a declaration: the commit SHA of an action, or the manifest digest of an image. */
export interface Pin {
  kind: PinKind;
  /** The current SHA (40 hex, lower case) or digest (`sha256:<hex>`). */
  current: string;
}

/** What pin detection and lookups need of a dependency (a Dependency or a PR marker entry fits). */
export interface PinnedTarget {
  name: string;
  package_manager: string;
  current_value: string;
  line: number | null;
  file?: string;
  /** The scan's digest / SHA pin when known (ExtractedDependency.digest). */
  digest?: string | null;
  /** Registry URL for the image (helm values `registry:`, a mirror), when known. */
  registry_url?: string | null;
}

/** The registry lookup used for image digests; the docker datasource's `digestOf` fits. */
export interface DigestSource {
  digestOf(ref: ImageRef, tag: string): Promise<string>;
}

export interface DigestLookups {
  /** Installation Octokit: tag → commit for actions. */
  octokit?: GitHubClient;
  /** Registry client: tag → manifest digest for images. */
  docker?: DigestSource;
  /** Registry for unqualified image names (config registries.docker), default Docker Hub. */
  dockerRegistry?: string;
}

export type DigestResolution =
  /** Not pinned, or the new version is itself a SHA / digest: nothing to look up. */
  | { kind: "none" }
  | { kind: PinKind; digest: string; from: string; request: string }
  | { error: string };

/** A 40-hex commit SHA. */
export function isCommitSha(v: string | null | undefined): boolean {
  return typeof v === "string" && COMMIT_SHA.test(v.trim());
}

/** An image digest `algo:hex`. */
export function isImageDigest(v: string | null | undefined): boolean {
  return typeof v === "string" && IMAGE_DIGEST.test(v.trim());
}

function lineAt(lines: readonly string[], line: number | null): string | null {
  if (line == null || line < 1 || line > lines.length) return null;
  return lines[line - 1];
}

function indentOf(text: string): number {
  return /^[ \t]*/.exec(text)![0].length;
}

/**
 * Helm values maps keep the digest in a sibling key of the dep's `repository:` line
 * (`image: {registry, repository, tag, digest}`). Look at the lines of the same indentation around it,
 * stopping where the map ends (a line indented less).
 */
function siblingDigest(lines: readonly string[], line: number): string | null {
  const own = lines[line - 1];
  const indent = indentOf(own.replace(/^(\s*)-\s+/, "$1  "));
  const look = (from: number, step: number): string | null => {
    for (let i = from, n = 0; i >= 0 && i < lines.length && n < SIBLING_WINDOW; i += step, n++) {
      const text = lines[i];
      if (text.trim() === "" || text.trim().startsWith("#")) continue;
      const ind = indentOf(text.replace(/^(\s*)-\s+/, "$1  "));
      if (ind < indent) return null;
      if (ind > indent) continue;
      const m = DIGEST_KEY.exec(text);
      if (m) return m[1].toLowerCase();
      // A list item at this indentation: going down it starts another map, going up it starts ours.
      if (/^\s*-\s/.test(text)) return null;
    }
    return null;
  };
  return look(line, 1) ?? (/^\s*-\s/.test(own) ? null : look(line - 2, -1));
}

/**
 * Is this declaration pinned by a commit SHA (actions) or an image digest? Read from the file's text at
 * the dependency's line (the file is the source of truth; a scan-time `digest` or a SHA current_value
 * counts too). Works line by line: no regex runs over the whole document.
 */
export function detectPin(dep: PinnedTarget, content: string | null): Pin | null {
  const lines = content != null ? content.split(/\r\n|\n|\r/) : [];
  const isAction = dep.package_manager === "github-actions" && /^[\w.-]+\/[\w.-]+(?:\/|$)/.test(dep.name) && !dep.name.includes(":");
  let text = lineAt(lines, dep.line);
  if (text == null && dep.line == null && lines.length > 0) {
    // No line from the scan: the only line naming this dependency with a pin, if there is exactly one.
    const repo = dep.name.split("/").slice(0, 2).join("/").toLowerCase();
    const hits = lines.filter((l) => (isAction ? USES_SHA.exec(l)?.[1].toLowerCase() === repo : l.includes(dep.name) && LINE_DIGEST.test(l)));
    if (hits.length === 1) text = hits[0];
  }
  if (isAction && text != null) {
    const m = USES_SHA.exec(text);
    if (m && m[1].toLowerCase() === dep.name.split("/").slice(0, 2).join("/").toLowerCase()) return { kind: "commit", current: m[2].toLowerCase() };
  }
  if (text != null) {
    const m = LINE_DIGEST.exec(text);
    if (m) return { kind: "image", current: m[1].toLowerCase() };
    if (dep.line != null && !isAction && (dep.file == null || /\.ya?ml$/i.test(dep.file))) {
      const sib = siblingDigest(lines, dep.line);
      if (sib) return { kind: "image", current: sib };
    }
    // The file is the source of truth: its line shows no pin.
    return null;
  }
  if (isAction && (isCommitSha(dep.digest) || isCommitSha(dep.current_value))) {
    return { kind: "commit", current: (isCommitSha(dep.digest) ? dep.digest! : dep.current_value).trim().toLowerCase() };
  }
  if (dep.digest && /^sha256:[0-9a-f]{64}$/i.test(dep.digest)) return { kind: "image", current: dep.digest.toLowerCase() };
  return null;
}

/** `owner/repo` of an action name (`actions/cache/restore` → actions/cache). */
function actionRepo(name: string): { owner: string; repo: string } | null {
  const [owner, repo] = name.split("/");
  if (!owner || !repo || !/^[\w.-]+$/.test(owner) || !/^[\w.-]+$/.test(repo)) return null;
  return { owner, repo };
}

async function tagCommit(octokit: GitHubClient, owner: string, repo: string, tag: string): Promise<{ sha: string; request: string } | { error: string; notFound: boolean }> {
  const request = `GET /repos/${owner}/${repo}/git/ref/tags/${tag}`;
  let object: { type?: string; sha?: string } | undefined;
  try {
    const res = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `tags/${tag}` });
    // A prefix match answers with an array (git/matching-refs behaviour of old API versions): refuse it.
    const data = res.data as unknown;
    if (Array.isArray(data) || typeof data !== "object" || data === null) return { error: `${request}: tag ${tag} not found (no exact ref)`, notFound: true };
    object = (data as { object?: { type?: string; sha?: string } }).object;
  } catch (e) {
    const status = statusOf(e);
    return { error: `${request}: ${status === 404 ? "tag not found" : describeError(e)}${status != null && status !== 404 ? ` (HTTP ${status})` : ""}`, notFound: status === 404 };
  }
  if (!object?.sha || !isCommitSha(object.sha)) return { error: `${request}: the answer names no object SHA`, notFound: false };
  if (object.type === "commit") return { sha: object.sha.toLowerCase(), request };
  if (object.type !== "tag") return { error: `${request}: tag ${tag} points to a ${String(object.type)}, not a commit`, notFound: false };
  // Annotated tag: the ref names the tag object; its `object` is the commit (or, rarely, another tag).
  let sha = object.sha;
  for (let depth = 0; depth < 3; depth++) {
    const req = `GET /repos/${owner}/${repo}/git/tags/${sha}`;
    let inner: { type?: string; sha?: string } | undefined;
    try {
      const res = await octokit.request("GET /repos/{owner}/{repo}/git/tags/{tag_sha}", { owner, repo, tag_sha: sha });
      inner = (res.data as { object?: { type?: string; sha?: string } }).object;
    } catch (e) {
      const status = statusOf(e);
      return { error: `${req}: ${describeError(e)}${status != null ? ` (HTTP ${status})` : ""}`, notFound: false };
    }
    if (!inner?.sha || !isCommitSha(inner.sha)) return { error: `${req}: the tag object names no target SHA`, notFound: false };
    if (inner.type === "commit") return { sha: inner.sha.toLowerCase(), request: `${request} → ${req}` };
    if (inner.type !== "tag") return { error: `${req}: tag ${tag} points to a ${String(inner.type)}, not a commit`, notFound: false };
    sha = inner.sha;
  }
  return { error: `GET /repos/${owner}/${repo}/git/tags/${sha}: tag ${tag} is nested too deeply`, notFound: false };
}

/** The image tag to look up: the new version as written (`1.25-alpine`), without a `v` guess. */
function imageTagOf(newVersion: string): string {
  const at = newVersion.indexOf("@");
  return at >= 0 ? newVersion.slice(0, at) : newVersion;
}

/**
 * The SHA / digest `newVersion` resolves to, for a pinned declaration:
 * - actions pinned by a 40-hex SHA (`dep.digest` or a SHA current_value, or a pin `detectPin` found):
 *   `GET /repos/{owner}/{repo}/git/ref/tags/{tag}` through the installation Octokit; an annotated tag
 *   (`type: "tag"`) is dereferenced with `GET /repos/{owner}/{repo}/git/tags/{sha}` → `object.sha`.
 *   A tag without its `v` (`4.2.2`) is tried as `v4.2.2` when the first is not found.
 * - images pinned by `sha256:` digest: the registry's manifest digest of the new tag (`docker.digestOf`).
 * `{ kind: "none" }` when the declaration is not pinned or `newVersion` is itself a SHA / digest (only the
 * pin changes then). Never throws: a failed lookup is `{ error }` naming the request.
 */
export async function resolveNewDigest(dep: PinnedTarget, newVersion: string, lookups: DigestLookups, pin: Pin | null = detectPin(dep, null)): Promise<DigestResolution> {
  if (!pin) return { kind: "none" };
  const where = `${dep.file ?? ""}${dep.file && dep.line != null ? `:${dep.line}` : ""}`;
  const label = `${where ? `${where}: ` : ""}${dep.name}`;
  if (pin.kind === "commit") {
    if (isCommitSha(newVersion)) return { kind: "none" };
    const repo = actionRepo(dep.name);
    if (!repo) return { error: `${label}: cannot tell the repository of action ${JSON.stringify(dep.name.slice(0, 80))}; not updated` };
    if (!lookups.octokit) return { error: `${label}: pinned by commit SHA and no GitHub client to look up tag ${newVersion}; not updated` };
    if (!/^[\w][\w.+/-]{0,200}$/.test(newVersion) || newVersion.includes("..")) return { error: `${label}: refusing tag ${JSON.stringify(newVersion.slice(0, 80))}` };
    let r = await tagCommit(lookups.octokit, repo.owner, repo.repo, newVersion);
    if ("error" in r && r.notFound && /^\d/.test(newVersion)) {
      const v = await tagCommit(lookups.octokit, repo.owner, repo.repo, `v${newVersion}`);
      if (!("error" in v)) r = v;
    }
    if ("error" in r) return { error: `${label}: could not resolve the commit SHA of ${newVersion}: ${r.error}; not updated` };
    return { kind: "commit", digest: r.sha, from: pin.current, request: r.request };
  }
  if (isImageDigest(newVersion)) return { kind: "none" };
  if (!lookups.docker) return { error: `${label}: pinned by digest and no registry client to look up tag ${newVersion}; not updated` };
  const tag = imageTagOf(newVersion);
  let ref: ImageRef;
  try {
    ref = parseImageName(dep.name, dep.registry_url ?? null, lookups.dockerRegistry);
  } catch (e) {
    return { error: `${label}: cannot read image name: ${describeError(e)}; not updated` };
  }
  const request = `HEAD ${ref.base}/v2/${ref.repository}/manifests/${tag}`;
  try {
    const digest = (await lookups.docker.digestOf(ref, tag)).trim().toLowerCase();
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return { error: `${label}: ${request}: the registry answered an invalid digest ${JSON.stringify(digest.slice(0, 80))}; not updated` };
    return { kind: "image", digest, from: pin.current, request };
  } catch (e) {
    const msg = describeError(e);
    // DatasourceError messages already start with the request.
    return { error: `${label}: could not resolve the digest of ${tag}: ${/^(?:GET|HEAD) /.test(msg) ? msg : `${request}: ${msg}`}; not updated` };
  }
}

/** Short form for PR bodies: 7 hex of a commit SHA, `sha256:` + 12 hex of an image digest. */
export function shortDigest(digest: string): string {
  const d = digest.trim();
  if (isCommitSha(d)) return d.slice(0, 7).toLowerCase();
  const colon = d.indexOf(":");
  return colon > 0 ? `${d.slice(0, colon)}:${d.slice(colon + 1, colon + 13)}` : d.slice(0, 12);
}

/**
 * The registry client used when the caller injects none: the docker datasource on an HttpClient with the
 * default SSRF guard (public registries only; a private mirror must be injected by the operator).
 * Manifest digests are never cached, so a client per call costs nothing.
 */
export function defaultDigestSource(registry?: string): DigestSource {
  return createDockerDatasource({ http: createHttpClient(), registry });
}
