import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { udsManager } from "../../../src/scan/managers/uds.js";
import { CORPUS, corpusFiles, corpusReposAvailable } from "../../helpers/corpus.js";
import type { ExtractContext, ExtractedDependency } from "../../../src/scan/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, "../../fixtures/scan/uds");
const ctx: ExtractContext = { readFile: () => undefined, allFiles: [] };

function extract(rel: string) {
  return udsManager.extract(rel, readFileSync(path.join(FIXTURES, rel), "utf8"), ctx);
}
function byName(deps: ExtractedDependency[], name: string): ExtractedDependency {
  const d = deps.find((x) => x.name === name);
  if (!d) throw new Error(`no dependency ${name} in ${deps.map((x) => x.name).join(", ")}`);
  return d;
}

describe("udsManager", () => {
  const file = "bundles/dev/uds-bundle.yaml";
  const r = extract(file);

  it("matches uds-bundle.yaml only", () => {
    expect(udsManager.matches("bundles/dev/cpu/uds-bundle.yaml")).toBe(true);
    expect(udsManager.matches("uds-bundle.yml")).toBe(true);
    expect(udsManager.matches("uds-config.yaml")).toBe(false);
    expect(udsManager.matches("zarf.yaml")).toBe(false);
  });

  it("reads metadata; a bundle is not a component root", () => {
    expect(r.warnings).toEqual([]);
    expect(r.meta).toEqual({ primary: false, name: "demo", version: "0.13.1-upstream", description: "A demo bundle" });
  });

  it("reads OCI packages with their ref (flavor suffix kept)", () => {
    expect(byName(r.deps, "ghcr.io/defenseunicorns/packages/uds/core")).toEqual({
      name: "ghcr.io/defenseunicorns/packages/uds/core",
      package_manager: "uds",
      datasource: "docker",
      file,
      line: 10,
      dependency_type: "prod",
      current_value: "0.22.0-upstream",
      version: "0.22.0-upstream",
      locked_version: null,
      registry_url: "ghcr.io",
      digest: null,
      skip_reason: null,
      local_path: null,
      component: "",
    });
    expect(byName(r.deps, "ghcr.io/defenseunicorns/packages/uds/monitoring")).toMatchObject({ current_value: "1.10", skip_reason: null });
  });

  it("skips local, templated and ref-less packages", () => {
    expect(byName(r.deps, "api")).toMatchObject({ skip_reason: "local", local_path: "packages/api", current_value: "dev", datasource: "none" });
    expect(byName(r.deps, "ghcr.io/example/pkg")).toMatchObject({ skip_reason: "zarf template variable" });
    expect(byName(r.deps, "ghcr.io/example/other")).toMatchObject({ skip_reason: "no version" });
    expect(r.deps).toHaveLength(5);
  });

  it("warns on wrong shapes with file and line", () => {
    const b = extract("broken/uds-bundle.yaml");
    expect(b.warnings.map((w) => [w.line, w.message.replace(/".*"/, "…")])).toEqual([
      [5, "packages[0] (nothing) has neither repository nor path"],
      [7, "packages[1] should be a map, found a string"],
      [8, expect.stringMatching(/^packages\[2\] \(bad\): invalid/)],
    ]);
    expect(b.deps).toEqual([expect.objectContaining({ name: "Not A/Valid Repo", skip_reason: "invalid OCI reference" })]);
    const notList = udsManager.extract("uds-bundle.yaml", "kind: UDSBundle\npackages:\n  a: 1\n", ctx);
    expect(notList.warnings).toEqual([{ file: "uds-bundle.yaml", line: 2, manager: "uds", message: "packages should be a list, found a map" }]);
  });

  it("reports invalid YAML and never throws on hostile input", () => {
    const inv = udsManager.extract("uds-bundle.yaml", "packages:\n  - name: a\n    ref: [1\n", ctx);
    expect(inv.warnings[0]).toMatchObject({ manager: "uds", message: expect.stringMatching(/invalid YAML/) });
    for (const h of ["", "[]", "packages: 1", "packages: [~, {repository: [1]}]", "\u0000", "a: &a [*a]"]) {
      expect(() => udsManager.extract("uds-bundle.yaml", h, ctx)).not.toThrow();
    }
  });
});


const corpusExists = corpusReposAvailable("uds");

describe.skipIf(!corpusExists)("uds manager over the corpus", () => {
  it("extracts every package of every bundle without warnings", () => {
    const repos = path.join(CORPUS, "repos");
    const files = corpusFiles((f) => udsManager.matches(f));
    expect(files.length).toBeGreaterThanOrEqual(8);
    let total = 0;
    for (const f of files) {
      const content = readFileSync(path.join(repos, f), "utf8");
      const r = udsManager.extract(f, content, ctx);
      expect(r.warnings, f).toEqual([]);
      const doc = parseDocument(content).toJS() as { packages?: Array<{ name: string; repository?: string; path?: string; ref?: string }> };
      const pkgs = doc.packages ?? [];
      expect(r.deps.length, f).toBe(pkgs.length);
      pkgs.forEach((p, i) => {
        const d = r.deps[i];
        if (p.repository) expect(d).toMatchObject({ name: p.repository, current_value: String(p.ref), datasource: "docker" });
        else expect(d).toMatchObject({ name: p.name, skip_reason: "local" });
      });
      total += pkgs.length;
    }
    expect(total).toBeGreaterThan(20);
  });
});
