/**
 * Child process for the store tests (run with `node --import tsx`).
 *   store-child.ts big-writes <root> <megabytes>  : write ever-newer large scan_state.json documents forever
 *   store-child.ts append <root> <count> <tag>     : append <count> maintenance records, one update each
 */
import { FileStore } from "../../../src/store/file-store.js";
import { makeRecord } from "../../helpers/factories.js";

const [mode, root, arg, tag] = process.argv.slice(2);
const repo = { owner: "acme", repo: "app" };
const store = new FileStore({ root, lockStaleMs: 60_000, lockTimeoutMs: 60_000 });

if (mode === "big-writes") {
  const size = Number(arg) * 1024 * 1024;
  for (let gen = 1; ; gen++) {
    const blob = String(gen % 10).repeat(size);
    await store.putScanState(repo, { head_sha: `gen-${gen}`, generation: gen, blob });
  }
} else if (mode === "append") {
  const n = Number(arg);
  await Promise.all(
    Array.from({ length: n }, (_, i) => store.updateRecords(repo, (rs) => [...rs, makeRecord({ id: `${tag}-${i}` })])),
  );
  process.stdout.write("done\n");
} else {
  throw new Error(`unknown mode ${mode}`);
}
