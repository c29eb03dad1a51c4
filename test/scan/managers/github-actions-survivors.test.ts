/**
 * GitHub Actions forms left untested by the first mutation run of github-actions.ts (issue 18).
 * Expected values follow GitHub's workflow and metadata syntax (`jobs.<id>.steps[*].uses`,
 * `with:`, `runs-on:`, `container:`, `services:`, `runs.image: docker://…` of an action.yml) and the
 * documented inputs of the setup actions, written out by hand. Everything runs inside `it` so that
 * the mutation runner attributes it to a test.
 */
import { describe, expect, it } from "vitest";
import { knownActionInputs, parseRunnerLabel } from "../../../src/scan/managers/github-actions-known.js";
import { githubActionsManager, parseUses } from "../../../src/scan/managers/github-actions.js";

const SHA40 = "0123456789abcdef0123456789abcdef01234567";
const run = (content: string, file = ".github/workflows/ci.yml") => githubActionsManager.extract(file, content, { readFile: () => undefined, allFiles: [file] });
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);
const ctx = { file: "w.yml", line: 4, comment: null };
/** One job with one step: `uses:` and the lines of its `with:` block (already indented by 10). */
const step = (uses: string, withLines: string[] | null) =>
  ["jobs:", "  a:", "    steps:", `      - uses: ${uses}`, ...(withLines === null ? [] : ["        with:", ...withLines.map((l) => `          ${l}`)]), ""].join("\n");
const withDeps = (r: ReturnType<typeof run>) =>
  r.deps.filter((d) => d.notes?.some((n) => n.includes(" input of "))).map((d) => [d.line, d.name, d.datasource, d.current_value, d.skip_reason, d.registry_url]);

describe("uses: references", () => {
  it("a reference without @ref and a SHA pin are github-tags dependencies on github.com", () => {
    expect(parseUses("actions/checkout", ctx).dep).toMatchObject({ datasource: "github-tags", registry_url: "https://github.com" });
    expect(parseUses(`actions/checkout@${SHA40}`, ctx).dep).toMatchObject({ datasource: "github-tags", registry_url: "https://github.com" });
  });

  it("a reference starting with @ or with an empty owner or repository is unreadable", () => {
    for (const bad of ["@v1", "/checkout@v1", "actions/@v1", "actions//x@v1"]) {
      expect(parseUses(bad, ctx)).toEqual({ dep: null, warning: `cannot read action reference "${bad}"` });
    }
  });
});

