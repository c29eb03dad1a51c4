import { parse as parseSpecifier } from "@renovatebot/pep440/lib/specifier.js";
import { compare as compareVersions, valid as validVersion } from "@renovatebot/pep440";

/** A PEP 508 requirement string, split into its parts. */
export interface Pep508Requirement {
  name: string;
  extras: string[];
  /** Version specifier without parentheses, "" when absent. */
  specifier: string;
  /** Direct reference after `@`, when present. */
  url: string | null;
  /** Environment marker after `;`, when present. */
  marker: string | null;
}

const NAME_RE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

/** PEP 503 normalised name, for matching against lockfiles and registries. */
export function normalizePyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** Parse one PEP 508 requirement; returns an error message for strings that are not one. */
export function parsePep508(input: string): Pep508Requirement | { error: string } {
  let s = input.trim();
  const m = NAME_RE.exec(s);
  if (!m) return { error: `not a PEP 508 requirement: "${truncate(input)}"` };
  const name = m[1];
  s = s.slice(name.length).trimStart();
  let extras: string[] = [];
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    // Stryker disable next-line EqualityOperator: equivalent; s starts with "[", so a "]" is at index 1 or later
    if (end < 0) return { error: `unclosed extras in "${truncate(input)}"` };
    extras = s
      .slice(1, end)
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean);
    s = s.slice(end + 1).trimStart();
  }
  let url: string | null = null;
  let specifier = "";
  let marker: string | null = null;
  if (s.startsWith("@")) {
    // A URL's marker must be preceded by whitespace, because URLs may contain ';'.
    const rest = s.slice(1).trim();
    // Stryker disable next-line Regex: equivalent; the URL is cut at the first blank of the run and the marker starts after the ';' either way
    const sm = /\s+;/.exec(rest);
    // Stryker disable next-line MethodExpression: equivalent; rest is trimmed and the cut is at the blanks before ';'
    url = (sm ? rest.slice(0, sm.index) : rest).trim();
    if (sm) marker = rest.slice(sm.index + sm[0].length).trim();
    if (!url) return { error: `empty direct reference in "${truncate(input)}"` };
  } else {
    const semi = s.indexOf(";");
    specifier = (semi >= 0 ? s.slice(0, semi) : s).trim();
    if (semi >= 0) marker = s.slice(semi + 1).trim();
    if (specifier.startsWith("(") && specifier.endsWith(")")) specifier = specifier.slice(1, -1).trim();
    if (specifier && !/^[<>=!~]/.test(specifier)) {
      return { error: `unexpected text after the name in "${truncate(input)}"` };
    }
  }
  return { name, extras, specifier, url, marker: marker || null };
}

export interface SpecifierVersion {
  /** Exact pin, else the highest lower bound, else null. */
  version: string | null;
  /** Set when the specifier is recognised but cannot be used for lookups. */
  unsupported: string | null;
  /** Set when the specifier is not valid PEP 440. */
  error: string | null;
}

interface ParsedClause {
  operator: string;
  version?: string;
  prefix?: string;
  legacy?: string;
}

/**
 * The version a PEP 440 specifier stands for: `==1.2.3` → 1.2.3, `>=1.2,<2` → 1.2,
 * `~=1.4.2` → 1.4.2, `==1.2.*` → 1.2, `===x` → x when x is a valid version. `<2` alone has no
 * lower bound: version null.
 */
export function versionFromSpecifier(spec: string): SpecifierVersion {
  const trimmed = spec.trim();
  if (!trimmed) return { version: null, unsupported: null, error: null };
  let clauses: ParsedClause[] | null;
  try {
    clauses = parseSpecifier(trimmed) as unknown as ParsedClause[] | null;
  } /* Stryker disable next-line BlockStatement: equivalent; clauses is left undefined, refused by the check below like null */ catch {
    clauses = null;
  }
  // Stryker disable next-line ConditionalExpression: the parser returns an empty list only for blank text, which returned above
  if (!clauses || clauses.length === 0) {
    return { version: null, unsupported: null, error: `invalid PEP 440 specifier "${truncate(trimmed)}"` };
  }
  let exact: string | null = null;
  let lower: string | null = null;
  for (const c of clauses) {
    if (c.operator === "===") {
      // Stryker disable next-line StringLiteral: the parser gives every "===" clause a legacy or a version string
      const v = c.legacy ?? c.version ?? "";
      if (validVersion(v)) exact = v;
      else return { version: null, unsupported: `arbitrary equality "===${v}" is not a PEP 440 version`, error: null };
    } else if (c.operator === "==" && c.version) {
      if (c.prefix === ".*") lower = pickHigher(lower, c.version);
      else exact = c.version;
    } else if ((c.operator === ">=" || c.operator === ">" || c.operator === "~=") && c.version) {
      lower = pickHigher(lower, c.version);
    }
  }
  return { version: exact ?? lower, unsupported: null, error: null };
}

function pickHigher(a: string | null, b: string): string {
  if (a === null) return b;
  try {
    return compareVersions(b, a) > 0 ? b : a;
  } /* Stryker disable next-line BlockStatement: unreachable; both versions come from the PEP 440 parser, which compare never refuses */ catch {
    return a;
  }
}

export function truncate(s: string, max = 120): string {
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
