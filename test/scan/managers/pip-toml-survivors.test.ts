/**
 * The TOML helpers of the pip manager (issue 18: mutation survivors of pip/toml-lines.ts and
 * pip/toml.ts). Oracles: the TOML 1.0.0 specification (basic and literal strings, their
 * multi-line forms and escapes, quoted and dotted keys, inline tables, arrays, array tables,
 * comments, CRLF line endings), with the expected lines counted by hand in each document.
 */
import { describe, expect, it } from "vitest";
import { asString, asTable, getPath, isTable, parseTomlFile } from "../../../src/scan/managers/pip/toml.js";
import { locateToml } from "../../../src/scan/managers/pip/toml-lines.js";
import { parse as parseSmolToml } from "smol-toml";

describe("TOML line locator: strings and escapes", () => {
  it("quoted keys decode the basic-string escapes; literal keys keep backslashes", () => {
    const text = [
      '"a\\"b" = 1', // 1: a"b
      '"\\u00e9t\\u00e9" = 2', // 2: été
      '"\\U0001F600" = 3', // 3: 😀
      '"t\\tx" = 4', // 4
      '"n\\\\m" = 5', // 5: n\m
      "'lit\\n' = 6", // 6: lit\n (two characters)
      '"l\\nf" = 7', // 7
      '"c\\rr" = 8', // 8
      '"b\\bs" = 9', // 9
      '"f\\ff" = 10', // 10
      '"\\u0041\\u0042" = 11', // 11: AB
      "",
    ].join("\n");
    const loc = locateToml(text);
    expect(loc.keyLine([], ['a"b'])).toBe(1);
    expect(loc.keyLine([], ["été"])).toBe(2);
    expect(loc.keyLine([], ["😀"])).toBe(3);
    expect(loc.keyLine([], ["t\tx"])).toBe(4);
    expect(loc.keyLine([], ["n\\m"])).toBe(5);
    expect(loc.keyLine([], ["lit\\n"])).toBe(6);
    expect(loc.keyLine([], ["l\nf"])).toBe(7);
    expect(loc.keyLine([], ["c\rr"])).toBe(8);
    expect(loc.keyLine([], ["b\bs"])).toBe(9);
    expect(loc.keyLine([], ["f\ff"])).toBe(10);
    expect(loc.keyLine([], ["AB"])).toBe(11);
  });

  it("quoted header parts decode escapes too", () => {
    const loc = locateToml('[tool."a\\u002Eb"]\nx = 1\n');
    expect(loc.keyLine(["tool", "a.b"], ["x"])).toBe(2);
    expect(loc.keyLine(["tool", "a.b"], [])).toBe(1);
  });

  it("a backslash ends nothing in a literal string, single- or multi-line", () => {
    const single = locateToml(["x = ['C:\\',", '  "b"]', ""].join("\n"));
    expect(single.arrayElementLines([], ["x"])).toEqual([1, 2]);
    const multi = locateToml(["x = ['''C:\\''',", '  "b"]', ""].join("\n"));
    expect(multi.arrayElementLines([], ["x"])).toEqual([1, 2]);
  });

  it("multi-line basic strings: escaped quotes, line-ending backslashes and newlines are counted", () => {
    const text = [
      "deps = [", // 1
      '  """a\\', // 2
      '  b \\""" c""",', // 3
      '  "d",', // 4
      '  """e', // 5
      "f", // 6
      '""",', // 7
      "  'g',", // 8
      "]", // 9
      'after = "z"', // 10
      "",
    ].join("\n");
    const loc = locateToml(text);
    expect(loc.arrayElementLines([], ["deps"])).toEqual([2, 4, 5, 8]);
    expect(loc.keyLine([], ["after"])).toBe(10);
  });

  it("up to two extra quotes close a multi-line string", () => {
    const loc = locateToml(['a = ["""x""""", "y"]', "b = '''q'''''", "c = 1", ""].join("\n"));
    expect(loc.arrayElementLines([], ["a"])).toEqual([1, 1]);
    expect(loc.keyLine([], ["c"])).toBe(3);
  });

  it("a multi-line literal string spanning lines moves the following keys down", () => {
    const loc = locateToml(["a = '''one", "two", "three'''", "b = 1", ""].join("\n"));
    expect(loc.keyLine([], ["b"])).toBe(4);
  });
});

