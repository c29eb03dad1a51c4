import type { CowabungaConfig, RegistriesConfig } from "../../config/schema.js";
import { defaultConfig, goSumdbOf } from "../../config/schema.js";
import type { z } from "zod";
import type { Dependency, MaintenanceIssue, MaintenanceRecord, RiskLevel } from "../../model/index.js";
import { tryTransitionIssue } from "../../model/lifecycle.js";
import type { LifecycleState } from "../../model/issue.js";
import { assessUpdateRisk } from "../../assess/risk.js";
import type { RepoRef, Store } from "../../store/types.js";
import { regenerateLockfile, type CommandRunner, type LockfileOutcome } from "./lockfile.js";
import { rebaseRequested, renderUpdateBody, rollbackStrategy, untickRebase } from "./pulls-body.js";
import {
  BRANCH_PREFIX,
  createCommit,
  describeError,
  markerJson,
  readBlobText,
  readTree,
  statusOf,
  upsertBranch,
  type FileChange,
  type GitHubClient,
  type Logger,
} from "./pulls-git.js";
import { parsePrMarker, planUpdates, subjectNames, type MarkerDep, type PlannedGroup, type PrMarker } from "./pulls-plan.js";
import { updateManifest } from "./updaters/index.js";
import { commentOnce, createOnce } from "./idempotent.js";
import { refreshFromBase, standingOf } from "./pulls-lifecycle.js";

import { lockCompanionsFor, lockDatasourceFor, lockEditorFor } from "./updaters/lock-inplace.js";
import { createRequirementSource, GoSumdbOffError, type RequirementSource } from "../../enrich/datasources/requirements.js";
import type { HttpClient } from "../../enrich/http.js";
import { sharedHttpClient } from "../../enrich/index.js";
import { defaultDigestSource, detectPin, resolveNewDigest, type DigestLookups, type DigestSource } from "./digests.js";

export { planUpdates, parsePrMarker, issuesFor } from "./pulls-plan.js";
export type { MarkerDep, OpenPullRequest, PlannedGroup, PlannedUpdate, PrMarker, UpdatePlan } from "./pulls-plan.js";
export { updateBranchName, refSegment, BRANCH_PREFIX } from "./pulls-git.js";
export { renderUpdateBody, rollbackStrategy } from "./pulls-body.js";
export { detectPin, resolveNewDigest, shortDigest, type DigestSource, type DigestResolution, type Pin } from "./digests.js";

export const APP_ACTOR = "cowabunga";
type Registries = z.infer<typeof RegistriesConfig>;

/** Default base label of the app's issues and PRs (as src/act/github/labels.ts BASE_LABEL). */
const BASE_PR_LABEL = "cowabunga";

export interface OpenUpdateArgs {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Head of the default branch: the branch starts here and it is the rollback point. */
  baseSha: string;
  group: PlannedGroup;
  config: CowabungaConfig;
  store: Store;
  clock: () => Date;
  log: Logger;
  /** Lockfile regeneration runner (tests inject one); npmAvailable skips the `npm --version` probe. */
  runner?: CommandRunner;
  npmAvailable?: boolean;
  /** Override the risk shown in the body; default: the highest assessUpdateRisk of the group's updates. */
  risk?: RiskLevel;
  /**
   * Registry client for the new digest of digest-pinned images (the docker datasource's `digestOf`).
   * Default: a docker datasource on a fresh HttpClient (public registries, `registries.docker` for
   * unqualified names). SHA-pinned actions use `octokit`.
   */
  docker?: DigestSource;
  /**
   * Registry metadata for lockfile-only edits (tests inject one). Default: a requirement source on
   * `http` for the mirrors of `registryMirrors` over `config.registries` (npm, crates, PyPI, the Go
   * proxy and its checksum database, `registries.go_sumdb`).
   */
  artefacts?: Pick<RequirementSource, "artefact">;
  /** HttpClient of the default artefacts (default: the shared one, with the outbound URL guard). */
  http?: HttpClient;
  /** Operator mirrors (COWABUNGA_REGISTRY_*); they override `config.registries` for the default artefacts. */
  registryMirrors?: Registries;
}

export interface OpenUpdateResult {
  number: number;
  html_url: string;
  branch: string;
  commit_sha: string;
  record_id: string;
  /** Updates that could not be applied, each naming its file and line. */
  failures: string[];
  superseded: number[];
}

/** What the app's issue command passes (see src/act/github/update-adapter.ts). */
export interface IssueUpdateRequest {
  octokit: GitHubClient;
  repo: RepoRef;
  owner: string;
  store: Store;
  issue: MaintenanceIssue;
  requestedBy: string;
  config?: CowabungaConfig;
  clock: () => Date;
  log: Logger;
  runner?: CommandRunner;
  docker?: DigestSource;
}

export function recordIdForPr(number: number): string {
  return `pr-${number}`;
}

