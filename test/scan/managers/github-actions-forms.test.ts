/**
 * GitHub Actions forms one behaviour per test (issue 18: mutation score of github-actions.ts).
 * Expected values follow the workflow syntax reference and Renovate's version-comment convention,
 * written out by hand.
 */
import { describe, expect, it } from "vitest";
import { githubActionsManager, parseUses, versionFromComment } from "../../../src/scan/managers/github-actions.js";

const SHA40 = "0123456789abcdef0123456789abcdef01234567";
const run = (content: string, file = ".github/workflows/ci.yml") => githubActionsManager.extract(file, content, { readFile: () => undefined, allFiles: [file] });
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);
const ctx = { file: "w.yml", line: 4, comment: null };

describe("versionFromComment", () => {
  it("reads a version with the usual prefixes", () => {
    expect(versionFromComment(" v4.1.0")).toBe("v4.1.0");
    expect(versionFromComment("tag=v4.1.0")).toBe("v4.1.0");
    expect(versionFromComment("tag: v4")).toBe("v4");
    expect(versionFromComment("pin @v4")).toBe("v4");
    expect(versionFromComment("renovate: tag=v4.2")).toBe("v4.2");
    expect(versionFromComment("v9.0.0 (source v9)")).toBe("v9.0.0");
    expect(versionFromComment("release/v1")).toBe("release/v1");
    expect(versionFromComment("create-github-app-token/v0.3.1")).toBe("create-github-app-token/v0.3.1");
    expect(versionFromComment("1.2.3-beta.1")).toBe("1.2.3-beta.1");
    expect(versionFromComment("ratchet:actions/checkout@v4")).toBe("v4");
  });

  it("a single bare word is a branch; sentences, ratchet:exclude and no comment are nothing", () => {
    expect(versionFromComment(" stable ")).toBe("stable");
    expect(versionFromComment("main")).toBe("main");
    expect(versionFromComment("pinned for security")).toBeNull();
    expect(versionFromComment("ratchet:exclude")).toBeNull();
    expect(versionFromComment(" ratchet:exclude ")).toBeNull();
    expect(versionFromComment(null)).toBeNull();
    expect(versionFromComment("")).toBeNull();
  });
});

describe("parseUses", () => {
  it("owner/repo@ref and owner/repo/path@ref are github-tags dependencies on owner/repo", () => {
    expect(parseUses(" actions/checkout@v4 ", ctx)).toEqual({
      dep: expect.objectContaining({ name: "actions/checkout", datasource: "github-tags", current_value: "v4", version: "v4", registry_url: "https://github.com", digest: null, skip_reason: null, line: 4, file: "w.yml", dependency_type: "build", package_manager: "github-actions" }),
      warning: null,
    });
    expect(parseUses("github/codeql-action/init@v3", ctx).dep).toMatchObject({ name: "github/codeql-action", current_value: "v3" });
    expect(parseUses("o/r/.github/workflows/x.yml@main", ctx).dep).toMatchObject({ name: "o/r", current_value: "main" });
  });

  it("a full SHA pin is the digest; the version comes from the comment, else it is the SHA", () => {
    expect(parseUses(`actions/checkout@${SHA40.toUpperCase()}`, { ...ctx, comment: "v4.1.1" }).dep).toMatchObject({ current_value: "v4.1.1", version: "v4.1.1", digest: SHA40 });
    expect(parseUses(`actions/checkout@${SHA40}`, ctx).dep).toMatchObject({ current_value: SHA40, version: SHA40, digest: SHA40 });
    const sha64 = `${SHA40}${"0".repeat(24)}`;
    expect(parseUses(`a/b@${sha64}`, ctx).dep).toMatchObject({ digest: sha64 });
    // A short SHA is a ref like any other.
    expect(parseUses("a/b@0123456", ctx).dep).toMatchObject({ current_value: "0123456", digest: null });
    expect(parseUses(`a/b@${SHA40}0`, ctx).dep).toMatchObject({ digest: null });
  });

  it("no ref: skipped with a warning", () => {
    expect(parseUses("actions/checkout", ctx)).toEqual({
      dep: expect.objectContaining({ name: "actions/checkout", current_value: "", skip_reason: "no version" }),
      warning: 'action reference "actions/checkout" has no @ref',
    });
    expect(parseUses("actions/checkout@", ctx).warning).toBe('action reference "actions/checkout@" has no @ref');
  });

  it("local actions, docker images and expressions", () => {
    expect(parseUses("./.github/actions/x", ctx).dep).toMatchObject({ name: "./.github/actions/x", datasource: "none", skip_reason: "local", local_path: ".github/actions/x", current_value: "" });
    expect(parseUses("../shared/x", ctx).dep).toMatchObject({ local_path: "../shared/x" });
    expect(parseUses("docker://alpine:3.20", ctx).dep).toMatchObject({ name: "alpine", datasource: "docker", current_value: "3.20" });
    expect(parseUses("docker://Bad/Name", ctx).warning).toBe('invalid image name "Bad/Name" in image reference "Bad/Name"');
    expect(parseUses("${{ matrix.action }}", ctx).dep).toMatchObject({ name: "${{ matrix.action }}", datasource: "none", skip_reason: "expression", current_value: "${{ matrix.action }}" });
  });

  it("empty and unreadable references are warnings without a dependency", () => {
    expect(parseUses("  ", ctx)).toEqual({ dep: null, warning: "empty uses" });
    for (const bad of ["checkout@v4", "/x@v1", "a/@v1", "a b/c@v1", "a/b c@v1"]) {
      expect(parseUses(bad, ctx)).toEqual({ dep: null, warning: `cannot read action reference "${bad}"` });
    }
  });
});

