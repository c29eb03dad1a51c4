/**
 * `cowabunga scan github:OWNER/REPO[@REF]`: the same scan, enrichment, assessment and output as a
 * local scan, reading the repository through the app's GitHub source (1 tree listing plus batched
 * GraphQL blob reads) with an `@octokit/rest` client. No clone, no app installation.
 */
import path from "node:path";
import { formatConfigErrors } from "../../config/load.js";
import { GitHubSource } from "../../source/github.js";
import type { RepoRef } from "../../store/types.js";
import { SCAN_FORMATS, type ScanFormat } from "../format/index.js";
import { createGitHubClient, DEFAULT_GITHUB_API_URL, explainGitHubFailure, parseGitHubTarget } from "../github-target.js";
import { UsageError } from "../io.js";
import type { ScanCommandDeps, ScanCommandOptions, ScanHelpers } from "./scan.js";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The API base URL: --github-api-url, else $GITHUB_API_URL (set in GitHub Actions), else api.github.com. */
export async function resolveGitHubApiUrl(flag: string | undefined, env: Record<string, string | undefined>): Promise<URL> {
  const raw = (flag ?? env.GITHUB_API_URL ?? DEFAULT_GITHUB_API_URL).trim();
  const { assertSafeUrl } = await import("../../enrich/url-guard.js");
  let url: URL;
  try {
    // The operator names the API: a GHES on a private address is fine; scheme and credential checks stay.
    url = await assertSafeUrl(raw, { allowPrivate: true });
  } catch (err) {
    throw new UsageError(`--github-api-url ${JSON.stringify(raw.slice(0, 200))}: ${(err as Error).message}`);
  }
  if (url.search || url.hash) throw new UsageError(`--github-api-url ${JSON.stringify(raw.slice(0, 200))}: no query or fragment, just the API base (GHES: https://HOST/api/v3)`);
  return url;
}

export async function runGitHubTargetScan(spec: string, options: ScanCommandOptions, deps: ScanCommandDeps, helpers: ScanHelpers): Promise<number> {
  const { io } = deps;
  const { emit, finishAssessment, parseConfigText, parseRegistryOptions, parseRepoOption, pipelineHttp, readConfigText, createProgressBar } = helpers;
  const env = deps.env ?? process.env;
  const target = parseGitHubTarget(spec);
  const enrich = options.enrich !== false;
  if (!enrich && !(options.format in SCAN_FORMATS)) {
    throw new UsageError(`--format ${options.format} needs the assessment; with --no-enrich use ${Object.keys(SCAN_FORMATS).join(", ")}`);
  }
  if (!enrich && options.failOn) throw new UsageError("--fail-on needs the assessment; it cannot be combined with --no-enrich");
  const registries = await parseRegistryOptions(options.registry ?? []);
  const explicitRepo = options.repo ? parseRepoOption(options.repo) : null;
  const osvDb = options.osvDb ? path.resolve(io.cwd, options.osvDb) : null;
  if (osvDb && !(await import("node:fs")).existsSync(osvDb)) throw new UsageError(`--osv-db: not found: ${options.osvDb}`);
  // --config names a local file; without it the repository's own .github/cowabunga.yml is read with the manifests.
  const configFile = options.config ? path.resolve(io.cwd, options.config) : null;
  const config = configFile ? await parseConfigText((await readConfigText(configFile, true)) as string, configFile, io) : undefined;

  const token = env.GITHUB_TOKEN?.trim();
  if (!token) {
    throw new UsageError(
      `${spec}: GITHUB_TOKEN is not set. A github: target is read through the GitHub API, and its GraphQL file reads need a token (read access to the repository's contents; for a public repository any token will do)`,
    );
  }
  const apiUrl = await resolveGitHubApiUrl(options.githubApiUrl, env);
  const apiBase = apiUrl.href.replace(/\/+$/, "");
  if (apiUrl.protocol === "http:" && !LOOPBACK.has(apiUrl.hostname)) io.stderr(`cowabunga: warning: GITHUB_TOKEN is sent to ${apiUrl.host} over plain http\n`);
  const client = createGitHubClient({ token, baseUrl: apiBase, userAgent: "cowabunga-maintainer-cli" });
  const github = new GitHubSource({
    octokit: client,
    owner: target.owner,
    repo: target.repo,
    // A commit SHA pins the scan (tree and blobs of one snapshot); a branch or tag is resolved by GitHub on each read.
    ...(target.isCommit ? { sha: target.ref as string } : { ref: target.ref ?? "HEAD" }),
  });
  try {
    await github.listFiles(); // the one tree read; remembered, so the scan below does not repeat it
  } catch (err) {
    throw await explainGitHubFailure(err, target, client, `${apiUrl.origin}${apiUrl.pathname.replace(/\/+$/, "")}`);
  }

  const repo: RepoRef = explicitRepo ?? { owner: target.owner.toLowerCase(), repo: target.repo.toLowerCase() };
  const title = `${target.owner}/${target.repo}${target.ref ? `@${target.ref}` : ""}`;
  const progress = await createProgressBar(io);
  const remote = await import("../../pipeline/remote.js");

  if (!enrich) {
    let scanned;
    try {
      scanned = await remote.scanRemote(github, target.repo, { managers: deps.managers, config, withTextFiles: false, onProgress: progress.onProgress });
    } finally {
      progress.stop();
    }
    if (scanned.configErrors.length) io.stderr(`${formatConfigErrors(scanned.configErrors)}\n`);
    const text = SCAN_FORMATS[options.format as ScanFormat](scanned.scan);
    await emit(io, text, options.out, `Wrote ${scanned.scan.dependencies.length} dependencies of ${scanned.scan.components.length} components`);
    return 0;
  }

  const http = await pipelineHttp(options, registries, deps);
  const clock = deps.clock ?? (() => new Date());
  const store = options.data ? new (await import("../../store/file-store.js")).FileStore({ root: path.resolve(io.cwd, options.data), clock }) : undefined;
  let result;
  try {
    result = await remote.runRemotePipeline({
      github,
      config,
      offline: Boolean(options.offline),
      osvDb,
      registries,
      clock,
      store,
      repo,
      http,
      datasources: deps.datasources,
      advisories: deps.advisories,
      managers: deps.managers,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.stop();
  }
  if (result.configErrors.length) io.stderr(`${formatConfigErrors(result.configErrors)}\n`);
  return finishAssessment(result.assessment, result.scan.source, { options, deps, clock, subject: `${repo.owner}/${repo.repo}`, title, store });
}
