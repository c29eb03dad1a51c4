/**
 * Child process for the PgStore tests (run with `node --import tsx`):
 *   pg-child.ts append <database url> <count> <tag> : <count> concurrent updateRecords appends, then "done"
 */
import { createPgStore } from "../../../src/store/pg/index.js";
import { makeRecord } from "../../helpers/factories.js";

const [mode, url, arg, tag] = process.argv.slice(2);
if (mode !== "append" || !url) throw new Error(`usage: pg-child.ts append <url> <count> <tag>`);
const store = await createPgStore({ connectionString: url, migrate: false });
try {
  await Promise.all(Array.from({ length: Number(arg) }, (_, i) => store.updateRecords({ owner: "acme", repo: "multi" }, (rs) => [...rs, makeRecord({ id: `${tag}-${i}` })])));
  process.stdout.write("done\n");
} finally {
  await store.close();
}
