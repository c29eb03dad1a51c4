import { describe, expect, it } from "vitest";
import { formatConsoleTable, renderMarkdown, sumTallies, type RepoComparison } from "../../../bench/renovate/compare.js";
import { renovateTimingFromLog } from "../../../bench/renovate/paths.js";
import { maxRssFromTimeV, median } from "../../../bench/scan.js";
import { compareExtractions, type OurDependency, type PeerDependency } from "../../../bench/renovate/diff.js";

const peer: PeerDependency[] = [
  {
    manager: "npm",
    renovate_manager: "npm",
    file: "a/package.json",
    name: "evil|name\nnext",
    package_name: null,
    dep_type: "dependencies",
    current_value: "^1.0.0",
    current_digest: null,
    locked_version: null,
    skip_reason: null,
    datasource: "npm",
  },
  {
    manager: "github-actions",
    renovate_manager: "github-actions",
    file: ".github/workflows/ci.yml",
    name: "ubuntu",
    package_name: "ubuntu",
    dep_type: "github-runner",
    current_value: "latest",
    current_digest: null,
    locked_version: null,
    skip_reason: null,
    datasource: "github-runners",
  },
];
const mine: OurDependency[] = [
  { name: "lodash", package_manager: "npm", file: "a/package.json", line: 3, dependency_type: "prod", current_value: "^4", skip_reason: null, digest: null },
];

function comparison(): RepoComparison {
  return { repo: "r1", result: compareExtractions(peer, mine), renovate_files: ["a/package.json", ".github/workflows/ci.yml"], scan_warnings: 0, renovate_warnings: [] };
}

describe("renderMarkdown", () => {
  it("renders tables and an explained row for every difference, escaping hostile names", () => {
    const md = renderMarkdown([comparison()], { renovate_version: "44.0.0", generated_at: "2026-01-01" });
    expect(md).toContain("Renovate 44.0.0");
    expect(md).toContain("## To fix in our scan (1 missed, 1 extra to check)");
    expect(md).toMatch(/- missed: r1 `a\/package\.json`: `evil\\\|name next`/);
    expect(md).toContain("| npm | 1 | 1 | 0 | 1 | 1 | 0 |");
    expect(md).toContain("`evil\\|name next`");
    expect(md).not.toMatch(/evil\|name\nnext/);
    expect(md).toMatch(/by design \(1\)[\s\S]*`ubuntu`[\s\S]*runs-on/);
    expect(md).toMatch(/Extra in our scan \(1\)[\s\S]*`lodash`[\s\S]*\*\*check\*\*/);
  });
});

describe("tallies and console table", () => {
  it("sums per manager across repositories", () => {
    const t = comparison().result.tallies;
    const sum = sumTallies([t, t]);
    expect(sum.find((x) => x.manager === "npm")).toMatchObject({ renovate: 2, ours: 2, missed: 2, extra: 2 });
    const text = formatConsoleTable("r1", t);
    expect(text.split("\n")[0]).toBe("r1");
    expect(text).toMatch(/^npm\s+1\s+1\s+0\s+1\s+1\s+0$/m);
  });
});

describe("timing helpers", () => {
  it("reads Renovate's own extract split from a JSON log", () => {
    const log = [
      '{"msg":"Renovate started","renovateVersion":"44.1.0"}',
      "not json at all",
      '{"managers":{"npm":12},"msg":"manager extract durations (ms)"}',
      '{"splits":{"init":90,"extract":210,"lookup":0},"total":300,"msg":"Repository timing splits (milliseconds)"}',
    ].join("\n");
    expect(renovateTimingFromLog(log)).toEqual({ extract_ms: 210, total_ms: 300, manager_ms: { npm: 12 } });
    expect(renovateTimingFromLog("{}")).toBeNull();
  });

  it("reads peak RSS from /usr/bin/time -v output and takes medians", () => {
    expect(maxRssFromTimeV("\tMaximum resident set size (kbytes): 438996\n")).toBe(438996);
    expect(maxRssFromTimeV("nothing")).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe("benchmark section", () => {
  it("renders the scan benchmark when given, with both the total and the startup-excluded ratio", () => {
    const md = renderMarkdown([comparison()], {
      renovate_version: "44.0.0",
      generated_at: "2026-01-01",
      bench: [{
        generated_at: "2026-01-01T10:00:00.000Z",
        node: "v20.0.0",
        iterations: 5,
        renovate_iterations: 3,
        warm: 5,
        per_repo: [
          { repo: "r1", deps: 10, ourCold: 12.5, renWall: 1800, renExtract: 200, ourProcess: 90, processRatio: 20 },
          { repo: "r2", deps: 3, ourCold: 5, renWall: 1500, renExtract: 100 },
        ],
        ours: { load_ms: 300, cold_total_ms: 12.5, warm_total_ms: 5, process_wall_ms: 600, max_rss_kb: 100 * 1024 },
        renovate: { process_wall_ms: 1800, extract_ms: 200, max_rss_kb: 400 * 1024 },
        ratio: { total: 3, extraction_only_cold: 16, extraction_only_warm: 40 },
        goals: { speedup: 20, rss_mb: 200, speed_met: false, rss_met: true },
      }],
    });
    expect(md).toContain("### Ours run with tsx");
    expect(md).toContain("| r1 | 10 | 12.5 ms | 90.0 ms | 1.80 s | 20.0× | 200.0 ms |");
    // A summary written before the whole-process column existed still renders.
    expect(md).toContain("| r2 | 3 | 5.0 ms | n/a | 1.50 s | n/a | 100.0 ms |");
    expect(md).toMatch(/process start included[^\n]*\| 600\.0 ms \| 1\.80 s \| 3\.0× \|/);
    expect(md).toMatch(/extraction only, cold[^\n]*\| 16\.0× \|/);
    expect(md).toContain("| peak RSS (ours: whole corpus in one process) | 100 MB | 400 MB | |");
    expect(md).toContain("≥ 20× faster than Renovate, whole process (corpus total): **not met**");
  });
});
