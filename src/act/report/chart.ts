/** Inline SVG line chart of health over time. No library: a few dozen points need none, and the report must load nothing. */
import type { SystemHealth } from "../../model/index.js";
import { escapeAttr, escapeHtml } from "./escape.js";
import { systemHealthScore } from "./summary.js";

export interface HealthPoint {
  at: string;
  time: number;
  score: number;
}

export interface HealthSeries {
  name: string;
  points: HealthPoint[];
}

const PALETTE = ["#7c3aed", "#0891b2", "#ca8a04", "#db2777", "#16a34a", "#ea580c"];
const MAX_COMPONENT_LINES = PALETTE.length;

/**
 * Series from a history of SystemHealth snapshots: "overall" (mean component score) plus one per
 * component, up to six (the lowest-scoring ones now, as those are the ones a maintainer watches).
 * Snapshots with a bad timestamp are skipped; a repeated timestamp keeps the last snapshot.
 */
export function healthSeries(history: readonly SystemHealth[]): HealthSeries[] {
  const byTime = new Map<number, SystemHealth>();
  for (const s of history) {
    const t = Date.parse(s.timestamp);
    if (!Number.isNaN(t)) byTime.set(t, s);
  }
  const snaps = [...byTime.entries()].sort((a, b) => a[0] - b[0]);
  const overall: HealthPoint[] = [];
  const perComponent = new Map<string, HealthPoint[]>();
  for (const [time, s] of snaps) {
    const score = systemHealthScore(s);
    if (score !== null) overall.push({ at: s.timestamp, time, score });
    for (const c of s.components) {
      const pts = perComponent.get(c.name) ?? [];
      pts.push({ at: s.timestamp, time, score: c.health_score });
      perComponent.set(c.name, pts);
    }
  }
  const latest = snaps.at(-1)?.[1];
  const current = new Map(latest?.components.map((c) => [c.name, c.health_score]) ?? []);
  const components = [...perComponent.entries()]
    .filter(([name]) => current.has(name))
    .sort((a, b) => (current.get(a[0]) ?? 1) - (current.get(b[0]) ?? 1) || a[0].localeCompare(b[0]))
    .slice(0, MAX_COMPONENT_LINES)
    .map(([name, points]) => ({ name, points }));
  return [{ name: "overall", points: overall }, ...(perComponent.size > 1 ? components : [])];
}

function fmtDate(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * The chart as an <svg> element: y = health 0–100 %, x = time; a dashed line marks the seed's
 * 0.7 alert threshold. Every label is escaped. With no points it says so instead.
 */
export function renderHealthChart(history: readonly SystemHealth[], opts: { width?: number; height?: number; threshold?: number } = {}): string {
  const W = opts.width ?? 760;
  const H = opts.height ?? 260;
  const threshold = opts.threshold ?? 0.7;
  const pad = { l: 44, r: 150, t: 14, b: 30 };
  const series = healthSeries(history);
  const all = series.flatMap((s) => s.points);
  const parts: string[] = [];
  parts.push(
    `<svg id="health-chart" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="health-chart-title">`,
    `<title id="health-chart-title">Health over time (${all.length === 0 ? "no data" : `${series[0].points.length} assessments`})</title>`,
  );
  const plotW = W - pad.l - pad.r;
  const plotH = H - pad.t - pad.b;
  const y = (score: number): number => pad.t + (1 - Math.min(Math.max(score, 0), 1)) * plotH;
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line class="grid" x1="${pad.l}" x2="${pad.l + plotW}" y1="${y(g).toFixed(1)}" y2="${y(g).toFixed(1)}"/>`);
    parts.push(`<text class="axis" x="${pad.l - 6}" y="${(y(g) + 4).toFixed(1)}" text-anchor="end">${g * 100}%</text>`);
  }
  parts.push(`<line class="threshold" x1="${pad.l}" x2="${pad.l + plotW}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}"><title>alert threshold ${threshold * 100}%</title></line>`);
  if (all.length === 0) {
    parts.push(`<text class="empty" x="${pad.l + plotW / 2}" y="${pad.t + plotH / 2}" text-anchor="middle">No history yet: the chart fills in as assessments are stored.</text>`);
    parts.push("</svg>");
    return parts.join("");
  }
  const t0 = Math.min(...all.map((p) => p.time));
  const t1 = Math.max(...all.map((p) => p.time));
  const x = (t: number): number => (t1 === t0 ? pad.l + plotW / 2 : pad.l + ((t - t0) / (t1 - t0)) * plotW);
  const ticks = t1 === t0 ? [t0] : [t0, t0 + (t1 - t0) / 2, t1];
  for (const t of ticks) {
    parts.push(`<text class="axis" x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle">${escapeHtml(fmtDate(new Date(t).toISOString()))}</text>`);
  }
  series.forEach((s, idx) => {
    if (s.points.length === 0) return;
    const color = idx === 0 ? "#111827" : PALETTE[(idx - 1) % PALETTE.length];
    const cls = idx === 0 ? "series overall" : "series component";
    const d = s.points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.time).toFixed(1)},${y(p.score).toFixed(1)}`).join(" ");
    parts.push(`<g class="${cls}" data-series="${escapeAttr(s.name)}">`);
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${idx === 0 ? 3 : 1.5}"/>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${x(p.time).toFixed(1)}" cy="${y(p.score).toFixed(1)}" r="${idx === 0 ? 3.5 : 2.5}" fill="${color}"><title>${escapeHtml(`${s.name}: ${Math.round(p.score * 100)}% at ${p.at}`)}</title></circle>`,
      );
    }
    const label = s.name.length > 22 ? `${s.name.slice(0, 21)}…` : s.name;
    parts.push(`<text class="legend" x="${W - pad.r + 10}" y="${pad.t + 12 + idx * 16}" fill="${color}">${escapeHtml(label)}</text>`);
    parts.push("</g>");
  });
  parts.push("</svg>");
  return parts.join("");
}
