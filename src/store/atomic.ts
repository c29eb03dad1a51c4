import { promises as fs } from "node:fs";
import path from "node:path";

let counter = 0;

/** Temp files are `.<name>.<pid>.<n>.tmp` in the target's directory; readers and listings ignore them. */
export function isTempFile(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

/**
 * Write `data` to `file` atomically: temp file in the same directory, fsync, rename over the target,
 * then fsync the directory so the rename itself survives a crash. A reader sees the old or the new
 * content, never a mix; a crash leaves at worst a stray temp file.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  // Stryker disable next-line UpdateOperator: any per-process sequence gives unique names; a decreasing one does too
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
  const fh = await fs.open(tmp, "wx", 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the temp file was just created, so it exists; force only covers another process removing it first
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the temp file was just written, so it exists; force only covers another process removing it first
    await fs.rm(tmp, { force: true });
    throw e;
  }
  try {
    const d = await fs.open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
