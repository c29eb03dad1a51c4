import { parse, TomlError } from "smol-toml";
import type { PackageManager, ScanWarning } from "../../types.js";

export type TomlTable = Record<string, unknown>;

export type TomlParseResult = { ok: true; value: TomlTable } | { ok: false; warning: ScanWarning };

/** Parse TOML; a syntax error becomes a warning naming the file, line and column. */
export function parseTomlFile(file: string, content: string, manager: PackageManager): TomlParseResult {
  try {
    return { ok: true, value: parse(content) as TomlTable };
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split("\n")[0];
      return {
        ok: false,
        warning: { file, line: err.line, manager, message: `invalid TOML at line ${err.line}, column ${err.column}: ${first}` },
      };
    }
    return { ok: false, warning: { file, line: null, manager, message: `invalid TOML: ${String(err)}` } };
  }
}

export function isTable(v: unknown): v is TomlTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function asTable(v: unknown): TomlTable | undefined {
  return isTable(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Walk nested tables; undefined when any step is missing or not a table. */
export function getPath(root: TomlTable, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (!isTable(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
