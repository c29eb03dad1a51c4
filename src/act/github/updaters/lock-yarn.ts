/**
 * In-place edits of yarn.lock entries, classic (v1) and berry (v2+). Pure: text in, text out; never
 * throws. An entry serves one or more descriptors (`qs@~6.5.2, qs@^6.5.0`): it moves only when the new
 * version satisfies every one of them, and when the new version requires the same packages with the
 * same ranges (its own `dependencies` lines stay true). Otherwise the lockfile needs a relock and is
 * not edited.
 */
import semver from "semver";
import type { ArtefactFacts } from "../../../enrich/datasources/requirements.js";
import { clip } from "./common.js";

export type LockEditResult = { content: string; note?: string } | { error: string };

interface Block {
  /** Index of the header line. */
  start: number;
  /** One past the last line of the block. */
  end: number;
  descriptors: string[];
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

function splitNameAt(spec: string): { name: string; rest: string } | null {
  const idx = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return idx <= 0 ? null : { name: spec.slice(0, idx), rest: spec.slice(idx + 1) };
}

/** Top-level entries: a header at column 0 ending with ":", its body indented below it. */
function blocks(lines: readonly string[], maxBlocks = 200_000): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < lines.length && out.length < maxBlocks; i++) {
    const l = lines[i];
    if (l === "" || l.startsWith(" ") || l.startsWith("#") || !l.trimEnd().endsWith(":")) continue;
    const header = l.trimEnd().slice(0, -1);
    let end = i + 1;
    while (end < lines.length && (lines[end].startsWith(" ") || lines[end].trim() === "")) end++;
    // Trailing blank lines belong to the separator, not to the block.
    while (end > i + 1 && lines[end - 1].trim() === "") end--;
    out.push({ start: i, end, descriptors: header.split(",").map(unquote).filter(Boolean) });
  }
  return out;
}

/** `dependencies:` / `optionalDependencies:` of a block: name → range (berry's "npm:" prefix removed). */
function blockDependencies(lines: readonly string[], b: Block, berry: boolean): Map<string, string> {
  const deps = new Map<string, string>();
  let inDeps = false;
  for (let i = b.start + 1; i < b.end; i++) {
    const l = lines[i];
    if (/^ {2}\S/.test(l)) {
      inDeps = /^ {2}(dependencies|optionalDependencies):\s*$/.test(l);
      continue;
    }
    if (!inDeps || !/^ {4}\S/.test(l)) continue;
    const t = l.trim();
    const m = berry ? /^("?)(.+?)\1:\s+(.+)$/.exec(t) : /^("?)(.+?)\1\s+(.+)$/.exec(t);
    if (!m) continue;
    const range = unquote(m[3]);
    deps.set(m[2], berry && range.startsWith("npm:") && !range.slice(4).includes("@") ? range.slice(4) : range);
  }
  return deps;
}

/** Why the new version's own requirements make an in-place move wrong, or null when they match. */
export function requirementsDiffer(name: string, to: string, recorded: ReadonlyMap<string, string>, facts: ArtefactFacts, sameRange = (a: string, b: string) => a === b): string | null {
  if (!facts.dependencies) return null;
  for (const [dep, range] of facts.dependencies) {
    const had = recorded.get(dep);
    if (had === undefined) return `${name} ${to} requires ${dep} ${range}, which the entry does not list`;
    if (!sameRange(had, range)) return `${name} ${to} requires ${dep} ${range}, the entry records ${had}`;
  }
  for (const dep of recorded.keys()) if (!facts.dependencies.has(dep)) return `${name} ${to} no longer requires ${dep}`;
  return null;
}

function relock(path: string, why: string, command: string): { error: string } {
  return { error: `${path}: ${why}; a relock is needed (${command}), the lockfile is not edited in place` };
}

export function updateYarnLockEntry(path: string, content: string, name: string, from: string, facts: ArtefactFacts): LockEditResult {
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const lines = content.split(/\r?\n/);
  const berry = lines.some((l) => l.startsWith("__metadata:"));
  const to = facts.version;
  const cmd = berry ? `yarn up -R ${name}` : `yarn upgrade ${name}`;
  const versionLine = berry ? `  version: ${from}` : `  version "${from}"`;
  const all = blocks(lines);
  const targets = all.filter((b) => {
    if (!lines.slice(b.start + 1, b.end).includes(versionLine)) return false;
    return b.descriptors.some((d) => splitNameAt(d)?.name === name);
  });
  if (targets.length === 0) return { error: `${path}: no entry for ${clip(name)} ${clip(from)}; lockfile not edited` };
  if (!berry && (!facts.resolved || !facts.integrity)) return { error: `${path}: the registry gave no tarball and integrity for ${clip(name)} ${to}; lockfile not edited` };
  if (berry) {
    const exists = all.some((b) => lines.slice(b.start + 1, b.end).includes(`  resolution: "${name}@npm:${to}"`));
    if (exists) return relock(path, `${name} ${to} already has an entry that the moved descriptors must join`, cmd);
  }
  for (const b of targets) {
    for (const d of b.descriptors) {
      const s = splitNameAt(d);
      if (!s || s.name !== name) continue;
      const range = s.rest.replace(/^npm:/, "");
      if (!semver.validRange(range)) return relock(path, `the descriptor ${d} is not a semver range`, cmd);
      if (!semver.satisfies(to, range)) return relock(path, `the entry serves ${d}, which excludes ${to}`, cmd);
    }
    const why = requirementsDiffer(name, to, blockDependencies(lines, b, berry), facts);
    if (why) return relock(path, why, cmd);
  }
  let note: string | undefined;
  const drop = new Set<number>();
  for (const b of targets) {
    for (let i = b.start + 1; i < b.end; i++) {
      const l = lines[i];
      if (berry) {
        if (l === versionLine) lines[i] = `  version: ${to}`;
        else if (l.startsWith("  resolution: ")) lines[i] = `  resolution: "${name}@npm:${to}"`;
        else if (l.startsWith("  checksum: ")) {
          drop.add(i);
          note = `yarn berry's checksum is a hash of its own cache archive, which the registry does not publish: the edited entry has none, and the next \`yarn install\` records it (\`yarn install --immutable\` refuses the lockfile until then)`;
        }
      } else {
        if (l === versionLine) lines[i] = `  version "${to}"`;
        else if (l.startsWith("  resolved ")) lines[i] = `  resolved "${facts.resolved}${facts.shasum ? `#${facts.shasum}` : ""}"`;
        else if (l.startsWith("  integrity ")) lines[i] = `  integrity ${facts.integrity}`;
      }
    }
  }
  const out = lines.filter((_, i) => !drop.has(i)).join(eol);
  return note ? { content: out, note } : { content: out };
}
