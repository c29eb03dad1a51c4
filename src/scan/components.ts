import path from "node:path";
import picomatch from "picomatch";
import type { ComponentConfig } from "../config/schema.js";
import type { ComponentType } from "../model/index.js";
import type {
  ExtractedDependency,
  ManagerResult,
  ManifestMeta,
  PackageManager,
  ScanWarning,
  ScannedComponent,
} from "./types.js";

/** One manifest and what its manager extracted from it. */
export interface ExtractedManifest {
  path: string;
  manager: PackageManager;
  result: ManagerResult;
}

export interface DiscoverComponentsInput {
  manifests: ExtractedManifest[];
  /** Every file of the repository (used for the terraform heuristic); optional. */
  files?: readonly string[];
  /** `components` of .github/cowabunga.yml: explicit components, which win over discovery. */
  configComponents?: readonly ComponentConfig[];
  /** Name for the root component (usually the repository name); else the root manifest's name, else "root". */
  repoName?: string | null;
}

export interface DiscoverComponentsResult {
  components: ScannedComponent[];
  /** Every dependency of every manifest, with `component` filled. */
  dependencies: ExtractedDependency[];
  /** Component name owning a repo-relative file path. */
  componentOf(file: string): string;
  warnings: ScanWarning[];
}

/** Language manifests name a component better than deployment ones (pyproject before zarf.yaml). */
const NAME_PRIORITY: PackageManager[] = ["npm", "pip", "cargo", "go", "helm", "zarf", "uds", "docker", "github-actions"];
const LANGUAGE_MANAGERS: ReadonlySet<PackageManager | undefined> = new Set(["npm", "pip", "cargo", "go"]);
const INFRA_MANAGERS: ReadonlySet<PackageManager> = new Set(["helm", "zarf", "uds", "docker", "github-actions"]);
const UI_DEPS = new Set([
  "svelte",
  "@sveltejs/kit",
  "react",
  "react-dom",
  "vue",
  "next",
  "nuxt",
  "@angular/core",
  "solid-js",
  "preact",
]);
const API_DEPS = new Set([
  "fastapi",
  "flask",
  "django",
  "starlette",
  "express",
  "fastify",
  "koa",
  "@nestjs/core",
  "hono",
  "axum",
  "actix-web",
  "rocket",
  "github.com/gin-gonic/gin",
  "github.com/labstack/echo/v4",
  "github.com/gofiber/fiber/v2",
]);
const UI_TOKENS = new Set(["ui", "frontend", "web", "webapp", "webui"]);
const SDK_TOKENS = new Set(["sdk", "client"]);
const INFRA_TOKENS = new Set([
  "deploy",
  "deployment",
  "deployments",
  "charts",
  "chart",
  "bundles",
  "bundle",
  "infra",
  "infrastructure",
  "terraform",
  "k8s",
  "kubernetes",
  "helm",
]);

/** Lowercase, `[a-z0-9._-]` only, no leading/trailing separators; "" when nothing is left. */
export function sanitizeComponentName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-._]+|[-._]+$/g, "")
    .slice(0, 100)
    .replace(/[-._]+$/g, "");
}

