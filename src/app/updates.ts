/**
 * Update PRs asked for through the REST API (`POST /api/v1/repos/{o}/{r}/dependencies/update`): pick the
 * stored dependencies the request names, plan them with the update-PR module's `planUpdates` (an explicit
 * request bypasses maintenance windows and the minimum release age, not `max_open_prs`), and open each
 * planned group with `openUpdatePullRequest`. Also: finding a repository's installation for API-started work.
 */
import { randomUUID } from "node:crypto";
import type { Probot } from "probot";
import { loadConfigFor, type ConfigOctokit } from "../config/repo-config.js";
import type { CowabungaConfig } from "../config/schema.js";
import type { Dependency } from "../model/index.js";
import type { RepoRef, Store } from "../store/types.js";
import type { UpdateRequestBody } from "../server/types.js";
import { errorText, type AppLogger, type GitHubOctokit } from "../act/github/client.js";
import { listAppPullRequests, openUpdatePullRequest, planUpdates } from "../act/github/pulls.js";
import { LRUCache } from "lru-cache";
import { sharedEnrichment } from "./enrichment.js";

export function newJobId(kind: string): string {
  return `${kind}-${randomUUID()}`;
}

/** Installation Octokits by repository: `app.auth()` + `GET /repos/{o}/{r}/installation`, id cached 1 h. */
export class InstallationFinder {
  private readonly ids = new LRUCache<string, number>({ max: 10_000, ttl: 3_600_000 });
  constructor(private readonly app: Pick<Probot, "auth">) {}

  async octokit(ref: RepoRef): Promise<GitHubOctokit> {
    return (await this.app.auth(await this.installationId(ref))) as GitHubOctokit;
  }

  /** The id of the installation that covers the repository (cached; one app request otherwise). */
  async installationId(ref: RepoRef): Promise<number> {
    const key = `${ref.owner}/${ref.repo}`.toLowerCase();
    let id = this.ids.get(key);
    if (id === undefined) {
      const appOctokit = await this.app.auth();
      try {
        const res = await appOctokit.request("GET /repos/{owner}/{repo}/installation", { owner: ref.owner, repo: ref.repo });
        id = res.data.id;
      } catch (err) {
        throw new Error(`GET /repos/${ref.owner}/${ref.repo}/installation failed: ${errorText(err)}`, { cause: err });
      }
      this.ids.set(key, id);
    }
    return id;
  }

  private readonly missing = new LRUCache<string, true>({ max: 10_000, ttl: 600_000 });

  /**
   * Whether the app is installed on the repository now (metrics ingest). Answers are cached: an
   * installation for an hour, its absence for ten minutes. A GitHub failure other than 404 counts
   * as installed, so an outage does not drop pushed metrics of repositories the app has scanned.
   */
  async isInstalled(ref: RepoRef): Promise<boolean> {
    const key = `${ref.owner}/${ref.repo}`.toLowerCase();
    if (this.ids.has(key)) return true;
    if (this.missing.has(key)) return false;
    try {
      const appOctokit = await this.app.auth();
      const res = await appOctokit.request("GET /repos/{owner}/{repo}/installation", { owner: ref.owner, repo: ref.repo });
      this.ids.set(key, res.data.id);
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 404) {
        this.missing.set(key, true);
        return false;
      }
      return true;
    }
  }

  /** Remember an installation seen in a webhook (saves the lookup). */
  remember(ref: RepoRef, installationId: number): void {
    this.ids.set(`${ref.owner}/${ref.repo}`.toLowerCase(), installationId);
  }
}

/** Dependencies the request selects (names match the name or `name@version`; empty list = all). */
export function selectDependencies(deps: readonly Dependency[], body: UpdateRequestBody): Dependency[] {
  const names = body.dependencies?.map((n) => n.toLowerCase());
  return deps.filter((d) => {
    if (names && names.length > 0 && !names.includes(d.name.toLowerCase()) && !names.includes(`${d.name}@${d.version}`.toLowerCase())) return false;
    if (body.component && d.component !== body.component) return false;
    if (body.package_manager && d.package_manager !== body.package_manager) return false;
    if (body.update_type === "security" && d.advisories.length === 0 && d.cve_ids.length === 0) return false;
    return true;
  });
}

/** The repository's config, read with one contents request (defaults when absent or broken). */
/**
 * The repository's config for the REST API and issue commands: the app's one loader (`_extends`
 * included, src/config/repo-config.ts); problems are logged with file and line.
 */
export async function readRepoConfig(octokit: GitHubOctokit, ref: RepoRef, log: AppLogger): Promise<CowabungaConfig> {
  const loaded = await loadConfigFor(octokit as unknown as ConfigOctokit, ref, log);
  for (const e of loaded.errors) log.warn({ repo: `${ref.owner}/${ref.repo}`, file: e.file, line: e.line }, `config: ${e.message}`);
  return loaded.config;
}

export interface RequestedUpdatesResult {
  opened: number[];
  messages: string[];
}

/** Open the update PRs an API request asks for. Never throws: problems are messages (and logged). */
export async function openRequestedUpdates(args: {
  octokit: GitHubOctokit;
  ref: RepoRef;
  body: UpdateRequestBody;
  store: Store;
  clock: () => Date;
  log: AppLogger;
  config?: CowabungaConfig;
}): Promise<RequestedUpdatesResult> {
  const { octokit, ref, body, store, clock, log } = args;
  const out: RequestedUpdatesResult = { opened: [], messages: [] };
  try {
    const config = args.config ?? (await readRepoConfig(octokit, ref, log));
    if (config.maintenance_mode) {
      out.messages.push("maintenance_mode is on: no update pull requests are opened");
      return out;
    }
    const deps = selectDependencies(await store.getDependencies(ref), body);
    if (deps.length === 0) {
      out.messages.push("no stored dependency matches the request; run a scan first");
      return out;
    }
    const issues = await store.getIssues(ref);
    const meta = await octokit.request("GET /repos/{owner}/{repo}", { ...ref });
    const defaultBranch = meta.data.default_branch;
    const head = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...ref, ref: `heads/${defaultBranch}` });
    const open = await listAppPullRequests(octokit, ref.owner, ref.repo);
    const types = body.update_type && body.update_type !== "security" ? [body.update_type] : (["major", "minor", "patch", "digest"] as const);
    const plan = planUpdates(
      { dependencies: deps, issues },
      { ...config, updates: { ...config.updates, update_types: [...types], minimum_release_age_days: 0 } },
      open.map((p) => ({ number: p.number, head_ref: p.head.ref, body: p.body })),
      { now: clock(), inWindow: true },
    );
    for (const u of plan.unchanged) out.messages.push(`${u.key}: pull request #${u.number} is already open`);
    for (const s of plan.skipped) out.messages.push(`${s.name} (${s.file}): ${s.reason}`);
    for (const group of plan.groups) {
      const r = await openUpdatePullRequest({ octokit, owner: ref.owner, repo: ref.repo, defaultBranch, baseSha: head.data.object.sha, group, config, store, clock, log, docker: sharedEnrichment(log).dockerDigests(), ...sharedEnrichment(log).lockArtefactAccess() });
      if ("number" in r) out.opened.push(r.number);
      else out.messages.push(r.message);
    }
    if (plan.groups.length === 0 && plan.unchanged.length === 0 && plan.skipped.length === 0) out.messages.push("nothing to update: no newer or fixed version is known");
  } catch (err) {
    out.messages.push(errorText(err));
  }
  log.info({ repo: `${ref.owner}/${ref.repo}`, opened: out.opened, messages: out.messages }, `requested updates: ${out.opened.length} pull request(s) opened`);
  return out;
}
