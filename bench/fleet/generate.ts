/**
 * The fleet of `npm run bench:fleet`: N repositories generated from the shapes of the corpus repositories
 * (../shared/corpus/repos), read in place at bench time and never copied into the project.
 *
 * Each corpus repository is cut into groups: the files of one directory (a component: its manifests,
 * lockfile, Dockerfile), with `.github/workflows` as one group. A generated repository takes groups of
 * ONE corpus repository (a real repository is mostly one stack), at their original paths, so every
 * manifest keeps its real shape and its real neighbours:
 * - small (50 %): 1–2 groups;
 * - medium (35 %): 3–10 groups;
 * - large (15 %): 11–40 groups, or the whole corpus repository when it has fewer.
 * The choice is a seeded PRNG, so a size always yields the same fleet. Every repository also gets a
 * README and a `.github/cowabunga.yml` (update PRs off: the bench measures scans; the PR lifecycle has its own
 * end-to-end tests, and regenerating lockfiles would run package managers against the fake registries).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export type SizeClass = "small" | "medium" | "large";

export interface FleetRepo {
  fullName: string;
  size: SizeClass;
  /** The corpus repository its groups come from. */
  source: string;
  files: Record<string, string>;
}

export interface CorpusGroup {
  dir: string;
  files: Array<{ path: string; content: string }>;
}

export interface CorpusSource {
  name: string;
  groups: CorpusGroup[];
}

/** Files a scan never reads and the corpus adds for provenance. */
const SKIP = new Set(["SOURCE.txt"]);

/** A corpus repository directory → its groups (files of one directory; workflows together). */
export function loadCorpusSource(dir: string): CorpusSource {
  const byDir = new Map<string, CorpusGroup>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      if (name === ".git") continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile() && !(rel === "" && SKIP.has(name))) {
        const d = rel;
        let g = byDir.get(d);
        if (!g) byDir.set(d, (g = { dir: d, files: [] }));
        g.files.push({ path: r, content: readFileSync(path.join(dir, r), "utf8") });
      }
    }
  };
  walk("");
  return { name: path.basename(dir), groups: [...byDir.values()].sort((a, b) => a.dir.localeCompare(b.dir)) };
}

export function loadCorpus(reposDir: string): CorpusSource[] {
  return readdirSync(reposDir)
    .filter((n) => statSync(path.join(reposDir, n)).isDirectory())
    .sort()
    .map((n) => loadCorpusSource(path.join(reposDir, n)))
    .filter((s) => s.groups.length > 0);
}

/** mulberry32: a small seeded PRNG (the fleet must be the same on every run). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FLEET_CONFIG = "updates:\n  enabled: false\n";

export interface GenerateOptions {
  count: number;
  owner?: string;
  seed?: number;
  /** Share of small and medium repositories (the rest is large). Default 0.5 and 0.35. */
  small?: number;
  medium?: number;
}

/** Generate `count` repositories from the corpus sources. */
export function generateFleet(sources: readonly CorpusSource[], opts: GenerateOptions): FleetRepo[] {
  if (sources.length === 0) throw new Error("no corpus repositories to generate the fleet from");
  const rand = prng(opts.seed ?? 11);
  const owner = opts.owner ?? "fleet";
  const small = opts.small ?? 0.5;
  const medium = opts.medium ?? 0.35;
  const width = String(opts.count).length;
  const out: FleetRepo[] = [];
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  for (let i = 0; i < opts.count; i++) {
    const source = sources[Math.floor(rand() * sources.length)]!;
    const r = rand();
    const size: SizeClass = r < small ? "small" : r < small + medium ? "medium" : "large";
    const wanted = size === "small" ? int(1, 2) : size === "medium" ? int(3, 10) : int(11, 40);
    const n = Math.min(wanted, source.groups.length);
    // A random subset of the source's groups, in their order (a partial Fisher–Yates shuffle of indexes).
    const idx = source.groups.map((_, k) => k);
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(rand() * (idx.length - k));
      [idx[k], idx[j]] = [idx[j]!, idx[k]!];
    }
    const files: Record<string, string> = {};
    for (const k of idx.slice(0, n).sort((a, b) => a - b)) for (const f of source.groups[k]!.files) files[f.path] = f.content;
    const name = `r${String(i + 1).padStart(width, "0")}`;
    files["README.md"] = `# ${name}\n\nGenerated from the shape of ${source.name} (${size}).\n`;
    files[".github/cowabunga.yml"] = FLEET_CONFIG;
    out.push({ fullName: `${owner}/${name}`, size, source: source.name, files });
  }
  return out;
}

export interface FleetShape {
  repos: number;
  bySize: Record<SizeClass, number>;
  files: { min: number; median: number; max: number; total: number };
  bytes: number;
}

export function describeFleet(repos: readonly FleetRepo[]): FleetShape {
  const counts = repos.map((r) => Object.keys(r.files).length).sort((a, b) => a - b);
  const bySize: Record<SizeClass, number> = { small: 0, medium: 0, large: 0 };
  let bytes = 0;
  for (const r of repos) {
    bySize[r.size]++;
    for (const c of Object.values(r.files)) bytes += Buffer.byteLength(c);
  }
  return {
    repos: repos.length,
    bySize,
    files: { min: counts[0] ?? 0, median: counts[Math.floor(counts.length / 2)] ?? 0, max: counts.at(-1) ?? 0, total: counts.reduce((a, b) => a + b, 0) },
    bytes,
  };
}