function riskOf(group: PlannedGroup, config: CowabungaConfig, now: Date): RiskLevel {
  const risks = group.updates.map((u) =>
    assessUpdateRisk(u.dep, null, { targetVersion: u.newVersion, now, minimumReleaseAgeDays: config.updates.minimum_release_age_days, tests: u.issues.flatMap((i) => i.testing_requirements) }),
  );
  return risks.sort((a, b) => b.score - a.score)[0];
}

/** `file|line|name`: one declaration, as the marker and the body match them. */
export function declarationKey(d: { file: string; line: number | null; name: string }): string {
  return `${d.file}|${d.line}|${d.name}`;
}

export function markerOf(group: PlannedGroup, baseSha: string, pins?: ReadonlyMap<string, { from_digest?: string | null; to_digest?: string | null }>): PrMarker {
  return {
    v: 1,
    group: group.key,
    issues: [...new Set(group.updates.flatMap((u) => u.issues.map((i) => i.id)))],
    deps: group.updates.map((u) => ({
      name: u.dep.name,
      component: u.dep.component,
      package_manager: u.dep.package_manager,
      file: u.dep.file,
      line: u.dep.line,
      current_value: u.dep.current_value,
      from: u.dep.version,
      to: u.newVersion,
      security: u.security,
      ...(u.dep.value_span ? { value_span: u.dep.value_span } : {}),
      ...pinFields(pins?.get(declarationKey(u.dep))),
    })),
    base_sha: baseSha,
    branch: group.branch,
  };
}

function pinFields(p: { from_digest?: string | null; to_digest?: string | null } | undefined): { from_digest?: string; to_digest?: string } {
  return p?.to_digest ? { ...(p.from_digest ? { from_digest: p.from_digest } : {}), to_digest: p.to_digest } : {};
}

interface BuiltCommit {
  commitSha: string;
  files: FileChange[];
  lockfiles: Array<{ manifest: string; outcome: LockfileOutcome }>;
  failures: string[];
  applied: MarkerDep[];
}

/**
 * Apply the marker's updates to the files of `baseSha` and make ONE commit on it. Updates that fail are
 * reported (file and line) and left out; null when none applied.
 */
