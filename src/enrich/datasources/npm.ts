import type { HttpClient } from "../http.js";
import type { Datasource, LookupRequest, Release, ReleaseResult } from "../types.js";
import { badShape, isoDate, isRecord, normalizeSourceUrl, str, trimSlash, unlessNotFound } from "./util.js";

export const NPM_DEFAULT_REGISTRY = "https://registry.npmjs.org";

export interface NpmDatasourceOptions {
  http: HttpClient;
  /** Registry (or mirror) base URL. */
  registry?: string;
}

/** "@scope/name" → "@scope%2fname"; unscoped names are URL-encoded as a single path segment. */
export function npmPackageUrl(registry: string, name: string): string {
  const encoded = name.startsWith("@") ? "@" + encodeURIComponent(name.slice(1)).replace(/%2F/g, "%2f") : encodeURIComponent(name);
  return `${trimSlash(registry)}/${encoded}`;
}

/**
 * npm registry. Uses the FULL packument (Accept: application/json): the abbreviated "corgi"
 * document lacks `time` (release dates) and `repository`, both of which we need. Full packuments of
 * very popular packages are large (several MB); the shared cache keeps one copy per TTL.
 */
export function createNpmDatasource(opts: NpmDatasourceOptions): Datasource {
  const defaultRegistry = opts.registry ?? NPM_DEFAULT_REGISTRY;
  return {
    name: "npm",
    async getReleases(req: LookupRequest): Promise<ReleaseResult | null> {
      const registry = trimSlash(req.registry_url ?? defaultRegistry);
      const url = npmPackageUrl(registry, req.name);
      const doc = await unlessNotFound(opts.http.getJson(url, { headers: { accept: "application/json" } }));
      if (doc === undefined) return null;
      return parseNpmPackument(doc, `GET ${url}`, registry);
    },
  };
}

export function parseNpmPackument(doc: unknown, request: string, registry: string): ReleaseResult {
  if (!isRecord(doc)) throw badShape(request, "packument is not an object");
  const versions = isRecord(doc.versions) ? doc.versions : {};
  const time = isRecord(doc.time) ? doc.time : {};
  const distTags = isRecord(doc["dist-tags"]) ? doc["dist-tags"] : {};
  const releases: Release[] = [];
  for (const [version, meta] of Object.entries(versions)) {
    const m = isRecord(meta) ? meta : {};
    const deprecated = typeof m.deprecated === "string" && m.deprecated.length > 0;
    const engines = isRecord(m.engines) ? m.engines : {};
    releases.push({
      version,
      release_date: isoDate(time[version]),
      deprecated,
      deprecation_message: deprecated ? (m.deprecated as string) : null,
      yanked: false,
      node_engines: str(engines.node),
    });
  }
  const tagLatest = str(distTags.latest);
  const latestRelease = releases.find((r) => r.version === tagLatest);
  const repo = isRecord(doc.repository) ? doc.repository.url : doc.repository;
  const latestMeta = tagLatest && isRecord(versions[tagLatest]) ? (versions[tagLatest] as Record<string, unknown>) : {};
  const repoOfLatest = isRecord(latestMeta.repository) ? latestMeta.repository.url : latestMeta.repository;
  return {
    releases,
    tag_latest: tagLatest,
    source_url: normalizeSourceUrl(repo) ?? normalizeSourceUrl(repoOfLatest) ?? normalizeSourceUrl(doc.homepage),
    homepage: str(doc.homepage) ?? str(latestMeta.homepage),
    deprecated: latestRelease?.deprecated ?? false,
    deprecation_message: latestRelease?.deprecation_message ?? null,
    registry_url: registry,
  };
}
