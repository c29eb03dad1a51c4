import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { scanCommand } from "./commands/scan.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, processIO, type CliIO } from "./io.js";
import type { Manager } from "../scan/types.js";

export interface ProgramDeps {
  io?: CliIO;
  managers?: readonly Manager[];
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}

/** The `cowabunga` command tree. Each subcommand lives in ./commands/<name>.ts. */
export function buildProgram(deps: ProgramDeps = {}): Command {
  const io = deps.io ?? processIO();
  const program = new Command("cowabunga")
    .description("Cowabunga Maintainer: scan a repository's manifests, find outdated and vulnerable dependencies")
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const sub = scanCommand({ io, managers: deps.managers });
  sub.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError("(run with --help for usage)").exitOverride();
  program.addCommand(sub);
  return program;
}

/** Run the CLI with full argv (node, script, ...args); resolves to the exit code, never throws. */
export async function runCli(argv: readonly string[], deps: ProgramDeps = {}): Promise<number> {
  const io = deps.io ?? processIO();
  const program = buildProgram({ ...deps, io });
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version "errors" are successes; everything else commander rejects is a usage error.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT_OK;
      if (err.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      io.stderr(`cowabunga: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`cowabunga: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
