import type { HttpClient } from "../http.js";
import type { DatasourceName } from "../../scan/types.js";
import { isRecord, trimSlash, unlessNotFound } from "./util.js";
import { NPM_DEFAULT_REGISTRY, npmPackageUrl } from "./npm.js";
import { normalizePyName, parsePep508 } from "../../scan/managers/pip/pep508.js";
import { escapeModulePath, GO_DEFAULT_PROXY } from "./go.js";
import { PYPI_DEFAULT_BASE } from "./pypi.js";

/** What a registry says one version of a package requires: dependency name → requirement. */
export type VersionRequirements = Map<string, Map<string, string>>;

/** One file of a PyPI release (poetry.lock `files`, uv.lock `sdist` / `wheels`). */
export interface PypiFile {
  filename: string;
  url: string;
  /** Hex sha256 from the JSON API's `digests`. */
  sha256: string;
  size: number | null;
  upload_time: string | null;
  /** "sdist" or "bdist_wheel". */
  packagetype: string;
}

/** One published version's artefact facts, for editing a lockfile entry in place. */
export interface ArtefactFacts {
  version: string;
  /** npm: dist.tarball; crates: the download URL. */
  resolved: string | null;
  /** npm: dist.integrity (sha512 SRI); crates: sha256 hex of the .crate (the index's cksum). */
  integrity: string | null;
  /** npm: dist.shasum (the `#sha1` fragment yarn classic appends to `resolved`). */
  shasum?: string | null;
  /**
   * The version's own requirements (npm: dependencies + optionalDependencies; PyPI: requires_dist
   * without extras; Go: its go.mod's require lines), when the registry says. An editor compares them
   * with the entry's: a version that needs other packages cannot move in place.
   */
  dependencies?: Map<string, string> | null;
  /** PyPI: the release's files with their sha256. */
  files?: PypiFile[];
  /** Go: the checksum database's lines for the version (`mod v h1:…` and `mod v/go.mod h1:…`). */
  go_sum?: string[];
  /** Go: the `/go.mod` lines of the new version's requirements (go.sum needs them to load the module graph). */
  go_sum_requirements?: string[];
}

/**
 * Per-version requirements and artefact facts from the registry (or its mirror): the npm packument
 * (`versions[v].dependencies`, `dist`), the crates.io sparse index (`deps[].req`, `cksum`), the PyPI
 * JSON API (`/pypi/NAME/VERSION/json`: `requires_dist`, `urls`) and the Go module proxy (`@v/list`,
 * `@v/VERSION.mod`) with the checksum database (`/lookup/MOD@VERSION`). What is not known is null:
 * the caller says so instead of guessing.
 */
export interface RequirementSource {
  /** Every version's requirements in one answer (npm packument, crates index); null where that costs a request per version. */
  requirements(datasource: DatasourceName, name: string): Promise<VersionRequirements | null>;
  /** Published versions (PyPI, Go proxy), for registries answered per version. */
  versions?(datasource: DatasourceName, name: string): Promise<string[] | null>;
  /** One version's requirements (PyPI requires_dist without extras, Go: the version's go.mod). */
  versionRequirements?(datasource: DatasourceName, name: string, version: string): Promise<Map<string, string> | null>;
  artefact(datasource: DatasourceName, name: string, version: string): Promise<ArtefactFacts | null>;
}

/** `requires_dist` → name (PEP 503 normalised) → specifier; requirements behind an `extra` marker are optional and left out. */
export function pypiRequirements(requiresDist: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(requiresDist)) return out;
  for (const r of requiresDist.slice(0, 2000)) {
    if (typeof r !== "string") continue;
    const p = parsePep508(r);
    if ("error" in p || (p.marker && /\bextra\s*==/.test(p.marker))) continue;
    out.set(normalizePyName(p.name), p.specifier);
  }
  return out;
}

