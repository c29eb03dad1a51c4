/**
 * In-place edit of a pnpm-lock.yaml entry (v5: `/name/1.0.0`, v6–v8: `/name@1.0.0`, v9: `name@1.0.0`
 * in `packages` and `snapshots`). The package's keys, its `resolution.integrity` and every reference
 * to it (dependency values, importer `version:` lines, peer suffixes `(name@1.0.0)`) move to the new
 * version. pnpm-lock.yaml records resolved versions, not the parents' ranges: the plan checked those
 * with the registry. Here the new version's own requirements must be met by what its entry already
 * resolves, or the lockfile needs a relock. Pure, never throws.
 */
import semver from "semver";
import type { ArtefactFacts } from "../../../enrich/datasources/requirements.js";
import { clip, escapeRegExp } from "./common.js";
import type { LockEditResult } from "./lock-yarn.js";

function relock(path: string, why: string, name: string): { error: string } {
  return { error: `${path}: ${why}; a relock is needed (pnpm update ${name} --depth Infinity), the lockfile is not edited in place` };
}

export function updatePnpmLockEntry(path: string, content: string, name: string, from: string, facts: ArtefactFacts): LockEditResult {
  const to = facts.version;
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const lines = content.split(/\r?\n/);
  const versionLine = lines.find((l) => l.startsWith("lockfileVersion:")) ?? "";
  const major = Number.parseInt(versionLine.replace(/^lockfileVersion:\s*['"]?/, ""), 10);
  if (!Number.isFinite(major)) return { error: `${path}: no lockfileVersion; lockfile not edited` };
  const v5 = major < 6;
  if (!facts.integrity) return { error: `${path}: the registry gave no integrity for ${clip(name)} ${to}; lockfile not edited` };
  const n = escapeRegExp(name);
  // A key of the package at `version`, with an optional peer suffix: `  qs@6.5.2:`, `  '/qs@6.5.2(a@1)':`, `  /qs/6.5.2_a@1:`.
  const keyRe = (version: string): RegExp =>
    new RegExp(`^( {2})(['"]?)(/?)${n}${v5 ? "/" : "@"}${escapeRegExp(version)}((?:\\(|_)[^'":]*)?\\2:(.*)$`);
  const oldKey = keyRe(from);
  const newKey = keyRe(to);
  const keys: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (oldKey.test(lines[i])) keys.push(i);
    else if (newKey.test(lines[i])) return relock(path, `${name} ${to} is already locked; pnpm must merge the two entries`, name);
  }
  if (keys.length === 0) return { error: `${path}: no entry for ${clip(name)} ${clip(from)}; lockfile not edited` };

  // The entry's resolved dependencies (snapshots in v9, packages before): the new version's ranges must admit them.
  const resolved = new Map<string, string>();
  for (const k of keys) {
    let field = "";
    for (let i = k + 1; i < lines.length && (lines[i].startsWith("    ") || lines[i].trim() === ""); i++) {
      const l = lines[i];
      if (/^ {4}\S/.test(l)) field = l.trim();
      else if ((field === "dependencies:" || field === "optionalDependencies:") && /^ {6}\S/.test(l)) {
        const m = /^ {6}(['"]?)(.+?)\1:\s*(['"]?)([^'"\s]+)\3\s*$/.exec(l);
        if (m) resolved.set(m[2], m[4].replace(/[(_].*$/, ""));
      }
    }
  }
  if (facts.dependencies) {
    for (const [dep, range] of facts.dependencies) {
      const have = resolved.get(dep);
      if (have === undefined) return relock(path, `${name} ${to} requires ${dep} ${range}, which its entry does not resolve`, name);
      if (semver.valid(have) && semver.validRange(range) && !semver.satisfies(have, range)) {
        return relock(path, `${name} ${to} requires ${dep} ${range}, its entry resolves ${dep} ${have}`, name);
      }
    }
    for (const dep of resolved.keys()) if (!facts.dependencies.has(dep)) return relock(path, `${name} ${to} no longer requires ${dep}`, name);
  }

  const ver = escapeRegExp(from);
  // `qs: 6.5.2`, `qs: 6.5.2(a@1)`, `'@s/qs': 6.5.2`: a dependency value naming the old version.
  const depValue = new RegExp(`^(\\s+)(['"]?)${n}\\2:(\\s+)(['"]?)(/?)${v5 ? `(?:${n}/)?` : ""}${ver}((?:\\(|_)[^'"]*)?\\4\\s*$`);
  const peer = new RegExp(`([(_])${n}@${ver}(?=[)_:'"]|$)`, "g");
  const importerVersion = new RegExp(`^(\\s+version:\\s+)(['"]?)${ver}([(_][^'"]*)?\\2\\s*$`);
  const importerName = new RegExp(`^(\\s+)(['"]?)${n}\\2:\\s*$`);
  let importerIndent = -1;
  let changed = 0;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    const indent = l.length - l.trimStart().length;
    if (importerIndent >= 0 && l.trim() !== "" && indent <= importerIndent) importerIndent = -1;
    const km = oldKey.exec(l);
    if (km) {
      l = `${km[1]}${km[2]}${km[3]}${name}${v5 ? "/" : "@"}${to}${km[4] ?? ""}${km[2]}:${km[5]}`;
    } else if (depValue.test(l)) {
      l = l.replace(depValue, (_m, sp: string, q: string, gap: string, q2: string, slash: string, suffix: string | undefined) => `${sp}${q}${name}${q}:${gap}${q2}${slash}${v5 && slash ? `${name}/` : ""}${to}${suffix ?? ""}${q2}`);
    } else if (importerName.test(l)) {
      importerIndent = indent;
    } else if (importerIndent >= 0 && importerVersion.test(l)) {
      l = l.replace(importerVersion, (_m, head: string, q: string, suffix: string | undefined) => `${head}${q}${to}${suffix ?? ""}${q}`);
    }
    l = l.replace(peer, (_m, c: string) => `${c}${name}@${to}`);
    // The packages entry's integrity (v9: under the packages key; before: the one entry).
    if (keys.includes(i)) {
      for (let j = i + 1; j < lines.length && (lines[j].startsWith("    ") || lines[j].trim() === ""); j++) {
        if (/^ {4}resolution:/.test(lines[j])) {
          if (/tarball:/.test(lines[j])) return relock(path, `${name} ${from} is resolved from a tarball URL, not the registry`, name);
          lines[j] = lines[j].replace(/integrity: [^,}\s]+/, `integrity: ${facts.integrity}`);
        }
      }
    }
    if (l !== lines[i]) changed++;
    lines[i] = l;
  }
  if (changed === 0) return { error: `${path}: no entry for ${clip(name)} ${clip(from)}; lockfile not edited` };
  return { content: lines.join(eol) };
}
