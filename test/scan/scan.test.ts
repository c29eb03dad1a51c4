import { describe, expect, it } from "vitest";
import { scanRepository } from "../../src/scan/index.js";
import type { ExtractedDependency, Manager, ManagerResult, PackageManager } from "../../src/scan/types.js";
import type { RepoFile, RepoSource, SourceWarning } from "../../src/source/types.js";

/** An in-memory repository that records each readFiles call. */
class MemorySource implements RepoSource {
  readonly description = "memory:test";
  readonly commitSha = "c0ffee";
  readonly warnings: SourceWarning[] = [];
  readonly reads: string[][] = [];
  constructor(private readonly files: Record<string, string>, private readonly order?: string[]) {}
  async listFiles(): Promise<RepoFile[]> {
    const paths = this.order ?? Object.keys(this.files);
    return paths.map((p) => ({ path: p, size: this.files[p].length }));
  }
  async readFiles(paths: string[]): Promise<Map<string, string>> {
    this.reads.push([...paths]);
    return new Map(paths.filter((p) => p in this.files).map((p) => [p, this.files[p]]));
  }
}

function dep(file: string, manager: PackageManager, name: string, line: number, extra: Partial<ExtractedDependency> = {}): ExtractedDependency {
  return {
    name,
    package_manager: manager,
    datasource: "npm",
    file,
    line,
    dependency_type: "prod",
    current_value: "1",
    version: "1",
    locked_version: null,
    registry_url: null,
    digest: null,
    skip_reason: null,
    local_path: null,
    component: "",
    ...extra,
  };
}

/** "name@version" per line; `-r other.txt` reads another file through ctx. */
const fakePip: Manager = {
  name: "pip",
  matches: (p) => /(^|\/)reqs[^/]*\.txt$/.test(p),
  extract(path, content, ctx): ManagerResult {
    const deps: ExtractedDependency[] = [];
    const warnings: ManagerResult["warnings"] = [];
    content.split("\n").forEach((line, i) => {
      const inc = /^-r (.+)$/.exec(line);
      if (inc) {
        const target = `${path.slice(0, path.lastIndexOf("/") + 1)}${inc[1]}`;
        const text = ctx.readFile(target);
        if (text === undefined) warnings.push({ file: path, line: i + 1, manager: "pip", message: `include ${target} not found` });
        else for (const n of text.split("\n").filter(Boolean)) deps.push(dep(path, "pip", n, i + 1));
      } else if (line.trim()) deps.push(dep(path, "pip", line.trim(), i + 1));
    });
    return { deps, warnings, meta: { primary: false } };
  },
};

/** package.json-like: JSON with name and deps; reads its lockfile companion. */
const fakeNpm: Manager = {
  name: "npm",
  matches: (p) => p.endsWith("pkg.json"),
  companions: (p) => [p.replace(/pkg\.json$/, "pkg.lock")],
  extract(path, content, ctx): ManagerResult {
    const j = JSON.parse(content) as { name?: string; deps?: string[] };
    const lock = ctx.readFile(path.replace(/pkg\.json$/, "pkg.lock"));
    const locked = lock ? lock.split("\n").filter(Boolean).map((l) => ({ name: l.split("@")[0], version: l.split("@")[1], datasource: "npm" as const })) : [];
    return { deps: (j.deps ?? []).map((d, i) => dep(path, "npm", d, i + 2)), warnings: [], meta: { primary: true, name: j.name }, locked };
  },
};

const crashing: Manager = {
  name: "cargo",
  matches: (p) => p.endsWith("Cargo.toml"),
  extract() {
    throw new TypeError("Cannot read properties of undefined (reading 'dependencies')");
  },
};

const FILES: Record<string, string> = {
  "api/pkg.json": JSON.stringify({ name: "api", deps: ["express", "zod"] }),
  "api/pkg.lock": "express@4.0.0\nqs@6.0.0\n",
  "api/reqs.txt": "flask\n-r more/common.txt\n",
  "api/more/common.txt": "requests\n",
  "api/constraints.txt": "urllib3<2\n",
  "rust/Cargo.toml": "[package]",
  "web/pkg.json": JSON.stringify({ name: "web", deps: ["svelte"] }),
  "examples/demo/pkg.json": JSON.stringify({ name: "demo", deps: ["left-pad"] }),
  "README.md": "# hi",
};

