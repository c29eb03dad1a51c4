/**
 * 0001: the store's tables, one row per entity (issues, records, pending notifications, components,
 * current dependencies) and one row per history entry (health snapshots, dependency snapshots).
 * `doc` holds the entity as the zod schema validated it; the other columns are what SQL needs to
 * order, prune and look up without opening the document. Timestamps the retention rules use are
 * copied into timestamptz columns; `doc` keeps the original ISO text.
 */
export const sql = /* sql */ `
CREATE TABLE repos (
  id bigserial PRIMARY KEY,
  owner text NOT NULL,
  repo text NOT NULL,
  -- Retention from the repository's config (setRetention); NULL: the store's default.
  health_days integer,
  issue_history_days integer,
  dependency_history_days integer,
  records_days integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT repos_lower_case CHECK (owner = lower(owner) AND repo = lower(repo)),
  CONSTRAINT repos_owner_repo_key UNIQUE (owner, repo)
);

CREATE TABLE system_health (
  repo_id bigint PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scan_state (
  repo_id bigint PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE issues (
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  id text NOT NULL,
  position integer NOT NULL,
  status text NOT NULL,
  -- max(updated_at, resolved_at): resolved and deferred issues are pruned by it.
  last_activity timestamptz,
  doc jsonb NOT NULL,
  PRIMARY KEY (repo_id, id)
);

CREATE TABLE maintenance_records (
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  id text NOT NULL,
  position integer NOT NULL,
  performed_at timestamptz,
  doc jsonb NOT NULL,
  PRIMARY KEY (repo_id, id)
);

CREATE TABLE pending_notifications (
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  id text NOT NULL,
  position integer NOT NULL,
  created_at timestamptz,
  doc jsonb NOT NULL,
  PRIMARY KEY (repo_id, id)
);

CREATE TABLE component_health (
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  name text NOT NULL,
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repo_id, name)
);

-- The current dependency status: one row per dependency, so "which repositories use package X at
-- version V" is an index lookup (dependencies_package_idx), not a scan of JSON documents.
CREATE TABLE dependencies (
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  position integer NOT NULL,
  package_manager text NOT NULL,
  datasource text NOT NULL,
  name text NOT NULL,
  version text NOT NULL,
  component text NOT NULL,
  file text NOT NULL,
  doc jsonb NOT NULL,
  PRIMARY KEY (repo_id, position)
);
CREATE INDEX dependencies_package_idx ON dependencies (package_manager, name, version);

-- History: appended rows, pruned by DELETE ... WHERE <ts> < now - interval.
CREATE TABLE health_history (
  id bigserial PRIMARY KEY,
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  ts timestamptz NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX health_history_repo_ts_idx ON health_history (repo_id, ts);

CREATE TABLE dependency_history (
  id bigserial PRIMARY KEY,
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  scanned_at timestamptz NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX dependency_history_repo_ts_idx ON dependency_history (repo_id, scanned_at);

-- Rows that failed validation on read, moved here instead of being skipped forever or overwritten.
CREATE TABLE store_quarantine (
  id bigserial PRIMARY KEY,
  repo_id bigint REFERENCES repos(id) ON DELETE CASCADE,
  table_name text NOT NULL,
  row_key text NOT NULL,
  doc jsonb NOT NULL,
  problem text NOT NULL,
  moved_at timestamptz NOT NULL DEFAULT now()
);

-- "This GitHub write happened": one row per idempotency key (see src/store/idempotency.ts).
CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Registry and OSV answers shared by every process (src/store/pg/http-cache.ts).
CREATE TABLE http_cache (
  key text PRIMARY KEY,
  entry jsonb NOT NULL,
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX http_cache_expires_idx ON http_cache (expires_at);
`;
