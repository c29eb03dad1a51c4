/**
 * `cowabunga enqueue --installation ID | --org ORG | --all [--force]` (issue 11, item 10): queue scans of
 * an installation's repositories in the cluster (the PostgreSQL queue of DATABASE_URL), with the app's
 * credentials (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH), through @octokit/rest. Waiting scans of a
 * repository coalesce, so running it twice queues nothing new.
 */
import { createSign } from "node:crypto";
import { readFileSync } from "node:fs";
import { Command } from "commander";
import type { Octokit } from "@octokit/rest";
import type { EnqueueResult, Job, EnqueueOptions } from "../../jobs/types.js";
import { UsageError, type CliIO } from "../io.js";

export interface EnqueueCommandDeps {
  io: CliIO;
  env?: Record<string, string | undefined>;
  /** Tests inject the queue; default: the PostgreSQL queue of DATABASE_URL. */
  queue?: { enqueue(job: Job, opts?: EnqueueOptions): Promise<EnqueueResult>; stop(): Promise<void> };
  clock?: () => Date;
}

export interface EnqueueOptionsCli {
  installation?: string;
  org?: string;
  all?: boolean;
  force?: boolean;
  githubApiUrl?: string;
}

/** A GitHub App JWT (RS256), valid 9 minutes from 30 s ago (GitHub allows 10, and clocks drift). */
export function appJwt(appId: string, privateKey: string, now: Date): string {
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString("base64url");
  const iat = Math.floor(now.getTime() / 1000) - 30;
  const unsigned = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat, exp: iat + 540, iss: appId })}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(privateKey).toString("base64url");
  return `${unsigned}.${signature}`;
}

