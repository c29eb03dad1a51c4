#!/usr/bin/env node
/* global process, console, performance */
// Bundles the CLI (src/cli/main.ts) with esbuild into dist/cli/, so `cowabunga` starts without
// transpiling TypeScript at every run. bin/cowabunga.js runs the bundle only while it is fresh
// (see sourceStamp below), and falls back to tsx otherwise.
//
//   node scripts/bundle-cli.mjs                 # -> dist/cli/main.js (+ lazy chunks) and dist/cli/.stamp
//   node scripts/bundle-cli.mjs --outdir DIR    # somewhere else (the tests build into a temp dir)
//   node scripts/bundle-cli.mjs --external      # keep node_modules packages out of the bundle (measurement)
//
// Run by `npm run bundle` and by npm's `prepare` (npm ci / npm install in a clone). A missing esbuild
// (it comes with tsx) or, under `prepare`, a failed build only warns and exits 0: the CLI still runs
// through tsx, and an install must not fail for an optimisation.
import { existsSync, readdirSync, statSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const STAMP_FILE = ".stamp";

/**
 * The state of the sources a bundle is built from: the newest mtime (ms) among `src/` (every file
 * AND directory, so an added, removed or renamed file counts through its folder's mtime) and
 * package.json, and how many entries `src/` has. Symlinks are not followed.
 * @param {string} root project directory
 * @returns {{ newest_mtime_ms: number, entries: number }}
 */
export function sourceStamp(root) {
  let newest = 0;
  let entries = 0;
  const visit = (dir) => {
    const st = statSync(dir);
    if (st.mtimeMs > newest) newest = st.mtimeMs;
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      entries++;
      if (ent.isDirectory()) visit(p);
      else {
        const m = statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;
        if (m > newest) newest = m;
      }
    }
  };
  try {
    visit(path.join(root, "src"));
  } catch {
    // no src/ (an installed package without sources): nothing to be stale against
  }
  const pkg = statSync(path.join(root, "package.json"), { throwIfNoEntry: false });
  if (pkg && pkg.mtimeMs > newest) newest = pkg.mtimeMs;
  return { newest_mtime_ms: newest, entries };
}

/**
 * Whether the bundle in `outDir` was built from the sources `root` has now: its stamp exists, no
 * entry of src/ (or package.json) is newer, and src/ has as many entries as at build time.
 * @param {string} root
 * @param {string} outDir
 * @returns {{ fresh: boolean, reason: string }}
 */
export function bundleFreshness(root, outDir) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(outDir, STAMP_FILE), "utf8"));
  } catch {
    return { fresh: false, reason: `no readable ${path.join(outDir, STAMP_FILE)}` };
  }
  if (typeof stamp?.newest_mtime_ms !== "number") return { fresh: false, reason: "malformed stamp" };
  // Installed without its sources: the bundle is all there is, tsx would have nothing to run.
  if (!existsSync(path.join(root, "src", "cli", "main.ts"))) return { fresh: true, reason: "no src/ to compare with" };
  const now = sourceStamp(root);
  if (now.newest_mtime_ms > stamp.newest_mtime_ms) return { fresh: false, reason: "src/ or package.json changed after the bundle was built" };
  if (now.entries !== stamp.entries) return { fresh: false, reason: "files were added to or removed from src/ after the bundle was built" };
  return { fresh: true, reason: "bundle is up to date" };
}

/** Remove the stamp, then main.js and the chunks the previous build listed in it. @param {string} outDir */
function removePrevious(outDir) {
  const stampPath = path.join(outDir, STAMP_FILE);
  let previous = [];
  try {
    const files = JSON.parse(readFileSync(stampPath, "utf8")).files;
    if (Array.isArray(files)) previous = files.filter((f) => typeof f === "string" && !f.includes("/") && !f.includes("\\") && f.endsWith(".js"));
  } catch {
    // no previous build here
  }
  rmSync(stampPath, { force: true });
  for (const f of new Set(["main.js", ...previous])) rmSync(path.join(outDir, f), { force: true });
}

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { outDir: path.join(PROJECT, "dist", "cli"), external: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--outdir" && argv[i + 1]) opts.outDir = path.resolve(argv[++i]);
    else if (a.startsWith("--outdir=")) opts.outDir = path.resolve(a.slice("--outdir=".length));
    else if (a === "--external") opts.external = true;
    else throw new Error(`unknown argument ${a} (expected --outdir DIR, --external)`);
  }
  return opts;
}

/**
 * Build the bundle. Resolves to the output directory, or null when esbuild is not installed.
 * @param {{ outDir?: string, external?: boolean, root?: string }} [options]
 * @returns {Promise<string | null>}
 */
export async function bundleCli(options = {}) {
  const root = options.root ?? PROJECT;
  const outDir = options.outDir ?? path.join(root, "dist", "cli");
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    return null;
  }
  // Taken BEFORE the build: a file edited while esbuild reads makes the bundle stale, never the reverse.
  const stamp = sourceStamp(root);
  // Only what this script wrote last time is removed (never the whole --outdir); the stamp goes
  // first, so a launcher starting during the build falls back to tsx, not to a half-written bundle.
  removePrevious(outDir);
  mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: path.join(root, "src", "cli", "main.ts") },
    outdir: outDir,
    bundle: true,
    // Keeps the CLI's `await import()` (enrichment, reports, store, cli-progress) in lazy chunks.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: options.external ? "external" : undefined,
    // Chunks sit next to main.js: code reading `new URL("../../package.json", import.meta.url)`
    // (the CLI's --version) must be at the same depth as src/cli/ is.
    metafile: true,
    // Bundled CommonJS dependencies call require() for Node built-ins; ESM output has none.
    banner: { js: 'import { createRequire as __cowabungaCreateRequire } from "node:module"; const require = __cowabungaCreateRequire(import.meta.url);' },
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  });
  const files = Object.keys(result.metafile.outputs).map((f) => path.relative(outDir, path.resolve(root, f)));
  writeFileSync(
    path.join(outDir, STAMP_FILE),
    JSON.stringify({ ...stamp, built_at: new Date().toISOString(), external: Boolean(options.external), files }) + "\n",
  );
  return outDir;
}

async function main() {
  const lifecycle = process.env.npm_lifecycle_event;
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bundle-cli: ${err.message}`);
    return 2;
  }
  const t0 = performance.now();
  try {
    const out = await bundleCli(opts);
    if (out === null) {
      console.warn("bundle-cli: esbuild is not installed (it comes with tsx); skipped. `cowabunga` runs through tsx.");
      return 0;
    }
    console.log(`bundle-cli: ${path.relative(process.cwd(), path.join(out, "main.js")) || out} built in ${Math.round(performance.now() - t0)} ms`);
    return 0;
  } catch (err) {
    console.error(`bundle-cli: the build failed: ${err instanceof Error ? err.message : String(err)}`);
    if (lifecycle === "prepare") {
      console.warn("bundle-cli: continuing the install without a bundle; `cowabunga` runs through tsx.");
      return 0;
    }
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
