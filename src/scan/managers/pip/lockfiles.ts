import { parsedDocument, parseJsonText, rawParse, type ParsedDocuments } from "../../documents.js";
import type { ScanWarning } from "../../types.js";
import { normalizePyName } from "./pep508.js";
import { asTable, parseTomlFile } from "./toml.js";

export interface PyLock {
  file: string;
  /** PEP 503 normalised name → version. */
  versions: Map<string, string>;
  packages: Array<{ name: string; version: string }>;
}

/** poetry.lock and uv.lock: `[[package]]` tables with name and version. */
export function parseTomlLock(file: string, content: string, warnings: ScanWarning[], docs?: ParsedDocuments): PyLock | null {
  // Stryker disable next-line StringLiteral: equivalent; the cache kind only keeps this parse apart from other parsers' results of the same file, and no parser uses ""
  const parsed = parsedDocument(docs, "toml:pip", file, content, () => parseTomlFile(file, content, "pip"));
  if (!parsed.ok) {
    warnings.push(parsed.warning);
    return null;
  }
  const lock: PyLock = { file, versions: new Map(), packages: [] };
  const pkgs = parsed.value.package;
  if (pkgs !== undefined && !Array.isArray(pkgs)) {
    warnings.push({ file, line: null, manager: "pip", message: "package must be an array of tables" });
    return lock;
  }
  // Stryker disable next-line ArrayDeclaration: equivalent; a string entry is no table and is passed over like a missing list
  for (const p of pkgs ?? []) {
    const t = asTable(p);
    if (!t || typeof t.name !== "string" || typeof t.version !== "string") continue;
    add(lock, t.name, t.version);
  }
  return lock;
}

/** Pipfile.lock: JSON with `default` and `develop` maps of name → { version: "==x" }. */
export function parsePipfileLock(file: string, content: string, warnings: ScanWarning[], docs?: ParsedDocuments): PyLock | null {
  // Stryker disable next-line StringLiteral: equivalent; the kind only lets other JSON readers of the same file share the parse
  const raw = rawParse(docs, "json", file, content, parseJsonText);
  if (!raw.ok) {
    warnings.push({ file, line: jsonErrorLine(content, raw.error), manager: "pip", message: `invalid JSON: ${(raw.error as Error).message}` });
    return null;
  }
  const doc = raw.doc;
  const lock: PyLock = { file, versions: new Map(), packages: [] };
  if (typeof doc !== "object" || doc === null) {
    warnings.push({ file, line: null, manager: "pip", message: "Pipfile.lock is not a JSON object" });
    return lock;
  }
  for (const section of ["default", "develop"]) {
    const s = (doc as Record<string, unknown>)[section];
    if (typeof s !== "object" || s === null) continue;
    for (const [name, entry] of Object.entries(s as Record<string, unknown>)) {
      // Stryker disable next-line ConditionalExpression: equivalent; a string, number or boolean entry has no `version` property either
      const v = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>).version : undefined;
      if (typeof v !== "string" || !/^===?/.test(v)) continue;
      // Stryker disable next-line Regex: equivalent; the test above already requires the pin at the start
      add(lock, name, v.replace(/^===?/, "").trim());
    }
  }
  return lock;
}

function add(lock: PyLock, name: string, version: string): void {
  const key = normalizePyName(name);
  if (!lock.versions.has(key)) lock.versions.set(key, version);
  lock.packages.push({ name, version });
}

function jsonErrorLine(content: string, err: unknown): number | null {
  // Stryker disable next-line OptionalChaining,StringLiteral: equivalent; JSON.parse only throws SyntaxErrors, which have a message
  const m = /position (\d+)/.exec(String((err as Error)?.message ?? ""));
  if (!m) return null;
  return content.slice(0, Number(m[1])).split("\n").length;
}
