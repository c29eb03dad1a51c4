/**
 * Inputs for assess that the GitHub pipeline takes from what the app already stored, so they cost no
 * GitHub request: failing checks and the CI error rate from default-branch CI events (check_run,
 * check_suite, workflow_run completions remembered in scan_state.default_branch_ci by src/app/pr-routes.ts),
 * test results from the update-PR records (validation.ts writes them), and the last maintenance record.
 * Plus the choice of Markdown and source files a full scan reads in its batched contents query.
 */
import type { AssessInputs } from "../assess/types.js";
import { isSourceFile } from "../assess/detect/bug.js";
import type { CowabungaConfig } from "../config/schema.js";
import type { MaintenanceRecord, TestResult } from "../model/index.js";
import type { ScannedComponent } from "../scan/types.js";
import type { RepoFile } from "../source/types.js";
import { CI_WINDOW_DAYS, storedCiRuns, type DefaultBranchCiRun } from "./pr-routes.js";

/** Conclusions that make a default-branch run count as failed. */
const FAILED = new Set(["failure", "timed_out", "startup_failure", "action_required"]);
/** Conclusions that say nothing about health (not counted in the error rate). */
const NEUTRAL = new Set(["cancelled", "skipped", "neutral", "stale"]);

/** Text files a full scan reads for the bug-marker and documentation detectors. */
export const MAX_TEXT_FILES = 300;
export const MAX_TEXT_FILE_BYTES = 256 * 1024;

const MARKDOWN = /\.(md|markdown|mdx)$/i;
const SOURCE =
  /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|svelte|vue|py|pyi|go|rs|java|kt|kts|scala|rb|php|c|h|cc|cpp|hpp|cs|swift|sh|bash|zsh|ps1|lua|dart|ex|exs|erl|hs|ml|sql|tf)$/i;
/** Paths that are vendored or generated: never read for markers. */
const SKIP = /(^|\/)(node_modules|vendor|third_party|dist|build|\.git)\//;

function rank(path: string): number {
  const base = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  if (MARKDOWN.test(path)) return base.startsWith("readme") ? 0 : 1;
  return 2;
}

/**
 * Markdown files (when `issues.documentation`) and source files (when `issues.bug_markers`), each at most
 * MAX_TEXT_FILE_BYTES, at most MAX_TEXT_FILES in all: READMEs first, then other Markdown, then source,
 * each by depth then path. `skipped` counts the files left out by the cap.
 */
export function pickTextFiles(files: readonly RepoFile[], config: Pick<CowabungaConfig, "issues">): { paths: string[]; skipped: number } {
  const wanted = files.filter((f) => {
    if (SKIP.test(f.path)) return false;
    if (f.size !== null && f.size > MAX_TEXT_FILE_BYTES) return false;
    if (MARKDOWN.test(f.path)) return config.issues.documentation || config.issues.bug_markers;
    return config.issues.bug_markers && SOURCE.test(f.path) && isSourceFile(f.path);
  });
  wanted.sort((a, b) => rank(a.path) - rank(b.path) || a.path.split("/").length - b.path.split("/").length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { paths: wanted.slice(0, MAX_TEXT_FILES).map((f) => f.path), skipped: Math.max(0, wanted.length - MAX_TEXT_FILES) };
}

/** The component a path belongs to: the one with the longest matching directory ("." matches all). */
export function componentOfPath(path: string, components: readonly Pick<ScannedComponent, "name" | "path">[]): string | null {
  let best: { name: string; len: number } | null = null;
  for (const c of components) {
    const dir = c.path.replace(/\/+$/, "");
    const len = dir === "." || dir === "" ? 0 : dir.length;
    if (len > 0 && !(path === dir || path.startsWith(`${dir}/`))) continue;
    if (!best || len > best.len) best = { name: c.name, len };
  }
  return best?.name ?? null;
}

function isPerformed(r: MaintenanceRecord): boolean {
  // Update PRs are stored from the moment they open; only merged ones (or records without an attempt
  // status: performed by hand) are maintenance that happened.
  return r.attempt_status === undefined || r.attempt_status === "merged" || r.attempt_status === "reverted";
}

export interface StoredInputs {
  failingChecks?: AssessInputs["failingChecks"];
  ciErrorRate?: AssessInputs["ciErrorRate"];
  testResults?: AssessInputs["testResults"];
  lastMaintenance?: AssessInputs["lastMaintenance"];
}

/**
 * What the store knows beyond the scan:
 * - failingChecks: the default-branch runs recorded for `headSha` (the commit being scanned) whose
 *   conclusion is a failure. Runs of other commits are stale and ignored; no runs → omitted (unknown).
 * - ciErrorRate: failed / (passed + failed) × 100 of the default-branch runs in the last CI_WINDOW_DAYS,
 *   per component: the runs whose name contains the component's name, else all runs.
 * - testResults: per component, the test results of update-PR records (oldest first) whose modified
 *   files belong to it.
 * - lastMaintenance: the newest performed record (merged, reverted, or recorded by hand).
 */
export function storedAssessInputs(args: {
  state: Record<string, unknown> | null;
  records: readonly MaintenanceRecord[];
  headSha: string;
  components: readonly Pick<ScannedComponent, "name" | "path">[];
  now: Date;
}): StoredInputs {
  const out: StoredInputs = {};
  const cutoff = args.now.getTime() - CI_WINDOW_DAYS * 86_400_000;
  const runs = storedCiRuns(args.state).filter((r) => Date.parse(r.at) >= cutoff);

  const atHead = runs.filter((r) => r.sha === args.headSha);
  if (atHead.length > 0) {
    out.failingChecks = atHead
      .filter((r) => FAILED.has(r.conclusion))
      .map((r) => ({ name: r.name.slice(r.name.indexOf(":") + 1), url: r.url, conclusion: r.conclusion }));
  }

  const counted = runs.filter((r) => !NEUTRAL.has(r.conclusion));
  if (counted.length > 0 && args.components.length > 0) {
    const rate = (list: DefaultBranchCiRun[]): number => Math.round((list.filter((r) => FAILED.has(r.conclusion)).length / list.length) * 10_000) / 100;
    const all = rate(counted);
    out.ciErrorRate = {};
    for (const c of args.components) {
      const own = counted.filter((r) => r.name.toLowerCase().includes(c.name.toLowerCase()));
      out.ciErrorRate[c.name] = own.length > 0 ? rate(own) : all;
    }
  }

  const withResults = args.records
    .filter((r): r is MaintenanceRecord & { test_results: TestResult } => r.test_results !== null && r.test_results !== undefined)
    .sort((a, b) => (a.performed_at < b.performed_at ? -1 : a.performed_at > b.performed_at ? 1 : 0));
  if (withResults.length > 0 && args.components.length > 0) {
    const by: Record<string, TestResult[]> = {};
    for (const r of withResults) {
      const comps = new Set(r.files_modified.map((f) => componentOfPath(f, args.components)).filter((c): c is string => c !== null));
      for (const c of comps) (by[c] ??= []).push(r.test_results);
    }
    if (Object.keys(by).length > 0) out.testResults = by;
  }

  const performed = args.records.filter(isPerformed).sort((a, b) => (a.performed_at < b.performed_at ? 1 : a.performed_at > b.performed_at ? -1 : 0));
  if (performed.length > 0) out.lastMaintenance = performed[0];
  return out;
}
