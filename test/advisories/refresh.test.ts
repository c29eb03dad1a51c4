import { mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffAdvisories, refreshAdvisories } from "../../src/advisories/refresh.js";
import type { CliIO } from "../../src/cli/io.js";
import type { EnqueueOptions, EnqueueResult, Job } from "../../src/jobs/types.js";
import { runCli } from "../../src/cli/program.js";
import { FileStore, type Store } from "../../src/store/index.js";
import { makeDependency } from "../helpers/factories.js";
import { bothStores } from "../helpers/both-stores.js";

const NOW = new Date("2026-06-01T00:00:00.000Z");
const clock = () => NOW;
const npm = (name: string, version: string) =>
  makeDependency({ name, version, datasource: "npm", package_manager: "npm", cve_ids: [], advisories: [], vulnerability_score: null, patch_available: false, fixed_version: null, advisories_checked: true, file: "package.json", component: "." });

function osv(id: string, pkg: string, introduced: string, fixed: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    modified: "2026-05-01T00:00:00Z",
    published: "2026-05-01T00:00:00Z",
    aliases: [`CVE-2026-${id.slice(-4)}`],
    summary: `${pkg} is vulnerable`,
    affected: [{ package: { ecosystem: "npm", name: pkg }, ranges: [{ type: "SEMVER", events: [{ introduced }, { fixed }] }] }],
    database_specific: { severity: "HIGH" },
    ...extra,
  };
}

