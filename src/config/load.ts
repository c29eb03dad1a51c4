import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";
import { z } from "zod";
import { formatPath, issuesToFieldErrors, type FieldError } from "../model/validate.js";
import { CowabungaConfig, defaultConfig } from "./schema.js";

/** The config file's name inside `.github/`, as Probot's context.config expects it. */
export const CONFIG_FILE_NAME = "cowabunga.yml";
export const CONFIG_PATH = `.github/${CONFIG_FILE_NAME}`;

export interface ConfigError {
  /** YAML path of the offending key, e.g. `updates.max_open_prs` or `components[1].paths`; `(root)` for the document. */
  path: string;
  /** 1-based line in the file; the nearest existing parent's line when the key itself is missing. Null when unknown (e.g. the value came from an `_extends` base). */
  line: number | null;
  /** `error`: the value was ignored and its default used. `warning`: an unknown key (often a typo), ignored. */
  severity: "error" | "warning";
  message: string;
  /** The file the error belongs to. */
  file: string;
}

export interface ConfigLoadResult {
  /** Always a complete, valid config: invalid parts replaced by their defaults. */
  config: CowabungaConfig;
  errors: ConfigError[];
}

// ---------------------------------------------------------------------------------------------
// Unknown keys: zod objects strip them silently, so walk the schema beside the value.

type Seg = string | number;

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  // Stryker disable next-line UpdateOperator: equivalent; the loop ends at the first schema that is no wrapper, and zod wrappers never nest endlessly
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodPrefault) {
      s = s.unwrap() as z.ZodType;
    } else break;
  }
  return s;
}

function findUnknownKeys(schema: z.ZodType, value: unknown, path: Seg[], out: Seg[][]): void {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const shape = s.shape as Record<string, z.ZodType>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === "_extends") continue; // Probot's config inheritance key
      if (!(k in shape)) out.push([...path, k]);
      else findUnknownKeys(shape[k], v, [...path, k], out);
    }
  } else if (s instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((item, i) => findUnknownKeys(s.element as z.ZodType, item, [...path, i], out));
  }
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

function knownKeysAt(path: Seg[]): string[] {
  let s: z.ZodType = CowabungaConfig;
  for (const seg of path) {
    const u = unwrap(s);
    // Paths come from the config's own keys: a segment is a string exactly where the value is a mapping and a
    // number where it is a list, and a wrong pairing ends in `s` undefined below, which gives [] as well.
    // Stryker disable next-line LogicalOperator: equivalent (see above)
    if (u instanceof z.ZodObject && typeof seg === "string") s = (u.shape as Record<string, z.ZodType>)[seg];
    else if (
      // Stryker disable next-line LogicalOperator: equivalent; `element` of anything but an array schema is undefined, which returns [] below
      u instanceof z.ZodArray && typeof seg === "number"
    )
      s = u.element as z.ZodType;
    else {
      // Stryker disable next-line ArrayDeclaration: unreachable; an unknown key's parent path always leads through the schema's objects and lists
      return [];
    }
    // Stryker disable next-line ArrayDeclaration: unreachable (see above)
    if (!s) return [];
  }
  const u = unwrap(s);
  if (u instanceof z.ZodObject) return Object.keys(u.shape as Record<string, unknown>);
  if (u instanceof z.ZodRecord) {
    const keyType = u.keyType as z.ZodType;
    if (keyType instanceof z.ZodEnum) return keyType.options.map(String);
  }
  // Stryker disable next-line ArrayDeclaration: unreachable; an unknown key's parent is an object or the enum-keyed registries record
  return [];
}

function suggestion(path: Seg[]): string {
  const key = String(path[path.length - 1]);
  const known = knownKeysAt(path.slice(0, -1));
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = levenshtein(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best !== null && bestD <= Math.max(2, Math.floor(key.length / 3))) return ` (did you mean "${best}"?)`;
  return known.length > 0 ? ` (known keys: ${known.join(", ")})` : "";
}

// ---------------------------------------------------------------------------------------------
// Validation of a plain object, with "drop only the invalid parts" repair.