async function buildUpdateCommit(
  octokit: GitHubClient,
  args: {
    owner: string;
    repo: string;
    baseSha: string;
    deps: readonly MarkerDep[];
    message: string;
    runner?: CommandRunner;
    npmAvailable?: boolean;
    lookups: DigestLookups;
    artefacts: Pick<RequirementSource, "artefact">;
    artefactSource: string;
  },
): Promise<BuiltCommit | { failures: string[] }> {
  const { owner, repo } = args;
  // A truncated listing is walked by subtrees, down to the directories of the files to edit.
  const { treeSha, entries } = await readTree(octokit, owner, repo, args.baseSha, args.deps.map((d) => d.file));
  const contents = new Map<string, string>();
  /** Blobs read once even when an update of that file fails. */
  const originals = new Map<string, string>();
  const failures: string[] = [];
  const applied: MarkerDep[] = [];
  /** Companion files edited with a lockfile (go.sum), and notes of the edits ("file\0note"). */
  const lockNotes = new Map<string, string[]>();
  for (const d of args.deps) {
    const entry = entries.get(d.file);
    if (!entry) {
      failures.push(`${d.file}: not in the tree of ${args.baseSha.slice(0, 12)}; ${d.name} not updated`);
      continue;
    }
    let before = contents.get(d.file) ?? originals.get(d.file);
    if (before === undefined) {
      before = await readBlobText(octokit, owner, repo, entry.sha);
      originals.set(d.file, before);
    }
    // A lockfile named as the file: a transitive package's entry moves in place, from the registry's metadata.
    // go.mod is the manifest as well: only a transitive (`// indirect`) requirement is edited this way.
    const editLock = lockEditorFor(d.file);
    const datasource = lockDatasourceFor(d.file);
    if (editLock && datasource && (datasource !== "go" || d.current_value === "(transitive)")) {
      let facts: Awaited<ReturnType<RequirementSource["artefact"]>> = null;
      try {
        facts = await args.artefacts.artefact(datasource, d.name, d.to);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (datasource === "go") failures.push(goNotUpdated(d, err instanceof GoSumdbOffError ? why : `the Go checksum database or module proxy could not be read (${why})`));
        else failures.push(`${d.file}: ${d.name} ${d.to}: registry metadata could not be read (${why}); lockfile not edited`);
        continue;
      }
      if (!facts) {
        if (datasource === "go") failures.push(goNotUpdated(d, `the checksum database has no go.sum lines for it (${args.artefactSource})`));
        else failures.push(`${d.file}: ${d.name} ${d.to} is not in the registry (${args.artefactSource}); lockfile not edited`);
        continue;
      }
      const r = editLock(d.file, before, d.name, d.from, facts);
      if ("error" in r) {
        failures.push(r.error);
        continue;
      }
      // Companions (go.sum with go.mod) move together, or nothing moves.
      const companionEdits: Array<[string, string]> = [];
      let companionFailed = false;
      for (const c of lockCompanionsFor(d.file)) {
        const e = entries.get(c.path);
        if (!e) continue;
        let text = contents.get(c.path) ?? originals.get(c.path);
        if (text === undefined) {
          text = await readBlobText(octokit, owner, repo, e.sha);
          originals.set(c.path, text);
        }
        const cr = c.edit(c.path, text, d.name, d.from, facts);
        if ("error" in cr) {
          failures.push(cr.error);
          companionFailed = true;
          break;
        }
        companionEdits.push([c.path, cr.content]);
      }
      if (companionFailed) continue;
      contents.set(d.file, r.content);
      for (const [p, c] of companionEdits) {
        contents.set(p, c);
        lockNotes.set(p, [...(lockNotes.get(p) ?? []), `${d.name} ${d.from} → ${d.to}`]);
      }
      if ("note" in r && r.note) lockNotes.set(`${d.file}\u0000note`, [...new Set([...(lockNotes.get(`${d.file}\u0000note`) ?? []), r.note])]);
      applied.push({ ...d, from_digest: undefined, to_digest: undefined });
      continue;
    }
    // A SHA- or digest-pinned declaration moves with the new tag's SHA / digest (looked up here).
    const pin = detectPin({ ...d, digest: d.from_digest ?? null }, before);
    let pinned: { from_digest: string; to_digest: string } | null = null;
    if (pin) {
      // Recreating on a new base: the marker already holds the digest this PR proposed for the same pin.
      const known = d.to_digest && d.from_digest === pin.current ? d.to_digest : null;
      const res = known ? { kind: pin.kind, digest: known, from: pin.current } : await resolveNewDigest(d, d.to, args.lookups, pin);
      if ("error" in res) {
        failures.push(res.error);
        continue;
      }
      if (res.kind !== "none") pinned = { from_digest: pin.current, to_digest: res.digest };
    }
    const r = updateManifest(
      d.file,
      before,
      { name: d.name, line: d.line, current_value: d.current_value, version: d.from, package_manager: d.package_manager, file: d.file, value_span: d.value_span ?? null },
      d.to,
      pinned ? { newDigest: pinned.to_digest } : {},
    );
    if ("error" in r) {
      failures.push(r.error);
      continue;
    }
    contents.set(d.file, r.content);
    applied.push(pinned ? { ...d, ...pinned } : { ...d, from_digest: undefined, to_digest: undefined });
  }
  if (contents.size === 0) return { failures };
  const files: FileChange[] = [];
  const lockfiles: BuiltCommit["lockfiles"] = [];
  const allPaths = [...entries.keys()];
  for (const [path, content] of contents) {
    // Stryker disable next-line OptionalChaining: every edited path is a tree entry (the file or its companion was read from it)
    files.push({ path, content, mode: entries.get(path)?.mode === "100755" ? "100755" : "100644" });
    const d = applied.find((x) => x.file === path);
    if (!d) {
      // A companion of an edited lockfile (go.sum).
      lockfiles.push({ manifest: path, outcome: { kind: "edited", lockfile: path, entries: lockNotes.get(path) ?? [], source: args.artefactSource } });
      continue;
    }
    if (lockEditorFor(path) && (lockDatasourceFor(path) !== "go" || d.current_value === "(transitive)")) {
      const moved = applied.filter((x) => x.file === path).map((x) => `${x.name} ${x.from} → ${x.to}`);
      const notes = lockNotes.get(`${path}\u0000note`);
      lockfiles.push({ manifest: path, outcome: { kind: "edited", lockfile: path, entries: moved, source: args.artefactSource, ...(notes ? { notes } : {}) } });
      continue;
    }
    const outcome = await regenerateLockfile({
      manifestPath: path,
      manifestContent: content,
      packageManager: d.package_manager,
      depName: applied.filter((x) => x.file === path).map((x) => x.name).join(" "),
      newVersion: d.to,
      files: allPaths,
      readRepoFile: async (p) => {
        const e = entries.get(p);
        return e ? readBlobText(octokit, owner, repo, e.sha) : null;
      },
      runner: args.runner,
      npmAvailable: args.npmAvailable,
    });
    if (outcome.kind !== "none") lockfiles.push({ manifest: path, outcome });
    if (outcome.kind === "regenerated") {
      // Stryker disable next-line OptionalChaining: a regenerated lockfile is one found among the tree's paths (lockfileInstructions)
      for (const f of outcome.files) files.push({ path: f.path, content: f.content, mode: entries.get(f.path)?.mode === "100755" ? "100755" : "100644" });
    }
  }
  const commitSha = await createCommit(octokit, { owner, repo, parentSha: args.baseSha, baseTreeSha: treeSha, files, message: args.message });
  return { commitSha, files, lockfiles, failures, applied };
}

