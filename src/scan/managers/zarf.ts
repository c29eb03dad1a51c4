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
/** `###ZARF_VAR_X###` (deploy-time variable) and `###ZARF_CONST_X###` (package constant). */
const ZARF_RESOLVABLE = /###(ZARF_(?:VAR|CONST)_[A-Z0-9_]+)###/g;

/**
 * Values of a zarf.yaml's own `variables[].default` (as ZARF_VAR_<name>) and `constants[].value`
 * (as ZARF_CONST_<name>). Sensitive variables are left out: their defaults never go into notes.
 */
export function zarfVariables(root: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const collect = (key: string, prefix: string, valueKey: string): void => {
    const seq = asSeq(getNode(root, key));
    if (!seq) return;
    for (const item of seq.items) {
      if (!isYMap(item)) continue;
      const name = scalarText(getNode(item, "name"))?.trim();
      const value = scalarText(getNode(item, valueKey));
      const sensitive = getNode(item, "sensitive");
      if (!name || value === null || (isYScalar(sensitive) && sensitive.value === true)) continue;
      out.set(`${prefix}${name}`, value);
    }
  };
  collect("variables", "ZARF_VAR_", "default");
  collect("constants", "ZARF_CONST_", "value");
  return out;
}

/** Replace the known `###ZARF_VAR_X###` / `###ZARF_CONST_X###` of a text; `used` names what was replaced. */
export function resolveZarfVariables(text: string, vars: ReadonlyMap<string, string>): { text: string; used: string[] } {
  const used: string[] = [];
  const out = text.replace(ZARF_RESOLVABLE, (whole, name: string) => {
    const v = vars.get(name);
    if (v === undefined) return whole;
    if (!used.includes(name)) used.push(name);
    return v;
  });
  return { text: out, used };
}

function resolvedNote(used: readonly string[], vars: ReadonlyMap<string, string>): string {
  return `resolved from variables: ${used.map((n) => `###${n}### = ${clip(vars.get(n) ?? "", 80)}`).join(", ")}`;
}

/** Add the "resolved from variables" note when a substitution happened. */
function noteResolved(dep: ExtractedDependency, used: readonly string[], vars: ReadonlyMap<string, string>): ExtractedDependency {
  if (used.length > 0) (dep.notes ??= []).push(resolvedNote(used, vars));
  return dep;
}

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
  // scp-like `user@host:path` (no scheme): the path starts after the first ':'.
  const scp = scheme < 0 ? /^[^/@:]+@[^/:]+:/.exec(text) : null;
  const pathStart = scheme >= 0 ? text.indexOf("/", scheme + 3) : scp ? scp[0].length : 0;
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
  vars: ReadonlyMap<string, string> = new Map(),
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
    const rawVersion = resolveZarfVariables(scalarText(getNode(chart, "version")) ?? "", vars);
    const rawUrl = scalarText(getNode(chart, "url"));
    const resolvedUrl = rawUrl === null ? null : resolveZarfVariables(rawUrl, vars);
    const version = rawVersion.text;
    const url = resolvedUrl?.text ?? null;
    const used = [...new Set([...(resolvedUrl?.used ?? []), ...rawVersion.used])];
    const push = (dep: ExtractedDependency): void => {
      out.push(noteResolved(dep, used, vars));
    };
    const localPath = scalarText(getNode(chart, "localPath"));
    const gitPath = scalarText(getNode(chart, "gitPath"));
    const repoName = scalarText(getNode(chart, "repoName"));
    const base = { file, line, package_manager: "zarf" as const, dependency_type: "prod" as const };
    if (localPath !== null) {
      push(
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
      push(ociDependency(base, oci, oci.tag ?? version, templated ? ZARF_SKIP : oci.error === null ? null : "invalid OCI reference"));
      if (!templated && oci.error !== null) warnings.push({ file, line, manager: "zarf", message: `${w}: ${oci.error} in "${clip(u)}"` });
      return;
    }
    if (isGitUrl(u, gitPath)) {
      const dep = gitDependency(u, base, null, version || null);
      if (templated) dep.skip_reason = ZARF_SKIP;
      push(dep);
      return;
    }
    if (/^https?:\/\//.test(u)) {
      push(
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
    push(baseDependency(base, { name, datasource: "none", current_value: version, registry_url: u, skip_reason: "unsupported url" }));
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

  const vars = zarfVariables(root);
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
          const r = resolveZarfVariables(text, vars);
          const skip = ZARF_TEMPLATE.test(r.text) ? ZARF_SKIP : null;
          const { dep, warning } = imageDependency(r.text, { file, line, package_manager: "zarf", dependency_type: "prod" }, skip);
          if (warning) warn(line, `${where}.images: ${warning}${r.used.length > 0 ? ` (after ${resolvedNote(r.used, vars)})` : ""}`);
          deps.push(noteResolved(dep, r.used, vars));
        }
      } else if (key === "charts") {
        deps.push(...extractCharts(file, value, where, keyLine, warnings, getNode(component, "import") !== undefined, vars));
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
          const r = resolveZarfVariables(text, vars);
          const dep = gitDependency(r.text, { file, line, package_manager: "zarf", dependency_type: "prod" }, null, null);
          if (ZARF_TEMPLATE.test(r.text)) dep.skip_reason = ZARF_SKIP;
          deps.push(noteResolved(dep, r.used, vars));
        }
      } else if (key === "import") {
        const rawUrl = scalarText(getNode(value, "url"));
        const r = rawUrl === null ? null : resolveZarfVariables(rawUrl, vars);
        const url = r?.text ?? null;
        if (r !== null && url !== null && url.startsWith("oci://")) {
          const line = lineOf(getNode(value, "url"));
          const skip = ZARF_TEMPLATE.test(url) ? ZARF_SKIP : null;
          const { dep, warning } = imageDependency(url.slice("oci://".length), { file, line, package_manager: "zarf", dependency_type: "prod" }, skip);
          if (warning) warn(line, `${where}.import.url: ${warning}`);
          deps.push(noteResolved(dep, r.used, vars));
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
