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
import { fileURLToPath } from "node:url";
import { OsvOfflineIndex } from "../../src/enrich/advisories/index.js";
import { advisoryQueryKey, OsvVulnerability, type AdvisorySource, type PackageQuery } from "../../src/enrich/advisories/types.js";
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

/** The steps of a run's security and dependency issues, and of its vulnerable dependencies' remediations. */
function stepsOf(repo: string, run: LocalPipelineResult): Checked[] {
  const out: Checked[] = [];
  for (const i of run.assessment.issues) {
    const m = /^(security|dependency):([^:]+):(.+?)(?:@[^@]+)?$/.exec(i.subject);
    if (!m) continue;
    for (const step of i.resolution_steps) out.push({ repo, where: `${i.type} issue ${i.subject}`, step, pkg: m[3], ecosystem: m[2] });
  }
  for (const d of run.assessment.dependencies) {
    if (!d.remediation) continue;
    for (const step of [d.remediation.action, d.remediation.risk ?? ""]) out.push({ repo, where: `remediation of ${d.name} ${d.version} in ${d.component}`, step, pkg: d.name, ecosystem: d.datasource });
  }
  return out;
}

/** Every file a step names that is missing under `root/<repo>`, or that does not name the package. */
function misnamed(root: string, checked: readonly Checked[]): string[] {
  const wrong: string[] = [];
  for (const c of checked) {
    for (const file of c.step.match(FILE) ?? []) {
      const abs = path.join(root, c.repo, file);
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
  return wrong;
}

describe.skipIf(!available)("corpus: every step that names a file names one that declares the package (or its lockfile)", () => {
  const checked: Checked[] = [];

  beforeAll(async () => {
    const index = await OsvOfflineIndex.load(OSV);
    for (const repo of readdirSync(CORPUS_REPOS).sort()) {
      const run = await runLocalPipeline({ dir: path.join(CORPUS_REPOS, repo), offline: true, advisories: index, clock: () => new Date("2026-12-01T00:00:00Z") });
      checked.push(...stepsOf(repo, run));
    }
  }, 300_000);

  it("found findings with steps in several repositories, naming files", () => {
    expect(new Set(checked.map((c) => c.repo)).size).toBeGreaterThanOrEqual(2);
    expect(checked.filter((c) => (c.step.match(FILE) ?? []).length > 0).length).toBeGreaterThan(10);
  });

  it("each named file exists where the step says and names the package", () => {
    expect(misnamed(CORPUS_REPOS, checked)).toEqual([]);
  });
});

/**
 * The corpus' OSV export matches only its Rust and Go repositories. The lockfile fixtures cover every
 * format: an advisory source that reports every package version as vulnerable, fixed in the next patch
 * (parents' ranges admit it) or, for every other package, the next major (they exclude it: parent bump,
 * override or no fix), so every plan kind runs through the whole pipeline.
 */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/graph");

function nextVersion(version: string, major: boolean): string | null {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return null;
  return major ? `${m[1]}${Number(m[2]) + 1}.0.0` : `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + 1}`;
}

const everythingVulnerable: AdvisorySource = {
  name: "every package version (test)",
  warnings: [],
  async query(pkgs: readonly PackageQuery[]) {
    const out = new Map<string, OsvVulnerability[]>();
    pkgs.forEach((q, i) => {
      const fixed = nextVersion(q.version, i % 2 === 1);
      out.set(advisoryQueryKey(q), [
        OsvVulnerability.parse({
          id: `TEST-${q.ecosystem}-${q.name}-${q.version}`,
          summary: "test advisory",
          affected: [{ package: { ecosystem: q.ecosystem, name: q.name }, versions: [q.version], ranges: fixed ? [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] : [] }],
        }),
      ]);
    });
    return out;
  },
};

describe("lockfile fixtures of every format, every package vulnerable: steps name declaring files", () => {
  const dirs = readdirSync(FIXTURES).sort();
  const checked: Checked[] = [];
  beforeAll(async () => {
    for (const dir of dirs) {
      const run = await runLocalPipeline({ dir: path.join(FIXTURES, dir), offline: true, advisories: everythingVulnerable, clock: () => new Date("2026-12-01T00:00:00Z") });
      checked.push(...stepsOf(dir, run));
    }
  }, 120_000);

  it("plans every format and several plan kinds", () => {
    expect(dirs).toEqual(expect.arrayContaining(["cargo", "go", "npm-v1", "npm-v3", "pipfile", "pnpm-v9", "poetry", "uv", "yarn-berry", "yarn-classic"]));
    // Every fixture has steps that name a file (so the check below is not vacuous for any format).
    expect(new Set(checked.filter((c) => (c.step.match(FILE) ?? []).length > 0).map((c) => c.repo))).toEqual(new Set(dirs));
    const kinds = new Set(checked.map((c) => (/^Add "|^Add a \[patch|to \[tool\.uv\] override/.test(c.step) ? "override" : /^Upgrade \S+ from .* and regenerate/.test(c.step) ? "bump or direct" : /only \(/.test(c.step) ? "in place" : "other")));
    expect([...kinds]).toEqual(expect.arrayContaining(["override", "bump or direct", "in place"]));
  });

  it("each named file exists where the step says and names the package", () => {
    expect(misnamed(FIXTURES, checked)).toEqual([]);
  });
});
