/**
 * Helm Chart.yaml / requirements.yaml / values forms one behaviour per test (issue 18: mutation
 * score of helm.ts). Expected values follow the Helm chart format and semver, written out by hand.
 */
import { describe, expect, it } from "vitest";
import { helmLockPathOf, helmManager, helmVersionOf, parseHelmLock } from "../../../src/scan/managers/helm.js";
import type { ExtractContext, ScanWarning } from "../../../src/scan/types.js";

const SHA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const run = (file: string, content: string, files: Record<string, string> = {}) =>
  helmManager.extract(file, content, { readFile: (p) => files[p], allFiles: [file, ...Object.keys(files)] });
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);
const chart = (deps: string) => `apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n${deps}`;

describe("helmVersionOf", () => {
  it("a version is itself, a range is its lowest version, anything else is as written", () => {
    expect(helmVersionOf(" 1.2.3 ")).toBe("1.2.3");
    expect(helmVersionOf("v1.2.3")).toBe("v1.2.3");
    expect(helmVersionOf("^1.2.0")).toBe("1.2.0");
    expect(helmVersionOf(">=2.1.0 <3")).toBe("2.1.0");
    expect(helmVersionOf("~1.4")).toBe("1.4.0");
    expect(helmVersionOf("1.x")).toBe("1.0.0");
    expect(helmVersionOf("not a range")).toBe("not a range");
    expect(helmVersionOf("{{ .Values.v }}")).toBe("{{ .Values.v }}");
  });
});

describe("helmLockPathOf", () => {
  it("Chart.yaml → Chart.lock, requirements.yaml → requirements.lock, beside the file", () => {
    expect(helmLockPathOf("charts/a/Chart.yaml")).toBe("charts/a/Chart.lock");
    expect(helmLockPathOf("Chart.yml")).toBe("Chart.lock");
    expect(helmLockPathOf("a/requirements.yml")).toBe("a/requirements.lock");
    expect(helmLockPathOf("requirements.yaml")).toBe("requirements.lock");
    expect(helmLockPathOf("a/values.yaml")).toBeNull();
  });
});

describe("parseHelmLock", () => {
  it("reads name, version and repository, trimmed, with lines", () => {
    const w: ScanWarning[] = [];
    expect(parseHelmLock("Chart.lock", "dependencies:\n- name: ' a '\n  repository: ' https://r '\n  version: ' 1.0.0 '\n- name: b\n  version: 2.0.0\n", w)).toEqual([
      { name: "a", repository: "https://r", version: "1.0.0", line: 2 },
      { name: "b", repository: "", version: "2.0.0", line: 5 },
    ]);
    expect(w).toEqual([]);
  });

  it("entries without a name or version, or that are no map, are reported and skipped", () => {
    const w: ScanWarning[] = [];
    expect(parseHelmLock("Chart.lock", "dependencies:\n- name: a\n- version: 1.0.0\n- x\n", w)).toEqual([]);
    expect(w.map((x) => [x.line, x.message])).toEqual([
      [2, "dependencies[0] should be a map with name and version"],
      [3, "dependencies[1] should be a map with name and version"],
      [4, "dependencies[2] should be a map with name and version"],
    ]);
  });

  it("no dependencies, null ones and an empty file; a non-list is reported", () => {
    const w: ScanWarning[] = [];
    expect(parseHelmLock("Chart.lock", "digest: x\n", w)).toEqual([]);
    expect(parseHelmLock("Chart.lock", "dependencies:\n", w)).toEqual([]);
    expect(w).toEqual([]);
    expect(parseHelmLock("Chart.lock", "", w)).toEqual([]);
    expect(w.map((x) => x.message)).toEqual(["empty lock file"]);
    w.length = 0;
    expect(parseHelmLock("Chart.lock", "x: 1\ndependencies: 3\n", w)).toEqual([]);
    expect(w.map((x) => [x.file, x.line, x.message])).toEqual([["Chart.lock", 2, '"dependencies" should be a list, found a number']]);
  });
});

