import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRequirementSource, cratesIndexPath, type RequirementSource } from "../../src/enrich/datasources/requirements.js";
import { planRemediation, poetryToPep440, rankRemediations } from "../../src/enrich/remediation.js";
import type { Dependency } from "../../src/model/index.js";
import type { ExtractedDependency, LockedPackage, PathStep } from "../../src/scan/types.js";
import { makeDependency } from "../helpers/factories.js";
import { testClient } from "./datasources/helpers.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

const adv = (id: string, fixed: string | null) => ({
  id,
  kind: "vulnerability" as const,
  aliases: [],
  summary: `${id} summary`,
  url: null,
  score: 7.5,
  score_estimated: false,
  cvss_vector: null,
  fixed_version: fixed,
  published: null,
});

function transitive(over: Partial<Dependency> & { name: string; version: string }): Dependency {
  return makeDependency({
    package_manager: "npm",
    datasource: "npm",
    component: "app",
    current_value: "(transitive)",
    locked_version: over.version,
    file: "package-lock.json",
    line: null,
    lockfile: "package-lock.json",
    depth: 2,
    ...over,
  });
}

function locked(name: string, version: string, parents: PathStep[], paths: PathStep[][], lockfile = "package-lock.json"): LockedPackage {
  return { name, version, datasource: "npm", component: "app", file: "package.json", lockfile, depth: paths[0]?.length ?? null, scope: "prod", paths, parents };
}

function declaration(name: string, current_value: string, file = "package.json", line = 5): ExtractedDependency {
  return {
    name,
    package_manager: "npm",
    datasource: "npm",
    file,
    line,
    dependency_type: "prod",
    current_value,
    version: current_value.replace(/^[~^]/, ""),
    locked_version: null,
    registry_url: null,
    digest: null,
    skip_reason: null,
    local_path: null,
    component: "app",
  };
}

/** Registry answers from a table: package → version → { dependency: requirement }. */
function fakeRegistry(table: Record<string, Record<string, Record<string, string>>>): RequirementSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async requirements(_ds, name) {
      asked.push(name);
      const t = table[name];
      if (!t) return null;
      return new Map(Object.entries(t).map(([v, deps]) => [v, new Map(Object.entries(deps))]));
    },
    async artefact() {
      return null;
    },
  };
}

const request = { name: "request", version: "2.88.0", requirement: "^2.88.0" };

