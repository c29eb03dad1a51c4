import fs from "node:fs";
import path from "node:path";
import type { ExtractContext } from "../../../src/scan/types.js";

/** An ExtractContext over a fixture folder: repo-relative POSIX paths, read from disk. */
export function fixtureCtx(root: string): ExtractContext & { files: string[] } {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else files.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  walk(root);
  return {
    files,
    allFiles: files,
    readFile: (p: string) => (files.includes(p) ? fs.readFileSync(path.join(root, p), "utf8") : undefined),
  };
}

export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../fixtures/scan");