/** Words of a path or name, split on separators: "src/leapfrogai_ui" → ["src", "leapfrogai", "ui"]. */
function tokens(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function isAncestorDir(dir: string, fileDir: string): boolean {
  return dir === "." || fileDir === dir || fileDir.startsWith(dir + "/");
}

function dirOf(file: string): string {
  const d = path.posix.dirname(file);
  return d === "" ? "." : d;
}

/** The name a manifest gives its project, as a component name candidate. */
function manifestName(m: ExtractedManifest): string {
  const raw = m.result.meta.name;
  if (!raw) return "";
  if (m.manager === "go") {
    // Module path: the last element that is not a major-version suffix.
    const parts = raw.split("/").filter(Boolean);
    while (parts.length > 1 && /^v\d+$/.test(parts[parts.length - 1])) parts.pop();
    return sanitizeComponentName(parts[parts.length - 1] ?? "");
  }
  return sanitizeComponentName(raw);
}

function isUsableVersion(v: string | undefined): v is string {
  return !!v && !v.includes("###") && !v.includes("${") && !v.includes("{{");
}

function byPriority(a: ExtractedManifest, b: ExtractedManifest): number {
  const pa = NAME_PRIORITY.indexOf(a.manager);
  const pb = NAME_PRIORITY.indexOf(b.manager);
  return pa !== pb ? pa - pb : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

interface Draft {
  name: string;
  path: string;
  explicit: boolean;
  root: boolean;
  /** Sanitised names the component's manifests give it (for image matching). */
  aliases: Set<string>;
  configType?: ComponentType;
  dependsOn: string[];
  manifests: ExtractedManifest[];
  primaries: ExtractedManifest[];
}

/** Static directory part of a glob: "packages/api/**" → "packages/api". */
function globBase(glob: string): string {
  const base = picomatch.scan(glob).base.replace(/\/+$/, "");
  return base === "" ? "." : base;
}

/**
 * Group manifests into components, name and type them, and link them. See docs/notes/scan-core.md
 * for the rules; in short: explicit config components first, then one component per directory that
 * holds a primary manifest, then a root component for whatever is left (and .github/).
 */
export function discoverComponents(input: DiscoverComponentsInput): DiscoverComponentsResult {
  const warnings: ScanWarning[] = [];
  const manifests = [...input.manifests].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  // 1. Explicit components from config.
  const explicit: Array<{ draft: Draft; match: (p: string) => boolean }> = [];
  for (const cc of input.configComponents ?? []) {
    const matchers = cc.paths.map((g) => picomatch(g.replace(/\/+$/, ""), { dot: true }));
    const match = (file: string): boolean => {
      // A glob naming a directory claims everything below it.
      let p = file;
      for (;;) {
        if (matchers.some((m) => m(p))) return true;
        const up = path.posix.dirname(p);
        if (up === p || up === ".") return false;
        p = up;
      }
    };
    explicit.push({
      match,
      draft: {
        name: cc.name,
        path: globBase(cc.paths[0]),
        explicit: true,
        root: false,
        aliases: new Set([sanitizeComponentName(cc.name)]),
        configType: cc.type,
        dependsOn: cc.depends_on ?? [],
        manifests: [],
        primaries: [],
      },
    });
  }
  const explicitOf = (file: string): Draft | undefined => explicit.find((e) => e.match(file))?.draft;

  // 2. One component per directory holding a primary manifest (not claimed by config).
  const auto = new Map<string, Draft>();
  for (const m of manifests) {
    if (!m.result.meta.primary || explicitOf(m.path)) continue;
    const dir = dirOf(m.path);
    let d = auto.get(dir);
    if (!d) {
      d = { name: "", path: dir, explicit: false, root: dir === ".", aliases: new Set(), dependsOn: [], manifests: [], primaries: [] };
      auto.set(dir, d);
    }
    d.primaries.push(m);
  }

  // 3. Assign every manifest: config glob, else .github/ → root, else nearest enclosing component dir.
  const autoDirs = [...auto.keys()].sort((a, b) => b.length - a.length);
  let rootDraft = auto.get(".");
  const ensureRoot = (): Draft => {
    if (!rootDraft) {
      rootDraft = { name: "", path: ".", explicit: false, root: true, aliases: new Set(), dependsOn: [], manifests: [], primaries: [] };
      auto.set(".", rootDraft);
    }
    return rootDraft;
  };
  /** The owning draft, or undefined when that is a root component that does not exist yet. */
  const findOwner = (file: string): Draft | undefined => {
    const ex = explicitOf(file);
    if (ex) return ex;
    if (file.startsWith(".github/")) return rootDraft;
    const fileDir = dirOf(file);
    for (const dir of autoDirs) if (isAncestorDir(dir, fileDir)) return auto.get(dir) as Draft;
    return rootDraft;
  };
  for (const m of manifests) (findOwner(m.path) ?? ensureRoot()).manifests.push(m);

  // 4. Names: manifest name, else directory basename; root: repository name, else its manifest name, else "root".
  const drafts = [...explicit.map((e) => e.draft), ...[...auto.values()].sort((a, b) => (a.path < b.path ? -1 : 1))];
  for (const d of drafts) {
    if (d.explicit) continue;
    d.primaries.sort(byPriority);
    for (const p of d.primaries) {
      const n = manifestName(p);
      if (n) d.aliases.add(n);
    }
    const fromManifest = d.primaries.map(manifestName).find(Boolean) ?? "";
    if (d.root) {
      d.name = sanitizeComponentName(input.repoName ?? "") || fromManifest || "root";
    } else {
      d.name = fromManifest || sanitizeComponentName(path.posix.basename(d.path)) || sanitizeComponentName(d.path) || "component";
    }
    d.aliases.add(d.name);
  }
  // Duplicates: config and root names stay; other colliding names become their sanitised path.
  // Compared case-insensitively: config names are kept as written ("Platform").
  const taken = new Set(drafts.filter((d) => d.explicit || d.root).map((d) => d.name.toLowerCase()));
  const counts = new Map<string, number>();
  for (const d of drafts) if (!d.explicit && !d.root) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  // In a collision, a component named by a language manifest (package.json, pyproject.toml...) keeps
  // the name when it is the only one: "leapfrogai-api" stays the Python project, not its zarf package.
  const keeper = new Map<string, Draft>();
  for (const [name, count] of counts) {
    if (count < 2 || taken.has(name.toLowerCase())) continue;
    const lang = drafts.filter((d) => !d.explicit && !d.root && d.name === name && LANGUAGE_MANAGERS.has(d.primaries[0]?.manager));
    if (lang.length === 1) keeper.set(name, lang[0]);
  }
  for (const name of keeper.keys()) taken.add(name);
  for (const d of drafts) {
    if (d.explicit || d.root) continue;
    if (keeper.get(d.name) === d) continue;
    if ((counts.get(d.name) ?? 0) > 1 || taken.has(d.name)) {
      const fromPath = sanitizeComponentName(d.path.replace(/\//g, "-")) || d.name;
      let candidate = fromPath;
      for (let i = 2; taken.has(candidate); i++) candidate = `${fromPath}-${i}`;
      d.name = candidate;
    }
    taken.add(d.name);
  }
  const used = drafts.filter((d) => d.manifests.length > 0 || d.explicit);

  // 5. Dependencies, with their component.
  const ownerName = new Map<Draft, string>(used.map((d) => [d, d.name]));
  const dependencies: ExtractedDependency[] = [];
  const depsOf = new Map<Draft, ExtractedDependency[]>();
  for (const d of used) {
    const list: ExtractedDependency[] = [];
    for (const m of d.manifests) {
      for (const dep of m.result.deps) list.push({ ...dep, component: d.name });
    }
    depsOf.set(d, list);
    for (const dep of list) dependencies.push(dep);
  }

  // 6. Types.
  const files = input.files ?? manifests.map((m) => m.path);
  const typed = new Map<Draft, ComponentType>();
  for (const d of used) typed.set(d, inferType(d, depsOf.get(d) ?? [], files));

  // 7. Links.
  const links = new Map<Draft, Set<Draft>>(used.map((d) => [d, new Set<Draft>()]));
  const byName = new Map(used.map((d) => [d.name, d]));
  const rawNameOf = new Map<string, Draft>();
  for (const d of used) for (const p of d.primaries) if (p.result.meta.name) rawNameOf.set(p.result.meta.name, d);
  const imageIndex = buildImageIndex(used);
  const componentOfDir = (dir: string): Draft | undefined => {
    const owner = findOwner(dir === "." ? "__dir__" : `${dir}/__dir__`);
    return owner && ownerName.has(owner) ? owner : undefined;
  };
  for (const d of used) {
    for (const dep of depsOf.get(d) ?? []) {
      let target: Draft | undefined;
      if (dep.local_path) {
        const lp = path.posix.normalize(dep.local_path).replace(/\/+$/, "");
        if (!lp.startsWith("..")) target = componentOfDir(lp === "" ? "." : lp);
      } else if (dep.current_value.startsWith("workspace:")) {
        target = rawNameOf.get(dep.name);
      } else if (dep.datasource === "docker") {
        target = matchImage(dep.name, imageIndex, d);
      }
      if (target && target !== d) links.get(d)?.add(target);
    }
    for (const want of d.dependsOn) {
      const target = byName.get(want);
      if (!target) {
        warnings.push({ file: null, line: null, manager: "components", message: `component "${d.name}" depends_on unknown component "${want}"` });
      } else if (target !== d) links.get(d)?.add(target);
    }
  }

  const components: ScannedComponent[] = used.map((d) => {
    const deps = [...(links.get(d) ?? [])].map((t) => t.name).sort();
    const dependents = used.filter((o) => links.get(o)?.has(d)).map((o) => o.name).sort();
    return {
      name: d.name,
      path: d.path,
      type: typed.get(d) ?? "backend",
      version: pickVersion(d),
      manifests: d.manifests.map((m) => m.path).sort(),
      dependencies: deps,
      dependent_components: dependents,
      meta: mergeMeta(d),
    };
  });
  components.sort((a, b) => (a.path !== b.path ? (a.path < b.path ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  return {
    components,
    dependencies,
    componentOf: (file: string) => {
      const owner = findOwner(file);
      return (owner && ownerName.get(owner)) || (rootDraft && ownerName.get(rootDraft)) || "root";
    },
    warnings,
  };
}

function pickVersion(d: Draft): string {
  const ordered = d.primaries.length ? d.primaries : [...d.manifests].sort(byPriority);
  return ordered.map((m) => m.result.meta.version).find(isUsableVersion) ?? "unknown";
}

function mergeMeta(d: Draft): Omit<ManifestMeta, "primary"> {
  const ordered = [...d.primaries, ...[...d.manifests].filter((m) => !d.primaries.includes(m)).sort(byPriority)];
  const out: Omit<ManifestMeta, "primary"> = {};
  const scalarKeys = ["name", "description", "requires_python", "node_engines", "rust_version", "go_version"] as const;
  for (const m of ordered) {
    for (const k of scalarKeys) if (out[k] === undefined && m.result.meta[k] !== undefined) out[k] = m.result.meta[k];
  }
  const version = pickVersion(d);
  if (version !== "unknown") out.version = version;
  const workspaces = [...new Set(ordered.flatMap((m) => m.result.meta.workspaces ?? []))];
  const images = [...new Set(ordered.flatMap((m) => m.result.meta.images_built ?? []))].sort();
  if (workspaces.length) out.workspaces = workspaces;
  if (images.length) out.images_built = images;
  return out;
}

/**
 * Type heuristics, first match wins (documented as a table in docs/notes/scan-core.md).
 */
function inferType(d: Draft, deps: ExtractedDependency[], files: readonly string[]): ComponentType {
  if (d.configType) return d.configType;
  const pathTokens = d.path === "." ? [] : tokens(d.path);
  const nameTokens = tokens(d.name);
  const managers = new Set(d.manifests.map((m) => m.manager));
  const infraOnly = managers.size > 0 && [...managers].every((m) => INFRA_MANAGERS.has(m));
  const hasTerraform = files.some((f) => dirOf(f) === d.path && f.endsWith(".tf"));
  if (infraOnly || hasTerraform || pathTokens.some((t) => INFRA_TOKENS.has(t))) return "infrastructure";
  const npmDeps = deps.filter((x) => x.package_manager === "npm");
  if (npmDeps.some((x) => UI_DEPS.has(x.name)) || pathTokens.some((t) => UI_TOKENS.has(t))) return "ui";
  if ([...pathTokens, ...nameTokens].some((t) => SDK_TOKENS.has(t))) return "sdk";
  const runtimeDeps = deps.filter((x) => x.dependency_type !== "dev");
  if (runtimeDeps.some((x) => API_DEPS.has(x.name.toLowerCase())) || nameTokens.includes("api")) return "api";
  return "backend";
}

/** "ghcr.io/org/app:1.2@sha256:..." → { full: "ghcr.io/org/app", path: "org/app", last: "app" }. */
function normaliseImage(ref: string): { full: string; path: string; last: string; hasNamespace: boolean } {
  let s = ref.trim().toLowerCase();
  const at = s.indexOf("@");
  if (at >= 0) s = s.slice(0, at);
  const slash = s.lastIndexOf("/");
  const colon = s.indexOf(":", slash + 1);
  if (colon >= 0) s = s.slice(0, colon);
  const parts = s.split("/");
  let hostless = parts;
  if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) hostless = parts.slice(1);
  if (hostless[0] === "library" && hostless.length === 2) hostless = hostless.slice(1);
  return { full: s, path: hostless.join("/"), last: hostless[hostless.length - 1] ?? "", hasNamespace: hostless.length > 1 };
}

interface ImageIndex {
  built: Map<string, Draft>;
  names: Map<string, Draft[]>;
}

function buildImageIndex(drafts: Draft[]): ImageIndex {
  const built = new Map<string, Draft>();
  const names = new Map<string, Draft[]>();
  for (const d of drafts) {
    for (const m of d.manifests) {
      for (const img of m.result.meta.images_built ?? []) {
        const n = normaliseImage(img);
        if (!built.has(n.full)) built.set(n.full, d);
        if (!built.has(n.path)) built.set(n.path, d);
      }
    }
    for (const a of d.aliases) names.set(a, [...(names.get(a) ?? []), d]);
  }
  return { built, names };
}

/**
 * The component that builds an image: one whose manifests declare it in images_built, else (only for
 * namespaced images such as ghcr.io/org/app, never official ones like "python") one whose name is the
 * image's last path element. Ambiguous name matches link nothing.
 */
function matchImage(ref: string, index: ImageIndex, self: Draft): Draft | undefined {
  const n = normaliseImage(ref);
  const built = index.built.get(n.full) ?? index.built.get(n.path);
  if (built) return built;
  if (!n.hasNamespace) return undefined;
  const last = sanitizeComponentName(n.last);
  const candidates = (index.names.get(last) ?? []).filter((d) => d !== self);
  if (candidates.length === 1) return candidates[0];
  // Several manifests use the name (a project, its chart, its zarf package): the component that
  // actually carries the name wins.
  const named = candidates.filter((d) => d.name === last);
  return named.length === 1 ? named[0] : undefined;
}
