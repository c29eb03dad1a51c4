/**
 * The offline OSV index's reading of zip archives and of the mirror's files, rule by rule (issue 18,
 * mutation run of osv-offline.ts). Archives are written byte by byte from the ZIP specification
 * (PKWARE APPNOTE.TXT 6.3: local file header 4.3.7, central directory header 4.3.12, end of central
 * directory 4.3.16; general purpose bit 0 = encrypted; method 0 = stored, 8 = deflated, 12 = BZIP2),
 * so each test can break exactly one field. Expected outcomes follow the module's documented rules:
 * a bad entry is skipped with a warning naming it and the rest of the archive is read; zips up to
 * `maxBufferedZipBytes` are read into memory, larger ones streamed through yauzl.
 */
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OsvOfflineIndex } from "../../../src/enrich/advisories/osv-offline.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "osv-zip-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const recordText = (id: string, name = id.toLowerCase()): string =>
  JSON.stringify({ id, modified: "2025-01-01T00:00:00Z", affected: [{ package: { ecosystem: "npm", name }, versions: ["1.0.0"] }] });

interface RawEntry {
  name: string;
  /** The entry's content (what it inflates to). */
  text: string | Buffer;
  method?: number;
  flags?: number;
  /** Overrides of the central directory's fields (and the local header's). */
  crc?: number;
  uncompressedSize?: number;
  compressedSize?: number;
  /** Bytes stored instead of the compressed content. */
  stored?: Buffer;
  localSignature?: number;
  localExtra?: Buffer;
}

