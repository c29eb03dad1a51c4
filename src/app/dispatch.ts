/**
 * Webhook → job (issue 11, item 2): what a delivery asks for, as serialisable jobs. Pure functions of
 * the event name, payload and delivery id, so a webhook request does nothing but verify, call these,
 * enqueue and answer. The job handlers (./job-runner.ts) run the pipeline later, in a worker.
 */
import { issueIdFromBody, isAppIssueBody } from "../act/github/markers.js";
import { parseCommand } from "../act/github/commands.js";
import { parsePrMarker } from "../act/github/pulls.js";
import type { ScanTrigger } from "../pipeline/github.js";
import type { Manager } from "../scan/types.js";
import type { EnqueueOptions, Job } from "../jobs/types.js";
import { defaultBranchFailure, routeOfPrEvent } from "./pr-routes.js";
import { decidePush, type PushPayloadLike } from "./push.js";

/** repository_dispatch event_type that asks for a scan. */
export const DISPATCH_EVENT_TYPE = "cowabunga-scan";

export interface JobRequest {
  job: Job;
  opts: EnqueueOptions;
}

/** What became of a delivery: jobs to queue, or why none. */
export interface Dispatch {
  jobs: JobRequest[];
  /** Set when no job is queued: why (logged and counted). */
  ignored?: string;
}

interface RepoPayload {
  repository?: { name: string; full_name?: string; owner: { login?: string | null; name?: string | null }; default_branch?: string };
  installation?: { id: number };
  sender?: { login: string; type?: string };
}

function repoOf(payload: RepoPayload): string | null {
  const r = payload.repository;
  const owner = r?.owner.login ?? r?.owner.name;
  return r && owner ? `${owner}/${r.name}` : null;
}

function isBot(sender: RepoPayload["sender"]): boolean {
  return !!sender && (sender.type === "Bot" || sender.login.endsWith("[bot]"));
}

function installationOf(payload: RepoPayload): number | null {
  const id = payload.installation?.id;
  return typeof id === "number" && Number.isInteger(id) && id > 0 ? id : null;
}

/** A scan job: waiting scans of a repository coalesce (forced rescans apart from normal ones). */
export function scanJob(repo: string, installationId: number | null, trigger: ScanTrigger, source?: string | null): JobRequest {
  return {
    job: { kind: "scan", repo, installation_id: installationId, payload: { trigger: trigger as unknown as Record<string, unknown> }, source: source ?? trigger.deliveryId ?? null },
    opts: { coalesceKey: trigger.force ? "rescan" : "scan", ...(trigger.deliveryId ? { idempotencyKey: `${trigger.deliveryId}:${repo.toLowerCase()}` } : {}) },
  };
}

function repoJob(kind: Job["kind"], repo: string, installationId: number | null, payload: Record<string, unknown>, deliveryId: string | undefined): JobRequest {
  return {
    job: { kind, repo, installation_id: installationId, payload, source: deliveryId ?? null },
    opts: deliveryId ? { idempotencyKey: `${deliveryId}:${repo.toLowerCase()}` } : {},
  };
}

/** The parts of a CI or pull_request payload the handlers read; the rest (often 20–60 KB) is not queued. */
export function trimCiPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["action", "number", "sha", "state", "context", "target_url", "pull_request", "check_suite", "check_run", "workflow_run", "branches"]) if (k in payload) out[k] = payload[k];
  const repo = payload.repository as RepoPayload["repository"] | undefined;
  if (repo) out.repository = { name: repo.name, full_name: repo.full_name, owner: { login: repo.owner.login ?? repo.owner.name }, default_branch: repo.default_branch };
  const sender = payload.sender as RepoPayload["sender"] | undefined;
  if (sender) out.sender = { login: sender.login, type: sender.type };
  return out;
}

const PR_EVENTS = new Set(["pull_request", "check_suite", "check_run", "workflow_run", "status"]);

/**
 * The jobs a delivery asks for. `name` is the event (`push`, `issues`...), `payload` its body, `deliveryId`
 * the X-GitHub-Delivery header (the idempotency key: a redelivery queues nothing new).
 */
