import { promises as fs } from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import cliProgress from "cli-progress";
import { scanRepository, type ScanProgress } from "../../scan/index.js";
import { LocalSource } from "../../source/local.js";
import { loadCliConfig } from "../config.js";
import { SCAN_FORMATS, type ScanFormat } from "../format/index.js";
import { UsageError, type CliIO } from "../io.js";
import type { Manager } from "../../scan/types.js";

export interface ScanCommandOptions {
  format: ScanFormat;
  out?: string;
  config?: string;
}

export interface ScanCommandDeps {
  io: CliIO;
  /** Injected by tests; default ALL_MANAGERS. */
  managers?: readonly Manager[];
}

/** `cowabunga scan [dir]`: scan a local directory and print its components and dependencies. */
export function scanCommand(deps: ScanCommandDeps): Command {
  return new Command("scan")
    .description("scan a local repository's manifests and list its components and dependencies")
    .argument("[dir]", "repository directory", ".")
    .addOption(new Option("-f, --format <format>", "output format").choices(Object.keys(SCAN_FORMATS)).default("table"))
    .option("-o, --out <file>", "write the output to a file instead of stdout")
    .option("-c, --config <file>", "config file (default: <dir>/.github/cowabunga.yml when present)")
    .action(async (dir: string, options: ScanCommandOptions) => {
      await runScan(dir, options, deps);
    });
}

export async function runScan(dir: string, options: ScanCommandOptions, deps: ScanCommandDeps): Promise<void> {
  const { io } = deps;
  const root = path.resolve(io.cwd, dir);
  const stat = await fs.stat(root).catch(() => null);
  if (!stat) throw new UsageError(`directory not found: ${dir}`);
  if (!stat.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const configFile = options.config ? path.resolve(io.cwd, options.config) : path.join(root, ".github", "cowabunga.yml");
  const config = await loadCliConfig(configFile, Boolean(options.config));

  const bar = io.stderrIsTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: "{phase} [{bar}] {value}/{total}", clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  const onProgress = (p: ScanProgress): void => {
    if (!bar) return;
    if (!started) {
      bar.start(Math.max(p.total, 1), p.done, { phase: p.phase });
      started = true;
    }
    bar.setTotal(Math.max(p.total, 1));
    bar.update(p.done, { phase: p.phase });
  };

  const source = new LocalSource(root);
  let result;
  try {
    result = await scanRepository(source, {
      managers: deps.managers,
      config,
      repoName: path.basename(root),
      onProgress,
    });
  } finally {
    if (started) bar?.stop();
  }

  const text = SCAN_FORMATS[options.format](result);
  if (options.out) {
    const outFile = path.resolve(io.cwd, options.out);
    await fs.writeFile(outFile, text, "utf8");
    if (io.stderrIsTTY) {
      io.stderr(`Wrote ${result.dependencies.length} dependencies of ${result.components.length} components to ${options.out}\n`);
    }
  } else {
    io.stdout(text);
  }
  if (io.stderrIsTTY && options.format !== "table" && result.warnings.length) {
    io.stderr(`${result.warnings.length} warnings (listed in the JSON output and the table format)\n`);
  }
}
