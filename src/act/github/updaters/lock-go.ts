/**
 * In-place Go module fix without the go command: the `require` line in go.mod moves to the fixed
 * version, and go.sum gets the checksum database's lines for it (`/lookup/MOD@VERSION` answers the
 * exact `h1:` lines `go mod download` would write).
 *
 * It is only consistent when the module graph does not change otherwise: go.mod must list the complete
 * build list (go 1.17 or later), and every requirement of the new version's go.mod must already be met
 * by it (MVS picks the maximum: a higher requirement would move another module, which takes
 * `go mod tidy`). Otherwise nothing is written and the fix needs a relock. go.sum keeps the old
 * version's `/go.mod` line (other modules' go.mod files still name that version) and drops its zip hash.
 * Pure, never throws.
 */
import semver from "semver";
import type { ArtefactFacts } from "../../../enrich/datasources/requirements.js";
import { goModRequires } from "../../../enrich/datasources/requirements.js";
import { clip } from "./common.js";
import { updateGoMod } from "./go.js";
import type { LockEditResult } from "./lock-yarn.js";

function cmp(a: string, b: string): number | null {
  const x = semver.valid(a.replace(/^v/, ""));
  const y = semver.valid(b.replace(/^v/, ""));
  return x && y ? semver.compare(x, y) : null;
}

function relock(path: string, why: string, name: string, to: string): { error: string } {
  return { error: `${path}: ${why}; a relock is needed (go get ${name}@${to} && go mod tidy), not edited in place` };
}

export function updateGoModRequirement(path: string, content: string, name: string, from: string, facts: ArtefactFacts): LockEditResult {
  const to = facts.version;
  const goLine = /^go\s+(\d+)\.(\d+)/m.exec(content);
  if (!goLine || Number(goLine[1]) < 1 || (Number(goLine[1]) === 1 && Number(goLine[2]) < 17)) {
    return relock(path, "go.mod lists the complete build list only from go 1.17 on", name, to);
  }
  const build = goModRequires(content);
  if (build.get(name) !== from) return { error: `${path}: no requirement ${clip(name)} ${clip(from)}; not edited` };
  if (!facts.go_sum || facts.go_sum.length < 2) return { error: `${path}: the checksum database gave no go.sum lines for ${clip(name)} ${to}; not edited` };
  if (!facts.dependencies) return relock(path, `the go.mod of ${name} ${to} could not be read from the module proxy`, name, to);
  for (const [mod, min] of facts.dependencies) {
    const have = build.get(mod);
    if (have === undefined) return relock(path, `${name} ${to} requires ${mod} ${min}, which is not in the build list`, name, to);
    const c = cmp(have, min);
    if (c === null || c < 0) return relock(path, `${name} ${to} requires ${mod} ${min}, above the ${have} in the build list`, name, to);
  }
  const r = updateGoMod(path, content, { name, current_value: from, version: from, line: null, package_manager: "go" }, to);
  return "error" in r ? r : { content: r.content };
}

/**
 * go.sum: the old version's zip hash goes, its `/go.mod` hash stays, the new version's two lines come
 * in, and so do the `/go.mod` lines of the new version's requirements when go.sum lacks them (`extra`).
 * Lines stay sorted as go writes them.
 */
export function updateGoSum(path: string, content: string, name: string, from: string, facts: ArtefactFacts, extra: readonly string[] = []): LockEditResult {
  const lines = content.split(/\r?\n/).filter((l) => l.trim() !== "");
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const add = [...(facts.go_sum ?? []), ...extra];
  if ((facts.go_sum ?? []).length < 2) return { error: `${path}: the checksum database gave no go.sum lines for ${clip(name)} ${facts.version}; not edited` };
  const kept = lines.filter((l) => !l.startsWith(`${name} ${from} `));
  const have = new Set(kept.map((l) => l.split(" ").slice(0, 2).join(" ")));
  for (const l of add) {
    const k = l.split(" ").slice(0, 2).join(" ");
    if (!have.has(k)) {
      kept.push(l);
      have.add(k);
    }
  }
  // go sorts by module path, then by version in semver order, `/go.mod` after the zip line.
  const key = (l: string): [string, string, number] => {
    const [m, v] = l.split(" ");
    return [m, v.replace(/\/go\.mod$/, ""), v.endsWith("/go.mod") ? 1 : 0];
  };
  kept.sort((a, b) => {
    const [ma, va, ga] = key(a);
    const [mb, vb, gb] = key(b);
    if (ma !== mb) return ma < mb ? -1 : 1;
    if (va !== vb) return cmp(va, vb) ?? (va < vb ? -1 : 1);
    return ga - gb;
  });
  return { content: kept.join(eol) + eol };
}
