/**
 * Compare Renovate's extraction (its JSON report) with ours, dependency by dependency.
 * Pure functions: compare.ts does the I/O.
 */
import { z } from "zod";
import type { ExtractedDependency, PackageManager } from "../../src/scan/types.js";

/** Renovate manager name → our package_manager. Renovate has no zarf or uds manager. */
export const RENOVATE_MANAGER_MAP: Readonly<Record<string, PackageManager>> = {
  npm: "npm",
  nvm: "npm",
  nodenv: "npm",
  pyenv: "pip",
  pip_requirements: "pip",
  pep621: "pip",
  poetry: "pip",
  pipenv: "pip",
  cargo: "cargo",
  gomod: "go",
  dockerfile: "docker",
  "docker-compose": "docker",
  "github-actions": "github-actions",
  helmv3: "helm",
  "helm-values": "helm",
};

/** Our managers Renovate can be compared on. */
export const COMPARED_MANAGERS: readonly PackageManager[] = [
  "npm",
  "pip",
  "cargo",
  "go",
  "docker",
  "github-actions",
  "helm",
];

const RenovateDepSchema = z
  .object({
    depName: z.string().optional(),
    packageName: z.string().optional(),
    depType: z.string().optional(),
    currentValue: z.string().optional(),
    currentDigest: z.string().optional(),
    lockedVersion: z.string().optional(),
    skipReason: z.string().optional(),
    datasource: z.string().optional(),
    replaceString: z.string().optional(),
  })
  .loose();

const RenovatePackageFileSchema = z
  .object({ packageFile: z.string(), deps: z.array(RenovateDepSchema) })
  .loose();

const RenovateReportSchema = z
  .object({
    repositories: z.record(
      z.string(),
      z.object({ packageFiles: z.record(z.string(), z.array(RenovatePackageFileSchema)).optional() }).loose(),
    ),
  })
  .loose();

/** One dependency as Renovate extracted it, mapped to our manager names. */
export interface PeerDependency {
  manager: PackageManager;
  renovate_manager: string;
  file: string;
  /** depName, or for an unnamed dep (e.g. a FROM with a variable) the image part of replaceString. */
  name: string;
  package_name: string | null;
  dep_type: string | null;
  current_value: string | null;
  current_digest: string | null;
  locked_version: string | null;
  skip_reason: string | null;
  datasource: string | null;
}

export interface RenovateParseResult {
  deps: PeerDependency[];
  /** Renovate managers seen in the report that we do not map (none when enabledManagers is ours). */
  unmapped_managers: string[];
  warnings: string[];
}

/** Parse Renovate's `--report-type=file` JSON. Throws with a clear message when the shape is wrong. */
export function parseRenovateReport(json: unknown, label = "renovate report"): RenovateParseResult {
  const parsed = RenovateReportSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `${label}: not a Renovate report (at ${first?.path.join(".") || "<root>"}: ${first?.message ?? "invalid"})`,
    );
  }
  const deps: PeerDependency[] = [];
  const unmapped = new Set<string>();
  const warnings: string[] = [];
  for (const repo of Object.values(parsed.data.repositories)) {
    for (const [renovateManager, files] of Object.entries(repo.packageFiles ?? {})) {
      const manager = RENOVATE_MANAGER_MAP[renovateManager];
      if (!manager) {
        unmapped.add(renovateManager);
        continue;
      }
      for (const pf of files) {
        pf.deps.forEach((d, i) => {
          const name = d.depName ?? imageFromReplaceString(d.replaceString) ?? d.packageName;
          if (!name) {
            warnings.push(`${label}: ${pf.packageFile}: ${renovateManager} dep #${i + 1} has no name; ignored`);
            return;
          }
          deps.push({
            manager,
            renovate_manager: renovateManager,
            file: pf.packageFile,
            name,
            package_name: d.packageName ?? null,
            dep_type: d.depType ?? null,
            current_value: d.currentValue ?? null,
            current_digest: d.currentDigest ?? null,
            locked_version: d.lockedVersion ?? null,
            skip_reason: d.skipReason ?? null,
            datasource: d.datasource ?? null,
          });
        });
      }
    }
  }
  return { deps, unmapped_managers: [...unmapped].sort(), warnings };
}

