/**
 * A small Go-template renderer for our own Helm chart, for tests on machines without the helm binary.
 * It implements the subset deploy/helm/cowabunga uses, with Go's semantics: actions `{{ }}` with `{{-`
 * / `-}}` trimming and comments; if / else if / else, range (lists, and maps in sorted key order, with
 * `$k, $v :=`), with, define / include / template; variables ($, $name, $v.field); pipelines; and the
 * Helm (sprig) functions quote, default, toYaml, indent, nindent, printf, trunc, trimSuffix, contains,
 * eq, ne, not, and, or, required. Anything else is an error naming the file and line, so a template
 * that uses more than this fails loudly instead of rendering wrongly.
 * Stricter than Helm on purpose: printing a missing value (`<no value>` in Go) is an error.
 * Bounded: template size, include depth and output size are capped.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";

const MAX_TEMPLATE_CHARS = 256 * 1024;
const MAX_OUTPUT_CHARS = 2 * 1024 * 1024;
const MAX_INCLUDE_DEPTH = 32;

export class TemplateError extends Error {
  override name = "TemplateError";
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "output"; pipe: string; line: number }
  | { kind: "if"; branches: Array<{ pipe: string; body: Node[] }>; otherwise: Node[] | null; line: number }
  | { kind: "range"; vars: string[]; pipe: string; body: Node[]; otherwise: Node[] | null; line: number }
  | { kind: "with"; pipe: string; body: Node[]; otherwise: Node[] | null; line: number }
  | { kind: "template"; name: string; pipe: string; line: number };

interface Token {
  text?: string;
  action?: string;
  line: number;
}

/** Split into text and actions, applying the trim markers. */
function lex(src: string, file: string): Token[] {
  if (src.length > MAX_TEMPLATE_CHARS) throw new TemplateError(`${file}: template over ${MAX_TEMPLATE_CHARS} characters`);
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    let text = open === -1 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, "");
    trimNext = false;
    if (open === -1) {
      if (text) out.push({ text, line });
      break;
    }
    const trimLeft = src.startsWith("{{- ", open) || src.startsWith("{{-\n", open);
    if (trimLeft) text = text.replace(/\s+$/, "");
    if (text) out.push({ text, line });
    line += countLines(src.slice(i, open));
    const bodyStart = open + (trimLeft ? 3 : 2);
    let close: number;
    if (src.startsWith("/*", src.slice(bodyStart).search(/\S/) + bodyStart)) {
      const end = src.indexOf("*/", bodyStart);
      if (end === -1) throw new TemplateError(`${file}:${line}: unclosed comment`);
      close = src.indexOf("}}", end);
    } else {
      close = findClose(src, bodyStart);
    }
    if (close === -1) throw new TemplateError(`${file}:${line}: unclosed action`);
    const trimRight = src[close - 1] === "-" && /\s/.test(src[close - 2] ?? "");
    const body = src.slice(bodyStart, trimRight ? close - 1 : close).trim();
    if (!body.startsWith("/*")) out.push({ action: body, line });
    line += countLines(src.slice(open, close + 2));
    trimNext = trimRight;
    i = close + 2;
  }
  return out;
}

function countLines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === "\n") n++;
  return n;
}

/** The `}}` closing an action, skipping quoted strings. */
function findClose(src: string, from: number): number {
  let q: string | null = null;
  for (let i = from; i < src.length - 1; i++) {
    const ch = src[i];
    if (q) {
      if (ch === "\\") i++;
      else if (ch === q) q = null;
    } else if (ch === '"' || ch === "`") q = ch;
    else if (ch === "}" && src[i + 1] === "}") return i;
  }
  return -1;
}

