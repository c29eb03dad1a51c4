/**
 * Where a version is written: the line, the columns and the exact text. Managers record it at
 * extraction so that an update can replace that span generically (act/github/updaters/span.ts) and
 * re-extract the file to verify the new value is read back.
 */
import type { ValueSpan } from "../../model/index.js";

/** Lines of one file, split once and on demand. */
export class LineIndex {
  private lines: string[] | null = null;
  constructor(private readonly content: string) {}

  /** 1-based line text without its ending; undefined past the end. */
  line(n: number): string | undefined {
    this.lines ??= this.content.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
    return this.lines[n - 1];
  }
}

/**
 * Find `text` on line `line`, after the first occurrence of `after` (a key) when given. Quoted
 * occurrences win over bare ones, so `"node": "20"` finds the value, not a digit of the key.
 * null when the value is not on that line (a multi-line value): the update then falls back to the
 * per-format updater.
 */
export function locateValue(lines: LineIndex, line: number | null, text: string, after?: string): ValueSpan | null {
  // Stryker disable next-line ConditionalExpression: without it, line(null) reads lines[-1], undefined: null all the same
  if (line === null) return null;
  if (text === "") return null;
  const lineText = lines.line(line);
  if (lineText === undefined) return null;
  let from = 0;
  if (after !== undefined) {
    const k = lineText.indexOf(after);
    if (k < 0) return null;
    from = k + after.length;
  }
  let at = -1;
  for (const q of ['"', "'"]) {
    const i = lineText.indexOf(q + text + q, from);
    const col = i + 1;
    // Stryker disable next-line EqualityOperator: a quoted match at 0 is also the first bare match; `at` is -1 or ≥ 1; a "1" and a '1' never start at the same column
    if (i >= 0 && (at < 0 || col < at)) at = col;
  }
  // Stryker disable next-line EqualityOperator: `at` is -1 or ≥ 1 here
  if (at < 0) {
    // Bare: not glued to other version characters on either side.
    let i = lineText.indexOf(text, from);
    while (i >= 0) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: at column 0, `i === from` (from is 0) accepts the match whatever `before` is
      const before = i > 0 ? lineText[i - 1] : " ";
      // Stryker disable next-line StringLiteral: "" and " " both fail the glued-character test
      const next = lineText[i + text.length] ?? " ";
      if (!/[\w.+-]/.test(before) || i === from) {
        if (!/[\w.+]/.test(next)) {
          at = i;
          break;
        }
      }
      i = lineText.indexOf(text, i + 1);
    }
  }
  if (at < 0) return null;
  return { line, start_column: at, end_column: at + text.length, text };
}
