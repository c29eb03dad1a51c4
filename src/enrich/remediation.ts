import type { Dependency, RemediationPlan } from "../model/dependency.js";
import type { DatasourceName, ExtractedDependency, LockedPackage, PathStep } from "../scan/types.js";
import type { RequirementSource, VersionRequirements } from "./datasources/requirements.js";
import type { Versioning } from "./types.js";
import { versioningFor } from "./versioning/index.js";

/** Poetry writes ^ and ~ constraints; PEP 440 has neither. ^1.2.3 → >=1.2.3,<2.0.0; ~1.2 → >=1.2,<1.3. */
export function poetryToPep440(req: string): string {
  return req
    .split(",")
    .map((clause) => {
      const c = clause.trim();
      const m = /^([~^])\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(c);
      if (!m) return c;
      const [maj, min, pat] = [Number(m[2]), m[3] === undefined ? null : Number(m[3]), m[4] === undefined ? null : Number(m[4])];
      const low = [maj, min ?? 0, pat ?? 0].join(".");
      let high: string;
      if (m[1] === "~") high = min === null ? `${maj + 1}.0.0` : `${maj}.${min + 1}.0`;
      else if (maj > 0 || min === null) high = `${maj + 1}.0.0`;
      else if ((min ?? 0) > 0 || pat === null) high = `0.${(min ?? 0) + 1}.0`;
      else high = `0.0.${(pat ?? 0) + 1}`;
      return `>=${low},<${high}`;
    })
    .join(",");
}

// Range parsing dominates planning; the same (requirement, version) pairs recur across packages.
const ADMITS_CACHE = new Map<string, boolean | null>();
const ADMITS_CACHE_MAX = 50_000;

/** Does `req` admit `version`? null when the requirement cannot be read. */
export function admits(v: Versioning, datasource: DatasourceName, version: string, req: string | null): boolean | null {
  if (req === null) return null;
  const key = `${datasource}\u0000${version}\u0000${req}`;
  const hit = ADMITS_CACHE.get(key);
  if (hit !== undefined) return hit;
  const out = admitsUncached(v, datasource, version, req);
  if (ADMITS_CACHE.size >= ADMITS_CACHE_MAX) ADMITS_CACHE.clear();
  ADMITS_CACHE.set(key, out);
  return out;
}

/** For benchmarks: start cold. */
export function clearAdmitsCache(): void {
  ADMITS_CACHE.clear();
}

function admitsUncached(v: Versioning, datasource: DatasourceName, version: string, req: string): boolean | null {
  const r = datasource === "pypi" ? poetryToPep440(req) : req;
  if (r.trim() === "" || r.trim() === "*") return true;
  if (v.matches(version, r)) return true;
  // A requirement this versioning cannot parse says nothing either way.
  return v.minSatisfying && v.minSatisfying(r) === null && !/^[<>=!~^]/.test(r.trim()) ? null : false;
}

const LOCK_COMMAND: Record<string, (name: string, from: string, to: string) => string> = {
  "package-lock.json": (n) => `npm update ${n}`,
  "npm-shrinkwrap.json": (n) => `npm update ${n}`,
  "yarn.lock": (n) => `yarn up -R ${n}`,
  "pnpm-lock.yaml": (n) => `pnpm update ${n} --depth Infinity`,
  "Cargo.lock": (n, from, to) => `cargo update -p ${n}@${from} --precise ${to}`,
  "poetry.lock": (n) => `poetry update ${n}`,
  "uv.lock": (n, _f, to) => `uv lock --upgrade-package ${n}==${to}`,
  "Pipfile.lock": (n) => `pipenv update ${n}`,
  "go.mod": (n, _f, to) => `go get ${n}@${to} && go mod tidy`,
};

function base(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}
function dirOf(file: string): string {
  return file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
}
function inDir(dir: string, name: string): string {
  return dir === "." ? name : `${dir}/${name}`;
}

export interface PlanContext {
  /** Direct declarations of the scan, to name the manifest line of a direct dependency. */
  declarations: readonly ExtractedDependency[];
  /** Registry metadata; absent offline. */
  requirements?: RequirementSource;
  /** Files of the repository, to name an override's file (pnpm-workspace.yaml or package.json). */
  files?: ReadonlySet<string>;
  /** Problems met (registry failures), one per request. */
  warn?: (message: string) => void;
}

