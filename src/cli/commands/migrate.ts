import { Command } from "commander";
import { UsageError, type CliIO } from "../io.js";

export interface MigrateCommandDeps {
  io: CliIO;
  /** For DATABASE_URL (default process.env). */
  env?: Record<string, string | undefined>;
}

/** A connection string shown without its password. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * `cowabunga migrate`: apply the PostgreSQL store's pending migrations (the Helm chart's migration Job;
 * `npm start`, `serve` and `worker` also migrate at start). Safe to run from several places at once.
 */
export function migrateCommand(deps: MigrateCommandDeps): Command {
  return new Command("migrate")
    .description("apply pending PostgreSQL store migrations (DATABASE_URL); concurrent runs wait for each other")
    .option("--database-url <url>", "PostgreSQL connection string (default: env DATABASE_URL)")
    .action(async (options: { databaseUrl?: string }) => {
      const url = (options.databaseUrl ?? (deps.env ?? process.env).DATABASE_URL ?? "").trim();
      if (!url) throw new UsageError("no database: pass --database-url or set DATABASE_URL");
      const { migrate } = await import("../../store/pg/index.js");
      const { applied } = await migrate(url);
      deps.io.stdout(
        applied.length === 0
          ? `${redactDatabaseUrl(url)}: up to date, nothing to apply\n`
          : `${redactDatabaseUrl(url)}: applied ${applied.length} migration(s): ${applied.join(", ")}\n`,
      );
    });
}
