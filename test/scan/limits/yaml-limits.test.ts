/**
 * Hostile YAML (issue 10 items 1 and 9): alias bombs, deep nesting and floods of dependencies end in
 * a warning naming the file, and the rest of the repository is still scanned.
 */
import { describe, expect, it } from "vitest";
import { MAX_DEPENDENCIES_PER_FILE, scanRepository } from "../../../src/scan/index.js";
import { ALL_MANAGERS } from "../../../src/scan/managers/index.js";
import { parsePnpmLock } from "../../../src/scan/managers/npm/pnpm.js";
import { MAX_YAML_ALIAS_EXPANSION, MAX_YAML_DEPTH, parseFallback, parseYaml } from "../../../src/scan/managers/yaml-ast.js";
import type { ExtractedDependency, Manager } from "../../../src/scan/types.js";
import type { RepoFile, RepoSource, SourceWarning } from "../../../src/source/types.js";

class MemorySource implements RepoSource {
  readonly description = "memory:hostile";
  readonly commitSha = "c0ffee";
  readonly warnings: SourceWarning[] = [];
  constructor(private readonly files: Record<string, string>) {}
  async listFiles(): Promise<RepoFile[]> {
    return Object.keys(this.files).map((p) => ({ path: p, size: this.files[p].length }));
  }
  async readFiles(paths: string[]): Promise<Map<string, string>> {
    return new Map(paths.filter((p) => p in this.files).map((p) => [p, this.files[p]]));
  }
}

/** `levels` levels of 10 aliases each: 10^levels copies of the image block when expanded. */
function aliasBomb(levels: number, leaf = 'a0: &a0 {image: {repository: nginx, tag: "1.25"}}'): string {
  const lines = [leaf];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(",")}]`);
  return `${lines.join("\n")}\n`;
}

/** A block mapping nested `levels` deep: `k:\n  k:\n    k: ...`. */
function deepBlock(levels: number): string {
  return `${Array.from({ length: levels }, (_, i) => `${" ".repeat(i * 2)}k:`).join("\n")} x\n`;
}

const YAML_MANIFESTS = ["values.yaml", "Chart.yaml", "docker-compose.yml", ".github/workflows/ci.yml", "zarf.yaml", "uds-bundle.yaml"];

describe("YAML alias bombs", () => {
  it("a 10-level alias bomb in a values file is refused with its name, and the other files are scanned", async () => {
    const bomb = aliasBomb(10);
    expect(bomb.length).toBeLessThan(700);
    const source = new MemorySource({
      "charts/app/values.yaml": bomb,
      "package.json": JSON.stringify({ name: "web", dependencies: { lodash: "4.17.21" } }),
      "docker-compose.yml": "services:\n  db:\n    image: postgres:16.1\n",
    });
    const result = await scanRepository(source, { managers: ALL_MANAGERS });
    const warning = result.warnings.find((w) => w.file === "charts/app/values.yaml");
    expect(warning?.message).toMatch(/aliases expand to over \d+ extra nodes/);
    expect(result.dependencies.map((d) => d.name).sort()).toEqual(["lodash", "postgres"]);
  }, 20_000);

  it("every YAML manager refuses the bomb through the shared front-end", () => {
    for (const file of YAML_MANIFESTS) {
      const parsed = parseYaml(file, aliasBomb(6), "helm");
      expect(parsed.docs, file).toEqual([]);
      expect(parsed.warnings[0]?.message, file).toContain(`over ${MAX_YAML_ALIAS_EXPANSION} extra nodes`);
    }
  });

  it("the fallback parser (used when js-yaml rejects a file) applies the same limit", () => {
    const parsed = parseFallback("values.yaml", aliasBomb(6), "helm");
    expect(parsed.docs).toEqual([]);
    expect(parsed.warnings.map((w) => w.message)).toEqual([expect.stringContaining(`over ${MAX_YAML_ALIAS_EXPANSION} extra nodes`)]);
  });

  it("a few reused anchors (CI templates, default images) are still read", () => {
    const text = [
      "defaults: &img {repository: nginx, tag: '1.25'}",
      "web: {image: *img}",
      "api: {image: *img}",
      "steps: &steps [{uses: actions/checkout@v4}, {uses: actions/setup-node@v4}]",
    ].join("\n");
    const parsed = parseYaml("values.yaml", text, "helm");
    expect(parsed.warnings).toEqual([]);
    const r = ALL_MANAGERS.find((m) => m.name === "helm")!.extract("values.yaml", text, { allFiles: ["values.yaml"], readFile: () => undefined });
    expect(r.deps.map((d) => `${d.name}@${d.line}`)).toEqual(["nginx@1", "nginx@1"]);
  });

  it("aliases stacked into a tree deeper than the limit are refused, even when each part is shallow", () => {
    const half = MAX_YAML_DEPTH - 50;
    const inner = `a: &deep ${"[".repeat(half)}1${"]".repeat(half)}`;
    const outer = `b: ${"[".repeat(half)}*deep${"]".repeat(half)}`;
    const parsed = parseYaml("values.yaml", `${inner}\n${outer}\n`, "helm");
    expect(parsed.docs).toEqual([]);
    expect(parsed.warnings[0]?.message).toContain(`nested deeper than ${MAX_YAML_DEPTH} levels`);
  });
});

describe("deep YAML", () => {
  for (const file of YAML_MANIFESTS) {
    it(`${file}: 3,000 levels give a message that names the file, never a stack overflow`, async () => {
      const result = await scanRepository(new MemorySource({ [file]: deepBlock(3000), "go.mod": "module x\n\nrequire golang.org/x/net v0.1.0\n" }), {
        managers: ALL_MANAGERS,
      });
      const mine = result.warnings.filter((w) => w.file === file);
      expect(mine.length).toBeGreaterThan(0);
      for (const w of mine) expect(w.message).not.toMatch(/call stack/);
      expect(mine.map((w) => w.message)).toContain(`YAML is nested deeper than ${MAX_YAML_DEPTH} levels; file skipped`);
      expect(result.dependencies.map((d) => d.name)).toEqual(["golang.org/x/net"]);
    });
  }

  it("deep flow nesting that js-yaml rejects first is reported the same by the fallback", () => {
    const parsed = parseYaml("values.yaml", `a:\n${"[".repeat(5000)}${"]".repeat(5000)}\n`, "helm");
    expect(parsed.warnings.map((w) => w.message)).toContain(`YAML is nested deeper than ${MAX_YAML_DEPTH} levels; file skipped`);
    for (const w of parsed.warnings) expect(w.message).not.toMatch(/call stack/);
  });

  it("a deep pnpm-lock.yaml is an invalid lockfile with the limit, not a stack overflow", () => {
    const r = parsePnpmLock("pnpm-lock.yaml", `lockfileVersion: '9.0'\npackages: ${"[".repeat(20000)}${"]".repeat(20000)}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(`nested deeper than ${MAX_YAML_DEPTH} levels`);
  });

  it("nesting just under the limit still parses", () => {
    const parsed = parseYaml("values.yaml", deepBlock(MAX_YAML_DEPTH - 2), "helm");
    expect(parsed.warnings).toEqual([]);
    expect(parsed.docs).toHaveLength(1);
  });
});