/** Walk an open issue to in_progress along legal lifecycle moves (a PR now works on it). */
function toInProgress(issue: MaintenanceIssue, at: Date, reason: string): MaintenanceIssue {
  const path: LifecycleState[] = ["assessed", "prioritized", "scheduled", "in_progress"];
  let cur = issue;
  // From in_progress the slice is empty: nothing to do.
  for (const step of path.slice(Math.max(0, path.indexOf(cur.lifecycle_state) + 1))) {
    const r = tryTransitionIssue(cur, step, { at, reason, actor: APP_ACTOR });
    if (!r.ok) return cur;
    cur = r.issue;
  }
  return cur;
}

/**
 * Registry metadata for lockfile-only edits, from the mirrors (operator mirrors over `registries`) when
 * there are some. go.sum lines come from `registries.go_sumdb`, else the Go mirror's sumdb proxy.
 */
function defaultArtefacts(config: CowabungaConfig, mirrors: Registries = {}, http?: HttpClient): { artefacts: Pick<RequirementSource, "artefact">; artefactSource: string } {
  let source: RequirementSource | null = null;
  const registries: Registries = { ...config.registries, ...mirrors };
  const npm = registries.npm ?? "https://registry.npmjs.org";
  const pypi = registries.pypi ?? "https://pypi.org";
  const go = registries.go ?? "https://proxy.golang.org";
  const sumdb = goSumdbOf(registries);
  const opts = { npmRegistry: npm, pypi, goProxy: go, goSumdb: sumdb };
  return {
    artefacts: {
      artefact: (ds, name, version) => (source ??= createRequirementSource({ http: http ?? sharedHttpClient(), ...opts })).artefact(ds, name, version),
    },
    artefactSource: `${npm} (npm), the crates.io sparse index, ${pypi} (PyPI JSON API), ${go} and ${sumdb ?? "no checksum database"} (Go)`,
  };
}

/** A Go module fix that was not written: go.sum is named with the command that relocks it. */
function goNotUpdated(d: MarkerDep, why: string): string {
  const dir = d.file.includes("/") ? d.file.slice(0, d.file.lastIndexOf("/")) : "";
  const sum = dir ? `${dir}/go.sum` : "go.sum";
  return `${sum} (and ${d.file}): ${d.name} ${d.to} not edited in place: ${why}. Run: ${dir ? `cd ${dir} && ` : ""}go get ${d.name}@${d.to} && go mod tidy; and push the result`;
}

function lazyDefaultDocker(registry: string | undefined): DigestSource {
  let source: DigestSource | null = null;
  return { digestOf: (ref, tag) => (source ??= defaultDigestSource(registry)).digestOf(ref, tag) };
}

function isIssueRequest(a: OpenUpdateArgs | IssueUpdateRequest): a is IssueUpdateRequest {
  // Stryker disable next-line LogicalOperator: either test alone tells the two shapes apart (OpenUpdateArgs has no `issue` and a string `repo`)
  return "issue" in a && typeof (a as IssueUpdateRequest).repo === "object";
}

/**
 * Open (or refresh) the update PR of one planned group: branch `cowabunga/<component>/<package>-<version>`
 * from the default branch head, ONE commit through the Git Data API (blobs → tree on base_tree with the
 * original file modes → commit with the base as parent → ref created, or force-moved when it exists),
 * the PR with its body and marker, labels and reviewers from config, superseded PRs closed with a comment,
 * a "pending" MaintenanceRecord in the store and the linked issues moved to in_progress.
 * Also accepts the app's issue-command request (`{ issue, repo: RepoRef, ... }`) and plans that issue's
 * update itself; then returns `{ message }` when nothing can be opened.
 */
