/**
 * One scan of a GitHub repository, end to end: head → (unchanged? stop) → tree + batched blobs →
 * scan → enrich → assess → store → GitHub issues and dashboard. Never throws: failures are logged
 * with the request that failed and returned as outcome "failed".
 */
import { createHash } from "node:crypto";
import picomatch from "picomatch";
import type { Assessment, AssessInputs, Clock } from "../assess/types.js";
import { CONFIG_PATH, parseConfigYaml, type ConfigError, type ConfigLoadResult } from "../config/load.js";
import { defaultConfig, type CowabungaConfig } from "../config/schema.js";
import type { Dependency, MaintenanceIssue } from "../model/index.js";
import { assess } from "../assess/index.js";
import { sharedEnrichment } from "../app/enrichment.js";
import { runtimeInputs, type RuntimeMetricsStore } from "../act/runtime/metrics-store.js";
import { scanRepository } from "../scan/index.js";
import type { Manager, ScanResult } from "../scan/types.js";
import { GitHubSource } from "../source/github.js";
import type { RepoFile, RepoSource, SourceWarning } from "../source/types.js";
import type { RepoRef, ScanState, Store } from "../store/types.js";
import { baseUrlOf, countRequests, errorText, webHostOf, type AppLogger, type GitHubOctokit, type RequestCounts } from "../act/github/client.js";
import { CODEOWNERS_PATHS, pickCodeowners } from "../act/github/codeowners.js";
import { fetchAddedLines } from "../act/github/compare.js";
import { syncConfigIssue } from "../act/github/config-issue.js";
import { renderDashboard, syncDashboard } from "../act/github/dashboard.js";
import { storeAssessment } from "../store/assessment.js";
import { closeTwins, listAppIssues, syncIssues, type AppIssueIndex } from "../act/github/issues.js";
import { AssigneeChecker } from "../act/github/assignees.js";
import { BASE_LABEL, LabelManager } from "../act/github/labels.js";
import { markerJson } from "../act/github/pulls-git.js";
import { maintainOpenPullRequests, markerOf, openUpdatePullRequest, parsePrMarker, planUpdates, BRANCH_PREFIX, type OpenPullRequest } from "../act/github/pulls.js";
import type { CommandRunner } from "../act/github/lockfile.js";
import { isInMaintenanceWindow } from "../app/schedule.js";
import { pickTextFiles, storedAssessInputs } from "../app/assess-inputs.js";
import { basisLocked } from "../store/reassess-basis.js";

/** What started the scan. Fields from the webhook payload save API reads. */
export interface ScanTrigger {
  /** "installation", "push", "schedule", "repository_dispatch", "command", "action"... */
  event: string;
  deliveryId?: string;
  /** Default branch, when the payload names it (push, repository events). */
  defaultBranch?: string;
  /** Head commit and its tree, when the payload has them (push: after, head_commit.tree_id). */
  headSha?: string;
  treeSha?: string;
  /** Push: the commit before, for the compare request (bug markers on added lines). */
  before?: string;
  /** Scan even when the tree is unchanged (`/cowabunga rescan`). */
  force?: boolean;
}

/** The enrich and assess stages, injected so tests (and the CLI) can replace them. */
export interface PipelineStages {
  enrich(input: { scan: ScanResult; config: CowabungaConfig; clock: Clock; log: AppLogger; octokit?: GitHubOctokit }): Promise<Dependency[] | { dependencies: Dependency[]; yanked?: AssessInputs["yanked"]; withdrawnAdvisories?: readonly string[] }>;
  assess(inputs: AssessInputs, opts: { config: CowabungaConfig; clock: Clock }): Promise<Assessment>;
}

export interface RunGitHubScanOptions {
  octokit: GitHubOctokit;
  owner: string;
  repo: string;
  store: Store;
  /**
   * The repository's config. Omitted: `.github/cowabunga.yml` is read in the scan's batched read
   * (no extra request); when it uses `_extends`, `loadConfig` (Probot's context.config) is asked.
   */
  config?: ConfigLoadResult;
  loadConfig?: () => Promise<ConfigLoadResult>;
  clock?: Clock;
  log: AppLogger;
  trigger: ScanTrigger;
  stages?: PipelineStages;
  /** COWABUNGA_PUBLIC_URL, linked from the dashboard. */
  publicUrl?: string | null;
  /** Managers used to predict the files the scan reads (default: all). */
  managers?: readonly Manager[];
  /** Runtime samples (health polls, pushed metrics): read into `AssessInputs.runtime`. */
  runtime?: RuntimeMetricsStore;
  /** Notifications after assess (alerts, digest). Failures are logged; they never fail the scan. */
  notify?: ScanNotifier;
  /**
   * On the "unchanged tree" shortcut no assessment runs: this sends the digest when one is due, from what
   * the store holds (NotificationHub.digestIfDue). Never fails the scan.
   */
  digest?: (input: { octokit: GitHubOctokit; ref: RepoRef; log: AppLogger }) => Promise<unknown>;
  /** Update PRs after the scan (per the `updates` config). Default: on. */
  updates?: boolean;
  /** Logins whose commits count as the app's own, for recreating conflicting PRs (default: any `[bot]` of this app). */
  appLogins?: readonly string[];
  /** Lockfile regeneration runner for update PRs (tests inject one). */
  runner?: CommandRunner;
  npmAvailable?: boolean;
}

