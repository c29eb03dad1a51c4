/**
 * GitHub requests of a scan on a real repository: the LeapfrogAI corpus repository loaded into the fake
 * GHES, scanned by the real pipeline (offline enrichment) cold and then unchanged.
 *
 *   npm run bench:reads
 *   npm run bench:reads -- --repo ../shared/corpus/repos/awdemos__cowabungaai --strict
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { measureReadCosts } from "../test/helpers/github-reads.js";

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const i = process.argv.indexOf("--repo");
const dir = path.resolve(i >= 0 ? process.argv[i + 1] : path.resolve(project, "..", "shared/corpus/repos/defenseunicorns__leapfrogai"));
if (!existsSync(dir)) {
  console.error(`bench:reads: repository directory not found: ${dir}`);
  process.exit(2);
}
const name = path.basename(dir).replace("__", "/");
const m = await measureReadCosts(dir, name.includes("/") ? name : `acme/${name}`);
console.log(`GitHub requests of a scan of ${name} (${m.files} files, ${m.manifests} manifests, ${m.batchedFiles} files in the batch, ${m.dependencies} dependencies)`);
console.log(`  cold:      ${m.cold.reads} reads (budget 1 head + 1 tree + ceil(${m.manifests}/50) + 1 listing = ${m.coldBudget}; GraphQL queries ${m.cold.graphql}), ${m.cold.writes} writes (issues, labels, dashboard)`);
for (const r of m.cold.requests.filter((x) => x.startsWith("GET ") || x.startsWith("POST /api/graphql"))) console.log(`             ${r}`);
console.log(`  unchanged: ${m.unchanged.reads} reads, ${m.unchanged.writes} writes (${m.unchanged.outcome})`);
for (const r of m.unchanged.requests) console.log(`             ${r}`);
console.log(`  Renovate's cached run of the same repository: ~5 requests`);
console.log(`  OpenAPI violations: ${m.violations.length}`);
const ok = m.cold.reads <= m.coldBudget && m.unchanged.reads <= 2 && m.unchanged.writes === 0;
console.log(`  goals (cold ≤ ${m.coldBudget}, unchanged ≤ 2 reads and 0 writes): ${ok ? "met" : "NOT met"}`);
if (process.argv.includes("--strict") && !ok) process.exitCode = 1;
