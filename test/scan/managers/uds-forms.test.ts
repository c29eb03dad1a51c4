/** uds-bundle.yaml forms one behaviour per test (issue 18: mutation score of uds.ts); expected values by hand. */
import { describe, expect, it } from "vitest";
import { udsManager } from "../../../src/scan/managers/uds.js";

const extract = (content: string, file = "bundles/dev/uds-bundle.yaml") => udsManager.extract(file, content, { readFile: () => undefined, allFiles: [] });
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);

describe("uds-bundle.yaml", () => {
  it("metadata: name, version and the trimmed description", () => {
    const r = extract("metadata:\n  name: b\n  version: 1.0.0\n  description: |\n    text\n");
    expect(r.meta).toEqual({ primary: false, name: "b", version: "1.0.0", description: "text" });
    expect(r.deps).toEqual([]);
    expect(extract("metadata: {}\n").meta).toEqual({ primary: false });
  });

  it("an OCI package: its repository at its ref, line of the list item", () => {
    const r = extract("kind: UDSBundle\npackages:\n  - name: core\n    repository: oci://ghcr.io/o/core\n    ref: 0.22.0-upstream\n");
    expect(r.warnings).toEqual([]);
    expect(r.deps).toEqual([
      expect.objectContaining({
        name: "ghcr.io/o/core",
        datasource: "docker",
        package_manager: "uds",
        dependency_type: "prod",
        current_value: "0.22.0-upstream",
        version: "0.22.0-upstream",
        registry_url: "ghcr.io",
        skip_reason: null,
        line: 3,
        file: "bundles/dev/uds-bundle.yaml",
      }),
    ]);
  });

  it("without a ref the tag of the repository is the version; with neither it is skipped as unversioned", () => {
    const r = extract("packages:\n  - repository: ghcr.io/o/a:1.2.3\n  - repository: ghcr.io/o/b\n  - repository: ghcr.io/o/c:9.9\n    ref: 1.0.0\n");
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason])).toEqual([
      ["ghcr.io/o/a", "1.2.3", null],
      ["ghcr.io/o/b", "", "no version"],
      ["ghcr.io/o/c", "1.0.0", null],
    ]);
  });

  it("a local package: named by its name, else its path, resolved beside the bundle", () => {
    const r = extract("packages:\n  - name: init\n    path: ../../build\n    ref: 1.0.0\n  - path: ./pkg\n");
    expect(r.deps.map((d) => [d.name, d.datasource, d.current_value, d.skip_reason, d.local_path])).toEqual([
      ["init", "none", "1.0.0", "local", "build"],
      ["./pkg", "none", "", "local", "bundles/dev/pkg"],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it("a package with neither repository nor path, or a blank repository, is reported by index and name", () => {
    const r = extract("packages:\n  - name: lost\n  - ref: 1.0.0\n  - name: blank\n    repository: '  '\n");
    expect(messages(r)).toEqual([
      [2, "packages[0] (lost) has neither repository nor path"],
      [3, "packages[1] has neither repository nor path"],
      [4, "packages[2] (blank) has neither repository nor path"],
    ]);
    expect(r.deps).toEqual([]);
  });

  it("templated repositories or refs are skipped, Zarf templates named as such", () => {
    const r = extract(
      "packages:\n  - repository: ghcr.io/o/a\n    ref: '###ZARF_PKG_TMPL_VERSION###'\n  - repository: ghcr.io/${ORG}/b\n    ref: 1.0.0\n  - repository: ghcr.io/o/c\n    ref: '{{ .ver }}'\n  - repository: '###ZARF_VAR_REG###/d'\n    ref: 1.0.0\n",
    );
    expect(r.deps.map((d) => d.skip_reason)).toEqual(["zarf template variable", "unresolved variable", "unresolved variable", "zarf template variable"]);
    expect(r.warnings).toEqual([]);
  });

  it("an invalid OCI reference is skipped and reported, quoting the repository", () => {
    const r = extract("packages:\n  - name: bad\n    repository: ' Bad/Repo '\n    ref: 1.0.0\n");
    expect(r.deps.map((d) => [d.name, d.skip_reason, d.current_value])).toEqual([["Bad/Repo", "invalid OCI reference", "1.0.0"]]);
    expect(messages(r)).toEqual([[2, 'packages[0] (bad): invalid image name "Bad/Repo" in " Bad/Repo "']]);
  });

  it("a package that is no map, and packages that are no list, are reported", () => {
    expect(messages(extract("packages:\n  - just-a-string\n  - 3\n"))).toEqual([
      [2, "packages[0] should be a map, found a string"],
      [3, "packages[1] should be a map, found a number"],
    ]);
    expect(messages(extract("packages: nope\n"))).toEqual([[1, "packages should be a list, found a string"]]);
    expect(extract("metadata:\n  name: x\n")).toMatchObject({ deps: [], warnings: [] });
  });

  it("an empty bundle and a top level that is no map are reported", () => {
    expect(messages(extract(""))).toEqual([[1, "empty uds-bundle.yaml"]]);
    expect(messages(extract("- a\n"))).toEqual([[1, "expected a map at the top level, found a list"]]);
  });

  it("a long package name is clipped to 40 characters in warnings", () => {
    const long = "n".repeat(50);
    expect(messages(extract(`packages:\n  - name: ${long}\n`))).toEqual([[2, `packages[0] (${"n".repeat(40)}…) has neither repository nor path`]]);
  });

  it("matches uds-bundle.yaml and .yml in any folder, nothing else", () => {
    expect(udsManager.matches("uds-bundle.yaml")).toBe(true);
    expect(udsManager.matches("a/uds-bundle.yml")).toBe(true);
    expect(udsManager.matches("a/my-uds-bundle.yaml")).toBe(false);
    expect(udsManager.matches("a/uds-bundle.yaml.bak")).toBe(false);
    expect(udsManager.matches("uds-bundle.yaml/x")).toBe(false);
  });
});
