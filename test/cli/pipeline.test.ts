import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import type { CliIO } from "../../src/cli/io.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.resolve(here, "../..");
const bin = path.join(project, "bin", "cowabunga.js");
const miniRepo = path.join(project, "test", "fixtures", "repos", "mini-monorepo");
const mirror = path.join(project, "test", "fixtures", "enrich", "osv", "mirror");
const clock = (): Date => new Date("2026-01-31T00:00:00Z");

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: project, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function memoryIO(cwd = project): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", stderrIsTTY: false, cwd, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

let tmp: string;
let vulnRepo: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "cowabunga-cli-pipeline-"));
  // example-pkg 2.3.0 is affected by TEST-PY-1 (CVSS 6.1, fixed 2.3.1) in the OSV engineer's fixture mirror.
  vulnRepo = path.join(tmp, "vuln-repo");
  await fs.mkdir(vulnRepo);
  await fs.writeFile(path.join(vulnRepo, "requirements.txt"), "example-pkg==2.3.0\nrequests>=2\n");
  await fs.writeFile(path.join(vulnRepo, "README.md"), "# vuln repo\n");
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("cowabunga scan --offline", () => {
  it("makes no network request at all (in process, nock refuses and records every attempt)", async () => {
    nock.disableNetConnect();
    const attempts: string[] = [];
    const onNoMatch = (req: { hostname?: string; path?: string }): void => void attempts.push(`${req.hostname}${req.path}`);
    nock.emitter.on("no match", onNoMatch);
    try {
      const io = memoryIO();
      const code = await runCli(["node", "cowabunga", "scan", miniRepo, "--offline", "--format", "json"], { io, clock });
      expect(io.err).toBe("");
      expect(code).toBe(0);
      const doc = JSON.parse(io.out);
      expect(doc.dependencies.length).toBeGreaterThan(5);
      for (const d of doc.dependencies) expect(["unknown", "skipped"]).toContain(d.lookup.status);
      expect(doc.warnings.map((w: { message: string }) => w.message)).toContain("offline mode without an OSV mirror (--osv-db): advisories were not checked");
      expect(attempts).toEqual([]);
    } finally {
      nock.emitter.removeListener("no match", onNoMatch);
      nock.enableNetConnect();
    }
  });

  it("spawned: reads advisories from --osv-db and reports them, exit 0", async () => {
    const r = await cli(["scan", vulnRepo, "--offline", "--osv-db", mirror, "--format", "json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const pkg = doc.dependencies.find((d: { name: string }) => d.name === "example-pkg");
    expect(pkg.advisories.map((a: { id: string }) => a.id)).toEqual(["TEST-PY-1"]);
    expect(pkg).toMatchObject({ fixed_version: "2.3.1", patch_available: true, vulnerability_score: 6.1 });
    // A range without a lockfile is not matched.
    expect(doc.dependencies.find((d: { name: string }) => d.name === "requests").advisories).toEqual([]);
    expect(doc.maintenance_issues.some((i: { type: string; title: string }) => i.type === "security" && i.title.includes("example-pkg"))).toBe(true);
  });

  it("table output lists vulnerable dependencies first", async () => {
    const io = memoryIO();
    const code = await runCli(["node", "cowabunga", "scan", vulnRepo, "--offline", "--osv-db", mirror], { io, clock });
    expect(code).toBe(0);
    const rows = io.out.split("\n");
    const header = rows.findIndex((l) => l.startsWith("COMPONENT  PACKAGE"));
    expect(rows[header + 2]).toMatch(/example-pkg\s+2\.3\.0\s.*TEST-PY-1\s+6\.1\s+2\.3\.1\s+requirements\.txt:1$/);
  });
});

describe("table order with registry data", () => {
  it("lists vulnerable first, then outdated (major before minor), then up-to-date, not by name", async () => {
    nock.disableNetConnect();
    const npmDoc = (name: string, versions: string[]) => ({
      name,
      "dist-tags": { latest: versions.at(-1) },
      versions: Object.fromEntries(versions.map((v) => [v, {}])),
      time: Object.fromEntries(versions.map((v, i) => [v, `202${3 + i}-01-01T00:00:00Z`])),
    });
    const npm = nock("http://127.0.0.1:4873")
      .get("/aaa-current")
      .reply(200, npmDoc("aaa-current", ["1.0.0"]))
      .get("/mmm-minor")
      .reply(200, npmDoc("mmm-minor", ["1.0.0", "1.1.0"]))
      .get("/zzz-major")
      .reply(200, npmDoc("zzz-major", ["1.0.0", "2.0.0"]));
    const pypi = nock("http://127.0.0.1:4874")
      .get("/pypi/example-pkg/json")
      .reply(200, { info: { name: "example-pkg", version: "2.3.0" }, releases: { "2.3.0": [{ upload_time_iso_8601: "2024-01-01T00:00:00Z", yanked: false }] } });
    try {
      const repo = path.join(tmp, "ordering");
      await fs.mkdir(repo, { recursive: true });
      await fs.writeFile(path.join(repo, "package.json"), JSON.stringify({ name: "ordering", dependencies: { "aaa-current": "1.0.0", "mmm-minor": "1.0.0", "zzz-major": "1.0.0" } }));
      await fs.writeFile(path.join(repo, "requirements.txt"), "example-pkg==2.3.0\n");
      const io = memoryIO();
      const code = await runCli(
        ["node", "cowabunga", "scan", repo, "--registry", "npm=http://127.0.0.1:4873", "--registry", "pypi=http://127.0.0.1:4874", "--osv-db", mirror],
        { io, clock },
      );
      expect(code, io.err).toBe(0);
      npm.done();
      pypi.done();
      const rows = io.out.split("\n");
      const header = rows.findIndex((l) => l.startsWith("COMPONENT  PACKAGE"));
      expect(header).toBeGreaterThan(-1);
      const order = rows
        .slice(header + 2)
        .filter((l) => l.trim() !== "")
        .map((l) => l.split(/\s+/)[1]);
      expect(order.slice(0, 4)).toEqual(["example-pkg", "zzz-major", "mmm-minor", "aaa-current"]);
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
  });
});

describe("--fail-on", () => {
  it("exits 1 when an open issue is at the severity or worse, 0 otherwise", async () => {
    const base = ["node", "cowabunga", "scan", vulnRepo, "--offline", "--osv-db", mirror, "--format", "json"];
    const ioAll = memoryIO();
    expect(await runCli(base, { io: ioAll, clock })).toBe(0);
    const severities = new Set(JSON.parse(ioAll.out).maintenance_issues.filter((i: { status: string }) => i.status === "open").map((i: { severity: string }) => i.severity));
    const rank = ["critical", "high", "medium", "low"];
    const worst = rank.find((s) => severities.has(s));
    expect(worst).toBeDefined();
    const worstIndex = rank.indexOf(worst as string);
    for (const [i, level] of rank.entries()) {
      const io = memoryIO();
      const code = await runCli([...base, "--fail-on", level], { io, clock });
      expect(code, `--fail-on ${level} with worst open severity ${worst}`).toBe(i >= worstIndex ? 1 : 0);
      if (code === 1) expect(io.err).toMatch(new RegExp(`open issues? at severity ${level} or worse`));
    }
    const bad = await cli(["scan", vulnRepo, "--offline", "--fail-on", "sometimes"]);
    expect(bad.code).toBe(2);
  });
});

describe("--registry", () => {
  it("rejects malformed values with exit 2 naming the value", async () => {
    for (const [value, message] of [
      ["npm", /expected <ecosystem>=<url>/],
      ["cocoapods=https://x.test", /unknown ecosystem "cocoapods"/],
      ["npm=ftp://mirror.test", /scheme ftp: is not http or https/],
      ["npm=https://user:pw@mirror.test", /credentials in the URL/],
      ["npm=not a url", /invalid URL/],
    ] as const) {
      const io = memoryIO();
      const code = await runCli(["node", "cowabunga", "scan", miniRepo, "--offline", "--registry", value], { io, clock });
      expect(code, value).toBe(2);
      expect(io.err).toMatch(message);
      expect(io.err).toContain(`--registry ${JSON.stringify(value)}`);
    }
  });

  it("accepts a private mirror given by the operator and asks it (and nothing else)", async () => {
    nock.disableNetConnect();
    const scope = nock("http://127.0.0.1:4873")
      .get("/svelte")
      .reply(200, { name: "svelte", "dist-tags": { latest: "4.2.19" }, versions: { "4.2.0": {}, "4.2.19": {} }, time: { "4.2.0": "2023-06-01T00:00:00Z", "4.2.19": "2024-08-01T00:00:00Z" } })
      .get("/vite")
      .reply(404, {});
    try {
      const repo = path.join(tmp, "npm-only");
      await fs.mkdir(repo, { recursive: true });
      await fs.writeFile(path.join(repo, "package.json"), JSON.stringify({ name: "npm-only", dependencies: { svelte: "4.2.0" }, devDependencies: { vite: "5.0.0" } }));
      const io = memoryIO();
      const code = await runCli(["node", "cowabunga", "scan", repo, "--registry", "npm=http://127.0.0.1:4873", "--osv-db", mirror, "--format", "json"], { io, clock });
      expect(io.err).toBe("");
      expect(code).toBe(0);
      scope.done();
      const deps = JSON.parse(io.out).dependencies;
      expect(deps.find((d: { name: string }) => d.name === "svelte")).toMatchObject({ latest_version: "4.2.19", update_type: "patch", lookup: { status: "ok" } });
      expect(deps.find((d: { name: string }) => d.name === "vite").lookup).toEqual({ status: "unknown", reason: "vite was not found in the npm registry" });
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
  });
});

describe("--data and cowabunga report", () => {
  it("stores the assessment and renders every report format from the store", async () => {
    const data = path.join(tmp, "data");
    const io = memoryIO();
    expect(await runCli(["node", "cowabunga", "scan", vulnRepo, "--offline", "--osv-db", mirror, "--data", data, "--repo", "acme/vuln", "--format", "json"], { io, clock })).toBe(0);
    const scanned = JSON.parse(io.out);
    for (const format of ["json", "csv", "csv-issues", "markdown", "html"]) {
      const rio = memoryIO();
      const code = await runCli(["node", "cowabunga", "report", "--data", data, "--repo", "acme/vuln", "--format", format], { io: rio, clock });
      expect(code, rio.err).toBe(0);
      expect(rio.out.length).toBeGreaterThan(50);
      if (format === "json") {
        const doc = JSON.parse(rio.out);
        expect(doc.dependencies.map((d: { name: string }) => d.name).sort()).toEqual(scanned.dependencies.map((d: { name: string }) => d.name).sort());
        expect(doc.maintenance_issues.map((i: { id: string }) => i.id).sort()).toEqual(scanned.maintenance_issues.map((i: { id: string }) => i.id).sort());
      }
      if (format === "html") expect(rio.out).toContain("TEST-PY-1");
    }
    const out = path.join(tmp, "r.md");
    expect(await runCli(["node", "cowabunga", "report", "--data", data, "--repo", "acme/vuln", "--format", "markdown", "--out", out], { io: memoryIO(), clock })).toBe(0);
    expect(await fs.readFile(out, "utf8")).toMatch(/example-pkg/);
  });

  it("usage errors exit 2: unknown repository, bad --repo, missing options", async () => {
    const data = path.join(tmp, "data");
    const io = memoryIO();
    expect(await runCli(["node", "cowabunga", "report", "--data", data, "--repo", "acme/other"], { io, clock })).toBe(2);
    expect(io.err).toMatch(/no stored assessment for acme\/other .*stored: acme\/vuln/);
    expect(await runCli(["node", "cowabunga", "report", "--data", data, "--repo", "nope"], { io: memoryIO(), clock })).toBe(2);
    expect(await runCli(["node", "cowabunga", "report", "--repo", "acme/vuln"], { io: memoryIO(), clock })).toBe(2);
    expect(await runCli(["node", "cowabunga", "scan", vulnRepo, "--no-enrich", "--format", "html"], { io: memoryIO(), clock })).toBe(2);
  });
});
