/**
 * 0004: the reverse dependency index (issue 16). Each dependencies row carries its OSV ecosystem and the
 * ecosystem's normalised name (PEP 503 for PyPI), indexed, so "which repositories use package X" is one
 * index scan. Both are generated from columns the row already has, so every writer keeps them right;
 * the mapping mirrors src/store/dependents.ts (indexEcosystem, normalisePackageName). `direct` is false
 * for lockfile-only (transitive) packages.
 */
export const sql = /* sql */ `
ALTER TABLE dependencies
  ADD COLUMN ecosystem text GENERATED ALWAYS AS (
    CASE datasource WHEN 'npm' THEN 'npm' WHEN 'pypi' THEN 'PyPI' WHEN 'crates' THEN 'crates.io' WHEN 'go' THEN 'Go' ELSE datasource END
  ) STORED,
  ADD COLUMN norm_name text GENERATED ALWAYS AS (
    CASE WHEN datasource = 'pypi' THEN regexp_replace(lower(name), '[-_.]+', '-', 'g') ELSE name END
  ) STORED,
  ADD COLUMN direct boolean GENERATED ALWAYS AS (
    coalesce((doc->>'transitive')::boolean IS NOT TRUE AND doc->>'current_value' IS DISTINCT FROM '(transitive)', true)
  ) STORED;
CREATE INDEX dependencies_dependents_idx ON dependencies (ecosystem, norm_name);
`;