export function dispatchEvent(name: string, rawPayload: unknown, deliveryId: string | undefined, opts: { managers: readonly Manager[] }): Dispatch {
  const payload = (rawPayload ?? {}) as RepoPayload & Record<string, unknown>;
  const action = typeof payload.action === "string" ? payload.action : undefined;
  const installationId = installationOf(payload);
  const repo = repoOf(payload);

  if ((name === "installation" && action === "created") || (name === "installation_repositories" && action === "added")) {
    const list = ((name === "installation" ? payload.repositories : payload.repositories_added) ?? []) as Array<{ full_name?: string; name?: string }>;
    const jobs = list.filter((r) => typeof r.full_name === "string" && r.full_name.includes("/")).map((r) => scanJob(r.full_name!, installationId, { event: name, ...(deliveryId ? { deliveryId } : {}) }));
    return jobs.length > 0 ? { jobs } : { jobs, ignored: "no repositories in the installation event" };
  }

  if (name === "push") {
    if (!repo) return { jobs: [], ignored: "push without a repository" };
    const push = payload as unknown as PushPayloadLike;
    const decision = decidePush(push, opts.managers);
    if (!decision.scan) return { jobs: [], ignored: `push skipped: ${decision.reason}` };
    return {
      jobs: [
        scanJob(repo, installationId, {
          event: "push",
          ...(deliveryId ? { deliveryId } : {}),
          defaultBranch: push.repository.default_branch,
          headSha: push.after,
          ...(push.head_commit?.tree_id ? { treeSha: push.head_commit.tree_id } : {}),
          before: push.before,
        }),
      ],
    };
  }

  if (name === "repository_dispatch") {
    if (action !== DISPATCH_EVENT_TYPE || !repo) return { jobs: [], ignored: `repository_dispatch ${action ?? ""} is not ${DISPATCH_EVENT_TYPE}` };
    const force = (payload.client_payload as { force?: unknown } | null | undefined)?.force === true;
    return { jobs: [scanJob(repo, installationId, { event: "repository_dispatch", ...(deliveryId ? { deliveryId } : {}), defaultBranch: payload.repository?.default_branch, force })] };
  }

  if (name === "issues" && (action === "closed" || action === "reopened")) {
    const issue = payload.issue as { number: number; body?: string | null } | undefined;
    if (isBot(payload.sender)) return { jobs: [], ignored: "issue changed by a bot" };
    const id = issueIdFromBody(issue?.body);
    if (!id || !repo || !issue) return { jobs: [], ignored: "not an app issue" };
    return { jobs: [repoJob("issue_state", repo, installationId, { action, issue_id: id, issue_number: issue.number, actor: payload.sender?.login ?? "unknown" }, deliveryId)] };
  }

  if (name === "issue_comment" && action === "created") {
    const issue = payload.issue as { number: number; body?: string | null; pull_request?: unknown } | undefined;
    const comment = payload.comment as { body?: string; user?: { login: string; type?: string } } | undefined;
    if (!issue || !comment?.user || typeof comment.body !== "string") return { jobs: [], ignored: "malformed issue_comment" };
    if (isBot(comment.user) || isBot(payload.sender)) return { jobs: [], ignored: "comment by a bot" };
    // Commands work on the app's issues, and `/cowabunga rebase` on its update PRs too.
    const onUpdatePr = !!issue.pull_request && parsePrMarker(issue.body) !== null;
    if (!parseCommand(comment.body) || !(isAppIssueBody(issue.body) || onUpdatePr)) return { jobs: [], ignored: "not a command on an app issue or update PR" };
    if (!repo) return { jobs: [], ignored: "comment without a repository" };
    return {
      jobs: [
        repoJob(
          "command",
          repo,
          installationId,
          { issue_number: issue.number, issue_id: issueIdFromBody(issue.body), on_update_pr: onUpdatePr, comment: comment.body.slice(0, 10_000), user: comment.user.login, delivery_id: deliveryId ?? null },
          deliveryId,
        ),
      ],
    };
  }

  if (PR_EVENTS.has(name)) {
    if (!repo) return { jobs: [], ignored: `${name} without a repository` };
    if (!routeOfPrEvent(name, action)) return { jobs: [], ignored: `${name}${action ? `.${action}` : ""} is not handled` };
    const kind = defaultBranchFailure(name, payload as Parameters<typeof defaultBranchFailure>[1]) ? "revert" : "ci_result";
    return { jobs: [repoJob(kind, repo, installationId, { event: name, payload: trimCiPayload(payload) }, deliveryId)] };
  }

  return { jobs: [], ignored: `${name}${action ? `.${action}` : ""} needs no work` };
}
