/** Shared by the test/deploy tests: where the deployment files are, and what they must agree on. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

export const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CHART_DIR = path.join(PROJECT, "deploy/helm/cowabunga");

/** Every deployment file, repo-relative: the scan reads exactly these. */
export const DEPLOY_FILES = [
  "Dockerfile",
  "docker-compose.yml",
  "zarf.yaml",
  "deploy/uds-bundle.yaml",
  "deploy/helm/cowabunga/Chart.yaml",
  "deploy/helm/cowabunga/values.yaml",
  "deploy/zarf/values.yaml",
] as const;

export function readProjectFile(rel: string): string {
  return readFileSync(path.join(PROJECT, rel), "utf8");
}

export function packageJson(): { version: string; engines: { node: string } } {
  return JSON.parse(readProjectFile("package.json")) as { version: string; engines: { node: string } };
}

export function parseYamlFile<T = Record<string, unknown>>(rel: string): T {
  const doc = YAML.parseDocument(readProjectFile(rel));
  if (doc.errors.length > 0) throw new Error(`${rel}: ${doc.errors.map((e) => e.message).join("; ")}`);
  return doc.toJS() as T;
}

/** The chart's image repository: the one name every file must use for our image. */
export function imageRepository(): string {
  return (parseYamlFile<{ image: { repository: string } }>("deploy/helm/cowabunga/values.yaml")).image.repository;
}

/** zarf.yaml's variables with their defaults, as Zarf would substitute ###ZARF_VAR_NAME### at deploy time. */
export function zarfVariableDefaults(): Map<string, string> {
  const zarf = parseYamlFile<{ variables?: Array<{ name: string; default?: string }> }>("zarf.yaml");
  return new Map((zarf.variables ?? []).map((v) => [v.name, v.default ?? ""]));
}

/** Substitute ###ZARF_VAR_X### with the defaults; a variable zarf.yaml does not declare is an error. */
export function applyZarfVariables(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/###ZARF_VAR_([A-Z0-9_]+)###/g, (_, name: string) => {
    const v = vars.get(name);
    if (v === undefined) throw new Error(`###ZARF_VAR_${name}### is not declared in zarf.yaml's variables`);
    return v;
  });
}
