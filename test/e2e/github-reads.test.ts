/**
 * Read requests of the GitHub pipeline on a real repository (the LeapfrogAI corpus loaded into the fake
 * GHES): a cold full scan costs at most 1 (head) + 1 (tree) + ceil((manifests + text files)/50) (batched
 * contents: manifests, plus the Markdown and source files a full scan reads for the detectors) + 1
 * (existing issues and the app's open PRs, one listing) reads; an unchanged repository at most 2 reads and zero writes. (Renovate's cached
 * run on the same repository costs about 5.) Skipped with a warning when the corpus is absent.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { measureReadCosts } from "../helpers/github-reads.js";

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LEAPFROG = path.resolve(project, "..", "shared/corpus/repos/defenseunicorns__leapfrogai");
const exists = existsSync(LEAPFROG);
if (!exists) console.warn(`[github-reads] skipped: corpus repository not found at ${LEAPFROG}`);

describe.skipIf(!exists)("GitHub read requests of a scan (LeapfrogAI corpus on the fake GHES)", () => {
  it("cold: head + tree + ceil((manifests + text files)/50) batched reads + issue listing; unchanged: ≤ 2 reads, 0 writes", async () => {
    const m = await measureReadCosts(LEAPFROG);
    expect(m.cold.outcome).toBe("scanned");
    expect(m.manifests).toBeGreaterThan(10);
    expect(m.dependencies).toBeGreaterThan(50);
    expect(m.cold.reads).toBeLessThanOrEqual(m.coldBudget);
    console.info(`[github-reads] cold: ${m.cold.reads} reads (budget ${m.coldBudget}: ${m.manifests} manifests + ${m.textFiles} text files, ${m.batchedFiles} batched); unchanged: ${m.unchanged.reads}`);
    // The contents really were batched: one GraphQL query per 50 files of the batch.
    expect(m.cold.graphql).toBe(Math.ceil(m.batchedFiles / 50));
    expect(m.cold.requests.filter((r) => r.startsWith("GET ")).map((r) => r.replace(/[0-9a-f]{40}/g, "SHA"))).toEqual([
      "GET /repos/defenseunicorns/leapfrogai/commits/HEAD",
      "GET /repos/defenseunicorns/leapfrogai/git/trees/SHA",
      "GET /repos/defenseunicorns/leapfrogai/issues",
    ]);
    expect(m.unchanged.outcome).toBe("unchanged");
    expect(m.unchanged.reads).toBeLessThanOrEqual(2);
    expect(m.unchanged.writes).toBe(0);
    expect(m.violations).toEqual([]);
  }, 60_000);
});
