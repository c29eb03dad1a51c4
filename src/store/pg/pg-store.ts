import pg from "pg";
import { z } from "zod";
import { Dependency } from "../../model/dependency.js";
import { ComponentHealth, SystemHealth } from "../../model/health.js";
import { MaintenanceIssue } from "../../model/issue.js";
import { MaintenanceRecord } from "../../model/record.js";
import { parseEntity } from "../../model/validate.js";
import { StoreValidationError, type StoreLogger } from "../file-store.js";
import { KeyedMutex, LockTimeoutError } from "../lock.js";
import { UnsafeNameError, checkRepoRef } from "../paths.js";
import { DEFAULT_RETENTION, HISTORY_COMPACT_AFTER_DAYS, sameDependencySnapshot, sameSystemHealth } from "../retention.js";
import { compareDependents, datasourceForEcosystem, dependentKey, type DependentRef, type DependentsQuery } from "../dependents.js";
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
} from "../types.js";
import { decodeReassessBasis, encodeReassessBasis, lockedIndexRows, StoredReassessBasisSchema, type ReassessBasis } from "../reassess-basis.js";

type Queryable = Pick<pg.ClientBase, "query">;

export interface PgStoreOptions {
  /** Injected clock for retention cut-offs and snapshot timestamps. */
  now?: () => Date;
  logger?: StoreLogger;
  /** Retention for repositories with neither setRetention() in this process nor one stored by another. */
  retention?: Partial<Retention>;
  /** Give up waiting for another process's write to the same repository after this long (default 60 s, as the FileStore). */
  lockTimeoutMs?: number;
}

interface WriteContext {
  client: pg.PoolClient;
  repoId: string;
  retention: Retention;
  now: Date;
}

/** How one list entity (issues, records, pending notifications) maps onto its table. */
interface ListSpec<T extends { id: string }> {
  table: "issues" | "maintenance_records" | "pending_notifications";
  label: string;
  schema: z.ZodType<T>;
  /** Extra columns, as `name type` pairs for jsonb_to_recordset, and their values for one entity. */
  columns: readonly (readonly [string, string])[];
  values(v: T): Record<string, unknown>;
  /** Retention: delete what is too old, in SQL; returns the ids deleted. */
  prune?(ctx: WriteContext): Promise<Set<string>>;
}

const RETENTION_COLUMNS = ["health_days", "issue_history_days", "dependency_history_days", "records_days"] as const;

// Stryker disable ConditionalExpression,LogicalOperator,EqualityOperator: the times come from DateTime fields validated on write (never unparseable); equal times give the same value
function latest(...isos: (string | null | undefined)[]): string | null {
  let best: string | null = null;
  for (const x of isos) if (x && !Number.isNaN(Date.parse(x)) && (best === null || Date.parse(x) > Date.parse(best))) best = x;
  return best;
}

function validTime(iso: string | null | undefined): string | null {
  return iso && !Number.isNaN(Date.parse(iso)) ? iso : null;
}

// Stryker restore ConditionalExpression,LogicalOperator,EqualityOperator

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** PostgreSQL's text and jsonb cannot hold U+0000; refuse it with a message instead of a driver error. */
function refuseNul(label: string, json: string): void {
  if (json.includes("\\u0000")) throw new StoreValidationError(`refusing to write ${label}: a string contains U+0000 (NUL), which PostgreSQL cannot store`);
}

/**
 * The Store on PostgreSQL (DATABASE_URL), for any number of app and worker processes. One row per
 * entity and per history entry; see docs/notes/pg-store.md. Same contract as the FileStore: reads
 * never throw on bad data (a row failing its schema is moved to store_quarantine, reported through
 * takeWarnings() and skipped), writes validate and are atomic (one transaction each), and writes to
 * one repository are serialised across processes by a row lock on its `repos` row.
 */
export class PgStore implements Store {
  readonly kind = "postgres" as const;
  private readonly now: () => Date;
  private readonly logger?: StoreLogger;
  private readonly defaultRetention: Retention;
  private readonly retentionByRepo = new Map<string, Retention>();
  private readonly repoIds = new Map<string, string>();
  private readonly mutex = new KeyedMutex();
  private readonly lockTimeoutMs: number;
  private warnings: StoreWarning[] = [];