interface Parsed {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

function parse(tokens: Token[], file: string): Parsed {
  const defines = new Map<string, Node[]>();
  let pos = 0;
  // Parses until one of `stops` (an action keyword); returns the nodes and the stopping action.
  const block = (stops: readonly string[]): { nodes: Node[]; stop: Token | null } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t.text !== undefined) {
        nodes.push({ kind: "text", text: t.text });
        continue;
      }
      const a = t.action as string;
      const word = /^[a-z]+/.exec(a)?.[0] ?? "";
      if (stops.includes(word)) return { nodes, stop: t };
      if (word === "if") {
        const branches = [{ pipe: a.slice(2).trim(), body: [] as Node[] }];
        let otherwise: Node[] | null = null;
        for (;;) {
          const r = block(["else", "end"]);
          branches[branches.length - 1].body = r.nodes;
          if (!r.stop) throw new TemplateError(`${file}:${t.line}: "if" without "end"`);
          const s = r.stop.action as string;
          if (s === "end") break;
          if (/^else\s+if\s/.test(s)) {
            branches.push({ pipe: s.replace(/^else\s+if\s+/, ""), body: [] });
            continue;
          }
          const rest = block(["end"]);
          if (!rest.stop) throw new TemplateError(`${file}:${t.line}: "if" without "end"`);
          otherwise = rest.nodes;
          break;
        }
        nodes.push({ kind: "if", branches, otherwise, line: t.line });
      } else if (word === "range" || word === "with") {
        let expr = a.slice(word.length).trim();
        let vars: string[] = [];
        const decl = /^(\$\w*)(?:\s*,\s*(\$\w*))?\s*:=\s*/.exec(expr);
        if (decl) {
          if (word === "with") throw new TemplateError(`${file}:${t.line}: variables in "with" are not supported here`);
          vars = decl[2] ? [decl[1], decl[2]] : [decl[1]];
          expr = expr.slice(decl[0].length);
        }
        const r = block(["else", "end"]);
        if (!r.stop) throw new TemplateError(`${file}:${t.line}: "${word}" without "end"`);
        let otherwise: Node[] | null = null;
        if (r.stop.action !== "end") {
          const rest = block(["end"]);
          if (!rest.stop) throw new TemplateError(`${file}:${t.line}: "${word}" without "end"`);
          otherwise = rest.nodes;
        }
        nodes.push(word === "range" ? { kind: "range", vars, pipe: expr, body: r.nodes, otherwise, line: t.line } : { kind: "with", pipe: expr, body: r.nodes, otherwise, line: t.line });
      } else if (word === "define") {
        const name = /^define\s+"([^"]+)"$/.exec(a)?.[1];
        if (!name) throw new TemplateError(`${file}:${t.line}: malformed define`);
        const r = block(["end"]);
        if (!r.stop) throw new TemplateError(`${file}:${t.line}: define "${name}" without "end"`);
        defines.set(name, r.nodes);
      } else if (word === "template") {
        const m = /^template\s+"([^"]+)"\s*(.*)$/.exec(a);
        if (!m) throw new TemplateError(`${file}:${t.line}: malformed template action`);
        nodes.push({ kind: "template", name: m[1], pipe: m[2] || ".", line: t.line });
      } else if (word === "else" || word === "end") {
        throw new TemplateError(`${file}:${t.line}: unexpected "${word}"`);
      } else if (["block", "break", "continue"].includes(word)) {
        throw new TemplateError(`${file}:${t.line}: "${word}" is not supported by this renderer`);
      } else {
        nodes.push({ kind: "output", pipe: a, line: t.line });
      }
    }
    return { nodes, stop: null };
  };
  const top = block([]);
  return { nodes: top.nodes, defines };
}

// ---- expressions ----

type Value = unknown;
interface Scope {
  dot: Value;
  vars: Map<string, Value>;
}

interface Env {
  defines: Map<string, Node[]>;
  file: string;
  depth: number;
  out: { chars: number };
}

function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

/** Split on a separator outside quotes and parentheses. */
function splitTop(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let q: string | null = null;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      if (ch === "\\") i++;
      else if (ch === q) q = null;
    } else if (ch === '"' || ch === "`") q = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0 && ch === sep) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

