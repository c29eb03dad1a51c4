/**
 * 0003: runtime samples (health polls and pushed metrics), one row each, so the worker that polls and
 * the server that shows the dashboard see the same uptime. Kept 30 days (pruned on append).
 */
export const sql = /* sql */ `
CREATE TABLE runtime_samples (
  id bigserial PRIMARY KEY,
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  component text NOT NULL,
  at timestamptz NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX runtime_samples_repo_component_at_idx ON runtime_samples (repo_id, component, at);
`;
