/**
 * "Where are we exposed to CVE-X?" (issue 16, item 5): `GET /api/v1/advisories/{id}` and the dashboard's
 * `/dashboard/advisories/{id}` list the repositories an advisory affects and their state, from the store.
 * Candidates come from the reverse index when the advisory refresh recorded the advisory's packages, else
 * from every stored repository; only repositories the caller's GitHub token can read are listed.
 */
import { promises as fs } from "node:fs";
import { z } from "zod";
import type { Dependency, MaintenanceIssue, MaintenanceRecord } from "../model/index.js";
import { datasourceOf } from "../assess/draft.js";
import { securityIssueId } from "../assess/detect/security.js";
import type { RepoRef, Store } from "../store/types.js";
import { advisoryStatePath } from "../app/advisory-jobs.js";
import { escapeAttr, escapeHtml } from "../act/report/escape.js";
import type { GitHubAccessChecker } from "./github-access.js";
import { bearerToken, HttpError, sendJson, type Router } from "./http.js";
import { safeEqual } from "./session.js";
import type { ServerDeps } from "./types.js";

const STATES = ["affected", "issue_open", "pr_open", "deferred", "fixed"] as const;

/** The response of `GET /api/v1/advisories/{id}` (the OpenAPI document's AdvisoryExposure). */
export const AdvisoryExposureResponse = z.object({
  id: z.string(),
  repositories: z.array(
    z.object({
      repository: z.string(),
      state: z.enum(STATES),
      packages: z.array(z.object({ name: z.string(), version: z.string(), component: z.string(), file: z.string(), direct: z.boolean() })),
      issue: z.object({ id: z.string(), github_issue_number: z.number().int().nullable(), lifecycle_state: z.string() }).nullable(),
      pull_request: z.number().int().nullable(),
    }),
  ),
  counts: z.object({ affected: z.number().int(), issue_open: z.number().int(), pr_open: z.number().int(), deferred: z.number().int(), fixed: z.number().int() }),
});

export const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
/** Repositories whose access one request may check with GitHub. */
export const MAX_ADVISORY_REPOS = 500;

export type ExposureState = (typeof STATES)[number];

export interface AdvisoryExposure {
  repository: string;
  state: ExposureState;
  /** The affected package versions, as stored. */
  packages: Array<{ name: string; version: string; component: string; file: string; direct: boolean }>;
  issue: { id: string; github_issue_number: number | null; lifecycle_state: string } | null;
  pull_request: number | null;
}

function mentions(issue: MaintenanceIssue, id: string): boolean {
  const line = issue.description.split("\n").find((l) => l.startsWith("Advisories: ")) ?? "";
  return issue.subject.endsWith(`:${id}`) || line.split(/[\s,()]+/).includes(id) || issue.title.startsWith(`${id}:`);
}

/** One repository's exposure to an advisory (id or alias), or null when neither its dependencies nor its issues know it. */
export function exposureOf(repo: string, id: string, deps: readonly Dependency[], issues: readonly MaintenanceIssue[], records: readonly MaintenanceRecord[]): AdvisoryExposure | null {
  const hit = deps.filter((d) => d.advisories.some((a) => a.id === id || a.aliases.includes(id)) || d.cve_ids.includes(id));
  const ids = new Set(hit.map((d) => securityIssueId(datasourceOf(d), d.name, d.locked_version ?? d.version)));
  const related = issues.filter((i) => i.type === "security" && (ids.has(i.id) || mentions(i, id)));
  if (hit.length === 0 && related.length === 0) return null;
  const current = related.find((i) => ids.has(i.id)) ?? related.find((i) => i.status !== "resolved") ?? related[0] ?? null;
  const pr = current ? records.find((r) => r.attempt_status === "pending" && r.pull_request !== null && r.issues_resolved.includes(current.id)) : undefined;
  let state: ExposureState;
  if (hit.length === 0) state = "fixed";
  else if (current?.lifecycle_state === "deferred") state = "deferred";
  else if (pr) state = "pr_open";
  else if (current && current.status !== "resolved") state = "issue_open";
  else state = "affected";
  return {
    repository: repo,
    state,
    packages: hit.map((d) => ({ name: d.name, version: d.locked_version ?? d.version, component: d.component, file: d.lockfile ?? d.file, direct: d.current_value !== "(transitive)" })),
    issue: current ? { id: current.id, github_issue_number: current.github_issue_number, lifecycle_state: current.lifecycle_state } : null,
    pull_request: pr?.pull_request ?? null,
  };
}

