/**
 * Line numbers for TOML documents. smol-toml gives values but no positions, so this is a small
 * lexer over the raw text that understands what matters for positions: table headers, dotted and
 * quoted keys, the four string kinds, comments, arrays and inline tables. It is only run on text
 * that smol-toml already parsed, so it can be lenient: it never throws and never validates.
 *
 * Every key is recorded with its full path (table path + dotted key), so a name that appears in
 * two tables (e.g. `requests` in [project] and in [tool.poetry.dependencies]) maps to two lines.
 */

const SEP = "\u0000";

export interface TomlLocator {
  /** Line (1-based) of `key = ...` inside `table`, or of a `[table.key]` header; null if not found. */
  keyLine(table: readonly string[], key: readonly string[]): number | null;
  /** Elements of the array `table.key`, by index, with the line each element starts on. */
  arrayElementLines(table: readonly string[], key: readonly string[]): number[];
}

function joinPath(parts: readonly string[]): string {
  return parts.join(SEP);
}

export function locateToml(text: string): TomlLocator {
  const keys = new Map<string, number>();
  const arrays = new Map<string, number[]>();
  let i = 0;
  let line = 1;
  const n = text.length;
  let table: string[] = [];

  const peek = (k = 0): string => text[i + k] ?? "";
  const advance = (): void => {
    if (text[i] === "\n") line++;
    i++;
  };
  const skipInlineWs = (): void => {
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
  };
  const skipComment = (): void => {
    while (i < n && text[i] !== "\n") i++;
  };
  /** Whitespace, newlines and comments (inside arrays). */
  const skipWsNl = (): void => {
    for (;;) {
      if (i >= n) return;
      const c = text[i];
      if (c === " " || c === "\t" || c === "\r" || c === "\n") advance();
      else if (c === "#") skipComment();
      else return;
    }
  };

  const readString = (): string => {
    const q = text[i];
    const multi = peek(1) === q && peek(2) === q;
    let out = "";
    if (multi) {
      i += 3;
      const end = q.repeat(3);
      while (i < n && text.slice(i, i + 3) !== end) {
        if (q === '"' && text[i] === "\\") {
          out += text[i + 1] ?? "";
          advance();
          advance();
          continue;
        }
        out += text[i];
        advance();
      }
      i += 3;
      // Up to two extra quotes may close a multi-line string.
      while (text[i] === q) i++;
      return out;
    }
    i++;
    while (i < n && text[i] !== q && text[i] !== "\n") {
      if (q === '"' && text[i] === "\\") {
        const e = text[i + 1] ?? "";
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\" };
        if (e === "u" || e === "U") {
          const len = e === "u" ? 4 : 8;
          const code = parseInt(text.slice(i + 2, i + 2 + len), 16);
          out += Number.isFinite(code) ? String.fromCodePoint(code) : "";
          i += 2 + len;
          continue;
        }
        out += map[e] ?? e;
        i += 2;
        continue;
      }
      out += text[i];
      i++;
    }
    i++;
    return out;
  };

  /** A dotted key: bare or quoted parts separated by dots. Stops before `=` or `]`. */
  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipInlineWs();
      const c = peek();
      if (c === '"' || c === "'") parts.push(readString());
      else {
        let s = "";
        while (i < n && /[A-Za-z0-9_-]/.test(text[i])) s += text[i++];
        if (s === "") break;
        parts.push(s);
      }
      skipInlineWs();
      if (peek() === ".") {
        i++;
        continue;
      }
      break;
    }
    return parts;
  };

  const readValue = (path: string[]): void => {
    skipInlineWs();
    const c = peek();
    if (c === '"' || c === "'") {
      readString();
    } else if (c === "[") {
      advance();
      const lines: number[] = [];
      for (;;) {
        skipWsNl();
        if (i >= n) break;
        if (peek() === "]") {
          advance();
          break;
        }
        if (peek() === ",") {
          advance();
          continue;
        }
        lines.push(line);
        // Nested values are recorded under the element index.
        readValue([...path, String(lines.length - 1)]);
      }
      arrays.set(joinPath(path), lines);
    } else if (c === "{") {
      advance();
      for (;;) {
        skipWsNl();
        if (i >= n) break;
        if (peek() === "}") {
          advance();
          break;
        }
        if (peek() === ",") {
          advance();
          continue;
        }
        const keyLine = line;
        const k = readKey();
        if (k.length === 0) {
          advance();
          continue;
        }
        skipInlineWs();
        if (peek() === "=") i++;
        const full = [...path, ...k];
        if (!keys.has(joinPath(full))) keys.set(joinPath(full), keyLine);
        readValue(full);
      }
    } else {
      // Scalar: number, boolean, date. Ends at a delimiter.
      while (i < n && !/[,\]}\n#]/.test(text[i])) i++;
    }
  };

  while (i < n) {
    skipWsNl();
    if (i >= n) break;
    const c = peek();
    if (c === "[") {
      const headerLine = line;
      const isArray = peek(1) === "[";
      i += isArray ? 2 : 1;
      table = readKey();
      skipInlineWs();
      i += isArray ? 2 : 1;
      const key = joinPath(table);
      if (!keys.has(key)) keys.set(key, headerLine);
      skipInlineWs();
      if (peek() === "#") skipComment();
      continue;
    }
    const keyLine = line;
    const k = readKey();
    if (k.length === 0) {
      // Not a key: skip the rest of the line rather than loop.
      skipComment();
      continue;
    }
    skipInlineWs();
    if (peek() === "=") i++;
    const full = [...table, ...k];
    if (!keys.has(joinPath(full))) keys.set(joinPath(full), keyLine);
    readValue(full);
    skipInlineWs();
    if (peek() === "#") skipComment();
  }

  return {
    keyLine(t, k) {
      return keys.get(joinPath([...t, ...k])) ?? null;
    },
    arrayElementLines(t, k) {
      return arrays.get(joinPath([...t, ...k])) ?? [];
    },
  };
}
