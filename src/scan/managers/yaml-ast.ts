/**
 * A small, line-annotated YAML tree for the infrastructure managers (docker compose, github-actions,
 * helm, zarf, uds), with a fast front-end and a faithful fallback.
 *
 * Fast path: js-yaml's loader (`loadAll` with a `listener`). Every node of the stream passes through
 * js-yaml's composeNode, which calls the listener on open and on close. On close we:
 * - replace each scalar result by a unique token string ("\0<n>") whose table entry is a YScalar with
 *   its value (YAML 1.2 core schema types), its source text, its 1-based line and the comment that
 *   follows it on the same line (`uses: org/a@<sha> # v4.1.0`);
 * - turn each mapping / sequence result into a YMap / YSeq (cached per object, so an alias shares its
 *   anchor's node and nothing is expanded).
 * Mapping keys are tokens too, so js-yaml does not see duplicate keys itself: we detect them, and any
 * duplicate, any js-yaml error or anything unexpected sends the file to the fallback.
 *
 * Fallback: the `yaml` package (parseAllDocuments + LineCounter + uniqueKeys), the parser this module
 * used before, converted to the same tree. It gives the same warnings (message and line) as before for
 * broken files and tolerates what js-yaml rejects (unknown tags such as `!reference`).
 *
 * Why: cold (before the JIT has warmed up) the `yaml` package costs ~5× more CPU than js-yaml for the
 * same files; for the scan of a repository the YAML parse was about half of the whole run.
 */
import { CORE_SCHEMA, Type, YAMLException, load, loadAll } from "js-yaml";
import { Lexer, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parse, parseAllDocuments } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import type { PackageManager, ScanWarning } from "../types.js";

export type ScalarValue = string | number | boolean | null;

export interface YScalar {
  readonly kind: "scalar";
  /** Value under the YAML 1.2 core schema: "1.10" → 1.1, "true" → true, "" / "~" / "null" → null. */
  value: ScalarValue;
  /** Source text of a plain scalar that is not a string ("1.10"); otherwise null. */
  source: string | null;
  /** 1-based line where the scalar starts. */
  line: number;
  /** Text after `#` on the scalar's own line (without the `#`), for single-line scalars. */
  comment: string | null;
}

export interface YPair {
  key: YScalar;
  value: YNode;
}

export interface YMap {
  readonly kind: "map";
  items: YPair[];
  /** 1-based line where the map starts (its first key, or `{`). */
  line: number;
}

export interface YSeq {
  readonly kind: "seq";
  items: YNode[];
  /** 1-based line where the sequence starts (its first `-`, or `[`). */
  line: number;
}

export type YNode = YScalar | YMap | YSeq;

export interface YDoc {
  /** Root node; null for an empty document. */
  contents: YNode | null;
}

export interface ParsedYaml {
  docs: YDoc[];
  warnings: ScanWarning[];
  /** Which parser produced the tree: "fast" (js-yaml) or "fallback" (`yaml` package). */
  parser: "fast" | "fallback";
}

export function isYScalar(node: unknown): node is YScalar {
  return typeof node === "object" && node !== null && (node as { kind?: unknown }).kind === "scalar";
}
export function isYMap(node: unknown): node is YMap {
  return typeof node === "object" && node !== null && (node as { kind?: unknown }).kind === "map";
}
export function isYSeq(node: unknown): node is YSeq {
  return typeof node === "object" && node !== null && (node as { kind?: unknown }).kind === "seq";
}

/**
 * Deepest nesting a YAML document may have, aliases included (given to js-yaml as its maxDepth,
 * default 100). The `yaml` package overflows the stack at roughly 1,000 levels; real manifests stay
 * under 30.
 */
export const MAX_YAML_DEPTH = 200;
/**
 * Nodes that aliases may add to a document when every alias is counted as a copy of its anchor
 * (what a walker visits). A 570-byte file of 10 nested levels of 10 aliases each expands to 10^10
 * nodes; real files reuse a few anchors (CI step templates, default images).
 */
export const MAX_YAML_ALIAS_EXPANSION = 100_000;

/** A resource limit of the YAML front-end was hit: the file is refused with this message. */
export class YamlLimitError extends Error {
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = "YamlLimitError";
  }
}

/** js-yaml 4.1+ reads `maxDepth` (its typings do not list it yet). */
const JS_YAML_LIMITS: { maxDepth: number } = { maxDepth: MAX_YAML_DEPTH };

