import { z } from "zod";
import type { RuntimeMetricsStore } from "../act/runtime/metrics-store.js";
import type { RepoRef, Store } from "../store/types.js";
import type { JobQueue } from "../jobs/types.js";
import type { AppMetrics } from "../app/metrics.js";
import type { GitHubAccessChecker } from "./github-access.js";
import type { SessionCodec } from "./session.js";

export interface ServerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Body of `POST dependencies/update`: which dependencies to update; none named means every eligible one. */
export const UpdateRequestBody = z.strictObject({
  dependencies: z.array(z.string().min(1).max(214)).max(100).optional(),
  component: z.string().min(1).max(200).optional(),
  package_manager: z.string().min(1).max(50).optional(),
  /** Limit to one kind of update; "security" means only updates that fix an advisory. */
  update_type: z.enum(["major", "minor", "patch", "digest", "security"]).optional(),
});
export type UpdateRequestBody = z.infer<typeof UpdateRequestBody>;

/** Identifies queued work; the injected callbacks may return it or a bare id. */
export type JobRef = string | { job_id: string };

export interface ServerDeps {
  store: Store;
  /** Runtime samples (push and poll); without it the metrics endpoint answers 503. */
  runtime?: RuntimeMetricsStore;
  /** Queue a scan of the repository; returns the job id. */
  enqueueScan(owner: string, repo: string): Promise<JobRef>;
  /** Ask for an update PR; returns the job id. */
  requestUpdate(owner: string, repo: string, body: UpdateRequestBody): Promise<JobRef>;
  /** GitHub permission checks (default: from env GHE_HOST/GHE_PROTOCOL, 60 s cache). */
  access?: GitHubAccessChecker;
  /** Cookie codec (default: from env COWABUNGA_SESSION_SECRET). */
  sessions?: SessionCodec;
  /**
   * Whether the app is installed on the repository (metrics ingest refuses others). Asked only after
   * the store showed the repository was scanned; default: that alone.
   */
  isInstalled?(repo: RepoRef): Promise<boolean>;
  /** Environment for COWABUNGA_INGEST_TOKEN, COWABUNGA_INGEST_EXTRA_COMPONENTS, GITHUB_CLIENT_ID/SECRET, COWABUNGA_PUBLIC_URL (default process.env). */
  env?: Record<string, string | undefined>;
  clock?: () => Date;
  logger?: ServerLogger;
  /** Used for the OAuth code exchange (default global fetch). */
  fetch?: typeof fetch;
  /** Version shown in responses. */
  version?: string;
  /** The job queue, for `GET /api/v1/jobs`, the dashboard's jobs view and `/readyz`. */
  jobs?: JobQueue;
  /** Prometheus metrics served on `/metrics`. */
  metrics?: AppMetrics;
}
