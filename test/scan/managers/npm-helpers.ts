import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ExtractContext } from "../../../src/scan/types.js";

export const NPM_FIXTURES = fileURLToPath(new URL("../../fixtures/scan/npm", import.meta.url));

/** Every file under `root`, as repo-relative POSIX paths. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && e.name !== ".git") walk(p);
      } else out.push(p);
    }
  };
  walk("");
  return out;
}

/** An ExtractContext that reads a directory on disk as if it were the repository. */
export function diskContext(root: string): ExtractContext & { reads: string[] } {
  const allFiles = listFiles(root);
  const present = new Set(allFiles);
  const reads: string[] = [];
  return {
    allFiles,
    reads,
    readFile(p: string): string | undefined {
      reads.push(p);
      return present.has(p) ? fs.readFileSync(path.join(root, p), "utf8") : undefined;
    },
  };
}

export function readFixture(rel: string): string {
  return fs.readFileSync(path.join(NPM_FIXTURES, rel), "utf8");
}

/** 1-based line of `"key":` inside the object opened by `"section":` (an independent, naive search for test checks). */
export function lineInSection(text: string, section: string, key: string): number {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.includes(`"${section}"`));
  const idx = lines.findIndex((l, i) => i > start && l.includes(`"${key}":`));
  return idx + 1;
}
