import type { z } from "zod";
import type { RegistriesConfig } from "../../config/schema.js";
import type { DatasourceName } from "../../scan/types.js";
import type { HttpClient } from "../http.js";
import type { Datasource } from "../types.js";
import { createCratesDatasource } from "./crates.js";
import { createDockerDatasource } from "./docker.js";
import { createGithubDatasource, type GithubDatasource, type OctokitLike } from "./github.js";
import { createGoDatasource } from "./go.js";
import { createHelmDatasource } from "./helm.js";
import { createNpmDatasource } from "./npm.js";
import { createPypiDatasource } from "./pypi.js";
import { createRuntimeDatasource } from "./runtime.js";

export { createCratesDatasource } from "./crates.js";
export { createDockerDatasource, parseImageName } from "./docker.js";
export { createGithubDatasource, type GithubDatasource, type OctokitLike, type ReleaseNote } from "./github.js";
export { createGoDatasource, escapeModulePath } from "./go.js";
export { createHelmDatasource } from "./helm.js";
export { createNpmDatasource } from "./npm.js";
export { createPypiDatasource, normalizePypiName } from "./pypi.js";
export { normalizeSourceUrl } from "./util.js";
export { createRuntimeDatasource, ENDOFLIFE_BASE, parseCycles } from "./runtime.js";

export interface CreateDatasourcesOptions {
  /** The process-wide shared HttpClient (its cache is what makes lookups cheap across repositories). */
  http: HttpClient;
  /** Installation Octokit, for github-tags. Without it that datasource is undefined. */
  octokit?: OctokitLike;
  /** Mirror URLs from config `registries` (osv is ignored here). */
  registries?: z.infer<typeof RegistriesConfig>;
  now?: () => number;
}

export type Datasources = Record<DatasourceName, Datasource | undefined> & { "github-tags": GithubDatasource | undefined };

/**
 * One datasource per registry. Runtime versions (node, python, go, rust) come from endoflife.date.
 * `git` and `none` have none here.
 * The GitHub datasource caches per instance: build one per installation Octokit (or share one
 * created with an app-level Octokit for public repositories).
 */
export function createDatasources(opts: CreateDatasourcesOptions): Datasources {
  const r = opts.registries ?? {};
  const { http } = opts;
  const docker = createDockerDatasource({ http, registry: r.docker, now: opts.now });
  return {
    npm: createNpmDatasource({ http, registry: r.npm }),
    pypi: createPypiDatasource({ http, base: r.pypi }),
    crates: createCratesDatasource({ http, base: r.crates }),
    go: createGoDatasource({ http, proxy: r.go }),
    docker,
    helm: createHelmDatasource({ http, oci: docker, defaultRepository: r.helm }),
    "github-tags": opts.octokit ? createGithubDatasource({ octokit: opts.octokit, now: opts.now }) : undefined,
    git: undefined,
    "node-version": createRuntimeDatasource("node-version", { http, now: opts.now }),
    "python-version": createRuntimeDatasource("python-version", { http, now: opts.now }),
    "golang-version": createRuntimeDatasource("golang-version", { http, now: opts.now }),
    "rust-version": createRuntimeDatasource("rust-version", { http, now: opts.now }),
    none: undefined,
  };
}
