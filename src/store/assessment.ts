import type { Assessment } from "../assess/types.js";
import type { RepoRef, Store } from "./types.js";

/**
 * Persist one assessment: issues, dependencies (with a history snapshot), system and component health,
 * health history; component files of components that no longer exist are removed.
 */
export async function storeAssessment(store: Store, ref: RepoRef, a: Assessment, headSha: string | null, at: string): Promise<void> {
  await store.putAssessment(ref, { issues: a.issues, dependencies: a.dependencies, scan: { scanned_at: at, head_sha: headSha }, system: a.system, components: a.components });
}