const DEPTH_MESSAGE = `YAML is nested deeper than ${MAX_YAML_DEPTH} levels; file skipped`;
const EXPANSION_MESSAGE = `YAML aliases expand to over ${MAX_YAML_ALIAS_EXPANSION} extra nodes (an alias bomb?); file skipped`;

/** js-yaml's own refusal past `maxDepth`. */
function isJsYamlDepthError(err: unknown): boolean {
  return err instanceof YAMLException && /nesting exceeded maxDepth/.test(err.reason);
}

function jsYamlLine(err: unknown): number | null {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,OptionalChaining: only called after isJsYamlDepthError, so err is a loader YAMLException, which always has a mark
  return err instanceof YAMLException && typeof err.mark?.line === "number" ? err.mark.line + 1 : null;
}

/**
 * True when flow collections (`[`, `{`) nest deeper than `max`. The `yaml` package's lexer knows
 * quotes, comments and plain scalars, is iterative and stops at the first excess: a 600 KB `[[[…`
 * otherwise costs the composer seconds of repeated stack overflows.
 */
export function flowNestsDeeperThan(content: string, max: number = MAX_YAML_DEPTH): boolean {
  let depth = 0;
  for (const token of new Lexer().lex(content)) {
    if (token === "[" || token === "{") {
      if (++depth > max) return true;
    } else if ((token === "]" || token === "}") && depth > 0) depth--;
  }
  return false;
}

/** A stack overflow of a recursive parser (V8's RangeError "Maximum call stack size exceeded"). */
function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError || (err instanceof Error && /Maximum call stack size exceeded/.test(err.message));
}

/**
 * Expansion and height bookkeeping shared by both tree builders: a collection reached a second time
 * (an alias) adds its whole expanded size, and the height counts through aliases, so a walker of
 * the tree is bounded by what is checked here.
 */
class TreeMeter {
  private readonly size = new WeakMap<object, number>();
  private readonly height = new WeakMap<object, number>();
  private readonly used = new WeakSet<object>();
  private extra = 0;

  /**
   * Pairs a merge key (`<<: *base`) copied into a map count as extra too: a thousand maps merging
   * one large anchor would otherwise multiply the pairs walkers see without any alias "expansion".
   */
  merged(count: number, line: number): void {
    this.extra += count;
    if (this.extra > MAX_YAML_ALIAS_EXPANSION) throw new YamlLimitError(EXPANSION_MESSAGE, line);
  }

  /** Record a collection's children; throws YamlLimitError past a limit. */
  measure(node: YMap | YSeq, children: Iterable<YNode>): void {
    let size = 1;
    let height = 1;
    for (const child of children) {
      if (child.kind === "scalar") {
        size++;
        continue;
      }
      const s = this.size.get(child);
      const h = this.height.get(child);
      // Not measured yet: the child is an ancestor still being built (a recursive alias).
      // Stryker disable next-line ConditionalExpression,LogicalOperator: size and height are set together, so both are undefined or neither
      if (s === undefined || h === undefined) throw new YamlLimitError("YAML alias refers to a node that contains it; file skipped", node.line);
      if (this.used.has(child)) {
        this.extra += s;
        if (this.extra > MAX_YAML_ALIAS_EXPANSION) throw new YamlLimitError(EXPANSION_MESSAGE, node.line);
      } else this.used.add(child);
      size += s;
      // Stryker disable next-line EqualityOperator: when equal, the assignment stores the same value
      if (h + 1 > height) height = h + 1;
    }
    if (height > MAX_YAML_DEPTH) throw new YamlLimitError(DEPTH_MESSAGE, node.line);
    this.size.set(node, size);
    this.height.set(node, height);
  }
}

function* pairValues(items: readonly YPair[]): Iterable<YNode> {
  for (const p of items) yield p.value;
}

/**
 * Parse every document of a YAML stream; syntax errors become warnings with their line. A document
 * nested too deeply or whose aliases expand too far (MAX_YAML_DEPTH, MAX_YAML_ALIAS_EXPANSION) gives
 * one warning naming the limit and no documents.
 */
