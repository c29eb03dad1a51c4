/** A file in a repository, as listed by a source. Paths are POSIX, relative to the repository root. */
export interface RepoFile {
  path: string;
  /** Size in bytes, when the source knows it. */
  size: number | null;
}

/**
 * Where the scan reads a repository from: a local directory or a GitHub repository at a commit.
 * Sources never throw for one unreadable file: they leave it out of readFiles' result and report
 * it through `warnings`.
 */
export interface RepoSource {
  /** Human description for logs and reports, e.g. "local:/path" or "github:owner/repo@sha". */
  readonly description: string;
  /** Every file in the repository (after ignore rules). */
  listFiles(): Promise<RepoFile[]>;
  /** Contents of the named files, batched where the source can batch. Missing or oversized files are absent. */
  readFiles(paths: string[]): Promise<Map<string, string>>;
  /** Problems met while listing or reading (oversized file, truncated tree, permission error). */
  readonly warnings: SourceWarning[];
  /** The commit being scanned, when the source has one. */
  readonly commitSha: string | null;
}

export interface SourceWarning {
  file: string | null;
  message: string;
}
