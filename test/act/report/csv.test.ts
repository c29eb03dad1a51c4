import { describe, expect, it } from "vitest";
import { DEPENDENCY_COLUMNS, ISSUE_COLUMNS, csvCell, csvRow, renderCsv } from "../../../src/act/report/csv.js";
import { HOSTILE_CSV, HOSTILE_PACKAGE, hostileAssessment } from "../../fixtures/report/assessment.js";

/** A strict RFC 4180 reader (CRLF records, "" inside quoted fields), independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== "," && text[i] !== "\r") throw new Error(`junk after closing quote at ${i}`);
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"') {
      if (field !== "") throw new Error(`quote inside unquoted field at ${i}`);
      quoted = true;
      i += 1;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i += 1;
    } else if (c === "\r") {
      if (text[i + 1] !== "\n") throw new Error(`bare CR at ${i}`);
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (c === "\n") {
      throw new Error(`bare LF at ${i}`);
    } else {
      field += c;
      i += 1;
    }
  }
  if (quoted) throw new Error("unterminated quote");
  if (field !== "" || row.length > 0) throw new Error("last record has no CRLF");
  return rows;
}

const FUZZ: string[] = [
  "plain",
  "",
  "a,b",
  'say "hi"',
  '"',
  '""',
  "line\nbreak",
  "cr\ronly",
  "crlf\r\nend",
  " leading and trailing ",
  "=1+2",
  "+1",
  "-1",
  "@SUM(A1)",
  "\tTAB",
  "\rCR first",
  HOSTILE_CSV,
  "safe=inside",
  "unicode café 🚀",
  ",",
  "'already quoted",
];

function guarded(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

describe("csvCell", () => {
  it.each([
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["x\ny", '"x\ny"'],
    ["=1+2", "'=1+2"],
    ["-cmd", "'-cmd"],
    ["=a,b", `"'=a,b"`],
    ["plain", "plain"],
  ])("%j → %j", (input, want) => {
    expect(csvCell(input)).toBe(want);
  });

  it("writes numbers, booleans, null and arrays", () => {
    expect(csvCell(-1.5)).toBe("-1.5"); // numbers are ours, never guarded
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(["a", "b,c"])).toBe('"a; b,c"');
    expect(csvCell(["=x", "y"])).toBe("'=x; y");
  });

  it("round-trips every fuzz input through an RFC 4180 reader", () => {
    for (let i = 0; i < FUZZ.length; i++) {
      for (let j = 0; j < FUZZ.length; j++) {
        const values = [FUZZ[i], FUZZ[j], "end"];
        const parsed = parseCsv(`${csvRow(values)}\r\n`);
        expect(parsed).toEqual([values.map(guarded)]);
      }
    }
  });
});

describe("renderCsv", () => {
  const a = hostileAssessment();

  it("writes one dependency per row, vulnerable first, with CRLF line ends", () => {
    const text = renderCsv(a, "dependencies");
    expect(text.endsWith("\r\n")).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...DEPENDENCY_COLUMNS]);
    expect(rows).toHaveLength(1 + a.dependencies.length);
    for (const r of rows) expect(r).toHaveLength(DEPENDENCY_COLUMNS.length);
    const col = (name: (typeof DEPENDENCY_COLUMNS)[number]) => DEPENDENCY_COLUMNS.indexOf(name);
    const names = rows.slice(1).map((r) => r[col("name")]);
    // CVSS 9.8 before 7.5, then outdated major before minor, then up to date.
    expect(names).toEqual([HOSTILE_PACKAGE, "requests", "react", "left-pad", "zod"]);
    const requests = rows.find((r) => r[col("name")] === "requests")!;
    expect(requests[col("advisory_ids")]).toBe("GHSA-x84v-xcm2-53pg");
    expect(requests[col("line")]).toBe("3");
    expect(requests[col("vulnerability_score")]).toBe("7.5");
    expect(requests[col("patch_available")]).toBe("true");
  });

  it("writes one issue per row, open first by priority, with arrays joined and formula cells guarded", () => {
    const evil = hostileAssessment();
    evil.issues[0] = { ...evil.issues[0], title: HOSTILE_CSV, resolution_steps: ["step one", "-rm -rf", "step, three"] };
    const rows = parseCsv(renderCsv(evil, "issues"));
    expect(rows[0]).toEqual([...ISSUE_COLUMNS]);
    expect(rows).toHaveLength(1 + evil.issues.length);
    const col = (name: (typeof ISSUE_COLUMNS)[number]) => ISSUE_COLUMNS.indexOf(name);
    expect(rows.slice(1).map((r) => r[col("id")])).toEqual(["sec-evil", "sec-requests", "dep-react", "doc-readme", "dep-left-pad", "bug-fixme"]);
    const req = rows.find((r) => r[col("id")] === "sec-requests")!;
    expect(req[col("title")]).toBe(`'${HOSTILE_CSV}`);
    expect(req[col("resolution_steps")]).toBe("step one; -rm -rf; step, three");
    const sec = rows.find((r) => r[col("id")] === "sec-evil")!;
    expect(sec[col("description")]).toContain("\n"); // newline preserved inside a quoted field
    expect(sec[col("files_affected")]).toBe(evil.issues[1].files_affected.join("; "));
  });

  it("adds a BOM only when asked", () => {
    expect(renderCsv(a, "issues").startsWith("\uFEFF")).toBe(false);
    expect(renderCsv(a, "issues", { bom: true }).startsWith("\uFEFFid,")).toBe(true);
  });

  it("writes just the header for an empty assessment", () => {
    const empty = { ...a, issues: [], dependencies: [] };
    expect(renderCsv(empty, "dependencies")).toBe(`${DEPENDENCY_COLUMNS.join(",")}\r\n`);
  });
});
