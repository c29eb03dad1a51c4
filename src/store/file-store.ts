import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { Dependency } from "../model/dependency.js";
import { ComponentHealth, SystemHealth } from "../model/health.js";
import { MaintenanceIssue } from "../model/issue.js";
import { MaintenanceRecord } from "../model/record.js";
import { parseEntity } from "../model/validate.js";
import { isTempFile, writeFileAtomic } from "./atomic.js";
import { KeyedMutex, withFileLock } from "./lock.js";
import { datasourceForEcosystem, dependentKey, type DependentRef, type DependentsQuery } from "./dependents.js";
import { FileDependentsIndex, INDEX_DIR } from "./file-dependents.js";
import { checkRepoRef, componentFileName, inside } from "./paths.js";
import {
  DEFAULT_RETENTION,
  appendIfChanged,
  sameDependencySnapshot,
  sameSystemHealth,
  compactByAge,
  pruneDependencyHistory,
  pruneHealthHistory,
  pruneIssues,
  pruneRecords,
} from "./retention.js";
import {
  DependencySnapshot,
  PendingNotification,
  ScanState,
  type RepoRef,
  type Retention,
  type Store,
  type StoreWarning,
  type Updater,
  type AssessmentWrite,
} from "./types.js";
import { decodeReassessBasis, encodeReassessBasis, lockedIndexRows, StoredReassessBasisSchema, type ReassessBasis } from "./reassess-basis.js";

/** File names inside `<root>/<owner>/<repo>/` (the seed's data/ layout, plus our extras). */
export const STORE_FILES = {
  systemHealth: "system_health.json",
  issues: "maintenance_issues.json",
  dependencies: "dependency_status.json",
  records: "maintenance_records.json",
  componentDir: "component_health",
  healthHistory: "health_history.json",
  dependencyHistory: "dependency_history.json",
  pending: "pending_notifications.json",
  scanState: "scan_state.json",
  reassessBasis: "reassess_basis.json",
  lock: ".lock",
} as const;

export class StoreValidationError extends Error {
  override readonly name = "StoreValidationError";
}

export interface StoreLogger {
  warn(obj: object, msg: string): void;
}

export interface FileStoreOptions {
  /** Data directory; default env COWABUNGA_DATA_DIR, else ./data. */
  root?: string;
  /** Injected clock for retention and timestamps. */
  clock?: () => Date;
  logger?: StoreLogger;
  /** Retention for repositories without setRetention(); defaults to the seed's. */
  retention?: Partial<Retention>;
  /** Cross-process lock: a lock untouched for this long is broken (default 30 s). */
  lockStaleMs?: number;
  /** Cross-process lock: give up waiting after this long (default 60 s). */
  lockTimeoutMs?: number;
  /**
   * Read-only (the `report` command): a bad file is reported but left where it is, nothing is
   * moved, copied or written; every write throws ReadOnlyStoreError.
   */
  readOnly?: boolean;
}

export class ReadOnlyStoreError extends Error {
  override readonly name = "ReadOnlyStoreError";
}

const Issues = z.array(MaintenanceIssue);
const Records = z.array(MaintenanceRecord);
const Dependencies = z.array(Dependency);
const HealthHistory = z.array(SystemHealth);
const DependencyHistory = z.array(DependencySnapshot);
const Pending = z.array(PendingNotification);

/** Resolve the data directory: explicit root, else COWABUNGA_DATA_DIR, else ./data. */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.COWABUNGA_DATA_DIR && env.COWABUNGA_DATA_DIR.trim() !== "" ? env.COWABUNGA_DATA_DIR : "./data");
}

/** The Store on plain JSON files, one folder per repository. See docs/notes/foundation.md. */
export class FileStore implements Store {
  readonly root: string;
  private readonly clock: () => Date;
  private readonly logger?: StoreLogger;
  private readonly defaultRetention: Retention;
  private readonly retentionByRepo = new Map<string, Retention>();
  private readonly mutex = new KeyedMutex();
  private readonly lockStaleMs: number;
  private readonly lockTimeoutMs: number;
  private warnings: StoreWarning[] = [];
  private readonly dependents: FileDependentsIndex;
  readonly readOnly: boolean;

