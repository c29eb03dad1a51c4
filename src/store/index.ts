export * from "./types.js";
export { FileStore, ReadOnlyStoreError, STORE_FILES, StoreValidationError, dataDirFromEnv, type FileStoreOptions, type StoreLogger } from "./file-store.js";
export { UnsafeNameError, checkRepoRef, componentFileName } from "./paths.js";
export { LockTimeoutError } from "./lock.js";
export { DEFAULT_RETENTION, HISTORY_COMPACT_AFTER_DAYS, appendIfChanged, compactByAge, sameDependencySnapshot, sameSystemHealth, pruneDependencyHistory, pruneHealthHistory, pruneIssues, pruneRecords } from "./retention.js";
export { openStore, type OpenStoreOptions, type OpenedStore } from "./factory.js";
export { FileIdempotencyKeys, MemoryIdempotencyKeys, type IdempotencyKeys, type IdempotentResult } from "./idempotency.js";
