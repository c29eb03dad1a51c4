import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scanRepository } from "../../../src/scan/index.js";
import { buildLockGraph, GRAPH_LIMITS, pnpmLockGraph, reachFrom, type LockGraph } from "../../../src/scan/graph/index.js";
import type { ScanResult } from "../../../src/scan/types.js";
import { LocalSource } from "../../../src/source/local.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/graph");

async function scan(dir: string): Promise<ScanResult> {
  return scanRepository(new LocalSource(path.join(FIXTURES, dir)), { repoName: "fx" });
}

/** component → "name version" → shortest path as "a 1 > b 2" strings. */
function table(s: ScanResult): Record<string, Record<string, { depth: number | null; scope: string | undefined; paths: string[]; lockfile: string | undefined }>> {
  const out: Record<string, Record<string, { depth: number | null; scope: string | undefined; paths: string[]; lockfile: string | undefined }>> = {};
  for (const l of s.locked) {
    out[l.component] ??= {};
    out[l.component][`${l.name} ${l.version}`] = {
      depth: l.depth ?? null,
      scope: l.scope,
      paths: (l.paths ?? []).map((p) => p.map((st) => `${st.name} ${st.version}`).join(" > ")),
      lockfile: l.lockfile,
    };
  }
  return out;
}

describe("dependency graph and attribution, per lockfile format", () => {
  it("package-lock v3 workspaces: each package goes to the workspaces that reach it, nested copies resolved, dev-only marked", async () => {
    const t = table(await scan("npm-v3"));
    expect(Object.keys(t).sort()).toEqual(["app", "lib", "tool"]);
    expect(t.app["qs 6.7.0"]).toEqual({
      depth: 2,
      scope: "prod",
      paths: ["express 4.17.1 > qs 6.7.0", "express 4.17.1 > body-parser 1.19.0 > qs 6.7.0"],
      lockfile: "package-lock.json",
    });
    // Through the workspace package lib, which app depends on.
    expect(t.app["lodash 4.17.15"].paths).toEqual(["lib 1.0.0 > lodash 4.17.15"]);
    expect(t.lib["lodash 4.17.15"].depth).toBe(1);
    expect(t.tool["qs 6.11.0"]).toMatchObject({ depth: 2, scope: "dev" });
    // Neither copy of qs belongs to the other workspaces.
    expect(t.lib["qs 6.7.0"]).toBeUndefined();
    expect(t.tool["qs 6.7.0"]).toBeUndefined();
    expect(t.app["qs 6.11.0"]).toBeUndefined();
  });

  it("package-lock v1: requires resolved through the nesting; roots from package.json", async () => {
    const s = await scan("npm-v1");
    const t = table(s).fx;
    expect(t["qs 6.5.2"]).toMatchObject({ depth: 2, scope: "prod", paths: ["request 2.88.0 > qs 6.5.2"] });
    expect(t["tough-cookie 2.4.3"].paths).toEqual(["request 2.88.0 > tough-cookie 2.4.3"]);
    expect(t["tough-cookie 3.0.1"]).toMatchObject({ scope: "dev", paths: ["jest 24.0.0 > tough-cookie 3.0.1"] });
    const qs = s.locked.find((l) => l.name === "qs");
    expect(qs?.parents).toEqual([{ name: "request", version: "2.88.0", requirement: "~6.5.2" }]);
  });

  it("yarn classic: descriptors link entries; requirements on edges", async () => {
    const s = await scan("yarn-classic");
    const t = table(s).fx;
    expect(t["color-convert 1.9.3"]).toMatchObject({ depth: 3, scope: "prod", paths: ["chalk 2.4.2 > ansi-styles 3.2.1 > color-convert 1.9.3"] });
    expect(t["ansi-regex 3.0.0"].scope).toBe("dev");
    expect(s.locked.find((l) => l.name === "color-convert")?.parents).toEqual([{ name: "ansi-styles", version: "3.2.1", requirement: "^1.9.0" }]);
  });

  it("yarn berry: workspace entries are the importers; the manifest says which are dev", async () => {
    const s = await scan("yarn-berry");
    const t = table(s);
    expect(t.web["js-tokens 4.0.0"]).toMatchObject({ depth: 3, paths: ["react 18.2.0 > loose-envify 1.4.0 > js-tokens 4.0.0"] });
    expect(t.web["typescript 5.4.5"].scope).toBe("dev");
    expect(t.cli["js-tokens 4.0.0"]).toBeUndefined();
    expect(s.locked.find((l) => l.name === "js-tokens")?.parents?.[0].requirement).toBe("^3.0.0 || ^4.0.0");
  });

  it("pnpm v9 importers: the same package at two versions goes to the right workspace each", async () => {
    const t = table(await scan("pnpm-v9"));
    expect(t.a["ms 2.1.2"]).toMatchObject({ depth: 2, paths: ["debug 4.3.4 > ms 2.1.2"] });
    expect(t.a["ms 2.0.0"]).toBeUndefined();
    expect(t.b["ms 2.0.0"]).toMatchObject({ depth: 1 });
    expect(t.b["ms 2.1.2"]).toBeUndefined();
  });

  it("pnpm v5 and v6 keys", () => {
    const v6 = pnpmLockGraph(
      "pnpm-lock.yaml",
      "lockfileVersion: '6.0'\n\ndependencies:\n  debug:\n    specifier: ^4.3.0\n    version: 4.3.4(supports-color@8.1.1)\n\npackages:\n\n  /debug@4.3.4(supports-color@8.1.1):\n    dependencies:\n      ms: 2.1.2\n    dev: false\n\n  /ms@2.1.2:\n    dev: false\n",
    );
    const v5 = pnpmLockGraph(
      "pnpm-lock.yaml",
      "lockfileVersion: 5.4\n\nspecifiers:\n  debug: ^4.3.0\n\ndependencies:\n  debug: 4.3.4\n\npackages:\n\n  /debug/4.3.4:\n    dependencies:\n      ms: 2.1.2\n    dev: false\n\n  /ms/2.1.2:\n    dev: false\n",
    );
    for (const g of [v6, v5]) {
      expect(g.ok).toBe(true);
      if (!g.ok) continue;
      const roots = g.graph.importers.get(".") ?? [];
      expect(roots.map((r) => [g.graph.nodes[r.to].name, r.requirement])).toEqual([["debug", "^4.3.0"]]);
      const reach = reachFrom(g.graph, roots);
      const ms = [...reach.values()].find((r) => g.graph.nodes[r.node].name === "ms");
      expect(ms?.depth).toBe(2);
    }
  });

  it("Cargo.lock with workspace members: a member's crates go to the members that reach them; dev-dependencies stay with their member", async () => {
    const t = table(await scan("cargo"));
    expect(Object.keys(t).sort()).toEqual(["cli", "web"]);
    expect(t.web["h2 0.3.20"]).toMatchObject({ depth: 2, paths: ["hyper 0.14.27 > h2 0.3.20"] });
    expect(t.cli["h2 0.3.20"]).toMatchObject({ depth: 3, paths: ["web 0.1.0 > hyper 0.14.27 > h2 0.3.20"] });
    expect(t.web["clap 4.4.0"]).toBeUndefined();
    expect(t.web["tempfile 3.8.0"].scope).toBe("dev");
    // web's dev-dependency is never built for cli.
    expect(t.cli["tempfile 3.8.0"]).toBeUndefined();
  });

  it("poetry.lock: constraints on edges; dev group dev-only", async () => {
    const s = await scan("poetry");
    const t = table(s).fx;
    expect(t["urllib3 1.23"]).toMatchObject({ depth: 2, scope: "prod", paths: ["requests 2.19.1 > urllib3 1.23"] });
    expect(t["iniconfig 2.0.0"].scope).toBe("dev");
    expect(s.locked.find((l) => l.name === "urllib3")?.parents?.[0].requirement).toBe(">=1.21.1,<1.24");
  });

  it("uv.lock workspace: members are importers by their path", async () => {
    const t = table(await scan("uv"));
    expect(t.backend["idna 3.4"].paths).toEqual(["anyio 4.0.0 > idna 3.4"]);
    expect(t.backend["httpx 0.25.0"]).toBeUndefined();
    expect(Object.keys(t.fx).sort()).toEqual(["httpx 0.25.0", "idna 3.4"]);
  });

  it("Pipfile.lock records no edges: its other packages keep the component, no path, the section's scope", async () => {
    const t = table(await scan("pipfile")).fx;
    expect(t["requests 2.19.1"].depth).toBe(1);
    expect(t["urllib3 1.23"]).toEqual({ depth: null, scope: "prod", paths: [], lockfile: "Pipfile.lock" });
    expect(t["pytest 7.4.0"].scope).toBe("dev");
  });

  it("go.mod: direct requirements are roots; // indirect ones have no recorded path", async () => {
    const t = table(await scan("go")).fx;
    expect(t["github.com/gin-gonic/gin v1.9.0"].depth).toBe(1);
    expect(t["golang.org/x/net v0.10.0"]).toEqual({ depth: null, scope: "prod", paths: [], lockfile: "go.mod" });
  });
});