/** A go.mod's require directives (single and block), module → version; bounded by the text given. */
export function goModRequires(text: string, maxLines = 50_000): Map<string, string> {
  const out = new Map<string, string>();
  let inBlock = false;
  for (const raw of text.split("\n").slice(0, maxLines)) {
    const code = raw.replace(/\/\/.*$/, "").trim();
    if (inBlock) {
      if (code === ")") {
        inBlock = false;
        continue;
      }
    } else if (/^require\s*\($/.test(code)) {
      inBlock = true;
      continue;
    } else if (!code.startsWith("require ")) continue;
    const spec = inBlock ? code : code.slice("require ".length).trim();
    const [mod, version] = spec.split(/\s+/);
    if (mod && version) out.set(mod.replace(/^"|"$/g, ""), version);
  }
  return out;
}

/** The checksum database's lookup answer: its go.sum lines for exactly mod@version (the tree note after them is ignored). */
export function parseSumdbLookup(body: string, mod: string, version: string): string[] {
  const lines: string[] = [];
  for (const line of body.split("\n").slice(0, 20)) {
    const m = /^(\S+) (\S+) (h1:[A-Za-z0-9+/=]{40,})$/.exec(line.trim());
    if (m && m[1] === mod && (m[2] === version || m[2] === `${version}/go.mod`)) lines.push(line.trim());
  }
  return lines;
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

/** go.sum lines were asked for while the checksum database is off (`registries.go_sumdb: off`). */
export class GoSumdbOffError extends Error {
  constructor() {
    super("the Go checksum database is off (registries.go_sumdb: off), so go.sum lines are not looked up");
    this.name = "GoSumdbOffError";
  }
}

export interface RequirementSourceOptions {
  http: HttpClient;
  /** npm registry or mirror base URL. */
  npmRegistry?: string;
  /** crates sparse index or mirror base URL. */
  cratesIndex?: string;
  /** crates download base, for the `resolved` of an artefact (default https://static.crates.io/crates). */
  cratesDownload?: string;
  /** PyPI JSON API base or mirror (devpi, Artifactory), as `registries.pypi`. */
  pypi?: string;
  /** Go module proxy (one URL), as `registries.go`. */
  goProxy?: string;
  /**
   * Go checksum database (default https://sum.golang.org; a GOPROXY's `/sumdb/sum.golang.org` serves the
   * same /lookup). null: off, go.sum lines are never looked up (the go artefact fails with GoSumdbOffError).
   */
  goSumdb?: string | null;
}

export function createRequirementSource(opts: RequirementSourceOptions): RequirementSource {
  const npmBase = trimSlash(opts.npmRegistry ?? NPM_DEFAULT_REGISTRY);
  const cratesBase = trimSlash(opts.cratesIndex ?? CRATES_INDEX_DEFAULT);
  const download = trimSlash(opts.cratesDownload ?? "https://static.crates.io/crates");
  const packument = async (name: string): Promise<Record<string, unknown> | null> => {
    const doc = await unlessNotFound(opts.http.getJson(npmPackageUrl(npmBase, name), { headers: { accept: "application/json" } }));
    return isRecord(doc) ? doc : null;
  };
  const pypiBase = trimSlash((opts.pypi ?? PYPI_DEFAULT_BASE).replace(/\/simple\/?$/, ""));
  const goProxy = trimSlash(opts.goProxy ?? GO_DEFAULT_PROXY);
  const sumdb = opts.goSumdb === null ? null : trimSlash(opts.goSumdb ?? "https://sum.golang.org");
  const pypiJson = async (name: string, version: string | null): Promise<Record<string, unknown> | null> => {
    const n = encodeURIComponent(normalizePyName(name));
    const url = version === null ? `${pypiBase}/pypi/${n}/json` : `${pypiBase}/pypi/${n}/${encodeURIComponent(version)}/json`;
    const doc = await unlessNotFound(opts.http.getJson(url));
    return isRecord(doc) ? doc : null;
  };
  const goAt = (mod: string): string => `${goProxy}/${escapeModulePath(mod)}/@v`;
  const index = async (name: string): Promise<IndexLine[] | null> => {
    const body = await unlessNotFound(opts.http.getText(`${cratesBase}/${cratesIndexPath(name)}`));
    return body === undefined ? null : parseCratesIndex(body);
  };
  const source: RequirementSource = {
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
    async versions(datasource, name) {
      if (datasource === "pypi") {
        const doc = await pypiJson(name, null);
        if (!doc || !isRecord(doc.releases)) return null;
        // Versions with no files cannot be installed.
        return Object.entries(doc.releases).filter(([, files]) => Array.isArray(files) && files.length > 0 && !files.every((f) => isRecord(f) && f.yanked === true)).map(([v]) => v);
      }
      if (datasource === "go") {
        const body = await unlessNotFound(opts.http.getText(`${goAt(name)}/list`));
        if (body === undefined) return null;
        return [...new Set(body.split(/\r?\n/).map((l) => l.trim()).filter((l) => /^v\d+\.\d+\.\d+/.test(l)))].slice(0, 5000);
      }
      return null;
    },
    async versionRequirements(datasource, name, version) {
      if (datasource === "pypi") {
        const doc = await pypiJson(name, version);
        if (!doc || !isRecord(doc.info)) return null;
        return pypiRequirements(doc.info.requires_dist);
      }
      if (datasource === "go") {
        const body = await unlessNotFound(opts.http.getText(`${goAt(name)}/${encodeURIComponent(version)}.mod`));
        return body === undefined ? null : goModRequires(body);
      }
      const all = await source.requirements(datasource, name);
      return all?.get(version) ?? null;
    },
    async artefact(datasource, name, version) {
      if (datasource === "pypi") {
        const doc = await pypiJson(name, version);
        if (!doc || !Array.isArray(doc.urls)) return null;
        const files: PypiFile[] = [];
        for (const u of doc.urls.slice(0, 1000)) {
          if (!isRecord(u) || typeof u.filename !== "string" || typeof u.url !== "string" || !isRecord(u.digests) || typeof u.digests.sha256 !== "string") continue;
          files.push({
            filename: u.filename,
            url: u.url,
            sha256: u.digests.sha256,
            size: typeof u.size === "number" ? u.size : null,
            upload_time: typeof u.upload_time_iso_8601 === "string" ? u.upload_time_iso_8601 : null,
            packagetype: typeof u.packagetype === "string" ? u.packagetype : "",
          });
        }
        if (files.length === 0) return null;
        return { version, resolved: null, integrity: null, files, dependencies: isRecord(doc.info) ? pypiRequirements(doc.info.requires_dist) : null };
      }
      if (datasource === "go") {
        if (sumdb === null) throw new GoSumdbOffError();
        const body = await unlessNotFound(opts.http.getText(`${sumdb}/lookup/${escapeModulePath(name)}@${encodeURIComponent(version)}`));
        if (body === undefined) return null;
        const lines = parseSumdbLookup(body, name, version);
        if (lines.length === 0) return null;
        const mod = await unlessNotFound(opts.http.getText(`${goAt(name)}/${encodeURIComponent(version)}.mod`));
        const dependencies = mod === undefined ? null : goModRequires(mod);
        // The /go.mod hash of each requirement: a bounded number of lookups, one per required module.
        const go_sum_requirements: string[] = [];
        for (const [m, v] of [...(dependencies ?? new Map<string, string>())].slice(0, 50)) {
          const b = await unlessNotFound(opts.http.getText(`${sumdb}/lookup/${escapeModulePath(m)}@${encodeURIComponent(v)}`));
          if (b !== undefined) go_sum_requirements.push(...parseSumdbLookup(b, m, v).filter((l) => l.split(" ")[1].endsWith("/go.mod")));
        }
        return { version, resolved: null, integrity: null, go_sum: lines, dependencies, go_sum_requirements };
      }
      if (datasource === "npm") {
        const doc = await packument(name);
        const meta = doc && isRecord(doc.versions) ? doc.versions[version] : undefined;
        const dist = isRecord(meta) && isRecord(meta.dist) ? meta.dist : null;
        if (!dist) return null;
        const deps = new Map<string, string>();
        for (const field of ["optionalDependencies", "dependencies"]) {
          const d = isRecord(meta) ? meta[field] : undefined;
          if (isRecord(d)) for (const [k, r] of Object.entries(d)) if (typeof r === "string") deps.set(k, r);
        }
        return {
          version,
          resolved: typeof dist.tarball === "string" ? dist.tarball : null,
          integrity: typeof dist.integrity === "string" ? dist.integrity : null,
          shasum: typeof dist.shasum === "string" ? dist.shasum : null,
          dependencies: deps,
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
  return source;
}