export function parseYaml(file: string, content: string, manager: PackageManager): ParsedYaml {
  try {
    const fast = parseFast(content);
    if (fast !== null) return { docs: fast, warnings: [], parser: "fast" };
  } catch (err) {
    // Stryker disable next-line ConditionalExpression: parseFast returns null for every other error; only YamlLimitError leaves it
    if (!(err instanceof YamlLimitError)) throw err;
    return { docs: [], warnings: [{ file, line: err.line, manager, message: err.message }], parser: "fast" };
  }
  return parseFallback(file, content, manager);
}

/**
 * Parse with js-yaml only; null when the fallback is needed (syntax error, duplicate key, ...).
 * Throws YamlLimitError when the document is nested too deeply or its aliases expand too far.
 */
export function parseFast(content: string): YDoc[] | null {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const builder = new FastBuilder(text);
  try {
    const results = loadAll(text, null, {
      schema: SCHEMA,
      ...JS_YAML_LIMITS,
      listener: function (this: unknown, event: "open" | "close", state: unknown) {
        builder.event(event, state as LoaderState);
      },
    });
    const docs: YDoc[] = [];
    for (const r of results) {
      // Stryker disable next-line ConditionalExpression: js-yaml gives null for an empty document, never undefined
      if (r === null || r === undefined) {
        docs.push({ contents: null });
        continue;
      }
      const node = builder.nodeOf(r, 1);
      // Stryker disable next-line ConditionalExpression: unreachable: every scalar of a loaded document was replaced by a token, so nodeOf maps every root
      if (node === null) return null;
      docs.push({ contents: node });
    }
    return docs;
  } catch (err) {
    if (err instanceof YamlLimitError) throw err;
    if (isJsYamlDepthError(err)) throw new YamlLimitError(DEPTH_MESSAGE, jsYamlLine(err));
    // Stryker disable next-line ConditionalExpression: defensive: with maxDepth js-yaml refuses deep input before its recursion overflows the stack
    if (isStackOverflow(err)) throw new YamlLimitError(DEPTH_MESSAGE);
    // A YAMLException (syntax error, unknown tag), a FallbackSignal (duplicate key, empty list
    // entry, ...) or a bug of ours: the faithful parser decides.
    return null;
  }
}

/**
 * Plain data of a single-document YAML file (lockfiles), fast: js-yaml (YAML 1.2 core schema + merge
 * keys; aliases are shared, never expanded). On any js-yaml error the `yaml` package decides, so a
 * broken file throws the same error as before (with `linePos`) and what `yaml` tolerates still loads.
 */
