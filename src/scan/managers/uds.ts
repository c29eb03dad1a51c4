/**
 * UDS manager: `uds-bundle.yaml`. Each `packages[*]` is a Zarf package pulled from an OCI
 * `repository` at `ref` (datasource docker), or built from a local `path`.
 */
import type { ExtractedDependency, Manager, ManagerResult, ManifestMeta } from "../types.js";
import {
  ZARF_TEMPLATE,
  asSeq,
  baseDependency,
  baseName,
  clip,
  dirOf,
  getNode,
  getPair,
  isYMap,
  isYScalar,
  kindOf,
  lineOf,
  pairLine,
  parseImageRef,
  parseYaml,
  resolveRepoPath,
  scalarText,
  splitImageRef,
} from "./image-ref.js";

const UDS_BUNDLE = /^uds-bundle\.ya?ml$/;
const VARIABLE = /\$\{|\{\{/;

function extractBundle(file: string, content: string): ManagerResult {
  const { docs, warnings } = parseYaml(file, content, "uds");
  const deps: ExtractedDependency[] = [];
  // A bundle assembles components; it is not a component root itself (bundles/dev/cpu, bundles/latest/gpu...).
  const meta: ManifestMeta = { primary: false };
  const warn = (line: number | null, message: string): void => {
    warnings.push({ file, line, manager: "uds", message });
  };
  const root = docs[0]?.contents ?? null;
  if (root === null || (isYScalar(root) && root.value === null)) {
    if (warnings.length === 0) warn(1, "empty uds-bundle.yaml");
    return { deps, warnings, meta };
  }
  if (!isYMap(root)) {
    warn(lineOf(root), `expected a map at the top level, found ${kindOf(root)}`);
    return { deps, warnings, meta };
  }
  const metadata = getNode(root, "metadata");
  const name = scalarText(getNode(metadata, "name"));
  const version = scalarText(getNode(metadata, "version"));
  const description = scalarText(getNode(metadata, "description"));
  if (name) meta.name = name;
  if (version) meta.version = version;
  if (description) meta.description = description.trim();

  const packagesPair = getPair(root, "packages");
  if (!packagesPair) return { deps, warnings, meta };
  const packages = asSeq(packagesPair.value);
  if (!packages) {
    warn(pairLine(packagesPair), `packages should be a list, found ${kindOf(packagesPair.value)}`);
    return { deps, warnings, meta };
  }
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
    const repo = repository.trim().replace(/^oci:\/\//, "");
    const split = splitImageRef(repo);
    const templated = ZARF_TEMPLATE.test(repo) || ZARF_TEMPLATE.test(ref) || VARIABLE.test(repo) || VARIABLE.test(ref);
    const parsed = parseImageRef(split.name);
    // The ref keeps its flavor suffix ("0.13.1-upstream"): the published tags carry it too.
    const value = ref !== "" ? ref : (split.tag ?? "");
    let skip: string | null = null;
    if (templated) skip = ZARF_TEMPLATE.test(repo + ref) ? "zarf template variable" : "unresolved variable";
    else if (!parsed.ok) {
      skip = "invalid OCI reference";
      warn(line, `${where}: ${parsed.error} in "${clip(repository)}"`);
    } else if (value === "") skip = "no version";
    deps.push(
      baseDependency(base, {
        name: split.name,
        datasource: "docker",
        current_value: value,
        registry_url: parsed.ok ? parsed.ref.registry : null,
        digest: split.digest,
        skip_reason: skip,
      }),
    );
  });
  return { deps, warnings, meta };
}

export const udsManager: Manager = {
  name: "uds",
  matches(path: string): boolean {
    return UDS_BUNDLE.test(baseName(path));
  },
  extract(path: string, content: string): ManagerResult {
    try {
      return extractBundle(path, content);
    } catch (err) {
      return {
        deps: [],
        warnings: [{ file: path, line: null, manager: "uds", message: `cannot extract: ${String(err)}` }],
        meta: { primary: false },
      };
    }
  },
};