describe("the scan boundary", () => {
  function fakeDep(i: number): ExtractedDependency {
    return {
      name: `image-${i}`,
      package_manager: "helm",
      datasource: "docker",
      file: "values.yaml",
      line: i + 1,
      dependency_type: "prod",
      current_value: "1",
      version: "1",
      locked_version: null,
      registry_url: null,
      digest: null,
      skip_reason: null,
      local_path: null,
      component: "",
    };
  }

  it(`a manifest with 200,000 dependencies keeps ${MAX_DEPENDENCIES_PER_FILE}, warns with its name, and the scan finishes`, async () => {
    const flood: Manager = {
      name: "helm",
      matches: (p) => p === "values.yaml",
      extract: () => ({ deps: Array.from({ length: 200_000 }, (_, i) => fakeDep(i)), warnings: [], meta: { primary: false } }),
    };
    const result = await scanRepository(new MemorySource({ "values.yaml": "x: 1\n" }), { managers: [flood] });
    expect(result.dependencies).toHaveLength(MAX_DEPENDENCIES_PER_FILE);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ file: "values.yaml", message: `200000 dependencies found; only the first ${MAX_DEPENDENCIES_PER_FILE} are kept` }),
    );
  });

  it("a manager that overflows the stack loses only its own file, named in the warning", async () => {
    const overflow: Manager = {
      name: "helm",
      matches: (p) => p === "values.yaml",
      extract: () => {
        const recurse = (n: number): number => recurse(n + 1) + 1;
        return { deps: [fakeDep(recurse(0))], warnings: [], meta: { primary: false } };
      },
    };
    const ok: Manager = { name: "npm", matches: (p) => p === "package.json", extract: () => ({ deps: [{ ...fakeDep(0), name: "ok", file: "package.json" }], warnings: [], meta: { primary: true } }) };
    const result = await scanRepository(new MemorySource({ "values.yaml": "x: 1\n", "package.json": "{}" }), { managers: [overflow, ok] });
    expect(result.dependencies.map((d) => d.name)).toEqual(["ok"]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ file: "values.yaml", message: expect.stringContaining("values.yaml") }));
  });
});

describe("requirements includes", () => {
  it("a chain of 100 -r includes stops at the depth limit with a warning naming the file", async () => {
    const { MAX_REQUIREMENTS_INCLUDE_DEPTH } = await import("../../../src/scan/managers/pip/requirements.js");
    const files: Record<string, string> = {};
    for (let i = 0; i < 100; i++) files[`req/requirements-${i}.txt`] = `-r requirements-${i + 1}.txt\npkg${i}==1.0.${i}\n`;
    files["req/requirements-100.txt"] = "last==1.0.0\n";
    const result = await scanRepository(new MemorySource({ ...files, "go.mod": "module x\n\nrequire golang.org/x/net v0.1.0\n" }), { managers: ALL_MANAGERS });
    expect(result.warnings.some((w) => /nested over \d+ levels deep; not followed/.test(w.message) && w.file?.startsWith("req/"))).toBe(true);
    for (const w of result.warnings) expect(w.message).not.toMatch(/call stack/);
    expect(result.dependencies.some((d) => d.name === "golang.org/x/net")).toBe(true);
    expect(MAX_REQUIREMENTS_INCLUDE_DEPTH).toBe(32);
  }, 60_000);
});

describe("merge keys", () => {
  it("many maps merging one large anchor count against the expansion limit", () => {
    const big = `big: &big {${Array.from({ length: 2000 }, (_, i) => `k${i}: ${i}`).join(", ")}}`;
    const maps = Array.from({ length: 100 }, (_, i) => `m${i}: {<<: *big, image: "nginx:1.${i}"}`);
    for (const parse of [parseYaml, parseFallback]) {
      const parsed = parse("values.yaml", `${big}\n${maps.join("\n")}\n`, "helm");
      expect(parsed.docs).toEqual([]);
      expect(parsed.warnings[0]?.message).toContain(`over ${MAX_YAML_ALIAS_EXPANSION} extra nodes`);
    }
    // A few merges, as CI templates use them, still read.
    const few = parseYaml("values.yaml", `${big}\n${maps.slice(0, 3).join("\n")}\n`, "helm");
    expect(few.warnings).toEqual([]);
  });
});