/** "ghcr.io/org/img:${TAG}" → "ghcr.io/org/img"; undefined when there is nothing image-like. */
export function imageFromReplaceString(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const ref = s.trim().split(/\s+/)[0] ?? "";
  if (!ref || ref.startsWith("ARG")) return undefined;
  return stripImageTag(ref) || undefined;
}

function stripImageTag(ref: string): string {
  const at = ref.indexOf("@");
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The name both sides are compared by, per manager:
 * - pip: PEP 503 (lower case, runs of - _ . → -), extras dropped;
 * - docker: lower case, tag/digest dropped, Docker Hub's implicit "docker.io/" and "library/" dropped;
 * - github-actions: "owner/repo" (Renovate names "github/codeql-action/upload-sarif" by its repository), lower case;
 * - others: as written.
 */
export function normalizeName(manager: PackageManager, name: string): string {
  const n = name.trim();
  switch (manager) {
    case "pip":
      return n
        .replace(/\[.*$/, "")
        .trim()
        .toLowerCase()
        .replace(/[-_.]+/g, "-");
    case "docker":
      return normalizeImage(n);
    case "github-actions": {
      if (n.startsWith("docker://")) return normalizeImage(n.slice("docker://".length));
      if (n.startsWith("./") || n.startsWith("../")) return n;
      const noRef = n.split("@")[0] ?? n;
      const parts = noRef.split("/");
      return (parts.length > 2 ? parts.slice(0, 2).join("/") : noRef).toLowerCase();
    }
    default:
      return n;
  }
}

function normalizeImage(ref: string): string {
  // Renovate cuts `ghcr.io/o/hub${HUB_IMAGE_REF:-:latest}` at the variable's colon: compare the part before `${`.
  let n = stripImageTag(ref.toLowerCase().replace(/\$\{[^}]*$/, ""));
  for (const prefix of ["index.docker.io/", "registry-1.docker.io/", "docker.io/"]) {
    if (n.startsWith(prefix)) n = n.slice(prefix.length);
  }
  if (n.startsWith("library/")) n = n.slice("library/".length);
  return n;
}

/** Values compared loosely: whitespace removed ("== 0.1" ≡ "==0.1"), a leading "v" kept. */
export function normalizeValue(v: string | null | undefined): string {
  return (v ?? "").replace(/\s+/g, "");
}

/** The subset of our ExtractedDependency the comparison reads. */
export type OurDependency = Pick<
  ExtractedDependency,
  "name" | "package_manager" | "file" | "line" | "dependency_type" | "current_value" | "skip_reason" | "digest"
> &
  Partial<Pick<ExtractedDependency, "declared_by" | "group" | "notes">>;

export interface MatchedPair {
  ours: OurDependency;
  peer: PeerDependency;
  /** How the pair was made. */
  via: "key" | "key-other-manager" | "package-manager" | "package-name" | "catalog-reference";
  value_agrees: boolean;
}

export interface ManagerTally {
  manager: PackageManager;
  renovate: number;
  ours: number;
  found: number;
  missed: number;
  extra: number;
  value_differs: number;
}

export interface ComparisonResult {
  pairs: MatchedPair[];
  /** Renovate found it, we did not. */
  missed: PeerDependency[];
  /** We found it (in a manager Renovate also covers), Renovate did not. */
  extra: OurDependency[];
  /** Ours in managers Renovate has no counterpart for (zarf, uds). */
  ours_only_managers: OurDependency[];
  tallies: ManagerTally[];
}

/** The declared value, or the digest when only a digest pins it (an action at a commit SHA). */
function valueOf(d: OurDependency): string {
  return normalizeValue(d.current_value || d.digest);
}
function peerValue(d: PeerDependency): string {
  return normalizeValue(d.current_value || d.current_digest);
}

/**
 * Pair Renovate's dependencies with ours by (manager, file, normalized name), as a multiset:
 * the same name twice in one file (two FROM lines, a checkout in three jobs) needs two on each side.
 * Within a key, equal values pair first. Leftovers get two more chances: same file and name under
 * another manager (e.g. a workflow's container image), then Renovate's packageName.
 */
export function compareExtractions(peer: readonly PeerDependency[], ours: readonly OurDependency[]): ComparisonResult {
  const compared = new Set<string>(COMPARED_MANAGERS);
  const oursCompared: OurDependency[] = [];
  const oursOnly: OurDependency[] = [];
  for (const d of ours) (compared.has(d.package_manager) ? oursCompared : oursOnly).push(d);

  const pairs: MatchedPair[] = [];
  let peerLeft = [...peer];
  let oursLeft = [...oursCompared];

  const pass = (
    via: MatchedPair["via"],
    peerKey: (p: PeerDependency) => string | null,
    ourKey: (o: OurDependency) => string | null,
  ): void => {
    const byKey = new Map<string, OurDependency[]>();
    for (const o of oursLeft) {
      const k = ourKey(o);
      if (k === null) continue;
      const list = byKey.get(k);
      if (list) list.push(o);
      else byKey.set(k, [o]);
    }
    const used = new Set<OurDependency>();
    const unmatchedPeer: PeerDependency[] = [];
    const pending: PeerDependency[] = [];
    // Equal values first, so "python:3.11-dev" pairs with "python:3.11-dev", not with "python:3.11".
    for (const p of peerLeft) {
      const k = peerKey(p);
      const cands = k === null ? undefined : byKey.get(k);
      const hit = cands?.find((o) => !used.has(o) && valueOf(o) === peerValue(p));
      if (hit) {
        used.add(hit);
        pairs.push({ ours: hit, peer: p, via, value_agrees: true });
      } else pending.push(p);
    }
    for (const p of pending) {
      const k = peerKey(p);
      const cands = k === null ? undefined : byKey.get(k);
      const hit = cands?.find((o) => !used.has(o));
      if (hit) {
        used.add(hit);
        pairs.push({ ours: hit, peer: p, via, value_agrees: false });
      } else unmatchedPeer.push(p);
    }
    peerLeft = unmatchedPeer;
    oursLeft = oursLeft.filter((o) => !used.has(o));
  };

  pass(
    "key",
    (p) => `${p.manager}\0${p.file}\0${normalizeName(p.manager, p.name)}`,
    (o) => `${o.package_manager}\0${o.file}\0${normalizeName(o.package_manager, o.name)}`,
  );
  // Same file and name, other manager: compare names as images when either side is docker.
  const looseName = (m: PackageManager, n: string): string =>
    m === "docker" || m === "github-actions" ? normalizeImage(n.replace(/^docker:\/\//, "")) : normalizeName(m, n);
  pass(
    "key-other-manager",
    (p) => `${p.file}\0${looseName(p.manager, p.name)}`,
    (o) => `${o.file}\0${looseName(o.package_manager, o.name)}`,
  );
  // packageManager: Renovate names yarn 2+ "yarn" (packageName @yarnpkg/cli), we name it by what we look up (@yarnpkg/cli-dist).
  pass(
    "package-manager",
    (p) => (p.dep_type === "packageManager" ? `${p.manager}\0${p.file}\0packageManager` : null),
    (o) => (o.group === "packageManager" ? `${o.package_manager}\0${o.file}\0packageManager` : null),
  );
  pass(
    "package-name",
    (p) => (p.package_name && p.package_name !== p.name ? `${p.manager}\0${p.file}\0${normalizeName(p.manager, p.package_name)}` : null),
    (o) => `${o.package_manager}\0${o.file}\0${normalizeName(o.package_manager, o.name)}`,
  );

  // Renovate lists a package.json `catalog:` reference (skipped) and the catalog entry; we report the
  // reference at its catalog entry, in the component that uses it. The reference pairs with the dependency
  // that records it as `declared_by`, paired already or not (the entry and its references are one line).
  const byReference = new Map<string, OurDependency>();
  for (const o of oursCompared) {
    if (o.declared_by) byReference.set(`${o.package_manager}\0${o.declared_by.file}\0${o.name}`, o);
  }
  peerLeft = peerLeft.filter((p) => {
    if (!(p.current_value ?? "").startsWith("catalog:")) return true;
    const o = byReference.get(`${p.manager}\0${p.file}\0${p.package_name ?? p.name}`) ?? byReference.get(`${p.manager}\0${p.file}\0${p.name}`);
    if (!o) return true;
    pairs.push({ ours: o, peer: p, via: "catalog-reference", value_agrees: true });
    oursLeft = oursLeft.filter((x) => x !== o);
    return false;
  });

  const tallies: ManagerTally[] = COMPARED_MANAGERS.map((manager) => ({
    manager,
    renovate: peer.filter((p) => p.manager === manager).length,
    ours: oursCompared.filter((o) => o.package_manager === manager).length,
    found: pairs.filter((x) => x.peer.manager === manager).length,
    missed: peerLeft.filter((p) => p.manager === manager).length,
    extra: oursLeft.filter((o) => o.package_manager === manager).length,
    value_differs: pairs.filter((x) => x.peer.manager === manager && !x.value_agrees).length,
  }));

  return { pairs, missed: peerLeft, extra: oursLeft, ours_only_managers: oursOnly, tallies };
}

/** Why a difference exists, and whether it is something our scan should fix. */
export interface Explanation {
  /** gap: our scan should find it; by-design: a deliberate modelling choice; peer: Renovate's side. */
  kind: "gap" | "by-design" | "peer";
  reason: string;
}

/** Explain a dependency Renovate found and we did not. */
export function explainMissed(p: PeerDependency): Explanation {
  const t = p.dep_type ?? "";
  if (p.renovate_manager === "github-actions" && t === "github-runner")
    return {
      kind: "by-design",
      reason:
        "Renovate turns a `runs-on:` label (ubuntu-latest) into a github-runners dependency; a hosted runner label is not a package we can pin or patch, so we do not model it.",
    };
  if (p.renovate_manager === "github-actions" && t === "uses-with" && !p.current_value)
    return {
      kind: "by-design",
      reason: `a setup action's ${p.name} version read from a file (\`${p.name}-version-file:\`), not written in the workflow; Renovate lists it only to skip it (${p.skip_reason ?? "no version"}). We read that version where it is declared (${p.name === "python" ? "requires-python" : p.name === "node" ? "package.json engines" : "its own manifest"}).`,
    };
  if (p.renovate_manager === "github-actions" && t === "uses-with")
    return {
      kind: "gap",
      reason: `tool version passed to a setup action (\`with: version: ${p.current_value}\`); Renovate tracks ${p.package_name ?? p.name} with datasource ${p.datasource ?? "?"}. Our github-actions manager does not read \`with:\` inputs.`,
    };
  if (p.renovate_manager === "npm" && t === "volta")
    return { kind: "by-design", reason: "`volta` pins tool versions for one tool manager; we read engines, .nvmrc, .node-version and packageManager." };
  if (p.renovate_manager === "helm-values" && p.name === "null")
    return {
      kind: "peer",
      reason: "an image block with `repository: null` (a chart default left empty); Renovate reads the YAML null as the image name \"null\". There is no image to track.",
    };
  if (p.skip_reason === "contains-variable")
    return {
      kind: "gap",
      reason: "an image reference built from a build ARG with no default; Renovate lists it (skipped) so the file's images are complete.",
    };
  return { kind: "gap", reason: "no known cause: most likely a scan gap to fix." };
}

/** What explainExtra needs to know about Renovate's side. */
export interface ExtraContext {
  /** Files Renovate extracted at least one dependency from. */
  peer_files: ReadonlySet<string>;
  /** Keys (see ourKey) of our dependencies that were paired with one of Renovate's. */
  paired_keys: ReadonlySet<string>;
  /** The text of a line of a corpus file, when the caller can read it (compare.ts can). */
  line_text?: (file: string, line: number) => string | undefined;
}

/** (manager, file, normalized name) of one of ours. */
export function ourKey(o: OurDependency): string {
  return `${o.package_manager}\0${o.file}\0${normalizeName(o.package_manager, o.name)}`;
}

export function extraContext(result: ComparisonResult, peer: readonly PeerDependency[]): ExtraContext {
  return {
    peer_files: new Set(peer.map((p) => p.file)),
    paired_keys: new Set(result.pairs.map((x) => ourKey(x.ours))),
  };
}

/** Explain a dependency we found and Renovate did not. */
export function explainExtra(o: OurDependency, ctx: ExtraContext): Explanation {
  const peerFiles = ctx.peer_files;
  if (ctx.paired_keys.has(ourKey(o)))
    return {
      kind: "peer",
      reason:
        "declared a second time in the same file (another dependency group or extra); Renovate keeps one entry per package per file, we keep every declaration with its line and group.",
    };
  if (o.package_manager === "pip" && o.dependency_type === "build")
    return {
      kind: "peer",
      reason:
        "a `[build-system].requires` entry. Renovate's pep621 manager reads it, but its poetry manager supersedes pep621 on the same pyproject.toml and reads build-system only for poetry-core, so Renovate drops it.",
    };
  if (o.package_manager === "github-actions" && (o.name.startsWith("./") || o.name.startsWith("../")))
    return {
      kind: "peer",
      reason: "a local action or reusable workflow (`uses: ./…`); Renovate does not list local references, we keep them (skipped) so the component graph sees them.",
    };
  if (o.package_manager === "pip" && o.name === "python" && o.dependency_type === "runtime")
    return {
      kind: "peer",
      reason:
        "the Python version the project requires (`requires-python` or Poetry's `python`). Renovate's pep621 manager reports it (datasource python-version), but its poetry manager, which supersedes pep621 on these files, does not.",
    };
  const text = o.line !== null ? ctx.line_text?.(o.file, o.line) : undefined;
  if (o.package_manager === "github-actions" && text !== undefined && /^\s*-?\s*"uses"\s*:/.test(text))
    return {
      kind: "peer",
      reason: 'a workflow written with quoted keys (`"uses": "…"`, as jsonnet generates it); Renovate\'s github-actions manager finds `uses:` with a line regex and misses the quoted form.',
    };
  if (o.package_manager === "go" && text !== undefined && /\/\/(?!\s*indirect\s*$)/.test(text))
    return {
      kind: "peer",
      reason: "a `require` line with a trailing comment that is not `// indirect`; Renovate's gomod line parser does not read it.",
    };
  if (!peerFiles.has(o.file))
    return {
      kind: "peer",
      reason: `Renovate extracted nothing from ${o.file} with the managers enabled (no file pattern of its ${o.package_manager} managers matches it, or the file yields no dependency for Renovate).`,
    };
  if (o.skip_reason) return { kind: "peer", reason: `listed by us as skipped (${o.skip_reason}); Renovate drops it.` };
  return { kind: "gap", reason: "no known cause: check whether this is a false positive of our scan." };
}

/** Explain a pair whose declared values differ. */
export function explainValueDifference(x: MatchedPair): Explanation {
  if (x.peer.skip_reason === "inherited-dependency")
    return {
      kind: "by-design",
      reason:
        "`name.workspace = true`: we resolve the version from the root's [workspace.dependencies]; Renovate leaves the member's value empty and updates the root entry.",
    };
  if (x.peer.skip_reason === "contains-variable" && x.ours.skip_reason)
    return {
      kind: "by-design",
      reason: "both skip it (a build ARG with no default): Renovate drops the tag, we keep the raw reference as written.",
    };
  if (x.peer.skip_reason && x.ours.skip_reason)
    return { kind: "by-design", reason: `both skip it (Renovate: ${x.peer.skip_reason}; ours: ${x.ours.skip_reason}).` };
  if (x.peer.skip_reason === "contains-variable" && !x.ours.skip_reason)
    return {
      kind: "by-design",
      reason:
        "the reference holds a variable with a default (`${VAR:-default}` in compose, an `ARG` default in a Dockerfile); we substitute the default, as a build or `docker compose up` without overrides does. Renovate skips it.",
    };
  if (x.ours.notes?.some((n) => n.includes("appVersion")))
    return {
      kind: "by-design",
      reason: '`tag: ""` or `tag: null`: the chart renders its appVersion there. We resolve it from Chart.yaml; Renovate reports the image without a value.',
    };
  if (x.ours.digest && !x.peer.current_digest && !x.peer.current_value)
    return {
      kind: "by-design",
      reason: 'an empty `tag: ""` next to a `digest:`: we report the digest pin as the value; Renovate\'s helm-values reads neither.',
    };
  return { kind: "gap", reason: "no known cause: compare the two values by hand." };
}
