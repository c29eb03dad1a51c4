import type { Severity } from "../../model/index.js";
import { compareStrings, componentForPath, maxSeverity, nonDependencyFacts, testSuitesFor, uniqSorted, type IssueDraft } from "../draft.js";
import type { DetectContext, DetectorResult } from "./context.js";

export type MarkerKind = "TODO" | "FIXME" | "BUG" | "HACK";

export interface Marker {
  kind: MarkerKind;
  line: number;
  text: string;
}

/** Files we never look for markers in: prose, data, lockfiles, minified or generated output. */
const NOT_SOURCE = /(\.(md|markdown|mdx|rst|txt|adoc|json|lock|svg|csv|tsv|map|min\.js|min\.css|snap)$)|(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|uv\.lock|Cargo\.lock|go\.sum|CHANGELOG[^/]*)$|(^|\/)(node_modules|vendor|dist|build)\//i;

/**
 * A marker only counts inside a comment: a comment token somewhere before it on the line. Found in
 * two linear steps (first comment token, then the first marker word after it): one regex with a
 * lazy gap between the two was quadratic on lines of many `#` or `;` characters.
 */
const COMMENT_TOKEN = /\/\/|#|\/\*|^\s*\*|<!--|--|;|%/;
const MARKER_WORD = /\b(TODO|FIXME|BUG|HACK)\b/g;
const MARKER_TAIL = /^(?:\([^)]{0,80}\))?:?\s*/;

function matchMarker(line: string): { kind: string; rest: string } | null {
  const token = COMMENT_TOKEN.exec(line);
  if (!token) return null;
  MARKER_WORD.lastIndex = token.index + token[0].length;
  const word = MARKER_WORD.exec(line);
  if (!word) return null;
  const after = line.slice(word.index + word[0].length);
  const tail = MARKER_TAIL.exec(after);
  return { kind: word[1], rest: after.slice(tail ? tail[0].length : 0) };
}

const MAX_LINE = 2000;
const MAX_LISTED = 50;

export function isSourceFile(path: string): boolean {
  return !NOT_SOURCE.test(path);
}

/** TODO/FIXME/BUG/HACK markers of a source file, in comments; lines are 1-based. */
export function findMarkers(text: string, onlyLines?: ReadonlySet<number>): Marker[] {
  const out: Marker[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    if (onlyLines && !onlyLines.has(lineNo)) continue;
    const line = lines[i];
    if (line.length > MAX_LINE) continue;
    const m = matchMarker(line);
    if (!m) continue;
    const rest = m.rest.replace(/\s*(\*\/|-->|\*\/\}).*$/, "").trim();
    out.push({ kind: m.kind as MarkerKind, line: lineNo, text: rest.slice(0, 200) });
  }
  return out;
}

const MARKER_SEVERITY: Record<MarkerKind, Severity> = { FIXME: "medium", BUG: "medium", HACK: "low", TODO: "low" };

function markerEffort(n: number): string {
  if (n <= 2) return "1 hour";
  if (n <= 5) return "4 hours";
  return "1 day";
}

function markerSubject(file: string): string {
  return `bug:markers:${file}`;
}

export const FAILING_CHECKS_SUBJECT = "bug:failing-checks:default-branch";

/** A workflow file of the repository (GitHub reads only the top level of .github/workflows). */
const WORKFLOW_FILE = /^\.github\/workflows\/[^/]+\.ya?ml$/;

/**
 * Subjects: `bug:markers:<file>` (one issue per file, listing its markers: avoids one issue per
 * TODO) and `bug:failing-checks:default-branch` (one issue while the default branch is red).
 */