export async function openUpdatePullRequest(args: OpenUpdateArgs): Promise<OpenUpdateResult | { message: string }>;
export async function openUpdatePullRequest(args: IssueUpdateRequest): Promise<OpenUpdateResult | { message: string }>;
export async function openUpdatePullRequest(args: OpenUpdateArgs | IssueUpdateRequest): Promise<OpenUpdateResult | { message: string }> {
  if (isIssueRequest(args)) return openUpdateForIssue(args);
  const { octokit, owner, repo, group, config, store, clock, log } = args;
  const now = clock();
  const marker = markerOf(group, args.baseSha);
  const lookups: DigestLookups = { octokit, dockerRegistry: config.registries.docker, docker: args.docker ?? lazyDefaultDocker(config.registries.docker) };
  const arte = args.artefacts ? { artefacts: args.artefacts, artefactSource: "the registry" } : defaultArtefacts(config, args.registryMirrors, args.http);
  const built = await buildUpdateCommit(octokit, { owner, repo, baseSha: args.baseSha, deps: marker.deps, message: group.title, runner: args.runner, npmAvailable: args.npmAvailable, lookups, ...arte });
  if (!("commitSha" in built)) {
    log.warn({ group: group.key, failures: built.failures }, "no update could be applied");
    return { message: `No update could be applied: ${built.failures.join("; ")}` };
  }
  const appliedByKey = new Map(built.applied.map((d) => [declarationKey(d), d] as const));
  const appliedGroup: PlannedGroup = { ...group, updates: group.updates.filter((u) => appliedByKey.has(declarationKey(u.dep))) };
  const finalMarker = markerOf(appliedGroup, args.baseSha, appliedByKey);
  const body = renderUpdateBody({
    group: appliedGroup,
    baseSha: args.baseSha,
    defaultBranch: args.defaultBranch,
    risk: args.risk ?? riskOf(appliedGroup, config, now),
    lockfiles: built.lockfiles,
    failures: built.failures,
    marker: finalMarker,
  });
  await upsertBranch(octokit, owner, repo, group.branch, built.commitSha);

  let number: number;
  let htmlUrl: string;
  const findOpen = async (): Promise<{ number: number; html_url: string } | null> => {
    const list = await octokit.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open", head: `${owner}:${group.branch}`, per_page: 1 });
    return list.data[0] ? { number: list.data[0].number, html_url: list.data[0].html_url } : null;
  };
  try {
    // A create whose answer was lost is found by its head branch, not made twice.
    const pr = await createOnce(async () => {
      const res = await octokit.request("POST /repos/{owner}/{repo}/pulls", { owner, repo, title: group.title, head: group.branch, base: args.defaultBranch, body, maintainer_can_modify: true });
      return { number: res.data.number, html_url: res.data.html_url };
    }, findOpen);
    number = pr.number;
    htmlUrl = pr.html_url;
  } catch (e) {
    if (statusOf(e) !== 422) throw e;
    // A PR for this branch is already open (the branch was recreated): refresh its title and body.
    const list = await octokit.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open", head: `${owner}:${group.branch}`, per_page: 1 });
    const existing = list.data[0];
    if (!existing) throw e;
    await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: existing.number, title: group.title, body });
    number = existing.number;
    htmlUrl = existing.html_url;
  }

  // The base label (issues.labels[0], default `cowabunga`) is always added: the app finds its open PRs in
  // its one issue listing (`?labels=<base>&state=all`), which returns pull requests too.
  const prLabels = [...new Set([...config.updates.labels, config.issues.labels[0] ?? BASE_PR_LABEL])];
  // Stryker disable next-line ConditionalExpression,EqualityOperator: never empty (the base label), kept as a guard
  if (prLabels.length > 0) {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner, repo, issue_number: number, labels: prLabels }).catch((e: unknown) => {
      log.warn({ pr: number, err: describeError(e) }, "could not add labels");
    });
  }
  const users = config.updates.reviewers.filter((r) => !r.includes("/"));
  const teams = config.updates.reviewers.filter((r) => r.includes("/")).map((r) => r.slice(r.indexOf("/") + 1));
  if (users.length + teams.length > 0) {
    await octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", { owner, repo, pull_number: number, reviewers: users, team_reviewers: teams }).catch((e: unknown) => {
      log.warn({ pr: number, err: describeError(e) }, "could not request reviewers");
    });
  }

  const superseded: number[] = [];
  for (const old of group.supersedes) {
    if (old === number) continue;
    try {
      await commentOnce(octokit, { owner, repo }, old, `superseded-by:${number}`, `Superseded by #${number}, which updates to a newer version.`);
      const closed = await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: old, state: "closed" });
      const oldBranch = (closed.data as { head?: { ref?: string } }).head?.ref;
      if (oldBranch && oldBranch !== group.branch && oldBranch.startsWith(BRANCH_PREFIX)) await deleteBranch(octokit, owner, repo, oldBranch, log);
      superseded.push(old);
      await store.updateRecords({ owner, repo }, (records) => records.map((r) => (r.pull_request === old && r.attempt_status === "pending" ? { ...r, attempt_status: "closed" as const } : r)));
    } catch (e) {
      log.warn({ pr: old, err: describeError(e) }, "could not close the superseded PR");
    }
  }

  const recordId = recordIdForPr(number);
  const record = pendingRecord(recordId, appliedGroup, finalMarker, built.files.map((f) => f.path), number, args.baseSha, args.defaultBranch, now);
  await store.updateRecords({ owner, repo }, (records) => [...records.filter((r) => r.id !== recordId), record]);
  const ids = new Set(finalMarker.issues);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no linked issue the update changes nothing (one store write saved)
  if (ids.size > 0) {
    await store.updateIssues({ owner, repo }, (issues) => issues.map((i) => (ids.has(i.id) ? toInProgress(i, now, `update PR #${number} opened`) : i)));
  }
  log.info({ pr: number, branch: group.branch, commit: built.commitSha }, "update pull request opened");
  return { number, html_url: htmlUrl, branch: group.branch, commit_sha: built.commitSha, record_id: recordId, failures: built.failures, superseded };
}

