import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import { githubActionsManager, parseUses } from "../../../src/scan/managers/github-actions.js";
import { CORPUS, corpusFiles, corpusReposAvailable } from "../../helpers/corpus.js";
import type { ExtractContext, ExtractedDependency } from "../../../src/scan/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, "../../fixtures/scan/actions");
const ctx: ExtractContext = { readFile: () => undefined, allFiles: [] };

function extract(rel: string) {
  return githubActionsManager.extract(rel, readFileSync(path.join(FIXTURES, rel), "utf8"), ctx);
}
/** Deps of `uses:`/image lines: not the setup actions' `with:` versions nor `runs-on:` runners (they carry notes). */
function usesDeps(deps: ExtractedDependency[]): ExtractedDependency[] {
  return deps.filter((d) => d.notes === undefined);
}
function atLine(deps: ExtractedDependency[], line: number): ExtractedDependency {
  const d = deps.find((x) => x.line === line);
  if (!d) throw new Error(`no dependency at line ${line}`);
  return d;
}

describe("githubActionsManager.matches", () => {
  it("matches workflows and action.yml anywhere", () => {
    for (const p of [".github/workflows/ci.yml", ".github/workflows/release.yaml", ".github/actions/setup/action.yml", "action.yaml", "tools/x/action.yml"]) {
      expect(githubActionsManager.matches(p), p).toBe(true);
    }
    for (const p of [".github/workflows/README.md", ".github/dependabot.yml", "workflows/ci.yml", "myaction.yml", ".github/workflows/sub/x.txt"]) {
      expect(githubActionsManager.matches(p), p).toBe(false);
    }
  });
});

describe("workflow extraction", () => {
  const file = ".github/workflows/ci.yml";
  const r = extract(file);

  it("has no warnings and is not primary", () => {
    expect(r.warnings).toEqual([]);
    expect(r.meta).toEqual({ primary: false });
  });

  it("reads a SHA pin with its version comment", () => {
    expect(atLine(r.deps, 16)).toEqual({
      name: "actions/checkout",
      package_manager: "github-actions",
      datasource: "github-tags",
      file,
      line: 16,
      dependency_type: "build",
      current_value: "v4.2.2",
      version: "v4.2.2",
      locked_version: null,
      registry_url: "https://github.com",
      digest: "11bd71901bbe5b1630ceea73d27597364c9af683",
      skip_reason: null,
      local_path: null,
      component: "",
    });
    expect(atLine(r.deps, 25)).toMatchObject({ name: "aws-actions/configure-aws-credentials", current_value: "v4.0.2", digest: "e3dd6a429d7300a6a4c196c26e071d42e0343502" });
  });

  it("keeps the SHA as version when there is no comment", () => {
    expect(atLine(r.deps, 30)).toMatchObject({ name: "actions/checkout", current_value: "b4ffde65f46336ab88eb53be808477a3936bae11", digest: "b4ffde65f46336ab88eb53be808477a3936bae11" });
  });

  it("reads tag refs and sub-path actions as owner/repo", () => {
    expect(atLine(r.deps, 18)).toMatchObject({ name: "actions/setup-python", current_value: "v5", digest: null });
    expect(atLine(r.deps, 21)).toMatchObject({ name: "github/codeql-action", current_value: "v3.25.0" });
  });

  it("skips local actions with their path, and reads docker:// steps", () => {
    expect(atLine(r.deps, 22)).toMatchObject({ skip_reason: "local", local_path: ".github/actions/setup", datasource: "none" });
    expect(atLine(r.deps, 23)).toMatchObject({ name: "alpine", datasource: "docker", current_value: "3.19", registry_url: "docker.io" });
  });

  it("reads job containers (string and map) and service images", () => {
    expect(atLine(r.deps, 9)).toMatchObject({ name: "node", current_value: "20-bookworm", datasource: "docker" });
    expect(atLine(r.deps, 28)).toMatchObject({ name: "python", current_value: "3.12-slim" });
    expect(atLine(r.deps, 12)).toMatchObject({ name: "postgres", current_value: "16.2" });
    expect(atLine(r.deps, 14)).toMatchObject({ name: "redis", digest: expect.stringMatching(/^sha256:/) });
  });

  it("skips expressions in images", () => {
    expect(atLine(r.deps, 34)).toMatchObject({ skip_reason: "expression" });
  });

  it("reads reusable workflows, remote and local", () => {
    expect(atLine(r.deps, 38)).toMatchObject({ name: "octo-org/shared", current_value: "v2", datasource: "github-tags" });
    expect(atLine(r.deps, 42)).toMatchObject({ skip_reason: "local", local_path: ".github/workflows/release.yml" });
  });

  it("extracts one dependency per uses/image", () => {
    expect(usesDeps(r.deps)).toHaveLength(15);
  });
});

