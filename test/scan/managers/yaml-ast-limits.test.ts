/**
 * yaml-ast.ts limits left untested by the first mutation run (issue 18): the flow-nesting pre-scan
 * and the depth / alias-expansion limits of both parsers. Expected values follow the YAML 1.2 flow
 * syntax (`[` / `{` open a collection, quoted scalars and comments do not) and the documented limits
 * (MAX_YAML_DEPTH levels, MAX_YAML_ALIAS_EXPANSION extra nodes).
 */
import { describe, expect, it } from "vitest";
import { MAX_YAML_ALIAS_EXPANSION, MAX_YAML_DEPTH, flowNestsDeeperThan, parseFallback, parseFast, parseYaml } from "../../../src/scan/managers/yaml-ast.js";

const DEPTH = `YAML is nested deeper than ${MAX_YAML_DEPTH} levels; file skipped`;
const EXPANSION = `YAML aliases expand to over ${MAX_YAML_ALIAS_EXPANSION} extra nodes (an alias bomb?); file skipped`;
/** `levels` nested block maps, the innermost holding `leaf`. */
const blockNest = (levels: number, leaf = "x: 1") => {
  const lines: string[] = [];
  for (let i = 0; i < levels; i++) lines.push(`${" ".repeat(i)}k${i}:`);
  lines.push(`${" ".repeat(levels)}${leaf}`);
  return `${lines.join("\n")}\n`;
};

describe("flowNestsDeeperThan", () => {
  it("counts open brackets and braces past the limit", () => {
    expect(flowNestsDeeperThan("a: [[[1]]]\n", 3)).toBe(false);
    expect(flowNestsDeeperThan("a: [[[1]]]\n", 2)).toBe(true);
    expect(flowNestsDeeperThan("a: {b: {c: [1]}}\n", 2)).toBe(true);
    expect(flowNestsDeeperThan("a: {b: {c: [1]}}\n", 3)).toBe(false);
  });

  it("closing brackets and braces end a level; siblings do not add up", () => {
    expect(flowNestsDeeperThan("a: [[1], [2], [3]]\n", 2)).toBe(false);
    expect(flowNestsDeeperThan("a: [{b: 1}, {c: 2}, {d: 3}]\n", 2)).toBe(false);
  });

  it("brackets in quotes and comments are no nesting", () => {
    expect(flowNestsDeeperThan("a: '[[[['\nb: \"{{{{\"\n# [[[[\n", 1)).toBe(false);
  });

  it("stray closers before any opener do not lower the count below zero", () => {
    expect(flowNestsDeeperThan("a: [1]]]]\nb: [[[1]]]\n", 2)).toBe(true);
  });

  it("defaults to MAX_YAML_DEPTH", () => {
    expect(flowNestsDeeperThan(`a: ${"[".repeat(MAX_YAML_DEPTH)}${"]".repeat(MAX_YAML_DEPTH)}\n`)).toBe(false);
    expect(flowNestsDeeperThan(`a: ${"[".repeat(MAX_YAML_DEPTH + 1)}${"]".repeat(MAX_YAML_DEPTH + 1)}\n`)).toBe(true);
  });
});

describe("limits", () => {
  it("flow nesting past the limit is one warning and no documents, in both parsers", () => {
    const deep = `a: ${"[".repeat(MAX_YAML_DEPTH + 5)}${"]".repeat(MAX_YAML_DEPTH + 5)}\n`;
    expect(parseFallback("d.yaml", deep, "helm")).toEqual({ docs: [], warnings: [{ file: "d.yaml", line: null, manager: "helm", message: DEPTH }], parser: "fallback" });
    const r = parseYaml("d.yaml", deep, "zarf");
    expect(r.docs).toEqual([]);
    expect(r.warnings.map((w) => [w.file, w.manager, w.message])).toEqual([["d.yaml", "zarf", DEPTH]]);
  });

  it("block nesting past the limit is one warning naming the limit", () => {
    const r = parseYaml("b.yaml", blockNest(MAX_YAML_DEPTH + 10), "helm");
    expect(r.docs).toEqual([]);
    expect(r.warnings.map((w) => [w.manager, w.message])).toEqual([["helm", DEPTH]]);
    expect(() => parseFast(blockNest(MAX_YAML_DEPTH + 10))).toThrow(DEPTH);
  });

  it("nesting within the limit is read", () => {
    const r = parseYaml("b.yaml", blockNest(50), "helm");
    expect(r.warnings).toEqual([]);
    expect(r.docs).toHaveLength(1);
  });

  it("aliases that expand past the limit are one warning naming it, with a line", () => {
    // Each level lists the previous one ten times: 10^6 nodes once expanded.
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 6; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]`);
    const bomb = `${lines.join("\n")}\n`;
    for (const r of [parseYaml("bomb.yaml", bomb, "helm"), parseFallback("bomb.yaml", bomb, "helm")]) {
      expect(r.docs).toEqual([]);
      expect(r.warnings.map((w) => [w.file, w.manager, w.message])).toEqual([["bomb.yaml", "helm", EXPANSION]]);
      expect(typeof r.warnings[0].line).toBe("number");
    }
  });

  it("pairs copied by merge keys count toward the expansion limit", () => {
    // One anchored map of 1,000 keys merged into 120 maps: 120,000 copied pairs.
    const base = `base: &base\n${Array.from({ length: 1000 }, (_, i) => `  k${i}: ${i}`).join("\n")}\n`;
    const users = Array.from({ length: 120 }, (_, i) => `m${i}:\n  <<: *base\n  own: 1`).join("\n");
    const yaml = `${base}${users}\n`;
    for (const r of [parseYaml("merge.yaml", yaml, "helm"), parseFallback("merge.yaml", yaml, "helm")]) {
      expect(r.docs).toEqual([]);
      expect(r.warnings.map((w) => w.message)).toEqual([EXPANSION]);
    }
    // A few merges are fine.
    expect(parseYaml("merge.yaml", `${base}m0:\n  <<: *base\n  own: 1\n`, "helm").warnings).toEqual([]);
  });

  it("a few aliases are read without a warning", () => {
    const r = parseYaml("ok.yaml", "a: &a [1, 2]\nb: *a\nc: *a\n", "helm");
    expect(r.warnings).toEqual([]);
  });
});
