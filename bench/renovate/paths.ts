/** Locations, and the loading of our scanner, shared by compare.ts and ../scan.ts. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ScanResult } from "../../src/scan/types.js";
import type { RepoSource } from "../../src/source/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_DIR = path.resolve(here, "../..");
export const CORPUS_DIR = process.env.CORPUS_DIR ?? path.resolve(PROJECT_DIR, "..", "shared", "corpus");
export const OUT_DIR = process.env.OUT_DIR ?? path.join(PROJECT_DIR, "bench", ".out");
export const RUN_RENOVATE = path.join(here, "run-renovate.sh");

/** Corpus repository folder names, sorted; throws naming the folder when the corpus is absent. */
export function corpusRepos(): string[] {
  const dir = path.join(CORPUS_DIR, "repos");
  if (!existsSync(dir)) throw new Error(`corpus not found: ${dir} (set CORPUS_DIR)`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function renovateReportPath(repo: string): string {
  return path.join(OUT_DIR, `renovate-${repo}.json`);
}
export function renovateLogPath(repo: string): string {
  return path.join(OUT_DIR, `renovate-${repo}.log.jsonl`);
}

export type ScanDirectory = (dir: string) => Promise<ScanResult>;

/**
 * Our scanner, loaded at run time so that these scripts type-check and fail with a clear message
 * while src/scan/index.ts or src/source/local.ts is not there yet.
 */
export async function loadOurScanner(): Promise<ScanDirectory> {
  const scanPath = path.join(PROJECT_DIR, "src", "scan", "index.ts");
  const localPath = path.join(PROJECT_DIR, "src", "source", "local.ts");
  for (const p of [scanPath, localPath]) {
    if (!existsSync(p)) throw new Error(`our scan is not available yet: ${path.relative(PROJECT_DIR, p)} is missing`);
  }
  const scanMod: Record<string, unknown> = await import(pathToFileURL(scanPath).href);
  const localMod: Record<string, unknown> = await import(pathToFileURL(localPath).href);
  const scanRepository = scanMod.scanRepository;
  const LocalSource = localMod.LocalSource;
  if (typeof scanRepository !== "function")
    throw new Error("src/scan/index.ts does not export a function scanRepository(source)");
  if (typeof LocalSource !== "function") throw new Error("src/source/local.ts does not export a class LocalSource");
  const scan = scanRepository as (source: RepoSource) => Promise<ScanResult>;
  const Local = LocalSource as new (dir: string) => RepoSource;
  return (dir: string) => scan(new Local(dir));
}

/** The Renovate version recorded in a run's debug log, if any. */
export function renovateVersionFromLog(repo: string): string | null {
  const log = renovateLogPath(repo);
  if (!existsSync(log)) return null;
  const m = /"renovateVersion":"([^"]+)"/.exec(readFileSync(log, "utf8"));
  return m ? m[1] : null;
}

/** Renovate's own timing splits (ms) from its debug log: extract excludes process start and config. */
export function renovateTimingFromLog(
  text: string,
): { extract_ms: number; total_ms: number; manager_ms: Record<string, number> } | null {
  let extract: number | null = null;
  let total: number | null = null;
  let managers: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    if (!line.includes("Repository timing splits") && !line.includes("manager extract durations")) continue;
    try {
      const rec = JSON.parse(line) as {
        msg?: string;
        splits?: { extract?: number };
        total?: number;
        managers?: Record<string, number>;
      };
      if (rec.msg === "Repository timing splits (milliseconds)") {
        extract = rec.splits?.extract ?? null;
        total = rec.total ?? null;
      } else if (rec.msg === "manager extract durations (ms)" && rec.managers) {
        managers = rec.managers;
      }
    } catch {
      // a torn line in the log is not worth failing the benchmark for
    }
  }
  return extract === null || total === null ? null : { extract_ms: extract, total_ms: total, manager_ms: managers };
}
