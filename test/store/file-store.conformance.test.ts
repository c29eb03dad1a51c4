import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileStore, STORE_FILES, type RepoRef, type Store } from "../../src/store/index.js";
import { defineStoreConformance } from "./conformance.js";

let root = "";
const dir = (r: RepoRef) => path.join(root, r.owner.toLowerCase(), r.repo.toLowerCase());

defineStoreConformance("FileStore", true, {
  async reset() {
    if (root) rmSync(root, { recursive: true, force: true });
    root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-conformance-"));
  },
  async teardown() {
    if (root) rmSync(root, { recursive: true, force: true });
  },
  async open(opts = {}): Promise<Store> {
    return new FileStore({ root, ...(opts.now ? { clock: opts.now } : {}) });
  },
  async closeAll() {},
  async corruptIssue(r, id) {
    const file = path.join(dir(r), STORE_FILES.issues);
    const issues = JSON.parse(readFileSync(file, "utf8")) as { id: string; severity: string }[];
    for (const i of issues) if (i.id === id) i.severity = "apocalyptic";
    writeFileSync(file, JSON.stringify(issues));
  },
  async corruptSystemHealth(r) {
    writeFileSync(path.join(dir(r), STORE_FILES.systemHealth), JSON.stringify({ overall_status: "fine" }));
  },
});