const REMOVED = Symbol("removed");

function markRemoved(root: unknown, path: Seg[]): void {
  if (path.length === 0) return;
  let cur: unknown = root;
  for (const seg of path.slice(0, -1)) {
    // Stryker disable next-line LogicalOperator: equivalent; zod paths never pass through null, and past a removed (symbol) entry the walk reads undefined, which the check after the loop skips
    if (cur === null || typeof cur !== "object") return;
    cur = (cur as Record<Seg, unknown>)[seg];
  }
  if (cur !== null && typeof cur === "object") (cur as Record<Seg, unknown>)[path[path.length - 1]] = REMOVED;
}

function compact(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== REMOVED).map(compact);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== REMOVED) out[k] = compact(x);
    return out;
  }
  return v;
}

/** Whether the path is present in the value (a key holding null counts; aliases are already resolved in it). */
function hasPath(root: unknown, path: Seg[]): boolean {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, seg)) return false;
    cur = (cur as Record<Seg, unknown>)[seg];
  }
  return true;
}

function valueAt(root: unknown, path: Seg[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<Seg, unknown>)[seg];
  }
  return cur;
}

export interface ConfigProblem {
  segments: Seg[];
  severity: "error" | "warning";
  message: string;
}

/**
 * Validate a config object (already parsed from YAML). Reports every problem with its path, then drops
 * only the invalid parts (an invalid value, or the list item / object that holds a missing required key)
 * and re-validates, so everything valid is kept and the rest takes its default.
 */
export function validateConfigObject(raw: unknown): { config: CowabungaConfig; problems: ConfigProblem[] } {
  if (raw === null || raw === undefined) return { config: defaultConfig(), problems: [] };
  const tooBig = shapeProblem(raw);
  if (tooBig) return { config: defaultConfig(), problems: [{ segments: [], severity: "error", message: `${tooBig}; using all defaults` }] };
  try {
    return validateBoundedConfig(raw);
  } catch (e) {
    // Defence in depth: a bug or an exotic value must not take the scan down.
    return { config: defaultConfig(), problems: [{ segments: [], severity: "error", message: `cannot validate the config: ${(e as Error).message}; using all defaults` }] };
  }
}

/** Limits on a parsed config: real ones are a few levels deep and a few hundred values. */
export const MAX_CONFIG_DEPTH = 32;
export const MAX_CONFIG_VALUES = 50_000;
export const MAX_CONFIG_BYTES = 512 * 1024;

/**
 * Why a parsed value is too deep or too big to validate, or null. Counts every visit, so shared
 * references (YAML aliases that a parser kept as one object) count each time they are reached:
 * a "billion laughs" config stops here instead of in the recursive walks below.
 */
function shapeProblem(raw: unknown): string | null {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: raw, depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (++count > MAX_CONFIG_VALUES) return `the config has over ${MAX_CONFIG_VALUES} values (YAML aliases expanding?)`;
    if (v === null || typeof v !== "object") continue;
    if (depth >= MAX_CONFIG_DEPTH) return `the config is nested over ${MAX_CONFIG_DEPTH} levels deep`;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push({ v: child, depth: depth + 1 });
  }
  return null;
}

