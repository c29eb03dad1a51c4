import path from "node:path";
import { promises as fs } from "node:fs";
import { Command, Option } from "commander";
import type { Assessment, Clock } from "../../assess/types.js";
import type { ReportFormat, renderReport as RenderReport } from "../../act/report/index.js";
import type { RepoRef, Store } from "../../store/types.js";
import { UsageError, writeOutFile, type CliIO } from "../io.js";
import { createProgressBar } from "../progress.js";
import { parseRepoOption } from "./scan.js";

export const STORED_REPORT_FORMATS = ["json", "csv", "csv-issues", "markdown", "html"] as const;

export interface ReportCommandOptions {
  data?: string;
  /** Read the PostgreSQL store instead of a directory. */
  databaseUrl?: string;
  repo: string;
  format: (typeof STORED_REPORT_FORMATS)[number];
  out?: string;
}

export interface ReportCommandDeps {
  io: CliIO;
  clock?: Clock;
}

/** `cowabunga report --data DIR --repo owner/repo`: a report from the stored assessment and its health history. */
export function reportCommand(deps: ReportCommandDeps): Command {
  return new Command("report")
    .description("render a report from an assessment stored with `cowabunga scan --data DIR`")
    .option("--data <dir>", "the file store directory")
    .option("--database-url <url>", "read the PostgreSQL store (a cluster's DATABASE_URL) instead of --data")
    .requiredOption("--repo <owner/repo>", "repository name in the store (scan stores local/<dir name> by default)")
    .addOption(new Option("-f, --format <format>", "report format").choices([...STORED_REPORT_FORMATS]).default("html"))
    .option("-o, --out <file>", "write the report to a file instead of stdout")
    .action(async (options: ReportCommandOptions) => {
      await runReport(options, deps);
    });
}

/** The store holds damaged files: the report would be wrong, so none is written (exit 1). */
export class StoreDamagedError extends Error {
  override name = "StoreDamagedError";
}

/** Store reads of `report`, in order: one progress unit each. */
const LOAD_STEPS = 5;

export async function runReport(options: ReportCommandOptions, deps: ReportCommandDeps): Promise<void> {
  const { io } = deps;
  const ref = parseRepoOption(options.repo);
  if (!options.data === !options.databaseUrl) throw new UsageError("pass exactly one of --data <dir> and --database-url <url>");
  const root = options.data ? path.resolve(io.cwd, options.data) : "";
  if (options.data && !(await fs.stat(root).catch(() => null))) throw new UsageError(`--data: directory not found: ${options.data}`);
  const where = options.data ?? "the database";
  const clock = deps.clock ?? (() => new Date());
  // Loaded here, not at start-up: `scan` never needs the store or the renderers.
  const [{ openStore }, { renderReport }] = await Promise.all([import("../../store/factory.js"), import("../../act/report/index.js")]);
  // migrate: false: a report only reads, and never changes the schema of a cluster's database.
  // readOnly: nor does it move, copy or rewrite stored files, even damaged ones.
  const store = await openStore({ databaseUrl: options.databaseUrl, dataDir: root, clock, migrate: false, readOnly: true });
  try {
    await renderStored(store, ref, options, deps, clock, renderReport, where);
  } finally {
    await store.close();
  }
}

async function renderStored(
  store: Store,
  ref: RepoRef,
  options: ReportCommandOptions,
  deps: ReportCommandDeps,
  clock: Clock,
  renderReport: typeof RenderReport,
  where: string,
): Promise<void> {
  const { io } = deps;
  // Phases: load the store (one unit per read), render, write. Drawn only on a terminal.
  const progress = await createProgressBar(io);
  let text: string;
  try {
    let loaded = 0;
    const step = <T>(value: T): T => {
      progress.onProgress({ phase: "load store", done: ++loaded, total: LOAD_STEPS });
      return value;
    };
    progress.onProgress({ phase: "load store", done: 0, total: LOAD_STEPS });
    const system = step(await store.getSystemHealth(ref));
    if (!system) throw new UsageError(`no stored assessment for ${ref.owner}/${ref.repo} in ${where} (stored: ${(await store.listRepos()).map((r) => `${r.owner}/${r.repo}`).join(", ") || "none"})`);
    const assessment: Assessment = {
      system,
      components: step(await store.listComponentHealth(ref)),
      issues: step(await store.getIssues(ref)),
      dependencies: step(await store.getDependencies(ref)),
      alerts: [],
      warnings: [],
    };
    const history = step(await store.getHealthHistory(ref)).filter((h) => h.timestamp !== system.timestamp);
    // A damaged file reads as empty ("0 open issues"): refuse to render that as if it were the truth.
    const warnings = store.takeWarnings();
    for (const w of warnings) io.stderr(`store: ${w.message}\n`);
    const damaged = warnings.filter((w) => w.scope !== "entries");
    if (damaged.length > 0) {
      throw new StoreDamagedError(
        `the stored data of ${ref.owner}/${ref.repo} in ${where} is damaged: ${damaged.length} file${damaged.length === 1 ? "" : "s"} could not be read (${damaged
          .map((w) => w.file)
          .join(", ")}); nothing was moved or changed. Restore the file${damaged.length === 1 ? "" : "s"} or run \`cowabunga scan\` with the same store again`,
      );
    }
    progress.onProgress({ phase: "render", done: 0, total: 1 });
    text = renderReport(options.format as ReportFormat, assessment, { clock, history, subject: `${ref.owner}/${ref.repo}`, collapse: false });
    progress.onProgress({ phase: "render", done: 1, total: 1 });
    if (options.out) {
      progress.onProgress({ phase: "write", done: 0, total: 1 });
      await writeOutFile(io, options.out, text);
      progress.onProgress({ phase: "write", done: 1, total: 1 });
    }
  } finally {
    progress.stop();
  }
  if (options.out) {
    if (io.stderrIsTTY) io.stderr(`Wrote the ${options.format} report of ${ref.owner}/${ref.repo} to ${options.out}\n`);
  } else {
    io.stdout(text);
  }
}
