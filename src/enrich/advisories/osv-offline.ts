import { closeSync, fstatSync, openSync, promises as fsp, readFileSync } from "node:fs";
import path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import yauzl from "yauzl";
import { advisoryKind } from "./kind.js";
import {
  advisoryQueryKey,
  normalisePackageName,
  parseOsvRecord,
  type AdvisorySource,
  type AdvisoryWarning,
  type OsvAffected,
  type OsvVulnerability,
  type PackageQuery,
} from "./types.js";

/**
 * An air-gapped OSV mirror: a directory tree of OSV JSON files (e.g. `osv/PyPI/*.json`) and/or
 * the per-ecosystem `all.zip` exports of https://osv-vulnerabilities.storage.googleapis.com.
 * Loaded once into an index by (ecosystem, normalised name). To stay small with 200k records,
 * the index keeps only what matching and reporting need, packed into a few strings per record:
 * no `details`, a truncated summary, the first ADVISORY (else WEB) reference, and per package
 * its ranges and `versions[]` list joined into one string each.
 */

const SUMMARY_MAX = 160;
/** Largest OSV JSON file (or zip entry) read; larger ones are refused before reading. */
export const MAX_OSV_FILE_BYTES = 64 * 1024 * 1024;
const MAX_FILE_BYTES = MAX_OSV_FILE_BYTES;
/** Bytes one archive may inflate to, in total (the all-ecosystems export inflates to a few GB). */
export const DEFAULT_OSV_MAX_INFLATED_BYTES = 8 * 1024 * 1024 * 1024;
/**
 * Largest compression ratio (inflated bytes : bytes on disk) of an archive, and of an entry over
 * 1 MiB. OSV exports compress about 3:1; a zip bomb (entries sharing one highly compressed blob)
 * runs at 1000:1 and more.
 */
export const DEFAULT_OSV_MAX_ZIP_RATIO = 100;
export const OSV_MAX_INFLATED_BYTES_ENV = "COWABUNGA_OSV_MAX_INFLATED_BYTES";
export const OSV_MAX_ZIP_RATIO_ENV = "COWABUNGA_OSV_MAX_ZIP_RATIO";
/** Entries at most this large are not held to the per-entry ratio (tiny JSON can compress well). */
const ENTRY_RATIO_FLOOR = 1024 * 1024;

function positiveFromEnv(env: Record<string, string | undefined>, name: string, dflt: number): number {
  // Number() ignores surrounding blanks and reads a blank value as 0 (refused below), undefined as NaN.
  const n = Number(env[name]);
  return Number.isFinite(n) && n > 0 ? n : dflt;
}
const MAX_KEPT_WARNINGS = 500;
const RS = "\x1e"; // between ranges
const US = "\x1f"; // between fields of a range
const NL = "\n"; // between versions / events

const GS = "\x1d"; // between the fields of a packed record or entry

/**
 * One record for one package. Everything but the package is packed into one string per record
 * (`meta`) and one per affected entry: a string header costs more than most of these fields.
 * meta = id GS aliases(NL) GS summary GS published GS modified GS withdrawn GS severity GS db_severity GS url GS kind
 * entry = ranges GS versions(NL) GS entry_severity, where ranges = TYPE US kV US kV ... RS TYPE ...
 * and k is one of i/f/l/m (introduced/fixed/last_affected/limit). Empty field = absent.
 */
class PackedRecord {
  constructor(
    readonly meta: string,
    readonly ecosystem: string,
    readonly name: string,
    readonly entries: string | string[],
  ) {}
}

/** Strip the separators (and other control characters) from a free-text field. */
function clean(s: string | undefined): string {
  return s === undefined ? "" : s.replace(/[\x00-\x1f]+/g, " ");
}

export interface OfflineLoadOptions {
  /** JSON files read between two yields to the event loop. */
  concurrency?: number;
  /** Keep only these ecosystems (exact OSV names). */
  ecosystems?: readonly string[];
  /**
   * Zips up to this size are read into memory and inflated entry by entry (fast); larger ones are
   * streamed through yauzl (less memory). Default 256 MiB.
   */
  maxBufferedZipBytes?: number;
  /** Total bytes one archive may inflate to. Default COWABUNGA_OSV_MAX_INFLATED_BYTES, else 8 GiB. */
  maxInflatedBytes?: number;
  /** Largest inflated : compressed ratio of an archive (and of an entry over 1 MiB). Default COWABUNGA_OSV_MAX_ZIP_RATIO, else 100. */
  maxZipRatio?: number;
  /** Largest JSON file or entry read. Default 64 MiB. */
  maxFileBytes?: number;
  /** Environment for the two variables above (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface OfflineStats {
  files: number;
  records: number;
  /** Records skipped: invalid, unreadable or of an excluded ecosystem. */
  skipped: number;
  packages: number;
  load_ms: number;
}

