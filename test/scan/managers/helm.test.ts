import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { helmManager, helmVersionOf } from "../../../src/scan/managers/helm.js";
import { CORPUS, corpusFiles, corpusReposAvailable } from "../../helpers/corpus.js";
import type { ExtractContext, ExtractedDependency } from "../../../src/scan/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, "../../fixtures/scan/helm");
const ctx: ExtractContext = { readFile: () => undefined, allFiles: [] };

function extract(rel: string, as = `charts/${rel}`) {
  return helmManager.extract(as, readFileSync(path.join(FIXTURES, rel), "utf8"), ctx);
}
function byName(deps: ExtractedDependency[], name: string): ExtractedDependency {
  const d = deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dependency ${name} in ${deps.map((x) => x.name).join(", ")}`);
  return d;
}

describe("helmManager.matches", () => {
  it("matches charts, Helm 2 requirements and values files", () => {
    for (const p of ["Chart.yaml", "packages/api/chart/Chart.yaml", "requirements.yaml", "chart/values.yaml", "values/upstream-values.yaml", "values-dev.yml"]) {
      expect(helmManager.matches(p), p).toBe(true);
    }
    for (const p of ["chart/templates/deployment.yaml", "requirements.txt", "Chart.lock", "zarf.yaml", "valuesfoo.txt"]) {
      expect(helmManager.matches(p), p).toBe(false);
    }
  });
});

describe("Chart.yaml", () => {
  const file = "charts/mychart/Chart.yaml";
  const r = extract("mychart/Chart.yaml");

  it("gives meta and marks the chart as a component root", () => {
    expect(r.warnings).toEqual([]);
    expect(r.meta).toEqual({ primary: true, name: "mychart", version: "1.10.0", description: "A test chart" });
  });

  it("reads helm repository dependencies with line and range lower bound", () => {
    expect(byName(r.deps, "postgresql")).toEqual({
      name: "postgresql",
      package_manager: "helm",
      datasource: "helm",
      file,
      line: 8,
      dependency_type: "prod",
      current_value: "~12.1.0",
      version: "12.1.0",
      locked_version: null,
      registry_url: "https://charts.bitnami.com/bitnami",
      digest: null,
      skip_reason: null,
      local_path: null,
      component: "",
    });
  });

  it("maps oci:// repositories to the docker datasource with the full OCI path", () => {
    expect(byName(r.deps, "registry-1.docker.io/bitnamicharts/redis")).toMatchObject({ datasource: "docker", current_value: "18.6.1", registry_url: "docker.io" });
  });

  it("skips file://, aliases, missing repository and missing version", () => {
    expect(byName(r.deps, "common")).toMatchObject({ skip_reason: "local", local_path: "charts/common" });
    expect(byName(r.deps, "nginx")).toMatchObject({ skip_reason: "repository alias" });
    expect(byName(r.deps, "keycloak")).toMatchObject({ skip_reason: "repository alias" });
    expect(byName(r.deps, "vendored")).toMatchObject({ skip_reason: "no repository" });
    expect(byName(r.deps, "noversion")).toMatchObject({ skip_reason: "no version" });
    expect(r.deps).toHaveLength(7);
  });

  it("reads Helm 2 requirements.yaml as a non-primary manifest", () => {
    const req = extract("legacy/requirements.yaml");
    expect(req.warnings).toEqual([]);
    expect(req.meta.primary).toBe(false);
    expect(req.deps).toEqual([expect.objectContaining({ name: "mysql", current_value: "1.6.9", registry_url: "https://charts.helm.sh/stable", line: 2 })]);
    const chart = extract("legacy/Chart.yaml");
    expect(chart).toEqual({ deps: [], warnings: [], meta: { primary: true, name: "legacy", version: "0.3.1" } });
  });

  it("warns when dependencies is not a list, and on invalid YAML", () => {
    const broken = extract("broken/Chart.yaml");
    expect(broken.deps).toEqual([]);
    expect(broken.warnings).toEqual([{ file: "charts/broken/Chart.yaml", line: 4, manager: "helm", message: '"dependencies" should be a list, found a map' }]);
    expect(broken.meta).toMatchObject({ primary: true, name: "broken" });
    const invalid = extract("broken/requirements.yaml");
    expect(invalid.warnings.length).toBeGreaterThan(0);
    expect(invalid.warnings[0]).toMatchObject({ file: "charts/broken/requirements.yaml", manager: "helm", message: expect.stringMatching(/invalid YAML/) });
    expect(invalid.warnings[0].line).toBeGreaterThanOrEqual(3);
  });

  it("never throws on hostile input", () => {
    for (const h of ["", "- a\n- b", "dependencies: [1, 2, {name: [x]}]", "name: x\nversion: {a: 1}", "\u0000", "a: &a [*a]"]) {
      expect(() => helmManager.extract("Chart.yaml", h, ctx)).not.toThrow();
    }
    const r = helmManager.extract("Chart.yaml", "dependencies: [1, {version: 1}]", ctx);
    expect(r.warnings.map((w) => w.message)).toEqual(["dependencies[0] should be a map, found a number", "dependencies[1] has no name"]);
  });
});

describe("values files", () => {
  const r = extract("mychart/values.yaml");
  const names = r.deps.map((d) => d.name);

  it("reads repository/tag blocks, with registry prefixes", () => {
    expect(r.warnings).toEqual([]);
    expect(byName(r.deps, "ghcr.io/example/app")).toMatchObject({ current_value: "1.4.2", datasource: "docker", package_manager: "helm", line: 3 });
    expect(byName(r.deps, "docker.io/bitnami/os-shell")).toMatchObject({ current_value: "12-debian-12-r16", registry_url: "docker.io" });
  });

  it("reads image strings with a tag under *image keys, also in lists", () => {
    expect(byName(r.deps, "quay.io/prometheus/node-exporter")).toMatchObject({ current_value: "v1.7.0", registry_url: "quay.io" });
    expect(byName(r.deps, "busybox")).toMatchObject({ current_value: "1.36" });
  });

  it("skips templates and empty tags", () => {
    expect(r.deps.find((d) => d.name.includes("{{"))?.skip_reason).toBe("template variable");
    expect(byName(r.deps, "example/app").skip_reason).toMatch(/no tag/);
  });

  it("avoids false positives", () => {
    expect(names).not.toContain("true");
    expect(names).not.toContain("nginx");
    expect(names).not.toContain("foo/bar");
    expect(names.some((n) => n.startsWith("not/an"))).toBe(false);
    expect(r.deps).toHaveLength(6);
  });
});

describe("helmVersionOf", () => {
  it("gives pins as-is and range lower bounds", () => {
    expect(helmVersionOf("1.2.3")).toBe("1.2.3");
    expect(helmVersionOf("^2.1")).toBe("2.1.0");
    expect(helmVersionOf("12.x.x")).toBe("12.0.0");
    expect(helmVersionOf("garbage!")).toBe("garbage!");
  });
});


const corpusExists = corpusReposAvailable("helm");

describe.skipIf(!corpusExists)("helm manager over the corpus", () => {
  it("reads every Chart.yaml without warnings, with name and version", () => {
    const repos = path.join(CORPUS, "repos");
    const files = corpusFiles((f) => f.endsWith("/Chart.yaml"));
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const f of files) {
      const r = helmManager.extract(f, readFileSync(path.join(repos, f), "utf8"), ctx);
      expect(r.warnings, f).toEqual([]);
      expect(r.meta.primary).toBe(true);
      expect(r.meta.name, f).toMatch(/\S/);
      expect(r.meta.version, f).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});
