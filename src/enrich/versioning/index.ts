import type { DatasourceName } from "../../scan/types.js";
import type { Versioning } from "../types.js";
import { dockerVersioning } from "./docker.js";
import { looseVersioning } from "./loose.js";
import { pep440Versioning } from "./pep440.js";
import { cargoVersioning, goVersioning, semverVersioning } from "./semver.js";

export { dockerVersioning, parseDockerTag } from "./docker.js";
export { looseVersioning, parseLoose, compareLoose } from "./loose.js";

/**
 * The version scheme of each datasource. npm → semver (node-semver ranges), crates → semver with
 * Cargo requirement syntax, go → semver with the leading "v" (pseudo-versions are pre-releases),
 * pypi → PEP 440, docker → tag variants, github-tags/helm/git → loose (accepts semver).
 */
export function versioningFor(datasource: DatasourceName): Versioning {
  switch (datasource) {
    case "npm":
    case "node-version":
    case "golang-version":
    case "rust-version":
      return semverVersioning;
    case "crates":
      return cargoVersioning;
    case "go":
      return goVersioning;
    case "pypi":
    case "python-version":
      return pep440Versioning;
    case "docker":
      return dockerVersioning;
    case "github-tags":
    case "helm":
    case "git":
    case "none":
      return looseVersioning;
  }
}