/** Sends the assessment's alerts; gets and returns the quiet-period log kept in scan_state.alerts_sent. */
export type ScanNotifier = (input: {
  octokit: GitHubOctokit;
  ref: RepoRef;
  assessment: Assessment;
  config: CowabungaConfig;
  sentLog: Readonly<Record<string, string>>;
  log: AppLogger;
  /** Issue id → the app's open update PR that resolves it (after this scan's PRs were opened), for links. */
  openPulls?: ReadonlyMap<string, number>;
}) => Promise<{ sentLog: Record<string, string>; sent?: number; suppressed?: number; errors?: string[] }>;

export type ScanOutcome = "scanned" | "unchanged" | "duplicate" | "failed";

export interface ScanRunResult {
  outcome: ScanOutcome;
  repo: string;
  headSha: string | null;
  treeSha: string | null;
  counts: RequestCounts;
  durationMs: number;
  assessment?: Assessment;
  issueNumbers?: Map<string, number>;
  configErrors?: ConfigError[];
  error?: string;
  /** Manifests the scan parsed, and files read in the batched contents query. */
  manifests?: number;
  batchedFiles?: number;
  /** Markdown and source files added to the batch for the detectors (full scans). */
  textFiles?: number;
  /** Update PRs opened, recreated and closed by this scan. */
  pulls?: { opened: number[]; recreated: number[]; closed: number[]; messages: string[]; humanEdited?: number[]; failures?: string[] };
  /**
   * Writes to GitHub that failed (each names its request). They are kept in scan_state.pending_writes:
   * the next run does not take the "unchanged tree" shortcut and completes them.
   */
  pendingWrites?: string[];
}

/** scan_state keys of the convergence bookkeeping (docs/notes/convergence.md). */
export interface ConvergenceState {
  /** Writes that failed in the last run; non-empty: the next run redoes the act step even on an unchanged tree. */
  pending_writes?: string[];
  /** CODEOWNERS assignability cache (src/act/github/assignees.ts). */
  assignable?: Record<string, { ok: boolean; checked_at: string }>;
  /** SHA-1 of the CODEOWNERS text the issues' assignees were last brought in line with. */
  codeowners_sha?: string | null;
  /** Open update PRs a person pushed to (left alone; listed in the dashboard). */
  human_edited_prs?: number[];
}

/** The writes still pending for a repository, from its scan_state. */
export function pendingWritesOf(state: ScanState | null | undefined): string[] {
  const v = (state as ConvergenceState | null | undefined)?.pending_writes;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Thrown by the scan job when writes stay pending, so the queue shows (and may retry) the failure. */
export class PendingWritesError extends Error {
  constructor(
    readonly repo: string,
    readonly pending: readonly string[],
  ) {
    super(`${repo}: ${pending.length} write(s) to GitHub still pending: ${pending.slice(0, 3).join("; ")}${pending.length > 3 ? "; …" : ""}`);
    this.name = "PendingWritesError";
  }
}

/** Delivery ids remembered in scan_state, so a redelivery after a restart is still recognised. */
export const PERSISTED_DELIVERIES = 50;

// ---------------------------------------------------------------------------------------------
// Default stages: src/enrich (enrichDependencies) and src/assess (assess), with the process-wide
// enrichment from the environment (COWABUNGA_OFFLINE, COWABUNGA_OSV_DB, COWABUNGA_REGISTRY_<ECOSYSTEM>):
// one HttpClient and one OSV mirror index shared by every repository (src/app/enrichment.ts).

export function defaultStages(log?: AppLogger): PipelineStages {
  return sharedEnrichment(log).stages();
}

/** Kept for callers that want the assess stage alone. */
export const assessStage: PipelineStages["assess"] = async (inputs, { config, clock }) => assess(inputs, config, clock);

// ---------------------------------------------------------------------------------------------
// Reads: predict what the scan will read, and read it with the config and CODEOWNERS in one batch.

/** Same list as the scan's own prefetch (src/scan/index.ts): requirement includes. */
const PREFETCH = picomatch(
  ["**/requirements*.txt", "**/requirements*.in", "**/requirements/**/*.txt", "**/requirements/**/*.in", "**/constraints*.txt"],
  { dot: true },
);

/** Files the scan will read: every manifest a manager claims, its companions, and likely includes. */
export function predictScanReads(files: readonly string[], managers: readonly Manager[]): string[] {
  const set = new Set(files);
  const out = new Set<string>();
  for (const f of files) {
    if (PREFETCH(f)) out.add(f);
    for (const m of managers) {
      let claims = false;
      try {
        claims = m.matches(f);
      } catch {
        claims = false;
      }
      if (!claims) continue;
      out.add(f);
      try {
        for (const c of m.companions?.(f) ?? []) if (set.has(c)) out.add(c);
      } catch {
        // the scan reports manager failures
      }
    }
  }
  return [...out];
}

/** A source that answers from one primed batch and forwards anything else to the real source. */
export class PrimedSource implements RepoSource {
  private readonly cache = new Map<string, string>();
  private readonly primed = new Set<string>();
  constructor(private readonly inner: RepoSource) {}
  get description(): string {
    return this.inner.description;
  }
  get warnings(): SourceWarning[] {
    return this.inner.warnings;
  }
  get commitSha(): string | null {
    return this.inner.commitSha;
  }
  listFiles(): Promise<RepoFile[]> {
    return this.inner.listFiles();
  }
  async prime(paths: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(paths)].filter((p) => !this.primed.has(p));
    if (wanted.length > 0) {
      const got = await this.inner.readFiles(wanted);
      for (const p of wanted) this.primed.add(p);
      for (const [k, v] of got) this.cache.set(k, v);
    }
    return this.cache;
  }
  async readFiles(paths: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const rest: string[] = [];
    for (const p of paths) {
      if (this.primed.has(p)) {
        const v = this.cache.get(p);
        if (v !== undefined) out.set(p, v);
      } else rest.push(p);
    }
    if (rest.length > 0) for (const [k, v] of await this.prime(rest)) if (rest.includes(k)) out.set(k, v);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

interface HeadInfo {
  sha: string;
  treeSha: string;
}

async function readHead(octokit: GitHubOctokit, ref: RepoRef, trigger: ScanTrigger): Promise<HeadInfo> {
  if (trigger.headSha && trigger.treeSha) return { sha: trigger.headSha, treeSha: trigger.treeSha };
  // `HEAD` resolves to the default branch, so GET /repos/{o}/{r} is not needed to learn its name.
  const branch = trigger.defaultBranch ?? "HEAD";
  try {
    const res = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...ref, ref: branch });
    const data = res.data as { sha: string; commit: { tree: { sha: string } } };
    return { sha: data.sha, treeSha: data.commit.tree.sha };
  } catch (err) {
    throw new Error(`GET /repos/${ref.owner}/${ref.repo}/commits/${branch} failed: ${errorText(err)}`, { cause: err });
  }
}

