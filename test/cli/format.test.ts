import { describe, expect, it } from "vitest";
import { csvField, csvRows } from "../../src/cli/format/csv.js";
import { printable, renderTable } from "../../src/cli/format/table.js";

describe("csvField (RFC 4180)", () => {
  it("quotes only when needed and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField(">=2,<3")).toBe('">=2,<3"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField(null)).toBe("");
    expect(csvField(7)).toBe("7");
  });

  it("defuses spreadsheet formulas but leaves version constraints alone", () => {
    expect(csvField("=HYPERLINK(\"http://x\")")).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("==0.110.0")).toBe("==0.110.0");
    expect(csvField("-1")).toBe("-1");
  });

  it("ends every record with CRLF", () => {
    expect(csvRows([["a", "b"], ["1,2", null]])).toBe('a,b\r\n"1,2",\r\n');
  });
});

describe("table output", () => {
  it("escapes control characters so manifests cannot drive the terminal", () => {
    expect(printable("evil\u001b[2Jname")).toBe("evil\\u001b[2Jname");
    expect(printable("a\nb")).toBe("a\\u000ab");
  });

  it("aligns columns", () => {
    expect(renderTable(["A", "LONGER"], [["xyz", "1"]])).toBe("A    LONGER\n---  ------\nxyz  1\n");
  });
});
