import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseGitUrl, zarfManager } from "../../../src/scan/managers/zarf.js";
import { CORPUS, corpusFiles, corpusReposAvailable } from "../../helpers/corpus.js";
import type { ExtractContext, ExtractedDependency } from "../../../src/scan/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, "../../fixtures/scan/zarf");
const ctx: ExtractContext = { readFile: () => undefined, allFiles: [] };
const SHA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

function extract(rel: string, as = `packages/${rel}`) {
  return zarfManager.extract(as, readFileSync(path.join(FIXTURES, rel), "utf8"), ctx);
}
function byName(deps: ExtractedDependency[], name: string): ExtractedDependency {
  const d = deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dependency ${name} in ${deps.map((x) => x.name).join(", ")}`);
  return d;
}

describe("zarfManager", () => {
  const file = "packages/pkg/zarf.yaml";
  const r = extract("pkg/zarf.yaml");

  it("matches zarf.yaml only", () => {
    expect(zarfManager.matches("packages/api/zarf.yaml")).toBe(true);
    expect(zarfManager.matches("zarf.yml")).toBe(true);
    expect(zarfManager.matches("zarf-config.yaml")).toBe(false);
    expect(zarfManager.matches("uds-bundle.yaml")).toBe(false);
  });

  it("reads metadata as a primary manifest", () => {
    expect(r.warnings).toEqual([]);
    expect(r.meta).toEqual({ primary: true, name: "demo-package", version: "0.4.0", description: "A demo package" });
  });

  it("reads images with line numbers, defaults and digests", () => {
    expect(byName(r.deps, "ghcr.io/stefanprodan/podinfo")).toEqual({
      name: "ghcr.io/stefanprodan/podinfo",
      package_manager: "zarf",
      datasource: "docker",
      file,
      line: 33,
      dependency_type: "prod",
      current_value: "6.4.0",
      version: "6.4.0",
      locked_version: null,
      registry_url: "ghcr.io",
      digest: null,
      skip_reason: null,
      local_path: null,
      component: "",
    });
    expect(byName(r.deps, "nginx")).toMatchObject({ current_value: "", registry_url: "docker.io" });
    expect(byName(r.deps, "docker.io/library/alpine")).toMatchObject({ current_value: "3.19", digest: SHA });
  });

  it("skips zarf template variables but keeps the image name when it is known", () => {
    expect(byName(r.deps, "registry1.dso.mil/ironbank/opensource/nginx")).toMatchObject({
      skip_reason: "zarf template variable",
      current_value: "v###ZARF_PKG_TMPL_IMAGE_VERSION###",
      registry_url: "registry1.dso.mil",
    });
    expect(byName(r.deps, "###ZARF_VAR_REGISTRY###/app:1.0").skip_reason).toBe("zarf template variable");
    expect(byName(r.deps, "templated")).toMatchObject({ skip_reason: "zarf template variable", datasource: "helm" });
  });

  it("reads helm repo, OCI, git and local charts", () => {
    expect(byName(r.deps, "podinfo")).toMatchObject({ datasource: "helm", current_value: "6.4.0", registry_url: "https://stefanprodan.github.io/podinfo", line: 14 });
    expect(byName(r.deps, "registry-1.docker.io/bitnamicharts/redis")).toMatchObject({ datasource: "docker", current_value: "18.6.1", registry_url: "docker.io" });
    const git = r.deps.find((d) => d.line === 22);
    expect(git).toMatchObject({ name: "stefanprodan/podinfo", datasource: "github-tags", current_value: "6.4.0", registry_url: "https://github.com/stefanprodan/podinfo.git" });
    expect(byName(r.deps, "local-chart")).toMatchObject({ skip_reason: "local", local_path: "packages/chart", datasource: "none", current_value: "0.1.0" });
  });

  it("reads git repos: GitHub tags, tag refs, branches, no ref, SHAs", () => {
    const repos = r.deps.filter((d) => d.line !== null && d.line >= 39 && d.line <= 43);
    expect(repos.map((d) => [d.name, d.datasource, d.current_value, d.skip_reason])).toEqual([
      ["defenseunicorns/zarf", "github-tags", "v0.32.0", null],
      ["stefanprodan/podinfo", "github-tags", "v6.4.0", null],
      ["https://gitlab.com/group/project.git", "git", "refs/heads/main", "branch"],
      ["https://git.example.com/repo.git", "git", "", "no version"],
      ["o/r", "github-tags", "0123456789abcdef0123456789abcdef01234567", null],
    ]);
    expect(repos[4].digest).toBe("0123456789abcdef0123456789abcdef01234567");
  });

  it("ignores chart overrides of imported components and reads OCI skeleton imports", () => {
    expect(r.deps.map((d) => d.name)).not.toContain("override-only");
    expect(byName(r.deps, "ghcr.io/defenseunicorns/packages/dubbd-k3d")).toMatchObject({ current_value: "0.3.0-skeleton", datasource: "docker" });
    expect(r.deps).toHaveLength(16);
  });

  it("warns on wrong shapes with file and line, and goes on", () => {
    const b = extract("broken/zarf.yaml");
    expect(b.warnings.map((w) => [w.line, w.message])).toEqual([
      [6, "components[0] (a).images should be a list, found a string"],
      [8, "components[0] (a).charts[0] has no name"],
      [10, "components[0] (a).charts[1] (nosource) has neither url nor localPath"],
      [12, "components[1] should be a map, found a string"],
      [15, "components[2] (b).repos entry should be a string, found a map"],
    ]);
    expect(b.warnings.every((w) => w.file === "packages/broken/zarf.yaml" && w.manager === "zarf")).toBe(true);
    expect(b.meta).toMatchObject({ primary: true, name: "broken" });
  });

  it("reports invalid YAML and never throws on hostile input", () => {
    const inv = zarfManager.extract("zarf.yaml", "metadata:\n  name: x\ncomponents:\n  - name: [a\n", ctx);
    expect(inv.warnings[0]).toMatchObject({ file: "zarf.yaml", manager: "zarf", message: expect.stringMatching(/invalid YAML/) });
    expect(inv.warnings[0].line).toBeGreaterThanOrEqual(4);
    for (const h of ["", "[]", "components: 3", "components: [~, {images: [~, 1, {}]}]", "\u0000", "a: &a [*a]"]) {
      expect(() => zarfManager.extract("zarf.yaml", h, ctx)).not.toThrow();
    }
  });
});

describe("parseGitUrl", () => {
  it("splits the ref but not user info", () => {
    expect(parseGitUrl("https://github.com/o/r.git@v1.0")).toEqual({ url: "https://github.com/o/r.git", ref: "v1.0", github: "o/r" });
    expect(parseGitUrl("https://user@github.com/o/r.git")).toEqual({ url: "https://user@github.com/o/r.git", ref: null, github: "o/r" });
    expect(parseGitUrl("https://gitlab.com/g/p.git@refs/heads/main").ref).toBe("refs/heads/main");
  });
});


const corpusExists = corpusReposAvailable("zarf");

describe.skipIf(!corpusExists)("zarf manager over the corpus", () => {
  it("extracts every image of every zarf.yaml without warnings", () => {
    const repos = path.join(CORPUS, "repos");
    const files = corpusFiles((f) => zarfManager.matches(f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    let total = 0;
    for (const f of files) {
      const content = readFileSync(path.join(repos, f), "utf8");
      const r = zarfManager.extract(f, content, ctx);
      expect(r.warnings, f).toEqual([]);
      expect(r.meta.primary).toBe(true);
      // Independent count from the parsed document.
      type Comp = { images?: string[]; charts?: Array<{ url?: string }>; import?: { url?: string } };
      const doc = parseDocument(content).toJS() as { components?: Comp[] };
      const comps = doc.components ?? [];
      const images = comps.flatMap((c) => c.images ?? []);
      const ociCharts = comps.flatMap((c) => c.charts ?? []).filter((c) => c.url?.startsWith("oci://")).length;
      const ociImports = comps.filter((c) => c.import?.url?.startsWith("oci://")).length;
      const dockerImages = r.deps.filter((d) => d.datasource === "docker");
      expect(dockerImages.length, f).toBe(images.length + ociCharts + ociImports);
      for (const img of images) {
        expect(dockerImages.some((d) => img.startsWith(d.name)), `${f}: ${img}`).toBe(true);
      }
      total += images.length;
    }
    expect(total).toBeGreaterThan(20);
  });
});
