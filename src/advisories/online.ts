/**
 * The online advisory refresh (issue 16): which OSV advisories are new, changed or withdrawn since the
 * last refresh, read from the network instead of a mirror on disk, as the same AdvisoryChange list the
 * offline refresh computes, so the reverse-index lookup, the `reassess` jobs and the closing of withdrawn
 * advisories' issues are shared (reassessCandidates in ./refresh.ts).
 *
 * Two ways to learn what changed:
 * - `modified-since` (default): OSV's export (the GCS bucket, or an internal copy of it) lists per
 *   ecosystem `{base}/{ecosystem}/modified_id.csv`, lines `<modified>,<id>`, newest first. It is read
 *   only down to the last refresh's point (the rest is never downloaded), then each changed record is
 *   fetched from `{base}/{ecosystem}/{id}.json`.
 * - `querybatch`: the OSV API's `POST /v1/querybatch` for every package of the reverse index (no version:
 *   every advisory of the package, with its `modified`), compared with the ids and times of the last
 *   refresh; what differs is fetched from `/v1/vulns/{id}`.
 *
 * Everything is bounded: bytes, lines and line length of the CSV, body size and time of each request,
 * and records per refresh. What a refresh could not process (a failed request, the cap) stays for the
 * next one: a cursor never moves past a record that was not applied.
 */
import { createHash } from "node:crypto";
import pLimit from "p-limit";
import {
  advisoryQueryKey,
  fetchHttp,
  normalisePackageName,
  parseOsvRecord,
  type AdvisorySource,
  type AdvisoryWarning,
  type OsvHttp,
  type OsvVulnerability,
  type PackageQuery,
} from "../enrich/advisories/index.js";
import type { LineLimits, OsvLineHttp } from "../enrich/advisories/osv-online.js";
import { readAdvisoryState, reassessCandidates, writeAdvisoryState, type AdvisoryChange, type AdvisoryState, type RefreshOptions, type RefreshResult } from "./refresh.js";

/** OSV's public export (https://google.github.io/osv.dev/data/#data-dumps). */
export const DEFAULT_OSV_EXPORT = "https://osv-vulnerabilities.storage.googleapis.com";
export const DEFAULT_OSV_API_URL = "https://api.osv.dev";
/** The OSV ecosystems the reverse index maps datasources to (src/store/dependents.ts). */
export const OSV_REFRESH_ECOSYSTEMS: readonly string[] = ["Go", "PyPI", "crates.io", "npm"];
export const DEFAULT_MAX_RECORDS = 2000;
export const DEFAULT_CSV_LIMITS: LineLimits = { maxBytes: 64 * 1024 * 1024, maxLines: 1_000_000, maxLineBytes: 1024 };
/** A record is small; the largest OSV records of these ecosystems are well under a megabyte. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;
const MAX_PAGES = 20;
const MAX_LINE_WARNINGS = 20;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export type OnlineMode = "modified-since" | "querybatch";

export interface OnlineAdvisoryEntry {
  /** `${ecosystem}\u0000${normalised name}` → sha256 of the record as it applies to that package ("" when only its id is known). */
  packages: Record<string, string>;
  withdrawn: boolean;
  modified: string | null;
}

export interface OnlineAdvisoryState {
  mode: OnlineMode;
  /** The export (modified-since) or API (querybatch) base URL the state was read from. */
  base: string;
  refreshed_at: string;
  /** modified-since: per ecosystem, the newest `modified` applied and the ids applied at exactly that time. */
  cursors: Record<string, { modified: string; ids: string[] }>;
  /** querybatch: the package keys whose advisories are recorded (a new package is recorded first, not reported). */
  keys: string[];
  /** Advisories of the indexed packages, as last applied. */
  advisories: Record<string, OnlineAdvisoryEntry>;
}

export type OnlineHttp = OsvHttp & OsvLineHttp;