describe("scanRepository", () => {
  it("turns a manager crash into a warning naming the file, and goes on", async () => {
    const result = await scanRepository(new MemorySource(FILES), { managers: [fakeNpm, fakePip, crashing] });
    expect(result.warnings).toContainEqual({
      file: "rust/Cargo.toml",
      line: null,
      manager: "cargo",
      message: expect.stringMatching(/cargo manager crashed on rust\/Cargo\.toml.*reading 'dependencies'/),
    });
    expect(result.dependencies.map((d) => `${d.component}:${d.name}`)).toEqual([
      "api:express",
      "api:zod",
      "api:flask",
      "api:requests",
      "demo:left-pad",
      "web:svelte",
    ]);
    expect(result.manifests).toEqual(["api/pkg.json", "api/reqs.txt", "examples/demo/pkg.json", "rust/Cargo.toml", "web/pkg.json"]);
    expect(result.commit_sha).toBe("c0ffee");
    expect(result.source).toBe("memory:test");
    expect(result.files_scanned).toBe(Object.keys(FILES).length);
  });

  it("reads manifests, companions and requirement-like files in one batch, then at most one more", async () => {
    const source = new MemorySource(FILES);
    const result = await scanRepository(source, { managers: [fakeNpm, fakePip] });
    expect(source.reads).toHaveLength(2);
    expect(source.reads[0]).toEqual([
      "api/constraints.txt",
      "api/pkg.json",
      "api/pkg.lock",
      "api/reqs.txt",
      "examples/demo/pkg.json",
      "web/pkg.json",
    ]);
    // The include was not a predictable name: fetched in the second round, and the manager re-run.
    expect(source.reads[1]).toEqual(["api/more/common.txt"]);
    expect(result.dependencies.filter((d) => d.file === "api/reqs.txt").map((d) => d.name)).toEqual(["flask", "requests"]);
    expect(result.warnings.filter((w) => /include/.test(w.message))).toEqual([]);
  });

  it("makes a single read when everything needed was prefetched", async () => {
    const files = { ...FILES, "api/reqs.txt": "flask\n-r requirements-dev.txt\n", "api/requirements-dev.txt": "pytest\n" };
    delete (files as Record<string, string>)["api/more/common.txt"];
    const source = new MemorySource(files);
    const result = await scanRepository(source, { managers: [fakeNpm, fakePip] });
    expect(source.reads).toHaveLength(1);
    expect(result.dependencies.filter((d) => d.file === "api/reqs.txt").map((d) => d.name)).toEqual(["flask", "pytest"]);
  });

  it("does not loop when an include is missing: the manager's own warning stands", async () => {
    const files = { "reqs.txt": "-r nowhere.txt\n" };
    const source = new MemorySource(files);
    const result = await scanRepository(source, { managers: [fakePip] });
    expect(source.reads).toHaveLength(1);
    expect(result.warnings).toEqual([{ file: "reqs.txt", line: 1, manager: "pip", message: "include nowhere.txt not found" }]);
  });

  it("respects config ignore_paths (globs and plain directories)", async () => {
    const result = await scanRepository(new MemorySource(FILES), {
      managers: [fakeNpm, fakePip],
      config: { ignore_paths: ["examples", "**/reqs.txt"], components: [] },
    });
    expect(result.manifests).toEqual(["api/pkg.json", "web/pkg.json"]);
    expect(result.dependencies.some((d) => d.name === "left-pad" || d.name === "flask")).toBe(false);
  });

  it("fills locked packages with their component, and source warnings", async () => {
    const source = new MemorySource(FILES);
    source.warnings.push({ file: "big.bin", message: "not read: too big" });
    const result = await scanRepository(source, { managers: [fakeNpm], repoName: "mono" });
    expect(result.locked).toEqual([
      { name: "express", version: "4.0.0", datasource: "npm", component: "api", file: "api/pkg.json" },
      { name: "qs", version: "6.0.0", datasource: "npm", component: "api", file: "api/pkg.json" },
    ]);
    expect(result.warnings).toContainEqual({ file: "big.bin", line: null, manager: "source", message: "not read: too big" });
  });

  it("gives the same result whatever order the source lists files in", async () => {
    const keys = Object.keys(FILES);
    const a = await scanRepository(new MemorySource(FILES, keys), { managers: [fakeNpm, fakePip, crashing] });
    const b = await scanRepository(new MemorySource(FILES, [...keys].reverse()), { managers: [crashing, fakePip, fakeNpm] });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("survives a manager whose matches() throws and a source whose readFiles() throws", async () => {
    const badMatch: Manager = { ...fakePip, name: "go", matches: () => { throw new Error("boom"); } };
    const source = new MemorySource(FILES);
    source.readFiles = async () => {
      throw new Error("disk on fire");
    };
    const result = await scanRepository(source, { managers: [badMatch, fakeNpm] });
    expect(result.warnings.some((w) => w.manager === "go" && /boom/.test(w.message))).toBe(true);
    expect(result.warnings.some((w) => w.manager === "source" && /disk on fire/.test(w.message))).toBe(true);
    expect(result.dependencies).toEqual([]);
  });

  it("reports progress phases in order", async () => {
    const phases: string[] = [];
    await scanRepository(new MemorySource(FILES), { managers: [fakeNpm], onProgress: (p) => phases.push(p.phase) });
    expect([...new Set(phases)]).toEqual(["list", "read", "extract", "components", "done"]);
  });
});