export function detectBug(ctx: DetectContext): DetectorResult {
  const drafts: IssueDraft[] = [];
  const files = ctx.inputs.textFiles;
  const added = ctx.inputs.addedLines;
  const allFiles = ctx.inputs.allFiles ? new Set(ctx.inputs.allFiles) : null;
  if (files && ctx.config.issues.bug_markers) {
    const paths = [...files.keys()].sort();
    for (const path of paths) {
      if (!isSourceFile(path)) continue;
      if (added && !added.has(path)) continue;
      const markers = findMarkers(files.get(path) ?? "", added?.get(path));
      if (markers.length === 0) continue;
      const comp = componentForPath(path, ctx.components);
      const components = comp ? [comp.name] : [];
      const counts = (["FIXME", "BUG", "HACK", "TODO"] as MarkerKind[])
        .map((k) => [k, markers.filter((m) => m.kind === k).length] as const)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`);
      const listed = markers.slice(0, MAX_LISTED).map((m) => `- line ${m.line}: ${m.kind}${m.text ? ` ${m.text}` : ""}`);
      if (markers.length > MAX_LISTED) listed.push(`- ... and ${markers.length - MAX_LISTED} more`);
      drafts.push({
        type: "bug",
        subject: markerSubject(path),
        title: `${counts.join(", ")} marker${markers.length === 1 ? "" : "s"} in ${path}`,
        description: [
          `${path} has ${markers.length} unresolved code marker${markers.length === 1 ? "" : "s"}${added ? " on lines added by this push" : ""}:`,
          ...listed,
        ].join("\n"),
        severity: maxSeverity(markers.map((m) => MARKER_SEVERITY[m.kind])),
        affected_components: components,
        files_affected: [path],
        estimated_effort: markerEffort(markers.length),
        resolution_steps: [
          ...markers.slice(0, MAX_LISTED).map((m) => `Resolve the ${m.kind} at ${path}:${m.line}${m.text ? ` (${m.text})` : ""}, or move it to a tracked issue and delete the marker`),
        ],
        testing_requirements: components.length > 0 ? testSuitesFor(components[0], ctx.components, ctx.suitesByComponent[components[0]]) : ["the repository's test suite"],
        facts: nonDependencyFacts("code"),
        packages: [],
      });
    }
  }

  const failing = ctx.inputs.failingChecks;
  if (failing && failing.length > 0) {
    const sorted = [...failing].sort((a, b) => compareStrings(a.name, b.name));
    const lower = sorted.map((c) => c.name.toLowerCase());
    let components = ctx.components.filter((c) => lower.some((n) => n.includes(c.name.toLowerCase()))).map((c) => c.name);
    if (components.length === 0) components = ctx.components.map((c) => c.name);
    const workflows = ctx.inputs.allFiles?.filter((f) => WORKFLOW_FILE.test(f)) ?? [];
    const named = workflows.filter((w) => {
      const base = w.slice(".github/workflows/".length).replace(/\.ya?ml$/, "").toLowerCase();
      return lower.some((n) => n.includes(base));
    });
    drafts.push({
      type: "bug",
      subject: FAILING_CHECKS_SUBJECT,
      title: `Default branch is failing: ${sorted.length} check${sorted.length === 1 ? "" : "s"} (${sorted.map((c) => c.name).slice(0, 3).join(", ")}${sorted.length > 3 ? ", ..." : ""})`,
      description: [
        `The head of the default branch${ctx.inputs.scan.commit_sha ? ` (${ctx.inputs.scan.commit_sha.slice(0, 12)})` : ""} has failing checks:`,
        ...sorted.map((c) => `- ${c.name}: ${c.conclusion}${c.url ? ` (${c.url})` : ""}`),
      ].join("\n"),
      severity: "high",
      affected_components: uniqSorted(components),
      files_affected: uniqSorted(named.length > 0 ? named : workflows),
      estimated_effort: "2 hours",
      resolution_steps: [
        ...sorted.map((c) => `Open the logs of "${c.name}"${c.url ? ` at ${c.url}` : ""} and find the first failing step`),
        "Fix the cause on a branch, or revert the commit that turned the branch red",
        "Re-run the checks and confirm the default branch is green",
      ],
      testing_requirements: uniqSorted([...sorted.map((c) => `re-run check "${c.name}"`), ...uniqSorted(components).flatMap((c) => testSuitesFor(c, ctx.components, ctx.suitesByComponent[c]))]),
      facts: nonDependencyFacts("ci"),
      packages: [],
    });
  }

  return {
    drafts,
    covers: (prev) => {
      if (prev.subject === FAILING_CHECKS_SUBJECT) return failing !== undefined;
      if (!prev.subject.startsWith("bug:markers:")) return false;
      if (!files || added || !ctx.config.issues.bug_markers) return false;
      const path = prev.subject.slice("bug:markers:".length);
      if (files.has(path)) return true;
      return allFiles !== null && !allFiles.has(path);
    },
    goneReason: (prev) =>
      prev.subject === FAILING_CHECKS_SUBJECT
        ? "the default branch checks pass"
        : `no TODO/FIXME/BUG/HACK markers left in ${prev.subject.slice("bug:markers:".length)}`,
  };
}
