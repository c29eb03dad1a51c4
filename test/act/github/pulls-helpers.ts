import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../../../src/act/github/pulls-git.js";
import type { Dependency, MaintenanceIssue } from "../../../src/model/index.js";
import { FileStore } from "../../../src/store/index.js";
import { FakeGitHub } from "../../helpers/fake-github.js";
import { makeDependency, makeIssue } from "../../helpers/factories.js";

export const NOW = new Date("2026-01-20T12:00:00.000Z");
export const clock = (): Date => NOW;
export const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

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

/** `name` declared `name==1.0.0` on `line` of api/requirements.txt, 1.1.0 released 2025-12-01. */
export const pyDep = (name: string, line: number, over: Partial<Dependency> = {}): Dependency =>
  makeDependency({ name, version: "1.0.0", latest_version: "1.1.0", latest_release_date: "2025-12-01T00:00:00Z", cve_ids: [], advisories: [], vulnerability_score: null, fixed_version: null, update_type: "minor", current_value: "==1.0.0", line, ...over });

/** The dependency issue of `name` in api/requirements.txt. */
export const pyIssue = (id: string, name: string, over: Partial<MaintenanceIssue> = {}): MaintenanceIssue =>
  makeIssue({ id, type: "dependency", subject: `dependency:PyPI:${name}`, files_affected: ["api/requirements.txt"], affected_components: ["api"], title: `${name} is outdated`, ...over });
