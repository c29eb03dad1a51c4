import type { Manager } from "../types.js";
import { cargoManager } from "./cargo.js";
import { dockerManager } from "./docker.js";
import { githubActionsManager } from "./github-actions.js";
import { goManager } from "./go.js";
import { helmManager } from "./helm.js";
import { npmManager } from "./npm.js";
import { pipManager } from "./pip.js";
import { udsManager } from "./uds.js";
import { zarfManager } from "./zarf.js";

/** Every manager, in the order their results are reported. */
export const ALL_MANAGERS: Manager[] = [
  npmManager,
  pipManager,
  cargoManager,
  goManager,
  dockerManager,
  githubActionsManager,
  helmManager,
  zarfManager,
  udsManager,
];
