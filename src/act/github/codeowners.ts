import ignore, { type Ignore } from "ignore";

/** Where GitHub looks for CODEOWNERS, in its order of precedence. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

export interface CodeownersRule {
  pattern: string;
  /** GitHub user logins, without "@". Teams (@org/team) and e-mail owners are left out. */
  users: string[];
  line: number;
  matcher: Ignore;
}

export interface Codeowners {
  file: string;
  rules: CodeownersRule[];
  warnings: Array<{ file: string; line: number; message: string }>;
}

const USER_RE = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/;

/**
 * Parse a CODEOWNERS file. Patterns follow gitignore rules (the `ignore` package), except that
 * negation (`!`) and `[ ]` ranges are not allowed by GitHub: such lines are reported and skipped.
 * Never throws.
 */
export function parseCodeowners(text: string, file: string = CODEOWNERS_PATHS[0]): Codeowners {
  const rules: CodeownersRule[] = [];
  const warnings: Codeowners["warnings"] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    // A "#" starts a comment unless escaped.
    const content = raw.replace(/(^|[^\\])#.*$/, "$1").trim();
    if (content === "") return;
    const tokens = content.split(/\s+/);
    const pattern = tokens[0].replace(/\\#/g, "#");
    if (pattern.startsWith("!") || /\[.*\]/.test(pattern)) {
      warnings.push({ file, line, message: `${file}:${line}: pattern "${pattern}" is not supported by CODEOWNERS; line skipped` });
      return;
    }
    const users: string[] = [];
    for (const owner of tokens.slice(1)) {
      const m = USER_RE.exec(owner);
      if (m) users.push(m[1]);
    }
    let matcher: Ignore;
    try {
      matcher = ignore().add(pattern);
    } catch (err) {
      warnings.push({ file, line, message: `${file}:${line}: invalid pattern "${pattern}": ${(err as Error).message}` });
      return;
    }
    rules.push({ pattern, users, line, matcher });
  });
  return { file, rules, warnings };
}

/** Users owning `path`: the LAST matching rule wins (a matching rule with no owners means nobody). */
export function ownersOf(codeowners: Codeowners | null, path: string): string[] {
  if (!codeowners) return [];
  const rel = path.replace(/^\/+/, "");
  if (rel === "") return [];
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i];
    let hit = false;
    try {
      hit = rule.matcher.ignores(rel);
    } catch {
      hit = false;
    }
    if (hit) return rule.users;
  }
  return [];
}

/** Users owning any of `paths`, in first-seen order, at most `max` (GitHub allows 10 assignees). */
export function ownersOfFiles(codeowners: Codeowners | null, paths: readonly string[], max = 10): string[] {
  const out: string[] = [];
  for (const p of paths) for (const u of ownersOf(codeowners, p)) if (!out.includes(u)) out.push(u);
  return out.slice(0, max);
}

/** The CODEOWNERS GitHub would use: the first of CODEOWNERS_PATHS present in `files`. */
export function pickCodeowners(files: ReadonlyMap<string, string>): Codeowners | null {
  for (const p of CODEOWNERS_PATHS) {
    const text = files.get(p);
    if (text !== undefined) return parseCodeowners(text, p);
  }
  return null;
}