describe("remediation plan", () => {
  it("(a) in place: the fixed version satisfies every parent's requirement, so only the lockfile changes", async () => {
    const dep = transitive({ name: "qs", version: "6.5.2", fixed_version: "6.5.3", advisories: [adv("NSWG-ECO-1", "6.5.3")] });
    const lock = locked("qs", "6.5.2", [{ name: "request", version: "2.88.0", requirement: "~6.5.2" }], [[request, { name: "qs", version: "6.5.2", requirement: "~6.5.2" }]]);
    const plan = await planRemediation(dep, lock, { declarations: [declaration("request", "^2.88.0")] });
    expect(plan).toMatchObject({ kind: "in_place", target_version: "6.5.3", file: "package-lock.json", removes: ["NSWG-ECO-1"] });
    expect(plan?.action).toBe("Update qs from 6.5.2 to 6.5.3 in package-lock.json only (npm update qs): request 2.88.0 requires ~6.5.2, which admits it");
  });

  it("(a) in place for Cargo: the parent's requirement comes from the sparse index when Cargo.lock has none", async () => {
    const dep = transitive({ name: "h2", version: "0.3.20", datasource: "crates", package_manager: "cargo", lockfile: "Cargo.lock", file: "Cargo.lock", fixed_version: "0.3.26", advisories: [adv("RUSTSEC-2024-0332", "0.3.26")] });
    const lock = { ...locked("h2", "0.3.20", [{ name: "hyper", version: "0.14.27", requirement: null }], [[{ name: "hyper", version: "0.14.27", requirement: "0.14" }, { name: "h2", version: "0.3.20", requirement: null }]], "Cargo.lock"), datasource: "crates" as const };
    const reg = fakeRegistry({ hyper: { "0.14.27": { h2: "^0.3.17" } } });
    const plan = await planRemediation(dep, lock, { declarations: [], requirements: reg });
    expect(plan?.kind).toBe("in_place");
    expect(plan?.action).toBe("Update h2 from 0.3.20 to 0.3.26 in Cargo.lock only (cargo update -p h2@0.3.20 --precise 0.3.26): hyper 0.14.27 requires ^0.3.17, which admits it");
  });

  it("(b) parent bump: the lowest version of the direct dependency whose requirement admits the fix, in the manifest that declares it", async () => {
    const dep = transitive({ name: "qs", version: "6.5.2", fixed_version: "6.7.3", advisories: [adv("GHSA-hrpp", "6.7.3"), adv("GHSA-other", "6.6.0")] });
    const lock = locked("qs", "6.5.2", [{ name: "request", version: "2.88.0", requirement: "~6.5.2" }], [[request, { name: "qs", version: "6.5.2", requirement: "~6.5.2" }]]);
    const reg = fakeRegistry({ request: { "2.88.0": { qs: "~6.5.2" }, "2.88.2": { qs: "~6.5.2" }, "3.0.0-beta.1": { qs: "^6.7.0" }, "3.0.0": { qs: "^6.7.0" }, "3.1.0": { qs: "^6.8.0" } } });
    const plan = await planRemediation(dep, lock, { declarations: [declaration("request", "~2.88.0", "package.json", 7)], requirements: reg });
    expect(plan).toMatchObject({ kind: "parent_bump", file: "package.json", parent: { name: "request", from: "2.88.0", to: "3.0.0", requirement: "^6.7.0" } });
    expect(plan?.action).toBe("Upgrade request from 2.88.0 to 3.0.0 in package.json (line 7) and regenerate package-lock.json: request 3.0.0 requires qs ^6.7.0, which admits 6.7.3");
    expect(plan?.reasons).toEqual(["request 2.88.0 requires qs ~6.5.2, which excludes 6.7.3"]);
    expect(plan?.removes).toEqual(["GHSA-hrpp", "GHSA-other"]);
  });

  it("(b) a parent bump the manifest's range already admits changes only the lockfile", async () => {
    const dep = transitive({ name: "qs", version: "6.5.2", fixed_version: "6.7.3", advisories: [adv("GHSA-hrpp", "6.7.3")] });
    const lock = locked("qs", "6.5.2", [{ name: "request", version: "2.88.0", requirement: "~6.5.2" }], [[request, { name: "qs", version: "6.5.2", requirement: "~6.5.2" }]]);
    const reg = fakeRegistry({ request: { "2.88.0": { qs: "~6.5.2" }, "2.90.0": { qs: "^6.7.0" } } });
    const plan = await planRemediation(dep, lock, { declarations: [declaration("request", "^2.88.0")], requirements: reg });
    expect(plan).toMatchObject({ kind: "parent_bump", file: "package-lock.json" });
    expect(plan?.action).toMatch(/^Update request from 2.88.0 to 2.90.0 in package-lock.json \(its requirement \^2.88.0 in package.json already admits it\)/);
  });

  it("(c) override, with the risk, when no parent version admits the fix; the file is the one the package manager reads overrides from", async () => {
    const dep = transitive({ name: "qs", version: "6.5.2", fixed_version: "6.7.3", advisories: [adv("GHSA-hrpp", "6.7.3")] });
    const parents = [{ name: "request", version: "2.88.0", requirement: "~6.5.2" }];
    const paths = [[request, { name: "qs", version: "6.5.2", requirement: "~6.5.2" }]];
    const reg = fakeRegistry({ request: { "2.88.0": { qs: "~6.5.2" }, "2.88.2": { qs: "~6.5.2" } } });
    const cases: Array<[string, string, RegExp]> = [
      ["package-lock.json", "package.json", /^Add "overrides": \{ "qs": "6.7.3" \} to package.json/],
      ["web/yarn.lock", "web/package.json", /^Add "resolutions": \{ "qs": "6.7.3" \} to web\/package.json/],
      ["pnpm-lock.yaml", "package.json", /^Add "pnpm": \{ "overrides": \{ "qs": "6.7.3" \} \} to package.json/],
    ];
    for (const [lockfile, file, action] of cases) {
      const plan = await planRemediation({ ...dep, lockfile, file: lockfile }, { ...locked("qs", "6.5.2", parents, paths, lockfile) }, { declarations: [declaration("request", "^2.88.0")], requirements: reg });
      expect(plan?.kind).toBe("override");
      expect(plan?.file).toBe(file);
      expect(plan?.action).toMatch(action);
      expect(plan?.risk).toBe("request 2.88.0 (~6.5.2) never declared support for qs 6.7.3: run their tests; remove the override once they release a version that admits it");
    }
    const ws = await planRemediation({ ...dep, lockfile: "pnpm-lock.yaml" }, locked("qs", "6.5.2", parents, paths, "pnpm-lock.yaml"), {
      declarations: [],
      requirements: reg,
      files: new Set(["pnpm-workspace.yaml"]),
    });
    expect(ws?.file).toBe("pnpm-workspace.yaml");
  });

  it("(d) no fix when no version clears the advisory", async () => {
    const dep = transitive({ name: "qs", version: "6.5.2", fixed_version: null, advisories: [adv("GHSA-nofix", null)] });
    const plan = await planRemediation(dep, null, { declarations: [] });
    expect(plan).toMatchObject({ kind: "no_fix", target_version: null, reasons: ["no fixed version of qs is published for GHSA-nofix"] });
  });

  it("poetry has no overrides: it says which dependency to upgrade instead", async () => {
    const dep = transitive({ name: "urllib3", version: "1.23", datasource: "pypi", package_manager: "pip", lockfile: "poetry.lock", fixed_version: "1.24.2", advisories: [adv("PYSEC-2019-133", "1.24.2")] });
    const lock = { ...locked("urllib3", "1.23", [{ name: "requests", version: "2.19.1", requirement: ">=1.21.1,<1.24" }], [[{ name: "requests", version: "2.19.1", requirement: "^2.19" }, { name: "urllib3", version: "1.23", requirement: ">=1.21.1,<1.24" }]], "poetry.lock"), datasource: "pypi" as const };
    const plan = await planRemediation(dep, lock, { declarations: [] });
    expect(plan?.kind).toBe("no_fix");
    expect(plan?.action).toBe("poetry.lock has no override mechanism: upgrade or replace the dependency that brings urllib3 in (requests)");
    expect(plan?.reasons).toContain("requests 2.19.1 requires urllib3 >=1.21.1,<1.24, which excludes 1.24.2");
  });

  it("Go: raising the // indirect requirement in go.mod always works (requirements are minimums)", async () => {
    const dep = transitive({ name: "golang.org/x/net", version: "v0.10.0", datasource: "go", package_manager: "go", lockfile: "go.mod", file: "go.mod", depth: null, fixed_version: "v0.23.0", advisories: [adv("GO-2024-2687", "v0.23.0")] });
    const plan = await planRemediation(dep, null, { declarations: [] });
    expect(plan).toMatchObject({ kind: "in_place", file: "go.mod", target_version: "v0.23.0" });
    expect(plan?.action).toBe(
      "Raise the // indirect require golang.org/x/net from v0.10.0 to v0.23.0 in go.mod, then go mod tidy (go get golang.org/x/net@v0.23.0 && go mod tidy): Go requirements are minimums, so every module that requires golang.org/x/net accepts it; go.sum gets its lines from the Go checksum database",
    );
    expect(plan?.risk).toMatch(/requires newer versions of other modules than go.mod lists, the build list changes: run go get/);
  });

  it("Go: even when a parent's requirement is below the fix, the plan raises the require in go.mod (MVS takes the highest), never a parent bump or override", async () => {
    // A parent requiring v0.10.0 would "exclude" v0.23.0 under semver ranges; in Go it is a minimum.
    const parents = [{ name: "github.com/gin-gonic/gin", version: "v1.9.0", requirement: "v0.10.0" }];
    const paths = [[{ name: "github.com/gin-gonic/gin", version: "v1.9.0", requirement: "v1.9.0" }, { name: "golang.org/x/net", version: "v0.10.0", requirement: "v0.10.0" }]];
    const deep = transitive({ name: "golang.org/x/net", version: "v0.10.0", datasource: "go", package_manager: "go", lockfile: "svc/go.mod", file: "svc/go.mod", depth: 2, fixed_version: "v0.23.0", advisories: [adv("GO-2024-2687", "v0.23.0")] });
    const plan = await planRemediation(deep, { ...locked("golang.org/x/net", "v0.10.0", parents, paths, "svc/go.mod"), datasource: "go" }, { declarations: [] });
    expect(plan).toMatchObject({ kind: "in_place", file: "svc/go.mod", parent: null, reasons: [] });
    expect(plan?.action).toMatch(/^Raise the \/\/ indirect require golang\.org\/x\/net from v0\.10\.0 to v0\.23\.0 in svc\/go\.mod, then go mod tidy \(go get golang\.org\/x\/net@v0\.23\.0 && go mod tidy\)/);
  });

  it("Go: a module recorded only next to go.mod (lockfile go.sum) is added to go.mod, never edited in go.sum", async () => {
    const dep = transitive({ name: "golang.org/x/text", version: "v0.3.7", datasource: "go", package_manager: "go", lockfile: "svc/go.sum", file: "svc/go.sum", depth: null, fixed_version: "v0.3.8", advisories: [adv("GO-2022-1059", "v0.3.8")] });
    const plan = await planRemediation(dep, null, { declarations: [] });
    expect(plan?.file).toBe("svc/go.mod");
    expect(plan?.action).toBe(
      "Add require golang.org/x/text v0.3.8 (// indirect) in svc/go.mod, then go mod tidy (go get golang.org/x/text@v0.3.8 && go mod tidy): Go requirements are minimums, so every module that requires golang.org/x/text accepts it; go.sum gets its lines from the Go checksum database",
    );
    expect(plan?.action).not.toMatch(/go\.sum \(|in svc\/go\.sum/);
  });

  it("Go: a direct require and an // indirect one declared in go.mod name go.mod and its line, with go mod tidy; no 'excludes' reason", async () => {
    const base = { version: "v1.9.0", locked_version: "v1.9.0", datasource: "go" as const, package_manager: "go", component: "svc", file: "go.mod", lockfile: null, depth: 1 };
    const direct = await planRemediation(makeDependency({ ...base, name: "github.com/gin-gonic/gin", line: 6, current_value: "v1.9.0", fixed_version: "v1.9.1", advisories: [adv("GO-2023-1737", "v1.9.1")] }), null, { declarations: [] });
    expect(direct).toEqual({
      kind: "direct_update",
      target_version: "v1.9.1",
      file: "go.mod",
      action: "Raise require github.com/gin-gonic/gin from v1.9.0 to v1.9.1 in go.mod (line 6), then go mod tidy (go get github.com/gin-gonic/gin@v1.9.1 && go mod tidy): Go requirements are minimums, so every module that requires github.com/gin-gonic/gin accepts it",
      parent: null,
      risk: null,
      removes: ["GO-2023-1737"],
      reasons: [],
    });
    const indirect = await planRemediation(
      makeDependency({ ...base, name: "golang.org/x/net", version: "v0.10.0", locked_version: "v0.10.0", line: 7, current_value: "v0.10.0", notes: ["indirect"], fixed_version: "v0.17.0", advisories: [adv("GO-2023-2102", "v0.17.0")] }),
      null,
      { declarations: [] },
    );
    expect(indirect).toMatchObject({ kind: "in_place", file: "go.mod", reasons: [] });
    expect(indirect?.action).toMatch(/^Raise the \/\/ indirect require golang\.org\/x\/net from v0\.10\.0 to v0\.17\.0 in go\.mod \(line 7\), then go mod tidy/);
  });

  it("direct dependencies: in place when the declared range admits the fix, else the manifest line", async () => {
    const base = { name: "lodash", version: "4.17.15", locked_version: "4.17.15", component: "app", file: "package.json", line: 9, depth: 1, lockfile: "package-lock.json", fixed_version: "4.17.21", advisories: [adv("GHSA-p6mc", "4.17.21")] };
    const inPlace = await planRemediation(makeDependency({ ...base, package_manager: "npm", datasource: "npm", current_value: "^4.17.0" }), null, { declarations: [] });
    expect(inPlace).toMatchObject({ kind: "in_place", file: "package-lock.json" });
    const pinned = await planRemediation(makeDependency({ ...base, package_manager: "npm", datasource: "npm", current_value: "4.17.15" }), null, { declarations: [] });
    expect(pinned).toMatchObject({ kind: "direct_update", file: "package.json", action: "Upgrade lodash from 4.17.15 to 4.17.21 in package.json (line 9) and regenerate package-lock.json" });
  });

  it("plans nothing for informational advisories", async () => {
    const dep = transitive({ name: "bincode", version: "1.3.3", advisories: [{ ...adv("RUSTSEC-2025-0141", null), kind: "unmaintained" }] });
    expect(await planRemediation(dep, null, { declarations: [] })).toBeNull();
  });

  it("ranks changes by the findings one change removes", () => {
    const bump = { kind: "parent_bump" as const, target_version: "x", file: "package.json", action: "Upgrade request", parent: { name: "request", from: "2.88.0", to: "3.0.0", requirement: null }, risk: null, removes: [] as string[], reasons: [] };
    const deps = [
      transitive({ name: "qs", version: "6.5.2", remediation: { ...bump, target_version: "6.7.3", removes: ["A"] } }),
      transitive({ name: "tough-cookie", version: "2.4.3", remediation: { ...bump, target_version: "4.1.3", removes: ["B", "C"] } }),
      transitive({ name: "minimist", version: "1.2.0", remediation: { ...bump, kind: "in_place", parent: null, file: "package-lock.json", action: "Update minimist", target_version: "1.2.6", removes: ["D"] } }),
    ];
    const ranked = rankRemediations(deps);
    expect(ranked.map((r) => [r.action, r.packages, r.advisories])).toEqual([
      ["Upgrade request", ["qs 6.5.2", "tough-cookie 2.4.3"], ["A", "B", "C"]],
      ["Update minimist", ["minimist 1.2.0"], ["D"]],
    ]);
  });

  it("converts Poetry's caret and tilde constraints to PEP 440", () => {
    expect(poetryToPep440("^2.19")).toBe(">=2.19.0,<3.0.0");
    expect(poetryToPep440("^0.3.1")).toBe(">=0.3.1,<0.4.0");
    expect(poetryToPep440("~1.2")).toBe(">=1.2.0,<1.3.0");
    expect(poetryToPep440(">=1.21.1,<1.24")).toBe(">=1.21.1,<1.24");
  });
});

describe("registry requirement source", () => {
  it("reads per-version requirements and dist from the npm packument, through a mirror", async () => {
    const scope = nock("https://npm.mirror.example")
      .get("/request")
      .reply(200, {
        name: "request",
        versions: {
          "2.88.0": { dependencies: { qs: "~6.5.2" }, dist: { tarball: "https://npm.mirror.example/request/-/request-2.88.0.tgz", integrity: "sha512-aaa" } },
          "3.0.0": { dependencies: { qs: "^6.7.0" }, optionalDependencies: { fsevents: "^2" }, dist: { tarball: "https://npm.mirror.example/request/-/request-3.0.0.tgz", integrity: "sha512-bbb" } },
        },
      });
    const src = createRequirementSource({ http: testClient().http, npmRegistry: "https://npm.mirror.example/" });
    const reqs = await src.requirements("npm", "request");
    expect(reqs?.get("3.0.0")?.get("qs")).toBe("^6.7.0");
    expect(reqs?.get("3.0.0")?.get("fsevents")).toBe("^2");
    // The packument is cached by the HttpClient: the artefact lookup asks nothing more.
    expect(await src.artefact("npm", "request", "3.0.0")).toEqual({
      version: "3.0.0",
      resolved: "https://npm.mirror.example/request/-/request-3.0.0.tgz",
      integrity: "sha512-bbb",
      shasum: null,
      // optionalDependencies and dependencies, not peers: what the lockfile entry records.
      dependencies: new Map([["fsevents", "^2"], ["qs", "^6.7.0"]]),
    });
    scope.done();
  });

  it("reads requirements and checksums from the crates sparse index, skipping dev-dependencies and bad lines", async () => {
    expect(cratesIndexPath("h2")).toBe("2/h2");
    expect(cratesIndexPath("syn")).toBe("3/s/syn");
    expect(cratesIndexPath("Hyper")).toBe("hy/pe/hyper");
    const lines = [
      JSON.stringify({ name: "hyper", vers: "0.14.27", deps: [{ name: "h2", req: "^0.3.17", kind: "normal" }, { name: "tokio-test", req: "^0.4", kind: "dev" }], cksum: "ab12" }),
      "not json",
      JSON.stringify({ name: "hyper", vers: "0.14.28", deps: [{ name: "h2-renamed", package: "h2", req: "^0.3.24", kind: "normal" }], cksum: "cd34" }),
    ].join("\n");
    const scope = nock("https://crates.mirror.example").get("/index/hy/pe/hyper").times(1).reply(200, lines);
    const src = createRequirementSource({ http: testClient().http, cratesIndex: "https://crates.mirror.example/index" });
    const reqs = await src.requirements("crates", "hyper");
    expect(reqs?.get("0.14.27")).toEqual(new Map([["h2", "^0.3.17"]]));
    expect(reqs?.get("0.14.28")?.get("h2")).toBe("^0.3.24");
    expect(await src.artefact("crates", "hyper", "0.14.28")).toEqual({ version: "0.14.28", resolved: "https://static.crates.io/crates/hyper/hyper-0.14.28.crate", integrity: "cd34" });
    scope.done();
  });

  it("answers null for ecosystems it does not read and for unknown packages", async () => {
    nock("https://registry.npmjs.org").get("/nope").reply(404, {});
    const src = createRequirementSource({ http: testClient().http });
    expect(await src.requirements("pypi", "requests")).toBeNull();
    expect(await src.requirements("npm", "nope")).toBeNull();
  });
});

describe("parent bumps from per-version registry metadata (PyPI, Go proxy) and along deeper paths", () => {
  /** A source answering per version only, as PyPI and the Go proxy do; it counts the requests. */
  function perVersionRegistry(table: Record<string, Record<string, Record<string, string>>>): RequirementSource & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      async requirements() {
        return null;
      },
      async versions(_ds, name) {
        return table[name] ? Object.keys(table[name]) : null;
      },
      async versionRequirements(_ds, name, version) {
        asked.push(`${name}@${version}`);
        const deps = table[name]?.[version];
        return deps ? new Map(Object.entries(deps)) : null;
      },
      async artefact() {
        return null;
      },
    };
  }

  it("pip: the lowest requests whose requires_dist admits the fixed urllib3, from poetry.lock's recorded requirement", async () => {
    const dep = transitive({ name: "urllib3", version: "1.23", datasource: "pypi", package_manager: "pip", lockfile: "poetry.lock", file: "poetry.lock", fixed_version: "1.24.2", advisories: [adv("PYSEC-2019-133", "1.24.2")] });
    const requests = { name: "requests", version: "2.19.1", requirement: "^2.19" };
    const lock = { ...locked("urllib3", "1.23", [{ name: "requests", version: "2.19.1", requirement: ">=1.21.1,<1.24" }], [[requests, { name: "urllib3", version: "1.23", requirement: ">=1.21.1,<1.24" }]], "poetry.lock"), datasource: "pypi" as const };
    const reg = perVersionRegistry({
      requests: { "2.19.1": { urllib3: "<1.24,>=1.21.1" }, "2.20.0": { urllib3: "<1.25,>=1.21.1" }, "2.20.1": { urllib3: "<1.25,>=1.21.1" }, "3.0.0b1": { urllib3: ">=2" } },
    });
    const decl = { ...declaration("requests", "^2.19", "pyproject.toml", 9), package_manager: "pip" as const, datasource: "pypi" as const };
    const plan = await planRemediation(dep, lock, { declarations: [decl], requirements: reg });
    expect(plan).toMatchObject({ kind: "parent_bump", parent: { name: "requests", from: "2.19.1", to: "2.20.0", requirement: "<1.25,>=1.21.1" }, file: "poetry.lock" });
    expect(plan?.action).toBe("Update requests from 2.19.1 to 2.20.0 in poetry.lock (its requirement ^2.19 in pyproject.toml already admits it): requests 2.20.0 requires urllib3 <1.25,>=1.21.1, which admits 1.24.2");
    // Ascending, stopping at the first that admits: 2.20.1 and the pre-release were never fetched.
    expect(reg.asked).toEqual(["requests@2.20.0"]);
  });

  it("deeper: the direct dependency is bumped when its new version's requirement chain admits the fix", async () => {
    // app → express 4.16.0 → body-parser 1.18.2 → qs 6.5.1 (body-parser pins qs 6.5.1)
    const dep = transitive({ name: "qs", version: "6.5.1", depth: 3, fixed_version: "6.5.3", advisories: [adv("GHSA-hrpp", "6.5.3")] });
    const path = [
      { name: "express", version: "4.16.0", requirement: "^4.16.0" },
      { name: "body-parser", version: "1.18.2", requirement: "1.18.2" },
      { name: "qs", version: "6.5.1", requirement: "6.5.1" },
    ];
    const lock = locked("qs", "6.5.1", [{ name: "body-parser", version: "1.18.2", requirement: "6.5.1" }], [path]);
    const reg = fakeRegistry({
      express: { "4.16.0": { "body-parser": "1.18.2" }, "4.16.3": { "body-parser": "1.18.2" }, "4.17.0": { "body-parser": "1.19.0" } },
      "body-parser": { "1.18.2": { qs: "6.5.1" }, "1.18.3": { qs: "6.5.2" }, "1.19.0": { qs: "^6.5.2" }, "1.19.1": { qs: "^6.9.6" } },
    });
    const plan = await planRemediation(dep, lock, { declarations: [declaration("express", "~4.16.0", "package.json", 4)], requirements: reg });
    // 4.16.3 keeps body-parser 1.18.2 (qs 6.5.1: excluded); 4.17.0 requires body-parser 1.19.0, which requires qs ^6.5.2.
    expect(plan).toMatchObject({ kind: "parent_bump", file: "package.json", parent: { name: "express", from: "4.16.0", to: "4.17.0", requirement: "^6.5.2" } });
    expect(plan?.action).toBe("Upgrade express from 4.16.0 to 4.17.0 in package.json (line 4) and regenerate package-lock.json: express 4.17.0 (through body-parser) requires qs ^6.5.2, which admits 6.5.3");
  });

  it("deeper, with metadata missing along the chain: no guess, the reason says which package was not known", async () => {
    const dep = transitive({ name: "qs", version: "6.5.1", depth: 3, fixed_version: "6.5.3", advisories: [adv("GHSA-hrpp", "6.5.3")] });
    const path = [
      { name: "express", version: "4.16.0", requirement: "^4.16.0" },
      { name: "body-parser", version: "1.18.2", requirement: "1.18.2" },
      { name: "qs", version: "6.5.1", requirement: "6.5.1" },
    ];
    const lock = locked("qs", "6.5.1", [{ name: "body-parser", version: "1.18.2", requirement: "6.5.1" }], [path]);
    const reg = fakeRegistry({ express: { "4.16.0": { "body-parser": "1.18.2" }, "4.17.0": { "body-parser": "1.19.0" } } });
    const plan = await planRemediation(dep, lock, { declarations: [], requirements: reg });
    expect(plan?.kind).toBe("override");
    expect(plan?.reasons).toContain("versions of body-parser not known (registry metadata not available)");
  });
});

