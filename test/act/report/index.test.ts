import { describe, expect, it } from "vitest";
import { REPORT_EXTENSIONS, REPORT_FORMATS, isReportFormat, renderReport } from "../../../src/act/report/index.js";
import { hostileAssessment } from "../../fixtures/report/assessment.js";

describe("renderReport", () => {
  const a = hostileAssessment();
  const clock = () => new Date("2026-01-16T08:30:00Z");

  it("dispatches each format to its renderer", () => {
    expect(JSON.parse(renderReport("json", a, { clock })).generated_at).toBe("2026-01-16T08:30:00.000Z");
    expect(renderReport("csv", a).startsWith("name,version,latest_version,")).toBe(true);
    expect(renderReport("csv-issues", a).startsWith("id,title,type,")).toBe(true);
    expect(renderReport("markdown", a, { maxLength: 800 }).length).toBeLessThanOrEqual(800);
    expect(renderReport("html", a, { clock }).startsWith("<!doctype html>")).toBe(true);
  });

  it("knows its formats and their file extensions", () => {
    expect(REPORT_FORMATS.every((f) => REPORT_EXTENSIONS[f] !== undefined)).toBe(true);
    expect(isReportFormat("html")).toBe(true);
    expect(isReportFormat("pdf")).toBe(false);
  });
});
