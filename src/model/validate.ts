import type { z } from "zod";

/** One validation problem, named by the path of the offending field. */
export interface FieldError {
  /** Path in JS accessor style: `components[0].health_score`; `(root)` for the document itself. */
  path: string;
  /** The raw path segments, for callers that map paths to source positions (e.g. YAML lines). */
  segments: (string | number)[];
  /** zod's issue code, e.g. `invalid_type`, `too_big`, `unrecognized_keys`. */
  code: string;
  /** What was expected and, where known, what was received. */
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[]; message: string };

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Render path segments as `a.b[0].c`; keys that are not identifiers are quoted: `a["x.y"]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = String(seg);
      if (IDENT.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out === "" ? "(root)" : out;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return v.length > 40 ? `string "${v.slice(0, 37)}..."` : `string ${JSON.stringify(v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${String(v)}`;
  return typeof v;
}

function valueAt(data: unknown, segments: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const seg of segments) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

type Issue = z.core.$ZodIssue;

function expectation(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_big":
      return issue.origin === "array" || issue.origin === "string"
        ? `expected at most ${String(issue.maximum)} ${issue.origin === "array" ? "items" : "characters"}`
        : `expected a number ${issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}`;
    case "too_small":
      return issue.origin === "array" || issue.origin === "string"
        ? `expected at least ${String(issue.minimum)} ${issue.origin === "array" ? "item(s)" : "character(s)"}`
        : `expected a number ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}`;
    case "invalid_format":
      return `expected ${issue.format === "datetime" ? "an ISO 8601 datetime with offset (e.g. 2026-01-31T12:00:00Z)" : `format ${issue.format}`}`;
    case "not_multiple_of":
      return `expected a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** Flatten zod issues into FieldErrors; `unrecognized_keys` becomes one error per key, pathed to that key. */
export function issuesToFieldErrors(issues: readonly Issue[], data: unknown): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const base = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const segments = [...base, key];
        out.push({ path: formatPath(segments), segments, code: issue.code, message: `unknown key "${key}"` });
      }
      continue;
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the branch that got furthest; zod nests issues relative to the union's path.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      const nested = best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue);
      if (nested.length > 0) {
        out.push(...issuesToFieldErrors(nested, data));
        continue;
      }
    }
    const value = valueAt(data, issue.path);
    const received =
      issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "too_big" || issue.code === "too_small" || issue.code === "invalid_format"
        ? value === undefined
          ? ", but it is missing"
          : `, got ${describeValue(value)}`
        : "";
    out.push({ path: formatPath(base), segments: base, code: issue.code, message: `${expectation(issue)}${received}` });
  }
  return out;
}

/**
 * Validate `data` against a zod schema. Never throws.
 * `label` names the document in the summary message (e.g. "system_health.json" or "SystemHealth").
 */
export function parseEntity<S extends z.ZodType>(schema: S, data: unknown, label: string): ParseResult<z.output<S>> {
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  const errors = issuesToFieldErrors(r.error.issues, data);
  const message = `${label} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`;
  return { ok: false, errors, message };
}
