import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { enrichDependencies, concreteVersion } from "../../src/enrich/index.js";
import { advisoryQueryKey, type AdvisorySource, type OsvVulnerability, type PackageQuery } from "../../src/enrich/advisories/index.js";
import type { Datasource, LookupRequest, Release, ReleaseResult } from "../../src/enrich/types.js";
import type { GithubDatasource, ReleaseNote } from "../../src/enrich/datasources/index.js";
import { versioningFor } from "../../src/enrich/versioning/index.js";
import { Dependency } from "../../src/model/dependency.js";
import { DatasourceError } from "../../src/enrich/types.js";
import { dep, scanOf } from "./helpers-enrich.js";

const NOW = new Date("2026-01-31T00:00:00Z");
const clock = (): Date => NOW;

function rel(version: string, date: string, extra: Partial<Release> = {}): Release {
  return { version, release_date: date, deprecated: false, yanked: false, ...extra };
}

function fakeDatasource(name: "npm" | "pypi", packages: Record<string, ReleaseResult | Error | null>): Datasource & { calls: LookupRequest[] } {
  const calls: LookupRequest[] = [];
  return {
    name,
    calls,
    async getReleases(req) {
      calls.push(req);
      await new Promise((r) => setTimeout(r, 1));
      const p = packages[req.name];
      if (p instanceof Error) throw p;
      return p ?? null;
    },
  };
}

function result(releases: Release[], extra: Partial<ReleaseResult> = {}): ReleaseResult {
  return { releases, tag_latest: null, source_url: null, homepage: null, deprecated: false, deprecation_message: null, registry_url: "https://registry.test", ...extra };
}

/** An advisory source over in-memory records: the record applies when its `versions` list names the queried version. */
function memoryAdvisories(records: Array<{ eco: string; name: string; id: string; versions: string[]; fixed?: string }>): AdvisorySource & { queried: PackageQuery[] } {
  const queried: PackageQuery[] = [];
  return {
    name: "memory",
    warnings: [],
    queried,
    async query(pkgs) {
      queried.push(...pkgs);
      const out = new Map<string, OsvVulnerability[]>();
      for (const q of pkgs) {
        const recs = records
          .filter((r) => r.eco === q.ecosystem && r.name === q.name)
          .map(
            (r): OsvVulnerability => ({
              id: r.id,
              aliases: [`CVE-2024-${r.id.length}000`],
              summary: `${r.name} is vulnerable`,
              severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
              affected: [
                {
                  package: { ecosystem: r.eco, name: r.name },
                  versions: r.versions,
                  ranges: r.fixed ? [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: r.fixed }] }] : [],
                },
              ],
              references: [],
            }),
          );
        out.set(advisoryQueryKey(q), recs);
      }
      return out;
    },
  };
}

