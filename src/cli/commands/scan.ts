import { promises as fs } from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import type { z } from "zod";
import type { Assessment, Clock } from "../../assess/types.js";
import type { ReportFormat } from "../../act/report/index.js";
import type { CowabungaConfig, RegistriesConfig } from "../../config/schema.js";
import type { AdvisorySource } from "../../enrich/advisories/index.js";
import type { Datasources } from "../../enrich/datasources/index.js";
import type { HttpClient } from "../../enrich/http.js";
import type { Severity } from "../../model/index.js";
import { scanRepository } from "../../scan/index.js";
import type { Manager } from "../../scan/types.js";
import { LocalSource } from "../../source/local.js";
import type { FileStore } from "../../store/file-store.js";
import type { RepoRef } from "../../store/types.js";
import { SCAN_FORMATS, type ScanFormat } from "../format/index.js";
import { UsageError, writeOutFile, type CliIO } from "../io.js";
import { createProgressBar } from "../progress.js";
import { DEFAULT_GITHUB_API_URL, GITHUB_PREFIX } from "../github-spec.js";

// Start-up time: `scan --no-enrich` needs none of zod, the config loader, the pipeline (enrich,
// assess), the report renderers or the store, so those are imported with `await import()` on the
// branches that use them. Type-only imports above cost nothing at run time.

type Registries = z.infer<typeof RegistriesConfig>;

