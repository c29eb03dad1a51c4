/**
 * Read requests of the GitHub pipeline on a real repository (the LeapfrogAI corpus loaded into the fake
 * GHES): a cold full scan costs at most 1 (head) + 1 (tree) + ceil((manifests + text files)/50) (batched
 * contents: manifests, plus the Markdown and source files a full scan reads for the detectors) + 1
 * (existing issues and the app's open PRs, one listing) reads; an unchanged repository at most 2 reads and zero writes. (Renovate's cached
 * run on the same repository costs about 5.) Skipped with a warning when the corpus is absent.
 */

import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { measureReadCosts, readTreeFiles } from "../helpers/github-reads.js";
import { corpusPathAvailable } from "../helpers/corpus.js";

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LEAPFROG = path.resolve(project, "..", "shared/corpus/repos/defenseunicorns__leapfrogai");
const exists = corpusPathAvailable("[github-reads]", LEAPFROG);

describe.skipIf(!exists)("GitHub read requests of a scan (LeapfrogAI corpus on the fake GHES)", () => {
  it("cold: head + tree + ceil(files read/50) batched reads + issue listing; unchanged: ≤ 2 reads, 0 writes", async () => {
    const m = await measureReadCosts(LEAPFROG);
    expect(m.cold.outcome).toBe("scanned");
    expect(m.dependencies).toBeGreaterThan(50);
    // Oracle from the fixture itself, not from what the scan reports: every manifest of these well-known kinds
    // on disk must have been read through the batched GraphQL query, and nothing outside the repository.
    const onDisk = Object.keys(readTreeFiles(LEAPFROG));
    const manifestNames = /(^|\/)(package\.json|package-lock\.json|pyproject\.toml|requirements[^/]*\.txt|Dockerfile[^/]*|Chart\.yaml|zarf\.yaml|uds-bundle\.yaml)$/;
    const expectedManifests = onDisk.filter((f) => manifestNames.test(f) && !f.includes("node_modules/"));
    expect(expectedManifests.length).toBeGreaterThan(10);
    const read = new Set(m.cold.blobPaths);
    for (const f of expectedManifests) expect(read.has(f), `${f} read`).toBe(true);
    for (const f of read) expect(onDisk, `${f} is a file of the repository`).toContain(f);
    // One GraphQL query per 50 files, as the fake counted them; the whole cold scan within head + tree + batches + listing.
    expect(m.cold.graphql).toBe(Math.ceil(read.size / 50));
    expect(m.cold.reads).toBeLessThanOrEqual(3 + Math.ceil(read.size / 50));
    expect(read.size).toBeLessThan(onDisk.length);
    console.info(`[github-reads] cold: ${m.cold.reads} reads (${read.size} of ${onDisk.length} files batched); unchanged: ${m.unchanged.reads}`);
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