export interface OnlineRefreshOptions extends Pick<RefreshOptions, "store" | "statePath" | "clock" | "enqueue" | "onReassessed"> {
  mode: OnlineMode;
  /** modified-since: the export's base URL (default OSV's bucket); querybatch: the API's (default api.osv.dev). */
  baseUrl?: string;
  /** Default: fetchHttp with `timeoutMs` per request, bodies capped at MAX_RECORD_BYTES (the operator's base is trusted; redirects are guarded). */
  http?: OnlineHttp;
  timeoutMs?: number;
  /** Records fetched at most per refresh; the rest is left for the next one, with a warning. */
  maxRecords?: number;
  csvLimits?: Partial<LineLimits>;
  concurrency?: number;
  /** modified-since: read from this time instead of the stored cursors (re-reports what changed since). */
  since?: string;
  /**
   * Stand-alone (no `enqueue`): the full advisory source the affected repositories' stored dependencies
   * are re-assessed with (the OSV API). Required without `enqueue`.
   */
  fullSource?: AdvisorySource;
}

export interface OnlineRefreshResult extends RefreshResult {
  mode: OnlineMode;
  /** Changed records known but left for the next refresh (the cap, a failed request); 0 when caught up. */
  remaining: number;
}

type Fetched = { kind: "record"; record: OsvVulnerability } | { kind: "gone" } | { kind: "invalid"; error: string } | { kind: "failed"; error: string };

const keyOf = (ecosystem: string, name: string) => `${ecosystem}\u0000${normalisePackageName(ecosystem, name)}`;
function splitKey(key: string): { ecosystem: string; name: string } {
  const i = key.indexOf("\u0000");
  return { ecosystem: key.slice(0, i), name: key.slice(i + 1) };
}
function errorText(err: unknown): string {
  if (err instanceof Error) return err.name === "TimeoutError" ? "timed out" : err.message;
  return String(err);
}

/** A record's entry: its fingerprint per package it names (the record with only that package's `affected`). */
export function entryOf(rec: OsvVulnerability): OnlineAdvisoryEntry {
  const packages: Record<string, string> = {};
  for (const a of rec.affected) {
    if (!a.package) continue;
    const k = keyOf(a.package.ecosystem, a.package.name);
    if (k in packages) continue;
    const own = rec.affected.filter((x) => x.package && keyOf(x.package.ecosystem, x.package.name) === k);
    packages[k] = createHash("sha256").update(JSON.stringify({ ...rec, affected: own })).digest("hex");
  }
  return { packages, withdrawn: Boolean(rec.withdrawn), modified: rec.modified ?? null };
}

/** What one fetched record (or its absence) changes against the last applied entry; null: nothing. */
export function diffRecord(id: string, prev: OnlineAdvisoryEntry | undefined, now: OnlineAdvisoryEntry | null): AdvisoryChange | null {
  const keys = new Set([...Object.keys(prev?.packages ?? {}), ...Object.keys(now?.packages ?? {})]);
  const packages = [...keys].sort().map(splitKey);
  if (!now) return prev && !prev.withdrawn ? { id, kind: "withdrawn", packages } : null;
  if (now.withdrawn) return prev?.withdrawn ? null : { id, kind: "withdrawn", packages };
  if (!prev) return { id, kind: "new", packages };
  const same = !prev.withdrawn && JSON.stringify(Object.entries(prev.packages).sort()) === JSON.stringify(Object.entries(now.packages).sort());
  return same ? null : { id, kind: "changed", packages };
}

/**
 * An AdvisorySource that knows only the records a refresh fetched: enough to tell, for the changed
 * advisories, which repositories' versions they now affect or no longer affect (reassessCandidates with
 * `changedIds`). Every queried package gets an answer (checked), possibly empty.
 */
export class ChangedRecordsSource implements AdvisorySource {
  readonly name = "osv-online-refresh";
  readonly warnings: readonly AdvisoryWarning[] = [];
  private readonly byKey = new Map<string, OsvVulnerability[]>();

  constructor(records: Iterable<OsvVulnerability>) {
    for (const rec of records) {
      const seen = new Set<string>();
      for (const a of rec.affected) {
        if (!a.package) continue;
        const k = keyOf(a.package.ecosystem, a.package.name);
        if (seen.has(k)) continue;
        seen.add(k);
        const list = this.byKey.get(k) ?? [];
        list.push(rec);
        this.byKey.set(k, list);
      }
    }
  }

