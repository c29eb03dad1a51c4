import { promises as fs } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { compareDependents, datasourceForEcosystem, dependentKey, dependentRef, type DependentRef, type DependentsQuery, type IndexedDependency } from "./dependents.js";
import { KeyedMutex, withFileLock } from "./lock.js";
import type { RepoRef } from "./types.js";

/** Folder of the reverse index under the store root; skipped by listRepos. */
export const INDEX_DIR = "_index";
const INDEX_FILE = "dependents.json";
const JOURNAL = "dependents.journal";
const FORMAT = 1;

/** One row: [ecosystem, normalised name, name, version, component, file, dependency_type, direct]. */
type Row = [string, string, string, string, string, string, string, boolean];
interface IndexDoc {
  format: number;
  repos: Record<string, Row[]>;
}

export interface FileDependentsOptions {
  root: string;
  /** The repository's stored dependencies and lockfile packages (the FileStore's own reads, which quarantine bad files). */
  readDependencies(repo: RepoRef): Promise<IndexedDependency[]>;
  listRepos(): Promise<RepoRef[]>;
  lockStaleMs: number;
  lockTimeoutMs: number;
  onWarning?(message: string): void;
}

/** Index rows; a package both stored (vulnerable transitive) and in the lockfile list counts once. */
export function rowsOf(deps: readonly IndexedDependency[], repo: RepoRef): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const d of deps) {
    const k = dependentKey(d);
    const r = dependentRef(repo, d);
    const row: Row = [k.ecosystem, k.norm_name, d.name, d.version, d.component, d.file, d.dependency_type, r.direct];
    const key = JSON.stringify(row);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(row);
  }
  return out;
}

/**
 * The FileStore's reverse index. putDependencies only appends the repository to a journal (one small
 * append, so a fleet scan does not rewrite a fleet-sized file per repository); a lookup first folds the
 * journal in — re-reading just those repositories' dependency_status.json — under a store-wide lock,
 * writes dependents.json atomically, then answers from memory. A missing or unreadable index is
 * rebuilt from every repository's stored dependencies, so the index is derived data and never the
 * only copy of anything.
 */
export class FileDependentsIndex {
  private readonly dir: string;
  private readonly mutex = new KeyedMutex();
  private cache: { mtimeMs: number; size: number; doc: IndexDoc; byKey: Map<string, Array<{ repo: string; row: Row }>> } | null = null;

  constructor(private readonly opts: FileDependentsOptions) {
    this.dir = path.join(opts.root, INDEX_DIR);
  }

  /** Record that this repository's dependencies changed (called inside its store transaction, after the write). */
  async markChanged(repoKey: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await fs.appendFile(path.join(this.dir, JOURNAL), `${repoKey}\n`);
  }

  async find(query: DependentsQuery): Promise<DependentRef[]> {
    const idx = await this.current();
    const k = dependentKey({ datasource: datasourceForEcosystem(query.ecosystem), name: query.name });
    const hits = idx.byKey.get(`${query.ecosystem}\u0000${k.norm_name}`) ?? [];
    const out = hits.map(({ repo, row }): DependentRef => {
      const [owner, name] = repo.split("/") as [string, string];
      return { repo: { owner, repo: name }, ecosystem: row[0], name: row[2], version: row[3], component: row[4], file: row[5], dependency_type: row[6], direct: row[7] };
    });
    return out.sort(compareDependents);
  }

  async packages(): Promise<DependentsQuery[]> {
    const idx = await this.current();
    const keys = [...idx.byKey.keys()].sort();
    return keys.map((k) => {
      const i = k.indexOf("\u0000");
      return { ecosystem: k.slice(0, i), name: k.slice(i + 1) };
    });
  }

  async stats(): Promise<{ entries: number; packages: number; bytes: number | null }> {
    const idx = await this.current();
    let entries = 0;
    for (const rows of Object.values(idx.doc.repos)) entries += rows.length;
    return { entries, packages: idx.byKey.size, bytes: idx.size };
  }

  /** Rebuild from every repository's stored dependencies (also done when the index is missing or corrupt). */
  async rebuild(): Promise<void> {
    await this.locked(() => this.rebuildLocked());
  }