describe("workflows", () => {
  it("job uses, step uses with version comments, containers and services, with lines", () => {
    const r = run(
      [
        "on: push",
        "jobs:",
        "  build:",
        "    runs-on: self-hosted",
        "    container: node:20",
        "    services:",
        "      db: postgres:16",
        "      cache:",
        "        image: redis:7",
        "      noimage:",
        "        ports: [1]",
        "    steps:",
        `      - uses: actions/checkout@${SHA40} # v4.1.1`,
        "      - run: echo",
        "  call:",
        "    uses: o/r/.github/workflows/w.yml@v1",
        "  boxed:",
        "    runs-on: ubuntu-latest",
        "    container:",
        "      image: docker://ghcr.io/o/ci:1",
        "    steps:",
        "",
      ].join("\n"),
    );
    expect(r.warnings).toEqual([]);
    // Per job: runner labels, job uses, steps, container, services.
    expect(r.deps.map((d) => [d.name, d.current_value, d.line, d.datasource])).toEqual([
      ["actions/checkout", "v4.1.1", 13, "github-tags"],
      ["node", "20", 5, "docker"],
      ["postgres", "16", 7, "docker"],
      ["redis", "7", 9, "docker"],
      ["o/r", "v1", 16, "github-tags"],
      ["ubuntu", "latest", 18, "none"],
      ["ghcr.io/o/ci", "1", 20, "docker"],
    ]);
  });

  it("expressions in images are skipped", () => {
    const r = run("jobs:\n  a:\n    container: ${{ matrix.img }}\n");
    expect(r.deps.map((d) => [d.name, d.skip_reason])).toEqual([["${{ matrix.img }}", "expression"]]);
  });

  it("wrong shapes are reported with where they are", () => {
    expect(messages(run("jobs: 3\n"))).toEqual([[1, "jobs should be a map, found a number"]]);
    expect(messages(run("jobs:\n  a: 1\n"))).toEqual([[2, "jobs.a should be a map, found a number"]]);
    expect(messages(run("jobs:\n  a:\n    steps: 1\n"))).toEqual([[3, "jobs.a.steps should be a list, found a number"]]);
    expect(messages(run("jobs:\n  a:\n    steps:\n      - uses: [x]\n"))).toEqual([[4, "jobs.a.steps[0].uses should be a string, found a list"]]);
    expect(messages(run("jobs:\n  a:\n    services: [x]\n"))).toEqual([[3, "jobs.a.services should be a map, found a list"]]);
    expect(messages(run("jobs:\n  a:\n    container:\n      image: [x]\n"))).toEqual([[4, "jobs.a.container.image should be a string, found a list"]]);
    expect(messages(run("jobs:\n  a:\n    steps:\n      - uses: checkout\n"))).toEqual([[4, 'jobs.a.steps[0]: cannot read action reference "checkout"']]);
    expect(messages(run("jobs:\n  a:\n    container: Bad/Img\n"))).toEqual([[3, 'jobs.a.container: invalid image name "Bad/Img" in image reference "Bad/Img"']]);
  });

  it("a long job name is clipped to 40 characters in warnings", () => {
    const job = "j".repeat(45);
    expect(messages(run(`jobs:\n  ${job}: 1\n`))).toEqual([[2, `jobs.${"j".repeat(40)}… should be a map, found a number`]]);
  });

  it("documents without jobs, empty jobs and empty steps are nothing", () => {
    expect(run("on: push\n")).toMatchObject({ deps: [], warnings: [] });
    expect(run("jobs: {}\n")).toMatchObject({ deps: [], warnings: [] });
    expect(run("jobs:\n  a:\n    steps:\n")).toMatchObject({ deps: [], warnings: [] });
    expect(run("")).toMatchObject({ deps: [] });
  });

  it("GitHub-hosted runner labels are listed, one or several", () => {
    const r = run("jobs:\n  a:\n    runs-on: [self-hosted, ubuntu-22.04]\n  b:\n    runs-on: windows-2022\n  c:\n    runs-on:\n      - 3\n");
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason, d.datasource, d.line])).toEqual([
      ["ubuntu", "22.04", "github-hosted runner", "none", 3],
      ["windows", "2022", "github-hosted runner", "none", 5],
    ]);
    expect(r.deps[0].notes?.[0]).toBe("GitHub-hosted runner image (runs-on); no datasource, listed only");
  });
});