  async query(pkgs: readonly PackageQuery[]): Promise<Map<string, OsvVulnerability[]>> {
    const out = new Map<string, OsvVulnerability[]>();
    for (const p of pkgs) out.set(advisoryQueryKey(p), this.byKey.get(keyOf(p.ecosystem, p.name)) ?? []);
    return out;
  }
}

interface Work {
  /** Applied in this order; a failure stops the rest (of its ecosystem, in modified-since mode). */
  items: Array<{ id: string; ecosystem: string; modified: string | null; url: string }>;
}

/** One line of modified_id.csv: `<RFC 3339 time>,<id>`. */
export function parseModifiedLine(line: string): { modified: string; time: number; id: string } | string {
  const comma = line.indexOf(",");
  if (comma < 0) return "not `<modified>,<id>`";
  const modified = line.slice(0, comma).trim();
  const id = line.slice(comma + 1).trim();
  const time = Date.parse(modified);
  if (!/^\d{4}-\d\d-\d\dT/.test(modified) || Number.isNaN(time)) return `"${modified.slice(0, 40)}" is not an RFC 3339 time`;
  // The export's top-level file names `<ecosystem>/<id>`; a per-ecosystem file just the id.
  if (!ID.test(id)) return `"${id.slice(0, 60)}" is not an advisory id`;
  return { modified, time, id };
}