function configFromText(text: string | undefined): ConfigLoadResult {
  if (text === undefined) return { config: defaultConfig(), errors: [] };
  return parseConfigYaml(text, CONFIG_PATH);
}

function rememberDelivery(state: ScanState | null, id: string | undefined): string[] {
  const prev = Array.isArray(state?.deliveries) ? (state.deliveries as unknown[]).filter((x): x is string => typeof x === "string") : [];
  if (!id) return prev;
  return [...prev.filter((d) => d !== id), id].slice(-PERSISTED_DELIVERIES);
}

/** Has this delivery already been processed (persisted across restarts)? */
export async function isPersistedDelivery(store: Store, ref: RepoRef, id: string): Promise<boolean> {
  const state = await store.getScanState(ref);
  return Array.isArray(state?.deliveries) && (state.deliveries as unknown[]).includes(id);
}

export async function runGitHubScan(opts: RunGitHubScanOptions): Promise<ScanRunResult> {
  const { octokit, store, log, trigger } = opts;
  const ref: RepoRef = { owner: opts.owner, repo: opts.repo };
  const full = `${opts.owner}/${opts.repo}`;
  const clock = opts.clock ?? (() => new Date());
  const started = clock();
  const t0 = performance.now();
  const counter = countRequests(octokit);
  const result: ScanRunResult = { outcome: "failed", repo: full, headSha: null, treeSha: null, counts: counter.counts, durationMs: 0 };
  const finish = (extra: Record<string, unknown> = {}): ScanRunResult => {
    counter.stop();
    result.durationMs = Math.round(performance.now() - t0);
    log.info(
      {
        scan: {
          repo: full,
          trigger: trigger.event,
          delivery: trigger.deliveryId ?? null,
          outcome: result.outcome,
          head_sha: result.headSha,
          duration_ms: result.durationMs,
          reads: counter.counts.reads,
          writes: counter.counts.writes,
          ...extra,
        },
      },
      `scan ${full}: ${result.outcome} in ${result.durationMs} ms (${counter.counts.reads} reads, ${counter.counts.writes} writes)`,
    );
    return result;
  };

  try {
    const state = await store.getScanState(ref);
    if (trigger.deliveryId && Array.isArray(state?.deliveries) && (state.deliveries as unknown[]).includes(trigger.deliveryId)) {
      result.outcome = "duplicate";
      return finish();
    }

    const head = await readHead(octokit, ref, trigger);
    result.headSha = head.sha;
    result.treeSha = head.treeSha;
    // The shortcut holds only when nothing is pending: a failed write is completed by the next run.
    if (!trigger.force && state?.tree_sha === head.treeSha && pendingWritesOf(state).length === 0) {
      result.outcome = "unchanged";
      await store.putScanState(ref, { ...state, last_checked_at: clock().toISOString(), deliveries: rememberDelivery(state, trigger.deliveryId) });
      if (opts.digest) {
        try {
          await opts.digest({ octokit, ref, log });
        } catch (err) {
          log.warn({ repo: full, err: errorText(err) }, `digest for ${full} failed: ${errorText(err)}`);
        }
      }
      return finish();
    }

    // Tree, then ONE batched read of manifests, companions, config and CODEOWNERS.
    const github = new GitHubSource({ octokit, owner: opts.owner, repo: opts.repo, sha: head.sha });
    const source = new PrimedSource(github);
    const listing = await source.listFiles();
    const files = listing.map((f) => f.path);
    const fileSet = new Set(files);
    const managers = opts.managers ?? (await import("../scan/managers/index.js")).ALL_MANAGERS;
    const extras = [CONFIG_PATH, ...CODEOWNERS_PATHS].filter((p) => fileSet.has(p));
    // A full scan (not a push with a diff) also reads Markdown and source files for the documentation and
    // bug-marker detectors, in the SAME batch (capped: src/app/assess-inputs.ts). The config is in that
    // batch too, so the choice assumes both detectors on; the config then drops what it disables.
    const pushDiff = !!trigger.before && !/^0+$/.test(trigger.before);
    const textPick = pushDiff ? { paths: [], skipped: 0 } : pickTextFiles(listing, { issues: { ...defaultConfig().issues, bug_markers: true, documentation: true } });
    const batch = [...new Set([...predictScanReads(files, managers), ...extras, ...textPick.paths])];
    result.batchedFiles = batch.length;
    const texts = await source.prime(batch);

    let configResult = opts.config ?? configFromText(texts.get(CONFIG_PATH));
    if (!opts.config && opts.loadConfig && /^\s*_extends\s*:/m.test(texts.get(CONFIG_PATH) ?? "")) configResult = await opts.loadConfig();
    const config = configResult.config;
    result.configErrors = configResult.errors;
    store.setRetention(ref, config.retention);

    const stages = opts.stages ?? defaultStages(log);
    const scan = await scanRepository(source, { config, repoName: opts.repo, managers });
    result.manifests = scan.manifests.length;
    const enriched = await stages.enrich({ scan, config, clock, log, octokit });
    const dependencies = Array.isArray(enriched) ? enriched : enriched.dependencies;
    const yanked = Array.isArray(enriched) ? undefined : enriched.yanked;
    const withdrawnAdvisories = Array.isArray(enriched) ? undefined : enriched.withdrawnAdvisories;

    let diff: Awaited<ReturnType<typeof fetchAddedLines>> = null;
    if (pushDiff && config.issues.bug_markers) {
      diff = await fetchAddedLines(octokit, ref, trigger.before!, head.sha, log);
    }
    let fullTexts: Map<string, string> | undefined;
    if (!pushDiff && textPick.paths.length > 0) {
      const wanted = pickTextFiles(listing, config).paths;
      fullTexts = new Map();
      for (const p of wanted) {
        const t = texts.get(p);
        if (t !== undefined) fullTexts.set(p, t);
      }
      result.textFiles = fullTexts.size;
      if (textPick.skipped > 0) {
        scan.warnings.push({ file: null, line: null, manager: "source", message: `${textPick.skipped} Markdown/source files beyond the first ${textPick.paths.length} were not checked for bug markers and links` });
      }
    }
    const codeownersTexts = new Map<string, string>();
    for (const p of CODEOWNERS_PATHS) {
      const t = texts.get(p);
      if (t !== undefined) codeownersTexts.set(p, t);
    }
    const { assessment, acted } = await assessAndAct({
      octokit,
      ref,
      store,
      log,
      clock,
      state: state ?? null,
      headSha: head.sha,
      config,
      configErrors: configResult.errors,
      scan,
      dependencies,
      ...(yanked ? { yanked } : {}),
      ...(withdrawnAdvisories && withdrawnAdvisories.length > 0 ? { withdrawnAdvisories } : {}),
      allFiles: files,
      ...(diff ? { addedLines: diff.addedLines, textFiles: diff.textFiles } : {}),
      ...(fullTexts ? { textFiles: fullTexts } : {}),
      codeownersTexts,
      defaultBranch: trigger.defaultBranch ?? null,
      stages,
      runtime: opts.runtime,
      notify: opts.notify,
      updates: opts.updates,
      appLogins: opts.appLogins,
      runner: opts.runner,
      npmAvailable: opts.npmAvailable,
      publicUrl: opts.publicUrl ?? null,
      result,
      stateFields: {
        tree_sha: head.treeSha,
        head_sha: head.sha,
        ref: trigger.defaultBranch ?? state?.ref ?? null,
        last_scan_started_at: started.toISOString(),
        last_scan_finished_at: null,
        deliveries: rememberDelivery(state, trigger.deliveryId),
      },
    });
    // What a re-assessment needs to assess and act as this scan did, without reading GitHub (issue 16).
    await store.putReassessBasis(ref, {
      format: 1,
      head_sha: head.sha,
      tree_sha: head.treeSha,
      scanned_at: started.toISOString(),
      config,
      config_errors: configResult.errors,
      scan: { source: scan.source, commit_sha: scan.commit_sha, components: scan.components, dependencies: scan.dependencies, locked: basisLocked(scan.locked), files_scanned: scan.files_scanned, manifests: scan.manifests },
      workflow_files: files.filter(isWorkflowFile),
      text_findings: assessment.textFindings ?? { drafts: [], examined: [] },
      codeowners: Object.fromEntries(codeownersTexts),
      yanked: yanked ?? [],
    });
    result.outcome = "scanned";
    return finish({
      manifests: scan.manifests.length,
      dependencies: dependencies.length,
      issues_open: assessment.issues.filter((i) => i.status === "open" || i.status === "in_progress").length,
      config_errors: configResult.errors.length,
      ...acted,
    });
  } catch (err) {
    result.outcome = "failed";
    result.error = errorText(err);
    log.error({ err: result.error, repo: full }, `scan of ${full} failed: ${result.error}`);
    try {
      // Remember the attempt, so the scheduler does not retry every minute.
      const state = await store.getScanState(ref);
      await store.putScanState(ref, { ...(state ?? {}), last_checked_at: clock().toISOString(), last_error: result.error });
    } catch {
      // the store itself is failing; already logged above
    }
    return finish({ error: result.error });
  }
}