export function parseYamlData(content: string, options: { maxAliasCount?: number } = {}): unknown {
  try {
    return load(content, { schema: SCHEMA, ...JS_YAML_LIMITS });
  } catch (err) {
    // Too deep for js-yaml is too deep for `yaml` too: say so instead of "Maximum call stack size exceeded".
    if (isJsYamlDepthError(err)) throw new YamlLimitError(DEPTH_MESSAGE, jsYamlLine(err));
    // Stryker disable next-line ConditionalExpression: defensive: with maxDepth js-yaml refuses deep input before its recursion overflows the stack
    if (isStackOverflow(err)) throw new YamlLimitError(DEPTH_MESSAGE);
  }
  try {
    // logLevel "error": `yaml` would print its warnings (unknown tags) on stderr.
    // Stryker disable next-line StringLiteral: `yaml` prints warnings only at logLevel "warn" or "debug" and throws errors at any level but "silent", so "" acts as "error"
    return parse(content, { maxAliasCount: options.maxAliasCount ?? 1000, logLevel: "error" });
  } catch (err) {
    if (isStackOverflow(err)) throw new YamlLimitError(DEPTH_MESSAGE);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Fast path (js-yaml + listener)
// ---------------------------------------------------------------------------------------------

/** js-yaml's merge key type (`<<`), added to the core schema: YAML 1.2 core + merge keys. */
const MERGE = new Type("tag:yaml.org,2002:merge", { kind: "scalar", resolve: (data: unknown) => data === "<<" });
const SCHEMA = CORE_SCHEMA.extend({ implicit: [MERGE] });

/** The parts of js-yaml's loader state the listener reads (js-yaml 4 `lib/loader.js` State). */
interface LoaderState {
  input: string;
  position: number;
  line: number;
  kind: string | null;
  result: unknown;
  tag: string | null;
  anchor: string | null;
  anchorMap: Record<string, unknown>;
}

class FallbackSignal extends Error {}

const TOKEN_MARK = "\u0000";

class FastBuilder {
  private readonly input: string;
  // Open nodes, as parallel stacks: frame id, position and 0-based line when opened (the position
  // may precede spaces, comments and node properties).
  // Stryker disable next-line ArrayDeclaration: a bottom entry is never popped (events are balanced) and a root frame's parent is never compared
  private readonly stackId: number[] = [];
  // Stryker disable next-line ArrayDeclaration: a bottom entry is never popped (events are balanced) nor read
  private readonly stackPos: number[] = [];
  // Stryker disable next-line ArrayDeclaration: a bottom entry is never popped (events are balanced) nor read
  private readonly stackLine: number[] = [];
  private nextFrame = 0;
  /** token string → index into scalars / tokenFrame. */
  private readonly tokens = new Map<string, number>();
  private readonly scalars: YScalar[] = [];
  /** Frame that composed each token (to tell a map's own keys from merged ones). */
  private readonly tokenFrame: number[] = [];
  private lastToken: string | null = null;
  private readonly collections = new WeakMap<object, YMap | YSeq>();
  private readonly meter = new TreeMeter();

  constructor(input: string) {
    this.input = input;
  }

  event(event: "open" | "close", state: LoaderState): void {
    if (event === "open") {
      this.stackId.push(this.nextFrame++);
      this.stackPos.push(state.position);
      this.stackLine.push(state.line);
      return;
    }
    const id = this.stackId.pop();
    const pos = this.stackPos.pop();
    const line0 = this.stackLine.pop();
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: unreachable: js-yaml's composeNode sends one close for each open
    if (id === undefined || pos === undefined || line0 === undefined) throw new FallbackSignal("unbalanced listener events");
    const depth = this.stackId.length;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,UnaryOperator: only root scalars get the root value, and a root scalar is never a map key nor a kept child token
    const parent = depth > 0 ? this.stackId[depth - 1] : -1;
    const result = state.result;
    if (state.kind === "scalar") {
      // A block mapping that turned out to be a lone scalar keeps the token its child just made.
      // (A raw string equal to a token, from a hostile "\u0000..." escape, fails this test.)
      if (result === this.lastToken && this.tokenFrame[this.scalars.length - 1] === id) return;
      const token = this.scalarToken(pos, line0, state, result, parent);
      state.result = token;
      // An alias of this anchor must give the token, not the raw value stored before this event.
      if (state.anchor !== null && Object.prototype.hasOwnProperty.call(state.anchorMap, state.anchor)) {
        state.anchorMap[state.anchor] = token;
      }
      return;
    }
    // An alias (js-yaml leaves kind null): its result is the anchored token or collection.
    // Stryker disable next-line ConditionalExpression,LogicalOperator: the kind tests below build only a mapping's object or a sequence's array, each once (aliases come with kind null)
    if (result !== null && typeof result === "object" && !this.collections.has(result)) {
      const line = this.contentStart(pos, line0).line;
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a sequence's result is an array, and other kinds never reach here with an unbuilt object
      if (state.kind === "mapping" && !Array.isArray(result)) this.buildMap(result as Record<string, unknown>, id, line);
      else if (state.kind === "sequence" && Array.isArray(result)) this.buildSeq(result, line);
    }
  }

  /** The YNode for a js-yaml result (token, collection or null). Null when it cannot be mapped. */
  nodeOf(value: unknown, fallbackLine: number): YNode | null {
    // Stryker disable next-line ConditionalExpression: js-yaml never stores undefined in a document
    if (value === null || value === undefined) return nullScalar(fallbackLine);
    if (typeof value === "string") {
      const i = this.tokens.get(value);
      // Stryker disable next-line ConditionalExpression: unreachable: every string js-yaml stores (values, anchors) was replaced by a token
      return i === undefined ? null : this.scalars[i];
    }
    // Stryker disable next-line ConditionalExpression: every scalar is a token string: only null, tokens and collections reach here
    if (typeof value === "object") {
      const known = this.collections.get(value);
      if (known) return known;
      // A collection js-yaml made without a close event (a pair inside a flow sequence: `[a: 1]`).
      // Stryker disable next-line ConditionalExpression: every sequence js-yaml builds closes through composeNode; only single-pair maps of flow sequences come here
      if (Array.isArray(value)) return this.buildSeq(value, fallbackLine);
      return this.buildMap(value as Record<string, unknown>, -1, fallbackLine);
    }
    return null;
  }

  private buildSeq(arr: unknown[], line: number): YSeq {
    const seq: YSeq = { kind: "seq", items: [], line };
    this.collections.set(arr, seq);
    for (const item of arr) {
      // An empty entry (`-` alone) has no event to give its line: let the `yaml` package place it.
      // Stryker disable next-line StringLiteral: FallbackSignal messages are never shown (the fallback parser decides)
      if (item === null) throw new FallbackSignal("empty sequence entry");
      const node = this.nodeOf(item, line);
      // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable (nodeOf maps every item of a loaded document); the message is never shown
      if (node === null) throw new FallbackSignal("unmapped sequence item");
      seq.items.push(node);
    }
    this.meter.measure(seq, seq.items);
    return seq;
  }

  private buildMap(obj: Record<string, unknown>, frameId: number, line: number): YMap {
    // Stryker disable next-line ArrayDeclaration: items is always replaced below before the map is used
    const map: YMap = { kind: "map", items: [], line };
    this.collections.set(obj, map);
    const pairs: Array<{ pair: YPair; own: boolean }> = [];
    const explicit = new Set<string>();
    let mergedCount = 0;
    for (const k of Object.keys(obj)) {
      const ki = this.tokens.get(k);
      // Non-scalar keys (js-yaml stringifies them): skipped, as the managers only read string keys.
      if (ki === undefined) continue;
      const key = this.scalars[ki];
      const value = this.nodeOf(obj[k], key.line);
      // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable (nodeOf maps every value of a loaded document); the message is never shown
      if (value === null) throw new FallbackSignal("unmapped map value");
      const own = frameId < 0 || this.tokenFrame[ki] === frameId;
      if (own) {
        const name = keyString(key);
        // Duplicate keys: the `yaml` package reports them with their line; let it.
        // Stryker disable next-line StringLiteral: FallbackSignal messages are never shown (the fallback parser decides)
        if (explicit.has(name)) throw new FallbackSignal("duplicate key");
        explicit.add(name);
      } else mergedCount++;
      pairs.push({ pair: { key, value }, own });
    }
    // Stryker disable next-line ConditionalExpression: without merged pairs applyMerge keeps every own pair in order (duplicates were refused above)
    map.items = mergedCount === 0 ? pairs.map((p) => p.pair) : applyMerge(pairs, explicit);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: merging 0 pairs adds nothing, and the total never stays over the limit without having thrown
    if (mergedCount > 0) this.meter.merged(mergedCount, line);
    this.meter.measure(map, pairValues(map.items));
    return map;
  }

  private scalarToken(pos: number, line0: number, state: LoaderState, value: unknown, parent: number): string {
    const { pos: start, line } = this.contentStart(pos, line0);
    const end = state.position;
    let v: ScalarValue;
    // Stryker disable ConditionalExpression,StringLiteral: the core schema gives null, strings, booleans and numbers only (numbers take the same assignment either way); FallbackSignal messages are never shown
    if (value === null || typeof value === "string" || typeof value === "boolean") v = value;
    else if (typeof value === "number") v = value;
    else throw new FallbackSignal("unexpected scalar type");
    // Stryker restore ConditionalExpression,StringLiteral
    const input = this.input;
    let source: string | null = null;
    if (typeof v !== "string") {
      const raw = input.slice(start, end).trimEnd();
      source = raw.includes("\n") ? null : raw;
    }
    // Trailing comment: same line only, and only when the scalar ended on its starting line.
    let comment: string | null = null;
    if (state.line + 1 === line) {
      let i = end;
      let ch = input.charCodeAt(i);
      while (ch === 0x20 || ch === 0x09) ch = input.charCodeAt(++i);
      if (ch === 0x23 /* # */ && i > start) {
        const prev = input.charCodeAt(i - 1);
        if (prev === 0x20 || prev === 0x09) {
          // Stryker disable next-line ArithmeticOperator: i - 1 is the white space before `#`, so the scan stops at the same line break
          let j = i + 1;
          // Stryker disable next-line EqualityOperator: charCodeAt(length) is NaN, one more step that slices the same text
          while (j < input.length) {
            const c = input.charCodeAt(j);
            if (c === 0x0a || c === 0x0d) break;
            j++;
          }
          comment = input.slice(i + 1, j);
        }
      }
    }
    const index = this.scalars.length;
    const token = `${TOKEN_MARK}${index}`;
    this.tokens.set(token, index);
    this.scalars.push({ kind: "scalar", value: v, source, line, comment });
    this.tokenFrame.push(parent);
    this.lastToken = token;
    return token;
  }

  /**
   * Where the node's content starts: skip spaces, line breaks, comments and node properties
   * (`&anchor`, `!tag`) from the position the node was opened at. Returns a 1-based line.
   */
  private contentStart(pos: number, line0: number): { pos: number; line: number } {
    const input = this.input;
    let i = pos;
    let line = line0 + 1;
    let atSpace = true;
    for (;;) {
      const ch = input.charCodeAt(i);
      if (ch === 0x20 || ch === 0x09) {
        i++;
        atSpace = true;
      } else if (ch === 0x0a) {
        i++;
        line++;
        atSpace = true;
      } else if (ch === 0x0d) {
        i++;
        if (input.charCodeAt(i) === 0x0a) i++;
        line++;
        atSpace = true;
      } else if (ch === 0x23 && atSpace) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a node opened before a comment line has its content after it, so the comment never runs to the end of the input
        while (i < input.length && input.charCodeAt(i) !== 0x0a && input.charCodeAt(i) !== 0x0d) i++;
      } else if ((ch === 0x26 || ch === 0x21) && atSpace) {
        // Anchor or tag: skip to the next white space.
        // Stryker disable next-line EqualityOperator: charCodeAt(length) is NaN: one index past the end, where the content is the same empty text
        while (i < input.length) {
          const c = input.charCodeAt(i);
          if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) break;
          i++;
        }
        // Stryker disable next-line BooleanLiteral: a property ends at white space (or the end), which sets atSpace again before any `#`, `&` or `!` is read
        atSpace = false;
      } else {
        return { pos: i, line };
      }
    }
  }
}

