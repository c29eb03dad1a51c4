import yauzl from "yauzl";
import type { MaintenanceRecord, TestError, TestFailure, TestInfo, TestResult } from "../../model/index.js";
import type { Store } from "../../store/types.js";
import { escapeMarkdown } from "../report/escape.js";
import { BRANCH_PREFIX, describeError, statusOf, type GitHubClient, type Logger } from "./pulls-git.js";
import { mergeCoverage, parseReport, type ParsedCoverage, type ParsedTests } from "./test-reports/index.js";

export const TEST_RESULTS_MARKER = "<!-- cowabunga:test-results -->";
export const TESTS_FAILED_LABEL = "cowabunga:tests-failed";

export interface ArtifactLimits {
  /** Artifacts bigger than this (zipped) are skipped. */
  maxArtifactBytes: number;
  /** Report files bigger than this (unzipped) are skipped. */
  maxEntryBytes: number;
  maxEntries: number;
  maxArtifacts: number;
}

export const DEFAULT_LIMITS: ArtifactLimits = { maxArtifactBytes: 50 * 1024 * 1024, maxEntryBytes: 20 * 1024 * 1024, maxEntries: 500, maxArtifacts: 20 };

export interface CiCompletedArgs {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  headSha: string;
  /** The update PR; when absent it is looked up from the commit (only `cowabunga/` branches count). */
  prNumber?: number | null;
  store: Store;
  log: Logger;
  limits?: Partial<ArtifactLimits>;
}

export type CiCompletedResult =
  | { status: "skipped"; reason: string }
  | { status: "reported"; prNumber: number; result: TestResult; failed: boolean; comment: "created" | "updated" | "unchanged" };

interface CheckRun {
  name: string;
  status: string;
  conclusion: string | null;
  html_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output?: { title?: string | null; summary?: string | null } | null;
}

const FAILING = new Set(["failure", "timed_out", "cancelled", "action_required", "startup_failure"]);

