import type { HttpClient } from "../http.js";
import type { DatasourceName } from "../../scan/types.js";
import { isRecord, trimSlash, unlessNotFound } from "./util.js";
import { NPM_DEFAULT_REGISTRY, npmPackageUrl } from "./npm.js";

/** What a registry says one version of a package requires: dependency name → requirement. */
export type VersionRequirements = Map<string, Map<string, string>>;

/** One published version's artefact facts, for editing a lockfile entry in place. */
export interface ArtefactFacts {
  version: string;
  /** npm: dist.tarball; crates: the download URL. */
  resolved: string | null;
  /** npm: dist.integrity (sha512 SRI); crates: sha256 hex of the .crate (the index's cksum). */
  integrity: string | null;
}

/**
 * Per-version requirements and artefact facts from the registry (or its mirror): the npm packument
 * (`versions[v].dependencies`, `dist`) and the crates.io sparse index (`deps[].req`, `cksum`).
 * Other ecosystems answer null (not fetched): the caller says so instead of guessing.
 */
export interface RequirementSource {
  requirements(datasource: DatasourceName, name: string): Promise<VersionRequirements | null>;
  artefact(datasource: DatasourceName, name: string, version: string): Promise<ArtefactFacts | null>;
}

export const CRATES_INDEX_DEFAULT = "https://index.crates.io";

/** Sparse index path: 1/a, 2/ab, 3/a/abc, ab/cd/abcd… (lower-cased). */
export function cratesIndexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length === 1) return `1/${n}`;
  if (n.length === 2) return `2/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

interface IndexLine {
  vers: string;
  cksum: string | null;
  deps: Map<string, string>;
}

/** Parse sparse-index lines; lines that are not JSON objects are skipped. Dev-dependencies never reach a dependent. */
export function parseCratesIndex(body: string, maxLines = 20_000): IndexLine[] {
  const out: IndexLine[] = [];
  for (const line of body.split("\n").slice(0, maxLines)) {
    if (!line.trim()) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(doc) || typeof doc.vers !== "string") continue;
    const deps = new Map<string, string>();
    for (const d of Array.isArray(doc.deps) ? doc.deps : []) {
      if (!isRecord(d) || d.kind === "dev" || typeof d.req !== "string") continue;
      const name = typeof d.package === "string" ? d.package : typeof d.name === "string" ? d.name : null;
      if (name) deps.set(name, d.req);
    }
    out.push({ vers: doc.vers, cksum: typeof doc.cksum === "string" ? doc.cksum : null, deps });
  }
  return out;
}

export interface RequirementSourceOptions {
  http: HttpClient;
  /** npm registry or mirror base URL. */
  npmRegistry?: string;
  /** crates sparse index or mirror base URL. */
  cratesIndex?: string;
  /** crates download base, for the `resolved` of an artefact (default https://static.crates.io/crates). */
  cratesDownload?: string;
}

export function createRequirementSource(opts: RequirementSourceOptions): RequirementSource {
  const npmBase = trimSlash(opts.npmRegistry ?? NPM_DEFAULT_REGISTRY);
  const cratesBase = trimSlash(opts.cratesIndex ?? CRATES_INDEX_DEFAULT);
  const download = trimSlash(opts.cratesDownload ?? "https://static.crates.io/crates");
  const packument = async (name: string): Promise<Record<string, unknown> | null> => {
    const doc = await unlessNotFound(opts.http.getJson(npmPackageUrl(npmBase, name), { headers: { accept: "application/json" } }));
    return isRecord(doc) ? doc : null;
  };
  const index = async (name: string): Promise<IndexLine[] | null> => {
    const body = await unlessNotFound(opts.http.getText(`${cratesBase}/${cratesIndexPath(name)}`));
    return body === undefined ? null : parseCratesIndex(body);
  };
  return {
    async requirements(datasource, name) {
      if (datasource === "npm") {
        const doc = await packument(name);
        if (!doc || !isRecord(doc.versions)) return null;
        const out: VersionRequirements = new Map();
        for (const [v, meta] of Object.entries(doc.versions)) {
          if (!isRecord(meta)) continue;
          const deps = new Map<string, string>();
          for (const field of ["peerDependencies", "optionalDependencies", "dependencies"]) {
            const d = meta[field];
            if (isRecord(d)) for (const [k, r] of Object.entries(d)) if (typeof r === "string") deps.set(k, r);
          }
          out.set(v, deps);
        }
        return out;
      }
      if (datasource === "crates") {
        const lines = await index(name);
        if (!lines) return null;
        return new Map(lines.map((l) => [l.vers, l.deps]));
      }
      return null;
    },
    async artefact(datasource, name, version) {
      if (datasource === "npm") {
        const doc = await packument(name);
        const meta = doc && isRecord(doc.versions) ? doc.versions[version] : undefined;
        const dist = isRecord(meta) && isRecord(meta.dist) ? meta.dist : null;
        if (!dist) return null;
        return {
          version,
          resolved: typeof dist.tarball === "string" ? dist.tarball : null,
          integrity: typeof dist.integrity === "string" ? dist.integrity : null,
        };
      }
      if (datasource === "crates") {
        const line = (await index(name))?.find((l) => l.vers === version);
        if (!line) return null;
        return { version, resolved: `${download}/${name}/${name}-${version}.crate`, integrity: line.cksum };
      }
      return null;
    },
  };
}