/** A zip archive, byte by byte; also the offset of each central directory header. */
function rawZip(entries: RawEntry[]): { buf: Buffer; central: number[] } {
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  let at = 0;
  for (const e of entries) {
    const content = Buffer.isBuffer(e.text) ? e.text : Buffer.from(e.text);
    const method = e.method ?? 8;
    const data = e.stored ?? (method === 8 ? deflateRawSync(content) : content);
    const name = Buffer.from(e.name);
    const extra = e.localExtra ?? Buffer.alloc(0);
    const crc = e.crc ?? crc32(content);
    const csize = e.compressedSize ?? data.length;
    const usize = e.uncompressedSize ?? content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(e.localSignature ?? 0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(csize, 18);
    local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(e.flags ?? 0, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(csize, 20);
    c.writeUInt32LE(usize, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(at, 42);
    centrals.push(Buffer.concat([c, name]));
    const block = Buffer.concat([local, name, extra, data]);
    parts.push(block);
    at += block.length;
  }
  const central: number[] = [];
  let cdAt = at;
  for (const c of centrals) {
    central.push(cdAt);
    cdAt += c.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(at, 16);
  return { buf: Buffer.concat([...parts, cd, end]), central };
}

function put(name: string, buf: Buffer | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, buf);
  return file;
}

const ids = (index: OsvOfflineIndex): string[] => [...index.packages()].map((p) => index.lookup(p.ecosystem, p.name)[0].id).sort();
const streamed = { maxBufferedZipBytes: 0, env: {} };
const buffered = { env: {} };

describe("zip entries: compression, encryption, corruption (buffered)", () => {
  it("stored and deflated entries are read; a local header with an extra field too", async () => {
    const file = put("a.zip", rawZip([
      { name: "S-1.json", text: recordText("S-1"), method: 0 },
      { name: "D-1.json", text: recordText("D-1") },
      { name: "X-1.json", text: recordText("X-1"), localExtra: Buffer.from([0xfe, 0xca, 4, 0, 1, 2, 3, 4]) },
    ]).buf);
    for (const opts of [buffered, streamed]) {
      const index = await OsvOfflineIndex.load(file, opts);
      expect(ids(index)).toEqual(["D-1", "S-1", "X-1"]);
      expect(index.warnings).toEqual([]);
      expect(index.stats).toMatchObject({ files: 3, records: 3, skipped: 0 });
    }
  });

  it("BZIP2 and encrypted entries are skipped, named, without a JSON error", async () => {
    const file = put("a.zip", rawZip([
      { name: "B-1.json", text: recordText("B-1"), method: 12 },
      { name: "E-1.json", text: recordText("E-1"), flags: 1 },
      { name: "OK-1.json", text: recordText("OK-1") },
    ]).buf);
    const index = await OsvOfflineIndex.load(file, buffered);
    expect(ids(index)).toEqual(["OK-1"]);
    expect(index.warnings).toEqual([
      { file: `${file}!B-1.json`, message: "OSV zip entry skipped: unsupported compression or encryption" },
      { file: `${file}!E-1.json`, message: "OSV zip entry skipped: unsupported compression or encryption" },
    ]);
    expect(index.stats).toMatchObject({ files: 3, records: 1, skipped: 2 });
  });

  it("each corrupt entry is named with its fault; the rest of the archive is read", async () => {
    const text = recordText("C-0");
    const zip = rawZip([
      { name: "sig.json", text, localSignature: 0x12345678 },
      { name: "crc.json", text, crc: (crc32(Buffer.from(text)) + 1) >>> 0 },
      // Declares more bytes than it inflates to (the CRC is the real one).
      { name: "short.json", text, uncompressedSize: text.length + 5 },
      // Declares fewer bytes than it inflates to: never inflated past the declared size.
      { name: "long.json", text, uncompressedSize: 10 },
      { name: "garbage.json", text, stored: Buffer.from("garbage data!!") },
      { name: "past.json", text, compressedSize: 1_000_000 },
      { name: "off.json", text },
      { name: "OK-1.json", text: recordText("OK-1") },
    ]);
    // off.json's local header "starts" 2 bytes before the end of the file.
    zip.buf.writeUInt32LE(zip.buf.length - 2, zip.central[6] + 42);
    const file = put("a.zip", zip.buf);
    const index = await OsvOfflineIndex.load(file, buffered);
    expect(ids(index)).toEqual(["OK-1"]);
    const at = (n: string) => `${file}!${n}`;
    expect(index.warnings).toEqual([
      { file: at("sig.json"), message: "OSV zip entry corrupt: bad local header" },
      { file: at("crc.json"), message: "OSV zip entry corrupt: size or CRC mismatch" },
      { file: at("short.json"), message: "OSV zip entry corrupt: size or CRC mismatch" },
      { file: at("long.json"), message: "OSV zip entry corrupt: Cannot create a Buffer larger than 10 bytes" },
      { file: at("garbage.json"), message: "OSV zip entry corrupt: invalid block type" },
      { file: at("past.json"), message: "OSV zip entry corrupt: data runs past the end of the file" },
      { file: at("off.json"), message: "OSV zip entry corrupt: bad local header" },
    ]);
    expect(index.stats).toMatchObject({ files: 8, records: 1, skipped: 7 });
  });

  it("a broken central directory ends the archive with a warning; entries before it are kept", async () => {
    const zip = rawZip([{ name: "A-1.json", text: recordText("A-1") }, { name: "A-2.json", text: recordText("A-2") }]);
    zip.buf.writeUInt32LE(0xdeadbeef, zip.central[1]);
    const file = put("a.zip", zip.buf);
    for (const opts of [buffered, streamed]) {
      const index = await OsvOfflineIndex.load(file, opts);
      expect(ids(index)).toEqual(["A-1"]);
      expect(index.warnings).toEqual([{ file, message: "OSV zip is corrupt: invalid central directory file header signature: 0xdeadbeef" }]);
    }
  });

  it("a file that is not a zip counts as skipped", async () => {
    const file = put("bad.zip", "PK not really");
    const index = await OsvOfflineIndex.load(file, buffered);
    expect(index.stats).toMatchObject({ files: 0, records: 0, skipped: 1 });
    expect(index.warnings).toHaveLength(1);
    expect(index.warnings[0].message).toMatch(/^OSV zip not readable: /);
  });

  it("entry names written with backslashes (zipped on Windows) are read as paths", async () => {
    const file = put("w.zip", rawZip([{ name: "npm\\W-1.json", text: recordText("W-1") }, { name: "npm\\bad.json", text: "{" }]).buf);
    for (const opts of [buffered, streamed]) {
      const index = await OsvOfflineIndex.load(file, opts);
      expect(ids(index)).toEqual(["W-1"]);
      expect(index.warnings.map((w) => w.file)).toEqual([`${file}!npm/bad.json`]);
    }
  });
});

describe("zip entries: the streamed path", () => {
  it("zips up to maxBufferedZipBytes are read in memory (default 256 MiB), larger ones streamed", async () => {
    const zip = rawZip([{ name: "sig.json", text: recordText("S-1"), localSignature: 0x12345678 }]);
    const file = put("a.zip", zip.buf);
    const inMemory = [{ file: `${file}!sig.json`, message: "OSV zip entry corrupt: bad local header" }];
    expect((await OsvOfflineIndex.load(file, buffered)).warnings).toEqual(inMemory);
    expect((await OsvOfflineIndex.load(file, { maxBufferedZipBytes: zip.buf.length, env: {} })).warnings).toEqual(inMemory);
    const big = await OsvOfflineIndex.load(file, { maxBufferedZipBytes: zip.buf.length - 1, env: {} });
    // yauzl's own words for the same fault.
    expect(big.warnings).toEqual([{ file: `${file}!sig.json`, message: "OSV zip entry not readable: invalid local file header signature: 0x12345678" }]);
    expect(big.stats).toMatchObject({ files: 1, records: 0, skipped: 1 });
  });

  it("an entry that inflates past its declared size is refused while streaming", async () => {
    const text = recordText("L-1");
    const file = put("a.zip", rawZip([{ name: "long.json", text, uncompressedSize: 10 }, { name: "OK-1.json", text: recordText("OK-1") }]).buf);
    const index = await OsvOfflineIndex.load(file, streamed);
    expect(ids(index)).toEqual(["OK-1"]);
    expect(index.warnings).toEqual([{ file: `${file}!long.json`, message: expect.stringMatching(/^OSV zip entry corrupt: too many bytes in the stream\. expected 10\. got at least \d+$/) }]);
    expect(index.stats).toMatchObject({ files: 2, records: 1, skipped: 1 });
  });

  it("a streamed archive's file is closed once read", async () => {
    const file = put("a.zip", rawZip([{ name: "A-1.json", text: recordText("A-1") }]).buf);
    const fds = () => readdirSync("/proc/self/fd").length;
    await OsvOfflineIndex.load(file, streamed);
    const before = fds();
    for (let i = 0; i < 20; i++) await OsvOfflineIndex.load(file, streamed);
    await new Promise((r) => setTimeout(r, 50));
    expect(fds()).toBeLessThan(before + 5);
  });
});

describe("zip limits at their boundaries", () => {
  it("an entry over maxFileBytes is skipped, one of exactly that size read (both paths)", async () => {
    const small = recordText("F-1");
    const file = put("a.zip", rawZip([{ name: "F-1.json", text: small }, { name: "F-2.json", text: recordText("F-2", "much-longer-name") }]).buf);
    for (const opts of [buffered, streamed]) {
      const index = await OsvOfflineIndex.load(file, { ...opts, maxFileBytes: small.length });
      expect(ids(index)).toEqual(["F-1"]);
      const size = recordText("F-2", "much-longer-name").length;
      expect(index.warnings).toEqual([{ file: `${file}!F-2.json`, message: `OSV zip entry skipped: ${size} bytes is over the limit` }]);
      expect(index.stats).toMatchObject({ files: 2, records: 1, skipped: 1 });
    }
  });

  it("the archive may inflate to exactly maxInflatedBytes; one byte less refuses the rest, counted once", async () => {
    const a = recordText("I-1");
    const b = recordText("I-2");
    const file = put("a.zip", rawZip([{ name: "I-1.json", text: a }, { name: "I-2.json", text: b }]).buf);
    const exact = await OsvOfflineIndex.load(file, { maxInflatedBytes: a.length + b.length, env: {} });
    expect(ids(exact)).toEqual(["I-1", "I-2"]);
    const less = await OsvOfflineIndex.load(file, { maxInflatedBytes: a.length + b.length - 1, env: {} });
    expect(ids(less)).toEqual(["I-1"]);
    expect(less.warnings).toEqual([{ file, message: `OSV zip: the rest of the archive is skipped from I-2.json: it would inflate past the ${a.length + b.length - 1}-byte limit per archive` }]);
    expect(less.stats).toMatchObject({ files: 2, records: 1, skipped: 1 });
  });

  /** A record padded with blanks to `size` bytes: compresses far beyond 100:1. */
  const padded = (id: string, size: number): string => {
    const t = recordText(id);
    return t.slice(0, -1) + " ".repeat(size - t.length) + "}";
  };
  /** Incompressible filler (not JSON): makes the archive large enough for its overall ratio. */
  const filler = (bytes: number): RawEntry => ({ name: "filler.bin", text: Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 2654435761) >>> 24)), method: 0 });

  it("entries up to 1 MiB are not held to the per-entry ratio; over it they are, and counted as skipped", async () => {
    const mib = 1024 * 1024;
    const zip = rawZip([filler(64 * 1024), { name: "small.json", text: padded("R-1", 100_000) }, { name: "exact.json", text: padded("R-2", mib) }, { name: "over.json", text: padded("R-3", mib + 1) }]);
    const file = put("a.zip", zip.buf);
    const index = await OsvOfflineIndex.load(file, buffered);
    expect(ids(index)).toEqual(["R-1", "R-2"]);
    expect(index.warnings).toHaveLength(1);
    expect(index.warnings[0].file).toBe(`${file}!over.json`);
    expect(index.warnings[0].message).toMatch(/^OSV zip entry skipped: \d+ bytes inflate to 1048577, over the 100:1 ratio limit \(a zip bomb\?\)$/);
    expect(index.stats).toMatchObject({ files: 3, records: 2, skipped: 1 });
  });

  it("an entry exactly at the ratio limit is read", async () => {
    const text = padded("Q-1", 2 * 1024 * 1024);
    const zip = rawZip([filler(64 * 1024), { name: "Q-1.json", text }]);
    const compressed = deflateRawSync(Buffer.from(text)).length;
    const ratio = text.length / compressed;
    expect(ratio * compressed).toBe(text.length);
    const file = put("a.zip", zip.buf);
    expect(ids(await OsvOfflineIndex.load(file, { maxZipRatio: ratio, env: {} }))).toEqual(["Q-1"]);
    const refused = await OsvOfflineIndex.load(file, { maxZipRatio: ratio * 0.999, env: {} });
    expect(ids(refused)).toEqual([]);
    expect(refused.stats.skipped).toBe(1);
  });

  it("entries sharing their data are counted as skipped", async () => {
    const zip = rawZip([{ name: "A-1.json", text: recordText("A-1") }, { name: "A-2.json", text: recordText("A-1") }]);
    zip.buf.writeUInt32LE(0, zip.central[1] + 42);
    const index = await OsvOfflineIndex.load(put("a.zip", zip.buf), buffered);
    expect(ids(index)).toEqual(["A-1"]);
    expect(index.stats).toMatchObject({ files: 2, records: 1, skipped: 1 });
  });
});