  constructor(opts: FileStoreOptions = {}) {
    this.readOnly = opts.readOnly ?? false;
    this.root = opts.root ? path.resolve(opts.root) : dataDirFromEnv();
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger;
    this.defaultRetention = { ...DEFAULT_RETENTION, ...stripUndefined(opts.retention ?? {}) };
    this.lockStaleMs = opts.lockStaleMs ?? 30_000;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 60_000;
    this.dependents = new FileDependentsIndex({
      root: this.root,
      readDependencies: async (repo) => [...(await this.getDependencies(repo)), ...lockedIndexRows(await this.getReassessBasis(repo))],
      listRepos: () => this.listRepos(),
      lockStaleMs: this.lockStaleMs,
      lockTimeoutMs: this.lockTimeoutMs,
      onWarning: (message) => this.logger?.warn({ file: `${INDEX_DIR}/dependents.json` }, message),
    });
  }

  // ------------------------------------------------------------------------------------------
  // Generic machinery

  private key(repo: RepoRef): { key: string; dir: string } {
    const r = checkRepoRef(repo);
    return { key: `${r.owner}/${r.repo}`, dir: inside(this.root, r.owner, r.repo) };
  }

  private retention(repo: RepoRef): Retention {
    return this.retentionByRepo.get(this.key(repo).key) ?? this.defaultRetention;
  }

  setRetention(repo: RepoRef, retention: Partial<Retention>): void {
    this.retentionByRepo.set(this.key(repo).key, { ...this.defaultRetention, ...stripUndefined(retention) });
  }

  takeWarnings(): StoreWarning[] {
    const w = this.warnings;
    this.warnings = [];
    return w;
  }

  private rel(file: string): string {
    return path.relative(this.root, file).split(path.sep).join("/");
  }

  /** A free `<name>.corrupt-<timestamp>[-n]` name beside the file. */
  private async corruptName(file: string): Promise<string> {
    const stamp = this.clock().toISOString().replace(/[:.]/g, "-");
    let target = `${file}.corrupt-${stamp}`;
    for (let i = 1; i < 100; i++) {
      try {
        await fs.access(target);
        target = `${file}.corrupt-${stamp}-${i}`;
      } /* Stryker disable next-line BlockStatement: without the break the loop re-checks the same free name until i = 100 and returns it all the same */ catch {
        break;
      }
    }
    return target;
  }

  private report(warning: StoreWarning): void {
    this.warnings.push(warning);
    this.logger?.warn({ store_warning: warning }, warning.message);
  }

  /** Move a bad file aside as `<name>.corrupt-<timestamp>` and report it (read-only: report only). */
  private async quarantine(repoKey: string, file: string, problem: string): Promise<void> {
    if (this.readOnly) {
      this.report({
        repo: repoKey,
        file: this.rel(file),
        message: `${this.rel(file)}: ${problem}; left in place (read-only)`,
        moved_to: null,
        scope: "file",
      });
      return;
    }
    const target = await this.corruptName(file);
    let moved: string | null = null;
    try {
      await fs.rename(file, target);
      moved = this.rel(target);
    } catch {
      // Another reader may have moved it already, or it cannot be moved: moved stays null either way.
    }
    this.report({
      repo: repoKey,
      file: this.rel(file),
      message: `${this.rel(file)}: ${problem}; ${moved ? `moved aside to ${moved}` : "could not move it aside"}, using an empty value`,
      moved_to: moved,
      scope: "file",
    });
  }

