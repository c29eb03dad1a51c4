/**
 * yaml-ast.ts mutants that survived the focused Stryker run (issue 18, second pass). Expected
 * values come from the YAML 1.2 spec (line breaks LF / CRLF / CR, `#` comments need white space
 * before them, node properties `&anchor` / `!tag` precede the content, `~` and `null` are the same
 * null key) and from the module's documented contract (1-based lines, `source` of non-strings,
 * same-line comments of single-line scalars, MAX_YAML_DEPTH levels counted through aliases,
 * MAX_YAML_ALIAS_EXPANSION extra nodes: "over" the limit is refused, the limit itself is not).
 */
import { describe, expect, it } from "vitest";
import {
  MAX_YAML_ALIAS_EXPANSION,
  MAX_YAML_DEPTH,
  YamlLimitError,
  parseFallback,
  parseFast,
  parseYaml,
  parseYamlData,
  type YMap,
  type YNode,
  type YScalar,
} from "../../../src/scan/managers/yaml-ast.js";
import { root, valueOf } from "./yaml-ast-helpers.js";

const DEPTH = `YAML is nested deeper than ${MAX_YAML_DEPTH} levels; file skipped`;
const EXPANSION = `YAML aliases expand to over ${MAX_YAML_ALIAS_EXPANSION} extra nodes (an alias bomb?); file skipped`;
const RECURSIVE = "YAML alias refers to a node that contains it; file skipped";

const both = (file: string, content: string) => [parseYaml(file, content, "helm"), parseFallback(file, content, "helm")];

const scalar = (n: YNode): YScalar => {
  if (n.kind !== "scalar") throw new Error("not a scalar");
  return n;
};

/** A flow sequence nested `levels` deep around `inner`: `[[[inner]]]` has height `levels`. */
const flowNest = (levels: number, inner: string) => `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`;

describe("scalar positions: node properties, comments and line breaks before the content (YAML 1.2 §6)", () => {
  it("an anchor at the very start of the document is a property, not part of the number's source", () => {
    expect(root("&x 12\n")).toEqual({ kind: "scalar", value: 12, source: "12", line: 1, comment: null });
  });

  it("a comment line at column 0 between an anchor and its content is skipped (LF)", () => {
    expect(scalar(valueOf(root("a: &x\n# note\n  5\n"), "a"))).toMatchObject({ value: 5, source: "5", line: 3 });
  });

  it("a comment line at column 0 between an anchor and its content is skipped (CRLF)", () => {
    expect(scalar(valueOf(root("a: &x\r\n# note\r\n  5\r\n"), "a"))).toMatchObject({ value: 5, source: "5", line: 3 });
  });

  it("CR alone is a line break: a comment ends at it and the next line is counted", () => {
    expect(scalar(valueOf(root("a: &x # c\r  5\r"), "a"))).toMatchObject({ value: 5, source: "5", line: 2 });
    expect(scalar(valueOf(root("a: &x\r# c\r  5\r"), "a"))).toMatchObject({ value: 5, source: "5", line: 3 });
  });

  it("inside a flow sequence, comment lines after LF, CRLF or CR are skipped and counted once", () => {
    for (const content of ["[\n# c\n5]\n", "[\r\n# c\r\n5]\n", "[\r# c\r5]\n", "[\r\n\r\n5]\n"]) {
      expect(root(content)).toEqual({ kind: "seq", line: 1, items: [{ kind: "scalar", value: 5, source: "5", line: 3, comment: null }] });
    }
  });

  it("CRLF is one line break, not two", () => {
    expect(scalar(valueOf(root("a:\r\n  5\r\n"), "a"))).toMatchObject({ value: 5, source: "5", line: 2 });
    expect(scalar(valueOf(root("a:\r\n\r\n  5\r\nb: 6\r\n"), "a"))).toMatchObject({ line: 3 });
    expect(scalar(valueOf(root("a:\r\n\r\n  5\r\nb: 6\r\n"), "b"))).toMatchObject({ line: 4 });
  });

  it("tabs separate a property or an indicator from the content", () => {
    expect(scalar(valueOf(root("a: &x\t5\n"), "a"))).toMatchObject({ value: 5, source: "5", line: 1 });
    expect(scalar(valueOf(root("a:\t5\n"), "a"))).toMatchObject({ value: 5, source: "5", line: 1 });
    expect(scalar(valueOf(root("a: &x\t\t7 # n\n"), "a"))).toMatchObject({ value: 7, source: "7", comment: " n" });
  });

  it("a tag is a property too: the source is the content after it", () => {
    expect(scalar(valueOf(root("a: !!int 5\n"), "a"))).toMatchObject({ value: 5, source: "5", line: 1 });
    expect(scalar(valueOf(root("a: !!float 2.50\n"), "a"))).toMatchObject({ value: 2.5, source: "2.50" });
    expect(root("- !!bool true\n")).toMatchObject({ kind: "seq", items: [{ value: true, source: "true", line: 1 }] });
  });

  it("an empty value with a comment running to the end of the input is null, on its key's line", () => {
    const v = scalar(valueOf(root("a: 1\nb: # no newline at the end"), "b"));
    expect(v).toMatchObject({ value: null, line: 2, comment: null });
  });
});