describe("the mirror's files", () => {
  function withSocket(file: string, fn: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer().listen(file, () => {
        fn().then(resolve, reject).finally(() => server.close());
      });
    });
  }

  it("a path that cannot be opened is warned about and skipped; load never throws", async () => {
    const sock = path.join(dir, "s.json");
    await withSocket(sock, async () => {
      const index = await OsvOfflineIndex.load(sock, { env: {} });
      expect(index.warnings).toEqual([{ file: sock, message: expect.stringMatching(/^OSV file not readable: ENXIO/) }]);
      expect(index.stats).toMatchObject({ files: 1, records: 0, skipped: 1 });
    });
    const zsock = path.join(dir, "s.zip");
    await withSocket(zsock, async () => {
      const index = await OsvOfflineIndex.load(zsock, { env: {} });
      expect(index.warnings).toEqual([{ file: zsock, message: expect.stringMatching(/^OSV zip not readable: ENXIO/) }]);
    });
  });

  it("only regular files are read from a directory: a dangling link named .json is not", async () => {
    symlinkSync(path.join(dir, "missing"), path.join(dir, "L-1.json"));
    put("OK-1.json", recordText("OK-1"));
    const index = await OsvOfflineIndex.load(dir, { env: {} });
    expect(index.warnings).toEqual([]);
    expect(index.stats).toMatchObject({ files: 1, records: 1, skipped: 0 });
  });

  it("every JSON file is closed once read", async () => {
    for (let i = 0; i < 40; i++) put(`F-${i}.json`, recordText(`F-${i}`));
    const fds = () => readdirSync("/proc/self/fd").length;
    const before = fds();
    const index = await OsvOfflineIndex.load(dir, { env: {} });
    expect(index.stats.records).toBe(40);
    expect(fds()).toBeLessThan(before + 5);
  });

  it("a JSON file of exactly maxFileBytes is read; one byte over is skipped and counted", async () => {
    const text = recordText("M-1");
    put("M-1.json", text);
    put("M-2.json", `${recordText("M-2")} `);
    const index = await OsvOfflineIndex.load(dir, { maxFileBytes: text.length, env: {} });
    expect(ids(index)).toEqual(["M-1"]);
    expect(index.warnings).toEqual([{ file: path.join(dir, "M-2.json"), message: `OSV file skipped: ${text.length + 1} bytes is over the ${text.length}-byte limit` }]);
    expect(index.stats).toMatchObject({ files: 2, records: 1, skipped: 1 });
  });

  it("files are read in name order: of equal copies the last by name wins, records list in that order", async () => {
    const names = ["k", "c", "x", "a", "q", "m", "e", "t", "b", "z", "g", "o"];
    for (const n of names) {
      put(`${n}.json`, JSON.stringify({ id: "DUP-1", modified: "2025-01-01T00:00:00Z", summary: n, affected: [{ package: { ecosystem: "npm", name: "dup" } }] }));
      put(`r-${n}.json`, JSON.stringify({ id: `R-${n}`, modified: "2025-01-01T00:00:00Z", affected: [{ package: { ecosystem: "npm", name: "ordered" } }] }));
    }
    const index = await OsvOfflineIndex.load(dir, { env: {} });
    expect(index.lookup("npm", "dup").map((r) => r.summary)).toEqual(["z"]);
    expect(index.lookup("npm", "ordered").map((r) => r.id)).toEqual([...names].sort().map((n) => `R-${n}`));
  });

  it("concurrency 0 still reads one file per slice; load_ms is the load's own time; the source is named", async () => {
    for (let i = 0; i < 3; i++) put(`C-${i}.json`, recordText(`C-${i}`));
    const started = performance.now();
    const index = await OsvOfflineIndex.load(dir, { concurrency: 0, env: {} });
    const elapsed = performance.now() - started;
    expect(index.stats.records).toBe(3);
    expect(index.stats.load_ms).toBeGreaterThanOrEqual(0);
    expect(index.stats.load_ms).toBeLessThanOrEqual(Math.ceil(elapsed));
    expect(index.name).toBe("osv-offline");
  });
});

