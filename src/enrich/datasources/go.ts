import semver from "semver";
import type { HttpClient } from "../http.js";
import type { Datasource, LookupRequest, Release, ReleaseResult } from "../types.js";
import { isoDate, isRecord, str, trimSlash, unlessNotFound } from "./util.js";

export const GO_DEFAULT_PROXY = "https://proxy.golang.org";

export interface GoDatasourceOptions {
  http: HttpClient;
  /** One GOPROXY URL (no "direct", no comma list). */
  proxy?: string;
}

/** GOPROXY case-encoding: each upper-case letter becomes "!" + its lower-case form. */
export function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => "!" + c.toLowerCase());
}

/** https://github.com/o/r for github.com/o/r[/sub], golang.org/x/NAME → github.com/golang/NAME. */
export function goModuleSourceUrl(module: string): string | null {
  const p = module.split("/");
  if ((p[0] === "github.com" || p[0] === "gitlab.com" || p[0] === "bitbucket.org") && p.length >= 3) {
    return `https://${p[0]}/${p[1]}/${p[2]}`;
  }
  if (p[0] === "golang.org" && p[1] === "x" && p[2]) return `https://github.com/golang/${p[2]}`;
  return null;
}

function clean(v: string): string | null {
  const s = semver.valid(v.replace(/^v/, ""), { loose: false });
  return s;
}

/**
 * Go module proxy. `@v/list` gives every tagged version without dates; `.info` gives one version's
 * Time. To stay frugal we fetch `.info` only for the highest version and the current one (2 small
 * requests), and fall back to `@latest` when the list is empty (pseudo-version-only modules).
 * Releases other than those two carry release_date null.
 */
export function createGoDatasource(opts: GoDatasourceOptions): Datasource {
  const defaultProxy = opts.proxy ?? GO_DEFAULT_PROXY;
  return {
    name: "go",
    async getReleases(req: LookupRequest): Promise<ReleaseResult | null> {
      const proxy = trimSlash(req.registry_url ?? defaultProxy);
      const modulePath = req.name.trim();
      const base = `${proxy}/${escapeModulePath(modulePath)}/@v`;
      const listBody = await unlessNotFound(opts.http.getText(`${base}/list`));
      if (listBody === undefined) return null;
      const versions = [...new Set(listBody.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && clean(l)))];
      const dates = new Map<string, string | null>();
      let tagLatest: string | null = null;
      if (versions.length === 0) {
        const latest = await infoAt(opts.http, `${proxy}/${escapeModulePath(modulePath)}/@latest`);
        if (latest) {
          versions.push(latest.version);
          dates.set(latest.version, latest.time);
          tagLatest = latest.version;
        }
      } else {
        const sorted = [...versions].sort((a, b) => semver.compare(clean(a)!, clean(b)!));
        const stable = sorted.filter((v) => semver.prerelease(clean(v)!) === null);
        const pool = stable.length ? stable : sorted;
        const highest = pool[pool.length - 1];
        tagLatest = highest;
        const wanted = new Set([highest]);
        if (versions.includes(req.current_value)) wanted.add(req.current_value);
        await Promise.all(
          [...wanted].map(async (v) => {
            const i = await infoAt(opts.http, `${base}/${encodeURIComponent(v)}.info`);
            dates.set(v, i?.time ?? null);
          }),
        );
      }
      const releases: Release[] = versions.map((v) => ({
        version: v,
        release_date: dates.get(v) ?? null,
        deprecated: false,
        yanked: false,
      }));
      const source = goModuleSourceUrl(modulePath);
      return {
        releases,
        tag_latest: tagLatest,
        source_url: source,
        homepage: `https://pkg.go.dev/${modulePath}`,
        deprecated: false,
        deprecation_message: null,
        registry_url: proxy,
      };
    },
  };
}

async function infoAt(http: HttpClient, url: string): Promise<{ version: string; time: string | null } | null> {
  const doc = await unlessNotFound(http.getJson(url));
  if (!isRecord(doc) || !str(doc.Version)) return null;
  return { version: doc.Version as string, time: isoDate(doc.Time) };
}