describe("enrichDependencies", () => {
  it("builds a valid Dependency for every extracted one, with update facts", async () => {
    const npm = fakeDatasource("npm", {
      left: result([rel("1.0.0", "2024-01-01T00:00:00Z"), rel("1.0.1", "2024-02-01T00:00:00Z"), rel("1.1.0", "2025-06-01T00:00:00Z", { node_engines: ">=16" })]),
      big: result([rel("1.0.0", "2023-01-01T00:00:00Z"), rel("2.0.0", "2025-01-01T00:00:00Z", { node_engines: ">=20" })], { source_url: "https://github.com/acme/big" }),
      fresh: result([rel("1.0.0", "2024-01-01T00:00:00Z"), rel("1.0.1", "2026-01-30T00:00:00Z")]),
      same: result([rel("3.0.0", "2024-01-01T00:00:00Z")], { deprecated: true, deprecation_message: "use other" }),
    });
    const notes: ReleaseNote[] = [{ tag: "v2.0.0", name: "v2.0.0", body: "## Breaking changes\n- removed the callback API", published_at: null, url: null }];
    const github: GithubDatasource = { name: "github-tags", getReleases: async () => null, getReleaseNotes: async () => notes };
    const scan = scanOf([dep("left", "1.0.0"), dep("big", "1.0.0"), dep("fresh", "1.0.0"), dep("same", "3.0.0"), dep("local", "file:../x", { skip_reason: "local path" })]);
    const out = await enrichDependencies(scan, { datasources: { npm, "github-tags": github }, advisories: null, clock });
    expect(out.dependencies).toHaveLength(5);
    for (const d of out.dependencies) expect(Dependency.safeParse(d).success, JSON.stringify(Dependency.safeParse(d).error?.issues)).toBe(true);
    const [left, big, fresh, same, local] = out.dependencies;

    expect(left).toMatchObject({
      latest_version: "1.1.0",
      update_type: "minor",
      update_risk: "low",
      auto_update_safe: true,
      last_updated: "2024-01-01T00:00:00Z",
      latest_release_date: "2025-06-01T00:00:00Z",
      days_behind: 517,
      compatibility: { status: "compatible", target_version: "1.1.0" },
      next_review_date: "2026-03-02T00:00:00.000Z",
      lookup: { status: "ok", reason: null },
    });
    expect(big).toMatchObject({
      update_type: "major",
      update_risk: "high",
      auto_update_safe: false,
      breaking_changes: ["v2.0.0: removed the callback API"],
      compatibility: { status: "incompatible" },
      source_url: "https://github.com/acme/big",
      next_review_date: "2026-02-07T00:00:00.000Z",
    });
    expect(fresh).toMatchObject({ update_type: "patch", update_risk: "medium", auto_update_safe: false });
    expect(same).toMatchObject({ update_type: "none", update_risk: "none", deprecated: true, days_behind: 0, auto_update_safe: false });
    expect(local.lookup).toEqual({ status: "skipped", reason: "local path" });
    expect(npm.calls.map((c) => c.name).sort()).toEqual(["big", "fresh", "left", "same"]);
  });

  it("falls back to 'major version N crossed' without release notes", async () => {
    const npm = fakeDatasource("npm", { a: result([rel("1.0.0", "2023-01-01T00:00:00Z"), rel("3.0.0", "2025-01-01T00:00:00Z")]) });
    const out = await enrichDependencies(scanOf([dep("a", "1.0.0")]), { datasources: { npm }, advisories: null, clock });
    expect(out.dependencies[0].breaking_changes).toEqual(["major version 2 crossed", "major version 3 crossed"]);
  });

  it("a failed or empty lookup gives lookup unknown with the reason, and the dependency stays listed", async () => {
    const npm = fakeDatasource("npm", {
      broken: new DatasourceError("GET https://registry.test/broken: HTTP 500", "GET https://registry.test/broken", 500),
      missing: null,
    });
    const out = await enrichDependencies(scanOf([dep("broken", "1.0.0"), dep("missing", "1.0.0"), dep("img", "3.11", { datasource: "git" })]), {
      datasources: { npm },
      advisories: null,
      clock,
    });
    expect(out.dependencies.map((d) => d.lookup)).toEqual([
      { status: "unknown", reason: "GET https://registry.test/broken: HTTP 500" },
      { status: "unknown", reason: "missing was not found in the npm registry" },
      { status: "skipped", reason: 'no registry lookup for datasource "git"' },
    ]);
    expect(out.dependencies[0]).toMatchObject({ latest_version: null, update_type: "unknown", auto_update_safe: false });
    expect(out.warnings.map((w) => w.message)).toContain("broken: registry lookup failed: GET https://registry.test/broken: HTTP 500");
    expect(out.warnings[0]).toMatchObject({ file: "package.json", line: 3, manager: "npm" });
  });

  it("deduplicates identical lookups across components and files", async () => {
    const npm = fakeDatasource("npm", { x: result([rel("1.0.0", "2024-01-01T00:00:00Z")]) });
    const pypi = fakeDatasource("pypi", { Foo_Bar: result([rel("1.0", "2024-01-01T00:00:00Z")]), "foo-bar": result([rel("1.0", "2024-01-01T00:00:00Z")]) });
    const deps = [
      dep("x", "1.0.0"),
      dep("x", "1.0.0", { component: "other", file: "b/package.json" }),
      dep("Foo_Bar", "1.0", { datasource: "pypi", current_value: "==1.0" }),
      dep("foo-bar", "1.0", { datasource: "pypi", current_value: "==1.0" }),
    ];
    const out = await enrichDependencies(scanOf(deps), { datasources: { npm, pypi }, advisories: null, clock });
    expect(npm.calls).toHaveLength(1);
    expect(pypi.calls).toHaveLength(1);
    expect(out.stats).toMatchObject({ lookups: 4, unique_lookups: 2 });
  });

  it("fills advisories for exact pins and lockfile versions, not for ranges; adds vulnerable transitive packages", async () => {
    const adv = memoryAdvisories([
      { eco: "npm", name: "lodash", id: "GHSA-lodash", versions: ["4.17.20"], fixed: "4.17.21" },
      { eco: "npm", name: "minimist", id: "GHSA-minimist", versions: ["1.2.5"], fixed: "1.2.6" },
      { eco: "PyPI", name: "jinja2", id: "PYSEC-jinja", versions: ["2.7.1"], fixed: "2.7.2" },
    ]);
    const scan = scanOf(
      [
        dep("lodash", "4.17.20", { current_value: "^4.17.0", locked_version: "4.17.20" }),
        dep("jinja2", "2.7.1", { datasource: "pypi", current_value: "==2.7.1", file: "requirements.txt" }),
        dep("jinja2", "2.7.1", { datasource: "pypi", current_value: ">=2.7.1", file: "requirements-dev.txt" }),
      ],
      {
        locked: [
          { name: "lodash", version: "4.17.20", datasource: "npm", component: "app", file: "package-lock.json" },
          { name: "minimist", version: "1.2.5", datasource: "npm", component: "app", file: "package-lock.json" },
          { name: "clean", version: "1.0.0", datasource: "npm", component: "app", file: "package-lock.json" },
        ],
      },
    );
    const out = await enrichDependencies(scan, { advisories: adv, offline: true, clock });
    const [lodash, jinja, jinjaRange, minimist] = out.dependencies;
    expect(out.dependencies).toHaveLength(4);
    expect(lodash).toMatchObject({ cve_ids: [expect.stringMatching(/^CVE-/)], fixed_version: "4.17.21", patch_available: true, vulnerability_score: 9.8 });
    expect(lodash.advisories.map((a) => a.id)).toEqual(["GHSA-lodash"]);
    expect(jinja.advisories.map((a) => a.id)).toEqual(["PYSEC-jinja"]);
    expect(jinjaRange.advisories).toEqual([]);
    expect(minimist).toMatchObject({
      name: "minimist",
      version: "1.2.5",
      current_value: "(transitive)",
      dependency_type: "prod",
      file: "package-lock.json",
      fixed_version: "1.2.6",
      lookup: { status: "skipped" },
      next_review_date: "2026-02-07T00:00:00.000Z",
    });
    for (const d of out.dependencies) expect(Dependency.safeParse(d).success).toBe(true);
    // Offline: registries are not asked; the reason says so.
    expect(lodash.lookup).toEqual({ status: "unknown", reason: "offline mode: the registry was not asked" });
    expect(adv.queried.map((q) => `${q.name}@${q.version}`).sort()).toEqual(["clean@1.0.0", "jinja2@2.7.1", "lodash@4.17.20", "minimist@1.2.5"]);
    expect(out.stats.transitive_vulnerable).toBe(1);
    // Checked: the lockfile version, the exact pin, the transitive package. Not checked: the range.
    expect(out.dependencies.map((d) => d.advisories_checked)).toEqual([true, true, false, true]);
  });

  it("offline without an OSV mirror warns that advisories were not checked", async () => {
    const out = await enrichDependencies(scanOf([dep("a", "1.0.0")]), { offline: true, clock });
    expect(out.warnings.map((w) => w.message).join()).toMatch(/advisories were not checked/);
    expect(out.dependencies[0].advisories_checked).toBe(false);
    expect(out.dependencies[0].advisories).toEqual([]);
  });

  it("marks a package unchecked when the advisory source gave no answer for it", async () => {
    const adv = memoryAdvisories([]);
    const failing: AdvisorySource = {
      name: "flaky",
      warnings: [{ message: "OSV querybatch failed: HTTP 503", request: "POST https://osv.test/v1/querybatch" }],
      // Answers for npm only: the PyPI package "could not be queried".
      query: async (pkgs) => adv.query(pkgs.filter((p) => p.ecosystem === "npm")),
    };
    const scan = scanOf([dep("a", "1.0.0"), dep("b", "2.0", { datasource: "pypi", current_value: "==2.0", file: "requirements.txt" })]);
    const out = await enrichDependencies(scan, { advisories: failing, offline: true, clock });
    expect(out.dependencies.map((d) => [d.name, d.advisories_checked])).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(out.warnings.map((w) => w.message)).toContain("POST https://osv.test/v1/querybatch: OSV querybatch failed: HTTP 503");
  });

  it("does not count packages of an ecosystem the offline mirror lacks as checked", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowabunga-mirror-"));
    try {
      const rec = {
        id: "PYSEC-TEST-1",
        modified: "2025-01-01T00:00:00Z",
        summary: "test record",
        affected: [{ package: { ecosystem: "PyPI", name: "jinja2" }, versions: ["2.7.1"] }],
      };
      writeFileSync(path.join(dir, "PYSEC-TEST-1.json"), JSON.stringify(rec));
      const scan = scanOf([
        dep("jinja2", "2.7.1", { datasource: "pypi", current_value: "==2.7.1", file: "requirements.txt" }),
        dep("requests", "2.32.3", { datasource: "pypi", current_value: "==2.32.3", file: "requirements.txt" }),
        dep("lodash", "4.17.20"),
      ]);
      const out = await enrichDependencies(scan, { osvDbPath: dir, offline: true, clock });
      const [jinja, requests, lodash] = out.dependencies;
      expect(jinja.advisories.map((a) => a.id)).toEqual(["PYSEC-TEST-1"]);
      expect(jinja.advisories_checked).toBe(true);
      expect(requests.advisories_checked).toBe(true); // PyPI is in the mirror: no record means no advisory
      expect(lodash.advisories_checked).toBe(false); // npm is not in the mirror at all
      expect(out.warnings.map((w) => w.message)).toContain("the OSV mirror (--osv-db) has no npm records: advisories of 1 npm package version(s) were not checked");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("concreteVersion", () => {
  it("exact pins and lockfile versions only", () => {
    const npm = versioningFor("npm");
    const py = versioningFor("pypi");
    const cargo = versioningFor("crates");
    expect(concreteVersion(dep("a", "1.2.3"), npm)).toBe("1.2.3");
    expect(concreteVersion(dep("a", "1.2.3", { current_value: "^1.2.3" }), npm)).toBeNull();
    expect(concreteVersion(dep("a", "1.2.3", { current_value: "^1.2.3", locked_version: "1.4.0" }), npm)).toBe("1.4.0");
    expect(concreteVersion(dep("a", "1.2", { datasource: "pypi", current_value: "== 1.2" }), py)).toBe("1.2");
    expect(concreteVersion(dep("a", "1.2", { datasource: "pypi", current_value: "==1.2.*" }), py)).toBeNull();
    expect(concreteVersion(dep("a", "1.2.3", { datasource: "crates", current_value: "1.2.3" }), cargo)).toBeNull();
    expect(concreteVersion(dep("a", "1.2.3", { datasource: "crates", current_value: "=1.2.3" }), cargo)).toBe("1.2.3");
  });
});