describe("hostile lockfiles", () => {
  it("a malformed lockfile is a warning naming it; the manifest's dependencies stay", async () => {
    const g = buildLockGraph("sub/Cargo.lock", "[[package]\nname = 1");
    expect(g?.ok).toBe(false);
    expect(buildLockGraph("x/package-lock.json", "{")?.ok).toBe(false);
    expect(buildLockGraph("pnpm-lock.yaml", "a: [")?.ok).toBe(false);
    expect(buildLockGraph("README.md", "x")).toBeNull();
  });

  it("cycles and long chains are walked breadth-first within the bounds, never recursing", () => {
    const n = 20_000;
    const lines = ["version = 3", ""];
    for (let i = 0; i < n; i++) {
      lines.push("[[package]]", `name = "c${i}"`, `version = "1.0.0"`, `source = "registry+x"`, `dependencies = ["c${(i + 1) % n}", "c0"]`, "");
    }
    const g = buildLockGraph("Cargo.lock", lines.join("\n"));
    expect(g?.ok).toBe(true);
    const graph = (g as { ok: true; graph: LockGraph }).graph;
    const reach = reachFrom(graph, [{ to: 0, requirement: null, scope: "prod" }]);
    // The chain is cut at max_depth; the cycle back to c0 is not followed twice.
    expect(reach.size).toBe(GRAPH_LIMITS.max_depth);
    for (const r of reach.values()) {
      expect(r.paths.length).toBeLessThanOrEqual(GRAPH_LIMITS.max_paths);
      for (const p of r.paths) expect(new Set(p.map((s) => s.name)).size).toBe(p.length);
    }
  });

  it("stops adding packages past the node bound, with a warning naming the file", () => {
    const entries: Record<string, unknown> = { "": { name: "root", dependencies: {} } };
    for (let i = 0; i <= GRAPH_LIMITS.max_nodes; i++) entries[`node_modules/p${i}`] = { version: "1.0.0" };
    const g = buildLockGraph("big/package-lock.json", JSON.stringify({ lockfileVersion: 3, packages: entries }));
    expect(g?.ok).toBe(true);
    const graph = (g as { ok: true; graph: LockGraph }).graph;
    expect(graph.nodes.length).toBe(GRAPH_LIMITS.max_nodes);
    expect(graph.warnings[0]).toMatch(/^big\/package-lock\.json: dependency graph truncated at more than 100000 packages/);
  });
});
