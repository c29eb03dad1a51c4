import { promises as fs } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import type { RepoFile, RepoSource, SourceWarning } from "./types.js";

/** Parallel file reads in readFiles (libuv runs 4 at a time by default; a few more keep it busy). */
const READ_CONCURRENCY = 16;

/** Files larger than this are listed but never read (a warning names them). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * The per-file read limit: COWABUNGA_MAX_FILE_BYTES when it is a whole number of bytes (a monorepo
 * whose lockfile is larger than 5 MiB raises it), else MAX_FILE_BYTES.
 */
export function maxFileBytesFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.COWABUNGA_MAX_FILE_BYTES?.trim();
  return raw && /^[1-9]\d{0,10}$/.test(raw) ? Number(raw) : MAX_FILE_BYTES;
}

/** .gitignore and .git/info/exclude files larger than this are not applied. */
export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

/**
 * Directory names skipped wherever they appear, in local directories and GitHub trees alike:
 * installed or vendored third-party code and tool caches. Their manifests are not ours.
 * `target` (Rust) is skipped only beside a Cargo.toml, see `isSkippedDir`; `dist`/`build` are not
 * skipped by name (a package may legitimately be called that) and rely on .gitignore.
 */
export const ALWAYS_SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  "bower_components",
  "jspm_packages",
  "vendor",
  "third_party",
  "third-party",
  ".venv",
  "venv",
  "__pycache__",
  ".tox",
  ".nox",
  ".mypy_cache",
  ".pytest_cache",
  ".ruff_cache",
  ".terraform",
  ".pnpm-store",
  ".yarn",
  ".next",
  ".svelte-kit",
]);

/**
 * Whether the directory at repo-relative POSIX `dirPath` is skipped by name.
 * `siblings` are the file names in its parent directory (used for Rust's `target`).
 */
export function isSkippedDir(dirPath: string, siblings?: ReadonlySet<string>): boolean {
  const base = path.posix.basename(dirPath);
  if (ALWAYS_SKIPPED_DIRS.has(base)) return true;
  if (base === "target" && siblings?.has("Cargo.toml")) return true;
  return false;
}

/** Whether a repo-relative POSIX file path lies inside a directory skipped by name. */
export function isInSkippedDir(filePath: string, allFiles?: ReadonlySet<string>): boolean {
  const parts = filePath.split("/");
  for (let i = 0; i < parts.length - 1; i++) {
    const name = parts[i];
    if (ALWAYS_SKIPPED_DIRS.has(name)) return true;
    if (name === "target" && allFiles) {
      const parent = parts.slice(0, i).join("/");
      if (allFiles.has(parent ? `${parent}/Cargo.toml` : "Cargo.toml")) return true;
    }
  }
  return false;
}

export interface LocalSourceOptions {
  /** Files larger than this are listed but not read (default: maxFileBytesFromEnv(), 5 MiB). */
  maxFileBytes?: number;
}

interface IgnoreLayer {
  /** Directory (repo-relative POSIX, "" for the root) the rules are relative to. */
  base: string;
  ig: Ignore;
}

/**
 * A repository on the local disk. Walks the directory once (lazily, on first listFiles), honouring
 * every .gitignore on the way (nested ones too) plus .git/info/exclude. Symbolic links to files inside
 * the root are listed under the link's path; links to directories are not followed (no cycles, no
 * double counting); links that lead outside the root are skipped with a warning.
 */
export class LocalSource implements RepoSource {
  readonly description: string;
  readonly warnings: SourceWarning[] = [];
  readonly root: string;
  private readonly maxFileBytes: number;
  private listing: Promise<RepoFile[]> | null = null;
  private sizes = new Map<string, number>();
  private realRoot: string | null = null;
  private _commitSha: string | null = null;

  constructor(dir: string, opts: LocalSourceOptions = {}) {
    this.root = path.resolve(dir);
    this.description = `local:${this.root}`;
    this.maxFileBytes = opts.maxFileBytes ?? maxFileBytesFromEnv();
  }

  get commitSha(): string | null {
    return this._commitSha;
  }

  listFiles(): Promise<RepoFile[]> {
    this.listing ??= this.walkAll();
    return this.listing;
  }

  async readFiles(paths: string[]): Promise<Map<string, string>> {
    await this.listFiles();
    const wanted = [...new Set(paths)].sort();
    // Read in parallel (bounded), insert in sorted order so the result does not depend on timing.
    const texts = await mapLimited(wanted, READ_CONCURRENCY, async (p): Promise<{ text: string } | { warning: string } | undefined> => {
      const size = this.sizes.get(p);
      if (size === undefined) return undefined; // not in the listing (ignored, absent, or outside the root)
      if (size > this.maxFileBytes) {
        return { warning: `not read: ${size} bytes is over the ${this.maxFileBytes}-byte limit` };
      }
      try {
        return { text: await fs.readFile(path.join(this.root, ...p.split("/")), "utf8") };
      } catch (err) {
        return { warning: `could not be read: ${errorMessage(err)}` };
      }
    });
    const out = new Map<string, string>();
    wanted.forEach((p, i) => {
      const r = texts[i];
      if (r === undefined) return;
      if ("text" in r) out.set(p, r.text);
      else this.warn(p, r.warning);
    });
    return out;
  }

  private warn(file: string | null, message: string): void {
    this.warnings.push({ file, message });
  }

  private async walkAll(): Promise<RepoFile[]> {
    const stat = await fs.stat(this.root).catch(() => null);
    if (!stat || !stat.isDirectory()) {
      throw new Error(`${this.root} is not a readable directory`);
    }
    this.realRoot = await fs.realpath(this.root);
    this._commitSha = await readGitHead(this.root);
    const layers: IgnoreLayer[] = [];
    const exclude = await this.readIgnoreFile(".git/info/exclude", true);
    if (exclude) layers.push({ base: "", ig: ignore().add(exclude) });
    const files: RepoFile[] = [];
    await this.walk("", layers, files);
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return files;
  }

