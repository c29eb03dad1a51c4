import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { rewriteBoundedRange } from "../../../../src/act/github/updaters/npm.js";
import { updateManifest, updaterFor, type UpdateOptions, type UpdateTarget } from "../../../../src/act/github/updaters/index.js";
import { helmManager } from "../../../../src/scan/managers/helm.js";
import { pipManager } from "../../../../src/scan/managers/pip.js";
import { udsManager } from "../../../../src/scan/managers/uds.js";
import type { Manager } from "../../../../src/scan/types.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../fixtures/github-pr-updaters");
const read = (f: string): string => readFileSync(path.join(dir, f), "utf8");

function target(name: string, line: number | null, pm: string, current = ""): UpdateTarget {
  return { name, line, package_manager: pm, current_value: current, version: current };
}

/** Apply the update to a fixture (stored under `fixture`, updated as `file`) and return the changed lines. */
function changed(fixture: string, file: string, dep: UpdateTarget, newVersion: string, opts?: UpdateOptions): Array<[string, string]> {
  const before = read(fixture);
  const r = updateManifest(file, before, dep, newVersion, opts);
  if ("error" in r) throw new Error(r.error);
  const a = before.split(/\r?\n/);
  const b = r.content.split(/\r?\n/);
  expect(b.length).toBe(a.length);
  // Line endings are kept as found.
  expect((r.content.match(/\r\n/g) ?? []).length).toBe((before.match(/\r\n/g) ?? []).length);
  return a.flatMap((l, i) => (l === b[i] ? [] : [[l, b[i]] as [string, string]]));
}

function errorOf(fixture: string, file: string, dep: UpdateTarget, newVersion: string, opts?: UpdateOptions, content = read(fixture)): string {
  const r = updateManifest(file, content, dep, newVersion, opts);
  if (!("error" in r)) throw new Error(`expected an error, got ${r.content}`);
  return r.error;
}

const SHA_A = "a".repeat(64);
const NEW_DIGEST = `sha256:${"c".repeat(64)}`;