describe("registry requirement source: PyPI and the Go proxy", () => {
  it("PyPI: versions with files, requires_dist without extras, and the release files with their sha256, through a mirror", async () => {
    const scope = nock("https://pypi.mirror.example")
      .get("/pypi/requests/json")
      .reply(200, { info: { version: "2.20.0" }, releases: { "2.19.1": [{ filename: "a.whl" }], "2.20.0": [{ filename: "b.whl" }], "2.20.1": [] } })
      .get("/pypi/requests/2.20.0/json")
      .reply(200, {
        info: { requires_dist: ["urllib3 (<1.25,>=1.21.1)", "idna<2.8,>=2.5", "PySocks!=1.5.7,>=1.5.6; extra == 'socks'", "win-inet-pton; sys_platform == \"win32\""] },
        urls: [
          { filename: "requests-2.20.0-py2.py3-none-any.whl", url: "https://files.example/requests-2.20.0-py2.py3-none-any.whl", digests: { sha256: "ab".repeat(32) }, size: 60000, upload_time_iso_8601: "2018-10-18T15:00:00.000000Z", packagetype: "bdist_wheel" },
        ],
      });
    const src = createRequirementSource({ http: testClient().http, pypi: "https://pypi.mirror.example/simple/" });
    expect(await src.versions?.("pypi", "requests")).toEqual(["2.19.1", "2.20.0"]);
    expect(await src.versionRequirements?.("pypi", "requests", "2.20.0")).toEqual(
      new Map([
        ["urllib3", "<1.25,>=1.21.1"],
        ["idna", "<2.8,>=2.5"],
        ["win-inet-pton", ""],
      ]),
    );
    const facts = await src.artefact("pypi", "requests", "2.20.0");
    expect(facts?.files).toEqual([
      { filename: "requests-2.20.0-py2.py3-none-any.whl", url: "https://files.example/requests-2.20.0-py2.py3-none-any.whl", sha256: "ab".repeat(32), size: 60000, upload_time: "2018-10-18T15:00:00.000000Z", packagetype: "bdist_wheel" },
    ]);
    scope.done();
  });

  it("Go: @v/list, the version's go.mod, and the checksum database's lines (with the requirements' /go.mod lines)", async () => {
    const h = (c: string): string => `h1:${c.repeat(43)}=`;
    const proxy = nock("https://goproxy.example")
      .get("/golang.org/x/net/@v/list")
      .reply(200, "v0.10.0\nv0.17.0\nv0.18.0-pre\n")
      .get("/golang.org/x/net/@v/v0.17.0.mod")
      .reply(200, "module golang.org/x/net\n\ngo 1.17\n\nrequire (\n\tgolang.org/x/sys v0.13.0\n\tgolang.org/x/text v0.13.0 // indirect\n)\n");
    const sumdb = nock("https://sum.golang.org")
      .get("/lookup/golang.org/x/net@v0.17.0")
      .reply(200, `12345\ngolang.org/x/net v0.17.0 ${h("a")}\ngolang.org/x/net v0.17.0/go.mod ${h("b")}\n\ngo.sum database tree\n`)
      .get("/lookup/golang.org/x/sys@v0.13.0")
      .reply(200, `1\ngolang.org/x/sys v0.13.0 ${h("c")}\ngolang.org/x/sys v0.13.0/go.mod ${h("d")}\n`)
      .get("/lookup/golang.org/x/text@v0.13.0")
      .reply(200, `2\ngolang.org/x/text v0.13.0 ${h("e")}\ngolang.org/x/text v0.13.0/go.mod ${h("f")}\n`);
    const src = createRequirementSource({ http: testClient().http, goProxy: "https://goproxy.example" });
    expect(await src.versions?.("go", "golang.org/x/net")).toEqual(["v0.10.0", "v0.17.0", "v0.18.0-pre"]);
    expect(await src.versionRequirements?.("go", "golang.org/x/net", "v0.17.0")).toEqual(new Map([["golang.org/x/sys", "v0.13.0"], ["golang.org/x/text", "v0.13.0"]]));
    const facts = await src.artefact("go", "golang.org/x/net", "v0.17.0");
    expect(facts?.go_sum).toEqual([`golang.org/x/net v0.17.0 ${h("a")}`, `golang.org/x/net v0.17.0/go.mod ${h("b")}`]);
    expect(facts?.go_sum_requirements).toEqual([`golang.org/x/sys v0.13.0/go.mod ${h("d")}`, `golang.org/x/text v0.13.0/go.mod ${h("f")}`]);
    proxy.done();
    sumdb.done();
  });
});