describe("trailing comments (same line, after white space, single-line scalars only)", () => {
  it("a tab before `#` starts a comment", () => {
    expect(scalar(valueOf(root("a: b\t# tab\n"), "a")).comment).toBe(" tab");
    expect(scalar(valueOf(root("a: 'b'\t#x\n"), "a")).comment).toBe("x");
  });

  it("`#` right after a quoted scalar, without white space, is no comment", () => {
    expect(scalar(valueOf(root('a: "b"# x\n'), "a"))).toMatchObject({ value: "b", comment: null });
  });

  it("a multi-line scalar has no trailing comment", () => {
    expect(scalar(valueOf(root('a: "multi\n  line" # c\n'), "a"))).toMatchObject({ value: "multi line", line: 1, comment: null });
    expect(scalar(valueOf(root("a: plain\n  folded # c\n"), "a"))).toMatchObject({ value: "plain folded", line: 1, comment: null });
  });

  it("the comment runs to the end of its line only (LF, CR, end of input)", () => {
    expect(scalar(valueOf(root("a: 1 # one\rb: 2\r"), "a")).comment).toBe(" one");
    expect(scalar(valueOf(root("a: 1 # one"), "a")).comment).toBe(" one");
  });

  it("a comment after an empty value belongs to no scalar, in both parsers", () => {
    for (const docs of [parseFast("a: # note\nb: 1\n"), parseFallback("f", "a: # note\nb: 1\n", "helm").docs]) {
      const a = scalar(valueOf(docs?.[0]?.contents as YNode, "a"));
      expect(a).toMatchObject({ value: null, line: 1, comment: null });
    }
  });
});

