/**
 * Extraction fidelity on the shapes real repositories have (issue 14): one fixture repository,
 * test/fixtures/scan/fidelity2, written for these tests in the shape of the corpus files (a pnpm 11
 * workspace with default and named catalogs and selector overrides, yarn resolutions, npm nested
 * overrides, a uv project, Poetry, Pipfile, rust-toolchain.toml, a Dockerfile with a syntax directive,
 * compose with untagged images, a Helm chart with `tag: ""` / `tag: null`, SHA-pinned actions with
 * version comments). Go forks are in test/scan/managers/go.test.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { scanRepository } from "../../src/scan/index.js";
import type { ExtractedDependency, ScanResult } from "../../src/scan/types.js";
import { LocalSource } from "../../src/source/local.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/scan/fidelity2");
let scan: ScanResult;
beforeAll(async () => {
  scan = await scanRepository(new LocalSource(ROOT));
});

const inFile = (file: string): ExtractedDependency[] => scan.dependencies.filter((d) => d.file === file);
const one = (file: string, name: string): ExtractedDependency => {
  const hits = inFile(file).filter((d) => d.name === name);
  expect(hits, `${file} ${name}`).toHaveLength(1);
  return hits[0];
};
/** The text at a dependency's recorded span, read from the fixture file itself. */
const spanText = (d: ExtractedDependency): string => {
  const s = d.value_span!;
  const line = readFileSync(path.join(ROOT, d.file), "utf8").split(/\r?\n/)[s.line - 1];
  return line.slice(s.start_column, s.end_column);
};

