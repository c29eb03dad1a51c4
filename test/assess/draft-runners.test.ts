/**
 * The manifest → test-runner table of testSuitesFor and the path lookup of componentForPath, one
 * manifest at a time (issue 18: the regex survivors of src/assess/draft.ts). Each manifest is alone in
 * its component, so a pattern that stops matching (or starts matching too much) changes the answer
 * instead of being hidden by another manifest of the same runner. Expectations follow the manifest
 * naming of each ecosystem (npm's package.json, pip's pyproject/setup/requirements/Pipfile, ...).
 */
import { describe, expect, it } from "vitest";
import { componentForPath, testSuitesFor } from "../../src/assess/draft.js";
import { makeComponent } from "./helpers.js";

const NONE = "the test suite of c (no runner detected: run its build and smoke tests)";
const suites = (manifest: string) => testSuitesFor("c", [makeComponent({ name: "c", manifests: [manifest] })]);

describe("testSuitesFor: one manifest, one runner", () => {
  const cases: Array<[string, string]> = [
    ["package.json", "npm test for c"],
    ["web/package.json", "npm test for c"],
    ["pyproject.toml", "pytest for c"],
    ["svc/pyproject.toml", "pytest for c"],
    ["setup.py", "pytest for c"],
    ["svc/setup.py", "pytest for c"],
    ["setup.cfg", "pytest for c"],
    ["svc/setup.cfg", "pytest for c"],
    ["requirements.txt", "pytest for c"],
    ["svc/requirements.txt", "pytest for c"],
    ["requirements-dev.txt", "pytest for c"],
    ["svc/requirements_test.txt", "pytest for c"],
    ["Pipfile", "pytest for c"],
    ["svc/Pipfile", "pytest for c"],
    ["Cargo.toml", "cargo test for c"],
    ["crates/x/Cargo.toml", "cargo test for c"],
    ["go.mod", "go test ./... for c"],
    ["cmd/go.mod", "go test ./... for c"],
    ["Dockerfile", "docker build for c"],
    ["svc/Dockerfile", "docker build for c"],
    ["Dockerfile.prod", "docker build for c"],
    ["svc/Dockerfile-dev", "docker build for c"],
    ["api.Dockerfile", "docker build for c"],
    ["svc/api.Dockerfile", "docker build for c"],
    [".Dockerfile", "docker build for c"],
    ["Containerfile", "docker build for c"],
    ["svc/Containerfile", "docker build for c"],
    ["Chart.yaml", "helm lint and helm template for c"],
    ["charts/x/Chart.yaml", "helm lint and helm template for c"],
    ["zarf.yaml", "zarf package create for c"],
    ["zarf.yml", "zarf package create for c"],
    ["pkg/zarf.yaml", "zarf package create for c"],
    ["uds-bundle.yaml", "uds create for c"],
    ["uds-bundle.yml", "uds create for c"],
    ["bundle/uds-bundle.yaml", "uds create for c"],
    [".github/workflows/ci.yml", "the GitHub Actions workflows of c"],
    [".github/workflows/release.yaml", "the GitHub Actions workflows of c"],
    ["sub/.github/workflows/ci.yaml", "the GitHub Actions workflows of c"],
  ];
  it.each(cases)("%s → %s", (manifest, label) => {
    expect(suites(manifest)).toEqual([label]);
  });
});

describe("testSuitesFor: names that only look like a manifest", () => {
  const near = [
    // a longer name ending like the manifest
    "mypackage.json",
    "web/mypackage.json",
    "mypyproject.toml",
    "mysetup.py",
    "old-setup.cfg",
    "dev-requirements.txt",
    "xPipfile",
    "MyCargo.toml",
    "notgo.mod",
    "myDockerfile",
    "svc/xContainerfile",
    "myChart.yaml",
    "myzarf.yaml",
    "my-uds-bundle.yaml",
    "x.github/workflows/ci.yml",
    // the manifest name followed by more
    "package.json.bak",
    "web/package.jsonc",
    "pyproject.toml.orig",
    "setup.py.bak",
    "setup.cfg~",
    "requirements.txt.old",
    "Pipfile.lock",
    "Cargo.toml.bak",
    "Cargo.tomlx",
    "go.mod.bak",
    "go.modx",
    "Containerfile.bak",
    "Chart.yaml.bak",
    "zarf.yaml.bak",
    "zarf.ymlx",
    "uds-bundle.yaml.bak",
    ".github/workflows/ci.yml.bak",
    ".github/workflows/ci.yamlx",
    // a directory where the pattern wants a file name
    "requirements/dev.txt",
    "Dockerfile.d/x.sh",
    "docker/a.Dockerfile/x.sh",
    ".github/workflows/nested/ci.yml",
    ".github/workflows/.yml",
    // other case or other names
    "pipfile",
    "dockerfile",
    "Cargo.lock",
    "go.sum",
    "zarf.json",
  ];
  it.each(near)("%s: no runner", (manifest) => {
    expect(suites(manifest)).toEqual([NONE]);
  });
});

describe("componentForPath: trimming and ties", () => {
  it("trims every trailing slash of a component path, and only those", () => {
    const api = makeComponent({ name: "api", path: "src/api//" });
    expect(componentForPath("src/api/main.py", [api])?.name).toBe("api");
    expect(componentForPath("src/api", [api])?.name).toBe("api");
    expect(componentForPath("srcapi/main.py", [api])).toBeNull();
    expect(componentForPath("src/apix/main.py", [api])).toBeNull();
  });

  it("a deeper component wins whatever the order; the first listed wins a tie", () => {
    const a = makeComponent({ name: "a", path: "pkg/a" });
    const a2 = makeComponent({ name: "a2", path: "pkg/a" });
    const ab = makeComponent({ name: "ab", path: "pkg/a/b" });
    const root = makeComponent({ name: "root", path: "." });
    const rootEmpty = makeComponent({ name: "root-empty", path: "" });
    expect(componentForPath("pkg/a/x.ts", [a, a2])?.name).toBe("a");
    expect(componentForPath("pkg/a/x.ts", [a2, a])?.name).toBe("a2");
    expect(componentForPath("pkg/a/b/x.ts", [ab, a, root])?.name).toBe("ab");
    expect(componentForPath("pkg/a/b/x.ts", [root, a, ab])?.name).toBe("ab");
    expect(componentForPath("x.ts", [root, rootEmpty])?.name).toBe("root");
    expect(componentForPath("x.ts", [rootEmpty, root])?.name).toBe("root-empty");
    expect(componentForPath("pkg/a/x.ts", [rootEmpty, a])?.name).toBe("a");
    expect(componentForPath("pkg/a/x.ts", [a, rootEmpty])?.name).toBe("a");
    // A one-letter directory is deeper than the root, even when the root comes first.
    const x = makeComponent({ name: "x", path: "x" });
    expect(componentForPath("x/y.ts", [root, x])?.name).toBe("x");
    expect(componentForPath("x/y.ts", [rootEmpty, x])?.name).toBe("x");
  });
});
