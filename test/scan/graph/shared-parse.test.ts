import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ParsedDocuments } from "../../../src/scan/documents.js";
import { buildLockGraph } from "../../../src/scan/graph/index.js";
import { cargoManager } from "../../../src/scan/managers/cargo.js";
import { npmManager } from "../../../src/scan/managers/npm.js";
import { pipManager } from "../../../src/scan/managers/pip.js";
import type { ExtractContext, Manager } from "../../../src/scan/types.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/graph");

function files(dir: string, base = dir, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) files(p, base, out);
    else out.push(path.relative(base, p).split(path.sep).join("/"));
  }
  return out;
}

/**
 * The manager parses the lockfile into the scan's document cache; the graph builder then finds it
 * there. A miss is a real parse, so the number of misses is the number of parses.
 */
describe("one parse per lockfile per scan: the graph reuses the manager's document", () => {
  const cases: Array<[string, Manager, string, string]> = [
    ["npm-v3", npmManager, "packages/app/package.json", "package-lock.json"],
    ["yarn-classic", npmManager, "package.json", "yarn.lock"],
    ["yarn-berry", npmManager, "package.json", "yarn.lock"],
    ["pnpm-v9", npmManager, "packages/a/package.json", "pnpm-lock.yaml"],
    ["cargo", cargoManager, "crates/web/Cargo.toml", "Cargo.lock"],
    ["poetry", pipManager, "pyproject.toml", "poetry.lock"],
    ["uv", pipManager, "pyproject.toml", "uv.lock"],
    ["pipfile", pipManager, "Pipfile", "Pipfile.lock"],
  ];
  for (const [dir, manager, manifest, lockfile] of cases) {
    it(`${dir}: ${lockfile}`, () => {
      const root = path.join(FIXTURES, dir);
      const all = files(root);
      const docs = new ParsedDocuments();
      const ctx: ExtractContext = { allFiles: all, readFile: (p) => (all.includes(p) ? readFileSync(path.join(root, p), "utf8") : undefined), documents: docs };
      const text = ctx.readFile(lockfile)!;
      const result = manager.extract(manifest, ctx.readFile(manifest)!, ctx);
      expect(result.lockfile?.file).toBe(lockfile);
      const parsesByManager = docs.misses;
      expect(parsesByManager).toBeGreaterThan(0);
      const shared = buildLockGraph(lockfile, text, docs);
      expect(docs.misses).toBe(parsesByManager); // no new parse
      expect(docs.hits).toBeGreaterThan(0);
      // The same graph as from the text alone.
      const alone = buildLockGraph(lockfile, text);
      if (!shared?.ok || !alone?.ok) throw new Error("graph not built");
      expect(shared.graph.nodes).toEqual(alone.graph.nodes);
      expect(shared.graph.out).toEqual(alone.graph.out);
    });
  }

  it("a different content under the same name is parsed again, never served stale", () => {
    const docs = new ParsedDocuments();
    const a = buildLockGraph("Pipfile.lock", JSON.stringify({ default: { a: { version: "==1.0.0" } } }), docs);
    const b = buildLockGraph("Pipfile.lock", JSON.stringify({ default: { a: { version: "==2.0.0" } } }), docs);
    expect(a?.ok && a.graph.nodes[0].version).toBe("1.0.0");
    expect(b?.ok && b.graph.nodes[0].version).toBe("2.0.0");
    expect(docs.misses).toBe(2);
  });
});