function validateBoundedConfig(raw: unknown): { config: CowabungaConfig; problems: ConfigProblem[] } {
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return {
      config: defaultConfig(),
      problems: [{ segments: [], severity: "error", message: `expected a mapping of settings, got ${Array.isArray(raw) ? "a list" : typeof raw}; using all defaults` }],
    };
  }
  const problems: ConfigProblem[] = [];
  const unknown: Seg[][] = [];
  findUnknownKeys(CowabungaConfig, raw, [], unknown);
  for (const p of unknown) problems.push({ segments: p, severity: "warning", message: `unknown key "${String(p[p.length - 1])}" ignored${suggestion(p)}` });

  let work: unknown = structuredClone(raw);
  for (let round = 0; round < 25; round++) {
    const r = CowabungaConfig.safeParse(work);
    if (r.success) return { config: r.data, problems };
    const errs: FieldError[] = issuesToFieldErrors(r.error.issues, work);
    for (const e of errs) {
      const missing = valueAt(work, e.segments) === undefined;
      if (round === 0) {
        const isUnknown = e.code === "unrecognized_keys";
        problems.push({
          segments: e.segments,
          severity: isUnknown ? "warning" : "error",
          message: isUnknown
            ? `${e.message} ignored${suggestion(e.segments)}`
            : `${e.message}; ${missing ? "ignoring the enclosing entry" : "ignored, using the default"}`,
        });
      }
      // Stryker disable next-line ObjectLiteral: unreachable; the root is a mapping here and the schema has no root-level check
      if (e.segments.length === 0) return { config: defaultConfig(), problems };
      // A missing required key cannot be dropped: drop the entry that holds it instead.
      markRemoved(work, missing ? e.segments.slice(0, -1) : e.segments);
      // Stryker disable next-line ObjectLiteral: unreachable; every top-level key has a default, so none is ever missing
      if (missing && e.segments.length === 1) return { config: defaultConfig(), problems };
    }
    work = compact(work);
  }
  return { config: defaultConfig(), problems };
}

// ---------------------------------------------------------------------------------------------
// YAML with line numbers

/** The line of the node at `path` (the key's line for a mapping entry), or of its nearest existing parent. */
function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: Seg[]): number {
  let node: unknown = doc.contents;
  let line = node && (node as YamlNode).range ? lc.linePos((node as YamlNode).range![0]).line : 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyNode = pair.key as YamlNode;
      if (keyNode.range) line = lc.linePos(keyNode.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      if (item.range) line = lc.linePos(item.range[0]).line;
      node = item;
    } else break;
  }
  return line;
}

/**
 * Parse the text of `.github/cowabunga.yml`. Never throws.
 * YAML syntax errors: reported with their line, config = all defaults.
 * Schema errors: reported with path and line; only the invalid parts fall back to defaults.
 */
export function parseConfigYaml(text: string, fileName: string = CONFIG_PATH): ConfigLoadResult {
  if (text.length > MAX_CONFIG_BYTES) {
    return { config: defaultConfig(), errors: [{ path: "(root)", line: null, severity: "error", message: `the file is ${text.length} characters, over the ${MAX_CONFIG_BYTES} limit; using all defaults`, file: fileName }] };
  }
  const lc = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  } /* Stryker disable next-line BlockStatement: unreachable; parseDocument collects syntax errors in doc.errors instead of throwing */ catch (e) {
    // Stryker disable next-line ObjectLiteral,ArrayDeclaration,StringLiteral: unreachable (see above)
    return { config: defaultConfig(), errors: [{ path: "(root)", line: 1, severity: "error", message: `cannot parse YAML: ${(e as Error).message}`, file: fileName }] };
  }
  if (doc.errors.length > 0) {
    return {
      config: defaultConfig(),
      errors: doc.errors.map((e) => ({
        path: "(root)",
        // Stryker disable next-line LogicalOperator,OptionalChaining: equivalent; with prettyErrors every error has linePos, the line of pos[0]
        line: e.linePos?.[0]?.line ?? (e.pos ? lc.linePos(e.pos[0]).line : 1),
        severity: "error" as const,
        message: `YAML syntax error (${e.code}): ${e.message.split("\n")[0]}; using all defaults`,
        file: fileName,
      })),
    };
  }
  let raw: unknown;
  try {
    // Stryker disable next-line ObjectLiteral: equivalent; 100 is also the yaml library's default maxAliasCount (kept explicit for the README's limit)
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { config: defaultConfig(), errors: [{ path: "(root)", line: 1, severity: "error", message: `cannot read YAML: ${(e as Error).message}; using all defaults`, file: fileName }] };
  }
  const { config, problems } = validateConfigObject(raw);
  return {
    config,
    errors: problems.map((p) => ({ path: formatPath(p.segments), line: lineOf(doc, lc, p.segments), severity: p.severity, message: p.message, file: fileName })),
  };
}