/** The advisory's packages as the last refresh recorded them (state file), or null when unknown. */
async function packagesFromState(statePath: string | null, id: string): Promise<Array<{ ecosystem: string; name: string }> | null> {
  if (!statePath) return null;
  try {
    type Entries = Record<string, { packages?: Record<string, string> }>;
    const s = JSON.parse(await fs.readFile(statePath, "utf8")) as { advisories?: Entries; online?: { advisories?: Entries } };
    // The offline mirror's fingerprints, else the online refresh's (src/advisories/online.ts).
    const entry = s.advisories?.[id] ?? s.online?.advisories?.[id];
    if (!entry?.packages) return null;
    return Object.keys(entry.packages).map((k) => ({ ecosystem: k.slice(0, k.indexOf("\u0000")), name: k.slice(k.indexOf("\u0000") + 1) }));
  } catch {
    return null;
  }
}

/** Candidate repositories: the reverse index's, when the advisory's packages are known; else all. */
export async function advisoryCandidates(store: Store, id: string, statePath: string | null): Promise<RepoRef[]> {
  const pkgs = await packagesFromState(statePath, id);
  if (!pkgs) return store.listRepos();
  const out = new Map<string, RepoRef>();
  for (const p of pkgs) for (const d of await store.findDependents(p)) out.set(`${d.repo.owner}/${d.repo.repo}`.toLowerCase(), d.repo);
  // Repositories whose issues still name it (fixed since) are found through their stored issues below only
  // when they are candidates; a fixed repository no longer uses the package, so list every repository then.
  return out.size > 0 ? [...out.values()] : store.listRepos();
}

export async function advisoryExposure(store: Store, id: string, repos: readonly RepoRef[]): Promise<AdvisoryExposure[]> {
  const out: AdvisoryExposure[] = [];
  for (const r of repos) {
    const [deps, issues, records] = await Promise.all([store.getDependencies(r), store.getIssues(r), store.getRecords(r)]);
    const e = exposureOf(`${r.owner}/${r.repo}`, id, deps, issues, records);
    if (e) out.push(e);
  }
  const rank: Record<ExposureState, number> = { affected: 0, issue_open: 1, pr_open: 2, deferred: 3, fixed: 4 };
  return out.sort((a, b) => rank[a.state] - rank[b.state] || a.repository.localeCompare(b.repository));
}

/** `GET /api/v1/advisories/{id}`: like `/api/v1/jobs`, a GitHub token sees the repositories it can read; the admin token all. */
export function registerAdvisoryRoutes(router: Router, deps: ServerDeps, access: GitHubAccessChecker): void {
  const env = deps.env ?? process.env;
  router.add("GET", "/api/v1/advisories/{id}", async (ctx) => {
    for (const key of ctx.url.searchParams.keys()) throw new HttpError(400, `unknown query parameter "${key.slice(0, 100)}"; allowed: (none)`, { parameter: key.slice(0, 100) });
    const id = ctx.params.id ?? "";
    if (!ADVISORY_ID.test(id)) throw new HttpError(400, "invalid advisory id: letters, digits and . _ : - only, at most 100 characters", { parameter: "id" });
    const token = bearerToken(ctx.req);
    const admin = !!env.COWABUNGA_ADMIN_TOKEN && env.COWABUNGA_ADMIN_TOKEN.length >= 16 && !!token && safeEqual(token, env.COWABUNGA_ADMIN_TOKEN);
    if (!token) throw new HttpError(401, "missing Authorization: Bearer <GitHub token> header");
    const candidates = await advisoryCandidates(deps.store, id, advisoryStatePath(env));
    const exposure = await advisoryExposure(deps.store, id, candidates);
    const visible = admin ? exposure : await readableOnly(access, token, exposure);
    sendJson(ctx, 200, { id, repositories: visible, counts: countStates(visible) });
  });
}