describe("action.yml", () => {
  it("composite steps and a docker:// image are read; a Dockerfile image is not", () => {
    const r = run(`runs:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n    - run: x\n`, "a/action.yml");
    expect(r.deps.map((d) => [d.name, d.current_value, d.line])).toEqual([["actions/setup-node", "v4", 4]]);
    const img = run("runs:\n  using: docker\n  image: docker://alpine:3\n", "action.yaml");
    expect(img.deps.map((d) => [d.name, d.current_value, d.line])).toEqual([["alpine", "3", 3]]);
    expect(run("runs:\n  using: docker\n  image: Dockerfile\n", "action.yml").deps).toEqual([]);
  });

  it("runs that is no map is reported; no runs is nothing", () => {
    expect(messages(run("runs: 3\n", "action.yml"))).toEqual([[1, "runs should be a map, found a number"]]);
    expect(run("name: x\n", "action.yml")).toMatchObject({ deps: [], warnings: [] });
    expect(messages(run("runs:\n  steps: x\n", "action.yml"))).toEqual([[2, "runs.steps should be a list, found a string"]]);
  });

  it("jobs in an action.yml are not read", () => {
    expect(run("jobs:\n  a:\n    container: node:20\n", "action.yml").deps).toEqual([]);
  });
});

describe("file names", () => {
  it("workflow files under .github/workflows and action.yml anywhere", () => {
    for (const f of [".github/workflows/ci.yml", "sub/.github/workflows/x.yaml", "action.yml", "a/b/action.yaml"]) expect([f, githubActionsManager.matches(f)]).toEqual([f, true]);
    for (const f of [".github/workflows/sub/ci.yml", ".github/workflows/ci.json", "x.github/workflows/ci.yml", "my-action.yml", ".github/ci.yml"]) {
      expect([f, githubActionsManager.matches(f)]).toEqual([f, false]);
    }
  });
});
