/**
 * scanJson, the line-recording JSON scanner of package.json files (issue 18: mutation survivors of
 * npm/json-lines.ts). Oracles: RFC 8259 through the platform's JSON.parse (a text is an error for
 * the scanner exactly when JSON.parse rejects it), and lines and columns counted by hand.
 */
import { describe, expect, it } from "vitest";
import { lineStarts, pathKey, positionAt, scanJson } from "../../../src/scan/managers/npm/json-lines.js";

const VALID = [
  "{}",
  "[]",
  " [ ] ",
  '{"a":[]}',
  "[1,-2,3.5,0,-0.25,1e5,2E-3,4e+2]",
  '[true,false,null,"x"]',
  '"just a string"',
  "42",
  '{"a":{"b":{"c":[[],[{}]]}}}',
  '{"esc":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}',
  '\t{\r\n"a" : 1 }\n',
];
const INVALID = [
  "",
  "   ",
  "{",
  "[",
  "[1,]",
  '{"a":1,}',
  "{,}",
  "[,1]",
  '{"a" 1}',
  "{a:1}",
  "{'a':1}",
  '{"a":1}}',
  "[1 2]",
  "01",
  "-",
  "1.",
  ".5",
  "+1",
  "tru",
  "nul",
  "[True]",
  '"\\x"',
  '"\\u12"',
  '"\\u12G4"',
  '"tab\there"',
  '"new\nline"',
  '"open',
  '{"a":1} x',
  "[] []",
  '{"a":}',
  '{"a":1 "b":2}',
];

describe("scanJson agrees with JSON.parse on what is JSON", () => {
  const parses = (t: string): boolean => {
    try {
      JSON.parse(t);
      return true;
    } catch {
      return false;
    }
  };
  // Names by index: a test name holding the JSON text itself is hard for a runner to select by name.
  it.each(VALID.map((t, i) => [i, t] as const))("accepts valid text #%i", (_i, t) => {
    expect(parses(t)).toBe(true);
    expect(scanJson(t).error).toBeNull();
  });
  it.each(INVALID.map((t, i) => [i, t] as const))("rejects invalid text #%i", (_i, t) => {
    expect(parses(t)).toBe(false);
    expect(scanJson(t).error).not.toBeNull();
  });
});

describe("scanJson error positions and messages", () => {
  it("names what it found, where", () => {
    expect(scanJson('{\n  "a": 1\n  "b": 2\n}').error).toEqual({ line: 3, column: 3, message: "expected ',' or '}', found '\"'" });
    expect(scanJson("[1 2]").error).toEqual({ line: 1, column: 4, message: "expected ',' or ']', found '2'" });
    expect(scanJson('{\n  "a" 1\n}').error).toEqual({ line: 2, column: 7, message: "expected ':' after property name, found '1'" });
    expect(scanJson("{\n  a: 1\n}").error).toEqual({ line: 2, column: 3, message: "expected a property name in double quotes, found 'a'" });
    expect(scanJson('{"a":\n}').error).toEqual({ line: 2, column: 1, message: "unexpected '}'" });
    expect(scanJson('{"a": 1}\nx').error).toEqual({ line: 2, column: 1, message: "unexpected 'x' after the end of the document" });
    expect(scanJson('{"a": [1,\n2').error).toMatchObject({ line: 2, message: "unexpected end of file: array not closed" });
    expect(scanJson('{"a": 1').error).toMatchObject({ message: "unexpected end of file: object not closed" });
    expect(scanJson('{"a":\n').error?.message).toBe("unexpected end of file: object not closed");
    expect(scanJson('{"a": -x}').error).toEqual({ line: 1, column: 7, message: "invalid number" });
  });

  it("numbers: every digit may start one, an exponent has several digits; a trailing comma in an array is named", () => {
    expect(scanJson("[9, 0, 10e10, 1E+12]").error).toBeNull();
    expect(scanJson("[+1]").error).toEqual({ line: 1, column: 2, message: "unexpected '+'" });
    expect(scanJson("[1,]").error).toEqual({ line: 1, column: 4, message: "trailing comma" });
    expect(scanJson('{"a":[],"b":[[]]}').error).toBeNull();
  });

  it("string errors point at the offending character or the opening quote", () => {
    expect(scanJson('{"a": "x\ny"}').error).toEqual({ line: 1, column: 9, message: "unescaped control character (e.g. a newline) in string" });
    expect(scanJson('["\\q"]').error).toEqual({ line: 1, column: 3, message: "invalid escape \\q in string" });
    expect(scanJson('["\\u00g0"]').error).toEqual({ line: 1, column: 3, message: "invalid \\u escape in string" });
    expect(scanJson('[\n "abc').error).toEqual({ line: 2, column: 2, message: "unterminated string" });
    expect(scanJson('{"k\\').error?.message).toMatch(/escape|unterminated/);
  });

  it("the end of the file inside an object or array says which is not closed", () => {
    expect(scanJson("{\n").error).toEqual({ line: 1, column: 2, message: "unexpected end of file: object not closed" });
    expect(scanJson('{"a"\n:1,\n"b"\n\n').error?.message).toBe("unexpected end of file: object not closed");
    expect(scanJson("[1\n\n").error?.message).toBe("unexpected end of file: array not closed");
  });

  it("nesting past 1000 levels is an error, not a stack overflow", () => {
    expect(scanJson("[".repeat(1000) + "]".repeat(1000)).error).toBeNull();
    expect(scanJson("[".repeat(1001) + "]".repeat(1001)).error?.message).toBe("nesting deeper than 1000 levels");
  });
});

