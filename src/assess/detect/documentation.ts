import { posix } from "node:path";
import { compareStrings, componentForPath, nonDependencyFacts, type IssueDraft } from "../draft.js";
import type { DetectContext, DetectorResult } from "./context.js";

export interface MarkdownLink {
  target: string;
  line: number;
}

const MARKDOWN = /\.(md|markdown|mdx)$/i;
const README = /^readme(\.[a-z0-9]+)?$/i;
/** Longer lines are not searched for links or anchors: bounds regex work on hostile Markdown. */
const MAX_LINE = 5000;

/** Indexes of the Markdown lines outside fenced code blocks (``` or ~~~), skipping over-long lines. */
function* proseLineIndexes(lines: readonly string[]): Generator<number> {
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(lines[i]);
    if (f) {
      if (fence === null) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      continue;
    }
    if (fence !== null || lines[i].length > MAX_LINE) continue;
    yield i;
  }
}

/** Remove inline code spans so links shown as code are not checked. */
function stripCode(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, (m) => " ".repeat(m.length));
}

/**
 * Links of a Markdown document: inline `[text](target "title")`, images, reference definitions
 * `[id]: target`, and HTML `href`/`src` attributes. Fenced code blocks and code spans are skipped.
 */
export function extractLinks(text: string): MarkdownLink[] {
  const out: MarkdownLink[] = [];
  const lines = text.split(/\r?\n/);
  for (const i of proseLineIndexes(lines)) {
    const raw = lines[i];
    const line = stripCode(raw);
    // Link text and destination allow one level of nested brackets / parens, and every character
    // has exactly one way to match: hostile lines ("[[[[", "[a]([a](") cannot make it backtrack.
    const inline = /!?\[(?:[^[\]\\]|\\.|\[[^[\]]*\])*\]\(\s*(<[^>]*>|(?:[^\s()]|\([^\s()]*\))+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
    for (let m = inline.exec(line); m; m = inline.exec(line)) {
      out.push({ target: m[1].replace(/^<|>$/g, ""), line: i + 1 });
      // A link inside the link text (a badge: [![alt](img)](href)) is a link too.
      if (m[0].indexOf("](") < m[0].lastIndexOf("](")) {
        const nested = new RegExp(inline.source, "g");
        const text = m[0].slice(m[0].startsWith("!") ? 2 : 1);
        for (let n = nested.exec(text); n; n = nested.exec(text)) out.push({ target: n[1].replace(/^<|>$/g, ""), line: i + 1 });
      }
    }
    const ref = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (ref) out.push({ target: ref[1].replace(/^<|>$/g, ""), line: i + 1 });
    const html = /<(?:a|img)\b[^>]*?\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
    for (let m = html.exec(line); m; m = html.exec(line)) out.push({ target: m[1] ?? m[2], line: i + 1 });
  }
  return out;
}

/** GitHub's heading slug: lowercase, drop punctuation except `-` and `_`, spaces → `-`. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** An ATX heading's optional closing sequence (` ##`) removed, without a backtracking regex. */
function stripClosingHashes(raw: string): string {
  const t = raw.trimEnd();
  let i = t.length;
  while (t.charAt(i - 1) === "#") i--;
  // A closing sequence follows whitespace: none when nothing was cut (t ends in a non-space) or
  // everything was (charAt(-1) is "").
  return /\s/.test(t.charAt(i - 1)) ? t.slice(0, i) : raw;
}

/** Plain text of a heading: inline links → their text, emphasis and code markers removed. */
function headingText(raw: string): string {
  return stripClosingHashes(raw)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/[*_`~]/g, (c) => (c === "_" ? "_" : ""));
}

/** Anchors a Markdown document defines: heading slugs (deduplicated with -1, -2...) and HTML id/name. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const add = (slug: string) => {
    const n = seen.get(slug);
    if (n === undefined) {
      seen.set(slug, 0);
      anchors.add(slug);
    } else {
      seen.set(slug, n + 1);
      anchors.add(`${slug}-${n + 1}`);
    }
  };
  const lines = text.split(/\r?\n/);
  for (const i of proseLineIndexes(lines)) {
    const line = lines[i];
    const atx = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
    if (atx) add(githubSlug(headingText(atx[1])));
    else if (i + 1 < lines.length && /^\s{0,3}(=+|-+)\s*$/.test(lines[i + 1]) && line.trim() !== "" && !/^\s{0,3}([-*+]|\d+\.)\s/.test(line)) {
      add(githubSlug(headingText(line)));
    }
    const ids = /<[a-z][^>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
    for (let m = ids.exec(line); m; m = ids.exec(line)) anchors.add((m[1] ?? m[2]).toLowerCase());
  }
  return anchors;
}

interface Broken {
  line: number;
  target: string;
  why: string;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Subjects: `documentation:links:<file>` (one issue per Markdown file listing its broken links and
 * anchors) and `documentation:readme:<component>` (a component without a README).
 */
export function detectDocumentation(ctx: DetectContext): DetectorResult {
  const drafts: IssueDraft[] = [];
  const files = ctx.inputs.textFiles;
  const all = ctx.inputs.allFiles ? new Set(ctx.inputs.allFiles) : null;
  const enabled = ctx.config.issues.documentation;
  /** Every directory of a known file, "." (the root) included. */
  const dirs = new Set<string>();
  const addDirs = (f: string) => {
    let d = posix.dirname(f);
    while (!dirs.has(d)) {
      dirs.add(d);
      d = posix.dirname(d);
    }
  };
  all?.forEach(addDirs);
  for (const f of files?.keys() ?? []) addDirs(f);
  if (files && enabled) {
    const anchorCache = new Map<string, Set<string>>();
    const anchorsFor = (path: string): Set<string> | null => {
      const text = files.get(path);
      if (text === undefined) return null;
      let a = anchorCache.get(path);
      // Stryker disable next-line ConditionalExpression: a cache; recomputing gives the same anchors
      if (!a) {
        a = anchorsOf(text);
        anchorCache.set(path, a);
      }
      return a;
    };
    /** true: exists; false: missing; null: cannot tell. The root "." is in dirs (files were read). */
    const exists = (path: string): boolean | null => {
      if (files.has(path) || all?.has(path) || dirs.has(path)) return true;
      return all ? false : null;
    };
    for (const path of [...files.keys()].sort()) {
      if (!MARKDOWN.test(path)) continue;
      const broken: Broken[] = [];
      for (const link of extractLinks(files.get(path) as string)) {
        // An empty target is the file itself: it resolves.
        const target = link.target.trim();
        if (isExternal(target)) continue;
        const hashAt = target.indexOf("#");
        const rawPath = hashAt >= 0 ? target.slice(0, hashAt) : target;
        const anchor = hashAt >= 0 ? safeDecode(target.slice(hashAt + 1)) : null;
        const pathPart = safeDecode(rawPath.split("?")[0]);
        let resolved: string;
        if (pathPart === "") resolved = path;
        else if (pathPart.startsWith("/")) resolved = posix.normalize(pathPart.slice(1));
        else resolved = posix.normalize(posix.join(posix.dirname(path), pathPart));
        // normalize leaves at most one trailing slash
        resolved = resolved.replace(/\/$/, "");
        if (resolved.startsWith("../") || resolved === "..") {
          broken.push({ line: link.line, target, why: "points outside the repository" });
          continue;
        }
        const ok = exists(resolved);
        if (ok === false) {
          broken.push({ line: link.line, target, why: `${resolved} does not exist` });
          continue;
        }
        if (anchor && MARKDOWN.test(resolved)) {
          const anchors = anchorsFor(resolved);
          if (anchors && !anchors.has(anchor.toLowerCase())) {
            broken.push({ line: link.line, target, why: `no heading or anchor "${anchor}" in ${resolved}` });
          }
        }
      }
      if (broken.length === 0) continue;
      const comp = componentForPath(path, ctx.components);
      drafts.push({
        type: "documentation",
        subject: `documentation:links:${path}`,
        title: `${broken.length} broken link${broken.length === 1 ? "" : "s"} in ${path}`,
        description: [`${path} has links that do not resolve:`, ...broken.map((b) => `- line ${b.line}: ${b.target} (${b.why})`)].join("\n"),
        severity: broken.length >= 5 ? "medium" : "low",
        affected_components: comp ? [comp.name] : [],
        files_affected: [path],
        estimated_effort: broken.length > 10 ? "2 hours" : "30 minutes",
        resolution_steps: broken.map((b) => `Fix the link at ${path}:${b.line} (${b.target}): ${b.why}; point it at the moved file or heading, or remove it`),
        testing_requirements: [`Render ${path} on GitHub and follow every changed link`, "Re-run the Cowabunga scan and confirm this issue resolves"],
        facts: nonDependencyFacts("documentation"),
        packages: [],
      });
    }
  }

  const fileList = all ? [...all] : files ? [...files.keys()] : null;
  if (fileList && enabled) {
    const readmeDirs = new Set(fileList.filter((f) => README.test(posix.basename(f))).map((f) => posix.dirname(f)));
    for (const c of [...ctx.components].sort((a, b) => compareStrings(a.name, b.name))) {
      const dir = c.path === "" ? "." : c.path.replace(/\/+$/, "");
      if (readmeDirs.has(dir)) continue;
      const readme = dir === "." ? "README.md" : `${dir}/README.md`;
      drafts.push({
        type: "documentation",
        subject: `documentation:readme:${c.name}`,
        title: `${c.name} has no README`,
        description: `Component ${c.name} (${c.type}, ${dir}) has no README file. New contributors and operators have no entry point: what it does, how to run, test and deploy it.`,
        severity: "low",
        affected_components: [c.name],
        files_affected: [readme],
        estimated_effort: "1 hour",
        resolution_steps: [
          `Create ${readme} describing what ${c.name} does`,
          `Document how to install, run and test ${c.name}${c.manifests.length > 0 ? ` (manifests: ${c.manifests.join(", ")})` : ""}`,
          `Link ${readme} from the repository's root README`,
        ],
        testing_requirements: [`Render ${readme} on GitHub and check its links`],
        facts: nonDependencyFacts("documentation"),
        packages: [],
      });
    }
  }

  return {
    drafts,
    covers: (prev) => {
      if (!enabled) return false;
      if (prev.subject.startsWith("documentation:readme:")) return fileList !== null;
      if (!prev.subject.startsWith("documentation:links:")) return false;
      const path = prev.subject.slice("documentation:links:".length);
      if (files?.has(path)) return true;
      return all !== null && !all.has(path);
    },
    goneReason: (prev) =>
      prev.subject.startsWith("documentation:readme:")
        ? `${prev.subject.slice("documentation:readme:".length)} has a README (or is no longer a component)`
        : `every link in ${prev.subject.slice("documentation:links:".length)} resolves (or the file is gone)`,
  };
}

