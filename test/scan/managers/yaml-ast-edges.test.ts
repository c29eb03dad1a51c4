/**
 * yaml-ast.ts mutants that survived the measured Stryker run of 6 December 2026 (issue 18, third
 * pass). Expected values come from the YAML 1.2 spec (CRLF is one line break, a comment needs white
 * space before `#`, a pair inside a flow sequence is a single-pair mapping, an empty document has
 * no node) and from the module's documented contract (1-based lines, `comment` only for text after
 * `#`, the type guards accept objects of their kind only, MAX_YAML_ALIAS_EXPANSION extra nodes).
 */
import { describe, expect, it } from "vitest";
import {
  MAX_YAML_ALIAS_EXPANSION,
  MAX_YAML_DEPTH,
  isYMap,
  isYScalar,
  isYSeq,
  parseFallback,
  parseFast,
  parseYaml,
  type YNode,
  type YScalar,
} from "../../../src/scan/managers/yaml-ast.js";
import { root, valueOf } from "./yaml-ast-helpers.js";

describe("type guards", () => {
  it("each guard accepts the nodes of its own kind only", () => {
    const r = root("m: {a: 1}\ns: [1]\nv: x\n");
    const nodes = { map: valueOf(r, "m"), seq: valueOf(r, "s"), scalar: valueOf(r, "v") };
    expect([isYMap(nodes.map), isYSeq(nodes.map), isYScalar(nodes.map)]).toEqual([true, false, false]);
    expect([isYMap(nodes.seq), isYSeq(nodes.seq), isYScalar(nodes.seq)]).toEqual([false, true, false]);
    expect([isYMap(nodes.scalar), isYSeq(nodes.scalar), isYScalar(nodes.scalar)]).toEqual([false, false, true]);
  });

  it("null, undefined, primitives and non-objects carrying a kind are no nodes", () => {
    const fn = Object.assign(() => undefined, { kind: "seq" });
    const notNodes: unknown[] = [null, undefined, 0, "map", "seq", "scalar", true, fn, Object.assign(() => undefined, { kind: "map" }), Object.assign(() => undefined, { kind: "scalar" })];
    for (const [i, v] of notNodes.entries()) {
      expect([isYMap(v), isYSeq(v), isYScalar(v)], `value ${i}`).toEqual([false, false, false]);
    }
    expect([isYMap({ kind: "other" }), isYSeq({ kind: "other" }), isYScalar({ kind: "other" }), isYSeq({})]).toEqual([false, false, false, false]);
  });
});

describe("documents", () => {
  it("an empty document has null contents (not a missing field)", () => {
    const docs = parseFast("---\n---\na: 1\n");
    expect(docs?.[0]).toStrictEqual({ contents: null });
    expect(docs).toHaveLength(2);
  });
});

describe("line breaks before a block collection (YAML 1.2 §5.4: CRLF is one line break)", () => {
  it("a block mapping under its key starts on the next line with CRLF, CR or LF", () => {
    expect(valueOf(root("a:\r\n  b: 1\r\n"), "a")).toMatchObject({ kind: "map", line: 2 });
    expect(valueOf(root("a:\r\n\r\n  b: 1\r\n"), "a")).toMatchObject({ kind: "map", line: 3 });
    expect(valueOf(root("a:\r  b: 1\r"), "a")).toMatchObject({ kind: "map", line: 2 });
    expect(valueOf(root("a:\n\n  b: 1\n"), "a")).toMatchObject({ kind: "map", line: 3 });
  });

  it("and after a comment line ended by CRLF", () => {
    expect(valueOf(root("x: 1\r\na:\r\n  # c\r\n  b: 1\r\n"), "a")).toMatchObject({ kind: "map", line: 4 });
  });
});

describe("trailing comments need a `#` (YAML 1.2 §6.6)", () => {
  it("white space after a scalar, then the end of the line, is no comment", () => {
    for (const content of ["a: x \nb: 1\n", "a: 'x' \nb: 1\n", 'a: "x"\t\nb: 1\n']) {
      const a = valueOf(root(content), "a") as YScalar;
      expect(a, JSON.stringify(content)).toMatchObject({ value: "x", comment: null });
    }
  });

  it("a `,` after white space inside a flow collection is no comment", () => {
    expect(valueOf(root("{a: 1 , b: 2}\n"), "a")).toMatchObject({ value: 1, comment: null });
    const seq = root("['a' , b]\n");
    expect(seq).toMatchObject({ kind: "seq", items: [{ value: "a", comment: null }, { value: "b", comment: null }] });
  });
});

