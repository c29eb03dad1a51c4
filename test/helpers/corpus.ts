import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `<project>/../shared/corpus`: real repositories' manifests and OSV records, read in place, never copied.
 * COWABUNGA_CORPUS_DIR overrides it, for copies of the project elsewhere (Stryker's `.stryker-tmp/sandbox-*`).
 */
export const CORPUS = process.env.COWABUNGA_CORPUS_DIR
  ? path.resolve(process.env.COWABUNGA_CORPUS_DIR)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..", "shared/corpus");
export const CORPUS_REPOS = path.join(CORPUS, "repos");

/**
 * True when `where` (a corpus path) is present. Otherwise the suite is skipped with a visible warning naming
 * it and the path, except under CI=true, where the corpus is always laid beside the project: there a missing
 * corpus throws, so the run fails instead of passing on skipped acceptance suites.
 */
export function corpusPathAvailable(suite: string, where: string): boolean {
  if (existsSync(where)) return true;
  const message = `${suite} corpus acceptance skipped: ${where} is missing`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: the corpus must be present)`);
  console.warn(message);
  return false;
}

/** True when the corpus repositories are present; see corpusPathAvailable. */
export function corpusReposAvailable(suite: string): boolean {
  return corpusPathAvailable(suite, CORPUS_REPOS);
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
