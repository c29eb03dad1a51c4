import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalSource } from "../../src/source/local.js";

describe("LocalSource with parallel listing and reading", () => {
  const root = mkdtempSync(path.join(tmpdir(), "cowabunga-local-par-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const expected: string[] = [];
  for (let d = 0; d < 12; d++) {
    const dir = `pkg${String(d).padStart(2, "0")}/sub`;
    mkdirSync(path.join(root, dir), { recursive: true });
    for (let f = 0; f < 15; f++) {
      const rel = `${dir}/file${f}.txt`;
      writeFileSync(path.join(root, rel), `content of ${rel}`);
      expected.push(rel);
    }
  }
  writeFileSync(path.join(root, "big.json"), "x".repeat(2048));
  expected.push("big.json");
  expected.sort();

  it("lists every file once, sorted, whatever order the parallel stats finish in", async () => {
    const src = new LocalSource(root, { maxFileBytes: 1024 });
    const files = await src.listFiles();
    expect(files.map((f) => f.path)).toEqual(expected);
    expect(files.find((f) => f.path === "big.json")?.size).toBe(2048);
  });

  it("reads many files into a map in sorted path order, skipping oversized and unknown ones", async () => {
    const src = new LocalSource(root, { maxFileBytes: 1024 });
    const wanted = [...expected].reverse().concat(["missing.txt", "pkg00/sub/file0.txt"]);
    const got = await src.readFiles(wanted);
    const readable = expected.filter((p) => p !== "big.json");
    expect([...got.keys()]).toEqual(readable);
    for (const p of readable) expect(got.get(p)).toBe(`content of ${p}`);
    expect(src.warnings).toEqual([{ file: "big.json", message: "not read: 2048 bytes is over the 1024-byte limit" }]);
  });
});
