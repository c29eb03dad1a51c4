/** zarf.yaml forms one behaviour per test (issue 18: mutation score of zarf.ts); expected values by hand from the Zarf package schema. */
import { describe, expect, it } from "vitest";
import { parseGitUrl, resolveZarfVariables, zarfManager } from "../../../src/scan/managers/zarf.js";

const SHA40 = "0123456789abcdef0123456789abcdef01234567";
const run = (content: string, file = "pkg/zarf.yaml") => zarfManager.extract(file, content, { readFile: () => undefined, allFiles: [file] });
const messages = (r: { warnings: Array<{ line: number | null; message: string }> }) => r.warnings.map((w) => [w.line, w.message]);
const comp = (body: string) => `kind: ZarfPackageConfig\ncomponents:\n  - name: c\n${body}`;

describe("parseGitUrl", () => {
  it("splits the ref after the path, recognises GitHub in its URL forms", () => {
    expect(parseGitUrl(" https://github.com/o/r.git@v1.0 ")).toEqual({ url: "https://github.com/o/r.git", ref: "v1.0", github: "o/r" });
    expect(parseGitUrl("https://user@github.com/o/r")).toEqual({ url: "https://user@github.com/o/r", ref: null, github: "o/r" });
    expect(parseGitUrl("https://www.GitHub.com/o/r/")).toEqual({ url: "https://www.GitHub.com/o/r/", ref: null, github: "o/r" });
    expect(parseGitUrl("http://github.com/o/r.x")).toEqual({ url: "http://github.com/o/r.x", ref: null, github: "o/r.x" });
    expect(parseGitUrl("https://gitlab.com/o/r.git@v2")).toEqual({ url: "https://gitlab.com/o/r.git", ref: "v2", github: null });
    expect(parseGitUrl("https://github.com/o/r/tree/x")).toEqual({ url: "https://github.com/o/r/tree/x", ref: null, github: null });
    expect(parseGitUrl("https://github.com/o/r.git@")).toEqual({ url: "https://github.com/o/r.git", ref: null, github: "o/r" });
    expect(parseGitUrl("https://host")).toEqual({ url: "https://host", ref: null, github: null });
  });

  it("scp-like git@ URLs: the '@' of the user is no ref, one after the path is", () => {
    expect(parseGitUrl("git@github.com:o/r.git")).toEqual({ url: "git@github.com:o/r.git", ref: null, github: "o/r" });
    expect(parseGitUrl("git@github.com:o/r.git@v1")).toEqual({ url: "git@github.com:o/r.git", ref: "v1", github: "o/r" });
    expect(parseGitUrl("git@gitlab.com:o/r.git")).toEqual({ url: "git@gitlab.com:o/r.git", ref: null, github: null });
    expect(parseGitUrl("ssh://git@github.com/o/r.git@v3")).toEqual({ url: "ssh://git@github.com/o/r.git", ref: "v3", github: null });
  });
});

describe("resolveZarfVariables", () => {
  it("replaces known VAR and CONST templates, keeps others, names each used once", () => {
    const vars = new Map([
      ["ZARF_VAR_TAG", "1.0"],
      ["ZARF_CONST_REG", "ghcr.io"],
    ]);
    expect(resolveZarfVariables("###ZARF_CONST_REG###/a:###ZARF_VAR_TAG###-###ZARF_VAR_TAG### ###ZARF_VAR_X### ###ZARF_PKG_TMPL_Y###", vars)).toEqual({
      text: "ghcr.io/a:1.0-1.0 ###ZARF_VAR_X### ###ZARF_PKG_TMPL_Y###",
      used: ["ZARF_CONST_REG", "ZARF_VAR_TAG"],
    });
    expect(resolveZarfVariables("plain", vars)).toEqual({ text: "plain", used: [] });
  });
});