/** Read the report files of one artifact zip, within the limits. Unknown files are skipped. */
export function readArtifactZip(buf: Buffer, limits: ArtifactLimits, source: string): Promise<{ files: Array<{ name: string; text: string }>; errors: string[] }> {
  return new Promise((resolve) => {
    const files: Array<{ name: string; text: string }> = [];
    const errors: string[] = [];
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) {
        resolve({ files, errors: [`${source}: not a zip (${err?.message ?? "unknown error"})`] });
        return;
      }
      let seen = 0;
      zip.on("entry", (entry: yauzl.Entry) => {
        seen++;
        const name = entry.fileName;
        const interesting = /\.(xml|info|json)$/i.test(name) || /lcov/i.test(name);
        if (seen > limits.maxEntries || name.endsWith("/") || !interesting || (name.endsWith(".json") && !/coverage-summary\.json$/i.test(name))) {
          zip.readEntry();
          return;
        }
        if (entry.uncompressedSize > limits.maxEntryBytes) {
          errors.push(`${source}/${name}: ${entry.uncompressedSize} bytes, over the ${limits.maxEntryBytes}-byte limit; skipped`);
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) {
            errors.push(`${source}/${name}: ${e2?.message ?? "unreadable"}`);
            zip.readEntry();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on("data", (c: Buffer) => {
            size += c.length;
            if (size <= limits.maxEntryBytes) chunks.push(c);
          });
          stream.on("error", (e3: Error) => {
            errors.push(`${source}/${name}: ${e3.message}`);
            zip.readEntry();
          });
          stream.on("end", () => {
            if (size <= limits.maxEntryBytes) files.push({ name, text: Buffer.concat(chunks).toString("utf8") });
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve({ files, errors }));
      zip.on("error", (e: Error) => resolve({ files, errors: [...errors, `${source}: ${e.message}`] }));
      zip.readEntry();
    });
  });
}

/** Combine check runs, JUnit reports and coverage reports into the seed's TestResult. */
export function buildTestResult(suite: string, checks: readonly CheckRun[], junit: readonly ParsedTests[], coverage: readonly ParsedCoverage[], reportErrors: readonly string[]): TestResult {
  const errors: TestError[] = [];
  for (const c of checks) {
    if (c.conclusion && FAILING.has(c.conclusion)) errors.push({ source: `check run ${c.name}`, message: `${c.conclusion}${c.output?.title ? `: ${c.output.title}` : ""}`.slice(0, 500) });
  }
  for (const e of reportErrors) errors.push({ source: "report", message: e });
  const cov = mergeCoverage(coverage);
  const span = (c: CheckRun): number => (c.started_at && c.completed_at ? Math.max(0, (Date.parse(c.completed_at) - Date.parse(c.started_at)) / 1000) : 0);
  let tests_run: number, tests_passed: number, tests_failed: number, tests_skipped: number, duration: number;
  let slowest: TestInfo[];
  let failures: TestFailure[];
  if (junit.length > 0) {
    tests_run = junit.reduce((a, j) => a + j.tests, 0);
    tests_passed = junit.reduce((a, j) => a + j.passed, 0);
    tests_failed = junit.reduce((a, j) => a + j.failed + j.errors, 0);
    tests_skipped = junit.reduce((a, j) => a + j.skipped, 0);
    duration = junit.reduce((a, j) => a + j.duration_seconds, 0);
    slowest = junit.flatMap((j) => j.cases).sort((a, b) => b.duration_seconds - a.duration_seconds).slice(0, 5);
    failures = junit.flatMap((j) => j.failures).slice(0, 50);
  } else {
    // No test reports: each completed check run counts as one test.
    const done = checks.filter((c) => c.status === "completed");
    tests_run = done.length;
    tests_failed = done.filter((c) => c.conclusion != null && FAILING.has(c.conclusion)).length;
    tests_skipped = done.filter((c) => c.conclusion === "skipped" || c.conclusion === "neutral").length;
    tests_passed = tests_run - tests_failed - tests_skipped;
    duration = done.reduce((a, c) => Math.max(a, span(c)), 0);
    slowest = done.map((c) => ({ name: c.name, suite: "check runs", duration_seconds: span(c) })).sort((a, b) => b.duration_seconds - a.duration_seconds).slice(0, 5);
    failures = done.filter((c) => c.conclusion != null && FAILING.has(c.conclusion)).map((c) => ({ name: c.name, suite: "check runs", message: `${c.conclusion}${c.output?.title ? `: ${c.output.title}` : ""}`, file: null, line: null }));
  }
  return {
    test_suite: suite,
    tests_run,
    tests_passed,
    tests_failed,
    tests_skipped,
    line_coverage: cov?.line_coverage ?? null,
    branch_coverage: cov?.branch_coverage ?? null,
    function_coverage: cov?.function_coverage ?? null,
    duration_seconds: Math.round(duration * 1000) / 1000,
    slowest_tests: slowest,
    failures,
    errors,
  };
}

export function testsFailed(r: TestResult): boolean {
  return r.tests_failed > 0 || r.errors.some((e) => e.source.startsWith("check run"));
}

const pctText = (v: number | null): string => (v == null ? "n/a" : `${v.toFixed(1)}%`);

/** The PR comment: every TestResult field, with the marker. */
export function renderTestComment(r: TestResult, headSha: string): string {
  const md = (v: unknown): string => escapeMarkdown(v);
  const out = [
    TEST_RESULTS_MARKER,
    `## Test results: ${testsFailed(r) ? "failed" : "passed"}`,
    "",
    `Suite: ${md(r.test_suite)} at \`${headSha.replace(/[^0-9a-f]/gi, "").slice(0, 12)}\``,
    "",
    "| Run | Passed | Failed | Skipped | Line cov. | Branch cov. | Function cov. | Duration |",
    "|---|---|---|---|---|---|---|---|",
    `| ${r.tests_run} | ${r.tests_passed} | ${r.tests_failed} | ${r.tests_skipped} | ${pctText(r.line_coverage)} | ${pctText(r.branch_coverage)} | ${pctText(r.function_coverage)} | ${r.duration_seconds.toFixed(1)} s |`,
  ];
  if (r.slowest_tests.length > 0) {
    out.push("", "### Slowest tests", "");
    for (const t of r.slowest_tests) out.push(`- ${md(t.suite ? `${t.suite} › ${t.name}` : t.name)}: ${t.duration_seconds.toFixed(2)} s`);
  }
  if (r.failures.length > 0) {
    out.push("", "### Failures", "");
    for (const f of r.failures) out.push(`- ${md(f.suite ? `${f.suite} › ${f.name}` : f.name)}${f.file ? ` (${md(f.file)}${f.line != null ? `:${f.line}` : ""})` : ""}: ${md(f.message)}`);
  }
  if (r.errors.length > 0) {
    out.push("", "### Errors", "");
    for (const e of r.errors) out.push(`- ${md(e.source)}: ${md(e.message)}`);
  }
  return out.join("\n");
}

async function findAppPr(octokit: GitHubClient, owner: string, repo: string, sha: string): Promise<number | null> {
  const res = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner, repo, commit_sha: sha });
  const pr = res.data.find((p) => p.state === "open" && p.head.ref.startsWith(BRANCH_PREFIX) && !p.head.ref.startsWith(`${BRANCH_PREFIX}revert/`));
  return pr ? pr.number : null;
}

