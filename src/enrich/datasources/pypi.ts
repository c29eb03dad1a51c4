import type { HttpClient } from "../http.js";
import type { Datasource, LookupRequest, Release, ReleaseResult } from "../types.js";
import { badShape, isoDate, isRecord, normalizeSourceUrl, str, trimSlash, unlessNotFound } from "./util.js";

export const PYPI_DEFAULT_BASE = "https://pypi.org";

export interface PypiDatasourceOptions {
  http: HttpClient;
  /** Base URL serving the PyPI JSON API at {base}/pypi/{name}/json (pypi.org, devpi, Artifactory...). */
  base?: string;
}

/** PEP 503 normalised project name. */
export function normalizePypiName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, "-");
}

const SOURCE_KEYS = /^(source|source code|sourcecode|repository|repo|code|github|git|homepage|home)$/i;
const INACTIVE = "Development Status :: 7 - Inactive";

export function createPypiDatasource(opts: PypiDatasourceOptions): Datasource {
  const defaultBase = opts.base ?? PYPI_DEFAULT_BASE;
  return {
    name: "pypi",
    async getReleases(req: LookupRequest): Promise<ReleaseResult | null> {
      // A manifest's index URL often ends in /simple (PEP 503); the JSON API lives beside it.
      const base = trimSlash((req.registry_url ?? defaultBase).replace(/\/simple\/?$/, ""));
      const url = `${base}/pypi/${encodeURIComponent(normalizePypiName(req.name))}/json`;
      const doc = await unlessNotFound(opts.http.getJson(url));
      if (doc === undefined) return null;
      return parsePypiProject(doc, `GET ${url}`, base);
    },
  };
}

export function parsePypiProject(doc: unknown, request: string, base: string): ReleaseResult {
  if (!isRecord(doc) || !isRecord(doc.info)) throw badShape(request, "no info object");
  const info = doc.info;
  const releasesObj = isRecord(doc.releases) ? doc.releases : {};
  const releases: Release[] = [];
  for (const [version, files] of Object.entries(releasesObj)) {
    if (!Array.isArray(files) || files.length === 0) continue; // no installable files
    const fileRecs = files.filter(isRecord);
    const times = fileRecs
      .map((f) => isoDate(f.upload_time_iso_8601 ?? f.upload_time))
      .filter((t): t is string => t !== null)
      .sort();
    const yanked = fileRecs.length > 0 && fileRecs.every((f) => f.yanked === true);
    const reason = fileRecs.map((f) => str(f.yanked_reason)).find((r) => r !== null) ?? null;
    releases.push({
      version,
      release_date: times[0] ?? null,
      deprecated: false,
      deprecation_message: yanked ? reason : null,
      yanked,
      requires_python: fileRecs.map((f) => str(f.requires_python)).find((r) => r !== null) ?? null,
    });
  }
  const projectUrls = isRecord(info.project_urls) ? info.project_urls : {};
  let source: string | null = null;
  for (const [k, v] of Object.entries(projectUrls)) {
    if (SOURCE_KEYS.test(k.trim())) source ??= normalizeSourceUrl(v);
  }
  if (!source) for (const v of Object.values(projectUrls)) source ??= normalizeSourceUrl(v);
  source ??= normalizeSourceUrl(info.home_page);
  const classifiers = Array.isArray(info.classifiers) ? info.classifiers : [];
  const inactive = classifiers.includes(INACTIVE);
  const homepage =
    str(info.home_page) ??
    Object.entries(projectUrls)
      .filter(([k]) => /^home ?page$/i.test(k))
      .map(([, v]) => str(v))
      .find((v) => v !== null) ??
    null;
  return {
    releases,
    tag_latest: str(info.version),
    source_url: source,
    homepage,
    deprecated: inactive,
    deprecation_message: inactive ? `classifier "${INACTIVE}"` : null,
    registry_url: base,
  };
}
