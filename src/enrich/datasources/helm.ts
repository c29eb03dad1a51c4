import { parse as parseYaml } from "yaml";
import type { HttpClient } from "../http.js";
import { DatasourceError, type Datasource, type LookupRequest, type Release, type ReleaseResult } from "../types.js";
import { isoDate, isRecord, normalizeSourceUrl, str, trimSlash, unlessNotFound } from "./util.js";

export interface HelmDatasourceOptions {
  http: HttpClient;
  /** Resolves oci:// chart repositories (charts stored as OCI artifacts). */
  oci?: Datasource;
  /** Used when a dependency names no repository. */
  defaultRepository?: string;
}

interface HelmChart {
  releases: Release[];
  sources: string[];
  home: string | null;
}

/** Reduce index.yaml to what we use, so the cached parsed form is small. */
export function parseHelmIndex(body: string): Record<string, HelmChart> {
  const doc: unknown = parseYaml(body, { maxAliasCount: 1000 });
  if (!isRecord(doc) || !isRecord(doc.entries)) throw new Error("index.yaml has no entries map");
  const out: Record<string, HelmChart> = Object.create(null) as Record<string, HelmChart>;
  for (const [name, list] of Object.entries(doc.entries)) {
    if (!Array.isArray(list)) continue;
    const items = list.filter(isRecord);
    const releases: Release[] = items
      .filter((e) => str(e.version) !== null || typeof e.version === "number")
      .map((e) => ({
        version: String(e.version),
        release_date: isoDate(e.created),
        deprecated: e.deprecated === true,
        yanked: false,
      }));
    // Entries are newest first in helm-generated indexes; take metadata from the first.
    const first = items[0] ?? {};
    out[name] = {
      releases,
      sources: Array.isArray(first.sources) ? first.sources.filter((s): s is string => typeof s === "string") : [],
      home: str(first.home),
    };
  }
  return out;
}

/**
 * Helm chart repositories: GET {repo}/index.yaml, parsed once per body (the HttpClient memoises
 * the parsed form on its cache entry, so hundreds of charts from one repository cost one parse).
 */
export function createHelmDatasource(opts: HelmDatasourceOptions): Datasource {
  return {
    name: "helm",
    async getReleases(req: LookupRequest): Promise<ReleaseResult | null> {
      const repo = req.registry_url ?? opts.defaultRepository ?? null;
      if (!repo) throw new DatasourceError(`helm chart ${req.name.slice(0, 200)}: no repository URL`, "GET ?/index.yaml", null);
      if (repo.startsWith("oci://")) {
        if (!opts.oci) throw new DatasourceError(`${repo}: OCI chart repositories need the docker datasource`, `GET ${repo}`, null);
        return opts.oci.getReleases({ ...req, datasource: "docker", registry_url: repo });
      }
      const base = trimSlash(repo);
      const url = `${base}/index.yaml`;
      const index = await unlessNotFound(opts.http.getParsed(url, "helm-index", parseHelmIndex));
      if (index === undefined) return null;
      const chart = Object.prototype.hasOwnProperty.call(index, req.name) ? index[req.name] : undefined;
      if (!chart) return null;
      const latest = chart.releases[0];
      let source: string | null = null;
      for (const s of chart.sources) source ??= normalizeSourceUrl(s);
      source ??= normalizeSourceUrl(chart.home);
      return {
        releases: chart.releases,
        tag_latest: null,
        source_url: source,
        homepage: chart.home,
        deprecated: latest?.deprecated ?? false,
        deprecation_message: latest?.deprecated ? "chart marked deprecated in index.yaml" : null,
        registry_url: base,
      };
    },
  };
}
