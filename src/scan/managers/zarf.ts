/**
 * Zarf manager: `zarf.yaml` package definitions. Extracts `components[*].images[]` (docker),
 * `components[*].charts[*]` (helm repo, OCI, git or local chart), `components[*].repos[]` (git
 * repositories) and `components[*].import.url` (OCI skeleton packages).
 */
import type { DatasourceName, ExtractedDependency, Manager, ManagerResult, ManifestMeta, ScanWarning } from "../types.js";
import {
  ZARF_TEMPLATE,
  asSeq,
  baseDependency,
  baseName,
  clip,
  dirOf,
  getNode,
  imageDependency,
  isYMap,
  isYScalar,
  kindOf,
  lineOf,
  mapEntries,
  ociDependency,
  parseOciReference,
  resolveRepoPath,
  scalarText,
} from "./image-ref.js";
import { extractSafely, listAt, manifestMetadata, openYamlManifest } from "./manifest.js";

const ZARF_FILE = /^zarf\.ya?ml$/;
export const ZARF_SKIP = "zarf template variable";

export interface GitReference {
  /** URL without the `@ref` suffix. */
  url: string;
  ref: string | null;
  /** "owner/repo" when the host is github.com. */
  github: string | null;
}

/** `https://github.com/o/r.git@v1.0` → url, ref, github slug. The `@` of user info is not a ref. */
export function parseGitUrl(input: string): GitReference {
  const text = input.trim();
  const scheme = text.indexOf("://");
  const pathStart = scheme >= 0 ? text.indexOf("/", scheme + 3) : 0;
  let url = text;
  let ref: string | null = null;
  if (pathStart >= 0) {
    const at = text.indexOf("@", pathStart);
    if (at >= 0) {
      url = text.slice(0, at);
      ref = text.slice(at + 1) || null;
    }
  }
  const m = /^(?:https?:\/\/|git@)(?:[^/@]+@)?(?:www\.)?github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/i.exec(url);
  return { url, ref, github: m ? `${m[1]}/${m[2]}` : null };
}

