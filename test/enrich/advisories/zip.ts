import { createWriteStream } from "node:fs";
import yazl from "yazl";

/** Write a zip (deflated entries, like OSV's all.zip exports) with the given files. */
export function writeZip(file: string, entries: Record<string, string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, content] of Object.entries(entries)) {
      zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8"), name);
    }
    const out = createWriteStream(file);
    out.on("close", () => resolve());
    out.on("error", reject);
    zip.outputStream.pipe(out);
    zip.end();
  });
}
