import { createHash } from "node:crypto";
import type { HttpClient, HttpResponse } from "../http.js";
import { DatasourceError, type Datasource, type LookupRequest, type ReleaseResult } from "../types.js";
import { isNotFound, isRecord, str } from "./util.js";

export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";
const HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);
const MAX_PAGES = 50;

export const DOCKER_HUB_API = "https://hub.docker.com";

export interface DockerDatasourceOptions {
  http: HttpClient;
  /** Registry host (or URL) used for unqualified image names: a Docker Hub mirror. */
  registry?: string;
  now?: () => number;
  /** Docker Hub's own API (tag dates), default https://hub.docker.com. */
  hubApi?: string;
}

export interface ImageRef {
  /** Registry host[:port]. */
  registry: string;
  /** Base URL, https unless the configured registry URL says http. */
  base: string;
  repository: string;
}

function hostOf(registry: string): { host: string; base: string } {
  const r = registry.trim().replace(/^oci:\/\//, "https://");
  if (/^https?:\/\//.test(r)) {
    const u = new URL(r);
    const path = u.pathname.replace(/\/+$/, "");
    return { host: u.host + path, base: `${u.protocol}//${u.host}` };
  }
  const host = r.replace(/\/+$/, "");
  return { host, base: `https://${host.split("/")[0]}` };
}

/**
 * Split an image reference into registry and repository. `nginx` → registry-1.docker.io +
 * library/nginx; `ghcr.io/o/img` → ghcr.io + o/img; `localhost:5000/x` → localhost:5000 + x.
 * Tags and digests on the name are dropped.
 */
export function parseImageName(name: string, registryUrl: string | null, defaultRegistry = DOCKER_HUB_REGISTRY): ImageRef {
  let n = name.trim().replace(/@sha256:[0-9a-f]+$/i, "");
  const lastSlash = n.lastIndexOf("/");
  const colon = n.indexOf(":", lastSlash + 1);
  if (colon > 0) n = n.slice(0, colon);
  let registry: string;
  let base: string;
  let repository: string;
  let unqualified = false;
  if (registryUrl) {
    const h = hostOf(registryUrl);
    // The registry URL may carry a path prefix (oci://host/charts); the repository continues it.
    const [host, ...prefix] = h.host.split("/");
    registry = host;
    base = h.base;
    // The name may repeat the registry host, or name Docker Hub by another of its aliases
    // (`registry-1.docker.io/bitnamicharts/redis` with registry `docker.io`): never twice in the URL.
    const first = n.includes("/") ? n.slice(0, n.indexOf("/")) : "";
    const sameHost = first !== "" && (first === host || (HUB_ALIASES.has(first) && HUB_ALIASES.has(host)));
    const stripped = sameHost ? n.slice(first.length + 1) : n;
    repository = [...prefix, stripped].filter(Boolean).join("/");
  } else {
    const first = n.split("/")[0];
    if (n.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
      registry = first;
      base = `https://${first}`;
      repository = n.slice(first.length + 1);
    } else {
      const h = hostOf(defaultRegistry);
      unqualified = true;
      registry = h.host.split("/")[0];
      base = h.base;
      repository = n;
    }
  }
  if (HUB_ALIASES.has(registry)) {
    registry = DOCKER_HUB_REGISTRY;
    base = `https://${DOCKER_HUB_REGISTRY}`;
  }
  // Official images live under library/ on Docker Hub and on Hub mirrors used for unqualified names.
  if ((registry === DOCKER_HUB_REGISTRY || unqualified) && !repository.includes("/")) {
    repository = `library/${repository}`;
  }
  return { registry, base, repository };
}

/** Parse `Bearer realm="...",service="...",scope="..."`. */
export function parseWwwAuthenticate(header: string): { scheme: string; params: Record<string, string> } | null {
  const m = /^\s*(\w+)\s+(.*)$/.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null) params[p[1].toLowerCase()] = p[2] ?? p[3] ?? "";
  return { scheme: m[1].toLowerCase(), params };
}

/** Next page URL from an RFC 5988 Link header. */
export function nextLink(link: string | undefined, base: string): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return new URL(m[1], base).toString();
  }
  return null;
}

/** The ISO date of a Docker Hub tag document: when the tag was last pushed, else last updated. */
export function hubTagDate(doc: unknown): string | null {
  if (!isRecord(doc)) return null;
  for (const key of ["tag_last_pushed", "last_updated"] as const) {
    const v = str(doc[key]);
    if (v && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  }
  return null;
}

/** Docker Hub API URL of one tag, or null when the image is not on Docker Hub itself. */
export function hubTagUrl(ref: ImageRef, tag: string, hubApi = DOCKER_HUB_API): string | null {
  if (ref.registry !== DOCKER_HUB_REGISTRY) return null;
  const parts = ref.repository.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1] || !tag) return null;
  const enc = encodeURIComponent;
  return `${hubApi.replace(/\/+$/, "")}/v2/namespaces/${enc(parts[0])}/repositories/${enc(parts[1])}/tags/${enc(tag)}`;
}