function gitDependency(
  raw: string,
  base: { file: string; line: number | null; package_manager: "zarf"; dependency_type: "prod" },
  name: string | null,
  fallbackRef: string | null,
): ExtractedDependency {
  const git = parseGitUrl(raw);
  const ref = git.ref ?? fallbackRef;
  const datasource: DatasourceName = git.github ? "github-tags" : "git";
  const depName = name ?? git.github ?? git.url;
  const registry_url = git.url;
  if (ref === null || ref === "") {
    return baseDependency(base, { name: depName, datasource, current_value: "", registry_url, skip_reason: "no version" });
  }
  if (ref.startsWith("refs/heads/")) {
    return baseDependency(base, { name: depName, datasource, current_value: ref, registry_url, skip_reason: "branch" });
  }
  const value = ref.replace(/^refs\/tags\//, "");
  if (/^[0-9a-f]{40}$/i.test(value)) {
    return baseDependency(base, { name: depName, datasource, current_value: value, registry_url, digest: value.toLowerCase() });
  }
  return baseDependency(base, { name: depName, datasource, current_value: value, registry_url });
}

function isGitUrl(url: string, gitPath: string | null): boolean {
  return gitPath !== null || /\.git(?:@|\/?$)/.test(url) || url.startsWith("git@");
}

function extractCharts(
  file: string,
  chartsNode: unknown,
  where: string,
  keyLine: number | null,
  warnings: ScanWarning[],
  imported: boolean,
): ExtractedDependency[] {
  const out: ExtractedDependency[] = [];
  const seq = asSeq(chartsNode);
  if (!seq) {
    warnings.push({ file, line: keyLine, manager: "zarf", message: `${where}.charts should be a list, found ${kindOf(chartsNode)}` });
    return out;
  }
  seq.items.forEach((chart, i) => {
    const line = lineOf(chart);
    const w = `${where}.charts[${i}]`;
    if (!isYMap(chart)) {
      warnings.push({ file, line, manager: "zarf", message: `${w} should be a map, found ${kindOf(chart)}` });
      return;
    }
    const name = scalarText(getNode(chart, "name"));
    if (!name) {
      warnings.push({ file, line, manager: "zarf", message: `${w} has no name` });
      return;
    }
    const version = scalarText(getNode(chart, "version")) ?? "";
    const url = scalarText(getNode(chart, "url"));
    const localPath = scalarText(getNode(chart, "localPath"));
    const gitPath = scalarText(getNode(chart, "gitPath"));
    const repoName = scalarText(getNode(chart, "repoName"));
    const base = { file, line, package_manager: "zarf" as const, dependency_type: "prod" as const };
    if (localPath !== null) {
      out.push(
        baseDependency(base, {
          name,
          datasource: "none",
          current_value: version,
          skip_reason: "local",
          local_path: resolveRepoPath(dirOf(file), localPath),
        }),
      );
      return;
    }
    if (url === null || url.trim() === "") {
      // In a component with `import`, a chart without source only overrides the imported chart.
      if (imported) return;
      warnings.push({ file, line, manager: "zarf", message: `${w} (${clip(name)}) has neither url nor localPath` });
      return;
    }
    const u = url.trim();
    const templated = ZARF_TEMPLATE.test(u) || ZARF_TEMPLATE.test(version);
    if (u.startsWith("oci://")) {
      const oci = parseOciReference(u);
      out.push(ociDependency(base, oci, oci.tag ?? version, templated ? ZARF_SKIP : oci.error === null ? null : "invalid OCI reference"));
      if (!templated && oci.error !== null) warnings.push({ file, line, manager: "zarf", message: `${w}: ${oci.error} in "${clip(u)}"` });
      return;
    }
    if (isGitUrl(u, gitPath)) {
      const dep = gitDependency(u, base, null, version || null);
      if (templated) dep.skip_reason = ZARF_SKIP;
      out.push(dep);
      return;
    }
    if (/^https?:\/\//.test(u)) {
      out.push(
        baseDependency(base, {
          name: repoName ?? name,
          datasource: "helm",
          current_value: version,
          registry_url: u.replace(/\/+$/, ""),
          skip_reason: templated ? ZARF_SKIP : version === "" ? "no version" : null,
        }),
      );
      return;
    }
    warnings.push({ file, line, manager: "zarf", message: `${w}: unsupported chart url "${clip(u)}"` });
    out.push(baseDependency(base, { name, datasource: "none", current_value: version, registry_url: u, skip_reason: "unsupported url" }));
  });
  return out;
}

function extractZarf(file: string, content: string): ManagerResult {
  const { root, warnings, warn } = openYamlManifest(file, content, "zarf", "empty zarf.yaml");
  const deps: ExtractedDependency[] = [];
  const meta: ManifestMeta = { primary: true };
  if (!root) return { deps, warnings, meta };
  const { name, version, description } = manifestMetadata(getNode(root, "metadata"));
  if (name) meta.name = name;
  // A templated version ("###ZARF_PKG_TMPL_IMAGE_VERSION###") is set at package build time: unknown here.
  if (version && !ZARF_TEMPLATE.test(version)) meta.version = version;
  if (description) meta.description = description.trim();

  const components = listAt(root, "components", warn);
  if (!components) return { deps, warnings, meta };
  components.items.forEach((component, ci) => {
    const cname = scalarText(getNode(component, "name"));
    const where = `components[${ci}]${cname ? ` (${clip(cname, 40)})` : ""}`;
    if (!isYMap(component)) {
      warn(lineOf(component), `${where} should be a map, found ${kindOf(component)}`);
      return;
    }
    for (const { key, value, keyNode } of mapEntries(component)) {
      const keyLine = lineOf(keyNode);
      if (value === null || (isYScalar(value) && value.value === null)) continue;
      if (key === "images") {
        const images = asSeq(value);
        if (!images) {
          warn(keyLine, `${where}.images should be a list, found ${kindOf(value)}`);
          continue;
        }
        for (const img of images.items) {
          const line = lineOf(img);
          const text = scalarText(img);
          if (text === null || !isYScalar(img)) {
            warn(line, `${where}.images entry should be a string, found ${kindOf(img)}`);
            continue;
          }
          const skip = ZARF_TEMPLATE.test(text) ? ZARF_SKIP : null;
          const { dep, warning } = imageDependency(text, { file, line, package_manager: "zarf", dependency_type: "prod" }, skip);
          if (warning) warn(line, `${where}.images: ${warning}`);
          deps.push(dep);
        }
      } else if (key === "charts") {
        deps.push(...extractCharts(file, value, where, keyLine, warnings, getNode(component, "import") !== undefined));
      } else if (key === "repos") {
        const repos = asSeq(value);
        if (!repos) {
          warn(keyLine, `${where}.repos should be a list, found ${kindOf(value)}`);
          continue;
        }
        for (const repo of repos.items) {
          const line = lineOf(repo);
          const text = scalarText(repo);
          if (text === null) {
            warn(line, `${where}.repos entry should be a string, found ${kindOf(repo)}`);
            continue;
          }
          const dep = gitDependency(text, { file, line, package_manager: "zarf", dependency_type: "prod" }, null, null);
          if (ZARF_TEMPLATE.test(text)) dep.skip_reason = ZARF_SKIP;
          deps.push(dep);
        }
      } else if (key === "import") {
        const url = scalarText(getNode(value, "url"));
        if (url !== null && url.startsWith("oci://")) {
          const line = lineOf(getNode(value, "url"));
          const skip = ZARF_TEMPLATE.test(url) ? ZARF_SKIP : null;
          const { dep, warning } = imageDependency(url.slice("oci://".length), { file, line, package_manager: "zarf", dependency_type: "prod" }, skip);
          if (warning) warn(line, `${where}.import.url: ${warning}`);
          deps.push(dep);
        }
      }
    }
  });
  return { deps, warnings, meta };
}

export const zarfManager: Manager = {
  name: "zarf",
  matches(path: string): boolean {
    return ZARF_FILE.test(baseName(path));
  },
  extract(path: string, content: string): ManagerResult {
    return extractSafely(path, "zarf", true, () => extractZarf(path, content));
  },
};