describe("key lines", () => {
  it("every key by its path, array elements by index, keys after nested values", () => {
    const text = ['{', '  "a": [', '    {"x": 1},', '    [', '      {"y": 2}', '    ]', '  ],', '  "b": {"c": {}, "d": "e"},', '  "f": null', '}'].join("\n");
    const s = scanJson(text);
    expect(s.error).toBeNull();
    expect(s.keyLines.get(pathKey(["a"]))).toBe(2);
    expect(s.keyLines.get(pathKey(["a", "0", "x"]))).toBe(3);
    expect(s.keyLines.get(pathKey(["a", "1", "0", "y"]))).toBe(5);
    expect(s.keyLines.get(pathKey(["b", "c"]))).toBe(8);
    expect(s.keyLines.get(pathKey(["b", "d"]))).toBe(8);
    expect(s.keyLines.get(pathKey(["f"]))).toBe(9);
    expect(s.keyLines.size).toBe(7);
  });

  it("a key with escapes is recorded by its value; a repeated key has the line of its last occurrence, whose value JSON.parse keeps", () => {
    const s = scanJson('{\n"a\\"b": 1,\n"c": 1,\n"c": 2\n}');
    expect(s.keyLines.get(pathKey(['a"b']))).toBe(2);
    expect(s.keyLines.get(pathKey(["c"]))).toBe(4);
  });

  it("records paths at most 8 keys long: deeper keys do not grow the index", () => {
    const deep = scanJson('{"a":'.repeat(12) + "1" + "}".repeat(12));
    expect(deep.error).toBeNull();
    expect(deep.keyLines.has(pathKey(Array(8).fill("a")))).toBe(true);
    expect(deep.keyLines.has(pathKey(Array(9).fill("a")))).toBe(false);
    expect(deep.keyLines.size).toBe(8);
  });

  it("path keys do not collide across separators", () => {
    expect(pathKey(["a", "b"])).not.toBe(pathKey(["a.b"]));
    expect(pathKey(["a", "b"])).not.toBe(pathKey(["a/b"]));
  });
});

describe("line starts and positions", () => {
  it("columns and lines are 1-based, a newline ends its own line", () => {
    const starts = lineStarts("ab\ncd\n\ne");
    expect(starts).toEqual([0, 3, 6, 7]);
    expect(positionAt(starts, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(starts, 2)).toEqual({ line: 1, column: 3 });
    expect(positionAt(starts, 3)).toEqual({ line: 2, column: 1 });
    expect(positionAt(starts, 6)).toEqual({ line: 3, column: 1 });
    expect(positionAt(starts, 7)).toEqual({ line: 4, column: 1 });
    expect(positionAt(starts, 8)).toEqual({ line: 4, column: 2 });
  });
});
