/**
 * Issue 16, item 3: an advisory re-assessment produces exactly what a full scan would. Two identical
 * worlds (fake GitHub + store) are scanned with mirror A; then mirror B adds records. In one world the
 * repository is re-assessed from the store (runReassess, 0 reads of repository content); in the other
 * it is scanned again in full. The stored MaintenanceIssues and the issues, comments and labels on the
 * fake GitHub must be identical. The oracle is the full scan, which shares no code path with the
 * re-assessment's inputs (tree, blobs, extraction, registry enrichment).
 */
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type GitHubOctokit } from "../../src/act/github/client.js";
import { SharedEnrichment } from "../../src/app/enrichment.js";
import { OsvOfflineIndex } from "../../src/enrich/advisories/index.js";
import { runGitHubScan } from "../../src/pipeline/github.js";
import { runReassess } from "../../src/pipeline/reassess.js";
import { appOctokitClass } from "../../src/server/octokit.js";
import { FileStore, type Store } from "../../src/store/index.js";
import { PgStore, migrate } from "../../src/store/pg/index.js";
import { CORPUS, CORPUS_REPOS, corpusReposAvailable } from "../helpers/corpus.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createTestDatabase, postgresAvailable, testPool } from "../helpers/services.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const clock = () => NOW;
const tmp: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "cowabunga-reassess-"));
  tmp.push(d);
  return d;
}

function osv(id: string, ecosystem: string, pkg: string, introduced: string, fixed: string | null, extra: Record<string, unknown> = {}) {
  return {
    id,
    modified: "2026-11-01T00:00:00Z",
    published: "2026-11-01T00:00:00Z",
    aliases: [`CVE-2026-${id.replace(/\D/g, "").slice(-5).padStart(4, "0")}`],
    summary: `${pkg} has a flaw (${id})`,
    affected: [{ package: { ecosystem, name: pkg }, ranges: [{ type: ecosystem === "PyPI" ? "ECOSYSTEM" : "SEMVER", events: fixed ? [{ introduced }, { fixed }] : [{ introduced }] }] }],
    database_specific: { severity: "HIGH" },
    ...extra,
  };
}
async function writeRecords(dir: string, recs: Array<{ id: string }>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const r of recs) await writeFile(path.join(dir, `${r.id}.json`), JSON.stringify(r));
}

/** A fixture repository: pinned Python packages, an npm lockfile with a transitive package, a TODO, READMEs. */
const FIXTURE: Record<string, string> = {
  "README.md": "# Shop\n\nSee [the API](api/README.md) and [missing](docs/nothing.md).\n",
  "api/README.md": "# API\n",
  "api/requirements.txt": "flask==2.0.0\nrequests==2.19.0\nurllib3==1.24.0\n",
  "api/app.py": "# TODO: remove the debug route\nprint('hi')\n",
  "web/package.json": JSON.stringify({ name: "web", version: "1.0.0", dependencies: { express: "4.17.1" } }, null, 2),
  "web/package-lock.json": JSON.stringify(
    {
      name: "web",
      version: "1.0.0",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: "web", version: "1.0.0", dependencies: { express: "4.17.1" } },
        "node_modules/express": { version: "4.17.1", dependencies: { qs: "6.7.0" } },
        "node_modules/qs": { version: "6.7.0" },
      },
    },
    null,
    2,
  ),
  "CODEOWNERS": "* @alice\n",
};

