#!/usr/bin/env node
/* global process, console */
// `npm run test:mutation -- src/assess/risk.ts [src/enrich/advisories ...]`
// Runs Stryker on the given files or folders (their TypeScript sources, tests excluded) with the tests
// related to them, at concurrency 2, and prints the mutation score per file and in total.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

// Options (`--incremental`, `--concurrency 1`, ...) go to Stryker as they are; the rest are paths.
const argv = process.argv.slice(2).filter((a) => a !== "--");
const args = [];
const strykerOptions = [];
for (let i = 0; i < argv.length; i++) {
  if (!argv[i].startsWith("--")) args.push(argv[i]);
  else {
    strykerOptions.push(argv[i]);
    if (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") && !fs.existsSync(argv[i + 1])) strykerOptions.push(argv[++i]);
  }
}
if (args.length === 0) {
  console.error("usage: npm run test:mutation -- <file or folder under src/> [...]");
  process.exit(2);
}
const mutate = [];
for (const arg of args) {
  const abs = path.resolve(arg);
  if (!fs.existsSync(abs)) {
    console.error(`test:mutation: ${arg} does not exist`);
    process.exit(2);
  }
  const rel = path.relative(process.cwd(), abs).split(path.sep).join("/");
  mutate.push(fs.statSync(abs).isDirectory() ? `${rel}/**/*.ts` : rel);
}
const res = spawnSync(
  process.execPath,
  [path.resolve("node_modules/@stryker-mutator/core/bin/stryker.js"), "run", "stryker.config.mjs", "--mutate", mutate.join(","), ...strykerOptions],
  { stdio: "inherit" },
);
if (res.status !== 0) process.exit(res.status ?? 1);

const report = JSON.parse(fs.readFileSync("reports/mutation/mutation.json", "utf8"));
let killed = 0;
let total = 0;
console.log("\nmutation score (killed + timeout) / (all − ignored − compile errors):");
for (const [file, { mutants }] of Object.entries(report.files)) {
  const counted = mutants.filter((m) => !["Ignored", "CompileError", "RuntimeError"].includes(m.status));
  const k = counted.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
  killed += k;
  total += counted.length;
  const score = counted.length ? ((100 * k) / counted.length).toFixed(1) : "n/a";
  console.log(`  ${file}: ${score}% (${k}/${counted.length})`);
}
console.log(`  total: ${total ? ((100 * killed) / total).toFixed(1) : "n/a"}% (${killed}/${total})`);