describe("fidelity on real shapes", () => {
  it("scans the fixture without warnings", () => {
    expect(scan.warnings).toEqual([]);
  });

  describe("pnpm catalogs", () => {
    it("a catalog: reference is reported at its catalog entry, in the component that uses it", () => {
      const react = inFile("pnpm-workspace.yaml").filter((d) => d.name === "react");
      expect(react.map((d) => [d.component, d.declared_by?.file, d.line, d.current_value])).toEqual([
        ["fidelity-core", "packages/core/package.json", 15, "19.2.1"],
        ["fidelity-docs", "packages/docs/package.json", 15, "19.2.1"],
      ]);
      expect(react[0]).toMatchObject({ dependency_type: "prod", group: "catalog:default", datasource: "npm" });
      expect(react[0].declared_by).toEqual({ file: "packages/core/package.json", line: 5, value: "catalog:" });
      expect(spanText(react[0])).toBe("19.2.1");
      // catalog:default is the default catalog too.
      expect(one("pnpm-workspace.yaml", "zod")).toMatchObject({ current_value: "^4.1.0", version: "4.1.0", line: 16 });
    });

    it("named catalogs resolve through catalogs.<name>; quoted keys keep their span", () => {
      const eslint = one("pnpm-workspace.yaml", "@antfu/eslint-config");
      expect(eslint).toMatchObject({ dependency_type: "dev", group: "catalog:dev", line: 20, current_value: "^9.2.0", component: "fidelity-monorepo" });
      expect(spanText(eslint)).toBe("^9.2.0");
      expect(one("pnpm-workspace.yaml", "vitest")).toMatchObject({ group: "catalog:test", line: 24, declared_by: { file: "packages/core/package.json", line: 10, value: "catalog:test" } });
      // The package.json files themselves no longer list the catalog references as their own lines.
      expect(inFile("packages/core/package.json").map((d) => d.name)).toEqual(["cheerio"]);
    });

    it("a catalog entry no package.json uses is still listed", () => {
      const unused = one("pnpm-workspace.yaml", "unused-tool");
      expect(unused).toMatchObject({ current_value: "^1.0.0", line: 22, notes: ["catalog:dev entry that no package.json of this workspace refers to"] });
      expect(unused.declared_by ?? null).toBeNull();
      // Used entries are not listed a second time for the workspace file itself.
      expect(inFile("pnpm-workspace.yaml").filter((d) => d.name === "vitest")).toHaveLength(1);
    });
  });

  describe("overrides are dependencies of their own type", () => {
    it("pnpm-workspace.yaml overrides, with selectors; '-' removes and is not a dependency", () => {
      const ov = inFile("pnpm-workspace.yaml").filter((d) => d.dependency_type === "override");
      expect(ov.map((d) => [d.name, d.current_value, d.line, d.notes ?? []])).toEqual([
        ["cheerio", "1.0.0-rc.12", 8, ["overrides selector enzyme>cheerio"]],
        ["protobufjs", "8.6.6", 9, ["overrides selector protobufjs@8"]],
        ["uuid", "11.1.1", 10, ["overrides selector uuid@9"]],
        ["semver", "^7.8.5", 11, []],
      ]);
      for (const d of ov) expect(spanText(d)).toBe(d.current_value);
    });

    it("package.json pnpm.overrides, yarn resolutions and npm nested overrides", () => {
      const root = inFile("package.json").filter((d) => d.dependency_type === "override");
      expect(root.map((d) => [d.name, d.current_value, d.group, d.notes])).toEqual([
        ["cheerio", "1.0.0-rc.12", "pnpm.overrides", ["pnpm.overrides selector enzyme>cheerio"]],
        ["minimist", "1.2.8", "pnpm.overrides", ["pnpm.overrides selector minimist@<1.2.6"]],
        ["lru-cache", "10.4.3", "resolutions", ["resolutions selector lru-cache@^10.0.1"]],
        ["pretty-format", "30.0.0", "resolutions", ["resolutions selector @testing-library/react-native/pretty-format"]],
      ]);
      for (const d of root) expect(spanText(d)).toBe(d.current_value);
      expect(one("packages/core/package.json", "cheerio")).toMatchObject({ dependency_type: "override", group: "overrides", notes: ["overrides selector enzyme>cheerio"] });
    });
  });

  describe("runtime versions", () => {
    it("Node: engines.node, .nvmrc, .node-version and packageManager", () => {
      expect(one("package.json", "node")).toMatchObject({ datasource: "node-version", dependency_type: "runtime", current_value: ">=20.18", version: "20.18.0" });
      expect(one(".nvmrc", "node")).toMatchObject({ datasource: "node-version", dependency_type: "runtime", current_value: "24.14.0", line: 1 });
      expect(one("tools/.node-version", "node")).toMatchObject({ current_value: "v22", version: "22.0.0", component: "tools" });
      expect(one("package.json", "pnpm")).toMatchObject({ datasource: "npm", dependency_type: "runtime", current_value: "11.1.0", group: "packageManager" });
      for (const [f, n] of [["package.json", "node"], [".nvmrc", "node"], ["tools/.node-version", "node"], ["package.json", "pnpm"]] as const)
        expect(spanText(one(f, n))).toBe(one(f, n).current_value);
    });

    it("Python: requires-python, Poetry python, .python-version and Pipfile python_version", () => {
      const rp = one("api/pyproject.toml", "python");
      expect(rp).toMatchObject({ datasource: "python-version", dependency_type: "runtime", current_value: ">=3.14,<4.0", version: "3.14", line: 5, group: "requires-python" });
      expect(one("legacy/pyproject.toml", "python")).toMatchObject({ current_value: "^3.8", version: "3.8", line: 7, group: "poetry" });
      expect(one("api/.python-version", "python")).toMatchObject({ current_value: "3.14", component: "api" });
      expect(one("svc/Pipfile", "python")).toMatchObject({ current_value: "3.11", line: 10, group: "pipenv" });
      for (const f of ["api/pyproject.toml", "legacy/pyproject.toml", "api/.python-version", "svc/Pipfile"]) expect(spanText(one(f, "python"))).toBe(one(f, "python").current_value);
    });

    it("Rust: rust-toolchain.toml channel", () => {
      const rust = one("rust/rust-toolchain.toml", "rust");
      expect(rust).toMatchObject({ datasource: "rust-version", dependency_type: "runtime", current_value: "1.80.0", line: 2, package_manager: "cargo", component: "fidelity-rs" });
      expect(spanText(rust)).toBe("1.80.0");
    });
  });

  it("Dockerfile: the # syntax= directive is an image dependency", () => {
    const syntax = one("svc/Dockerfile", "docker/dockerfile");
    expect(syntax).toMatchObject({ datasource: "docker", current_value: "1", line: 1, group: "syntax", dependency_type: "build" });
    expect(spanText(syntax)).toBe("1");
  });

  describe("never invent a version", () => {
    it("an image without a tag is untagged, not latest; an explicit :latest of a built image is not a dependency", () => {
      for (const name of ["adminer", "axllent/mailpit"])
        expect(one("compose.yml", name)).toMatchObject({ current_value: "", version: "", notes: ["untagged: the registry's default tag is pulled"] });
      expect(one("svc/Dockerfile", "gcr.io/distroless/python3-debian12")).toMatchObject({ current_value: "" });
      expect(inFile("compose.yml").map((d) => d.name)).not.toContain("backend");
    });

    it('Helm tag: "" and tag: null mean the chart appVersion, resolved', () => {
      expect(one("chart/values.yaml", "ghcr.io/fidelity/app")).toMatchObject({
        current_value: "5.3.4",
        skip_reason: null,
        notes: ['tag: "" in values: the chart\'s appVersion 5.3.4 (chart/Chart.yaml:4) is used'],
      });
      expect(one("chart/values.yaml", "docker.io/grafana/loki-canary")).toMatchObject({ current_value: "5.3.4", notes: [expect.stringMatching(/^tag: null in values/)] });
      expect(one("chart/values.yaml", "kiwigrid/k8s-sidecar").current_value).toBe("2.5.0");
    });
  });

  it("GitHub Actions: the comment after a SHA names the tag or branch; the SHA stays the digest", () => {
    const wf = ".github/workflows/ci.yml";
    const got = inFile(wf)
      .filter((d) => d.datasource === "github-tags")
      .map((d) => [d.name, d.current_value, d.digest?.slice(0, 7)]);
    expect(got).toEqual([
      ["actions/checkout", "v6.0.1", "8e8c483"],
      ["pnpm/action-setup", "v9.0.0", "41ff726"],
      ["grafana/shared-workflows", "create-github-app-token/v0.3.1", "46f48da"],
      ["dtolnay/rust-toolchain", "stable", "4305c38"],
      ["some/action", "release/v1", "0123456"],
      ["other/action", "master", "89abcde"],
    ]);
    for (const d of inFile(wf)) expect(d.version).not.toMatch(/^[0-9a-f]{40}$/);
  });
});
