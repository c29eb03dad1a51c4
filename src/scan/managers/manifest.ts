/**
 * Steps every YAML manifest manager repeats: open the document and insist on a top-level map, read
 * the name/version/description block, find a top-level list, and never let an exception escape.
 */
import type { ManagerResult, PackageManager, ScanWarning } from "../types.js";
import { asSeq, getNode, getPair, isYMap, isYScalar, kindOf, lineOf, pairLine, parseYaml, scalarText, type YMap, type YSeq } from "./image-ref.js";
import { YamlLimitError } from "./yaml-ast.js";

export type Warn = (line: number | null, message: string) => void;

export interface YamlManifest {
  /** The top-level map; null when the document is empty or not a map (already warned). */
  root: YMap | null;
  warnings: ScanWarning[];
  warn: Warn;
}

/**
 * Parse `content` and return its first document's top-level map. An empty document is warned with
 * `emptyMessage` (unless the parser already warned, or `emptyMessage` is null); a scalar or list at
 * the top is warned with its kind.
 */
export function openYamlManifest(file: string, content: string, manager: PackageManager, emptyMessage: string | null): YamlManifest {
  const { docs, warnings } = parseYaml(file, content, manager);
  const warn: Warn = (line, message) => {
    warnings.push({ file, line, manager, message });
  };
  const root = docs[0]?.contents ?? null;
  if (root === null || (isYScalar(root) && root.value === null)) {
    if (emptyMessage !== null && warnings.length === 0) warn(1, emptyMessage);
    return { root: null, warnings, warn };
  }
  if (!isYMap(root)) {
    warn(lineOf(root), `expected a map at the top level, found ${kindOf(root)}`);
    return { root: null, warnings, warn };
  }
  return { root, warnings, warn };
}

/** `name`, `version` and `description` scalars of a map (Chart.yaml's top level, Zarf/UDS `metadata`). */
export function manifestMetadata(map: unknown): { name: string | null; version: string | null; description: string | null } {
  return {
    name: scalarText(getNode(map, "name")),
    version: scalarText(getNode(map, "version")),
    description: scalarText(getNode(map, "description")),
  };
}

/** The list under `key` of `map`; null when absent, or when not a list (warned: "<key> should be a list"). */
export function listAt(map: YMap, key: string, warn: Warn): YSeq | null {
  const pair = getPair(map, key);
  if (!pair) return null;
  const seq = asSeq(pair.value);
  if (!seq) warn(pairLine(pair), `${key} should be a list, found ${kindOf(pair.value)}`);
  return seq;
}

/** Run a manager's extraction; a bug in it becomes a "cannot extract" warning, never an exception out of the scan. */
export function extractSafely(file: string, manager: PackageManager, primary: boolean, extract: () => ManagerResult): ManagerResult {
  try {
    return extract();
  } catch (err) {
    // A resource limit says what it is; a stack overflow from a walk is a nesting limit, not a bug to echo.
    const message =
      err instanceof YamlLimitError
        ? err.message
        : err instanceof RangeError
          ? `cannot extract: the file is nested too deeply to read (${err.message})`
          : `cannot extract: ${String(err)}`;
    return {
      deps: [],
      warnings: [{ file, line: err instanceof YamlLimitError ? err.line : null, manager, message }],
      meta: { primary },
    };
  }
}