/** `cowabunga advisories refresh --online` and the app's tick without a mirror: see the module comment. */
export async function refreshAdvisoriesOnline(opts: OnlineRefreshOptions): Promise<OnlineRefreshResult> {
  if (!opts.enqueue && !opts.fullSource) throw new Error("an online refresh needs enqueue (app) or fullSource (stand-alone)");
  const clock = opts.clock ?? (() => new Date());
  const warnings: string[] = [];
  const base = (opts.baseUrl ?? (opts.mode === "querybatch" ? DEFAULT_OSV_API_URL : DEFAULT_OSV_EXPORT)).replace(/\/+$/, "");
  const http = opts.http ?? fetchHttp(globalThis.fetch, opts.timeoutMs ?? 30_000, { dispatcher: null, maxBodyBytes: MAX_RECORD_BYTES });
  const maxRecords = Math.max(1, opts.maxRecords ?? DEFAULT_MAX_RECORDS);
  const limit = pLimit(Math.max(1, opts.concurrency ?? 8));

  const document = await readAdvisoryState(opts.statePath);
  const stored = document?.online;
  const fresh = !stored || stored.mode !== opts.mode || stored.base !== base;
  const prev: OnlineAdvisoryState = fresh
    ? { mode: opts.mode, base, refreshed_at: "", cursors: {}, keys: [], advisories: {} }
    : { ...stored, cursors: { ...stored.cursors }, advisories: { ...stored.advisories }, keys: [...stored.keys] };
  const next = prev;

  const indexed = (await opts.store.listDependentPackages()).filter((p) => OSV_REFRESH_ECOSYSTEMS.includes(p.ecosystem));
  const indexKeys = new Set(indexed.map((p) => keyOf(p.ecosystem, p.name)));
  const relevant = (e: OnlineAdvisoryEntry | undefined) => Object.keys(e?.packages ?? {}).some((k) => indexKeys.has(k));

  // 1. What to fetch, in the order it must be applied.
  const work: Work = { items: [] };
  let remaining = 0;
  if (opts.mode === "modified-since") {
    await planModifiedSince(opts, http, base, indexed, next, work, warnings);
  } else {
    if (opts.since) warnings.push("--since applies to the modified-since export only; ignored by the querybatch refresh");
    await planQuerybatch(http, base, indexed, next, work, warnings);
  }
  if (work.items.length > maxRecords) {
    remaining += work.items.length - maxRecords;
    warnings.push(`${work.items.length} changed advisories, more than the ${maxRecords} a refresh fetches: ${work.items.length - maxRecords} are left for the next refresh`);
    work.items = work.items.slice(0, maxRecords);
  }

  // 2. Fetch (bounded, in parallel), then apply in order; a failed fetch stops its ecosystem there.
  const fetched = await Promise.all(work.items.map((it) => limit(() => fetchRecord(http, it.url))));
  const changes: AdvisoryChange[] = [];
  const records: OsvVulnerability[] = [];
  const stopped = new Set<string>();
  for (let i = 0; i < work.items.length; i++) {
    const it = work.items[i]!;
    const f = fetched[i]!;
    const scope = opts.mode === "modified-since" ? it.ecosystem : "*";
    if (stopped.has(scope)) {
      remaining++;
      continue;
    }
    if (f.kind === "failed") {
      warnings.push(`GET ${it.url}: ${f.error}; ${opts.mode === "modified-since" ? `${it.ecosystem} resumes from here` : "retried"} at the next refresh`);
      remaining++;
      // querybatch: the entry is left as it was, so the next refresh sees the difference again.
      if (opts.mode === "modified-since") stopped.add(scope);
      continue;
    }
    const before = next.advisories[it.id];
    let now: OnlineAdvisoryEntry | null = null;
    if (f.kind === "invalid") {
      warnings.push(`${it.url}: invalid OSV record ${it.id} skipped: ${f.error}`);
    } else if (f.kind === "record") {
      if (f.record.id !== it.id) warnings.push(`${it.url}: the record's id is ${f.record.id}, not ${it.id}; skipped`);
      else {
        now = entryOf(f.record);
        records.push(f.record);
      }
    }
    if (f.kind !== "invalid" && !(f.kind === "record" && f.record.id !== it.id)) {
      const change = diffRecord(it.id, before, now);
      if (change && (relevant(before) || relevant(now ?? undefined))) changes.push(change);
      if (now && relevant(now)) next.advisories[it.id] = now;
      else delete next.advisories[it.id];
    }
    if (opts.mode === "modified-since" && it.modified) advanceCursor(next, it.ecosystem, it.modified, it.id);
  }

  // 3. Fan out (before the state is written: a crash re-reports, the job keys make that harmless).
  const checksum = `online:sha256:${createHash("sha256")
    .update(JSON.stringify(changes.map((c) => [c.id, c.kind, next.advisories[c.id]?.packages ?? null])))
    .digest("hex")}`;
  const fanned =
    changes.length === 0
      ? { candidates: 0, reassessed: [] }
      : opts.enqueue
        ? await reassessCandidates({ store: opts.store, changes, source: new ChangedRecordsSource(records), changedIds: new Set(changes.map((c) => c.id)), checksum, clock, enqueue: opts.enqueue })
        : await reassessCandidates({ store: opts.store, changes, source: opts.fullSource!, checksum, clock, ...(opts.onReassessed ? { onReassessed: opts.onReassessed } : {}) });

  next.refreshed_at = clock().toISOString();
  const state: AdvisoryState = {
    ...(document ?? { format: 1 as const, mirror: "", checksum: "", refreshed_at: "", advisories: {} }),
    online: next,
  };
  await writeAdvisoryState(opts.statePath, state);
  const status = changes.length > 0 ? "refreshed" : fresh ? "first-run" : "unchanged";
  return { status, mode: opts.mode, checksum, changes, candidates: fanned.candidates, reassessed: fanned.reassessed, warnings, remaining };
}

function advanceCursor(state: OnlineAdvisoryState, ecosystem: string, modified: string, id: string): void {
  const cur = state.cursors[ecosystem];
  if (cur && Date.parse(cur.modified) === Date.parse(modified)) {
    if (!cur.ids.includes(id)) cur.ids.push(id);
    return;
  }
  if (cur && Date.parse(cur.modified) > Date.parse(modified)) return;
  state.cursors[ecosystem] = { modified, ids: [id] };
}

