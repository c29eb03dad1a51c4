/**
 * Helm forms left untested by the first mutation run of helm.ts (issue 18). Expected values follow
 * Helm's chart format (Chart.yaml `dependencies` with name / version / repository; `https://`,
 * `oci://` repositories; Chart.lock written by `helm dependency update`) and the values-file image
 * convention (`image: {registry, repository, tag, digest}`, an empty tag meaning the chart's
 * appVersion), written out by hand.
 */
import { describe, expect, it } from "vitest";
import { helmManager, parseHelmLock } from "../../../src/scan/managers/helm.js";
import type { ExtractContext, ScanWarning } from "../../../src/scan/types.js";

const SHA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const run = (file: string, content: string, files: Record<string, string> = {}) =>
  helmManager.extract(file, content, { readFile: (p) => files[p], allFiles: [file, ...Object.keys(files)] });
const chart = (deps: string) => `apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n${deps}`;
const nest = (inner: string, levels: number) => {
  let yaml = inner;
  for (let i = 0; i < levels; i++) yaml = `l${i}:\n${yaml.replace(/^/gm, "  ")}`;
  return yaml;
};

describe("warnings name the helm manager", () => {
  it("in charts, locks and values files", () => {
    const w: ScanWarning[] = [];
    parseHelmLock("Chart.lock", "dependencies: 3\n", w);
    parseHelmLock("Chart.lock", "dependencies:\n- x\n", w);
    parseHelmLock("Chart.lock", "dependencies: [\n", w);
    const all = [
      ...w,
      ...run("Chart.yaml", chart("  - x\n  - name: ''\n  - name: o\n    version: 1.0.0\n    repository: oci://Bad\n  - name: s\n    version: 1.0.0\n    repository: s3://b\n")).warnings,
      ...run("Chart.yaml", "dependencies: [\n").warnings,
      ...run("values.yaml", "image: [\n").warnings,
      ...run("values.yaml", "image:\n  repository: Bad/Name\n  tag: 1\n").warnings,
      ...run("values.yaml", "image:\n  repository: o/app\n  tag: ''\n", { "Chart.yaml": "appVersion: '-bad'\n" }).warnings,
    ];
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.filter((x) => x.manager !== "helm")).toEqual([]);
  });
});

describe("chart dependencies", () => {
  it("quoted names and repositories are trimmed; a blank name is no name", () => {
    const r = run("Chart.yaml", chart("  - name: ' redis '\n    version: 1.0.0\n    repository: ' https://charts.example.com '\n  - name: '  '\n    version: 1.0.0\n"));
    expect(r.deps.map((d) => [d.name, d.registry_url, d.skip_reason])).toEqual([[" redis ", "https://charts.example.com", null]]);
    expect(r.warnings.map((w) => w.message)).toEqual(["dependencies[1] has no name"]);
  });

  it("every trailing slash of an https or OCI repository is dropped; only a leading http(s):// is a chart repository", () => {
    const r = run(
      "Chart.yaml",
      chart("  - name: a\n    version: 1.0.0\n    repository: https://x.example//\n  - name: b\n    version: 1.0.0\n    repository: oci://ghcr.io/o//\n  - name: c\n    version: 1.0.0\n    repository: s3://b/https://x\n"),
    );
    expect(r.deps.map((d) => [d.name, d.registry_url, d.skip_reason])).toEqual([
      ["a", "https://x.example", null],
      ["ghcr.io/o/b", "ghcr.io", null],
      ["c", "s3://b/https://x", "unsupported repository"],
    ]);
  });

  it("lock entries match repositories without their trailing slashes", () => {
    const lock = "dependencies:\n- name: a\n  repository: https://x//\n  version: 1.1.0\n- name: a\n  repository: https://y\n  version: 1.2.0\n";
    expect(run("Chart.yaml", chart("  - name: a\n    version: ^1.0.0\n    repository: https://x\n"), { "Chart.lock": lock }).deps[0].locked_version).toBe("1.1.0");
  });

  it("a quoted constraint is trimmed in the stale-lock warning", () => {
    const r = run("Chart.yaml", chart("  - name: a\n    version: ' ^2.0.0 '\n    repository: https://x\n"), { "Chart.lock": "dependencies:\n- name: a\n  repository: https://x\n  version: 1.9.0\n" });
    expect(r.warnings.map((w) => w.message)).toEqual(['a 1.9.0 in Chart.lock does not satisfy "^2.0.0" of Chart.yaml (stale lock: run helm dependency update)']);
  });

  it("an empty lock is still a lock: a dependency missing from it is reported", () => {
    const r = run("Chart.yaml", chart("  - name: a\n    version: 1.0.0\n    repository: https://x\n"), { "Chart.lock": "dependencies: []\n" });
    expect(r.warnings.map((w) => [w.file, w.message])).toEqual([["Chart.lock", "a is not in Chart.lock (run helm dependency update)"]]);
  });

  it("a lock with one malformed entry still locks the others", () => {
    const r = run("Chart.yaml", chart("  - name: a\n    version: ^1.0.0\n    repository: https://x\n"), {
      "Chart.lock": "dependencies:\n- name: broken\n- name: a\n  repository: https://x\n  version: 1.0.3\n",
    });
    expect(r.deps[0].locked_version).toBe("1.0.3");
    expect(r.warnings.map((w) => w.message)).toEqual(["dependencies[0] should be a map with name and version"]);
  });
});

