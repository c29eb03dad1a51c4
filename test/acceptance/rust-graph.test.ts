/**
 * Acceptance over the corpus' Rust workspace (awdemos__cowabungaai/rust; skipped visibly when the corpus
 * is absent): offline with the corpus' RustSec OSV export, every transitive advisory is attributed only to
 * the workspace members that reach the package, each with a path that Cargo.lock really records (checked
 * here with an independent walk over the raw TOML), and no finding tells the user to edit a file that does
 * not name the package.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { runLocalPipeline, type LocalPipelineResult } from "../../src/pipeline/local.js";
import { CORPUS, corpusReposAvailable } from "../helpers/corpus.js";

const RUST = path.join(CORPUS, "repos/awdemos__cowabungaai/rust");
const OSV = path.join(CORPUS, "osv/crates.io");
const available = corpusReposAvailable("rust dependency graph") && existsSync(RUST) && existsSync(OSV);

interface LockPackage {
  name: string;
  version: string;
  source?: string;
  dependencies?: string[];
}

describe.skipIf(!available)("corpus Rust workspace: transitive advisories and their paths", () => {
  let run: LocalPipelineResult;
  let lock: LockPackage[];
  const members = new Map<string, string>(); // crate name → Cargo.toml path

  beforeAll(async () => {
    run = await runLocalPipeline({ dir: RUST, offline: true, osvDb: OSV, clock: () => new Date("2026-12-01T00:00:00Z") });
    lock = (parse(readFileSync(path.join(RUST, "Cargo.lock"), "utf8")) as unknown as { package: LockPackage[] }).package;
    for (const m of ["api", "sdk", "db", "models", "ui"]) {
      const file = `crates/${m}/Cargo.toml`;
      const doc = parse(readFileSync(path.join(RUST, file), "utf8")) as unknown as { package: { name: string } };
      members.set(doc.package.name, file);
    }
  }, 120_000);

  /** Independent reachability: the packages a member reaches through Cargo.lock's dependency lists. */
  function reachable(member: string): Set<string> {
    const key = (p: LockPackage) => `${p.name}@${p.version}`;
    const byName = new Map<string, LockPackage[]>();
    for (const p of lock) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
    const resolve = (spec: string): LockPackage | undefined => {
      const [n, v] = spec.split(" ");
      const list = byName.get(n) ?? [];
      return v ? list.find((p) => p.version === v) : list.length === 1 ? list[0] : undefined;
    };
    const start = lock.find((p) => p.name === member && !p.source)!;
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      const p = queue.shift()!;
      for (const d of p.dependencies ?? []) {
        const t = resolve(d);
        if (!t || seen.has(key(t))) continue;
        seen.add(key(t));
        queue.push(t);
      }
    }
    return seen;
  }

  it("attributes each vulnerable transitive crate only to the members that reach it, with a real path", () => {
    const transitive = run.assessment.dependencies.filter((d) => d.advisories.length > 0 && (d.depth ?? 0) > 1);
    expect(transitive.length).toBeGreaterThan(5);
    const vulnerable = new Map<string, Set<string>>();
    for (const d of transitive) {
      // The component is a member (named by its crate) that reaches the package.
      const member = [...members.keys()].find((m) => d.component === m || d.component.endsWith(m.replace(/^cowabunga-/, "")))!;
      expect(member, d.component).toBeDefined();
      expect(reachable(member).has(`${d.name}@${d.version}`), `${d.name} ${d.version} in ${d.component}`).toBe(true);
      expect(d.file).toBe("Cargo.lock");
      expect(d.introduced_through.length).toBeGreaterThan(0);
      for (const p of d.introduced_through) {
        expect(p.at(-1)).toMatchObject({ name: d.name, version: d.version });
        // Every step is an edge Cargo.lock records, starting from the member.
        let parent = lock.find((x) => x.name === member && !x.source)!;
        for (const step of p) {
          const deps = (parent.dependencies ?? []).map((s) => s.split(" ")[0]);
          expect(deps, `${parent.name} → ${step.name}`).toContain(step.name);
          parent = lock.find((x) => x.name === step.name && x.version === step.version)!;
        }
      }
      const set = vulnerable.get(`${d.name}@${d.version}`) ?? new Set<string>();
      set.add(member);
      vulnerable.set(`${d.name}@${d.version}`, set);
    }
    // And to every member that reaches it: no member is left out, none added.
    for (const [pkg, got] of vulnerable) {
      const want = [...members.keys()].filter((m) => reachable(m).has(pkg));
      expect([...got].sort(), pkg).toEqual(want.sort());
    }
  });

  it("files informational advisories (unmaintained) as dependency-health issues, not security issues", () => {
    const security = run.assessment.issues.filter((i) => i.type === "security");
    expect(security.some((i) => /unmaintained/i.test(i.title))).toBe(false);
    const bincode = run.assessment.issues.find((i) => i.type === "dependency" && i.title.startsWith("bincode "));
    expect(bincode?.title).toMatch(/unmaintained/);
    expect(bincode?.description).toMatch(/introduced through cowabunga-db → cowabunga-db 0\.1\.0|introduced through cowabunga-db → libsql/);
  });

  it("makes one security issue per vulnerable crate version, naming its paths; no step names a file that does not declare the crate", () => {
    const security = run.assessment.issues.filter((i) => i.type === "security");
    expect(security.length).toBeGreaterThan(0);
    const subjects = security.map((i) => i.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    for (const issue of security) {
      const m = /^security:crates:(.+)@(.+)$/.exec(issue.subject);
      expect(m, issue.subject).not.toBeNull();
      const name = m![1];
      expect(issue.description).toContain("introduced through ");
      for (const step of issue.resolution_steps) {
        for (const file of step.match(/[\w./-]*Cargo\.(?:toml|lock)/g) ?? []) {
          const text = readFileSync(path.join(RUST, file), "utf8");
          // The lockfile records it; a manifest named in an "upgrade/update" step must declare it.
          if (/^(Upgrade|Update) /.test(step) && file.endsWith("Cargo.toml")) expect(text, `${step}`).toMatch(new RegExp(`^\\s*"?${name}"?\\s*=`, "m"));
          else if (file.endsWith("Cargo.lock")) expect(text).toContain(`name = "${name}"`);
        }
      }
    }
  });
});
