/**
 * `cowabunga serve` and `cowabunga worker` (issue 11, item 3). The work is in src/app/cluster.ts, imported
 * lazily so that `cowabunga scan` does not load Probot, pg-boss or prom-client.
 */
import { Command } from "commander";
import { UsageError, type CliIO } from "../io.js";

export interface ProcessCommandDeps {
  io: CliIO;
  env?: Record<string, string | undefined>;
}

async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as Error).name === "ConfigurationError") throw new UsageError((err as Error).message);
    throw err;
  }
}

export function serveCommand(deps: ProcessCommandDeps): Command {
  return new Command("serve")
    .description("serve webhooks, the REST API and the dashboard; jobs go to the PostgreSQL queue (DATABASE_URL) for `cowabunga worker` processes")
    .action(async () => {
      const { runServer } = await import("../../app/cluster.js");
      await asUsage(() => runServer("serve", deps.env ?? process.env));
      // Probot's server keeps the process alive; SIGTERM stops it.
      await new Promise<never>(() => undefined);
    });
}

export function workerCommand(deps: ProcessCommandDeps): Command {
  return new Command("worker")
    .description("run jobs (scans, update PRs, CI results, reverts, schedules) from the PostgreSQL queue (DATABASE_URL) with the app's credentials (APP_ID, PRIVATE_KEY)")
    .option("--port <port>", "port of /healthz, /readyz and /metrics (default WORKER_PORT or 3001; 0 picks a free one)")
    .action(async (options: { port?: string }) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new UsageError(`--port ${JSON.stringify(options.port)}: expected a port number from 0 to 65535`);
      const { runWorker } = await import("../../app/cluster.js");
      const worker = await asUsage(() => runWorker(deps.env ?? process.env, port !== undefined ? { port } : {}));
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          deps.io.stderr(`cowabunga worker: ${signal}, stopping (running jobs may finish)\n`);
          void worker.stop().finally(resolve);
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
      process.exit(0);
    });
}
