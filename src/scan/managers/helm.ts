/**
 * Helm manager: chart dependencies of `Chart.yaml` (apiVersion v2) and `requirements.yaml`
 * (Helm 2), plus container images in values files (`image: {registry, repository, tag}` blocks and
 * `image: repo:tag` strings, the same heuristic as Renovate's helm-values manager).
 */
import semver from "semver";
import type { ExtractContext, ExtractedDependency, Manager, ManagerResult, ManifestMeta, ScanWarning } from "../types.js";
import {
  asSeq,
  baseDependency,
  baseName,
  clip,
  dirOf,
  getNode,
  getPair,
  imageDependency,
  isYMap,
  isYScalar,
  isYSeq,
  kindOf,
  lineOf,
  pairLine,
  parseImageRef,
  parseYaml,
  resolveRepoPath,
  scalarText,
} from "./image-ref.js";
import { extractSafely, manifestMetadata, openYamlManifest } from "./manifest.js";
import { MAX_YAML_ALIAS_EXPANSION, YamlLimitError } from "./yaml-ast.js";

const CHART = /^Chart\.ya?ml$/;
const REQUIREMENTS = /^requirements\.ya?ml$/;
const VALUES = /^(?:values|[\w.-]+[-_.]values|values[-_.][\w.-]+)\.ya?ml$/i;
const TEMPLATE = /\{\{|\$\{|###ZARF_/;

/** Best-known version of a helm version constraint: the pin, else the range's lower bound. */
export function helmVersionOf(constraint: string): string {
  const v = constraint.trim();
  if (semver.valid(v, { loose: true })) return v;
  try {
    if (semver.validRange(v, { loose: true })) {
      const min = semver.minVersion(v, { loose: true });
      if (min) return min.version;
    }
  } catch {
    /* fall through */
  }
  return v;
}

/** One resolved chart of a `Chart.lock` / `requirements.lock`. */
export interface HelmLockEntry {
  name: string;
  repository: string;
  version: string;
  line: number | null;
}

/** The lock file next to a chart file: Chart.yaml → Chart.lock, requirements.yaml → requirements.lock. */
export function helmLockPathOf(file: string): string | null {
  const base = baseName(file);
  const dir = dirOf(file);
  const lock = CHART.test(base) ? "Chart.lock" : REQUIREMENTS.test(base) ? "requirements.lock" : null;
  if (lock === null) return null;
  return dir === "" || dir === "." ? lock : `${dir}/${lock}`;
}

/**
 * The `dependencies` of a Helm lock file (`helm dependency update` writes name, repository and the
 * resolved version of every chart dependency). Malformed entries are warned and skipped.
 */
export function parseHelmLock(file: string, content: string, warnings: ScanWarning[]): HelmLockEntry[] {
  const { root, warnings: own } = openYamlManifest(file, content, "helm", "empty lock file");
  warnings.push(...own);
  if (!root) return [];
  const depsPair = getPair(root, "dependencies");
  if (!depsPair || depsPair.value === null || (isYScalar(depsPair.value) && depsPair.value.value === null)) return [];
  const seq = asSeq(depsPair.value);
  if (!seq) {
    warnings.push({ file, line: pairLine(depsPair), manager: "helm", message: `"dependencies" should be a list, found ${kindOf(depsPair.value)}` });
    return [];
  }
  const out: HelmLockEntry[] = [];
  seq.items.forEach((item, i) => {
    const line = lineOf(item);
    const name = isYMap(item) ? scalarText(getNode(item, "name")) : null;
    const version = isYMap(item) ? scalarText(getNode(item, "version")) : null;
    if (!name || !version) {
      warnings.push({ file, line, manager: "helm", message: `dependencies[${i}] should be a map with name and version` });
      return;
    }
    out.push({ name: name.trim(), version: version.trim(), repository: (scalarText(getNode(item, "repository")) ?? "").trim(), line });
  });
  return out;
}

function sameRepository(a: string, b: string): boolean {
  const norm = (r: string) => r.trim().replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}

/** The lock entry of a chart dependency: same name and repository, else the only entry of that name. */
function lockEntryFor(lock: readonly HelmLockEntry[], name: string, repository: string): HelmLockEntry | null {
  const named = lock.filter((e) => e.name === name);
  return named.find((e) => sameRepository(e.repository, repository)) ?? (named.length === 1 ? named[0] : null);
}

interface ChartLock {
  file: string;
  entries: HelmLockEntry[];
}

function chartDependencies(
  file: string,
  depsNode: unknown,
  keyLine: number | null,
  warnings: ScanWarning[],
  lock: ChartLock | null = null,
): ExtractedDependency[] {
  const out: ExtractedDependency[] = [];
  if (depsNode === undefined || (isYScalar(depsNode) && depsNode.value === null)) return out;
  const seq = asSeq(depsNode);
  if (!seq) {
    warnings.push({ file, line: keyLine, manager: "helm", message: `"dependencies" should be a list, found ${kindOf(depsNode)}` });
    return out;
  }
  seq.items.forEach((item, i) => {
    const line = lineOf(item);
    if (!isYMap(item)) {
      warnings.push({ file, line, manager: "helm", message: `dependencies[${i}] should be a map, found ${kindOf(item)}` });
      return;
    }
    const name = scalarText(getNode(item, "name"));
    if (name === null || name.trim() === "") {
      warnings.push({ file, line, manager: "helm", message: `dependencies[${i}] has no name` });
      return;
    }
    const version = scalarText(getNode(item, "version")) ?? "";
    const repository = (scalarText(getNode(item, "repository")) ?? "").trim();
    const base = { file, line: lineOf(getPair(item, "name")?.key) ?? line, package_manager: "helm" as const, dependency_type: "prod" as const };
    const fields = { name, datasource: "helm" as const, current_value: version, version: helmVersionOf(version) };
    if (repository === "") {
      out.push(baseDependency(base, { ...fields, skip_reason: "no repository" }));
    } else if (repository.startsWith("file://")) {
      const local = resolveRepoPath(dirOf(file), repository.slice("file://".length));
      out.push(baseDependency(base, { ...fields, datasource: "none", skip_reason: "local", local_path: local }));
    } else if (repository.startsWith("@") || repository.startsWith("alias:")) {
      out.push(baseDependency(base, { ...fields, registry_url: repository, skip_reason: "repository alias" }));
    } else if (TEMPLATE.test(repository) || TEMPLATE.test(version)) {
      out.push(baseDependency(base, { ...fields, registry_url: repository, skip_reason: "template variable" }));
    } else if (repository.startsWith("oci://")) {
      const ociPath = `${repository.slice("oci://".length).replace(/\/+$/, "")}/${name}`;
      const parsed = parseImageRef(ociPath);
      out.push(
        baseDependency(base, {
          ...fields,
          name: ociPath,
          datasource: "docker",
          registry_url: parsed.ok ? parsed.ref.registry : null,
          skip_reason: parsed.ok ? null : "invalid OCI reference",
        }),
      );
      if (!parsed.ok) warnings.push({ file, line: base.line, manager: "helm", message: `${parsed.error} in "${clip(repository)}"` });
    } else if (/^https?:\/\//.test(repository)) {
      out.push(baseDependency(base, { ...fields, registry_url: repository.replace(/\/+$/, "") }));
    } else {
      out.push(baseDependency(base, { ...fields, registry_url: repository, skip_reason: "unsupported repository" }));
      warnings.push({ file, line: base.line, manager: "helm", message: `unsupported repository "${clip(repository)}" for ${clip(name)}` });
    }
    const dep = out.at(-1);
    if (lock && dep && dep.datasource !== "none") applyLock(dep, lock, name, repository, version, warnings);
    if (version === "" && dep && dep.skip_reason === null) {
      dep.skip_reason = "no version";
    }
  });
  return out;
}

/** Fill locked_version (and version) from the lock file; a lock that no longer satisfies the constraint is warned, not used. */
function applyLock(dep: ExtractedDependency, lock: ChartLock, name: string, repository: string, constraint: string, warnings: ScanWarning[]): void {
  const entry = lockEntryFor(lock.entries, name, repository);
  if (!entry) {
    warnings.push({ file: lock.file, line: null, manager: "helm", message: `${clip(name)} is not in ${baseName(lock.file)} (run helm dependency update)` });
    return;
  }
  const c = constraint.trim();
  const locked = semver.valid(entry.version, { loose: true });
  let satisfies = true;
  if (locked && c !== "" && !TEMPLATE.test(c)) {
    try {
      satisfies = semver.validRange(c, { loose: true }) === null || semver.satisfies(locked, c, { loose: true, includePrerelease: true });
    } catch {
      satisfies = true;
    }
  }
  if (!satisfies) {
    warnings.push({
      file: lock.file,
      line: entry.line,
      manager: "helm",
      message: `${clip(name)} ${clip(entry.version)} in ${baseName(lock.file)} does not satisfy "${clip(c)}" of ${dep.file} (stale lock: run helm dependency update)`,
    });
    return;
  }
  dep.locked_version = entry.version;
  dep.version = entry.version;
  (dep.notes ??= []).push(`locked by ${lock.file}`);
}

function readLock(file: string, ctx: ExtractContext | undefined, warnings: ScanWarning[]): ChartLock | null {
  const lockFile = helmLockPathOf(file);
  if (!lockFile || !ctx) return null;
  let text: string | undefined;
  try {
    text = ctx.readFile(lockFile);
  } catch {
    // An unreadable lock is no lock (text stays undefined).
  }
  if (text === undefined) return null;
  const before = warnings.length;
  const entries = parseHelmLock(lockFile, text, warnings);
  // A lock that could not be read was warned about; do not also warn every dependency as "not in" it.
  if (entries.length === 0 && warnings.length > before) return null;
  return { file: lockFile, entries };
}

function extractChart(file: string, content: string, primary: boolean, ctx?: ExtractContext): ManagerResult {
  const { root, warnings } = openYamlManifest(file, content, "helm", primary ? "empty chart file" : null);
  const deps: ExtractedDependency[] = [];
  const meta: ManifestMeta = { primary };
  if (!root) return { deps, warnings, meta };
  if (primary) {
    const { name, version, description } = manifestMetadata(root);
    if (name) meta.name = name;
    if (version) meta.version = version;
    if (description) meta.description = description;
  }
  const depsPair = getPair(root, "dependencies");
  const lock = depsPair ? readLock(file, ctx, warnings) : null;
  deps.push(...chartDependencies(file, depsPair?.value, pairLine(depsPair), warnings, lock));
  return { deps, warnings, meta };
}

// ---------------------------------------------------------------------------------------------
// values files
// ---------------------------------------------------------------------------------------------

const IMAGE_KEY = /image$/i;

function stringValue(node: unknown): string | null {
  // Only real strings (and numbers for tags): `image: true` is not an image.
  if (!isYScalar(node)) return null;
  if (typeof node.value === "string") return node.value;
  if (typeof node.value === "number") return scalarText(node);
  return null;
}

/** The chart a values file belongs to: Chart.yaml (or .yml) in its directory. */
function chartFileOf(values: string): string[] {
  const dir = dirOf(values);
  return ["Chart.yaml", "Chart.yml"].map((n) => (dir === "." ? n : `${dir}/${n}`));
}

/** `appVersion` of the chart next to a values file, with where it is written; null when there is none. */
function chartAppVersion(values: string, ctx: ExtractContext | undefined): { version: string; file: string; line: number | null } | null {
  for (const chart of chartFileOf(values)) {
    const text = ctx?.readFile(chart);
    if (text === undefined) continue;
    const { docs } = parseYaml(chart, text, "helm");
    const node = getNode(docs[0]?.contents, "appVersion");
    const version = scalarText(node);
    return version !== null && version.trim() !== "" ? { version: version.trim(), file: chart, line: lineOf(node) } : null;
  }
  return null;
}

function extractValues(file: string, content: string, ctx?: ExtractContext): ManagerResult {
  const { docs, warnings } = parseYaml(file, content, "helm");
  let appVersion: ReturnType<typeof chartAppVersion> | undefined;
  const deps: ExtractedDependency[] = [];
  const base = (line: number | null) => ({ file, line, package_manager: "helm" as const, dependency_type: "prod" as const });

  // The parser already bounds alias expansion and depth; this budget keeps the walk itself bounded
  // should a tree ever reach it by another path (every node written once plus the allowed expansion).
  let budget = content.length + MAX_YAML_ALIAS_EXPANSION;
  const visit = (node: unknown, depth: number): void => {
    if (--budget < 0) throw new YamlLimitError(`values walk passed its node budget (YAML aliases?); file skipped`);
    if (depth > 64) return;
    if (isYSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
      return;
    }
    if (!isYMap(node)) return;
    for (const pair of node.items) {
      const key = String(pair.key.value);
      const value = pair.value;
      if (IMAGE_KEY.test(key) && isYMap(value) && getNode(value, "repository") !== undefined) {
        const repository = stringValue(getNode(value, "repository"));
        const registry = stringValue(getNode(value, "registry"));
        const tagNode = getNode(value, "tag") ?? getNode(value, "version");
        const tag = stringValue(tagNode);
        const digest = stringValue(getNode(value, "digest"));
        if (repository === null || repository.trim() === "" || (tagNode === undefined && digest === null)) {
          visit(value, depth + 1);
          continue;
        }
        const line = lineOf(getNode(value, "repository"));
        const name = registry && registry.trim() !== "" ? `${registry.replace(/\/+$/, "")}/${repository}` : repository;
        if (TEMPLATE.test(name) || (tag !== null && TEMPLATE.test(tag))) {
          deps.push(imageDependency(name, base(line), "template variable").dep);
          continue;
        }
        if ((tag === null || tag.trim() === "") && (digest === null || digest === "")) {
          // An empty tag means the chart's appVersion (the common `.Values.image.tag | default .Chart.AppVersion`).
          appVersion ??= chartAppVersion(file, ctx);
          const written = tagNode === undefined || (isYScalar(tagNode) && tagNode.value === null) ? "tag: null" : 'tag: ""';
          if (!appVersion) {
            deps.push(imageDependency(name, base(line), "no tag and no chart appVersion").dep);
            continue;
          }
          const { dep, warning } = imageDependency(`${name}:${appVersion.version}`, base(line));
          if (warning) warnings.push({ file, line, manager: "helm", message: `${clip(key, 40)}: ${warning}` });
          dep.notes = [`${written} in values: the chart's appVersion ${appVersion.version} (${appVersion.file}${appVersion.line ? `:${appVersion.line}` : ""}) is used`];
          deps.push(dep);
          continue;
        }
        const ref = `${name}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
        const { dep, warning } = imageDependency(ref, base(line));
        if (warning) warnings.push({ file, line, manager: "helm", message: `${clip(key, 40)}: ${warning}` });
        deps.push(dep);
        continue;
      }
      if (IMAGE_KEY.test(key) && isYScalar(value) && typeof value.value === "string") {
        const text = value.value.trim();
        const line = lineOf(value);
        if (TEMPLATE.test(text)) {
          if (/[:@]/.test(text)) deps.push(imageDependency(text, base(line), "template variable").dep);
          continue;
        }
        // A bare word ("nginx", "enabled") is too ambiguous: require a tag, digest or path.
        const parsed = parseImageRef(text);
        if (parsed.ok && (parsed.ref.tag !== null || parsed.ref.digest !== null || text.includes("/"))) {
          deps.push(imageDependency(text, base(line)).dep);
        }
        continue;
      }
      visit(value, depth + 1);
    }
  };
  for (const doc of docs) visit(doc.contents, 0);
  return { deps, warnings, meta: { primary: false } };
}

export const helmManager: Manager = {
  name: "helm",
  matches(path: string): boolean {
    const base = baseName(path);
    return CHART.test(base) || REQUIREMENTS.test(base) || VALUES.test(base);
  },
  companions(path: string): string[] {
    const lock = helmLockPathOf(path);
    if (lock) return [lock];
    return VALUES.test(baseName(path)) ? chartFileOf(path) : [];
  },
  extract(path: string, content: string, ctx?: ExtractContext): ManagerResult {
    return extractSafely(path, "helm", false, () => {
      const base = baseName(path);
      if (CHART.test(base)) return extractChart(path, content, true, ctx);
      if (REQUIREMENTS.test(base)) return extractChart(path, content, false, ctx);
      return extractValues(path, content, ctx);
    });
  },
};
