import fs from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { cargoManager } from "../../../src/scan/managers/cargo.js";
import { goManager } from "../../../src/scan/managers/go.js";
import { pipManager } from "../../../src/scan/managers/pip.js";
import type { ExtractContext, Manager } from "../../../src/scan/types.js";
import { CORPUS, corpusPathAvailable } from "../../helpers/corpus.js";

const exists = corpusPathAvailable("pip/cargo/go acceptance", path.join(CORPUS, "repos"));

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  walk(root);
  return out;
}

/** Independent count: every PEP 508 string under [project] dependencies / optional-dependencies. */
function pep621Names(text: string): string[] {
  const doc = parse(text) as { project?: { dependencies?: unknown[]; "optional-dependencies"?: Record<string, unknown[]> } };
  const all = [...(doc.project?.dependencies ?? []), ...Object.values(doc.project?.["optional-dependencies"] ?? {}).flat()];
  return all.filter((s): s is string => typeof s === "string").map((s) => s.trim().split(/[\s[<>=!~;@(]/)[0]);
}

describe.skipIf(!exists)("pip, cargo and go managers over the corpus", () => {
  const repos = exists ? fs.readdirSync(path.join(CORPUS, "repos")).filter((r) => fs.statSync(path.join(CORPUS, "repos", r)).isDirectory()) : [];
  for (const repo of repos) {
    const root = path.join(CORPUS, "repos", repo);
    const files = listFiles(root);
    const ctx: ExtractContext = { allFiles: files, readFile: (p) => (files.includes(p) ? fs.readFileSync(path.join(root, p), "utf8") : undefined) };
    const managers: Manager[] = [pipManager, cargoManager, goManager];
    for (const m of managers) {
      const manifests = files.filter((f) => m.matches(f) && (m !== pipManager || !path.posix.basename(f).startsWith("Pipfile")));
      for (const file of manifests) {
        it(`${repo}/${file} (${m.name}) extracts without warnings`, () => {
          const text = ctx.readFile(file) ?? "";
          const r = m.extract(file, text, ctx);
          expect(r.warnings).toEqual([]);
          expect(r.deps.every((d) => d.file && d.name && d.package_manager === m.name)).toBe(true);
          if (path.posix.basename(file) === "pyproject.toml") {
            const expected = pep621Names(text).sort();
            const got = r.deps
              .filter((d) => d.file === file && (d.dependency_type === "prod" || d.dependency_type === "optional") && d.line !== null)
              .map((d) => d.name)
              .sort();
            expect(got).toEqual(expected);
            expect(r.meta.primary).toBe(true);
          }
          if (path.posix.basename(file) === "Cargo.toml") {
            // Every crates.io dep a crate uses is resolved by Cargo.lock ([workspace.dependencies] entries
            // no member uses, like refinery in the corpus, are legitimately absent from the lock).
            const unresolved = r.deps.filter(
              (d) => d.datasource === "crates" && !d.skip_reason && d.locked_version === null && !d.notes?.includes("workspace.dependencies"),
            );
            expect(unresolved.map((d) => d.name)).toEqual([]);
          }
          // An empty module file (bingo's) has no go line.
          if (path.posix.basename(file) === "go.mod" && /^go\s/m.test(text)) expect(r.meta.go_version).toMatch(/^\d+\.\d+/);
        });
      }
    }
  }
});
