import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promises as fs, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.resolve(here, "../..");
const bin = path.join(project, "bin", "cowabunga.js");
const fixture = path.join(project, "test", "fixtures", "repos", "mini-monorepo");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawn the real launcher; stdout/stderr are pipes, so the CLI must stay quiet on stderr. */
function cli(args: string[], cwd = project): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-cli-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("cowabunga CLI", () => {
  it("--help lists the scan command and exits 0", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cowabunga/);
    expect(r.stdout).toMatch(/scan \[options\] \[dir\]/);
    const sub = await cli(["scan", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--format <format>/);
    expect(sub.stdout).toMatch(/"table", "json", "csv"/);
  });

  it("--version prints package.json's version", async () => {
    const pkg = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8")) as { version: string };
    const r = await cli(["--version"]);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("exits 2 with a clear message on usage errors", async () => {
    const badFormat = await cli(["scan", fixture, "--format", "xml"]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/argument 'xml' is invalid\. Allowed choices are table, json, csv/);
    expect(badFormat.stdout).toBe("");
    const unknownOption = await cli(["scan", "--frobnicate"]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--frobnicate'/);
    const unknownCommand = await cli(["rescan"]);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/unknown command 'rescan'/);
    const missingDir = await cli(["scan", path.join(tmp, "does-not-exist")]);
    expect(missingDir.code).toBe(2);
    expect(missingDir.stderr).toMatch(/directory not found: .*does-not-exist/);
  });

  it("scan --format json describes components, links and dependencies with the seed's field names", async () => {
    const r = await cli(["scan", fixture, "--no-enrich", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout);
    expect(report.source).toBe(`local:${fixture}`);
    expect(Object.keys(report)).toEqual(["source", "commit_sha", "files_scanned", "components", "warnings"]);
    const comps = Object.fromEntries(report.components.map((c: { name: string }) => [c.name, c]));
    expect(Object.keys(comps).sort()).toEqual(["mini-api", "mini-monorepo", "mini-sdk", "mini-web"]);
    expect(comps["mini-api"]).toMatchObject({ path: "services/api", type: "api", version: "0.3.0", dependencies: ["mini-sdk"] });
    expect(comps["mini-sdk"]).toMatchObject({ type: "sdk", dependent_components: ["mini-api"] });
    expect(comps["mini-web"]).toMatchObject({ path: "web", type: "ui" });
    expect(comps["mini-monorepo"].manifests).toEqual([".github/workflows/ci.yml"]);
    const fastapi = comps["mini-api"].dependency_list.find((d: { name: string }) => d.name === "fastapi");
    expect(fastapi).toMatchObject({
      name: "fastapi",
      version: "0.110.0",
      package_manager: "pip",
      component: "mini-api",
      file: "services/api/pyproject.toml",
      line: 6,
      dependency_type: "prod",
      current_value: "==0.110.0",
      locked_version: null,
    });
    for (const c of report.components) for (const d of c.dependency_list) expect(d.component).toBe(c.name);
    expect(report.warnings).toEqual([]);
  });

  it("scan --format csv writes RFC 4180 records, one per dependency", async () => {
    const json = JSON.parse((await cli(["scan", fixture, "--no-enrich", "--format", "json"])).stdout);
    const total = json.components.reduce((n: number, c: { dependency_list: unknown[] }) => n + c.dependency_list.length, 0);
    const r = await cli(["scan", fixture, "--no-enrich", "--format", "csv"]);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith("\r\n")).toBe(true);
    const records = r.stdout.split("\r\n").slice(0, -1);
    expect(records).toHaveLength(total + 1);
    expect(records[0]).toBe(
      "component,name,version,current_value,locked_version,package_manager,dependency_type,file,line,datasource,registry_url,digest,skip_reason,local_path",
    );
    expect(records).toContainEqual(expect.stringMatching(/^mini-api,requests,[^,]*,">=2,<3",,pip,prod,services\/api\/pyproject\.toml,7,/));
  });

  it("scan (table) prints readable columns and stays quiet on a piped stderr", async () => {
    const r = await cli(["scan", "test/fixtures/repos/mini-monorepo", "--no-enrich"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^NAME\s+TYPE\s+PATH\s+VERSION\s+DEPS\s+DEPENDS ON\s+USED BY$/m);
    expect(r.stdout).toMatch(/^mini-api\s+api\s+services\/api\s+0\.3\.0\s+\d+\s+mini-sdk\s+-$/m);
    expect(r.stdout).toMatch(/^COMPONENT\s+PACKAGE\s+VERSION\s+CONSTRAINT\s+MANAGER\s+TYPE\s+FILE$/m);
    // No lockfile resolves ^4.2.0: the VERSION column does not pass its lowest bound off as the version in use.
    expect(r.stdout).toMatch(/^mini-web\s+svelte\s+-\s+\^4\.2\.0\s+npm\s+prod\s+web\/package\.json:6$/m);
  });

  it("--out writes the file instead of stdout", async () => {
    const out = path.join(tmp, "scan.json");
    const r = await cli(["scan", fixture, "--no-enrich", "--format", "json", "--out", out]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    const written = JSON.parse(await fs.readFile(out, "utf8"));
    expect(written.components.map((c: { name: string }) => c.name)).toContain("mini-api");
  });

  it("reads a config file: ignore_paths and explicit components", async () => {
    const cfg = path.join(tmp, "cowabunga.yml");
    await fs.writeFile(cfg, "ignore_paths: [web]\ncomponents:\n  - name: python-stack\n    paths: ['services/**', 'libs/**']\n    type: backend\n");
    const r = await cli(["scan", fixture, "--no-enrich", "--format", "json", "--config", cfg]);
    expect(r.code).toBe(0);
    const names = JSON.parse(r.stdout).components.map((c: { name: string; type: string }) => `${c.name}:${c.type}`);
    expect(names.sort()).toEqual(["mini-monorepo:infrastructure", "python-stack:backend"]);
  });

  it("prints each invalid config key with file and line, and goes on with the defaults", async () => {
    const cfg = path.join(tmp, "bad.yml");
    await fs.writeFile(cfg, "schedule:\n  jitter_minutes: -3\nupdates:\n  grouping: sometimes\nignore_paths: [web]\n");
    const r = await cli(["scan", fixture, "--no-enrich", "--format", "json", "--config", cfg]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${cfg}:2: error: schedule.jitter_minutes`);
    expect(r.stderr).toContain(`${cfg}:4: error: updates.grouping`);
    // The valid part of the file is kept.
    expect(JSON.parse(r.stdout).components.map((c: { name: string }) => c.name)).not.toContain("mini-web");
    const missing = await cli(["scan", fixture, "--no-enrich", "--config", path.join(tmp, "nope.yml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/config file .*nope\.yml could not be read/);
  });
});

describe("a reader that closes the pipe early (cowabunga scan | head -1)", () => {
  it("ends quietly with exit 0, no EPIPE stack trace", async () => {
    const { spawn } = await import("node:child_process");
    // Far more output than a pipe buffers (64 KiB), so the CLI is still writing when the reader goes away.
    const big = path.join(tmp, "big-repo");
    await fs.mkdir(big, { recursive: true });
    const deps = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`package-number-${i}`, `^1.${i}.0`]));
    await fs.writeFile(path.join(big, "package.json"), JSON.stringify({ name: "big", dependencies: deps }, null, 2));
    const child = spawn(process.execPath, [bin, "scan", big, "--no-enrich", "--format", "table"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    // Read the first chunk, then close our end, as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