  /**
   * Some entries of a list file are bad: they are dropped, the rest kept. Outside read-only mode a
   * copy of the whole file is kept beside it first, so the dropped entries are not lost.
   */
  private async dropEntries(repoKey: string, file: string, text: string, bad: Array<{ index: number; problem: string }>, kept: number): Promise<void> {
    let copy: string | null = null;
    if (!this.readOnly) {
      // Named by content: reading the same damaged file again does not copy it again.
      const target = `${file}.corrupt-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
      try {
        await fs.writeFile(target, text, { flag: "wx" });
        copy = this.rel(target);
      } catch (e) {
        copy = (e as NodeJS.ErrnoException).code === "EEXIST" ? this.rel(target) : null;
      }
    }
    const shown = bad
      .slice(0, 5)
      .map((b) => `[${b.index}] ${b.problem}`)
      .join("; ");
    const where = this.readOnly ? "file left as it is (read-only)" : copy ? `the whole file was copied to ${copy}` : "the file could not be copied";
    this.report({
      repo: repoKey,
      file: this.rel(file),
      message: `${this.rel(file)}: dropped ${bad.length} bad entr${bad.length === 1 ? "y" : "ies"} (${shown}${bad.length > 5 ? `; and ${bad.length - 5} more` : ""}), kept ${kept}; ${where}`,
      moved_to: copy,
      scope: "entries",
    });
  }

  private assertWritable(what: string): void {
    if (this.readOnly) throw new ReadOnlyStoreError(`refusing to ${what}: the store at ${this.root} was opened read-only`);
  }

  /** A JSON array file read entry by entry: a bad entry is dropped and reported, not the whole list. */
  private async readList<T>(repo: RepoRef, relFile: string, item: z.ZodType<T>): Promise<T[]> {
    const { key, dir } = this.key(repo);
    const file = inside(dir, relFile);
    let text: string;
    try {
      // Stryker disable next-line StringLiteral: without an encoding readFile returns a Buffer, which JSON.parse, the hash and writeFile read as the same UTF-8 bytes
      text = await fs.readFile(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      await this.quarantine(key, file, `not valid JSON (${(e as Error).message})`);
      return [];
    }
    if (!Array.isArray(data)) {
      await this.quarantine(key, file, `expected a JSON array, found ${data === null ? "null" : typeof data}`);
      return [];
    }
    const out: T[] = [];
    const bad: Array<{ index: number; problem: string }> = [];
    data.forEach((entry, index) => {
      // Stryker disable next-line StringLiteral: the label only goes into r.message, and this reader reports r.errors
      const r = parseEntity(item, entry, `${relFile}[${index}]`);
      if (r.ok) out.push(r.value);
      else bad.push({ index, problem: r.errors.slice(0, 2).map((x) => `${x.path}: ${x.message}`).join(", ") });
    });
    if (bad.length > 0) await this.dropEntries(key, file, text, bad, out.length);
    return out;
  }

  private async readDoc<T>(repo: RepoRef, relFile: string, schema: z.ZodType<T>, empty: () => T): Promise<T> {
    const { key, dir } = this.key(repo);
    const file = inside(dir, relFile);
    let text: string;
    try {
      // Stryker disable next-line StringLiteral: without an encoding readFile returns a Buffer, which JSON.parse, the hash and writeFile read as the same UTF-8 bytes
      text = await fs.readFile(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return empty();
      throw e;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      await this.quarantine(key, file, `not valid JSON (${(e as Error).message})`);
      return empty();
    }
    const r = parseEntity(schema, data, relFile);
    if (!r.ok) {
      const shown = r.errors.slice(0, 5).map((x) => `${x.path}: ${x.message}`).join("; ");
      await this.quarantine(key, file, `does not match the schema (${shown}${r.errors.length > 5 ? `; and ${r.errors.length - 5} more` : ""})`);
      return empty();
    }
    return r.value;
  }

  private async writeDoc<T>(repo: RepoRef, relFile: string, schema: z.ZodType<T>, value: T, opts: { compact?: boolean } = {}): Promise<T> {
    // Stryker disable next-line StringLiteral: every writeDoc runs inside transaction(), which refuses a read-only store first with its own message
    this.assertWritable(`write ${relFile}`);
    const { dir } = this.key(repo);
    const r = parseEntity(schema, value, relFile);
    if (!r.ok) throw new StoreValidationError(`refusing to write ${this.key(repo).key}/${relFile}: ${r.message}`);
    await writeFileAtomic(inside(dir, relFile), opts.compact ? `${JSON.stringify(r.value)}\n` : `${JSON.stringify(r.value, null, 2)}\n`);
    return r.value;
  }

  /** Run fn holding this repository's lock: in-process queue first, then the lock file. */
  async transaction<T>(repo: RepoRef, fn: () => Promise<T>): Promise<T> {
    const { key, dir } = this.key(repo);
    this.assertWritable(`change ${key}`);
    return this.mutex.run(key, async () => {
      await fs.mkdir(dir, { recursive: true });
      return withFileLock(inside(dir, STORE_FILES.lock), { staleMs: this.lockStaleMs, timeoutMs: this.lockTimeoutMs }, fn);
    });
  }

  private async updateDoc<T>(
    repo: RepoRef,
    relFile: string,
    schema: z.ZodType<T>,
    empty: () => T,
    fn: Updater<T>,
    prune: (v: T) => T = (v) => v,
  ): Promise<T> {
    return this.transaction(repo, async () => {
      const current = await this.readDoc(repo, relFile, schema, empty);
      const next = prune(await fn(current));
      return this.writeDoc(repo, relFile, schema, next);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Entities

  getSystemHealth(repo: RepoRef): Promise<SystemHealth | null> {
    return this.readDoc(repo, STORE_FILES.systemHealth, SystemHealth.nullable(), () => null);
  }

  async putSystemHealth(repo: RepoRef, health: SystemHealth): Promise<void> {
    await this.transaction(repo, () => this.writeDoc(repo, STORE_FILES.systemHealth, SystemHealth, health));
  }

  getIssues(repo: RepoRef): Promise<MaintenanceIssue[]> {
    return this.readDoc(repo, STORE_FILES.issues, Issues, () => []);
  }

  updateIssues(repo: RepoRef, fn: Updater<MaintenanceIssue[]>): Promise<MaintenanceIssue[]> {
    return this.updateDoc(repo, STORE_FILES.issues, Issues, () => [], fn, (v) => pruneIssues(v, this.retention(repo), this.clock()));
  }

  getDependencies(repo: RepoRef): Promise<Dependency[]> {
    return this.readDoc(repo, STORE_FILES.dependencies, Dependencies, () => []);
  }

  async putDependencies(repo: RepoRef, deps: Dependency[], scan: { scanned_at?: string; head_sha?: string | null } = {}): Promise<void> {
    await this.transaction(repo, async () => {
      const written = await this.writeDoc(repo, STORE_FILES.dependencies, Dependencies, deps);
      const snapshot: DependencySnapshot = {
        scanned_at: scan.scanned_at ?? this.clock().toISOString(),
        head_sha: scan.head_sha ?? null,
        dependencies: written.map((d) => ({
          name: d.name,
          package_manager: d.package_manager,
          component: d.component,
          file: d.file,
          version: d.version,
          latest_version: d.latest_version,
        })),
      };
      const history = await this.readList(repo, STORE_FILES.dependencyHistory, DependencySnapshot);
      // A snapshot only when the versions changed; older ones thinned to one a day, then dropped by age.
      const appended = appendIfChanged(history, snapshot, sameDependencySnapshot, (x) => x.scanned_at);
      const next = compactByAge(pruneDependencyHistory(appended, this.retention(repo), this.clock()), (x) => x.scanned_at, this.clock());
      // Stryker disable next-line ConditionalExpression: a length change is also an element that differs (the latest snapshot is never pruned, so next is no prefix of history); the length test only short-circuits
      if (next.length !== history.length || next.some((x, i) => x !== history[i])) {
        await this.writeDoc(repo, STORE_FILES.dependencyHistory, DependencyHistory, next);
      }
      await this.dependents.markChanged(this.key(repo).key);
    });
  }

  findDependents(query: DependentsQuery): Promise<DependentRef[]> {
    return this.dependents.find(query);
  }

  async getDependenciesOfPackages(packages: readonly DependentsQuery[]): Promise<Array<{ repo: RepoRef; dependencies: Dependency[] }>> {
    const wanted = new Set(packages.map((p) => `${p.ecosystem}\u0000${dependentKey({ datasource: datasourceForEcosystem(p.ecosystem), name: p.name }).norm_name}`));
    // The index names the repositories with a stored dependency of one of them; their lists are filtered here.
    const repos = new Map<string, RepoRef>();
    for (const p of packages) {
      for (const d of await this.dependents.find(p)) if (d.direct) repos.set(`${d.repo.owner}/${d.repo.repo}`, d.repo);
    }
    const out: Array<{ repo: RepoRef; dependencies: Dependency[] }> = [];
    for (const key of [...repos.keys()].sort()) {
      const repo = repos.get(key)!;
      const dependencies = (await this.getDependencies(repo)).filter((d) => {
        const k = dependentKey(d);
        return wanted.has(`${k.ecosystem}\u0000${k.norm_name}`);
      });
      if (dependencies.length > 0) out.push({ repo, dependencies });
    }
    return out;
  }

  listDependentPackages(): Promise<DependentsQuery[]> {
    return this.dependents.packages();
  }

  dependentsIndexStats(): Promise<{ entries: number; packages: number; bytes: number | null }> {
    return this.dependents.stats();
  }

  /** Rebuild the reverse index from every repository's stored dependencies. */
  rebuildDependentsIndex(): Promise<void> {
    return this.dependents.rebuild();
  }

  getDependencyHistory(repo: RepoRef): Promise<DependencySnapshot[]> {
    return this.readList(repo, STORE_FILES.dependencyHistory, DependencySnapshot);
  }

  getRecords(repo: RepoRef): Promise<MaintenanceRecord[]> {
    return this.readDoc(repo, STORE_FILES.records, Records, () => []);
  }

  updateRecords(repo: RepoRef, fn: Updater<MaintenanceRecord[]>): Promise<MaintenanceRecord[]> {
    return this.updateDoc(repo, STORE_FILES.records, Records, () => [], fn, (v) => pruneRecords(v, this.retention(repo), this.clock()));
  }

  private componentFile(name: string): string {
    return `${STORE_FILES.componentDir}/${componentFileName(name)}.json`;
  }

  async getComponentHealth(repo: RepoRef, name: string): Promise<ComponentHealth | null> {
    return this.readDoc(repo, this.componentFile(name), ComponentHealth.nullable(), () => null);
  }

  async putComponentHealth(repo: RepoRef, component: ComponentHealth): Promise<void> {
    const file = this.componentFile(component.name);
    await this.transaction(repo, () => this.writeDoc(repo, file, ComponentHealth, component));
  }

  async deleteComponentHealth(repo: RepoRef, name: string): Promise<void> {
    const file = inside(this.key(repo).dir, this.componentFile(name));
    await this.transaction(repo, () => fs.rm(file, { force: true }));
  }

  async replaceComponentHealth(repo: RepoRef, components: readonly ComponentHealth[]): Promise<void> {
    const { key, dir } = this.key(repo);
    const files = new Map<string, ComponentHealth>();
    for (const c of components) {
      const r = parseEntity(ComponentHealth, c, `${STORE_FILES.componentDir}/${c?.name}`);
      if (!r.ok) throw new StoreValidationError(`refusing to write ${key}/${STORE_FILES.componentDir}/${c?.name}: ${r.message}`);
      files.set(`${componentFileName(r.value.name)}.json`, r.value);
    }
    await this.transaction(repo, async () => {
      const componentDir = inside(dir, STORE_FILES.componentDir);
      let existing: string[] = [];
      try {
        existing = await fs.readdir(componentDir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
      // Several files at a time: each write waits on two fsyncs, not on the CPU.
      const entries = [...files];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(8, entries.length) }, async () => {
          for (let i = next++; i < entries.length; i = next++) {
            const [file, value] = entries[i]!;
            await writeFileAtomic(inside(componentDir, file), `${JSON.stringify(value, null, 2)}\n`);
          }
        }),
      );
      for (const n of existing) if (n.endsWith(".json") && !isTempFile(n) && !files.has(n)) await fs.rm(inside(componentDir, n), { force: true });
    });
  }

  async listComponentHealth(repo: RepoRef): Promise<ComponentHealth[]> {
    const dir = inside(this.key(repo).dir, STORE_FILES.componentDir);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const out: ComponentHealth[] = [];
    for (const n of names.sort()) {
      if (!n.endsWith(".json") || isTempFile(n)) continue;
      // Stryker disable next-line ArrowFunction: undefined and null are both skipped by the `if (c)` below
      const c = await this.readDoc(repo, `${STORE_FILES.componentDir}/${n}`, ComponentHealth.nullable(), () => null);
      if (c) out.push(c);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The five writes in turn (each atomic on its own, as storeAssessment made them). */
  async putAssessment(repo: RepoRef, a: AssessmentWrite): Promise<void> {
    await this.updateIssues(repo, () => a.issues);
    await this.putDependencies(repo, a.dependencies, a.scan);
    await this.putSystemHealth(repo, a.system);
    await this.appendHealthHistory(repo, a.system);
    await this.replaceComponentHealth(repo, a.components);
  }

  getHealthHistory(repo: RepoRef): Promise<SystemHealth[]> {
    return this.readList(repo, STORE_FILES.healthHistory, SystemHealth);
  }

  /** Appends only when the health differs from the last snapshot (timestamps aside); see appendIfChanged. */
  appendHealthHistory(repo: RepoRef, health: SystemHealth): Promise<SystemHealth[]> {
    return this.transaction(repo, async () => {
      const history = await this.readList(repo, STORE_FILES.healthHistory, SystemHealth);
      const appended = appendIfChanged(history, health, sameSystemHealth, (h) => h.timestamp);
      const next = compactByAge(pruneHealthHistory(appended, this.retention(repo), this.clock()), (h) => h.timestamp, this.clock());
      return this.writeDoc(repo, STORE_FILES.healthHistory, HealthHistory, next);
    });
  }

  getScanState(repo: RepoRef): Promise<ScanState | null> {
    return this.readDoc(repo, STORE_FILES.scanState, ScanState.nullable(), () => null);
  }

  async putScanState(repo: RepoRef, state: ScanState): Promise<void> {
    await this.transaction(repo, () => this.writeDoc(repo, STORE_FILES.scanState, ScanState, state));
  }

  async getReassessBasis(repo: RepoRef): Promise<ReassessBasis | null> {
    const stored = await this.readDoc(repo, STORE_FILES.reassessBasis, StoredReassessBasisSchema.nullable(), () => null);
    return stored ? decodeReassessBasis(stored) : null;
  }

  async putReassessBasis(repo: RepoRef, basis: ReassessBasis): Promise<void> {
    await this.transaction(repo, async () => {
      // One line: the lockfile table pretty-printed would be a line per number.
      await this.writeDoc(repo, STORE_FILES.reassessBasis, StoredReassessBasisSchema, encodeReassessBasis(basis), { compact: true });
      // Its lockfile packages are indexed too.
      await this.dependents.markChanged(this.key(repo).key);
    });
  }

  getPending(repo: RepoRef): Promise<PendingNotification[]> {
    return this.readDoc(repo, STORE_FILES.pending, Pending, () => []);
  }

  updatePending(repo: RepoRef, fn: Updater<PendingNotification[]>): Promise<PendingNotification[]> {
    return this.updateDoc(repo, STORE_FILES.pending, Pending, () => [], fn);
  }

  async listRepos(): Promise<RepoRef[]> {
    const out: RepoRef[] = [];
    let owners: string[];
    try {
      owners = await fs.readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    for (const owner of owners.sort()) {
      if (owner === INDEX_DIR) continue;
      let repos: string[];
      try {
        repos = await fs.readdir(path.join(this.root, owner));
      } catch {
        continue; // a file, not a folder
      }
      for (const repo of repos.sort()) {
        try {
          checkRepoRef({ owner, repo });
        } catch {
          continue;
        }
        if ((await fs.stat(path.join(this.root, owner, repo))).isDirectory()) out.push({ owner, repo });
      }
    }
    return out;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
