/**
 * Peer comparison: our extraction against Renovate's, per corpus repository and per manager.
 *
 *   npm run bench:compare                 # reads bench/.out/renovate-<repo>.json, writes docs/peer-comparison.md
 *   npm run bench:compare -- --run        # runs bench/renovate/run-renovate.sh first
 *   npm run bench:compare -- --no-write   # print only
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ScanResult } from "../../src/scan/types.js";
import {
  compareExtractions,
  explainExtra,
  explainMissed,
  explainValueDifference,
  extraContext,
  parseRenovateReport,
  type ComparisonResult,
  type ManagerTally,
} from "./diff.js";
import {
  CORPUS_DIR,
  OUT_DIR,
  PROJECT_DIR,
  RUN_RENOVATE,
  corpusRepos,
  loadOurScanner,
  renovateReportPath,
  renovateVersionFromLog,
} from "./paths.js";

/** A line of a corpus file (for explanations that depend on how a line is written); undefined when unreadable. */
export function corpusLine(repo: string): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    let lines = cache.get(file);
    if (lines === undefined) {
      try {
        lines = readFileSync(path.join(CORPUS_DIR, "repos", repo, file), "utf8").split(/\r?\n/);
      } catch {
        lines = null;
      }
      cache.set(file, lines);
    }
    return lines?.[line - 1];
  };
}

export interface RepoComparison {
  repo: string;
  result: ComparisonResult;
  renovate_files: string[];
  scan_warnings: number;
  renovate_warnings: string[];
}

const TALLY_HEADER = "| manager | Renovate | ours | found | missed | extra | value differs |";
const TALLY_RULE = "| --- | ---: | ---: | ---: | ---: | ---: | ---: |";

function tallyRow(t: ManagerTally): string {
  return `| ${t.manager} | ${t.renovate} | ${t.ours} | ${t.found} | ${t.missed} | ${t.extra} | ${t.value_differs} |`;
}

export function sumTallies(list: readonly ManagerTally[][]): ManagerTally[] {
  const by = new Map<string, ManagerTally>();
  for (const tallies of list) {
    for (const t of tallies) {
      const cur = by.get(t.manager);
      if (!cur) by.set(t.manager, { ...t });
      else {
        cur.renovate += t.renovate;
        cur.ours += t.ours;
        cur.found += t.found;
        cur.missed += t.missed;
        cur.extra += t.extra;
        cur.value_differs += t.value_differs;
      }
    }
  }
  return [...by.values()];
}

function totalRow(tallies: readonly ManagerTally[]): string {
  const s = (k: keyof Omit<ManagerTally, "manager">): number => tallies.reduce((a, t) => a + t[k], 0);
  return `| **all** | ${s("renovate")} | ${s("ours")} | ${s("found")} | ${s("missed")} | ${s("extra")} | ${s("value_differs")} |`;
}