describe("values files", () => {
  it("are no primary manifest", () => {
    expect(run("values.yaml", "image: nginx:1.25\n").meta).toEqual({ primary: false });
  });

  it("only keys ending in image are images", () => {
    expect(run("values.yaml", "app:\n  repository: o/x\n  tag: 1\nname: nginx:1.25\n").deps).toEqual([]);
  });

  it("image maps whose repository is no string, or without a tag or digest, are walked into without a warning", () => {
    const r = run("values.yaml", "image:\n  repository: [x]\n  tag: 1\nsidecarImage:\n  repository: a\nblankImage:\n  repository: ' '\n  tag: 1\n");
    expect(r).toMatchObject({ deps: [], warnings: [] });
  });

  it("a registry is joined without its trailing slashes; a blank registry is none", () => {
    const r = run("values.yaml", "image:\n  registry: registry.example.com/mirror//\n  repository: o/app\n  tag: 1\nbImage:\n  registry: ' '\n  repository: o/b\n  tag: 2\n");
    expect(r.deps.map((d) => [d.name, d.current_value])).toEqual([
      ["registry.example.com/mirror/o/app", "1"],
      ["o/b", "2"],
    ]);
  });

  it("a tag that is no string or number is no tag", () => {
    expect(run("values.yaml", "image:\n  repository: o/app\n  tag: true\n").deps.map((d) => [d.name, d.skip_reason])).toEqual([["o/app", "no tag and no chart appVersion"]]);
  });

  it("an empty tag with a digest is the digest; a blank tag or an empty digest take the appVersion", () => {
    const files = { "Chart.yaml": "appVersion: 2.0.1\n" };
    const pinned = run("values.yaml", `image:\n  repository: o/app\n  tag: ''\n  digest: ${SHA}\n`, files);
    expect(pinned.deps.map((d) => [d.name, d.current_value, d.digest, d.notes ?? "no notes"])).toEqual([["o/app", SHA, SHA, "no notes"]]);
    const blank = run("values.yaml", "image:\n  repository: o/app\n  tag: ' '\n", files);
    expect(blank.deps.map((d) => d.current_value)).toEqual(["2.0.1"]);
    const noTag = run("values.yaml", "image:\n  repository: o/app\n  digest: ''\n", files);
    expect(noTag.deps.map((d) => d.notes)).toEqual([["tag: null in values: the chart's appVersion 2.0.1 (Chart.yaml:1) is used"]]);
    expect(noTag.warnings).toEqual([]);
  });

  it("a chart without an appVersion, an empty chart or no context leave the image unversioned, without a warning", () => {
    const values = "image:\n  repository: o/app\n  tag: ''\n";
    for (const r of [
      run("values.yaml", values, { "Chart.yaml": "name: c\n" }),
      run("values.yaml", values, { "Chart.yaml": "" }),
      run("values.yaml", values, { "Chart.yaml": "appVersion: ' '\n" }),
      helmManager.extract("values.yaml", values, undefined as unknown as ExtractContext),
    ]) {
      expect(r.warnings).toEqual([]);
      expect(r.deps.map((d) => [d.name, d.skip_reason])).toEqual([["o/app", "no tag and no chart appVersion"]]);
    }
  });

  it("a quoted image string is trimmed", () => {
    expect(run("values.yaml", "image: ' nginx:1.25 '\n").deps.map((d) => [d.name, d.current_value])).toEqual([["nginx", "1.25"]]);
  });

  it("the walk stops below 64 levels of maps, and of lists", () => {
    expect(run("values.yaml", nest("image: deep/x:1\n", 64)).deps.map((d) => d.name)).toEqual(["deep/x"]);
    expect(run("values.yaml", nest("image: deep/x:1\n", 65)).deps).toEqual([]);
    let lists = "image: deep/x:1\n";
    for (let i = 0; i < 70; i++) lists = `-\n${lists.replace(/^/gm, "  ")}`;
    expect(run("values.yaml", lists).deps).toEqual([]);
  });
});