/** One line per error, e.g. `.github/cowabunga.yml:12: updates.max_open_prs: expected number, got string "five"; ...`. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => `${e.file}${e.line !== null ? `:${e.line}` : ""}: ${e.severity}: ${e.path}: ${e.message}`).join("\n");
}

// ---------------------------------------------------------------------------------------------
// Probot

/** The part of Probot's Context that loadRepoConfig uses; a fake is enough in tests. */
export interface ConfigContext {
  repo(): { owner: string; repo: string };
  config(fileName: string): Promise<unknown>;
  octokit: {
    rest: {
      repos: {
        getContent(params: { owner: string; repo: string; path: string }): Promise<{ data: unknown }>;
      };
    };
  };
  log?: { warn(obj: unknown, msg?: string): void };
}

async function fetchRawConfig(ctx: ConfigContext): Promise<string | null> {
  try {
    const { data } = await ctx.octokit.rest.repos.getContent({ ...ctx.repo(), path: CONFIG_PATH });
    if (typeof data === "string") return data;
    // Stryker disable next-line OptionalChaining: equivalent; null.content throws, and the catch below also returns null
    if (typeof (data as { content?: unknown } | null)?.content === "string") {
      const d = data as { content: string; encoding?: string };
      return d.encoding === "base64" || d.encoding === undefined ? Buffer.from(d.content, "base64").toString("utf8") : d.content;
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * Load the repository's config through Probot's `context.config` (so `_extends` works), validate it,
 * and only when something is wrong fetch the raw `.github/cowabunga.yml` to put line numbers on the
 * errors. Errors whose path is not in the repository's own file came from an `_extends` base: line null.
 * Never throws: a missing file gives defaults; an unreadable one gives defaults and an error.
 */
export async function loadRepoConfig(ctx: ConfigContext): Promise<ConfigLoadResult> {
  const { owner, repo } = ctx.repo();
  const file = `${owner}/${repo}:${CONFIG_PATH}`;
  let merged: unknown;
  try {
    merged = await ctx.config(CONFIG_FILE_NAME);
  } catch (e) {
    // Probot throws on YAML syntax errors and fetch failures; re-read the raw file for the line.
    const text = await fetchRawConfig(ctx);
    const result =
      text !== null
        ? parseConfigYaml(text, file)
        : { config: defaultConfig(), errors: [] as ConfigError[] };
    if (result.errors.length === 0) {
      result.errors.push({ path: "(root)", line: null, severity: "error", message: `cannot load config: ${(e as Error).message}; using all defaults`, file });
    }
    ctx.log?.warn({ errors: result.errors }, `invalid ${file}`);
    return { config: defaultConfig(), errors: result.errors };
  }
  const { config, problems } = validateConfigObject(merged);
  if (problems.length === 0) return { config, errors: [] };
  const text = await fetchRawConfig(ctx);
  const lines = new Map<string, number>();
  if (text !== null && text.length <= MAX_CONFIG_BYTES) {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc });
    if (doc.errors.length === 0) {
      // The file's own value with its aliases resolved (the document's hasIn does not follow an alias).
      let own: unknown;
      try {
        own = doc.toJS({ maxAliasCount: 100 });
      } catch {
        own = undefined; // too many aliases: parseConfigYaml reports that; no lines here
      }
      for (const p of own === undefined ? [] : problems) {
        // The root is in every parsed document, an empty one too: a root problem gets its line.
        if (hasPath(own, p.segments)) lines.set(formatPath(p.segments), lineOf(doc, lc, p.segments));
        else if (p.segments.length > 0 && valueAt(own, p.segments.slice(0, -1)) !== undefined) {
          // A missing key: point at its parent, if the parent is in this file.
          lines.set(formatPath(p.segments), lineOf(doc, lc, p.segments));
        }
      }
    }
  }
  const errors: ConfigError[] = problems.map((p) => {
    const path = formatPath(p.segments);
    const line = lines.get(path) ?? null;
    return { path, line, severity: p.severity, message: line === null && text !== null ? `${p.message} (from an _extends base config)` : p.message, file };
  });
  ctx.log?.warn({ errors }, `problems in ${file}`);
  return { config, errors };
}