/**
 * Pairs of a map holding merged entries (`<<: *base`), in document order (merged entries sit where
 * the `<<` key was): explicit keys win, then the first merged source that has the key.
 */
function applyMerge(pairs: ReadonlyArray<{ pair: YPair; own: boolean }>, explicit: ReadonlySet<string>): YPair[] {
  const out: YPair[] = [];
  const seen = new Set<string>();
  for (const p of pairs) {
    const name = keyString(p.pair.key);
    if (!p.own && (explicit.has(name) || seen.has(name))) continue;
    seen.add(name);
    out.push(p.pair);
  }
  return out;
}

function keyString(key: YScalar): string {
  // A string scalar has no `source` (see YScalar), so String() gives its value.
  // Stryker disable next-line StringLiteral: null keys only need one shared name (a key spelled like it is taken for a duplicate and read by the fallback, same tree)
  return key.value === null ? "" : (key.source ?? String(key.value));
}

function nullScalar(line: number): YScalar {
  return { kind: "scalar", value: null, source: null, line, comment: null };
}

// ---------------------------------------------------------------------------------------------
// Fallback (`yaml` package)
// ---------------------------------------------------------------------------------------------

export function parseFallback(file: string, content: string, manager: PackageManager): ParsedYaml {
  const lines = new LineCounter();
  const warnings: ScanWarning[] = [];
  // Stryker disable next-line ArrayDeclaration: assigned below before any use, or the function returns
  let parsed: Document.Parsed[] = [];
  try {
    if (flowNestsDeeperThan(content, MAX_YAML_DEPTH)) {
      warnings.push({ file, line: null, manager, message: DEPTH_MESSAGE });
      return { docs: [], warnings, parser: "fallback" };
    }
    parsed = parseAllDocuments(content, { lineCounter: lines, uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    const message = isStackOverflow(err) ? DEPTH_MESSAGE : `cannot parse YAML: ${String(err)}`;
    warnings.push({ file, line: null, manager, message });
    return { docs: [], warnings, parser: "fallback" };
  }
  const docs: YDoc[] = [];
  const meter = new TreeMeter();
  for (const doc of parsed) {
    let tooDeep = false;
    for (const e of doc.errors) {
      // Stryker disable next-line LogicalOperator,OptionalChaining: with a lineCounter the `yaml` package sets linePos on every error
      const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
      if (isStackOverflow(e)) {
        // The `yaml` package records its own stack overflow as a document error: report it once, as the limit.
        if (!tooDeep) warnings.push({ file, line, manager, message: DEPTH_MESSAGE });
        tooDeep = true;
        continue;
      }
      warnings.push({ file, line, manager, message: `invalid YAML: ${e.message.split("\n")[0]}` });
    }
    if (tooDeep) return { docs: [], warnings, parser: "fallback" };
    const conv = new FallbackConverter(doc, lines, meter);
    try {
      // Stryker disable next-line ConditionalExpression: the `yaml` package gives an empty document a null scalar, never null contents
      docs.push({ contents: doc.contents === null ? null : conv.convert(doc.contents, 1, 0) });
    } catch (err) {
      // Stryker disable next-line ConditionalExpression: convert throws YamlLimitError only
      if (!(err instanceof YamlLimitError)) throw err;
      warnings.push({ file, line: err.line, manager, message: err.message });
      return { docs: [], warnings, parser: "fallback" };
    }
  }
  return { docs, warnings, parser: "fallback" };
}

class FallbackConverter {
  private readonly cache = new Map<unknown, YNode>();
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly meter: TreeMeter,
  ) {}

  private lineOf(node: unknown, dflt: number): number {
    const range = (node as YamlNode | null)?.range;
    return range ? this.lines.linePos(range[0]).line : dflt;
  }

  convert(node: unknown, dfltLine: number, depth: number): YNode {
    if (depth > MAX_YAML_DEPTH) throw new YamlLimitError(DEPTH_MESSAGE, this.lineOf(node, dfltLine));
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      return target === undefined ? nullScalar(this.lineOf(node, dfltLine)) : this.convert(target, dfltLine, depth + 1);
    }
    const cached = this.cache.get(node);
    if (cached) return cached;
    if (isScalar(node)) {
      const v = node.value;
      const value: ScalarValue =
        v === undefined || v === null
          ? null
          : typeof v === "string" || typeof v === "number" || typeof v === "boolean"
            ? v
            : String(v);
      const out: YScalar = {
        kind: "scalar",
        value,
        source: typeof value !== "string" && typeof node.source === "string" && node.source !== "" ? node.source : null,
        line: this.lineOf(node, dfltLine),
        // A comment after an empty value (`key: # note`) belongs to no scalar text: the fast path
        // reports none, and no manager reads one there.
        comment: typeof node.comment === "string" && !(value === null && !node.source) ? node.comment : null,
      };
      this.cache.set(node, out);
      return out;
    }
    if (isSeq(node)) {
      const out: YSeq = { kind: "seq", items: [], line: this.lineOf(node, dfltLine) };
      this.cache.set(node, out);
      for (const item of node.items) out.items.push(this.convert(item, out.line, depth + 1));
      this.meter.measure(out, out.items);
      return out;
    }
    // Stryker disable next-line ConditionalExpression: after aliases, scalars and sequences only maps remain among the nodes convert is given
    if (isMap(node)) {
      // Stryker disable next-line ArrayDeclaration: items is always replaced below before the map is returned
      const out: YMap = { kind: "map", items: [], line: this.lineOf(node, dfltLine) };
      this.cache.set(node, out);
      const pairs: Array<{ pair: YPair; own: boolean }> = [];
      const explicit = new Set<string>();
      // Stryker disable next-line BooleanLiteral: without merge keys applyMerge keeps every own pair in order, and merging 0 pairs adds nothing
      let merged = false;
      for (const item of node.items) {
        if (!isPair(item) || !isScalar(item.key)) continue;
        const key = this.convert(item.key, out.line, depth + 1) as YScalar;
        if (item.key.source === "<<" && item.key.type === "PLAIN") {
          // Merge key: `<<: *base` or `<<: [*a, *b]`.
          const v = this.convert(item.value, key.line, depth + 1);
          for (const src of isYSeq(v) ? v.items : [v]) {
            if (isYMap(src)) for (const pair of src.items) pairs.push({ pair, own: false });
          }
          merged = true;
          continue;
        }
        explicit.add(keyString(key));
        // Stryker disable next-line ConditionalExpression: convert(null) gives the same null scalar on the key's line (lineOf falls back to it)
        const value = item.value === null ? nullScalar(key.line) : this.convert(item.value, key.line, depth + 1);
        pairs.push({ pair: { key, value }, own: true });
      }
      out.items = merged ? applyMerge(pairs, explicit) : pairs.map((p) => p.pair);
      if (merged) this.meter.merged(pairs.length - explicit.size, out.line);
      this.meter.measure(out, pairValues(out.items));
      return out;
    }
    return nullScalar(this.lineOf(node, dfltLine));
  }
}
