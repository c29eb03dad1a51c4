import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The CLI bundle (scripts/bundle-cli.mjs) and the launcher's choice between it and tsx (bin/cowabunga.js).

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.resolve(here, "../..");
const bin = path.join(project, "bin", "cowabunga.js");
const script = path.join(project, "scripts", "bundle-cli.mjs");
const fixture = path.join(project, "test", "fixtures", "repos", "mini-monorepo");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const clean = { ...process.env };
    delete clean.COWABUNGA_CLI_TSX;
    delete clean.COWABUNGA_CLI_DEBUG;
    execFile(process.execPath, [file, ...args], { cwd: project, env: { ...clean, NO_COLOR: "1", ...env }, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface BundleModule {
  sourceStamp(root: string): { newest_mtime_ms: number; entries: number };
  bundleFreshness(root: string, outDir: string): { fresh: boolean; reason: string };
}
const loadScript = async (): Promise<BundleModule> => (await import(script)) as BundleModule;

const tmps: string[] = [];
const tmp = (prefix: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tmps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tmps) rmSync(dir, { recursive: true, force: true });
});

describe("scripts/bundle-cli.mjs: the bundle behaves like the sources under tsx", () => {
  // A project-shaped temp dir: <t>/package.json and <t>/dist/cli/, as the CLI reads
  // ../../package.json from its own module for --version. Everything is bundled, so no node_modules.
  let t: string;
  let out: string;
  let build: Run;
  beforeAll(async () => {
    t = tmp("cowabunga-bundle-");
    copyFileSync(path.join(project, "package.json"), path.join(t, "package.json"));
    out = path.join(t, "dist", "cli");
    build = await run(script, ["--outdir", out]);
  }, 120_000);

  it("builds main.js, lazy chunks and a stamp into --outdir", () => {
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/main\.js built in \d+ ms/);
    const stamp = JSON.parse(readFileSync(path.join(out, ".stamp"), "utf8")) as { newest_mtime_ms: number; entries: number; files: string[] };
    expect(stamp.entries).toBeGreaterThan(50);
    expect(stamp.newest_mtime_ms).toBeGreaterThan(0);
    expect(stamp.newest_mtime_ms).toBeLessThanOrEqual(Date.now() + 1000);
    expect(stamp.files).toContain("main.js");
    for (const f of stamp.files) expect(readFileSync(path.join(out, f), "utf8").length).toBeGreaterThan(0);
  });

  it("keeps the CLI's lazy imports lazy: reports, store, enrichment and cli-progress are not loaded by main.js's static imports", () => {
    const seen = new Set<string>();
    const todo = ["main.js"];
    while (todo.length > 0) {
      const f = todo.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      const text = readFileSync(path.join(out, f), "utf8");
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"\.\/([^"]+)"|^import\s*"\.\/([^"]+)"/gm)) todo.push(m[1] ?? m[2]);
    }
    const main = readFileSync(path.join(out, "main.js"), "utf8");
    const lazy = [...main.matchAll(/import\("\.\/([^"]+)"\)/g)].map((m) => m[1]);
    for (const name of ["cli-progress", "report", "file-store", "local", "http"]) {
      expect(lazy.some((f) => f.startsWith(`${name}-`))).toBe(true);
      expect([...seen].filter((f) => f.startsWith(`${name}-`))).toEqual([]);
    }
  });

  it("--version matches tsx's", async () => {
    const [b, s] = await Promise.all([run(path.join(out, "main.js"), ["--version"]), run(bin, ["--version"], { COWABUNGA_CLI_TSX: "1" })]);
    expect(b.code).toBe(0);
    expect(s.code).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8")) as { version: string };
    expect(b.stdout.trim()).toBe(pkg.version);
    expect(b.stdout).toBe(s.stdout);
  });

  it("scan --no-enrich --format json prints exactly what tsx prints", async () => {
    const args = ["scan", fixture, "--no-enrich", "--format", "json"];
    const [b, s] = await Promise.all([run(path.join(out, "main.js"), args), run(bin, args, { COWABUNGA_CLI_TSX: "1" })]);
    expect(s.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stderr).toBe(s.stderr);
    const parsed = JSON.parse(b.stdout) as { components: unknown[] };
    expect(parsed.components.length).toBeGreaterThan(0);
    expect(b.stdout).toBe(s.stdout);
  });

  it("usage errors of the script exit 2 with a message", async () => {
    const r = await run(script, ["--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown argument --bogus");
  });
});