const EVENT_CODE = { introduced: "i", fixed: "f", last_affected: "l", limit: "m" } as const;
const CODE_EVENT: Record<string, keyof typeof EVENT_CODE> = { i: "introduced", f: "fixed", l: "last_affected", m: "limit" };

function hasSeparators(s: string): boolean {
  return /[\n\x1d-\x1f]/.test(s);
}

function packEntry(a: OsvAffected): string | null {
  const ranges: string[] = [];
  for (const r of a.ranges) {
    const parts = [r.type];
    for (const e of r.events) {
      for (const k of ["introduced", "fixed", "last_affected", "limit"] as const) {
        const v = e[k];
        if (v !== undefined) parts.push(EVENT_CODE[k] + v);
      }
    }
    if (parts.some(hasSeparators)) return null;
    ranges.push(parts.join(US));
  }
  if (a.versions.some(hasSeparators)) return null;
  const sev = a.database_specific?.severity ?? a.ecosystem_specific?.severity;
  return [ranges.join(RS), a.versions.join(NL), typeof sev === "string" ? clean(sev) : ""].join(GS);
}

function unpackEntry(ecosystem: string, name: string, packed: string): OsvAffected {
  const [rangesText, versionsText, severity] = packed.split(GS);
  const ranges = rangesText === "" ? [] : rangesText.split(RS).map((r) => {
    const [type, ...evs] = r.split(US);
    return {
      type,
      events: evs.map((ev) => ({ [CODE_EVENT[ev[0]]]: ev.slice(1) })),
    };
  });
  const entry: OsvAffected = {
    package: { ecosystem, name },
    ranges,
    versions: versionsText === "" ? [] : versionsText.split(NL),
  };
  if (severity) entry.database_specific = { severity };
  return entry;
}

function summaryOf(rec: OsvVulnerability): string {
  let s = rec.summary?.trim() || "";
  if (!s && rec.details) {
    const firstPara = rec.details.trim().split(/\n\s*\n/)[0];
    s = firstPara.replace(/\s+/g, " ");
  }
  return s.length > SUMMARY_MAX ? `${s.slice(0, SUMMARY_MAX - 1)}…` : s;
}

function urlOf(rec: OsvVulnerability): string | undefined {
  return (rec.references.find((r) => r.type === "ADVISORY") ?? rec.references.find((r) => r.type === "WEB"))?.url;
}

export class OsvOfflineIndex implements AdvisorySource {
  readonly name = "osv-offline";
  private readonly byPackage = new Map<string, PackedRecord[]>();
  private readonly loadWarnings: AdvisoryWarning[] = [];
  private warningsDropped = 0;
  readonly stats: OfflineStats = { files: 0, records: 0, skipped: 0, packages: 0, load_ms: 0 };
  private readonly ecosystems: ReadonlySet<string> | null;
  private readonly maxBufferedZip: number;
  private readonly maxInflated: number;
  private readonly maxRatio: number;
  private readonly maxFileBytes: number;

  private constructor(opts: OfflineLoadOptions) {
    this.ecosystems = opts.ecosystems ? new Set(opts.ecosystems) : null;
    this.maxBufferedZip = opts.maxBufferedZipBytes ?? 256 * 1024 * 1024;
    const env = opts.env ?? process.env;
    this.maxInflated = opts.maxInflatedBytes ?? positiveFromEnv(env, OSV_MAX_INFLATED_BYTES_ENV, DEFAULT_OSV_MAX_INFLATED_BYTES);
    this.maxRatio = opts.maxZipRatio ?? positiveFromEnv(env, OSV_MAX_ZIP_RATIO_ENV, DEFAULT_OSV_MAX_ZIP_RATIO);
    this.maxFileBytes = opts.maxFileBytes ?? MAX_FILE_BYTES;
  }

