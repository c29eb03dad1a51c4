import { beforeAll, describe, expect, it } from "vitest";
import semver from "semver";
import { scanRepository } from "../../src/scan/index.js";
import type { ExtractedDependency, ScanResult } from "../../src/scan/types.js";
import { LocalSource } from "../../src/source/local.js";
import type { RepoFile, RepoSource } from "../../src/source/types.js";
import { DEPLOY_FILES, PROJECT, imageRepository, packageJson, parseYamlFile, readProjectFile } from "./deploy-files.js";

// The deployment files, read by OUR OWN scanner (src/scan, what `cowabunga scan` runs): each one parses
// without a warning, and they all name one version of our image, package.json's.

/** The project's own directory, seen through a source that lists only the deployment files. */
class DeployFilesSource implements RepoSource {
  private readonly inner = new LocalSource(PROJECT);
  readonly description = `deploy files of ${PROJECT}`;
  readonly commitSha = null;
  get warnings() {
    return this.inner.warnings;
  }
  async listFiles(): Promise<RepoFile[]> {
    const wanted = new Set<string>(DEPLOY_FILES);
    return (await this.inner.listFiles()).filter((f) => wanted.has(f.path));
  }
  readFiles(paths: string[]): Promise<Map<string, string>> {
    return this.inner.readFiles(paths);
  }
}

let scan: ScanResult;
let version: string;
let image: string;
const depsOf = (file: string): ExtractedDependency[] => scan.dependencies.filter((d) => d.file === file);

beforeAll(async () => {
  scan = await scanRepository(new DeployFilesSource(), { repoName: "cowabunga-maintainer" });
  version = packageJson().version;
  image = imageRepository();
}, 60_000);

describe("the deployment files, as our scanner reads them", () => {
  it("every file is found and parsed, without a single warning", () => {
    expect([...scan.manifests].sort()).toEqual([...DEPLOY_FILES].sort());
    // (The source's own notes about the checkout, e.g. a worktree's .git file, are not about these files.)
    expect(scan.warnings.filter((w) => w.manager !== "source")).toEqual([]);
  });

  it("Dockerfile: both stages use one base image, pinned to an exact Node.js release that package.json's engines accept", () => {
    // The `# syntax=docker/dockerfile:1` directive is an image dependency of its own (the BuildKit frontend).
    expect(depsOf("Dockerfile").filter((d) => d.group === "syntax").map((d) => `${d.name}:${d.current_value}`)).toEqual(["docker/dockerfile:1"]);
    const bases = depsOf("Dockerfile").filter((d) => d.group !== "syntax");
    expect(bases.length).toBe(2);
    expect(new Set(bases.map((d) => `${d.name}:${d.current_value}`)).size).toBe(1);
    const [base] = bases;
    expect(base.name).toBe("node");
    expect(base.skip_reason).toBeNull();
    const nodeVersion = /^(\d+\.\d+\.\d+)-/.exec(base.current_value)?.[1];
    expect(nodeVersion, `node tag ${base.current_value} should name an exact release`).toBeTruthy();
    expect(semver.satisfies(nodeVersion as string, packageJson().engines.node)).toBe(true);
    // The image labels its own version with package.json's.
    expect(/^ARG VERSION=(.+)$/m.exec(readProjectFile("Dockerfile"))?.[1]).toBe(version);
  });

  it("Helm chart: version and appVersion are package.json's, values name the image at that tag", () => {
    const chart = parseYamlFile<{ version: string; appVersion: string }>("deploy/helm/cowabunga/Chart.yaml");
    expect(chart.appVersion).toBe(version);
    expect(chart.version).toBe(version);
    const chartComponent = scan.components.find((c) => c.manifests.includes("deploy/helm/cowabunga/Chart.yaml"));
    expect(chartComponent?.version).toBe(version);
    const values = depsOf("deploy/helm/cowabunga/values.yaml");
    expect(values.map((d) => [d.name, d.current_value, d.datasource])).toEqual([[image, version, "docker"]]);
  });

  it("zarf.yaml: the package version, the image and the chart all at package.json's version", () => {
    const zarf = parseYamlFile<{ metadata: { version: string }; components: Array<{ charts: Array<{ version: string; localPath: string; valuesFiles: string[] }> }> }>("zarf.yaml");
    expect(zarf.metadata.version).toBe(version);
    const deps = depsOf("zarf.yaml");
    const images = deps.filter((d) => d.datasource === "docker");
    expect(images.map((d) => `${d.name}:${d.current_value}`)).toEqual([`${image}:${version}`]);
    const charts = zarf.components.flatMap((c) => c.charts);
    expect(charts).toHaveLength(1);
    expect(charts[0].version).toBe(version);
    expect(charts[0].localPath).toBe("deploy/helm/cowabunga");
    for (const f of charts[0].valuesFiles) expect(() => readProjectFile(f)).not.toThrow();
    // The scanner links the local chart to the chart's own directory.
    expect(deps.some((d) => d.local_path === "deploy/helm/cowabunga")).toBe(true);
  });

  it("docker-compose.yml: serve, worker and migrate run the image built here, at package.json's version; PostgreSQL and Redis are pinned", () => {
    const built = scan.components.flatMap((c) => c.meta.images_built ?? []);
    expect(built).toContain(`${image}:${version}`);
    const compose = parseYamlFile<{ services: Record<string, { image: string; command?: string[]; build?: unknown }> }>("docker-compose.yml");
    const ours = Object.entries(compose.services).filter(([, s]) => s.image.startsWith(`${image}:`));
    expect(ours.map(([name, s]) => [name, s.command?.[0], s.image]).sort()).toEqual([
      ["app", "serve", `${image}:${version}`],
      ["migrate", "migrate", `${image}:${version}`],
      ["worker", "worker", `${image}:${version}`],
    ]);
    const external = depsOf("docker-compose.yml");
    expect(external.map((d) => d.name).sort()).toEqual(["postgres", "redis"]);
    for (const d of external) {
      expect(d.skip_reason).toBeNull();
      expect(d.current_value, `${d.name} should be pinned to a release`).toMatch(/^\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/);
    }
  });

  it("deploy/uds-bundle.yaml: the Zarf package at package.json's version", () => {
    const deps = depsOf("deploy/uds-bundle.yaml");
    expect(deps).toHaveLength(1);
    expect(deps[0].current_value).toBe(version);
    expect(deps[0].name).toBe("cowabunga-maintainer");
    expect(parseYamlFile<{ metadata: { version: string } }>("deploy/uds-bundle.yaml").metadata.version).toBe(version);
  });
});