describe("single-pair mappings inside a flow sequence (YAML 1.2 §7.4.1)", () => {
  it("are no merge: at exactly MAX_YAML_ALIAS_EXPANSION extra alias nodes, `[k: 1]` is still read", () => {
    // An anchored sequence holding one sequence of 998 scalars: 1 + (1 + 998) = 1,000 nodes;
    // 100 aliases of it add exactly MAX_YAML_ALIAS_EXPANSION nodes, the limit itself (allowed).
    const anchor = `a: &a [[${Array.from({ length: 998 }, (_, i) => i).join(", ")}]]`;
    const aliases = Array.from({ length: MAX_YAML_ALIAS_EXPANSION / 1000 }, (_, i) => `b${i}: *a`).join("\n");
    const r = parseYaml("p.yaml", `${anchor}\n${aliases}\nc: [k: 1]\n`, "helm");
    expect(r).toMatchObject({ warnings: [], parser: "fast" });
    const c = valueOf(r.docs[0].contents as YNode, "c");
    expect(c).toMatchObject({ kind: "seq", items: [{ kind: "map", items: [{ key: { value: "k" }, value: { value: 1 } }] }] });
    expect(parseFallback("p.yaml", `${anchor}\n${aliases}\nc: [k: 1]\n`, "helm").warnings).toEqual([]);
  });
});

describe("fallback converter", () => {
  it("a merge key without a value merges nothing (and does not break the map)", () => {
    expect(parseFallback("m.yaml", "? <<\n", "helm")).toMatchObject({ warnings: [], docs: [{ contents: { kind: "map", items: [], line: 1 } }] });
    const r = parseFallback("m.yaml", "? <<\nb: 1\n", "helm");
    expect((r.docs[0].contents as { items: Array<{ key: YScalar }> }).items.map((p) => p.key.value)).toEqual(["b"]);
  });

  it("exactly MAX_YAML_DEPTH nested flow sequences around a scalar are read; one more is refused", () => {
    const nest = (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}\n`;
    const ok = parseFallback("d.yaml", nest(MAX_YAML_DEPTH), "helm");
    expect(ok.warnings).toEqual([]);
    expect(ok.docs).toHaveLength(1);
    let node = ok.docs[0].contents as YNode;
    let levels = 0;
    while (node.kind === "seq") {
      levels++;
      node = node.items[0];
    }
    expect([levels, node]).toEqual([MAX_YAML_DEPTH, { kind: "scalar", value: 1, source: "1", line: 1, comment: null }]);
    const over = parseFallback("d.yaml", nest(MAX_YAML_DEPTH + 1), "helm");
    expect(over.docs).toEqual([]);
    expect(over.warnings.map((w) => w.message)).toEqual([`YAML is nested deeper than ${MAX_YAML_DEPTH} levels; file skipped`]);
  });
});

describe("fast path details", () => {
  it("a byte order mark is not part of the first line's text (YAML 1.2 §5.2)", () => {
    const r = parseYaml("b.yaml", "\uFEFFa: 1.10 # c\n", "helm");
    expect(r.parser).toBe("fast");
    expect(valueOf(r.docs[0].contents as YNode, "a")).toEqual({ kind: "scalar", value: 1.1, source: "1.10", line: 1, comment: " c" });
  });

  it("an alias of an anchored scalar is that scalar, read by the fast parser", () => {
    const r = parseYaml("a.yaml", "a: &x v\nb: *x\n", "helm");
    expect(r).toMatchObject({ warnings: [], parser: "fast" });
    const doc = r.docs[0].contents as YNode;
    expect(valueOf(doc, "b")).toBe(valueOf(doc, "a"));
    expect(valueOf(doc, "b")).toMatchObject({ value: "v", line: 1 });
  });

  it("spaces between a quoted scalar and `#` are skipped", () => {
    expect(valueOf(root("a: 'x'  # c\n"), "a")).toMatchObject({ value: "x", comment: " c" });
  });

  it("an int key and a float key of the same number are two keys (different tags, YAML 1.2 §3.2.1.3)", () => {
    const r = parseYaml("k.yaml", "1: a\n1.0: b\n", "helm");
    expect(r).toMatchObject({ warnings: [], parser: "fast" });
    const items = (r.docs[0].contents as { items: Array<{ key: YScalar; value: YScalar }> }).items;
    expect(items.map((p) => [p.key.source, p.value.value])).toEqual([
      ["1", "a"],
      ["1.0", "b"],
    ]);
  });
});

describe("anchors and comments, more edges", () => {
  it("an anchor named `null` is an ordinary anchor: a later unanchored scalar does not replace it", () => {
    const r = parseYaml("n.yaml", "a: &null v\nb: x\nc: *null\n", "helm");
    expect(r).toMatchObject({ warnings: [], parser: "fast" });
    const doc = r.docs[0].contents as YNode;
    expect(valueOf(doc, "c")).toBe(valueOf(doc, "a"));
    expect(valueOf(doc, "c")).toMatchObject({ value: "v", line: 1 });
    expect(valueOf(doc, "b")).toMatchObject({ value: "x", line: 2 });
  });

  it("an empty quoted string keeps its trailing comment, in both parsers", () => {
    for (const content of ["a: '' # c\n", 'a: "" # c\n']) {
      const fallback = parseFallback("c.yaml", content, "helm").docs;
      expect(valueOf(fallback[0].contents as YNode, "a"), content).toEqual({ kind: "scalar", value: "", source: null, line: 1, comment: " c" });
      expect(parseFast(content), content).toEqual(fallback);
    }
  });
});
