/**
 * `cowabunga scan github:OWNER/REPO[@REF]`: the local pipeline's stages over the app's GitHub source.
 * Reads cost what a scan by the app costs: one recursive tree listing, then ONE batched read (GraphQL,
 * 50 files a query) of the manifests, their companions, `.github/cowabunga.yml` and the Markdown/source
 * files for the detectors (the app's pick: src/app/assess-inputs.ts). Files the scan asks for beyond
 * the prediction (an include it could not foresee) are read in a further batch, and counted.
 */
import { CONFIG_PATH, parseConfigYaml, type ConfigError } from "../config/load.js";
import { defaultConfig, type CowabungaConfig } from "../config/schema.js";
import { pickTextFiles } from "../app/assess-inputs.js";
import { scanRepository, type ScanProgress } from "../scan/index.js";
import type { Manager, ScanResult } from "../scan/types.js";
import type { GitHubSource } from "../source/github.js";
import { PrimedSource, predictScanReads } from "./github.js";
import { enrichAndAssess, type AssessScanOptions, type LocalPipelineResult } from "./local.js";

export interface RemoteScanOptions {
  managers?: readonly Manager[];
  /** The operator's config (`--config`); without it the repository's own `.github/cowabunga.yml` is read in the batch. */
  config?: CowabungaConfig;
  /** Also read the Markdown and source files for the detectors (not for `--no-enrich`). */
  withTextFiles: boolean;
  onProgress?: (p: ScanProgress) => void;
}

export interface RemoteScan {
  scan: ScanResult;
  config: CowabungaConfig;
  /** Problems in the repository's `.github/cowabunga.yml` (file and line); empty with `--config`. */
  configErrors: ConfigError[];
  /** Every path of the tree, and the texts of the primed batch. */
  allFiles: string[];
  textFiles: Map<string, string>;
  /** Files in the one batched read. */
  batchedFiles: number;
}

/** List the tree, read everything the scan will need in one batch, scan. Rejects only when the tree cannot be listed. */
export async function scanRemote(github: GitHubSource, repoName: string, opts: RemoteScanOptions): Promise<RemoteScan> {
  const source = new PrimedSource(github);
  const listing = await source.listFiles();
  const files = listing.map((f) => f.path);
  const managers = opts.managers ?? (await import("../scan/managers/index.js")).ALL_MANAGERS;
  const hasConfigFile = !opts.config && files.includes(CONFIG_PATH);
  // As the app does: the pick assumes both detectors on (the config arrives in the same batch), then the config filters.
  const textPick = opts.withTextFiles ? pickTextFiles(listing, { issues: { ...defaultConfig().issues, bug_markers: true, documentation: true } }) : { paths: [], skipped: 0 };
  const batch = [...new Set([...predictScanReads(files, managers), ...(hasConfigFile ? [CONFIG_PATH] : []), ...textPick.paths])];
  const texts = await source.prime(batch);

  let config = opts.config;
  let configErrors: ConfigError[] = [];
  if (!config) {
    const text = texts.get(CONFIG_PATH);
    const loaded = text === undefined ? { config: defaultConfig(), errors: [] } : parseConfigYaml(text, CONFIG_PATH);
    config = loaded.config;
    configErrors = loaded.errors;
    if (text !== undefined && /^\s*_extends\s*:/m.test(text)) {
      configErrors = [...configErrors, { path: "_extends", line: null, severity: "warning", message: "_extends is followed by the app only; the CLI used this file's own keys", file: CONFIG_PATH }];
    }
  }
  const scan = await scanRepository(source, { managers, config, repoName, onProgress: opts.onProgress });
  const textFiles = new Map<string, string>();
  if (opts.withTextFiles) {
    for (const p of pickTextFiles(listing, config).paths) {
      const t = texts.get(p);
      if (t !== undefined) textFiles.set(p, t);
    }
    if (textPick.skipped > 0) {
      scan.warnings.push({ file: null, line: null, manager: "source", message: `${textPick.skipped} Markdown/source files beyond the first ${textPick.paths.length} were not checked for bug markers and links` });
    }
  }
  return { scan, config, configErrors, allFiles: files, textFiles, batchedFiles: batch.length };
}

export interface RemotePipelineOptions extends Omit<AssessScanOptions, "config" | "texts"> {
  github: GitHubSource;
  /** The operator's config (`--config`), else the repository's. */
  config?: CowabungaConfig;
  managers?: readonly Manager[];
  onProgress?: (p: ScanProgress) => void;
}

export interface RemotePipelineResult extends LocalPipelineResult {
  configErrors: ConfigError[];
  batchedFiles: number;
}

/** Scan, enrich and assess a GitHub repository, as `runLocalPipeline` does a directory. */
export async function runRemotePipeline(opts: RemotePipelineOptions): Promise<RemotePipelineResult> {
  const remote = await scanRemote(opts.github, opts.repo.repo, { managers: opts.managers, config: opts.config, withTextFiles: opts.enrich !== false, onProgress: opts.onProgress });
  const result = await enrichAndAssess(remote.scan, {
    ...opts,
    config: remote.config,
    texts: async () => ({ textFiles: remote.textFiles, allFiles: remote.allFiles }),
  });
  return { ...result, configErrors: remote.configErrors, batchedFiles: remote.batchedFiles };
}
