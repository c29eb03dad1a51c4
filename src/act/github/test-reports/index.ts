import { parseCobertura, parseIstanbulSummary, parseLcov, type ParsedCoverage } from "./coverage.js";
import { parseJUnit, type ParsedTests } from "./junit.js";

export { parseJUnit, type ParsedTests } from "./junit.js";
export { mergeCoverage, parseCobertura, parseIstanbulSummary, parseLcov, type ParsedCoverage } from "./coverage.js";

export type ReportKind = "junit" | "cobertura" | "lcov" | "istanbul";

/** Guess a report's kind from its file name and first bytes; null for files we skip. */
export function reportKindOf(name: string, head: string): ReportKind | null {
  const base = name.slice(name.lastIndexOf("/") + 1).toLowerCase();
  if (base === "coverage-summary.json") return "istanbul";
  if (base.endsWith(".info") || base === "lcov" || base.includes("lcov")) return /^(TN|SF):/m.test(head) ? "lcov" : null;
  if (base.endsWith(".xml")) {
    if (/<coverage[\s>]/.test(head)) return "cobertura";
    if (/<testsuites?[\s>]/.test(head)) return "junit";
  }
  return null;
}

export type ParsedReport = { kind: "junit"; tests: ParsedTests } | { kind: "coverage"; coverage: ParsedCoverage } | { kind: "error"; error: string };

export function parseReport(name: string, text: string): ParsedReport | null {
  const kind = reportKindOf(name, text.slice(0, 4096));
  if (!kind) return null;
  const r = kind === "junit" ? parseJUnit(text, name) : kind === "cobertura" ? parseCobertura(text, name) : kind === "lcov" ? parseLcov(text, name) : parseIstanbulSummary(text, name);
  if ("error" in r) return { kind: "error", error: r.error };
  return kind === "junit" ? { kind: "junit", tests: r as ParsedTests } : { kind: "coverage", coverage: r as ParsedCoverage };
}