function pendingRecord(id: string, group: PlannedGroup, marker: PrMarker, files: string[], pr: number, baseSha: string, defaultBranch: string, now: Date): MaintenanceRecord {
  return {
    id,
    title: group.title,
    type: group.security ? "security_patch" : "update",
    description: `Update PR #${pr}: ${marker.deps.map((d) => `${d.name} ${d.from} → ${d.to}`).join(", ")}`,
    performed_by: APP_ACTOR,
    performed_at: now.toISOString(),
    duration_minutes: 0,
    rollback_available: true,
    files_modified: files,
    dependencies_updated: marker.deps.map((d) => `${d.name}@${d.from}→${d.to}`),
    tests_run: [],
    success: false,
    issues_resolved: [],
    issues_introduced: [],
    test_results: null,
    rollback_strategy: rollbackStrategy(baseSha, defaultBranch),
    rollback_before_commit: baseSha,
    pull_request: pr,
    revert_pull_request: null,
    attempt_status: "pending",
    merge_commit_sha: null,
  };
}

/** The issue-command path: plan the update that resolves one issue and open it now. */
async function openUpdateForIssue(req: IssueUpdateRequest): Promise<OpenUpdateResult | { message: string }> {
  const { octokit, owner, store, issue, clock, log } = req;
  const repo = req.repo.repo;
  const config = req.config ?? defaultConfig();
  const deps = (await store.getDependencies(req.repo)).filter((d: Dependency) => issuesForOne(d, issue));
  if (deps.length === 0) return { message: `No dependency in the last scan is linked to issue ${issue.id}; run a scan first.` };
  const meta = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
  const defaultBranch = meta.data.default_branch;
  const head = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${defaultBranch}` });
  const open = await listAppPullRequests(octokit, owner, repo);
  // An explicit request bypasses windows, update types and release age, but not max_open_prs.
  const plan = planUpdates(
    { dependencies: deps, issues: [issue] },
    { ...config, updates: { ...config.updates, update_types: ["major", "minor", "patch", "digest"], minimum_release_age_days: 0 } },
    open.map((p) => ({ number: p.number, head_ref: p.head.ref, body: p.body })),
    { now: clock(), inWindow: true },
  );
  const group = plan.groups[0];
  if (!group) {
    if (plan.unchanged[0]) return { message: `Update pull request #${plan.unchanged[0].number} is already open.` };
    return { message: `Nothing to update: ${plan.skipped.map((s) => `${s.name}: ${s.reason}`).join("; ") || "no newer version known"}` };
  }
  return openUpdatePullRequest({ octokit, owner, repo, defaultBranch, baseSha: head.data.object.sha, group, config, store, clock, log, runner: req.runner, docker: req.docker });
}

function issuesForOne(d: Dependency, issue: MaintenanceIssue): boolean {
  return (
    issue.subject.includes(`:${d.name}@${d.version}`) ||
    issue.subject.startsWith(`${d.name}@${d.version}`) ||
    subjectNames(issue, d) ||
    (issue.files_affected.includes(d.file) && issue.title.includes(d.name))
  );
}

interface ListedPr {
  number: number;
  body: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  html_url: string;
}

/** The app's open update PRs (head branch under `cowabunga/`, revert PRs excluded). */
export async function listAppPullRequests(octokit: GitHubClient, owner: string, repo: string): Promise<ListedPr[]> {
  const out: ListedPr[] = [];
  for (let page = 1; page <= 10; page++) {
    const res = await octokit.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open", per_page: 100, page });
    for (const p of res.data) {
      if (p.head.ref.startsWith(BRANCH_PREFIX) && !p.head.ref.startsWith(`${BRANCH_PREFIX}revert/`)) out.push({ number: p.number, body: p.body, head: { ref: p.head.ref, sha: p.head.sha }, base: { ref: p.base.ref, sha: p.base.sha }, html_url: p.html_url });
    }
    if (res.data.length < 100) break;
  }
  return out;
}

export interface MaintainArgs {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  defaultBranch: string;
  config: CowabungaConfig;
  store: Store;
  clock: () => Date;
  log: Logger;
  /** Logins whose commits count as the app's own (e.g. "cowabunga[bot]"). */
  appLogins: readonly string[];
  runner?: CommandRunner;
  npmAvailable?: boolean;
  /**
   * The app's open update PRs when the caller already has them (the scan takes them from its issue
   * listing): no `GET /pulls`. Default: listed with listAppPullRequests.
   */
  prs?: ReadonlyArray<{ number: number; body: string | null | undefined }>;
  /** Head of the default branch when the caller knows it (the scan does): no `GET git/ref`. */
  headSha?: string;
  /** Registry client for digest-pinned images (see OpenUpdateArgs.docker). */
  docker?: DigestSource;
  /**
   * The dependencies the scan just read on the base branch. Given: a PR whose dependencies are all at
   * or past their targets there is closed (comment, branch deleted), and a rebuild only moves what is
   * still behind, from where the base now stands, so it can never become a downgrade.
   */
  dependencies?: readonly Dependency[];
  /** PRs a person asked to rebuild (`/cowabunga rebase` or the body's checkbox): rebuilt even without a conflict. */
  rebaseRequested?: ReadonlySet<number>;

