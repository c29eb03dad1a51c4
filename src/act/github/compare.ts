import { errorText, type AppLogger, type GitHubOctokit } from "./client.js";

export interface AddedLines {
  /** path → 1-based line numbers added by the diff. */
  addedLines: Map<string, Set<number>>;
  /**
   * path → a sparse text of the new file: added lines at their line numbers, every other line
   * empty. Enough for line-based detectors (bug markers) without reading whole files.
   */
  textFiles: Map<string, string>;
}

/** Added lines of one unified-diff patch (as the compare API returns it per file). */
export function addedLinesOfPatch(patch: string): Map<number, string> {
  const out = new Map<number, string>();
  let newLine = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      newLine = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith("+")) {
      out.set(newLine, line.slice(1).replace(/\r$/, ""));
      newLine++;
    } else if (line.startsWith("-")) {
      // removed: no new line
    } else if (line.startsWith("\\")) {
      // "\ No newline at end of file"
    } else {
      newLine++;
    }
  }
  return out;
}

export interface CompareFile {
  filename: string;
  status?: string;
  patch?: string;
}

export function addedLinesOfFiles(files: readonly CompareFile[]): AddedLines {
  const addedLines = new Map<string, Set<number>>();
  const textFiles = new Map<string, string>();
  for (const f of files) {
    if (!f.patch || f.status === "removed") continue;
    const added = addedLinesOfPatch(f.patch);
    if (added.size === 0) continue;
    addedLines.set(f.filename, new Set(added.keys()));
    const max = Math.max(...added.keys());
    const lines: string[] = new Array<string>(max).fill("");
    for (const [n, text] of added) lines[n - 1] = text;
    textFiles.set(f.filename, lines.join("\n"));
  }
  return { addedLines, textFiles };
}

/**
 * Added lines between two commits, from ONE compare request. The compare API lists at most 300
 * files and omits patches of large diffs; those files are simply not looked at. Returns null (and
 * logs the request) on failure: the scan goes on without bug markers.
 */
export async function fetchAddedLines(
  octokit: Pick<GitHubOctokit, "request">,
  repo: { owner: string; repo: string },
  base: string,
  head: string,
  log: AppLogger,
): Promise<AddedLines | null> {
  try {
    const res = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { ...repo, basehead: `${base}...${head}` });
    const files = ((res.data as { files?: CompareFile[] }).files ?? []) as CompareFile[];
    return addedLinesOfFiles(files);
  } catch (err) {
    log.warn({ err: errorText(err) }, `GET /repos/${repo.owner}/${repo.repo}/compare/${base}...${head} failed: ${errorText(err)}; bug markers skipped`);
    return null;
  }
}
