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

  // Stryker disable next-line StringLiteral: equivalent; past the end, any text that is no single delimiter character is read as "nothing here"
  const peek = (k = 0): string => text[i + k] ?? "";
  const advance = (): void => {
    if (text[i] === "\n") line++;
    i++;
  };
  const skipInlineWs = (): void => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent for the bound; text[n] is undefined, no blank
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
  };
  const skipComment = (): void => {
    // Stryker disable next-line EqualityOperator: equivalent; stopping at n + 1 instead of n ends every loop the same way
    while (i < n && text[i] !== "\n") i++;
  };
  /** Whitespace, newlines and comments (inside arrays). */
  const skipWsNl = (): void => {
    for (;;) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; text[n] is undefined, neither blank nor "#", so the loop returns below
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
      // Stryker disable next-line EqualityOperator: equivalent; one more step past an unclosed string's end only changes its text, and multi-line strings are never keys
      while (i < n && text.slice(i, i + 3) !== end) {
        if (q === '"' && text[i] === "\\") {
          // Stryker disable next-line all: equivalent; a multi-line string is never a key, so its text is not used
          out += text[i + 1] ?? "";
          advance();
          advance();
          continue;
        }
        // Stryker disable next-line AssignmentOperator: equivalent; a multi-line string is never a key, so its text is not used
        out += text[i];
        advance();
      }
      i += 3;
      // Up to two extra quotes may close a multi-line string.
      while (text[i] === q) i++;
      return out;
    }
    i++;
    // Stryker disable next-line EqualityOperator,ConditionalExpression,StringLiteral: equivalent on text smol-toml parsed, where a one-line string always ends with its quote on its own line
    while (i < n && text[i] !== q && text[i] !== "\n") {
      if (q === '"' && text[i] === "\\") {
        // Stryker disable next-line StringLiteral: a backslash is never the last character of text smol-toml parsed
        const e = text[i + 1] ?? "";
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\" };
        if (e === "u" || e === "U") {
          const len = e === "u" ? 4 : 8;
          const code = parseInt(text.slice(i + 2, i + 2 + len), 16);
          // Stryker disable next-line ConditionalExpression,StringLiteral: smol-toml refuses a \u or \U escape without its hex digits
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
        // Stryker disable next-line EqualityOperator: equivalent; at n no key is read, advance() steps past the end and the next pass breaks
        if (i >= n) break;
        if (peek() === "}") {
          advance();
          break;
        }
        // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,BlockStatement: equivalent; a comma is no key character, so the empty-key step below skips it the same way
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
        // Stryker disable next-line ConditionalExpression: equivalent on text smol-toml parsed, where "=" always follows a key
        if (peek() === "=") i++;
        const full = [...path, ...k];
        if (!keys.has(joinPath(full))) keys.set(joinPath(full), keyLine);
        readValue(full);
      }
    } else {
      // Scalar: number, boolean, date. Ends at a delimiter.
      // Stryker disable next-line EqualityOperator: equivalent; stopping at n + 1 instead of n ends every loop the same way
      while (i < n && !/[,\]}\n#]/.test(text[i])) i++;
    }
  };

  // Stryker disable next-line EqualityOperator: equivalent; at n the break below ends the loop
  while (i < n) {
    skipWsNl();
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; at the end readKey finds no key and skipComment does not move, so the loop ends
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
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: equivalent; after a header only a comment may follow on its line, which skipWsNl skips too
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
    // Stryker disable next-line ConditionalExpression: equivalent on text smol-toml parsed, where "=" always follows a key
    if (peek() === "=") i++;
    const full = [...table, ...k];
    if (!keys.has(joinPath(full))) keys.set(joinPath(full), keyLine);
    readValue(full);
    skipInlineWs();
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: equivalent; after a value only a comment may follow on its line, which skipWsNl skips too
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
