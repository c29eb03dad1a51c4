import type { Assessment } from "../assess/types.js";
import type { RepoRef, Store } from "./types.js";

/**
 * Persist one assessment: issues, dependencies (with a history snapshot), system and component health,
 * health history; component files of components that no longer exist are removed.
 */
export async function storeAssessment(store: Store, ref: RepoRef, a: Assessment, headSha: string | null, at: string): Promise<void> {
  await store.updateIssues(ref, () => a.issues);
  await store.putDependencies(ref, a.dependencies, { scanned_at: at, head_sha: headSha });
  await store.putSystemHealth(ref, a.system);
  await store.appendHealthHistory(ref, a.system);
  await store.replaceComponentHealth(ref, a.components);
}