describe("records", () => {
  it("free text: a run of control characters is one space; a blank line of spaces ends the first paragraph", async () => {
    put("T-1.json", JSON.stringify({ id: "T-1", summary: "one\u0001\u0002\u0003two", affected: [{ package: { ecosystem: "npm", name: "t1" } }] }));
    put("T-2.json", JSON.stringify({ id: "T-2", details: "First part.\n   \nSecond part.", affected: [{ package: { ecosystem: "npm", name: "t2" } }] }));
    const index = await OsvOfflineIndex.load(dir, { env: {} });
    expect(index.lookup("npm", "t1")[0].summary).toBe("one two");
    expect(index.lookup("npm", "t2")[0].summary).toBe("First part.");
  });

  it("an invalid record's id is named only when it is a string; null in a list is an invalid record", async () => {
    const file = put("list.json", JSON.stringify([{ id: 5, affected: [] }, null, { id: "OK-1", affected: [{ package: { ecosystem: "npm", name: "ok" } }] }]));
    const index = await OsvOfflineIndex.load(file, { env: {} });
    expect(index.warnings.map((w) => [w.id, w.message.replace(/: .*$/, "")])).toEqual([
      [undefined, "invalid OSV record skipped"],
      [undefined, "invalid OSV record skipped"],
    ]);
    expect(index.warnings.every((w) => !("id" in w))).toBe(true);
    expect(index.stats).toMatchObject({ records: 1, skipped: 2 });
  });

  it("a copy without a modified date never replaces a dated one", async () => {
    put("a.json", JSON.stringify({ id: "D-1", modified: "2025-01-01T00:00:00Z", summary: "dated", affected: [{ package: { ecosystem: "npm", name: "d" } }] }));
    put("b.json", JSON.stringify({ id: "D-1", summary: "undated", affected: [{ package: { ecosystem: "npm", name: "d" } }] }));
    const index = await OsvOfflineIndex.load(dir, { env: {} });
    expect(index.lookup("npm", "d").map((r) => r.summary)).toEqual(["dated"]);
  });
});