/** Memoised registry requirements, one request per (datasource, package) per run. */
export function requirementsCache(ctx: PlanContext): (ds: DatasourceName, name: string) => Promise<VersionRequirements | null> {
  const cache = new Map<string, Promise<VersionRequirements | null>>();
  return (ds, name) => {
    const src = ctx.requirements;
    if (!src) return Promise.resolve(null);
    const key = `${ds}\u0000${name}`;
    let p = cache.get(key);
    if (!p) {
      p = src.requirements(ds, name).catch((err: unknown) => {
        ctx.warn?.(`${name}: registry metadata for remediation could not be read: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      });
      cache.set(key, p);
    }
    return p;
  };
}

/** Per-version requirements, whatever the registry's shape: one answer for every version (npm, crates) or one request per version (PyPI, Go proxy). */
export interface MetadataReader {
  versions(ds: DatasourceName, name: string): Promise<string[] | null>;
  requirementsOf(ds: DatasourceName, name: string, version: string): Promise<Map<string, string> | null>;
}

/** Per-version requests one plan may make (PyPI JSON, Go .mod): the search stops there and says so. */
export const MAX_VERSION_REQUESTS = 40;

function metaKey(ds: DatasourceName, name: string): string {
  return ds === "pypi" ? name.toLowerCase().replace(/[-_.]+/g, "-") : name;
}

/** A reader over the memoised registry answers; per-version answers are memoised too, and counted. */
export function metadataReader(ctx: PlanContext, fetchReqs: (ds: DatasourceName, name: string) => Promise<VersionRequirements | null>): MetadataReader & { requests: number } {
  const versionsCache = new Map<string, Promise<string[] | null>>();
  const perVersion = new Map<string, Promise<Map<string, string> | null>>();
  const reader = {
    requests: 0,
    async versions(ds: DatasourceName, name: string): Promise<string[] | null> {
      const all = await fetchReqs(ds, name);
      if (all) return [...all.keys()];
      const src = ctx.requirements;
      if (!src?.versions) return null;
      const k = `${ds}\u0000${metaKey(ds, name)}`;
      let p = versionsCache.get(k);
      if (!p) {
        p = src.versions(ds, name).catch((err: unknown) => {
          ctx.warn?.(`${name}: registry versions for remediation could not be read: ${err instanceof Error ? err.message : String(err)}`);
          return null;
        });
        versionsCache.set(k, p);
      }
      return p;
    },
    async requirementsOf(ds: DatasourceName, name: string, version: string): Promise<Map<string, string> | null> {
      const all = await fetchReqs(ds, name);
      if (all) return all.get(version) ?? null;
      const src = ctx.requirements;
      if (!src?.versionRequirements) return null;
      const k = `${ds}\u0000${metaKey(ds, name)}\u0000${version}`;
      let p = perVersion.get(k);
      if (!p) {
        if (reader.requests >= MAX_VERSION_REQUESTS) return null;
        reader.requests++;
        p = src.versionRequirements(ds, name, version).catch((err: unknown) => {
          ctx.warn?.(`${name} ${version}: registry metadata for remediation could not be read: ${err instanceof Error ? err.message : String(err)}`);
          return null;
        });
        perVersion.set(k, p);
      }
      return p;
    },
  };
  return reader;
}

function overrideFor(lockfile: string, name: string, target: string, files: ReadonlySet<string> | undefined): { file: string; action: string } | null {
  const dir = dirOf(lockfile);
  switch (base(lockfile)) {
    case "package-lock.json":
    case "npm-shrinkwrap.json":
      return { file: inDir(dir, "package.json"), action: `Add "overrides": { "${name}": "${target}" } to ${inDir(dir, "package.json")} and run npm install, which rewrites ${lockfile}` };
    case "pnpm-lock.yaml": {
      const ws = inDir(dir, "pnpm-workspace.yaml");
      if (files?.has(ws)) return { file: ws, action: `Add overrides: { "${name}": "${target}" } to ${ws} and run pnpm install, which rewrites ${lockfile}` };
      return { file: inDir(dir, "package.json"), action: `Add "pnpm": { "overrides": { "${name}": "${target}" } } to ${inDir(dir, "package.json")} and run pnpm install, which rewrites ${lockfile}` };
    }
    case "yarn.lock":
      return { file: inDir(dir, "package.json"), action: `Add "resolutions": { "${name}": "${target}" } to ${inDir(dir, "package.json")} and run yarn install, which rewrites ${lockfile}` };
    case "Cargo.lock":
      return {
        file: inDir(dir, "Cargo.toml"),
        action: `Add a [patch.crates-io] entry for ${name} to ${inDir(dir, "Cargo.toml")} (the workspace root) pointing at a git or path source that carries the fix under a version the parents' requirements accept, then run cargo update -p ${name}`,
      };
    case "uv.lock":
      return { file: inDir(dir, "pyproject.toml"), action: `Add "${name}>=${target}" to [tool.uv] override-dependencies in ${inDir(dir, "pyproject.toml")} and run uv lock` };
    default:
      return null;
  }
}

/** Candidate versions of a direct dependency tried per plan (ascending from the current one). */
const MAX_PARENT_CANDIDATES = 25;

/**
 * The lowest stable version of chain[0] above its current one whose requirement chain admits `target`:
 * at each level, the version a resolver picks (the highest the requirement admits) and its requirement
 * on the next step, down to the vulnerable package. A version that no longer requires the next step
 * drops the package from that path. Unknown metadata stops the search and says so.
 */
async function lowestAdmittingParent(
  ds: DatasourceName,
  v: Versioning,
  meta: MetadataReader,
  chain: readonly PathStep[],
  name: string,
  target: string,
): Promise<{ version: string; requirement: string | null; drops: boolean } | { why: string }> {
  const d = chain[0];
  const published = await meta.versions(ds, d.name);
  if (!published) return { why: `versions of ${d.name} not known (registry metadata not available)` };
  const candidates = published.filter((x) => v.isValid(x) && v.isStable(x) && v.isValid(d.version) && v.compare(x, d.version) > 0).sort(v.compare).slice(0, MAX_PARENT_CANDIDATES);
  let unknown: string | null = null;
  for (const c of candidates) {
    let at = c;
    let requirement: string | null = null;
    let verdict: "ok" | "drops" | "no" | "unknown" = "unknown";
    for (let i = 1; i < chain.length; i++) {
      const reqs = await meta.requirementsOf(ds, chain[i - 1].name, at);
      if (!reqs) {
        unknown ??= `the requirements of ${chain[i - 1].name} ${at} are not known (registry metadata not available)`;
        break;
      }
      const r = reqs.get(metaKey(ds, chain[i].name)) ?? reqs.get(chain[i].name);
      if (r === undefined) {
        verdict = "drops";
        break;
      }
      if (i === chain.length - 1) {
        requirement = r;
        // Go: requirements are minimums; any requirement admits a higher fixed version.
        const ok = ds === "go" ? true : admits(v, ds, target, r);
        verdict = ok === true ? "ok" : ok === false ? "no" : "unknown";
        break;
      }
      // The version of the next step that a resolver picks under r.
      const next = await meta.versions(ds, chain[i].name);
      if (!next) {
        unknown ??= `versions of ${chain[i].name} not known (registry metadata not available)`;
        break;
      }
      const picked = next.filter((x) => v.isValid(x) && v.isStable(x) && admits(v, ds, x, r) === true).sort(v.compare).pop();
      if (!picked) {
        verdict = "no";
        break;
      }
      at = picked;
    }
    if (verdict === "ok" || verdict === "drops") return { version: c, requirement, drops: verdict === "drops" };
  }
  if (unknown) return { why: unknown };
  const via = chain.length > 2 ? ` through ${chain.slice(1, -1).map((s) => s.name).join(" → ")}` : "";
  return { why: `no published version of ${d.name} admits ${name} ${target}${via}` };
}

/**
 * A MetadataReader built on first use: most plans never ask a registry. A class, not closures made per
 * plan: planning runs for every vulnerable package, and a closure per call is measurable there.
 */
class LazyMetadataReader implements MetadataReader {
  private built: MetadataReader | null;
  constructor(
    private readonly ctx: PlanContext,
    private readonly fetchReqs: (ds: DatasourceName, name: string) => Promise<VersionRequirements | null>,
    given: MetadataReader | undefined,
  ) {
    this.built = given ?? null;
  }
  private reader(): MetadataReader {
    return (this.built ??= metadataReader(this.ctx, this.fetchReqs));
  }
  versions(ds: DatasourceName, name: string): Promise<string[] | null> {
    return this.reader().versions(ds, name);
  }
  requirementsOf(ds: DatasourceName, name: string, version: string): Promise<Map<string, string> | null> {
    return this.reader().requirementsOf(ds, name, version);
  }
}

function noFix(name: string, removes: string[], reasons: string[]): RemediationPlan {
  return {
    kind: "no_fix",
    target_version: null,
    file: null,
    action: `No version of ${name} clears ${removes.join(", ")}: see the mitigations below`,
    parent: null,
    risk: null,
    removes,
    reasons,
  };
}

function lockCommand(file: string, name: string, from: string, target: string): string {
  return LOCK_COMMAND[base(file)]?.(name, from, target) ?? `regenerate ${file}`;
}

/** The direct dependencies (first registry package) on the paths, other than the package itself. */
function directsOnPaths(paths: readonly PathStep[][], name: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let first: string | undefined;
    for (const s of p) {
      if (!s.local) {
        first = s.name;
        break;
      }
    }
    if (first && first !== name && !out.includes(first)) out.push(first);
  }
  return out;
}

/**
 * Go modules: minimal version selection takes the highest requirement in the build, and a requirement
 * is a minimum, so raising the vulnerable module's `require` in go.mod always satisfies every module
 * that requires it: no parent bump, no override. The step names go.mod (the file that declares the
 * module, `// indirect` or not; never go.sum, which `go mod tidy` rewrites). A direct requirement is a
 * direct update; an indirect one (or a module go.mod does not list yet: add the require) is in place.
 */
function goPlan(dep: Dependency, lockfile: string | null, target: string, removes: string[], transitive: boolean): RemediationPlan {
  const name = dep.name;
  const declaredInGoMod = base(dep.file) === "go.mod";
  const gomod = declaredInGoMod ? dep.file : inDir(dirOf(lockfile ?? dep.file), "go.mod");
  const where = `${gomod}${declaredInGoMod && dep.line ? ` (line ${dep.line})` : ""}`;
  const command = `go get ${name}@${target} && go mod tidy`;
  const indirect = transitive || (dep.notes ?? []).includes("indirect");
  const from = dep.locked_version ?? dep.version;
  if (!indirect) {
    return {
      kind: "direct_update",
      target_version: target,
      file: gomod,
      action: `Raise require ${name} from ${from} to ${target} in ${where}, then go mod tidy (${command}): Go requirements are minimums, so every module that requires ${name} accepts it`,
      parent: null,
      risk: null,
      removes,
      reasons: [],
    };
  }
  const listed = declaredInGoMod || base(lockfile ?? "") === "go.mod";
  return {
    kind: "in_place",
    target_version: target,
    file: gomod,
    action: `${listed ? `Raise the // indirect require ${name} from ${from} to ${target}` : `Add require ${name} ${target} (// indirect)`} in ${where}, then go mod tidy (${command}): Go requirements are minimums, so every module that requires ${name} accepts it; go.sum gets its lines from the Go checksum database`,
    parent: null,
    // Always admitted; written without the go command only when nothing else moves.
    risk: `if ${name} ${target}'s go.mod requires newer versions of other modules than ${gomod} lists, the build list changes: run ${command} instead of editing by hand`,
    removes,
    reasons: [],
  };
}

/**
 * The remediation of one vulnerable dependency, in the order: in place, parent bump, override, no fix
 * (direct dependencies: in place when the declared requirement admits the fix, else a manifest update).
 * Returns null when the dependency has no vulnerability advisory.
 */
export async function planRemediation(
  dep: Dependency,
  locked: LockedPackage | null,
  ctx: PlanContext,
  fetchReqs = requirementsCache(ctx),
  metaIn?: MetadataReader,
): Promise<RemediationPlan | null> {
  const removes: string[] = [];
  for (const a of dep.advisories) if ((a.kind ?? "vulnerability") === "vulnerability") removes.push(a.id);
  if (removes.length === 0) return null;
  const ds = dep.datasource as DatasourceName;
  const v = versioningFor(ds);
  const name = dep.name;
  const from = dep.locked_version ?? dep.version;
  const target = dep.fixed_version;
  const lockfile = dep.lockfile ?? locked?.lockfile ?? null;
  if (!target) return noFix(name, removes, [`no fixed version of ${name} is published for ${removes.join(", ")}`]);

  const transitive = dep.depth !== null ? dep.depth > 1 : dep.current_value === "(transitive)";
  if (ds === "go") return goPlan(dep, lockfile, target, removes, transitive);
  if (!transitive) {
    const declared = dep.current_value;
    const ok = admits(v, ds, target, declared);
    if (lockfile && lockfile !== dep.file && ok === true) {
      return {
        kind: "in_place",
        target_version: target,
        file: lockfile,
        action: `Update ${name} from ${from} to ${target} in ${lockfile} only (${lockCommand(lockfile, name, from, target)}): the requirement ${declared} in ${dep.file} admits it`,
        parent: null,
        risk: null,
        removes,
        reasons: [],
      };
    }
    const where = `${dep.file}${dep.line ? ` (line ${dep.line})` : ""}`;
    return {
      kind: "direct_update",
      target_version: target,
      file: dep.file,
      action: `Upgrade ${name} from ${from} to ${target} in ${where}${lockfile && lockfile !== dep.file ? ` and regenerate ${lockfile}` : ""}`,
      parent: null,
      risk: null,
      removes,
      reasons: ok === false ? [`the requirement ${declared} excludes ${target}`] : [],
    };
  }

  const lock = lockfile ?? dep.file;

  const reasons: string[] = [];
  const parents: PathStep[] = locked?.parents ?? [];
  // Built only when a registry is asked (most plans never do).
  const meta: MetadataReader = new LazyMetadataReader(ctx, fetchReqs, metaIn);
  // (a) In place: every parent's requirement admits the target.
  const verdicts: Array<{ p: PathStep; req: string | null; ok: boolean | null }> = [];
  for (const p of parents) {
    let req = p.requirement;
    if (req === null && !p.local && ctx.requirements) req = (await meta.requirementsOf(ds, p.name, p.version))?.get(metaKey(ds, name)) ?? null;
    verdicts.push({ p, req, ok: admits(v, ds, target, req) });
  }
  let allTrue = verdicts.length > 0;
  let noneFalse = verdicts.length > 0;
  for (const x of verdicts) {
    if (x.ok !== true) allTrue = false;
    if (x.ok === false) noneFalse = false;
  }
  if (allTrue) {
    const who = verdicts.map((x) => `${x.p.name} ${x.p.version} requires ${x.req}`).join("; ");
    return {
      kind: "in_place",
      target_version: target,
      file: lock,
      action: `Update ${name} from ${from} to ${target} in ${lock} only (${lockCommand(lock, name, from, target)}): ${who}, which admit${verdicts.length === 1 ? "s" : ""} it`,
      parent: null,
      risk: null,
      removes,
      reasons: [],
    };
  }
  // Nothing known to exclude the fix, only requirements nobody could read (offline, Cargo.lock and
  // pnpm-lock.yaml do not record them): try in place, and say what to do if the resolver refuses.
  if (noneFalse) {
    const unknown: string[] = [];
    const unknownReasons: string[] = [];
    for (const x of verdicts) {
      if (x.ok !== null) continue;
      unknown.push(`${x.p.name} ${x.p.version}`);
      unknownReasons.push(`the requirement of ${x.p.name} ${x.p.version} on ${name} is unknown`);
    }
    const directs = directsOnPaths(locked?.paths ?? [], name);
    return {
      kind: "in_place",
      target_version: target,
      file: lock,
      action: `Update ${name} from ${from} to ${target} in ${lock} only (${lockCommand(lock, name, from, target)})`,
      parent: null,
      risk: `the requirements of ${unknown.join(", ")} on ${name} were not checked (not in ${lock}, registry metadata not available): if the update is refused, upgrade ${directs.length > 0 ? directs.join(" or ") : "the dependency that brings it in"} instead`,
      removes,
      reasons: unknownReasons,
    };
  }
  if (verdicts.length === 0) reasons.push(`the lockfile records no package that requires ${name}`);
  for (const x of verdicts) {
    if (x.ok === false) reasons.push(`${x.p.name} ${x.p.version} requires ${name} ${x.req}, which excludes ${target}`);
    else if (x.ok === null) reasons.push(`the requirement of ${x.p.name} ${x.p.version} on ${name} is unknown${x.req ? ` (${x.req})` : " (not in the lockfile, registry metadata not available)"}`);
  }

  // (b) Parent bump: the lowest version of the direct dependency (the first registry package on a
  // shortest path) whose requirement chain down to the package admits the target.
  const blocking = verdicts.filter((x) => x.ok !== true).map((x) => x.p.name);
  const chains = new Map<string, PathStep[]>();
  for (const path of [...(locked?.paths ?? [])].sort((a, b) => a.length - b.length)) {
    // The direct dependency is the first registry package (workspace members are the repository's own).
    const first = path.findIndex((s) => !s.local);
    if (first < 0 || first >= path.length - 1) continue;
    const chain = path.slice(first);
    if (!blocking.includes(chain[chain.length - 2].name) || chain.slice(1, -1).some((s) => s.local)) continue;
    if (!chains.has(chain[0].name)) chains.set(chain[0].name, chain);
  }
  for (const chain of chains.values()) {
    const d = chain[0];
    const found = await lowestAdmittingParent(ds, v, meta, chain, name, target);
    if ("why" in found) {
      reasons.push(found.why);
      continue;
    }
    const to = found.version;
    const decl =
      ctx.declarations.find((x) => x.component === dep.component && metaKey(ds, x.name) === metaKey(ds, d.name) && x.datasource === dep.datasource) ??
      ctx.declarations.find((x) => metaKey(ds, x.name) === metaKey(ds, d.name) && x.datasource === dep.datasource && !x.skip_reason);
    const manifest = decl?.file ?? null;
    const declaredOk = decl ? admits(v, ds, to, decl.current_value) : null;
    const via = chain.length > 2 ? ` (through ${chain.slice(1, -1).map((s) => s.name).join(" → ")})` : "";
    const why = found.drops ? `${d.name} ${to} no longer depends on ${name}${via}` : `${d.name} ${to}${via} requires ${name} ${found.requirement}, which admits ${target}`;
    const action =
      declaredOk === true
        ? `Update ${d.name} from ${d.version} to ${to} in ${lock} (its requirement ${decl?.current_value} in ${manifest} already admits it): ${why}`
        : `Upgrade ${d.name} from ${d.version} to ${to} in ${manifest ?? "the manifest that declares it"}${decl?.line ? ` (line ${decl.line})` : ""} and regenerate ${lock}: ${why}`;
    return {
      kind: "parent_bump",
      target_version: target,
      file: declaredOk === true ? lock : manifest,
      action,
      parent: { name: d.name, from: d.version, to, requirement: found.requirement },
      risk: null,
      removes,
      reasons,
    };
  }
  if (chains.size === 0 && (locked?.depth ?? 0) > 2) reasons.push(`${name} is ${locked?.depth} levels deep and no path from a direct dependency reaches it through a blocking parent`);

  // (c) Override: force the version where the package manager can.
  const o = overrideFor(lock, name, target, ctx.files);
  if (o) {
    const excluded = verdicts.filter((x) => x.ok === false).map((x) => `${x.p.name} ${x.p.version} (${x.req})`);
    return {
      kind: "override",
      target_version: target,
      file: o.file,
      action: o.action,
      parent: null,
      risk:
        excluded.length > 0
          ? `${excluded.join(", ")} never declared support for ${name} ${target}: run their tests; remove the override once they release a version that admits it`
          : `the parents' requirements on ${name} are not known: check that they work with ${target}; remove the override once they admit it`,
      removes,
      reasons,
    };
  }
  return { ...noFix(name, removes, reasons), action: `${lock} has no override mechanism: upgrade or replace the dependency that brings ${name} in (${[...new Set((locked?.paths ?? []).map((p) => p[0]?.name))].join(", ") || "unknown"})`, target_version: null };
}

/** A change key: the same change planned for several findings removes all of them. */
export function remediationKey(dep: Pick<Dependency, "name" | "component">, plan: RemediationPlan): string {
  if (plan.kind === "parent_bump" && plan.parent) return `parent_bump\u0000${plan.file}\u0000${plan.parent.name}@${plan.parent.to}`;
  return `${plan.kind}\u0000${plan.file}\u0000${dep.name}@${plan.target_version}`;
}

export interface RankedChange {
  kind: RemediationPlan["kind"];
  action: string;
  file: string | null;
  /** Vulnerable package versions this change fixes, and the advisories it removes. */
  packages: string[];
  advisories: string[];
  components: string[];
}

/** The planned changes, the ones that remove the most findings first. */
export function rankRemediations(deps: readonly Dependency[]): RankedChange[] {
  const byKey = new Map<string, RankedChange>();
  for (const d of deps) {
    const p = d.remediation;
    if (!p || p.kind === "no_fix") continue;
    const k = remediationKey(d, p);
    const c = byKey.get(k) ?? { kind: p.kind, action: p.action, file: p.file, packages: [], advisories: [], components: [] };
    const pkg = `${d.name} ${d.locked_version ?? d.version}`;
    if (!c.packages.includes(pkg)) c.packages.push(pkg);
    for (const a of p.removes) if (!c.advisories.includes(a)) c.advisories.push(a);
    if (!c.components.includes(d.component)) c.components.push(d.component);
    byKey.set(k, c);
  }
  return [...byKey.values()].sort((a, b) => b.advisories.length - a.advisories.length || b.packages.length - a.packages.length || (a.action < b.action ? -1 : 1));
}
