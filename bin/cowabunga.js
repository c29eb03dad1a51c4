#!/usr/bin/env node
// Launcher of the `cowabunga` command.
// - Runs the esbuild bundle dist/cli/main.js (built by `npm run bundle`, and by npm's `prepare` on
//   npm ci / npm install) when it exists and is fresh: nothing under src/ (nor package.json) changed
//   since it was built (dist/cli/.stamp; see scripts/bundle-cli.mjs). Starts ~2-3x faster.
// - Otherwise runs the TypeScript sources through tsx's ESM loader, so a developer editing src/ (and
//   the tests that spawn this file) never run a stale bundle, and no build step is ever required.
// COWABUNGA_CLI_TSX=1 forces tsx; COWABUNGA_CLI_DEBUG=1 tells on stderr which one runs and why.
/* global process */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "cli", "main.js");
const debug = process.env.COWABUNGA_CLI_DEBUG === "1";

async function pick() {
  if (process.env.COWABUNGA_CLI_TSX === "1") return { bundle: false, reason: "COWABUNGA_CLI_TSX=1" };
  if (!existsSync(bundle)) return { bundle: false, reason: `no bundle at ${bundle} (npm run bundle builds it)` };
  try {
    const { bundleFreshness } = await import("../scripts/bundle-cli.mjs");
    const f = bundleFreshness(root, dirname(bundle));
    return { bundle: f.fresh, reason: f.reason };
  } catch (err) {
    return { bundle: false, reason: `freshness check failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

const choice = await pick();
if (choice.bundle) {
  if (debug) process.stderr.write(`cowabunga: running the bundle ${bundle} (${choice.reason})\n`);
  await import(pathToFileURL(bundle).href);
} else {
  if (debug) process.stderr.write(`cowabunga: running src/ through tsx (${choice.reason})\n`);
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "src", "cli", "main.ts")).href);
}