async function fetchRecord(http: OnlineHttp, url: string): Promise<Fetched> {
  let raw: unknown;
  try {
    raw = await http.getJson(url);
  } catch (err) {
    const text = errorText(err);
    // Gone from OSV: what we knew of it no longer applies.
    if (text === "HTTP 404" || text === "HTTP 410") return { kind: "gone" };
    if (err instanceof SyntaxError) return { kind: "invalid", error: `not JSON (${err.message})` };
    // Too large is a property of the record, not of the moment: skip it rather than retry it for ever.
    if (/over the \d+-byte limit/.test(text)) return { kind: "invalid", error: text };
    return { kind: "failed", error: text };
  }
  const parsed = parseOsvRecord(raw);
  return parsed.ok ? { kind: "record", record: parsed.record } : { kind: "invalid", error: parsed.error };
}

/** modified-since: read each ecosystem's modified_id.csv down to its cursor (an ecosystem without one: record the newest point). */
async function planModifiedSince(
  opts: OnlineRefreshOptions,
  http: OnlineHttp,
  base: string,
  indexed: ReadonlyArray<{ ecosystem: string }>,
  state: OnlineAdvisoryState,
  work: Work,
  warnings: string[],
): Promise<void> {
  const limits: LineLimits = { ...DEFAULT_CSV_LIMITS, ...opts.csvLimits };
  const ecosystems = [...new Set(indexed.map((p) => p.ecosystem))].sort();
  const since = opts.since !== undefined ? Date.parse(opts.since) : null;
  if (since !== null && Number.isNaN(since)) throw new Error(`--since ${opts.since}: not a time (RFC 3339, e.g. 2026-11-20T00:00:00Z)`);
  const planned: Array<Work["items"][number] & { time: number }> = [];
  for (const eco of ecosystems) {
    const url = `${base}/${encodeURIComponent(eco)}/modified_id.csv`;
    const cursor = since !== null ? { modified: new Date(since).toISOString(), ids: [] as string[] } : state.cursors[eco];
    const cursorTime = cursor ? Date.parse(cursor.modified) : null;
    const found: Array<{ id: string; modified: string; time: number }> = [];
    let bad = 0;
    let first: { modified: string; time: number; ids: string[] } | null = null;
    try {
      await http.streamLines(
        url,
        (line, n) => {
          if (line.trim() === "") return "continue";
          const p = parseModifiedLine(line);
          if (typeof p === "string") {
            if (++bad <= MAX_LINE_WARNINGS) warnings.push(`${url} line ${n}: ${p}; skipped`);
            return "continue";
          }
          if (cursorTime === null) {
            // No cursor yet: the newest time is the baseline (with every id at exactly that time).
            if (!first) first = { modified: p.modified, time: p.time, ids: [p.id] };
            else if (p.time === first.time) first.ids.push(p.id);
            else return "stop";
            return "continue";
          }
          if (p.time < cursorTime) return "stop";
          if (p.time === cursorTime && cursor!.ids.includes(p.id)) return "continue";
          found.push({ id: p.id, modified: p.modified, time: p.time });
          return "continue";
        },
        limits,
      );
    } catch (err) {
      warnings.push(`${url} not read: ${errorText(err)}; ${eco} keeps its cursor and is read again at the next refresh`);
      continue;
    }
    if (bad > MAX_LINE_WARNINGS) warnings.push(`${url}: ${bad - MAX_LINE_WARNINGS} more bad lines skipped`);
    if (cursorTime === null) {
      const f = first as { modified: string; ids: string[] } | null;
      state.cursors[eco] = f ? { modified: f.modified, ids: f.ids } : { modified: new Date(0).toISOString(), ids: [] };
      continue;
    }
    // Oldest first, one entry per id (its newest line).
    const seen = new Set<string>();
    const unique = found.filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)));
    for (const f of unique.reverse()) planned.push({ id: f.id, ecosystem: eco, modified: f.modified, time: f.time, url: `${base}/${encodeURIComponent(eco)}/${encodeURIComponent(f.id)}.json` });
  }
  // Across ecosystems oldest first, so a cap takes a prefix of each ecosystem's list (its cursor can move).
  planned.sort((a, b) => a.time - b.time);
  work.items = planned.map(({ time: _t, ...it }) => (void _t, it));
}