  /** Load a mirror: a directory (walked recursively), one `.zip` export or one `.json` file. Never throws. */
  static async load(root: string, opts: OfflineLoadOptions = {}): Promise<OsvOfflineIndex> {
    const index = new OsvOfflineIndex(opts);
    const started = performance.now();
    const jsonFiles: string[] = [];
    const zipFiles: string[] = [];
    await index.collect(root, jsonFiles, zipFiles);
    // Small files are read synchronously in slices: on common file systems that is ~10x faster than
    // one promise per file through the libuv pool, and the event loop still breathes between slices.
    // Zips one after the other: at most one zip buffer in memory at a time.
    const zipsDone = (async () => {
      for (const f of zipFiles) await index.loadZip(f);
    })();
    const slice = Math.max(1, opts.concurrency ?? 256);
    // Stryker disable next-line EqualityOperator: `<=` adds one empty slice and one more yield, nothing else
    for (let i = 0; i < jsonFiles.length; i += slice) {
      for (const f of jsonFiles.slice(i, i + slice)) index.loadJsonFile(f);
      await new Promise<void>((r) => setImmediate(r));
    }
    await zipsDone;
    index.stats.packages = index.byPackage.size;
    index.stats.load_ms = Math.round(performance.now() - started);
    if (index.warningsDropped > 0) {
      index.loadWarnings.push({ message: `${index.warningsDropped} more warnings not shown` });
    }
    return index;
  }

  get warnings(): readonly AdvisoryWarning[] {
    return this.loadWarnings;
  }

  private warn(w: AdvisoryWarning): void {
    if (this.loadWarnings.length < MAX_KEPT_WARNINGS) this.loadWarnings.push(w);
    else this.warningsDropped++;
  }

