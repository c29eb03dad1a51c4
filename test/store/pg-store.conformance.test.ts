import pg from "pg";
import { PgStore, migrate } from "../../src/store/pg/index.js";
import type { Store } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable, testPool } from "../helpers/services.js";
import { defineStoreConformance } from "./conformance.js";

const ok = await postgresAvailable("PgStore conformance");
let db: { url: string; drop: () => Promise<void> } | null = null;
let admin: pg.Pool | null = null;
let open: PgStore[] = [];

defineStoreConformance("PgStore", ok, {
  async setup() {
    db = await createTestDatabase("store_conformance");
    await migrate(db.url);
    admin = testPool(db.url, 2);
  },
  async teardown() {
    await admin?.end();
    await db?.drop();
  },
  async reset() {
    await admin!.query("TRUNCATE repos, store_quarantine, idempotency_keys, http_cache RESTART IDENTITY CASCADE");
  },
  async open(opts = {}): Promise<Store> {
    // Each instance has its own pool: what another process would have.
    const store = new PgStore(testPool(db!.url, 4), opts.now ? { now: opts.now } : {});
    open.push(store);
    return store;
  },
  async closeAll() {
    await Promise.all(open.map((s) => s.close()));
    open = [];
  },
  async corruptIssue(r, id) {
    await admin!.query(
      `UPDATE issues SET doc = jsonb_set(doc, '{severity}', '"apocalyptic"') FROM repos WHERE repos.id = issues.repo_id AND repos.owner = $1 AND repos.repo = $2 AND issues.id = $3`,
      [r.owner, r.repo, id],
    );
  },
  async corruptSystemHealth(r) {
    await admin!.query(`UPDATE system_health SET doc = '{"overall_status": "fine"}' FROM repos WHERE repos.id = system_health.repo_id AND repos.owner = $1 AND repos.repo = $2`, [r.owner, r.repo]);
  },
});
