import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanRepository } from "../../src/scan/index.js";
import { LocalSource, MAX_FILE_BYTES, maxFileBytesFromEnv } from "../../src/source/local.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cowabunga-bigfile-"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "big", dependencies: { lodash: "^4.17.0" } }));
  const packages: Record<string, unknown> = { "": {}, "node_modules/lodash": { version: "4.17.21" } };
  // Just over 5 MiB of lockfile.
  const entry = { version: "1.0.0", integrity: `sha512-${"x".repeat(200)}` };
  const entryBytes = JSON.stringify(entry).length;
  for (let i = 0; i * entryBytes < MAX_FILE_BYTES * 1.05; i++) packages[`node_modules/pkg-${i}`] = { ...entry, version: `1.0.${i}` };
  const text = JSON.stringify({ lockfileVersion: 3, packages });
  expect(text.length).toBeGreaterThan(MAX_FILE_BYTES);
  writeFileSync(path.join(dir, "package-lock.json"), text);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the per-file size limit (README: Limits)", () => {
  it("a lockfile over 5 MiB is listed, not read: a warning names it and the limit, the manifest's dependencies stay, unlocked", async () => {
    const result = await scanRepository(new LocalSource(dir), { repoName: "big" });
    expect(result.warnings).toContainEqual(expect.objectContaining({ file: "package-lock.json", message: expect.stringMatching(/^not read: \d+ bytes is over the 5242880-byte limit$/) }));
    const lodash = result.dependencies.find((d) => d.name === "lodash");
    expect(lodash).toMatchObject({ current_value: "^4.17.0", locked_version: null });
    expect(result.locked).toEqual([]);
  });

  it("a larger limit (COWABUNGA_MAX_FILE_BYTES, or the source option) reads it", async () => {
    expect(maxFileBytesFromEnv({ COWABUNGA_MAX_FILE_BYTES: "20000000" })).toBe(20_000_000);
    expect(maxFileBytesFromEnv({ COWABUNGA_MAX_FILE_BYTES: "lots" })).toBe(MAX_FILE_BYTES);
    expect(maxFileBytesFromEnv({})).toBe(MAX_FILE_BYTES);
    const result = await scanRepository(new LocalSource(dir, { maxFileBytes: maxFileBytesFromEnv({ COWABUNGA_MAX_FILE_BYTES: "20000000" }) }), { repoName: "big" });
    expect(result.warnings.filter((w) => w.file === "package-lock.json")).toEqual([]);
    expect(result.dependencies.find((d) => d.name === "lodash")).toMatchObject({ locked_version: "4.17.21" });
  });
});