describe("collection lines", () => {
  it("a flow sequence starts at its `[` even when its first item is on a later line", () => {
    const seq = valueOf(root("a: [\n  1, 2]\n"), "a");
    expect(seq).toMatchObject({ kind: "seq", line: 1 });
    expect(parseFallback("f", "a: [\n  1, 2]\n", "helm").docs[0].contents).toEqual(root("a: [\n  1, 2]\n"));
  });

  it("a block sequence starts at its first `-`, also when not indented under its key", () => {
    expect(valueOf(root("a:\n- x\n- y\n"), "a")).toMatchObject({ kind: "seq", line: 2 });
    expect(valueOf(root("a:\n  # c\n  - x\n"), "a")).toMatchObject({ kind: "seq", line: 3 });
    expect(valueOf(root("a: &s\n  - x\n"), "a")).toMatchObject({ kind: "seq", line: 2 });
  });

  it("a flow collection on a later line starts at its bracket, past properties and comment lines (LF, CRLF, CR)", () => {
    for (const content of ["a: &x\n# c\n  [1]\n", "a: &x\r\n# c\r\n  [1]\r\n", "a: &x\r# c\r  [1]\r", "a: &x # c\r\r  [1]\r", "a:\r\n\r\n  {b: 1}\r\n", "a: !!seq\n\n  [1]\n"]) {
      expect(valueOf(root(content), "a").line).toBe(3);
    }
  });

  it("inside flow collections too: an anchored collection starts at its bracket (LF, CRLF, CR)", () => {
    const inner = (n: YNode): YNode => (n.kind === "seq" ? n.items[0] : valueOf(n, "a"));
    for (const content of ["[&x\n# c\n [1]]\n", "[&x\r\n# c\r\n [1]]\r\n", "[&x\r# c\r [1]]\r", "{a: &x\n# c\n [1]}\n", "{a: &x # c\r\r [1]}\r", "[&x\r\n\r\n [1]]\r\n"]) {
      expect(inner(root(content))).toMatchObject({ kind: "seq", line: 3, items: [{ value: 1, line: 3 }] });
    }
  });

  it("a pair inside a flow sequence is a one-pair map", () => {
    const seq = root("[a: 1, b]\n");
    expect(seq.kind).toBe("seq");
    if (seq.kind !== "seq") return;
    expect(seq.items[0]).toMatchObject({ kind: "map", items: [{ key: { value: "a" }, value: { value: 1 } }] });
    expect(seq.items[1]).toMatchObject({ kind: "scalar", value: "b" });
  });

  it("an empty document is null contents, and is kept among the others", () => {
    expect(parseFast("---\n---\na: 1\n")?.map((d) => d.contents?.kind ?? null)).toEqual([null, "map"]);
  });
});

describe("aliases", () => {
  it("an alias shares its anchor's node (same object, nothing expanded)", () => {
    const r = root("a: &a {x: 1}\nb: *a\nc: &s [1]\nd: *s\n");
    expect(valueOf(r, "b")).toBe(valueOf(r, "a"));
    expect(valueOf(r, "d")).toBe(valueOf(r, "c"));
  });

  it("an alias to an anchor that was never defined is an error, even when named `null`", () => {
    for (const content of ["a: 1\nb: *null\n", "a: 1\nb: *nope\n"]) {
      const r = parseYaml("u.yaml", content, "helm");
      expect(r.parser).toBe("fallback");
    }
  });
});

describe("keys", () => {
  it("`~` and `null` are the same (null) key: a duplicate, reported with its line", () => {
    const r = parseYaml("k.yaml", "~: 1\nnull: 2\n", "helm");
    expect(r.warnings.map((w) => w.line)).toEqual([2]);
    expect(r.parser).toBe("fallback");
  });

  it("a repeated string key is a duplicate; distinct keys are not", () => {
    expect(parseYaml("k.yaml", "a: 1\nb: 2\na: 3\n", "helm").warnings.map((w) => w.line)).toEqual([3]);
    expect(parseYaml("k.yaml", "a: 1\nb: 2\n", "helm")).toMatchObject({ warnings: [], parser: "fast" });
  });

  it("merged keys never count as duplicates of the map's own keys; explicit keys win", () => {
    const content = "base: &b {x: 1, y: 2}\nm:\n  x: 9\n  <<: *b\n";
    const r = parseYaml("m.yaml", content, "helm");
    expect(r).toMatchObject({ warnings: [], parser: "fast" });
    const m = valueOf(r.docs[0].contents as YNode, "m") as YMap;
    expect(m.items.map((p) => [p.key.value, (p.value as YScalar).value])).toEqual([
      ["x", 9],
      ["y", 2],
    ]);
    expect(parseFallback("m.yaml", content, "helm").docs).toEqual(r.docs);
  });
});

