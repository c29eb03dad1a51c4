/** Inputs the fuzzers found, kept as plain tests so they run whatever the seed. */
import { describe, expect, it } from "vitest";
import { goManager } from "../../src/scan/managers/go.js";
import { withinBudget } from "./helpers.js";

describe("fuzz findings", () => {
  it("go.mod: whitespace other than space/tab/CR (U+2028, \\v, \\f, NBSP) no longer loops forever building empty tokens (heap OOM)", () => {
    for (const ws of ["\u2028", "\u000b", "\u000c", "\u00a0"]) {
      const content = `module example.com/m\n\ngo 1.22\nrequire example.com/x${ws}v1.2.3\n0]]><<: *a<${ws}[]]*a\n`;
      const r = withinBudget(1_000, "go extract", () => goManager.extract("go.mod", content, { allFiles: ["go.mod", "go.sum"], readFile: () => undefined }));
      expect(r.deps.find((d) => d.name === "example.com/x")).toMatchObject({ version: "v1.2.3" });
      expect(r.warnings.some((w) => /unknown directive/.test(w.message))).toBe(true);
    }
  });
});

describe("fuzz findings: coverage reports", () => {
  it("a truncated lcov record (FNH without FNF) no longer gives 150% function coverage; rates outside 0..1 are ignored", async () => {
    const { parseLcov, parseCobertura, parseIstanbulSummary } = await import("../../src/act/github/test-reports/coverage.js");
    const lcov = "NF:4\nFNH:3\nLF:50\nLH:40\nBRF:10\nBRH:5\nend_of_record\nTN:\nSF:src/b.ts\nFNF:6\nFNH:6\nLF:50\nLH:50\nBRF:0\nBRH:0\nend_of_record\n";
    expect(parseLcov(lcov)).toMatchObject({ line_coverage: 90, branch_coverage: 50, function_coverage: 100 });
    expect(parseCobertura('<coverage line-rate="7.5" branch-rate="-1"></coverage>')).toMatchObject({ line_coverage: null, branch_coverage: null });
    expect(parseCobertura('<coverage lines-valid="10" lines-covered="25"></coverage>')).toMatchObject({ line_coverage: 100 });
    expect(parseIstanbulSummary('{"total": {"lines": {"total": 10, "covered": -4}}}')).toMatchObject({ line_coverage: 0 });
  });
});