/**
 * Accept header of a manifest request: multi-arch indexes first (OCI image index, Docker manifest list),
 * then single-platform manifests. A registry answers with the first it has, and the digest pinned in
 * manifests (`img:tag@sha256:…`) is the digest of exactly that document.
 */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** Tag grammar of the distribution spec: a tag is a URL path segment as is. */
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/**
 * Docker Registry HTTP API v2 / OCI distribution tags list, with anonymous bearer-token auth.
 * The tags list carries no dates, so release_date is null in getReleases; releaseDates reads the
 * dates of a few tags from Docker Hub's own API (hub.docker.com, images on Docker Hub only: OCI
 * registries have no standard tag date). Versioning of tags is left to dockerVersioning, which keeps
 * the tag's variant.
 */
export function createDockerDatasource(opts: DockerDatasourceOptions): Datasource & {
  listTags(ref: ImageRef): Promise<string[] | null>;
  digestOf(ref: ImageRef, tag: string): Promise<string>;
  releaseDates(req: LookupRequest, versions: readonly string[]): Promise<Map<string, string | null>>;
} {
  const hubApi = opts.hubApi ?? DOCKER_HUB_API;
  const now = opts.now ?? Date.now;
  const tokens = new Map<string, { token: string; expiresAt: number }>();
  const defaultRegistry = opts.registry ?? DOCKER_HUB_REGISTRY;

  async function fetchToken(challenge: string, request: string): Promise<string> {
    const parsed = parseWwwAuthenticate(challenge);
    if (!parsed || parsed.scheme !== "bearer" || !parsed.params.realm) {
      throw new DatasourceError(`${request}: registry requires ${parsed?.scheme ?? "unknown"} authentication; only anonymous bearer tokens are supported`, request, 401);
    }
    const realm = new URL(parsed.params.realm);
    if (parsed.params.service) realm.searchParams.set("service", parsed.params.service);
    if (parsed.params.scope) realm.searchParams.set("scope", parsed.params.scope);
    const key = realm.toString();
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > now()) return cached.token;
    const doc = await opts.http.getJson(key, { cache: false });
    const token = isRecord(doc) ? (str(doc.token) ?? str(doc.access_token)) : null;
    if (!token) throw new DatasourceError(`GET ${realm.origin}${realm.pathname}: token response has no token`, `GET ${realm.origin}${realm.pathname}`, 200);
    const ttl = isRecord(doc) && typeof doc.expires_in === "number" ? doc.expires_in : 60;
    tokens.set(key, { token, expiresAt: now() + Math.max(10, ttl - 10) * 1000 });
    return token;
  }

  async function getPage(url: string, tokenKey: { token: string | null }): Promise<{ tags: string[]; next: string | null }> {
    const request = `GET ${url}`;
    const call = () =>
      opts.http.request(url, {
        headers: tokenKey.token ? { authorization: `Bearer ${tokenKey.token}` } : {},
        // Anonymous tokens are interchangeable: cache by URL regardless of the token.
        authScope: "docker-anonymous",
        acceptStatus: [401],
      });
    let res = await call();
    if (res.status === 401) {
      tokenKey.token = await fetchToken(res.headers["www-authenticate"] ?? "", request);
      res = await call();
      if (res.status === 401) throw new DatasourceError(`${request}: HTTP 401 even with an anonymous token (private image?)`, request, 401);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(res.body);
    } catch (err) {
      throw new DatasourceError(`${request}: malformed response body (json): ${(err as Error).message}`, request, res.status);
    }
    if (!isRecord(doc)) throw new DatasourceError(`${request}: unexpected response`, request, res.status);
    const tags = Array.isArray(doc.tags) ? doc.tags.filter((t): t is string => typeof t === "string") : [];
    return { tags, next: nextLink(res.headers.link, url) };
  }

  /**
   * One registry request with the anonymous bearer-token flow: a 401 with a Bearer challenge fetches a
   * token (cached by realm + scope) and the request is made again once with it.
   */
  async function authedRequest(url: string, method: "GET" | "HEAD", headers: Record<string, string>, acceptStatus: number[] = []): Promise<HttpResponse> {
    const request = `${method} ${url}`;
    let token: string | null = null;
    const call = () =>
      opts.http.request(url, {
        method,
        headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
        authScope: "docker-anonymous",
        // Tags move: a manifest digest is always asked afresh.
        cache: false,
        acceptStatus: [401, ...acceptStatus],
      });
    let res = await call();
    if (res.status === 401) {
      token = await fetchToken(res.headers["www-authenticate"] ?? "", request);
      res = await call();
      if (res.status === 401) throw new DatasourceError(`${request}: HTTP 401 even with an anonymous token (private image?)`, request, 401);
    }
    return res;
  }

  /**
   * The manifest digest a tag points to (`sha256:<64 hex>`), as `img:tag@digest` pins record it:
   * `HEAD /v2/<repo>/manifests/<tag>` with the index + manifest media types in Accept, read from the
   * `Docker-Content-Digest` header. When HEAD is refused (405) or carries no digest header, the manifest
   * is fetched with GET and its digest is the header or, failing that, the sha256 of the body.
   * Throws DatasourceError naming the request (404: the tag does not exist).
   */
  async function digestOf(ref: ImageRef, tag: string): Promise<string> {
    const url = `${ref.base}/v2/${ref.repository}/manifests/${encodeURIComponent(tag)}`;
    if (!TAG_RE.test(tag)) throw new DatasourceError(`GET ${url}: invalid tag ${JSON.stringify(tag.slice(0, 80))}`, `GET ${url}`, null);
    const headers = { accept: MANIFEST_ACCEPT };
    const fromHeader = (res: HttpResponse): string | null => {
      const d = (res.headers["docker-content-digest"] ?? "").trim().toLowerCase();
      return DIGEST_RE.test(d) ? d : null;
    };
    const notFound = (method: string, res: HttpResponse): DatasourceError =>
      new DatasourceError(`${method} ${url}: tag ${tag} of ${ref.registry}/${ref.repository} not found (HTTP ${res.status})`, `${method} ${url}`, res.status);
    const head = await authedRequest(url, "HEAD", headers, [404, 405]);
    if (head.status === 404) throw notFound("HEAD", head);
    const d = head.status !== 405 ? fromHeader(head) : null;
    if (d) return d;
    const get = await authedRequest(url, "GET", headers, [404]);
    if (get.status === 404) throw notFound("GET", get);
    const g = fromHeader(get);
    if (g) return g;
    if (get.body.trim() === "") throw new DatasourceError(`GET ${url}: no Docker-Content-Digest header and an empty manifest`, `GET ${url}`, get.status);
    // The digest of a manifest is the sha256 of its bytes (JSON manifests are UTF-8, read back losslessly).
    return `sha256:${createHash("sha256").update(Buffer.from(get.body, "utf8")).digest("hex")}`;
  }

  async function listTags(ref: ImageRef): Promise<string[] | null> {
    const tokenKey = { token: null as string | null };
    let url: string | null = `${ref.base}/v2/${ref.repository}/tags/list?n=1000`;
    const all: string[] = [];
    for (let page = 0; url && page < MAX_PAGES; page++) {
      try {
        const r = await getPage(url, tokenKey);
        all.push(...r.tags);
        url = r.next;
      } catch (err) {
        if (page === 0 && isNotFound(err)) return null;
        throw err;
      }
    }
    return [...new Set(all)];
  }

  /** Date of one Docker Hub tag; null when the tag is unknown (404). Other errors propagate. */
  async function hubTagDateOf(url: string): Promise<string | null> {
    try {
      return hubTagDate(await opts.http.getJson(url));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  return {
    name: "docker",
    listTags,
    digestOf,
    async releaseDates(req: LookupRequest, versions: readonly string[]): Promise<Map<string, string | null>> {
      const ref = parseImageName(req.name, req.registry_url, defaultRegistry);
      const out = new Map<string, string | null>();
      const urls = new Map<string, string>();
      for (const v of new Set(versions)) {
        const url = hubTagUrl(ref, v, hubApi);
        if (url) urls.set(v, url);
        else out.set(v, null);
      }
      const dates = await Promise.all([...urls].map(async ([v, url]) => [v, await hubTagDateOf(url)] as const));
      for (const [v, d] of dates) out.set(v, d);
      return out;
    },
    async getReleases(req: LookupRequest): Promise<ReleaseResult | null> {
      const ref = parseImageName(req.name, req.registry_url, defaultRegistry);
      const tags = await listTags(ref);
      if (tags === null) return null;
      const hub = ref.registry === DOCKER_HUB_REGISTRY;
      const hubPath = ref.repository.startsWith("library/") ? `_/${ref.repository.slice(8)}` : `r/${ref.repository}`;
      return {
        releases: tags.map((t) => ({ version: t, release_date: null, deprecated: false, yanked: false })),
        tag_latest: null,
        source_url: null,
        homepage: hub ? `https://hub.docker.com/${hubPath}` : null,
        deprecated: false,
        deprecation_message: null,
        registry_url: `${ref.base}/v2/${ref.repository}`,
      };
    },
  };
}