describe("zarf.yaml", () => {
  it("metadata: a templated version is unknown; the description is trimmed", () => {
    expect(run("metadata:\n  name: p\n  version: 1.0.0\n  description: ' d '\n").meta).toEqual({ primary: true, name: "p", version: "1.0.0", description: "d" });
    expect(run("metadata:\n  name: p\n  version: '###ZARF_PKG_TMPL_VERSION###'\n").meta).toEqual({ primary: true, name: "p" });
    expect(messages(run(""))).toEqual([[1, "empty zarf.yaml"]]);
  });

  it("images with variables resolved and noted; unresolved templates are skipped", () => {
    const r = run(
      "variables:\n  - name: TAG\n    default: '1.2'\n  - name: SECRET\n    default: s\n    sensitive: true\n" +
        "components:\n  - name: c\n    images:\n      - ghcr.io/o/a:###ZARF_VAR_TAG###\n      - ghcr.io/o/b:###ZARF_VAR_SECRET###\n      - nginx:1\n",
    );
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason, d.notes, d.line])).toEqual([
      ["ghcr.io/o/a", "1.2", null, ["resolved from variables: ###ZARF_VAR_TAG### = 1.2"], 10],
      ["ghcr.io/o/b", "###ZARF_VAR_SECRET###", "zarf template variable", undefined, 11],
      ["nginx", "1", null, undefined, 12],
    ]);
  });

  it("an invalid image after substitution says which variables made it", () => {
    const r = run("constants:\n  - name: T\n    value: '-bad'\ncomponents:\n  - name: c\n    images:\n      - a:###ZARF_CONST_T###\n      - Bad/Name\n");
    expect(messages(r)).toEqual([
      [7, 'components[0] (c).images: invalid tag "-bad" in image reference "a:-bad" (after resolved from variables: ###ZARF_CONST_T### = -bad)'],
      [8, 'components[0] (c).images: invalid image name "Bad/Name" in image reference "Bad/Name"'],
    ]);
  });

  it("wrong shapes of components, images, charts and repos are reported", () => {
    expect(messages(run("components: x\n"))).toEqual([[1, "components should be a list, found a string"]]);
    expect(messages(run("components:\n  - 3\n"))).toEqual([[2, "components[0] should be a map, found a number"]]);
    expect(messages(run(comp("    images: x\n    charts: 3\n    repos: {}\n")))).toEqual([
      [4, "components[0] (c).images should be a list, found a string"],
      [5, "components[0] (c).charts should be a list, found a number"],
      [6, "components[0] (c).repos should be a list, found a map"],
    ]);
    expect(messages(run(comp("    images:\n      - [x]\n    repos:\n      - [y]\n")))).toEqual([
      [5, "components[0] (c).images entry should be a string, found a list"],
      [7, "components[0] (c).repos entry should be a string, found a list"],
    ]);
    expect(run(comp("    images:\n    charts: ~\n"))).toMatchObject({ deps: [], warnings: [] });
  });

  it("charts: helm repository, OCI, git, local and unsupported, with lines", () => {
    const r = run(
      comp(
        [
          "    charts:",
          "      - name: podinfo",
          "        url: https://stefanprodan.github.io/podinfo/",
          "        version: 6.4.0",
          "        repoName: podinfo-chart",
          "      - name: oci",
          "        url: oci://ghcr.io/o/charts/oci:1.0.0",
          "      - name: ocibad",
          "        url: oci://Bad/Repo",
          "        version: 1.0.0",
          "      - name: git",
          "        url: https://github.com/o/r.git",
          "        version: v2.0.0",
          "        gitPath: charts/x",
          "      - name: local",
          "        localPath: ../charts/l",
          "        version: 0.1.0",
          "      - name: weird",
          "        url: ftp://x",
          "        version: 1",
          "      - name: noversion",
          "        url: https://charts.example",
          "",
        ].join("\n"),
      ),
    );
    expect(r.deps.map((d) => [d.name, d.datasource, d.current_value, d.registry_url, d.skip_reason, d.local_path, d.line])).toEqual([
      ["podinfo-chart", "helm", "6.4.0", "https://stefanprodan.github.io/podinfo", null, null, 5],
      ["ghcr.io/o/charts/oci", "docker", "1.0.0", "ghcr.io", null, null, 9],
      ["Bad/Repo", "docker", "1.0.0", null, "invalid OCI reference", null, 11],
      ["o/r", "github-tags", "v2.0.0", "https://github.com/o/r.git", null, null, 14],
      ["local", "none", "0.1.0", null, "local", "charts/l", 18],
      ["weird", "none", "1", "ftp://x", "unsupported url", null, 21],
      ["noversion", "helm", "", "https://charts.example", "no version", null, 24],
    ]);
    expect(messages(r)).toEqual([
      [11, 'components[0] (c).charts[2]: invalid image name "Bad/Repo" in "oci://Bad/Repo"'],
      [21, 'components[0] (c).charts[5]: unsupported chart url "ftp://x"'],
    ]);
  });

  it("charts with template variables are skipped as such, resolved ones are noted", () => {
    const r = run(
      "variables:\n  - name: V\n    default: 2.0.0\ncomponents:\n  - name: c\n    charts:\n" +
        "      - name: a\n        url: https://x\n        version: '###ZARF_VAR_V###'\n" +
        "      - name: b\n        url: https://x\n        version: '###ZARF_PKG_TMPL_V###'\n" +
        "      - name: c\n        url: oci://###ZARF_PKG_TMPL_REG###/c\n        version: 1.0.0\n" +
        "      - name: d\n        url: https://github.com/o/d.git\n        version: '###ZARF_PKG_TMPL_V###'\n",
    );
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason, d.notes])).toEqual([
      ["a", "2.0.0", null, ["resolved from variables: ###ZARF_VAR_V### = 2.0.0"]],
      ["b", "###ZARF_PKG_TMPL_V###", "zarf template variable", undefined],
      ["###ZARF_PKG_TMPL_REG###/c", "1.0.0", "zarf template variable", undefined],
      ["o/d", "###ZARF_PKG_TMPL_V###", "zarf template variable", undefined],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it("chart entries without a name or a source are reported, except overrides in an imported component", () => {
    expect(messages(run(comp("    charts:\n      - x\n      - url: https://x\n      - name: nosrc\n")))).toEqual([
      [5, "components[0] (c).charts[0] should be a map, found a string"],
      [6, "components[0] (c).charts[1] has no name"],
      [7, "components[0] (c).charts[2] (nosrc) has neither url nor localPath"],
    ]);
    expect(run(comp("    import:\n      path: ../x\n    charts:\n      - name: override\n        valuesFiles: [v.yaml]\n"))).toMatchObject({ deps: [], warnings: [] });
  });

  it("repos: GitHub tags, other git hosts, tag refs, branches, SHAs and no ref", () => {
    const r = run(
      comp(
        [
          "    repos:",
          "      - https://github.com/o/a.git@v1.0.0",
          "      - https://gitlab.com/o/b.git@refs/tags/v2",
          "      - https://github.com/o/c.git@refs/heads/main",
          `      - https://github.com/o/d.git@${SHA40.toUpperCase()}`,
          "      - https://github.com/o/e.git",
          "      - https://github.com/o/f.git@###ZARF_PKG_TMPL_REF###",
          "",
        ].join("\n"),
      ),
    );
    expect(r.deps.map((d) => [d.name, d.datasource, d.current_value, d.digest, d.skip_reason, d.registry_url])).toEqual([
      ["o/a", "github-tags", "v1.0.0", null, null, "https://github.com/o/a.git"],
      ["https://gitlab.com/o/b.git", "git", "v2", null, null, "https://gitlab.com/o/b.git"],
      ["o/c", "github-tags", "refs/heads/main", null, "branch", "https://github.com/o/c.git"],
      ["o/d", "github-tags", SHA40.toUpperCase(), SHA40, null, "https://github.com/o/d.git"],
      ["o/e", "github-tags", "", null, "no version", "https://github.com/o/e.git"],
      ["o/f", "github-tags", "###ZARF_PKG_TMPL_REF###", null, "zarf template variable", "https://github.com/o/f.git"],
    ]);
  });

  it("git charts are recognised by .git, a trailing @ref, git@ or gitPath", () => {
    const r = run(comp("    charts:\n      - name: a\n        url: https://h/o/a.git@v1\n      - name: b\n        url: git@github.com:o/b.git\n        version: v2\n      - name: c\n        url: https://h/o/c.git/\n        version: v3\n"));
    expect(r.deps.map((d) => [d.name, d.datasource, d.current_value])).toEqual([
      ["https://h/o/a.git", "git", "v1"],
      ["o/b", "github-tags", "v2"],
      ["https://h/o/c.git/", "git", "v3"],
    ]);
  });

  it("OCI skeleton imports are docker dependencies; other imports are not", () => {
    const r = run(comp("    import:\n      url: oci://ghcr.io/o/pkg:1.0.0-skeleton\n  - name: d\n    import:\n      path: ../x\n  - name: e\n    import:\n      url: oci://###ZARF_PKG_TMPL_R###/p:1\n  - name: f\n    import:\n      url: oci://Bad/P:1\n"));
    expect(r.deps.map((d) => [d.name, d.current_value, d.skip_reason, d.line])).toEqual([
      ["ghcr.io/o/pkg", "1.0.0-skeleton", null, 5],
      // A template in the name: the whole reference is kept as the name.
      ["###ZARF_PKG_TMPL_R###/p:1", "###ZARF_PKG_TMPL_R###/p:1", "zarf template variable", 11],
      ["Bad/P", "1", "invalid image reference", 14],
    ]);
    expect(messages(r)).toEqual([[14, 'components[3] (f).import.url: invalid image name "Bad/P" in image reference "Bad/P:1"']]);
  });

  it("a long component name is clipped to 40 characters", () => {
    const name = "c".repeat(45);
    expect(messages(run(`components:\n  - name: ${name}\n    images: x\n`))).toEqual([[3, `components[0] (${"c".repeat(40)}…).images should be a list, found a string`]]);
  });

  it("matches zarf.yaml and zarf.yml only", () => {
    expect(zarfManager.matches("a/zarf.yaml")).toBe(true);
    expect(zarfManager.matches("zarf.yml")).toBe(true);
    expect(zarfManager.matches("a/zarf-config.yaml")).toBe(false);
    expect(zarfManager.matches("a/myzarf.yaml")).toBe(false);
  });
});