describe("alias expansion limit: exactly MAX_YAML_ALIAS_EXPANSION extra nodes is allowed", () => {
  // An anchored sequence holding one sequence of 998 scalars: 1 + (1 + 998) = 1,000 nodes.
  const anchor = `a: &a [[${Array.from({ length: 998 }, (_, i) => i).join(", ")}]]`;
  const aliases = (n: number) => Array.from({ length: n }, (_, i) => `b${i}: *a`).join("\n");
  const copies = MAX_YAML_ALIAS_EXPANSION / 1000;

  it("100 aliases of a 1,000-node anchor add 100,000 nodes: read", () => {
    for (const r of both("e.yaml", `${anchor}\n${aliases(copies)}\n`)) {
      expect(r.warnings).toEqual([]);
      expect(r.docs).toHaveLength(1);
    }
  });

  it("one more node is over the limit, with the parser that refused it", () => {
    const content = `${anchor}\n${aliases(copies)}\nc: &c []\nd: *c\n`;
    const [fast, fallback] = both("e.yaml", content);
    expect(fast).toMatchObject({ docs: [], parser: "fast" });
    expect(fast.warnings.map((w) => w.message)).toEqual([EXPANSION]);
    expect(fallback).toMatchObject({ docs: [], parser: "fallback" });
    expect(fallback.warnings.map((w) => w.message)).toEqual([EXPANSION]);
  });

  it("merged pairs: exactly the limit is read, one more pair is refused", () => {
    const base = `base: &base\n${Array.from({ length: 1000 }, (_, i) => `  k${i}: ${i}`).join("\n")}\n`;
    const users = (n: number) => Array.from({ length: n }, (_, i) => `m${i}:\n  <<: *base\n  own: ${i}`).join("\n");
    for (const r of both("m.yaml", `${base}${users(copies)}\n`)) expect(r.warnings).toEqual([]);
    const over = `${base}${users(copies)}\nsmall: &s {z: 1}\nlast:\n  <<: *s\n`;
    for (const r of both("m.yaml", over)) {
      expect(r.docs).toEqual([]);
      expect(r.warnings.map((w) => w.message)).toEqual([EXPANSION]);
      expect(r.warnings[0].line).toBeGreaterThan(1);
    }
  });
});

describe("alias and merge expansion share one budget (fast path: js-yaml allows 10,000 merged keys)", () => {
  const anchor = `a: &a [[${Array.from({ length: 998 }, (_, i) => i).join(", ")}]]`;
  const aliases = Array.from({ length: 99 }, (_, i) => `b${i}: *a`).join("\n");
  const base = `base: &base\n${Array.from({ length: 1000 }, (_, i) => `  k${i}: ${i}`).join("\n")}`;
  // 99 × 1,000 alias nodes + 1,000 merged pairs = exactly the limit.
  const atLimit = `${anchor}\n${aliases}\n${base}\nuser:\n  own: 1\n  <<: *base\n`;

  it("exactly the limit is read by the fast parser", () => {
    expect(parseYaml("m.yaml", atLimit, "helm")).toMatchObject({ warnings: [], parser: "fast" });
  });

  it("one merged pair more is refused by the fast parser", () => {
    const r = parseYaml("m.yaml", `${atLimit}small: &s {z: 1}\nlast:\n  <<: *s\n`, "helm");
    expect(r).toMatchObject({ docs: [], parser: "fast" });
    expect(r.warnings.map((w) => w.message)).toEqual([EXPANSION]);
  });

  it("a merge into the root map is a merge, not a duplicate key", () => {
    const r = parseYaml("m.yaml", "b: &b {x: 1, y: 2}\n<<: *b\nx: 3\n", "helm");
    expect(r).toMatchObject({ warnings: [], parser: "fast" });
    expect((r.docs[0].contents as YMap).items.map((p) => [p.key.value, (p.value as YScalar).value ?? null])).toEqual([
      ["b", null],
      ["y", 2],
      ["x", 3],
    ]);
  });
});

