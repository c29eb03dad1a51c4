/**
 * Cowabunga as a GitHub Action: `npx tsx src/action.ts` in a workflow run on `schedule` (or
 * `workflow_dispatch` / `repository_dispatch`). Probot's GitHub Actions adapter builds a Probot on
 * GITHUB_TOKEN and feeds it the workflow's event; this app scans the workflow's repository once,
 * awaiting the scan (there is no queue to outlive the process). See docs/github-action.md.
 */
import { pathToFileURL } from "node:url";
import { run } from "@probot/adapter-github-actions";
import type { GitHubOctokit } from "./act/github/client.js";
import { runGitHubScan, type PipelineStages, type ScanRunResult } from "./pipeline/github.js";
import { dataDirFromEnv, openStore } from "./store/index.js";
import type { Store } from "./store/types.js";

/** Events that start a scan in Action mode. */
export const ACTION_EVENTS = ["schedule", "workflow_dispatch", "repository_dispatch", "push"] as const;

interface ActionContextLike {
  name: string;
  id: string;
  octokit: unknown;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  payload: { repository?: { name: string; owner: { login: string }; default_branch?: string } };
}

export interface ActionDeps {
  store?: Store;
  stages?: PipelineStages;
  env?: NodeJS.ProcessEnv;
  onScan?: (r: ScanRunResult) => void;
}

/** The repository the workflow runs in: the payload's, else GITHUB_REPOSITORY (schedule payloads have none). */
export function actionRepo(payload: ActionContextLike["payload"], env: NodeJS.ProcessEnv): { owner: string; repo: string } | null {
  if (payload.repository) return { owner: payload.repository.owner.login, repo: payload.repository.name };
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  return owner && repo ? { owner, repo } : null;
}

/** The app function handed to the adapter (typed loosely: the adapter ships its own Probot 13). */
export function createActionApp(deps: ActionDeps = {}): (app: { onAny(fn: (context: ActionContextLike) => Promise<void>): void }) => void {
  const env = deps.env ?? process.env;
  return (app) => {
    app.onAny(async (context) => {
      if (!(ACTION_EVENTS as readonly string[]).includes(context.name)) return;
      const ref = actionRepo(context.payload, env);
      if (!ref) {
        context.log.error({}, "cannot tell which repository to scan: no repository in the payload and GITHUB_REPOSITORY unset");
        return;
      }
      // DATABASE_URL: the workflow writes into the cluster's PostgreSQL store; else files (COWABUNGA_DATA_DIR).
      const opened = deps.store ? null : await openStore({ databaseUrl: env.DATABASE_URL, dataDir: dataDirFromEnv(env) });
      const store = deps.store ?? opened!;
      let result: ScanRunResult;
      try {
        result = await runGitHubScan({
          octokit: context.octokit as GitHubOctokit,
          ...ref,
          store,
          log: context.log,
          trigger: { event: context.name, deliveryId: context.id, ...(context.payload.repository?.default_branch ? { defaultBranch: context.payload.repository.default_branch } : {}), force: env.COWABUNGA_FORCE === "true" },
          ...(deps.stages ? { stages: deps.stages } : {}),
          publicUrl: env.COWABUNGA_PUBLIC_URL ?? null,
        });
      } finally {
        await opened?.close();
      }
      deps.onScan?.(result);
      if (result.outcome === "failed") process.exitCode = 1;
    });
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(createActionApp() as never);
}
