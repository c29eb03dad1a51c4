import { z } from "zod";
import { DateTime } from "../model/common.js";
import type { ComponentHealth, SystemHealth } from "../model/health.js";
import type { Dependency } from "../model/dependency.js";
import type { MaintenanceIssue } from "../model/issue.js";
import type { MaintenanceRecord } from "../model/record.js";
import type { RetentionConfig } from "../config/schema.js";
import type { DependentRef, DependentsQuery } from "./dependents.js";
import type { ReassessBasis } from "./reassess-basis.js";
type RetentionSettings = z.infer<typeof RetentionConfig>;

/** A GitHub repository, as Probot's context.repo() gives it. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** Bookkeeping of the last scan, free-form beyond the known fields. */
export const ScanState = z.looseObject({
  /** Git tree SHA of the last scanned commit; a scan is skipped when it has not changed. */
  tree_sha: z.string().nullable().optional(),
  head_sha: z.string().nullable().optional(),
  ref: z.string().nullable().optional(),
  last_scan_started_at: DateTime.nullable().optional(),
  last_scan_finished_at: DateTime.nullable().optional(),
});
export type ScanState = z.infer<typeof ScanState>;

/** An alert waiting to be delivered. Only id and created_at are fixed; notifications owns the rest. */
export const PendingNotification = z.looseObject({
  id: z.string().min(1),
  created_at: DateTime,
});
export type PendingNotification = z.infer<typeof PendingNotification>;

/** One dependency's version at one scan. */
export const DependencyVersion = z.object({
  name: z.string(),
  package_manager: z.string(),
  component: z.string(),
  file: z.string(),
  version: z.string(),
  latest_version: z.string().nullable(),
});
export type DependencyVersion = z.infer<typeof DependencyVersion>;

/** The dependency versions seen by one scan (dependency_history.json keeps 6 months of these). */
export const DependencySnapshot = z.object({
  scanned_at: DateTime,
  head_sha: z.string().nullable(),
  dependencies: z.array(DependencyVersion),
});
export type DependencySnapshot = z.infer<typeof DependencySnapshot>;

/** Something wrong found while reading the store: the file was moved aside and a default used. */
export interface StoreWarning {
  repo: string;
  /** Path of the bad file, relative to the store root. */
  file: string;
  message: string;
  /** Where the bad file now is (relative to the store root), or null if it could not be moved. */
  moved_to: string | null;
  /**
   * "file": the whole file was unusable and the empty default was used. "entries": some entries of a
   * list (a history) were dropped and the rest kept. Absent means "file".
   */
  scope?: "file" | "entries";
}

export type Retention = Pick<RetentionSettings, "health_days" | "issue_history_days" | "dependency_history_days" | "records_days">;

export type Updater<T> = (current: T) => T | Promise<T>;

/**
 * Persistence of everything Cowabunga knows about a repository.
 * Reads never throw on bad data: a corrupt or invalid file is moved aside, reported through
 * takeWarnings() and the logger, and the empty default is returned.
 * Writes validate with the model's zod schemas (an invalid value is a bug: StoreValidationError),
 * apply retention, and are atomic. update* calls on one repository are serialised (in-process and
 * across processes); do not call the store for the same repository from inside an updater.
 */
export interface Store {
  getSystemHealth(repo: RepoRef): Promise<SystemHealth | null>;
  putSystemHealth(repo: RepoRef, health: SystemHealth): Promise<void>;

  getIssues(repo: RepoRef): Promise<MaintenanceIssue[]>;
  updateIssues(repo: RepoRef, fn: Updater<MaintenanceIssue[]>): Promise<MaintenanceIssue[]>;

  getDependencies(repo: RepoRef): Promise<Dependency[]>;
  /** Replaces the current dependency status and appends a snapshot to the dependency history. */
  putDependencies(repo: RepoRef, deps: Dependency[], scan?: { scanned_at?: string; head_sha?: string | null }): Promise<void>;
  getDependencyHistory(repo: RepoRef): Promise<DependencySnapshot[]>;

  getRecords(repo: RepoRef): Promise<MaintenanceRecord[]>;
  updateRecords(repo: RepoRef, fn: Updater<MaintenanceRecord[]>): Promise<MaintenanceRecord[]>;

  getComponentHealth(repo: RepoRef, name: string): Promise<ComponentHealth | null>;
  putComponentHealth(repo: RepoRef, component: ComponentHealth): Promise<void>;
  listComponentHealth(repo: RepoRef): Promise<ComponentHealth[]>;
  deleteComponentHealth(repo: RepoRef, name: string): Promise<void>;
  /**
   * A scan's components: each is put, every stored component not among them is deleted, in one
   * transaction (all validated before anything is written). What a scan or re-assessment stores.
   */
  replaceComponentHealth(repo: RepoRef, components: readonly ComponentHealth[]): Promise<void>;

  getHealthHistory(repo: RepoRef): Promise<SystemHealth[]>;
  appendHealthHistory(repo: RepoRef, health: SystemHealth): Promise<SystemHealth[]>;

  getScanState(repo: RepoRef): Promise<ScanState | null>;
  putScanState(repo: RepoRef, state: ScanState): Promise<void>;

  /** What the last full scan kept for advisory re-assessment (src/store/reassess-basis.ts); null before one. */
  getReassessBasis(repo: RepoRef): Promise<ReassessBasis | null>;
  /** Replaces it; its lockfile packages join the reverse index (findDependents, direct: false). */
  putReassessBasis(repo: RepoRef, basis: ReassessBasis): Promise<void>;

  getPending(repo: RepoRef): Promise<PendingNotification[]>;
  updatePending(repo: RepoRef, fn: Updater<PendingNotification[]>): Promise<PendingNotification[]>;

  /**
   * Reverse dependency index: every stored dependency of this (ecosystem, package) across all
   * repositories, from the current dependency status (kept by putDependencies). Name compared after the
   * ecosystem's normalisation. Sorted by repository, component, file.
   */
  findDependents(query: DependentsQuery): Promise<DependentRef[]>;
  /**
   * The distinct packages of the reverse index: (ecosystem, name normalised as findDependents compares
   * it), sorted by ecosystem then name. What an online advisory refresh asks OSV about.
   */
  listDependentPackages(): Promise<DependentsQuery[]>;
  /** Size of the reverse index: rows (package uses) and distinct packages. */
  dependentsIndexStats(): Promise<{ entries: number; packages: number; bytes: number | null }>;

  /** Repositories that have a folder in the store. Names are lower case (GitHub names are case-insensitive). */
  listRepos(): Promise<RepoRef[]>;
  /** Retention for one repository, from its config (`retention`); unset keys keep the seed defaults. */
  setRetention(repo: RepoRef, retention: Partial<Retention>): void;
  /** Warnings collected since the last call, then cleared. */
  takeWarnings(): StoreWarning[];
}