describe("with: inputs of known setup actions", () => {
  it("a version input gives a dependency on the tool at the input's line; trimmed; numbers kept as written", () => {
    const r = run(step("azure/setup-helm@v4", ["version: ' v3.13.3 '"]));
    expect(withDeps(r)).toEqual([[6, "helm/helm", "github-tags", "v3.13.3", null, "https://github.com"]]);
    expect(r.deps.at(-1)?.notes).toEqual(["`version` input of azure/setup-helm (helm)"]);
    expect(run(step("' azure/setup-helm@v4 '", ["version: v3.13.3"])).deps.at(-1)?.notes).toEqual(["`version` input of azure/setup-helm (helm)"]);
    const node = run(step("actions/setup-node@v4.0.2", ["node-version: 20"]));
    expect(withDeps(node)).toEqual([[6, "node", "node-version", "20", null, null]]);
    expect(node.deps.at(-1)?.notes).toEqual(["`node-version` input of actions/setup-node"]);
  });

  it("no with:, a with: that is no map, or an action it does not know give nothing more", () => {
    expect(withDeps(run(step("azure/setup-helm@v4", null)))).toEqual([]);
    expect(withDeps(run("jobs:\n  a:\n    steps:\n      - uses: azure/setup-helm@v4\n        with: v3\n"))).toEqual([]);
    expect(run(step("actions/checkout@v4", ["version: 3"]))).toMatchObject({ deps: [expect.objectContaining({ name: "actions/checkout" })], warnings: [] });
    const notString = run("jobs:\n  a:\n    steps:\n      - uses: [azure/setup-helm@v4]\n        with:\n          version: v3.1.0\n");
    expect(notString.deps).toEqual([]);
    expect(messages(notString)).toEqual([[4, "jobs.a.steps[0].uses should be a string, found a list"]]);
  });

  it("an empty with: map, or inputs that are no string or number, leave the version unspecified at the uses line", () => {
    const empty = run("jobs:\n  a:\n    steps:\n      - uses: azure/setup-helm@v4\n        with: {}\n");
    expect(withDeps(empty)).toEqual([[4, "helm/helm", "github-tags", "", "unspecified version", "https://github.com"]]);
    expect(empty.deps.at(-1)?.notes).toEqual(["`version` input of azure/setup-helm (helm)"]);
    expect(withDeps(run(step("azure/setup-helm@v4", ["version: true"])))).toEqual([[4, "helm/helm", "github-tags", "", "unspecified version", "https://github.com"]]);
    expect(withDeps(run(step("azure/setup-helm@v4", ["version: [3]"])))).toEqual([[4, "helm/helm", "github-tags", "", "unspecified version", "https://github.com"]]);
    expect(withDeps(run(step("azure/setup-helm@v4", ["version: ~"])))).toEqual([[4, "helm/helm", "github-tags", "", "unspecified version", "https://github.com"]]);
  });

  it("an unspecified version says which file it is read from", () => {
    const r = run(step("actions/setup-node@v4", ["node-version-file: .nvmrc"]));
    expect(r.deps.at(-1)?.notes).toEqual(["`node-version` input of actions/setup-node", "version read from .nvmrc"]);
  });

  it("expressions and values that are no version are skipped", () => {
    expect(withDeps(run(step("azure/setup-helm@v4", ["version: ${{ env.HELM }}"])))).toEqual([[6, "helm/helm", "github-tags", "${{ env.HELM }}", "expression", "https://github.com"]]);
    expect(withDeps(run(step("terraform-linters/setup-tflint@v4", ["tflint_version: latest"])))).toEqual([
      [6, "terraform-linters/tflint", "github-tags", "latest", "invalid version", "https://github.com"],
    ]);
    expect(withDeps(run(step("terraform-linters/setup-tflint@v4", ["tflint_version: v0.50.3"])))[0][4]).toBeNull();
    expect(withDeps(run(step("actions/setup-dotnet@v4", ["dotnet-version: |", "  8.0.x", "  6.0.x"])))[0][4]).toBe("invalid version");
    expect(withDeps(run(step("actions/setup-dotnet@v4", ["dotnet-version: 8.0.x"])))[0][4]).toBeNull();
  });

  it("setup-java: Temurin and AdoptOpenJDK builds are versions, other distributions are unsupported", () => {
    const java = (distribution: string) => withDeps(run(step("actions/setup-java@v4", [`distribution: ${distribution}`, "java-version: 21"])))[0][4];
    expect(java("temurin")).toBeNull();
    expect(java("Adopt")).toBeNull();
    expect(java("zulu")).toBe("unsupported distribution");
  });

  it("an action named by another input: without that input there is nothing", () => {
    expect(withDeps(run(step("baptiste0928/cargo-install@v3", ["crate: cargo-audit", "version: '0.20'"])))).toEqual([[7, "cargo-audit", "crates", "0.20", null, null]]);
    expect(withDeps(run(step("baptiste0928/cargo-install@v3", ["version: '0.20'"])))).toEqual([]);
  });

  it("optional inputs of a multi-input action are listed only when given", () => {
    expect(withDeps(run(step("helm/kind-action@v1", ["version: v0.22.0"])))).toEqual([[6, "kubernetes-sigs/kind", "github-tags", "v0.22.0", null, "https://github.com"]]);
    expect(withDeps(run(step("helm/kind-action@v1", ["cluster_name: x"])))).toEqual([]);
  });

  it("an image input is an image dependency; an expression is skipped; a bad reference is reported", () => {
    const action = "aws-actions/amazon-ecs-render-task-definition";
    const img = run(step(`${action}@v1`, ["image: nginx:1.25"]));
    expect(withDeps(img)).toEqual([[6, "nginx", "docker", "1.25", null, "docker.io"]]);
    expect(img.deps.at(-1)?.notes).toEqual([`\`image\` input of ${action}`]);
    expect(img.warnings).toEqual([]);
    expect(withDeps(run(step(`${action}@v1`, ["image: ${{ steps.build.outputs.image }}"])))[0][4]).toBe("expression");
    const bad = run(step(`${action}@v1`, ["image: Bad/Name:1"]));
    expect(messages(bad)).toEqual([[6, `${action} image: invalid image name "Bad/Name" in image reference "Bad/Name:1"`]]);
    expect(withDeps(run(step(`${action}@v1`, ["container-name: web"])))).toEqual([[4, "unknown image", "docker", "", "unspecified version", null]]);
  });
});

