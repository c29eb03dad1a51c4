import { XMLParser } from "fast-xml-parser";

/** Coverage percentages (0..100), null when the report has no such figure. */
export interface ParsedCoverage {
  line_coverage: number | null;
  branch_coverage: number | null;
  function_coverage: number | null;
  /** Raw counts, so several reports can be merged. */
  counts: { lines: [number, number] | null; branches: [number, number] | null; functions: [number, number] | null };
}

const pct = (hit: number, total: number): number | null => (total > 0 ? Math.round((hit / total) * 10000) / 100 : null);

/** Reports are untrusted: covered is kept within 0..total (a truncated lcov record can say FNH > FNF). */
function sane(pair: [number, number] | null): [number, number] | null {
  if (!pair) return null;
  const [hit, total] = pair;
  if (!Number.isFinite(hit) || !Number.isFinite(total) || total <= 0) return null;
  return [Math.min(Math.max(hit, 0), total), total];
}

/** A rate in 0..1 as a percentage, or null when it is not one. */
function ratePercent(rate: number | null): number | null {
  return rate === null || !Number.isFinite(rate) || rate < 0 || rate > 1 ? null : Math.round(rate * 10000) / 100;
}

function fromCounts(rawLines: [number, number] | null, rawBranches: [number, number] | null, rawFunctions: [number, number] | null): ParsedCoverage {
  const [lines, branches, functions] = [sane(rawLines), sane(rawBranches), sane(rawFunctions)];
  return {
    line_coverage: lines ? pct(...lines) : null,
    branch_coverage: branches ? pct(...branches) : null,
    function_coverage: functions ? pct(...functions) : null,
    counts: { lines, branches, functions },
  };
}

/** Cobertura XML (coverage.py `coverage xml`, Istanbul's cobertura reporter): the root `<coverage>` attributes. */
export function parseCobertura(xml: string, source = "coverage.xml"): ParsedCoverage | { error: string } {
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as Record<string, unknown>;
  } catch (e) {
    return { error: `${source}: invalid XML (${(e as Error).message.split("\n")[0]})` };
  }
  const c = doc.coverage as Record<string, unknown> | undefined;
  if (!c || typeof c !== "object") return { error: `${source}: no <coverage> element` };
  const n = (k: string): number | null => (c[k] != null && Number.isFinite(Number(c[k])) ? Number(c[k]) : null);
  const lv = n("lines-valid");
  const lc = n("lines-covered");
  const bv = n("branches-valid");
  const bc = n("branches-covered");
  const lines: [number, number] | null = lv != null && lc != null && lv > 0 ? [lc, lv] : null;
  const branches: [number, number] | null = bv != null && bc != null && bv > 0 ? [bc, bv] : null;
  const out = fromCounts(lines, branches, null);
  if (!out.counts.lines) out.line_coverage = ratePercent(n("line-rate"));
  if (!out.counts.branches && (bv ?? 1) > 0) out.branch_coverage = ratePercent(n("branch-rate"));
  return out;
}

/** lcov tracefile: sums LH/LF, BRH/BRF, FNH/FNF over every record. */
export function parseLcov(text: string, source = "lcov.info"): ParsedCoverage | { error: string } {
  const sums = { LF: 0, LH: 0, BRF: 0, BRH: 0, FNF: 0, FNH: 0 };
  let records = 0;
  for (const line of text.split(/\r?\n/)) {
    const m = /^(LF|LH|BRF|BRH|FNF|FNH):(\d+)\s*$/.exec(line);
    if (m) sums[m[1] as keyof typeof sums] += Number(m[2]);
    else if (line.startsWith("end_of_record")) records++;
  }
  if (records === 0) return { error: `${source}: no lcov records (end_of_record)` };
  return fromCounts(sums.LF > 0 ? [sums.LH, sums.LF] : null, sums.BRF > 0 ? [sums.BRH, sums.BRF] : null, sums.FNF > 0 ? [sums.FNH, sums.FNF] : null);
}

/** Istanbul / nyc / vitest `coverage-summary.json`: the `total` entry. */
export function parseIstanbulSummary(json: string, source = "coverage-summary.json"): ParsedCoverage | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    return { error: `${source}: invalid JSON (${(e as Error).message})` };
  }
  const total = (doc as { total?: Record<string, { total?: unknown; covered?: unknown }> } | null)?.total;
  if (!total || typeof total !== "object") return { error: `${source}: no "total" entry` };
  const pair = (k: string): [number, number] | null => {
    const e = total[k];
    const t = Number(e?.total);
    const c = Number(e?.covered);
    return Number.isFinite(t) && Number.isFinite(c) && t > 0 ? [c, t] : null;
  };
  return fromCounts(pair("lines"), pair("branches"), pair("functions"));
}

/** Merge several reports by summing their counts. */
export function mergeCoverage(reports: readonly ParsedCoverage[]): ParsedCoverage | null {
  if (reports.length === 0) return null;
  if (reports.length === 1) return reports[0];
  const sum = (k: "lines" | "branches" | "functions"): [number, number] | null => {
    const xs = reports.map((r) => r.counts[k]).filter((x): x is [number, number] => x != null);
    return xs.length === 0 ? null : xs.reduce<[number, number]>((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
  };
  const merged = fromCounts(sum("lines"), sum("branches"), sum("functions"));
  for (const k of ["line_coverage", "branch_coverage", "function_coverage"] as const) {
    if (merged[k] == null) merged[k] = reports.find((r) => r[k] != null)?.[k] ?? null;
  }
  return merged;
}