  private async current(): Promise<NonNullable<FileDependentsIndex["cache"]>> {
    const file = path.join(this.dir, INDEX_FILE);
    await this.locked(async () => {
      // Stryker disable next-line ArrowFunction: undefined is as falsy as false
      const exists = await fs.stat(file).then(() => true, () => false);
      if (!exists) return await this.rebuildLocked();
      const dirty = await this.rotateJournal();
      if (dirty.size === 0) return;
      const doc = (await this.load(file))?.doc;
      if (!doc) return await this.rebuildLocked();
      for (const key of dirty) {
        const [owner, repo] = key.split("/") as [string, string];
        const deps = await this.opts.readDependencies({ owner, repo });
        if (deps.length === 0) delete doc.repos[key];
        else doc.repos[key] = rowsOf(deps, { owner, repo });
      }
      await this.write(doc);
      await this.dropRotated();
    });
    const loaded = await this.load(file);
    if (loaded) return loaded;
    // Corrupt after all: rebuild once more and read what was written.
    await this.locked(() => this.rebuildLocked());
    return (await this.load(file)) ?? { mtimeMs: 0, size: 0, doc: { format: FORMAT, repos: {} }, byKey: new Map() };
  }

  /** The index as in memory, re-read only when the file changed since. Null when unreadable. */
  private async load(file: string): Promise<FileDependentsIndex["cache"]> {
    const st = await fs.stat(file);
    if (this.cache && this.cache.mtimeMs === st.mtimeMs && this.cache.size === st.size) return this.cache;
    const doc = await this.readDoc();
    if (!doc) return null;
    const byKey = new Map<string, Array<{ repo: string; row: Row }>>();
    for (const [repo, rows] of Object.entries(doc.repos)) {
      for (const row of rows) {
        const key = `${row[0]}\u0000${row[1]}`;
        let list = byKey.get(key);
        if (!list) byKey.set(key, (list = []));
        list.push({ repo, row });
      }
    }
    this.cache = { mtimeMs: st.mtimeMs, size: st.size, doc, byKey };
    return this.cache;
  }

  private async rebuildLocked(): Promise<void> {
    await this.rotateJournal();
    const doc: IndexDoc = { format: FORMAT, repos: {} };
    for (const repo of await this.opts.listRepos()) {
      doc.repos[`${repo.owner}/${repo.repo}`] = rowsOf(await this.opts.readDependencies(repo), repo);
    }
    await this.write(doc);
    await this.dropRotated();
  }

  private async locked(fn: () => Promise<void>): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    // Stryker disable next-line StringLiteral: any one constant key serialises the index
    await this.mutex.run("index", () =>
      withFileLock(path.join(this.dir, ".lock"), { staleMs: this.opts.lockStaleMs, timeoutMs: this.opts.lockTimeoutMs }, fn),
    );
  }

  private async readDoc(): Promise<IndexDoc | null> {
    let text: string;
    try {
      // Stryker disable next-line StringLiteral: JSON.parse reads a Buffer as its UTF-8 text too
      text = await fs.readFile(path.join(this.dir, INDEX_FILE), "utf8");
    } catch (e) {
      // Stryker disable next-line ConditionalExpression,StringLiteral: ENOENT only when the file vanishes between current()'s stat and this read
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    try {
      const doc = JSON.parse(text) as IndexDoc;
      if (doc?.format !== FORMAT || typeof doc.repos !== "object" || doc.repos === null) throw new Error(`unknown format ${String(doc?.format)}`);
      return doc;
    } catch (e) {
      this.opts.onWarning?.(`${INDEX_DIR}/${INDEX_FILE} unreadable (${(e as Error).message}): rebuilding it from the stored dependencies`);
      return null;
    }
  }

  private async write(doc: IndexDoc): Promise<void> {
    await writeFileAtomic(path.join(this.dir, INDEX_FILE), JSON.stringify(doc));
  }

  /** Move the journal aside (appends after this start a new one) and return the repositories it names, with earlier leftovers. */
  private async rotateJournal(): Promise<Set<string>> {
    const live = path.join(this.dir, JOURNAL);
    try {
      await fs.rename(live, path.join(this.dir, `${JOURNAL}.${process.pid}.${Date.now()}.folding`));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const out = new Set<string>();
    for (const f of await fs.readdir(this.dir)) {
      if (!f.startsWith(`${JOURNAL}.`) || !f.endsWith(".folding")) continue;
      const text = await fs.readFile(path.join(this.dir, f), "utf8");
      for (const line of text.split("\n")) if (/^[^/\s]+\/[^/\s]+$/.test(line)) out.add(line);
    }
    return out;
  }

  private async dropRotated(): Promise<void> {
    for (const f of await fs.readdir(this.dir)) {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: the file was just listed; force only covers a concurrent fold
      if (f.startsWith(`${JOURNAL}.`) && f.endsWith(".folding")) await fs.rm(path.join(this.dir, f), { force: true });
    }
  }
}