describe("knownActionInputs", () => {
  it("trims, accepts http:// and https:// hosts at the start only", () => {
    expect(knownActionInputs(" azure/setup-helm@v4")?.[0].name).toBe("helm/helm");
    expect(knownActionInputs("http://ghe.example.com/azure/setup-helm@v4")?.[0].name).toBe("helm/helm");
    expect(knownActionInputs("azure/https://ghe.example.com/setup-helm@v4")).toBeUndefined();
  });
});

describe("runs-on labels", () => {
  it("labels that are no strings, and runs-on maps (runner groups), give nothing and no warning", () => {
    const r = run("jobs:\n  a:\n    runs-on: [3, {x: 1}, ubuntu-22.04]\n  b:\n    runs-on:\n      group: ubuntu-runners\n      labels: ubuntu-22.04\n");
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.line, d.name, d.current_value, d.package_manager, d.dependency_type])).toEqual([[3, "ubuntu", "22.04", "github-actions", "build"]]);
  });

  it("only deprecated images say so", () => {
    const r = run("jobs:\n  a:\n    runs-on: ubuntu-22.04\n  b:\n    runs-on: ubuntu-20.04\n");
    expect(r.deps.map((d) => d.notes)).toEqual([
      ["GitHub-hosted runner image (runs-on); no datasource, listed only"],
      ["GitHub-hosted runner image (runs-on); no datasource, listed only", "ubuntu-20.04 is deprecated by GitHub"],
    ]);
    expect(parseRunnerLabel("ubuntu-latest")).toEqual({ os: "ubuntu", version: "latest", deprecated: false });
  });
});

describe("shapes", () => {
  it("empty maps are no wrong shape", () => {
    expect(run("jobs:\n  a: {}\n")).toMatchObject({ deps: [], warnings: [] });
    expect(run("jobs:\n  a:\n    services: {}\n")).toMatchObject({ deps: [], warnings: [] });
    expect(run("runs: {}\n", "action.yml")).toMatchObject({ deps: [], warnings: [] });
    expect(run("jobs:\n  a:\n    container:\n      options: --cpus 1\n")).toMatchObject({ deps: [], warnings: [] });
  });

  it("an action.yml: composite steps without warnings; a non-string or missing image is nothing; a bad docker:// image is reported", () => {
    expect(run("runs:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n", "action.yml").warnings).toEqual([]);
    expect(run("runs:\n  using: docker\n  image: [x]\n", "action.yml")).toMatchObject({ deps: [], warnings: [] });
    expect(run("runs:\n  using: node20\n  main: index.js\n", "action.yml")).toMatchObject({ deps: [], warnings: [] });
    expect(messages(run("runs:\n  using: docker\n  image: docker://Bad/Name\n", "action.yml"))).toEqual([[3, 'runs.image: invalid image name "Bad/Name" in image reference "Bad/Name"']]);
  });

  it("a service image is reported with the service's name", () => {
    expect(messages(run("jobs:\n  a:\n    services:\n      db: Bad/Img\n"))).toEqual([[4, 'jobs.a.services.db.image: invalid image name "Bad/Img" in image reference "Bad/Img"']]);
  });

  it("YAML errors are reported by this manager; a workflow is no primary manifest", () => {
    const r = run("jobs: [\n");
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings.every((w) => w.manager === "github-actions" && w.file === ".github/workflows/ci.yml")).toBe(true);
    expect(run("on: push\n").meta).toEqual({ primary: false });
  });
});