describe("depth counted through aliases", () => {
  // Root [ B, [] ] where B wraps *a in `outer` levels and the anchor A has `inner` levels.
  const doc = (inner: number, outer: number) => `[${flowNest(inner, "&a ")}, ${flowNest(outer, "*a")}, []]\n`.replace(`${"[".repeat(inner)}&a `, `&a ${"[".repeat(inner)}`);

  it("a document exactly MAX_YAML_DEPTH high (root included) is read", () => {
    const content = doc(100, MAX_YAML_DEPTH - 100 - 1);
    for (const r of both("d.yaml", content)) {
      expect(r.warnings).toEqual([]);
      expect(r.docs).toHaveLength(1);
    }
  });

  it("one level more, reached only through an alias and followed by a shallow sibling, is refused", () => {
    const content = doc(100, MAX_YAML_DEPTH - 100);
    for (const r of both("d.yaml", content)) {
      expect(r.docs).toEqual([]);
      expect(r.warnings.map((w) => w.message)).toEqual([DEPTH]);
      expect(r.warnings[0].line).toBe(1);
    }
  });

  it("an alias inside its own anchor is refused, not expanded forever", () => {
    for (const r of both("r.yaml", "ok: 1\na: &a [1, *a]\n")) {
      expect(r.docs).toEqual([]);
      expect(r.warnings).toEqual([{ file: "r.yaml", line: 2, manager: "helm", message: RECURSIVE }]);
    }
  });

  const blockNest = (levels: number) => {
    const lines: string[] = [];
    for (let i = 0; i < levels; i++) lines.push(`${" ".repeat(i)}k${i}:`);
    return `${lines.join("\n")}\n${" ".repeat(levels)}x: 1\n`;
  };

  it("block nesting past the limit is reported, by both parsers, at the line where the limit is crossed", () => {
    // Key k<i> sits on line i + 1 at nesting level i + 1: the excess level is around line MAX_YAML_DEPTH.
    const content = blockNest(MAX_YAML_DEPTH + 20);
    for (const r of both("b.yaml", content)) {
      expect(r.docs).toEqual([]);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0].message).toBe(DEPTH);
      const line = r.warnings[0].line ?? 0;
      expect(line).toBeGreaterThanOrEqual(MAX_YAML_DEPTH - 1);
      expect(line).toBeLessThanOrEqual(MAX_YAML_DEPTH + 1);
    }
    expect(parseYaml("b.yaml", content, "helm").parser).toBe("fast");
  });

  it("block sequences nested past the limit: the fallback reports the line where the limit is crossed", () => {
    // Level i's `-` is on line i + 1; the scalar at the bottom is MAX_YAML_DEPTH + 20 levels deep.
    const levels = MAX_YAML_DEPTH + 20;
    const content = `${Array.from({ length: levels }, (_, i) => `${" ".repeat(i * 2)}-`).join("\n")} x\n`;
    const r = parseFallback("s.yaml", content, "helm");
    expect(r.docs).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual([DEPTH]);
    expect(r.warnings[0].line).toBeGreaterThanOrEqual(MAX_YAML_DEPTH - 1);
    expect(r.warnings[0].line).toBeLessThanOrEqual(MAX_YAML_DEPTH + 2);
  });

  it("nesting that overflows the `yaml` package's stack is one warning naming the limit, not a crash", () => {
    // 6,000 levels: enough to overflow in a worker thread too (Stryker runs vitest in threads).
    const r = parseFallback("b.yaml", blockNest(6000), "helm");
    expect(r.docs).toEqual([]);
    expect(r.parser).toBe("fallback");
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ file: "b.yaml", manager: "helm", message: DEPTH });
    expect(typeof r.warnings[0].line).toBe("number");
  });

  it("the limit error is a named YamlLimitError", () => {
    expect(() => parseFast(blockNest(MAX_YAML_DEPTH + 20))).toThrow(YamlLimitError);
    try {
      parseFast(blockNest(MAX_YAML_DEPTH + 20));
    } catch (err) {
      expect((err as Error).name).toBe("YamlLimitError");
    }
  });
});

