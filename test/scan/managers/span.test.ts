/** locateValue / LineIndex one behaviour per test (issue 18: span.ts); columns counted by hand. */
import { describe, expect, it } from "vitest";
import { LineIndex, locateValue } from "../../../src/scan/managers/span.js";

const at = (content: string, line: number | null, text: string, after?: string) => locateValue(new LineIndex(content), line, text, after);

describe("LineIndex", () => {
  it("splits on LF, CRLF and CR, drops a BOM, and is undefined past the end", () => {
    const idx = new LineIndex("\uFEFFa\r\nb\rc\nd");
    expect([1, 2, 3, 4].map((n) => idx.line(n))).toEqual(["a", "b", "c", "d"]);
    expect(idx.line(5)).toBeUndefined();
    expect(idx.line(0)).toBeUndefined();
  });
});

describe("locateValue", () => {
  it("a quoted value wins over a bare one earlier on the line", () => {
    //             0123456789012345
    expect(at('"node20": "20"', 1, "20")).toEqual({ line: 1, start_column: 11, end_column: 13, text: "20" });
    expect(at("x: '1.0' # 1.0", 1, "1.0")).toEqual({ line: 1, start_column: 4, end_column: 7, text: "1.0" });
  });

  it("the earlier of a double- and a single-quoted occurrence", () => {
    expect(at(`a: '1' b: "1"`, 1, "1")).toMatchObject({ start_column: 4 });
    expect(at(`a: "1" b: '1'`, 1, "1")).toMatchObject({ start_column: 4 });
  });

  it("a bare value is not part of a longer version or word", () => {
    //                     0         1
    //                     0123456789012345678
    expect(at("FROM node:20.1 20", 1, "20")).toMatchObject({ start_column: 15 });
    expect(at("v: 1.2.3 1.2", 1, "1.2")).toMatchObject({ start_column: 9 });
    expect(at("v: 2-1.2", 1, "1.2")).toBeNull();
    expect(at("x1.2 1.2+b 1.2", 1, "1.2")).toMatchObject({ start_column: 11 });
    expect(at("a_1 1", 1, "1")).toMatchObject({ start_column: 4 });
    expect(at("12", 1, "1")).toBeNull();
  });

  it("after a key, the search starts behind it, and a value glued to the key counts", () => {
    expect(at("tool:1.0 other:1.0", 1, "1.0", "other:")).toEqual({ line: 1, start_column: 15, end_column: 18, text: "1.0" });
    expect(at("name:1.0", 1, "1.0", "name:")).toMatchObject({ start_column: 5 });
    expect(at("a: 1", 1, "1", "missing")).toBeNull();
    expect(at("1 a", 1, "1", "")).toMatchObject({ start_column: 0 });
  });

  it("no line, an empty text, a line past the end or a value not on the line is null", () => {
    expect(at("a", null, "a")).toBeNull();
    expect(at("a", 1, "")).toBeNull();
    expect(at("a", 2, "a")).toBeNull();
    expect(at("a: b", 1, "c")).toBeNull();
  });

  it("the line number is that of the requested line", () => {
    expect(at("x\ny: 2\n", 2, "2")).toEqual({ line: 2, start_column: 3, end_column: 4, text: "2" });
  });
});

describe("locateValue: issue 18 survivors (columns counted by hand)", () => {
  it("only a leading BOM is dropped", () => {
    expect(new LineIndex("a\uFEFFb").line(1)).toBe("a\uFEFFb");
  });

  it("a quoted occurrence wins over an earlier bare one; the earlier of the two quote kinds", () => {
    //           0123456
    expect(at(`1 "1"`, 1, "1")).toMatchObject({ start_column: 3, end_column: 4 });
    expect(at(`1 '1'`, 1, "1")).toMatchObject({ start_column: 3 });
    //           012345678
    expect(at(`1 '1' "1"`, 1, "1")).toMatchObject({ start_column: 3 });
    expect(at(`1 "1" '1'`, 1, "1")).toMatchObject({ start_column: 3 });
    expect(at(`"1"`, 1, "1")).toMatchObject({ start_column: 1 });
  });

  it("a key that is not on the line means no span, even when the value is there", () => {
    expect(at("x: 1", 1, "1", "y:")).toBeNull();
  });

  it("a value glued to a key that ends in a word character counts only right after the key", () => {
    expect(at("v1.0", 1, "1.0", "v")).toEqual({ line: 1, start_column: 1, end_column: 4, text: "1.0" });
    expect(at("v1.0", 1, "1.0")).toBeNull();
  });
});
