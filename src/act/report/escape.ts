/**
 * Escapers for text that comes from repositories, registries and advisories (all untrusted).
 * One module so the HTML report, the Markdown report and the GitHub issue writer agree.
 */

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Control characters that have no business in a report (keeps TAB, LF, CR). */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Terminal escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \`, other `ESC x`) and the
 * other C0/C1 control characters, TAB, LF and CR aside. A file name or version holding them would
 * recolour, retitle or rewrite the terminal of whoever `cat`s a CSV file.
 */
const TERMINAL_ESCAPES = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u009B[0-?]*[ -/]*[@-~]|\u001B[@-_]?|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Text without terminal escape sequences or control characters (TAB, LF, CR kept). */
export function stripTerminalControls(text: string): string {
  return text.replace(TERMINAL_ESCAPES, "");
}

/** HTML-escape text for element content. Also safe in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return textOf(value)
    .replace(CONTROL_CHARS, "\uFFFD")
    .replace(/[&<>"'`]/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** Escape for a double- or single-quoted attribute value; newlines become entities so values stay on one line. */
export function escapeAttr(value: unknown): string {
  return escapeHtml(value).replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

/**
 * JSON for embedding in `<script type="application/json">`: `<`, `>` and `&` become \u escapes so
 * `</script>` and `<!--` cannot end or confuse the element; U+2028/9 are escaped for old JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Only absolute http(s) URLs become links; everything else (javascript:, data:, relative) is shown as text. */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  if (trimmed === "" || /[\u0000-\u0020]/.test(trimmed)) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "") return null;
  return url.href;
}

const ZWJ = "\u200D";

/**
 * Stop GitHub from turning untrusted text into notifications and cross-links:
 * `@user` / `@org/team` get a zero-width joiner after the `@`, `#123` and `GH-123` after the `#` / `-`.
 * The text still reads the same to a person.
 */
export function neutraliseMentions(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWJ}`)
    .replace(/#(?=\d)/g, `#${ZWJ}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZWJ}`);
}

/**
 * Stop GFM's extended autolinks (`http://…`, `www.…`) in untrusted text: a zero-width joiner after
 * the scheme's colon or in `www.`. Backslash escapes would otherwise end up inside the link target,
 * and a link in an advisory summary is not ours to vouch for; real links are rendered separately.
 */
export function neutraliseAutolinks(text: string): string {
  return text.replace(/\b(https?|ftp|mailto|xmpp):(?=\S)/gi, `$1:${ZWJ}`).replace(/\b(www)\./gi, `$1${ZWJ}.`);
}

export interface MarkdownEscapeOptions {
  /**
   * Collapse every newline run to one space (default true). Needed in table cells, list items and
   * headings, where a newline would end the construct. With false, line breaks are kept and each
   * line is escaped on its own.
   */
  inline?: boolean;
  /** Neutralise @mentions, #123 references and URL autolinks (default true). */
  mentions?: boolean;
}

/**
 * Escape untrusted text for GitHub-flavoured Markdown so it renders literally:
 * - HTML is neutralised: `&`, `<`, `>` become entities (so no tag, comment or entity survives);
 * - inline markup characters ``\ ` * _ [ ] ( ) ~ | !`` get a backslash (`|` so tables stay intact);
 * - a line cannot start a heading, list, quote, setext underline or thematic break;
 * - @mentions, #123 references and bare-URL autolinks are neutralised (neutraliseMentions, neutraliseAutolinks);
 * - control characters are removed.
 */
export function escapeMarkdown(value: unknown, opts: MarkdownEscapeOptions = {}): string {
  const inline = opts.inline ?? true;
  let text = textOf(value).replace(CONTROL_CHARS, "");
  text = inline ? collapseLineBreaks(text) : text.replace(/\r\n?/g, "\n");
  if (opts.mentions ?? true) text = neutraliseAutolinks(neutraliseMentions(text));
  const lines = text.split("\n").map(escapeMarkdownLine);
  return lines.join("\n");
}

function escapeMarkdownLine(line: string): string {
  let out = line
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]()~|!]/g, (c) => `\\${c}`);
  // Block constructs only matter at the start of a line (after up to 3 spaces).
  out = out.replace(/^(\s{0,3})([#+=-])/, "$1\\$2").replace(/^(\s{0,3}\d{1,9})([.)])/, "$1\\$2");
  return out;
}

/** Escape for a GFM table cell: inline (newlines collapsed), `|` escaped, never empty-looking. */
export function escapeMarkdownCell(value: unknown): string {
  return escapeMarkdown(value, { inline: true });
}

/**
 * Every line break, with the whitespace around it, becomes one space; the ends are trimmed.
 * Done by splitting rather than with a regex of whitespace around line breaks: that regex is
 * quadratic on long runs of spaces (an advisory summary of 100k spaces took seconds).
 */
export function collapseLineBreaks(text: string): string {
  return text
    .split(/[\r\n]+/)
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .join(" ");
}

function textOf(value: unknown): string {
  if (value == null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? "";
}