/**
 * On check_suite / workflow_run / status completion for one of the app's update PRs: build a TestResult from
 * the commit's check runs and from the JUnit / Cobertura / lcov / Istanbul files in its workflow runs'
 * artifacts, and post ONE comment (marker `<!-- cowabunga:test-results -->`, edited only when different).
 * When tests fail: label `cowabunga:tests-failed`, the attempt is recorded as failed, the issues stay open.
 * Waits (skips) while some check run is still running. Never throws on a GitHub error for one artifact.
 */
export async function handleCiCompleted(args: CiCompletedArgs): Promise<CiCompletedResult> {
  if (!args || typeof args.headSha !== "string" || !args.store) {
    // Called with a Probot context instead of the options object: see docs/notes/update-prs.md.
    return { status: "skipped", reason: "handleCiCompleted needs { octokit, owner, repo, headSha, store, log }" };
  }
  const { octokit, owner, repo, headSha, store, log } = args;
  const limits = { ...DEFAULT_LIMITS, ...args.limits };
  const prNumber = args.prNumber ?? (await findAppPr(octokit, owner, repo, headSha));
  if (prNumber == null) return { status: "skipped", reason: "not an update PR of the app" };
  const runs = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: headSha, per_page: 100 });
  const checks = runs.data.check_runs as CheckRun[];
  if (checks.some((c) => c.status !== "completed")) return { status: "skipped", reason: "some check runs are still running" };

  const junit: ParsedTests[] = [];
  const coverage: ParsedCoverage[] = [];
  const reportErrors: string[] = [];
  // check_suite, workflow_run and check_run all report the same completion: the artifacts of one head
  // SHA's runs are downloaded once; a later event that sees the same finished runs changes nothing.
  const ref = { owner, repo };
  let reportKey: string | null = null;
  try {
    const wr = await octokit.request("GET /repos/{owner}/{repo}/actions/runs", { owner, repo, head_sha: headSha, per_page: 50 });
    const completedRuns = wr.data.workflow_runs.filter((r) => r.status === "completed");
    reportKey = ciReportKey(prNumber, checks, completedRuns.map((r) => Number(r.id)));
    const state = await store.getScanState(ref);
    const reported = (state as { ci_reports?: Record<string, unknown> } | null)?.ci_reports?.[headSha];
    if (reported === reportKey) return { status: "skipped", reason: `already reported for ${headSha.slice(0, 12)} and these runs` };
    let artifactsRead = 0;
    for (const run of completedRuns) {
      if (run.status !== "completed") continue;
      const arts = await octokit.request("GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts", { owner, repo, run_id: Number(run.id), per_page: 100 });
      for (const a of arts.data.artifacts) {
        if (a.expired) continue;
        if (artifactsRead >= limits.maxArtifacts) break;
        if (a.size_in_bytes > limits.maxArtifactBytes) {
          reportErrors.push(`artifact ${a.name}: ${a.size_in_bytes} bytes, over the limit; skipped`);
          continue;
        }
        artifactsRead++;
        try {
          const zip = await octokit.request("GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}", { owner, repo, artifact_id: a.id, archive_format: "zip" });
          const data = zip.data as unknown;
          const buf = Buffer.isBuffer(data) ? data : data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(String(data));
          const { files, errors } = await readArtifactZip(buf, limits, `artifact ${a.name}`);
          reportErrors.push(...errors);
          for (const f of files) {
            const parsed = parseReport(f.name, f.text);
            if (!parsed) continue;
            if (parsed.kind === "junit") junit.push(parsed.tests);
            else if (parsed.kind === "coverage") coverage.push(parsed.coverage);
            else reportErrors.push(`artifact ${a.name}: ${parsed.error}`);
          }
        } catch (e) {
          reportErrors.push(`artifact ${a.name}: download failed (${describeError(e)})`);
        }
      }
    }
  } catch (e) {
    log.warn({ err: describeError(e) }, "could not list workflow runs or artifacts");
    reportErrors.push(`workflow runs: ${describeError(e)}`);
  }

  const result = buildTestResult(checks.map((c) => c.name).join(", ") || "checks", checks, junit, coverage, reportErrors);
  const failed = testsFailed(result);
  const body = renderTestComment(result, headSha);
  const comment = await upsertMarkedComment(octokit, owner, repo, prNumber, TEST_RESULTS_MARKER, body);

  // The label is added or removed only when that changes something (no DELETE that 404s on every green run).
  const labelled = await hasLabel(octokit, owner, repo, prNumber, TESTS_FAILED_LABEL, log);
  if (failed && labelled !== true) {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner, repo, issue_number: prNumber, labels: [TESTS_FAILED_LABEL] }).catch((e: unknown) => log.warn({ err: describeError(e) }, "could not label"));
  } else if (!failed && labelled === true) {
    await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { owner, repo, issue_number: prNumber, name: TESTS_FAILED_LABEL }).catch((e: unknown) => {
      if (statusOf(e) !== 404) log.warn({ err: describeError(e) }, "could not remove the tests-failed label");
    });
  }
  if (reportKey !== null) {
    const key = reportKey;
    try {
      const state = await store.getScanState(ref);
      const prev = ((state as { ci_reports?: Record<string, string> } | null)?.ci_reports ?? {}) as Record<string, string>;
      // The last few head SHAs only.
      const kept = Object.entries(prev).filter(([sha]) => sha !== headSha).slice(-49);
      await store.putScanState(ref, { ...(state ?? {}), ci_reports: { ...Object.fromEntries(kept), [headSha]: key } });
    } catch (e) {
      log.warn({ err: describeError(e) }, "could not remember the CI report");
    }
  }
  const tests = [...new Set([...result.slowest_tests.map((t) => t.suite ?? t.name), ...checks.map((c) => c.name)])];
  await store.updateRecords({ owner, repo }, (records) =>
    records.map((r): MaintenanceRecord =>
      r.pull_request === prNumber && r.attempt_status !== "merged" && r.attempt_status !== "reverted"
        ? { ...r, test_results: result, tests_run: tests, success: false, attempt_status: failed ? "failed" : "pending" }
        : r,
    ),
  );
  return { status: "reported", prNumber, result, failed, comment };
}

