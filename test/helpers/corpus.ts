import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** `<project>/../shared/corpus`: real repositories' manifests and OSV records, read in place, never copied. */
export const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..", "shared/corpus");
export const CORPUS_REPOS = path.join(CORPUS, "repos");

/** True when the corpus repositories are present; otherwise warns visibly, naming the suite and the path. */
export function corpusReposAvailable(suite: string): boolean {
  const ok = existsSync(CORPUS_REPOS);
  if (!ok) console.warn(`${suite} corpus acceptance skipped: ${CORPUS_REPOS} is missing`);
  return ok;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Every corpus file (POSIX path relative to `corpus/repos`, starting with the repository folder) that `keep` accepts. */
export function corpusFiles(keep: (relPath: string) => boolean): string[] {
  return walk(CORPUS_REPOS)
    .map((f) => path.relative(CORPUS_REPOS, f).split(path.sep).join("/"))
    .filter(keep);
}