describe("chart dependencies", () => {
  it("metadata of Chart.yaml; requirements.yaml is no chart root", () => {
    expect(run("Chart.yaml", "name: c\nversion: 1.0.0\ndescription: d\n").meta).toEqual({ primary: true, name: "c", version: "1.0.0", description: "d" });
    expect(run("Chart.yaml", "apiVersion: v2\n").meta).toEqual({ primary: true });
    expect(run("requirements.yaml", "name: c\ndependencies: []\n").meta).toEqual({ primary: false });
    expect(messages(run("Chart.yaml", ""))).toEqual([[1, "empty chart file"]]);
    expect(run("requirements.yaml", "")).toMatchObject({ deps: [], warnings: [] });
  });

  it("an HTTP repository: the version's lower bound, the line of the name, trailing slashes dropped", () => {
    const r = run("Chart.yaml", chart("  - version: ^12.1.0\n    name: redis\n    repository: https://charts.example.com/x/\n"));
    expect(r.warnings).toEqual([]);
    expect(r.deps).toEqual([
      expect.objectContaining({ name: "redis", datasource: "helm", current_value: "^12.1.0", version: "12.1.0", registry_url: "https://charts.example.com/x", skip_reason: null, line: 6, package_manager: "helm", dependency_type: "prod" }),
    ]);
  });

  it("each kind of repository", () => {
    const r = run(
      "charts/app/Chart.yaml",
      chart(
        [
          "  - name: none",
          "    version: 1.0.0",
          "  - name: local",
          "    version: 1.0.0",
          "    repository: file://../common",
          "  - name: aliased",
          "    version: 1.0.0",
          "    repository: '@stable'",
          "  - name: aliased2",
          "    version: 1.0.0",
          "    repository: alias:stable",
          "  - name: templ",
          "    version: 1.0.0",
          "    repository: '{{ .Values.repo }}'",
          "  - name: templv",
          "    version: '${V}'",
          "    repository: https://x",
          "  - name: oci",
          "    version: 2.0.0",
          "    repository: oci://ghcr.io/o/charts/",
          "  - name: plain",
          "    version: 1.0.0",
          "    repository: http://old.example",
          "  - name: odd",
          "    version: 1.0.0",
          "    repository: s3://bucket",
          "",
        ].join("\n"),
      ),
    );
    expect(r.deps.map((d) => [d.name, d.datasource, d.registry_url, d.skip_reason, d.local_path])).toEqual([
      ["none", "helm", null, "no repository", null],
      ["local", "none", null, "local", "charts/common"],
      ["aliased", "helm", "@stable", "repository alias", null],
      ["aliased2", "helm", "alias:stable", "repository alias", null],
      ["templ", "helm", "{{ .Values.repo }}", "template variable", null],
      ["templv", "helm", "https://x", "template variable", null],
      ["ghcr.io/o/charts/oci", "docker", "ghcr.io", null, null],
      ["plain", "helm", "http://old.example", null, null],
      ["odd", "helm", "s3://bucket", "unsupported repository", null],
    ]);
    expect(messages(r)).toEqual([[28, 'unsupported repository "s3://bucket" for odd']]);
  });

  it("an invalid OCI repository is skipped and reported", () => {
    const r = run("Chart.yaml", chart("  - name: x\n    version: 1.0.0\n    repository: oci://Bad/Repo\n"));
    expect(r.deps.map((d) => [d.name, d.registry_url, d.skip_reason])).toEqual([["Bad/Repo/x", null, "invalid OCI reference"]]);
    expect(messages(r)).toEqual([[5, 'invalid image name "Bad/Repo/x" in "oci://Bad/Repo"']]);
  });

  it("a dependency without a version is skipped as unversioned unless already skipped", () => {
    const r = run("Chart.yaml", chart("  - name: a\n    repository: https://x\n  - name: b\n"));
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason])).toEqual([
      ["a", "", "no version"],
      ["b", "", "no repository"],
    ]);
  });

  it("malformed dependency lists and entries are reported", () => {
    expect(messages(run("Chart.yaml", "name: c\ndependencies: x\n"))).toEqual([[2, '"dependencies" should be a list, found a string']]);
    expect(messages(run("Chart.yaml", chart("  - just-a-name\n  - name: ''\n  - version: 1.0.0\n")))).toEqual([
      [5, "dependencies[0] should be a map, found a string"],
      [6, "dependencies[1] has no name"],
      [7, "dependencies[2] has no name"],
    ]);
    expect(run("Chart.yaml", "name: c\ndependencies:\n")).toMatchObject({ deps: [], warnings: [] });
  });

  it("the lock gives the locked version, matched by name and repository", () => {
    const lock = "dependencies:\n- name: redis\n  repository: https://charts.example.com/\n  version: 12.3.0\n- name: redis\n  repository: https://other\n  version: 99.0.0\n";
    const r = run("a/Chart.yaml", chart("  - name: redis\n    version: ^12.1.0\n    repository: https://Charts.example.com\n"), { "a/Chart.lock": lock });
    expect(r.warnings).toEqual([]);
    expect(r.deps[0]).toMatchObject({ current_value: "^12.1.0", version: "12.3.0", locked_version: "12.3.0", notes: ["locked by a/Chart.lock"] });
  });

  it("the only lock entry of a name is used whatever its repository; two of them with other repositories are ambiguous", () => {
    const one = run("Chart.yaml", chart("  - name: a\n    version: ^1.0.0\n    repository: https://x\n"), { "Chart.lock": "dependencies:\n- name: a\n  repository: https://y\n  version: 1.2.0\n" });
    expect(one.deps[0].locked_version).toBe("1.2.0");
    const two = run("Chart.yaml", chart("  - name: a\n    version: ^1.0.0\n    repository: https://x\n"), {
      "Chart.lock": "dependencies:\n- name: a\n  repository: https://y\n  version: 1.2.0\n- name: a\n  repository: https://z\n  version: 1.3.0\n",
    });
    expect(two.deps[0].locked_version).toBeNull();
    expect(messages(two)).toEqual([[null, "a is not in Chart.lock (run helm dependency update)"]]);
  });

  it("a lock that does not satisfy the constraint is warned about and not used", () => {
    const r = run("Chart.yaml", chart("  - name: a\n    version: ^2.0.0\n    repository: https://x\n"), { "Chart.lock": "dependencies:\n- name: a\n  repository: https://x\n  version: 1.9.0\n" });
    expect(r.deps[0]).toMatchObject({ locked_version: null, version: "2.0.0" });
    expect(r.warnings).toEqual([
      { file: "Chart.lock", line: 2, manager: "helm", message: 'a 1.9.0 in Chart.lock does not satisfy "^2.0.0" of Chart.yaml (stale lock: run helm dependency update)' },
    ]);
  });

  it("prereleases satisfy a range; no constraint, a non-range constraint or a non-semver lock are taken as they are", () => {
    const lockOf = (v: string) => ({ "Chart.lock": `dependencies:\n- name: a\n  repository: https://x\n  version: ${v}\n` });
    const dep = (constraint: string, v: string) => run("Chart.yaml", chart(`  - name: a\n    version: '${constraint}'\n    repository: https://x\n`), lockOf(v)).deps[0];
    expect(dep("^1.0.0", "1.2.0-rc.1").locked_version).toBe("1.2.0-rc.1");
    expect(dep("not-a-range", "5.0.0").locked_version).toBe("5.0.0");
    expect(dep("^1.0.0", "weird").locked_version).toBe("weird");
    // No constraint: the lock is read, but there is nothing in the chart to update.
    expect(dep("", "1.0.0")).toMatchObject({ locked_version: "1.0.0", skip_reason: "no version" });
  });

  it("local dependencies are not looked up in the lock; a lock that cannot be read is reported once", () => {
    const local = run("Chart.yaml", chart("  - name: l\n    version: 1.0.0\n    repository: file://./l\n"), { "Chart.lock": "dependencies: []\n" });
    expect(local.warnings).toEqual([]);
    const broken = run("Chart.yaml", chart("  - name: a\n    version: 1.0.0\n    repository: https://x\n"), { "Chart.lock": "dependencies: [\n" });
    expect(broken.warnings.filter((w) => w.file === "Chart.lock")).toHaveLength(1);
    expect(broken.warnings.some((w) => /is not in/.test(w.message))).toBe(false);
  });

  it("a reader that throws is no lock, and without a context there is none", () => {
    const r = helmManager.extract("Chart.yaml", chart("  - name: a\n    version: 1.0.0\n    repository: https://x\n"), {
      readFile: () => {
        throw new Error("EACCES");
      },
      allFiles: [],
    });
    expect(r.warnings).toEqual([]);
    expect(r.deps[0].locked_version).toBeNull();
    expect(helmManager.extract("Chart.yaml", chart("  - name: a\n    version: 1.0.0\n    repository: https://x\n"), undefined as unknown as ExtractContext).warnings).toEqual([]);
  });

  it("requirements.yaml reads requirements.lock", () => {
    const r = run("requirements.yaml", "dependencies:\n  - name: a\n    version: ~1.0.0\n    repository: https://x\n", { "requirements.lock": "dependencies:\n- name: a\n  repository: https://x\n  version: 1.0.5\n" });
    expect(r.deps[0]).toMatchObject({ locked_version: "1.0.5", notes: ["locked by requirements.lock"] });
  });
});