export const OUTPUT_FORMATS = ["table", "json", "csv", "csv-issues", "markdown", "html"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const FAIL_ON = ["critical", "high", "medium", "low"] as const;
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export interface ScanCommandOptions {
  format: OutputFormat;
  out?: string;
  config?: string;
  offline?: boolean;
  osvDb?: string;
  registry?: string[];
  failOn?: Severity;
  data?: string;
  repo?: string;
  /** commander's --no-enrich sets enrich: false. */
  enrich?: boolean;
  /** REST API base for `github:` targets (GHES: https://HOST/api/v3). */
  githubApiUrl?: string;
}

export interface ScanCommandDeps {
  io: CliIO;
  /** Injected by tests; default ALL_MANAGERS. */
  managers?: readonly Manager[];
  /** Injected by tests: the HttpClient, datasources, advisory source and clock of the pipeline. */
  http?: HttpClient;
  datasources?: Partial<Datasources>;
  advisories?: AdvisorySource | null;
  clock?: Clock;
  /** The command's exit code (0, or 1 for --fail-on), read by runCli. */
  exit: { code: number };
  /** Environment for GITHUB_TOKEN and GITHUB_API_URL (default process.env). */
  env?: Record<string, string | undefined>;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--registry npm=https://mirror/...` → { npm: url }. Usage errors name the bad value. */
export async function parseRegistryOptions(values: readonly string[]): Promise<Registries> {
  if (values.length === 0) return {};
  const [{ RegistriesConfig }, { assertSafeUrl }] = await Promise.all([import("../../config/schema.js"), import("../../enrich/url-guard.js")]);
  const out: Record<string, string> = {};
  const allowed = RegistriesConfig.keyType.options as readonly string[];
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new UsageError(`--registry ${JSON.stringify(v)}: expected <ecosystem>=<url>, e.g. npm=https://npm.mirror.example`);
    const eco = v.slice(0, eq).trim();
    const url = v.slice(eq + 1).trim();
    if (!allowed.includes(eco)) throw new UsageError(`--registry ${JSON.stringify(v)}: unknown ecosystem "${eco}" (one of ${allowed.join(", ")})`);
    if (eco === "go_sumdb" && url === "off") {
      out[eco] = url;
      continue;
    }
    try {
      // The operator chose this mirror: private and loopback hosts are allowed; scheme and credential checks stay.
      await assertSafeUrl(url, { allowPrivate: true });
    } catch (err) {
      throw new UsageError(`--registry ${JSON.stringify(v)}: ${(err as Error).message}`);
    }
    out[eco] = url.replace(/\/+$/, "");
  }
  const parsed = RegistriesConfig.safeParse(out);
  if (!parsed.success) throw new UsageError(`--registry: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** Read the config: an explicit missing file is a usage error; problems are printed with file and line, defaults kept. */
export async function loadConfigFile(file: string, explicit: boolean, io: CliIO): Promise<CowabungaConfig> {
  const text = await readConfigText(file, explicit);
  if (text === null) return (await import("../../config/schema.js")).defaultConfig();
  return parseConfigText(text, file, io);
}

/** The config file's text; null when it is absent and was not named with --config. */
export async function readConfigText(file: string, explicit: boolean): Promise<string | null> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new UsageError(`config file ${file} could not be read: ${(err as Error).message}`);
  }
}

export async function parseConfigText(text: string, file: string, io: CliIO): Promise<CowabungaConfig> {
  const { formatConfigErrors, parseConfigYaml } = await import("../../config/load.js");
  const { config, errors } = parseConfigYaml(text, file);
  if (errors.length) io.stderr(`${formatConfigErrors(errors)}\n`);
  return config;
}

export function parseRepoOption(value: string): RepoRef {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value.trim());
  if (!m) throw new UsageError(`--repo ${JSON.stringify(value)}: expected owner/repo`);
  return { owner: m[1].toLowerCase(), repo: m[2].toLowerCase() };
}

/** `cowabunga scan [dir]`: scan, enrich and assess a local directory. */
export function scanCommand(deps: ScanCommandDeps): Command {
  return new Command("scan")
    .description("scan a local repository (or github:OWNER/REPO[@REF]), look up updates and advisories, and assess its health")
    .argument("[dir]", "repository directory, or github:OWNER/REPO[@REF] to read a repository through the GitHub API (token in GITHUB_TOKEN)", ".")
    .addOption(new Option("-f, --format <format>", "output format").choices([...OUTPUT_FORMATS]).default("table"))
    .option("-o, --out <file>", "write the output to a file instead of stdout")
    .option("-c, --config <file>", "config file (default: <dir>/.github/cowabunga.yml when present)")
    .option("--offline", "no network at all: registries are not asked; advisories only from --osv-db")
    .option("--osv-db <path>", "OSV mirror: a directory of OSV JSON records or all.zip exports")
    .option("--registry <ecosystem=url>", "registry mirror, repeatable (npm, pypi, crates, go, go_sumdb (a URL or off), docker, helm, osv)", collect, [])
    .addOption(new Option("--fail-on <severity>", "exit 1 when an open issue is at this severity or worse").choices([...FAIL_ON]))
    .option("--data <dir>", "persist the assessment to a file store in this directory")
    .option("--repo <owner/repo>", "name to store the assessment under (default: local/<dir name>)")
    .option("--no-enrich", "scan only: no registry lookups, advisories or assessment")
    .option("--github-api-url <url>", `GitHub API for github: targets; GHES: https://HOST/api/v3 (default: $GITHUB_API_URL, else ${DEFAULT_GITHUB_API_URL})`)
    .action(async (dir: string, options: ScanCommandOptions) => {
      deps.exit.code = await runScan(dir, options, deps);
    });
}

export async function emit(io: CliIO, text: string, out: string | undefined, summary: string): Promise<void> {
  if (out) {
    await writeOutFile(io, out, text);
    if (io.stderrIsTTY) io.stderr(`${summary} to ${out}\n`);
  } else {
    io.stdout(text);
  }
}

/** Runs the scan; resolves to the exit code (1 when --fail-on matched). Usage problems throw UsageError. */
export async function runScan(dir: string, options: ScanCommandOptions, deps: ScanCommandDeps): Promise<number> {
  const { io } = deps;
  if (dir.startsWith(GITHUB_PREFIX)) return (await import("./scan-github.js")).runGitHubTargetScan(dir, options, deps, scanHelpers());
  if (options.githubApiUrl) throw new UsageError("--github-api-url applies to github:OWNER/REPO targets only");
  const root = path.resolve(io.cwd, dir);
  const stat = await fs.stat(root).catch(() => null);
  if (!stat) throw new UsageError(`directory not found: ${dir}`);
  if (!stat.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const enrich = options.enrich !== false;
  if (!enrich && !(options.format in SCAN_FORMATS)) {
    throw new UsageError(`--format ${options.format} needs the assessment; with --no-enrich use ${Object.keys(SCAN_FORMATS).join(", ")}`);
  }
  if (!enrich && options.failOn) throw new UsageError("--fail-on needs the assessment; it cannot be combined with --no-enrich");
  const registries = await parseRegistryOptions(options.registry ?? []);
  const explicitRepo = options.repo ? parseRepoOption(options.repo) : null;
  const osvDb = options.osvDb ? path.resolve(io.cwd, options.osvDb) : null;
  if (osvDb && !(await fs.stat(osvDb).catch(() => null))) throw new UsageError(`--osv-db: not found: ${options.osvDb}`);
  const configFile = options.config ? path.resolve(io.cwd, options.config) : path.join(root, ".github", "cowabunga.yml");
  const configText = await readConfigText(configFile, Boolean(options.config));
  // Without a config file the scan-only path needs no schema: the scan reads just these two keys.
  const config = configText === null ? null : await parseConfigText(configText, configFile, io);
  const progress = await createProgressBar(io);

  if (!enrich) {
    let result;
    try {
      const scanConfig = config ?? { components: [], ignore_paths: [] };
      result = await scanRepository(new LocalSource(root), { managers: deps.managers, config: scanConfig, repoName: path.basename(root), onProgress: progress.onProgress });
    } finally {
      progress.stop();
    }
    const text = SCAN_FORMATS[options.format as ScanFormat](result);
    await emit(io, text, options.out, `Wrote ${result.dependencies.length} dependencies of ${result.components.length} components`);
    return 0;
  }

  const [{ localRepoRef, runLocalPipeline }, { defaultConfig }] = await Promise.all([import("../../pipeline/local.js"), import("../../config/schema.js")]);
  const repo = explicitRepo ?? localRepoRef(root);
  const http = await pipelineHttp(options, registries, deps);
  const clock = deps.clock ?? (() => new Date());
  const store = options.data ? new (await import("../../store/file-store.js")).FileStore({ root: path.resolve(io.cwd, options.data), clock }) : undefined;
  let result;
  try {
    result = await runLocalPipeline({
      dir: root,
      config: config ?? defaultConfig(),
      offline: Boolean(options.offline),
      osvDb,
      registries,
      clock,
      store,
      repo,
      http,
      datasources: deps.datasources,
      advisories: deps.advisories,
      managers: deps.managers,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.stop();
  }
  return finishAssessment(result.assessment, result.scan.source, { options, deps, clock, subject: `${repo.owner}/${repo.repo}`, title: path.basename(root), store });
}

/** The enrichment's HttpClient: offline or not, with the operator's mirrors let through the outbound guard. */
export async function pipelineHttp(options: ScanCommandOptions, registries: Registries, deps: ScanCommandDeps): Promise<HttpClient> {
  if (deps.http) return deps.http;
  const [{ createHttpClient }, { assertSafeUrl }, { sharedGuardedAgent }] = await Promise.all([
    import("../../enrich/http.js"),
    import("../../enrich/url-guard.js"),
    import("../../enrich/guarded-agent.js"),
  ]);
  // Operator-given mirrors may be private hosts: let the HttpClient's guard through for exactly those origins.
  const { registryUrls } = await import("../../config/schema.js");
  const trustedOrigins = new Set(registryUrls(registries).map((u) => new URL(u).origin));
  return createHttpClient({
    offline: Boolean(options.offline),
    urlGuard: async (url) => {
      if (trustedOrigins.has(url.origin)) return;
      await assertSafeUrl(url);
    },
    // Everything else connects only to the addresses the guard accepts, checked at connect time.
    dispatcher: (url) => (trustedOrigins.has(url.origin) ? null : sharedGuardedAgent()),
  });
}

/** Render and write the assessment, report the store, apply --fail-on: the end of every enriched scan. */
export async function finishAssessment(
  assessment: Assessment,
  source: string,
  ctx: { options: ScanCommandOptions; deps: ScanCommandDeps; clock: Clock; subject: string; title: string; store?: FileStore },
): Promise<number> {
  const { options, deps, clock, subject, store } = ctx;
  const { io } = deps;
  const text =
    options.format === "table"
      ? (await import("../format/assessment-table.js")).formatAssessmentTable(assessment, source)
      : (await import("../../act/report/index.js")).renderReport(options.format as ReportFormat, assessment, { clock, subject, title: `Cowabunga health report: ${ctx.title}`, collapse: false });
  await emit(io, text, options.out, `Wrote the ${options.format} report of ${assessment.dependencies.length} dependencies`);
  if (store && io.stderrIsTTY) io.stderr(`Stored the assessment as ${subject} in ${store.root}\n`);
  for (const w of store?.takeWarnings() ?? []) io.stderr(`store: ${w.message}\n`);

  if (options.failOn) {
    const limit = SEVERITY_RANK[options.failOn];
    const hits = assessment.issues.filter((i) => (i.status === "open" || i.status === "in_progress") && SEVERITY_RANK[i.severity] <= limit);
    if (hits.length > 0) {
      io.stderr(`cowabunga: ${hits.length} open issue${hits.length === 1 ? "" : "s"} at severity ${options.failOn} or worse\n`);
      return 1;
    }
  }
  return 0;
}

/**
 * What the `github:` scan shares with the local one, handed over at run time: a static import of this
 * module from scan-github.ts would move these functions (and their lazy imports) out of the CLI's entry chunk.
 */
export function scanHelpers() {
  return { emit, finishAssessment, parseConfigText, readConfigText, parseRegistryOptions, parseRepoOption, pipelineHttp, createProgressBar };
}
export type ScanHelpers = ReturnType<typeof scanHelpers>;
