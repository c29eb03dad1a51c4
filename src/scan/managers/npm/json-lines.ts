/**
 * A small validating scanner over raw JSON text. It builds no values (JSON.parse does that);
 * it records the 1-based line of every object key by its path, and locates the first syntax error.
 * Iterative, so hostile deep nesting cannot overflow the stack.
 */

export interface JsonScan {
  /** Line of each object key, by pathKey(path). Duplicate keys: the last wins, as in JSON.parse. */
  keyLines: Map<string, number>;
  error: { line: number; column: number; message: string } | null;
}

/** The map key of a JSON path, e.g. ["dependencies", "lodash"]. */
export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

/** Paths deeper than this are not recorded (package.json needs at most 4 levels). */
const MAX_RECORDED_DEPTH = 8;
const MAX_DEPTH = 1000;

interface Frame {
  kind: "obj" | "arr";
  path: string[];
  /** obj: "key" | "colon" | "value" | "comma"; arr: "value" | "comma". `first` allows a closing bracket. */
  state: "key" | "colon" | "value" | "comma";
  first: boolean;
  /** Current key (obj) or index (arr). */
  member: string;
  index: number;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of a character offset. */
export function positionAt(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

export function scanJson(text: string): JsonScan {
  const starts = lineStarts(text);
  const keyLines = new Map<string, number>();
  const stack: Frame[] = [];
  let i = 0;
  const n = text.length;
  let doneTop = false;

  const fail = (offset: number, message: string): JsonScan => {
    const pos = positionAt(starts, Math.min(offset, Math.max(0, n - 1)));
    return { keyLines, error: { ...pos, message } };
  };
  const skipWs = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  /** Reads a string at i (which is on the opening quote); returns its value or an error message. */
  const readString = (): { value: string } | { error: string; at: number } => {
    const start = i;
    i++;
    let simple = true;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        const body = text.slice(start + 1, i);
        i++;
        if (simple) return { value: body };
        try {
          return { value: JSON.parse(text.slice(start, i)) as string };
        } catch {
          return { error: "invalid escape in string", at: start };
        }
      }
      if (c === 92) {
        simple = false;
        const e = text[i + 1];
        if (e === undefined) break;
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { error: "invalid \\u escape in string", at: i };
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) i += 2;
        else return { error: `invalid escape \\${e} in string`, at: i };
        continue;
      }
      if (c < 32) return { error: "unescaped control character (e.g. a newline) in string", at: i };
      i++;
    }
    return { error: "unterminated string", at: start };
  };
  const readScalar = (): string | null => {
    const c = text[i];
    if (c === '"') {
      const s = readString();
      return "error" in s ? `${s.error}@${s.at}` : null;
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    if (c === "-" || (c >= "0" && c <= "9")) {
      const r = m.exec(text);
      if (!r) return `invalid number@${i}`;
      i += r[0].length;
      return null;
    }
    for (const lit of ["true", "false", "null"]) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return null;
      }
    }
    return `unexpected ${describe(text[i])}@${i}`;
  };
  const childPath = (): string[] => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    return [...top.path, top.kind === "obj" ? top.member : String(top.index)];
  };
  /** Called after a complete value: moves the parent to expect a comma or a close. */
  const valueDone = (): void => {
    const top = stack[stack.length - 1];
    if (!top) doneTop = true;
    else top.state = "comma";
  };

  while (true) {
    skipWs();
    const top = stack[stack.length - 1];
    if (!top) {
      if (doneTop) {
        if (i < n) return fail(i, `unexpected ${describe(text[i])} after the end of the document`);
        return { keyLines, error: null };
      }
      if (i >= n) return fail(n, "empty document");
    } else if (i >= n) {
      return fail(n, `unexpected end of file: ${top.kind === "obj" ? "object" : "array"} not closed`);
    }
    const c = text[i];
    if (top && top.kind === "obj" && top.state === "key") {
      if (c === "}" && top.first) {
        i++;
        stack.pop();
        valueDone();
        continue;
      }
      if (c !== '"') return fail(i, `expected a property name in double quotes, found ${describe(c)}`);
      const keyStart = i;
      const s = readString();
      if ("error" in s) return fail(s.at, s.error);
      top.member = s.value;
      top.first = false;
      if (top.path.length < MAX_RECORDED_DEPTH) {
        keyLines.set(pathKey([...top.path, s.value]), positionAt(starts, keyStart).line);
      }
      top.state = "colon";
      continue;
    }
    if (top && top.kind === "obj" && top.state === "colon") {
      if (c !== ":") return fail(i, `expected ':' after property name, found ${describe(c)}`);
      i++;
      top.state = "value";
      continue;
    }
    if (top && top.state === "comma") {
      if (c === ",") {
        i++;
        if (top.kind === "obj") top.state = "key";
        else {
          top.index++;
          top.state = "value";
        }
        // A trailing comma is an error: the next token must be a key/value, not a close.
        skipWs();
        if (text[i] === "}" || text[i] === "]") return fail(i, "trailing comma");
        continue;
      }
      const close = top.kind === "obj" ? "}" : "]";
      if (c === close) {
        i++;
        stack.pop();
        valueDone();
        continue;
      }
      return fail(i, `expected ',' or '${close}', found ${describe(c)}`);
    }
    // Expecting a value (top level, object value, or array element).
    if (top && top.kind === "arr" && top.first && c === "]") {
      i++;
      stack.pop();
      valueDone();
      continue;
    }
    if (top) top.first = false;
    if (c === "{" || c === "[") {
      if (stack.length >= MAX_DEPTH) return fail(i, `nesting deeper than ${MAX_DEPTH} levels`);
      const path = stack.length < MAX_RECORDED_DEPTH ? childPath() : (top?.path ?? []);
      i++;
      stack.push({ kind: c === "{" ? "obj" : "arr", path, state: c === "{" ? "key" : "value", first: true, member: "", index: 0 });
      continue;
    }
    const err = readScalar();
    if (err) {
      const at = err.lastIndexOf("@");
      return fail(Number(err.slice(at + 1)), err.slice(0, at));
    }
    valueDone();
  }
}

function describe(c: string | undefined): string {
  if (c === undefined) return "end of file";
  if (c === "\n") return "a newline";
  return `'${c}'`;
}
