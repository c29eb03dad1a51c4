import { promises as fs } from "node:fs";
import path from "node:path";

/** Where the CLI writes; injected so tests can capture output without spawning a process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress bars are drawn only on a terminal. */
  stderrIsTTY: boolean;
  /** Base for relative paths given on the command line. */
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

/** Exit codes: 0 success, 1 runtime failure, 2 usage error (bad option, missing directory, invalid config). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** An error the user can fix by changing the command line or config: exit code 2, message only. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Write `--out`: a missing parent folder is created; any other failure (a file where a folder
 * should be, no permission) is a usage error naming the path, not a raw errno.
 */
export async function writeOutFile(io: Pick<CliIO, "cwd">, out: string, text: string): Promise<void> {
  const file = path.resolve(io.cwd, out);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === "EISDIR"
        ? "it is a directory"
        : e.code === "ENOTDIR" || e.code === "EEXIST"
          ? "a parent of it is a file, not a folder"
          : e.code === "EACCES" || e.code === "EPERM"
            ? "permission denied"
            : e.message;
    throw new UsageError(`--out ${out}: cannot write the file: ${why}`);
  }
}
