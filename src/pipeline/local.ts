/**
 * The whole local pipeline for one directory: LocalSource → scanRepository → enrichDependencies →
 * text files for the bug and documentation detectors → assess → (optionally) the store.
 * Used by `cowabunga scan`. Never throws on bad input: problems are warnings in the assessment.
 */
import path from "node:path";
import { assess } from "../assess/index.js";
import type { Assessment, Clock } from "../assess/types.js";
import { defaultConfig, type CowabungaConfig, type RegistriesConfig } from "../config/schema.js";
import { enrichDependencies, type EnrichResult, type EnrichStats } from "../enrich/index.js";
import type { HttpClient } from "../enrich/http.js";
import type { AdvisorySource } from "../enrich/advisories/index.js";
import type { Datasources } from "../enrich/datasources/index.js";
import { scanRepository, type ScanProgress } from "../scan/index.js";
import type { Manager, ScanResult, ScanWarning } from "../scan/types.js";
import { LocalSource } from "../source/local.js";
import type { RepoRef, Store } from "../store/types.js";
import type { z } from "zod";
import { storeAssessment } from "../store/assessment.js";

/** Text files read for the bug-marker and documentation detectors. */
const TEXT_FILE = /\.(md|markdown|mdx|rst|txt|ts|tsx|js|jsx|mjs|cjs|svelte|vue|py|pyi|go|rs|java|kt|rb|php|c|h|cc|cpp|hpp|cs|swift|sh|bash|ya?ml|toml)$/i;
/** A larger file is listed but not read (generated bundles, vendored data). */
export const MAX_TEXT_FILE_BYTES = 512 * 1024;
/** At most this many text files and total characters are read. */
export const MAX_TEXT_FILES = 5000;
export const MAX_TEXT_TOTAL_CHARS = 64 * 1024 * 1024;

export interface LocalPipelineOptions {
  dir: string;
  config?: CowabungaConfig;
  offline?: boolean;
  /** OSV mirror path (`--osv-db`). */
  osvDb?: string | null;
  /** Operator-given mirrors (`--registry`). */
  registries?: z.infer<typeof RegistriesConfig>;
  clock?: Clock;
  /** Persist the assessment (`--data DIR`) under this repository name. */
  store?: Store;
  repo?: RepoRef;
  /** Skip enrichment: dependencies come straight from the scan (`--no-enrich`). */
  enrich?: boolean;
  http?: HttpClient;
  datasources?: Partial<Datasources>;
  advisories?: AdvisorySource | null;
  managers?: readonly Manager[];
  onProgress?: (p: ScanProgress) => void;
}

export interface LocalPipelineResult {
  scan: ScanResult;
  assessment: Assessment;
  enrich: EnrichStats | null;
}

/** A Dependency for each scanned dependency, with nothing looked up (`--no-enrich`). */
export async function unenriched(scan: ScanResult, clock: Clock): Promise<EnrichResult> {
  return enrichDependencies(scan, { offline: true, advisories: null, clock });
}

/** Read Markdown and source files (size-capped) for the detectors. */
export async function readTextFiles(source: LocalSource, warnings: ScanWarning[]): Promise<{ textFiles: Map<string, string>; allFiles: string[] }> {
  const files = await source.listFiles();
  const allFiles = files.map((f) => f.path);
  const wanted = files.filter((f) => TEXT_FILE.test(f.path) && (f.size ?? 0) <= MAX_TEXT_FILE_BYTES).map((f) => f.path);
  const picked = wanted.slice(0, MAX_TEXT_FILES);
  if (wanted.length > picked.length) {
    warnings.push({ file: null, line: null, manager: "source", message: `${wanted.length - picked.length} text files beyond the first ${MAX_TEXT_FILES} were not checked for bug markers and links` });
  }
  const texts = await source.readFiles(picked);
  const textFiles = new Map<string, string>();
  let total = 0;
  for (const [p, t] of texts) {
    if (total + t.length > MAX_TEXT_TOTAL_CHARS) {
      warnings.push({ file: p, line: null, manager: "source", message: `text files past ${MAX_TEXT_TOTAL_CHARS} characters in all were not checked` });
      break;
    }
    total += t.length;
    textFiles.set(p, t);
  }
  return { textFiles, allFiles };
}


/** The repository name the local pipeline stores under: `local/<directory name>` unless given. */
export function localRepoRef(dir: string): RepoRef {
  const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[.-]+/, "") || "repo";
  return { owner: "local", repo: name };
}

export async function runLocalPipeline(opts: LocalPipelineOptions): Promise<LocalPipelineResult> {
  const config = opts.config ?? defaultConfig();
  const root = path.resolve(opts.dir);
  const source = new LocalSource(root);
  const scan = await scanRepository(source, { managers: opts.managers, config, repoName: path.basename(root), onProgress: opts.onProgress });
  return enrichAndAssess(scan, {
    ...opts,
    config,
    repo: opts.repo ?? localRepoRef(root),
    texts: async (warnings) => readTextFiles(source, warnings),
  });
}

/** What enrichAndAssess needs besides the scan: the local pipeline's options, minus where the files come from. */
export interface AssessScanOptions extends Omit<LocalPipelineOptions, "dir" | "onProgress" | "managers"> {
  config: CowabungaConfig;
  repo: RepoRef;
  /** Markdown and source texts for the detectors, and every path of the repository (read after enrichment). */
  texts: (warnings: ScanWarning[]) => Promise<{ textFiles: Map<string, string>; allFiles: string[] }>;
}

/**
 * The stages after the scan, shared by the local directory and the remote (`github:`) scan: enrich (or
 * not), read the detector texts, assess with the stored issues, store when asked.
 */
export async function enrichAndAssess(scan: ScanResult, opts: AssessScanOptions): Promise<LocalPipelineResult> {
  const { config, repo: ref } = opts;
  const clock = opts.clock ?? (() => new Date());
  const enriched =
    opts.enrich === false
      ? await unenriched(scan, clock)
      : await enrichDependencies(scan, {
          config,
          clock,
          offline: opts.offline,
          osvDbPath: opts.osvDb ?? null,
          registries: opts.registries,
          http: opts.http,
          datasources: opts.datasources,
          advisories: opts.advisories,
        });

  const extraWarnings: ScanWarning[] = [];
  const { textFiles, allFiles } = await opts.texts(extraWarnings);
  const previousIssues = opts.store ? await opts.store.getIssues(ref) : [];
  const assessed = assess(
    {
      scan,
      dependencies: enriched.dependencies,
      previousIssues,
      textFiles,
      allFiles,
      yanked: enriched.yanked,
    },
    config,
    clock,
  );
  // assess reports only its own warnings; the scan's and enrichment's belong in the report too.
  const assessment: Assessment = { ...assessed, warnings: [...scan.warnings, ...enriched.warnings, ...extraWarnings, ...assessed.warnings] };
  if (opts.store) {
    opts.store.setRetention(ref, config.retention);
    await storeAssessment(opts.store, ref, assessment, scan.commit_sha, clock().toISOString());
  }
  return { scan, assessment, enrich: opts.enrich === false ? null : enriched.stats };
}

export { storeAssessment };