  /** Registry metadata for lockfile-only edits (see OpenUpdateArgs.artefacts, .http, .registryMirrors). */
  artefacts?: Pick<RequirementSource, "artefact">;
  http?: HttpClient;
  registryMirrors?: Registries;
}

export interface MaintainResult {
  recreated: number[];
  /** PRs left alone because a human pushed to them. */
  humanEdited: number[];
  closed: number[];
  /** PRs closed because the base branch already has their versions (or newer). Also in `closed`. */
  upToDate: number[];
  /** Writes that failed (they are retried by the next run). */
  errors: string[];
}

/** Delete an update branch (404/422: already gone). */
export async function deleteBranch(octokit: GitHubClient, owner: string, repo: string, branch: string, log: Logger): Promise<void> {
  try {
    await octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${branch}` });
  } catch (e) {
    const s = statusOf(e);
    if (s !== 404 && s !== 422) {
      log.warn({ branch, err: describeError(e) }, "could not delete the update branch");
      throw e;
    }
  }
}

/**
 * Upkeep of the app's open update PRs:
 * - recreate (force-update the branch to one fresh commit on the current default-branch head) when
 *   `updates.rebase` says so: `conflicts` (default) only when GitHub reports `mergeable === false`,
 *   `behind` also when the base moved, `never` not at all. Never when a commit on the branch was not made
 *   by the app (a human pushed): the PR is left to them. The body (rollback SHA) is refreshed.
 * - close the newest non-security PRs beyond `updates.max_open_prs`, with a comment.
 */
export async function maintainOpenPullRequests(args: MaintainArgs): Promise<MaintainResult> {
  const { octokit, owner, repo, config, log } = args;
  const result: MaintainResult = { recreated: [], humanEdited: [], closed: [], upToDate: [], errors: [] };
  const prs: ReadonlyArray<{ number: number; body: string | null | undefined }> = args.prs ?? (await listAppPullRequests(octokit, owner, repo));
  if (prs.length === 0) return result;
  const headSha =
    args.headSha ?? (await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${args.defaultBranch}` })).data.object.sha;

  // Surplus over max_open_prs: close the newest non-security ones.
  const byAge = [...prs].sort((a, b) => a.number - b.number);
  let surplus = byAge.length - config.updates.max_open_prs;
  const closed = new Set<number>();
  for (const pr of [...byAge].reverse()) {
    if (surplus <= 0) break;
    const m = parsePrMarker(pr.body);
    if (m?.deps.some((d) => d.security)) continue;
    try {
      await commentOnce(octokit, { owner, repo }, pr.number, "surplus", `Closed: more than updates.max_open_prs (${config.updates.max_open_prs}) update PRs are open. It will be reopened when a slot frees up.`);
      await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: pr.number, state: "closed" });
      closed.add(pr.number);
      result.closed.push(pr.number);
      surplus--;
    } catch (e) {
      log.warn({ pr: pr.number, err: describeError(e) }, "could not close a surplus PR");
      result.errors.push(`close surplus PR #${pr.number}: ${describeError(e)}`);
    }
  }

  const humanEdited = async (number: number): Promise<boolean> => {
    const commits = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", { owner, repo, pull_number: number, per_page: 100 });
    return commits.data.some((c) => !args.appLogins.includes(c.author?.login ?? "") || !args.appLogins.includes(c.committer?.login ?? c.author?.login ?? ""));
  };

  for (const pr of prs) {
    if (closed.has(pr.number)) continue;
    const marker = parsePrMarker(pr.body);
    if (!marker) continue;
    const requested = args.rebaseRequested?.has(pr.number) ?? false;
    // Built on the current head: neither behind nor in conflict. Only PRs whose base moved cost a read.
    if (marker.base_sha === headSha) {
      if (requested && rebaseRequested(pr.body)) {
        await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: pr.number, body: untickRebase(pr.body ?? "") });
      }
      continue;
    }

    // The base branch moved: what does it declare now?
    let deps = marker.deps;
    if (args.dependencies) {
      const standings = marker.deps.map((d) => ({ d, s: standingOf(d, args.dependencies!) }));
      const behind = standings.filter((x) => x.s.kind === "behind");
      const done = standings.filter((x) => x.s.kind === "done");
      if (behind.length === 0 && done.length > 0) {
        // Already at or past every target on the base (updated by hand or elsewhere): nothing left to do.
        // Unless a person pushed to it: their work is theirs to close.
        if (await humanEdited(pr.number)) {
          result.humanEdited.push(pr.number);
          log.info({ pr: pr.number }, "not closing: the base has the update, but the branch has commits not made by the app");
          continue;
        }
        try {
          // Stryker disable next-line ConditionalExpression: `done` holds only kind "done" standings; the ternary only narrows the type
          await closeUpToDate(args, pr.number, marker, done.map((x) => ({ name: x.d.name, to: x.d.to, now: x.s.kind === "done" ? (x.s.current.locked_version ?? x.s.current.version) : x.d.to })));
          closed.add(pr.number);
          result.closed.push(pr.number);
          result.upToDate.push(pr.number);
        } catch (e) {
          log.warn({ pr: pr.number, err: describeError(e) }, "could not close an update PR whose dependency is already up to date");
          result.errors.push(`close up-to-date PR #${pr.number}: ${describeError(e)}`);
        }
        continue;
      }
      // Only what is still behind, from where the base now stands: a rebuild can never downgrade.
      // Stryker disable next-line ConditionalExpression: `behind` holds only kind "behind" standings; the ternary only narrows the type
      deps = behind.map((x) => (x.s.kind === "behind" ? refreshFromBase(x.d, x.s.current) : x.d));
      if (behind.length === 0) continue; // nothing declared any more: leave the PR to a person
    }

    if (config.updates.rebase === "never" && !requested) continue;
    const detail = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: pr.number });
    if (detail.data.state === "closed") continue;
    const headRef = (pr as { head?: { ref?: string } }).head?.ref ?? (detail.data.head as { ref?: string } | undefined)?.ref ?? marker.branch;
    if (!headRef) {
      log.warn({ pr: pr.number }, "not recreating: the PR's head branch is unknown");
      continue;
    }
    const conflicts = detail.data.mergeable === false;
    // The marker's base is not the head here (that case was left above).
    const behindBase = detail.data.base.sha !== headSha;
    const wanted = requested || conflicts || (config.updates.rebase === "behind" && behindBase);
    if (!wanted) continue;
    // An explicit request wins over a person's commits (as Renovate's checkbox does); otherwise they are kept.
    if (!requested && (await humanEdited(pr.number))) {
      result.humanEdited.push(pr.number);
      log.info({ pr: pr.number }, "not recreating: the branch has commits not made by the app");
      continue;
    }
    const lookups: DigestLookups = { octokit, dockerRegistry: config.registries.docker, docker: args.docker ?? lazyDefaultDocker(config.registries.docker) };
    const arte = args.artefacts ? { artefacts: args.artefacts, artefactSource: "the registry" } : defaultArtefacts(config, args.registryMirrors, args.http);
    const built = await buildUpdateCommit(octokit, { owner, repo, baseSha: headSha, deps, message: detail.data.title, runner: args.runner, npmAvailable: args.npmAvailable, lookups, ...arte });
    if (!("commitSha" in built)) {
      log.warn({ pr: pr.number, failures: built.failures }, "could not recreate the update on the new base");
      continue;
    }
    await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${headRef}`, sha: built.commitSha, force: true });
    const newMarker: PrMarker = { ...marker, deps: built.applied, base_sha: headSha, branch: headRef };
    const body = untickRebase(pr.body ?? "")
      .split(marker.base_sha)
      .join(headSha)
      .replace(/<!-- cowabunga:pr:[^\n]*? -->/, "")
      .trimEnd();
    await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: pr.number, body: `${body}\n\n<!-- cowabunga:pr:${markerJson(newMarker)} -->` });
    await args.store.updateRecords({ owner, repo }, (records) =>
      records.map((r) => (r.pull_request === pr.number && r.attempt_status === "pending" ? { ...r, rollback_before_commit: headSha, rollback_strategy: rollbackStrategy(headSha, args.defaultBranch || detail.data.base.ref) } : r)),
    );
    result.recreated.push(pr.number);
  }
  return result;
}

/**
 * Close an update PR the base branch has caught up with: one comment saying why (kept once by its
 * marker), the PR closed, its branch deleted, its pending record marked closed.
 */
async function closeUpToDate(args: MaintainArgs, number: number, marker: PrMarker, done: Array<{ name: string; to: string; now: string }>): Promise<void> {
  const { octokit, owner, repo, log } = args;
  const list = done.map((d) => `${d.name} is at ${d.now} (this PR's target: ${d.to})`).join("; ");
  await commentOnce(
    octokit,
    { owner, repo },
    number,
    "up-to-date",
    `Closing: the base branch already has this update or a newer one (${list}). Nothing is left for this PR to change, so its branch is deleted.`,
  );
  const closedPr = await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: number, state: "closed" });
  const branch = (closedPr.data as { head?: { ref?: string } }).head?.ref ?? marker.branch;
  if (branch && branch.startsWith(BRANCH_PREFIX)) await deleteBranch(octokit, owner, repo, branch, log);
  await args.store.updateRecords({ owner, repo }, (records) => records.map((r) => (r.pull_request === number && r.attempt_status === "pending" ? { ...r, attempt_status: "closed" as const } : r)));
  log.info({ pr: number }, "update PR closed: the base branch already has its versions");
}
