import type pg from "pg";
import { MAX_SAMPLES_PER_COMPONENT, RuntimeSample, UPTIME_WINDOW_DAYS, type RuntimeMetricsStore } from "../../act/runtime/metrics-store.js";
import { parseEntity } from "../../model/validate.js";
import { checkRepoRef } from "../paths.js";
import type { RepoRef } from "../types.js";

/**
 * Runtime samples in `runtime_samples`: appended rows, pruned in SQL to the 30-day window (and the
 * per-component cap). Invalid rows are skipped with a warning, as in the file version.
 */
export class PgRuntimeMetricsStore implements RuntimeMetricsStore {
  private appends = 0;
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => Date = () => new Date(),
    private readonly logger?: { warn(obj: object, msg: string): void },
  ) {}

  private async read(repo: RepoRef, component?: string): Promise<Record<string, RuntimeSample[]>> {
    const r = checkRepoRef(repo);
    const cutoff = new Date(this.clock().getTime() - UPTIME_WINDOW_DAYS * 86_400_000).toISOString();
    const { rows } = await this.pool.query<{ id: string; component: string; doc: unknown }>(
      `SELECT s.id, s.component, s.doc FROM runtime_samples s JOIN repos r ON r.id = s.repo_id
       WHERE r.owner = $1 AND r.repo = $2 AND s.at >= $3 AND ($4::text IS NULL OR s.component = $4) ORDER BY s.at, s.id`,
      [r.owner, r.repo, cutoff, component ?? null],
    );
    const out: Record<string, RuntimeSample[]> = {};
    for (const row of rows) {
      const v = parseEntity(RuntimeSample, row.doc, `${r.owner}/${r.repo}/runtime_samples/${row.id}`);
      if (!v.ok) {
        this.logger?.warn({ runtime_sample: row.id }, `${v.message}; skipped`);
        continue;
      }
      (out[row.component] ??= []).push(v.value);
    }
    for (const k of Object.keys(out)) out[k] = out[k]!.slice(-MAX_SAMPLES_PER_COMPONENT);
    return out;
  }

  async append(repo: RepoRef, component: string, sample: RuntimeSample): Promise<RuntimeSample[]> {
    const r = checkRepoRef(repo);
    const valid = RuntimeSample.parse(sample);
    const now = this.clock();
    const { rows } = await this.pool.query<{ id: string }>(
      `WITH ins AS (INSERT INTO repos (owner, repo) VALUES ($1, $2) ON CONFLICT (owner, repo) DO NOTHING RETURNING id),
            repo AS (SELECT id FROM ins UNION ALL SELECT id FROM repos WHERE owner = $1 AND repo = $2)
       INSERT INTO runtime_samples (repo_id, component, at, doc) SELECT id, $3, $4::timestamptz, $5::jsonb FROM repo LIMIT 1 RETURNING repo_id AS id`,
      [r.owner, r.repo, component, valid.at, JSON.stringify(valid)],
    );
    // Stryker disable next-line OptionalChaining,ConditionalExpression: the INSERT ... SELECT from the upserted repository always returns one row
    const repoId = rows[0]?.id;
    // Stryker disable next-line ConditionalExpression: as above
    if (repoId) {
      await this.pool.query("DELETE FROM runtime_samples WHERE repo_id = $1 AND component = $2 AND at < $3::timestamptz - make_interval(days => $4)", [
        repoId,
        component,
        now.toISOString(),
        UPTIME_WINDOW_DAYS,
      ]);
      // The count cap only binds above one sample a minute: checked every 100th append, not on each.
      // Stryker disable next-line ConditionalExpression,UpdateOperator: capping on every append (or counting down) keeps the same rows, only at more cost
      if (++this.appends % 100 === 0) {
        await this.pool.query(
          `DELETE FROM runtime_samples WHERE id IN (
             SELECT id FROM runtime_samples WHERE repo_id = $1 AND component = $2 ORDER BY at DESC, id DESC OFFSET $3)`,
          [repoId, component, MAX_SAMPLES_PER_COMPONENT],
        );
      }
    }
    return (await this.read(repo, component))[component] ?? [];
  }

  async samples(repo: RepoRef, component: string): Promise<RuntimeSample[]> {
    return (await this.read(repo, component))[component] ?? [];
  }

  all(repo: RepoRef): Promise<Record<string, RuntimeSample[]>> {
    return this.read(repo);
  }
}