describe("TOML line locator: values, tables and layout", () => {
  it("scalars end at a comma, bracket, brace, newline or comment", () => {
    const text = [
      "a = [1, 2, 3]", // 1
      "b = { c = 1}", // 2
      "d = [4]", // 3
      "e = 1979-05-27T07:32:00Z", // 4
      "f = [", // 5
      "  1 # one, two", // 6
      "  ,2", // 7
      "]", // 8
      "g = true", // 9
      "",
    ].join("\n");
    const loc = locateToml(text);
    expect(loc.arrayElementLines([], ["a"])).toEqual([1, 1, 1]);
    expect(loc.keyLine([], ["b", "c"])).toBe(2);
    expect(loc.keyLine([], ["d"])).toBe(3);
    expect(loc.arrayElementLines([], ["d"])).toEqual([3]);
    expect(loc.keyLine([], ["e"])).toBe(4);
    expect(loc.arrayElementLines([], ["f"])).toEqual([6, 7]);
    expect(loc.keyLine([], ["g"])).toBe(9);
  });

  it("inline tables nest, inside arrays under the element index", () => {
    const text = [
      'a = { b = { c = 1 }, d = [1, { e = "x" }] }', // 1
      "groups = [", // 2
      '  "x",', // 3
      '  { include-group = "y" },', // 4
      "]", // 5
      "n = [[1, 2], [", // 6
      "  3]]", // 7
      "",
    ].join("\n");
    const loc = locateToml(text);
    expect(loc.keyLine([], ["a", "b", "c"])).toBe(1);
    expect(loc.keyLine([], ["a", "d", "1", "e"])).toBe(1);
    expect(loc.arrayElementLines([], ["a", "d"])).toEqual([1, 1]);
    expect(loc.keyLine([], ["groups", "1", "include-group"])).toBe(4);
    expect(loc.arrayElementLines([], ["groups"])).toEqual([3, 4]);
    expect(loc.arrayElementLines([], ["n"])).toEqual([6, 6]);
    expect(loc.arrayElementLines([], ["n", "0"])).toEqual([6, 6]);
    expect(loc.arrayElementLines([], ["n", "1"])).toEqual([7]);
  });

  it("array tables and repeated keys keep their first line; spaces and comments around headers", () => {
    const text = [
      "[[package]]", // 1
      'name = "a"', // 2
      "[[package]]", // 3
      'name = "b"', // 4
      "[ tool . poetry ]  # [not.this]", // 5
      "x = 1", // 6
      "",
    ].join("\n");
    const loc = locateToml(text);
    expect(loc.keyLine([], ["package"])).toBe(1);
    expect(loc.keyLine(["package"], ["name"])).toBe(2);
    expect(loc.keyLine(["tool", "poetry"], ["x"])).toBe(6);
    expect(loc.keyLine(["not", "this"], [])).toBeNull();
  });

  it("dotted keys with spaces, tabs around '=', CRLF line endings", () => {
    const text = ["a . b = 1", "c\t=\t[", '  "x",', "]", "d = 2", ""].join("\r\n");
    const loc = locateToml(text);
    expect(loc.keyLine([], ["a", "b"])).toBe(1);
    expect(loc.keyLine([], ["c"])).toBe(2);
    expect(loc.arrayElementLines([], ["c"])).toEqual([3]);
    expect(loc.keyLine([], ["d"])).toBe(5);
  });

  it("a line that is not a key is passed over", () => {
    const loc = locateToml(["= 1", "a = 2", ""].join("\n"));
    expect(loc.keyLine([], ["a"])).toBe(2);
  });

  it("comments between array elements and after values", () => {
    const text = [
      "deps = [ # first", // 1
      "  # a comment with \"quotes\" and ]", // 2
      '  "x", # after x', // 3
      "", // 4
      '  "y"', // 5
      "] # done", // 6
      "z = 1 # trailing", // 7
      "w = 2", // 8
      "",
    ].join("\n");
    const loc = locateToml(text);
    expect(loc.arrayElementLines([], ["deps"])).toEqual([3, 5]);
    expect(loc.keyLine([], ["z"])).toBe(7);
    expect(loc.keyLine([], ["w"])).toBe(8);
  });

  it("an unterminated document does not loop or throw", () => {
    expect(locateToml('a = ["x",').arrayElementLines([], ["a"])).toEqual([1]);
    expect(locateToml("a = { b = 1").keyLine([], ["a", "b"])).toBe(1);
    expect(locateToml("[t").keyLine(["t"], [])).toBe(1);
  });
});

