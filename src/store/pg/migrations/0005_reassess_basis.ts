/**
 * 0005: what a scan keeps for advisory re-assessment (issue 16; src/store/reassess-basis.ts), one document
 * per repository, and its lockfile packages as rows of the reverse index, so a new advisory on a transitive
 * package finds the repositories whose lockfile pins it. Ecosystem and normalised name are computed by the
 * writer with src/store/dependents.ts (the same mapping 0004 generates for `dependencies`).
 */
export const sql = /* sql */ `
CREATE TABLE reassess_basis (
  repo_id bigint PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE locked_packages (
  repo_id bigint NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  ecosystem text NOT NULL,
  norm_name text NOT NULL,
  name text NOT NULL,
  version text NOT NULL,
  component text NOT NULL,
  file text NOT NULL,
  dependency_type text NOT NULL
);
CREATE INDEX locked_packages_dependents_idx ON locked_packages (ecosystem, norm_name);
CREATE INDEX locked_packages_repo_idx ON locked_packages (repo_id);
`;