/** querybatch: every indexed package's advisory ids and times, against the last refresh's. */
async function planQuerybatch(http: OnlineHttp, base: string, indexed: ReadonlyArray<{ ecosystem: string; name: string }>, state: OnlineAdvisoryState, work: Work, warnings: string[]): Promise<void> {
  const url = `${base}/v1/querybatch`;
  const answers = new Map<string, Map<string, string | null>>();
  let pending = indexed.map((p) => ({ key: keyOf(p.ecosystem, p.name), q: { package: { ecosystem: p.ecosystem, name: p.name } } as { package: { ecosystem: string; name: string }; page_token?: string }, page: 0 }));
  const failed = new Set<string>();
  while (pending.length > 0) {
    const more: typeof pending = [];
    for (let i = 0; i < pending.length; i += 1000) {
      const chunk = pending.slice(i, i + 1000);
      let answer: unknown;
      try {
        answer = await http.postJson(url, { queries: chunk.map((c) => c.q) });
      } catch (err) {
        warnings.push(`POST ${url} (${chunk.length} packages) failed: ${errorText(err)}; those packages are compared at the next refresh`);
        for (const c of chunk) failed.add(c.key);
        continue;
      }
      const results = (answer as { results?: unknown } | null)?.results;
      if (!Array.isArray(results) || results.length !== chunk.length) {
        warnings.push(`POST ${url}: the answer has no results list matching the ${chunk.length} queries; those packages are compared at the next refresh`);
        for (const c of chunk) failed.add(c.key);
        continue;
      }
      chunk.forEach((c, idx) => {
        const entry = (results[idx] ?? {}) as { vulns?: unknown; next_page_token?: unknown };
        const ids = answers.get(c.key) ?? new Map<string, string | null>();
        answers.set(c.key, ids);
        for (const v of Array.isArray(entry.vulns) ? (entry.vulns as Array<{ id?: unknown; modified?: unknown }>) : []) {
          if (typeof v?.id === "string" && ID.test(v.id)) ids.set(v.id, typeof v.modified === "string" ? v.modified : null);
        }
        if (typeof entry.next_page_token === "string" && entry.next_page_token.length > 0) {
          if (c.page + 1 >= MAX_PAGES) {
            warnings.push(`${c.q.package.ecosystem}/${c.q.package.name}: more than ${MAX_PAGES} pages of advisories; compared at the next refresh`);
            failed.add(c.key);
          } else more.push({ ...c, page: c.page + 1, q: { package: c.q.package, page_token: entry.next_page_token } });
        }
      });
    }
    pending = more;
  }
  // The last refresh's ids per package.
  const known = new Map<string, Set<string>>();
  for (const [id, e] of Object.entries(state.advisories)) {
    for (const k of Object.keys(e.packages)) {
      const s = known.get(k) ?? new Set<string>();
      s.add(id);
      known.set(k, s);
    }
  }
  const baselined = new Set(state.keys);
  const toFetch = new Set<string>();
  for (const [key, ids] of answers) {
    if (failed.has(key)) continue;
    if (!baselined.has(key)) {
      // A package new to the index: record what OSV says now; the scan that stored it already used it.
      for (const [id, modified] of ids) {
        const e = (state.advisories[id] ??= { packages: {}, withdrawn: false, modified });
        e.packages[key] ??= "";
      }
      baselined.add(key);
      continue;
    }
    for (const [id, modified] of ids) {
      const e = state.advisories[id];
      if (!e || !(key in e.packages) || (modified !== null && e.modified !== modified)) toFetch.add(id);
    }
    for (const id of known.get(key) ?? []) if (!ids.has(id)) toFetch.add(id);
  }
  const current = new Set(indexed.map((p) => keyOf(p.ecosystem, p.name)));
  state.keys = [...baselined].filter((k) => current.has(k)).sort();
  work.items = [...toFetch].sort().map((id) => ({ id, ecosystem: "", modified: null, url: `${base}/v1/vulns/${encodeURIComponent(id)}` }));
}