describe("fallback details", () => {
  it("non-scalar keys are skipped by both parsers; the other pairs are kept", () => {
    const content = "? [a, b]\n: 1\nc: 2\n";
    const r = parseYaml("k.yaml", content, "helm");
    expect(r).toMatchObject({ warnings: [], parser: "fast" });
    for (const docs of [r.docs, parseFallback("k.yaml", content, "helm").docs]) {
      expect((docs[0].contents as YMap).items.map((p) => [p.key.value, (p.value as YScalar).value])).toEqual([["c", 2]]);
    }
  });

  it("a merge key whose value is not a map merges nothing and breaks nothing", () => {
    const r = parseFallback("k.yaml", "a:\n  <<: 1\n  b: 2\n", "helm");
    const a = valueOf(r.docs[0].contents as YNode, "a") as YMap;
    expect(a.items.map((p) => p.key.value)).toEqual(["b"]);
  });

  it("a quoted \"<<\" is an ordinary key, not a merge (merge keys are plain `<<`)", () => {
    const content = 'b: &b {x: 1}\nm:\n  "<<": *b\n';
    for (const docs of [parseFast(content), parseFallback("k.yaml", content, "helm").docs]) {
      const m = valueOf(docs?.[0]?.contents as YNode, "m") as YMap;
      expect(m.items.map((p) => [p.key.value, p.value.kind])).toEqual([["<<", "map"]]);
    }
  });

  it("an alias to an unknown anchor is null, on the alias's own line", () => {
    const r = parseFallback("f", "a:\n  *nope\n", "helm");
    expect(scalar(valueOf(r.docs[0].contents as YNode, "a"))).toMatchObject({ value: null, line: 2 });
  });

  it("the limit refused by the fallback names the fallback parser", () => {
    const r = parseFallback("r.yaml", "a: &a [1, *a]\n", "helm");
    expect(r.parser).toBe("fallback");
  });
});

describe("parseYamlData", () => {
  it("uses the YAML 1.2 core schema: no timestamps, no binary", () => {
    expect(parseYamlData("d: 2001-12-14\nt: 2001-12-14t21:59:43.10-05:00\n")).toEqual({ d: "2001-12-14", t: "2001-12-14t21:59:43.10-05:00" });
  });

  it("nesting past the limit is a YamlLimitError with its line", () => {
    const deep = `${Array.from({ length: MAX_YAML_DEPTH + 20 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")}\n`;
    let caught: unknown;
    try {
      parseYamlData(deep);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(YamlLimitError);
    expect((caught as YamlLimitError).message).toBe(DEPTH);
    expect((caught as YamlLimitError).line).toBeGreaterThan(1);
  });

  it("nesting that overflows the `yaml` package (after a tag js-yaml rejects) is a YamlLimitError", () => {
    // 20,000 flow levels overflow the `yaml` package's stack on the main thread and in a worker thread
    // (Stryker's vitest runner uses threads, whose larger stack parses 3,000 levels).
    const deep = `a: !reference [x]\nb: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`;
    expect(() => parseYamlData(deep)).toThrow(YamlLimitError);
  });

  it("the `yaml` fallback (tags js-yaml does not know) allows 1,000 aliases by default, and honours maxAliasCount", () => {
    const many = `a: !reference [x]\nv: &v 1\n${Array.from({ length: 300 }, (_, i) => `r${i}: *v`).join("\n")}\n`;
    const data = parseYamlData(many) as Record<string, unknown>;
    expect(data.r299).toBe(1);
    expect(() => parseYamlData(many, { maxAliasCount: 5 })).toThrow(/alias/i);
  });
});