  constructor(
    readonly pool: pg.Pool,
    opts: PgStoreOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.logger = opts.logger;
    this.defaultRetention = { ...DEFAULT_RETENTION, ...stripUndefined(opts.retention ?? {}) };
    this.lockTimeoutMs = Math.max(1, Math.round(opts.lockTimeoutMs ?? 60_000));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // ------------------------------------------------------------------------------------------
  // Generic machinery

  private ref(repo: RepoRef): RepoRef & { key: string } {
    const r = checkRepoRef(repo);
    return { ...r, key: `${r.owner}/${r.repo}` };
  }

  setRetention(repo: RepoRef, retention: Partial<Retention>): void {
    // Kept here and stored on the repository's row at its next write, so other processes (which may
    // never load this repository's config) prune with the same settings.
    this.retentionByRepo.set(this.ref(repo).key, { ...this.defaultRetention, ...stripUndefined(retention) });
  }

  takeWarnings(): StoreWarning[] {
    const w = this.warnings;
    this.warnings = [];
    return w;
  }

  private async repoId(q: Queryable, r: RepoRef & { key: string }): Promise<string> {
    const cached = this.repoIds.get(r.key);
    // Stryker disable next-line ConditionalExpression: without the cache the id is looked up again, with the same answer
    if (cached) return cached;
    const ins = await q.query<{ id: string }>("INSERT INTO repos (owner, repo) VALUES ($1, $2) ON CONFLICT (owner, repo) DO NOTHING RETURNING id", [r.owner, r.repo]);
    const id = ins.rows[0]?.id ?? (await q.query<{ id: string }>("SELECT id FROM repos WHERE owner = $1 AND repo = $2", [r.owner, r.repo])).rows[0]?.id;
    if (!id) throw new Error(`repository ${r.key} vanished while being created`);
    this.repoIds.set(r.key, id);
    return id;
  }

  /**
   * Run fn in one transaction holding the repository's row lock (SELECT ... FOR UPDATE): writes to one
   * repository are serialised across processes; inside this process a keyed mutex queues them first so
   * they do not each hold a pooled connection while waiting.
   */
  private async write<T>(repo: RepoRef, fn: (ctx: WriteContext) => Promise<T>): Promise<T> {
    const r = this.ref(repo);
    return this.mutex.run(r.key, async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        try {
          // A writer stuck inside its updater must not block the repository forever (SQLSTATE 55P03 below).
          await client.query(`SET LOCAL lock_timeout = ${this.lockTimeoutMs}`);
          let repoId = await this.repoId(client, r);
          let locked = await client.query<Record<(typeof RETENTION_COLUMNS)[number], number | null>>(
            `SELECT ${RETENTION_COLUMNS.join(", ")} FROM repos WHERE id = $1 FOR UPDATE`,
            [repoId],
          );
          // Stryker disable next-line ConditionalExpression: re-creating an existing repository finds the same id
          if (locked.rowCount === 0) {
            // Deleted by someone else since we cached its id: create it again.
            this.repoIds.delete(r.key);
            repoId = await this.repoId(client, r);
            locked = await client.query(`SELECT ${RETENTION_COLUMNS.join(", ")} FROM repos WHERE id = $1 FOR UPDATE`, [repoId]);
          }
          const stored = locked.rows[0]!;
          const mine = this.retentionByRepo.get(r.key);
          let retention: Retention;
          if (mine) {
            retention = mine;
            if (RETENTION_COLUMNS.some((c) => stored[c] !== mine[c])) {
              await client.query(`UPDATE repos SET ${RETENTION_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(", ")} WHERE id = $1`, [
                repoId,
                ...RETENTION_COLUMNS.map((c) => mine[c]),
              ]);
            }
          } else {
            retention = { ...this.defaultRetention };
            for (const c of RETENTION_COLUMNS) if (stored[c] !== null) retention[c] = stored[c];
          }
          const result = await fn({ client, repoId, retention, now: this.now() });
          await client.query("COMMIT");
          return result;
        } catch (err) {
          await client.query("ROLLBACK").catch((e: Error) => (broken = e));
          if ((err as { code?: string }).code === "55P03") {
            throw new LockTimeoutError(`timed out after ${this.lockTimeoutMs} ms waiting for another process's write to ${r.key}`);
          }
          throw err;
        }
      } finally {
        client.release(broken);
      }
    });
  }

  private validateForWrite<T>(schema: z.ZodType<T>, value: unknown, label: string): T {
    const res = parseEntity(schema, value, label);
    if (!res.ok) throw new StoreValidationError(`refusing to write ${res.message}`);
    refuseNul(label, JSON.stringify(res.value));
    return res.value;
  }

  /**
   * Validate rows read back; a row that fails is moved to store_quarantine (in the caller's transaction
   * when there is one), reported, and left out. Never throws for bad data.
   */
  private async validateRows<T>(
    q: Queryable,
    repoKey: string,
    table: string,
    rows: { key: string; doc: unknown; where: string; params: unknown[] }[],
    schema: z.ZodType<T>,
  ): Promise<T[]> {
    const out: T[] = [];
    for (const row of rows) {
      const label = `${repoKey}/${table}/${row.key}`;
      const res = parseEntity(schema, row.doc, label);
      if (res.ok) {
        out.push(res.value);
        continue;
      }
      const shown = res.errors.slice(0, 5).map((x) => `${x.path}: ${x.message}`).join("; ");
      const problem = `does not match the schema (${shown}${res.errors.length > 5 ? `; and ${res.errors.length - 5} more` : ""})`;
      let movedTo: string | null = null;
      try {
        const moved = await q.query<{ id: string }>(
          `WITH gone AS (DELETE FROM ${table} WHERE ${row.where} RETURNING repo_id, doc)
           INSERT INTO store_quarantine (repo_id, table_name, row_key, doc, problem)
           SELECT repo_id, $${row.params.length + 1}, $${row.params.length + 2}, doc, $${row.params.length + 3} FROM gone RETURNING id`,
          [...row.params, table, row.key, problem],
        );
        if (moved.rows[0]) movedTo = `store_quarantine/${moved.rows[0].id}`;
      } catch (err) {
        this.logger?.warn({ err: String(err) }, `${label}: could not move the invalid row to store_quarantine`);
      }
      const warning: StoreWarning = {
        repo: repoKey,
        file: `${table}/${row.key}`,
        message: `${label}: ${problem}; ${movedTo ? `moved aside to ${movedTo}` : "left in place and skipped"}`,
        moved_to: movedTo,
      };
      this.warnings.push(warning);
      this.logger?.warn({ store_warning: warning }, warning.message);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Single documents: system_health, scan_state

  private async getDoc<T>(table: "system_health" | "scan_state" | "reassess_basis", repo: RepoRef, schema: z.ZodType<T>): Promise<T | null> {
    const r = this.ref(repo);
    const { rows } = await this.pool.query<{ repo_id: string; doc: unknown }>(
      `SELECT t.repo_id, t.doc FROM ${table} t JOIN repos r ON r.id = t.repo_id WHERE r.owner = $1 AND r.repo = $2`,
      [r.owner, r.repo],
    );
    const row = rows[0];
    if (!row) return null;
    const [value] = await this.validateRows(this.pool, r.key, table, [{ key: "doc", doc: row.doc, where: "repo_id = $1 AND doc = $2::jsonb", params: [row.repo_id, JSON.stringify(row.doc)] }], schema);
    return value ?? null;
  }

  private async putDoc<T>(table: "system_health" | "scan_state" | "reassess_basis", repo: RepoRef, schema: z.ZodType<T>, value: T): Promise<void> {
    const r = this.ref(repo);
    const valid = this.validateForWrite(schema, value, `${r.key}/${table}`);
    await this.write(repo, (ctx) => this.putDocIn(ctx, table, valid));
  }

  private async putDocIn(ctx: WriteContext, table: "system_health" | "scan_state" | "reassess_basis", valid: unknown): Promise<void> {
    await ctx.client.query(
      `INSERT INTO ${table} (repo_id, doc, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (repo_id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`,
      [ctx.repoId, JSON.stringify(valid)],
    );
  }

  async getSystemHealth(repo: RepoRef): Promise<SystemHealth | null> {
    return await this.getDoc("system_health", repo, SystemHealth);
  }

  async putSystemHealth(repo: RepoRef, health: SystemHealth): Promise<void> {
    return await this.putDoc("system_health", repo, SystemHealth, health);
  }

  async getScanState(repo: RepoRef): Promise<ScanState | null> {
    return await this.getDoc("scan_state", repo, ScanState);
  }

  async putScanState(repo: RepoRef, state: ScanState): Promise<void> {
    return await this.putDoc("scan_state", repo, ScanState, state);
  }

  async getReassessBasis(repo: RepoRef): Promise<ReassessBasis | null> {
    const stored = await this.getDoc("reassess_basis", repo, StoredReassessBasisSchema);
    return stored ? decodeReassessBasis(stored) : null;
  }

  /** The document, and its lockfile packages as reverse-index rows, in one transaction. */
  async putReassessBasis(repo: RepoRef, basis: ReassessBasis): Promise<void> {
    const r = this.ref(repo);
    const valid = this.validateForWrite(StoredReassessBasisSchema, encodeReassessBasis(basis), `${r.key}/reassess_basis`);
    // validateForWrite has refused a U+0000 in this document already.
    const doc = JSON.stringify(valid);
    const seen = new Set<string>();
    const rows: Array<Record<string, string>> = [];
    for (const d of lockedIndexRows(basis)) {
      const k = dependentKey(d);
      const row = { ecosystem: k.ecosystem, norm_name: k.norm_name, name: d.name, version: d.version, component: d.component, file: d.file, dependency_type: d.dependency_type };
      const key = JSON.stringify(row);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row);
    }
    const rowsJson = JSON.stringify(rows);
    // Stryker disable next-line StringLiteral: every text of these rows is also in the basis document, whose U+0000 is refused above
    refuseNul(`${r.key}/locked_packages`, rowsJson);
    await this.write(repo, async ({ client, repoId }) => {
      await client.query(
        `INSERT INTO reassess_basis (repo_id, doc, updated_at) VALUES ($1, $2::jsonb, now())
         ON CONFLICT (repo_id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`,
        [repoId, doc],
      );
      await client.query(`DELETE FROM locked_packages WHERE repo_id = $1`, [repoId]);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: inserting an empty set changes nothing (the guard saves a query)
      if (rows.length > 0) {
        await client.query(
          `INSERT INTO locked_packages (repo_id, ecosystem, norm_name, name, version, component, file, dependency_type)
           SELECT $1, x.ecosystem, x.norm_name, x.name, x.version, x.component, x.file, x.dependency_type
           FROM jsonb_to_recordset($2::jsonb) AS x(ecosystem text, norm_name text, name text, version text, component text, file text, dependency_type text)`,
          [repoId, rowsJson],
        );
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // Lists with ids: issues, records, pending notifications

  private readonly issuesSpec: ListSpec<MaintenanceIssue> = {
    table: "issues",
    label: "issues",
    schema: MaintenanceIssue,
    columns: [
      ["status", "text"],
      ["last_activity", "timestamptz"],
    ],
    values: (i) => ({ status: i.status, last_activity: latest(i.updated_at, i.resolved_at) }),
    prune: async ({ client, repoId, retention, now }) => {
      const { rows } = await client.query<{ id: string }>(
        `DELETE FROM issues WHERE repo_id = $1 AND status IN ('resolved', 'deferred')
           AND last_activity < $2::timestamptz - make_interval(days => $3) RETURNING id`,
        [repoId, now.toISOString(), retention.issue_history_days],
      );
      return new Set(rows.map((x) => x.id));
    },
  };

  private readonly recordsSpec: ListSpec<MaintenanceRecord> = {
    table: "maintenance_records",
    label: "maintenance_records",
    schema: MaintenanceRecord,
    columns: [["performed_at", "timestamptz"]],
    values: (x) => ({ performed_at: validTime(x.performed_at) }),
    prune: async ({ client, repoId, retention, now }) => {
      // 0 days: a permanent archive.
      if (!retention.records_days) return new Set();
      const { rows } = await client.query<{ id: string }>(
        `DELETE FROM maintenance_records WHERE repo_id = $1 AND performed_at < $2::timestamptz - make_interval(days => $3) RETURNING id`,
        [repoId, now.toISOString(), retention.records_days],
      );
      return new Set(rows.map((x) => x.id));
    },
  };

  private readonly pendingSpec: ListSpec<PendingNotification> = {
    table: "pending_notifications",
    label: "pending_notifications",
    schema: PendingNotification,
    columns: [["created_at", "timestamptz"]],
    values: (x) => ({ created_at: validTime(x.created_at) }),
  };

  private async readList<T extends { id: string }>(q: Queryable, r: RepoRef & { key: string }, spec: ListSpec<T>, repoId?: string): Promise<T[]> {
    const { rows } = repoId
      ? await q.query<{ repo_id: string; id: string; doc: unknown }>(`SELECT repo_id, id, doc FROM ${spec.table} WHERE repo_id = $1 ORDER BY position, id`, [repoId])
      : await q.query<{ repo_id: string; id: string; doc: unknown }>(
          `SELECT t.repo_id, t.id, t.doc FROM ${spec.table} t JOIN repos r ON r.id = t.repo_id WHERE r.owner = $1 AND r.repo = $2 ORDER BY t.position, t.id`,
          [r.owner, r.repo],
        );
    return this.validateRows(
      q,
      r.key,
      spec.table,
      rows.map((row) => ({ key: row.id, doc: row.doc, where: "repo_id = $1 AND id = $2", params: [row.repo_id, row.id] })),
      spec.schema,
    );
  }

  /**
   * Read-modify-write of a list under the repository's lock. Only rows that changed are written
   * (ON CONFLICT ... WHERE IS DISTINCT FROM), rows no longer in the list are deleted, then retention
   * runs in SQL; the list returned is what is stored.
   */
  private updateList<T extends { id: string }>(repo: RepoRef, spec: ListSpec<T>, fn: Updater<T[]>): Promise<T[]> {
    const r = this.ref(repo);
    return this.write(repo, async (ctx) => {
      const current = await this.readList(ctx.client, r, spec, ctx.repoId);
      return this.replaceListIn(ctx, this.validateList(r, spec, await fn(current)), spec);
    });
  }

  private validateList<T extends { id: string }>(r: RepoRef & { key: string }, spec: ListSpec<T>, value: unknown): T[] {
    const next = this.validateForWrite(z.array(spec.schema), value, `${r.key}/${spec.label}`);
    const seen = new Set<string>();
    for (const [i, v] of next.entries()) {
      if (seen.has(v.id)) throw new StoreValidationError(`refusing to write ${r.key}/${spec.label}: [${i}].id: duplicate id ${JSON.stringify(v.id)}`);
      seen.add(v.id);
    }
    return next;
  }

  /** Inside the repository's transaction: store a validated list (changed rows only), then retention. */
  private async replaceListIn<T extends { id: string }>(ctx: WriteContext, next: T[], spec: ListSpec<T>): Promise<T[]> {
    const cols = spec.columns.map(([c]) => c);
    const payload = next.map((v, position) => ({ id: v.id, position, doc: v, ...spec.values(v) }));
    await ctx.client.query(`DELETE FROM ${spec.table} WHERE repo_id = $1 AND NOT (id = ANY($2::text[]))`, [ctx.repoId, next.map((v) => v.id)]);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: inserting an empty set changes nothing (the guard saves a query)
    if (payload.length > 0) {
      await ctx.client.query(
        `INSERT INTO ${spec.table} (repo_id, id, position, doc${cols.map((c) => `, ${c}`).join("")})
         SELECT $1, x.id, x.position, x.doc${cols.map((c) => `, x.${c}`).join("")}
         FROM jsonb_to_recordset($2::jsonb) AS x(id text, position integer, doc jsonb${spec.columns.map(([c, t]) => `, ${c} ${t}`).join("")})
         ON CONFLICT (repo_id, id) DO UPDATE SET position = EXCLUDED.position, doc = EXCLUDED.doc${cols.map((c) => `, ${c} = EXCLUDED.${c}`).join("")}
         WHERE ${spec.table}.position IS DISTINCT FROM EXCLUDED.position OR ${spec.table}.doc IS DISTINCT FROM EXCLUDED.doc`,
        [ctx.repoId, JSON.stringify(payload)],
      );
    }
    const pruned = spec.prune ? await spec.prune(ctx) : new Set<string>();
    // Stryker disable next-line ConditionalExpression,EqualityOperator: filtering by an empty set keeps everything
    return pruned.size > 0 ? next.filter((v) => !pruned.has(v.id)) : next;
  }

  async getIssues(repo: RepoRef): Promise<MaintenanceIssue[]> {
    return await this.readList(this.pool, this.ref(repo), this.issuesSpec);
  }

  async updateIssues(repo: RepoRef, fn: Updater<MaintenanceIssue[]>): Promise<MaintenanceIssue[]> {
    return await this.updateList(repo, this.issuesSpec, fn);
  }

  async getRecords(repo: RepoRef): Promise<MaintenanceRecord[]> {
    return await this.readList(this.pool, this.ref(repo), this.recordsSpec);
  }

  async updateRecords(repo: RepoRef, fn: Updater<MaintenanceRecord[]>): Promise<MaintenanceRecord[]> {
    return await this.updateList(repo, this.recordsSpec, fn);
  }

  async getPending(repo: RepoRef): Promise<PendingNotification[]> {
    return await this.readList(this.pool, this.ref(repo), this.pendingSpec);
  }

  async updatePending(repo: RepoRef, fn: Updater<PendingNotification[]>): Promise<PendingNotification[]> {
    return await this.updateList(repo, this.pendingSpec, fn);
  }

  // ------------------------------------------------------------------------------------------
  // Dependencies: current status (one row each) and history (one appended row per scan)

  async getDependencies(repo: RepoRef): Promise<Dependency[]> {
    const r = this.ref(repo);
    const { rows } = await this.pool.query<{ repo_id: string; position: number; doc: unknown }>(
      `SELECT d.repo_id, d.position, d.doc FROM dependencies d JOIN repos r ON r.id = d.repo_id WHERE r.owner = $1 AND r.repo = $2 ORDER BY d.position`,
      [r.owner, r.repo],
    );
    return this.validateRows(
      this.pool,
      r.key,
      "dependencies",
      rows.map((row) => ({ key: String(row.position), doc: row.doc, where: "repo_id = $1 AND position = $2", params: [row.repo_id, row.position] })),
      Dependency,
    );
  }

  async putDependencies(repo: RepoRef, deps: Dependency[], scan: { scanned_at?: string; head_sha?: string | null } = {}): Promise<void> {
    const r = this.ref(repo);
    const valid = this.validateForWrite(z.array(Dependency), deps, `${r.key}/dependencies`);
    await this.write(repo, (ctx) => this.putDependenciesIn(ctx, r, valid, scan));
  }

  /** Inside the repository's transaction: the validated dependency status, its history snapshot, retention. */
  private async putDependenciesIn(ctx: WriteContext, r: RepoRef & { key: string }, valid: Dependency[], scan: { scanned_at?: string; head_sha?: string | null }): Promise<void> {
    const { client, repoId, retention, now } = ctx;
    const snapshot = this.validateForWrite(
      DependencySnapshot,
      {
        scanned_at: scan.scanned_at ?? now.toISOString(),
        head_sha: scan.head_sha ?? null,
        dependencies: valid.map((d) => ({
          name: d.name,
          package_manager: d.package_manager,
          component: d.component,
          file: d.file,
          version: d.version,
          latest_version: d.latest_version,
        })),
      },
      `${r.key}/dependency_history`,
    );
    const json = JSON.stringify(valid);
    // Only the rows that differ are written: a position gone or whose document changed is deleted, then
    // every position without a row is inserted. An unchanged status (the common rescan) writes none, and
    // a re-assessment (a few dependencies' advisories changed) rewrites only those.
    const elements = "SELECT (e.ord - 1)::integer AS position, e.doc FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(doc, ord)";
    await client.query(
      `WITH e AS MATERIALIZED (${elements})
       DELETE FROM dependencies d WHERE d.repo_id = $1 AND NOT EXISTS (SELECT 1 FROM e WHERE e.position = d.position AND e.doc = d.doc)`,
      [repoId, json],
    );
    // Stryker disable next-line ConditionalExpression,EqualityOperator: inserting no elements changes nothing (the guard saves a query)
    if (valid.length > 0) {
      await client.query(
        `INSERT INTO dependencies (repo_id, position, package_manager, datasource, name, version, component, file, doc)
         SELECT $1, e.position, e.doc->>'package_manager', e.doc->>'datasource', e.doc->>'name', e.doc->>'version',
                e.doc->>'component', e.doc->>'file', e.doc
         FROM (${elements}) e
         WHERE NOT EXISTS (SELECT 1 FROM dependencies d WHERE d.repo_id = $1 AND d.position = e.position)`,
        [repoId, json],
      );
    }
    // A snapshot only when the versions changed (the file store's rule: appendIfChanged).
    const last = await client.query<{ scanned_at: Date; doc: unknown }>(
      "SELECT scanned_at, doc FROM dependency_history WHERE repo_id = $1 ORDER BY scanned_at DESC, id DESC LIMIT 1",
      [repoId],
    );
    const prev = last.rows[0] ? DependencySnapshot.safeParse(last.rows[0].doc) : null;
    const unchanged = prev?.success === true && last.rows[0]!.scanned_at.getTime() <= Date.parse(snapshot.scanned_at) && sameDependencySnapshot(prev.data, snapshot);
    if (!unchanged) {
      await client.query("INSERT INTO dependency_history (repo_id, scanned_at, doc) VALUES ($1, $2::timestamptz, $3::jsonb)", [repoId, snapshot.scanned_at, JSON.stringify(snapshot)]);
    }
    await this.pruneHistory(client, "dependency_history", "scanned_at", repoId, now, retention.dependency_history_days);
  }

  async findDependents(query: DependentsQuery): Promise<DependentRef[]> {
    const norm = dependentKey({ datasource: datasourceForEcosystem(query.ecosystem), name: query.name }).norm_name;
    const { rows } = await this.pool.query<{ owner: string; repo: string; ecosystem: string; name: string; version: string; component: string; file: string; dependency_type: string; direct: boolean }>(
      `SELECT r.owner, r.repo, d.ecosystem, d.name, d.version, d.component, d.file, d.doc->>'dependency_type' AS dependency_type, d.direct
       FROM dependencies d JOIN repos r ON r.id = d.repo_id
       WHERE d.ecosystem = $1 AND d.norm_name = $2
       UNION
       SELECT r.owner, r.repo, l.ecosystem, l.name, l.version, l.component, l.file, l.dependency_type, false AS direct
       FROM locked_packages l JOIN repos r ON r.id = l.repo_id
       WHERE l.ecosystem = $1 AND l.norm_name = $2`,
      [query.ecosystem, norm],
    );
    return rows
      .map((x): DependentRef => ({
        repo: { owner: x.owner, repo: x.repo },
        ecosystem: x.ecosystem,
        name: x.name,
        version: x.version,
        component: x.component,
        file: x.file,
        dependency_type: x.dependency_type,
        direct: x.direct,
      }))
      .sort(compareDependents);
  }

  /** One query on the index columns (ecosystem, norm_name), for every repository at once. */
  async getDependenciesOfPackages(packages: readonly DependentsQuery[]): Promise<Array<{ repo: RepoRef; dependencies: Dependency[] }>> {
    // Stryker disable next-line ConditionalExpression: the query with no packages matches no row (the guard saves it)
    if (packages.length === 0) return [];
    const ecosystems = packages.map((p) => p.ecosystem);
    const names = packages.map((p) => dependentKey({ datasource: datasourceForEcosystem(p.ecosystem), name: p.name }).norm_name);
    const { rows } = await this.pool.query<{ owner: string; repo: string; repo_id: string; position: number; doc: unknown }>(
      `SELECT r.owner, r.repo, d.repo_id, d.position, d.doc
       FROM (SELECT DISTINCT ecosystem, norm_name FROM unnest($1::text[], $2::text[]) AS q(ecosystem, norm_name)) q
       JOIN dependencies d ON d.ecosystem = q.ecosystem AND d.norm_name = q.norm_name
       JOIN repos r ON r.id = d.repo_id`,
      [ecosystems, names],
    );
    const byRepo = new Map<string, { repo: RepoRef; rows: typeof rows }>();
    for (const row of rows) {
      const key = `${row.owner}/${row.repo}`;
      (byRepo.get(key) ?? byRepo.set(key, { repo: { owner: row.owner, repo: row.repo }, rows: [] }).get(key)!).rows.push(row);
    }
    const out: Array<{ repo: RepoRef; dependencies: Dependency[] }> = [];
    // Sorted here, by code unit, as the file store sorts (a database collation may order differently).
    for (const key of [...byRepo.keys()].sort()) {
      const { repo, rows: mine } = byRepo.get(key)!;
      mine.sort((a, b) => a.position - b.position);
      const dependencies = await this.validateRows(
        this.pool,
        key,
        "dependencies",
        mine.map((row) => ({ key: String(row.position), doc: row.doc, where: "repo_id = $1 AND position = $2", params: [row.repo_id, row.position] })),
        Dependency,
      );
      if (dependencies.length > 0) out.push({ repo, dependencies });
    }
    return out;
  }

  async listDependentPackages(): Promise<DependentsQuery[]> {
    const { rows } = await this.pool.query<{ ecosystem: string; norm_name: string }>(
      `SELECT ecosystem, norm_name FROM dependencies UNION SELECT ecosystem, norm_name FROM locked_packages`,
    );
    // Sorted here, by code unit, as the file store sorts (a database collation may order differently).
    const key = (r: { ecosystem: string; norm_name: string }) => `${r.ecosystem}\u0000${r.norm_name}`;
    return rows
      .map((r) => ({ k: key(r), ecosystem: r.ecosystem, name: r.norm_name }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
      .map(({ ecosystem, name }) => ({ ecosystem, name }));
  }

  async dependentsIndexStats(): Promise<{ entries: number; packages: number; bytes: number | null }> {
    const { rows } = await this.pool.query<{ entries: string; packages: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM dependencies) + (SELECT count(*) FROM locked_packages) AS entries,
              (SELECT count(*) FROM (SELECT ecosystem, norm_name FROM dependencies UNION SELECT ecosystem, norm_name FROM locked_packages) p) AS packages,
              pg_relation_size('dependencies_dependents_idx') + pg_relation_size('locked_packages_dependents_idx') AS bytes`,
    );
    const r = rows[0]!;
    return { entries: Number(r.entries), packages: Number(r.packages), bytes: Number(r.bytes) };
  }

  private async readHistory<T>(table: "health_history" | "dependency_history", tsColumn: string, repo: RepoRef, schema: z.ZodType<T>, q: Queryable = this.pool, repoId?: string): Promise<T[]> {
    const r = this.ref(repo);
    const { rows } = repoId
      ? await q.query<{ id: string; doc: unknown }>(`SELECT id, doc FROM ${table} WHERE repo_id = $1 ORDER BY ${tsColumn}, id`, [repoId])
      : await q.query<{ id: string; doc: unknown }>(
          `SELECT h.id, h.doc FROM ${table} h JOIN repos r ON r.id = h.repo_id WHERE r.owner = $1 AND r.repo = $2 ORDER BY h.${tsColumn}, h.id`,
          [r.owner, r.repo],
        );
    return this.validateRows(
      q,
      r.key,
      table,
      rows.map((row) => ({ key: row.id, doc: row.doc, where: "id = $1", params: [row.id] })),
      schema,
    );
  }

  async getDependencyHistory(repo: RepoRef): Promise<DependencySnapshot[]> {
    return await this.readHistory("dependency_history", "scanned_at", repo, DependencySnapshot);
  }

  // ------------------------------------------------------------------------------------------
  // Health history

  async getHealthHistory(repo: RepoRef): Promise<SystemHealth[]> {
    return await this.readHistory("health_history", "ts", repo, SystemHealth);
  }

  async appendHealthHistory(repo: RepoRef, health: SystemHealth): Promise<SystemHealth[]> {
    const r = this.ref(repo);
    const valid = this.validateForWrite(SystemHealth, health, `${r.key}/health_history`);
    return this.write(repo, async (ctx) => {
      await this.appendHealthHistoryIn(ctx, valid);
      return this.readHistory("health_history", "ts", repo, SystemHealth, ctx.client, ctx.repoId);
    });
  }

  private async appendHealthHistoryIn({ client, repoId, retention, now }: WriteContext, valid: SystemHealth): Promise<void> {
    // A snapshot only when the health changed, timestamps aside (the file store's rule: appendIfChanged).
    const last = await client.query<{ ts: Date; doc: unknown }>("SELECT ts, doc FROM health_history WHERE repo_id = $1 ORDER BY ts DESC, id DESC LIMIT 1", [repoId]);
    const prev = last.rows[0] ? SystemHealth.safeParse(last.rows[0].doc) : null;
    const unchanged = prev?.success === true && last.rows[0]!.ts.getTime() <= Date.parse(valid.timestamp) && sameSystemHealth(prev.data, valid);
    if (!unchanged) {
      await client.query("INSERT INTO health_history (repo_id, ts, doc) VALUES ($1, $2::timestamptz, $3::jsonb)", [repoId, valid.timestamp, JSON.stringify(valid)]);
    }
    await this.pruneHistory(client, "health_history", "ts", repoId, now, retention.health_days);
  }

  /**
   * Retention and compaction of a history table, as the file store does (pruneHealthHistory,
   * compactByAge): rows older than `days` go, except the latest row (it still describes the present);
   * rows older than HISTORY_COMPACT_AFTER_DAYS keep only the last of each UTC day.
   */
  private async pruneHistory(client: Queryable, table: "health_history" | "dependency_history", ts: "ts" | "scanned_at", repoId: string, now: Date, days: number): Promise<void> {
    const latest = `(SELECT id FROM ${table} WHERE repo_id = $1 ORDER BY ${ts} DESC, id DESC LIMIT 1)`;
    await client.query(`DELETE FROM ${table} WHERE repo_id = $1 AND ${ts} < $2::timestamptz - make_interval(days => $3) AND id <> ${latest}`, [repoId, now.toISOString(), days]);
    await client.query(
      `DELETE FROM ${table} h WHERE h.repo_id = $1 AND h.${ts} < $2::timestamptz - make_interval(days => $3)
         AND EXISTS (SELECT 1 FROM ${table} l WHERE l.repo_id = h.repo_id
                       AND date_trunc('day', l.${ts} AT TIME ZONE 'UTC') = date_trunc('day', h.${ts} AT TIME ZONE 'UTC')
                       AND (l.${ts} > h.${ts} OR (l.${ts} = h.${ts} AND l.id > h.id)))`,
      [repoId, now.toISOString(), HISTORY_COMPACT_AFTER_DAYS],
    );
  }

  // ------------------------------------------------------------------------------------------
  // Component health

  private checkComponentName(name: string): void {
    if (typeof name !== "string" || name.length === 0 || name.includes("\0")) {
      throw new UnsafeNameError(`refusing component name ${JSON.stringify(name)}: empty or contains NUL`);
    }
  }

  async getComponentHealth(repo: RepoRef, name: string): Promise<ComponentHealth | null> {
    const r = this.ref(repo);
    this.checkComponentName(name);
    const { rows } = await this.pool.query<{ repo_id: string; doc: unknown }>(
      `SELECT c.repo_id, c.doc FROM component_health c JOIN repos r ON r.id = c.repo_id WHERE r.owner = $1 AND r.repo = $2 AND c.name = $3`,
      [r.owner, r.repo, name],
    );
    const row = rows[0];
    if (!row) return null;
    const [value] = await this.validateRows(this.pool, r.key, "component_health", [{ key: name, doc: row.doc, where: "repo_id = $1 AND name = $2", params: [row.repo_id, name] }], ComponentHealth);
    return value ?? null;
  }

  async putComponentHealth(repo: RepoRef, component: ComponentHealth): Promise<void> {
    const r = this.ref(repo);
    this.checkComponentName(component?.name);
    const valid = this.validateForWrite(ComponentHealth, component, `${r.key}/component_health/${component.name}`);
    await this.write(repo, ({ client, repoId }) =>
      client.query(
        `INSERT INTO component_health (repo_id, name, doc, updated_at) VALUES ($1, $2, $3::jsonb, now())
         ON CONFLICT (repo_id, name) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`,
        [repoId, valid.name, JSON.stringify(valid)],
      ),
    );
  }

  async deleteComponentHealth(repo: RepoRef, name: string): Promise<void> {
    this.checkComponentName(name);
    await this.write(repo, ({ client, repoId }) => client.query("DELETE FROM component_health WHERE repo_id = $1 AND name = $2", [repoId, name]));
  }

  async replaceComponentHealth(repo: RepoRef, components: readonly ComponentHealth[]): Promise<void> {
    const valid = this.validateComponents(this.ref(repo), components);
    await this.write(repo, (ctx) => this.replaceComponentHealthIn(ctx, valid));
  }

  private validateComponents(r: RepoRef & { key: string }, components: readonly ComponentHealth[]): ComponentHealth[] {
    return components.map((c) => {
      this.checkComponentName(c?.name);
      return this.validateForWrite(ComponentHealth, c, `${r.key}/component_health/${c.name}`);
    });
  }

  private async replaceComponentHealthIn({ client, repoId }: WriteContext, valid: readonly ComponentHealth[]): Promise<void> {
    const names = valid.map((c) => c.name);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: inserting an empty set changes nothing (the guard saves a query)
    if (valid.length > 0) {
      await client.query(
        `INSERT INTO component_health (repo_id, name, doc, updated_at)
         SELECT $1, n, d, now() FROM unnest($2::text[], $3::jsonb[]) AS t(n, d)
         ON CONFLICT (repo_id, name) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`,
        [repoId, names, valid.map((c) => JSON.stringify(c))],
      );
    }
    await client.query("DELETE FROM component_health WHERE repo_id = $1 AND NOT (name = ANY($2::text[]))", [repoId, names]);
  }

  /**
   * The five writes of one assessment (see Store.putAssessment), every part validated first, in one
   * transaction holding the repository's lock: one round of BEGIN / lock / COMMIT instead of five.
   */
  async putAssessment(repo: RepoRef, a: AssessmentWrite): Promise<void> {
    const r = this.ref(repo);
    const issues = this.validateList(r, this.issuesSpec, a.issues);
    const deps = this.validateForWrite(z.array(Dependency), a.dependencies, `${r.key}/dependencies`);
    const system = this.validateForWrite(SystemHealth, a.system, `${r.key}/system_health`);
    const components = this.validateComponents(r, a.components);
    await this.write(repo, async (ctx) => {
      await this.replaceListIn(ctx, issues, this.issuesSpec);
      await this.putDependenciesIn(ctx, r, deps, a.scan);
      await this.putDocIn(ctx, "system_health", system);
      await this.appendHealthHistoryIn(ctx, system);
      await this.replaceComponentHealthIn(ctx, components);
    });
  }

  async listComponentHealth(repo: RepoRef): Promise<ComponentHealth[]> {
    const r = this.ref(repo);
    const { rows } = await this.pool.query<{ repo_id: string; name: string; doc: unknown }>(
      `SELECT c.repo_id, c.name, c.doc FROM component_health c JOIN repos r ON r.id = c.repo_id WHERE r.owner = $1 AND r.repo = $2`,
      [r.owner, r.repo],
    );
    const out = await this.validateRows(
      this.pool,
      r.key,
      "component_health",
      rows.map((row) => ({ key: row.name, doc: row.doc, where: "repo_id = $1 AND name = $2", params: [row.repo_id, row.name] })),
      ComponentHealth,
    );
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  // ------------------------------------------------------------------------------------------

  async listRepos(): Promise<RepoRef[]> {
    const { rows } = await this.pool.query<{ owner: string; repo: string }>('SELECT owner, repo FROM repos ORDER BY owner COLLATE "C", repo COLLATE "C"');
    return rows.map((x) => ({ owner: x.owner, repo: x.repo }));
  }
}
