import cvssLib from "ae-cvss-calculator";
import type { OsvVulnerability } from "./types.js";

/**
 * CVSS base scores from OSV `severity[]` vectors, computed by ae-cvss-calculator (metæffekt),
 * which implements FIRST's CVSS 2.0, 3.0, 3.1 and 4.0 specifications.
 *
 * The library is lenient: it scores incomplete vectors as 0 and lets a repeated metric override
 * the first. So each vector is checked here first against the specification's grammar (prefix,
 * every mandatory base metric present once with a legal value, no repeated metric) and only
 * then handed to the library.
 */

// The package is CommonJS; its named exports are reachable from ESM only through the default.
const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssLib;

export type CvssVersion = "4.0" | "3.1" | "3.0" | "2.0";

const BASE_METRICS: Record<CvssVersion, Record<string, readonly string[]>> = {
  "2.0": { AV: ["L", "A", "N"], AC: ["H", "M", "L"], Au: ["M", "S", "N"], C: ["N", "P", "C"], I: ["N", "P", "C"], A: ["N", "P", "C"] },
  "3.0": {
    AV: ["N", "A", "L", "P"], AC: ["L", "H"], PR: ["N", "L", "H"], UI: ["N", "R"], S: ["U", "C"],
    C: ["H", "L", "N"], I: ["H", "L", "N"], A: ["H", "L", "N"],
  },
  "3.1": {
    AV: ["N", "A", "L", "P"], AC: ["L", "H"], PR: ["N", "L", "H"], UI: ["N", "R"], S: ["U", "C"],
    C: ["H", "L", "N"], I: ["H", "L", "N"], A: ["H", "L", "N"],
  },
  "4.0": {
    AV: ["N", "A", "L", "P"], AC: ["L", "H"], AT: ["N", "P"], PR: ["N", "L", "H"], UI: ["N", "P", "A"],
    VC: ["H", "L", "N"], VI: ["H", "L", "N"], VA: ["H", "L", "N"], SC: ["H", "L", "N"], SI: ["H", "L", "N"], SA: ["H", "L", "N"],
  },
};

const PREFERENCE: readonly CvssVersion[] = ["4.0", "3.1", "3.0", "2.0"];

/** Documented midpoints for a severity word when no vector is given (score_estimated: true). */
export const SEVERITY_WORD_SCORES: Readonly<Record<string, number>> = {
  CRITICAL: 9.0,
  HIGH: 7.5,
  MODERATE: 5.5,
  MEDIUM: 5.5,
  LOW: 2.5,
};

export type VectorScore = { ok: true; score: number; version: CvssVersion; vector: string } | { ok: false; error: string };

function versionOf(vector: string): CvssVersion | null {
  if (vector.startsWith("CVSS:4.0/")) return "4.0";
  if (vector.startsWith("CVSS:3.1/")) return "3.1";
  if (vector.startsWith("CVSS:3.0/")) return "3.0";
  if (/^\(?AV:[LAN]\//.test(vector)) return "2.0";
  return null;
}

function short(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

/** Check and score one CVSS vector string. Never throws. */
export function scoreCvssVector(input: unknown): VectorScore {
  if (typeof input !== "string") return { ok: false, error: "CVSS vector is not a string" };
  let vector = input.trim();
  if (vector.length === 0 || vector.length > 300) return { ok: false, error: `CVSS vector has a bad length (${vector.length})` };
  if (!/^[A-Za-z0-9:./()]+$/.test(vector)) return { ok: false, error: `CVSS vector "${short(vector)}" has illegal characters` };
  const version = versionOf(vector);
  if (!version) return { ok: false, error: `CVSS vector "${short(vector)}" has no known version prefix` };
  if (version === "2.0") vector = vector.replace(/^\((.*)\)$/, "$1");
  const body = version === "2.0" ? vector : vector.slice("CVSS:x.y/".length);
  const seen = new Map<string, string>();
  for (const part of body.split("/")) {
    const m = /^([A-Za-z]+):([A-Za-z]+)$/.exec(part);
    if (!m) return { ok: false, error: `CVSS vector "${short(vector)}": malformed metric "${short(part)}"` };
    if (seen.has(m[1])) return { ok: false, error: `CVSS vector "${short(vector)}": metric ${m[1]} repeated` };
    seen.set(m[1], m[2]);
  }
  for (const [metric, legal] of Object.entries(BASE_METRICS[version])) {
    const value = seen.get(metric);
    if (value === undefined) return { ok: false, error: `CVSS vector "${short(vector)}": base metric ${metric} missing` };
    if (!legal.includes(value)) return { ok: false, error: `CVSS vector "${short(vector)}": ${metric}:${value} is not a legal value` };
  }
  try {
    const calc =
      version === "4.0" ? new Cvss4P0(vector) : version === "3.1" ? new Cvss3P1(vector) : version === "3.0" ? new Cvss3P0(vector) : new Cvss2(vector);
    const scores = calc.calculateScores() as { base?: number; overall?: number };
    const score = typeof scores.base === "number" ? scores.base : scores.overall;
    if (typeof score !== "number" || !Number.isFinite(score) || score < 0 || score > 10) {
      return { ok: false, error: `CVSS vector "${short(vector)}": no base score computed` };
    }
    return { ok: true, score: Math.round(score * 10) / 10, version, vector };
  } catch (err) {
    return { ok: false, error: `CVSS vector "${short(vector)}": ${short((err as Error).message ?? String(err))}` };
  }
}

export interface AdvisoryScore {
  score: number | null;
  /** True when mapped from a severity word, not computed from a vector. */
  score_estimated: boolean;
  cvss_vector: string | null;
  cvss_version: CvssVersion | null;
}

function severityWord(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const w = value.trim().toUpperCase();
  return w in SEVERITY_WORD_SCORES ? w : null;
}

/**
 * The record's score: the best vector (v4 > v3.1 > v3.0 > v2), else a severity word
 * (database_specific.severity, then per-package database/ecosystem_specific.severity, then
 * non-CVSS severity entries) mapped to a midpoint. Hostile vectors are skipped with a warning.
 */
export function scoreAdvisory(
  record: Pick<OsvVulnerability, "id" | "severity" | "database_specific"> & Partial<Pick<OsvVulnerability, "affected">>,
  warnings?: string[],
): AdvisoryScore {
  const scored: Array<{ score: number; version: CvssVersion; vector: string }> = [];
  const words: unknown[] = [];
  for (const s of record.severity ?? []) {
    if (/^CVSS_V[234]$/.test(s.type)) {
      const res = scoreCvssVector(s.score);
      if (res.ok) scored.push(res);
      else warnings?.push(`${record.id}: ${res.error}`);
    } else {
      words.push(s.score);
    }
  }
  if (scored.length > 0) {
    scored.sort((a, b) => PREFERENCE.indexOf(a.version) - PREFERENCE.indexOf(b.version) || b.score - a.score);
    const best = scored[0];
    return { score: best.score, score_estimated: false, cvss_vector: best.vector, cvss_version: best.version };
  }
  const candidates: unknown[] = [record.database_specific?.severity];
  for (const a of record.affected ?? []) {
    candidates.push(a.database_specific?.severity, a.ecosystem_specific?.severity);
  }
  candidates.push(...words);
  for (const c of candidates) {
    const w = severityWord(c);
    if (w) return { score: SEVERITY_WORD_SCORES[w], score_estimated: true, cvss_vector: null, cvss_version: null };
  }
  return { score: null, score_estimated: false, cvss_vector: null, cvss_version: null };
}
