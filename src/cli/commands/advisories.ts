import path from "node:path";
import { Command } from "commander";
import type { EnqueueOptions, EnqueueResult, Job } from "../../jobs/types.js";
import { UsageError, type CliIO } from "../io.js";

export interface AdvisoriesCommandDeps {
  io: CliIO;
  env?: Record<string, string | undefined>;
  clock?: () => Date;
  /** The cluster's job queue (tests inject one); default: pg-boss on DATABASE_URL when it is set. */
  queue?: { enqueue(job: Job, opts?: EnqueueOptions): Promise<EnqueueResult>; stop(): Promise<void> };
}

/**
 * `cowabunga advisories refresh [--osv-db PATH | --online [MODE]]`: after the OSV mirror was refreshed (or,
 * online, from what OSV changed since the last refresh), find the new, changed and withdrawn advisories
 * and re-assess, from the stored dependencies and without any GitHub read, only the repositories the
 * reverse index says use an affected package.
 */
export function advisoriesCommand(deps: AdvisoriesCommandDeps): Command {
  const env = deps.env ?? process.env;
  const cmd = new Command("advisories").description("advisory events: re-assess the repositories a changed OSV mirror affects");
  cmd
    .command("refresh")
    .description("detect a changed OSV mirror (by checksum), diff its advisories, re-assess the affected repositories from the store")
    .option("--osv-db <path>", "OSV mirror: a directory of OSV JSON records or all.zip (default: env COWABUNGA_OSV_DB)")
    .option(
      "--online [mode]",
      "ask OSV what changed instead of reading a mirror: modified-since (OSV's modified_id.csv export, the default) or querybatch (the API, for every indexed package); default without --osv-db: env COWABUNGA_ADVISORY_ONLINE",
    )
    .option("--since <time>", "online, modified-since: read the export from this RFC 3339 time instead of the last refresh's point")
    .option("--base-url <url>", "online: the export's base URL (modified-since; default env COWABUNGA_OSV_EXPORT_URL or OSV's bucket) or the API's (querybatch; default env COWABUNGA_REGISTRY_OSV or api.osv.dev)")
    .option("--max-records <n>", "online: changed records fetched at most (default env COWABUNGA_ADVISORY_ONLINE_MAX_RECORDS or 2000); the rest is left for the next refresh")
    .option("--data-dir <dir>", "file store directory (default: env COWABUNGA_DATA_DIR or ./data)")
    .option("--database-url <url>", "PostgreSQL store (default: env DATABASE_URL)")
    .option(
      "--state <file>",
      "where the last refresh's advisory fingerprints are kept (default: with DATABASE_URL the app's, COWABUNGA_ADVISORY_STATE or <data dir>/advisory-state.json; else <data dir>/advisory-state.cli.json)",
    )
    .option("--json", "print the result as JSON")
    .action(async (options: { osvDb?: string; online?: string | boolean; since?: string; baseUrl?: string; maxRecords?: string; dataDir?: string; databaseUrl?: string; state?: string; json?: boolean }) => {
      if (options.osvDb && options.online !== undefined) throw new UsageError("--osv-db and --online exclude each other");
      const { onlineRefreshFromEnv } = await import("../../app/advisory-jobs.js");
      // --osv-db, else --online, else a configured mirror, else a configured online refresh.
      const onlineMode = typeof options.online === "string" ? options.online : options.online === true ? (env.COWABUNGA_ADVISORY_ONLINE?.trim() || "modified-since") : null;
      const envOnline = !options.osvDb && !env.COWABUNGA_OSV_DB?.trim() ? onlineRefreshFromEnv(env) : null;
      const online =
        onlineMode !== null || envOnline
          ? onlineRefreshFromEnv({ ...env, COWABUNGA_ADVISORY_ONLINE: onlineMode ?? env.COWABUNGA_ADVISORY_ONLINE, ...(options.maxRecords ? { COWABUNGA_ADVISORY_ONLINE_MAX_RECORDS: options.maxRecords } : {}) })
          : null;
      if (online) {
        const bad = online.maxRecords === 0 || online.warnings.some((w) => w.startsWith("COWABUNGA_ADVISORY_ONLINE_MAX_RECORDS"));
        if (bad) throw new UsageError(online.maxRecords === 0 ? `--online: "${onlineMode}" is not modified-since or querybatch` : `--max-records: "${options.maxRecords}" is not a whole number from 1 to 1000000`);
      }
      if ((options.since || options.baseUrl || options.maxRecords) && !online) throw new UsageError("--since, --base-url and --max-records apply to an online refresh (--online)");
      const mirrorArg = online ? null : options.osvDb ?? env.COWABUNGA_OSV_DB?.trim();
      if (!online && !mirrorArg) throw new UsageError("no OSV mirror: pass --osv-db or set COWABUNGA_OSV_DB, or refresh online (--online, or COWABUNGA_ADVISORY_ONLINE)");
      const mirror = mirrorArg ? path.resolve(deps.io.cwd, mirrorArg) : null;
      const dataDir = path.resolve(deps.io.cwd, options.dataDir ?? (env.COWABUNGA_DATA_DIR?.trim() || "./data"));
      const { openStore } = await import("../../store/factory.js");
      const { refreshAdvisories } = await import("../../advisories/refresh.js");
      const { refreshAdvisoriesOnline } = await import("../../advisories/online.js");
      const store = await openStore({ databaseUrl: options.databaseUrl ?? env.DATABASE_URL ?? null, dataDir, clock: deps.clock });
      // In a cluster (PostgreSQL), the refresh queues one `reassess` job per affected repository, which
      // the workers act on (issues, PRs, alerts), and shares the app's state file: the app's own tick then
      // has nothing left to do. Without one there is no queue to reach: the CLI only updates the stored
      // dependencies, and keeps its own state file so the app's tick still sees the change and acts on it.
      const clusterUrl = options.databaseUrl ?? env.DATABASE_URL?.trim();
      let queue = deps.queue ?? null;
      if (!queue && clusterUrl) {
        const { PgBossJobQueue } = await import("../../jobs/pg-boss.js");
        const { pgQueueOptionsFromEnv } = await import("../../app/cluster.js");
        const q = new PgBossJobQueue({ ...pgQueueOptionsFromEnv({ ...env, DATABASE_URL: clusterUrl }), reapIntervalMs: 0 });
        await q.start();
        queue = q;
      }
      const { advisoryStatePath, reassessJob } = await import("../../app/advisory-jobs.js");
      const statePath = options.state
        ? path.resolve(deps.io.cwd, options.state)
        : queue
          ? advisoryStatePath({ ...env, COWABUNGA_DATA_DIR: dataDir }, deps.io.cwd)
          : path.join(dataDir, "advisory-state.cli.json");
      try {
        const enqueue = queue
          ? {
              enqueue: async (r: { repo: { owner: string; repo: string } }, ctx: { checksum: string; withdrawn: string[] }) => {
                const req = reassessJob(r.repo, ctx.checksum, ctx.withdrawn);
                await queue.enqueue(req.job, req.opts);
              },
            }
          : {};
        let remaining = 0;
        let result;
        if (online) {
          // Stand-alone, the affected repositories' dependencies are re-assessed with the OSV API itself.
          const { OsvOnlineSource } = await import("../../enrich/advisories/index.js");
          const api = env.COWABUNGA_REGISTRY_OSV?.trim();
          const r = await refreshAdvisoriesOnline({
            store,
            statePath,
            clock: deps.clock,
            mode: online.mode,
            baseUrl: options.baseUrl ?? online.baseUrl,
            maxRecords: online.maxRecords,
            ...(options.since ? { since: options.since } : {}),
            ...(queue ? {} : { fullSource: new OsvOnlineSource(api ? { baseUrl: api, dispatcher: null } : {}) }),
            ...enqueue,
          });
          remaining = r.remaining;
          result = r;
        } else {
          result = await refreshAdvisories({ store, mirror: mirror!, statePath, clock: deps.clock, ...enqueue });
        }
        if (options.json) {
          deps.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        for (const w of result.warnings.slice(0, 20)) deps.io.stderr(`warning: ${w}\n`);
        const left = remaining > 0 ? `${remaining} changed records left for the next refresh (run it again)\n` : "";
        if (result.status === "unchanged") {
          deps.io.stdout(online ? `no OSV advisory of the indexed packages changed since the last refresh\n${left}` : `OSV mirror unchanged (${result.checksum}): nothing to re-assess\n`);
          return;
        }
        if (result.status === "first-run") {
          deps.io.stdout(
            online
              ? `recorded the online baseline (${online.mode}); the next refresh re-assesses what changes at OSV after it\n${left}`
              : `recorded the OSV mirror baseline (${result.checksum}); the next refresh re-assesses what changes after it\n`,
          );
          return;
        }
        const count = (k: string) => result.changes.filter((c) => c.kind === k).length;
        deps.io.stdout(
          `advisories: ${count("new")} new, ${count("changed")} changed, ${count("withdrawn")} withdrawn; ` +
            `${result.candidates} repositories use an affected package, ${result.reassessed.length} ${queue ? "queued for re-assessment" : "re-assessed"}\n`,
        );
        for (const r of result.reassessed) {
          const parts = [r.added.length > 0 ? `now affected by ${r.added.join(", ")}` : "", r.removed.length > 0 ? `no longer by ${r.removed.join(", ")}` : ""].filter(Boolean);
          deps.io.stdout(`  ${r.repo.owner}/${r.repo.repo}: ${parts.join("; ")}\n`);
        }
        if (left) deps.io.stdout(left);
      } finally {
        if (queue && !deps.queue) await queue.stop();
        await store.close();
      }
    });
  return cmd;
}
