/** FileStore behaviours that the mutation run showed unguarded (issue 18). */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore, STORE_FILES } from "../../src/store/index.js";
import { makeComponentHealth, makeSystemHealth } from "../helpers/factories.js";

const repo = { owner: "acme", repo: "app" };
const NOW = new Date("2026-06-01T00:00:00.000Z");
let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cowabunga-store-s-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("FileStore: component listing and health history", () => {
  it("lists only real component files: temp files and moved-aside .corrupt-* copies are not components", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    await store.putComponentHealth(repo, makeComponentHealth({ name: "api" }));
    await store.putComponentHealth(repo, makeComponentHealth({ name: "ui" }));
    const dir = path.join(root, "acme", "app", STORE_FILES.componentDir);
    const [apiFile] = readdirSync(dir).filter((n) => n.startsWith("api"));
    // Valid JSON of a component under names a writer or the corruption handling leaves behind.
    copyFileSync(path.join(dir, apiFile), path.join(dir, `${apiFile}.corrupt-2026-06-01T00-00-00Z`));
    const tmp = readdirSync(dir).length;
    writeFileSync(path.join(dir, `.${apiFile}.tmp-1234-abcd`), JSON.stringify(makeComponentHealth({ name: "ghost-tmp" })));
    writeFileSync(path.join(dir, "notes.txt"), "not json");
    expect(readdirSync(dir).length).toBe(tmp + 2);
    const listed = await store.listComponentHealth(repo);
    expect(listed.map((c) => c.name)).toEqual(["api", "ui"]);
    expect(store.takeWarnings()).toEqual([]);
  });

  it("keeps health history in time order whatever order the entries arrive in", async () => {
    const store = new FileStore({ root, clock: () => NOW });
    const at = (d: string) => makeSystemHealth({ timestamp: `2026-05-${d}T00:00:00.000Z`, metrics: { ...makeSystemHealth().metrics, security_issues: Number(d) } });
    for (const d of ["20", "05", "28", "11"]) await store.appendHealthHistory(repo, at(d));
    const history = await store.getHealthHistory(repo);
    expect(history.map((h) => h.timestamp.slice(8, 10))).toEqual(["05", "11", "20", "28"]);
  });
});
