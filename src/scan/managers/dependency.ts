import type { DependencyType } from "../../model/index.js";
import type { ExtractedDependency, PackageManager } from "../types.js";

/** Fields of an ExtractedDependency that the caller knows. */
export interface DependencyBase {
  file: string;
  line: number | null;
  package_manager: PackageManager;
  dependency_type: DependencyType;
}

/** Blank dependency with every nullable field null; callers override what they know. */
export function baseDependency(
  base: DependencyBase,
  fields: Pick<ExtractedDependency, "name" | "datasource" | "current_value"> & Partial<ExtractedDependency>,
): ExtractedDependency {
  return {
    version: fields.current_value,
    locked_version: null,
    registry_url: null,
    digest: null,
    skip_reason: null,
    local_path: null,
    component: "",
    ...base,
    ...fields,
  };
}