describe("TOML parsing helpers", () => {
  it("a syntax error names line and column, first message line only", () => {
    const bad = parseTomlFile("x/p.toml", 'a = 1\nb = "open\n', "pip");
    if (bad.ok) throw new Error("expected an error");
    expect(bad.warning.file).toBe("x/p.toml");
    expect(bad.warning.line).toBe(2);
    expect(bad.warning.manager).toBe("pip");
    expect(bad.warning.message).toMatch(/^invalid TOML at line 2, column \d+: \S/);
    expect(bad.warning.message).not.toContain("\n");
  });

  it("tables are plain objects: not arrays, dates, null or scalars", () => {
    expect(isTable({})).toBe(true);
    expect(isTable([])).toBe(false);
    expect(isTable(new Date(0))).toBe(false);
    expect(isTable(null)).toBe(false);
    expect(isTable("x")).toBe(false);
    expect(asTable(new Date(0))).toBeUndefined();
    expect(asTable([1])).toBeUndefined();
    const t = { a: 1 };
    expect(asTable(t)).toBe(t);
    expect(asString("s")).toBe("s");
    expect(asString(1)).toBeUndefined();
    expect(getPath({ a: [{ b: 1 }] }, ["a", "0", "b"])).toBeUndefined();
    expect(getPath({ a: { b: null } }, ["a", "b"])).toBeNull();
    expect(getPath({ a: 1 }, [])).toEqual({ a: 1 });
  });
});

describe("TOML line locator: edges of the text", () => {
  it("empty strings are not the start of a multi-line string", () => {
    const loc = locateToml(['a = ""', 'b = ""', "c = ''", "d = 1", ""].join("\n"));
    expect(loc.keyLine([], ["b"])).toBe(2);
    expect(loc.keyLine([], ["c"])).toBe(3);
    expect(loc.keyLine([], ["d"])).toBe(4);
  });

  it("a blank before the closing bracket of an array is no element", () => {
    expect(locateToml('a = ["x",\t]\n').arrayElementLines([], ["a"])).toEqual([1]);
    expect(locateToml('a = ["x", ]\n').arrayElementLines([], ["a"])).toEqual([1]);
  });

  it("a header names only the keys written under it", () => {
    const loc = locateToml("[tool.poetry]\nx = 1\n[[package]]\ny = 2\n");
    expect(loc.keyLine(["tool", "poetry"], ["y"])).toBeNull();
    expect(loc.keyLine(["tool", "poetry"], ["x"])).toBe(2);
    expect(loc.keyLine(["package"], ["ge"])).toBeNull();
    expect(loc.keyLine(["package"], ["y"])).toBe(4);
  });

  it("a key repeated inside inline tables of two array tables keeps its first line", () => {
    const loc = locateToml('[[package]]\ndeps = { x = "1" }\n[[package]]\ndeps = { x = "2" }\n');
    expect(loc.keyLine(["package", "deps"], ["x"])).toBe(2);
  });

  it("text that ends inside a comment or a string, or holds stray brackets, does not loop", () => {
    expect(locateToml("a = 1 # end").keyLine([], ["a"])).toBe(1);
    expect(locateToml('a = """abc').keyLine([], ["a"])).toBe(1);
    expect(locateToml("]\n,\nb = 1\n").keyLine([], ["b"])).toBe(3);
    expect(locateToml("a = { ] }\nb = 1\n").keyLine([], ["b"])).toBe(2);
  });
});

describe("TOML parsing helpers: what is not TOML text", () => {
  it("the warning repeats the first line of the parser's message", () => {
    const text = 'a = 1\nb = "open\n';
    let first = "";
    try {
      parseSmolToml(text);
    } catch (err) {
      first = (err as Error).message.split("\n")[0];
    }
    expect(first.length).toBeGreaterThan(10);
    const bad = parseTomlFile("p.toml", text, "pip");
    if (bad.ok) throw new Error("expected an error");
    expect(bad.warning.message.endsWith(`: ${first}`)).toBe(true);
  });

  it("content that is not a string is a warning without a line, not an exception", () => {
    const r = parseTomlFile("p.toml", undefined as unknown as string, "pip");
    if (r.ok) throw new Error("expected an error");
    expect(r.warning).toMatchObject({ file: "p.toml", line: null, manager: "pip" });
    expect(r.warning.message).toMatch(/^invalid TOML: TypeError/);
  });
});
