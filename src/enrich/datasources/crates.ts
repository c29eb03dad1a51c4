import type { HttpClient } from "../http.js";
import type { Datasource, LookupRequest, Release, ReleaseResult } from "../types.js";
import { badShape, isoDate, isRecord, normalizeSourceUrl, str, trimSlash, unlessNotFound } from "./util.js";

export const CRATES_DEFAULT_BASE = "https://crates.io";

export interface CratesDatasourceOptions {
  http: HttpClient;
  base?: string;
}

/**
 * crates.io API. crates.io rejects requests without a User-Agent (the HttpClient always sends one)
 * and asks crawlers for at most 1 request/s: configure hostConcurrency { "crates.io": 1 }.
 */
export function createCratesDatasource(opts: CratesDatasourceOptions): Datasource {
  const defaultBase = opts.base ?? CRATES_DEFAULT_BASE;
  return {
    name: "crates",
    async getReleases(req: LookupRequest): Promise<ReleaseResult | null> {
      const base = trimSlash(req.registry_url ?? defaultBase);
      const url = `${base}/api/v1/crates/${encodeURIComponent(req.name)}`;
      const doc = await unlessNotFound(opts.http.getJson(url));
      if (doc === undefined) return null;
      return parseCrate(doc, `GET ${url}`, base);
    },
  };
}

export function parseCrate(doc: unknown, request: string, base: string): ReleaseResult {
  if (!isRecord(doc) || !isRecord(doc.crate)) throw badShape(request, "no crate object");
  const crate = doc.crate;
  const versions = Array.isArray(doc.versions) ? doc.versions.filter(isRecord) : [];
  const releases: Release[] = versions
    .filter((v) => typeof v.num === "string")
    .map((v) => ({
      version: v.num as string,
      release_date: isoDate(v.created_at),
      deprecated: false,
      yanked: v.yanked === true,
      rust_version: str(v.rust_version),
    }));
  return {
    releases,
    tag_latest: str(crate.max_stable_version) ?? str(crate.max_version),
    source_url: normalizeSourceUrl(crate.repository) ?? normalizeSourceUrl(crate.homepage),
    homepage: str(crate.homepage),
    deprecated: false,
    deprecation_message: null,
    registry_url: base,
  };
}