async function writeRecord(dir: string, rec: { id: string }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${rec.id}.json`), JSON.stringify(rec));
}

const { stores, tempDir } = await bothStores({ suite: "advisory refresh on PgStore", database: "advisory_refresh", clock, cleanup: "each" });

describe.each(stores)("advisory refresh on %s", (_name, available, open) => {
  it.skipIf(!available)("re-assesses only the repositories whose stored versions a new advisory affects, and a withdrawal takes it back", async () => {
    const store = await open();
    const mirror = path.join(await tempDir(), "osv");
    const state = path.join(await tempDir(), "state.json");
    await writeRecord(mirror, osv("GHSA-0000-0000-0001", "left-pad", "0", "1.0.0"));
    await store.putDependencies({ owner: "acme", repo: "old-lodash" }, [npm("lodash", "4.17.20"), npm("left-pad", "1.3.0")]);
    await store.putDependencies({ owner: "acme", repo: "new-lodash" }, [npm("lodash", "4.17.21")]);
    await store.putDependencies({ owner: "acme", repo: "no-lodash" }, [npm("react", "18.2.0")]);

    const first = await refreshAdvisories({ store, mirror, statePath: state, clock });
    expect(first.status).toBe("first-run");
    expect(first.reassessed).toEqual([]);
    expect((await refreshAdvisories({ store, mirror, statePath: state, clock })).status).toBe("unchanged");

    // The mirror gains a lodash advisory fixed in 4.17.21.
    await writeRecord(mirror, osv("GHSA-0000-0000-0002", "lodash", "0", "4.17.21"));
    const second = await refreshAdvisories({ store, mirror, statePath: state, clock });
    expect(second.status).toBe("refreshed");
    expect(second.changes).toEqual([{ id: "GHSA-0000-0000-0002", kind: "new", packages: [{ ecosystem: "npm", name: "lodash" }] }]);
    expect(second.candidates).toBe(2);
    expect(second.reassessed).toEqual([{ repo: { owner: "acme", repo: "old-lodash" }, added: ["GHSA-0000-0000-0002"], removed: [] }]);
    const deps = await store.getDependencies({ owner: "acme", repo: "old-lodash" });
    const lodash = deps.find((d) => d.name === "lodash")!;
    expect(lodash.advisories.map((a) => a.id)).toEqual(["GHSA-0000-0000-0002"]);
    expect(lodash.cve_ids).toEqual(["CVE-2026-0002"]);
    expect(lodash.fixed_version).toBe("4.17.21");
    expect(lodash.patch_available).toBe(true);
    // Untouched: the other dependency, and the repositories the advisory does not affect.
    expect(deps.find((d) => d.name === "left-pad")!.advisories).toEqual([]);
    expect(await store.getDependencyHistory({ owner: "acme", repo: "new-lodash" })).toHaveLength(1);

    // Withdrawn: the advisory leaves the stored dependency.
    await writeRecord(mirror, osv("GHSA-0000-0000-0002", "lodash", "0", "4.17.21", { withdrawn: "2026-05-20T00:00:00Z", modified: "2026-05-20T00:00:00Z" }));
    const third = await refreshAdvisories({ store, mirror, statePath: state, clock });
    expect(third.changes.map((c) => [c.id, c.kind])).toEqual([["GHSA-0000-0000-0002", "withdrawn"]]);
    expect(third.reassessed).toEqual([{ repo: { owner: "acme", repo: "old-lodash" }, added: [], removed: ["GHSA-0000-0000-0002"] }]);
    expect((await store.getDependencies({ owner: "acme", repo: "old-lodash" })).find((d) => d.name === "lodash")!.advisories).toEqual([]);
  });
});

describe.each(stores)("advisory refresh, queue mode, on %s", (_name, available, open) => {
  it.skipIf(!available)("a lockfile-only package is matched at the versions its lockfile rows hold, without reading any candidate's basis", async () => {
    const store = await open();
    const mirror = path.join(await tempDir(), "osv");
    const state = path.join(await tempDir(), "state.json");
    await writeRecord(mirror, osv("GHSA-0000-0000-0001", "left-pad", "0", "1.0.0"));
    const basis = (qs: string) =>
      ({
        format: 1,
        head_sha: "a".repeat(40),
        tree_sha: null,
        scanned_at: NOW.toISOString(),
        config: {},
        config_errors: [],
        scan: { source: "x", commit_sha: null, components: [], dependencies: [], locked: [{ name: "qs", version: qs, datasource: "npm", component: ".", file: "package.json", lockfile: "package-lock.json", depth: 2, scope: "prod" }], files_scanned: 0, manifests: [] },
        workflow_files: [],
        text_findings: { drafts: [], examined: [] },
        codeowners: {},
        yanked: [],
      }) as unknown as Parameters<Store["putReassessBasis"]>[1];
    for (const [repo, qs] of [["old-qs", "6.7.0"], ["new-qs", "6.7.3"]] as const) {
      await store.putDependencies({ owner: "acme", repo }, [npm("express", "4.17.1")]);
      await store.putReassessBasis({ owner: "acme", repo }, basis(qs));
    }
    const queued: string[] = [];
    await refreshAdvisories({ store, mirror, statePath: state, clock, enqueue: async (r) => void queued.push(r.repo.repo) });
    await writeRecord(mirror, osv("GHSA-0000-0000-0004", "qs", "0", "6.7.3"));
    let basisReads = 0;
    const counting = new Proxy(store, {
      get(target, prop, recv) {
        if (prop === "getReassessBasis") basisReads++;
        const v = Reflect.get(target, prop, recv) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const r = await refreshAdvisories({ store: counting, mirror, statePath: state, clock, enqueue: async (x) => void queued.push(x.repo.repo) });
    expect(r.candidates).toBe(2);
    expect(r.reassessed).toEqual([{ repo: { owner: "acme", repo: "old-qs" }, added: ["GHSA-0000-0000-0004"], removed: [] }]);
    expect(queued).toEqual(["old-qs"]);
    expect(basisReads).toBe(0);
  });
});

describe("diffAdvisories", () => {
  it("names new, changed and withdrawn advisories, and a record gone from the mirror is withdrawn", () => {
    const e = (fp: string, withdrawn = false) => ({ packages: { "npm\u0000a": fp }, withdrawn });
    expect(diffAdvisories({ X: e("1"), Y: e("1"), Z: e("1"), W: e("1", true) }, { X: e("1"), Y: e("2"), N: e("1"), W: e("1", true) }).map((c) => [c.id, c.kind])).toEqual([
      ["N", "new"],
      ["Y", "changed"],
      ["Z", "withdrawn"],
    ]);
  });
});

describe("cowabunga advisories refresh", () => {
  it("reports the baseline, then the changes and the re-assessed repositories", async () => {
    const dataDir = await tempDir();
    const mirror = path.join(await tempDir(), "osv");
    await writeRecord(mirror, osv("GHSA-0000-0000-0001", "left-pad", "0", "1.0.0"));
    await new FileStore({ root: dataDir, clock }).putDependencies({ owner: "acme", repo: "web" }, [npm("minimist", "1.2.0")]);
    const out: string[] = [];
    const io: CliIO = { stdout: (s) => void out.push(s), stderr: (s) => void out.push(s), stderrIsTTY: false, cwd: dataDir };
    const run = () => runCli(["node", "cowabunga", "advisories", "refresh", "--osv-db", mirror, "--data-dir", dataDir], { io, env: {}, clock });
    expect(await run()).toBe(0);
    expect(out.join("")).toContain("recorded the OSV mirror baseline");
    await writeRecord(mirror, osv("GHSA-0000-0000-0003", "minimist", "0", "1.2.6"));
    out.length = 0;
    expect(await run()).toBe(0);
    expect(out.join("")).toContain("1 new, 0 changed, 0 withdrawn; 1 repositories use an affected package, 1 re-assessed");
    expect(out.join("")).toContain("acme/web: now affected by GHSA-0000-0000-0003");
    out.length = 0;
    expect(await run()).toBe(0);
    expect(out.join("")).toContain("OSV mirror unchanged");
    // Without a cluster the CLI keeps its own state, so the app's tick (advisory-state.json) still sees the change.
    await expect(stat(path.join(dataDir, "advisory-state.cli.json"))).resolves.toBeTruthy();
    await expect(stat(path.join(dataDir, "advisory-state.json"))).rejects.toThrow(/ENOENT/);
  });

  it("in a cluster it queues one reassess job per affected repository, in the app's state file, and updates no stored dependency", async () => {
    const dataDir = await tempDir();
    const mirror = path.join(await tempDir(), "osv");
    await writeRecord(mirror, osv("GHSA-0000-0000-0001", "left-pad", "0", "1.0.0"));
    const store = new FileStore({ root: dataDir, clock });
    await store.putDependencies({ owner: "acme", repo: "web" }, [npm("minimist", "1.2.0")]);
    await store.putDependencies({ owner: "acme", repo: "safe" }, [npm("minimist", "1.2.6")]);
    const queued: Array<{ job: Job; key: string | undefined }> = [];
    let stopped = 0;
    const queue = {
      enqueue: async (job: Job, opts?: EnqueueOptions): Promise<EnqueueResult> => {
        queued.push({ job, key: opts?.idempotencyKey });
        return { status: "queued", id: `j${queued.length}` } as unknown as EnqueueResult;
      },
      stop: async () => void stopped++,
    };
    const out: string[] = [];
    const io: CliIO = { stdout: (s) => void out.push(s), stderr: (s) => void out.push(s), stderrIsTTY: false, cwd: dataDir };
    const run = () => runCli(["node", "cowabunga", "advisories", "refresh", "--osv-db", mirror, "--data-dir", dataDir], { io, env: {}, clock, enqueueQueue: queue });
    expect(await run()).toBe(0);
    await writeRecord(mirror, osv("GHSA-0000-0000-0003", "minimist", "0", "1.2.6"));
    out.length = 0;
    expect(await run()).toBe(0);
    // Both use minimist; only 1.2.0 is in the affected range.
    expect(out.join("")).toContain("2 repositories use an affected package, 1 queued for re-assessment");
    expect(queued.map((q) => [q.job.kind, q.job.repo])).toEqual([["reassess", "acme/web"]]);
    expect(queued[0]!.key).toMatch(/^reassess:acme\/web@/);
    // The workers act; the CLI changed no stored dependency.
    expect((await store.getDependencies({ owner: "acme", repo: "web" }))[0]!.advisories).toEqual([]);
    await expect(stat(path.join(dataDir, "advisory-state.json"))).resolves.toBeTruthy();
    expect(stopped).toBe(0); // an injected queue is the caller's to stop
  });
});