/** What a CI report was built from: the PR, its check runs' outcomes and the finished workflow runs. */
function ciReportKey(prNumber: number, checks: readonly CheckRun[], runIds: readonly number[]): string {
  const c = checks.map((x) => `${x.name}=${x.status}/${x.conclusion ?? ""}`).sort();
  return `${prNumber}|${c.join(",")}|${[...runIds].sort((a, b) => a - b).join(",")}`;
}

/** Does the issue / PR carry `label`? null when it could not be read. */
async function hasLabel(octokit: GitHubClient, owner: string, repo: string, number: number, label: string, log: Logger): Promise<boolean | null> {
  try {
    const res = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: number });
    return (res.data.labels as Array<string | { name?: string }>).some((l) => (typeof l === "string" ? l : l.name) === label);
  } catch (e) {
    log.warn({ err: describeError(e) }, "could not read the PR's labels");
    return null;
  }
}

/** Create the comment holding `marker`, or edit it when its body differs. */
export async function upsertMarkedComment(octokit: GitHubClient, owner: string, repo: string, issueNumber: number, marker: string, body: string): Promise<"created" | "updated" | "unchanged"> {
  const list = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: issueNumber, per_page: 100 });
  const existing = list.data.find((c) => (c.body ?? "").includes(marker) && (c.user?.type === "Bot" || c.performed_via_github_app != null));
  if (!existing) {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: issueNumber, body });
    return "created";
  }
  if ((existing.body ?? "").trim() === body.trim()) return "unchanged";
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { owner, repo, comment_id: existing.id, body });
  return "updated";
}
