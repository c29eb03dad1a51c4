export * from "./types.js";
export { FileStore, STORE_FILES, StoreValidationError, dataDirFromEnv, type FileStoreOptions, type StoreLogger } from "./file-store.js";
export { UnsafeNameError, checkRepoRef, componentFileName } from "./paths.js";
export { LockTimeoutError } from "./lock.js";
export { DEFAULT_RETENTION, pruneDependencyHistory, pruneHealthHistory, pruneIssues, pruneRecords } from "./retention.js";
