import { execFile, execFileSync } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.resolve(here, "../..");
const bin = path.join(project, "bin", "cowabunga.js");
const fixture = path.join(project, "test", "fixtures", "repos", "mini-monorepo");

/** util-linux `script` runs a command under a pseudo-terminal: the CLI then sees a TTY on stderr. */
function hasScript(): boolean {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const scriptAvailable = hasScript();
if (!scriptAvailable) console.warn("[cli progress] util-linux `script` not found: the pseudo-terminal tests are skipped");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
// No network in tests: the scan below runs --offline, and registries are never asked.
const env = { ...process.env, NO_COLOR: "1", TERM: "xterm", COLUMNS: "120" };

function run(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: project, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The CLI with stdout and stderr on pipes (not a terminal). */
const piped = (args: string[]): Promise<Run> => run(process.execPath, [bin, ...args]);

/** The CLI under a pseudo-terminal; everything it draws arrives on `script`'s stdout. */
function underPty(args: string[]): Promise<Run> {
  const cmd = [process.execPath, bin, ...args].map(quote).join(" ");
  return run("script", ["-qfec", cmd, "/dev/null"]);
}

/** A cli-progress bar as drawn by the shades_classic preset: "<phase> [░░█…] n/total". */
const BAR = /([a-z ]+) \[[\u2588\u2591]+\] \d+\/\d+/g;
const barsIn = (text: string): string[] => [...text.matchAll(BAR)].map((m) => m[1].trim());

let tmp: string;
let data: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-progress-"));
  data = path.join(tmp, "data");
  const stored = await piped(["scan", fixture, "--offline", "--data", data, "--repo", "acme/mini", "--format", "json", "--out", path.join(tmp, "scan.json")]);
  expect(stored.code, stored.stderr).toBe(0);
}, 60_000);
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!scriptAvailable)("progress bars on a terminal", () => {
  it("report draws a bar through load store on a TTY and still writes the report", async () => {
    const out = path.join(tmp, "tty-report.html");
    const r = await underPty(["report", "--data", data, "--repo", "acme/mini", "--format", "html", "--out", out]);
    expect(r.code, r.stdout).toBe(0);
    // The first draw is immediate ("load store … 0/5"); the final draw on stop is the last phase.
    const phases = barsIn(r.stdout);
    expect(phases[0]).toBe("load store");
    expect(phases.at(-1)).toBe("write");
    expect(r.stdout).toContain("Wrote the html report of acme/mini");
    expect((await fs.readFile(out, "utf8")).toLowerCase().startsWith("<!doctype html>")).toBe(true);
  }, 60_000);

  it("scan draws a bar on a TTY", async () => {
    const r = await underPty(["scan", fixture, "--no-enrich", "--format", "json", "--out", path.join(tmp, "tty-scan.json")]);
    expect(r.code, r.stdout).toBe(0);
    const phases = barsIn(r.stdout);
    expect(phases.length).toBeGreaterThan(0);
    for (const p of phases) expect(["list", "read", "extract", "components", "done"]).toContain(p);
  }, 60_000);
});

describe("no progress bar when piped", () => {
  it("report writes nothing on stderr and only the report on stdout", async () => {
    const r = await piped(["report", "--data", data, "--repo", "acme/mini", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(barsIn(r.stdout)).toEqual([]);
    expect(JSON.parse(r.stdout)).toHaveProperty("report_version", 1);
  }, 60_000);

  it("report --out writes nothing at all on stdout or stderr", async () => {
    const out = path.join(tmp, "piped.md");
    const r = await piped(["report", "--data", data, "--repo", "acme/mini", "--format", "markdown", "--out", out]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(existsSync(out)).toBe(true);
  }, 60_000);
});
