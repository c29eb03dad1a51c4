import path from "node:path";
import { promises as fs } from "node:fs";
import { Command, Option } from "commander";
import type { Assessment, Clock } from "../../assess/types.js";
import { renderReport, type ReportFormat } from "../../act/report/index.js";
import { FileStore } from "../../store/file-store.js";
import { UsageError, type CliIO } from "../io.js";
import { parseRepoOption } from "./scan.js";

export const STORED_REPORT_FORMATS = ["json", "csv", "csv-issues", "markdown", "html"] as const;

export interface ReportCommandOptions {
  data: string;
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
    .requiredOption("--data <dir>", "the file store directory")
    .requiredOption("--repo <owner/repo>", "repository name in the store (scan stores local/<dir name> by default)")
    .addOption(new Option("-f, --format <format>", "report format").choices([...STORED_REPORT_FORMATS]).default("html"))
    .option("-o, --out <file>", "write the report to a file instead of stdout")
    .action(async (options: ReportCommandOptions) => {
      await runReport(options, deps);
    });
}

export async function runReport(options: ReportCommandOptions, deps: ReportCommandDeps): Promise<void> {
  const { io } = deps;
  const ref = parseRepoOption(options.repo);
  const root = path.resolve(io.cwd, options.data);
  if (!(await fs.stat(root).catch(() => null))) throw new UsageError(`--data: directory not found: ${options.data}`);
  const clock = deps.clock ?? (() => new Date());
  const store = new FileStore({ root, clock });
  const system = await store.getSystemHealth(ref);
  if (!system) throw new UsageError(`no stored assessment for ${ref.owner}/${ref.repo} in ${options.data} (stored: ${(await store.listRepos()).map((r) => `${r.owner}/${r.repo}`).join(", ") || "none"})`);
  const assessment: Assessment = {
    system,
    components: await store.listComponentHealth(ref),
    issues: await store.getIssues(ref),
    dependencies: await store.getDependencies(ref),
    alerts: [],
    warnings: [],
  };
  const history = (await store.getHealthHistory(ref)).filter((h) => h.timestamp !== system.timestamp);
  for (const w of store.takeWarnings()) io.stderr(`store: ${w.file}: ${w.message}\n`);
  const text = renderReport(options.format as ReportFormat, assessment, { clock, history, subject: `${ref.owner}/${ref.repo}`, collapse: false });
  if (options.out) {
    await fs.writeFile(path.resolve(io.cwd, options.out), text, "utf8");
    if (io.stderrIsTTY) io.stderr(`Wrote the ${options.format} report of ${ref.owner}/${ref.repo} to ${options.out}\n`);
  } else {
    io.stdout(text);
  }
}