describe("action.yml extraction", () => {
  it("reads composite steps", () => {
    const r = extract(".github/actions/setup/action.yml");
    expect(r.warnings).toEqual([]);
    expect(r.deps.map((d) => [d.name, d.current_value, d.line])).toEqual([
      ["actions/setup-node", "v4.0.2", 6],
      ["pnpm/action-setup", "v3", 7],
    ]);
  });

  it("reads docker:// runs.image and ignores a local Dockerfile", () => {
    const remote = extract("docker-action/action.yaml");
    expect(remote.deps).toHaveLength(1);
    expect(remote.deps[0]).toMatchObject({ name: "ghcr.io/example/tool", current_value: "1.2.3", line: 4 });
    expect(extract("local-docker-action/action.yml").deps).toEqual([]);
  });
});

describe("parseUses", () => {
  const c = { file: "w.yml", line: 1, comment: null };
  it("handles odd refs", () => {
    expect(parseUses("${{ matrix.action }}", c).dep?.skip_reason).toBe("expression");
    expect(parseUses("owner/repo@release/v1", c).dep?.current_value).toBe("release/v1");
    expect(parseUses("a/b@0123456789abcdef0123456789abcdef01234567", { ...c, comment: " pin @v1.2.3" }).dep?.current_value).toBe("v1.2.3");
    expect(parseUses("a/b@0123456789abcdef0123456789abcdef01234567", { ...c, comment: " not a version" }).dep?.current_value).toBe(
      "0123456789abcdef0123456789abcdef01234567",
    );
  });
});

describe("malformed workflows", () => {
  it("warns with file and line on wrong shapes and keeps going", () => {
    const r = extract(".github/workflows/broken.yml");
    const msgs = r.warnings.map((w) => `${w.line}: ${w.message}`);
    expect(msgs).toEqual([
      expect.stringMatching(/^6: jobs\.a\.steps should be a list, found a map/),
      expect.stringMatching(/^11: jobs\.b\.steps\[0\]\.uses should be a string, found a list/),
      expect.stringMatching(/^12: .*has no @ref/),
      expect.stringMatching(/^13: .*cannot read action reference "just-a-word@v1"/),
      expect.stringMatching(/^14: jobs\.c should be a map, found a string/),
    ]);
    expect(r.warnings.every((w) => w.file === ".github/workflows/broken.yml")).toBe(true);
    expect(usesDeps(r.deps)).toHaveLength(1);
    expect(usesDeps(r.deps)[0]).toMatchObject({ name: "actions/checkout", skip_reason: "no version" });
  });

  it("reports invalid YAML with its line", () => {
    const r = extract(".github/workflows/invalid.yml");
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings[0].message).toMatch(/invalid YAML/);
    expect(r.warnings[0].line).toBe(7);
  });

  it("warns when jobs is a list", () => {
    const r = extract(".github/workflows/jobs-list.yml");
    expect(r.warnings).toEqual([{ file: ".github/workflows/jobs-list.yml", line: 2, manager: "github-actions", message: "jobs should be a map, found a list" }]);
  });

  it("never throws on hostile input", () => {
    for (const h of ["", "---\n---\n", "jobs: ~", "jobs:\n  a: ~", "*x", "jobs:\n  a:\n    steps: [ {uses: 1} ]", "\u0000", "a: &a [*a]"]) {
      expect(() => githubActionsManager.extract(".github/workflows/x.yml", h, ctx)).not.toThrow();
    }
  });
});

// ---------------------------------------------------------------------------------------------


/** Independent count: every `uses` (and `image` / string `container`) value anywhere in the document, with its line. */
function usesLines(content: string): number[] {
  const lc = new LineCounter();
  const doc = parseDocument(content, { lineCounter: lc });
  const lines: number[] = [];
  const visit = (n: unknown): void => {
    if (isSeq(n)) n.items.forEach(visit);
    else if (isMap(n)) {
      for (const p of n.items) {
        if (!isPair(p)) continue;
        const key = isScalar(p.key) ? p.key.value : null;
        if ((key === "uses" || key === "image" || key === "container") && isScalar(p.value) && p.value.range) lines.push(lc.linePos(p.value.range[0]).line);
        else visit(p.value);
      }
    }
  };
  visit(doc.contents);
  return lines.sort((a, b) => a - b);
}

const corpusExists = corpusReposAvailable("github-actions");

describe.skipIf(!corpusExists)("github-actions manager over the corpus", () => {
  it("extracts every uses: of every workflow without warnings", () => {
    const repos = path.join(CORPUS, "repos");
    const files = corpusFiles((f) => githubActionsManager.matches(f));
    expect(files.length).toBeGreaterThanOrEqual(26);
    let total = 0;
    for (const f of files) {
      const content = readFileSync(path.join(repos, f), "utf8");
      const r = githubActionsManager.extract(f, content, ctx);
      expect(r.warnings, f).toEqual([]);
      const expected = usesLines(content);
      const got = usesDeps(r.deps).map((d) => d.line ?? -1);
      expect(got.sort((a, b) => a - b), f).toEqual(expected);
      total += expected.length;
      for (const d of usesDeps(r.deps)) {
        if (d.skip_reason === null) expect(d.name, `${f}:${d.line}`).toMatch(/^[\w.-]+\/[\w.-]+$/);
      }
    }
    expect(total).toBeGreaterThan(100);
  });
});