/** Tokens of one command: strings, numbers, parenthesised sub-pipelines, and words. */
function words(s: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"' || ch === "`") {
      let j = i + 1;
      while (j < s.length && s[j] !== ch) j += s[j] === "\\" && ch === '"' ? 2 : 1;
      if (j >= s.length) throw new TemplateError(`${where}: unterminated string`);
      out.push(s.slice(i, j + 1));
      i = j + 1;
    } else if (ch === "(") {
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        if (s[j] === "(") depth++;
        else if (s[j] === ")" && --depth === 0) break;
      }
      if (j >= s.length) throw new TemplateError(`${where}: unbalanced parentheses`);
      out.push(s.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && !/[\s(]/.test(s[j])) j++;
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

function field(base: Value, pathText: string, where: string): Value {
  let v = base;
  for (const key of pathText.split(".").filter(Boolean)) {
    if (v === null || v === undefined) return undefined;
    if (typeof v !== "object") throw new TemplateError(`${where}: cannot read .${key} of a ${typeof v}`);
    v = (v as Record<string, Value>)[key];
  }
  return v;
}

function goQuote(v: Value): string {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return JSON.stringify(s);
}

function toYaml(v: Value): string {
  if (v === null || v === undefined) return "null";
  return YAML.stringify(v, { lineWidth: 0 }).replace(/\n$/, "");
}

function indentText(n: number, s: string): string {
  const pad = " ".repeat(n);
  return s
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}

function printf(fmt: string, args: Value[], where: string): string {
  let k = 0;
  return fmt.replace(/%([sdvq%])/g, (_, verb: string) => {
    if (verb === "%") return "%";
    if (k >= args.length) throw new TemplateError(`${where}: printf has too few arguments for "${fmt}"`);
    const a = args[k++];
    return verb === "q" ? goQuote(a) : verb === "d" ? String(Math.trunc(Number(a))) : typeof a === "object" && a !== null ? JSON.stringify(a) : String(a);
  });
}

function evalPipe(pipe: string, scope: Scope, env: Env, line: number): Value {
  const where = `${env.file}:${line}`;
  const cmds = splitTop(pipe, "|");
  let piped: { v: Value } | null = null;
  for (const cmd of cmds) {
    if (!cmd) throw new TemplateError(`${where}: empty command in "${pipe}"`);
    const w = words(cmd, where);
    piped = { v: evalCommand(w, piped, scope, env, line) };
  }
  return piped?.v;
}

function evalOperand(tok: string, scope: Scope, env: Env, line: number): Value {
  const where = `${env.file}:${line}`;
  if (tok.startsWith('"')) return JSON.parse(tok) as string;
  if (tok.startsWith("`")) return tok.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(tok)) return Number(tok);
  if (tok === "true" || tok === "false") return tok === "true";
  if (tok === "nil") return null;
  if (tok.startsWith("(")) return evalPipe(tok.slice(1, -1), scope, env, line);
  if (tok === ".") return scope.dot;
  if (tok.startsWith(".")) return field(scope.dot, tok, where);
  if (tok.startsWith("$")) {
    const m = /^(\$\w*)(.*)$/.exec(tok) as RegExpExecArray;
    if (!scope.vars.has(m[1])) throw new TemplateError(`${where}: undefined variable ${m[1]}`);
    return field(scope.vars.get(m[1]), m[2], where);
  }
  throw new TemplateError(`${where}: unexpected "${tok}"`);
}

const FUNCTIONS = new Set(["include", "quote", "default", "toYaml", "indent", "nindent", "printf", "trunc", "trimSuffix", "contains", "eq", "ne", "not", "and", "or", "required"]);

function evalCommand(w: string[], piped: { v: Value } | null, scope: Scope, env: Env, line: number): Value {
  const where = `${env.file}:${line}`;
  const [head, ...rest] = w;
  if (!FUNCTIONS.has(head)) {
    if (/^[A-Za-z]\w*$/.test(head)) throw new TemplateError(`${where}: function "${head}" is not supported by this renderer`);
    if (rest.length > 0 || piped) throw new TemplateError(`${where}: "${head}" is not a function`);
    return evalOperand(head, scope, env, line);
  }
  const args = rest.map((t) => evalOperand(t, scope, env, line));
  if (piped) args.push(piped.v);
  const need = (n: number): void => {
    if (args.length !== n) throw new TemplateError(`${where}: ${head} wants ${n} arguments, got ${args.length}`);
  };
  switch (head) {
    case "include": {
      need(2);
      return renderDefine(String(args[0]), args[1], env, line);
    }
    case "quote":
      return args.map(goQuote).join(" ");
    case "default":
      need(2);
      return truthy(args[1]) ? args[1] : args[0];
    case "toYaml":
      need(1);
      return toYaml(args[0]);
    case "indent":
      need(2);
      return indentText(Number(args[0]), String(args[1]));
    case "nindent":
      need(2);
      return `\n${indentText(Number(args[0]), String(args[1]))}`;
    case "printf":
      return printf(String(args[0]), args.slice(1), where);
    case "trunc":
      need(2);
      return String(args[1]).slice(0, Number(args[0]));
    case "trimSuffix": {
      need(2);
      const s = String(args[1]);
      const suf = String(args[0]);
      return suf && s.endsWith(suf) ? s.slice(0, -suf.length) : s;
    }
    case "contains":
      need(2);
      return String(args[1]).includes(String(args[0]));
    case "eq":
      return args.slice(1).some((a) => a === args[0]);
    case "ne":
      need(2);
      return args[0] !== args[1];
    case "not":
      need(1);
      return !truthy(args[0]);
    case "and":
      return args.reduce((acc, a) => (truthy(acc) ? a : acc));
    case "or":
      return args.reduce((acc, a) => (truthy(acc) ? acc : a));
    case "required":
      need(2);
      if (!truthy(args[1])) throw new TemplateError(`${where}: ${String(args[0])}`);
      return args[1];
  }
  throw new TemplateError(`${where}: ${head}`);
}