/** The REST base URL: --github-api-url, else GHE_HOST/GHE_PROTOCOL (as Probot reads them), else api.github.com. */
export function githubApiBase(option: string | undefined, env: Record<string, string | undefined>): string {
  if (option) {
    let url: URL;
    try {
      url = new URL(option);
    } catch {
      throw new UsageError(`--github-api-url ${JSON.stringify(option.slice(0, 200))} is not a URL`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError("--github-api-url must be an http(s) URL");
    return option.replace(/\/+$/, "");
  }
  if (env.GHE_HOST?.trim()) return `${env.GHE_PROTOCOL?.trim() || "https"}://${env.GHE_HOST.trim()}/api/v3`;
  return "https://api.github.com";
}

function privateKeyFrom(env: Record<string, string | undefined>): string {
  if (env.PRIVATE_KEY?.trim()) return env.PRIVATE_KEY.replace(/\\n/g, "\n");
  if (env.PRIVATE_KEY_PATH?.trim()) {
    try {
      return readFileSync(env.PRIVATE_KEY_PATH.trim(), "utf8");
    } catch (err) {
      throw new UsageError(`PRIVATE_KEY_PATH ${env.PRIVATE_KEY_PATH}: ${(err as Error).message}`);
    }
  }
  throw new UsageError("the app's private key is missing: set PRIVATE_KEY or PRIVATE_KEY_PATH (and APP_ID)");
}

export function enqueueCommand(deps: EnqueueCommandDeps): Command {
  return new Command("enqueue")
    .description("queue scans of an installation's repositories in the cluster (DATABASE_URL), with the app's credentials (APP_ID, PRIVATE_KEY)")
    .option("--installation <id>", "the installation whose repositories to scan")
    .option("--org <login>", "the organisation (or user) whose installation to scan")
    .option("--all", "every installation of the app")
    .option("--force", "scan even when a repository's tree is unchanged since its last scan")
    .option("--github-api-url <url>", "GitHub Enterprise Server REST base, e.g. https://ghe.example.com/api/v3 (default: GHE_HOST, else api.github.com)")
    .action(async (options: EnqueueOptionsCli) => {
      await runEnqueue(options, deps);
    });
}

interface Installation {
  id: number;
  account: { login?: string } | null;
  suspended_at?: string | null;
}

export async function runEnqueue(options: EnqueueOptionsCli, deps: EnqueueCommandDeps): Promise<{ queued: number; coalesced: number; skipped: number }> {
  const env = deps.env ?? process.env;
  const chosen = [options.installation !== undefined, options.org !== undefined, options.all === true].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError("give exactly one of --installation ID, --org ORG or --all");
  if (options.installation !== undefined && !/^[1-9]\d{0,15}$/.test(options.installation)) throw new UsageError(`--installation ${JSON.stringify(options.installation)}: expected a numeric installation id`);
  if (options.org !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(options.org)) throw new UsageError(`--org ${JSON.stringify(options.org)}: not a GitHub login`);
  const appId = env.APP_ID?.trim();
  if (!appId || !/^\d+$/.test(appId)) throw new UsageError("APP_ID is not set (the GitHub App's numeric id)");
  const privateKey = privateKeyFrom(env);
  const baseUrl = githubApiBase(options.githubApiUrl, env);
  const clock = deps.clock ?? (() => new Date());
  const { Octokit } = await import("@octokit/rest");
  const asApp: Octokit = new Octokit({ auth: appJwt(appId, privateKey, clock()), baseUrl, userAgent: "cowabunga-maintainer enqueue" });

  let installations: Installation[];
  if (options.installation !== undefined) {
    installations = [{ id: Number(options.installation), account: null }];
  } else {
    const all = (await asApp.paginate("GET /app/installations", { per_page: 100 })) as Installation[];
    installations = options.org ? all.filter((i) => i.account?.login?.toLowerCase() === options.org!.toLowerCase()) : all;
    if (options.org && installations.length === 0) throw new UsageError(`the app is not installed on ${options.org}`);
  }

  let queue = deps.queue;
  if (!queue) {
    if (!env.DATABASE_URL?.trim()) throw new UsageError("DATABASE_URL is not set: enqueue puts jobs in the cluster's PostgreSQL queue");
    const { PgBossJobQueue } = await import("../../jobs/pg-boss.js");
    const { pgQueueOptionsFromEnv } = await import("../../app/cluster.js");
    const q = new PgBossJobQueue({ ...pgQueueOptionsFromEnv(env), reapIntervalMs: 0 });
    await q.start();
    queue = q;
  }
  const { scanJob } = await import("../../app/dispatch.js");
  const totals = { queued: 0, coalesced: 0, skipped: 0 };
  try {
    for (const inst of installations) {
      if (inst.suspended_at) {
        deps.io.stderr(`installation ${inst.id} (${inst.account?.login ?? "?"}) is suspended; skipped\n`);
        continue;
      }
      const { data: token } = await asApp.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: inst.id });
      const asInstallation: Octokit = new Octokit({ auth: token.token, baseUrl, userAgent: "cowabunga-maintainer enqueue" });
      const repos = (await asInstallation.paginate("GET /installation/repositories", { per_page: 100 })) as unknown as Array<{ full_name: string; archived?: boolean }>;
      let queued = 0;
      let coalesced = 0;
      for (const r of repos) {
        if (r.archived) {
          totals.skipped++;
          continue;
        }
        const req = scanJob(r.full_name, inst.id, { event: "enqueue", ...(options.force ? { force: true } : {}) }, "cowabunga enqueue");
        const result = await queue.enqueue(req.job, req.opts);
        if (result.status === "queued") queued++;
        else coalesced++;
      }
      totals.queued += queued;
      totals.coalesced += coalesced;
      deps.io.stdout(`installation ${inst.id}${inst.account?.login ? ` (${inst.account.login})` : ""}: ${queued} scan(s) queued, ${coalesced} already waiting, of ${repos.length} repositories\n`);
    }
  } finally {
    if (!deps.queue) await queue.stop();
  }
  deps.io.stdout(`total: ${totals.queued} queued, ${totals.coalesced} already waiting, ${totals.skipped} archived skipped\n`);
  return totals;
}
