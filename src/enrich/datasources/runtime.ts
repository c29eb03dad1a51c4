/**
 * Runtime versions (node-version, python-version, golang-version, rust-version) from endoflife.date's
 * API (`GET /api/<product>.json`: one entry per release cycle with its latest patch, dates and end of
 * life), the source Renovate's endoflife-date datasource also reads. One request per runtime per
 * scan (the HttpClient caches it). Each cycle contributes its latest patch as a release; a cycle past
 * its end of life marks that release deprecated, so an update moves off it.
 */
import type { DatasourceName } from "../../scan/types.js";
import type { HttpClient } from "../http.js";
import type { Datasource, LookupRequest, Release, ReleaseResult } from "../types.js";
import { badShape, isoDate, isRecord, str, trimSlash, unlessNotFound } from "./util.js";

export const ENDOFLIFE_BASE = "https://endoflife.date";

export type RuntimeDatasourceName = Extract<DatasourceName, "node-version" | "python-version" | "golang-version" | "rust-version">;

const PRODUCT: Record<RuntimeDatasourceName, { product: string; source: string; home: string }> = {
  "node-version": { product: "nodejs", source: "https://github.com/nodejs/node", home: "https://nodejs.org" },
  "python-version": { product: "python", source: "https://github.com/python/cpython", home: "https://www.python.org" },
  "golang-version": { product: "go", source: "https://github.com/golang/go", home: "https://go.dev" },
  "rust-version": { product: "rust", source: "https://github.com/rust-lang/rust", home: "https://www.rust-lang.org" },
};

export interface RuntimeDatasourceOptions {
  http: HttpClient;
  base?: string;
  now?: () => number;
}

export function createRuntimeDatasource(name: RuntimeDatasourceName, opts: RuntimeDatasourceOptions): Datasource {
  const base = trimSlash(opts.base ?? ENDOFLIFE_BASE);
  const now = opts.now ?? Date.now;
  return {
    name,
    async getReleases(_req: LookupRequest): Promise<ReleaseResult | null> {
      const { product, source, home } = PRODUCT[name];
      const url = `${base}/api/${product}.json`;
      const doc = await unlessNotFound(opts.http.getJson(url));
      if (doc === undefined) return null;
      return parseCycles(doc, `GET ${url}`, name, now(), { registry_url: url, source_url: source, homepage: home });
    },
  };
}

/** endoflife.date cycles → releases; `tag_latest` is the newest supported cycle's patch (Node.js: the newest LTS). */
export function parseCycles(
  doc: unknown,
  request: string,
  name: RuntimeDatasourceName,
  nowMs: number,
  meta: { registry_url: string; source_url: string; homepage: string },
): ReleaseResult {
  if (!Array.isArray(doc)) throw badShape(request, "expected a list of release cycles");
  const releases: Release[] = [];
  let tagLatest: string | null = null;
  for (const c of doc.slice(0, 500)) {
    if (!isRecord(c)) continue;
    const latest = str(c.latest);
    if (latest === null || !/^\d+(\.\d+)*$/.test(latest)) continue;
    const eol = c.eol;
    const ended = eol === true || (typeof eol === "string" && Date.parse(eol) <= nowMs);
    releases.push({
      version: latest,
      release_date: isoDate(c.latestReleaseDate) ?? isoDate(c.releaseDate),
      deprecated: ended,
      deprecation_message: ended ? `${name.replace(/-version$/, "")} ${String(c.cycle)} reached its end of life` : null,
      yanked: false,
    });
    // Node.js: odd "Current" lines are never LTS; the newest LTS is what projects move to.
    const eligible = !ended && (name !== "node-version" || Boolean(c.lts));
    if (tagLatest === null && eligible) tagLatest = latest;
  }
  return { releases, tag_latest: tagLatest, source_url: meta.source_url, homepage: meta.homepage, deprecated: false, deprecation_message: null, registry_url: meta.registry_url };
}