const pgOk = await postgresAvailable("advisory re-assessment equivalence on PgStore");
let db: { url: string; drop: () => Promise<void> } | null = null;
const opened: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  if (pgOk) {
    db = await createTestDatabase("reassess_equiv");
    await migrate(db.url);
  }
});
afterAll(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await db?.drop();
  await Promise.all(tmp.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

let pgSeq = 0;
const stores: Array<[string, boolean, () => Promise<Store>]> = [
  ["FileStore", true, async () => new FileStore({ root: await tempDir(), clock })],
  [
    "PgStore",
    pgOk,
    async () => {
      // Each world its own schema-less namespace: a distinct owner keeps the two worlds apart in one database.
      const pool = testPool(db!.url, 4);
      const s = new PgStore(pool, { now: clock });
      opened.push(s);
      pgSeq++;
      return s;
    },
  ],
];

interface World {
  gh: FakeGitHub;
  store: Store;
  octokit: GitHubOctokit;
}

async function world(open: () => Promise<Store>, owner: string, repos: Record<string, Record<string, string>>): Promise<World> {
  const gh = new FakeGitHub();
  await gh.start();
  for (const [name, files] of Object.entries(repos)) gh.addRepo(`${owner}/${name}`, files);
  const AppOctokit = appOctokitClass({ throttle: false, retry: { sleep: async () => undefined } });
  const octokit = new AppOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3` } as never) as unknown as GitHubOctokit;
  return { gh, store: await open(), octokit };
}

function stagesFor(mirror: string) {
  return new SharedEnrichment({ offline: true, osvDbPath: mirror, registries: {}, warnings: [] }).stages();
}

async function scan(w: World, owner: string, repo: string, mirror: string): Promise<void> {
  const r = await runGitHubScan({ octokit: w.octokit, owner, repo, store: w.store, log: silentLogger, clock, trigger: { event: "schedule", force: true }, stages: stagesFor(mirror), publicUrl: null, npmAvailable: false });
  expect(r.outcome, r.error).toBe("scanned");
}

/** What GitHub shows: issues (with PRs), comments, labels; timestamps and ids aside. */
function githubView(w: World, full: string) {
  const repo = w.gh.repo(full);
  return {
    issues: repo.issues.map((i) => ({
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      labels: i.labels.map((l) => l.name).sort(),
      assignees: i.assignees.map((a) => a.login).sort(),
      pr: !!i.pull_request,
    })),
    comments: repo.comments.map((c) => ({ issue: c.issue_number, body: c.body })),
    labels: repo.labels.map((l) => l.name).sort(),
  };
}

/** Stored issues, as the oracle compares them (the owner differs between the two worlds). */
async function storedView(w: World, owner: string, repo: string) {
  const issues = await w.store.getIssues({ owner, repo });
  return JSON.parse(JSON.stringify(issues).split(owner).join("OWNER")) as unknown;
}

/**
 * Scan both worlds with mirror A, then: world 1 re-assesses with mirror B, world 2 scans in full with B.
 * Returns what to compare, and the re-assessment's GitHub requests.
 */
async function compare(open: () => Promise<Store>, repos: Record<string, Record<string, string>>, mirrorA: string, mirrorB: string) {
  const o1 = `reassessed${pgSeq}x`;
  const o2 = `rescanned${pgSeq}x`;
  const w1 = await world(open, o1, repos);
  const w2 = await world(open, o2, repos);
  try {
    for (const name of Object.keys(repos)) {
      await scan(w1, o1, name, mirrorA);
      await scan(w2, o2, name, mirrorA);
    }
    const indexB = await OsvOfflineIndex.load(mirrorB);
    const out: Array<{ repo: string; added: string[]; contentReads: string[] }> = [];
    for (const name of Object.keys(repos)) {
      const before = w1.gh.requests.length;
      const r = await runReassess({ octokit: w1.octokit, ref: { owner: o1, repo: name }, store: w1.store, log: silentLogger, clock, stages: stagesFor(mirrorB), advisories: indexB, requirementSource: null, npmAvailable: false });
      expect(r.outcome, r.error).toBe("scanned");
      // What a scan reads to assess and a re-assessment must not: the head commit, the batched blob query
      // (GraphQL), contents. (An update PR reads the files it edits through the Git Data API at its base,
      // as a scan's PR does: that is acting, not assessing.)
      const contentReads = w1.gh.requests
        .slice(before)
        .filter((q) => q.kind === "graphql" || (q.method === "GET" && (/\/commits\/[^/]+$/.test(q.path) && !/\/git\/commits\//.test(q.path) || /\/contents\//.test(q.path))))
        .map((q) => `${q.method} ${q.path}`);
      out.push({ repo: name, added: r.added, contentReads });
      await scan(w2, o2, name, mirrorB);
      expect(await storedView(w1, o1, name), `${name}: stored issues`).toEqual(await storedView(w2, o2, name));
      // The two fake GitHubs differ in port and owner, nothing else.
      const norm = (v: unknown, w: World, owner: string) => JSON.parse(JSON.stringify(v).split(w.gh.host).join("HOST").split(owner).join("OWNER")) as unknown;
      expect(norm(githubView(w1, `${o1}/${name}`), w1, o1), `${name}: GitHub`).toEqual(norm(githubView(w2, `${o2}/${name}`), w2, o2));
      const deps1 = await w1.store.getDependencies({ owner: o1, repo: name });
      const deps2 = await w2.store.getDependencies({ owner: o2, repo: name });
      expect(deps1, `${name}: stored dependencies`).toEqual(deps2);
    }
    expect(w1.gh.violations).toEqual([]);
    return out;
  } finally {
    await w1.gh.stop();
    await w2.gh.stop();
  }
}

describe.each(stores)("advisory re-assessment equals a full scan (%s)", (_name, available, open) => {
  it.skipIf(!available)("fixture repository: new advisories on a direct and a transitive package, a changed one", async () => {
    const root = await tempDir();
    const a = path.join(root, "a");
    const b = path.join(root, "b");
    const flask = osv("PYSEC-2026-101", "PyPI", "flask", "0", "2.2.5");
    await writeRecords(path.join(a, "PyPI"), [flask]);
    await writeRecords(path.join(a, "npm"), [osv("GHSA-aaaa-0000-0001", "npm", "left-pad", "0", "1.3.0")]);
    // B: flask's record changed (a higher score), a new one on requests (direct), one on qs (lockfile only).
    await writeRecords(path.join(b, "PyPI"), [
      { ...flask, modified: "2026-11-10T00:00:00Z", database_specific: { severity: "CRITICAL" } },
      osv("PYSEC-2026-202", "PyPI", "requests", "0", "2.31.0"),
    ]);
    await writeRecords(path.join(b, "npm"), [osv("GHSA-aaaa-0000-0001", "npm", "left-pad", "0", "1.3.0"), osv("GHSA-qqqq-0000-0002", "npm", "qs", "6.0.0", "6.7.3")]);
    const out = await compare(open, { shop: FIXTURE }, a, b);
    expect(out[0]!.added).toEqual(["GHSA-qqqq-0000-0002", "PYSEC-2026-202"]);
    expect(out[0]!.contentReads).toEqual([]);
  });

  const corpusOk = corpusReposAvailable("advisory re-assessment equivalence");
  it.skipIf(!available || !corpusOk)("corpus repositories with the corpus OSV mirror, before and after adding records", { timeout: 240_000 }, async () => {
    const names = ["defenseunicorns__leapfrogai", "fastapi__full-stack-fastapi-template"];
    const repos: Record<string, Record<string, string>> = {};
    for (const n of names) {
      const files: Record<string, string> = {};
      const walk = (dir: string) => {
        for (const e of readdirSync(dir)) {
          const p = path.join(dir, e);
          if (statSync(p).isDirectory()) walk(p);
          else files[path.relative(path.join(CORPUS_REPOS, n), p).split(path.sep).join("/")] = "";
        }
      };
      walk(path.join(CORPUS_REPOS, n));
      for (const f of Object.keys(files)) files[f] = await readFile(path.join(CORPUS_REPOS, n, f), "utf8");
      repos[n] = files;
    }
    const root = await tempDir();
    const a = path.join(root, "a");
    const b = path.join(root, "b");
    await cp(path.join(CORPUS, "osv"), a, { recursive: true });
    await cp(path.join(CORPUS, "osv"), b, { recursive: true });
    // New records against versions the corpus pins (found by a first scan of world-independent data: the lockfiles).
    const added = [
      osv("PYSEC-2026-9001", "PyPI", "fastapi", "0", null),
      osv("PYSEC-2026-9002", "PyPI", "pydantic", "0", "99.0.0"),
      osv("GHSA-corp-0000-0003", "npm", "vite", "0", "99.0.0"),
      osv("GHSA-corp-0000-0004", "npm", "ms", "0", "99.0.0"),
    ];
    await writeRecords(path.join(b, "zz-added"), added);
    const out = await compare(open, repos, a, b);
    for (const o of out) expect(o.contentReads, o.repo).toEqual([]);
    expect(out.some((o) => o.added.length > 0)).toBe(true);
  });
});
