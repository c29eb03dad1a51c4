import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import type { CliIO } from "../../src/cli/io.js";
import { FileStore } from "../../src/store/index.js";
import { makeIssue, makeSystemHealth } from "../helpers/factories.js";

const clock = (): Date => new Date("2026-01-31T00:00:00Z");
let tmp: string;

function memoryIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", stderrIsTTY: false, cwd, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-report-damaged-"));
  const store = new FileStore({ root: path.join(tmp, "data"), clock });
  const ref = { owner: "acme", repo: "app" };
  await store.putSystemHealth(ref, makeSystemHealth());
  await store.updateIssues(ref, () => [makeIssue({ id: "issue-1" })]);
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("cowabunga report on damaged data (issue 10, item 6)", () => {
  it("a corrupt issues file: says the data is damaged, exits 1, prints no report and moves nothing", async () => {
    const dir = path.join(tmp, "data", "acme", "app");
    await fs.writeFile(path.join(dir, "maintenance_issues.json"), '[{"id": "issue-1", ');
    const before = (await fs.readdir(dir)).sort();
    const io = memoryIO(tmp);
    const code = await runCli(["node", "cowabunga", "report", "--data", "data", "--repo", "acme/app", "--format", "markdown"], { io, clock });
    expect(code).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toMatch(/store: acme\/app\/maintenance_issues\.json: not valid JSON/);
    expect(io.err).toMatch(/stored data of acme\/app .* is damaged: 1 file could not be read \(acme\/app\/maintenance_issues\.json\); nothing was moved or changed/);
    // The location is said once, not "file: file:".
    expect(io.err).not.toMatch(/maintenance_issues\.json: acme\/app\/maintenance_issues\.json/);
    expect((await fs.readdir(dir)).sort()).toEqual(before);
    expect(await fs.readFile(path.join(dir, "maintenance_issues.json"), "utf8")).toBe('[{"id": "issue-1", ');
  });

  it("an undamaged store still renders (read-only mode changes nothing there)", async () => {
    const io = memoryIO(tmp);
    expect(await runCli(["node", "cowabunga", "report", "--data", "data", "--repo", "acme/app", "--format", "json"], { io, clock })).toBe(0);
    expect(JSON.parse(io.out).maintenance_issues).toHaveLength(1);
  });
});

describe("--out into a folder that does not exist (issue 10, item 9)", () => {
  it("creates the folder and writes the report", async () => {
    const io = memoryIO(tmp);
    expect(await runCli(["node", "cowabunga", "report", "--data", "data", "--repo", "acme/app", "--format", "json", "--out", "new/sub/report.json"], { io, clock })).toBe(0);
    expect(JSON.parse(await fs.readFile(path.join(tmp, "new", "sub", "report.json"), "utf8")).maintenance_issues).toHaveLength(1);
  });

  it("a file where a folder should be is a clear usage error (exit 2), not a raw errno", async () => {
    await fs.writeFile(path.join(tmp, "blocker"), "x");
    const io = memoryIO(tmp);
    expect(await runCli(["node", "cowabunga", "report", "--data", "data", "--repo", "acme/app", "--out", "blocker/report.html"], { io, clock })).toBe(2);
    expect(io.err).toMatch(/--out blocker\/report\.html: cannot write the file: a parent of it is a file, not a folder/);
  });
});
