import { sql as initial } from "./0001_initial.js";
import { sql as httpFetchClaims } from "./0002_http_fetch_claims.js";
import { sql as runtimeSamples } from "./0003_runtime_samples.js";
import { sql as dependentsIndex } from "./0004_dependents_index.js";
import { sql as reassessBasis } from "./0005_reassess_basis.js";

export interface Migration {
  /** Sortable, never reused: `0001_initial`. Recorded in schema_migrations once applied. */
  id: string;
  sql: string;
}

/**
 * Every migration, in order. Migrations are numbered TypeScript modules holding plain SQL, so they travel
 * inside the CLI's esbuild bundle and the tsc output without copying asset files. Never edit an applied
 * one: add the next number.
 */
export const MIGRATIONS: readonly Migration[] = [
  { id: "0001_initial", sql: initial },
  { id: "0002_http_fetch_claims", sql: httpFetchClaims },
  { id: "0003_runtime_samples", sql: runtimeSamples },
  { id: "0004_dependents_index", sql: dependentsIndex },
  { id: "0005_reassess_basis", sql: reassessBasis },
];