export function countStates(list: readonly AdvisoryExposure[]): Record<ExposureState, number> {
  const c: Record<ExposureState, number> = { affected: 0, issue_open: 0, pr_open: 0, deferred: 0, fixed: 0 };
  for (const e of list) c[e.state]++;
  return c;
}

/** The entries whose repository the token can read (GitHub asked, cached by the checker); bounded. */
export async function readableOnly(access: GitHubAccessChecker, token: string, list: readonly AdvisoryExposure[]): Promise<AdvisoryExposure[]> {
  if (list.length === 0 && (await access.login(token)) === null) throw new HttpError(401, "GitHub rejected the token; use a valid user token or personal access token");
  if (list.length > MAX_ADVISORY_REPOS) throw new HttpError(422, `${list.length} repositories are affected; more than ${MAX_ADVISORY_REPOS} cannot be checked per request (use the admin token)`);
  const out: AdvisoryExposure[] = [];
  for (const e of list) {
    const [owner, repo] = e.repository.split("/") as [string, string];
    const r = await access.check(token, owner, repo);
    if (r.kind === "invalid_token") throw new HttpError(401, "GitHub rejected the token (401); use a valid user token or personal access token");
    if (r.kind === "unavailable") throw new HttpError(502, `could not verify access with GitHub: ${r.message}`);
    if (r.access !== "none") out.push(e);
  }
  return out;
}

const STATE_LABEL: Record<ExposureState, string> = { affected: "affected (no issue yet)", issue_open: "issue open", pr_open: "PR open", deferred: "deferred", fixed: "fixed" };

/** The dashboard page: every value escaped. */
export function renderAdvisoryPage(id: string, list: readonly AdvisoryExposure[], login: string | null): string {
  const counts = countStates(list);
  const rows = list
    .map(
      (e) =>
        `<tr class="exposure"><td><a href="/dashboard/${escapeAttr(e.repository)}">${escapeHtml(e.repository)}</a></td><td class="state">${escapeHtml(STATE_LABEL[e.state])}</td>` +
        `<td>${escapeHtml(e.packages.map((p) => `${p.name} ${p.version} (${p.component}, ${p.file}${p.direct ? "" : ", transitive"})`).join("; "))}</td>` +
        `<td>${e.issue?.github_issue_number ? `#${e.issue.github_issue_number}` : ""}</td><td>${e.pull_request ? `#${e.pull_request}` : ""}</td></tr>`,
    )
    .join("");
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(id)}: exposure</title>`,
    `<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827}table{border-collapse:collapse}td,th{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left}</style></head><body>`,
    `<h1>Where is <code>${escapeHtml(id)}</code>?</h1>`,
    login ? `<p>Signed in as <strong>${escapeHtml(login)}</strong>; repositories you can read.</p>` : "",
    `<p id="counts">${(Object.keys(counts) as ExposureState[]).map((k) => `${escapeHtml(STATE_LABEL[k])}: ${counts[k]}`).join(" · ")}</p>`,
    list.length === 0 ? `<p id="none">No repository you can read is affected.</p>` : `<table id="exposure"><thead><tr><th>Repository</th><th>State</th><th>Packages</th><th>Issue</th><th>PR</th></tr></thead><tbody>${rows}</tbody></table>`,
    `</body></html>`,
  ].join("");
}