function renderDefine(name: string, dot: Value, env: Env, line: number): string {
  const body = env.defines.get(name);
  if (!body) throw new TemplateError(`${env.file}:${line}: no template "${name}"`);
  if (env.depth >= MAX_INCLUDE_DEPTH) throw new TemplateError(`${env.file}:${line}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
  return renderNodes(body, { dot, vars: new Map([["$", dot]]) }, { ...env, depth: env.depth + 1 });
}

function printable(v: Value, where: string): string {
  if (v === undefined) throw new TemplateError(`${where}: the value is missing (Go prints <no value>)`);
  if (v === null) return "<nil>";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function renderNodes(nodes: Node[], scope: Scope, env: Env): string {
  let out = "";
  const add = (s: string): void => {
    out += s;
    env.out.chars += s.length;
    if (env.out.chars > MAX_OUTPUT_CHARS) throw new TemplateError(`${env.file}: output over ${MAX_OUTPUT_CHARS} characters`);
  };
  for (const n of nodes) {
    switch (n.kind) {
      case "text":
        add(n.text);
        break;
      case "output":
        add(printable(evalPipe(n.pipe, scope, env, n.line), `${env.file}:${n.line}: {{ ${n.pipe} }}`));
        break;
      case "template":
        add(renderDefine(n.name, evalPipe(n.pipe, scope, env, n.line), env, n.line));
        break;
      case "if": {
        const hit = n.branches.find((b) => truthy(evalPipe(b.pipe, scope, env, n.line)));
        if (hit) add(renderNodes(hit.body, scope, env));
        else if (n.otherwise) add(renderNodes(n.otherwise, scope, env));
        break;
      }
      case "with": {
        const v = evalPipe(n.pipe, scope, env, n.line);
        if (truthy(v)) add(renderNodes(n.body, { dot: v, vars: scope.vars }, env));
        else if (n.otherwise) add(renderNodes(n.otherwise, scope, env));
        break;
      }
      case "range": {
        const v = evalPipe(n.pipe, scope, env, n.line);
        const items: Array<[Value, Value]> = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v && typeof v === "object"
            ? Object.keys(v)
                .sort()
                .map((k) => [k, (v as Record<string, Value>)[k]])
            : [];
        if (v !== null && v !== undefined && typeof v !== "object") throw new TemplateError(`${env.file}:${n.line}: range over a ${typeof v}`);
        if (items.length === 0) {
          if (n.otherwise) add(renderNodes(n.otherwise, scope, env));
          break;
        }
        for (const [k, x] of items) {
          const vars = new Map(scope.vars);
          if (n.vars.length === 1) vars.set(n.vars[0], x);
          if (n.vars.length === 2) {
            vars.set(n.vars[0], k);
            vars.set(n.vars[1], x);
          }
          add(renderNodes(n.body, { dot: x, vars }, env));
        }
        break;
      }
    }
  }
  return out;
}

// ---- the chart ----

export interface RenderOptions {
  /** Values merged over values.yaml (maps deep-merged, everything else replaced), as `helm -f`. */
  values?: Record<string, unknown>[];
  release?: { name?: string; namespace?: string };
}

export interface RenderedChart {
  chart: Record<string, unknown>;
  values: Record<string, unknown>;
  /** templates/<file> → rendered text (files starting with "_" are only sources of defines). */
  files: Map<string, string>;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(v) && isMap(out[k]) ? mergeValues(out[k] as Record<string, unknown>, v) : v;
  return out;
}

export function renderChart(chartDir: string, opts: RenderOptions = {}): RenderedChart {
  const chart = YAML.parse(readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as Record<string, unknown>;
  let values = (YAML.parse(readFileSync(path.join(chartDir, "values.yaml"), "utf8")) ?? {}) as Record<string, unknown>;
  for (const v of opts.values ?? []) values = mergeValues(values, v);
  const dir = path.join(chartDir, "templates");
  const defines = new Map<string, Node[]>();
  const parsed = new Map<string, Node[]>();
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(ya?ml|tpl)$/.test(name)) continue;
    const p = parse(lex(readFileSync(path.join(dir, name), "utf8"), name), name);
    for (const [k, v] of p.defines) defines.set(k, v);
    if (!name.startsWith("_")) parsed.set(name, p.nodes);
  }
  const root = {
    Values: values,
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion, Description: chart.description },
    Release: { Name: opts.release?.name ?? "cowabunga", Namespace: opts.release?.namespace ?? "cowabunga", Service: "Helm", IsInstall: true, IsUpgrade: false },
    Capabilities: { KubeVersion: { Version: "v1.30.0" } },
  };
  const files = new Map<string, string>();
  for (const [name, nodes] of parsed) {
    files.set(name, renderNodes(nodes, { dot: root, vars: new Map([["$", root]]) }, { defines, file: name, depth: 0, out: { chars: 0 } }));
  }
  return { chart, values, files };
}