/** Workflow files: the part of the tree listing assess reads without file contents (the failing-checks issue). */
export function isWorkflowFile(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/** Inputs of the assess-and-act half of a run, shared by a scan and an advisory re-assessment. */
export interface AssessAndActInput {
  octokit: GitHubOctokit;
  ref: RepoRef;
  store: Store;
  log: AppLogger;
  clock: Clock;
  state: ScanState | null;
  headSha: string;
  config: CowabungaConfig;
  configErrors: ConfigError[];
  scan: ScanResult;
  dependencies: Dependency[];
  yanked?: AssessInputs["yanked"];
  allFiles: string[];
  addedLines?: AssessInputs["addedLines"];
  textFiles?: AssessInputs["textFiles"];
  /** Re-assessment: the last scan's text findings instead of file contents. */
  textFindings?: AssessInputs["textFindings"];
  /** Advisory ids withdrawn since the last run (an advisory refresh). */
  withdrawnAdvisories?: readonly string[];
  codeownersTexts: ReadonlyMap<string, string>;
  /** The default branch's name when the trigger named it. */
  defaultBranch: string | null;
  stages: PipelineStages;
  runtime?: RuntimeMetricsStore;
  notify?: ScanNotifier;
  updates?: boolean;
  appLogins?: readonly string[];
  runner?: CommandRunner;
  npmAvailable?: boolean;
  publicUrl: string | null;
  /** Filled in: assessment, issue numbers, pulls, pending writes. */
  result: ScanRunResult;
  /** scan_state fields of this kind of run (a scan: its tree and head; a re-assessment: when). */
  stateFields: Record<string, unknown>;
}

/**
 * Assess, store, then act exactly as a scan does: GitHub issues (one listing of the app's issues, then
 * writes where the rendered content differs), update PRs, the dashboard, alerts; then scan_state with
 * what stays pending. Reads stored issues, records, CI runs and runtime samples; reads no file.
 */
export async function assessAndAct(input: AssessAndActInput): Promise<{ assessment: Assessment; acted: Record<string, unknown> }> {
  const { octokit, ref, store, log, clock, state, config, scan, dependencies, yanked, stages, result, codeownersTexts: texts } = input;
  const opts = input;
  const full = `${ref.owner}/${ref.repo}`;
  const head = { sha: input.headSha };
  const files = input.allFiles;
  const diff = input.addedLines && input.textFiles ? { addedLines: input.addedLines, textFiles: input.textFiles } : null;
  const fullTexts = !input.addedLines ? input.textFiles : undefined;
  const configResult = { errors: input.configErrors };
  const [previousIssues, records] = await Promise.all([store.getIssues(ref), store.getRecords(ref)]);
  const stored = storedAssessInputs({ state: state ?? null, records, headSha: head.sha, components: scan.components, now: clock() });
  let runtime: AssessInputs["runtime"];
  if (opts.runtime) {
    try {
      runtime = await runtimeInputs(opts.runtime, ref, clock());
    } catch (err) {
      log.warn({ repo: full, err: errorText(err) }, `runtime metrics of ${full} could not be read: ${errorText(err)}`);
    }
  }
  const assessment = await stages.assess(
    {
      scan,
      dependencies,
      previousIssues,
      // The tree listing we already have: the documentation detector needs every path (READMEs), or a
      // push's sparse textFiles would look like a repository without a README.
      allFiles: files,
      ...(yanked ? { yanked } : {}),
      ...(diff ? { addedLines: diff.addedLines, textFiles: diff.textFiles } : {}),
      ...(fullTexts ? { textFiles: fullTexts } : {}),
      ...(!diff && !fullTexts && input.textFindings ? { textFindings: input.textFindings } : {}),
      ...(input.withdrawnAdvisories && input.withdrawnAdvisories.length > 0 ? { withdrawnAdvisories: input.withdrawnAdvisories } : {}),
      ...(runtime && Object.keys(runtime).length > 0 ? { runtime } : {}),
      ...stored,
    },
    { config, clock },
  );
  result.assessment = assessment;
  const at = clock().toISOString();
  await storeAssessment(store, ref, assessment, head.sha, at);

  let knownLabels = Array.isArray(state?.known_labels) ? (state.known_labels as unknown[]).filter((x): x is string => typeof x === "string") : [];
  let acted: Record<string, unknown> = { maintenance_mode: config.maintenance_mode };
  let defaultBranch: string | null = input.defaultBranch ?? (typeof state?.default_branch === "string" ? state.default_branch : null);
  let openPullsByIssue: ReadonlyMap<string, number> | undefined;
  const pending: string[] = [];
  const conv = (state ?? {}) as ConvergenceState;
  const codeownersText = CODEOWNERS_PATHS.map((p) => texts.get(p)).find((t) => t !== undefined);
  const codeownersSha = codeownersText === undefined ? null : createHash("sha1").update(codeownersText).digest("hex");
  const assignees = new AssigneeChecker(octokit, ref, conv.assignable, clock, log);
  let humanEdited = Array.isArray(conv.human_edited_prs) ? conv.human_edited_prs.filter((n): n is number => typeof n === "number") : [];
  if (!config.maintenance_mode) {
    const out = await actOnGitHub({
      octokit,
      ref,
      assessment,
      config,
      configErrors: configResult.errors,
      headSha: head.sha,
      knownLabels,
      store,
      log,
      publicUrl: opts.publicUrl ?? null,
      codeownersTexts: texts,
      assignees,
      // CODEOWNERS appeared or changed: open issues without assignees get their owners.
      assignExisting: codeownersSha !== null && codeownersSha !== (conv.codeowners_sha ?? null),
    });
    knownLabels = out.knownLabels;
    result.issueNumbers = out.numbers;
    pending.push(...out.errors);
    acted = { ...acted, ...out.summary };
    if (opts.updates !== false && config.updates.enabled) {
      const upd = await actOnUpdates({
        octokit,
        ref,
        assessment,
        numbers: out.numbers,
        openPulls: out.openPulls,
        config,
        headSha: head.sha,
        defaultBranch,
        store,
        clock,
        log,
        appLogins: opts.appLogins,
        runner: opts.runner,
        npmAvailable: opts.npmAvailable,
      });
      defaultBranch = upd.defaultBranch;
      result.pulls = upd.pulls;
      openPullsByIssue = upd.byIssue;
      pending.push(...(upd.pulls.failures ?? []));
      const open = new Set(out.openPulls.map((p) => p.number).concat(upd.pulls.opened, upd.pulls.recreated));
      const gone = new Set(upd.pulls.closed);
      humanEdited = [...new Set([...humanEdited, ...(upd.pulls.humanEdited ?? [])])].filter((n) => open.has(n) && !gone.has(n)).sort((a, b) => a - b);
      acted = { ...acted, prs_opened: upd.pulls.opened.length, prs_recreated: upd.pulls.recreated.length, prs_closed: upd.pulls.closed.length };
    }
    const dash = await out.syncDashboard({ humanEdited, pendingWrites: pending.length });
    if (dash.error) pending.push(dash.error);
    acted = { ...acted, dashboard: dash.action };
  }
  result.pendingWrites = pending;
  if (pending.length > 0) log.warn({ repo: full, pending }, `scan ${full}: ${pending.length} write(s) to GitHub failed; they stay pending for the next run`);

  let alertsSent: Record<string, string> | undefined;
  if (opts.notify) {
    try {
      const prev = state?.alerts_sent && typeof state.alerts_sent === "object" ? (state.alerts_sent as Record<string, string>) : {};
      const n = await opts.notify({ octokit, ref, assessment, config, sentLog: prev, log, ...(openPullsByIssue ? { openPulls: openPullsByIssue } : {}) });
      alertsSent = n.sentLog;
      acted = { ...acted, alerts_sent: n.sent ?? null, alerts_suppressed: n.suppressed ?? null, notify_errors: n.errors?.length ?? 0 };
    } catch (err) {
      log.warn({ repo: full, err: errorText(err) }, `notifications for ${full} failed: ${errorText(err)}`);
    }
  }

  await store.putScanState(ref, {
    ...(state ?? {}),
    ...input.stateFields,
    ...("last_scan_finished_at" in input.stateFields ? { last_scan_finished_at: clock().toISOString() } : {}),
    ...(defaultBranch ? { default_branch: defaultBranch } : {}),
    last_checked_at: clock().toISOString(),
    last_error: null,
    known_labels: knownLabels,
    schedule: { cron: config.schedule.cron, timezone: config.schedule.timezone, jitter_minutes: config.schedule.jitter_minutes },
    ...(alertsSent ? { alerts_sent: alertsSent } : {}),
    // For the health poller: no GitHub read is needed to know what to poll.
    health_targets: config.components.filter((c) => c.health_url).map((c) => ({ name: c.name, health_url: c.health_url })),
    // Convergence: what failed stays pending; CODEOWNERS counts as applied only once every write went through.
    pending_writes: pending,
    assignable: assignees.snapshot(),
    codeowners_sha: config.maintenance_mode || pending.length > 0 ? (conv.codeowners_sha ?? null) : codeownersSha,
    human_edited_prs: humanEdited,
  } satisfies ScanState & ConvergenceState);
  return { assessment, acted };
}

interface ActInput {
  octokit: GitHubOctokit;
  ref: RepoRef;
  assessment: Assessment;
  config: CowabungaConfig;
  configErrors: ConfigError[];
  headSha: string;
  knownLabels: string[];
  store: Store;
  log: AppLogger;
  publicUrl: string | null;
  codeownersTexts: ReadonlyMap<string, string>;
  assignees: AssigneeChecker;
  assignExisting: boolean;
}

/** ONE listing of the app's issues, then writes only where the rendered content differs. */
async function actOnGitHub(input: ActInput): Promise<{
  numbers: Map<string, number>;
  knownLabels: string[];
  summary: Record<string, unknown>;
  openPulls: Array<OpenPullRequest & { author?: string }>;
  syncDashboard: (extra: { humanEdited: readonly number[]; pendingWrites: number }) => Promise<{ action: string; error?: string }>;
  /** Writes that failed. */
  errors: string[];
}> {
  const { octokit, ref, assessment, config, log } = input;
  const baseLabels = config.issues.labels.length > 0 ? config.issues.labels : [BASE_LABEL];
  let index: AppIssueIndex;
  try {
    index = await listAppIssues(octokit, ref, baseLabels[0]);
  } catch (err) {
    throw new Error(`GET /repos/${ref.owner}/${ref.repo}/issues?labels=${baseLabels[0]}&state=all failed: ${errorText(err)}`, { cause: err });
  }
  const labels = new LabelManager(octokit, ref, [...input.knownLabels, ...index.labelsSeen], log);
  const host = webHostOf(baseUrlOf(octokit));
  const ctx = { host, owner: ref.owner, repo: ref.repo, sha: input.headSha };

  const errors: string[] = [];
  // Twins (an issue made twice when a create's answer was lost) are closed as duplicates of the first.
  const twins = await closeTwins(octokit, ref, index, log);
  errors.push(...twins.errors);
  const configIssue = await syncConfigIssue({ octokit, repo: ref, errors: input.configErrors, existing: index.configErrors, ctx, labels, log });
  if (configIssue.error) errors.push(configIssue.error);

  const numbers = new Map<string, number>();
  let notOpened: MaintenanceIssue[] = [];
  let sync: Awaited<ReturnType<typeof syncIssues>> | null = null;
  if (config.issues.enabled) {
    sync = await syncIssues({
      octokit,
      repo: ref,
      issues: assessment.issues,
      index,
      render: { ...ctx, dependencies: assessment.dependencies, baseLabels, now: new Date(assessment.system.timestamp), timeZone: config.schedule.timezone },
      labels,
      codeowners: pickCodeowners(input.codeownersTexts),
      maxNew: config.issues.max_new_per_run,
      baseLabels,
      log,
      assignees: input.assignees,
      assignExisting: input.assignExisting,
    });
    errors.push(...sync.errors);
    for (const [k, v] of sync.numbers) numbers.set(k, v);
    notOpened = sync.overflow;
    if (numbers.size > 0) {
      await input.store.updateIssues(ref, (issues) =>
        issues.map((i) => (numbers.has(i.id) && i.github_issue_number !== numbers.get(i.id) ? { ...i, github_issue_number: numbers.get(i.id)! } : i)),
      );
    }
  }

  // The dashboard is rendered last (by the caller, after update PRs were opened), so its pending and
  // failed updates include this run's PRs; records are read at that moment.
  const syncDashboardNow = async (extra: { humanEdited: readonly number[]; pendingWrites: number }): Promise<{ action: string; error?: string }> => {
    const records = await input.store.getRecords(ref);
    const body = renderDashboard({
      assessment,
      numbers,
      notOpened,
      records,
      headSha: input.headSha,
      maintenanceMode: config.maintenance_mode,
      publicUrl: input.publicUrl,
      configErrorCount: input.configErrors.length,
      timeZone: config.schedule.timezone,
      humanEdited: extra.humanEdited,
      pendingWrites: extra.pendingWrites,
    });
    return syncDashboard({ octokit, repo: ref, existing: index.dashboard, body, labels, log });
  };
  return {
    numbers,
    errors,
    knownLabels: labels.knownLabels(),
    syncDashboard: syncDashboardNow,
    openPulls: (index.pulls ?? []).map((p) => {
      const marker = parsePrMarker(p.body);
      return { number: p.number, body: p.body ?? null, head_ref: marker?.branch ?? `${BRANCH_PREFIX}${marker?.group ?? ""}`, ...(p.user?.login ? { author: p.user.login } : {}) };
    }),
    summary: {
      issues_created: sync?.created.length ?? 0,
      issues_updated: sync?.updated.length ?? 0,
      issues_closed: sync?.closed.length ?? 0,
      issues_reopened: sync?.reopened.length ?? 0,
      issues_not_opened: notOpened.length,
      duplicates_closed: twins.closed.length,
      config_issue: configIssue.action,
    },
  };
}

interface UpdatesInput {
  octokit: GitHubOctokit;
  ref: RepoRef;
  assessment: Assessment;
  numbers: ReadonlyMap<string, number>;
  /** The app's open update PRs, from the issue listing (no `GET /pulls`). */
  openPulls: Array<OpenPullRequest & { author?: string }>;
  config: CowabungaConfig;
  headSha: string;
  defaultBranch: string | null;
  store: Store;
  clock: Clock;
  log: AppLogger;
  appLogins?: readonly string[];
  runner?: CommandRunner;
  npmAvailable?: boolean;
}

/**
 * Update PRs after a scan: `planUpdates` over the assessment (security fixes first, then priority;
 * update_types, minimum release age, grouping, max_open_prs; outside maintenance windows only critical
 * vulnerabilities), `openUpdatePullRequest` per planned group, then `maintainOpenPullRequests` on the open
 * ones (recreate on conflict when only the app pushed, close surplus). Reads: none when nothing is planned
 * and no app PR is open; the default branch name (`GET /repos/{o}/{r}`) once per repository when a PR is
 * to be opened and no payload named it; one `GET /pulls/{n}` per open app PR whose base moved. Never
 * throws: failures are logged and listed in `messages`.
 */
async function actOnUpdates(input: UpdatesInput): Promise<{ defaultBranch: string | null; pulls: NonNullable<ScanRunResult["pulls"]>; byIssue: Map<string, number> }> {
  const { octokit, ref, assessment, config, store, clock, log } = input;
  const pulls: NonNullable<ScanRunResult["pulls"]> = { opened: [], recreated: [], closed: [], messages: [], humanEdited: [], failures: [] };
  let defaultBranch = input.defaultBranch;
  const now = clock();
  // Issues as stored after the act step: with their GitHub numbers, so bodies say "Resolves #n".
  const issues = assessment.issues.map((i) => (input.numbers.has(i.id) ? { ...i, github_issue_number: input.numbers.get(i.id)! } : i));
  const plan = planUpdates({ dependencies: assessment.dependencies, issues }, config, input.openPulls, { now, inWindow: isInMaintenanceWindow(config, now) });
  for (const s of plan.skipped) if (!s.reason.startsWith("not updatable")) log.debug?.({ repo: `${ref.owner}/${ref.repo}`, dependency: s.name, file: s.file }, `update skipped: ${s.reason}`);
  const open = new Map(input.openPulls.map((p) => [p.number, p] as const));

  if (plan.groups.length > 0 && !defaultBranch) {
    try {
      const meta = await octokit.request("GET /repos/{owner}/{repo}", { ...ref });
      defaultBranch = meta.data.default_branch;
    } catch (err) {
      const msg = `GET /repos/${ref.owner}/${ref.repo} failed: ${errorText(err)}; no update PR opened`;
      log.warn({ repo: `${ref.owner}/${ref.repo}` }, msg);
      pulls.messages.push(msg);
      pulls.failures!.push(msg);
      return { defaultBranch, pulls, byIssue: pullsByIssue(open.values(), pulls.closed) };
    }
  }
  const base = defaultBranch;
  for (const group of base ? plan.groups : []) {
    try {
      const r = await openUpdatePullRequest({ octokit, owner: ref.owner, repo: ref.repo, defaultBranch: base!, baseSha: input.headSha, group, config, store, clock, log, runner: input.runner, npmAvailable: input.npmAvailable, docker: sharedEnrichment(log).dockerDigests(), ...sharedEnrichment(log).lockArtefactAccess() });
      if ("number" in r) {
        pulls.opened.push(r.number);
        for (const n of r.superseded) open.delete(n);
        open.set(r.number, { number: r.number, head_ref: r.branch, body: `<!-- cowabunga:pr:${markerJson(markerOf(group, input.headSha))} -->` });
      } else pulls.messages.push(`${group.key}: ${r.message}`);
    } catch (err) {
      const msg = `${group.key}: update PR could not be opened: ${errorText(err)}`;
      log.warn({ repo: `${ref.owner}/${ref.repo}`, group: group.key, err: errorText(err) }, msg);
      pulls.messages.push(msg);
      pulls.failures!.push(msg);
    }
  }

  if (open.size > 0) {
    try {
      const m = await maintainOpenPullRequests({
        octokit,
        owner: ref.owner,
        repo: ref.repo,
        // Unknown branch name: the rollback text uses the PR's own base branch.
        defaultBranch: defaultBranch ?? "",
        config,
        store,
        clock,
        log,
        // The app's own commits: by default the login that opened the listed app PRs (the app's bot).
        appLogins: input.appLogins ?? [...new Set(input.openPulls.map((p) => p.author).filter((a): a is string => !!a))],
        prs: [...open.values()],
        headSha: input.headSha,
        runner: input.runner,
        npmAvailable: input.npmAvailable,
        docker: sharedEnrichment(log).dockerDigests(),
        ...sharedEnrichment(log).lockArtefactAccess(),
        dependencies: assessment.dependencies,
      });
      pulls.recreated.push(...m.recreated);
      pulls.closed.push(...m.closed);
      pulls.humanEdited!.push(...m.humanEdited);
      pulls.failures!.push(...m.errors);
    } catch (err) {
      const msg = `upkeep of open update PRs failed: ${errorText(err)}`;
      log.warn({ repo: `${ref.owner}/${ref.repo}`, err: errorText(err) }, msg);
      pulls.messages.push(msg);
      pulls.failures!.push(msg);
    }
  }
  if (pulls.opened.length + pulls.recreated.length + pulls.closed.length > 0 || pulls.messages.length > 0) {
    log.info({ repo: `${ref.owner}/${ref.repo}`, pulls }, `update PRs of ${ref.owner}/${ref.repo}: ${pulls.opened.length} opened, ${pulls.recreated.length} recreated, ${pulls.closed.length} closed`);
  }
  return { defaultBranch, pulls, byIssue: pullsByIssue(open.values(), pulls.closed) };
}

/** Issue id → open update PR, from the PRs' markers (notification links). */
function pullsByIssue(open: Iterable<OpenPullRequest>, closed: readonly number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of open) {
    if (closed.includes(p.number)) continue;
    for (const id of parsePrMarker(p.body)?.issues ?? []) if (!out.has(id)) out.set(id, p.number);
  }
  return out;
}
