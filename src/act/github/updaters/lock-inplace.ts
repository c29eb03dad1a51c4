/**
 * Lockfile-only updates ("in place" remediations): one package's entry moves to a fixed version that
 * every parent's requirement already admits, with the registry's own artefact facts, without running a
 * package manager. Pure: text in, text out; never throws.
 * - package-lock.json / npm-shrinkwrap.json (v1 tree, v2/v3 packages map): `version`, `resolved` and
 *   `integrity` of every copy of name@from, from the packument's `dist` (`tarball`, `integrity`).
 * - Cargo.lock: the `[[package]]` block's `version` and `checksum` (the sparse index's `cksum`), and
 *   `"name from"` references in other packages' dependency lists.
 */
import type { ArtefactFacts } from "../../../enrich/datasources/requirements.js";
import type { DatasourceName } from "../../../scan/types.js";
import { clip } from "./common.js";
import { updateGoModRequirement, updateGoSum } from "./lock-go.js";
import { updatePnpmLockEntry } from "./lock-pnpm.js";
import { updatePoetryLockEntry, updateUvLockEntry } from "./lock-python.js";
import { requirementsDiffer, updateYarnLockEntry, type LockEditResult } from "./lock-yarn.js";

export type { ArtefactFacts, LockEditResult };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The JSON indentation the file uses (npm writes 2 spaces; keep tabs or 4 if someone reformatted it). */
function indentOf(text: string): string | number {
  const m = /^[{[]\r?\n([ \t]+)"/.exec(text);
  return m ? m[1] : 2;
}

export function updateNpmLockEntry(path: string, content: string, name: string, from: string, facts: ArtefactFacts): LockEditResult {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (e) {
    return { error: `${path}: invalid JSON, not edited: ${(e as Error).message}` };
  }
  if (!isRecord(doc)) return { error: `${path}: not a JSON object, not edited` };
  if (!facts.resolved || !facts.integrity) return { error: `${path}: the registry gave no tarball and integrity for ${clip(name)} ${facts.version}; lockfile not edited` };
  let changed = 0;
  let differs: string | null = null;
  const apply = (entry: Record<string, unknown>): void => {
    // A v2/v3 entry records its own requirements: the new version must have the same ones.
    if (isRecord(entry.dependencies) || isRecord(entry.optionalDependencies)) {
      const recorded = new Map<string, string>();
      for (const f of ["dependencies", "optionalDependencies"]) {
        const d = entry[f];
        if (isRecord(d)) for (const [k, r] of Object.entries(d)) if (typeof r === "string") recorded.set(k, r);
      }
      differs ??= requirementsDiffer(name, facts.version, recorded, facts);
    }
    entry.version = facts.version;
    entry.resolved = facts.resolved;
    entry.integrity = facts.integrity;
    changed++;
  };
  if (isRecord(doc.packages)) {
    for (const [key, entry] of Object.entries(doc.packages)) {
      if (!isRecord(entry) || entry.version !== from) continue;
      const at = key.lastIndexOf("node_modules/");
      const keyName = at >= 0 ? key.slice(at + "node_modules/".length) : null;
      if ((typeof entry.name === "string" ? entry.name : keyName) === name) apply(entry);
    }
  }
  // v1 (and v2's copy for old npm): the nested dependencies tree, walked with an explicit stack.
  const stack: unknown[] = [doc.dependencies];
  let visited = 0;
  while (stack.length > 0 && visited++ < 200_000) {
    const level = stack.pop();
    if (!isRecord(level)) continue;
    for (const [key, entry] of Object.entries(level)) {
      if (!isRecord(entry)) continue;
      if (key === name && entry.version === from) apply(entry);
      stack.push(entry.dependencies);
    }
  }
  if (changed === 0) return { error: `${path}: no entry for ${clip(name)} ${clip(from)}; lockfile not edited` };
  if (differs) return { error: `${path}: ${differs}; a relock is needed (npm update ${name}), the lockfile is not edited in place` };
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  let out = JSON.stringify(doc, null, indentOf(content));
  if (eol === "\r\n") out = out.replace(/\n/g, "\r\n");
  return { content: content.endsWith("\n") ? out + eol : out };
}

export function updateCargoLockEntry(path: string, content: string, name: string, from: string, facts: ArtefactFacts): LockEditResult {
  if (!facts.integrity || !/^[0-9a-f]{64}$/.test(facts.integrity)) {
    return { error: `${path}: the registry index gave no sha256 checksum for ${clip(name)} ${facts.version}; lockfile not edited` };
  }
  const lines = content.split(/(?<=\n)/);
  let blockStart = -1;
  let found = false;
  const q = (s: string): string => JSON.stringify(s);
  for (let i = 0; i <= lines.length; i++) {
    const text = i < lines.length ? lines[i].replace(/\r?\n$/, "") : "[[package]]";
    if (text.trim() === "[[package]]") {
      if (blockStart >= 0) {
        const block = lines.slice(blockStart, i).map((l) => l.replace(/\r?\n$/, "").trim());
        if (block.includes(`name = ${q(name)}`) && block.includes(`version = ${q(from)}`)) {
          for (let j = blockStart; j < i; j++) {
            const t = lines[j].trim();
            const eol = lines[j].slice(lines[j].replace(/\r?\n$/, "").length);
            if (t === `version = ${q(from)}`) lines[j] = `version = ${q(facts.version)}${eol}`;
            else if (t.startsWith("checksum = ")) lines[j] = `checksum = ${q(facts.integrity)}${eol}`;
          }
          found = true;
        }
      }
      blockStart = i;
    }
  }
  if (!found) return { error: `${path}: no [[package]] ${clip(name)} ${clip(from)}; lockfile not edited` };
  if (content.split(/\r?\n\s*\r?\n/).some((b) => b.includes(`name = ${q(name)}`) && b.includes(`version = ${q(facts.version)}`))) {
    return { error: `${path}: ${name} ${facts.version} is already locked; a relock is needed (cargo update -p ${name}@${from} --precise ${facts.version}), the lockfile is not edited in place` };
  }
  // Dependency lists name a version only when several are locked: "name from" → "name to".
  const ref = new RegExp(`^(\\s*)"${name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")} ${from.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}( \\(|")`);
  const out = lines.map((l) => l.replace(ref, (_m, sp: string, tail: string) => `${sp}"${name} ${facts.version}${tail}`));
  return { content: out.join("") };
}

export type LockEditor = (path: string, content: string, name: string, from: string, facts: ArtefactFacts) => LockEditResult;

const EDITORS: Record<string, { edit: LockEditor; datasource: DatasourceName }> = {
  "package-lock.json": { edit: updateNpmLockEntry, datasource: "npm" },
  "npm-shrinkwrap.json": { edit: updateNpmLockEntry, datasource: "npm" },
  "yarn.lock": { edit: updateYarnLockEntry, datasource: "npm" },
  "pnpm-lock.yaml": { edit: updatePnpmLockEntry, datasource: "npm" },
  "Cargo.lock": { edit: updateCargoLockEntry, datasource: "crates" },
  "poetry.lock": { edit: updatePoetryLockEntry, datasource: "pypi" },
  "uv.lock": { edit: updateUvLockEntry, datasource: "pypi" },
  // go.mod is the manifest too: only a transitive (`// indirect`) requirement is a lockfile-only edit.
  "go.mod": { edit: updateGoModRequirement, datasource: "go" },
};

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The in-place editor for a lockfile path, or null when there is none (Pipfile.lock: pipenv must relock). */
export function lockEditorFor(path: string): LockEditor | null {
  return EDITORS[baseName(path)]?.edit ?? null;
}

/** The registry whose metadata an in-place edit of this lockfile needs. */
export function lockDatasourceFor(path: string): DatasourceName | null {
  return EDITORS[baseName(path)]?.datasource ?? null;
}

/** Files that move with the lockfile: go.sum with go.mod. */
export function lockCompanionsFor(path: string): Array<{ path: string; edit: (path: string, content: string, name: string, from: string, facts: ArtefactFacts) => LockEditResult }> {
  if (baseName(path) !== "go.mod") return [];
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  return [{ path: `${dir}go.sum`, edit: (p, c, n, f, facts) => updateGoSum(p, c, n, f, facts, facts.go_sum_requirements ?? []) }];
}