describe("helm values files", () => {
  const f = "charts/web/values.yaml";
  it("routes values files to the values updater, Chart.yaml to the chart one", () => {
    expect(updaterFor(f)?.kind).toBe("helm values");
    expect(updaterFor("charts/web/values-prod.yaml")?.kind).toBe("helm values");
    expect(updaterFor("charts/web/Chart.yaml")?.kind).toBe("Chart.yaml");
  });
  it("changes the tag of an image map on the repository's line, keeping quotes and comments", () => {
    expect(changed("values.yaml", f, target("nginx", 3, "helm"), "1.25.4")).toEqual([['  tag: "1.25.3"   # web server', '  tag: "1.25.4"   # web server']]);
    // The second nginx (line 22) is changed alone when its line is given.
    expect(changed("values.yaml", f, target("nginx", 22, "helm"), "1.26.0")).toEqual([["    tag: 1.25.3", "    tag: 1.26.0"]]);
  });
  it("matches registry + repository and quotes a plain tag YAML would read as a number", () => {
    const out = changed("values.yaml", f, target("ghcr.io/org/agent", 9, "helm"), "1.20");
    expect(out).toEqual([["    tag: 1.10", '    tag: "1.20"']]);
    const r = updateManifest(f, read("values.yaml"), target("ghcr.io/org/agent", 9, "helm"), "1.20");
    expect("content" in r && (parseYaml(r.content) as { sidecar: { image: { tag: unknown } } }).sidecar.image.tag).toBe("1.20");
  });
  it("changes `image: repo:tag` strings at the exact occurrence", () => {
    expect(changed("values.yaml", f, target("redis", 12, "helm"), "7.4-alpine")).toEqual([["  image: redis:7.2-alpine", "  image: redis:7.4-alpine"]]);
    expect(changed("values.yaml", f, target("envoyproxy/envoy", 14, "helm"), "v1.30.1")).toEqual([['  image: "envoyproxy/envoy:v1.28.0"', '  image: "envoyproxy/envoy:v1.30.1"']]);
  });
  it("moves a digest-pinned map's tag and digest together, and refuses without the new digest", () => {
    expect(changed("values.yaml", f, target("org/pinned", 17, "helm"), "2.1.0", { newDigest: NEW_DIGEST })).toEqual([
      ["    tag: 2.0.0", "    tag: 2.1.0"],
      [`    digest: sha256:${"a".repeat(64)}`, `    digest: ${NEW_DIGEST}`],
    ]);
    expect(errorOf("values.yaml", f, target("org/pinned", 17, "helm"), "2.1.0")).toMatch(/values\.yaml:19: "org\/pinned" is pinned by digest; .*needs that tag's digest/);
    // A digest as the new version: only the digest changes.
    expect(changed("values.yaml", f, target("org/pinned", 17, "helm"), NEW_DIGEST)).toEqual([[`    digest: sha256:${"a".repeat(64)}`, `    digest: ${NEW_DIGEST}`]]);
  });
  it("reports missing, ambiguous and templated declarations", () => {
    expect(errorOf("values.yaml", f, target("nginx", 5, "helm"), "1.26.0")).toMatch(/values\.yaml:5: image "nginx" not found/);
    expect(errorOf("values.yaml", f, target("nginx", null, "helm"), "1.26.0")).toMatch(/appears 2 times \(lines 3, 22\)/);
    expect(errorOf("values.yaml", f, target("org/templ", 26, "helm"), "1.0.0")).toMatch(/values\.yaml:26: .*template variable/);
    expect(errorOf("values.yaml", f, target("nginx", 3, "helm"), "1.0.0", undefined, "image: [\n")).toMatch(/values\.yaml:\d+: invalid YAML/);
  });
});

describe("uds-bundle.yaml", () => {
  const f = "bundles/uds-bundle.yaml";
  it("changes the ref of the package entry on the dependency's line", () => {
    expect(changed("uds-bundle.yaml", f, target("ghcr.io/zarf-dev/packages/init", 6, "uds"), "v0.42.0")).toEqual([["    ref: v0.41.0", "    ref: v0.42.0"]]);
    expect(changed("uds-bundle.yaml", f, target("ghcr.io/defenseunicorns/packages/uds/core", 9, "uds"), "0.30.0-upstream")).toEqual([
      ['    ref: "0.29.0-upstream"   # flavored', '    ref: "0.30.0-upstream"   # flavored'],
    ]);
  });
  it("changes a tag written in the repository when there is no ref", () => {
    expect(changed("uds-bundle.yaml", f, target("ghcr.io/org/pkg", 12, "uds"), "1.1.0")).toEqual([["    repository: ghcr.io/org/pkg:1.0.0", "    repository: ghcr.io/org/pkg:1.1.0"]]);
  });
  it("refuses a flavor change, a missing package and hostile content", () => {
    expect(errorOf("uds-bundle.yaml", f, target("ghcr.io/defenseunicorns/packages/uds/core", 9, "uds"), "0.30.0")).toMatch(/uds-bundle\.yaml:11: .*upstream flavor/);
    expect(errorOf("uds-bundle.yaml", f, target("ghcr.io/other/pkg", 6, "uds"), "1.0.0")).toMatch(/uds-bundle\.yaml:6: package "ghcr.io\/other\/pkg" not found/);
    expect(errorOf("uds-bundle.yaml", f, target("./build", 14, "uds"), "1.0.0")).toMatch(/not found/);
  });
});

describe("Pipfile", () => {
  const f = "svc/Pipfile";
  it("rewrites string and inline-table specifiers in [packages] and [dev-packages]", () => {
    expect(changed("Pipfile", f, target("requests", 7, "pip"), "2.32.3")).toEqual([['requests = "==2.31.0"', 'requests = "==2.32.3"']]);
    expect(changed("Pipfile", f, target("requests", 15, "pip"), "2.32.3")).toEqual([['requests = "==2.30.0"', 'requests = "==2.32.3"']]);
    expect(changed("Pipfile", f, target("flask", 8, "pip"), "2.3.3")).toEqual([['flask = {version = ">=2.0,<3", extras = ["async"]}', 'flask = {version = ">=2.3.3,<3", extras = ["async"]}']]);
    expect(changed("Pipfile", f, target("django", 9, "pip"), "4.2.11")).toEqual([['"Django" = "~=4.2"  # web', '"Django" = "~=4.2.11"  # web']]);
    expect(changed("Pipfile", f, target("pytest", 14, "pip"), "8.1.0")).toEqual([['pytest = ">=7.0"', 'pytest = ">=8.1.0"']]);
    const r = updateManifest(f, read("Pipfile"), target("pytest", 14, "pip"), "8.1.0");
    expect("content" in r && (parseToml(r.content) as { "dev-packages": Record<string, string> })["dev-packages"].pytest).toBe(">=8.1.0");
  });
  it("rewrites the version of a [packages.name] table", () => {
    expect(changed("Pipfile", f, target("numpy", 17, "pip"), "1.26.4")).toEqual([['version = "==1.26.0"', 'version = "==1.26.4"']]);
    expect(changed("Pipfile", f, target("numpy", null, "pip"), "1.26.4")).toEqual([['version = "==1.26.0"', 'version = "==1.26.4"']]);
  });
  it("refuses *, path sources, upper bounds, ambiguity and missing declarations", () => {
    expect(errorOf("Pipfile", f, target("anything", 10, "pip"), "1.0")).toMatch(/Pipfile:10: "anything" accepts any version/);
    expect(errorOf("Pipfile", f, target("mylib", 11, "pip"), "1.0")).toMatch(/Pipfile:11: .*path, git or file/);
    expect(errorOf("Pipfile", f, target("flask", 8, "pip"), "3.0.0")).toMatch(/Pipfile:8: 3\.0\.0 is excluded/);
    expect(errorOf("Pipfile", f, target("requests", null, "pip"), "2.32.3")).toMatch(/declared 2 times \(lines 7, 15\)/);
    expect(errorOf("Pipfile", f, target("url", 2, "pip"), "1.0")).toMatch(/Pipfile:2: declaration of "url" not found/);
    expect(errorOf("Pipfile", f, target("requests", 7, "pip"), "2.32.3", undefined, "[packages\nrequests = 1")).toMatch(/Pipfile: invalid TOML/);
  });
});

describe("package.json bounded ranges (replace strategy)", () => {
  const f = "web/package.json";
  it("moves the lower bound and keeps or moves the upper bound at its precision", () => {
    expect(changed("package.json", f, target("a", 3, "npm"), "1.4.0")).toEqual([['    "a": ">=1.2.0 <2",', '    "a": ">=1.4.0 <2",']]);
    expect(changed("package.json", f, target("a", 3, "npm"), "2.3.0")).toEqual([['    "a": ">=1.2.0 <2",', '    "a": ">=2.3.0 <3",']]);
    expect(changed("package.json", f, target("b", 4, "npm"), "1.7.2")).toEqual([['    "b": ">= 1.2.0 < 1.5",', '    "b": ">= 1.7.2 < 1.8",']]);
    expect(changed("package.json", f, target("c", 5, "npm"), "2.0.1")).toEqual([['    "c": ">=1.0.0 <2.0.0",', '    "c": ">=2.0.1 <3.0.0",']]);
    expect(changed("package.json", f, target("d", 6, "npm"), "1.3.0")).toEqual([['    "d": ">=1.0.0 <=1.4.0",', '    "d": ">=1.3.0 <=1.4.0",']]);
  });
  it("refuses what it cannot widen faithfully", () => {
    expect(errorOf("package.json", f, target("d", 6, "npm"), "1.5.0")).toMatch(/package\.json:6: range ">=1.0.0 <=1.4.0" .*update it by hand/);
    expect(errorOf("package.json", f, target("e", 7, "npm"), "1.5.0")).toMatch(/package\.json:7: /);
    expect(errorOf("package.json", f, target("f", 8, "npm"), "1.5.0")).toMatch(/package\.json:8: /);
    expect(errorOf("package.json", f, target("g", 9, "npm"), "1.6.0")).toMatch(/package\.json:9: /);
  });
  it("rewriteBoundedRange: semver must accept the result", () => {
    expect(rewriteBoundedRange(">=1.0.0 <2", "v2.5.0")).toBe(">=2.5.0 <3");
    expect(rewriteBoundedRange(">=1.0.0 <2", "2.0.0-rc.1")).toBeNull();
    expect(rewriteBoundedRange(">=1.0.0 <2 || ^3", "2.0.0")).toBeNull();
    expect(rewriteBoundedRange("1.0.0 - 2.0.0", "2.5.0")).toBeNull();
    expect(rewriteBoundedRange(">=1.0.0 <2", "not-a-version")).toBeNull();
  });
});

describe("digest and SHA pins", () => {
  it("Dockerfile: a new tag with its digest replaces both; without the digest it is refused", () => {
    const d = "build/Dockerfile";
    expect(changed("Dockerfile", d, target("ghcr.io/org/tool", 1, "docker"), "1.1", { newDigest: NEW_DIGEST })).toEqual([
      [`FROM --platform=linux/amd64 ghcr.io/org/tool:1.0@sha256:${SHA_A} AS tool`, `FROM --platform=linux/amd64 ghcr.io/org/tool:1.1@${NEW_DIGEST} AS tool`],
    ]);
    expect(errorOf("Dockerfile", d, target("ghcr.io/org/tool", 1, "docker"), "1.1")).toMatch(/Dockerfile:1: .*pinned by digest; moving it to "1\.1" needs that tag's digest/);
    expect(errorOf("Dockerfile", d, target("ghcr.io/org/tool", 1, "docker"), "1.1", { newDigest: "sha256:zz" })).toMatch(/refusing new digest/);
    // Digest-only pins take a digest as the new version.
    expect(errorOf("Dockerfile", d, target("alpine", 2, "docker"), "3.20", { newDigest: NEW_DIGEST })).toMatch(/Dockerfile:2: .*digest only/);
    expect(changed("Dockerfile", d, target("alpine", 2, "docker"), NEW_DIGEST)).toEqual([[`FROM alpine@sha256:${"b".repeat(64)}`, `FROM alpine@${NEW_DIGEST}`]]);
  });
  it("workflow: a SHA-pinned action moves to the new SHA and its version comment follows", () => {
    const w = ".github/workflows/ci.yml";
    const sha = "1".repeat(40);
    expect(changed("ci.yml", w, target("actions/checkout", 6, "github-actions", "v4.1.1"), "v4.2.2", { newDigest: sha })).toEqual([
      ["      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1", `      - uses: actions/checkout@${sha} # v4.2.2`],
    ]);
    expect(changed("ci.yml", w, target("actions/cache", 7, "github-actions", "v4.0.0"), "4.2.0", { newDigest: sha })[0][1]).toBe(`      - uses: actions/cache@${sha} # tag=v4.2.0`);
    expect(changed("ci.yml", w, target("actions/setup-go", 8, "github-actions"), "v5.0.0", { newDigest: sha })[0][1]).toBe(`      - uses: actions/setup-go@${sha}`);
    expect(changed("ci.yml", w, target("actions/setup-node", 9, "github-actions", "v4"), "v4.1.0", { newDigest: sha })[0][1]).toBe(`      - uses: "actions/setup-node@${sha}"   # v4.1.0`);
    // A SHA as the new version: a digest update of the same tag, comment kept.
    expect(changed("ci.yml", w, target("actions/checkout", 6, "github-actions"), sha)[0][1]).toBe(`      - uses: actions/checkout@${sha} # v4.1.1`);
  });
  it("workflow: refuses a tag move without the new SHA, or with a malformed one", () => {
    const w = ".github/workflows/ci.yml";
    expect(errorOf("ci.yml", w, target("actions/checkout", 6, "github-actions"), "v4.2.2")).toMatch(/ci\.yml:6: "actions\/checkout" is pinned to a commit SHA; moving it to "v4\.2\.2" needs that tag's commit SHA/);
    expect(errorOf("ci.yml", w, target("actions/checkout", 6, "github-actions"), "v4.2.2", { newDigest: "abc123".repeat(6) })).toMatch(/ci\.yml:6: new commit SHA .* is not 40/);
    expect(errorOf("ci.yml", w, target("actions/checkout", 6, "github-actions"), "v4.2.2", { newDigest: "x\n# evil" })).toMatch(/refusing new digest/);
  });
});

describe("hostile content", () => {
  it("never throws and always explains", () => {
    const hostile = ['"\u0000', "{{{{", "- [", "image: ${{ evil }}", "[packages]\n\"a\" = {", "packages:\n  - repository: [", "a".repeat(5000), "\u202e"];
    for (const file of ["values.yaml", "uds-bundle.yaml", "Pipfile", "package.json", "Dockerfile", ".github/workflows/x.yml"]) {
      for (const content of hostile) {
        const r = updateManifest(file, content, target("a", 1, "helm"), "1.0.0", { newDigest: NEW_DIGEST });
        expect("error" in r, `${file} ${JSON.stringify(content.slice(0, 20))}`).toBe(true);
        if ("error" in r) expect(r.error).toContain(file);
      }
    }
  });
});

describe("scanner lines drive the updaters (scan → update round trip)", () => {
  const cases: Array<{ fixture: string; file: string; manager: Manager }> = [
    { fixture: "values.yaml", file: "charts/web/values.yaml", manager: helmManager },
    { fixture: "uds-bundle.yaml", file: "bundles/uds-bundle.yaml", manager: udsManager },
    { fixture: "Pipfile", file: "svc/Pipfile", manager: pipManager },
  ];
  for (const c of cases) {
    it(`every updatable ${c.fixture} dependency the scanner reports is found by its line`, async () => {
      const content = read(c.fixture);
      const res = await c.manager.extract(c.file, content, { readFile: () => undefined, allFiles: [c.file] });
      expect(res.warnings.filter((w) => /invalid|cannot/.test(w.message))).toEqual([]);
      const deps = res.deps.filter((d) => d.skip_reason == null);
      expect(deps.length).toBeGreaterThan(2);
      for (const d of deps) {
        const r = updateManifest(c.file, content, d, "9.9.9", { newDigest: NEW_DIGEST });
        // Errors are allowed only for deliberate refusals (flavor, upper bounds, "*"), never "not found".
        if ("error" in r) expect(r.error, `${d.name}@${d.line}`).not.toMatch(/not found|declared \d+ times|appears \d+ times/);
        // A runtime version keeps its precision (python_version "3.11" → "9.9").
        else expect(r.content).toContain(d.dependency_type === "runtime" ? "9.9" : "9.9.9");
      }
    });
  }
});