  private async collect(p: string, jsonFiles: string[], zipFiles: string[]): Promise<void> {
    let st;
    try {
      st = await fsp.stat(p);
    } catch (err) {
      this.warn({ file: p, message: `OSV mirror path not readable: ${(err as Error).message}` });
      return;
    }
    if (st.isDirectory()) {
      let entries;
      try {
        entries = await fsp.readdir(p, { withFileTypes: true });
      } catch (err) {
        this.warn({ file: p, message: `OSV mirror directory not readable: ${(err as Error).message}` });
        return;
      }
      // Names in one directory are unique: no two compare equal. libuv's scandir already returns them
      // sorted (byte order) on Linux, which Node does not promise: the sort keeps the order defined.
      // Stryker disable next-line all: equivalent while readdir returns sorted names (see above)
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const e of entries) {
        const child = path.join(p, e.name);
        if (e.isDirectory()) await this.collect(child, jsonFiles, zipFiles);
        else if (e.isFile()) {
          if (e.name.endsWith(".json")) jsonFiles.push(child);
          else if (e.name.endsWith(".zip")) zipFiles.push(child);
        }
      }
    } else if (p.endsWith(".zip")) zipFiles.push(p);
    else jsonFiles.push(p);
  }

  private loadJsonFile(file: string): void {
    this.stats.files++;
    let text: string;
    let fd: number | null = null;
    try {
      // fstat on the open descriptor, then read it: the same system calls readFileSync(path) makes,
      // and an oversized file is refused before a byte of it is read.
      fd = openSync(file, "r");
      const size = fstatSync(fd).size;
      if (size > this.maxFileBytes) {
        this.warn({ file, message: `OSV file skipped: ${size} bytes is over the ${this.maxFileBytes}-byte limit` });
        this.stats.skipped++;
        return;
      }
      // Stryker disable next-line StringLiteral: without an encoding the Buffer is decoded as UTF-8 by JSON.parse
      text = readFileSync(fd, "utf8");
    } catch (err) {
      this.warn({ file, message: `OSV file not readable: ${(err as Error).message}` });
      this.stats.skipped++;
      return;
    } finally {
      if (fd !== null) closeSync(fd);
    }
    this.addText(text, file);
  }

  private addText(text: string, file: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.warn({ file, message: `OSV file is not valid JSON: ${(err as Error).message}` });
      this.stats.skipped++;
      return;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) this.addRecord(v, file);
  }

  private addRecord(value: unknown, file: string): void {
    const parsed = parseOsvRecord(value);
    if (!parsed.ok) {
      const id = typeof (value as { id?: unknown })?.id === "string" ? (value as { id: string }).id : undefined;
      this.warn({ file, ...(id ? { id } : {}), message: `invalid OSV record${id ? ` ${id}` : ""} skipped: ${parsed.error}` });
      this.stats.skipped++;
      return;
    }
    const rec = parsed.record;
    // Group this record's affected entries by package.
    const groups = new Map<string, { ecosystem: string; name: string; entries: string[] }>();
    for (const a of rec.affected) {
      if (!a.package) continue;
      const { ecosystem, name } = a.package;
      if (this.ecosystems && !this.ecosystems.has(ecosystem)) continue;
      const packed = packEntry(a);
      if (packed === null) {
        this.warn({ file, id: rec.id, message: `OSV record ${rec.id}: affected entry for ${name} has control characters; skipped` });
        continue;
      }
      const key = `${ecosystem}\u0000${normalisePackageName(ecosystem, name)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { ecosystem, name, entries: [] }));
      g.entries.push(packed);
    }
    if (groups.size === 0) {
      this.stats.skipped++;
      return;
    }
    if (hasSeparators(rec.id)) {
      this.warn({ file, message: `OSV record with control characters in its id skipped` });
      this.stats.skipped++;
      return;
    }
    this.stats.records++;
    const severity = rec.severity
      .filter((x) => !hasSeparators(x.type) && !hasSeparators(x.score))
      .map((x) => `${x.type}${US}${x.score}`)
      .join(RS);
    const dbSev = typeof rec.database_specific?.severity === "string" ? rec.database_specific.severity : "";
    const meta = [
      rec.id,
      rec.aliases.map(clean).join(NL),
      clean(summaryOf(rec)),
      clean(rec.published),
      clean(rec.modified),
      clean(rec.withdrawn),
      severity,
      clean(dbSev),
      clean(urlOf(rec)),
      advisoryKind(rec),
    ].join(GS);
    for (const [key, g] of groups) {
      const list = this.byPackage.get(key);
      // One name string per package, shared by all its records. A list is never empty; one entry is kept
      // as a string rather than a one-element array only to save memory (lookup reads both).
      // Stryker disable next-line OptionalChaining,ConditionalExpression: memory only, see above
      const packed = new PackedRecord(meta, g.ecosystem, list?.[0]?.name ?? g.name, g.entries.length === 1 ? g.entries[0] : g.entries);
      if (!list) this.byPackage.set(key, [packed]);
      else {
        // A record present twice (dir + zip, or a re-export) keeps its latest copy.
        const dup = list.findIndex((r) => r.meta.startsWith(rec.id + GS));
        if (dup >= 0) {
          // Stryker disable next-line StringLiteral: meta always has its 10 fields, so [4] is a string
          if ((list[dup].meta.split(GS)[4] ?? "") <= (rec.modified ?? "")) list[dup] = packed;
        } else list.push(packed);
      }
    }
  }

  private async loadZip(file: string): Promise<void> {
    let size: number;
    try {
      size = (await fsp.stat(file)).size;
    } catch (err) {
      this.warn({ file, message: `OSV zip not readable: ${(err as Error).message}` });
      return;
    }
    if (size <= this.maxBufferedZip) {
      let buf: Buffer;
      try {
        buf = await fsp.readFile(file);
      } catch (err) {
        this.warn({ file, message: `OSV zip not readable: ${(err as Error).message}` });
        return;
      }
      return this.loadZipBuffer(file, buf);
    }
    return this.loadZipStream(file, size);
  }

  /**
   * Open a zip with yauzl and hand each `.json` entry to `onEntry`, which calls `next()` when done
   * with it. Resolves at the end of the central directory or on a zip error (warned); never rejects.
   */
  private walkZipJson(
    file: string,
    zipBytes: number,
    open: (callback: (err: Error | null, zip: yauzl.ZipFile | undefined) => void) => void,
    onEntry: (entry: yauzl.Entry, where: string, next: () => void, zip: yauzl.ZipFile) => void,
  ): Promise<void> {
    // Zip bomb limits, checked from the central directory before an entry is inflated: total
    // inflated bytes, the archive's ratio so far, each large entry's ratio, and entries that share
    // their data with another (the overlapping-entries bomb).
    const budget = Math.min(this.maxInflated, this.maxRatio * Math.max(1, zipBytes));
    let inflated = 0;
    const offsets = new Set<number>();
    return new Promise((resolve) => {
      open((err, zip) => {
        // yauzl calls back with an error or a zip file, never neither.
        // Stryker disable next-line LogicalOperator,OptionalChaining: see above
        if (err || !zip) {
          // Stryker disable next-line LogicalOperator,OptionalChaining,StringLiteral: see above
          this.warn({ file, message: `OSV zip not readable: ${err?.message ?? "unknown error"}` });
          this.stats.skipped++;
          resolve();
          return;
        }
        // Resolving twice is harmless: after an error yauzl may still end.
        const finish = (): void => resolve();
        const next = (): void => zip.readEntry();
        zip.on("error", (e: Error) => {
          this.warn({ file, message: `OSV zip is corrupt: ${e.message}` });
          finish();
        });
        zip.on("end", finish);
        zip.on("entry", (entry: yauzl.Entry) => {
          // Directory entries end with "/", never with ".json".
          if (!entry.fileName.endsWith(".json")) {
            next();
            return;
          }
          this.stats.files++;
          const where = `${file}!${entry.fileName}`;
          if (offsets.has(entry.relativeOffsetOfLocalHeader)) {
            this.warn({ file: where, message: "OSV zip entry skipped: it shares its data with another entry (a zip bomb?)" });
            this.stats.skipped++;
            next();
            return;
          }
          offsets.add(entry.relativeOffsetOfLocalHeader);
          if (entry.uncompressedSize > ENTRY_RATIO_FLOOR && entry.uncompressedSize > this.maxRatio * Math.max(1, entry.compressedSize)) {
            this.warn({
              file: where,
              message: `OSV zip entry skipped: ${entry.compressedSize} bytes inflate to ${entry.uncompressedSize}, over the ${this.maxRatio}:1 ratio limit (a zip bomb?)`,
            });
            this.stats.skipped++;
            next();
            return;
          }
          if (inflated + entry.uncompressedSize > budget) {
            const limit =
              budget < this.maxInflated
                ? `the ${this.maxRatio}:1 ratio limit for a ${zipBytes}-byte archive (a zip bomb?)`
                : `the ${this.maxInflated}-byte limit per archive`;
            this.warn({ file, message: `OSV zip: the rest of the archive is skipped from ${entry.fileName}: it would inflate past ${limit}` });
            this.stats.skipped++;
            zip.close();
            finish();
            return;
          }
          inflated += entry.uncompressedSize;
          onEntry(entry, where, next, zip);
        });
        next();
      });
    });
  }

  /** Central directory through yauzl; entry data inflated synchronously from the buffer (no stream per entry). */
  private loadZipBuffer(file: string, buf: Buffer): Promise<void> {
    return this.walkZipJson(
      file,
      buf.length,
      (callback) => yauzl.fromBuffer(buf, { lazyEntries: true, strictFileNames: false }, callback),
      (entry, where, next) => {
        const text = this.entryText(buf, entry, where);
        if (text === null) this.stats.skipped++;
        else this.addText(text, where);
        next();
      },
    );
  }

  private entryText(buf: Buffer, entry: yauzl.Entry, where: string): string | null {
    if (entry.uncompressedSize > this.maxFileBytes) {
      this.warn({ file: where, message: `OSV zip entry skipped: ${entry.uncompressedSize} bytes is over the limit` });
      return null;
    }
    if (entry.isEncrypted() || (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)) {
      this.warn({ file: where, message: `OSV zip entry skipped: unsupported compression or encryption` });
      return null;
    }
    const at = entry.relativeOffsetOfLocalHeader;
    if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) {
      this.warn({ file: where, message: "OSV zip entry corrupt: bad local header" });
      return null;
    }
    const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    const end = start + entry.compressedSize;
    // Stryker disable next-line EqualityOperator: data ending on the last byte leaves no room for the central directory; both refuse it
    if (end > buf.length) {
      this.warn({ file: where, message: "OSV zip entry corrupt: data runs past the end of the file" });
      return null;
    }
    try {
      const raw = buf.subarray(start, end);
      // Never inflate past the declared size: the budget above counted declared sizes.
      const data = entry.compressionMethod === 8 ? inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) }) : raw;
      if (data.length !== entry.uncompressedSize || crc32(data) !== entry.crc32) {
        this.warn({ file: where, message: "OSV zip entry corrupt: size or CRC mismatch" });
        return null;
      }
      return data.toString("utf8");
    } catch (e) {
      this.warn({ file: where, message: `OSV zip entry corrupt: ${(e as Error).message}` });
      return null;
    }
  }

  private loadZipStream(file: string, size: number): Promise<void> {
    return this.walkZipJson(
      file,
      size,
      (callback) => yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false }, callback),
      (entry, where, next, zip) => {
        if (entry.uncompressedSize > this.maxFileBytes) {
          this.warn({ file: where, message: `OSV zip entry skipped: ${entry.uncompressedSize} bytes is over the limit` });
          this.stats.skipped++;
          next();
          return;
        }
        zip.openReadStream(entry, (e2, stream) => {
          // yauzl calls back with an error or a stream, never neither.
          // Stryker disable next-line LogicalOperator: see above
          if (e2 || !stream) {
            // Stryker disable next-line LogicalOperator,OptionalChaining,StringLiteral: see above
            this.warn({ file: where, message: `OSV zip entry not readable: ${e2?.message ?? "unknown error"}` });
            this.stats.skipped++;
            next();
            return;
          }
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", (e3: Error) => {
            this.warn({ file: where, message: `OSV zip entry corrupt: ${e3.message}` });
            this.stats.skipped++;
            next();
          });
          stream.on("end", () => {
            this.addText(Buffer.concat(chunks).toString("utf8"), where);
            next();
          });
        });
      },
    );
  }

  /** Number of distinct (ecosystem, package) keys. */
  get size(): number {
    return this.byPackage.size;
  }

  private present: Set<string> | null = null;

  /**
   * Whether the mirror holds any record of this OSV ecosystem. A package of an ecosystem the mirror
   * does not cover was not checked: "no record" there does not mean "no advisory".
   */
  hasEcosystem(ecosystem: string): boolean {
    // Stryker disable next-line ConditionalExpression: a cache; recomputing gives the same set
    if (!this.present) {
      this.present = new Set();
      for (const key of this.byPackage.keys()) this.present.add(key.slice(0, key.indexOf("\u0000")));
    }
    return this.present.has(ecosystem);
  }

  /** Every (ecosystem, package) the mirror holds records for, with the name as a record spells it. */
  *packages(): IterableIterator<{ ecosystem: string; name: string }> {
    for (const list of this.byPackage.values()) {
      const first = list[0];
      // Stryker disable next-line ConditionalExpression: a package's list is never empty
      if (first) yield { ecosystem: first.ecosystem, name: first.name };
    }
  }

  /** Every record that names this package, rebuilt as OSV records restricted to it. */
  lookup(ecosystem: string, name: string): OsvVulnerability[] {
    const list = this.byPackage.get(`${ecosystem}\u0000${normalisePackageName(ecosystem, name)}`);
    if (!list) return [];
    return list.map((r): OsvVulnerability => {
      const [id, aliases, summary, published, modified, withdrawn, severity, dbSeverity, url, kind] = r.meta.split(GS);
      const entries = typeof r.entries === "string" ? [r.entries] : r.entries;
      const rec: OsvVulnerability = {
        id,
        aliases: aliases === "" ? [] : aliases.split(NL),
        summary,
        severity:
          severity === ""
            ? []
            : severity.split(RS).map((x) => {
                const [type, score] = x.split(US);
                return { type, score };
              }),
        affected: entries.map((e) => unpackEntry(r.ecosystem, r.name, e)),
        references: url ? [{ type: "ADVISORY", url }] : [],
      };
      if (published) rec.published = published;
      if (modified) rec.modified = modified;
      if (withdrawn) rec.withdrawn = withdrawn;
      if (dbSeverity) rec.database_specific = { severity: dbSeverity };
      // The informational flag survives packing on the record itself (RustSec puts it on the affected entry).
      if (kind && kind !== "vulnerability") rec.database_specific = { ...rec.database_specific, informational: kind };
      return rec;
    });
  }

  async query(pkgs: readonly PackageQuery[]): Promise<Map<string, OsvVulnerability[]>> {
    const out = new Map<string, OsvVulnerability[]>();
    for (const p of pkgs) {
      const key = advisoryQueryKey(p);
      // Stryker disable next-line ConditionalExpression: a repeated key looks up the same records again
      if (!out.has(key)) out.set(key, this.lookup(p.ecosystem, p.name));
    }
    return out;
  }
}
