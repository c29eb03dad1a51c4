import { describe, expect, it } from "vitest";
import { baseDependency } from "../../../src/scan/managers/dependency.js";
import { ociDependency, parseOciReference } from "../../../src/scan/managers/image-ref.js";
import { ALL_MANAGERS } from "../../../src/scan/managers/index.js";
import { extractSafely, listAt, manifestMetadata, openYamlManifest } from "../../../src/scan/managers/manifest.js";
import { YamlLimitError } from "../../../src/scan/managers/yaml-ast.js";

describe("openYamlManifest", () => {
  it("returns the top-level map and a warn helper that tags file and manager", () => {
    const m = openYamlManifest("a/zarf.yaml", "metadata:\n  name: x\n", "zarf", "empty zarf.yaml");
    expect(m.root).not.toBeNull();
    m.warn(2, "look here");
    expect(m.warnings).toEqual([{ file: "a/zarf.yaml", line: 2, manager: "zarf", message: "look here" }]);
  });

  it("warns an empty document with the given message, or not at all when it is null", () => {
    const empty = openYamlManifest("uds-bundle.yaml", "# only a comment\n", "uds", "empty uds-bundle.yaml");
    expect(empty.root).toBeNull();
    expect(empty.warnings.map((w) => [w.line, w.message])).toEqual([[1, "empty uds-bundle.yaml"]]);
    const silent = openYamlManifest("requirements.yaml", "", "helm", null);
    expect(silent.root).toBeNull();
    expect(silent.warnings).toEqual([]);
  });

  it("names the kind found when the top level is not a map", () => {
    const m = openYamlManifest("Chart.yaml", "- a\n- b\n", "helm", "empty chart file");
    expect(m.root).toBeNull();
    expect(m.warnings).toHaveLength(1);
    expect(m.warnings[0].message).toMatch(/^expected a map at the top level, found /);
    expect(m.warnings[0].line).toBe(1);
  });
});

describe("manifestMetadata and listAt", () => {
  it("reads name, version and description, null when missing", () => {
    const { root } = openYamlManifest("Chart.yaml", "name: web\nversion: 1.2.3\n", "helm", null);
    expect(manifestMetadata(root)).toEqual({ name: "web", version: "1.2.3", description: null });
    expect(manifestMetadata(undefined)).toEqual({ name: null, version: null, description: null });
  });

  it("returns the list under a key; warns with the key's line when it is not a list", () => {
    const { root, warn, warnings } = openYamlManifest("zarf.yaml", "kind: ZarfPackageConfig\ncomponents: nope\npackages:\n  - a\n", "zarf", null);
    if (!root) throw new Error("expected a map");
    expect(listAt(root, "packages", warn)?.items).toHaveLength(1);
    expect(listAt(root, "missing", warn)).toBeNull();
    expect(warnings).toEqual([]);
    expect(listAt(root, "components", warn)).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: "zarf.yaml", line: 2, manager: "zarf" });
    expect(warnings[0].message).toMatch(/^components should be a list, found /);
  });
});

describe("extractSafely", () => {
  it("passes the extractor's result through", () => {
    const result = { deps: [], warnings: [], meta: { primary: true, name: "x" } };
    expect(extractSafely("f", "helm", false, () => result)).toBe(result);
  });

  it("turns an exception into a 'cannot extract' warning naming the file", () => {
    const r = extractSafely("charts/web/Chart.yaml", "helm", true, () => {
      throw new Error("boom");
    });
    expect(r).toEqual({
      deps: [],
      warnings: [{ file: "charts/web/Chart.yaml", line: null, manager: "helm", message: "cannot extract: Error: boom" }],
      meta: { primary: true },
    });
  });
});

describe("parseOciReference and ociDependency", () => {
  it("splits an oci:// reference into name, tag, digest and registry", () => {
    const oci = parseOciReference(" oci://ghcr.io/acme/pkg:1.2.0@sha256:" + "a".repeat(64) + " ");
    expect(oci).toMatchObject({ name: "ghcr.io/acme/pkg", tag: "1.2.0", digest: "sha256:" + "a".repeat(64), registry: "ghcr.io", error: null });
  });

  it("reports an invalid name and no registry", () => {
    const oci = parseOciReference("oci://Bad Name/x:1");
    expect(oci.registry).toBeNull();
    expect(oci.error).not.toBeNull();
  });

  it("builds a docker dependency with the caller's version and skip reason", () => {
    const base = { file: "uds-bundle.yaml", line: 4, package_manager: "uds" as const, dependency_type: "prod" as const };
    const oci = parseOciReference("ghcr.io/acme/pkg");
    expect(ociDependency(base, oci, "0.13.1-upstream", null)).toEqual(
      baseDependency(base, { name: "ghcr.io/acme/pkg", datasource: "docker", current_value: "0.13.1-upstream", registry_url: "ghcr.io" }),
    );
    expect(ociDependency(base, oci, "", "no version").skip_reason).toBe("no version");
  });
});

describe("issue 18 survivors of manifest.ts and index.ts", () => {
  it("an explicit null document ('~', 'null') is empty; a scalar document is not a map", () => {
    for (const doc of ["~\n", "null\n"]) {
      const m = openYamlManifest("zarf.yaml", doc, "zarf", "empty zarf.yaml");
      expect(m.root, doc).toBeNull();
      expect(m.warnings, doc).toEqual([{ file: "zarf.yaml", line: 1, manager: "zarf", message: "empty zarf.yaml" }]);
    }
    const s = openYamlManifest("zarf.yaml", "just text\n", "zarf", "empty zarf.yaml");
    expect(s.root).toBeNull();
    expect(s.warnings.map((w) => w.message)).toEqual(["expected a map at the top level, found a string"]);
  });

  it("a document the parser rejected is not also warned as empty", () => {
    const m = openYamlManifest("zarf.yaml", "]\n", "zarf", "empty zarf.yaml");
    expect(m.root).toBeNull();
    expect(m.warnings).toHaveLength(1);
    expect(m.warnings[0].message).not.toBe("empty zarf.yaml");
  });

  it("reads the description", () => {
    const { root } = openYamlManifest("Chart.yaml", "name: web\ndescription: A web chart\n", "helm", null);
    expect(manifestMetadata(root)).toEqual({ name: "web", version: null, description: "A web chart" });
  });

  it("a stack overflow is reported as nesting, a resource limit with its own message and line", () => {
    const deep = extractSafely("a.yaml", "zarf", false, () => {
      throw new RangeError("Maximum call stack size exceeded");
    });
    expect(deep.warnings).toEqual([{ file: "a.yaml", line: null, manager: "zarf", message: "cannot extract: the file is nested too deeply to read (Maximum call stack size exceeded)" }]);
    expect(deep.meta).toEqual({ primary: false });
    const limit = extractSafely("a.yaml", "uds", true, () => {
      throw new YamlLimitError("too many aliases", 7);
    });
    expect(limit.warnings).toEqual([{ file: "a.yaml", line: 7, manager: "uds", message: "too many aliases" }]);
  });

  it("every manager is registered, in the order results are reported", () => {
    expect(ALL_MANAGERS.map((m) => m.name)).toEqual(["npm", "pip", "cargo", "go", "docker", "github-actions", "helm", "zarf", "uds"]);
  });
});