/** Markdown cell: no pipes or newlines from hostile manifest strings. */
function cell(s: string | null | undefined): string {
  if (s === null || s === undefined || s === "") return "";
  return "`" + s.replace(/[|\r\n`]/g, (c) => (c === "|" ? "\\|" : " ")) + "`";
}

export function formatConsoleTable(repo: string, tallies: readonly ManagerTally[]): string {
  const cols = ["manager", "renovate", "ours", "found", "missed", "extra", "value≠"];
  const rows = tallies.map((t) => [t.manager, t.renovate, t.ours, t.found, t.missed, t.extra, t.value_differs].map(String));
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  return [`${repo}`, line(cols), ...rows.map(line)].join("\n");
}

/** What bench/scan.ts writes to bench/.out/scan-bench.json, as far as the report reads it. */
export interface ScanBenchSummary {
  generated_at: string;
  node: string;
  /** "tsx" (as the project runs today) or "esbuild bundle" (as a compiled build would run). */
  runner?: string;
  /** One-minute load average of the machine before and after the run. */
  load_average?: { before: number; after: number };
  iterations: number;
  renovate_iterations: number;
  warm: number;
  per_repo: Array<{ repo: string; deps: number; ourCold: number; renWall: number; renExtract: number; ourProcess?: number; processRatio?: number }>;
  ours: { load_ms: number; cold_total_ms: number; warm_total_ms: number; process_wall_ms: number; max_rss_kb: number; per_repo_process_max_rss_kb?: number };
  renovate: { process_wall_ms: number; extract_ms: number; max_rss_kb: number | null };
  ratio: { total: number; extraction_only_cold: number; extraction_only_warm: number; per_repo_process_worst?: number };
  goals: { speedup: number; rss_mb: number; speed_met: boolean; rss_met: boolean };
}

export interface MarkdownMeta {
  renovate_version: string | null;
  generated_at: string;
  /** bench/scan.ts results, one per runner (tsx, esbuild bundle). */
  bench?: ScanBenchSummary[];
}

function benchSection(b: ScanBenchSummary, first: boolean): string[] {
  const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
  const mb = (kb: number | null): string => (kb === null ? "n/a" : `${(kb / 1024).toFixed(0)} MB`);
  const x = (r: number): string => `${r.toFixed(1)}×`;
  return [
    ...(first ? ["## Scan benchmark (`npm run bench:scan`)", ""] : []),
    `### Ours run with ${b.runner ?? "tsx"}${b.runner === "esbuild bundle" ? " (`npm run bench:scan -- --bundle`)" : ""}`,
    "",
    `Measured ${b.generated_at.slice(0, 16).replace("T", " ")} UTC on this workplace's 2-core machine (Node ${b.node} for ours, ` +
      `Node 24 for Renovate)` +
      (b.load_average
        ? `, one-minute load average ${b.load_average.before.toFixed(1)} before and ${b.load_average.after.toFixed(1)} after`
        : "") +
      ". Other work may share the machine: read the figures as orders of magnitude. " +
      `Ours: ${b.iterations} fresh processes, each scanning the whole corpus once (cold) then ${b.warm} more times (warm). ` +
      `Renovate: ${b.renovate_iterations} runs per repository. Medians; peak RSS is the maximum over runs.`,
    "",
    "| repository | our deps | ours, cold scan | ours, whole process | Renovate, whole process | Renovate ÷ ours, whole process | Renovate, extract phase |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...b.per_repo.map(
      (r) =>
        `| ${r.repo} | ${r.deps} | ${ms(r.ourCold)} | ${r.ourProcess === undefined ? "n/a" : ms(r.ourProcess)} | ${ms(r.renWall)} | ${r.processRatio === undefined ? "n/a" : x(r.processRatio)} | ${ms(r.renExtract)} |`,
    ),
    "",
    "| whole corpus | ours | Renovate | Renovate ÷ ours |",
    "| --- | ---: | ---: | ---: |",
    `| total wall time, process start included (ours: one process for the corpus, to the end of its cold pass; Renovate: one per repository) | ${ms(b.ours.process_wall_ms)} | ${ms(b.renovate.process_wall_ms)} | ${x(b.ratio.total)} |`,
    `| extraction only, cold (ours: after module load; Renovate: its "extract" timing split) | ${ms(b.ours.cold_total_ms)} | ${ms(b.renovate.extract_ms)} | ${x(b.ratio.extraction_only_cold)} |`,
    `| extraction only, warm (ours: repeated in one process) | ${ms(b.ours.warm_total_ms)} | ${ms(b.renovate.extract_ms)} | ${x(b.ratio.extraction_only_warm)} |`,
    `| our module load (in the total, not in extraction) | ${ms(b.ours.load_ms)} | | |`,
    `| peak RSS (ours: whole corpus in one process) | ${mb(b.ours.max_rss_kb)} | ${mb(b.renovate.max_rss_kb)} | |`,
    ...(b.ours.per_repo_process_max_rss_kb !== undefined ? [`| peak RSS, one repository per process (ours) | ${mb(b.ours.per_repo_process_max_rss_kb)} | ${mb(b.renovate.max_rss_kb)} | |`] : []),
    "",
    `Goal ≥ ${b.goals.speedup}× faster than Renovate, whole process (corpus total${b.ratio.per_repo_process_worst !== undefined ? ` and every repository; worst ${b.ratio.per_repo_process_worst.toFixed(1)}×` : ""}): **${b.goals.speed_met ? "met" : "not met"}**. ` +
      `Goal peak RSS < ${b.goals.rss_mb} MB: **${b.goals.rss_met ? "met" : "not met"}**.`,
    "",
    "Renovate's extract phase is measured by Renovate itself and excludes its ~1.5 s of process start, module loading and " +
      "config resolution; it includes listing files with git and reading them, as our cold scan includes listing and reading through " +
      "LocalSource. " +
      (b.runner === "esbuild bundle"
        ? "Here our code runs as one bundled ES module, as a compiled build would: no transpiling at load."
        : "Our total is run under tsx (TypeScript transpiled at load), as the project runs today; see the bundled run for a compiled build.") +
      " Renovate's local platform handles one repository per process, so its total adds one start-up per repository; ours scans " +
      "the corpus in one process (the `cowabunga scan` CLI would pay one start-up per repository too).",
    "",
  ];
}

/** The whole docs/peer-comparison.md, generated from the comparison so that it never goes stale. */
export function renderMarkdown(comparisons: readonly RepoComparison[], meta: MarkdownMeta): string {
  const out: string[] = [];
  const all = sumTallies(comparisons.map((c) => c.result.tallies));
  out.push("# Peer comparison: our scan against Renovate's extraction", "");
  out.push(
    `Generated by \`npm run bench:compare\` (bench/renovate/compare.ts) on ${meta.generated_at}, ` +
      `against Renovate ${meta.renovate_version ?? "(version unknown)"} run by \`bench/renovate/run-renovate.sh\`. ` +
      "Do not edit by hand: edit the explanations in bench/renovate/diff.ts and run the script again.",
    "",
  );
  out.push("## How it was measured", "");
  out.push(
    "- Renovate runs outside the project (installed in `$PEER_DIR`, default /work/peer, with the `node@24` npm package's Node 24), " +
      "on a committed temporary copy of each corpus repository, with `--platform=local`, `--dry-run=extract` " +
      "(no lookups: its HTTP statistics show 0 requests), `onboarding=false`, `requireConfig=optional` and " +
      "`enabledManagers` = npm, nvm, nodenv, pip_requirements, pep621, poetry, pipenv, pyenv, cargo, gomod, dockerfile, " +
      "docker-compose, github-actions, helmv3, helm-values. Its JSON report (`--report-type=file`) gives `packageFiles`.",
    "- Renovate has no zarf or uds manager: our zarf/uds dependencies are counted apart and not compared.",
    "- Renovate's manager names are mapped to ours: npm, nvm, nodenv→npm; pip_requirements, pep621, poetry, pipenv, pyenv→pip; " +
      "cargo→cargo; gomod→go; dockerfile, docker-compose→docker; github-actions→github-actions; helmv3, helm-values→helm.",
    "- A dependency is keyed by (manager, file, name). Names are normalized: pip by PEP 503 (extras dropped); docker " +
      "without tag, digest, `docker.io/` and `library/`; actions as `owner/repo` (Renovate names `github/codeql-action/upload-sarif` " +
      "by its repository). Keys are a multiset: a name declared twice in a file needs two on each side; equal values pair first.",
    "- Leftovers are paired again on (file, name) across managers (a workflow's `container:` image may be docker for one tool and " +
      "github-actions for the other), on `packageManager` (Renovate: `yarn`; ours: `@yarnpkg/cli-dist`, the package yarn 2+ is " +
      "published as) and on Renovate's `packageName` (a renamed Cargo dependency, a pnpm override selector such as `protobufjs@8`).",
    "- pnpm catalogs: Renovate lists each package.json `catalog:` reference (skipped, `unspecified-version`) and each catalog entry " +
      "in pnpm-workspace.yaml. We report a reference at its catalog entry (file and line of the entry, component of the package), " +
      "recording the package.json line in `declared_by`; a reference pairs with the dependency that records it.",
    "- *found*: on both sides; *missed*: Renovate has it, we do not; *extra*: we have it, Renovate does not; " +
      "*value differs*: found, but the declared value (whitespace ignored) is not the same.",
    "- In the LeapfrogAI and CowabungaAI repositories Renovate's `poetry` manager reads the PEP 621 `[project]` tables and " +
      "supersedes `pep621` on the same files, so their Python dependencies appear under `poetry` (and `requires-python` is not " +
      "reported); the uv project (full-stack-fastapi-template) goes through `pep621`. No requirements file or Pipfile is in the " +
      "corpus, so those pip formats have nothing to compare.",
    "",
  );

  out.push("## Summary (all corpus repositories)", "", TALLY_HEADER, TALLY_RULE, ...all.map(tallyRow), totalRow(all), "");
  const oursOnly = comparisons.flatMap((c) => c.result.ours_only_managers);
  if (oursOnly.length) {
    const byMgr = new Map<string, number>();
    for (const d of oursOnly) byMgr.set(d.package_manager, (byMgr.get(d.package_manager) ?? 0) + 1);
    out.push(
      "Dependencies in managers Renovate does not have (not compared): " +
        [...byMgr].map(([m, n]) => `${m} ${n}`).join(", ") +
        ".",
      "",
    );
  }

  const allGaps = comparisons.flatMap((c) =>
    c.result.missed.filter((p) => explainMissed(p).kind === "gap").map((p) => ({ repo: c.repo, p })),
  );
  const allChecks = comparisons.flatMap((c) => {
    const ctx = { ...extraContext(c.result, c.result.pairs.map((x) => x.peer).concat(c.result.missed)), line_text: corpusLine(c.repo) };
    return c.result.extra.filter((o) => explainExtra(o, ctx).kind === "gap").map((o) => ({ repo: c.repo, o }));
  });
  out.push(`## To fix in our scan (${allGaps.length} missed, ${allChecks.length} extra to check)`, "");
  if (!allGaps.length && !allChecks.length) out.push("Nothing: every difference below is explained as deliberate or as Renovate's.", "");
  for (const { repo, p } of allGaps)
    out.push(
      `- missed: ${repo} ${cell(p.file)}: ${cell(p.name)} (Renovate ${p.renovate_manager}, depType ${cell(p.dep_type)}, currentValue ${cell(p.current_value) || "none"})`,
    );
  for (const { repo, o } of allChecks)
    out.push(`- extra, check: ${repo} ${cell(o.file + (o.line ? `:${o.line}` : ""))}: ${cell(o.name)} (${o.package_manager}, ${cell(o.current_value) || "no value"})`);
  if (allGaps.length || allChecks.length) out.push("");

  (meta.bench ?? []).forEach((b, i) => out.push(...benchSection(b, i === 0)));

  for (const c of comparisons) {
    out.push(`## ${c.repo}`, "", TALLY_HEADER, TALLY_RULE, ...c.result.tallies.map(tallyRow), totalRow(c.result.tallies), "");
    if (c.renovate_warnings.length) out.push(...c.renovate_warnings.map((w) => `- ${w}`), "");

    const missed = c.result.missed.map((p) => ({ p, e: explainMissed(p) }));
    const gaps = missed.filter((m) => m.e.kind === "gap");
    const byDesign = missed.filter((m) => m.e.kind !== "gap");
    out.push(`### Missed by our scan: to fix (${gaps.length})`, "");
    if (gaps.length) {
      out.push("| file | dependency | Renovate manager | depType | currentValue | why |", "| --- | --- | --- | --- | --- | --- |");
      for (const { p, e } of gaps)
        out.push(
          `| ${cell(p.file)} | ${cell(p.name)} | ${p.renovate_manager} | ${cell(p.dep_type)} | ${cell(p.current_value ?? (p.current_digest ? "@" + p.current_digest : null))} | ${e.reason} |`,
        );
    } else out.push("None.");
    out.push("");
    out.push(`### Missed by our scan: by design (${byDesign.length})`, "");
    if (byDesign.length) {
      out.push("| file | dependency | depType | currentValue | why |", "| --- | --- | --- | --- | --- |");
      for (const { p, e } of byDesign)
        out.push(`| ${cell(p.file)} | ${cell(p.name)} | ${cell(p.dep_type)} | ${cell(p.current_value)} | ${e.reason} |`);
    } else out.push("None.");
    out.push("");

    const ctx = { ...extraContext(c.result, c.result.pairs.map((x) => x.peer).concat(c.result.missed)), line_text: corpusLine(c.repo) };
    const extras = c.result.extra.map((o) => ({ o, e: explainExtra(o, ctx) }));
    out.push(`### Extra in our scan (${extras.length})`, "");
    if (extras.length) {
      out.push("| file:line | dependency | manager | type | value | skip reason | why |", "| --- | --- | --- | --- | --- | --- | --- |");
      for (const { o, e } of extras)
        out.push(
          `| ${cell(o.file + (o.line ? `:${o.line}` : ""))} | ${cell(o.name)} | ${o.package_manager} | ${o.dependency_type} | ${cell(o.current_value)} | ${cell(o.skip_reason)} | ${e.kind === "gap" ? "**check**: " : ""}${e.reason} |`,
        );
    } else out.push("None.");
    out.push("");

    const differing = c.result.pairs.filter((x) => !x.value_agrees);
    out.push(`### Found, but the value differs (${differing.length})`, "");
    if (differing.length) {
      out.push(
        "| file | dependency | Renovate currentValue | our current_value | Renovate skipReason | our skip_reason | why |",
        "| --- | --- | --- | --- | --- | --- | --- |",
      );
      for (const x of differing) {
        const e = explainValueDifference(x);
        out.push(
          `| ${cell(x.peer.file)} | ${cell(x.peer.name)} | ${cell(x.peer.current_value ?? (x.peer.current_digest ? "@" + x.peer.current_digest : null))} | ${cell(x.ours.current_value)} | ${cell(x.peer.skip_reason)} | ${cell(x.ours.skip_reason)} | ${e.kind === "gap" ? "**check**: " : ""}${e.reason} |`,
        );
      }
    } else out.push("None.");
    out.push("");

    const crossed = c.result.pairs.filter((x) => x.via !== "key");
    if (crossed.length) {
      out.push(`### Found under another manager or name (${crossed.length})`, "");
      out.push("| file | Renovate (manager, name) | ours (manager, name) |", "| --- | --- | --- |");
      for (const x of crossed)
        out.push(
          `| ${cell(x.peer.file)} | ${x.peer.renovate_manager}, ${cell(x.peer.name)} | ${x.ours.package_manager}, ${cell(x.ours.name)} |`,
        );
      out.push("");
    }
  }
  return out.join("\n");
}

export async function compareRepo(repo: string, scan: (dir: string) => Promise<ScanResult>): Promise<RepoComparison> {
  const reportPath = renovateReportPath(repo);
  if (!existsSync(reportPath))
    throw new Error(`${reportPath} is missing: run \`bash bench/renovate/run-renovate.sh\` (or pass --run)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(reportPath, "utf8"));
  } catch (err) {
    throw new Error(`${reportPath}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const peer = parseRenovateReport(json, path.relative(PROJECT_DIR, reportPath));
  const ours = await scan(path.join(CORPUS_DIR, "repos", repo));
  const result = compareExtractions(peer.deps, ours.dependencies);
  return {
    repo,
    result,
    renovate_files: [...new Set(peer.deps.map((d) => d.file))],
    scan_warnings: ours.warnings.length,
    renovate_warnings: [
      ...peer.warnings,
      ...peer.unmapped_managers.map((m) => `Renovate manager ${m} has no counterpart here; its dependencies are ignored.`),
    ],
  };
}

async function main(argv: string[]): Promise<number> {
  const run = argv.includes("--run");
  const write = !argv.includes("--no-write");
  const repos = argv.filter((a) => !a.startsWith("--"));
  let names: string[];
  try {
    names = repos.length ? repos : corpusRepos();
  } catch (err) {
    console.error(`bench:compare: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  if (run) {
    const r = spawnSync("bash", [RUN_RENOVATE, ...names], { stdio: "inherit" });
    if (r.status !== 0) {
      console.error(`bench:compare: run-renovate.sh failed (exit ${r.status ?? r.signal})`);
      return 1;
    }
  }
  let scan: (dir: string) => Promise<ScanResult>;
  try {
    scan = await loadOurScanner();
  } catch (err) {
    console.error(`bench:compare: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const comparisons: RepoComparison[] = [];
  for (const repo of names) {
    try {
      const c = await compareRepo(repo, scan);
      comparisons.push(c);
      console.log(formatConsoleTable(repo, c.result.tallies));
      console.log(
        `  missed: ${c.result.missed.length} (${c.result.missed.filter((p) => explainMissed(p).kind === "gap").length} to fix), extra: ${c.result.extra.length}, not compared (zarf/uds): ${c.result.ours_only_managers.length}, scan warnings: ${c.scan_warnings}\n`,
      );
    } catch (err) {
      console.error(`bench:compare: ${repo}: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
  }
  console.log(formatConsoleTable("all repositories", sumTallies(comparisons.map((c) => c.result.tallies))));
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path.join(OUT_DIR, "compare.json"), JSON.stringify(comparisons, null, 2));
  if (write) {
    const bench: ScanBenchSummary[] = [];
    for (const name of ["scan-bench.json", "scan-bench-bundle.json"]) {
      const benchPath = path.join(OUT_DIR, name);
      if (!existsSync(benchPath)) {
        console.warn(`bench:compare: no ${path.relative(PROJECT_DIR, benchPath)}; run \`npm run bench:scan\` (and with --bundle) to add the benchmark`);
        continue;
      }
      try {
        bench.push(JSON.parse(readFileSync(benchPath, "utf8")) as ScanBenchSummary);
      } catch (err) {
        console.warn(`bench:compare: ignoring ${benchPath}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const md = renderMarkdown(comparisons, {
      renovate_version: renovateVersionFromLog(names[0]),
      generated_at: new Date().toISOString().slice(0, 10),
      bench,
    });
    const target = path.join(PROJECT_DIR, "docs", "peer-comparison.md");
    writeFileSync(target, md + "\n");
    console.log(`\nwrote ${path.relative(PROJECT_DIR, target)} and ${path.relative(PROJECT_DIR, path.join(OUT_DIR, "compare.json"))}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
