/**
 * UDS manager: `uds-bundle.yaml`. Each `packages[*]` is a Zarf package pulled from an OCI
 * `repository` at `ref` (datasource docker), or built from a local `path`.
 */
import type { ExtractedDependency, Manager, ManagerResult, ManifestMeta } from "../types.js";
import {
  ZARF_TEMPLATE,
  baseDependency,
  baseName,
  clip,
  dirOf,
  getNode,
  isYMap,
  lineOf,
  kindOf,
  ociDependency,
  parseOciReference,
  resolveRepoPath,
  scalarText,
} from "./image-ref.js";
import { extractSafely, listAt, manifestMetadata, openYamlManifest } from "./manifest.js";

const UDS_BUNDLE = /^uds-bundle\.ya?ml$/;
const VARIABLE = /\$\{|\{\{/;

function extractBundle(file: string, content: string): ManagerResult {
  const { root, warnings, warn } = openYamlManifest(file, content, "uds", "empty uds-bundle.yaml");
  const deps: ExtractedDependency[] = [];
  // A bundle assembles components; it is not a component root itself (bundles/dev/cpu, bundles/latest/gpu...).
  const meta: ManifestMeta = { primary: false };
  if (!root) return { deps, warnings, meta };
  const { name, version, description } = manifestMetadata(getNode(root, "metadata"));
  if (name) meta.name = name;
  if (version) meta.version = version;
  if (description) meta.description = description.trim();

  const packages = listAt(root, "packages", warn);
  if (!packages) return { deps, warnings, meta };
  packages.items.forEach((pkg, i) => {
    const line = lineOf(pkg);
    if (!isYMap(pkg)) {
      warn(line, `packages[${i}] should be a map, found ${kindOf(pkg)}`);
      return;
    }
    const pkgName = scalarText(getNode(pkg, "name"));
    const repository = scalarText(getNode(pkg, "repository"));
    const path = scalarText(getNode(pkg, "path"));
    const ref = scalarText(getNode(pkg, "ref")) ?? "";
    const where = `packages[${i}]${pkgName ? ` (${clip(pkgName, 40)})` : ""}`;
    const base = { file, line, package_manager: "uds" as const, dependency_type: "prod" as const };
    if (path !== null) {
      deps.push(
        baseDependency(base, {
          name: pkgName ?? path,
          datasource: "none",
          current_value: ref,
          skip_reason: "local",
          local_path: resolveRepoPath(dirOf(file), path),
        }),
      );
      return;
    }
    if (repository === null || repository.trim() === "") {
      warn(line, `${where} has neither repository nor path`);
      return;
    }
    const repo = repository.trim();
    const oci = parseOciReference(repo);
    const templated = ZARF_TEMPLATE.test(repo) || ZARF_TEMPLATE.test(ref) || VARIABLE.test(repo) || VARIABLE.test(ref);
    // The ref keeps its flavor suffix ("0.13.1-upstream"): the published tags carry it too.
    const value = ref !== "" ? ref : (oci.tag ?? "");
    let skip: string | null = null;
    if (templated) skip = ZARF_TEMPLATE.test(repo + ref) ? "zarf template variable" : "unresolved variable";
    else if (oci.error !== null) {
      skip = "invalid OCI reference";
      warn(line, `${where}: ${oci.error} in "${clip(repository)}"`);
    } else if (value === "") skip = "no version";
    deps.push(ociDependency(base, oci, value, skip));
  });
  return { deps, warnings, meta };
}

export const udsManager: Manager = {
  name: "uds",
  matches(path: string): boolean {
    return UDS_BUNDLE.test(baseName(path));
  },
  extract(path: string, content: string): ManagerResult {
    return extractSafely(path, "uds", false, () => extractBundle(path, content));
  },
};
