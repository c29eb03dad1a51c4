import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { advisoriesCommand } from "./commands/advisories.js";
import { migrateCommand } from "./commands/migrate.js";
import { reportCommand } from "./commands/report.js";
import { scanCommand } from "./commands/scan.js";
import { enqueueCommand, type EnqueueCommandDeps } from "./commands/enqueue.js";
import { serveCommand, workerCommand } from "./commands/processes.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, processIO, type CliIO } from "./io.js";
import type { Clock } from "../assess/types.js";
import type { AdvisorySource } from "../enrich/advisories/index.js";
import type { Datasources } from "../enrich/datasources/index.js";
import type { HttpClient } from "../enrich/http.js";
import type { Manager } from "../scan/types.js";

export interface ProgramDeps {
  io?: CliIO;
  managers?: readonly Manager[];
  /** Injected by tests: the pipeline's HttpClient, datasources, advisory source and clock. */
  http?: HttpClient;
  datasources?: Partial<Datasources>;
  advisories?: AdvisorySource | null;
  clock?: Clock;
  /** Environment (GITHUB_TOKEN, GITHUB_API_URL for `scan github:`; DATABASE_URL for `migrate` and `enqueue`); default process.env. */
  env?: Record<string, string | undefined>;
  /** Injected by tests: the cluster queue of `enqueue` and `advisories refresh`. */
  enqueueQueue?: EnqueueCommandDeps["queue"];
  /** Set by commands that end with a non-zero code without an error (scan --fail-on). */
  exit?: { code: number };
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
  const exit = deps.exit ?? { code: EXIT_OK };
  const subs = [
    scanCommand({ io, managers: deps.managers, http: deps.http, datasources: deps.datasources, advisories: deps.advisories, clock: deps.clock, exit, env: deps.env }),
    reportCommand({ io, clock: deps.clock }),
    migrateCommand({ io, env: deps.env }),
    advisoriesCommand({ io, env: deps.env, clock: deps.clock, ...(deps.enqueueQueue ? { queue: deps.enqueueQueue } : {}) }),
    serveCommand({ io }),
    workerCommand({ io }),
    enqueueCommand({ io, ...(deps.enqueueQueue ? { queue: deps.enqueueQueue } : {}), ...(deps.env ? { env: deps.env } : {}) }),
  ];
  for (const sub of subs) {
    sub.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError("(run with --help for usage)").exitOverride();
    program.addCommand(sub);
  }
  return program;
}

/** Run the CLI with full argv (node, script, ...args); resolves to the exit code, never throws. */
export async function runCli(argv: readonly string[], deps: ProgramDeps = {}): Promise<number> {
  const io = deps.io ?? processIO();
  const exit = { code: EXIT_OK };
  const program = buildProgram({ ...deps, io, exit });
  try {
    await program.parseAsync([...argv]);
    return exit.code;
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
