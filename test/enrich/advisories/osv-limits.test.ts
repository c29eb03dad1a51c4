/**
 * OSV mirror limits (issue 10 item 4): zip bombs, oversized JSON files, and load errors of a mirror
 * that has no records of the scanned ecosystem.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_OSV_MAX_INFLATED_BYTES,
  DEFAULT_OSV_MAX_ZIP_RATIO,
  MAX_OSV_FILE_BYTES,
  OSV_MAX_INFLATED_BYTES_ENV,
  OSV_MAX_ZIP_RATIO_ENV,
  OsvOfflineIndex,
} from "../../../src/enrich/advisories/osv-offline.js";
import { enrichDependencies } from "../../../src/enrich/index.js";
import { dep, scanOf } from "../helpers-enrich.js";
import { writeZip } from "./zip.js";

/**
 * The overlapping-entries zip bomb: one deflated blob of `blobBytes` zeros and `entries` central
 * directory records that all point at it (valid sizes and CRC, so every entry inflates "correctly").
 */
function overlappingZip(entries: number, blobBytes: number): Buffer {
  const blob = Buffer.alloc(blobBytes);
  const data = deflateRawSync(blob, { level: 9 });
  const crc = crc32(blob);
  const name0 = Buffer.from("e0.json");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(blobBytes, 22);
  local.writeUInt16LE(name0.length, 26);
  const head = Buffer.concat([local, name0, data]);
  const central: Buffer[] = [];
  for (let i = 0; i < entries; i++) {
    const name = Buffer.from(`e${i}.json`);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(blobBytes, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(0, 42); // every entry: the same local header
    central.push(c, name);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(head.length, 16);
  return Buffer.concat([head, cd, end]);
}

function record(id: string, name: string, ecosystem = "npm"): string {
  return JSON.stringify({ id, modified: "2025-01-01T00:00:00Z", summary: `test ${id}`, affected: [{ package: { ecosystem, name }, versions: ["1.0.0"] }] });
}

describe("OSV mirror limits", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "cowabunga-osv-limits-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a small zip whose 100 entries share one 64 MiB blob is refused, naming the file", async () => {
    const file = path.join(dir, "all.zip");
    const zip = overlappingZip(100, 64 * 1024 * 1024);
    expect(zip.length).toBeLessThan(100 * 1024);
    writeFileSync(file, zip);
    const index = await OsvOfflineIndex.load(file, { env: {} });
    expect(index.stats.records).toBe(0);
    const messages = index.warnings.map((w) => `${w.file}: ${w.message}`);
    expect(messages.some((m) => m.startsWith(file) && /zip bomb/.test(m))).toBe(true);
    // Not one entry was inflated: nothing reached the JSON parser.
    expect(messages.some((m) => /not valid JSON/.test(m))).toBe(false);
  });

  it("entries sharing their data are refused even when the ratio would pass", async () => {
    const file = path.join(dir, "all.zip");
    writeFileSync(file, overlappingZip(3, 1000));
    const index = await OsvOfflineIndex.load(file, { env: {} });
    expect(index.warnings.filter((w) => /shares its data with another entry/.test(w.message)).map((w) => w.file)).toEqual([`${file}!e1.json`, `${file}!e2.json`]);
  });

  it("a real export within the limits loads; the total and the ratio limits are settable", async () => {
    const file = path.join(dir, "all.zip");
    await writeZip(file, { "A-1.json": record("A-1", "left-pad"), "A-2.json": record("A-2", "lodash"), "A-3.json": record("A-3", "express") });
    expect((await OsvOfflineIndex.load(file, { env: {} })).stats.records).toBe(3);

    const capped = await OsvOfflineIndex.load(file, { env: { [OSV_MAX_INFLATED_BYTES_ENV]: "250" } });
    expect(capped.stats.records).toBeLessThan(3);
    expect(capped.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining("the 250-byte limit per archive"));

    const strict = await OsvOfflineIndex.load(file, { env: { [OSV_MAX_ZIP_RATIO_ENV]: "0.1" } });
    expect(strict.stats.records).toBe(0);
    expect(strict.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining("the 0.1:1 ratio limit"));
  });

  it("defaults: 8 GiB per archive, 100:1, 64 MiB per file", () => {
    expect(DEFAULT_OSV_MAX_INFLATED_BYTES).toBe(8 * 1024 ** 3);
    expect(DEFAULT_OSV_MAX_ZIP_RATIO).toBe(100);
    expect(MAX_OSV_FILE_BYTES).toBe(64 * 1024 ** 2);
  });

  it("a JSON file over the limit is refused from its size on disk, before it is read", async () => {
    // A sparse file: 1.5 GB on paper, nothing on disk. Reading it would take 1.5 GB of memory.
    const big = path.join(dir, "BIG-1.json");
    const fd = openSync(big, "w");
    ftruncateSync(fd, 1.5 * 1024 ** 3);
    closeSync(fd);
    writeFileSync(path.join(dir, "OK-1.json"), record("OK-1", "left-pad"));
    const index = await OsvOfflineIndex.load(dir, { env: {} });
    expect(index.stats.records).toBe(1);
    expect(index.warnings).toContainEqual({ file: big, message: `OSV file skipped: ${1.5 * 1024 ** 3} bytes is over the ${MAX_OSV_FILE_BYTES}-byte limit` });
  });

  it("a mirror with no records of an ecosystem still reports its load errors", async () => {
    writeFileSync(path.join(dir, "PYSEC-1.json"), record("PYSEC-1", "jinja2", "PyPI"));
    writeFileSync(path.join(dir, "GHSA-broken.json"), "{ not json");
    const out = await enrichDependencies(scanOf([dep("lodash", "4.17.20")]), { osvDbPath: dir, offline: true });
    const messages = out.warnings.map((w) => w.message);
    expect(messages).toContain("the OSV mirror (--osv-db) has no npm records: advisories of 1 npm package version(s) were not checked");
    expect(out.warnings).toContainEqual(expect.objectContaining({ file: path.join(dir, "GHSA-broken.json"), message: expect.stringContaining("not valid JSON") }));
  });
});
