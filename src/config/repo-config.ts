/**
 * The ONE config loader of the app: webhooks, the schedule, the REST API (audit, update requests) and
 * issue commands all read `.github/cowabunga.yml` through `loadConfigFor`, so `_extends` (an
 * organisation's `.github` repository, or any `owner/repo:path`) holds everywhere. It asks the
 * installation's Octokit the way Probot's `context.config` does (@probot/octokit-plugin-config, files
 * deep-merged in order, lists concatenated), then validates with `loadRepoConfig` (line numbers on
 * errors, invalid parts replaced by defaults). Never throws.
 */
import type { AppLogger } from "../act/github/client.js";
import { CONFIG_FILE_NAME, CONFIG_PATH, loadRepoConfig, parseConfigYaml, type ConfigContext, type ConfigLoadResult } from "./load.js";
import { defaultConfig } from "./schema.js";

interface ConfigPluginResult {
  config: Record<string, unknown>;
  files: Array<{ config: Record<string, unknown> | null }>;
}

/** The parts of an Octokit the loader uses: Probot's Octokit has them all. */
export interface ConfigOctokit {
  request(route: "GET /repos/{owner}/{repo}/contents/{path}", params: { owner: string; repo: string; path: string }): Promise<{ data: unknown }>;
  config?: {
    get(options: { owner: string; repo: string; path: string; defaults?: (configs: Array<Record<string, unknown>>) => Record<string, unknown> }): Promise<ConfigPluginResult>;
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** deepmerge's defaults, as Probot's context.config uses them: objects merged key by key, lists concatenated. */
export function mergeConfigs(configs: readonly unknown[]): Record<string, unknown> {
  const merge = (a: unknown, b: unknown, depth: number): unknown => {
    if (depth > 32) return b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (isPlainObject(a) && isPlainObject(b)) {
      const out: Record<string, unknown> = { ...a };
      for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v, depth + 1) : v;
      return out;
    }
    return b;
  };
  let out: Record<string, unknown> = {};
  for (const c of configs) if (isPlainObject(c)) out = merge(out, c, 0) as Record<string, unknown>;
  return out;
}

/** A ConfigContext for `loadRepoConfig` from an installation Octokit (no webhook context needed). */
export function configContextFor(octokit: ConfigOctokit, ref: { owner: string; repo: string }, log?: AppLogger): ConfigContext {
  return {
    repo: () => ref,
    async config(fileName: string) {
      const path = `.github/${fileName}`;
      if (!octokit.config) {
        // An Octokit without Probot's config plugin: the repository's own file only (no _extends).
        const res = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...ref, path });
        const data = res.data as { content?: string; encoding?: string };
        if (typeof data.content !== "string") return null;
        const parsed = parseConfigYaml(Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8"), path);
        if (parsed.errors.some((e) => e.severity === "error" && e.path === "(root)")) throw new Error(parsed.errors[0].message);
        return parsed.config;
      }
      const { config, files } = await octokit.config.get({ ...ref, path, defaults: (configs) => mergeConfigs(configs) });
      return files.some((f) => f.config !== null) ? config : null;
    },
    octokit: {
      rest: {
        repos: {
          getContent: (params) => octokit.request("GET /repos/{owner}/{repo}/contents/{path}", params),
        },
      },
    },
    ...(log ? { log: { warn: (obj: unknown, msg?: string) => log.warn(obj as object, msg) } } : {}),
  };
}

/** Load and validate a repository's config, `_extends` included. Never throws: problems are in `errors`. */
export async function loadConfigFor(octokit: ConfigOctokit, ref: { owner: string; repo: string }, log?: AppLogger): Promise<ConfigLoadResult> {
  try {
    return await loadRepoConfig(configContextFor(octokit, ref, log));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { config: defaultConfig(), errors: [{ path: "(root)", line: null, severity: "error", message: `cannot load config: ${message}; using all defaults`, file: `${ref.owner}/${ref.repo}:${CONFIG_PATH}` }] };
  }
}

export { CONFIG_FILE_NAME };
