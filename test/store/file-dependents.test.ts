import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/store/index.js";
import { makeDependency } from "../helpers/factories.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function root(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "file-dependents-"));
  dirs.push(d);
  return d;
}
const npm = (name: string, version: string) => makeDependency({ name, version, datasource: "npm", package_manager: "npm" });

describe("FileStore reverse index", () => {
  it("rebuilds a corrupt or deleted index from the stored dependencies, and its folder is not a repository", async () => {
    const dir = root();
    const store = new FileStore({ root: dir });
    await store.putDependencies({ owner: "acme", repo: "a" }, [npm("lodash", "4.17.20")]);
    await store.putDependencies({ owner: "acme", repo: "b" }, [npm("lodash", "4.17.21")]);
    expect(await store.findDependents({ ecosystem: "npm", name: "lodash" })).toHaveLength(2);

    writeFileSync(path.join(dir, "_index", "dependents.json"), "{ not json");
    const fresh = new FileStore({ root: dir });
    expect((await fresh.findDependents({ ecosystem: "npm", name: "lodash" })).map((d) => d.repo.repo)).toEqual(["a", "b"]);

    rmSync(path.join(dir, "_index"), { recursive: true });
    expect((await new FileStore({ root: dir }).findDependents({ ecosystem: "npm", name: "lodash" })).map((d) => d.version)).toEqual(["4.17.20", "4.17.21"]);
    expect(await store.listRepos()).toEqual([
      { owner: "acme", repo: "a" },
      { owner: "acme", repo: "b" },
    ]);
  });

  it("a store written before the index existed is indexed at the first lookup", async () => {
    const dir = root();
    const store = new FileStore({ root: dir });
    await store.putDependencies({ owner: "acme", repo: "a" }, [npm("axios", "0.21.0")]);
    rmSync(path.join(dir, "_index"), { recursive: true });
    expect(await store.findDependents({ ecosystem: "npm", name: "axios" })).toHaveLength(1);
    expect(await store.dependentsIndexStats()).toMatchObject({ entries: 1, packages: 1 });
  });
});
