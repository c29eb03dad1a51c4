import { isMap, isScalar, LineCounter, parseAllDocuments, visit, type Node, type YAMLMap } from "yaml";
import { flowNestsDeeperThan } from "../../../scan/managers/yaml-ast.js";

export interface ScalarSpot {
  /** Offsets of the scalar's source text (quotes included) in the document. */
  start: number;
  end: number;
  value: string;
  line: number;
}

export interface MapSpot {
  node: YAMLMap;
  startLine: number;
  endLine: number;
  get(key: string): ScalarSpot | null;
}

export type YamlIndex = { ok: true; scalars: ScalarSpot[]; maps: MapSpot[] } | { ok: false; error: string };

const TOO_DEEP = /Maximum call stack size exceeded/;

/**
 * Parse every document and index its string scalars and maps with their lines and offsets. Aliases
 * are not followed (yaml's visit sees an Alias node, not its target); nesting too deep for the
 * recursive parser or visitor is an error naming the file, never a stack overflow.
 */
export function indexYaml(path: string, content: string): YamlIndex {
  // The parser would spend seconds overflowing its stack on `[[[[…`: refuse from the lexer first.
  if (flowNestsDeeperThan(content)) return { ok: false, error: `${path}: YAML is nested too deeply to edit safely; not edited` };
  try {
    return indexYamlUnguarded(path, content);
  } catch (e) {
    if (e instanceof RangeError || TOO_DEEP.test(String(e))) return { ok: false, error: `${path}: YAML is nested too deeply to edit safely; not edited` };
    throw e;
  }
}

function indexYamlUnguarded(path: string, content: string): YamlIndex {
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(content, { lineCounter, uniqueKeys: false });
  } catch (e) {
    return { ok: false, error: `${path}: invalid YAML (${(e as Error).message})` };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const err = d.errors[0];
    if (err && TOO_DEEP.test(err.message)) return { ok: false, error: `${path}: YAML is nested too deeply to edit safely; not edited` };
    if (err) return { ok: false, error: `${path}:${err.linePos?.[0].line ?? "?"}: invalid YAML (${err.message.split("\n")[0]}); not edited` };
  }
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const spot = (n: Node | null | undefined): ScalarSpot | null => {
    if (!n || !isScalar(n) || !n.range) return null;
    const value = n.source ?? (typeof n.value === "string" ? n.value : String(n.value));
    return { start: n.range[0], end: n.range[1], value: String(value), line: lineOf(n.range[0]) };
  };
  const scalars: ScalarSpot[] = [];
  const maps: MapSpot[] = [];
  for (const d of list) {
    visit(d, {
      Scalar(k, n) {
        // Keys are never versions or references.
        if (k === "key") return;
        const s = spot(n);
        if (s) scalars.push(s);
      },
      Map(_k, n) {
        if (!isMap(n) || !n.range) return;
        maps.push({
          node: n,
          startLine: lineOf(n.range[0]),
          endLine: lineOf(Math.max(n.range[0], n.range[1] - 1)),
          get: (key) => {
            const v = n.get(key, true) as Node | undefined;
            return spot(v);
          },
        });
      },
    });
  }
  return { ok: true, scalars, maps };
}

/**
 * Replace the value of a scalar in place, keeping its quotes: the old value is looked up inside the
 * scalar's own source text, so nothing outside that node changes.
 */
export function replaceScalar(content: string, s: ScalarSpot, oldPart: string, newPart: string, fromEnd = false): string | null {
  const src = content.slice(s.start, s.end);
  const at = fromEnd ? src.lastIndexOf(oldPart) : src.indexOf(oldPart);
  if (at < 0) return null;
  return content.slice(0, s.start) + src.slice(0, at) + newPart + src.slice(at + oldPart.length) + content.slice(s.end);
}

/** Check the edited text still parses; returns an error message or null. */
export function reparseError(path: string, content: string): string | null {
  const r = indexYaml(path, content);
  return r.ok ? null : `the edit would break the YAML (${r.error})`;
}
