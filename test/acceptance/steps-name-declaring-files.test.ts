/**
 * Issue 13's "Done when": no finding tells the user to edit a file that does not declare the package.
 * Over every corpus repository (skipped visibly when the corpus is absent, failing under CI=true), offline
 * with the corpus' OSV export: each resolution step of a security or dependency issue, and each vulnerable
 * dependency's remediation (action and risk), that names a manifest or lockfile names one that exists at
 * that path in the repository and whose text (read here from disk, not from the scan) names the package
 * the step acts on (the package of the finding, or the dependency the step upgrades). Steps that add a
 * declaration (an override, a Go `require` go.mod lacks) start with "Add " and name the file that gets it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { OsvOfflineIndex } from "../../src/enrich/advisories/index.js";
import { runLocalPipeline, type LocalPipelineResult } from "../../src/pipeline/local.js";
import { CORPUS, CORPUS_REPOS, corpusPathAvailable, corpusReposAvailable } from "../helpers/corpus.js";

const OSV = path.join(CORPUS, "osv");
const available = corpusReposAvailable("resolution steps name declaring files") && corpusPathAvailable("resolution steps name declaring files", OSV);

/** Manifests and lockfiles a step may name, with the directories before them. */
const FILE = /(?:[\w@.+-]+\/)*(?:package-lock\.json|npm-shrinkwrap\.json|package\.json|yarn\.lock|pnpm-lock\.yaml|pnpm-workspace\.yaml|Cargo\.toml|Cargo\.lock|go\.mod|go\.sum|[\w.-]*requirements[\w.-]*\.(?:txt|in)|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile\.lock|Pipfile|setup\.cfg|setup\.py)\b/g;

/** Names compared as the ecosystems do: PyPI case- and separator-insensitive, others exactly. */
function mentions(text: string, name: string, ecosystem: string): boolean {
  if (ecosystem !== "pypi") return text.includes(name);
  const norm = (s: string): string => s.toLowerCase().replace(/[-_.]+/g, "-");
  return norm(text).includes(norm(name));
}

/** The package a step upgrades, when it names one first ("Upgrade express from …", "Raise require m …"). */
function actedOn(step: string): string | null {
  const m = /^(?:Upgrade|Update|Raise(?: the \/\/ indirect)? require|Pin|Move|Replace) (\S+)/.exec(step);
  return m ? m[1] : null;
}

interface Checked {
  repo: string;
  where: string;
  step: string;
  pkg: string;
  ecosystem: string;
}

describe.skipIf(!available)("corpus: every step that names a file names one that declares the package (or its lockfile)", () => {
  const checked: Checked[] = [];

  beforeAll(async () => {
    const index = await OsvOfflineIndex.load(OSV);
    for (const repo of readdirSync(CORPUS_REPOS).sort()) {
      const run: LocalPipelineResult = await runLocalPipeline({ dir: path.join(CORPUS_REPOS, repo), offline: true, advisories: index, clock: () => new Date("2026-12-01T00:00:00Z") });
      for (const i of run.assessment.issues) {
        const m = /^(security|dependency):([^:]+):(.+?)(?:@[^@]+)?$/.exec(i.subject);
        if (!m) continue;
        for (const step of i.resolution_steps) checked.push({ repo, where: `${i.type} issue ${i.subject}`, step, pkg: m[3], ecosystem: m[2] });
      }
      for (const d of run.assessment.dependencies) {
        if (!d.remediation) continue;
        const ecosystem = d.datasource === "pypi" ? "pypi" : d.datasource;
        for (const step of [d.remediation.action, d.remediation.risk ?? ""]) checked.push({ repo, where: `remediation of ${d.name} ${d.version} in ${d.component}`, step, pkg: d.name, ecosystem });
      }
    }
  }, 300_000);

  it("found findings with steps in several repositories, naming files", () => {
    expect(new Set(checked.map((c) => c.repo)).size).toBeGreaterThanOrEqual(2);
    expect(checked.filter((c) => (c.step.match(FILE) ?? []).length > 0).length).toBeGreaterThan(10);
  });

  it("each named file exists where the step says and names the package", () => {
    const wrong: string[] = [];
    for (const c of checked) {
      const files = c.step.match(FILE) ?? [];
      for (const file of files) {
        const abs = path.join(CORPUS_REPOS, c.repo, file);
        if (!existsSync(abs)) {
          wrong.push(`${c.repo}: ${c.where}: "${c.step}" names ${file}, which is not in the repository`);
          continue;
        }
        if (c.step.startsWith("Add ")) continue; // the step adds the declaration to that file
        const text = readFileSync(abs, "utf8");
        const names = [c.pkg, actedOn(c.step)].filter((n): n is string => !!n);
        if (!names.some((n) => mentions(text, n, c.ecosystem))) wrong.push(`${c.repo}: ${c.where}: "${c.step}" names ${file}, which does not declare ${names.join(" or ")}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
