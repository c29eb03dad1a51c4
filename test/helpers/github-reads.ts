/**
 * Measure what a scan of a real repository costs in GitHub requests: the directory is loaded into the
 * FakeGitHub, then the real pipeline (`runGitHubScan`, offline enrichment, real assess) runs twice with
 * a Probot Octokit pointed at the fake: cold, then unchanged. Used by test/e2e/github-reads.test.ts and
 * bench/github-reads.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProbotOctokit } from "probot";
import { SharedEnrichment } from "../../src/app/enrichment.js";
import { silentLogger } from "../../src/act/github/client.js";
import { runGitHubScan, type ScanRunResult } from "../../src/pipeline/github.js";
import { FileStore } from "../../src/store/index.js";
import { FakeGitHub } from "./fake-github.js";

/** Every regular file below `dir` (text, as UTF-8), skipping .git. */
export function readTreeFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel))) {
      if (name === ".git") continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) out[r] = readFileSync(path.join(dir, r), "utf8");
    }
  };
  walk("");
  return out;
}

export interface ReadCosts {
  files: number;
  manifests: number;
  /** Files in the batched contents query (manifests, companions, config, CODEOWNERS, Markdown/source). */
  batchedFiles: number;
  /** Markdown and source files of the batch (full scans read them for the bug-marker and docs detectors). */
  textFiles: number;
  dependencies: number;
  cold: { reads: number; writes: number; graphql: number; requests: string[]; outcome: string; blobPaths: string[] };
  unchanged: { reads: number; writes: number; requests: string[]; outcome: string };
  /** 1 (head) + 1 (tree) + ceil((manifests + text files) / 50) (batched contents) + 1 (existing issues). */
  coldBudget: number;
}

function counted(gh: FakeGitHub, from: number): { reads: number; writes: number; graphql: number; requests: string[] } {
  const list = gh.requests.slice(from).filter((r) => !r.path.startsWith("/app/"));
  return {
    reads: list.filter((r) => r.kind === "graphql" || r.method === "GET").length,
    writes: list.filter((r) => r.kind === "rest" && r.method !== "GET").length,
    graphql: list.filter((r) => r.kind === "graphql").length,
    requests: list.map((r) => `${r.method} ${r.path}`),
  };
}

/** Scan `dir` as `owner/name` through the real pipeline twice and count the requests the fake saw. */
export async function measureReadCosts(dir: string, fullName = "defenseunicorns/leapfrogai"): Promise<ReadCosts & { violations: string[] }> {
  const gh = new FakeGitHub();
  await gh.start();
  const dataDir = mkdtempSync(path.join(tmpdir(), "cowabunga-reads-"));
  try {
    const files = readTreeFiles(dir);
    gh.addRepo(fullName, files);
    const [owner, repo] = fullName.split("/") as [string, string];
    const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3`, retry: { enabled: false }, throttle: { enabled: false } });
    const store = new FileStore({ root: dataDir });
    const enrichment = new SharedEnrichment({ offline: true, osvDbPath: null, registries: {}, warnings: [] });
    const run = (event: string): Promise<ScanRunResult> =>
      runGitHubScan({ octokit, owner, repo, store, log: silentLogger, trigger: { event }, stages: enrichment.stages(), publicUrl: null });
    const start = gh.requests.length;
    const cold = await run("installation");
    const coldCounts = counted(gh, start);
    const mid = gh.requests.length;
    const again = await run("schedule");
    const unchangedCounts = counted(gh, mid);
    const manifests = cold.manifests ?? 0;
    // What the fake GitHub itself saw asked for in the batched GraphQL reads: `<sha>:<path>` expressions.
    const blobPaths = gh.requests
      .slice(start, mid)
      .filter((r) => r.kind === "graphql")
      .flatMap((r) => Object.values(((r.body ?? {}) as { variables?: Record<string, unknown> }).variables ?? {}))
      .filter((v): v is string => typeof v === "string" && /^[0-9a-f]{40}:/.test(v))
      .map((v) => v.slice(v.indexOf(":") + 1));
    return {
      files: Object.keys(files).length,
      manifests,
      batchedFiles: cold.batchedFiles ?? 0,
      textFiles: cold.textFiles ?? 0,
      dependencies: cold.assessment?.dependencies.length ?? 0,
      cold: { ...coldCounts, outcome: cold.outcome, blobPaths },
      unchanged: { reads: unchangedCounts.reads, writes: unchangedCounts.writes, requests: unchangedCounts.requests, outcome: again.outcome },
      coldBudget: 1 + 1 + Math.ceil((manifests + (cold.textFiles ?? 0)) / 50) + 1,
      violations: [...gh.violations],
    };
  } finally {
    await gh.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
