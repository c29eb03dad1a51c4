import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach } from "vitest";
import type { GitHubClient } from "../../../src/act/github/pulls-git.js";
import { defaultConfig, type CowabungaConfig } from "../../../src/config/schema.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { FileStore } from "../../../src/store/index.js";
import { FakeGitHub } from "../../helpers/fake-github.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";

export const NOW = new Date("2026-01-20T12:00:00.000Z");
export const clock = (): Date => NOW;
export const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The fake world's repository. */
export const REPO = "acme/widgets";
export const REPO_REF = { owner: "acme", repo: "widgets" };
/** A go.sum hash made of one repeated character. */
export const goSumHash = (c: string): string => `h1:${c.repeat(43)}=`;
/** A PR body's Markdown escaping undone (backslashes, entities, the zero-width joiner after "@"). */
export const unescapeMarkdown = (s: string): string => s.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, "$1").replace(/\u200d/g, "").replace(/&amp;/g, "&");
/** The default config with room for 10 update PRs and the given `updates` settings. */
export const updatesConfig = (updates: Partial<CowabungaConfig["updates"]> = {}): CowabungaConfig => {
  const c = defaultConfig();
  return { ...c, updates: { ...c.updates, max_open_prs: 10, ...updates } };
};

export function makeOctokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } });
}

export function tempStore(): { store: FileStore; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), "cowabunga-pr-"));
  return { store: new FileStore({ root, clock }), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
export const unb64 = (s: string): string => Buffer.from(s, "base64").toString("utf8");

/** The fake GitHub started, a file store in a temporary directory, and an Octokit on the fake (no retries). */
export async function startFakeWorld(prefix: string): Promise<{ gh: FakeGitHub; dir: string; store: FileStore; octokit: GitHubClient }> {
  const gh = new FakeGitHub();
  await gh.start();
  const dir = mkdtempSync(path.join(tmpdir(), `cowabunga-${prefix}-`));
  const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, baseUrl: `http://${gh.host}/api/v3`, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;
  return { gh, dir, store: new FileStore({ root: dir, clock }), octokit };
}

/** A logger whose warnings the test reads back. */
export interface WarnLog {
  info: () => void;
  warn: (obj: unknown, msg?: string) => void;
}

/**
 * For the enclosing describe block: a fresh fake world before each test, given to `use` with an empty
 * list of warnings and a logger that appends to it; the fake GitHub stopped and the directory removed after.
 */
export function freshFakeWorldEach(
  prefix: string,
  use: (w: { gh: FakeGitHub; dir: string; store: FileStore; octokit: GitHubClient; warned: string[]; log: WarnLog }) => void,
): void {
  let world: { gh: FakeGitHub; dir: string } | undefined;
  beforeEach(async () => {
    const w = await startFakeWorld(prefix);
    world = w;
    const warned: string[] = [];
    use({ ...w, warned, log: { info: () => undefined, warn: (_o: unknown, m?: string) => void warned.push(String(m)) } });
  });
  afterEach(async () => {
    if (!world) return;
    await world.gh.stop();
    rmSync(world.dir, { recursive: true, force: true });
    world = undefined;
  });
}

/** Go module `name` required `// indirect` in svc/go.mod at `from`, vulnerable, fixed in place at `to`. */
export const goIndirect = (name: string, from: string, to: string, over: Partial<Dependency> = {}): Dependency =>
  makeDependency({
    name,
    version: from,
    locked_version: from,
    latest_version: to,
    package_manager: "go",
    datasource: "go",
    component: "svc",
    current_value: "(transitive)",
    file: "svc/go.mod",
    line: null,
    lockfile: "svc/go.mod",
    lookup: { status: "skipped", reason: "transitive" },
    fixed_version: to,
    cve_ids: [`CVE-${name}`],
    vulnerability_score: 7.5,
    advisories: [],
    remediation: { kind: "in_place", target_version: to, file: "svc/go.mod", action: "Raise the // indirect requirement", parent: null, risk: null, removes: [], reasons: [] },
    ...over,
  });

/** `name` declared `name==1.0.0` on `line` of api/requirements.txt, 1.1.0 released 2025-12-01. */
export const pyDep = (name: string, line: number, over: Partial<Dependency> = {}): Dependency =>
  makeDependency({ name, version: "1.0.0", latest_version: "1.1.0", latest_release_date: "2025-12-01T00:00:00Z", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", current_value: "==1.0.0", line, ...over });

/** The dependency issue of `name` in api/requirements.txt. */
export const pyIssue = (id: string, name: string, over: Partial<MaintenanceIssue> = {}): MaintenanceIssue =>
  makeIssue({ id, type: "dependency", subject: `dependency:PyPI:${name}`, files_affected: ["api/requirements.txt"], affected_components: ["api"], title: `${name} is outdated`, ...over });
