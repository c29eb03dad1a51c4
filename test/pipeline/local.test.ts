import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localRepoRef, runLocalPipeline } from "../../src/pipeline/local.js";
import { FileStore } from "../../src/store/file-store.js";
import { Dependency } from "../../src/model/dependency.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const mirror = path.resolve(here, "../fixtures/enrich/osv/mirror");
const clock = (): Date => new Date("2026-01-31T00:00:00Z");

let tmp: string;
let repo: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-pipeline-"));
  repo = path.join(tmp, "My Repo");
  await fs.mkdir(path.join(repo, "src"), { recursive: true });
  await fs.writeFile(path.join(repo, "requirements.txt"), "example-pkg==2.3.0\nflask>=2\n");
  await fs.writeFile(path.join(repo, "README.md"), "# Repo\n\nSee [the guide](docs/guide.md).\n");
  await fs.writeFile(path.join(repo, "src", "app.py"), "def main():\n    # FIXME: handle errors\n    pass\n");
  await fs.writeFile(path.join(repo, "big.md"), "x".repeat(600 * 1024));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("runLocalPipeline", () => {
  it("scan → enrich → assess: advisories, bug markers, broken links, valid dependencies, warnings merged", async () => {
    const { assessment, enrich } = await runLocalPipeline({ dir: repo, offline: true, osvDb: mirror, clock });
    const pkg = assessment.dependencies.find((d) => d.name === "example-pkg");
    expect(pkg?.advisories.map((a) => a.id)).toEqual(["TEST-PY-1"]);
    for (const d of assessment.dependencies) expect(Dependency.safeParse(d).success).toBe(true);
    const types = new Set(assessment.issues.map((i) => i.type));
    expect(types).toContain("security");
    expect(types).toContain("bug");
    expect(types).toContain("documentation");
    expect(assessment.issues.find((i) => i.type === "bug")?.files_affected).toEqual(["src/app.py"]);
    expect(assessment.issues.some((i) => i.type === "documentation" && i.files_affected.includes("README.md"))).toBe(true);
    expect(assessment.components.every((c) => c.health_score >= 0 && c.health_score <= 1)).toBe(true);
    expect(enrich).toMatchObject({ lookups: 0, advisory_queries: 1 });
    // The scan's and enrichment's warnings are in the assessment too (offline: registry lookups unknown, not warned).
    expect(assessment.warnings.every((w) => typeof w.message === "string")).toBe(true);
  });

  it("persists to the store under local/<dir name>; a second run keeps the issue ids", async () => {
    const store = new FileStore({ root: path.join(tmp, "data"), clock });
    const ref = localRepoRef(repo);
    expect(ref).toEqual({ owner: "local", repo: "my-repo" });
    const first = await runLocalPipeline({ dir: repo, offline: true, osvDb: mirror, clock, store });
    const stored = await store.getIssues(ref);
    expect(stored.map((i) => i.id).sort()).toEqual(first.assessment.issues.map((i) => i.id).sort());
    expect((await store.getDependencies(ref)).length).toBe(first.assessment.dependencies.length);
    expect(await store.getSystemHealth(ref)).toEqual(first.assessment.system);
    const second = await runLocalPipeline({ dir: repo, offline: true, osvDb: mirror, clock, store });
    expect(second.assessment.issues.map((i) => i.id).sort()).toEqual(first.assessment.issues.map((i) => i.id).sort());
    expect((await store.getHealthHistory(ref)).length).toBeGreaterThanOrEqual(1);
  });

  it("--no-enrich: dependencies straight from the scan, nothing looked up", async () => {
    const { assessment, enrich } = await runLocalPipeline({ dir: repo, enrich: false, osvDb: mirror, clock });
    expect(enrich).toBeNull();
    expect(assessment.dependencies.every((d) => d.advisories.length === 0 && d.latest_version === null)).toBe(true);
  });
});