describe("bin/cowabunga.js: bundle when fresh, tsx otherwise", () => {
  // A fake project: the real launcher and script, a src/ whose main prints "tsx", a dist/cli/main.js
  // that prints "bundle". node_modules is a link to ours (the launcher needs tsx).
  let t: string;
  let mod: BundleModule;
  const old = new Date("2024-01-01T00:00:00Z");
  const srcMain = (): string => path.join(t, "src", "cli", "main.ts");

  const freshStamp = (): void => {
    writeFileSync(path.join(t, "dist", "cli", ".stamp"), JSON.stringify({ ...mod.sourceStamp(t), files: ["main.js"] }));
  };
  const launch = (env: Record<string, string> = {}): Promise<Run> => run(path.join(t, "bin", "cowabunga.js"), ["a", "--b"], { COWABUNGA_CLI_DEBUG: "1", ...env });

  beforeAll(async () => {
    mod = await loadScript();
    t = tmp("cowabunga-launcher-");
    for (const d of ["bin", "scripts", "src/cli", "dist/cli"]) mkdirSync(path.join(t, d), { recursive: true });
    copyFileSync(bin, path.join(t, "bin", "cowabunga.js"));
    copyFileSync(script, path.join(t, "scripts", "bundle-cli.mjs"));
    writeFileSync(path.join(t, "package.json"), JSON.stringify({ name: "fake", version: "1.2.3", type: "module" }));
    symlinkSync(path.join(project, "node_modules"), path.join(t, "node_modules"), "dir");
    writeFileSync(srcMain(), 'const args: string[] = process.argv.slice(2);\nconsole.log("tsx " + args.join(" "));\n');
    writeFileSync(path.join(t, "dist", "cli", "main.js"), 'console.log("bundle " + process.argv.slice(2).join(" "));\n');
    // Everything in the past, so "newer than the stamp" is set explicitly below, never by timing.
    for (const p of [srcMain(), path.join(t, "src", "cli"), path.join(t, "src"), path.join(t, "package.json")]) utimesSync(p, old, old);
  });

  it("runs the bundle when its stamp matches src/, passing the arguments through", async () => {
    freshStamp();
    expect(mod.bundleFreshness(t, path.join(t, "dist", "cli"))).toEqual({ fresh: true, reason: "bundle is up to date" });
    const r = await launch();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("bundle a --b\n");
    expect(r.stderr).toContain("running the bundle");
  });

  it("COWABUNGA_CLI_TSX=1 forces tsx", async () => {
    freshStamp();
    const r = await launch({ COWABUNGA_CLI_TSX: "1" });
    expect(r.stdout).toBe("tsx a --b\n");
    expect(r.stderr).toContain("COWABUNGA_CLI_TSX=1");
  });

  it("falls back to tsx when a file under src/ is newer than the stamp", async () => {
    freshStamp();
    const later = new Date(old.getTime() + 60_000);
    utimesSync(srcMain(), later, later);
    try {
      const r = await launch();
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("tsx a --b\n");
      expect(r.stderr).toContain("changed after the bundle was built");
    } finally {
      utimesSync(srcMain(), old, old);
    }
  });

  it("falls back to tsx when package.json is newer than the stamp", async () => {
    freshStamp();
    const pkg = path.join(t, "package.json");
    const later = new Date(old.getTime() + 60_000);
    utimesSync(pkg, later, later);
    try {
      expect((await launch()).stdout).toBe("tsx a --b\n");
    } finally {
      utimesSync(pkg, old, old);
    }
  });

  it("falls back to tsx when a file was added to src/ even with old mtimes (entry count)", async () => {
    freshStamp();
    const extra = path.join(t, "src", "cli", "extra.ts");
    writeFileSync(extra, "export {};\n");
    for (const p of [extra, path.join(t, "src", "cli")]) utimesSync(p, old, old);
    try {
      const r = await launch();
      expect(r.stdout).toBe("tsx a --b\n");
      expect(r.stderr).toContain("added to or removed from src/");
    } finally {
      rmSync(extra);
      utimesSync(path.join(t, "src", "cli"), old, old);
    }
  });

  it("falls back to tsx when the stamp is missing or malformed, or there is no bundle", async () => {
    const stampPath = path.join(t, "dist", "cli", ".stamp");
    rmSync(stampPath, { force: true });
    let r = await launch();
    expect(r.stdout).toBe("tsx a --b\n");
    expect(r.stderr).toContain("no readable");

    writeFileSync(stampPath, "{not json");
    r = await launch();
    expect(r.stdout).toBe("tsx a --b\n");

    writeFileSync(stampPath, JSON.stringify({ entries: 3 }));
    r = await launch();
    expect(r.stdout).toBe("tsx a --b\n");
    expect(r.stderr).toContain("malformed stamp");

    freshStamp();
    const main = path.join(t, "dist", "cli", "main.js");
    const text = readFileSync(main, "utf8");
    rmSync(main);
    try {
      r = await launch();
      expect(r.stdout).toBe("tsx a --b\n");
      expect(r.stderr).toContain("no bundle at");
    } finally {
      writeFileSync(main, text);
    }
  });

  it("runs the bundle when the sources are not installed at all (nothing to be stale against)", async () => {
    writeFileSync(path.join(t, "dist", "cli", ".stamp"), JSON.stringify({ newest_mtime_ms: 1, entries: 999 }));
    const moved = path.join(t, "src-away");
    renameSync(path.join(t, "src"), moved);
    try {
      const r = await launch();
      expect(r.stdout).toBe("bundle a --b\n");
      expect(r.stderr).toContain("no src/ to compare with");
    } finally {
      renameSync(moved, path.join(t, "src"));
      utimesSync(path.join(t, "src"), old, old);
    }
  });

  it("says nothing on stderr without COWABUNGA_CLI_DEBUG", async () => {
    freshStamp();
    const r = await run(path.join(t, "bin", "cowabunga.js"), ["x"]);
    expect(r.stdout).toBe("bundle x\n");
    expect(r.stderr).toBe("");
  });
});