describe("values files", () => {
  it("image maps: registry + repository + tag, digest, version as tag, with the repository's line", () => {
    const r = run(
      "values.yaml",
      `app:\n  image:\n    registry: ghcr.io/\n    repository: o/app\n    tag: 1.2.3\nsidecarImage:\n  repository: busybox\n  version: 1.36\n  digest: ${SHA}\nother:\n  image:\n    repository: nginx\n    tag: 7\n`,
    );
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.current_value, d.digest, d.line, d.registry_url])).toEqual([
      ["ghcr.io/o/app", "1.2.3", null, 4, "ghcr.io"],
      ["busybox", "1.36", SHA, 7, "docker.io"],
      ["nginx", "7", null, 12, "docker.io"],
    ]);
  });

  it("image maps without tag and digest, or without a repository, are walked into rather than read", () => {
    const r = run("values.yaml", "image:\n  repository: ''\n  tag: 1\n  nested:\n    image: ghcr.io/o/x:2\nimage2:\n  repository: a\n");
    expect(r.deps.map((d) => [d.name, d.current_value])).toEqual([["ghcr.io/o/x", "2"]]);
  });

  it("an empty or null tag takes the chart's appVersion, noted with where it comes from", () => {
    const r = run("c/values.yaml", "image:\n  repository: o/app\n  tag: ''\nbImage:\n  repository: o/b\n  tag: null\n", { "c/Chart.yaml": "name: c\nappVersion: ' 2.0.1 '\n" });
    expect(r.deps.map((d) => [d.name, d.current_value, d.notes])).toEqual([
      ["o/app", "2.0.1", ['tag: "" in values: the chart\'s appVersion 2.0.1 (c/Chart.yaml:2) is used']],
      ["o/b", "2.0.1", ["tag: null in values: the chart's appVersion 2.0.1 (c/Chart.yaml:2) is used"]],
    ]);
  });

  it("Chart.yml is found too; without an appVersion the image is skipped", () => {
    const yml = run("values.yaml", "image:\n  repository: o/app\n  tag: ''\n", { "Chart.yml": "appVersion: 3\n" });
    expect(yml.deps[0]).toMatchObject({ current_value: "3" });
    const none = run("values.yaml", "image:\n  repository: o/app\n  tag: ''\n", { "Chart.yaml": "appVersion: ''\n" });
    expect(none.deps[0]).toMatchObject({ name: "o/app", skip_reason: "no tag and no chart appVersion" });
    const noChart = run("values.yaml", "image:\n  repository: o/app\n  tag: ''\n");
    expect(noChart.deps[0].skip_reason).toBe("no tag and no chart appVersion");
  });

  it("an appVersion that makes an invalid reference is reported with the key", () => {
    const r = run("values.yaml", "image:\n  repository: o/app\n  tag: ''\n", { "Chart.yaml": "appVersion: '-bad'\n" });
    expect(messages(r)).toEqual([[2, 'image: invalid tag "-bad" in image reference "o/app:-bad"']]);
  });

  it("templated image maps and strings are skipped; a template string without tag is ignored", () => {
    const r = run("values.yaml", "image:\n  repository: '{{ .Values.repo }}'\n  tag: 1\ntagged:\n  image:\n    repository: o/x\n    tag: '${TAG}'\nstrImage: '{{ .Values.r }}:1'\nbareImage: '{{ .Values.r }}'\n");
    expect(r.deps.map((d) => [d.name, d.skip_reason])).toEqual([
      ["{{ .Values.repo }}", "template variable"],
      ["o/x", "template variable"],
      ["{{ .Values.r }}:1", "template variable"],
    ]);
  });

  it("image strings need a tag, a digest or a path; bare words and non-strings are not images", () => {
    const r = run("values.yaml", `image: nginx\nbaseImage: nginx:1.25\npinnedImage: nginx@${SHA}\npathImage: o/app\nflagImage: true\nnumImage: 3\nBadImage: Bad/Name:1\nlist:\n  - image: redis:7\n`);
    expect(r.deps.map((d) => [d.name, d.current_value, d.line])).toEqual([
      ["nginx", "1.25", 2],
      ["nginx", SHA, 3],
      ["o/app", "", 4],
      ["redis", "7", 9],
    ]);
  });

  it("an image map with an invalid reference is reported with its key, clipped to 40", () => {
    const key = `${"k".repeat(45)}Image`;
    const r = run("values.yaml", `${key}:\n  repository: Bad/Name\n  tag: 1\n`);
    expect(messages(r)).toEqual([[2, `${"k".repeat(40)}…: invalid image name "Bad/Name" in image reference "Bad/Name:1"`]]);
  });

  it("very deep values are not walked past 64 levels", () => {
    let yaml = "image: deep/x:1\n";
    for (let i = 0; i < 70; i++) yaml = `l${i}:\n${yaml.replace(/^/gm, "  ")}`;
    expect(run("values.yaml", yaml).deps).toEqual([]);
    let shallow = "image: deep/x:1\n";
    for (let i = 0; i < 60; i++) shallow = `l${i}:\n${shallow.replace(/^/gm, "  ")}`;
    expect(run("values.yaml", shallow).deps.map((d) => d.name)).toEqual(["deep/x"]);
  });

  it("every document is walked", () => {
    expect(run("values.yaml", "image: a/b:1\n---\nimage: c/d:2\n").deps.map((d) => d.name)).toEqual(["a/b", "c/d"]);
  });
});

describe("file names", () => {
  it("charts, requirements and values files", () => {
    for (const f of ["Chart.yaml", "a/Chart.yml", "requirements.yaml", "values.yaml", "a/values.yml", "values-prod.yaml", "prod-values.yaml", "prod.values.yaml", "VALUES.YAML", "values_dev.yaml"]) {
      expect([f, helmManager.matches(f)]).toEqual([f, true]);
    }
    for (const f of ["chart.yaml", "Chart.lock", "values.json", "myvalues.yaml", "requirements.txt", "values.yaml.bak"]) {
      expect([f, helmManager.matches(f)]).toEqual([f, false]);
    }
  });

  it("companions: the lock of a chart, the chart of a values file, none otherwise", () => {
    expect(helmManager.companions?.("a/Chart.yaml")).toEqual(["a/Chart.lock"]);
    expect(helmManager.companions?.("a/values.yaml")).toEqual(["a/Chart.yaml", "a/Chart.yml"]);
    expect(helmManager.companions?.("values.yaml")).toEqual(["Chart.yaml", "Chart.yml"]);
    expect(helmManager.companions?.("a/other.yaml")).toEqual([]);
  });
});