  private async walk(rel: string, parentLayers: IgnoreLayer[], out: RepoFile[]): Promise<void> {
    const abs = rel ? path.join(this.root, ...rel.split("/")) : this.root;
    let entries;
    try {
      entries = await fs.readdir(abs, { withFileTypes: true });
    } catch (err) {
      this.warn(rel || ".", `directory could not be listed: ${errorMessage(err)}`);
      return;
    }
    let layers = parentLayers;
    if (entries.some((e) => e.name === ".gitignore" && (e.isFile() || e.isSymbolicLink()))) {
      const text = await this.readIgnoreFile(join(rel, ".gitignore"), false);
      if (text !== null) layers = [...parentLayers, { base: rel, ig: ignore().add(text) }];
    }
    const fileNames = new Set(entries.filter((e) => !e.isDirectory()).map((e) => e.name));
    // Every entry of this directory is examined in parallel (stat, links, subdirectories): the
    // listing is sorted at the end, so the order of completion does not matter.
    const subdirs: string[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const childRel = join(rel, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let size: number | null = null;
        if (entry.isSymbolicLink()) {
          const target = await this.resolveLink(childRel);
          if (!target) return;
          if (target.isDirectory()) return; // directories behind links are not followed
          isFile = target.isFile();
          isDir = false;
          size = target.size;
        }
        if (isDir) {
          if (isSkippedDir(childRel, fileNames)) return;
          if (isIgnored(layers, childRel, true)) return;
          subdirs.push(childRel);
        } else if (isFile) {
          if (isIgnored(layers, childRel, false)) return;
          if (size === null) {
            try {
              size = (await fs.stat(path.join(abs, entry.name))).size;
            } catch (err) {
              this.warn(childRel, `could not be examined: ${errorMessage(err)}`);
              return;
            }
          }
          this.sizes.set(childRel, size);
          out.push({ path: childRel, size });
        }
      }),
    );
    await Promise.all(subdirs.map((d) => this.walk(d, layers, out)));
  }

  /**
   * Text of an ignore file, or null (with a warning unless `quietIfMissing` and it is absent). It must
   * be a regular file of at most MAX_IGNORE_FILE_BYTES whose real path stays inside the root: a
   * hostile repository's `.gitignore -> /dev/zero` or `-> /etc/shadow` symlink is refused.
   */
  private async readIgnoreFile(rel: string, quietIfMissing: boolean): Promise<string | null> {
    const abs = path.join(this.root, ...rel.split("/"));
    const skip = (why: string): null => {
      this.warn(rel, `${why}; its rules are not applied`);
      return null;
    };
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (err) {
      if (quietIfMissing && (err as NodeJS.ErrnoException).code === "ENOENT") return null;
      return skip(`could not be read: ${errorMessage(err)}`);
    }
    const root = this.realRoot ?? this.root;
    if (!real.startsWith(root + path.sep)) return skip("symbolic link leads outside the repository");
    let st: import("node:fs").Stats;
    try {
      st = await fs.stat(real);
    } catch (err) {
      return skip(`could not be examined: ${errorMessage(err)}`);
    }
    if (!st.isFile()) return skip("not a regular file");
    if (st.size > MAX_IGNORE_FILE_BYTES) return skip(`${st.size} bytes is over the ${MAX_IGNORE_FILE_BYTES}-byte limit`);
    try {
      return await fs.readFile(real, "utf8");
    } catch (err) {
      return skip(`could not be read: ${errorMessage(err)}`);
    }
  }

  /** Stat of a symlink's target when it stays inside the root; otherwise null (with a warning). */
  private async resolveLink(rel: string): Promise<import("node:fs").Stats | null> {
    const abs = path.join(this.root, ...rel.split("/"));
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch {
      this.warn(rel, "broken symbolic link, skipped");
      return null;
    }
    const root = this.realRoot ?? this.root;
    if (real !== root && !real.startsWith(root + path.sep)) {
      this.warn(rel, "symbolic link leads outside the repository, skipped");
      return null;
    }
    return fs.stat(real).catch(() => null);
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/**
 * git semantics: the deepest .gitignore with a matching rule decides; a negation there re-includes.
 * Ignored directories are never entered, so nothing below them can be re-included (as in git).
 */
function isIgnored(layers: IgnoreLayer[], rel: string, isDir: boolean): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const { base, ig } = layers[i];
    const local = base ? rel.slice(base.length + 1) : rel;
    const result = ig.test(isDir ? `${local}/` : local);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/** The checked-out commit, read from .git without spawning git; null when unknown. */
async function readGitHead(root: string): Promise<string | null> {
  const gitDir = path.join(root, ".git");
  try {
    const head = (await fs.readFile(path.join(gitDir, "HEAD"), "utf8")).trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const m = /^ref: (refs\/[^\s]+)$/.exec(head);
    if (!m) return null;
    const ref = m[1];
    const loose = await fs.readFile(path.join(gitDir, ...ref.split("/")), "utf8").catch(() => null);
    if (loose && /^[0-9a-f]{40}$/.test(loose.trim())) return loose.trim();
    const packed = await fs.readFile(path.join(gitDir, "packed-refs"), "utf8").catch(() => "");
    for (const line of packed.split("\n")) {
      const [sha, name] = line.trim().split(" ");
      if (name === ref && /^[0-9a-f]{40}$/.test(sha)) return sha;
    }
    return null;
  } catch {
    return null;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
